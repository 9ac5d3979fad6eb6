package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/onflow/cadence/ast"
	"github.com/onflow/cadence/common"
	"github.com/onflow/cadence/parser"
	"github.com/spf13/cobra"
)

// typeNode is a Cadence type as a tree the TypeScript code generator reads.
type typeNode struct {
	Kind  string      `json:"kind"` // nominal | optional | array | dictionary | reference | intersection | other
	Name  string      `json:"name,omitempty"`
	Of    *typeNode   `json:"of,omitempty"`
	Key   *typeNode   `json:"key,omitempty"`
	Value *typeNode   `json:"value,omitempty"`
	Size  *int64      `json:"size,omitempty"`
	Types []*typeNode `json:"types,omitempty"`
	Text  string      `json:"text"`
}

type paramInfo struct {
	Name string    `json:"name"`
	Type *typeNode `json:"type"`
}

type fieldInfo struct {
	Name string    `json:"name"`
	Type *typeNode `json:"type"`
	Doc  string    `json:"doc,omitempty"`
}

type compositeInfo struct {
	Name   string      `json:"name"` // qualified: Contract.Struct
	Kind   string      `json:"kind"` // struct | resource | enum | event | contract
	Fields []fieldInfo `json:"fields,omitempty"`
	Cases  []string    `json:"cases,omitempty"`
	Doc    string      `json:"doc,omitempty"`
}

type fileInfo struct {
	Path       string          `json:"path"`
	Kind       string          `json:"kind"` // transaction | script | contract
	Doc        string          `json:"doc,omitempty"`
	Imports    []string        `json:"imports"`
	Params     []paramInfo     `json:"params"`
	Returns    *typeNode       `json:"returns,omitempty"`
	Composites []compositeInfo `json:"composites,omitempty"`
}

// inspectCmd prints, as JSON, what the TypeScript code generator needs from
// Cadence files: parameters, return types, imports and contract types, read
// with Cadence's own parser rather than with patterns.
func inspectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect FILE...",
		Short: "Print the parameters, return type and declared types of Cadence files as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out []fileInfo
			for _, path := range args {
				info, err := inspectFile(path)
				if err != nil {
					return err
				}
				out = append(out, info)
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
}

func inspectFile(path string) (fileInfo, error) {
	code, err := os.ReadFile(path)
	if err != nil {
		return fileInfo{}, err
	}
	return inspectCode(path, code)
}

// inspectCode reads a file's interface from its parse; path only names it.
func inspectCode(path string, code []byte) (fileInfo, error) {
	program, err := parser.ParseProgram(nil, code, parser.Config{})
	if err != nil {
		return fileInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	info := fileInfo{Path: path, Imports: []string{}, Params: []paramInfo{}}
	for _, imp := range program.ImportDeclarations() {
		for _, id := range imp.Imports {
			info.Imports = append(info.Imports, id.Identifier.Identifier)
		}
		if len(imp.Imports) == 0 {
			info.Imports = append(info.Imports, strings.Trim(imp.Location.String(), `"`))
		}
	}
	if tx := program.SoleTransactionDeclaration(); tx != nil {
		info.Kind = "transaction"
		info.Doc = tx.DocString
		info.Params = params(tx.ParameterList)
		return info, nil
	}
	if contract := program.SoleContractDeclaration(); contract != nil {
		info.Kind = "contract"
		info.Doc = contract.DocString
		info.Composites = composites(contract.Identifier.Identifier, contract.Members)
		return info, nil
	}
	for _, fn := range program.FunctionDeclarations() {
		if fn.Identifier.Identifier == "main" {
			info.Kind = "script"
			info.Doc = fn.DocString
			info.Params = params(fn.ParameterList)
			if fn.ReturnTypeAnnotation != nil && fn.ReturnTypeAnnotation.Type != nil {
				info.Returns = convertType(fn.ReturnTypeAnnotation.Type)
			}
			// Structs a script declares for its own result.
			info.Composites = compositeList("", program.CompositeDeclarations())
			return info, nil
		}
	}
	return fileInfo{}, fmt.Errorf("%s: neither a transaction, a script with main, nor a contract", path)
}

func params(list *ast.ParameterList) []paramInfo {
	out := []paramInfo{}
	if list == nil {
		return out
	}
	for _, p := range list.Parameters {
		out = append(out, paramInfo{Name: p.Identifier.Identifier, Type: convertType(p.TypeAnnotation.Type)})
	}
	return out
}

func composites(prefix string, members *ast.Members) []compositeInfo {
	if members == nil {
		return nil
	}
	return compositeList(prefix, members.Composites())
}

func compositeList(prefix string, declarations []*ast.CompositeDeclaration) []compositeInfo {
	var out []compositeInfo
	for _, c := range declarations {
		name := c.Identifier.Identifier
		if prefix != "" {
			name = prefix + "." + name
		}
		info := compositeInfo{Name: name, Kind: compositeKind(c.CompositeKind), Doc: c.DocString}
		for _, f := range c.Members.Fields() {
			info.Fields = append(info.Fields, fieldInfo{Name: f.Identifier.Identifier, Type: convertType(f.TypeAnnotation.Type), Doc: f.DocString})
		}
		if c.CompositeKind == common.CompositeKindEvent {
			// An event's fields are its declaration's parameters.
			for _, init := range c.Members.Initializers() {
				for _, p := range params(init.FunctionDeclaration.ParameterList) {
					info.Fields = append(info.Fields, fieldInfo{Name: p.Name, Type: p.Type})
				}
			}
		}
		for _, e := range c.Members.EnumCases() {
			info.Cases = append(info.Cases, e.Identifier.Identifier)
		}
		out = append(out, info)
		out = append(out, composites(name, c.Members)...)
	}
	return out
}

func compositeKind(kind common.CompositeKind) string {
	switch kind {
	case common.CompositeKindStructure:
		return "struct"
	case common.CompositeKindResource:
		return "resource"
	case common.CompositeKindEnum:
		return "enum"
	case common.CompositeKindEvent:
		return "event"
	case common.CompositeKindContract:
		return "contract"
	default:
		return kind.Keyword()
	}
}

func convertType(t ast.Type) *typeNode {
	if t == nil {
		return nil
	}
	node := &typeNode{Text: t.String()}
	switch typ := t.(type) {
	case *ast.NominalType:
		node.Kind = "nominal"
		parts := []string{typ.Identifier.Identifier}
		for _, nested := range typ.NestedIdentifiers {
			parts = append(parts, nested.Identifier)
		}
		node.Name = strings.Join(parts, ".")
	case *ast.OptionalType:
		node.Kind = "optional"
		node.Of = convertType(typ.Type)
	case *ast.VariableSizedType:
		node.Kind = "array"
		node.Of = convertType(typ.Type)
	case *ast.ConstantSizedType:
		node.Kind = "array"
		node.Of = convertType(typ.Type)
		if typ.Size != nil && typ.Size.Value != nil {
			size := typ.Size.Value.Int64()
			node.Size = &size
		}
	case *ast.DictionaryType:
		node.Kind = "dictionary"
		node.Key = convertType(typ.KeyType)
		node.Value = convertType(typ.ValueType)
	case *ast.ReferenceType:
		node.Kind = "reference"
		node.Of = convertType(typ.Type)
	case *ast.IntersectionType:
		node.Kind = "intersection"
		for _, n := range typ.Types {
			node.Types = append(node.Types, convertType(n))
		}
	default:
		node.Kind = "other"
	}
	return node
}
