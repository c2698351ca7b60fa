package hclcheck

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// NameAttributes are the arguments that carry a resource's user-chosen name, in the
// order they are looked for.
var NameAttributes = []string{
	"name", "name_prefix", "bucket", "bucket_prefix", "function_name", "alarm_name",
	"dashboard_name", "target_id", "statement_id", "identifier", "role_name",
}

// RootFunc decides whether a reference (a dotted address, see TraversalString) made
// in a module is itself a source of the property being traced.
type RootFunc func(m *Module, ref string) bool

// DerivesFrom reports whether an expression refers to a root reference directly or
// through local values, submodule variables (a variable derives when every call of the
// module passes a deriving argument for it), module outputs and the name arguments of
// resources it refers to.
func (m *Module) DerivesFrom(e hclsyntax.Expression, root RootFunc) bool {
	return m.derives(e, root, map[string]bool{}, nil)
}

// DerivesFromIn is DerivesFrom for an expression inside a block, so that each.key
// and each.value refer to the block's for_each.
func (b *Block) DerivesFromIn(e hclsyntax.Expression, root RootFunc) bool {
	return b.Module.derives(e, root, map[string]bool{}, b)
}

func (m *Module) derives(e hclsyntax.Expression, root RootFunc, seen map[string]bool, scope *Block) bool {
	if e == nil {
		return false
	}
	for _, ref := range Refs(e) {
		if m.refDerives(ref, root, seen, scope) {
			return true
		}
	}
	return false
}

func (m *Module) refDerives(ref string, root RootFunc, seen map[string]bool, scope *Block) bool {
	key := m.Dir + "|" + ref
	if strings.HasPrefix(ref, "each.") && scope != nil {
		key += "|" + scope.Addr()
	}
	if v, ok := seen[key]; ok {
		return v
	}
	seen[key] = false // cycles do not derive
	v := m.refDerivesUncached(ref, root, seen, scope)
	seen[key] = v
	return v
}

// eachDerives decides each.value[.field] (or each.key) of a block from its for_each:
// every entry's field must derive.
func (m *Module) eachDerives(scope *Block, ref string, root RootFunc, seen map[string]bool) bool {
	fe := scope.Attr("for_each")
	if fe == nil {
		return false
	}
	field := ""
	if strings.HasPrefix(ref, "each.value.") {
		field = strings.SplitN(strings.TrimPrefix(ref, "each.value."), ".", 2)[0]
	}
	r := Unwrap(m.Resolve(fe))
	if f, ok := r.(*hclsyntax.FunctionCallExpr); ok && (f.Name == "toset" || f.Name == "tolist") && len(f.Args) == 1 {
		r = Unwrap(m.Resolve(f.Args[0]))
	}
	pick := func(entry hclsyntax.Expression) hclsyntax.Expression {
		if field == "" {
			return entry
		}
		if o, ok := Unwrap(m.Resolve(entry)).(*hclsyntax.ObjectConsExpr); ok {
			return m.ObjectField(o, field)
		}
		return entry
	}
	switch x := r.(type) {
	case *hclsyntax.ObjectConsExpr:
		if ref == "each.key" || len(x.Items) == 0 {
			return false
		}
		for _, it := range x.Items {
			if !m.derives(pick(it.ValueExpr), root, seen, nil) {
				return false
			}
		}
		return true
	case *hclsyntax.ForExpr:
		if ref == "each.key" {
			return m.derives(x.KeyExpr, root, seen, nil)
		}
		return m.derives(pick(x.ValExpr), root, seen, nil)
	}
	return m.derives(r, root, seen, nil)
}

func (m *Module) refDerivesUncached(ref string, root RootFunc, seen map[string]bool, scope *Block) bool {
	if root(m, ref) {
		return true
	}
	parts := strings.Split(ref, ".")
	if len(parts) < 2 {
		return false
	}
	switch parts[0] {
	case "local":
		l := m.Local(parts[1])
		if len(parts) >= 3 {
			// local.names.trail: follow only the named field of an object local.
			if o, ok := Unwrap(l).(*hclsyntax.ObjectConsExpr); ok {
				if f := m.ObjectField(o, parts[2]); f != nil {
					return m.derives(f, root, seen, nil)
				}
			}
		}
		return m.derives(l, root, seen, nil)
	case "each":
		return scope != nil && m.eachDerives(scope, ref, root, seen)
	case "var":
		if m.Kind != KindSubmodule {
			return false
		}
		calls := m.CallsTo()
		if len(calls) == 0 {
			return false
		}
		for _, c := range calls {
			if !c.Module.derives(c.Attr(parts[1]), root, seen, c) {
				return false
			}
		}
		return true
	case "module":
		call := m.Call(parts[1])
		if call == nil || len(parts) < 3 {
			return false
		}
		target := m.CallTarget(call)
		if target == nil {
			return false
		}
		out := target.Output(parts[2])
		return out != nil && target.derives(out.Attr("value"), root, seen, nil)
	case "data", "count", "path", "terraform", "self":
		return false
	default:
		r := m.Resource(parts[0], parts[1])
		if r == nil {
			return false
		}
		for _, a := range NameAttributes {
			if r.Has(a) && m.derives(r.Attr(a), root, seen, r) {
				return true
			}
		}
		return false
	}
}

// Bound is an expression together with the module it is evaluated in.
type Bound struct {
	M *Module
	E hclsyntax.Expression
}

// Through follows an expression that is a bare submodule variable to the arguments
// every caller passes for it (or the variable's default when a caller omits it),
// recursively; any other expression is returned as is.
func (m *Module) Through(e hclsyntax.Expression) []Bound {
	return m.through(e, 0)
}

func (m *Module) through(e hclsyntax.Expression, depth int) []Bound {
	if e == nil {
		return nil
	}
	st, ok := Unwrap(e).(*hclsyntax.ScopeTraversalExpr)
	if !ok || depth > 8 || m.Kind != KindSubmodule || st.Traversal.RootName() != "var" || len(st.Traversal) != 2 {
		return []Bound{{M: m, E: e}}
	}
	name := TraversalString(st.Traversal)[len("var."):]
	calls := m.CallsTo()
	if len(calls) == 0 {
		return []Bound{{M: m, E: e}}
	}
	var out []Bound
	for _, c := range calls {
		if arg := c.Attr(name); arg != nil {
			out = append(out, c.Module.through(arg, depth+1)...)
		} else if v := m.Variable(name); v != nil && v.Attr("default") != nil {
			out = append(out, Bound{M: m, E: v.Attr("default")})
		}
	}
	return out
}
