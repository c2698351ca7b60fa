# Findings (DESIGN §3) and the alert-router's suppression state.

resource "aws_dynamodb_table" "findings" {
  name         = local.names.findings_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "finding_id"

  # Only key attributes are declared (table and GSI keys); every other finding
  # field is schemaless. Declaring more makes the plan loop forever.
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
    kms_key_arn = module.kms.key_arn
  }

  # alert-router reads new findings from the stream.
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  deletion_protection_enabled = !var.force_destroy

  tags = local.common_tags
}

resource "aws_dynamodb_table" "alert_state" {
  name         = local.names.alert_state_table
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "suppression_key"

  attribute {
    name = "suppression_key"
    type = "S"
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
    kms_key_arn = module.kms.key_arn
  }

  deletion_protection_enabled = !var.force_destroy

  tags = local.common_tags
}
