package schema

import (
	"reflect"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

func mustResource(t *testing.T, p *Provider, name string, data bool) *tfjson.Schema {
	t.Helper()
	lookup := p.Resource
	if data {
		lookup = p.DataSource
	}
	s, ok, err := lookup(name)
	if err != nil || !ok {
		t.Fatalf("%s: ok=%v err=%v", name, ok, err)
	}
	return s
}

func TestToProtoKeepsTypesFlagsAndNesting(t *testing.T) {
	s := &tfjson.Schema{Version: 3, Block: &tfjson.SchemaBlock{
		Attributes: map[string]*tfjson.SchemaAttribute{
			"name":  {AttributeType: cty.String, Required: true},
			"tags":  {AttributeType: cty.Map(cty.String), Optional: true},
			"arn":   {AttributeType: cty.String, Computed: true},
			"token": {AttributeType: cty.String, Optional: true, Sensitive: true, Deprecated: true},
			"items": {AttributeType: cty.List(cty.Object(map[string]cty.Type{"id": cty.String, "n": cty.Number})), Computed: true},
			"flags": {AttributeType: cty.Set(cty.Bool), Optional: true, Computed: true},
		},
		NestedBlocks: map[string]*tfjson.SchemaBlockType{
			"rule":   {NestingMode: tfjson.SchemaNestingModeList, MinItems: 1, MaxItems: 5, Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"id": {AttributeType: cty.String, Optional: true}}}},
			"filter": {NestingMode: tfjson.SchemaNestingModeSet, Block: &tfjson.SchemaBlock{}},
			"one":    {NestingMode: tfjson.SchemaNestingModeSingle, Block: &tfjson.SchemaBlock{}},
			"named":  {NestingMode: tfjson.SchemaNestingModeMap, Block: &tfjson.SchemaBlock{}},
		},
	}}
	ps, err := ToProto(s)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Version != 3 {
		t.Errorf("version %d", ps.Version)
	}
	attrs := map[string]*tfprotov5.SchemaAttribute{}
	for _, a := range ps.Block.Attributes {
		attrs[a.Name] = a
	}
	if a := attrs["name"]; !a.Required || a.Optional || !a.Type.Is(tftypes.String) {
		t.Errorf("name: %+v", a)
	}
	if a := attrs["token"]; !a.Sensitive || !a.Deprecated || !a.Optional {
		t.Errorf("token: %+v", a)
	}
	if a := attrs["flags"]; !a.Optional || !a.Computed || !a.Type.Equal(tftypes.Set{ElementType: tftypes.Bool}) {
		t.Errorf("flags: %+v", a)
	}
	wantItems := tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String, "n": tftypes.Number}}}
	if !attrs["items"].Type.Equal(wantItems) {
		t.Errorf("items type %s", attrs["items"].Type)
	}
	blocks := map[string]*tfprotov5.SchemaNestedBlock{}
	for _, b := range ps.Block.BlockTypes {
		blocks[b.TypeName] = b
	}
	if b := blocks["rule"]; b.Nesting != tfprotov5.SchemaNestedBlockNestingModeList || b.MinItems != 1 || b.MaxItems != 5 || len(b.Block.Attributes) != 1 {
		t.Errorf("rule: %+v", b)
	}
	for name, mode := range map[string]tfprotov5.SchemaNestedBlockNestingMode{
		"filter": tfprotov5.SchemaNestedBlockNestingModeSet, "one": tfprotov5.SchemaNestedBlockNestingModeSingle, "named": tfprotov5.SchemaNestedBlockNestingModeMap,
	} {
		if blocks[name].Nesting != mode {
			t.Errorf("%s nesting %v, want %v", name, blocks[name].Nesting, mode)
		}
	}
	// The value type Terraform derives must match the attributes and blocks.
	vt := ps.ValueType().(tftypes.Object)
	if !vt.AttributeTypes["rule"].Equal(tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}}}) {
		t.Errorf("rule value type %s", vt.AttributeTypes["rule"])
	}
}

func TestToProtoRejectsWhatProtocol5CannotCarry(t *testing.T) {
	for name, s := range map[string]*tfjson.Schema{
		"no block":     {},
		"nested attrs": {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"x": {AttributeNestedType: &tfjson.SchemaNestedAttributeType{}}}}},
		"no type":      {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{"x": {Optional: true}}}},
		"bad nesting":  {Block: &tfjson.SchemaBlock{NestedBlocks: map[string]*tfjson.SchemaBlockType{"b": {NestingMode: "weird", Block: &tfjson.SchemaBlock{}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ToProto(s); err == nil {
				t.Fatal("converted without error")
			}
		})
	}
}

func TestAWSSchemaHasTheV6Deltas(t *testing.T) {
	aws := AWS()
	region := mustResource(t, aws, "aws_region", true)
	if a := region.Block.Attributes["region"]; a == nil || !a.Optional || !a.Computed {
		t.Errorf("data aws_region lacks the v6 region attribute: %+v", a)
	}
	if !region.Block.Attributes["name"].Deprecated {
		t.Error("data aws_region name is not deprecated")
	}
	for _, typ := range []string{"aws_s3_bucket", "aws_cloudtrail", "aws_lambda_function", "aws_kms_key", "aws_sqs_queue", "aws_dynamodb_table"} {
		if a := mustResource(t, aws, typ, false).Block.Attributes["region"]; a == nil || !a.Optional || !a.Computed {
			t.Errorf("%s lacks the per-resource region argument", typ)
		}
	}
	for _, typ := range []string{"aws_iam_role", "aws_iam_role_policy", "aws_organizations_account"} {
		if _, has := mustResource(t, aws, typ, false).Block.Attributes["region"]; has {
			t.Errorf("global %s got a region argument", typ)
		}
	}
	for _, typ := range []string{"aws_iam_policy_document", "aws_partition", "aws_caller_identity"} {
		if _, has := mustResource(t, aws, typ, true).Block.Attributes["region"]; has {
			t.Errorf("global data source %s got a region argument", typ)
		}
	}
	if a := mustResource(t, aws, "aws_s3_bucket", false).Block.Attributes["bucket_region"]; a == nil || !a.Computed {
		t.Error("aws_s3_bucket lacks bucket_region")
	}
	if _, has := mustResource(t, aws, "aws_eip", false).Block.Attributes["vpc"]; has {
		t.Error("aws_eip still has vpc")
	}
	for _, gone := range []string{"aws_opsworks_stack", "aws_simpledb_domain", "aws_worklink_fleet", "aws_redshift_service_account"} {
		if _, ok, _ := aws.Resource(gone); ok {
			t.Errorf("%s was removed in v6 but is served", gone)
		}
	}
}

func TestEveryDeltaAppliesToTheUpstreamSchema(t *testing.T) {
	// A delta whose target is missing upstream fails the lookup, so loading each type
	// proves every delta still matches v5.100.0.
	for _, d := range Deltas {
		lookup := AWS().Resource
		if d.DataSource {
			lookup = AWS().DataSource
		}
		if _, ok, err := lookup(d.Type); err != nil || !ok {
			t.Errorf("%s (%s): ok=%v err=%v", d.Type, d.Change, ok, err)
		}
	}
}

func TestRandomStringSchemaIsTheProvidersV2(t *testing.T) {
	s := mustResource(t, Random(), "random_string", false)
	if s.Version != 2 {
		t.Errorf("schema version %d, want 2", s.Version)
	}
	a := s.Block.Attributes
	if !a["length"].Required || !a["result"].Computed || a["result"].Optional || !a["number"].Deprecated || !a["numeric"].Optional || !a["numeric"].Computed {
		t.Errorf("unexpected flags: length=%+v result=%+v number=%+v numeric=%+v", a["length"], a["result"], a["number"], a["numeric"])
	}
}

func TestProviderConfigHasTheSkipFlagsAndDefaultTags(t *testing.T) {
	c, err := AWS().Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"region", "skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check", "skip_region_validation", "access_key", "secret_key"} {
		if _, ok := c.Block.Attributes[n]; !ok {
			t.Errorf("provider config lacks %s", n)
		}
	}
	if c.Block.Attributes["skip_metadata_api_check"].AttributeType != cty.String {
		t.Error("skip_metadata_api_check must be a string, as in the real provider")
	}
	for _, b := range []string{"default_tags", "assume_role", "ignore_tags", "endpoints"} {
		if _, ok := c.Block.NestedBlocks[b]; !ok {
			t.Errorf("provider config lacks block %s", b)
		}
	}
	if _, ok := c.Block.NestedBlocks["endpoints"].Block.Attributes["cloudtrail"]; !ok {
		t.Error("endpoints lacks cloudtrail")
	}
}

func TestCacheRoundTripsToTheSameProtocolSchemas(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every upstream schema (seconds)")
	}
	dir := t.TempDir()
	first, firstData, err := AWS().AllProto(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	cached, cachedData, err := AWS().AllProto(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 1400 || len(firstData) < 550 || len(cached) != len(first) || len(cachedData) != len(firstData) {
		t.Fatalf("resources %d/%d, data sources %d/%d", len(first), len(cached), len(firstData), len(cachedData))
	}
	for _, name := range []string{"aws_s3_bucket_lifecycle_configuration", "aws_cloudtrail", "aws_lambda_function"} {
		if !first[name].ValueType().Equal(cached[name].ValueType()) {
			t.Errorf("%s: cached value type differs", name)
		}
		direct, err := ToProto(mustResource(t, AWS(), name, false))
		if err != nil {
			t.Fatal(err)
		}
		if !direct.ValueType().Equal(cached[name].ValueType()) || !reflect.DeepEqual(names(direct.Block), names(cached[name].Block)) {
			t.Errorf("%s: cached schema differs from the direct conversion", name)
		}
	}
}

func names(b *tfprotov5.SchemaBlock) []string {
	var out []string
	for _, a := range b.Attributes {
		out = append(out, a.Name+flags(a))
	}
	for _, nb := range b.BlockTypes {
		out = append(out, nb.TypeName+"{")
		out = append(out, names(nb.Block)...)
		out = append(out, "}")
	}
	return out
}

func flags(a *tfprotov5.SchemaAttribute) string {
	var f []string
	for _, x := range []struct {
		on bool
		s  string
	}{{a.Required, "R"}, {a.Optional, "O"}, {a.Computed, "C"}, {a.Sensitive, "S"}, {a.Deprecated, "D"}} {
		if x.on {
			f = append(f, x.s)
		}
	}
	return ":" + strings.Join(f, "")
}
