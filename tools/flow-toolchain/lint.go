package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onflow/cadence-tools/lint"
	"github.com/onflow/cadence/common"
	"github.com/onflow/cadence/parser"
	"github.com/onflow/cadence/tools/analysis"
	emulator "github.com/onflow/flow-emulator/emulator"
	flowgo "github.com/onflow/flow-go/model/flow"
	"github.com/spf13/cobra"
)

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
	sources, err := readSources(files)
	if err != nil {
		return err
	}
	result, err := lintCode(project, sources)
	if err != nil {
		return err
	}
	printLint(os.Stdout, result)
	return result.verdict(strict)
}

// lintFinding is one analyzer's diagnostic.
type lintFinding struct {
	Location string
	Line     int
	Column   int
	Category string
	Message  string
}

// checkError is a file that does not parse or type-check.
type checkError struct {
	Location string
	Err      error
}

// lintResult is what a `flow lint` run found, printed by printLint.
type lintResult struct {
	Files       int
	CheckErrors []checkError
	Findings    []lintFinding
}

// lintCode type-checks sources (transactions, scripts, the project's
// contracts) against the standard contracts of an in-memory emulator and
// the project's contracts, then runs the analyzers over those that check.
// Findings and checker errors are results; the error is for a lint that
// cannot run at all.
func lintCode(project *flowProject, sources []cadenceSource) (lintResult, error) {
	// The standard contracts, exactly as the pinned emulator deploys them.
	chain, err := emulator.New(emulator.WithSetupVMBridgeEnabled(false))
	if err != nil {
		return lintResult{}, fmt.Errorf("starting an in-memory emulator: %w", err)
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

	codes := map[common.Location][]byte{}
	contractNames := map[common.Address][]string{}
	serviceContracts, err := accountContracts(service)
	if err != nil {
		return lintResult{}, err
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
			return lintResult{}, err
		}
		codes[common.AddressLocation{Address: service, Name: name}] = addressImports(code, resolve)
		contractNames[service] = append(contractNames[service], name)
	}

	var locations []common.Location
	for _, source := range sources {
		location := common.Location(common.StringLocation(source.Path))
		if name, ok := project.contractAt(source.Path); ok {
			location = common.AddressLocation{Address: service, Name: name}
		}
		codes[location] = addressImports(source.Code, resolve)
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
			return lintResult{}, err
		}
	}
	result := lintResult{Files: len(locations)}
	for _, location := range locations {
		if err := programs.Load(config, location); err != nil {
			result.CheckErrors = append(result.CheckErrors, checkError{Location: location.Description(), Err: err})
		}
	}
	analyzers := make([]*analysis.Analyzer, 0, len(lint.Analyzers))
	for _, analyzer := range lint.Analyzers {
		analyzers = append(analyzers, analyzer)
	}
	for _, location := range locations {
		program := programs.Get(location)
		if program == nil {
			continue
		}
		program.Run(analyzers, func(d analysis.Diagnostic) {
			result.Findings = append(result.Findings, lintFinding{
				Location: d.Location.Description(),
				Line:     d.Range.StartPos.Line,
				Column:   d.Range.StartPos.Column,
				Category: d.Category,
				Message:  d.Message,
			})
		})
	}
	return result, nil
}

// addressImports rewrites each `import "Name"` that resolve knows into
// `import Name from 0xADDRESS`, the form the analysis loader resolves. Code
// that does not parse is returned as it is, for the loader to report.
func addressImports(code []byte, resolve func(name string) (common.Address, bool)) []byte {
	program, err := parser.ParseProgram(nil, code, parser.Config{})
	if err != nil {
		return code
	}
	var out []byte
	done := 0
	for _, declaration := range program.ImportDeclarations() {
		name, ok := declaration.Location.(common.StringLocation)
		if !ok || len(declaration.Imports) > 0 {
			continue
		}
		address, ok := resolve(string(name))
		if !ok {
			continue
		}
		// Ranges end on their last byte; the rewrite stays on the import's
		// line, so every later position keeps its line number.
		out = append(out, code[done:declaration.StartPos.Offset]...)
		out = append(out, fmt.Sprintf("import %s from 0x%s", string(name), address.Hex())...)
		done = declaration.EndPos.Offset + 1
	}
	if out == nil {
		return code
	}
	return append(out, code[done:]...)
}

func (r lintResult) verdict(strict bool) error {
	if len(r.CheckErrors) > 0 {
		return fmt.Errorf("%d Cadence files do not type-check", len(r.CheckErrors))
	}
	if strict && len(r.Findings) > 0 {
		return fmt.Errorf("%d lint findings", len(r.Findings))
	}
	return nil
}

// printLint prints checker errors, then findings as file:line:column, then
// the closing line scripts/test.sh reads.
func printLint(w io.Writer, r lintResult) {
	for _, e := range r.CheckErrors {
		fmt.Fprintf(w, "error: %s: %s\n", e.Location, e.Err)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%s:%d:%d: %s: %s\n", f.Location, f.Line, f.Column, f.Category, f.Message)
	}
	fmt.Fprintf(w, "lint: %d files, %d checker errors, %d findings\n", r.Files, len(r.CheckErrors), len(r.Findings))
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
