package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/onflow/cadence-tools/lint"
	"github.com/onflow/cadence/common"
	"github.com/onflow/cadence/tools/analysis"
	emulator "github.com/onflow/flow-emulator/emulator"
	flowgo "github.com/onflow/flow-go/model/flow"
	"github.com/spf13/cobra"
)

var stringImport = regexp.MustCompile(`(?m)^(\s*)import\s+"([A-Za-z_][A-Za-z0-9_]*)"`)

// lintCmd runs the Cadence linter (cadence-tools/lint's analyzers) over the
// project's Cadence files: every file is parsed and type-checked against the
// standard contracts of an in-memory emulator, then analyzed. Checker errors
// always fail; lint findings fail with --strict.
func lintCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "lint [directories or files]",
		Short: "Type-check and lint Cadence files against the standard contracts",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"cadence/contracts", "cadence/transactions", "cadence/scripts"}
			}
			return runLint(args, strict)
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "fail on lint findings too, not only on checker errors")
	return cmd
}

func lintFiles(args []string) ([]string, error) {
	return cadenceFiles(args, func(path string) bool {
		return strings.HasSuffix(path, ".cdc") && !strings.HasSuffix(path, "_test.cdc")
	})
}

func runLint(args []string, strict bool) error {
	project, files, err := projectFiles(args, lintFiles)
	if err != nil {
		return err
	}

	// The standard contracts, exactly as the pinned emulator deploys them.
	chain, err := emulator.New(emulator.WithSetupVMBridgeEnabled(false))
	if err != nil {
		return fmt.Errorf("starting an in-memory emulator: %w", err)
	}
	service := common.Address(chain.ServiceKey().Address)
	standard := map[string]common.Address{}
	accountContracts := func(address common.Address) (map[string][]byte, error) {
		account, err := chain.GetAccount(flowgo.Address(address))
		if err != nil {
			return nil, err
		}
		return account.Contracts, nil
	}
	for _, address := range systemAddresses() {
		contracts, err := accountContracts(address)
		if err != nil {
			continue // an index the emulator left without an account
		}
		for name := range contracts {
			standard[name] = address
		}
	}

	// Project contracts sit beside the service account's, as on the emulator.
	resolve := func(name string) (common.Address, bool) {
		if c, ok := project.Contracts[name]; ok && c.isLocalSource() {
			return service, true
		}
		address, ok := standard[name]
		return address, ok
	}
	rewrite := func(code []byte) []byte {
		return stringImport.ReplaceAllFunc(code, func(match []byte) []byte {
			parts := stringImport.FindSubmatch(match)
			if address, ok := resolve(string(parts[2])); ok {
				return []byte(fmt.Sprintf("%simport %s from 0x%s", parts[1], parts[2], address.Hex()))
			}
			return match
		})
	}

	codes := map[common.Location][]byte{}
	contractNames := map[common.Address][]string{}
	serviceContracts, err := accountContracts(service)
	if err != nil {
		return err
	}
	for name, code := range serviceContracts {
		codes[common.AddressLocation{Address: service, Name: name}] = code
		contractNames[service] = append(contractNames[service], name)
	}
	for name, c := range project.Contracts {
		if !c.isLocalSource() {
			continue
		}
		code, err := os.ReadFile(project.sourcePath(c))
		if err != nil {
			return err
		}
		codes[common.AddressLocation{Address: service, Name: name}] = rewrite(code)
		contractNames[service] = append(contractNames[service], name)
	}

	var locations []common.Location
	for _, file := range files {
		code, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		location := common.Location(common.StringLocation(file))
		for name, c := range project.Contracts {
			if c.isLocalSource() && filepath.Clean(project.sourcePath(c)) == filepath.Clean(filepath.Join(project.Dir, file)) {
				location = common.AddressLocation{Address: service, Name: name}
			}
		}
		if _, isContract := location.(common.AddressLocation); !isContract {
			codes[location] = rewrite(code)
		}
		locations = append(locations, location)
	}

	config := analysis.NewSimpleConfig(lint.LoadMode, codes, contractNames, func(address common.Address) (map[string][]byte, error) {
		return accountContracts(address)
	})
	programs := analysis.Programs{
		Programs: map[common.Location]*analysis.Program{},
		// `import Crypto` names the service account's Crypto contract.
		CryptoContractLocation: func() common.Location { return common.AddressLocation{Address: service, Name: "Crypto"} },
	}
	if evmCode, ok := serviceContracts["EVM"]; ok {
		if err := preloadEVM(&programs, config, common.AddressLocation{Address: service, Name: "EVM"}, evmCode); err != nil {
			return err
		}
	}
	checkErrors := 0
	for _, location := range locations {
		if err := programs.Load(config, location); err != nil {
			checkErrors++
			fmt.Printf("error: %s: %s\n", location.Description(), err)
		}
	}
	analyzers := make([]*analysis.Analyzer, 0, len(lint.Analyzers))
	for _, analyzer := range lint.Analyzers {
		analyzers = append(analyzers, analyzer)
	}
	findings := 0
	for _, location := range locations {
		program := programs.Get(location)
		if program == nil {
			continue
		}
		program.Run(analyzers, func(d analysis.Diagnostic) {
			findings++
			fmt.Printf("%s:%d:%d: %s: %s\n", d.Location.Description(), d.Range.StartPos.Line, d.Range.StartPos.Column, d.Category, d.Message)
		})
	}
	fmt.Printf("lint: %d files, %d checker errors, %d findings\n", len(locations), checkErrors, findings)
	if checkErrors > 0 {
		return fmt.Errorf("%d Cadence files do not type-check", checkErrors)
	}
	if strict && findings > 0 {
		return fmt.Errorf("%d lint findings", findings)
	}
	return nil
}

// systemAddresses are the accounts the emulator may bootstrap standard contracts on.
func systemAddresses() []common.Address {
	var out []common.Address
	for i := uint64(1); i <= 8; i++ {
		address, err := flowgo.Emulator.Chain().AddressAtIndex(i)
		if err == nil {
			out = append(out, common.Address(address))
		}
	}
	return out
}
