package unit

import (
	"regexp"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// kmsChecks are the seed's KMS lessons 1 and 13 and DESIGN §8 "KMS principals": every
// service that writes encrypted data can use the CMK, CloudTrail also gets an
// unconditional DescribeKey, and rotation is on.
func kmsChecks() []staticCheck {
	return []staticCheck{
		{rule: "kms-rotation", why: "DESIGN §9: platform CMK with rotation on", run: checkKMSRotation},
		{rule: "kms-cloudtrail-encrypt", why: "seed lesson 13 / checklist: CloudTrail encrypt with encryption context (+ aws:SourceArn, DESIGN §8)", run: checkKMSCloudTrailEncrypt},
		{rule: "kms-cloudtrail-describekey", why: "seed lesson 13: unconditional DescribeKey for CloudTrail", run: checkKMSCloudTrailDescribeKey},
		{rule: "kms-logs-principal", why: "seed lesson 1: logs.<region>.amazonaws.com with ArnLike encryption context", run: checkKMSLogs},
		{rule: "kms-service-principals", why: "seed checklist: all service principals; DESIGN §8: events and cloudwatch too", run: checkKMSServicePrincipals},
		{rule: "kms-readers-via-service", why: "issue 3: readers through kms:ViaService", run: checkKMSViaService},
	}
}

// keyPolicy is the policy of one CMK with the block to blame.
type keyPolicy struct {
	key    *hclcheck.Block
	policy hclcheck.Policy
}

// keyPolicies returns the policy of every aws_kms_key in the platform, merged with
// any aws_kms_key_policy that targets it. With no key at all, it reports that.
func keyPolicies(t *hclcheck.Tree, r *staticReporter) []keyPolicy {
	var out []keyPolicy
	for _, k := range platformResources(t, "aws_kms_key") {
		kp := keyPolicy{key: k, policy: boundPolicy(k, "policy")}
		for _, kpr := range k.Module.ResourcesOf("aws_kms_key_policy") {
			if hclcheck.RefersTo(kpr.Attr("key_id"), k.Addr()) {
				q := boundPolicy(kpr, "policy")
				kp.policy.Statements = append(kp.policy.Statements, q.Statements...)
				kp.policy.Unresolved = append(kp.policy.Unresolved, q.Unresolved...)
			}
		}
		out = append(out, kp)
	}
	if len(out) == 0 {
		r.at(t.Root.Dir, "aws_kms_key", "no aws_kms_key in the root module or its submodules")
	}
	return out
}

func (kp keyPolicy) find(f func(hclcheck.Statement) bool) *hclcheck.Statement {
	for i, s := range kp.policy.Statements {
		if strings.EqualFold(s.Effect, "Allow") && f(s) {
			return &kp.policy.Statements[i]
		}
	}
	return nil
}

func (kp keyPolicy) missing(r *staticReporter, format string, args ...any) {
	suffix := ""
	if len(kp.policy.Unresolved) > 0 {
		suffix = " (could not follow: " + strings.Join(kp.policy.Unresolved, ", ") + ")"
	}
	r.at(attrPos(kp.key, "policy"), kp.key.Addr(), format+suffix, args...)
}

func checkKMSRotation(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-rotation"}
	for _, k := range platformResources(t, "aws_kms_key") {
		if !boundBool(k, k.Attr("enable_key_rotation"), true) {
			r.at(attrPos(k, "enable_key_rotation"), k.Addr(), "enable_key_rotation is not true for every caller")
		}
	}
	return r.out
}

const cloudtrailSvc = "cloudtrail.amazonaws.com"

func checkKMSCloudTrailEncrypt(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-cloudtrail-encrypt"}
	for _, kp := range keyPolicies(t, r) {
		st := kp.find(func(s hclcheck.Statement) bool {
			return s.HasPrincipal("Service", cloudtrailSvc) && (s.HasAction("kms:GenerateDataKey*") || s.HasAction("kms:GenerateDataKey"))
		})
		switch {
		case st == nil:
			kp.missing(r, "no statement lets %s kms:GenerateDataKey*", cloudtrailSvc)
		case len(st.Condition("kms:EncryptionContext:aws:cloudtrail:arn")) == 0:
			r.rng(st.Range, kp.key, "CloudTrail encrypt statement %q has no kms:EncryptionContext:aws:cloudtrail:arn condition", st.Sid)
		case len(st.Condition("aws:SourceArn")) == 0:
			r.rng(st.Range, kp.key, "CloudTrail encrypt statement %q has no aws:SourceArn condition (confused deputy, DESIGN §8)", st.Sid)
		}
	}
	return r.out
}

func checkKMSCloudTrailDescribeKey(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-cloudtrail-describekey"}
	for _, kp := range keyPolicies(t, r) {
		st := kp.find(func(s hclcheck.Statement) bool {
			return s.HasPrincipal("Service", cloudtrailSvc) && s.HasAction("kms:DescribeKey") && len(s.Conditions) == 0
		})
		if st == nil {
			kp.missing(r, "no unconditional kms:DescribeKey statement for %s (InsufficientEncryptionPolicyException, seed lesson 13)", cloudtrailSvc)
		}
	}
	return r.out
}

// logsPrincipalRE accepts logs.<region>.amazonaws.com with the region interpolated,
// never written literally.
var logsPrincipalRE = regexp.MustCompile(`^logs\.\$\{[^}]+\}\.amazonaws\.com$`)

func checkKMSLogs(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-logs-principal"}
	for _, kp := range keyPolicies(t, r) {
		st := kp.find(func(s hclcheck.Statement) bool {
			return s.PrincipalMatches("Service", logsPrincipalRE.MatchString)
		})
		if st == nil {
			kp.missing(r, "no statement for the logs.${region}.amazonaws.com service principal")
			continue
		}
		ok := false
		for _, c := range st.Condition("kms:EncryptionContext:aws:logs:arn") {
			ok = ok || strings.EqualFold(c.Test, "ArnLike")
		}
		if !ok {
			r.rng(st.Range, kp.key, "CloudWatch Logs statement %q has no ArnLike kms:EncryptionContext:aws:logs:arn condition", st.Sid)
		}
	}
	return r.out
}

// servicePrincipals are the services that publish into CMK-encrypted stores: SNS
// topics (sns), EventBridge and CloudWatch alarms publishing to encrypted topics
// (DESIGN §8), and S3 event notifications into the encrypted ingest queue.
var servicePrincipals = []string{"sns.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com", "s3.amazonaws.com"}

func checkKMSServicePrincipals(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-service-principals"}
	for _, kp := range keyPolicies(t, r) {
		for _, svc := range servicePrincipals {
			st := kp.find(func(s hclcheck.Statement) bool {
				return s.HasPrincipal("Service", svc) && (s.HasAction("kms:GenerateDataKey*") || s.HasAction("kms:GenerateDataKey")) && s.HasAction("kms:Decrypt")
			})
			if st == nil {
				kp.missing(r, "no statement lets %s kms:GenerateDataKey* and kms:Decrypt", svc)
			}
		}
	}
	return r.out
}

func checkKMSViaService(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "kms-readers-via-service"}
	for _, kp := range keyPolicies(t, r) {
		st := kp.find(func(s hclcheck.Statement) bool {
			return s.HasAction("kms:Decrypt") && len(s.Condition("kms:ViaService")) > 0
		})
		if st == nil {
			kp.missing(r, "no kms:Decrypt statement for readers conditioned on kms:ViaService")
		}
	}
	return r.out
}
