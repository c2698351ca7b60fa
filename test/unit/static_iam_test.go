package unit

import (
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// iamChecks cover the seed checklist's "IAM roles have comprehensive permissions" as
// DESIGN §9 sharpens it (explicit actions and resources), TLS-only topics and the
// ingest queue (issue 3: "non-TLS denied"), and the Glue crawler's settings.
func iamChecks() []staticCheck {
	return []staticCheck{
		{rule: "iam-role-has-policy", why: "seed checklist: every role is granted the permissions its code uses", run: checkRoleHasPolicy},
		{rule: "iam-explicit-actions", why: "DESIGN §9: IAM policies name actions explicitly (no * or service:*)", run: checkExplicitActions},
		{rule: "topic-queue-tls-only", why: "issue 3: topic policies deny non-TLS; the ingest queue too", run: checkTopicQueueTLS},
		{rule: "glue-crawler", why: "issue 3: scheduled, skips digest/insight files, new folders only, security configuration", run: checkGlueCrawler},
	}
}

func checkRoleHasPolicy(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "iam-role-has-policy"}
	for _, role := range platformResources(t, "aws_iam_role") {
		m := role.Module
		ok := role.Attr("managed_policy_arns") != nil || len(role.Nested("inline_policy")) > 0
		for _, typ := range []string{"aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_role_policies_exclusive", "aws_iam_role_policy_attachments_exclusive"} {
			for _, p := range m.ResourcesOf(typ) {
				for _, a := range []string{"role", "role_name"} {
					ok = ok || hclcheck.RefersTo(p.Attr(a), role.Addr())
				}
			}
		}
		if !ok {
			r.block(role, "no policy is attached to the role")
		}
	}
	return r.out
}

// identityPolicies are the arguments that hold identity (not resource or key)
// policies.
var identityPolicies = map[string]string{
	"aws_iam_role_policy": "policy",
	"aws_iam_policy":      "policy",
	"aws_iam_user_policy": "policy",
}

func checkExplicitActions(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "iam-explicit-actions"}
	for _, typ := range []string{"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy"} {
		for _, p := range platformResources(t, typ) {
			pol := boundPolicy(p, identityPolicies[typ])
			for _, s := range pol.Statements {
				if !strings.EqualFold(s.Effect, "Allow") {
					continue
				}
				if len(s.NotActions) > 0 {
					r.rng(s.Range, p, "statement %q uses NotAction; name the allowed actions", s.Sid)
				}
				for _, a := range s.Actions {
					if a == "*" || strings.HasSuffix(a, ":*") {
						r.rng(s.Range, p, "statement %q allows %q; name the actions the code calls", s.Sid, a)
					}
				}
			}
		}
	}
	return r.out
}

func checkTopicQueueTLS(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "topic-queue-tls-only"}
	for _, topic := range platformResources(t, "aws_sns_topic") {
		var p hclcheck.Policy
		n := 0
		if topic.Attr("policy") != nil {
			p = boundPolicy(topic, "policy")
			n++
		}
		for _, tp := range topic.Module.ResourcesOf("aws_sns_topic_policy") {
			if hclcheck.RefersTo(tp.Attr("arn"), topic.Addr()) {
				q := boundPolicy(tp, "policy")
				p.Statements = append(p.Statements, q.Statements...)
				n++
			}
		}
		if n == 0 {
			r.block(topic, "no topic policy (publishers allowed, non-TLS denied)")
		} else if !deniesInsecureTransport(p) {
			r.block(topic, "topic policy does not deny aws:SecureTransport=false")
		}
	}
	for _, n := range platformResources(t, "aws_s3_bucket_notification") {
		for _, q := range n.Nested("queue") {
			for _, ref := range hclcheck.Refs(hclcheck.AttrOf(q.Body, "queue_arn")) {
				parts := strings.Split(ref, ".")
				if len(parts) < 2 || parts[0] != "aws_sqs_queue" {
					continue
				}
				queue := n.Module.Resource(parts[0], parts[1])
				if queue == nil {
					continue
				}
				var p hclcheck.Policy
				if queue.Attr("policy") != nil {
					p = boundPolicy(queue, "policy")
				}
				for _, qp := range n.Module.ResourcesOf("aws_sqs_queue_policy") {
					if hclcheck.RefersTo(qp.Attr("queue_url"), queue.Addr()) {
						q := boundPolicy(qp, "policy")
						p.Statements = append(p.Statements, q.Statements...)
					}
				}
				if !deniesInsecureTransport(p) {
					r.block(queue, "ingest queue policy does not deny aws:SecureTransport=false")
				}
			}
		}
	}
	return r.out
}

func checkGlueCrawler(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "glue-crawler"}
	for _, c := range platformResources(t, "aws_glue_crawler") {
		if staticIsNull(c.Attr("schedule")) {
			r.block(c, "no schedule")
		}
		if staticIsNull(c.Attr("security_configuration")) {
			r.block(c, "no security_configuration (encrypted logs and bookmarks)")
		}
		recrawl := false
		for _, rp := range c.Nested("recrawl_policy") {
			v, _ := hclcheck.StringLit(hclcheck.AttrOf(rp.Body, "recrawl_behavior"))
			recrawl = v == "CRAWL_NEW_FOLDERS_ONLY"
		}
		if !recrawl {
			r.block(c, "recrawl_policy is not CRAWL_NEW_FOLDERS_ONLY")
		}
		targets := c.Nested("s3_target")
		if len(targets) == 0 {
			r.block(c, "no s3_target")
		}
		for _, st := range targets {
			ex := c.Module.Strings(hclcheck.AttrOf(st.Body, "exclusions"))
			for _, want := range []string{"CloudTrail-Digest/**", "CloudTrail-Insight/**"} {
				if !staticAnyString(ex, func(s string) bool { return strings.HasSuffix(s, want) }) {
					r.rng(st.DefRange(), c, "s3_target does not exclude %s", want)
				}
			}
		}
	}
	return r.out
}
