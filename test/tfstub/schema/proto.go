package schema

import (
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// ToProto converts a `terraform providers schema -json` schema to the protocol-5 schema a
// provider serves. Attributes and blocks are emitted sorted by name so that the result is
// deterministic.
func ToProto(s *tfjson.Schema) (*tfprotov5.Schema, error) {
	if s == nil || s.Block == nil {
		return nil, fmt.Errorf("schema has no block")
	}
	b, err := blockToProto(s.Block, "")
	if err != nil {
		return nil, err
	}
	return &tfprotov5.Schema{Version: int64(s.Version), Block: b}, nil
}

func blockToProto(b *tfjson.SchemaBlock, path string) (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: kindToProto(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	for _, name := range sortedAttrNames(b.Attributes) {
		a := b.Attributes[name]
		if a.AttributeNestedType != nil {
			// Protocol 5 cannot express nested attribute types; hashicorp/aws (protocol 5)
			// has none, so meeting one means the input is not what we think it is.
			return nil, fmt.Errorf("%s%s: nested attribute types need protocol 6", path, name)
		}
		t, err := CtyToTftypes(a.AttributeType)
		if err != nil {
			return nil, fmt.Errorf("%s%s: %w", path, name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name:            name,
			Type:            t,
			Description:     a.Description,
			DescriptionKind: kindToProto(a.DescriptionKind),
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			Deprecated:      a.Deprecated,
			WriteOnly:       a.WriteOnly,
		})
	}
	names := make([]string, 0, len(b.NestedBlocks))
	for n := range b.NestedBlocks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		nb := b.NestedBlocks[name]
		if nb.Block == nil {
			return nil, fmt.Errorf("%s%s: nested block without a body", path, name)
		}
		mode, err := nestingToProto(nb.NestingMode)
		if err != nil {
			return nil, fmt.Errorf("%s%s: %w", path, name, err)
		}
		inner, err := blockToProto(nb.Block, path+name+".")
		if err != nil {
			return nil, err
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: name,
			Block:    inner,
			Nesting:  mode,
			MinItems: int64(nb.MinItems),
			MaxItems: int64(nb.MaxItems),
		})
	}
	return out, nil
}

func sortedAttrNames(m map[string]*tfjson.SchemaAttribute) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func kindToProto(k tfjson.SchemaDescriptionKind) tfprotov5.StringKind {
	if k == tfjson.SchemaDescriptionKindMarkdown {
		return tfprotov5.StringKindMarkdown
	}
	return tfprotov5.StringKindPlain
}

func nestingToProto(m tfjson.SchemaNestingMode) (tfprotov5.SchemaNestedBlockNestingMode, error) {
	switch m {
	case tfjson.SchemaNestingModeSingle:
		return tfprotov5.SchemaNestedBlockNestingModeSingle, nil
	case tfjson.SchemaNestingModeGroup:
		return tfprotov5.SchemaNestedBlockNestingModeGroup, nil
	case tfjson.SchemaNestingModeList:
		return tfprotov5.SchemaNestedBlockNestingModeList, nil
	case tfjson.SchemaNestingModeSet:
		return tfprotov5.SchemaNestedBlockNestingModeSet, nil
	case tfjson.SchemaNestingModeMap:
		return tfprotov5.SchemaNestedBlockNestingModeMap, nil
	}
	return tfprotov5.SchemaNestedBlockNestingModeInvalid, fmt.Errorf("unknown nesting mode %q", m)
}

// CtyToTftypes converts a cty type (as in the JSON schema) to the tftypes type used on the
// wire.
func CtyToTftypes(t cty.Type) (tftypes.Type, error) {
	switch {
	case t == cty.NilType:
		return nil, fmt.Errorf("attribute has no type")
	case t == cty.String:
		return tftypes.String, nil
	case t == cty.Number:
		return tftypes.Number, nil
	case t == cty.Bool:
		return tftypes.Bool, nil
	case t == cty.DynamicPseudoType:
		return tftypes.DynamicPseudoType, nil
	case t.IsListType():
		e, err := CtyToTftypes(t.ElementType())
		return tftypes.List{ElementType: e}, err
	case t.IsSetType():
		e, err := CtyToTftypes(t.ElementType())
		return tftypes.Set{ElementType: e}, err
	case t.IsMapType():
		e, err := CtyToTftypes(t.ElementType())
		return tftypes.Map{ElementType: e}, err
	case t.IsObjectType():
		attrs := map[string]tftypes.Type{}
		var optional map[string]struct{}
		for n, at := range t.AttributeTypes() {
			c, err := CtyToTftypes(at)
			if err != nil {
				return nil, fmt.Errorf("object attribute %s: %w", n, err)
			}
			attrs[n] = c
			if t.AttributeOptional(n) {
				if optional == nil {
					optional = map[string]struct{}{}
				}
				optional[n] = struct{}{}
			}
		}
		return tftypes.Object{AttributeTypes: attrs, OptionalAttributes: optional}, nil
	case t.IsTupleType():
		var elems []tftypes.Type
		for i, et := range t.TupleElementTypes() {
			c, err := CtyToTftypes(et)
			if err != nil {
				return nil, fmt.Errorf("tuple element %d: %w", i, err)
			}
			elems = append(elems, c)
		}
		return tftypes.Tuple{ElementTypes: elems}, nil
	}
	return nil, fmt.Errorf("unsupported type %s", t.FriendlyName())
}
