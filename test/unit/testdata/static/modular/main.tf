# A fixture shaped like the platform: buckets, key and functions come from
# submodules, functions and schedules are instantiated with for_each.

variable "name_prefix" {
  description = "Prefix of every name."
  type        = string
  default     = "fx"
}

variable "environment" {
  description = "Environment name."
  type        = string
}

resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  env_suffix  = "${var.environment}-${random_string.suffix.result}"
  common_tags = { Project = "fixture" }
  account_id  = data.aws_caller_identity.current.account_id

  functions = {
    "log-processor" = { name = "${var.name_prefix}-log-processor-${local.env_suffix}" }
    "reporter"      = { name = "${var.name_prefix}-reporter-${local.env_suffix}" }
  }

  dead_letters = {
    "log-processor" = null
    "reporter"      = aws_sns_topic.failures.arn
  }

  environments = {
    "log-processor" = {
      LOG_LEVEL         = "info"
      FINDINGS_TABLE    = "findings"
      FINDINGS_TTL_DAYS = "90"
    }
    "reporter" = {}
  }

  schedules = {
    daily = {
      function  = "reporter"
      statement = "AllowDailySchedule"
    }
  }
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AllowServicesPublishToEncryptedStores"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com", "s3.amazonaws.com"]
    }
  }
}

module "key" {
  source      = "./modules/key"
  alias       = "alias/${var.name_prefix}-${local.env_suffix}"
  policy_json = data.aws_iam_policy_document.key.json
  tags        = local.common_tags
}

module "access_logs" {
  source = "./modules/bucket"
  name   = "${var.name_prefix}-access-${local.env_suffix}"
  rules  = [{ id = "all", expire_days = 90, noncurrent_days = 30, abort_days = 7 }]
  tags   = local.common_tags
}

module "logs" {
  source      = "./modules/bucket"
  name        = "${var.name_prefix}-logs-${local.env_suffix}"
  kms_key_arn = module.key.arn
  log_target  = { bucket = module.access_logs.id, prefix = "logs/" }
  rules = [
    { id = "results", prefix = "results/", expire_days = 7 },
    { id = "cleanup", prefix = "", noncurrent_days = 30, abort_days = 7 },
  ]
  tags = local.common_tags
}

resource "aws_sns_topic" "failures" {
  name              = "${var.name_prefix}-failures-${local.env_suffix}"
  kms_master_key_id = module.key.arn
  tags              = local.common_tags
}

module "function" {
  source   = "./modules/fn"
  for_each = local.functions

  name            = each.value.name
  zip             = "${path.module}/dist/${each.key}.zip"
  kms_key_arn     = module.key.arn
  dead_letter_arn = local.dead_letters[each.key]
  environment     = local.environments[each.key]
  tags            = merge(local.common_tags, { Function = each.key })
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.schedules

  name                = "${var.name_prefix}-${each.key}-${local.env_suffix}"
  schedule_expression = "rate(1 day)"
  tags                = local.common_tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.schedules

  rule = aws_cloudwatch_event_rule.schedule[each.key].name
  arn  = module.function[each.value.function].arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.schedules

  statement_id  = each.value.statement
  action        = "lambda:InvokeFunction"
  function_name = module.function[each.value.function].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}
