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

// EndsWith reports whether every value an expression can take ends with a value that
// isEnd accepts: the last non-empty part of a template must be such a value,
// conditionals must end that way in both arms, format() must end that way in its
// format string, replace/lower/upper keep the ending, and references are followed
// through locals (and object fields), submodule variables (every caller), each.value
// fields, module outputs and the name arguments of referenced resources.
func (b *Block) EndsWith(e hclsyntax.Expression, isEnd RootFunc) bool {
	return b.Module.endsWith(e, isEnd, b, 0)
}

func (m *Module) endsWith(e hclsyntax.Expression, isEnd RootFunc, scope *Block, depth int) bool {
	if e == nil || depth > 24 {
		return false
	}
	switch x := Unwrap(e).(type) {
	case *hclsyntax.TemplateExpr:
		for i := len(x.Parts) - 1; i >= 0; i-- {
			if s, ok := StringLit(x.Parts[i]); ok {
				if s == "" {
					continue
				}
				return false
			}
			return m.endsWith(x.Parts[i], isEnd, scope, depth+1)
		}
		return false
	case *hclsyntax.ConditionalExpr:
		return m.endsWith(x.TrueResult, isEnd, scope, depth+1) && m.endsWith(x.FalseResult, isEnd, scope, depth+1)
	case *hclsyntax.FunctionCallExpr:
		switch x.Name {
		case "format", "replace", "lower", "upper", "trimspace":
			return len(x.Args) > 0 && m.endsWith(x.Args[0], isEnd, scope, depth+1)
		}
		return false
	case *hclsyntax.ScopeTraversalExpr:
		return m.refEndsWith(TraversalString(x.Traversal), isEnd, scope, depth)
	case *hclsyntax.RelativeTraversalExpr, *hclsyntax.IndexExpr:
		refs := Refs(x)
		return len(refs) > 0 && m.refEndsWith(refs[0], isEnd, scope, depth)
	}
	return false
}

func (m *Module) refEndsWith(ref string, isEnd RootFunc, scope *Block, depth int) bool {
	if isEnd(m, ref) {
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
			if o, ok := Unwrap(l).(*hclsyntax.ObjectConsExpr); ok {
				if f := m.ObjectField(o, parts[2]); f != nil {
					return m.endsWith(f, isEnd, nil, depth+1)
				}
			}
		}
		return m.endsWith(l, isEnd, nil, depth+1)
	case "var":
		if m.Kind != KindSubmodule {
			return false
		}
		calls := m.CallsTo()
		if len(calls) == 0 {
			return false
		}
		for _, c := range calls {
			if !c.Module.endsWith(c.Attr(parts[1]), isEnd, c, depth+1) {
				return false
			}
		}
		return true
	case "each":
		if scope == nil || scope.Attr("for_each") == nil || len(parts) < 3 || parts[1] != "value" {
			return false
		}
		fe := Unwrap(m.Resolve(scope.Attr("for_each")))
		var fields []hclsyntax.Expression
		switch x := fe.(type) {
		case *hclsyntax.ObjectConsExpr:
			for _, it := range x.Items {
				o, ok := Unwrap(m.Resolve(it.ValueExpr)).(*hclsyntax.ObjectConsExpr)
				if !ok {
					return false
				}
				fields = append(fields, m.ObjectField(o, parts[2]))
			}
		case *hclsyntax.ForExpr:
			o, ok := Unwrap(x.ValExpr).(*hclsyntax.ObjectConsExpr)
			if !ok {
				return false
			}
			fields = append(fields, m.ObjectField(o, parts[2]))
		default:
			return false
		}
		for _, f := range fields {
			if !m.endsWith(f, isEnd, nil, depth+1) {
				return false
			}
		}
		return len(fields) > 0
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
		return out != nil && target.endsWith(out.Attr("value"), isEnd, nil, depth+1)
	case "data", "count", "path", "terraform", "self":
		return false
	default:
		r := m.Resource(parts[0], parts[1])
		if r == nil {
			return false
		}
		for _, a := range NameAttributes {
			if r.Has(a) {
				return m.endsWith(r.Attr(a), isEnd, r, depth+1)
			}
		}
		return false
	}
}
