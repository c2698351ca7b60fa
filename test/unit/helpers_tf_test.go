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

	tfschema "github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/ctap-platform/ctap/test/unit/tfharness"
	"github.com/gruntwork-io/terratest/modules/terraform"
)

// Fixed inputs of the plan scenarios. The account and organization match the stand-in's
// fixed identities (test/tfstub/README.md), so a plan made with the real provider and
// mock credentials sees the same values.
const (
	planAccount = "123456789012"
	planMember  = "210987654321"
	planOrg     = "o-ctapstub00"
	planRegion  = "eu-west-1"
	planEnv     = "ci"
	planSuffix  = "abc123"
	planKeyARN  = "arn:aws:kms:eu-west-1:123456789012:key/0c7a0000-1111-2222-3333-444455556666"
)

// planEnvSuffix is what every name ends with once the suffix exists.
var planEnvSuffix = planEnv + "-" + planSuffix

// planScenario is one plan of one example.
type planScenario struct {
	example string         // directory under terraform/examples
	vars    map[string]any // besides the common ones
	// dayTwo seeds the state with the random suffix and the resources whose ARNs the
	// assertions need (as after a first apply), so that names, policies and ARNs built
	// from them are known in the plan. Without it the plan is a first plan: every name
	// depends on the not-yet-generated suffix and is unknown, which is the truth.
	dayTwo bool
	// cwl says whether the trail delivers to CloudWatch Logs in this scenario.
	cwl bool
	// mutate breaks the copy on purpose before planning (sabotage tests).
	mutate *tfharness.Mutation
}

func planName(purpose string) string { return "ctap-" + purpose + "-" + planEnvSuffix }

func planLogGroupARN() string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/cloudtrail/%s", planRegion, planAccount, planName("trail"))
}

func planRuleARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", planRegion, planAccount, name)
}

func planTopicARN(tier string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", planRegion, planAccount, planName("alerts-"+tier))
}

// planTrailARN is the trail's ARN as the module builds it (it must be known before the
// trail exists, for the policies the trail depends on).
func planTrailARN() string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", planRegion, planAccount, planName("trail"))
}

func planSeeds(cwl bool) []tfharness.Seed {
	m := "module.ctap"
	seeds := []tfharness.Seed{
		tfharness.RandomSuffixSeed(m, planSuffix),
		{Module: m + ".module.kms", Type: "aws_kms_key", Name: "this", Attrs: map[string]any{
			"id": "0c7a0000-1111-2222-3333-444455556666", "key_id": "0c7a0000-1111-2222-3333-444455556666", "arn": planKeyARN}},
		{Module: m + ".module.log_bucket", Type: "aws_s3_bucket", Name: "this", Attrs: map[string]any{
			"id": planName("trail-logs"), "bucket": planName("trail-logs"), "arn": "arn:aws:s3:::" + planName("trail-logs")}},
		{Module: m, Type: "aws_cloudwatch_event_rule", Name: "api_calls", Attrs: map[string]any{
			"id": planName("api-calls"), "name": planName("api-calls"), "arn": planRuleARN(planName("api-calls"))}},
	}
	for _, s := range []string{"compliance", "anomaly"} {
		n := planName(s + "-schedule")
		seeds = append(seeds, tfharness.Seed{Module: m, Type: "aws_cloudwatch_event_rule", Name: "schedule", Key: s,
			Attrs: map[string]any{"id": n, "name": n, "arn": planRuleARN(n)}})
	}
	for _, tier := range []string{"critical", "high", "medium"} {
		seeds = append(seeds, tfharness.Seed{Module: m, Type: "aws_sns_topic", Name: "alerts", Key: tier,
			Attrs: map[string]any{"id": planTopicARN(tier), "arn": planTopicARN(tier), "name": planName("alerts-" + tier)}})
	}
	if cwl {
		seeds = append(seeds, tfharness.Seed{Module: m, Type: "aws_cloudwatch_log_group", Name: "trail", Key: 0, Attrs: map[string]any{
			"id": "/aws/cloudtrail/" + planName("trail"), "name": "/aws/cloudtrail/" + planName("trail"), "arn": planLogGroupARN()}})
	}
	return seeds
}

// runPlan plans a scenario on a fresh copy of terraform/ through Terratest and returns
// the parsed plan.
func runPlan(t *testing.T, sc planScenario) tfharness.Plan {
	t.Helper()
	env := tfharness.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root := env.CopyTerraform(t)
	if sc.mutate != nil {
		if err := sc.mutate.Apply(root); err != nil {
			t.Fatalf("sabotage did not apply (has the module changed?): %v", err)
		}
	}
	dir := filepath.Join(root, "examples", sc.example)
	vars := map[string]any{
		"region":          planRegion,
		"environment":     planEnv,
		"account_id":      planAccount,
		"log_regions":     []string{planRegion, "us-east-1"},
		"skip_aws_checks": true,
		"lambda_package":  map[string]any{"source": "local", "local_dir": tfharness.DummyPackages(t)},
		"tags":            map[string]any{"CostCenter": "platform"},
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
	opts := env.PlanOptions(dir, vars)
	ps, err := terraform.InitAndPlanAndShowWithStructContextE(t, ctx, opts)
	if err != nil {
		t.Fatalf("plan of examples/%s failed: %v", sc.example, err)
	}
	return tfharness.Plan{PlanStruct: ps}
}

// planCheck is one named group of assertions; it returns every problem it finds, so that
// sabotage tests can prove it fails.
type planCheck struct {
	name string
	run  func(p tfharness.Plan) []string
}

func runPlanChecks(t *testing.T, p tfharness.Plan, checks []planCheck) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if probs := c.run(p); len(probs) > 0 {
				t.Errorf("%d problem(s):\n  %s", len(probs), strings.Join(probs, "\n  "))
			}
		})
	}
}

// planProblems collects assertion failures with the resource they concern.
type planProblems []string

func (ps *planProblems) addf(format string, args ...any) {
	*ps = append(*ps, fmt.Sprintf(format, args...))
}

func (ps *planProblems) eq(addr, what string, got, want any) {
	if !reflect.DeepEqual(got, want) {
		ps.addf("%s: %s = %#v, want %#v", addr, what, got, want)
	}
}

func (ps *planProblems) values(p tfharness.Plan, addr string) map[string]any {
	v, err := p.Values(addr)
	if err != nil {
		ps.addf("%v", err)
		return map[string]any{}
	}
	return v
}

func (ps *planProblems) unknown(p tfharness.Plan, addr string, path ...any) {
	u, err := p.Unknown(addr, path...)
	if err != nil {
		ps.addf("%v", err)
		return
	}
	if !u {
		ps.addf("%s: %v should be unknown until apply", addr, path)
	}
}

func (ps *planProblems) policy(addr, doc string) *tfharness.Policy {
	if doc == "" {
		ps.addf("%s: policy is not known at plan time", addr)
		return &tfharness.Policy{}
	}
	pol, err := tfharness.ParsePolicy(doc)
	if err != nil {
		ps.addf("%s: %v", addr, err)
		return &tfharness.Policy{}
	}
	return pol
}

func (ps *planProblems) stmt(addr string, pol *tfharness.Policy, sid string) *tfharness.Statement {
	st, err := pol.Sid(sid)
	if err != nil {
		ps.addf("%s: %v", addr, err)
		return &tfharness.Statement{}
	}
	return st
}

func plStr(v any) string { s, _ := v.(string); return s }

func plNum(v any) float64 { f, _ := v.(float64); return f }

func plSorted(ss ...string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// taggable reports whether the served v6 schema of a resource type has `tags`.
func plTaggable(typ string) (bool, error) {
	prov := tfschema.AWS()
	if strings.HasPrefix(typ, "random_") {
		prov = tfschema.Random()
	}
	s, ok, err := prov.Resource(typ)
	if err != nil || !ok {
		return false, fmt.Errorf("no schema for %s (ok=%v, err=%v)", typ, ok, err)
	}
	_, has := s.Block.Attributes["tags"]
	return has, nil
}
