variable "name" {
  description = "Function name."
  type        = string
}

variable "runtime" {
  description = "Runtime."
  type        = string
  default     = "provided.al2023"
}

variable "architecture" {
  description = "Architecture."
  type        = string
  default     = "arm64"
}

variable "zip" {
  description = "Path of the built zip."
  type        = string
}

variable "kms_key_arn" {
  description = "CMK for the log group."
  type        = string
}

variable "dead_letter_arn" {
  description = "SNS topic for failed asynchronous invocations; null for none."
  type        = string
  default     = null
}

variable "environment" {
  description = "Environment variables."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags."
  type        = map(string)
  default     = {}
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 30
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  role             = aws_iam_role.this.arn
  runtime          = var.runtime
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.zip
  source_code_hash = filebase64sha256(var.zip)

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [var.environment] : []
    content {
      variables = environment.value
    }
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_arn == null ? [] : [var.dead_letter_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.this]
}

output "arn" {
  description = "Function ARN."
  value       = aws_lambda_function.this.arn
}

output "name" {
  description = "Function name."
  value       = aws_lambda_function.this.function_name
}
