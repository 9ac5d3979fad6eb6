package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

const counterTest = `
import Test
import "Counter"
import "helpers.cdc"

access(all) fun setup() {
    let err = Test.deployContract(name: "Counter", path: "../contracts/Counter.cdc", arguments: [])
    Test.expect(err, Test.beNil())
}

access(all) fun testStartsAtZero() {
    Test.assertEqual(zero(), Counter.count)
}
`

const counterHelpers = `
access(all) fun zero(): Int {
    return 0
}
`

const mixedTest = `
import Test

access(all) fun testAdds() {
    Test.assertEqual(2, 1 + 1)
}

access(all) fun testMiscounts() {
    Test.assertEqual(3, 1 + 1)
}
`

func runTestCode(t *testing.T, project *flowProject, cover bool, scripts ...cadenceSource) testResult {
	t.Helper()
	var seen []string
	result, err := testCode(project, scripts, cover, zerolog.Nop(), func(f fileTestResults) { seen = append(seen, f.Path) })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(scripts) {
		t.Fatalf("onFile saw %v, want one call per script", seen)
	}
	return result
}

func TestAPassingAndAFailingTest(t *testing.T) {
	project := newProject(t, map[string]string{})
	result := runTestCode(t, project, false, source(project, "tests/mixed_test.cdc", mixedTest))

	if passed, failed := result.counts(); passed != 1 || failed != 1 {
		t.Fatalf("counts: %d passed, %d failed; want 1 and 1", passed, failed)
	}
	outcome := map[string]error{}
	for _, r := range result.Files[0].Results {
		outcome[r.TestName] = r.Error
	}
	if outcome["testAdds"] != nil {
		t.Errorf("testAdds failed: %v", outcome["testAdds"])
	}
	if err := outcome["testMiscounts"]; err == nil || !strings.Contains(err.Error(), "expected: 3, actual: 2") {
		t.Errorf("testMiscounts: %v", err)
	}
	if err := result.verdict(0); err == nil || err.Error() != "1 Cadence test(s) failed" {
		t.Errorf("verdict: %v", err)
	}

	var out bytes.Buffer
	printFileTestResults(&out, result.Files[0])
	printTestSummary(&out, result)
	for _, want := range []string{"- PASS: testAdds", "- FAIL: testMiscounts", "cadence: 1 passed, 1 failed\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// A script that imports a project contract by name and a helper by file,
// and deploys the contract from a path relative to itself.
func TestProjectImportsAndCoverage(t *testing.T) {
	project := newProject(t, map[string]string{"tests/helpers.cdc": counterHelpers})
	result := runTestCode(t, project, true, source(project, "tests/counter_test.cdc", counterTest))

	if passed, failed := result.counts(); passed != 1 || failed != 0 {
		t.Fatalf("counts: %d passed, %d failed: %v", passed, failed, result.Files[0].Results)
	}
	rows := result.contractCoverage()
	if len(rows) != 1 || rows[0].Name != "Counter" {
		t.Fatalf("coverage rows %+v, want Counter alone (the helpers and standard contracts are not the project's)", rows)
	}
	// The initializer ran; increment never did.
	if c := rows[0]; c.Covered == 0 || c.Covered >= c.Total {
		t.Fatalf("Counter covered %d of %d lines", c.Covered, c.Total)
	}
	if err := result.verdict(rows[0].percent()); err != nil {
		t.Errorf("verdict at the reached coverage: %v", err)
	}
	err := result.verdict(rows[0].percent() + 1)
	if err == nil || !strings.HasPrefix(err.Error(), "coverage below") || !strings.Contains(err.Error(), "Counter") {
		t.Errorf("verdict above the reached coverage: %v", err)
	}
}

func TestAScriptThatCannotRunIsAnError(t *testing.T) {
	project := newProject(t, map[string]string{})
	_, err := testCode(project, []cadenceSource{source(project, "tests/broken_test.cdc", "import Test\naccess(all) fun testX() { let x: Int = \"no\" }")}, false, zerolog.Nop(), nil)
	if err == nil || !strings.Contains(err.Error(), "broken_test.cdc") {
		t.Fatalf("err %v, want one naming the file", err)
	}
}
