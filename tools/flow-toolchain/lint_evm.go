package main

import (
	"fmt"

	"github.com/onflow/cadence/ast"
	"github.com/onflow/cadence/common"
	"github.com/onflow/cadence/parser"
	"github.com/onflow/cadence/sema"
	"github.com/onflow/cadence/stdlib"
	"github.com/onflow/cadence/tools/analysis"
	evmstdlib "github.com/onflow/flow-go/fvm/evm/stdlib"
)

// preloadEVM type-checks the EVM contract the way flow-go does, with the
// InternalEVM built-in declared, and hands the result to the loader: the
// generic loader knows no InternalEVM, so everything importing EVM would
// otherwise fail to check.
func preloadEVM(programs *analysis.Programs, config *analysis.Config, location common.AddressLocation, code []byte) error {
	program, err := parser.ParseProgram(nil, code, parser.Config{})
	if err != nil {
		return fmt.Errorf("parsing EVM: %w", err)
	}
	for _, imp := range program.ImportDeclarations() {
		address, ok := imp.Location.(common.AddressLocation)
		if !ok {
			continue
		}
		for _, id := range imp.Imports {
			if err := programs.Load(config, common.AddressLocation{Address: address.Address, Name: id.Identifier.Identifier}); err != nil {
				return err
			}
		}
	}
	base := sema.NewVariableActivation(sema.BaseValueActivation)
	for _, value := range stdlib.InterpreterDefaultStandardLibraryValues(nil) {
		base.DeclareValue(value)
	}
	base.DeclareValue(stdlib.StandardLibraryValue{
		Name: evmstdlib.InternalEVMContractName,
		Type: evmstdlib.InternalEVMContractType,
		Kind: common.DeclarationKindContract,
	})
	checker, err := sema.NewChecker(program, location, nil, &sema.Config{
		BaseValueActivationHandler: func(common.Location) *sema.VariableActivation { return base },
		AccessCheckMode:            sema.AccessCheckModeStrict,
		LocationHandler:            sema.AddressLocationHandlerFunc(config.ResolveAddressContractNames),
		ImportHandler: func(_ *sema.Checker, imported common.Location, _ ast.Range) (sema.Import, error) {
			if imported == stdlib.CryptoContractLocation && programs.CryptoContractLocation != nil {
				imported = programs.CryptoContractLocation()
				if err := programs.Load(config, imported); err != nil {
					return nil, err
				}
			}
			loaded := programs.Programs[imported]
			if loaded == nil || loaded.Checker == nil {
				return nil, fmt.Errorf("EVM imports %s, which did not load", imported)
			}
			return sema.ElaborationImport{Elaboration: loaded.Checker.Elaboration}, nil
		},
	})
	if err != nil {
		return err
	}
	if err := checker.Check(); err != nil {
		return fmt.Errorf("checking EVM: %w", err)
	}
	programs.Programs[location] = &analysis.Program{Location: location, Program: program, Checker: checker, Code: code}
	return nil
}
