package unit

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// Apply-time facts that validate and the stand-in provider cannot see on their own:
// the trail must not log events that the platform itself causes in a loop, and the
// key must let CloudTrail decrypt (the log bucket has an S3 Bucket Key).

// planFunctionARN is a function's ARN as the module builds it.
func planFunctionARN(key string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", planRegion, planAccount, planName(key))
}

// TestPlanTrailLambdaDataEventsSkipThePlatformsOwnFunctions: with Lambda data events on,
// each invocation of event-analyzer or log-processor would otherwise be an Invoke
// event that invokes them again (subscription, EventBridge, next log file).
func TestPlanTrailLambdaDataEventsSkipThePlatformsOwnFunctions(t *testing.T) {
	p := runPlan(t, planScenario{example: "complete", vars: planCompleteVars(), dayTwo: true, cwl: true})
	var ps planProblems
	v := ps.values(p, planAddrTrail)
	var want []string
	for _, k := range []string{"log-processor", "event-analyzer", "alert-router", "compliance-reporter", "anomaly-detector"} {
		want = append(want, planFunctionARN(k))
	}
	found := false
	sels, _ := v["advanced_event_selector"].([]any)
	for _, s := range sels {
		fields := map[string]any{}
		for _, f := range tfharness.Get(s, "field_selector").([]any) {
			fields[plStr(tfharness.Get(f, "field"))] = f
		}
		typ, ok := fields["resources.type"]
		if !ok || !reflect.DeepEqual(tfharness.Strings(tfharness.Get(typ, "equals")), []string{"AWS::Lambda::Function"}) {
			continue
		}
		found = true
		arn, ok := fields["resources.ARN"]
		if !ok {
			ps.addf("%s: Lambda data event selector has no resources.ARN field: the platform's functions log (and invoke) themselves", planAddrTrail)
			continue
		}
		// The provider holds the values as a set: compare them sorted.
		got := tfharness.Strings(tfharness.Get(arn, "not_starts_with"))
		sort.Strings(got)
		sort.Strings(want)
		ps.eq(planAddrTrail, "Lambda selector resources.ARN not_starts_with", got, want)
	}
	if !found {
		ps.addf("%s: no Lambda data event selector in examples/complete", planAddrTrail)
	}

	pol := ps.policy(planAddrKMSKey, plStr(ps.values(p, planAddrKMSKey)["policy"]))
	st := ps.stmt(planAddrKMSKey, pol, "AllowCloudTrailDecryptWithBucketKey")
	ps.eq(planAddrKMSKey, "CloudTrail decrypt principal", st.Principals["Service"], []string{"cloudtrail.amazonaws.com"})
	ps.eq(planAddrKMSKey, "CloudTrail decrypt actions", st.Actions, []string{"kms:Decrypt"})
	for _, problem := range ps {
		t.Error(problem)
	}
}

// TestPlanRefusesObjectEventsOfTheTrailsOwnBuckets: object events of the log bucket
// (or its access-log bucket) would record their own delivery for ever, so the plan
// stops with a message naming the variable.
func TestPlanRefusesObjectEventsOfTheTrailsOwnBuckets(t *testing.T) {
	for _, bucket := range []string{"trail-logs", "access-logs"} {
		t.Run(bucket, func(t *testing.T) {
			vars := planCompleteVars()
			vars["s3_data_event_bucket_arns"] = []string{"arn:aws:s3:::" + planName(bucket)}
			err := planError(t, planScenario{example: "complete", vars: vars, dayTwo: true, cwl: true})
			if err == nil {
				t.Fatalf("plan with s3_data_event_bucket_arns = [%s] succeeded; want the trail's precondition to refuse it", planName(bucket))
			}
			if !strings.Contains(err.Error(), "s3_data_event_bucket_arns") {
				t.Fatalf("plan failed for another reason than the trail's own-bucket precondition: %v", err)
			}
		})
	}
}

// planError plans a scenario like runPlan and returns the plan's error, for scenarios
// that must be refused.
func planError(t *testing.T, sc planScenario) error {
	t.Helper()
	env := tfharness.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root := env.CopyTerraform(t)
	dir := filepath.Join(root, "examples", sc.example)
	vars := map[string]any{
		"region":          planRegion,
		"environment":     planEnv,
		"account_id":      planAccount,
		"log_regions":     []string{planRegion, "us-east-1"},
		"skip_aws_checks": true,
		"lambda_package":  map[string]any{"source": "local", "local_dir": tfharness.DummyPackages(t)},
	}
	for k, v := range sc.vars {
		vars[k] = v
	}
	if sc.dayTwo {
		tfharness.SeedState(t, dir, planSeeds(sc.cwl))
	}
	if env.Mode == "real" {
		tfInitOrSkip(ctx, t, env, dir)
	}
	_, err := terraform.InitAndPlanAndShowWithStructContextE(t, ctx, env.PlanOptions(dir, vars))
	return err
}
