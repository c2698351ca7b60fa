package hclcheck

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Statement is one IAM policy statement, from a jsonencode object or from a
// statement block of an aws_iam_policy_document data source. Values keep
// interpolations as "${...}" source text (see Module.Strings).
type Statement struct {
	Sid    string
	Effect string
	// Principals maps a principal type ("Service", "AWS", "*") to its identifiers.
	Principals map[string][]string
	Actions    []string
	NotActions []string
	Resources  []string
	Conditions []Condition
	// Range is where the statement is written.
	Range hcl.Range
}

// Condition is one condition of a statement: Test is the operator
// ("StringEquals", "ArnLike", ...), Variable the context key.
type Condition struct {
	Test     string
	Variable string
	Values   []string
}

// Policy is the set of statements an expression was found to produce, with the
// references that could not be followed (e.g. var.policy inside a submodule).
type Policy struct {
	Statements []Statement
	Unresolved []string
}

// HasPrincipal reports whether the statement names a service (or other) principal
// identifier, compared exactly.
func (s Statement) HasPrincipal(typ, id string) bool {
	for _, p := range s.Principals[typ] {
		if p == id {
			return true
		}
	}
	return false
}

// PrincipalMatches reports whether any principal identifier of a type satisfies f.
func (s Statement) PrincipalMatches(typ string, f func(string) bool) bool {
	for _, p := range s.Principals[typ] {
		if f(p) {
			return true
		}
	}
	return false
}

// HasAction reports whether the statement lists an action exactly (case-insensitive).
func (s Statement) HasAction(action string) bool {
	for _, a := range s.Actions {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// Condition returns the statement's conditions on a context key (case-insensitive).
func (s Statement) Condition(variable string) []Condition {
	var out []Condition
	for _, c := range s.Conditions {
		if strings.EqualFold(c.Variable, variable) {
			out = append(out, c)
		}
	}
	return out
}

// PolicyOf collects the statements an expression produces. It looks through
// jsonencode, concat/flatten, conditionals, for expressions, local values and
// data.aws_iam_policy_document.<name>.json (including source and override
// documents).
func (m *Module) PolicyOf(e hclsyntax.Expression) Policy {
	var p Policy
	m.policyWalk(e, &p, map[string]bool{})
	return p
}

func (m *Module) policyWalk(e hclsyntax.Expression, p *Policy, seen map[string]bool) {
	if e == nil {
		return
	}
	switch x := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		// null or a constant: no statements.
	case *hclsyntax.ParenthesesExpr:
		m.policyWalk(x.Expression, p, seen)
	case *hclsyntax.TemplateWrapExpr:
		m.policyWalk(x.Wrapped, p, seen)
	case *hclsyntax.FunctionCallExpr:
		for _, a := range x.Args {
			m.policyWalk(a, p, seen)
		}
	case *hclsyntax.ConditionalExpr:
		m.policyWalk(x.TrueResult, p, seen)
		m.policyWalk(x.FalseResult, p, seen)
	case *hclsyntax.ForExpr:
		m.policyWalk(x.ValExpr, p, seen)
	case *hclsyntax.TupleConsExpr:
		for _, it := range x.Exprs {
			m.policyWalk(it, p, seen)
		}
	case *hclsyntax.ObjectConsExpr:
		if st := m.ObjectField(x, "Statement"); st != nil {
			m.policyWalk(st, p, seen)
			return
		}
		if m.ObjectField(x, "Effect") != nil || m.ObjectField(x, "Action") != nil || m.ObjectField(x, "NotAction") != nil {
			p.Statements = append(p.Statements, m.objectStatement(x))
			return
		}
		for _, it := range x.Items {
			m.policyWalk(it.ValueExpr, p, seen)
		}
	case *hclsyntax.ScopeTraversalExpr, *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr, *hclsyntax.SplatExpr:
		for _, r := range Refs(x) {
			m.policyRef(r, p, seen)
		}
	default:
		p.Unresolved = append(p.Unresolved, m.Src(e))
	}
}

func (m *Module) policyRef(ref string, p *Policy, seen map[string]bool) {
	if seen[ref] {
		return
	}
	seen[ref] = true
	parts := strings.Split(ref, ".")
	switch {
	case len(parts) >= 2 && parts[0] == "local":
		if l := m.Local(parts[1]); l != nil {
			m.policyWalk(l, p, seen)
			return
		}
	case len(parts) >= 3 && parts[0] == "data" && parts[1] == "aws_iam_policy_document":
		if d := m.DataSource(parts[1], parts[2]); d != nil {
			m.policyDocument(d, p, seen)
			return
		}
	case len(parts) >= 2 && parts[0] == "var" && m.Kind == KindSubmodule && len(m.CallsTo()) > 0:
		// A submodule's policy input: the statements are whatever its callers pass.
		for _, c := range m.CallsTo() {
			if arg := c.Attr(parts[1]); arg != nil {
				c.Module.policyWalk(arg, p, seen)
			} else if v := m.Variable(parts[1]); v != nil {
				m.policyWalk(v.Attr("default"), p, seen)
			}
		}
		return
	case len(parts) >= 1 && parts[0] == "each":
		// for_each over statements is rendered per element; the element itself is
		// not something a static check can follow.
	}
	p.Unresolved = append(p.Unresolved, ref)
}

func (m *Module) policyDocument(d *Block, p *Policy, seen map[string]bool) {
	for _, a := range []string{"source_policy_documents", "override_policy_documents", "source_json", "override_json"} {
		m.policyWalk(d.Attr(a), p, seen)
	}
	for _, b := range d.Nested("statement") {
		st := Statement{Effect: "Allow", Principals: map[string][]string{}, Range: b.Range()}
		st.Sid, _ = StringLit(AttrOf(b.Body, "sid"))
		if eff, ok := StringLit(AttrOf(b.Body, "effect")); ok {
			st.Effect = eff
		} else if e := AttrOf(b.Body, "effect"); e != nil {
			st.Effect = m.Src(e)
		}
		st.Actions = m.Strings(AttrOf(b.Body, "actions"))
		st.NotActions = m.Strings(AttrOf(b.Body, "not_actions"))
		st.Resources = m.Strings(AttrOf(b.Body, "resources"))
		for _, pb := range Nested(b.Body, "principals") {
			typ, ok := StringLit(AttrOf(pb.Body, "type"))
			if !ok {
				typ = m.Src(AttrOf(pb.Body, "type"))
			}
			st.Principals[typ] = append(st.Principals[typ], m.Strings(AttrOf(pb.Body, "identifiers"))...)
		}
		for _, cb := range Nested(b.Body, "condition") {
			c := Condition{Values: m.Strings(AttrOf(cb.Body, "values"))}
			c.Test, _ = StringLit(AttrOf(cb.Body, "test"))
			c.Variable, _ = StringLit(AttrOf(cb.Body, "variable"))
			st.Conditions = append(st.Conditions, c)
		}
		p.Statements = append(p.Statements, st)
	}
}

func (m *Module) objectStatement(o *hclsyntax.ObjectConsExpr) Statement {
	st := Statement{Effect: "Allow", Principals: map[string][]string{}, Range: o.Range()}
	if s, ok := StringLit(m.ObjectField(o, "Sid")); ok {
		st.Sid = s
	}
	if s, ok := StringLit(m.ObjectField(o, "Effect")); ok {
		st.Effect = s
	} else if e := m.ObjectField(o, "Effect"); e != nil {
		st.Effect = m.Src(e)
	}
	st.Actions = m.Strings(m.ObjectField(o, "Action"))
	st.NotActions = m.Strings(m.ObjectField(o, "NotAction"))
	st.Resources = m.Strings(m.ObjectField(o, "Resource"))
	if pr := m.ObjectField(o, "Principal"); pr != nil {
		if po, ok := Unwrap(m.Resolve(pr)).(*hclsyntax.ObjectConsExpr); ok {
			for _, it := range po.Items {
				k := m.ObjectKey(it)
				st.Principals[k] = append(st.Principals[k], m.Strings(it.ValueExpr)...)
			}
		} else {
			st.Principals["*"] = m.Strings(pr)
		}
	}
	if co := m.ObjectField(o, "Condition"); co != nil {
		if cobj, ok := Unwrap(m.Resolve(co)).(*hclsyntax.ObjectConsExpr); ok {
			for _, test := range cobj.Items {
				vars, ok := Unwrap(m.Resolve(test.ValueExpr)).(*hclsyntax.ObjectConsExpr)
				if !ok {
					st.Conditions = append(st.Conditions, Condition{Test: m.ObjectKey(test), Values: m.Strings(test.ValueExpr)})
					continue
				}
				for _, v := range vars.Items {
					st.Conditions = append(st.Conditions, Condition{Test: m.ObjectKey(test), Variable: m.ObjectKey(v), Values: m.Strings(v.ValueExpr)})
				}
			}
		} else {
			st.Conditions = append(st.Conditions, Condition{Test: m.Src(co)})
		}
	}
	return st
}
