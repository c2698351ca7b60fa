data "aws_region" "current" {}

locals {
  log_group_name = "/aws/lambda/${var.function_name}"
  dlq_service    = var.dead_letter != null ? var.dead_letter.type : null
}

#------------------------------------------------------------------------------
# Role
#------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "AllowLambdaServiceAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = var.function_name
  description        = "Execution role of the ${var.function_name} function."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  source_policy_documents = [var.policy_json]

  statement {
    sid     = "WriteOwnLogGroup"
    effect  = "Allow"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The group is created by Terraform, so no logs:CreateLogGroup.
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  statement {
    sid     = "WriteXRayTraces"
    effect  = "Allow"
    actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    # X-Ray has no resource-level permissions for these actions.
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = local.dlq_service == "sns" ? [var.dead_letter.target_arn] : []

    content {
      sid       = "PublishFailedEventsToDeadLetterTopic"
      effect    = "Allow"
      actions   = ["sns:Publish"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.dlq_service == "sqs" ? [var.dead_letter.target_arn] : []

    content {
      sid       = "SendFailedEventsToDeadLetterQueue"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.dlq_service != null ? [local.dlq_service] : []

    content {
      sid       = "EncryptDeadLetterMessagesViaService"
      effect    = "Allow"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = [var.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["${statement.value}.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.execution.json
}

#------------------------------------------------------------------------------
# Log group first: if the function ran before it existed, Lambda would create
# an unencrypted group without retention and Terraform would then fail on it.
#------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "lambda" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

#------------------------------------------------------------------------------
# Function
#------------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.lambda.arn
  handler       = var.handler
  runtime       = var.runtime
  architectures = [var.architecture]
  memory_size   = var.memory_size
  timeout       = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions

  filename          = var.package.filename
  source_code_hash  = var.package.filename != null ? (fileexists(var.package.filename) ? filebase64sha256(var.package.filename) : null) : null
  s3_bucket         = var.package.s3_bucket
  s3_key            = var.package.s3_key
  s3_object_version = var.package.s3_object_version

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.lambda.name
    application_log_level = upper(var.log_level)
    system_log_level      = "WARN"
  }

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []

    content {
      variables = environment.value
    }
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter != null ? [var.dead_letter.target_arn] : []

    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.package.filename == null || fileexists(coalesce(var.package.filename, "/nonexistent"))
      error_message = "The package.filename of function ${var.function_name} does not exist: run `make build` to write the zips into dist/, or deploy from release zips in S3 (lambda_package.source = \"s3\")."
    }
  }

  # The log group and the role's permissions must exist before the first
  # invocation can write logs.
  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.execution]
}

#------------------------------------------------------------------------------
# Alarms
#------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = var.errors_alarm_name
  alarm_description   = "Function ${var.function_name} returned errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.error_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  alarm_name          = var.throttles_alarm_name
  alarm_description   = "Invocations of ${var.function_name} were throttled."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
