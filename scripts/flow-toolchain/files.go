package main

import (
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
