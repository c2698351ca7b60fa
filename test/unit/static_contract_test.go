package unit

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// contractEnv is the environment each function reads, from docs/contracts.md
// ("Environment variables (set by Terraform, validated at cold start)"). Functions are
// keyed by the hyphenated names used for dist/<key>.zip.
var contractEnv = map[string][]string{
	"log-processor":  {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS"},
	"event-analyzer": {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS"},
	"alert-router": {"LOG_LEVEL", "FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_HIGH_ARN", "TOPIC_MEDIUM_ARN",
		"ALERT_STATE_TABLE", "SUPPRESSION_WINDOW_MINUTES"},
	"compliance-reporter": {"LOG_LEVEL", "FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_MEDIUM_ARN",
		"ATHENA_WORKGROUP", "ATHENA_DATABASE", "ATHENA_TABLE", "ATHENA_QUERY_TIMEOUT_SECONDS", "COMPLIANCE_QUERY_IDS",
		"REPORT_BUCKET", "REPORT_PREFIX", "TRAIL_ARN", "TRAIL_MAX_DELIVERY_AGE_MINUTES", "ALLOWED_REGIONS"},
	"anomaly-detector": {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS", "ATHENA_WORKGROUP", "ATHENA_DATABASE",
		"ATHENA_TABLE", "ATHENA_QUERY_TIMEOUT_SECONDS", "ALLOWED_REGIONS", "ANOMALY_BASELINE_DAYS", "ANOMALY_ZSCORE",
		"ANOMALY_MIN_CALLS", "ANOMALY_ACCESS_DENIED_MIN", "ANOMALY_BULK_READ_MIN"},
}

func contractChecks() []staticCheck {
	return []staticCheck{
		{rule: "lambda-env-contract", why: "DESIGN §3 / docs/contracts.md: each function gets exactly the environment it validates", run: checkLambdaEnvContract},
	}
}

// functionEnvKeys returns the environment variable names a function instance gets, or
// ok false when they cannot be determined statically.
func functionEnvKeys(fn *hclcheck.Block, ctx hclcheck.Context) (keys []string, ok bool) {
	objKeys := func(v cty.Value) ([]string, bool) {
		if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return nil, false
		}
		var out []string
		for k := range v.AsValueMap() {
			out = append(out, k)
		}
		return out, true
	}
	for _, b := range fn.Body.Blocks {
		switch {
		case b.Type == "environment":
			e := hclcheck.AttrOf(b.Body, "variables")
			if v, ok := ctx.Eval(e, nil); ok {
				ks, ok := objKeys(v)
				if !ok {
					return nil, false
				}
				keys = append(keys, ks...)
			} else if o, isObj := hclcheck.Unwrap(e).(*hclsyntax.ObjectConsExpr); isObj {
				for _, it := range o.Items {
					keys = append(keys, fn.Module.ObjectKey(it))
				}
			} else {
				return nil, false
			}
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == "environment":
			for _, ref := range hclcheck.Refs(hclcheck.AttrOf(b.Body, "for_each")) {
				parts := strings.Split(ref, ".")
				if len(parts) == 2 && parts[0] == "var" {
					v, present := ctx.Vars[parts[1]]
					if !present {
						return nil, false
					}
					ks, ok := objKeys(v)
					if !ok {
						return nil, false
					}
					keys = append(keys, ks...)
					break
				}
			}
		}
	}
	sort.Strings(keys)
	return keys, true
}

func checkLambdaEnvContract(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-env-contract"}
	functionContexts(t, func(fn *hclcheck.Block, ctx hclcheck.Context, _ string) {
		want, ok := contractEnv[ctx.Key]
		if !ok {
			return
		}
		pos, subject := ctxSubject(fn, ctx)
		got, ok := functionEnvKeys(fn, ctx)
		if !ok {
			r.at(pos, subject, "cannot determine the environment variables statically")
			return
		}
		have := map[string]bool{}
		for _, k := range got {
			have[k] = true
		}
		for _, k := range want {
			if !have[k] {
				r.at(pos, subject, "environment lacks %s (docs/contracts.md)", k)
			}
			delete(have, k)
		}
		var extra []string
		for k := range have {
			extra = append(extra, k)
		}
		sort.Strings(extra)
		for _, k := range extra {
			r.at(pos, subject, "environment sets %s, which docs/contracts.md does not list for %s", k, ctx.Key)
		}
	})
	return r.out
}

// TestStaticTerraformDeploysContractFunctions keeps lambda-env-contract from passing
// vacuously: terraform/ must instantiate all five functions under their contract keys.
func TestStaticTerraformDeploysContractFunctions(t *testing.T) {
	tree, err := hclcheck.LoadTree(filepath.Join(staticRepoRoot(), "terraform"), "terraform")
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	seen := map[string]bool{}
	functionContexts(tree, func(_ *hclcheck.Block, ctx hclcheck.Context, _ string) { seen[ctx.Key] = true })
	for k := range contractEnv {
		if !seen[k] {
			t.Errorf("terraform/ has no function instance keyed %q (docs/contracts.md: functions are keyed by their hyphenated names)", k)
		}
	}
}

// contractOutputs are the root outputs of docs/contracts.md; the examples pass them
// through.
var contractOutputs = []string{
	"name_suffix", "kms_key_arn", "kms_key_alias", "trail_arn", "trail_name", "log_bucket_name",
	"log_bucket_arn", "access_log_bucket_name", "athena_results_bucket_name", "reports_bucket_name",
	"reports_prefix", "findings_table_name", "findings_table_arn", "alert_state_table_name",
	"alert_topic_arns", "ingest_queue_url", "ingest_queue_arn", "ingest_dlq_url", "function_names",
	"function_arns", "glue_database_name", "glue_table_name", "glue_crawler_name",
	"athena_workgroup_name", "athena_named_query_ids", "cloudtrail_log_group_name", "dashboard_name",
}

// missingOutputs returns the names a module does not declare as outputs.
func missingOutputs(m *hclcheck.Module, names []string) []string {
	var out []string
	for _, n := range names {
		if m.Output(n) == nil {
			out = append(out, n)
		}
	}
	return out
}

func TestStaticTerraformOutputsFollowContract(t *testing.T) {
	tree, err := hclcheck.LoadTree(filepath.Join(staticRepoRoot(), "terraform"), "terraform")
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	if len(tree.Examples) == 0 {
		t.Error("terraform/examples holds no example")
	}
	for _, m := range tree.Modules() {
		if m.Kind == hclcheck.KindSubmodule {
			continue
		}
		for _, n := range missingOutputs(m, contractOutputs) {
			t.Errorf("%s: [outputs-contract] output %q of docs/contracts.md is not declared", m.Dir, n)
		}
	}
}

func TestMissingOutputsNamesEachAbsentOutput(t *testing.T) {
	tree := staticLoadFixture(t, goodFixture)
	got := missingOutputs(tree.Root, []string{"trail_arn", "kms_key_arn", "dashboard_name"})
	if strings.Join(got, ",") != "kms_key_arn,dashboard_name" {
		t.Errorf("missingOutputs = %v, want [kms_key_arn dashboard_name]", got)
	}
}

// contractComplianceQueries are the named queries compliance-reporter runs
// (docs/contracts.md "Compliance named queries").
var contractComplianceQueries = []string{
	"root_activity", "console_logins_without_mfa", "iam_policy_changes", "trail_changes",
	"unauthorized_callers", "regions_in_use",
}

// namedQueryKeys returns the names of every aws_athena_named_query instance in a
// module, or ok false when a for_each cannot be read statically.
func namedQueryKeys(m *hclcheck.Module) (keys []string, ok bool) {
	for _, q := range m.ResourcesOf("aws_athena_named_query") {
		if q.Attr("for_each") == nil {
			name, ok := hclcheck.StringLit(q.Attr("name"))
			if !ok {
				return nil, false
			}
			keys = append(keys, name)
			continue
		}
		ks, ok := q.Instances()
		if !ok {
			return nil, false
		}
		keys = append(keys, ks...)
	}
	return keys, true
}

func TestStaticTerraformNamedQueriesFollowContract(t *testing.T) {
	tree, err := hclcheck.LoadTree(filepath.Join(staticRepoRoot(), "terraform"), "terraform")
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	keys, ok := namedQueryKeys(tree.Root)
	if !ok {
		t.Fatal("terraform/: [athena-named-queries] cannot read the named queries' for_each keys statically")
	}
	t.Logf("%d named queries: %v", len(keys), keys)
	have := map[string]bool{}
	for _, k := range keys {
		have[k] = true
	}
	for _, want := range contractComplianceQueries {
		if !have[want] {
			t.Errorf("terraform/: [athena-named-queries] no named query %q for compliance-reporter (docs/contracts.md)", want)
		}
		delete(have, want)
	}
	// Issue 3: at least ten investigation queries besides the compliance ones.
	if len(have) < 10 {
		t.Errorf("terraform/: [athena-named-queries] %d investigation queries, want at least 10", len(have))
	}
}
