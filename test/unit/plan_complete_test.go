package unit

import "testing"

func planCompleteVars() map[string]any {
	return map[string]any{
		"organization_id":    planOrg,
		"member_account_ids": []string{planAccount, planMember},
		"alert_email":        "secops@example.com",
	}
}

// TestPlanCompleteExampleFirstPlan plans examples/complete as a first deployment: the
// random suffix does not exist yet, so every name and every ARN built from one is
// unknown, and that is asserted; everything else is checked as planned.
func TestPlanCompleteExampleFirstPlan(t *testing.T) {
	p := runPlan(t, planScenario{example: "complete", vars: planCompleteVars(), cwl: true})
	runPlanChecks(t, p, []planCheck{
		{"names unknown until the suffix exists", planCheckNamesCarrySuffix(false)},
		{"trail selectors and unknown log group ARN", planCheckTrail(true, true, true, false)},
		{"findings table", planCheckFindingsTable(false)},
		{"functions", planCheckFunctions(false)},
		{"event source mappings", planCheckEventSourceMappings},
		{"permissions", planCheckPermissions(true, false)},
		{"topics KMS unknown until the key exists", planCheckTopicsKMS(false)},
		{"athena workgroup", planCheckAthenaWorkgroup(50*1024*1024*1024, false)},
		{"lifecycle rules", planCheckLifecycle},
		{"tags on every taggable resource", planCheckTags},
	})
}

// TestPlanCompleteExample plans examples/complete after the suffix, key, trail bucket,
// log group, event rules and topics exist (seeded state), so that names, policies and
// ARNs are known and asserted exactly.
func TestPlanCompleteExample(t *testing.T) {
	p := runPlan(t, planScenario{example: "complete", vars: planCompleteVars(), dayTwo: true, cwl: true})
	runPlanChecks(t, p, []planCheck{
		{"KMS key policy", planCheckKMSKeyPolicy},
		{"trail bucket policy", planCheckTrailBucketPolicy(true)},
		{"lifecycle rules", planCheckLifecycle},
		{"trail", planCheckTrail(true, true, true, true)},
		{"findings table", planCheckFindingsTable(true)},
		{"functions", planCheckFunctions(true)},
		{"event source mappings", planCheckEventSourceMappings},
		{"permissions", planCheckPermissions(true, true)},
		{"topics and queues KMS", planCheckTopicsKMS(true)},
		{"athena workgroup", planCheckAthenaWorkgroup(50*1024*1024*1024, true)},
		{"names carry the suffix", planCheckNamesCarrySuffix(true)},
		{"tags on every taggable resource", planCheckTags},
		{"alert subscriptions", planCheckSubscriptions(2)},
		{"crawler", planCheckCrawler(true)},
	})
}
