resource "aws_dynamodb_table" "findings" {
  name             = "${var.name_prefix}-findings-${local.env_suffix}"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "finding_id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "finding_id"
    type = "S"
  }

  attribute {
    name = "account_id"
    type = "S"
  }

  attribute {
    name = "severity"
    type = "S"
  }

  attribute {
    name = "detected_at"
    type = "S"
  }

  global_secondary_index {
    name            = "by_account"
    hash_key        = "account_id"
    range_key       = "detected_at"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "by_severity"
    hash_key        = "severity"
    range_key       = "detected_at"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.common_tags
}

resource "aws_glue_catalog_database" "this" {
  name = local.names.glue_database
  tags = local.common_tags
}

resource "aws_glue_catalog_table" "cloudtrail" {
  name          = "cloudtrail"
  database_name = aws_glue_catalog_database.this.name
}

resource "aws_athena_workgroup" "this" {
  name = "${var.name_prefix}-wg-${local.env_suffix}"

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = 10737418240

    result_configuration {
      output_location = "s3://${aws_s3_bucket.logs.id}/athena/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.this.arn
      }
    }
  }

  tags = local.common_tags
}

resource "aws_glue_security_configuration" "this" {
  name = "${var.name_prefix}-glue-${local.env_suffix}"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.this.arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.this.arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.this.arn
    }
  }
}

resource "aws_iam_role" "crawler" {
  name               = "${var.name_prefix}-crawler-${local.env_suffix}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.common_tags
}

resource "aws_iam_role_policy_attachment" "crawler" {
  role       = aws_iam_role.crawler.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
}

resource "aws_glue_crawler" "this" {
  name                   = "${var.name_prefix}-crawler-${local.env_suffix}"
  database_name          = aws_glue_catalog_database.this.name
  role                   = aws_iam_role.crawler.arn
  schedule               = "cron(0 3 * * ? *)"
  security_configuration = aws_glue_security_configuration.this.name

  s3_target {
    path       = "s3://${aws_s3_bucket.logs.id}/AWSLogs/"
    exclusions = ["**/CloudTrail-Digest/**", "**/CloudTrail-Insight/**"]
  }

  recrawl_policy {
    recrawl_behavior = "CRAWL_NEW_FOLDERS_ONLY"
  }

  schema_change_policy {
    update_behavior = "LOG"
    delete_behavior = "LOG"
  }

  tags = local.common_tags
}
