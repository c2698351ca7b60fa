# Three alert tiers, one KMS-encrypted topic each. low/info findings are
# stored, never paged, so they have no topic.

resource "aws_sns_topic" "alerts" {
  for_each = toset(local.alert_tiers)

  name              = "${var.name_prefix}-alerts-${each.key}-${local.env_suffix}"
  display_name      = "ctap ${each.key} alerts"
  kms_master_key_id = module.kms.key_arn
  tags              = merge(local.common_tags, { AlertTier = each.key })
}

locals {
  # Functions whose execution role publishes to a tier: directly (alert-router,
  # compliance-reporter) or as the Lambda dead-letter target.
  topic_publisher_functions = {
    critical = ["alert-router", "compliance-reporter", "event-analyzer"]
    high     = ["alert-router"]
    medium   = ["alert-router", "compliance-reporter", "anomaly-detector"]
  }
}

data "aws_iam_policy_document" "alerts" {
  for_each = toset(local.alert_tiers)

  statement {
    sid    = "AllowAccountTopicAdministration"
    effect = "Allow"
    actions = [
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:AddPermission",
      "sns:RemovePermission",
      "sns:DeleteTopic",
      "sns:Subscribe",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
    ]
    resources = [aws_sns_topic.alerts[each.key].arn]

    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
  }

  statement {
    sid       = "AllowCloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "AllowEventBridgeRulesPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:events:${local.region}:${local.account_id}:rule/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "AllowPlatformFunctionsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[each.key].arn]

    principals {
      type        = "AWS"
      identifiers = [for fn in local.topic_publisher_functions[each.key] : module.function[fn].role_arn]
    }
  }

  statement {
    sid       = "DenyPublishWithoutTLS"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts[each.key].arn]

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

resource "aws_sns_topic_policy" "alerts" {
  for_each = toset(local.alert_tiers)

  arn    = aws_sns_topic.alerts[each.key].arn
  policy = data.aws_iam_policy_document.alerts[each.key].json
}

resource "aws_sns_topic_subscription" "alerts" {
  for_each = { for s in var.alert_subscriptions : "${s.tier}|${s.protocol}|${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alerts[each.value.tier].arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}
