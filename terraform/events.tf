# Wiring: what invokes each function.
#
#   S3 ObjectCreated -> SQS ingest queue (+ DLQ) -> log-processor
#   trail log group  -> subscription filter      -> event-analyzer
#   EventBridge CloudTrail API calls / sign-ins  -> event-analyzer
#   findings stream (INSERT) -> alert-router (failures -> stream DLQ)
#   schedules -> compliance-reporter (daily), anomaly-detector (hourly)

#------------------------------------------------------------------------------
# S3 -> SQS -> log-processor
#------------------------------------------------------------------------------

resource "aws_sqs_queue" "ingest_dlq" {
  name                              = local.names.ingest_dlq
  message_retention_seconds         = 1209600 # 14 days, the maximum: time to inspect and redrive
  kms_master_key_id                 = module.kms.key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = local.common_tags
}

resource "aws_sqs_queue" "ingest" {
  name = local.names.ingest_queue
  # AWS recommends at least six times the function timeout for an SQS event
  # source, so a message is not redelivered while a retry is still running.
  visibility_timeout_seconds        = 6 * local.function_config["log-processor"].timeout
  message_retention_seconds         = 345600 # 4 days
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = module.kms.key_arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ingest_dlq.arn
    maxReceiveCount     = var.ingest_max_receive_count
  })

  tags = local.common_tags
}

locals {
  # Known at plan time (the queue's arn attribute is not).
  ingest_queue_arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.names.ingest_queue}"
  log_bucket_arn   = "arn:${local.partition}:s3:::${local.names.log_bucket}"
}

data "aws_iam_policy_document" "ingest_queue" {
  statement {
    sid       = "AllowTrailLogBucketNotifications"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.ingest_queue_arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.log_bucket_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [local.ingest_queue_arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "ingest" {
  queue_url = aws_sqs_queue.ingest.id
  policy    = data.aws_iam_policy_document.ingest_queue.json
}

# Every CloudTrail object is under AWSLogs/ and ends in .json.gz. Digest files
# (AWSLogs/.../CloudTrail-Digest/...) and Insights files match too: an S3
# filter cannot exclude a middle path segment, so log-processor skips them by
# key (cloudtrail.ClassifyKey) without reading them.
resource "aws_s3_bucket_notification" "log_bucket" {
  bucket = module.log_bucket.bucket_id

  queue {
    id            = "cloudtrail-objects-to-ingest-queue"
    queue_arn     = aws_sqs_queue.ingest.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "AWSLogs/"
    filter_suffix = ".json.gz"
  }

  # S3 sends a test message when the configuration is saved: the queue policy
  # must already allow it.
  depends_on = [aws_sqs_queue_policy.ingest]
}

resource "aws_lambda_event_source_mapping" "ingest" {
  event_source_arn                   = aws_sqs_queue.ingest.arn
  function_name                      = module.function["log-processor"].function_name
  batch_size                         = var.ingest_batch_size
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.log_processor_max_concurrency
  }

  tags = local.common_tags
}

#------------------------------------------------------------------------------
# Real-time: CloudWatch Logs subscription and EventBridge -> event-analyzer
#------------------------------------------------------------------------------

resource "aws_lambda_permission" "realtime_subscription" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  statement_id   = "AllowCloudWatchLogsTrailSubscription"
  action         = "lambda:InvokeFunction"
  function_name  = module.function["event-analyzer"].function_name
  principal      = "logs.${local.region}.amazonaws.com"
  source_arn     = "${aws_cloudwatch_log_group.trail[0].arn}:*"
  source_account = local.account_id
}

resource "aws_cloudwatch_log_subscription_filter" "realtime" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  name            = local.names.realtime_subscription
  log_group_name  = aws_cloudwatch_log_group.trail[0].name
  filter_pattern  = var.realtime_filter_pattern
  destination_arn = module.function["event-analyzer"].function_arn

  depends_on = [aws_lambda_permission.realtime_subscription]
}

# API calls recorded by CloudTrail in this account and region (global
# services in us-east-1) and console sign-ins. With the subscription also on,
# one event may arrive twice: the detection engine derives the same finding
# ID, so the conditional put stores (and alerts) it once.
resource "aws_cloudwatch_event_rule" "api_calls" {
  name        = local.names.api_calls_rule
  description = "CloudTrail API calls and console sign-ins to event-analyzer."
  state       = "ENABLED"

  event_pattern = jsonencode({
    "detail-type" = [
      "AWS API Call via CloudTrail",
      "AWS Console Sign In via CloudTrail",
    ]
  })

  tags = local.common_tags
}

resource "aws_cloudwatch_event_target" "api_calls" {
  rule      = aws_cloudwatch_event_rule.api_calls.name
  target_id = "event-analyzer"
  arn       = module.function["event-analyzer"].function_arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 8
  }
}

resource "aws_lambda_permission" "api_calls" {
  statement_id   = "AllowEventBridgeApiCallsRule"
  action         = "lambda:InvokeFunction"
  function_name  = module.function["event-analyzer"].function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.api_calls.arn
  source_account = local.account_id
}

#------------------------------------------------------------------------------
# Findings stream -> alert-router
#------------------------------------------------------------------------------

resource "aws_sqs_queue" "stream_dlq" {
  name                              = local.names.stream_dlq
  message_retention_seconds         = 1209600
  kms_master_key_id                 = module.kms.key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = local.common_tags
}

resource "aws_lambda_event_source_mapping" "findings_stream" {
  event_source_arn  = aws_dynamodb_table.findings.stream_arn
  function_name     = module.function["alert-router"].function_name
  starting_position = "LATEST"
  batch_size        = 100

  # A poison record is isolated by halving the batch, retried a bounded number
  # of times, then its metadata goes to the stream DLQ.
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = var.stream_maximum_retry_attempts
  maximum_record_age_in_seconds  = 21600
  function_response_types        = ["ReportBatchItemFailures"]

  # Only new findings page anyone; alert-router's own UpdateItem (alerted_at)
  # produces MODIFY records that must not loop back.
  filter_criteria {
    filter {
      pattern = jsonencode({ eventName = ["INSERT"] })
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.stream_dlq.arn
    }
  }

  tags = local.common_tags
}

#------------------------------------------------------------------------------
# Schedules
#------------------------------------------------------------------------------

locals {
  schedules = {
    compliance = {
      function    = "compliance-reporter"
      expression  = var.compliance_schedule_expression
      description = "Daily compliance report."
      statement   = "AllowEventBridgeComplianceSchedule"
    }
    anomaly = {
      function    = "anomaly-detector"
      expression  = var.anomaly_schedule_expression
      description = "Hourly anomaly detection."
      statement   = "AllowEventBridgeAnomalySchedule"
    }
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.schedules

  name                = "${var.name_prefix}-${each.key}-schedule-${local.env_suffix}"
  description         = each.value.description
  schedule_expression = each.value.expression
  state               = "ENABLED"
  tags                = local.common_tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.schedules

  rule      = aws_cloudwatch_event_rule.schedule[each.key].name
  target_id = each.value.function
  arn       = module.function[each.value.function].function_arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 2
  }
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.schedules

  statement_id   = each.value.statement
  action         = "lambda:InvokeFunction"
  function_name  = module.function[each.value.function].function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.schedule[each.key].arn
  source_account = local.account_id
}
