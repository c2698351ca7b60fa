data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "analyzer" {
  name               = "${var.name_prefix}-analyzer-${local.env_suffix}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.common_tags
}

resource "aws_iam_role" "processor" {
  name               = "${var.name_prefix}-processor-${local.env_suffix}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "analyzer" {
  statement {
    sid       = "WriteFindings"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.findings.arn]
  }
}

resource "aws_iam_role_policy" "analyzer" {
  name   = "execution"
  role   = aws_iam_role.analyzer.id
  policy = data.aws_iam_policy_document.analyzer.json
}

resource "aws_iam_role_policy" "processor" {
  name = "execution"
  role = aws_iam_role.processor.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadIngestQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = aws_sqs_queue.ingest.arn
    }]
  })
}

resource "aws_cloudwatch_log_group" "analyzer" {
  name              = "/aws/lambda/${var.name_prefix}-analyzer-${local.env_suffix}"
  retention_in_days = var.retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_cloudwatch_log_group" "processor" {
  name              = "/aws/lambda/${var.name_prefix}-processor-${local.env_suffix}"
  retention_in_days = var.retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_lambda_function" "analyzer" {
  function_name    = "${var.name_prefix}-analyzer-${local.env_suffix}"
  role             = aws_iam_role.analyzer.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  filename         = "${path.module}/dist/analyzer.zip"
  source_code_hash = filebase64sha256("${path.module}/dist/analyzer.zip")

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.analyzer.name
  }

  dead_letter_config {
    target_arn = aws_sns_topic.alerts.arn
  }

  tags       = local.common_tags
  depends_on = [aws_cloudwatch_log_group.analyzer]
}

resource "aws_lambda_function" "processor" {
  function_name    = "${var.name_prefix}-processor-${local.env_suffix}"
  role             = aws_iam_role.processor.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["arm64"]
  filename         = "${path.module}/dist/processor.zip"
  source_code_hash = filebase64sha256("${path.module}/dist/processor.zip")

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.processor.name
  }

  tags       = local.common_tags
  depends_on = [aws_cloudwatch_log_group.processor]
}

#--- Wiring -------------------------------------------------------------------

resource "aws_sns_topic" "alerts" {
  name              = "${var.name_prefix}-alerts-${local.env_suffix}"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowEventBridgePublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "DenyPublishWithoutTLS"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_event_rule" "api_calls" {
  name          = "${var.name_prefix}-api-calls-${local.env_suffix}"
  event_pattern = jsonencode({ "detail-type" = ["AWS API Call via CloudTrail"] })
  tags          = local.common_tags
}

resource "aws_cloudwatch_event_target" "api_calls" {
  rule      = aws_cloudwatch_event_rule.api_calls.name
  target_id = "analyzer"
  arn       = aws_lambda_function.analyzer.arn
}

resource "aws_lambda_permission" "api_calls" {
  statement_id  = "AllowEventBridgeApiCalls"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.analyzer.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.api_calls.arn
}

resource "aws_sqs_queue" "ingest_dlq" {
  name              = "${var.name_prefix}-ingest-dlq-${local.env_suffix}"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = local.common_tags
}

resource "aws_sqs_queue" "ingest" {
  name              = "${var.name_prefix}-ingest-${local.env_suffix}"
  kms_master_key_id = aws_kms_key.this.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ingest_dlq.arn
    maxReceiveCount     = 5
  })
  tags = local.common_tags
}

resource "aws_sqs_queue_policy" "ingest" {
  queue_url = aws_sqs_queue.ingest.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowS3Notifications"
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.ingest.arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_s3_bucket.logs.arn } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.ingest.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_s3_bucket_notification" "logs" {
  bucket = aws_s3_bucket.logs.id

  queue {
    queue_arn     = aws_sqs_queue.ingest.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "AWSLogs/"
    filter_suffix = ".json.gz"
  }
}

resource "aws_lambda_event_source_mapping" "ingest" {
  event_source_arn        = aws_sqs_queue.ingest.arn
  function_name           = aws_lambda_function.processor.arn
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = 5
  }

  tags = local.common_tags
}

resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn               = aws_dynamodb_table.findings.stream_arn
  function_name                  = aws_lambda_function.processor.arn
  starting_position              = "LATEST"
  bisect_batch_on_function_error = true

  filter_criteria {
    filter {
      pattern = jsonencode({ eventName = ["INSERT"] })
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.ingest_dlq.arn
    }
  }

  tags = local.common_tags
}
