package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// cadenceFiles expands files and directories (recursively) into the sorted
// list of files that `keep` accepts; a file named directly is always kept.
func cadenceFiles(args []string, keep func(path string) bool) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && keep(path) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// projectFiles loads flow.json from the working directory and the files a
// command acts on: what `flow test` and `flow lint` both start with.
func projectFiles(args []string, collect func([]string) ([]string, error)) (*flowProject, []string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	project, err := loadFlowProject(cwd)
	if err != nil {
		return nil, nil, err
	}
	files, err := collect(args)
	if err != nil {
		return nil, nil, fmt.Errorf("collecting files: %w", err)
	}
	return project, files, nil
}

// cadenceSource is a Cadence file's path, as named on the command line, and code.
type cadenceSource struct {
	Path string
	Code []byte
}

func readSources(files []string) ([]cadenceSource, error) {
	sources := make([]cadenceSource, 0, len(files))
	for _, file := range files {
		code, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		sources = append(sources, cadenceSource{Path: file, Code: code})
	}
	return sources, nil
}
