package hclcheck

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Context is one way a module is instantiated: for a submodule, one call with the
// constant arguments it passes (non-constant arguments become placeholder strings
// "${<source>}", which are known and non-null); for the root and examples, a single
// context whose variables are all placeholders.
type Context struct {
	// Call is the module call, or nil for the root and examples.
	Call *Block
	// Key is the for_each key of the call instance ("" without for_each, or when the
	// keys cannot be determined statically).
	Key string
	// Vars holds the value of every variable in this context.
	Vars map[string]cty.Value
}

// Contexts returns the instantiations of a module (see Context). A submodule that
// nobody calls has none.
func (m *Module) Contexts() []Context {
	if m.Kind != KindSubmodule {
		vars := map[string]cty.Value{}
		for _, v := range m.Variables {
			vars[v.Name] = cty.StringVal("${var." + v.Name + "}")
		}
		return []Context{{Vars: vars}}
	}
	var out []Context
	for _, c := range m.CallsTo() {
		keys, ok := c.Module.ForEachKeys(c.Attr("for_each"))
		if !ok {
			keys = []string{""}
		}
		for _, key := range keys {
			vars := map[string]cty.Value{}
			for _, v := range m.Variables {
				arg := c.Attr(v.Name)
				if arg == nil {
					if d := v.Attr("default"); d != nil {
						vars[v.Name] = argValue(m, d, "")
					} else {
						vars[v.Name] = cty.NullVal(cty.DynamicPseudoType)
					}
					continue
				}
				vars[v.Name] = argValue(c.Module, arg, key)
			}
			out = append(out, Context{Call: c, Key: key, Vars: vars})
		}
	}
	return out
}

// ForEachKeys returns the keys of a for_each expression when they are static: a
// constant map, set or list of strings, a local object constructor, or a for
// expression over a constant list (possibly behind locals).
func (m *Module) ForEachKeys(e hclsyntax.Expression) ([]string, bool) {
	if e == nil {
		return nil, false
	}
	e = Unwrap(m.Resolve(e))
	if f, ok := e.(*hclsyntax.FunctionCallExpr); ok && (f.Name == "toset" || f.Name == "tolist") && len(f.Args) == 1 {
		e = Unwrap(m.Resolve(f.Args[0]))
	}
	switch x := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		var keys []string
		for _, it := range x.Items {
			keys = append(keys, m.ObjectKey(it))
		}
		return keys, true
	case *hclsyntax.FunctionCallExpr:
		if x.Name != "merge" {
			return nil, false
		}
		var keys []string
		seen := map[string]bool{}
		for _, a := range x.Args {
			ks, ok := m.ForEachKeys(a)
			if !ok {
				return nil, false
			}
			for _, k := range ks {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		return keys, true
	case *hclsyntax.ForExpr:
		kt, ok := x.KeyExpr.(*hclsyntax.ScopeTraversalExpr)
		if x.KeyExpr == nil || !ok || len(kt.Traversal) != 1 || x.CondExpr != nil {
			return nil, false
		}
		switch {
		case x.KeyVar == "" && kt.Traversal.RootName() == x.ValVar:
			// { for v in <list> : v => ... }
			return StringListLit(Unwrap(m.Resolve(x.CollExpr)))
		case x.KeyVar != "" && kt.Traversal.RootName() == x.KeyVar:
			// { for k, v in <object or list> : k => ... }
			if o, ok := Unwrap(m.Resolve(x.CollExpr)).(*hclsyntax.ObjectConsExpr); ok {
				var keys []string
				for _, it := range o.Items {
					keys = append(keys, m.ObjectKey(it))
				}
				return keys, true
			}
		}
		return nil, false
	}
	if l, ok := StringListLit(e); ok {
		return l, true
	}
	return nil, false
}

// argValue is an argument's constant value, an object/tuple of the constant parts of a
// constructor, or a placeholder string.
func argValue(m *Module, e hclsyntax.Expression, key string) cty.Value {
	if v, ok := constValueAllowNull(e); ok {
		return v
	}
	if key != "" {
		if f, ok := eachField(m, e, key); ok {
			return argValue(m, f, "")
		}
		if st, ok := Unwrap(e).(*hclsyntax.ScopeTraversalExpr); ok && TraversalString(st.Traversal) == "each.key" {
			return cty.StringVal(key)
		}
	}
	if r := m.Resolve(e); r != e {
		return argValue(m, r, key)
	}
	switch x := Unwrap(e).(type) {
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "merge" {
			// merge of object constructors (possibly behind locals): later keys win.
			attrs := map[string]cty.Value{}
			for _, a := range x.Args {
				v := argValue(m, a, key)
				if v.IsNull() || !v.Type().IsObjectType() {
					return cty.StringVal("${" + m.Src(e) + "}")
				}
				for k, av := range v.AsValueMap() {
					attrs[k] = av
				}
			}
			return cty.ObjectVal(attrs)
		}
	case *hclsyntax.ObjectConsExpr:
		attrs := map[string]cty.Value{}
		for _, it := range x.Items {
			attrs[m.ObjectKey(it)] = argValue(m, it.ValueExpr, key)
		}
		return cty.ObjectVal(attrs)
	case *hclsyntax.TupleConsExpr:
		var vals []cty.Value
		for _, it := range x.Exprs {
			vals = append(vals, argValue(m, it, key))
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	}
	return cty.StringVal("${" + m.Src(e) + "}")
}

func constValueAllowNull(e hcl.Expression) (cty.Value, bool) {
	if e == nil || len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// Eval evaluates an expression in a context, with extra top-level variables (for
// example "rule" inside a dynamic block). ok is false when the expression needs
// anything else (locals, resources, functions) or the result is unknown.
func (c Context) Eval(e hcl.Expression, extra map[string]cty.Value) (cty.Value, bool) {
	if e == nil {
		return cty.NilVal, false
	}
	vars := map[string]cty.Value{"var": cty.ObjectVal(c.Vars)}
	if len(c.Vars) == 0 {
		vars["var"] = cty.EmptyObjectVal
	}
	for k, v := range extra {
		vars[k] = v
	}
	v, diags := e.Value(&hcl.EvalContext{Variables: vars})
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// EvalString evaluates an expression to a string; isNull reports a null result.
func (c Context) EvalString(e hcl.Expression, extra map[string]cty.Value) (s string, isNull, ok bool) {
	v, ok := c.Eval(e, extra)
	if !ok {
		return "", false, false
	}
	if v.IsNull() {
		return "", true, true
	}
	if v.Type() == cty.Bool {
		if v.True() {
			return "true", false, true
		}
		return "false", false, true
	}
	if v.Type() == cty.Number {
		return v.AsBigFloat().Text('f', -1), false, true
	}
	if v.Type() != cty.String {
		return "", false, false
	}
	return v.AsString(), false, true
}

// Name names the context for messages: the call's address, or the module directory.
func (c Context) Name(m *Module) string {
	if c.Call != nil && c.Key != "" {
		return c.Call.Addr() + "[\"" + c.Key + "\"]"
	}
	if c.Call != nil {
		return c.Call.Addr()
	}
	return m.Dir
}

// eachField resolves local.<map>[each.key] to the map's entry for key when the
// local is an object constructor.
func eachField(m *Module, e hclsyntax.Expression, key string) (hclsyntax.Expression, bool) {
	ix, ok := Unwrap(e).(*hclsyntax.IndexExpr)
	if !ok {
		return nil, false
	}
	k, ok := Unwrap(ix.Key).(*hclsyntax.ScopeTraversalExpr)
	if !ok || TraversalString(k.Traversal) != "each.key" {
		return nil, false
	}
	o, ok := Unwrap(m.Resolve(ix.Collection)).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, false
	}
	f := m.ObjectField(o, key)
	return f, f != nil
}
