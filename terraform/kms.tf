# The platform CMK: encrypts the trail, both data buckets, the log groups, the
# queues, the topics and the DynamoDB tables. Every statement below names the
# one service (or service path) that needs it.

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AllowAccountRootKeyAdministration"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
  }

  # CloudTrail encrypts log files with a data key bound to the trail's ARN.
  statement {
    sid       = "AllowCloudTrailEncryptLogs"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${local.partition}:cloudtrail:*:${local.trail_owner_account_id}:trail/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  # CloudTrail describes the key while the trail is created, before any
  # encryption context exists: a conditional statement cannot match, so this
  # one must stay unconditional or CreateTrail fails with
  # InsufficientEncryptionPolicyException.
  statement {
    sid       = "AllowCloudTrailDescribeKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  # The log bucket uses an S3 Bucket Key: CloudTrail then needs kms:Decrypt to
  # create or update an SSE-KMS trail (AWS CloudTrail User Guide, "Configure
  # AWS KMS key policies for CloudTrail"); without it CreateTrail is refused.
  # Unconditional as AWS documents it: like DescribeKey, the check runs
  # before the trail (and any encryption context) exists.
  statement {
    sid       = "AllowCloudTrailDecryptWithBucketKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  # CloudWatch Logs encrypts the trail's group, the functions' groups and the
  # Glue crawler's group (all named with this deployment's suffix).
  statement {
    sid    = "AllowCloudWatchLogsEncryptLogGroups"
    effect = "Allow"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*${local.env_suffix}*"]
    }
  }

  # Services that publish to the encrypted topics and queues need a data key.
  # Confused-deputy conditions (aws:SourceArn / aws:SourceAccount) sit on the
  # topic and queue policies, where these services document them.
  statement {
    sid       = "AllowCloudWatchAlarmsPublishToEncryptedTopics"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowEventBridgePublishToEncryptedTopics"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowS3NotificationsToEncryptedQueue"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }

  statement {
    sid       = "AllowSNSDeliverToEncryptedSubscribers"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
  }

  # Principals of this account (functions, the crawler, analysts) may use the
  # key only through the services that hold platform data, and only when their
  # own IAM policies allow it too.
  statement {
    sid    = "AllowAccountPrincipalsViaDataServices"
    effect = "Allow"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:DescribeKey",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values = [for svc in ["s3", "athena", "glue", "dynamodb", "sqs", "sns", "logs"] :
        "${svc}.${local.region}.amazonaws.com"
      ]
    }
  }

  # The Glue crawler's security configuration encrypts its CloudWatch logs
  # (through the Logs statement above) and, for S3 writes and job bookmarks,
  # calls KMS with the crawler role's own credentials.
  dynamic "statement" {
    for_each = var.enable_crawler ? ["arn:${local.partition}:iam::${local.account_id}:role/${local.names.glue_crawler_role}"] : []

    content {
      sid       = "AllowGlueCrawlerSecurityConfiguration"
      effect    = "Allow"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }

  # DynamoDB tables encrypted with a customer managed key need a grant for
  # the table; it is created on behalf of the caller.
  statement {
    sid       = "AllowDynamoDBGrantsForTables"
    effect    = "Allow"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["dynamodb.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

module "kms" {
  source = "./modules/kms-key"

  description             = "ctap platform key (${local.env_suffix}): CloudTrail logs, buckets, log groups, queues, topics, tables."
  alias_name              = local.names.kms_alias
  policy_json             = data.aws_iam_policy_document.kms.json
  deletion_window_in_days = var.kms_deletion_window_days
  tags                    = local.common_tags

  # KMS rejects a key policy naming a role that does not exist yet. The ARN
  # above is built from the name (so the policy is known at plan time); this
  # orders the key after the role.
  depends_on = [aws_iam_role.crawler]
}
