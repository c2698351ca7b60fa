# What a sandbox account can deploy: a trail for this account only (no
# AWS Organizations permissions needed), everything else as in production.

provider "aws" {
  region = var.region

  skip_credentials_validation = var.skip_aws_checks
  skip_requesting_account_id  = var.skip_aws_checks
  skip_metadata_api_check     = var.skip_aws_checks
  skip_region_validation      = var.skip_aws_checks
}

locals {
  allowed_regions = length(var.allowed_regions) > 0 ? var.allowed_regions : [var.region]
}

module "ctap" {
  source = "../.."

  name_prefix = var.name_prefix
  environment = var.environment
  tags        = merge(var.tags, { Example = "single-account" })

  account_id  = var.account_id
  log_regions = var.log_regions

  is_organization_trail  = false
  is_multi_region_trail  = true
  enable_cloudwatch_logs = var.enable_cloudwatch_logs
  enable_crawler         = var.enable_crawler

  lambda_package      = var.lambda_package
  allowed_regions     = local.allowed_regions
  alert_subscriptions = var.alert_subscriptions

  # Small, cheap and easy to tear down.
  cloudtrail_log_retention_days         = 7
  lambda_log_retention_days             = 7
  athena_bytes_scanned_cutoff_per_query = var.athena_bytes_scanned_cutoff_per_query
  kms_deletion_window_days              = 7
  force_destroy                         = var.force_destroy
}
