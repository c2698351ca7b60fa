package unit

import (
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// storageChecks are the seed's S3 lessons 4, 11 and 14 and DESIGN §8/§9: hardened
// buckets (public access block, owner-enforced ownership, versioning, SSE-KMS,
// TLS-only), lifecycle rules with a prefix filter, and the CloudTrail bucket policy
// with both AWSLogs paths.
func storageChecks() []staticCheck {
	return []staticCheck{
		{rule: "bucket-public-access-block", why: "seed anti-pattern 4 / DESIGN §9", run: checkBucketPublicAccessBlock},
		{rule: "bucket-ownership-enforced", why: "DESIGN §9: bucket-owner object ownership", run: checkBucketOwnership},
		{rule: "bucket-versioning", why: "DESIGN §9: versioned buckets", run: checkBucketVersioning},
		{rule: "bucket-sse-kms", why: "seed anti-pattern 5: KMS on all buckets (access-log bucket AES256 by necessity)", run: checkBucketSSE},
		{rule: "bucket-tls-only", why: "DESIGN §9: buckets deny non-TLS requests", run: checkBucketTLS},
		{rule: "bucket-access-logging", why: "issue 3: access logging into a hardened access-log bucket", run: checkBucketAccessLogging},
		{rule: "lifecycle-filter-prefix", why: "seed lesson 11 as changed by DESIGN §8: filter { prefix = \"\" }, never filter {}", run: checkLifecycleFilter},
		{rule: "lifecycle-cleanup", why: "seed anti-pattern 6 / issue 3: noncurrent expiry and abort-incomplete-multipart", run: checkLifecycleCleanup},
		{rule: "bucket-cloudtrail-acl-check", why: "seed lesson 4: ACL check statement (+ aws:SourceArn, DESIGN §8)", run: checkCloudTrailACL},
		{rule: "bucket-cloudtrail-write-paths", why: "seed lesson 14 / checklist: both AWSLogs/<account>/ and AWSLogs/<org-id>/", run: checkCloudTrailWrite},
		{rule: "service-principal-source-condition", why: "DESIGN §8 confused-deputy protection on bucket, topic and queue policies", run: checkConfusedDeputy},
	}
}

// companions returns the resources of a type in the bucket's module whose bucket
// argument refers to the bucket.
func bucketCompanions(b *hclcheck.Block, typ string) []*hclcheck.Block {
	var out []*hclcheck.Block
	for _, r := range b.Module.ResourcesOf(typ) {
		if hclcheck.RefersTo(r.Attr("bucket"), b.Addr()) {
			out = append(out, r)
		}
	}
	return out
}

func checkBucketPublicAccessBlock(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-public-access-block"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		pabs := bucketCompanions(b, "aws_s3_bucket_public_access_block")
		if len(pabs) == 0 {
			r.block(b, "no aws_s3_bucket_public_access_block")
			continue
		}
		for _, p := range pabs {
			for _, a := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
				if !boundBool(p, p.Attr(a), true) {
					r.at(attrPos(p, a), p.Addr(), "%s is not true", a)
				}
			}
		}
	}
	return r.out
}

func checkBucketOwnership(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-ownership-enforced"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		ocs := bucketCompanions(b, "aws_s3_bucket_ownership_controls")
		if len(ocs) == 0 {
			r.block(b, "no aws_s3_bucket_ownership_controls")
			continue
		}
		for _, oc := range ocs {
			ok := false
			for _, rule := range oc.Nested("rule") {
				ok = ok || boundStringIs(oc, hclcheck.AttrOf(rule.Body, "object_ownership"), "BucketOwnerEnforced")
			}
			if !ok {
				r.block(oc, "object_ownership is not BucketOwnerEnforced")
			}
		}
	}
	return r.out
}

func checkBucketVersioning(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-versioning"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		vs := bucketCompanions(b, "aws_s3_bucket_versioning")
		if len(vs) == 0 {
			r.block(b, "no aws_s3_bucket_versioning")
			continue
		}
		for _, v := range vs {
			ok := false
			for _, vc := range v.Nested("versioning_configuration") {
				ok = ok || boundStringIs(v, hclcheck.AttrOf(vc.Body, "status"), "Enabled")
			}
			if !ok {
				r.block(v, "versioning_configuration.status is not Enabled")
			}
		}
	}
	return r.out
}

// isAccessLogBucket reports whether, in a context, the bucket receives S3 server
// access logs from other buckets: a bucket_logging in its module targets it, or
// (for a submodule call) another call's logging-target argument refers to this call.
func isAccessLogBucket(b *hclcheck.Block, ctx hclcheck.Context) bool {
	m := b.Module
	for _, l := range m.ResourcesOf("aws_s3_bucket_logging") {
		if hclcheck.RefersTo(l.Attr("target_bucket"), b.Addr()) {
			return true
		}
	}
	if ctx.Call == nil {
		return false
	}
	caller := ctx.Call.Module
	var targetVars []string
	for _, l := range m.ResourcesOf("aws_s3_bucket_logging") {
		for _, ref := range hclcheck.Refs(l.Attr("target_bucket")) {
			if parts := strings.Split(ref, "."); len(parts) >= 2 && parts[0] == "var" {
				targetVars = append(targetVars, parts[1])
			}
		}
	}
	for _, other := range caller.Calls {
		if other == ctx.Call || caller.CallTarget(other) != m {
			continue
		}
		for _, v := range targetVars {
			if hclcheck.RefersTo(other.Attr(v), ctx.Call.Addr()) {
				return true
			}
		}
	}
	for _, l := range caller.ResourcesOf("aws_s3_bucket_logging") {
		if hclcheck.RefersTo(l.Attr("target_bucket"), ctx.Call.Addr()) {
			return true
		}
	}
	return false
}

// ctxPos is where to blame a context-specific problem: the module call when there
// is one, else the resource.
func ctxPos(b *hclcheck.Block, ctx hclcheck.Context) (string, string) {
	if ctx.Call != nil {
		return ctx.Call.Pos(), ctx.Name(b.Module) + " (" + b.Addr() + ")"
	}
	return b.Pos(), b.Addr()
}

func checkBucketSSE(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-sse-kms"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		sses := bucketCompanions(b, "aws_s3_bucket_server_side_encryption_configuration")
		if len(sses) == 0 {
			r.block(b, "no aws_s3_bucket_server_side_encryption_configuration")
			continue
		}
		for _, ctx := range b.Module.Contexts() {
			pos, subject := ctxPos(b, ctx)
			for _, sse := range sses {
				for _, rule := range sse.Nested("rule") {
					for _, def := range hclcheck.Nested(rule.Body, "apply_server_side_encryption_by_default") {
						alg, _, ok := ctx.EvalString(hclcheck.AttrOf(def.Body, "sse_algorithm"), nil)
						switch {
						case !ok:
							r.at(pos, subject, "cannot determine sse_algorithm %s", b.Module.Src(hclcheck.AttrOf(def.Body, "sse_algorithm")))
						case alg == "AES256":
							if !isAccessLogBucket(b, ctx) {
								r.at(pos, subject, "SSE is AES256 but this is not the access-log bucket; use aws:kms with the platform CMK")
							}
						case strings.HasPrefix(alg, "aws:kms"):
							// A key that is not a constant in this context (a resource's
							// ARN) is set; only an absent or null key is missing.
							if k := hclcheck.AttrOf(def.Body, "kms_master_key_id"); staticIsNull(k) || ctxIsNull(ctx, k) {
								r.at(pos, subject, "sse_algorithm %s without kms_master_key_id", alg)
							}
							if bk, _, ok := ctx.EvalString(hclcheck.AttrOf(rule.Body, "bucket_key_enabled"), nil); !ok || bk != "true" {
								r.at(pos, subject, "SSE-KMS without bucket_key_enabled = true")
							}
						default:
							r.at(pos, subject, "unexpected sse_algorithm %q", alg)
						}
					}
				}
			}
		}
	}
	return r.out
}

// bucketPolicies returns the statements of every bucket policy on a bucket, and the
// policy resources.
func bucketPolicies(b *hclcheck.Block) (hclcheck.Policy, []*hclcheck.Block) {
	var p hclcheck.Policy
	pols := bucketCompanions(b, "aws_s3_bucket_policy")
	for _, pr := range pols {
		q := boundPolicy(pr, "policy")
		p.Statements = append(p.Statements, q.Statements...)
		p.Unresolved = append(p.Unresolved, q.Unresolved...)
	}
	return p, pols
}

func deniesInsecureTransport(p hclcheck.Policy) bool {
	for _, s := range p.Statements {
		if !strings.EqualFold(s.Effect, "Deny") {
			continue
		}
		for _, c := range s.Condition("aws:SecureTransport") {
			if strings.EqualFold(c.Test, "Bool") && staticAnyString(c.Values, func(v string) bool { return v == "false" }) {
				return true
			}
		}
	}
	return false
}

func checkBucketTLS(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-tls-only"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		p, pols := bucketPolicies(b)
		if len(pols) == 0 {
			r.block(b, "no aws_s3_bucket_policy (needs a TLS-only deny)")
			continue
		}
		if !deniesInsecureTransport(p) {
			r.block(pols[0], "no statement denies aws:SecureTransport=false")
		}
	}
	return r.out
}

func checkBucketAccessLogging(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-access-logging"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		logs := bucketCompanions(b, "aws_s3_bucket_logging")
		for _, ctx := range b.Module.Contexts() {
			if isAccessLogBucket(b, ctx) {
				continue
			}
			pos, subject := ctxPos(b, ctx)
			if len(logs) == 0 {
				r.at(pos, subject, "no aws_s3_bucket_logging into the access-log bucket")
				continue
			}
			for _, l := range logs {
				if _, _, ok := ctx.EvalString(l.Attr("target_bucket"), nil); ok {
					continue // a constant bucket name: logging is on
				}
				// target_bucket = var.x.bucket with x null: logging is switched off.
				if cnt := l.Attr("count"); cnt != nil {
					if v, ok := ctx.Eval(cnt, nil); ok && !v.IsNull() && v.Type() == cty.Number && v.AsBigFloat().Sign() == 0 {
						r.at(pos, subject, "access logging is switched off (count = 0) for a bucket that is not the access-log bucket")
					}
				}
			}
		}
	}
	return r.out
}

// lifecycleRule is one lifecycle rule as one context sees it.
type lifecycleRule struct {
	pos         string
	prefix      string
	prefixKnown bool
	abort       bool
	noncurrent  bool
}

func checkLifecycleFilter(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lifecycle-filter-prefix"}
	for _, lc := range platformResources(t, "aws_s3_bucket_lifecycle_configuration") {
		rules := lc.Nested("rule")
		if len(rules) == 0 {
			r.block(lc, "no rule blocks")
		}
		for _, rule := range rules {
			if p := hclcheck.AttrOf(rule.Body, "prefix"); p != nil {
				r.rng(p.Range(), lc, "rule-level prefix is deprecated; use filter { prefix = ... }")
			}
			filters := hclcheck.Nested(rule.Body, "filter")
			if len(filters) == 0 {
				r.rng(rule.DefRange(), lc, "rule has no filter block; use filter { prefix = \"\" } for the whole bucket")
				continue
			}
			for _, f := range filters {
				hasPrefix := hclcheck.AttrOf(f.Body, "prefix") != nil
				for _, and := range hclcheck.Nested(f.Body, "and") {
					hasPrefix = hasPrefix || hclcheck.AttrOf(and.Body, "prefix") != nil
				}
				if !hasPrefix && len(f.Body.Attributes) == 0 && len(f.Body.Blocks) == 0 {
					r.rng(f.DefRange(), lc, "empty filter {} (providers >= 5.90 warn); use filter { prefix = \"\" }")
				} else if !hasPrefix && hclcheck.AttrOf(f.Body, "object_size_greater_than") == nil && hclcheck.AttrOf(f.Body, "object_size_less_than") == nil && len(hclcheck.Nested(f.Body, "tag")) == 0 {
					r.rng(f.DefRange(), lc, "filter sets no prefix")
				}
			}
		}
	}
	return r.out
}

// nestedFeed reports whether a rule body has a block of a type, and for a dynamic
// block, the key of rule.value its for_each reads ("" when it is static).
func nestedFeed(body *hclsyntax.Body, typ string) (present bool, key string) {
	for _, b := range body.Blocks {
		switch {
		case b.Type == typ:
			return true, ""
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == typ:
			for _, ref := range hclcheck.Refs(hclcheck.AttrOf(b.Body, "for_each")) {
				if parts := strings.Split(ref, "."); len(parts) == 3 && parts[1] == "value" {
					return true, parts[2]
				}
			}
			return true, ""
		}
	}
	return false, ""
}

// lifecycleRules returns the rules a lifecycle configuration renders in a context: the
// static rule blocks and, for `dynamic "rule"` over a variable, one rule per object
// the context passes.
func lifecycleRules(lc *hclcheck.Block, ctx hclcheck.Context) []lifecycleRule {
	var out []lifecycleRule
	m := lc.Module
	for _, b := range lc.Body.Blocks {
		switch {
		case b.Type == "rule":
			lr := lifecycleRule{pos: hclcheck.Pos(b.DefRange())}
			for _, f := range hclcheck.Nested(b.Body, "filter") {
				if s, _, ok := ctx.EvalString(hclcheck.AttrOf(f.Body, "prefix"), nil); ok {
					lr.prefix, lr.prefixKnown = s, true
				}
			}
			lr.abort, _ = nestedFeed(b.Body, "abort_incomplete_multipart_upload")
			lr.noncurrent, _ = nestedFeed(b.Body, "noncurrent_version_expiration")
			out = append(out, lr)
		case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == "rule":
			var content *hclsyntax.Body
			for _, c := range b.Body.Blocks {
				if c.Type == "content" {
					content = c.Body
				}
			}
			items, ok := ctx.Eval(hclcheck.AttrOf(b.Body, "for_each"), nil)
			if content == nil || !ok || items.IsNull() || !items.CanIterateElements() {
				out = append(out, lifecycleRule{pos: hclcheck.Pos(b.DefRange())})
				continue
			}
			pos := hclcheck.Pos(b.DefRange())
			if ctx.Call != nil {
				pos = ctx.Call.Pos()
			}
			for it := items.ElementIterator(); it.Next(); {
				_, obj := it.Element()
				lr := lifecycleRule{pos: pos}
				field := func(k string) (cty.Value, bool) {
					if obj.IsNull() || !obj.Type().IsObjectType() || !obj.Type().HasAttribute(k) {
						return cty.NilVal, false
					}
					v := obj.GetAttr(k)
					return v, !v.IsNull()
				}
				if p, ok := field("prefix"); ok && p.Type() == cty.String {
					lr.prefix, lr.prefixKnown = p.AsString(), true
				} else if !ok {
					// An omitted prefix takes the variable's optional default; the
					// module documents "" as whole-bucket.
					lr.prefix, lr.prefixKnown = "", true
				}
				for _, feed := range []struct {
					typ string
					dst *bool
				}{{"abort_incomplete_multipart_upload", &lr.abort}, {"noncurrent_version_expiration", &lr.noncurrent}} {
					present, key := nestedFeed(content, feed.typ)
					if present && key == "" {
						*feed.dst = true
					} else if present {
						_, *feed.dst = field(key)
					}
				}
				out = append(out, lr)
			}
			_ = m
		}
	}
	return out
}

func checkLifecycleCleanup(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lifecycle-cleanup"}
	for _, b := range platformResources(t, "aws_s3_bucket") {
		lcs := bucketCompanions(b, "aws_s3_bucket_lifecycle_configuration")
		if len(lcs) == 0 {
			r.block(b, "no aws_s3_bucket_lifecycle_configuration")
			continue
		}
		for _, ctx := range b.Module.Contexts() {
			pos, subject := ctxPos(b, ctx)
			var rules []lifecycleRule
			for _, lc := range lcs {
				rules = append(rules, lifecycleRules(lc, ctx)...)
			}
			abort, noncurrent := false, false
			for _, lr := range rules {
				whole := lr.prefixKnown && lr.prefix == ""
				abort = abort || (whole && lr.abort)
				noncurrent = noncurrent || (whole && lr.noncurrent)
			}
			if !abort {
				r.at(pos, subject, "no whole-bucket (prefix \"\") rule with abort_incomplete_multipart_upload")
			}
			if !noncurrent {
				r.at(pos, subject, "no whole-bucket (prefix \"\") rule with noncurrent_version_expiration")
			}
		}
	}
	return r.out
}

// cloudtrailBucketStatements returns the Allow statements for cloudtrail.amazonaws.com
// in every bucket policy, with the policy resources they came from.
func cloudtrailBucketStatements(t *hclcheck.Tree) ([]hclcheck.Statement, []*hclcheck.Block) {
	var sts []hclcheck.Statement
	var pols []*hclcheck.Block
	for _, pr := range platformResources(t, "aws_s3_bucket_policy") {
		found := false
		for _, s := range boundPolicy(pr, "policy").Statements {
			if strings.EqualFold(s.Effect, "Allow") && s.HasPrincipal("Service", cloudtrailSvc) {
				sts = append(sts, s)
				found = true
			}
		}
		if found {
			pols = append(pols, pr)
		}
	}
	return sts, pols
}

func checkCloudTrailACL(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-cloudtrail-acl-check"}
	sts, _ := cloudtrailBucketStatements(t)
	for _, s := range sts {
		if s.HasAction("s3:GetBucketAcl") {
			if len(s.Condition("aws:SourceArn")) == 0 {
				r.at(hclcheck.Pos(s.Range), "aws_s3_bucket_policy", "ACL check statement %q has no aws:SourceArn condition", s.Sid)
			}
			return r.out
		}
	}
	r.at(t.Root.Dir, "aws_s3_bucket_policy", "no bucket policy lets %s s3:GetBucketAcl", cloudtrailSvc)
	return r.out
}

// awsLogsPath reports whether a resource ARN writes under AWSLogs/${<ref>}/ for an
// interpolated reference that satisfies f.
func awsLogsPath(res string, f func(ref string) bool) bool {
	i := strings.Index(res, "/AWSLogs/${")
	if i < 0 {
		return false
	}
	rest := res[i+len("/AWSLogs/${"):]
	j := strings.Index(rest, "}")
	return j > 0 && f(rest[:j]) && strings.HasPrefix(rest[j+1:], "/")
}

func checkCloudTrailWrite(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "bucket-cloudtrail-write-paths"}
	sts, _ := cloudtrailBucketStatements(t)
	var writes []hclcheck.Statement
	var resources []string
	for _, s := range sts {
		if s.HasAction("s3:PutObject") {
			writes = append(writes, s)
			resources = append(resources, s.Resources...)
		}
	}
	if len(writes) == 0 {
		r.at(t.Root.Dir, "aws_s3_bucket_policy", "no bucket policy lets %s s3:PutObject", cloudtrailSvc)
		return r.out
	}
	// The paths may be split over several statements; together they must cover both.
	first := hclcheck.Pos(writes[0].Range)
	isAccount := func(ref string) bool { return strings.Contains(ref, "account_id") }
	isOrg := func(ref string) bool {
		return strings.Contains(ref, "organization_id") || strings.Contains(ref, "aws_organizations_organization")
	}
	if !staticAnyString(resources, func(s string) bool { return awsLogsPath(s, isAccount) }) {
		r.at(first, "aws_s3_bucket_policy", "write statement %q has no AWSLogs/${<account_id>}/ resource (resources: %s)", writes[0].Sid, strings.Join(resources, ", "))
	}
	if !staticAnyString(resources, func(s string) bool { return awsLogsPath(s, isOrg) }) {
		r.at(first, "aws_s3_bucket_policy", "write statement %q has no AWSLogs/${<organization_id>}/ resource: an organization trail cannot write (seed lesson 14)", writes[0].Sid)
	}
	for _, write := range writes {
		pos := hclcheck.Pos(write.Range)
		acl := false
		for _, c := range write.Condition("s3:x-amz-acl") {
			acl = acl || (strings.EqualFold(c.Test, "StringEquals") && staticAnyString(c.Values, func(v string) bool { return v == "bucket-owner-full-control" }))
		}
		if !acl {
			r.at(pos, "aws_s3_bucket_policy", "write statement %q lacks StringEquals s3:x-amz-acl = bucket-owner-full-control", write.Sid)
		}
		if len(write.Condition("aws:SourceArn")) == 0 {
			r.at(pos, "aws_s3_bucket_policy", "write statement %q has no aws:SourceArn condition", write.Sid)
		}
	}
	return r.out
}

// resourcePolicies are the resource policies where service principals publish or
// write into our resources, with the argument that holds the policy.
var resourcePolicies = map[string]string{
	"aws_s3_bucket_policy": "policy",
	"aws_sns_topic_policy": "policy",
	"aws_sqs_queue_policy": "policy",
	"aws_sns_topic":        "policy",
	"aws_sqs_queue":        "policy",
}

func checkConfusedDeputy(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "service-principal-source-condition"}
	for typ, attr := range resourcePolicies {
		for _, pr := range platformResources(t, typ) {
			if pr.Attr(attr) == nil {
				continue
			}
			for _, s := range boundPolicy(pr, attr).Statements {
				if !strings.EqualFold(s.Effect, "Allow") || len(s.Principals["Service"]) == 0 {
					continue
				}
				if len(s.Condition("aws:SourceArn"))+len(s.Condition("aws:SourceAccount"))+len(s.Condition("aws:SourceOrgID")) == 0 {
					r.rng(s.Range, pr, "statement %q lets %s in without an aws:SourceArn or aws:SourceAccount condition", s.Sid, strings.Join(s.Principals["Service"], ", "))
				}
			}
		}
	}
	return r.out
}

// ctxIsNull reports whether an expression evaluates to null in a context.
func ctxIsNull(ctx hclcheck.Context, e hclsyntax.Expression) bool {
	_, staticIsNull, ok := ctx.EvalString(e, nil)
	return ok && staticIsNull
}
