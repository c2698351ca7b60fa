package unit

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
	"github.com/gruntwork-io/terratest/modules/terraform"
)

// TestStandInPlansItsFixtureAndRefusesToApply drives the stand-in through Terraform on
// test/tfstub/testdata/basic: the simulated data sources reach the plan, computed values
// are unknown, and apply fails saying that nothing was created.
func TestStandInPlansItsFixtureAndRefusesToApply(t *testing.T) {
	env := tfharness.Require(t)
	if env.Mode != "stub" {
		t.Skip("CTAP_PROVIDER=real: this test is about the stand-in, and apply would reach AWS")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "basic")
	if err := tfharness.CopyTree(filepath.Join(env.RepoRoot, "test", "tfstub", "testdata", "basic"), dir, true); err != nil {
		t.Fatal(err)
	}
	opts := env.PlanOptions(dir, nil)
	ps, err := terraform.InitAndPlanAndShowWithStructContextE(t, ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := tfharness.Plan{PlanStruct: ps}
	outputs := ps.RawPlan.PlannedValues.Outputs
	if got := outputs["org_id"].Value; got != "o-ctapstub00" {
		t.Errorf("org_id output %v", got)
	}
	if got := outputs["region"].Value; got != "eu-west-1" {
		t.Errorf("region output %v", got)
	}
	pol, err := tfharness.ParsePolicy(outputs["policy"].Value.(string))
	if err != nil {
		t.Fatal(err)
	}
	st, err := pol.Sid("AllowCloudTrail")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Conditions["StringEquals"]["aws:SourceArn"], ","); got != "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t" {
		t.Errorf("condition rendered as %q", got)
	}
	for _, path := range [][]any{{"arn"}, {"key_id"}, {"id"}} {
		if u, err := p.Unknown("aws_kms_key.this", path...); err != nil || !u {
			t.Errorf("aws_kms_key.this %v should be unknown (err %v)", path, err)
		}
	}
	if u, _ := p.Unknown("random_string.suffix", "result"); !u {
		t.Error("random_string result should be unknown")
	}
	bucket, err := p.Values("aws_s3_bucket.logs")
	if err != nil {
		t.Fatal(err)
	}
	if tags, _ := json.Marshal(bucket["tags_all"]); string(tags) != `{"Project":"ctap"}` {
		t.Errorf("tags_all %s, want the provider's default_tags", tags)
	}
	if bucket["region"] != "eu-west-1" {
		t.Errorf("region %v, want the provider's", bucket["region"])
	}

	stdout, stderr, err := env.Run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", opts.PlanFilePath)
	if err == nil {
		t.Fatalf("apply succeeded against the stand-in:\n%s", stdout)
	}
	if !strings.Contains(stdout+stderr, "ctap tfstub is a plan-only stand-in; it never calls AWS") {
		t.Errorf("apply failed without the stand-in's explanation:\n%s%s", stdout, stderr)
	}
}
