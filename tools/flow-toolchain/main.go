// Command flow is FlareFlow's Flow toolchain: the emulator, the Cadence
// Testing Framework runner, the dev wallet and the Cadence linter, built from
// the Go module proxy as libraries because the flow-cli module itself is not
// served here (see README, "The Flow toolchain").
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set with -ldflags "-X main.version=<tag>" by scripts/install-flow.sh.
var version = "undefined"

func main() {
	root := &cobra.Command{
		Use:           "flow",
		Short:         "FlareFlow's Flow toolchain (emulator, test, dev-wallet)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// flow-cli's flag for not asking GitHub for a newer release; this
	// toolchain never does, so the flag is accepted and ignored.
	root.PersistentFlags().Bool("skip-version-check", true, "accepted for flow-cli compatibility; nothing is checked")
	root.AddCommand(
		versionCmd(),
		emulatorCmd(),
		testCmd(),
		devWalletCmd(),
		inspectCmd(),
		lintCmd(),
	)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func versionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the toolchain version",
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "json" {
				return json.NewEncoder(os.Stdout).Encode(map[string]any{
					"version":      version,
					"dependencies": pinnedModules(),
				})
			}
			fmt.Printf("Version: %s\n", version)
			for _, dep := range pinnedModules() {
				fmt.Printf("  %s\n", dep)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json")
	return cmd
}
