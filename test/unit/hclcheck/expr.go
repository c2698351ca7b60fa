package hclcheck

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// constValue evaluates an expression with no variables or functions. ok is false when
// the expression is nil, needs a variable or function, or is unknown or null.
func constValue(e hcl.Expression) (cty.Value, bool) {
	if e == nil {
		return cty.NilVal, false
	}
	if len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	return v, true
}

// StringLit returns the value of a constant string (or number) expression.
func StringLit(e hcl.Expression) (string, bool) {
	v, ok := constValue(e)
	if !ok {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), true
	}
	return "", false
}

// BoolLit returns the value of a constant bool expression.
func BoolLit(e hcl.Expression) (value, ok bool) {
	v, ok := constValue(e)
	if !ok || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

// StringListLit returns the values of a constant list of strings, or of a single
// constant string as a one-element list.
func StringListLit(e hcl.Expression) ([]string, bool) {
	if s, ok := StringLit(e); ok {
		return []string{s}, true
	}
	v, ok := constValue(e)
	if !ok || !(v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType()) {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() || ev.Type() != cty.String {
			return nil, false
		}
		out = append(out, ev.AsString())
	}
	return out, true
}

// TraversalString renders a traversal as a dotted address, dropping index steps
// (aws_s3_bucket.this[0].arn becomes "aws_s3_bucket.this.arn").
func TraversalString(t hcl.Traversal) string {
	var parts []string
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		}
	}
	return strings.Join(parts, ".")
}

// Refs returns the dotted addresses an expression refers to (see TraversalString).
func Refs(e hcl.Expression) []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, t := range e.Variables() {
		out = append(out, TraversalString(t))
	}
	return out
}

// RefersTo reports whether an expression refers to an address or anything below it:
// RefersTo(e, "local.env_suffix") matches local.env_suffix, and RefersTo(e,
// "aws_s3_bucket.trail") matches aws_s3_bucket.trail.arn.
func RefersTo(e hcl.Expression, addr string) bool {
	for _, r := range Refs(e) {
		if r == addr || strings.HasPrefix(r, addr+".") {
			return true
		}
	}
	return false
}

// Funcs returns the names of every function called anywhere in an expression.
func Funcs(e hclsyntax.Expression) []string {
	if e == nil {
		return nil
	}
	var out []string
	_ = hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			out = append(out, c.Name)
		}
		return nil
	})
	return out
}

// Calls returns every call of the named function anywhere in an expression.
func Calls(e hclsyntax.Expression, name string) []*hclsyntax.FunctionCallExpr {
	if e == nil {
		return nil
	}
	var out []*hclsyntax.FunctionCallExpr
	_ = hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && c.Name == name {
			out = append(out, c)
		}
		return nil
	})
	return out
}

// Unwrap removes parentheses and template wrappers ("${x}") around an expression.
func Unwrap(e hclsyntax.Expression) hclsyntax.Expression {
	for {
		switch x := e.(type) {
		case *hclsyntax.ParenthesesExpr:
			e = x.Expression
		case *hclsyntax.TemplateWrapExpr:
			e = x.Wrapped
		default:
			return e
		}
	}
}

// Strings renders an expression as the strings it may evaluate to, keeping
// interpolations as "${...}" source text: "${aws_s3_bucket.this.arn}/AWSLogs/${local.account_id}/*".
// Lists are flattened, both arms of a conditional are included, and concat/flatten/
// compact/distinct/toset/tolist are looked through. Anything else is rendered as
// "${<source>}".
func (m *Module) Strings(e hclsyntax.Expression) []string {
	if e == nil {
		return nil
	}
	switch x := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return m.Strings(x.Expression)
	case *hclsyntax.TupleConsExpr:
		var out []string
		for _, it := range x.Exprs {
			out = append(out, m.Strings(it)...)
		}
		return out
	case *hclsyntax.ConditionalExpr:
		return append(m.Strings(x.TrueResult), m.Strings(x.FalseResult)...)
	case *hclsyntax.FunctionCallExpr:
		switch x.Name {
		case "concat", "flatten", "compact", "distinct", "toset", "tolist", "sort":
			var out []string
			for _, a := range x.Args {
				out = append(out, m.Strings(a)...)
			}
			return out
		}
	case *hclsyntax.TemplateExpr, *hclsyntax.LiteralValueExpr:
		if s, ok := StringLit(x); ok {
			return []string{s}
		}
		src := m.Src(x)
		if len(src) >= 2 && src[0] == '"' && src[len(src)-1] == '"' {
			return []string{src[1 : len(src)-1]}
		}
		return []string{src}
	case *hclsyntax.TemplateWrapExpr:
		return []string{"${" + m.Src(x.Wrapped) + "}"}
	}
	return []string{"${" + m.Src(e) + "}"}
}

// ObjectKey returns the key of an object constructor item as a string: a bare
// identifier's name or a constant string's value, else the key's source text.
func (m *Module) ObjectKey(item hclsyntax.ObjectConsItem) string {
	k := item.KeyExpr
	if w, ok := k.(*hclsyntax.ObjectConsKeyExpr); ok {
		if kw := hcl.ExprAsKeyword(w.Wrapped); kw != "" && !w.ForceNonLiteral {
			return kw
		}
		k = w.Wrapped
	}
	if s, ok := StringLit(k); ok {
		return s
	}
	return m.Src(k)
}

// ObjectField returns the value of a key in an object constructor, or nil.
func (m *Module) ObjectField(o *hclsyntax.ObjectConsExpr, key string) hclsyntax.Expression {
	for _, it := range o.Items {
		if m.ObjectKey(it) == key {
			return it.ValueExpr
		}
	}
	return nil
}

// Local returns a local value's expression in the module, or nil.
func (m *Module) Local(name string) hclsyntax.Expression {
	if a := m.Locals[name]; a != nil {
		return a.Expr
	}
	return nil
}

// Resolve follows an expression that is a bare reference to a local value (possibly
// through several locals) and returns the expression it finally stands for.
func (m *Module) Resolve(e hclsyntax.Expression) hclsyntax.Expression {
	for i := 0; i < 32 && e != nil; i++ {
		st, ok := Unwrap(e).(*hclsyntax.ScopeTraversalExpr)
		if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != "local" {
			return e
		}
		attr, ok := st.Traversal[1].(hcl.TraverseAttr)
		if !ok {
			return e
		}
		next := m.Local(attr.Name)
		if next == nil {
			return e
		}
		e = next
	}
	return e
}
