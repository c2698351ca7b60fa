package unit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// anchoredPos turns "fixture/<file>@<text>" into "fixture/<file>:<line>:" for the
// first line of the file that contains text, so that expectations survive edits of
// the fixture; other positions are returned as they are.
func anchoredPos(t *testing.T, dir, pos string) string {
	t.Helper()
	file, anchor, ok := strings.Cut(pos, "@")
	if !ok {
		return pos
	}
	b, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(file, "fixture/")))
	if err != nil {
		t.Fatalf("anchor file: %v", err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, anchor) {
			return fmt.Sprintf("%s:%d:", file, i+1)
		}
	}
	t.Fatalf("anchor %q not found in %s", anchor, file)
	return ""
}

// modularFixture is shaped like the platform: buckets, the key and the functions come
// from submodules, and functions and schedules use for_each. It proves that rules
// follow submodule variables to each caller's arguments and tell for_each instances
// apart. Only the rule under test is asserted on it.
const modularFixture = "testdata/static/modular"

var modularCases = []struct {
	name string
	rule string
	muts []staticMutation
	pos  string
	want string
}{
	{name: "trail bucket without key falls back to AES256", rule: "bucket-sse-kms", muts: []staticMutation{{"main.tf", "  kms_key_arn = module.key.arn\n  log_target", "  log_target"}}, pos: `fixture/main.tf@module "logs" {`, want: `module.logs (aws_s3_bucket.this): SSE is AES256 but this is not the access-log bucket`},
	{name: "access logging switched off for one caller", rule: "bucket-access-logging", muts: []staticMutation{{"main.tf", `log_target  = { bucket = module.access_logs.id, prefix = "logs/" }`, `log_target  = null`}}, pos: `fixture/main.tf@module "logs" {`, want: "module.logs (aws_s3_bucket.this): access logging is switched off"},
	{name: "whole-bucket cleanup rule missing for one caller", rule: "lifecycle-cleanup", muts: []staticMutation{{"main.tf", `{ id = "cleanup", prefix = "", noncurrent_days = 30, abort_days = 7 }`, `{ id = "cleanup", prefix = "tmp/", noncurrent_days = 30, abort_days = 7 }`}}, pos: `fixture/main.tf@module "logs" {`, want: "module.logs (aws_s3_bucket.this): no whole-bucket"},
	{name: "caller rule without abort", rule: "lifecycle-cleanup", muts: []staticMutation{{"main.tf", `rules  = [{ id = "all", expire_days = 90, noncurrent_days = 30, abort_days = 7 }]`, `rules  = [{ id = "all", expire_days = 90, noncurrent_days = 30 }]`}}, pos: `fixture/main.tf@module "access_logs" {`, want: "module.access_logs (aws_s3_bucket.this): no whole-bucket (prefix \"\") rule with abort_incomplete_multipart_upload"},
	{name: "dynamic rule with empty filter", rule: "lifecycle-filter-prefix", muts: []staticMutation{{"modules/bucket/main.tf", `      filter {
        prefix = rule.value.prefix
      }`, `      filter {}`}}, pos: "fixture/modules/bucket/main.tf:", want: "empty filter {}"},
	{name: "module TLS deny inverted", rule: "bucket-tls-only", muts: []staticMutation{{"modules/bucket/main.tf", `values   = ["false"]`, `values   = ["true"]`}}, pos: "fixture/modules/bucket/main.tf:", want: "no statement denies aws:SecureTransport=false"},
	{name: "key policy passed to the key module lacks events", rule: "kms-service-principals", muts: []staticMutation{{"main.tf", `"events.amazonaws.com", `, ""}}, pos: "fixture/modules/key/main.tf:", want: "no statement lets events.amazonaws.com"},
	{name: "caller turns rotation off", rule: "kms-rotation", muts: []staticMutation{{"main.tf", "  policy_json = data.aws_iam_policy_document.key.json\n", "  policy_json = data.aws_iam_policy_document.key.json\n  rotate      = false\n"}}, pos: "fixture/modules/key/main.tf:", want: "enable_key_rotation is not true for every caller"},
	{name: "module default architecture x86", rule: "lambda-runtime", muts: []staticMutation{{"modules/fn/main.tf", `default     = "arm64"`, `default     = "x86_64"`}}, pos: "fixture/main.tf:", want: `module.function["reporter"] (aws_lambda_function.this): architectures is not ["arm64"]`},
	{name: "scheduled instance without dead letter", rule: "lambda-dead-letter", muts: []staticMutation{{"main.tf", `"reporter"      = aws_sns_topic.failures.arn`, `"reporter"      = null`}}, pos: "fixture/main.tf:", want: `module.function["reporter"] (aws_lambda_function.this): invoked asynchronously by aws_cloudwatch_event_target.schedule`},
	{name: "permission for the wrong instance", rule: "lambda-permission-per-trigger", muts: []staticMutation{{"main.tf", `function_name = module.function[each.value.function].name`, `function_name = module.function["log-processor"].name`}}, pos: "fixture/main.tf:", want: `aws_cloudwatch_event_target.schedule["daily"] invokes module.function["reporter"]`},
	{name: "statement id repeated across instances", rule: "lambda-permission-unique", muts: []staticMutation{{"main.tf", `  schedules = {
    daily = {`, `  schedules = {
    weekly = {
      function  = "reporter"
      statement = "AllowDailySchedule"
    }
    daily = {`}}, pos: "fixture/main.tf:", want: `statement_id "AllowDailySchedule" already used`},
	{name: "one instance name without suffix", rule: "name-suffix", muts: []staticMutation{{"main.tf", `"log-processor" = { name = "${var.name_prefix}-log-processor-${local.env_suffix}" }`, `"log-processor" = { name = "${var.name_prefix}-log-processor" }`}}, pos: "fixture/modules/fn/main.tf:", want: "aws_lambda_function.this: function_name = var.name does not derive"},
	{name: "module appends to a suffixed name", rule: "name-suffix-last", muts: []staticMutation{{"modules/fn/main.tf", "resource \"aws_iam_role\" \"this\" {\n  name = var.name\n", "resource \"aws_iam_role\" \"this\" {\n  name = \"${var.name}-role\"\n"}}, pos: "fixture/modules/fn/main.tf:", want: `aws_iam_role.this: name = "${var.name}-role" does not end with local.env_suffix`},
	{name: "module call without common tags", rule: "tags", muts: []staticMutation{{"main.tf", "  ]\n  tags = local.common_tags\n", "  ]\n"}}, pos: `fixture/main.tf@module "logs" {`, want: "module.logs: module takes tags but is not passed local.common_tags"},
	{name: "caller passes no log group key", rule: "log-group-encrypted", muts: []staticMutation{{"main.tf", `  kms_key_arn     = module.key.arn`, `  kms_key_arn     = null`}}, pos: "fixture/main.tf:", want: `module.function["log-processor"] (aws_cloudwatch_log_group.this): no kms_key_id`},
	{name: "contract variable missing", rule: "lambda-env-contract", muts: []staticMutation{{"main.tf", "      FINDINGS_TTL_DAYS = \"90\"\n", ""}}, pos: "fixture/main.tf:", want: `module.function["log-processor"] (aws_lambda_function.this): environment lacks FINDINGS_TTL_DAYS`},
	{name: "variable outside the contract", rule: "lambda-env-contract", muts: []staticMutation{{"main.tf", "      FINDINGS_TTL_DAYS = \"90\"\n", "      FINDINGS_TTL_DAYS = \"90\"\n      DEBUG_DUMP        = \"1\"\n"}}, pos: "fixture/main.tf:", want: "environment sets DEBUG_DUMP, which docs/contracts.md does not list for log-processor"},
}

func TestStaticCheckerFollowsSubmodules(t *testing.T) {
	rules := map[string]staticCheck{}
	for _, c := range allChecks() {
		rules[c.rule] = c
	}
	base := staticLoadFixture(t, modularFixture)
	for _, tc := range modularCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			c, ok := rules[tc.rule]
			if !ok {
				t.Fatalf("unknown rule %s", tc.rule)
			}
			if vs := c.run(base); len(vs) > 0 {
				t.Fatalf("rule %s already fails on the unmodified modular fixture: %v", tc.rule, vs)
			}
			dir := staticCopyFixtureFrom(t, modularFixture)
			for _, m := range tc.muts {
				staticApplyMutation(t, dir, m)
			}
			vs := c.run(staticLoadFixture(t, dir))
			pos := anchoredPos(t, dir, tc.pos)
			for _, v := range vs {
				s := v.String()
				if strings.HasPrefix(s, pos) && strings.Contains(s, tc.want) {
					return
				}
			}
			t.Errorf("no %s violation at %q containing %q; got %v", tc.rule, pos, tc.want, vs)
		})
	}
}

// TestStaticCheckerSurvivesNullsAndOddShapes runs every rule over inputs that are
// valid HCL but odd (nulls where lists and objects are expected, dynamic blocks over
// null, empty modules): rules report, they never panic.
func TestStaticCheckerSurvivesNullsAndOddShapes(t *testing.T) {
	dir := staticCopyFixtureFrom(t, modularFixture)
	for _, m := range []staticMutation{
		{"main.tf", `rules  = [{ id = "all", expire_days = 90, noncurrent_days = 30, abort_days = 7 }]`, `rules  = null`},
		{"main.tf", `log_target  = { bucket = module.access_logs.id, prefix = "logs/" }`, `log_target  = { bucket = null, prefix = null }`},
		{"main.tf", `"reporter"      = aws_sns_topic.failures.arn`, `"reporter"      = [null]`},
		{"main.tf", `environment     = local.environments[each.key]`, `environment     = null`},
		{"modules/fn/main.tf", `architectures    = [var.architecture]`, `architectures    = [null]`},
		{"modules/fn/main.tf", `default     = "provided.al2023"`, `default     = null`},
	} {
		staticApplyMutation(t, dir, m)
	}
	if err := os.MkdirAll(filepath.Join(dir, "modules", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tree := staticLoadFixture(t, dir)
	for _, c := range allChecks() {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("rule %s panicked: %v", c.rule, p)
				}
			}()
			_ = c.run(tree)
		}()
	}
}
