package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func dyn(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov5.DynamicValue {
	t.Helper()
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// objectFrom builds a value of an object type from a sparse map: absent attributes are
// null, which is how Terraform sends unset configuration.
func objectFrom(t *testing.T, typ tftypes.Type, vals map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	ot := typ.(tftypes.Object)
	all := map[string]tftypes.Value{}
	for k, at := range ot.AttributeTypes {
		if v, ok := vals[k]; ok {
			all[k] = v
			continue
		}
		all[k] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(typ, all)
}

func configured(t *testing.T, p *schema.Provider, region string) *Server {
	t.Helper()
	s := New(p, Options{})
	if p.Name != "aws" {
		return s
	}
	ps, err := s.providerSchema()
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType()
	dtType := typ.(tftypes.Object).AttributeTypes["default_tags"].(tftypes.List).ElementType
	cfg := objectFrom(t, typ, map[string]tftypes.Value{
		"region": tftypes.NewValue(tftypes.String, region),
		"default_tags": tftypes.NewValue(typ.(tftypes.Object).AttributeTypes["default_tags"], []tftypes.Value{
			objectFrom(t, dtType, map[string]tftypes.Value{"tags": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"Project": tftypes.NewValue(tftypes.String, "ctap")})}),
		}),
	})
	resp, err := s.ConfigureProvider(context.Background(), &tfprotov5.ConfigureProviderRequest{Config: dyn(t, typ, cfg)})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %+v", err, resp.Diagnostics)
	}
	return s
}

func attr(t *testing.T, v tftypes.Value, path ...string) tftypes.Value {
	t.Helper()
	for _, p := range path {
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			var l []tftypes.Value
			if err := v.As(&l); err != nil || len(l) == 0 {
				t.Fatalf("cannot step into %s of %s", p, v)
			}
			if err := l[0].As(&m); err != nil {
				t.Fatalf("cannot step into %s of %s", p, v)
			}
		}
		v = m[p]
	}
	return v
}

func TestPlanCreateMarksComputedNullsUnknownAtEveryDepth(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	ps, err := s.typeSchema(false, "aws_s3_bucket_lifecycle_configuration")
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType().(tftypes.Object)
	ruleT := typ.AttributeTypes["rule"].(tftypes.List).ElementType
	filterT := ruleT.(tftypes.Object).AttributeTypes["filter"].(tftypes.List).ElementType
	rule := objectFrom(t, ruleT, map[string]tftypes.Value{
		"id":     tftypes.NewValue(tftypes.String, "all"),
		"status": tftypes.NewValue(tftypes.String, "Enabled"),
		"filter": tftypes.NewValue(ruleT.(tftypes.Object).AttributeTypes["filter"], []tftypes.Value{
			objectFrom(t, filterT, map[string]tftypes.Value{"prefix": tftypes.NewValue(tftypes.String, "")}),
		}),
	})
	proposed := objectFrom(t, typ, map[string]tftypes.Value{
		"bucket": tftypes.NewValue(tftypes.String, "b"),
		"rule":   tftypes.NewValue(typ.AttributeTypes["rule"], []tftypes.Value{rule}),
	})
	resp, err := s.PlanResourceChange(context.Background(), &tfprotov5.PlanResourceChangeRequest{
		TypeName: "aws_s3_bucket_lifecycle_configuration", PriorState: dyn(t, typ, tftypes.NewValue(typ, nil)),
		ProposedNewState: dyn(t, typ, proposed), Config: dyn(t, typ, proposed),
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("plan: %v %+v", err, resp.Diagnostics)
	}
	planned, err := resp.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if v := attr(t, planned, "id"); v.IsKnown() {
		t.Errorf("id is known: %s", v)
	}
	if v := attr(t, planned, "rule", "filter", "object_size_greater_than"); v.IsKnown() {
		t.Errorf("nested computed attribute is known: %s", v)
	}
	if v := attr(t, planned, "rule", "prefix"); v.IsKnown() {
		t.Errorf("rule.prefix (optional+computed, unset) is known: %s", v)
	}
	if v := attr(t, planned, "bucket"); !v.Equal(tftypes.NewValue(tftypes.String, "b")) {
		t.Errorf("configured bucket changed: %s", v)
	}
	if v := attr(t, planned, "rule", "filter", "prefix"); !v.Equal(tftypes.NewValue(tftypes.String, "")) {
		t.Errorf("configured filter prefix changed: %s", v)
	}
	if v := attr(t, planned, "region"); !v.Equal(tftypes.NewValue(tftypes.String, "eu-west-1")) {
		t.Errorf("region %s, want the provider's eu-west-1", v)
	}
}

func TestPlanTagsAllMergesDefaultTagsAndUpdateKeepsPriorComputed(t *testing.T) {
	s := configured(t, schema.AWS(), "us-east-1")
	ps, err := s.typeSchema(false, "aws_sqs_queue")
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType().(tftypes.Object)
	mapT := tftypes.Map{ElementType: tftypes.String}
	proposed := objectFrom(t, typ, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "q"),
		"tags": tftypes.NewValue(mapT, map[string]tftypes.Value{"Name": tftypes.NewValue(tftypes.String, "q")}),
	})
	plan := func(prior, proposed tftypes.Value) tftypes.Value {
		resp, err := s.PlanResourceChange(context.Background(), &tfprotov5.PlanResourceChangeRequest{
			TypeName: "aws_sqs_queue", PriorState: dyn(t, typ, prior), ProposedNewState: dyn(t, typ, proposed), Config: dyn(t, typ, proposed),
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("plan: %v %+v", err, resp.Diagnostics)
		}
		v, err := resp.PlannedState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	created := plan(tftypes.NewValue(typ, nil), proposed)
	want := tftypes.NewValue(mapT, map[string]tftypes.Value{"Name": tftypes.NewValue(tftypes.String, "q"), "Project": tftypes.NewValue(tftypes.String, "ctap")})
	if v := attr(t, created, "tags_all"); !v.Equal(want) {
		t.Errorf("tags_all %s, want %s", v, want)
	}
	if attr(t, created, "arn").IsKnown() {
		t.Error("arn known on create")
	}
	// Update: the proposed state carries the prior computed values; they stay.
	var m map[string]tftypes.Value
	_ = proposed.As(&m)
	m["arn"] = tftypes.NewValue(tftypes.String, "arn:aws:sqs:us-east-1:123456789012:q")
	prior := tftypes.NewValue(typ, m)
	updated := plan(prior, prior)
	if v := attr(t, updated, "arn"); !v.Equal(tftypes.NewValue(tftypes.String, "arn:aws:sqs:us-east-1:123456789012:q")) {
		t.Errorf("update lost the prior arn: %s", v)
	}
}

func TestRandomStringPlanFillsDefaultsAndLeavesResultUnknown(t *testing.T) {
	s := configured(t, schema.Random(), "")
	ps, err := s.typeSchema(false, "random_string")
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType()
	proposed := objectFrom(t, typ, map[string]tftypes.Value{
		"length": tftypes.NewValue(tftypes.Number, big.NewFloat(6)), "special": tftypes.NewValue(tftypes.Bool, false),
	})
	resp, err := s.PlanResourceChange(context.Background(), &tfprotov5.PlanResourceChangeRequest{
		TypeName: "random_string", PriorState: dyn(t, typ, tftypes.NewValue(typ, nil)), ProposedNewState: dyn(t, typ, proposed), Config: dyn(t, typ, proposed),
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("plan: %v %+v", err, resp.Diagnostics)
	}
	planned, _ := resp.PlannedState.Unmarshal(typ)
	if attr(t, planned, "result").IsKnown() || attr(t, planned, "id").IsKnown() {
		t.Error("result/id known before apply")
	}
	if v := attr(t, planned, "upper"); !v.Equal(tftypes.NewValue(tftypes.Bool, true)) {
		t.Errorf("upper default %s", v)
	}
	if v := attr(t, planned, "special"); !v.Equal(tftypes.NewValue(tftypes.Bool, false)) {
		t.Errorf("configured special changed: %s", v)
	}
	if v := attr(t, planned, "min_lower"); !v.Equal(tftypes.NewValue(tftypes.Number, big.NewFloat(0))) {
		t.Errorf("min_lower default %s", v)
	}
}

func TestApplyAndImportRefuseHonestly(t *testing.T) {
	s := configured(t, schema.AWS(), "us-east-1")
	resp, err := s.ApplyResourceChange(context.Background(), &tfprotov5.ApplyResourceChangeRequest{TypeName: "aws_s3_bucket"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov5.DiagnosticSeverityError || resp.Diagnostics[0].Summary != ApplyRefusal {
		t.Fatalf("apply diagnostics %+v", resp.Diagnostics)
	}
	imp, _ := s.ImportResourceState(context.Background(), &tfprotov5.ImportResourceStateRequest{TypeName: "aws_s3_bucket", ID: "b"})
	if len(imp.Diagnostics) == 0 || imp.Diagnostics[0].Severity != tfprotov5.DiagnosticSeverityError {
		t.Fatalf("import did not refuse: %+v", imp.Diagnostics)
	}
}

func TestConfigureWithoutRegionFailsLikeTheProvider(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	s := New(schema.AWS(), Options{})
	ps, err := s.providerSchema()
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := s.ConfigureProvider(context.Background(), &tfprotov5.ConfigureProviderRequest{Config: dyn(t, ps.ValueType(), objectFrom(t, ps.ValueType(), nil))})
	if len(resp.Diagnostics) == 0 || !strings.Contains(resp.Diagnostics[0].Detail, "region") {
		t.Fatalf("diagnostics %+v", resp.Diagnostics)
	}
}

func readData(t *testing.T, s *Server, name string, vals map[string]tftypes.Value) (tftypes.Value, []*tfprotov5.Diagnostic) {
	t.Helper()
	ps, err := s.typeSchema(true, name)
	if err != nil {
		t.Fatal(err)
	}
	typ := ps.ValueType()
	resp, err := s.ReadDataSource(context.Background(), &tfprotov5.ReadDataSourceRequest{TypeName: name, Config: dyn(t, typ, objectFrom(t, typ, vals))})
	if err != nil {
		t.Fatal(err)
	}
	if resp.State == nil {
		return tftypes.Value{}, resp.Diagnostics
	}
	v, err := resp.State.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !v.IsFullyKnown() {
		t.Errorf("%s result has unknown values: %s", name, v)
	}
	return v, resp.Diagnostics
}

func tstr(v tftypes.Value) string {
	var s string
	_ = v.As(&s)
	return s
}

func TestDataSourcesAnswerWithoutNetwork(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	cases := []struct {
		name string
		vals map[string]tftypes.Value
		path []string
		want string
	}{
		{"aws_partition", nil, []string{"partition"}, "aws"},
		{"aws_partition", nil, []string{"dns_suffix"}, "amazonaws.com"},
		{"aws_region", nil, []string{"region"}, "eu-west-1"},
		{"aws_region", nil, []string{"name"}, "eu-west-1"},
		{"aws_region", nil, []string{"description"}, "Europe (Ireland)"},
		{"aws_region", map[string]tftypes.Value{"region": tftypes.NewValue(tftypes.String, "us-west-2")}, []string{"endpoint"}, "ec2.us-west-2.amazonaws.com"},
		{"aws_caller_identity", nil, []string{"account_id"}, TestAccountID},
		{"aws_caller_identity", nil, []string{"arn"}, "arn:aws:iam::123456789012:user/ctap-tfstub"},
		{"aws_organizations_organization", nil, []string{"id"}, TestOrganizationID},
		{"aws_organizations_organization", nil, []string{"master_account_id"}, TestAccountID},
		{"aws_organizations_organization", nil, []string{"roots", "id"}, TestRootID},
	}
	for _, tc := range cases {
		t.Run(tc.name+"."+strings.Join(tc.path, "."), func(t *testing.T) {
			v, diags := readData(t, s, tc.name, tc.vals)
			if len(diags) > 0 {
				t.Fatalf("diagnostics %+v", diags)
			}
			if got := tstr(attr(t, v, tc.path...)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRegionDataSourceRejectsAnUnknownRegion(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	_, diags := readData(t, s, "aws_region", map[string]tftypes.Value{"region": tftypes.NewValue(tftypes.String, "mars-north-1")})
	if len(diags) == 0 || !strings.Contains(diags[0].Summary, "mars-north-1") {
		t.Fatalf("diagnostics %+v", diags)
	}
}

func TestPolicyDocumentDataSourceRendersJSON(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	ps, _ := s.typeSchema(true, "aws_iam_policy_document")
	typ := ps.ValueType().(tftypes.Object)
	stT := typ.AttributeTypes["statement"].(tftypes.List).ElementType.(tftypes.Object)
	prT := stT.AttributeTypes["principals"].(tftypes.Set).ElementType
	setOf := func(ss ...string) tftypes.Value {
		var vs []tftypes.Value
		for _, s := range ss {
			vs = append(vs, tftypes.NewValue(tftypes.String, s))
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vs)
	}
	st := objectFrom(t, stT, map[string]tftypes.Value{
		"sid": tftypes.NewValue(tftypes.String, "AllowCloudTrail"), "actions": setOf("kms:GenerateDataKey*"), "resources": setOf("*"),
		"principals": tftypes.NewValue(stT.AttributeTypes["principals"], []tftypes.Value{objectFrom(t, prT, map[string]tftypes.Value{
			"type": tftypes.NewValue(tftypes.String, "Service"), "identifiers": setOf("cloudtrail.amazonaws.com")})}),
	})
	v, diags := readData(t, s, "aws_iam_policy_document", map[string]tftypes.Value{"statement": tftypes.NewValue(typ.AttributeTypes["statement"], []tftypes.Value{st})})
	if len(diags) > 0 {
		t.Fatalf("diagnostics %+v", diags)
	}
	var doc struct {
		Statement []struct {
			Sid, Effect, Action string
			Principal           map[string]string
		}
	}
	if err := json.Unmarshal([]byte(tstr(attr(t, v, "json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Principal["Service"] != "cloudtrail.amazonaws.com" || doc.Statement[0].Action != "kms:GenerateDataKey*" {
		t.Errorf("rendered %+v", doc)
	}
	if tstr(attr(t, v, "minified_json")) == "" || tstr(attr(t, v, "id")) == "" {
		t.Error("minified_json or id empty")
	}
}

func TestUnsimulatedDataSourceWarnsAndReturnsZeros(t *testing.T) {
	s := configured(t, schema.AWS(), "eu-west-1")
	v, diags := readData(t, s, "aws_availability_zones", nil)
	if len(diags) != 1 || diags[0].Severity != tfprotov5.DiagnosticSeverityWarning || !strings.Contains(diags[0].Summary, "aws_availability_zones") {
		t.Fatalf("diagnostics %+v", diags)
	}
	if names := attr(t, v, "names"); !names.IsKnown() || names.IsNull() {
		t.Errorf("names %s, want a known empty list", names)
	}
}
