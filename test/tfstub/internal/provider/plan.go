package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// PlanResourceChange plans like the real provider does for a create: every computed
// attribute that the configuration leaves null becomes unknown, at any nesting depth. A
// few values the real provider knows at plan time are filled in: `region` (the provider's
// region), `tags_all` (default tags merged with tags), and random_string's defaults. On an
// update, computed attributes keep their prior values (Terraform's proposed state already
// carries them) and no replacement is planned: the stand-in does not know which
// arguments force a new resource.
func (s *Server) PlanResourceChange(_ context.Context, req *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	resp := &tfprotov5.PlanResourceChangeResponse{PlannedPrivate: req.PriorPrivate}
	ps, err := s.typeSchema(false, req.TypeName)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: plan", err.Error())
		return resp, nil
	}
	typ := ps.ValueType()
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: decode proposed state of "+req.TypeName, err.Error())
		return resp, nil
	}
	prior := tftypes.NewValue(typ, nil)
	if req.PriorState != nil {
		if prior, err = req.PriorState.Unmarshal(typ); err != nil {
			resp.Diagnostics = errDiag("ctap tfstub: decode prior state of "+req.TypeName, err.Error())
			return resp, nil
		}
	}
	planned, err := s.plan(req.TypeName, ps.Block, proposed, prior.IsNull())
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: plan "+req.TypeName, err.Error())
		return resp, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, planned)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: encode plan of "+req.TypeName, err.Error())
		return resp, nil
	}
	resp.PlannedState = &dv
	return resp, nil
}

// plan returns the planned new state for a proposed one.
func (s *Server) plan(typeName string, b *tfprotov5.SchemaBlock, proposed tftypes.Value, creating bool) (tftypes.Value, error) {
	if proposed.IsNull() || !proposed.IsKnown() {
		return proposed, nil // destroy, or nothing to refine
	}
	var attrs map[string]tftypes.Value
	if err := proposed.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	if typeName == "random_string" {
		fillRandomDefaults(attrs)
	}
	if s.prov.Name == "aws" {
		s.fillKnownComputed(b, attrs)
	}
	if creating {
		if err := markUnknown(b, attrs); err != nil {
			return tftypes.Value{}, err
		}
	}
	return tftypes.NewValue(proposed.Type(), attrs), nil
}

func fillRandomDefaults(attrs map[string]tftypes.Value) {
	for _, n := range []string{"lower", "upper", "special", "numeric", "number"} {
		if v, ok := attrs[n]; ok && v.IsNull() {
			attrs[n] = tftypes.NewValue(tftypes.Bool, true)
		}
	}
	for _, n := range []string{"min_lower", "min_upper", "min_numeric", "min_special"} {
		if v, ok := attrs[n]; ok && v.IsNull() {
			attrs[n] = tftypes.NewValue(tftypes.Number, big.NewFloat(0))
		}
	}
}

// fillKnownComputed sets the top-level computed values the real AWS provider knows at
// plan time.
func (s *Server) fillKnownComputed(b *tfprotov5.SchemaBlock, attrs map[string]tftypes.Value) {
	s.mu.Lock()
	region, defaults := s.region, s.defaultTags
	s.mu.Unlock()
	if v, ok := attrs["region"]; ok && v.IsNull() && region != "" && isComputed(b, "region") {
		attrs["region"] = tftypes.NewValue(tftypes.String, region)
	}
	ta, ok := attrs["tags_all"]
	tags, hasTags := attrs["tags"]
	if !ok || !hasTags || !isComputed(b, "tags_all") {
		return
	}
	if !tags.IsFullyKnown() {
		attrs["tags_all"] = tftypes.NewValue(ta.Type(), tftypes.UnknownValue)
		return
	}
	merged := map[string]tftypes.Value{}
	for k, v := range defaults {
		merged[k] = tftypes.NewValue(tftypes.String, v)
	}
	if !tags.IsNull() {
		var tm map[string]tftypes.Value
		if err := tags.As(&tm); err == nil {
			for k, v := range tm {
				if v.IsNull() {
					continue // a null tag value drops the key, as the provider does
				}
				merged[k] = v
			}
		}
	}
	attrs["tags_all"] = tftypes.NewValue(ta.Type(), merged)
}

func isComputed(b *tfprotov5.SchemaBlock, name string) bool {
	for _, a := range b.Attributes {
		if a.Name == name {
			return a.Computed
		}
	}
	return false
}

// markUnknown turns every computed attribute that is null into unknown, recursing into
// nested blocks.
func markUnknown(b *tfprotov5.SchemaBlock, attrs map[string]tftypes.Value) error {
	for _, a := range b.Attributes {
		v, ok := attrs[a.Name]
		if !ok {
			return fmt.Errorf("proposed state lacks attribute %q", a.Name)
		}
		if a.Computed && v.IsNull() {
			attrs[a.Name] = tftypes.NewValue(v.Type(), tftypes.UnknownValue)
		}
	}
	for _, nb := range b.BlockTypes {
		v, ok := attrs[nb.TypeName]
		if !ok {
			return fmt.Errorf("proposed state lacks block %q", nb.TypeName)
		}
		if v.IsNull() || !v.IsKnown() {
			continue
		}
		nv, err := markNested(nb, v)
		if err != nil {
			return fmt.Errorf("%s: %w", nb.TypeName, err)
		}
		attrs[nb.TypeName] = nv
	}
	return nil
}

func markObject(b *tfprotov5.SchemaBlock, v tftypes.Value) (tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return v, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	if err := markUnknown(b, attrs); err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.NewValue(v.Type(), attrs), nil
}

func markNested(nb *tfprotov5.SchemaNestedBlock, v tftypes.Value) (tftypes.Value, error) {
	switch nb.Nesting {
	case tfprotov5.SchemaNestedBlockNestingModeSingle, tfprotov5.SchemaNestedBlockNestingModeGroup:
		return markObject(nb.Block, v)
	case tfprotov5.SchemaNestedBlockNestingModeList, tfprotov5.SchemaNestedBlockNestingModeSet:
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return tftypes.Value{}, err
		}
		for i := range elems {
			e, err := markObject(nb.Block, elems[i])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			elems[i] = e
		}
		return tftypes.NewValue(v.Type(), elems), nil
	case tfprotov5.SchemaNestedBlockNestingModeMap:
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return tftypes.Value{}, err
		}
		for k := range elems {
			e, err := markObject(nb.Block, elems[k])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%q]: %w", k, err)
			}
			elems[k] = e
		}
		return tftypes.NewValue(v.Type(), elems), nil
	}
	return tftypes.Value{}, fmt.Errorf("unknown nesting mode %v", nb.Nesting)
}
