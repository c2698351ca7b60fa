package hclcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// writeTree writes files (path relative to the root -> content) and loads the tree.
func writeTree(t *testing.T, files map[string]string) *Tree {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := LoadTree(dir, "tf")
	if err != nil {
		t.Fatalf("LoadTree: %v", err)
	}
	return tree
}

func TestLoadTreeReportsParseErrorsWithFileAndLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.tf"), []byte("locals {\n  a = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.tf"), []byte("locals {\n  a = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadTree(dir, "tf")
	if err == nil || !strings.Contains(err.Error(), "tf/bad.tf:") {
		t.Fatalf("want a parse error naming tf/bad.tf:<line>, got %v", err)
	}
}

func TestLoadTreeFindsSubmodulesExamplesAndCalls(t *testing.T) {
	tree := writeTree(t, map[string]string{
		"main.tf":                     `module "b" { source = "./modules/bucket" }`,
		"modules/bucket/main.tf":      `resource "aws_s3_bucket" "this" {}`,
		"examples/basic/main.tf":      `module "p" { source = "../.." }`,
		"modules/bucket/README.md":    "not parsed",
		"examples/basic/extra.tfvars": `x = 1`,
	})
	if got := len(tree.Modules()); got != 3 {
		t.Fatalf("modules = %d, want 3", got)
	}
	sub := tree.Submodules["modules/bucket"]
	if sub == nil || sub.Kind != KindSubmodule || len(sub.Resources) != 1 {
		t.Fatalf("submodule not loaded: %+v", sub)
	}
	if got := sub.CallsTo(); len(got) != 1 || got[0].Addr() != "module.b" {
		t.Errorf("CallsTo = %v, want module.b", got)
	}
	ex := tree.Examples["examples/basic"]
	if ex.CallTarget(ex.Calls[0]) != tree.Root {
		t.Errorf("example call does not resolve to the root module")
	}
	if pos := sub.Resources[0].Pos(); pos != "tf/modules/bucket/main.tf:1" {
		t.Errorf("Pos = %q", pos)
	}
}

func TestPolicyOfReadsJSONEncodeAndPolicyDocuments(t *testing.T) {
	tree := writeTree(t, map[string]string{"main.tf": `
locals {
  extra = [{ Sid = "FromLocal", Effect = "Deny", Action = "s3:*", Resource = "*",
    Principal = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } }]
}
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "DocStatement"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:x"]
    }
  }
}
resource "aws_s3_bucket_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid       = "Inline"
        Effect    = "Allow"
        Principal = { Service = ["a.amazonaws.com", "b.amazonaws.com"] }
        Action    = ["s3:PutObject"]
        Resource  = ["${aws_s3_bucket.x.arn}/AWSLogs/${local.account_id}/*"]
        Condition = { StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control" } }
      }
    ], local.extra)
  })
}
resource "aws_kms_key" "k" { policy = data.aws_iam_policy_document.base.json }
`})
	m := tree.Root
	p := m.PolicyOf(m.Resource("aws_s3_bucket_policy", "p").Attr("policy"))
	var sids []string
	for _, s := range p.Statements {
		sids = append(sids, s.Sid)
	}
	if !reflect.DeepEqual(sids, []string{"Inline", "FromLocal"}) {
		t.Fatalf("sids = %v, unresolved %v", sids, p.Unresolved)
	}
	in := p.Statements[0]
	if !in.HasPrincipal("Service", "b.amazonaws.com") || !in.HasAction("s3:putobject") {
		t.Errorf("inline statement principals/actions: %+v", in)
	}
	if got := in.Resources; len(got) != 1 || got[0] != "${aws_s3_bucket.x.arn}/AWSLogs/${local.account_id}/*" {
		t.Errorf("resources rendered as %q", got)
	}
	if c := in.Condition("s3:x-amz-acl"); len(c) != 1 || c[0].Test != "StringEquals" || c[0].Values[0] != "bucket-owner-full-control" {
		t.Errorf("condition = %+v", c)
	}
	kp := m.PolicyOf(m.Resource("aws_kms_key", "k").Attr("policy"))
	if len(kp.Statements) != 1 {
		t.Fatalf("document statements = %d", len(kp.Statements))
	}
	doc := kp.Statements[0]
	if doc.Effect != "Allow" || doc.Principals["Service"][0] != "logs.${data.aws_region.current.region}.amazonaws.com" {
		t.Errorf("document statement = %+v", doc)
	}
	if c := doc.Condition("kms:EncryptionContext:aws:logs:arn"); len(c) != 1 || c[0].Test != "ArnLike" {
		t.Errorf("document condition = %+v", c)
	}
}

func TestPolicyOfFollowsSubmoduleVariableToEveryCaller(t *testing.T) {
	tree := writeTree(t, map[string]string{
		"main.tf": `
module "a" {
  source = "./modules/key"
  policy = jsonencode({ Statement = [{ Sid = "A", Effect = "Allow", Action = "kms:Decrypt" }] })
}
module "b" {
  source = "./modules/key"
  policy = jsonencode({ Statement = [{ Sid = "B", Effect = "Allow", Action = "kms:Encrypt" }] })
}`,
		"modules/key/main.tf": `
variable "policy" {
  type        = string
  description = "Key policy."
}
resource "aws_kms_key" "this" { policy = var.policy }`,
	})
	sub := tree.Submodules["modules/key"]
	p := sub.PolicyOf(sub.Resources[0].Attr("policy"))
	if len(p.Statements) != 2 || p.Statements[0].Sid != "A" || p.Statements[1].Sid != "B" {
		t.Fatalf("statements = %+v unresolved %v", p.Statements, p.Unresolved)
	}
	if pos := Pos(p.Statements[0].Range); !strings.HasPrefix(pos, "tf/main.tf:") {
		t.Errorf("statement position %q should point at the caller", pos)
	}
}

func TestDerivesFromFollowsLocalsVariablesOutputsAndForEach(t *testing.T) {
	tree := writeTree(t, map[string]string{
		"main.tf": `
resource "random_string" "suffix" { length = 6 }
locals {
  env_suffix = "dev-${random_string.suffix.result}"
  names      = { good = "x-${local.env_suffix}", bad = "x-fixed" }
  fns        = { a = { name = "a-${local.env_suffix}" }, b = { name = "b-${local.env_suffix}" } }
}
module "fn" {
  source   = "./modules/fn"
  for_each = local.fns
  name     = each.value.name
}
module "fixed" {
  source = "./modules/other"
  name   = local.names.bad
}`,
		"modules/fn/main.tf": `
variable "name" {
  type        = string
  description = "Name."
}
resource "aws_lambda_function" "this" { function_name = var.name }
output "name" {
  description = "Name."
  value       = aws_lambda_function.this.function_name
}`,
		"modules/other/main.tf": `
variable "name" {
  type        = string
  description = "Name."
}
resource "aws_sqs_queue" "this" { name = var.name }`,
	})
	root := func(_ *Module, ref string) bool { return ref == "local.env_suffix" }
	m := tree.Root
	cases := []struct {
		name string
		mod  *Module
		expr string
		want bool
	}{
		{"object local field that uses the suffix", m, "local.names.good", true},
		{"object local field without the suffix", m, "local.names.bad", false},
		{"submodule variable passed from for_each entries", tree.Submodules["modules/fn"], "var.name", true},
		{"submodule variable passed a fixed name", tree.Submodules["modules/other"], "var.name", false},
		{"module output of a resource with a derived name", m, `module.fn["a"].name`, true},
		{"plain variable of the root", m, "var.environment", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, diags := hclsyntax.ParseExpression([]byte(tc.expr), "expr.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got := tc.mod.DerivesFrom(e, root); got != tc.want {
				t.Errorf("DerivesFrom(%s) = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestForEachKeysAndInstanceRefs(t *testing.T) {
	tree := writeTree(t, map[string]string{"main.tf": `
locals {
  keys  = ["x", "y"]
  byKey = { for k in local.keys : k => { fn = "f-${k}" } }
  sched = { daily = { function = "reporter" } }
  merged = merge(
    { for k in local.keys : k => k },
    { for name, s in local.sched : name => s.function },
  )
}
resource "aws_cloudwatch_event_target" "t" {
  for_each = local.sched
  rule     = aws_cloudwatch_event_rule.r[each.key].name
  arn      = module.function[each.value.function].arn
}
resource "aws_sns_topic" "s" { for_each = toset(local.keys) }
`})
	m := tree.Root
	tgt := m.Resource("aws_cloudwatch_event_target", "t")
	keys, ok := tgt.Instances()
	if !ok || !reflect.DeepEqual(keys, []string{"daily"}) {
		t.Fatalf("Instances = %v, %v", keys, ok)
	}
	got := tgt.InstanceRefs(tgt.Attr("arn"), "daily")
	if !reflect.DeepEqual(got, []string{`module.function["reporter"]`, `module.function["reporter"].arn`}) {
		t.Errorf("InstanceRefs(arn) = %q", got)
	}
	got = tgt.InstanceRefs(tgt.Attr("rule"), "daily")
	if !reflect.DeepEqual(got, []string{`aws_cloudwatch_event_rule.r["daily"]`, `aws_cloudwatch_event_rule.r["daily"].name`}) {
		t.Errorf("InstanceRefs(rule) = %q", got)
	}
	sk, ok := m.Resource("aws_sns_topic", "s").Instances()
	if !ok || !reflect.DeepEqual(sk, []string{"x", "y"}) {
		t.Errorf("toset(local.keys) instances = %v, %v", sk, ok)
	}
	mk, ok := m.ForEachKeys(m.Local("merged"))
	if !ok || !reflect.DeepEqual(mk, []string{"x", "y", "daily"}) {
		t.Errorf("merge of for-expressions keys = %v, %v", mk, ok)
	}
	fk, ok := m.ForEachKeys(m.Local("byKey"))
	if !ok || !reflect.DeepEqual(fk, []string{"x", "y"}) {
		t.Errorf("for-expression keys = %v, %v", fk, ok)
	}
}

func TestLiteralsSkipCommentsAndFindHeredocs(t *testing.T) {
	tree := writeTree(t, map[string]string{"main.tf": `
# arn:aws:iam::123456789012:root in a comment is not a literal
locals {
  a = "arn:${data.aws_partition.current.partition}:s3:::b"
  q = <<-SQL
    SELECT 1
  SQL
}
`})
	m := tree.Root
	var texts []string
	for _, l := range m.Literals() {
		texts = append(texts, l.Text)
	}
	joined := strings.Join(texts, "|")
	if strings.Contains(joined, "123456789012") {
		t.Errorf("comment text leaked into literals: %q", joined)
	}
	if !strings.Contains(joined, ":s3:::b") || !strings.Contains(joined, "SELECT 1") {
		t.Errorf("literals = %q", joined)
	}
	hs := m.Heredocs()
	if len(hs) != 1 || hs[0].Attribute != "q" {
		t.Errorf("heredocs = %+v", hs)
	}
}

func TestEachValuesReadsFieldsOfComputedForEach(t *testing.T) {
	tree := writeTree(t, map[string]string{"main.tf": `
locals {
  tables  = { a = "ta", b = "tb" }
  metrics = { r = "ReadThrottleEvents", w = "WriteThrottleEvents" }
  alarms = {
    for p in setproduct(keys(local.tables), keys(local.metrics)) :
    "${p[0]}-${p[1]}" => { metric = local.metrics[p[1]], ns = "AWS/DynamoDB" }
  }
}
resource "aws_cloudwatch_metric_alarm" "a" {
  for_each    = local.alarms
  namespace   = each.value.ns
  metric_name = each.value.metric
  period      = each.value.unknown
}
`})
	a := tree.Root.Resource("aws_cloudwatch_metric_alarm", "a")
	if _, ok := a.Instances(); ok {
		t.Fatal("setproduct keys should not be static")
	}
	got, ok := a.EachValues(a.Attr("metric_name"))
	if !ok || !reflect.DeepEqual(got, []string{"ReadThrottleEvents", "WriteThrottleEvents"}) {
		t.Errorf("EachValues(metric_name) = %v, %v", got, ok)
	}
	if got, ok := a.EachValues(a.Attr("namespace")); !ok || !reflect.DeepEqual(got, []string{"AWS/DynamoDB"}) {
		t.Errorf("EachValues(namespace) = %v, %v", got, ok)
	}
	if _, ok := a.EachValues(a.Attr("period")); ok {
		t.Error("a missing field must not be reported as known")
	}
}

func TestEndsWithFollowsTemplatesFormatAndCallers(t *testing.T) {
	tree := writeTree(t, map[string]string{
		"main.tf": `
locals {
  env_suffix = "dev-x"
  tmpl       = "p-%s-${local.env_suffix}"
  fns        = { a = { name = format(local.tmpl, "a") } }
}
module "fn" {
  source   = "./modules/fn"
  for_each = local.fns
  name     = each.value.name
}
resource "aws_sqs_queue" "last" { name = "p-q-${local.env_suffix}" }
resource "aws_sqs_queue" "middle" { name = "p-${local.env_suffix}-q" }
resource "aws_glue_catalog_database" "g" { name = replace("p_${local.env_suffix}", "-", "_") }
`,
		"modules/fn/main.tf": `
variable "name" {
  type        = string
  description = "Name."
}
resource "aws_lambda_function" "this" { function_name = var.name }
resource "aws_cloudwatch_metric_alarm" "a" { alarm_name = "${var.name}-errors" }
resource "aws_cloudwatch_log_group" "l" { name = "/aws/lambda/${aws_lambda_function.this.function_name}" }
`,
	})
	end := func(_ *Module, ref string) bool { return ref == "local.env_suffix" }
	root, fn := tree.Root, tree.Submodules["modules/fn"]
	cases := []struct {
		name string
		b    *Block
		attr string
		want bool
	}{
		{"template ending in the suffix", root.Resource("aws_sqs_queue", "last"), "name", true},
		{"template with text after the suffix", root.Resource("aws_sqs_queue", "middle"), "name", false},
		{"replace keeps the ending", root.Resource("aws_glue_catalog_database", "g"), "name", true},
		{"variable passed format() of a suffixed template through for_each", fn.Resource("aws_lambda_function", "this"), "function_name", true},
		{"text appended to a suffixed variable", fn.Resource("aws_cloudwatch_metric_alarm", "a"), "alarm_name", false},
		{"resource name reference", fn.Resource("aws_cloudwatch_log_group", "l"), "name", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.b.EndsWith(tc.b.Attr(tc.attr), end); got != tc.want {
				t.Errorf("EndsWith(%s) = %v, want %v", tc.b.Module.Src(tc.b.Attr(tc.attr)), got, tc.want)
			}
		})
	}
}

// The static checks must see the schema the plans run against (v5.100.0 with the v6
// deltas), or a rule could demand an argument the stand-in rejects.
func TestSchemaLookupsSeeTheServedV6Schema(t *testing.T) {
	for _, tc := range []struct {
		name            string
		typ, attr       string
		has, known      bool
		taggable, tagOK bool
	}{
		{"regional type gains region", "aws_sqs_queue", "region", true, true, true, true},
		{"global type gets no region", "aws_iam_role", "region", false, true, true, true},
		{"argument v6 removes is gone", "aws_flow_log", "log_group_name", false, true, true, true},
		{"argument v6 adds is there", "aws_s3_bucket", "bucket_region", true, true, true, true},
		{"untaggable type", "aws_s3_bucket_policy", "policy", true, true, false, true},
		{"type v6 removes is unknown", "aws_opsworks_stack", "name", false, false, false, false},
		{"other provider is unknown", "random_string", "length", false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			has, known := SchemaAttribute(tc.typ, tc.attr)
			if has != tc.has || known != tc.known {
				t.Errorf("SchemaAttribute(%s, %s) = %v, %v; want %v, %v", tc.typ, tc.attr, has, known, tc.has, tc.known)
			}
			taggable, known := Taggable(tc.typ)
			if taggable != tc.taggable || known != tc.tagOK {
				t.Errorf("Taggable(%s) = %v, %v; want %v, %v", tc.typ, taggable, known, tc.taggable, tc.tagOK)
			}
		})
	}
}
