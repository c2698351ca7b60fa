package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestLifecycleValidationWarnsLikeTheProvider(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	ps, err := s.typeSchema(false, "aws_s3_bucket_lifecycle_configuration")
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType().(tftypes.Object)
	ruleT := typ.AttributeTypes["rule"].(tftypes.List).ElementType.(tftypes.Object)
	filterListT := ruleT.AttributeTypes["filter"]
	filterT := filterListT.(tftypes.List).ElementType
	filter := func(vals map[string]tftypes.Value) tftypes.Value {
		return tftypes.NewValue(filterListT, []tftypes.Value{objectFrom(t, filterT, vals)})
	}
	cases := []struct {
		name string
		rule map[string]tftypes.Value
		want string // "" for no warning
	}{
		{"no filter and no prefix", map[string]tftypes.Value{}, "one (and only one) of [rule[0].filter,rule[0].prefix] is required"},
		{"empty filter block", map[string]tftypes.Value{"filter": filter(nil)}, "rule[0].filter is empty"},
		{"whole bucket with prefix \"\"", map[string]tftypes.Value{"filter": filter(map[string]tftypes.Value{"prefix": tftypes.NewValue(tftypes.String, "")})}, ""},
		{"prefix filter", map[string]tftypes.Value{"filter": filter(map[string]tftypes.Value{"prefix": tftypes.NewValue(tftypes.String, "logs/")})}, ""},
		{"legacy rule prefix", map[string]tftypes.Value{"prefix": tftypes.NewValue(tftypes.String, "logs/")}, ""},
		{"prefix not yet known", map[string]tftypes.Value{"filter": filter(map[string]tftypes.Value{"prefix": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vals := map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "r"), "status": tftypes.NewValue(tftypes.String, "Enabled")}
			for k, v := range tc.rule {
				vals[k] = v
			}
			cfg := objectFrom(t, typ, map[string]tftypes.Value{
				"bucket": tftypes.NewValue(tftypes.String, "b"),
				"rule":   tftypes.NewValue(typ.AttributeTypes["rule"], []tftypes.Value{objectFrom(t, ruleT, vals)}),
			})
			resp, err := s.ValidateResourceTypeConfig(context.Background(), &tfprotov5.ValidateResourceTypeConfigRequest{TypeName: "aws_s3_bucket_lifecycle_configuration", Config: dyn(t, typ, cfg)})
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(resp.Diagnostics) != 0 {
					t.Fatalf("unexpected diagnostics: %+v", resp.Diagnostics[0])
				}
				return
			}
			if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov5.DiagnosticSeverityWarning || !strings.Contains(resp.Diagnostics[0].Detail, tc.want) {
				t.Fatalf("diagnostics %+v, want one warning containing %q", resp.Diagnostics, tc.want)
			}
		})
	}
}
