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
