package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onflow/cadence/common"
)

// Imports by name only check once they are rewritten to the addresses the
// project's contract (the service account) and a standard contract live at.
const incrementTransaction = `
import "Counter"
import "FungibleToken"

transaction {
    execute {
        Counter.increment()
    }
}
`

const redundantCastScript = `
import "Counter"

access(all) fun main(): Int {
    return Counter.count as Int
}
`

const mistypedScript = `
access(all) fun main(): Int {
    return "no"
}
`

func TestLintFindingsAndCheckerErrors(t *testing.T) {
	project := newProject(t, map[string]string{})
	sources := []cadenceSource{
		source(project, "contracts/Counter.cdc", counterContract),
		source(project, "transactions/increment.cdc", incrementTransaction),
		source(project, "scripts/count.cdc", redundantCastScript),
		source(project, "scripts/mistyped.cdc", mistypedScript),
	}
	result, err := lintCode(project, sources)
	if err != nil {
		t.Fatal(err)
	}

	if result.Files != 4 {
		t.Errorf("files %d, want 4", result.Files)
	}
	if len(result.CheckErrors) != 1 || result.CheckErrors[0].Location != sources[3].Path ||
		!strings.Contains(result.CheckErrors[0].Err.Error(), "mismatched types") {
		t.Fatalf("checker errors %+v, want the mistyped script's alone", result.CheckErrors)
	}
	want := lintFinding{Location: sources[2].Path, Line: 5, Column: 24, Category: "unnecessary-cast-hint", Message: "static cast is redundant"}
	if len(result.Findings) != 1 || result.Findings[0] != want {
		t.Fatalf("findings %+v, want %+v", result.Findings, want)
	}

	if err := result.verdict(false); err == nil || err.Error() != "1 Cadence files do not type-check" {
		t.Errorf("verdict: %v", err)
	}
	var out bytes.Buffer
	printLint(&out, result)
	for _, line := range []string{
		"error: " + sources[3].Path + ": ",
		sources[2].Path + ":5:24: unnecessary-cast-hint: static cast is redundant\n",
		"lint: 4 files, 1 checker errors, 1 findings\n",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
	}
}

func TestFindingsFailOnlyWhenStrict(t *testing.T) {
	result := lintResult{Files: 1, Findings: []lintFinding{{Location: "a.cdc", Line: 1, Column: 0, Category: "c", Message: "m"}}}
	if err := result.verdict(false); err != nil {
		t.Errorf("not strict: %v", err)
	}
	if err := result.verdict(true); err == nil || err.Error() != "1 lint findings" {
		t.Errorf("strict: %v", err)
	}
	if err := (lintResult{Files: 3}).verdict(true); err != nil {
		t.Errorf("clean: %v", err)
	}
}

func TestAddressImports(t *testing.T) {
	known := func(name string) (common.Address, bool) {
		if name == "Counter" {
			return common.MustBytesToAddress([]byte{0xf8, 0xd6}), true
		}
		return common.Address{}, false
	}
	code := "// déjà: offsets are bytes\n" +
		"import \"Counter\"\n" +
		"import \"Unknown\"\n" +
		"  import   \"Counter\"  // again\n" +
		"import Other from 0x01\n" +
		"access(all) fun main() {}\n"
	want := "// déjà: offsets are bytes\n" +
		"import Counter from 0x000000000000f8d6\n" +
		"import \"Unknown\"\n" +
		"  import Counter from 0x000000000000f8d6  // again\n" +
		"import Other from 0x01\n" +
		"access(all) fun main() {}\n"
	if got := string(addressImports([]byte(code), known)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A string that only reads like an import is left alone, as is code
	// that does not parse (the loader reports it).
	for _, same := range []string{
		"access(all) fun main(): String {\n    return \"import \\\"Counter\\\"\"\n}\n",
		"import \"Counter\"\naccess(all) fun main( {",
	} {
		if got := string(addressImports([]byte(same), known)); got != same {
			t.Errorf("changed %q into %q", same, got)
		}
	}
}
