package unit

import (
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// TestPlanWithOptionalFeaturesOff plans examples/single-account with the crawler, the
// CloudWatch Logs delivery and every subscription turned off: what depends on them is
// gone, and the rest of the platform is still whole.
func TestPlanWithOptionalFeaturesOff(t *testing.T) {
	p := runPlan(t, planScenario{example: "single-account", dayTwo: true, cwl: false, vars: map[string]any{
		"enable_crawler":         false,
		"enable_cloudwatch_logs": false,
		"alert_subscriptions":    []any{},
	}})
	runPlanChecks(t, p, []planCheck{
		{"nothing that needs the switched-off features", planCheckFeaturesOff},
		{"KMS key policy", planCheckKMSKeyPolicy},
		{"trail without CloudWatch Logs", planCheckTrail(false, false, false, true)},
		{"findings table", planCheckFindingsTable(true)},
		{"functions", planCheckFunctions(true)},
		{"event source mappings", planCheckEventSourceMappings},
		{"permissions without the log subscription", planCheckPermissions(false, true)},
		{"names carry the suffix", planCheckNamesCarrySuffix(true)},
		{"tags on every taggable resource", planCheckTags},
		{"no subscriptions", planCheckSubscriptions(0)},
		{"no crawler", planCheckCrawler(false)},
	})
}

func planCheckFeaturesOff(p tfharness.Plan) []string {
	var ps planProblems
	for _, typ := range []string{"aws_glue_crawler", "aws_cloudwatch_log_subscription_filter", "aws_cloudwatch_log_metric_filter", "aws_sns_topic_subscription"} {
		if a := p.Addresses(typ); len(a) != 0 {
			ps.addf("%s planned with the feature off: %v", typ, a)
		}
	}
	for _, a := range p.Addresses("aws_cloudwatch_log_group") {
		if strings.Contains(a, "aws_cloudwatch_log_group.trail") {
			ps.addf("trail log group %s planned with CloudWatch Logs off", a)
		}
	}
	for _, a := range p.Addresses("aws_iam_role") {
		if strings.Contains(a, "trail_cwl") || strings.Contains(a, "crawler") {
			ps.addf("role %s planned with its feature off", a)
		}
	}
	// The core stays: three tiers, five functions, the findings table, the trail.
	if n := len(p.Addresses("aws_sns_topic")); n != 3 {
		ps.addf("%d SNS topics, want 3", n)
	}
	if n := len(p.Addresses("aws_lambda_function")); n != 5 {
		ps.addf("%d functions, want 5", n)
	}
	if n := len(p.Addresses("aws_cloudtrail")); n != 1 {
		ps.addf("%d trails, want 1", n)
	}
	return ps
}
