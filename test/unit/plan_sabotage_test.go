package unit

import (
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// TestPlanAssertionsFailLoudlyOnAWrongKMSPrincipal swaps a service principal in the key
// policy (in a copy) and proves that the plan assertion on the key policy catches it,
// naming the statement and the principal.
func TestPlanAssertionsFailLoudlyOnAWrongKMSPrincipal(t *testing.T) {
	m := tfharness.Mutation{
		File:   "kms.tf",
		Block:  []string{"data", "aws_iam_policy_document", "kms"},
		Nested: []string{tfharness.NestedWhere("statement", "sid", "AllowCloudTrailEncryptLogs"), "principals"},
		Edit:   tfharness.ReplaceInAttribute("identifiers", "cloudtrail.amazonaws.com", "config.amazonaws.com"),
	}
	p := runPlan(t, planScenario{example: "single-account", dayTwo: true, cwl: true, mutate: &m})
	probs := planCheckKMSKeyPolicy(p)
	if len(probs) == 0 {
		t.Fatal("the KMS key policy check passed a policy whose CloudTrail statement trusts config.amazonaws.com")
	}
	got := strings.Join(probs, "\n")
	for _, want := range []string{planAddrKMSKey, "CloudTrail encrypt principal", "config.amazonaws.com"} {
		if !strings.Contains(got, want) {
			t.Errorf("the failure does not name %q:\n%s", want, got)
		}
	}
	t.Logf("the KMS check reported, as it should:\n%s", got)
}
