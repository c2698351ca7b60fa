package unit

import (
	"strings"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// eventChecks are the seed's lesson 8 (EventBridge permissions) and DESIGN §8 S3
// ingestion: notifications into SQS with a redrive DLQ, partial batch failures, the
// INSERT-only stream mapping, and encrypted queues and topics.
func eventChecks() []staticCheck {
	return []staticCheck{
		{rule: "lambda-permission-per-trigger", why: "seed lesson 8 / checklist: EventBridge (and Logs) permissions per rule", run: checkPermissionPerTrigger},
		{rule: "s3-notification-to-sqs", why: "DESIGN §8: S3 notifications go to SQS, CloudTrail prefix, .json.gz", run: checkS3NotificationToSQS},
		{rule: "sqs-redrive-dlq", why: "DESIGN §8: the ingest queue has a redrive DLQ", run: checkSQSRedrive},
		{rule: "esm-sqs-partial-failures", why: "DESIGN §8: ReportBatchItemFailures and maximum concurrency", run: checkSQSMapping},
		{rule: "esm-stream-insert-filter", why: "DESIGN §2/issue 3: INSERT filter, bisect on error, on-failure destination", run: checkStreamMapping},
		{rule: "queue-topic-encrypted", why: "DESIGN §9: queues and topics encrypted with the platform CMK", run: checkQueueTopicKMS},
	}
}

// isFunctionRef reports whether a rendered reference points at a Lambda function:
// an aws_lambda_function or an output of a call of a module that holds one.
func isFunctionRef(m *hclcheck.Module, ref string) bool {
	if strings.HasPrefix(ref, "aws_lambda_function.") {
		return true
	}
	if !strings.HasPrefix(ref, "module.") {
		return false
	}
	name := strings.TrimPrefix(ref, "module.")
	if i := strings.IndexAny(name, ".["); i >= 0 {
		name = name[:i]
	}
	c := m.Call(name)
	if c == nil {
		return false
	}
	target := m.CallTarget(c)
	return target != nil && len(target.ResourcesOf("aws_lambda_function")) > 0
}

// permissionGrant is one instance of an aws_lambda_permission.
type permissionGrant struct {
	block     *hclcheck.Block
	principal string
	functions []string
	sources   []string
}

func permissionGrants(m *hclcheck.Module) []permissionGrant {
	var out []permissionGrant
	for _, p := range m.ResourcesOf("aws_lambda_permission") {
		keys, _ := p.Instances()
		principal := strings.Join(m.Strings(p.Attr("principal")), "|")
		for _, k := range keys {
			g := permissionGrant{block: p, principal: principal}
			for _, ref := range p.InstanceRefs(p.Attr("function_name"), k) {
				g.functions = append(g.functions, instanceOf(ref))
			}
			for _, ref := range p.InstanceRefs(p.Attr("source_arn"), k) {
				g.sources = append(g.sources, instanceOf(ref))
			}
			out = append(out, g)
		}
	}
	return out
}

func staticOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func checkPermissionPerTrigger(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "lambda-permission-per-trigger"}
	for _, m := range t.Platform() {
		grants := permissionGrants(m)
		triggers := []struct {
			typ, fnAttr, srcAttr string
			principal            func(string) bool
		}{
			{"aws_cloudwatch_event_target", "arn", "rule", func(p string) bool { return p == "events.amazonaws.com" }},
			{"aws_cloudwatch_log_subscription_filter", "destination_arn", "log_group_name", func(p string) bool {
				return strings.HasPrefix(p, "logs.") && strings.HasSuffix(p, ".amazonaws.com")
			}},
		}
		for _, tr := range triggers {
			for _, b := range m.ResourcesOf(tr.typ) {
				keys, ok := b.Instances()
				if !ok {
					r.block(b, "for_each keys are not static, so its Lambda permissions cannot be matched")
					continue
				}
				for _, k := range keys {
					var fns, srcs []string
					for _, ref := range b.InstanceRefs(b.Attr(tr.fnAttr), k) {
						if isFunctionRef(m, ref) {
							fns = append(fns, instanceOf(ref))
						}
					}
					if len(fns) == 0 {
						continue // not a Lambda target
					}
					for _, ref := range b.InstanceRefs(b.Attr(tr.srcAttr), k) {
						srcs = append(srcs, instanceOf(ref))
					}
					found := false
					for _, g := range grants {
						if tr.principal(g.principal) && staticOverlap(g.functions, fns) && staticOverlap(g.sources, srcs) {
							found = true
						}
					}
					if !found {
						inst := b.Addr()
						if k != "" {
							inst += "[\"" + k + "\"]"
						}
						r.block(b, "%s invokes %s but no aws_lambda_permission for that function has a matching principal and source_arn from %s", inst, strings.Join(fns, ", "), strings.Join(srcs, ", "))
					}
				}
			}
		}
	}
	return r.out
}

func checkS3NotificationToSQS(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "s3-notification-to-sqs"}
	ns := platformResources(t, "aws_s3_bucket_notification")
	if len(ns) == 0 {
		r.at(t.Root.Dir, "aws_s3_bucket_notification", "no S3 notification feeds the ingest queue")
	}
	for _, n := range ns {
		for _, typ := range []string{"lambda_function", "topic"} {
			for _, b := range n.Nested(typ) {
				r.rng(b.DefRange(), n, "%s notification; S3 events go to the SQS ingest queue so that nothing is lost (DESIGN §8)", typ)
			}
		}
		qs := n.Nested("queue")
		if len(qs) == 0 {
			r.block(n, "no queue notification")
		}
		for _, q := range qs {
			if v, _ := hclcheck.StringLit(hclcheck.AttrOf(q.Body, "filter_suffix")); v != ".json.gz" {
				r.rng(q.DefRange(), n, "filter_suffix is %q, want \".json.gz\"", v)
			}
			if v, ok := hclcheck.StringLit(hclcheck.AttrOf(q.Body, "filter_prefix")); !ok || v == "" {
				r.rng(q.DefRange(), n, "no filter_prefix: only CloudTrail objects (AWSLogs/) belong in the queue")
			}
			if !hclcheck.RefersTo(hclcheck.AttrOf(q.Body, "queue_arn"), "aws_sqs_queue") {
				r.rng(q.DefRange(), n, "queue_arn does not refer to an aws_sqs_queue of this module")
			}
		}
	}
	return r.out
}

func checkSQSRedrive(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "sqs-redrive-dlq"}
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
				ok := false
				if rp := queue.Attr("redrive_policy"); rp != nil {
					for _, c := range hclcheck.Calls(rp, "jsonencode") {
						if len(c.Args) == 1 && strings.Contains(n.Module.Src(c.Args[0]), "deadLetterTargetArn") && hclcheck.RefersTo(c.Args[0], "aws_sqs_queue") {
							ok = true
						}
					}
				}
				for _, rp := range n.Module.ResourcesOf("aws_sqs_queue_redrive_policy") {
					if hclcheck.RefersTo(rp.Attr("queue_url"), queue.Addr()) {
						ok = true
					}
				}
				if !ok {
					r.block(queue, "ingest queue has no redrive_policy with a deadLetterTargetArn queue")
				}
			}
		}
	}
	return r.out
}

// mappingsFrom returns the event source mappings whose source refers to a prefix.
func mappingsFrom(t *hclcheck.Tree, pred func(ref string) bool) []*hclcheck.Block {
	var out []*hclcheck.Block
	for _, esm := range platformResources(t, "aws_lambda_event_source_mapping") {
		for _, ref := range hclcheck.Refs(esm.Attr("event_source_arn")) {
			if pred(ref) {
				out = append(out, esm)
				break
			}
		}
	}
	return out
}

func checkSQSMapping(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "esm-sqs-partial-failures"}
	ms := mappingsFrom(t, func(ref string) bool { return strings.HasPrefix(ref, "aws_sqs_queue.") })
	if len(ms) == 0 {
		r.at(t.Root.Dir, "aws_lambda_event_source_mapping", "no SQS event source mapping (ingest queue -> log-processor)")
	}
	for _, esm := range ms {
		frt, _ := hclcheck.StringListLit(esm.Attr("function_response_types"))
		if !staticAnyString(frt, func(s string) bool { return s == "ReportBatchItemFailures" }) {
			r.at(attrPos(esm, "function_response_types"), esm.Addr(), "function_response_types lacks ReportBatchItemFailures: one bad file would redeliver the whole batch")
		}
		mc := false
		for _, sc := range esm.Nested("scaling_config") {
			mc = mc || !staticIsNull(hclcheck.AttrOf(sc.Body, "maximum_concurrency"))
		}
		if !mc {
			r.block(esm, "no scaling_config.maximum_concurrency")
		}
	}
	return r.out
}

func checkStreamMapping(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "esm-stream-insert-filter"}
	ms := mappingsFrom(t, func(ref string) bool {
		return strings.HasPrefix(ref, "aws_dynamodb_table.") && strings.HasSuffix(ref, ".stream_arn")
	})
	if len(ms) == 0 {
		r.at(t.Root.Dir, "aws_lambda_event_source_mapping", "no DynamoDB stream event source mapping (findings -> alert-router)")
	}
	for _, esm := range ms {
		insert := false
		for _, fc := range esm.Nested("filter_criteria") {
			for _, f := range hclcheck.Nested(fc.Body, "filter") {
				src := esm.Module.Src(hclcheck.AttrOf(f.Body, "pattern"))
				insert = insert || (strings.Contains(src, "eventName") && strings.Contains(src, "INSERT") && !strings.Contains(src, "MODIFY"))
			}
		}
		if !insert {
			r.block(esm, "no filter_criteria pattern selecting eventName INSERT only: alert-router's own updates would loop back")
		}
		if v, _ := hclcheck.BoolLit(esm.Attr("bisect_batch_on_function_error")); !v {
			r.at(attrPos(esm, "bisect_batch_on_function_error"), esm.Addr(), "bisect_batch_on_function_error is not true")
		}
		dest := false
		for _, dc := range esm.Nested("destination_config") {
			for _, of := range hclcheck.Nested(dc.Body, "on_failure") {
				dest = dest || !staticIsNull(hclcheck.AttrOf(of.Body, "destination_arn"))
			}
		}
		if !dest {
			r.block(esm, "no destination_config.on_failure: failed records would be dropped silently")
		}
		if esm.Attr("starting_position") == nil {
			r.block(esm, "no starting_position (required for streams)")
		}
	}
	return r.out
}

func checkQueueTopicKMS(t *hclcheck.Tree) []staticViolation {
	r := &staticReporter{rule: "queue-topic-encrypted"}
	for _, typ := range []string{"aws_sqs_queue", "aws_sns_topic"} {
		for _, q := range platformResources(t, typ) {
			if staticIsNull(q.Attr("kms_master_key_id")) {
				r.block(q, "no kms_master_key_id: encrypt with the platform CMK")
			}
		}
	}
	return r.out
}
