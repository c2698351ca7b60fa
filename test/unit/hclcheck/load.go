// Package hclcheck parses Terraform modules into blocks with positions and offers a
// small query API over them (attributes, nested blocks, references, literal strings,
// policy statements), so that static checks can run offline in milliseconds without a
// Terraform binary or provider.
package hclcheck

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Kind tells the role of a module in the repository layout.
type Kind int

// Module kinds, following DESIGN §5: the root platform module, reusable submodules
// under modules/, and runnable examples under examples/.
const (
	KindRoot Kind = iota
	KindSubmodule
	KindExample
)

// String names the kind for messages ("root", "submodule", "example").
func (k Kind) String() string {
	switch k {
	case KindRoot:
		return "root"
	case KindSubmodule:
		return "submodule"
	default:
		return "example"
	}
}

// Tree is a root module with its submodules and examples.
type Tree struct {
	// Root is the platform module itself.
	Root *Module
	// Submodules are keyed by their directory relative to the root (e.g. "modules/kms-key").
	Submodules map[string]*Module
	// Examples are keyed by their directory relative to the root (e.g. "examples/complete").
	Examples map[string]*Module

	src map[string][]byte
}

// Module is one directory of .tf files.
type Module struct {
	// Dir is the display path of the module (e.g. "terraform/modules/kms-key").
	Dir string
	// Rel is the module directory relative to the tree root ("" for the root).
	Rel string
	// Kind is the module's role in the layout.
	Kind Kind
	// Files are the parsed .tf files in name order.
	Files []*File
	// Resources, Data, Variables, Outputs, Calls, Providers and Moved hold the
	// module's top-level blocks in file order.
	Resources, Data, Variables, Outputs, Calls, Providers, Moved []*Block
	// Settings holds the module's terraform {} blocks.
	Settings []*Block
	// Locals maps each local value name to its definition.
	Locals map[string]*hclsyntax.Attribute

	tree         *Tree
	literalsOnce sync.Once
	literals     []Literal
}

// File is one parsed .tf file.
type File struct {
	// Path is the display path used in positions (e.g. "terraform/storage.tf").
	Path string
	// Bytes is the file's source.
	Bytes []byte
	// Body is the file's top-level body.
	Body *hclsyntax.Body
}

// Block is a top-level block: a resource, data source, variable, output, module call,
// provider or moved block.
type Block struct {
	// Kind is the block keyword ("resource", "data", "variable", ...).
	Kind string
	// Type is the resource or data source type; empty for other kinds.
	Type string
	// Name is the block's name label (the provider name for provider blocks).
	Name string
	// Body is the block's body.
	Body *hclsyntax.Body
	// Syntax is the parsed block.
	Syntax *hclsyntax.Block
	// Module is the module the block belongs to.
	Module *Module
}

// LoadTree parses the module in dir, every module under dir/modules and every example
// under dir/examples. display is the prefix used for positions in messages (for
// example "terraform").
func LoadTree(dir, display string) (*Tree, error) {
	t := &Tree{Submodules: map[string]*Module{}, Examples: map[string]*Module{}, src: map[string][]byte{}}
	root, err := t.load(dir, display, "", KindRoot)
	if err != nil {
		return nil, err
	}
	t.Root = root
	for _, group := range []struct {
		sub  string
		kind Kind
		into map[string]*Module
	}{{"modules", KindSubmodule, t.Submodules}, {"examples", KindExample, t.Examples}} {
		entries, err := os.ReadDir(filepath.Join(dir, group.sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Join(display, group.sub), err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			rel := path.Join(group.sub, e.Name())
			m, err := t.load(filepath.Join(dir, group.sub, e.Name()), path.Join(display, rel), rel, group.kind)
			if err != nil {
				return nil, err
			}
			group.into[rel] = m
		}
	}
	return t, nil
}

func (t *Tree) load(dir, display, rel string, kind Kind) (*Module, error) {
	m := &Module{Dir: display, Rel: rel, Kind: kind, Locals: map[string]*hclsyntax.Attribute{}, tree: t}
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", display, err)
	}
	sort.Strings(names)
	p := hclparse.NewParser()
	var errs []error
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		shown := path.Join(display, filepath.Base(name))
		f, diags := p.ParseHCL(b, shown)
		if diags.HasErrors() {
			errs = append(errs, fmt.Errorf("parse %s: %s", shown, diags.Error()))
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil, fmt.Errorf("parse %s: not native HCL syntax", shown)
		}
		t.src[shown] = b
		file := &File{Path: shown, Bytes: b, Body: body}
		m.Files = append(m.Files, file)
		m.collect(body, &errs)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

func (m *Module) collect(body *hclsyntax.Body, errs *[]error) {
	for _, b := range body.Blocks {
		blk := &Block{Kind: b.Type, Body: b.Body, Syntax: b, Module: m}
		switch b.Type {
		case "resource", "data":
			if len(b.Labels) != 2 {
				*errs = append(*errs, fmt.Errorf("%s: %s block needs two labels", Pos(b.DefRange()), b.Type))
				continue
			}
			blk.Type, blk.Name = b.Labels[0], b.Labels[1]
			if b.Type == "resource" {
				m.Resources = append(m.Resources, blk)
			} else {
				m.Data = append(m.Data, blk)
			}
		case "variable", "output", "module", "provider":
			if len(b.Labels) != 1 {
				*errs = append(*errs, fmt.Errorf("%s: %s block needs one label", Pos(b.DefRange()), b.Type))
				continue
			}
			blk.Name = b.Labels[0]
			switch b.Type {
			case "variable":
				m.Variables = append(m.Variables, blk)
			case "output":
				m.Outputs = append(m.Outputs, blk)
			case "module":
				m.Calls = append(m.Calls, blk)
			default:
				m.Providers = append(m.Providers, blk)
			}
		case "moved":
			m.Moved = append(m.Moved, blk)
		case "terraform":
			m.Settings = append(m.Settings, blk)
		case "locals":
			for name, a := range b.Body.Attributes {
				m.Locals[name] = a
			}
		}
	}
}

// Modules returns the root, the submodules and the examples, in that order, each
// group sorted by directory.
func (t *Tree) Modules() []*Module {
	out := []*Module{t.Root}
	for _, group := range []map[string]*Module{t.Submodules, t.Examples} {
		keys := make([]string, 0, len(group))
		for k := range group {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, group[k])
		}
	}
	return out
}

// Platform returns the root and the submodules: the modules that deploy the platform,
// as opposed to the examples that call it.
func (t *Tree) Platform() []*Module {
	var out []*Module
	for _, m := range t.Modules() {
		if m.Kind != KindExample {
			out = append(out, m)
		}
	}
	return out
}

// Source returns the source text of a range, or "" when the file is unknown.
func (t *Tree) Source(r hcl.Range) string {
	b, ok := t.src[r.Filename]
	if !ok || r.Start.Byte < 0 || r.End.Byte > len(b) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(b[r.Start.Byte:r.End.Byte])
}

// Tree returns the tree the module belongs to.
func (m *Module) Tree() *Tree { return m.tree }

// Src returns the source text of an expression.
func (m *Module) Src(e hcl.Expression) string { return m.tree.Source(e.Range()) }

// ResourcesOf returns the module's resources of one type.
func (m *Module) ResourcesOf(typ string) []*Block {
	var out []*Block
	for _, r := range m.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// DataOf returns the module's data sources of one type.
func (m *Module) DataOf(typ string) []*Block {
	var out []*Block
	for _, r := range m.Data {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Resource finds a resource by type and name.
func (m *Module) Resource(typ, name string) *Block {
	for _, r := range m.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// DataSource finds a data source by type and name.
func (m *Module) DataSource(typ, name string) *Block {
	for _, r := range m.Data {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// Variable finds a variable by name.
func (m *Module) Variable(name string) *Block {
	for _, v := range m.Variables {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Output finds an output by name.
func (m *Module) Output(name string) *Block {
	for _, v := range m.Outputs {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Call finds a module call by name.
func (m *Module) Call(name string) *Block {
	for _, v := range m.Calls {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// CallTarget returns the local module a module call refers to through a relative
// source, or nil for registry and remote sources.
func (m *Module) CallTarget(call *Block) *Module {
	src, ok := StringLit(call.Attr("source"))
	if !ok || !(strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")) {
		return nil
	}
	rel := path.Clean(path.Join(m.Rel, src))
	if rel == "." {
		return m.tree.Root
	}
	if s, ok := m.tree.Submodules[rel]; ok {
		return s
	}
	if s, ok := m.tree.Examples[rel]; ok {
		return s
	}
	return nil
}

// CallsTo returns every module call in the tree whose source resolves to m, with the
// module that makes the call.
func (m *Module) CallsTo() []*Block {
	var out []*Block
	for _, caller := range m.tree.Modules() {
		for _, c := range caller.Calls {
			if caller.CallTarget(c) == m {
				out = append(out, c)
			}
		}
	}
	return out
}

// Addr is the block's Terraform address ("aws_s3_bucket.trail", "data.x.y",
// "var.name", "output.name", "module.name").
func (b *Block) Addr() string {
	switch b.Kind {
	case "resource":
		return b.Type + "." + b.Name
	case "data":
		return "data." + b.Type + "." + b.Name
	case "variable":
		return "var." + b.Name
	default:
		return b.Kind + "." + b.Name
	}
}

// Pos is the block's definition position ("terraform/storage.tf:42").
func (b *Block) Pos() string { return Pos(b.Syntax.DefRange()) }

// Attr returns a top-level attribute's expression, or nil.
func (b *Block) Attr(name string) hclsyntax.Expression { return AttrOf(b.Body, name) }

// Has reports whether the block sets an attribute.
func (b *Block) Has(name string) bool { return b.Body.Attributes[name] != nil }

// Nested returns the block's nested blocks of one type, including the content of
// dynamic blocks of that type.
func (b *Block) Nested(typ string) []*hclsyntax.Block { return Nested(b.Body, typ) }

// Pos formats a range start as "file:line".
func Pos(r hcl.Range) string { return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line) }

// AttrOf returns an attribute's expression in a body, or nil. A nil body yields nil.
func AttrOf(body *hclsyntax.Body, name string) hclsyntax.Expression {
	if body == nil {
		return nil
	}
	if a := body.Attributes[name]; a != nil {
		return a.Expr
	}
	return nil
}

// Nested returns the nested blocks of one type in a body, including the content of
// `dynamic "<type>"` blocks (returned as blocks of that type whose body is the
// content body).
func Nested(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	if body == nil {
		return nil
	}
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		switch {
		case b.Type == typ:
			out = append(out, b)
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == typ:
			for _, c := range b.Body.Blocks {
				if c.Type == "content" {
					out = append(out, &hclsyntax.Block{Type: typ, Body: c.Body, TypeRange: b.TypeRange, OpenBraceRange: c.OpenBraceRange, CloseBraceRange: c.CloseBraceRange})
				}
			}
		}
	}
	return out
}

// Path walks nested blocks by type and returns every block at the end of the path
// (for example Path(body, "configuration", "result_configuration")).
func Path(body *hclsyntax.Body, types ...string) []*hclsyntax.Block {
	cur := []*hclsyntax.Block{{Body: body}}
	for _, typ := range types {
		var next []*hclsyntax.Block
		for _, b := range cur {
			next = append(next, Nested(b.Body, typ)...)
		}
		cur = next
	}
	return cur
}
