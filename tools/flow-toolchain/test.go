package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cdcTests "github.com/onflow/cadence-tools/test"
	"github.com/onflow/cadence/common"
	"github.com/onflow/cadence/runtime"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// helperScriptMarker marks a test-script import of a plain Cadence file
// (import "./helpers.cdc") rather than of a contract named in flow.json.
const helperScriptMarker = ".cdc"

type testFlags struct {
	cover        bool
	coverProfile string
	minCoverage  float64
}

// testCmd runs Cadence Testing Framework files the way `flow test` does:
// contracts named in flow.json resolve to their "testing" aliases, standard
// contracts to the test blockchain's built-in addresses.
func testCmd() *cobra.Command {
	flags := testFlags{}
	cmd := &cobra.Command{
		Use:   "test [files or directories...]",
		Short: "Run Cadence tests (*_test.cdc)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"cadence/tests"}
			}
			return runTests(args, flags)
		},
	}
	cmd.Flags().BoolVar(&flags.cover, "cover", false, "report line coverage of the project's contracts")
	cmd.Flags().StringVar(&flags.coverProfile, "coverprofile", "", "write the coverage report to this file (.json or .lcov/.info)")
	cmd.Flags().Float64Var(&flags.minCoverage, "min-coverage", 0, "fail when a project contract's line coverage (percent) is below this")
	return cmd
}

func collectTestFiles(args []string) ([]string, error) {
	files, err := cadenceFiles(args, func(path string) bool { return strings.HasSuffix(path, "_test.cdc") })
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no *_test.cdc files in %s", strings.Join(args, ", "))
	}
	return files, err
}

func runTests(args []string, flags testFlags) error {
	project, files, err := projectFiles(args, collectTestFiles)
	if err != nil {
		return err
	}

	var coverage *runtime.CoverageReport
	if flags.cover {
		coverage = runtime.NewCoverageReport()
		mappings := map[string]string{}
		for name, c := range project.Contracts {
			if c.isLocalSource() {
				mappings[name] = c.Source
			}
		}
		coverage.WithLocationMappings(mappings)
		coverage.WithLocationFilter(func(location common.Location) bool {
			address, ok := location.(common.AddressLocation)
			if !ok {
				return false
			}
			c, known := project.Contracts[address.Name]
			return known && c.isLocalSource()
		})
	}

	logger := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger()
	passed, failed := 0, 0
	for _, file := range files {
		code, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		runner := cdcTests.NewTestRunner().
			WithLogger(logger).
			WithImportResolver(project.importResolver(file)).
			WithFileResolver(project.fileResolver(file)).
			WithContractAddressResolver(project.addressResolver())
		if coverage != nil {
			runner = runner.WithCoverageReport(coverage)
		}
		results, err := runner.RunTests(string(code))
		if err != nil {
			return fmt.Errorf("test file %s: %w", file, err)
		}
		fmt.Print(cdcTests.PrettyPrintResults(results, file))
		for _, result := range results {
			if result.Error != nil {
				failed++
			} else {
				passed++
			}
		}
	}

	coverageErr := error(nil)
	if coverage != nil {
		coverageErr = reportCoverage(coverage, flags)
	}
	fmt.Printf("cadence: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return fmt.Errorf("%d Cadence test(s) failed", failed)
	}
	return coverageErr
}

func reportCoverage(coverage *runtime.CoverageReport, flags testFlags) error {
	type row struct {
		name    string
		covered int
		total   int
	}
	var rows []row
	for location, lines := range coverage.Coverage {
		address, ok := location.(common.AddressLocation)
		if !ok {
			continue
		}
		rows = append(rows, row{address.Name, lines.CoveredLines(), lines.Statements})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	var below []string
	fmt.Println("Coverage of the project's contracts (lines with statements):")
	for _, r := range rows {
		percent := 100.0
		if r.total > 0 {
			percent = 100 * float64(r.covered) / float64(r.total)
		}
		fmt.Printf("  %-28s %6.1f%%  (%d/%d)\n", r.name, percent, r.covered, r.total)
		if percent < flags.minCoverage {
			below = append(below, fmt.Sprintf("%s %.1f%%", r.name, percent))
		}
	}
	fmt.Println(coverage.String())
	if flags.coverProfile != "" {
		var data []byte
		var err error
		if strings.HasSuffix(flags.coverProfile, ".json") {
			data, err = coverage.MarshalJSON()
		} else {
			data, err = coverage.MarshalLCOV()
		}
		if err != nil {
			return fmt.Errorf("serializing coverage: %w", err)
		}
		if err := os.WriteFile(flags.coverProfile, data, 0o644); err != nil {
			return err
		}
	}
	if len(below) > 0 {
		return fmt.Errorf("coverage below %.0f%%: %s", flags.minCoverage, strings.Join(below, ", "))
	}
	return nil
}

// importResolver gives the test script the source of what it imports.
func (p *flowProject) importResolver(scriptPath string) cdcTests.ImportResolver {
	return func(network string, location common.Location) (string, error) {
		var name string
		switch l := location.(type) {
		case common.AddressLocation:
			name = l.Name
		case common.StringLocation:
			name = l.String()
			if strings.HasSuffix(name, helperScriptMarker) {
				code, err := os.ReadFile(filepath.Join(filepath.Dir(scriptPath), name))
				return string(code), err
			}
		default:
			return "", fmt.Errorf("unsupported import location %s", location)
		}
		c, ok := p.Contracts[name]
		if !ok || !c.isLocalSource() {
			return "", fmt.Errorf("cannot find contract %q in flow.json", name)
		}
		code, err := os.ReadFile(p.sourcePath(c))
		return string(code), err
	}
}

// fileResolver reads files that tests name (Test.deployContract's path,
// Test.readFile) relative to the test script.
func (p *flowProject) fileResolver(scriptPath string) cdcTests.FileResolver {
	return func(path string) (string, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(scriptPath), path)
		}
		code, err := os.ReadFile(path)
		return string(code), err
	}
}

// addressResolver maps a project contract to its alias on the test network;
// the framework falls back to its built-in addresses for standard contracts.
func (p *flowProject) addressResolver() cdcTests.ContractAddressResolver {
	return func(network string, name string) (common.Address, error) {
		c, ok := p.Contracts[name]
		if !ok {
			return common.Address{}, fmt.Errorf("contract %s not in flow.json", name)
		}
		alias, ok := c.Aliases[network]
		if !ok {
			return common.Address{}, fmt.Errorf("contract %s has no %s alias", name, network)
		}
		return common.HexToAddress(alias)
	}
}
