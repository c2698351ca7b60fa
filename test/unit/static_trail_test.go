package unit

import (
	"regexp"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// trailChecks are the seed's CloudTrail lessons 4, 5 and 14 and DESIGN §8: advanced
// event selectors (no S3 wildcard data resource), the ":*" log group ARN, the trail
// created after its bucket policy, and an organization ID source for org trails.
func trailChecks() []staticCheck {
	return []staticCheck{
		{rule: "trail-advanced-selectors", why: "DESIGN §8: advanced event selectors, management events", run: checkTrailAdvancedSelectors},
		{rule: "no-s3-wildcard-data-resource", why: "seed lesson 5: basic selectors reject arn:aws:s3:::*/*", run: checkNoS3Wildcard},
		{rule: "trail-cwl-arn-suffix", why: "DESIGN §8: cloud_watch_logs_group_arn needs the :* suffix", run: checkTrailCWLSuffix},
		{rule: "trail-depends-on-bucket-policy", why: "seed lesson 4: depends_on the bucket policy", run: checkTrailDependsOnPolicy},
		{rule: "trail-hardening", why: "issue 3: global events, log file validation, CMK, variable org/multi-region", run: checkTrailHardening},
		{rule: "org-trail-organization-source", why: "seed checklist: aws_organizations_organization data source (or organization_id input)", run: checkOrgSource},
		{rule: "credential-free-plan", why: "DESIGN §5: data sources that call AWS are skipped when account_id/organization_id are given", run: checkCredentialFreePlan},
	}
}

func staticTrails(t *hclcheck.Tree, r *staticReporter) []*hclcheck.Block {
	ts := platformResources(t, "aws_cloudtrail")
	if len(ts) == 0 {
		r.at(t.Root.Dir, "aws_cloudtrail", "no aws_cloudtrail in the root module or its submodules")
	}
	return ts
}

func checkTrailAdvancedSelectors(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "trail-advanced-selectors"}
	for _, tr := range staticTrails(t, r) {
		for _, es := range tr.Nested("event_selector") {
			r.rng(es.DefRange(), tr, "basic event_selector; use advanced_event_selector (DESIGN §8)")
		}
		mgmt := false
		for _, aes := range tr.Nested("advanced_event_selector") {
			for _, fs := range hclcheck.Nested(aes.Body, "field_selector") {
				f, _ := hclcheck.StringLit(hclcheck.AttrOf(fs.Body, "field"))
				eq, _ := hclcheck.StringListLit(hclcheck.AttrOf(fs.Body, "equals"))
				if f == "eventCategory" && len(eq) == 1 && eq[0] == "Management" {
					mgmt = true
				}
			}
		}
		if !mgmt {
			r.block(tr, "no advanced_event_selector with eventCategory = [\"Management\"]")
		}
	}
	return r.out
}

var s3WildcardRE = regexp.MustCompile(`s3:::\*`)

func checkNoS3Wildcard(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "no-s3-wildcard-data-resource"}
	for _, tr := range platformResources(t, "aws_cloudtrail") {
		for _, es := range tr.Nested("event_selector") {
			for _, dr := range hclcheck.Nested(es.Body, "data_resource") {
				typ, _ := hclcheck.StringLit(hclcheck.AttrOf(dr.Body, "type"))
				if typ == "AWS::S3::Object" || typ == "" {
					r.rng(dr.DefRange(), tr, "basic data_resource for S3 objects (type %q); use an advanced_event_selector with resources.ARN starts_with per bucket", typ)
				}
			}
		}
	}
	r.out = append(r.out, literalCheck(t, r.rule, s3WildcardRE, false, "S3 wildcard data resource")...)
	return r.out
}

func checkTrailCWLSuffix(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "trail-cwl-arn-suffix"}
	for _, tr := range staticTrails(t, r) {
		e := tr.Attr("cloud_watch_logs_group_arn")
		if e == nil {
			r.block(tr, "no cloud_watch_logs_group_arn: CloudWatch Logs delivery (and the CIS alarms) need it")
			continue
		}
		for _, s := range tr.Module.Strings(e) {
			if s == "null" || s == "${null}" {
				continue
			}
			if !strings.HasSuffix(s, ":*") {
				r.rng(e.Range(), tr, "cloud_watch_logs_group_arn %q lacks the \":*\" suffix", s)
			}
		}
	}
	return r.out
}

func checkTrailDependsOnPolicy(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "trail-depends-on-bucket-policy"}
	for _, tr := range staticTrails(t, r) {
		m := tr.Module
		ok := false
		for _, ref := range hclcheck.Refs(tr.Attr("depends_on")) {
			parts := strings.Split(ref, ".")
			switch {
			case len(parts) >= 2 && parts[0] == "aws_s3_bucket_policy":
				ok = true
			case len(parts) >= 2 && parts[0] == "module":
				c := m.Call(parts[1])
				if c == nil || !hclcheck.RefersTo(tr.Attr("s3_bucket_name"), c.Addr()) {
					continue
				}
				if target := m.CallTarget(c); target != nil && len(target.ResourcesOf("aws_s3_bucket_policy")) > 0 {
					ok = true
				}
			}
		}
		if !ok {
			r.at(attrPos(tr, "depends_on"), tr.Addr(), "depends_on does not name the trail bucket's aws_s3_bucket_policy (or the bucket module that holds it)")
		}
	}
	return r.out
}

func checkTrailHardening(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "trail-hardening"}
	for _, tr := range staticTrails(t, r) {
		for _, a := range []string{"include_global_service_events", "enable_log_file_validation"} {
			if !boundBool(tr, tr.Attr(a), true) {
				r.at(attrPos(tr, a), tr.Addr(), "%s is not true", a)
			}
		}
		if staticIsNull(tr.Attr("kms_key_id")) {
			r.block(tr, "no kms_key_id: trail logs must be encrypted with the platform CMK")
		}
		for _, a := range []string{"is_organization_trail", "is_multi_region_trail"} {
			if !hclcheck.RefersTo(tr.Attr(a), "var") {
				r.at(attrPos(tr, a), tr.Addr(), "%s is not driven by a variable", a)
			}
		}
	}
	return r.out
}

func checkOrgSource(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "org-trail-organization-source"}
	m := t.Root
	orgData := m.DataOf("aws_organizations_organization")
	if len(orgData) == 0 {
		r.at(m.Dir, "data.aws_organizations_organization", "no aws_organizations_organization data source for the organization ID")
	}
	if m.Variable("organization_id") == nil {
		r.at(m.Dir, "var.organization_id", "no organization_id variable: plans of an organization trail would need AWS credentials")
	}
	// The org path in the bucket policy must come from the data source or the input.
	root := func(_ *hclcheck.Module, ref string) bool {
		return ref == "var.organization_id" || strings.HasPrefix(ref, "data.aws_organizations_organization.")
	}
	for _, d := range orgData {
		if d.Attr("count") == nil && d.Attr("for_each") == nil {
			r.block(d, "the organization data source is read unconditionally; skip it (count) when organization_id is given (DESIGN §5)")
		}
	}
	if l := m.Local("organization_id"); l != nil && !m.DerivesFrom(l, root) {
		r.at(hclcheck.Pos(l.Range()), "local.organization_id", "does not derive from var.organization_id or data.aws_organizations_organization")
	}
	return r.out
}

// awsCallingData are data sources that call AWS APIs (and so need credentials) just
// to plan.
var awsCallingData = []string{"aws_caller_identity", "aws_organizations_organization", "aws_regions", "aws_availability_zones", "aws_iam_account_alias"}

func checkCredentialFreePlan(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "credential-free-plan"}
	for _, typ := range awsCallingData {
		for _, d := range platformData(t, typ) {
			if d.Attr("count") == nil && d.Attr("for_each") == nil {
				r.block(d, "read unconditionally; a plan with account_id/organization_id given would still need AWS credentials (use count)")
			}
		}
	}
	return r.out
}
