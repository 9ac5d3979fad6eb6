package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// projectContract is one entry of flow.json's "contracts" section.
type projectContract struct {
	Name    string
	Source  string
	Aliases map[string]string
}

// flowProject is the part of flow.json the toolchain needs.
type flowProject struct {
	Dir       string
	Contracts map[string]projectContract
}

// loadFlowProject reads flow.json from dir. Only the contracts section is
// interpreted; the rest is for the TypeScript tooling.
func loadFlowProject(dir string) (*flowProject, error) {
	path := filepath.Join(dir, "flow.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var doc struct {
		Contracts map[string]json.RawMessage `json:"contracts"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	project := &flowProject{Dir: dir, Contracts: map[string]projectContract{}}
	for name, entry := range doc.Contracts {
		contract := projectContract{Name: name, Aliases: map[string]string{}}
		var source string
		if err := json.Unmarshal(entry, &source); err == nil {
			contract.Source = source
		} else {
			var full struct {
				Source  string            `json:"source"`
				Aliases map[string]string `json:"aliases"`
			}
			if err := json.Unmarshal(entry, &full); err != nil {
				return nil, fmt.Errorf("flow.json contract %q: %w", name, err)
			}
			contract.Source = full.Source
			for network, address := range full.Aliases {
				contract.Aliases[network] = strings.TrimPrefix(address, "0x")
			}
		}
		project.Contracts[name] = contract
	}
	return project, nil
}

// isLocalSource tells a contract of this project from a standard one that
// flow.json names only to give its network aliases.
func (c projectContract) isLocalSource() bool {
	return c.Source != "" && !strings.Contains(c.Source, "://")
}

// sourcePath is the contract's file, relative to the project directory.
func (p *flowProject) sourcePath(c projectContract) string {
	return filepath.Join(p.Dir, c.Source)
}

// contractAt names the project contract whose source is path (relative to
// the working directory, which is the project directory, or absolute).
func (p *flowProject) contractAt(path string) (string, bool) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.Dir, path)
	}
	for name, c := range p.Contracts {
		if c.isLocalSource() && filepath.Clean(p.sourcePath(c)) == filepath.Clean(path) {
			return name, true
		}
	}
	return "", false
}
