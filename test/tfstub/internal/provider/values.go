package provider

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// toGo converts a wholly known tftypes value to plain Go: nil, string, bool, *big.Float,
// []any (list, set, tuple) or map[string]any (map, object). Unknown values become nil.
func toGo(v tftypes.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case t.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case t.Is(tftypes.Number):
		f := new(big.Float)
		_ = v.As(&f)
		return f
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Tuple{}):
		var elems []tftypes.Value
		_ = v.As(&elems)
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			out = append(out, toGo(e))
		}
		return out
	case t.Is(tftypes.Map{}), t.Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = toGo(e)
		}
		return out
	}
	return nil
}

// fromGo builds a value of type t from plain Go (see toGo; ints and float64 are accepted
// for numbers). Missing object attributes and nil become the type's zero value when zero is
// set, else null: a data source result must be wholly known, so callers filling computed
// attributes ask for zeros.
func fromGo(t tftypes.Type, g any, zero bool) (tftypes.Value, error) {
	if g == nil {
		if zero {
			return zeroValue(t), nil
		}
		return tftypes.NewValue(t, nil), nil
	}
	switch {
	case t.Is(tftypes.String):
		s, ok := g.(string)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want string, have %T", g)
		}
		return tftypes.NewValue(t, s), nil
	case t.Is(tftypes.Bool):
		b, ok := g.(bool)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want bool, have %T", g)
		}
		return tftypes.NewValue(t, b), nil
	case t.Is(tftypes.Number):
		switch n := g.(type) {
		case *big.Float:
			return tftypes.NewValue(t, n), nil
		case int:
			return tftypes.NewValue(t, big.NewFloat(float64(n))), nil
		case float64:
			return tftypes.NewValue(t, big.NewFloat(n)), nil
		}
		return tftypes.Value{}, fmt.Errorf("want number, have %T", g)
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}):
		var et tftypes.Type
		if l, ok := t.(tftypes.List); ok {
			et = l.ElementType
		} else {
			et = t.(tftypes.Set).ElementType
		}
		var items []any
		switch x := g.(type) {
		case []any:
			items = x
		case []string:
			for _, s := range x {
				items = append(items, s)
			}
		default:
			return tftypes.Value{}, fmt.Errorf("want list, have %T", g)
		}
		vals := make([]tftypes.Value, 0, len(items))
		for i, it := range items {
			v, err := fromGo(et, it, zero)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			vals = append(vals, v)
		}
		return tftypes.NewValue(t, vals), nil
	case t.Is(tftypes.Map{}):
		et := t.(tftypes.Map).ElementType
		var m map[string]any
		switch x := g.(type) {
		case map[string]any:
			m = x
		case map[string]string:
			m = map[string]any{}
			for k, v := range x {
				m[k] = v
			}
		default:
			return tftypes.Value{}, fmt.Errorf("want map, have %T", g)
		}
		vals := map[string]tftypes.Value{}
		for k, it := range m {
			v, err := fromGo(et, it, zero)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%q]: %w", k, err)
			}
			vals[k] = v
		}
		return tftypes.NewValue(t, vals), nil
	case t.Is(tftypes.Object{}):
		ot := t.(tftypes.Object)
		m, ok := g.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want object, have %T", g)
		}
		vals := map[string]tftypes.Value{}
		names := make([]string, 0, len(ot.AttributeTypes))
		for k := range ot.AttributeTypes {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v, err := fromGo(ot.AttributeTypes[k], m[k], zero)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf(".%s: %w", k, err)
			}
			vals[k] = v
		}
		for k := range m {
			if _, ok := ot.AttributeTypes[k]; !ok {
				return tftypes.Value{}, fmt.Errorf("object has no attribute %q", k)
			}
		}
		return tftypes.NewValue(t, vals), nil
	}
	return tftypes.Value{}, fmt.Errorf("unsupported type %s", t)
}

// zeroValue is "", 0, false, an empty collection, or an object of zeros.
func zeroValue(t tftypes.Type) tftypes.Value {
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, "")
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, big.NewFloat(0))
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Tuple{}):
		return tftypes.NewValue(t, []tftypes.Value{})
	case t.Is(tftypes.Map{}):
		return tftypes.NewValue(t, map[string]tftypes.Value{})
	case t.Is(tftypes.Object{}):
		vals := map[string]tftypes.Value{}
		for k, at := range t.(tftypes.Object).AttributeTypes {
			vals[k] = zeroValue(at)
		}
		return tftypes.NewValue(t, vals)
	}
	// DynamicPseudoType: a known null string is the closest honest zero.
	return tftypes.NewValue(tftypes.String, nil)
}
