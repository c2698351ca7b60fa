package unit

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// loadPlatform parses terraform/ for the whole-platform tests below.
func staticLoadPlatform(t *testing.T) *hclcheck.Tree {
	t.Helper()
	tree, err := hclcheck.LoadTree(filepath.Join(staticRepoRoot(), "terraform"), "terraform")
	if err != nil {
		t.Fatalf("parse terraform/: %v", err)
	}
	return tree
}

// alarmMetrics returns "<namespace>/<metric>" for every metric alarm instance in the
// platform that can be read statically.
func alarmMetrics(t *hclcheck.Tree) map[string]bool {
	out := map[string]bool{}
	for _, a := range platformResources(t, "aws_cloudwatch_metric_alarm") {
		keys, ok := a.Instances()
		if !ok {
			// Keys built with functions (setproduct): read the possible values instead.
			nss, ok1 := a.EachValues(a.Attr("namespace"))
			metrics, ok2 := a.EachValues(a.Attr("metric_name"))
			if ok1 && ok2 && len(nss) == 1 {
				for _, metric := range metrics {
					out[nss[0]+"/"+metric] = true
				}
			}
			continue
		}
		for _, k := range keys {
			ns, ok1 := a.EachString(a.Attr("namespace"), k)
			metric, ok2 := a.EachString(a.Attr("metric_name"), k)
			if ok1 && ok2 {
				out[ns+"/"+metric] = true
			}
		}
	}
	return out
}

// TestStaticTerraformHasOperationalAlarms pins issue 3's operational alarms: function
// errors and throttles, DLQ depth, ingest-queue age, DynamoDB throttles, a dashboard.
func TestStaticTerraformHasOperationalAlarms(t *testing.T) {
	tree := staticLoadPlatform(t)
	got := alarmMetrics(tree)
	var names []string
	for k := range got {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("alarm metrics: %v", names)
	for _, want := range []string{"AWS/Lambda/Errors", "AWS/Lambda/Throttles", "AWS/SQS/ApproximateNumberOfMessagesVisible", "AWS/SQS/ApproximateAgeOfOldestMessage"} {
		if !got[want] {
			t.Errorf("terraform/: [operational-alarms] no alarm on %s", want)
		}
	}
	if !got["AWS/DynamoDB/ThrottledRequests"] && !got["AWS/DynamoDB/ReadThrottleEvents"] && !got["AWS/DynamoDB/WriteThrottleEvents"] {
		t.Error("terraform/: [operational-alarms] no alarm on DynamoDB throttles")
	}
	if len(platformResources(tree, "aws_cloudwatch_dashboard")) == 0 {
		t.Error("terraform/: [operational-alarms] no aws_cloudwatch_dashboard")
	}
}

// TestStaticTerraformExamplesHaveTheirShape pins issue 3's examples: complete is an
// organization trail, single-account is not and can be destroyed with its objects.
func TestStaticTerraformExamplesHaveTheirShape(t *testing.T) {
	tree := staticLoadPlatform(t)
	cases := []struct {
		example string
		org     bool
		destroy bool
	}{
		{"examples/complete", true, false},
		{"examples/single-account", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.example, func(t *testing.T) {
			ex := tree.Examples[tc.example]
			if ex == nil {
				t.Fatalf("terraform/%s is missing", tc.example)
			}
			var call *hclcheck.Block
			for _, c := range ex.Calls {
				if ex.CallTarget(c) == tree.Root {
					call = c
				}
			}
			if call == nil {
				t.Fatalf("%s: no module call with source = \"../..\"", ex.Dir)
			}
			if v, ok := hclcheck.BoolLit(call.Attr("is_organization_trail")); !ok || v != tc.org {
				t.Errorf("%s: [examples-shape] is_organization_trail = %s, want %v", call.Pos(), ex.Src(call.Attr("is_organization_trail")), tc.org)
			}
			if tc.destroy {
				fd := call.Attr("force_destroy")
				if fd == nil {
					t.Errorf("%s: [examples-shape] force_destroy is not passed; a sandbox deployment must be destroyable", call.Pos())
				} else if v, ok := hclcheck.BoolLit(fd); ok && !v {
					t.Errorf("%s: [examples-shape] force_destroy = false", call.Pos())
				} else if !ok && strings.HasPrefix(ex.Src(fd), "var.") {
					name := strings.TrimPrefix(ex.Src(fd), "var.")
					if v := ex.Variable(name); v == nil {
						t.Errorf("%s: [examples-shape] force_destroy refers to undeclared var.%s", call.Pos(), name)
					} else if d, ok := hclcheck.BoolLit(v.Attr("default")); !ok || !d {
						t.Errorf("%s: [examples-shape] var.%s defaults to %s, want true for tests", v.Pos(), name, ex.Src(v.Attr("default")))
					}
				}
			}
		})
	}
}

// TestStaticTerraformGlueTableProjection pins issue 3's cloudtrail table: partition
// projection by account enum, region enum and date, with a storage template that
// follows the trail's object layout (DESIGN §3 S3 layout) in both trail modes.
func TestStaticTerraformGlueTableProjection(t *testing.T) {
	tree := staticLoadPlatform(t)
	m := tree.Root
	tb := m.Resource("aws_glue_catalog_table", "cloudtrail")
	if tb == nil {
		t.Fatal("terraform/: [glue-table] no aws_glue_catalog_table.cloudtrail")
	}
	params, ok := hclcheck.Unwrap(m.Resolve(tb.Attr("parameters"))).(*hclsyntax.ObjectConsExpr)
	if !ok {
		t.Fatalf("%s: [glue-table] parameters is not an object", tb.Pos())
	}
	want := map[string]string{
		"projection.enabled":      "true",
		"projection.account.type": "enum",
		"projection.region.type":  "enum",
		"projection.date.type":    "date",
		"projection.date.format":  "yyyy/MM/dd",
	}
	for k, v := range want {
		if got, _ := hclcheck.StringLit(m.ObjectField(params, k)); got != v {
			t.Errorf("%s: [glue-table] parameter %q = %q, want %q", tb.Pos(), k, got, v)
		}
	}
	tmpl := m.ObjectField(params, "storage.location.template")
	if tmpl == nil {
		t.Fatalf("%s: [glue-table] no storage.location.template", tb.Pos())
	}
	variants := m.Strings(m.Resolve(tmpl))
	org := false
	for _, s := range variants {
		if !strings.Contains(s, "/AWSLogs/") || !strings.HasSuffix(s, "$${account}/CloudTrail/$${region}/$${date}") {
			t.Errorf("%s: [glue-table] storage.location.template %q does not end in AWSLogs/.../${account}/CloudTrail/${region}/${date}", tb.Pos(), s)
		}
		org = org || strings.Contains(s, "/AWSLogs/${local.organization_id}/$${account}/")
	}
	if !org {
		t.Errorf("%s: [glue-table] no storage.location.template variant reads AWSLogs/<org-id>/<account>/ (organization trail layout): %q", tb.Pos(), variants)
	}
	for _, sd := range tb.Nested("storage_descriptor") {
		if v, _ := hclcheck.StringLit(hclcheck.AttrOf(sd.Body, "input_format")); v != "com.amazon.emr.cloudtrail.CloudTrailInputFormat" {
			t.Errorf("%s: [glue-table] input_format = %q, want the CloudTrail input format", tb.Pos(), v)
		}
	}
}
