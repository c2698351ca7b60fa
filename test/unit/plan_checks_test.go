package unit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ctap-platform/ctap/test/unit/tfharness"
)

// The assertions on planned values, shared by the plan scenarios. Each returns every
// problem it finds (never stops at the first), so that a sabotage test can prove it fails.

const (
	planAddrKMSKey      = "module.ctap.module.kms.aws_kms_key.this"
	planAddrTrail       = "module.ctap.aws_cloudtrail.this"
	planAddrFindings    = "module.ctap.aws_dynamodb_table.findings"
	planAddrWorkgroup   = "module.ctap.aws_athena_workgroup.this"
	planAddrLogBucketPo = "module.ctap.module.log_bucket.aws_s3_bucket_policy.this"
	planAddrLogBucketLc = "module.ctap.module.log_bucket.aws_s3_bucket_lifecycle_configuration.this[0]"
	planAddrIngestMap   = "module.ctap.aws_lambda_event_source_mapping.ingest"
	planAddrStreamMap   = "module.ctap.aws_lambda_event_source_mapping.findings_stream"
)

func planAddrFunction(k string) string {
	return fmt.Sprintf("module.ctap.module.function[%q].aws_lambda_function.this", k)
}

// planCheckKMSKeyPolicy: every service that writes encrypted data can use the key, with the
// conditions that keep it from being a confused deputy, and CloudTrail can describe it
// unconditionally.
func planCheckKMSKeyPolicy(p tfharness.Plan) []string {
	var ps planProblems
	v := ps.values(p, planAddrKMSKey)
	ps.eq(planAddrKMSKey, "enable_key_rotation", v["enable_key_rotation"], true)
	pol := ps.policy(planAddrKMSKey, plStr(v["policy"]))
	root := "arn:aws:iam::" + planAccount + ":root"

	st := ps.stmt(planAddrKMSKey, pol, "AllowAccountRootKeyAdministration")
	ps.eq(planAddrKMSKey, "root statement principal", st.Principals["AWS"], []string{root})
	ps.eq(planAddrKMSKey, "root statement actions", st.Actions, []string{"kms:*"})

	st = ps.stmt(planAddrKMSKey, pol, "AllowCloudTrailEncryptLogs")
	ps.eq(planAddrKMSKey, "CloudTrail encrypt principal", st.Principals["Service"], []string{"cloudtrail.amazonaws.com"})
	ps.eq(planAddrKMSKey, "CloudTrail encryption context", st.Conditions["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"],
		[]string{"arn:aws:cloudtrail:*:" + planAccount + ":trail/*"})
	ps.eq(planAddrKMSKey, "CloudTrail encrypt aws:SourceArn", st.Conditions["StringEquals"]["aws:SourceArn"], []string{planTrailARN()})
	if len(st.Actions) == 0 || st.Actions[0] != "kms:GenerateDataKey*" {
		ps.addf("%s: CloudTrail encrypt statement actions %v lack kms:GenerateDataKey*", planAddrKMSKey, st.Actions)
	}

	st = ps.stmt(planAddrKMSKey, pol, "AllowCloudTrailDescribeKey")
	ps.eq(planAddrKMSKey, "CloudTrail DescribeKey principal", st.Principals["Service"], []string{"cloudtrail.amazonaws.com"})
	ps.eq(planAddrKMSKey, "CloudTrail DescribeKey actions", st.Actions, []string{"kms:DescribeKey"})
	if len(st.Conditions) != 0 {
		ps.addf("%s: AllowCloudTrailDescribeKey must be unconditional (CreateTrail fails otherwise), has %v", planAddrKMSKey, st.Conditions)
	}

	st = ps.stmt(planAddrKMSKey, pol, "AllowCloudWatchLogsEncryptLogGroups")
	ps.eq(planAddrKMSKey, "CloudWatch Logs principal", st.Principals["Service"], []string{"logs." + planRegion + ".amazonaws.com"})
	ctx := st.Conditions["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
	if len(ctx) == 0 {
		ps.addf("%s: CloudWatch Logs statement has no ArnLike kms:EncryptionContext:aws:logs:arn condition", planAddrKMSKey)
	}
	for _, c := range ctx {
		if !strings.HasPrefix(c, fmt.Sprintf("arn:aws:logs:%s:%s:log-group:", planRegion, planAccount)) {
			ps.addf("%s: CloudWatch Logs encryption context %q is not this account's log groups in %s", planAddrKMSKey, c, planRegion)
		}
	}

	// Publishers to encrypted topics and queues (design section 8). Their confused-deputy
	// conditions sit on the topic and queue policies, where the services document them.
	for sid, principal := range map[string]string{
		"AllowCloudWatchAlarmsPublishToEncryptedTopics": "cloudwatch.amazonaws.com",
		"AllowEventBridgePublishToEncryptedTopics":      "events.amazonaws.com",
		"AllowS3NotificationsToEncryptedQueue":          "s3.amazonaws.com",
		"AllowSNSDeliverToEncryptedSubscribers":         "sns.amazonaws.com",
	} {
		st := ps.stmt(planAddrKMSKey, pol, sid)
		ps.eq(planAddrKMSKey, sid+" principal", st.Principals["Service"], []string{principal})
	}
	for _, s := range pol.Statements {
		for _, a := range s.Principals["AWS"] {
			if !strings.HasPrefix(a, "arn:aws:iam::"+planAccount+":") {
				ps.addf("%s: statement %s grants AWS principal %s outside account %s", planAddrKMSKey, s.Sid, a, planAccount)
			}
		}
		if s.Principals["*"] != nil && s.Effect == "Allow" {
			ps.addf("%s: statement %s allows any principal", planAddrKMSKey, s.Sid)
		}
	}
	return ps
}

// planCheckTrailBucketPolicy: CloudTrail may check the ACL and write to both the
// organization path and the management account's own path, each tied to our trail by
// aws:SourceArn; everything else is denied without TLS.
func planCheckTrailBucketPolicy(org bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		v := ps.values(p, planAddrLogBucketPo)
		pol := ps.policy(planAddrLogBucketPo, plStr(v["policy"]))
		arn := "arn:aws:s3:::" + planName("trail-logs")
		acl := ps.stmt(planAddrLogBucketPo, pol, "AWSCloudTrailAclCheck")
		ps.eq(planAddrLogBucketPo, "ACL check resource", acl.Resources, []string{arn})
		ps.eq(planAddrLogBucketPo, "ACL check aws:SourceArn", acl.Conditions["StringEquals"]["aws:SourceArn"], []string{planTrailARN()})
		w := ps.stmt(planAddrLogBucketPo, pol, "AWSCloudTrailWrite")
		want := []string{arn + "/AWSLogs/" + planAccount + "/*"}
		if org {
			want = plSorted(arn+"/AWSLogs/"+planAccount+"/*", arn+"/AWSLogs/"+planOrg+"/*")
		}
		ps.eq(planAddrLogBucketPo, "CloudTrail write paths", w.Resources, want)
		ps.eq(planAddrLogBucketPo, "CloudTrail write principal", w.Principals["Service"], []string{"cloudtrail.amazonaws.com"})
		ps.eq(planAddrLogBucketPo, "CloudTrail write aws:SourceArn", w.Conditions["StringEquals"]["aws:SourceArn"], []string{planTrailARN()})
		ps.eq(planAddrLogBucketPo, "CloudTrail write ACL", w.Conditions["StringEquals"]["s3:x-amz-acl"], []string{"bucket-owner-full-control"})
		tls := ps.stmt(planAddrLogBucketPo, pol, "DenyInsecureTransport")
		ps.eq(planAddrLogBucketPo, "TLS statement effect", tls.Effect, "Deny")
		ps.eq(planAddrLogBucketPo, "TLS statement condition", tls.Conditions["Bool"]["aws:SecureTransport"], []string{"false"})
		return ps
	}
}

// planCheckLifecycle: every bucket's lifecycle rules filter with prefix "" (no empty filter
// {}, which warns), abort incomplete uploads, and the trail logs tier down and expire.
func planCheckLifecycle(p tfharness.Plan) []string {
	var ps planProblems
	addrs := p.Addresses("aws_s3_bucket_lifecycle_configuration")
	if len(addrs) < 3 {
		ps.addf("want a lifecycle configuration on each of the 3 buckets, have %v", addrs)
	}
	for _, a := range addrs {
		v := ps.values(p, a)
		rules, _ := v["rule"].([]any)
		if len(rules) == 0 {
			ps.addf("%s: no rules", a)
		}
		for i, r := range rules {
			// An empty filter {} warns on providers >= 5.90; whole-bucket rules say prefix = "".
			f := tfharness.Get(r, "filter", 0)
			_, hasPrefix := tfharness.Get(f, "prefix").(string)
			and, _ := tfharness.Get(f, "and").([]any)
			tag, _ := tfharness.Get(f, "tag").([]any)
			if f == nil || (!hasPrefix && len(and) == 0 && len(tag) == 0) {
				ps.addf("%s: rule[%d] (%v) has no filter or an empty filter {}; use filter { prefix = \"\" } for the whole bucket", a, i, tfharness.Get(r, "id"))
			}
			ps.eq(a, fmt.Sprintf("rule[%d].status", i), tfharness.Get(r, "status"), "Enabled")
		}
	}
	v := ps.values(p, planAddrLogBucketLc)
	r := tfharness.Get(v, "rule", 0)
	classes := map[string]float64{}
	for _, tr := range tfharness.Get(r, "transition").([]any) {
		classes[plStr(tfharness.Get(tr, "storage_class"))] = plNum(tfharness.Get(tr, "days"))
	}
	if classes["INTELLIGENT_TIERING"] == 0 || classes["GLACIER"] <= classes["INTELLIGENT_TIERING"] {
		ps.addf("%s: transitions %v, want INTELLIGENT_TIERING then GLACIER later", planAddrLogBucketLc, classes)
	}
	if e := plNum(tfharness.Get(r, "expiration", 0, "days")); e <= classes["GLACIER"] {
		ps.addf("%s: expiration after %v days, want after the GLACIER transition", planAddrLogBucketLc, e)
	}
	ps.eq(planAddrLogBucketLc, "filter prefix (whole bucket)", tfharness.Get(r, "filter", 0, "prefix"), "")
	if plNum(tfharness.Get(r, "abort_incomplete_multipart_upload", 0, "days_after_initiation")) <= 0 {
		ps.addf("%s: incomplete multipart uploads are never aborted", planAddrLogBucketLc)
	}
	if plNum(tfharness.Get(r, "noncurrent_version_expiration", 0, "noncurrent_days")) <= 0 {
		ps.addf("%s: noncurrent versions never expire", planAddrLogBucketLc)
	}
	return ps
}

// planCheckTrail: advanced selectors (management events, Lambda data events when on, S3
// data events only for named buckets), validation, and the `:*` log group ARN.
func planCheckTrail(org, lambdaData, cwl, dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		v := ps.values(p, planAddrTrail)
		ps.eq(planAddrTrail, "is_organization_trail", v["is_organization_trail"], org)
		ps.eq(planAddrTrail, "is_multi_region_trail", v["is_multi_region_trail"], true)
		ps.eq(planAddrTrail, "enable_log_file_validation", v["enable_log_file_validation"], true)
		ps.eq(planAddrTrail, "include_global_service_events", v["include_global_service_events"], true)
		if sel, _ := v["event_selector"].([]any); len(sel) != 0 {
			ps.addf("%s: basic event_selector used (%v); use advanced selectors", planAddrTrail, sel)
		}
		selectors := map[string]map[string][]string{}
		for _, s := range v["advanced_event_selector"].([]any) {
			fields := map[string][]string{}
			for _, f := range tfharness.Get(s, "field_selector").([]any) {
				fields[plStr(tfharness.Get(f, "field"))] = tfharness.Strings(tfharness.Get(f, "equals"))
			}
			selectors[plStr(tfharness.Get(s, "name"))] = fields
		}
		mgmt := false
		lambda := false
		for name, f := range selectors {
			if strings.Join(f["eventCategory"], ",") == "Management" {
				mgmt = true
			}
			if strings.Join(f["eventCategory"], ",") == "Data" && strings.Join(f["resources.type"], ",") == "AWS::Lambda::Function" {
				lambda = true
			}
			for _, res := range f["resources.ARN"] {
				if strings.Contains(res, ":::*") {
					ps.addf("%s: selector %q logs every bucket (%s)", planAddrTrail, name, res)
				}
			}
		}
		if !mgmt {
			ps.addf("%s: no advanced selector for management events (have %v)", planAddrTrail, selectors)
		}
		if lambda != lambdaData {
			ps.addf("%s: Lambda data event selector present = %v, want %v (selectors %v)", planAddrTrail, lambda, lambdaData, selectors)
		}
		switch {
		case !cwl:
			if v["cloud_watch_logs_group_arn"] != nil {
				ps.addf("%s: cloud_watch_logs_group_arn = %v with CloudWatch Logs off", planAddrTrail, v["cloud_watch_logs_group_arn"])
			}
		case dayTwo:
			ps.eq(planAddrTrail, "cloud_watch_logs_group_arn", v["cloud_watch_logs_group_arn"], planLogGroupARN()+":*")
		default:
			ps.unknown(p, planAddrTrail, "cloud_watch_logs_group_arn")
		}
		if dayTwo {
			ps.eq(planAddrTrail, "name", v["name"], planName("trail"))
			ps.eq(planAddrTrail, "kms_key_id", v["kms_key_id"], planKeyARN)
			ps.eq(planAddrTrail, "s3_bucket_name", v["s3_bucket_name"], planName("trail-logs"))
		}
		return ps
	}
}

// planCheckFindingsTable: keys, GSIs, TTL, stream, PITR and CMK encryption as in the design.
func planCheckFindingsTable(dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		v := ps.values(p, planAddrFindings)
		ps.eq(planAddrFindings, "hash_key", v["hash_key"], "finding_id")
		ps.eq(planAddrFindings, "range_key", v["range_key"], nil)
		ps.eq(planAddrFindings, "billing_mode", v["billing_mode"], "PAY_PER_REQUEST")
		attrs := map[string]string{}
		for _, a := range v["attribute"].([]any) {
			attrs[plStr(tfharness.Get(a, "name"))] = plStr(tfharness.Get(a, "type"))
		}
		ps.eq(planAddrFindings, "attributes (keys only)", attrs, map[string]string{"finding_id": "S", "account_id": "S", "severity": "S", "detected_at": "S"})
		gsis := map[string]string{}
		for _, g := range v["global_secondary_index"].([]any) {
			gsis[plStr(tfharness.Get(g, "name"))] = plStr(tfharness.Get(g, "hash_key")) + "/" + plStr(tfharness.Get(g, "range_key"))
		}
		ps.eq(planAddrFindings, "GSIs", gsis, map[string]string{"by_account": "account_id/detected_at", "by_severity": "severity/detected_at"})
		ps.eq(planAddrFindings, "ttl", tfharness.Get(v, "ttl", 0, "attribute_name"), "expires_at")
		ps.eq(planAddrFindings, "ttl enabled", tfharness.Get(v, "ttl", 0, "enabled"), true)
		ps.eq(planAddrFindings, "stream_enabled", v["stream_enabled"], true)
		ps.eq(planAddrFindings, "stream_view_type", v["stream_view_type"], "NEW_IMAGE")
		ps.eq(planAddrFindings, "point_in_time_recovery", tfharness.Get(v, "point_in_time_recovery", 0, "enabled"), true)
		ps.eq(planAddrFindings, "server_side_encryption", tfharness.Get(v, "server_side_encryption", 0, "enabled"), true)
		if dayTwo {
			ps.eq(planAddrFindings, "server_side_encryption.kms_key_arn", tfharness.Get(v, "server_side_encryption", 0, "kms_key_arn"), planKeyARN)
			ps.eq(planAddrFindings, "name", v["name"], planName("findings"))
		} else {
			ps.unknown(p, planAddrFindings, "server_side_encryption", 0, "kms_key_arn")
			ps.unknown(p, planAddrFindings, "name")
		}
		return ps
	}
}

// planFunctionEnv lists, per function, the environment variables docs/contracts.md requires.
var planFunctionEnv = map[string][]string{
	"log-processor":       {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS"},
	"event-analyzer":      {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS"},
	"alert-router":        {"LOG_LEVEL", "FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_HIGH_ARN", "TOPIC_MEDIUM_ARN", "ALERT_STATE_TABLE", "SUPPRESSION_WINDOW_MINUTES"},
	"compliance-reporter": {"LOG_LEVEL", "FINDINGS_TABLE", "TOPIC_CRITICAL_ARN", "TOPIC_MEDIUM_ARN", "ATHENA_WORKGROUP", "ATHENA_DATABASE", "ATHENA_TABLE", "ATHENA_QUERY_TIMEOUT_SECONDS", "COMPLIANCE_QUERY_IDS", "REPORT_BUCKET", "REPORT_PREFIX", "TRAIL_ARN", "TRAIL_MAX_DELIVERY_AGE_MINUTES", "ALLOWED_REGIONS"},
	"anomaly-detector":    {"LOG_LEVEL", "FINDINGS_TABLE", "FINDINGS_TTL_DAYS", "ATHENA_WORKGROUP", "ATHENA_DATABASE", "ATHENA_TABLE", "ATHENA_QUERY_TIMEOUT_SECONDS", "ALLOWED_REGIONS", "ANOMALY_BASELINE_DAYS", "ANOMALY_ZSCORE", "ANOMALY_MIN_CALLS", "ANOMALY_ACCESS_DENIED_MIN", "ANOMALY_BULK_READ_MIN"},
}

// planFunctionDLQ is the SNS tier each asynchronously invoked function dead-letters to; the
// event-source-mapped ones fail into their mappings' own destinations instead.
var planFunctionDLQ = map[string]string{"event-analyzer": "critical", "compliance-reporter": "medium", "anomaly-detector": "medium"}

// planCheckFunctions: runtime, architecture, handler, tracing, environment and DLQ of each.
func planCheckFunctions(dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		for _, k := range tfharness.FunctionKeys {
			a := planAddrFunction(k)
			v := ps.values(p, a)
			ps.eq(a, "runtime", v["runtime"], "provided.al2023")
			ps.eq(a, "architectures", tfharness.Strings(v["architectures"]), []string{"arm64"})
			ps.eq(a, "handler", v["handler"], "bootstrap")
			ps.eq(a, "tracing_config.mode", tfharness.Get(v, "tracing_config", 0, "mode"), "Active")
			if h := plStr(v["source_code_hash"]); h == "" {
				ps.addf("%s: source_code_hash not set from the zip", a)
			}
			rc := p.ResourceChangesMap[a]
			known, _ := tfharness.Get(v, "environment", 0, "variables").(map[string]any)
			var unknownVars map[string]any
			if rc != nil && rc.Change != nil {
				unknownVars, _ = tfharness.Get(rc.Change.AfterUnknown, "environment", 0, "variables").(map[string]any)
			}
			for _, name := range planFunctionEnv[k] {
				_, isKnown := known[name]
				_, isUnknown := unknownVars[name]
				if !isKnown && !isUnknown {
					ps.addf("%s: environment variable %s (docs/contracts.md) is not set", a, name)
				}
			}
			if dayTwo {
				ps.eq(a, "function_name", v["function_name"], planName(k))
				ps.eq(a, "env FINDINGS_TABLE", known["FINDINGS_TABLE"], planName("findings"))
				if k == "alert-router" {
					for _, tier := range []string{"critical", "high", "medium"} {
						ps.eq(a, "env TOPIC_"+strings.ToUpper(tier)+"_ARN", known["TOPIC_"+strings.ToUpper(tier)+"_ARN"], planTopicARN(tier))
					}
				}
			}
			dlq := tfharness.Get(v, "dead_letter_config")
			tier, wantDLQ := planFunctionDLQ[k]
			switch {
			case !wantDLQ:
				if l, _ := dlq.([]any); len(l) != 0 {
					ps.addf("%s: unexpected dead_letter_config %v", a, dlq)
				}
			case dayTwo:
				ps.eq(a, "dead_letter_config.target_arn", tfharness.Get(v, "dead_letter_config", 0, "target_arn"), planTopicARN(tier))
			default:
				if l, _ := dlq.([]any); len(l) != 1 {
					ps.addf("%s: no dead_letter_config (async function; want the %s topic)", a, tier)
				}
			}
		}
		return ps
	}
}

// planCheckEventSourceMappings: SQS ingest and the findings stream report partial batch
// failures; the stream starts at LATEST, only takes INSERTs, and fails into a DLQ.
func planCheckEventSourceMappings(p tfharness.Plan) []string {
	var ps planProblems
	in := ps.values(p, planAddrIngestMap)
	ps.eq(planAddrIngestMap, "function_response_types", tfharness.Strings(in["function_response_types"]), []string{"ReportBatchItemFailures"})
	ps.unknown(p, planAddrIngestMap, "event_source_arn")
	st := ps.values(p, planAddrStreamMap)
	ps.eq(planAddrStreamMap, "function_response_types", tfharness.Strings(st["function_response_types"]), []string{"ReportBatchItemFailures"})
	ps.eq(planAddrStreamMap, "starting_position", st["starting_position"], "LATEST")
	ps.eq(planAddrStreamMap, "bisect_batch_on_function_error", st["bisect_batch_on_function_error"], true)
	pattern := plStr(tfharness.Get(st, "filter_criteria", 0, "filter", 0, "pattern"))
	if !regexp.MustCompile(`"eventName"\s*:\s*\[\s*"INSERT"\s*\]`).MatchString(pattern) {
		ps.addf("%s: filter pattern %q does not select INSERT only", planAddrStreamMap, pattern)
	}
	if l, _ := tfharness.Get(st, "destination_config", 0, "on_failure").([]any); len(l) != 1 {
		ps.addf("%s: no on_failure destination", planAddrStreamMap)
	}
	return ps
}

// planCheckPermissions: each trigger's permission names its principal and exactly its source.
func planCheckPermissions(cwl, dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		want := map[string][2]string{
			"module.ctap.aws_lambda_permission.api_calls":                {"events.amazonaws.com", planRuleARN(planName("api-calls"))},
			`module.ctap.aws_lambda_permission.schedule["compliance"]`:   {"events.amazonaws.com", planRuleARN(planName("compliance-schedule"))},
			`module.ctap.aws_lambda_permission.schedule["anomaly"]`:      {"events.amazonaws.com", planRuleARN(planName("anomaly-schedule"))},
			"module.ctap.aws_lambda_permission.realtime_subscription[0]": {"logs." + planRegion + ".amazonaws.com", planLogGroupARN() + ":*"},
		}
		if !cwl {
			delete(want, "module.ctap.aws_lambda_permission.realtime_subscription[0]")
		}
		have := p.Addresses("aws_lambda_permission")
		if len(have) != len(want) {
			ps.addf("lambda permissions %v, want %d", have, len(want))
		}
		for a, w := range want {
			v := ps.values(p, a)
			ps.eq(a, "principal", v["principal"], w[0])
			ps.eq(a, "source_account", v["source_account"], planAccount)
			if dayTwo {
				ps.eq(a, "source_arn", v["source_arn"], w[1])
			} else {
				ps.unknown(p, a, "source_arn")
			}
		}
		return ps
	}
}

// planCheckTopicsKMS: the three alert tiers are encrypted with the platform CMK.
func planCheckTopicsKMS(dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		for _, tier := range []string{"critical", "high", "medium"} {
			a := fmt.Sprintf("module.ctap.aws_sns_topic.alerts[%q]", tier)
			v := ps.values(p, a)
			if dayTwo {
				ps.eq(a, "kms_master_key_id", v["kms_master_key_id"], planKeyARN)
				ps.eq(a, "name", v["name"], planName("alerts-"+tier))
			} else {
				ps.unknown(p, a, "kms_master_key_id")
			}
		}
		for _, a := range p.Addresses("aws_sqs_queue") {
			v := ps.values(p, a)
			if dayTwo {
				ps.eq(a, "kms_master_key_id", v["kms_master_key_id"], planKeyARN)
			}
		}
		return ps
	}
}

// planCheckAthenaWorkgroup: results encrypted with the CMK, configuration enforced, and the
// per-query scan cutoff.
func planCheckAthenaWorkgroup(cutoff float64, dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		v := ps.values(p, planAddrWorkgroup)
		c := tfharness.Get(v, "configuration", 0)
		ps.eq(planAddrWorkgroup, "bytes_scanned_cutoff_per_query", tfharness.Get(c, "bytes_scanned_cutoff_per_query"), cutoff)
		ps.eq(planAddrWorkgroup, "enforce_workgroup_configuration", tfharness.Get(c, "enforce_workgroup_configuration"), true)
		enc := tfharness.Get(c, "result_configuration", 0, "encryption_configuration", 0)
		ps.eq(planAddrWorkgroup, "encryption_option", tfharness.Get(enc, "encryption_option"), "SSE_KMS")
		if dayTwo {
			ps.eq(planAddrWorkgroup, "kms_key_arn", tfharness.Get(enc, "kms_key_arn"), planKeyARN)
		} else {
			ps.unknown(p, planAddrWorkgroup, "configuration", 0, "result_configuration", 0, "encryption_configuration", 0, "kms_key_arn")
		}
		return ps
	}
}

// planOwnName is the attribute that carries a resource's own AWS name: `name`, except
// for these types. Attributes that name another resource (a bucket policy's `bucket`) are
// not names.
var planOwnName = map[string]string{
	"aws_s3_bucket": "bucket", "aws_lambda_function": "function_name",
	"aws_cloudwatch_metric_alarm": "alarm_name", "aws_cloudwatch_dashboard": "dashboard_name",
}

// planUnsuffixed are types whose names are contracts or scoped to a parent, not global:
// named queries are looked up by name (COMPLIANCE_QUERY_IDS), the Glue table is
// ATHENA_TABLE, and inline role policies are named within their role.
var planUnsuffixed = map[string]bool{"aws_athena_named_query": true, "aws_glue_catalog_table": true, "aws_iam_role_policy": true}

// planCheckNamesCarrySuffix: every named resource ends with <environment>-<suffix>
// (Glue: underscores), known once the suffix exists and unknown before.
func planCheckNamesCarrySuffix(dayTwo bool) func(p tfharness.Plan) []string {
	return func(p tfharness.Plan) []string {
		var ps planProblems
		n := 0
		for _, a := range p.Addresses("") {
			r := p.ResourcePlannedValuesMap[a]
			if planUnsuffixed[r.Type] || strings.HasPrefix(r.Type, "random_") {
				continue
			}
			attr := "name"
			if o, ok := planOwnName[r.Type]; ok {
				attr = o
			}
			{
				s, isString := r.AttributeValues[attr].(string)
				u, _ := p.Unknown(a, attr)
				if !isString && !u {
					continue
				}
				if dayTwo && u {
					ps.addf("%s: %s is unknown although the suffix exists", a, attr)
					continue
				}
				n++
				if !dayTwo {
					if !u {
						ps.addf("%s: %s = %q is known before the random suffix exists", a, attr, s)
					}
					continue
				}
				glue := strings.ReplaceAll(planEnvSuffix, "-", "_")
				if !strings.HasSuffix(s, planEnvSuffix) && !strings.HasSuffix(s, glue) {
					ps.addf("%s: %s = %q does not end with %q", a, attr, s, planEnvSuffix)
				}
			}
		}
		if n < 30 {
			ps.addf("only %d named resources found; the plan looks incomplete", n)
		}
		return ps
	}
}

// planCheckTags: every resource whose schema has `tags` carries the common tags.
func planCheckTags(p tfharness.Plan) []string {
	var ps planProblems
	want := map[string]string{"Project": "ctap", "Environment": planEnv, "ManagedBy": "terraform", "NamePrefix": "ctap", "CostCenter": "platform"}
	n := 0
	for _, a := range p.Addresses("") {
		r := p.ResourcePlannedValuesMap[a]
		ok, err := plTaggable(r.Type)
		if err != nil {
			ps.addf("%s: %v", a, err)
			continue
		}
		if !ok {
			continue
		}
		n++
		tags, _ := r.AttributeValues["tags"].(map[string]any)
		for k, v := range want {
			if tags[k] != v {
				ps.addf("%s (%s is taggable): tag %s = %v, want %q", a, r.Type, k, tags[k], v)
			}
		}
	}
	if n < 20 {
		ps.addf("only %d taggable resources found; the plan looks incomplete", n)
	}
	return ps
}
