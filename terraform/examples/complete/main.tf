# Organization trail with every feature on: run in the management account
# (or as the CloudTrail delegated administrator) after enabling trusted access
# for CloudTrail in AWS Organizations.

provider "aws" {
  region = var.region

  skip_credentials_validation = var.skip_aws_checks
  skip_requesting_account_id  = var.skip_aws_checks
  skip_metadata_api_check     = var.skip_aws_checks
  skip_region_validation      = var.skip_aws_checks
}

module "ctap" {
  source = "../.."

  name_prefix = var.name_prefix
  environment = var.environment
  tags        = merge(var.tags, { Example = "complete" })

  account_id         = var.account_id
  organization_id    = var.organization_id
  member_account_ids = var.member_account_ids
  log_regions        = var.log_regions

  # Trail
  is_organization_trail     = true
  is_multi_region_trail     = true
  enable_cloudwatch_logs    = true
  enable_lambda_data_events = true
  s3_data_event_bucket_arns = var.s3_data_event_bucket_arns

  # Analytics
  enable_crawler                        = true
  athena_bytes_scanned_cutoff_per_query = 50 * 1024 * 1024 * 1024

  # Functions and schedules
  lambda_package                 = var.lambda_package
  allowed_regions                = var.allowed_regions
  compliance_schedule_expression = "cron(0 6 * * ? *)"
  anomaly_schedule_expression    = "rate(1 hour)"

  # Alerting
  alert_subscriptions = var.alert_email == null ? [] : [
    { tier = "critical", protocol = "email", endpoint = var.alert_email },
    { tier = "high", protocol = "email", endpoint = var.alert_email },
  ]
  cis_alarm_tiers = {
    "4.1" = "high"
  }

  force_destroy = false
}
