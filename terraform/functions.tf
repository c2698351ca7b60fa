# The five Go functions, built by `make build` into dist/<function>.zip (or
# taken from release zips in S3). Each gets exactly the permissions its code
# uses; logging, X-Ray and dead-letter permissions come from the module.

locals {
  athena_function_env = {
    ATHENA_WORKGROUP             = aws_athena_workgroup.this.name
    ATHENA_DATABASE              = aws_glue_catalog_database.this.name
    ATHENA_TABLE                 = aws_glue_catalog_table.cloudtrail.name
    ATHENA_QUERY_TIMEOUT_SECONDS = tostring(var.athena_query_timeout_seconds)
    ALLOWED_REGIONS              = join(",", var.allowed_regions)
  }

  function_environment = {
    "log-processor" = {
      LOG_LEVEL         = var.log_level
      FINDINGS_TABLE    = aws_dynamodb_table.findings.name
      FINDINGS_TTL_DAYS = tostring(var.findings_ttl_days)
    }
    "event-analyzer" = {
      LOG_LEVEL         = var.log_level
      FINDINGS_TABLE    = aws_dynamodb_table.findings.name
      FINDINGS_TTL_DAYS = tostring(var.findings_ttl_days)
    }
    "alert-router" = {
      LOG_LEVEL                  = var.log_level
      FINDINGS_TABLE             = aws_dynamodb_table.findings.name
      ALERT_STATE_TABLE          = aws_dynamodb_table.alert_state.name
      SUPPRESSION_WINDOW_MINUTES = tostring(var.suppression_window_minutes)
      TOPIC_CRITICAL_ARN         = aws_sns_topic.alerts["critical"].arn
      TOPIC_HIGH_ARN             = aws_sns_topic.alerts["high"].arn
      TOPIC_MEDIUM_ARN           = aws_sns_topic.alerts["medium"].arn
    }
    "compliance-reporter" = merge(local.athena_function_env, {
      LOG_LEVEL                      = var.log_level
      FINDINGS_TABLE                 = aws_dynamodb_table.findings.name
      TOPIC_CRITICAL_ARN             = aws_sns_topic.alerts["critical"].arn
      TOPIC_MEDIUM_ARN               = aws_sns_topic.alerts["medium"].arn
      COMPLIANCE_QUERY_IDS           = jsonencode({ for name in local.compliance_query_names : name => aws_athena_named_query.this[name].id })
      REPORT_BUCKET                  = module.athena_results_bucket.bucket_id
      REPORT_PREFIX                  = local.reports_prefix
      TRAIL_ARN                      = aws_cloudtrail.this.arn
      TRAIL_MAX_DELIVERY_AGE_MINUTES = tostring(var.trail_max_delivery_age_minutes)
    })
    "anomaly-detector" = merge(local.athena_function_env, {
      LOG_LEVEL                 = var.log_level
      FINDINGS_TABLE            = aws_dynamodb_table.findings.name
      FINDINGS_TTL_DAYS         = tostring(var.findings_ttl_days)
      ANOMALY_BASELINE_DAYS     = tostring(var.anomaly_thresholds.baseline_days)
      ANOMALY_ZSCORE            = tostring(var.anomaly_thresholds.zscore)
      ANOMALY_MIN_CALLS         = tostring(var.anomaly_thresholds.min_calls)
      ANOMALY_ACCESS_DENIED_MIN = tostring(var.anomaly_thresholds.access_denied_min)
      ANOMALY_BULK_READ_MIN     = tostring(var.anomaly_thresholds.bulk_read_min)
    })
  }

  function_descriptions = {
    "log-processor"       = "Streams CloudTrail files named by S3 notifications (SQS), runs the detections, stores findings."
    "event-analyzer"      = "Runs the detections on real-time CloudTrail events from EventBridge and CloudWatch Logs."
    "alert-router"        = "Publishes new findings from the findings stream to the tier's SNS topic, with suppression."
    "compliance-reporter" = "Runs the daily compliance queries and trail health checks, writes the report, sends a summary."
    "anomaly-detector"    = "Runs hourly Athena baselines and stores anomaly findings."
  }

  # Asynchronously invoked functions keep the seed's SNS dead-letter targets:
  # the real-time analyzer to critical, the scheduled jobs to medium. The
  # event-source-mapped ones (SQS, stream) fail into their own DLQs instead.
  function_dead_letter = {
    "log-processor"       = null
    "event-analyzer"      = { type = "sns", target_arn = aws_sns_topic.alerts["critical"].arn }
    "alert-router"        = null
    "compliance-reporter" = { type = "sns", target_arn = aws_sns_topic.alerts["medium"].arn }
    "anomaly-detector"    = { type = "sns", target_arn = aws_sns_topic.alerts["medium"].arn }
  }

  function_policies = {
    "log-processor"       = data.aws_iam_policy_document.log_processor.json
    "event-analyzer"      = data.aws_iam_policy_document.event_analyzer.json
    "alert-router"        = data.aws_iam_policy_document.alert_router.json
    "compliance-reporter" = data.aws_iam_policy_document.compliance_reporter.json
    "anomaly-detector"    = data.aws_iam_policy_document.anomaly_detector.json
  }

  findings_index_arns = ["${aws_dynamodb_table.findings.arn}/index/*"]
}

#------------------------------------------------------------------------------
# Shared policy fragments
#------------------------------------------------------------------------------

# Tables are encrypted with the CMK: DynamoDB uses it on the caller's behalf.
data "aws_iam_policy_document" "use_key_via_dynamodb" {
  statement {
    sid       = "UseKeyViaDynamoDB"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }
  }
}

# Athena, Glue catalogue and S3 access shared by the two Athena-running functions.
data "aws_iam_policy_document" "athena_access" {
  source_policy_documents = [data.aws_iam_policy_document.read_trail_logs.json]

  statement {
    sid    = "RunQueriesInPlatformWorkgroup"
    effect = "Allow"
    actions = [
      "athena:StartQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:StopQueryExecution",
      "athena:GetWorkGroup",
      "athena:GetNamedQuery",
      "athena:BatchGetNamedQuery",
    ]
    resources = [local.athena_workgroup_arn]
  }

  statement {
    sid       = "ReadCloudTrailTableDefinition"
    effect    = "Allow"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }

  # Athena writes results with the caller's credentials.
  statement {
    sid       = "ListResultsBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [module.athena_results_bucket.bucket_arn]
  }

  statement {
    sid       = "ReadWriteQueryResults"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${module.athena_results_bucket.bucket_arn}/results/*"]
  }

  statement {
    sid       = "UseKeyViaS3AndAthena"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "athena.${local.region}.amazonaws.com"]
    }
  }
}

#------------------------------------------------------------------------------
# Per-function policies
#------------------------------------------------------------------------------

data "aws_iam_policy_document" "log_processor" {
  source_policy_documents = [data.aws_iam_policy_document.use_key_via_dynamodb.json]

  statement {
    sid       = "ReadTrailLogObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${module.log_bucket.bucket_arn}/AWSLogs/*"]
  }

  statement {
    sid       = "ConsumeIngestQueue"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.ingest.arn]
  }

  statement {
    sid       = "DecryptLogsAndMessagesViaS3AndSQS"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "PutFindings"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.findings.arn]
  }
}

data "aws_iam_policy_document" "event_analyzer" {
  source_policy_documents = [data.aws_iam_policy_document.use_key_via_dynamodb.json]

  statement {
    sid       = "PutFindings"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.findings.arn]
  }
}

data "aws_iam_policy_document" "alert_router" {
  source_policy_documents = [data.aws_iam_policy_document.use_key_via_dynamodb.json]

  statement {
    sid       = "ReadFindingsStream"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
    resources = [aws_dynamodb_table.findings.stream_arn, "${aws_dynamodb_table.findings.arn}/stream/*"]
  }

  statement {
    sid       = "MarkFindingAlerted"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.findings.arn]
  }

  statement {
    sid       = "TrackAlertSuppression"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.alert_state.arn]
  }

  statement {
    sid       = "PublishAlertsToAllTiers"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [for tier in local.alert_tiers : aws_sns_topic.alerts[tier].arn]
  }

  # The stream's on-failure destination is sent with the function's role.
  statement {
    sid       = "SendFailedBatchesToStreamDLQ"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.stream_dlq.arn]
  }

  statement {
    sid       = "UseKeyViaSNSAndSQS"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com", "sqs.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "compliance_reporter" {
  source_policy_documents = [
    data.aws_iam_policy_document.use_key_via_dynamodb.json,
    data.aws_iam_policy_document.athena_access.json,
  ]

  statement {
    sid       = "WriteComplianceReports"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${module.athena_results_bucket.bucket_arn}/${local.reports_prefix}/*"]
  }

  statement {
    sid       = "QueryFindingsByAccountAndSeverity"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = concat([aws_dynamodb_table.findings.arn], local.findings_index_arns)
  }

  statement {
    sid       = "CheckTrailHealth"
    effect    = "Allow"
    actions   = ["cloudtrail:GetTrailStatus", "cloudtrail:DescribeTrails", "cloudtrail:GetTrail", "cloudtrail:GetEventSelectors"]
    resources = [local.trail_arn]
  }

  statement {
    sid       = "PublishComplianceSummary"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts["critical"].arn, aws_sns_topic.alerts["medium"].arn]
  }

  statement {
    sid       = "UseKeyViaSNS"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "anomaly_detector" {
  source_policy_documents = [
    data.aws_iam_policy_document.use_key_via_dynamodb.json,
    data.aws_iam_policy_document.athena_access.json,
  ]

  statement {
    sid       = "PutAnomalyFindings"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.findings.arn]
  }
}

#------------------------------------------------------------------------------
# Functions
#------------------------------------------------------------------------------

module "function" {
  source   = "./modules/lambda-function"
  for_each = local.function_config

  function_name = each.value.name
  description   = local.function_descriptions[each.key]
  memory_size   = each.value.memory_size
  timeout       = each.value.timeout

  package = {
    filename  = local.function_packages[each.key].filename
    s3_bucket = local.function_packages[each.key].s3_bucket
    s3_key    = local.function_packages[each.key].s3_key
  }

  environment_variables = local.function_environment[each.key]
  policy_json           = local.function_policies[each.key]
  dead_letter           = local.function_dead_letter[each.key]
  kms_key_arn           = module.kms.key_arn
  log_level             = var.log_level
  log_retention_days    = var.lambda_log_retention_days
  alarm_actions         = [aws_sns_topic.alerts[var.operational_alarm_tier].arn]
  errors_alarm_name     = "${var.name_prefix}-${each.key}-errors-${local.env_suffix}"
  throttles_alarm_name  = "${var.name_prefix}-${each.key}-throttles-${local.env_suffix}"

  tags = merge(local.common_tags, { Function = each.key })
}
