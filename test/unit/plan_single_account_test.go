package unit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// TestPlanSingleAccountExample plans examples/single-account (a non-organization trail,
// every feature on) with the seeded state of a second plan.
func TestPlanSingleAccountExample(t *testing.T) {
	p := runPlan(t, planScenario{example: "single-account", dayTwo: true, cwl: true, vars: map[string]any{
		"alert_subscriptions": []map[string]any{{"tier": "critical", "protocol": "email", "endpoint": "secops@example.com"}},
	}})
	runPlanChecks(t, p, []planCheck{
		{"KMS key policy", planCheckKMSKeyPolicy},
		{"trail bucket policy (account path only)", planCheckTrailBucketPolicy(false)},
		{"lifecycle rules", planCheckLifecycle},
		{"trail", planCheckTrail(false, false, true, true)},
		{"findings table", planCheckFindingsTable(true)},
		{"functions", planCheckFunctions(true)},
		{"event source mappings", planCheckEventSourceMappings},
		{"permissions", planCheckPermissions(true, true)},
		{"topics and queues KMS", planCheckTopicsKMS(true)},
		{"athena workgroup", planCheckAthenaWorkgroup(1024*1024*1024, true)},
		{"names carry the suffix", planCheckNamesCarrySuffix(true)},
		{"tags on every taggable resource", planCheckTags},
		{"alert subscriptions", planCheckSubscriptions(1)},
		{"crawler", planCheckCrawler(true)},
	})
}

// planCheckSubscriptions: the alert subscriptions asked for, and no others.
func planCheckSubscriptions(want int) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		subs := p.Addresses("aws_sns_topic_subscription")
		if len(subs) != want {
			ps.addf("SNS subscriptions %v, want %d", subs, want)
		}
		for _, a := range subs {
			v := ps.values(p, a)
			if v["protocol"] != "email" || v["endpoint"] != "secops@example.com" {
				ps.addf("%s: protocol %v endpoint %v", a, v["protocol"], v["endpoint"])
			}
		}
		return ps
	}
}

// planCheckCrawler: the Glue crawler exists (with its role) exactly when enabled.
func planCheckCrawler(on bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		crawlers := p.Addresses("aws_glue_crawler")
		if on != (len(crawlers) == 1) {
			ps.addf("crawlers %v with enable_crawler = %v", crawlers, on)
		}
		for _, a := range crawlers {
			v := ps.values(p, a)
			ps.eq(a, "name", v["name"], planName("crawler"))
			ps.eq(a, "database_name", v["database_name"], strings.ReplaceAll(fmt.Sprintf("ctap_cloudtrail_%s", planEnvSuffix), "-", "_"))
		}
		return ps
	}
}
