# Buckets: the trail log archive, the Athena results/reports bucket and the
# access-log bucket that records requests to both.

#------------------------------------------------------------------------------
# Access-log bucket
#------------------------------------------------------------------------------

# S3 server access logging cannot deliver into an SSE-KMS bucket, so this one
# bucket uses SSE-S3 (AES256): kms_key_arn is deliberately left null.
data "aws_iam_policy_document" "access_log_bucket" {
  statement {
    sid       = "AllowS3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.names.access_log_bucket}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = [
        "arn:${local.partition}:s3:::${local.names.log_bucket}",
        "arn:${local.partition}:s3:::${local.names.athena_results_bucket}",
      ]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

module "access_log_bucket" {
  source = "./modules/log-bucket"

  bucket_name       = local.names.access_log_bucket
  kms_key_arn       = null
  force_destroy     = var.force_destroy
  access_log_target = null
  policy_documents  = [data.aws_iam_policy_document.access_log_bucket.json]

  lifecycle_rules = [{
    id                              = "expire-access-logs"
    prefix                          = ""
    expiration_days                 = var.access_log_expiration_days
    noncurrent_expiration_days      = 30
    abort_incomplete_multipart_days = 7
  }]

  tags = local.common_tags
}

#------------------------------------------------------------------------------
# Trail log bucket
#------------------------------------------------------------------------------

data "aws_iam_policy_document" "log_bucket_cloudtrail" {
  statement {
    sid       = "AWSCloudTrailAclCheck"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl"]
    resources = ["arn:${local.partition}:s3:::${local.names.log_bucket}"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  # An organization trail writes AWSLogs/<org-id>/<account>/... for every
  # member and still needs AWSLogs/<management account>/ when it is created:
  # both paths, or CreateTrail fails with InsufficientS3BucketPolicyException.
  statement {
    sid     = "AWSCloudTrailWrite"
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = concat(
      ["arn:${local.partition}:s3:::${local.names.log_bucket}/AWSLogs/${local.trail_owner_account_id}/*"],
      local.organization_id != null ? ["arn:${local.partition}:s3:::${local.names.log_bucket}/AWSLogs/${local.organization_id}/*"] : [],
    )

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

module "log_bucket" {
  source = "./modules/log-bucket"

  bucket_name   = local.names.log_bucket
  kms_key_arn   = module.kms.key_arn
  force_destroy = var.force_destroy

  access_log_target = {
    bucket = module.access_log_bucket.bucket_id_with_policy
    prefix = "${local.names.log_bucket}/"
  }

  policy_documents = [data.aws_iam_policy_document.log_bucket_cloudtrail.json]

  lifecycle_rules = [{
    id     = "archive-trail-logs"
    prefix = ""
    transitions = [
      { days = var.log_lifecycle.intelligent_tiering_days, storage_class = "INTELLIGENT_TIERING" },
      { days = var.log_lifecycle.glacier_days, storage_class = "GLACIER" },
    ]
    expiration_days                 = var.log_lifecycle.expiration_days
    noncurrent_expiration_days      = var.log_lifecycle.noncurrent_expiration_days
    abort_incomplete_multipart_days = var.log_lifecycle.abort_incomplete_multipart_days
  }]

  tags = local.common_tags
}

#------------------------------------------------------------------------------
# Athena results and compliance reports
#------------------------------------------------------------------------------

# Query results are scratch data and expire quickly; compliance reports under
# reports/ are kept much longer. Each expiry is scoped to its prefix.
module "athena_results_bucket" {
  source = "./modules/log-bucket"

  bucket_name   = local.names.athena_results_bucket
  kms_key_arn   = module.kms.key_arn
  force_destroy = var.force_destroy

  access_log_target = {
    bucket = module.access_log_bucket.bucket_id_with_policy
    prefix = "${local.names.athena_results_bucket}/"
  }

  lifecycle_rules = [
    {
      id              = "expire-query-results"
      prefix          = "results/"
      expiration_days = var.athena_results_expiration_days
    },
    {
      id              = "expire-reports"
      prefix          = "reports/"
      expiration_days = var.reports_expiration_days
    },
    {
      id                              = "clean-up-versions-and-uploads"
      prefix                          = ""
      noncurrent_expiration_days      = 30
      abort_incomplete_multipart_days = 7
    },
  ]

  tags = local.common_tags
}

# Reading the archive, for every reader that goes through S3 itself: the
# crawler, and Athena on behalf of the compliance reporter and anomaly
# detector. Decrypting is granted by each reader's own policy.
data "aws_iam_policy_document" "read_trail_logs" {
  statement {
    sid       = "ListTrailLogBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [module.log_bucket.bucket_arn]
  }

  statement {
    sid       = "ReadTrailLogObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${module.log_bucket.bucket_arn}/AWSLogs/*"]
  }
}
