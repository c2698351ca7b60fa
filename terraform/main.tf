# Naming suffix and the data sources everything else builds on. The two data
# sources that call AWS are skipped when the caller passes account_id /
# organization_id, so that `terraform plan` works without credentials.

resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
  lower   = true
  numeric = true
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

data "aws_organizations_organization" "current" {
  # Needed only for an organization trail whose ID (or member list) was not given.
  count = var.is_organization_trail && (var.organization_id == null || length(var.member_account_ids) == 0) ? 1 : 0
}

data "aws_regions" "all" {
  count = var.log_regions == null ? 1 : 0

  all_regions = true
}
