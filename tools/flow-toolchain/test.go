package main

import (
	"fmt"
	"io"
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
	scripts, err := readSources(files)
	if err != nil {
		return err
	}
	logger := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger()
	// Each file's results are printed as soon as it has run: a whole suite takes minutes.
	result, err := testCode(project, scripts, flags.cover, logger, func(f fileTestResults) {
		printFileTestResults(os.Stdout, f)
	})
	if err != nil {
		return err
	}
	profileErr := error(nil)
	if result.Coverage != nil {
		printCoverage(os.Stdout, result)
		if flags.coverProfile != "" {
			profileErr = writeCoverProfile(result.Coverage, flags.coverProfile)
		}
	}
	printTestSummary(os.Stdout, result)
	if err := result.verdict(flags.minCoverage); err != nil {
		return err
	}
	return profileErr
}

// fileTestResults are the outcomes of one test script's test functions.
type fileTestResults struct {
	Path    string
	Results cdcTests.Results
}

// testResult is what a `flow test` run found, printed by the print* functions.
type testResult struct {
	Files []fileTestResults
	// Coverage of the project's contracts; nil unless asked for.
	Coverage *runtime.CoverageReport
}

// testCode runs test scripts against project's contracts (their "testing"
// aliases) and returns every outcome; each file's, also to onFile when given.
// A test that fails is a result, not an error: the error is for a script
// that cannot run at all.
func testCode(project *flowProject, scripts []cadenceSource, cover bool, logger zerolog.Logger, onFile func(fileTestResults)) (testResult, error) {
	result := testResult{}
	if cover {
		result.Coverage = runtime.NewCoverageReport()
		mappings := map[string]string{}
		for name, c := range project.Contracts {
			if c.isLocalSource() {
				mappings[name] = c.Source
			}
		}
		result.Coverage.WithLocationMappings(mappings)
		result.Coverage.WithLocationFilter(func(location common.Location) bool {
			address, ok := location.(common.AddressLocation)
			if !ok {
				return false
			}
			c, known := project.Contracts[address.Name]
			return known && c.isLocalSource()
		})
	}
	for _, script := range scripts {
		runner := cdcTests.NewTestRunner().
			WithLogger(logger).
			WithImportResolver(project.importResolver(script.Path)).
			WithFileResolver(project.fileResolver(script.Path)).
			WithContractAddressResolver(project.addressResolver())
		if result.Coverage != nil {
			runner = runner.WithCoverageReport(result.Coverage)
		}
		results, err := runner.RunTests(string(script.Code))
		if err != nil {
			return result, fmt.Errorf("test file %s: %w", script.Path, err)
		}
		file := fileTestResults{Path: script.Path, Results: results}
		result.Files = append(result.Files, file)
		if onFile != nil {
			onFile(file)
		}
	}
	return result, nil
}

func (r testResult) counts() (passed, failed int) {
	for _, file := range r.Files {
		for _, result := range file.Results {
			if result.Error != nil {
				failed++
			} else {
				passed++
			}
		}
	}
	return passed, failed
}

// contractCoverage is one project contract's line coverage.
type contractCoverage struct {
	Name    string
	Covered int
	Total   int
}

func (c contractCoverage) percent() float64 {
	if c.Total == 0 {
		return 100
	}
	return 100 * float64(c.Covered) / float64(c.Total)
}

// contractCoverage lists the project's contracts by name; nil without coverage.
func (r testResult) contractCoverage() []contractCoverage {
	if r.Coverage == nil {
		return nil
	}
	var rows []contractCoverage
	for location, lines := range r.Coverage.Coverage {
		if address, ok := location.(common.AddressLocation); ok {
			rows = append(rows, contractCoverage{address.Name, lines.CoveredLines(), lines.Statements})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows
}

// verdict is the run's exit status: failed tests first, then contracts
// whose coverage is below minCoverage percent.
func (r testResult) verdict(minCoverage float64) error {
	if _, failed := r.counts(); failed > 0 {
		return fmt.Errorf("%d Cadence test(s) failed", failed)
	}
	var below []string
	for _, c := range r.contractCoverage() {
		if c.percent() < minCoverage {
			below = append(below, fmt.Sprintf("%s %.1f%%", c.Name, c.percent()))
		}
	}
	if len(below) > 0 {
		return fmt.Errorf("coverage below %.0f%%: %s", minCoverage, strings.Join(below, ", "))
	}
	return nil
}

func printFileTestResults(w io.Writer, file fileTestResults) {
	fmt.Fprint(w, cdcTests.PrettyPrintResults(file.Results, file.Path))
}

func printCoverage(w io.Writer, r testResult) {
	fmt.Fprintln(w, "Coverage of the project's contracts (lines with statements):")
	for _, c := range r.contractCoverage() {
		fmt.Fprintf(w, "  %-28s %6.1f%%  (%d/%d)\n", c.Name, c.percent(), c.Covered, c.Total)
	}
	fmt.Fprintln(w, r.Coverage.String())
}

// printTestSummary prints the closing line scripts/test.sh reads.
func printTestSummary(w io.Writer, r testResult) {
	passed, failed := r.counts()
	fmt.Fprintf(w, "cadence: %d passed, %d failed\n", passed, failed)
}

// writeCoverProfile writes coverage as JSON (a .json path) or LCOV.
func writeCoverProfile(coverage *runtime.CoverageReport, path string) error {
	var data []byte
	var err error
	if strings.HasSuffix(path, ".json") {
		data, err = coverage.MarshalJSON()
	} else {
		data, err = coverage.MarshalLCOV()
	}
	if err != nil {
		return fmt.Errorf("serializing coverage: %w", err)
	}
	return os.WriteFile(path, data, 0o644)
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
