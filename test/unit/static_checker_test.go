package unit

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctap-platform/ctap/test/unit/hclcheck"
)

// goodFixture is a small module (with an example that calls it) that satisfies every
// static rule. Each mutation below breaks one rule in it.
const goodFixture = "testdata/static/good"

func staticLoadFixture(t *testing.T, dir string) *hclcheck.Tree {
	t.Helper()
	tree, err := hclcheck.LoadTree(dir, "fixture")
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return tree
}

// runAll returns every violation of every rule, keyed by rule.
func staticRunAll(tree *hclcheck.Tree) map[string][]staticViolation {
	out := map[string][]staticViolation{}
	for _, c := range allChecks() {
		if vs := c.run(tree); len(vs) > 0 {
			staticSortViolations(vs)
			out[c.rule] = vs
		}
	}
	return out
}

func TestStaticCheckerAcceptsGoodFixture(t *testing.T) {
	for rule, vs := range staticRunAll(staticLoadFixture(t, goodFixture)) {
		for _, v := range vs {
			t.Errorf("false positive of %s on the good fixture: %s", rule, v)
		}
	}
}

// mutation replaces old with new (exactly one occurrence) in one fixture file.
type staticMutation struct {
	file, old, new string
}

// staticCheckerCases break each rule on purpose. want is a substring of the message
// and pos the "file:line" the violation must point at.
var staticCheckerCases = []struct {
	name string
	rule string
	muts []staticMutation
	pos  string
	want string
	// alsoBreaks lists other rules the same edit legitimately breaks.
	alsoBreaks []string
}{
	// KMS
	{name: "rotation off", rule: "kms-rotation", muts: []staticMutation{{"main.tf", "enable_key_rotation = true", "enable_key_rotation = false"}}, pos: "fixture/main.tf:121", want: "enable_key_rotation is not true"},
	{name: "cloudtrail encrypt without encryption context", rule: "kms-cloudtrail-encrypt", muts: []staticMutation{{"main.tf", `variable = "kms:EncryptionContext:aws:cloudtrail:arn"`, `variable = "kms:CallerAccount"`}}, pos: "fixture/main.tf:", want: "no kms:EncryptionContext:aws:cloudtrail:arn condition"},
	{name: "cloudtrail encrypt without source arn", rule: "kms-cloudtrail-encrypt", muts: []staticMutation{{"main.tf", `      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AllowCloudTrailDescribeKey"`, `      variable = "aws:SourceAccount"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AllowCloudTrailDescribeKey"`}}, pos: "fixture/main.tf:", want: "no aws:SourceArn condition"},
	{name: "cloudtrail encrypt statement missing", rule: "kms-cloudtrail-encrypt", muts: []staticMutation{{"main.tf", `    sid       = "AllowCloudTrailEncryptLogs"
    actions   = ["kms:GenerateDataKey*"]`, `    sid       = "AllowCloudTrailEncryptLogs"
    actions   = ["kms:Encrypt"]`}}, pos: "fixture/main.tf:122", want: "no statement lets cloudtrail.amazonaws.com kms:GenerateDataKey*"},
	{name: "describe key conditional", rule: "kms-cloudtrail-describekey", muts: []staticMutation{{"main.tf", `      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowCloudWatchLogs"`, `      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AllowCloudWatchLogs"`}}, pos: "fixture/main.tf:", want: "no unconditional kms:DescribeKey statement"},
	{name: "logs principal with literal region", rule: "kms-logs-principal", muts: []staticMutation{{"main.tf", `"logs.${local.region}.amazonaws.com"`, `"logs.amazonaws.com"`}}, pos: "fixture/main.tf:", want: "no statement for the logs.${region}.amazonaws.com service principal"},
	{name: "logs condition StringLike", rule: "kms-logs-principal", muts: []staticMutation{{"main.tf", `test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"`, `test     = "StringLike"
      variable = "kms:EncryptionContext:aws:logs:arn"`}}, pos: "fixture/main.tf:", want: "no ArnLike kms:EncryptionContext:aws:logs:arn condition"},
	{name: "events principal missing", rule: "kms-service-principals", muts: []staticMutation{{"main.tf", `"events.amazonaws.com", `, ""}}, pos: "fixture/main.tf:", want: "no statement lets events.amazonaws.com"},
	{name: "cloudwatch principal missing", rule: "kms-service-principals", muts: []staticMutation{{"main.tf", `"cloudwatch.amazonaws.com", `, ""}}, pos: "fixture/main.tf:", want: "no statement lets cloudwatch.amazonaws.com"},
	{name: "s3 principal missing", rule: "kms-service-principals", muts: []staticMutation{{"main.tf", `, "s3.amazonaws.com"]`, "]"}}, pos: "fixture/main.tf:", want: "no statement lets s3.amazonaws.com"},
	{name: "readers without ViaService", rule: "kms-readers-via-service", muts: []staticMutation{{"main.tf", `variable = "kms:ViaService"`, `variable = "kms:CallerAccount"`}}, pos: "fixture/main.tf:", want: "conditioned on kms:ViaService"},

	// Buckets
	{name: "public access block partial", rule: "bucket-public-access-block", muts: []staticMutation{{"main.tf", `  bucket                  = aws_s3_bucket.access.id
  block_public_acls       = true`, `  bucket                  = aws_s3_bucket.access.id
  block_public_acls       = false`}}, pos: "fixture/main.tf:", want: "block_public_acls is not true"},
	{name: "ownership preferred", rule: "bucket-ownership-enforced", muts: []staticMutation{{"main.tf", `  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"`, `  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerPreferred"`}}, pos: "fixture/main.tf:", want: "not BucketOwnerEnforced"},
	{name: "versioning suspended", rule: "bucket-versioning", muts: []staticMutation{{"main.tf", `  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"`, `  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Suspended"`}}, pos: "fixture/main.tf:", want: "status is not Enabled"},
	{name: "trail bucket AES256", rule: "bucket-sse-kms", muts: []staticMutation{{"main.tf", `      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn`, `      sse_algorithm     = "AES256"`}}, pos: "fixture/main.tf:133", want: "SSE is AES256 but this is not the access-log bucket"},
	{name: "bucket key off", rule: "bucket-sse-kms", muts: []staticMutation{{"main.tf", "    bucket_key_enabled = true\n", ""}}, pos: "fixture/main.tf:133", want: "without bucket_key_enabled = true"},
	{name: "no TLS deny on access bucket", rule: "bucket-tls-only", muts: []staticMutation{{"main.tf", `        Resource  = [aws_s3_bucket.access.arn, "${aws_s3_bucket.access.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }`, `        Resource  = [aws_s3_bucket.access.arn, "${aws_s3_bucket.access.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "true" } }`}}, pos: "fixture/main.tf:", want: "no statement denies aws:SecureTransport=false"},
	{name: "no access logging", rule: "bucket-access-logging", muts: []staticMutation{{"main.tf", `resource "aws_s3_bucket_logging" "logs" {
  bucket        = aws_s3_bucket.logs.id
  target_bucket = aws_s3_bucket.access.id
  target_prefix = "logs/"
}`, ""}}, pos: "fixture/main.tf:133", want: "aws_s3_bucket.logs: no aws_s3_bucket_logging into the access-log bucket", alsoBreaks: []string{"bucket-sse-kms"}},
	{name: "empty lifecycle filter", rule: "lifecycle-filter-prefix", muts: []staticMutation{{"main.tf", `    id     = "archive"
    status = "Enabled"

    filter {
      prefix = ""
    }`, `    id     = "archive"
    status = "Enabled"

    filter {}`}}, pos: "fixture/main.tf:", want: "empty filter {}", alsoBreaks: []string{"lifecycle-cleanup"}},
	{name: "lifecycle rule without filter", rule: "lifecycle-filter-prefix", muts: []staticMutation{{"main.tf", `    id     = "expire"
    status = "Enabled"

    filter {
      prefix = ""
    }`, `    id     = "expire"
    status = "Enabled"`}}, pos: "fixture/main.tf:", want: "rule has no filter block", alsoBreaks: []string{"lifecycle-cleanup"}},
	{name: "no abort multipart", rule: "lifecycle-cleanup", muts: []staticMutation{{"main.tf", `    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access"`, `  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access"`}}, pos: "fixture/main.tf:133", want: "abort_incomplete_multipart_upload"},
	{name: "no noncurrent expiry", rule: "lifecycle-cleanup", muts: []staticMutation{{"main.tf", `    expiration {
      days = 90
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }`, `    expiration {
      days = 90
    }`}}, pos: "fixture/main.tf:138", want: "noncurrent_version_expiration"},
	{name: "acl check without source arn", rule: "bucket-cloudtrail-acl-check", muts: []staticMutation{{"main.tf", `        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.logs.arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }`, `        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.logs.arn`}}, pos: "fixture/main.tf:", want: "has no aws:SourceArn condition", alsoBreaks: []string{"service-principal-source-condition"}},
	{name: "acl check missing", rule: "bucket-cloudtrail-acl-check", muts: []staticMutation{{"main.tf", `Action    = "s3:GetBucketAcl"`, `Action    = "s3:GetBucketLocation"`}}, pos: "fixture:", want: "no bucket policy lets cloudtrail.amazonaws.com s3:GetBucketAcl"},
	{name: "org path missing", rule: "bucket-cloudtrail-write-paths", muts: []staticMutation{{"main.tf", "          \"${aws_s3_bucket.logs.arn}/AWSLogs/${local.organization_id}/*\",\n", ""}}, pos: "fixture/main.tf:", want: "no AWSLogs/${<organization_id>}/ resource"},
	{name: "account path missing", rule: "bucket-cloudtrail-write-paths", muts: []staticMutation{{"main.tf", "          \"${aws_s3_bucket.logs.arn}/AWSLogs/${local.account_id}/*\",\n", ""}}, pos: "fixture/main.tf:", want: "no AWSLogs/${<account_id>}/ resource"},
	{name: "write without acl condition", rule: "bucket-cloudtrail-write-paths", muts: []staticMutation{{"main.tf", `"s3:x-amz-acl"  = "bucket-owner-full-control"`, `"s3:x-amz-acl"  = "private"`}}, pos: "fixture/main.tf:", want: "bucket-owner-full-control"},
	{name: "write without source arn", rule: "bucket-cloudtrail-write-paths", muts: []staticMutation{{"main.tf", `            "s3:x-amz-acl"  = "bucket-owner-full-control"
            "aws:SourceArn" = local.trail_arn`, `            "s3:x-amz-acl" = "bucket-owner-full-control"`}}, pos: "fixture/main.tf:", want: "has no aws:SourceArn condition", alsoBreaks: []string{"service-principal-source-condition"}},
	{name: "queue policy without source condition", rule: "service-principal-source-condition", muts: []staticMutation{{"functions.tf", `      Condition = { ArnEquals = { "aws:SourceArn" = aws_s3_bucket.logs.arn } }
`, ""}}, pos: "fixture/functions.tf:", want: "without an aws:SourceArn or aws:SourceAccount condition"},

	// Trail
	{name: "basic event selector", rule: "trail-advanced-selectors", muts: []staticMutation{{"main.tf", `  advanced_event_selector {
    name = "Management events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }`, `  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }`}}, pos: "fixture/main.tf:", want: "basic event_selector"},
	{name: "s3 wildcard data resource", rule: "no-s3-wildcard-data-resource", muts: []staticMutation{{"main.tf", `  advanced_event_selector {
    name = "Management events"`, `  event_selector {
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:${local.partition}:s3:::*/*"]
    }
  }

  advanced_event_selector {
    name = "Management events"`}}, pos: "fixture/main.tf:", want: "basic data_resource for S3 objects", alsoBreaks: []string{"trail-advanced-selectors"}},
	{name: "log group arn without suffix", rule: "trail-cwl-arn-suffix", muts: []staticMutation{{"main.tf", `cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"`, `cloud_watch_logs_group_arn    = aws_cloudwatch_log_group.trail.arn`}}, pos: "fixture/main.tf:", want: "lacks the \":*\" suffix"},
	{name: "trail without depends_on", rule: "trail-depends-on-bucket-policy", muts: []staticMutation{{"main.tf", "\n  depends_on = [aws_s3_bucket_policy.logs]\n", "\n"}}, pos: "fixture/main.tf:", want: "depends_on does not name"},
	{name: "trail without log file validation", rule: "trail-hardening", muts: []staticMutation{{"main.tf", "enable_log_file_validation    = true", "enable_log_file_validation    = false"}}, pos: "fixture/main.tf:", want: "enable_log_file_validation is not true"},
	{name: "no organizations data source", rule: "org-trail-organization-source", muts: []staticMutation{{"main.tf", `data "aws_organizations_organization" "current" {
  count = var.is_organization_trail && var.organization_id == null ? 1 : 0
}`, ""}, {"main.tf", `coalesce(var.organization_id, one(data.aws_organizations_organization.current[*].id))`, `"o-fixture"`}}, pos: "fixture:", want: "no aws_organizations_organization data source"},

	{name: "caller identity read unconditionally", rule: "credential-free-plan", muts: []staticMutation{{"main.tf", `data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}`, `data "aws_caller_identity" "current" {}`}, {"main.tf", `one(data.aws_caller_identity.current[*].account_id)`, `data.aws_caller_identity.current.account_id`}}, pos: "fixture/main.tf:11", want: "data.aws_caller_identity.current: read unconditionally"},

	// Functions
	{name: "function without depends_on", rule: "lambda-log-group-first", muts: []staticMutation{{"functions.tf", "  depends_on = [aws_cloudwatch_log_group.processor]\n", ""}}, pos: "fixture/functions.tf:", want: "depends_on names no aws_cloudwatch_log_group"},
	{name: "log group without kms", rule: "log-group-encrypted", muts: []staticMutation{{"functions.tf", `  retention_in_days = var.retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "processor"`, `  retention_in_days = var.retention_days
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "processor"`}}, pos: "fixture/functions.tf:", want: "no kms_key_id"},
	{name: "x86 function", rule: "lambda-runtime", muts: []staticMutation{{"functions.tf", `  architectures    = ["arm64"]
  filename         = "${path.module}/dist/processor.zip"`, `  architectures    = ["x86_64"]
  filename         = "${path.module}/dist/processor.zip"`}}, pos: "fixture/functions.tf:", want: "architectures is not [\"arm64\"]"},
	{name: "python runtime", rule: "lambda-runtime", muts: []staticMutation{{"functions.tf", `  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  filename         = "${path.module}/dist/analyzer.zip"`, `  runtime          = "python3.12"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  filename         = "${path.module}/dist/analyzer.zip"`}}, pos: "fixture/functions.tf:", want: `runtime is python3.12, want "provided.al2023"`},
	{name: "tracing passthrough", rule: "lambda-runtime", muts: []staticMutation{{"functions.tf", `    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.processor.name`, `    mode = "PassThrough"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.processor.name`}}, pos: "fixture/functions.tf:", want: "tracing_config.mode"},
	{name: "archive_file hash", rule: "lambda-package", muts: []staticMutation{{"functions.tf", `source_code_hash = filebase64sha256("${path.module}/dist/processor.zip")`, `source_code_hash = data.archive_file.processor.output_base64sha256`}, {"functions.tf", `#--- Wiring`, `data "archive_file" "processor" {
  type        = "zip"
  source_file = "${path.module}/src/main.go"
  output_path = "${path.module}/dist/processor.zip"
}

#--- Wiring`}}, pos: "fixture/functions.tf:", want: "does not use filebase64sha256", alsoBreaks: []string{"no-archive-file"}},
	{name: "archive_file data source", rule: "no-archive-file", muts: []staticMutation{{"functions.tf", `#--- Wiring`, `data "archive_file" "unused" {
  type        = "zip"
  source_file = "${path.module}/src/main.go"
  output_path = "${path.module}/dist/unused.zip"
}

#--- Wiring`}}, pos: "fixture/functions.tf:", want: "archive_file zips sources"},
	{name: "async function without DLQ", rule: "lambda-dead-letter", muts: []staticMutation{{"functions.tf", `  dead_letter_config {
    target_arn = aws_sns_topic.alerts.arn
  }
`, ""}}, pos: "fixture/functions.tf:", want: "invoked asynchronously by aws_cloudwatch_event_target.api_calls but has no dead_letter_config"},
	{name: "dead letter to a queue", rule: "lambda-dead-letter", muts: []staticMutation{{"functions.tf", `target_arn = aws_sns_topic.alerts.arn`, `target_arn = aws_sqs_queue.ingest_dlq.arn`}}, pos: "fixture/functions.tf:", want: "is not an SNS topic"},
	{name: "permission without source arn", rule: "lambda-permission-unique", muts: []staticMutation{{"functions.tf", "  source_arn    = aws_cloudwatch_event_rule.api_calls.arn\n", ""}}, pos: "fixture/functions.tf:", want: "no source_arn", alsoBreaks: []string{"lambda-permission-per-trigger"}},
	{name: "duplicate statement id", rule: "lambda-permission-unique", muts: []staticMutation{{"functions.tf", `#--- Wiring`, `resource "aws_lambda_permission" "again" {
  statement_id  = "AllowEventBridgeApiCalls"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.analyzer.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.api_calls.arn
}

#--- Wiring`}}, pos: "fixture/functions.tf:", want: `statement_id "AllowEventBridgeApiCalls" already used by aws_lambda_permission`},
	{name: "event target without permission", rule: "lambda-permission-per-trigger", muts: []staticMutation{{"functions.tf", `  principal     = "events.amazonaws.com"`, `  principal     = "sns.amazonaws.com"`}}, pos: "fixture/functions.tf:", want: "invokes aws_lambda_function.analyzer but no aws_lambda_permission"},

	// Events
	{name: "notification to lambda", rule: "s3-notification-to-sqs", muts: []staticMutation{{"functions.tf", `  queue {
    queue_arn     = aws_sqs_queue.ingest.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "AWSLogs/"
    filter_suffix = ".json.gz"
  }`, `  lambda_function {
    lambda_function_arn = aws_lambda_function.processor.arn
    events              = ["s3:ObjectCreated:*"]
  }`}}, pos: "fixture/functions.tf:", want: "lambda_function notification"},
	{name: "notification without suffix", rule: "s3-notification-to-sqs", muts: []staticMutation{{"functions.tf", `    filter_suffix = ".json.gz"
`, ""}}, pos: "fixture/functions.tf:", want: `filter_suffix is "", want ".json.gz"`},
	{name: "ingest queue without redrive", rule: "sqs-redrive-dlq", muts: []staticMutation{{"functions.tf", `  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ingest_dlq.arn
    maxReceiveCount     = 5
  })
`, ""}}, pos: "fixture/functions.tf:", want: "no redrive_policy"},
	{name: "sqs mapping without partial failures", rule: "esm-sqs-partial-failures", muts: []staticMutation{{"functions.tf", "  function_response_types = [\"ReportBatchItemFailures\"]\n", ""}}, pos: "fixture/functions.tf:", want: "lacks ReportBatchItemFailures"},
	{name: "stream mapping without filter", rule: "esm-stream-insert-filter", muts: []staticMutation{{"functions.tf", `pattern = jsonencode({ eventName = ["INSERT"] })`, `pattern = jsonencode({ eventName = ["INSERT", "MODIFY"] })`}}, pos: "fixture/functions.tf:", want: "eventName INSERT only"},
	{name: "stream mapping without on-failure", rule: "esm-stream-insert-filter", muts: []staticMutation{{"functions.tf", `  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.ingest_dlq.arn
    }
  }
`, ""}}, pos: "fixture/functions.tf:", want: "no destination_config.on_failure"},
	{name: "topic unencrypted", rule: "queue-topic-encrypted", muts: []staticMutation{{"functions.tf", `  name              = "${var.name_prefix}-alerts-${local.env_suffix}"
  kms_master_key_id = aws_kms_key.this.arn`, `  name              = "${var.name_prefix}-alerts-${local.env_suffix}"`}}, pos: "fixture/functions.tf:", want: "no kms_master_key_id"},

	// Data
	{name: "glue database with hyphens", rule: "glue-underscores", muts: []staticMutation{{"main.tf", `glue_database = "${replace(var.name_prefix, "-", "_")}_db_${replace(local.env_suffix, "-", "_")}"`, `glue_database = "${var.name_prefix}_db_${local.env_suffix}"`}}, pos: "fixture/data.tf:", want: "may contain hyphens"},
	{name: "non-key attribute declared", rule: "dynamodb-key-attributes", muts: []staticMutation{{"data.tf", `  attribute {
    name = "detected_at"
    type = "S"
  }`, `  attribute {
    name = "detected_at"
    type = "S"
  }

  attribute {
    name = "title"
    type = "S"
  }`}}, pos: "fixture/data.tf:", want: `attribute "title" is not a table or index key`},
	{name: "key attribute missing", rule: "dynamodb-key-attributes", muts: []staticMutation{{"data.tf", `  attribute {
    name = "severity"
    type = "S"
  }
`, ""}}, pos: "fixture/data.tf:", want: `key "severity" (global_secondary_index by_severity) has no attribute block`},
	{name: "findings keyed by timestamp", rule: "dynamodb-findings-table", muts: []staticMutation{{"data.tf", `hash_key         = "finding_id"`, `hash_key         = "timestamp"`}, {"data.tf", `name = "finding_id"`, `name = "timestamp"`}}, pos: "fixture/data.tf:", want: `hash_key is "timestamp", want "finding_id"`},
	{name: "findings stream keys only", rule: "dynamodb-findings-table", muts: []staticMutation{{"data.tf", `stream_view_type = "NEW_IMAGE"`, `stream_view_type = "KEYS_ONLY"`}}, pos: "fixture/data.tf:", want: "stream_view_type is \"KEYS_ONLY\""},
	{name: "no pitr", rule: "dynamodb-protection", muts: []staticMutation{{"data.tf", `  point_in_time_recovery {
    enabled = true
  }`, `  point_in_time_recovery {
    enabled = false
  }`}}, pos: "fixture/data.tf:", want: "point_in_time_recovery is not enabled"},
	{name: "athena kms_key", rule: "athena-workgroup", muts: []staticMutation{{"data.tf", `kms_key_arn       = aws_kms_key.this.arn
      }`, `kms_key           = aws_kms_key.this.arn
      }`}}, pos: "fixture/data.tf:", want: "sets kms_key; the argument is kms_key_arn"},
	{name: "athena without cutoff", rule: "athena-workgroup", muts: []staticMutation{{"data.tf", "    bytes_scanned_cutoff_per_query     = 10737418240\n", ""}}, pos: "fixture/data.tf:", want: "no bytes_scanned_cutoff_per_query"},

	// Naming, tags, literals
	{name: "bucket without suffix", rule: "name-suffix", muts: []staticMutation{{"main.tf", `access_bucket = "${var.name_prefix}-access-${local.env_suffix}"`, `access_bucket = "${var.name_prefix}-access"`}}, pos: "fixture/main.tf:", want: `bucket = local.names.access_bucket does not derive from local.env_suffix`},
	{name: "role without suffix", rule: "name-suffix", muts: []staticMutation{{"functions.tf", `name               = "${var.name_prefix}-processor-${local.env_suffix}"`, `name               = "${var.name_prefix}-processor"`}}, pos: "fixture/functions.tf:", want: "aws_iam_role.processor: name ="},
	{name: "suffix in the middle", rule: "name-suffix-last", muts: []staticMutation{{"functions.tf", `name              = "${var.name_prefix}-alerts-${local.env_suffix}"`, `name              = "${var.name_prefix}-${local.env_suffix}-alerts"`}}, pos: "fixture/functions.tf:", want: "aws_sns_topic.alerts: name = \"${var.name_prefix}-${local.env_suffix}-alerts\" does not end with local.env_suffix"},
	{name: "queue without name", rule: "name-suffix", muts: []staticMutation{{"functions.tf", `  name              = "${var.name_prefix}-ingest-dlq-${local.env_suffix}"
`, ""}}, pos: "fixture/functions.tf:", want: "aws_sqs_queue.ingest_dlq: sets none of name, name_prefix"},
	{name: "table without tags", rule: "tags", muts: []staticMutation{{"data.tf", `  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.common_tags`, `  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }`}}, pos: "fixture/data.tf:", want: "aws_dynamodb_table.findings: taggable (provider schema has tags) but sets no tags"},
	{name: "tags not common", rule: "tags", muts: []staticMutation{{"functions.tf", `  kms_master_key_id = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_sns_topic_policy"`, `  kms_master_key_id = aws_kms_key.this.arn
  tags              = { Name = "alerts" }
}

resource "aws_sns_topic_policy"`}}, pos: "fixture/functions.tf:", want: "does not include local.common_tags"},
	{name: "hard-coded account", rule: "no-hardcoded-account", muts: []staticMutation{{"main.tf", `identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]`, `identifiers = ["arn:${local.partition}:iam::123456789012:root"]`}}, pos: "fixture/main.tf:", want: `hard-coded account ID (use local.account_id) "123456789012"`},
	{name: "hard-coded region", rule: "no-hardcoded-region", muts: []staticMutation{{"main.tf", `"logs.${local.region}.amazonaws.com"`, `"logs.us-east-1.amazonaws.com"`}}, pos: "fixture/main.tf:", want: `hard-coded region`, alsoBreaks: []string{"kms-logs-principal"}},
	{name: "hard-coded partition", rule: "no-hardcoded-partition", muts: []staticMutation{{"main.tf", `values   = ["arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"]`, `values   = ["arn:aws:cloudtrail:*:${local.account_id}:trail/*"]`}}, pos: "fixture/main.tf:", want: `hard-coded partition`},

	// Module hygiene
	{name: "variable typed any", rule: "variable-typed", muts: []staticMutation{{"variables.tf", `  description = "Extra tags."
  type        = map(string)`, `  description = "Extra tags."
  type        = map(any)`}}, pos: "fixture/variables.tf:", want: "uses any"},
	{name: "variable without type", rule: "variable-typed", muts: []staticMutation{{"variables.tf", `  description = "Log retention."
  type        = number`, `  description = "Log retention."`}}, pos: "fixture/variables.tf:", want: "var.retention_days: no type"},
	{name: "variable without description", rule: "variable-described", muts: []staticMutation{{"variables.tf", `  description = "Environment name."
`, ""}}, pos: "fixture/variables.tf:12", want: "var.environment: no description"},
	{name: "validation message anonymous", rule: "variable-validation-names-variable", muts: []staticMutation{{"variables.tf", `error_message = "The name_prefix variable must be 1-20 lowercase letters, digits or hyphens."`, `error_message = "Must be 1-20 lowercase letters, digits or hyphens."`}}, pos: "fixture/variables.tf:", want: `does not name the variable "name_prefix"`},
	{name: "output without description", rule: "output-described", muts: []staticMutation{{"outputs.tf", `  description = "ARN of the trail."
`, ""}}, pos: "fixture/outputs.tf:1", want: "output.trail_arn: no description"},
	{name: "provider in root module", rule: "no-provider-in-modules", muts: []staticMutation{{"versions.tf", "terraform {", "provider \"aws\" {}\n\nterraform {"}}, pos: "fixture/versions.tf:1", want: "provider block in root module"},
	{name: "heredoc policy", rule: "no-heredoc-policy", muts: []staticMutation{{"functions.tf", `#--- Wiring`, `resource "aws_iam_policy" "legacy" {
  name   = "${var.name_prefix}-legacy-${local.env_suffix}"
  policy = <<-JSON
    {"Version": "2012-10-17", "Statement": []}
  JSON
  tags   = local.common_tags
}

#--- Wiring`}}, pos: "fixture/functions.tf:", want: "heredoc policy JSON"},

	// IAM, topics, crawler
	{name: "role without policy", rule: "iam-role-has-policy", muts: []staticMutation{{"data.tf", `resource "aws_iam_role_policy_attachment" "crawler" {
  role       = aws_iam_role.crawler.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
}`, ""}}, pos: "fixture/data.tf:", want: "aws_iam_role.crawler: no policy is attached"},
	{name: "service wildcard action", rule: "iam-explicit-actions", muts: []staticMutation{{"functions.tf", `actions   = ["dynamodb:PutItem"]`, `actions   = ["dynamodb:*"]`}}, pos: "fixture/functions.tf:", want: `statement "WriteFindings" allows "dynamodb:*"`},
	{name: "full wildcard action in jsonencode", rule: "iam-explicit-actions", muts: []staticMutation{{"functions.tf", `Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]`, `Action   = "*"`}}, pos: "fixture/functions.tf:", want: `statement "ReadIngestQueue" allows "*"`},
	{name: "topic policy without TLS deny", rule: "topic-queue-tls-only", muts: []staticMutation{{"functions.tf", `        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }`, `        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { Bool = { "aws:SecureTransport" = "true" } }`}}, pos: "fixture/functions.tf:", want: "aws_sns_topic.alerts: topic policy does not deny"},
	{name: "ingest queue without TLS deny", rule: "topic-queue-tls-only", muts: []staticMutation{{"functions.tf", `        Action    = "sqs:*"
        Resource  = aws_sqs_queue.ingest.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }`, `        Action    = "sqs:*"
        Resource  = aws_sqs_queue.ingest.arn
        Condition = { Bool = { "aws:SecureTransport" = "true" } }`}}, pos: "fixture/functions.tf:", want: "aws_sqs_queue.ingest: ingest queue policy does not deny"},
	{name: "crawler reads digests", rule: "glue-crawler", muts: []staticMutation{{"data.tf", `exclusions = ["**/CloudTrail-Digest/**", "**/CloudTrail-Insight/**"]`, `exclusions = ["**/CloudTrail-Insight/**"]`}}, pos: "fixture/data.tf:", want: "does not exclude CloudTrail-Digest/**"},
	{name: "crawler recrawls everything", rule: "glue-crawler", muts: []staticMutation{{"data.tf", `recrawl_behavior = "CRAWL_NEW_FOLDERS_ONLY"`, `recrawl_behavior = "CRAWL_EVERYTHING"`}}, pos: "fixture/data.tf:", want: "not CRAWL_NEW_FOLDERS_ONLY"},
	{name: "retention without allowed values", rule: "variable-validations", muts: []staticMutation{{"variables.tf", `    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_days)`, `    condition     = var.retention_days >= 0`}}, pos: "fixture/variables.tf:", want: "var.retention_days: no validation against the retention values"},
	{name: "organization id accepted for single-account trail", rule: "variable-validations", muts: []staticMutation{{"variables.tf", `condition     = var.organization_id == null || var.is_organization_trail`, `condition     = var.organization_id == null || startswith(var.organization_id, "o-")`}}, pos: "fixture/variables.tf:", want: "var.organization_id: no validation rejecting"},
	{name: "name length unbounded", rule: "variable-validations", muts: []staticMutation{{"variables.tf", `condition     = length(var.name_prefix) + length(var.environment) <= 36`, `condition     = length(var.environment) <= 16`}}, pos: "fixture/variables.tf:", want: "overflow 63 characters"},
	{name: "old aws provider", rule: "terraform-versions", muts: []staticMutation{{"versions.tf", `version = "~> 6.0"`, `version = "~> 5.0"`}}, pos: "fixture/versions.tf:1", want: `required_providers.aws version is "~> 5.0"`},
}

// copyFixture copies the good fixture into a temporary directory.
func staticCopyFixture(t *testing.T) string {
	t.Helper()
	return staticCopyFixtureFrom(t, goodFixture)
}

// copyFixtureFrom copies a fixture directory into a temporary directory.
func staticCopyFixtureFrom(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
	return dst
}

func staticApplyMutation(t *testing.T, dir string, m staticMutation) {
	t.Helper()
	p := filepath.Join(dir, m.file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read %s: %v", m.file, err)
	}
	if n := strings.Count(string(b), m.old); n != 1 {
		t.Fatalf("mutation of %s: %q occurs %d times, want exactly once", m.file, m.old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), m.old, m.new, 1)), 0o644); err != nil {
		t.Fatalf("write %s: %v", m.file, err)
	}
}

func TestStaticCheckerRejectsBrokenFixtures(t *testing.T) {
	for _, tc := range staticCheckerCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			dir := staticCopyFixture(t)
			for _, m := range tc.muts {
				staticApplyMutation(t, dir, m)
			}
			got := staticRunAll(staticLoadFixture(t, dir))
			vs := got[tc.rule]
			if len(vs) == 0 {
				t.Fatalf("rule %s did not fire; all violations: %v", tc.rule, got)
			}
			matched := false
			for _, v := range vs {
				s := v.String()
				if strings.HasPrefix(s, tc.pos) && strings.Contains(s, "["+tc.rule+"]") && strings.Contains(s, tc.want) {
					matched = true
				}
			}
			if !matched {
				t.Errorf("no %s violation at %q containing %q; got:\n%v", tc.rule, tc.pos, tc.want, vs)
			}
			allowed := map[string]bool{tc.rule: true}
			for _, r := range tc.alsoBreaks {
				allowed[r] = true
				if len(got[r]) == 0 {
					t.Errorf("expected %s to fire as well", r)
				}
			}
			for rule, vs := range got {
				if !allowed[rule] {
					t.Errorf("unrelated rule %s fired: %v", rule, vs)
				}
			}
		})
	}
}

// TestEveryStaticRuleHasAFailingFixture keeps the suite honest: a rule without a
// fixture (good or modular) that makes it fail is not proven to be able to fail.
func TestEveryStaticRuleHasAFailingFixture(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range staticCheckerCases {
		covered[tc.rule] = true
	}
	for _, tc := range modularCases {
		covered[tc.rule] = true
	}
	for _, c := range allChecks() {
		if !covered[c.rule] {
			t.Errorf("rule %s has no case in staticCheckerCases", c.rule)
		}
	}
}

func TestTaggableFollowsProviderSchema(t *testing.T) {
	for _, tc := range []struct {
		typ             string
		taggable, known bool
	}{
		{"aws_s3_bucket", true, true},
		{"aws_s3_bucket_policy", false, true},
		{"aws_lambda_permission", false, true},
		{"aws_cloudtrail", true, true},
		{"random_string", false, false},
	} {
		taggable, known := hclcheck.Taggable(tc.typ)
		if taggable != tc.taggable || known != tc.known {
			t.Errorf("Taggable(%s) = %v, %v; want %v, %v", tc.typ, taggable, known, tc.taggable, tc.known)
		}
	}
}
