package main

import (
	"os"
	"path/filepath"
	"testing"
)

// counterContract is the project contract the tests deploy, import and lint against.
const counterContract = `
access(all) contract Counter {
    access(all) var count: Int

    access(all) fun increment() {
        self.count = self.count + 1
    }

    init() {
        self.count = 0
    }
}
`

// newProject writes files (path relative to the project -> code) and a
// flow.json naming Counter, as this repository's flow.json names its contracts.
func newProject(t *testing.T, files map[string]string) *flowProject {
	t.Helper()
	dir := t.TempDir()
	files["flow.json"] = `{
  "contracts": {
    "Counter": {
      "source": "contracts/Counter.cdc",
      "aliases": { "testing": "0x0000000000000007" }
    },
    "FungibleToken": {
      "source": "mainnet://f233dcee88fe0abe.FungibleToken",
      "aliases": { "testing": "0x0000000000000002" }
    }
  }
}`
	files["contracts/Counter.cdc"] = counterContract
	for path, code := range files {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project, err := loadFlowProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	return project
}

// source names code by its path inside project, as the commands do.
func source(project *flowProject, path, code string) cadenceSource {
	return cadenceSource{Path: filepath.Join(project.Dir, path), Code: []byte(code)}
}

func TestFlowJSONContracts(t *testing.T) {
	project := newProject(t, map[string]string{})
	counter := project.Contracts["Counter"]
	if !counter.isLocalSource() || counter.Aliases["testing"] != "0000000000000007" {
		t.Fatalf("Counter: %+v", counter)
	}
	if project.Contracts["FungibleToken"].isLocalSource() {
		t.Fatal("a network source is not a project contract")
	}
	if name, ok := project.contractAt(filepath.Join(project.Dir, "contracts/Counter.cdc")); !ok || name != "Counter" {
		t.Fatalf("contractAt: %q %v", name, ok)
	}
	if _, ok := project.contractAt(filepath.Join(project.Dir, "scripts/other.cdc")); ok {
		t.Fatal("contractAt named a file that is no contract")
	}
}
