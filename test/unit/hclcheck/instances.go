package hclcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Instances returns the for_each keys of a resource or module call when they are
// static, [""] when it has no for_each (count instances are not told apart), and ok
// false when for_each is present but its keys cannot be determined.
func (b *Block) Instances() (keys []string, ok bool) {
	fe := b.Attr("for_each")
	if fe == nil {
		return []string{""}, true
	}
	return b.Module.ForEachKeys(fe)
}

// eachValueField resolves each.value.<field> for one for_each key of a block whose
// for_each is (behind locals) an object constructor of object constructors.
func (b *Block) eachValueField(key, field string) (hclsyntax.Expression, bool) {
	m := b.Module
	o, ok := Unwrap(m.Resolve(b.Attr("for_each"))).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, false
	}
	entry := m.ObjectField(o, key)
	if entry == nil {
		return nil, false
	}
	if field == "" {
		return entry, true
	}
	eo, ok := Unwrap(m.Resolve(entry)).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, false
	}
	f := m.ObjectField(eo, field)
	return f, f != nil
}

// InstanceRefs renders the references of an expression for one instance of the block
// that holds it (key from Instances), with index keys spelled out:
// `module.function[each.value.function].function_arn` under key "compliance" becomes
// `module.function["compliance-reporter"].function_arn`. Numeric (count) indexes are
// dropped; keys that cannot be resolved are rendered as [?].
func (b *Block) InstanceRefs(e hclsyntax.Expression, key string) []string {
	if e == nil {
		return nil
	}
	seen := map[string]bool{}
	var keyed []string
	var plain []string
	_ = hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		switch x := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			plain = append(plain, renderTraversal(x.Traversal))
		case *hclsyntax.RelativeTraversalExpr:
			if ix, ok := x.Source.(*hclsyntax.IndexExpr); ok {
				if base, ok := ix.Collection.(*hclsyntax.ScopeTraversalExpr); ok {
					rest := renderTraversal(x.Traversal)
					if rest != "" && !strings.HasPrefix(rest, "[") {
						rest = "." + rest // a relative traversal starts with an attribute step
					}
					keyed = append(keyed, renderTraversal(base.Traversal)+b.renderKey(ix.Key, key)+rest)
				}
			}
		case *hclsyntax.IndexExpr:
			if base, ok := x.Collection.(*hclsyntax.ScopeTraversalExpr); ok {
				keyed = append(keyed, renderTraversal(base.Traversal)+b.renderKey(x.Key, key))
			}
		}
		return nil
	})
	var out []string
	for _, k := range keyed {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, p := range plain {
		covered := false
		for _, k := range keyed {
			if strings.HasPrefix(k, p+"[") {
				covered = true
			}
		}
		if strings.HasPrefix(p, "each.") || covered || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (b *Block) renderKey(k hclsyntax.Expression, key string) string {
	if s, ok := StringLit(k); ok {
		if _, err := fmt.Sscan(s, new(int)); err == nil {
			return ""
		}
		return fmt.Sprintf("[%q]", s)
	}
	if st, ok := Unwrap(k).(*hclsyntax.ScopeTraversalExpr); ok {
		ref := TraversalString(st.Traversal)
		switch {
		case ref == "each.key" && key != "":
			return fmt.Sprintf("[%q]", key)
		case strings.HasPrefix(ref, "each.value") && key != "":
			field := strings.TrimPrefix(strings.TrimPrefix(ref, "each.value"), ".")
			if f, ok := b.eachValueField(key, field); ok {
				if s, ok := StringLit(f); ok {
					return fmt.Sprintf("[%q]", s)
				}
			}
		case ref == "count.index":
			return ""
		}
	}
	return "[?]"
}

// renderTraversal renders a traversal with string index keys kept (["k"]) and
// numeric indexes dropped.
func renderTraversal(t hcl.Traversal) string {
	var sb strings.Builder
	for i, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			sb.WriteString(s.Name)
		case hcl.TraverseAttr:
			if i > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				fmt.Fprintf(&sb, "[%q]", s.Key.AsString())
			}
		}
	}
	return sb.String()
}

// EachString evaluates a string argument for one instance: a constant, each.key, or
// each.value.<field> of a static for_each.
func (b *Block) EachString(e hclsyntax.Expression, key string) (string, bool) {
	if s, ok := StringLit(e); ok {
		return s, true
	}
	st, ok := Unwrap(e).(*hclsyntax.ScopeTraversalExpr)
	if !ok || key == "" {
		return "", false
	}
	ref := TraversalString(st.Traversal)
	switch {
	case ref == "each.key":
		return key, true
	case strings.HasPrefix(ref, "each.value"):
		field := strings.TrimPrefix(strings.TrimPrefix(ref, "each.value"), ".")
		if f, ok := b.eachValueField(key, field); ok {
			return StringLit(f)
		}
	}
	return "", false
}

// EachValues returns the constant values a string argument can take across all
// instances of a block: a constant, or each.value.<field> of a for_each whose entries
// (an object constructor, or a for expression building objects) give the field as a
// constant or as an index into a constant object. ok is false when it cannot tell.
func (b *Block) EachValues(e hclsyntax.Expression) (values []string, ok bool) {
	if s, ok := StringLit(e); ok {
		return []string{s}, true
	}
	st, isTrav := Unwrap(e).(*hclsyntax.ScopeTraversalExpr)
	if !isTrav || b.Attr("for_each") == nil {
		return nil, false
	}
	ref := TraversalString(st.Traversal)
	if !strings.HasPrefix(ref, "each.value.") {
		return nil, false
	}
	field := strings.TrimPrefix(ref, "each.value.")
	m := b.Module
	var fields []hclsyntax.Expression
	switch fe := Unwrap(m.Resolve(b.Attr("for_each"))).(type) {
	case *hclsyntax.ObjectConsExpr:
		for _, it := range fe.Items {
			o, isObj := Unwrap(m.Resolve(it.ValueExpr)).(*hclsyntax.ObjectConsExpr)
			if !isObj {
				return nil, false
			}
			fields = append(fields, m.ObjectField(o, field))
		}
	case *hclsyntax.ForExpr:
		o, isObj := Unwrap(fe.ValExpr).(*hclsyntax.ObjectConsExpr)
		if !isObj {
			return nil, false
		}
		fields = append(fields, m.ObjectField(o, field))
	default:
		return nil, false
	}
	for _, f := range fields {
		if s, ok := StringLit(f); ok {
			values = append(values, s)
			continue
		}
		ix, isIndex := Unwrap(f).(*hclsyntax.IndexExpr)
		if !isIndex {
			return nil, false
		}
		coll, isObj := Unwrap(m.Resolve(ix.Collection)).(*hclsyntax.ObjectConsExpr)
		if !isObj {
			return nil, false
		}
		for _, it := range coll.Items {
			s, ok := StringLit(it.ValueExpr)
			if !ok {
				return nil, false
			}
			values = append(values, s)
		}
	}
	return values, len(values) > 0
}
