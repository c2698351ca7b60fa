# The organization (or single-account) trail, and its CloudWatch Logs delivery.

#------------------------------------------------------------------------------
# CloudWatch Logs delivery (optional)
#------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "trail" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  name              = local.names.trail_log_group
  retention_in_days = var.cloudtrail_log_retention_days
  kms_key_id        = module.kms.key_arn
  tags              = local.common_tags
}

# CloudTrail's CloudWatch Logs role does not support aws:SourceArn /
# aws:SourceAccount (AWS CloudTrail User Guide, "Role policy document for
# CloudTrail to use CloudWatch Logs"), so the trust policy has no conditions.
data "aws_iam_policy_document" "trail_cwl_assume" {
  statement {
    sid     = "AllowCloudTrailAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "trail_cwl" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  name               = local.names.trail_cwl_role
  description        = "Lets trail ${local.names.trail} deliver events to its CloudWatch Logs group."
  assume_role_policy = data.aws_iam_policy_document.trail_cwl_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "trail_cwl" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  # Streams are named <account>_CloudTrail_<region> and, for an organization
  # trail, <org-id>_<account>_CloudTrail_<region>: any stream of this group.
  statement {
    sid       = "AllowCloudTrailWriteTrailLogStreams"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.trail[0].arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "trail_cwl" {
  count = var.enable_cloudwatch_logs ? 1 : 0

  name   = "deliver-to-cloudwatch-logs"
  role   = aws_iam_role.trail_cwl[0].id
  policy = data.aws_iam_policy_document.trail_cwl[0].json
}

#------------------------------------------------------------------------------
# Trail
#------------------------------------------------------------------------------

resource "aws_cloudtrail" "this" {
  name                          = local.names.trail
  s3_bucket_name                = module.log_bucket.bucket_id_with_policy
  is_organization_trail         = var.is_organization_trail
  is_multi_region_trail         = var.is_multi_region_trail
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = module.kms.key_arn

  # The log group ARN needs the ":*" suffix; the provider's arn attribute has none.
  cloud_watch_logs_group_arn = var.enable_cloudwatch_logs ? "${aws_cloudwatch_log_group.trail[0].arn}:*" : null
  cloud_watch_logs_role_arn  = var.enable_cloudwatch_logs ? aws_iam_role.trail_cwl[0].arn : null

  advanced_event_selector {
    name = "Management events"

    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }

  dynamic "advanced_event_selector" {
    for_each = var.enable_lambda_data_events ? ["lambda"] : []

    content {
      name = "Lambda invocations"

      field_selector {
        field  = "eventCategory"
        equals = ["Data"]
      }

      field_selector {
        field  = "resources.type"
        equals = ["AWS::Lambda::Function"]
      }

      # Not the platform's own functions: each of their invocations would be
      # an Invoke event that reaches event-analyzer again (log group
      # subscription, EventBridge) and log-processor again (next log file),
      # so they would invoke themselves without end. Their code and
      # configuration changes are management events and stay logged.
      field_selector {
        field           = "resources.ARN"
        not_starts_with = [for k in local.function_keys : local.function_arns_by_name[k]]
      }
    }
  }

  # Advanced selectors, not basic ones: basic selectors reject wildcards such
  # as arn:aws:s3:::*/* and we name each bucket explicitly anyway.
  dynamic "advanced_event_selector" {
    for_each = length(var.s3_data_event_bucket_arns) > 0 ? ["s3"] : []

    content {
      name = "S3 object events for selected buckets"

      field_selector {
        field  = "eventCategory"
        equals = ["Data"]
      }

      field_selector {
        field  = "resources.type"
        equals = ["AWS::S3::Object"]
      }

      field_selector {
        field       = "resources.ARN"
        starts_with = [for arn in var.s3_data_event_bucket_arns : "${arn}/"]
      }
    }
  }

  tags = local.common_tags

  lifecycle {
    # Object events of the trail's own bucket (or of the bucket its access
    # logs go to) would feed themselves: each delivered log file is a
    # PutObject event that lands in the next log file, for ever.
    precondition {
      condition = length(setintersection(var.s3_data_event_bucket_arns, [
        "arn:${local.partition}:s3:::${local.names.log_bucket}",
        "arn:${local.partition}:s3:::${local.names.access_log_bucket}",
      ])) == 0
      error_message = "The s3_data_event_bucket_arns variable lists the trail's own log bucket or its access-log bucket (${local.names.log_bucket}, ${local.names.access_log_bucket}): their object events would log themselves without end. Leave them out; requests to the log bucket are already recorded by S3 server access logging."
    }
  }

  # The bucket policy (both AWSLogs paths) and the delivery role's permissions
  # must exist before CloudTrail validates them in CreateTrail.
  depends_on = [
    module.log_bucket,
    aws_iam_role_policy.trail_cwl,
  ]
}
