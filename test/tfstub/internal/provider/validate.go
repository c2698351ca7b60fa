package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// ValidateResourceTypeConfig leaves structure to Terraform core, which checks the
// configuration against the schema. The real provider's value validators are not
// reproduced, with one exception that ctap's zero-warning rule depends on: the
// lifecycle-rule filter warning of hashicorp/aws >= 5.90 (see lifecycleFilterWarnings).
func (s *Server) ValidateResourceTypeConfig(_ context.Context, req *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	resp := &tfprotov5.ValidateResourceTypeConfigResponse{}
	if req.TypeName != "aws_s3_bucket_lifecycle_configuration" || req.Config == nil {
		return resp, nil
	}
	ps, err := s.typeSchema(false, req.TypeName)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: validate", err.Error())
		return resp, nil
	}
	cfg, err := req.Config.Unmarshal(ps.ValueType())
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: decode configuration of "+req.TypeName, err.Error())
		return resp, nil
	}
	resp.Diagnostics = lifecycleFilterWarnings(cfg)
	return resp, nil
}

// lifecycleFilterWarnings warns, as hashicorp/aws does since 5.90, about a lifecycle rule
// that has neither a filter block nor the legacy prefix, and about an empty `filter {}`
// (which the provider cannot tell apart from no filter). Whole-bucket rules say
// `filter { prefix = "" }`. Values still unknown at validate time are not judged.
func lifecycleFilterWarnings(cfg tftypes.Value) []*tfprotov5.Diagnostic {
	var out []*tfprotov5.Diagnostic
	var top map[string]tftypes.Value
	if cfg.IsNull() || !cfg.IsKnown() || cfg.As(&top) != nil {
		return nil
	}
	var rules []tftypes.Value
	if r := top["rule"]; r.IsNull() || !r.IsKnown() || r.As(&rules) != nil {
		return nil
	}
	for i, rule := range rules {
		var ra map[string]tftypes.Value
		if !rule.IsKnown() || rule.As(&ra) != nil {
			continue
		}
		var filters []tftypes.Value
		f := ra["filter"]
		if !f.IsKnown() || (!f.IsNull() && f.As(&filters) != nil) {
			continue
		}
		prefix := ra["prefix"]
		if !prefix.IsKnown() {
			continue
		}
		rulePath := tftypes.NewAttributePath().WithAttributeName("rule").WithElementKeyInt(i)
		if len(filters) == 0 && prefix.IsNull() {
			out = append(out, &tfprotov5.Diagnostic{
				Severity:  tfprotov5.DiagnosticSeverityWarning,
				Summary:   "Invalid Attribute Combination",
				Detail:    fmt.Sprintf("No attribute specified when one (and only one) of [rule[%d].filter,rule[%d].prefix] is required", i, i),
				Attribute: rulePath,
			})
			continue
		}
		for _, fv := range filters {
			if emptyFilter(fv) {
				out = append(out, &tfprotov5.Diagnostic{
					Severity: tfprotov5.DiagnosticSeverityWarning,
					Summary:  "Invalid Attribute Combination",
					Detail: fmt.Sprintf("rule[%d].filter is empty: specify one of its arguments (prefix, tag, and, object_size_greater_than, object_size_less_than); "+
						"for a rule that covers the whole bucket use filter { prefix = \"\" }", i),
					Attribute: rulePath.WithAttributeName("filter"),
				})
			}
		}
	}
	return out
}

// emptyFilter reports a filter whose every argument and block is null or empty (an
// unknown one is not empty).
func emptyFilter(v tftypes.Value) bool {
	var fa map[string]tftypes.Value
	if !v.IsKnown() || v.As(&fa) != nil {
		return false
	}
	for _, x := range fa {
		if !x.IsKnown() {
			return false
		}
		if x.IsNull() {
			continue
		}
		var l []tftypes.Value
		if x.As(&l) == nil {
			if len(l) > 0 {
				return false
			}
			continue
		}
		return false
	}
	return true
}
