package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// pinnedModules lists the Flow modules compiled into this binary, so that
// `flow version` says exactly which emulator and test framework run.
func pinnedModules() []string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var out []string
	for _, dep := range info.Deps {
		if strings.HasPrefix(dep.Path, "github.com/onflow/") {
			switch {
			case strings.HasSuffix(dep.Path, "/flow-emulator"),
				strings.HasSuffix(dep.Path, "/cadence"),
				strings.HasSuffix(dep.Path, "/cadence-tools/test"),
				strings.HasSuffix(dep.Path, "/cadence-tools/lint"),
				strings.HasSuffix(dep.Path, "/fcl-dev-wallet"),
				strings.HasSuffix(dep.Path, "/flow-go"):
				out = append(out, fmt.Sprintf("%s %s", dep.Path, dep.Version))
			}
		}
	}
	return out
}
