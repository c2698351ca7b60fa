variable "region" {
  description = "Region to deploy into (the home region of the organization trail)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region variable must be a region name such as us-east-1."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "ctap"
}

variable "environment" {
  description = "Environment name, part of every resource name."
  type        = string
  default     = "prod"
}

variable "account_id" {
  description = "Management account ID. Set it (with organization_id, member_account_ids and log_regions) to plan without AWS credentials; null looks it up."
  type        = string
  default     = null
}

variable "organization_id" {
  description = "Organization ID (o-...). Null looks it up with data.aws_organizations_organization."
  type        = string
  default     = null
}

variable "member_account_ids" {
  description = "Accounts the Athena table projects. Empty: every account of the organization (looked up)."
  type        = list(string)
  default     = []
}

variable "log_regions" {
  description = "Regions the Athena table projects. Null: every region of the partition (looked up)."
  type        = list(string)
  default     = null
}

variable "allowed_regions" {
  description = "Regions in use by policy; activity elsewhere fails the daily regions_in_use check. Empty: no check."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "E-mail address subscribed to the critical and high alert tiers. Null: no subscription."
  type        = string
  default     = null
}

variable "s3_data_event_bucket_arns" {
  description = "Buckets whose object-level data events the trail logs."
  type        = list(string)
  default     = []
}

variable "lambda_package" {
  description = "Where the function zips come from: local dist/ (after `make build`) or release zips in S3. See the root module's README."
  type = object({
    source    = optional(string, "local")
    local_dir = optional(string)
    s3_bucket = optional(string)
    s3_prefix = optional(string, "")
  })
  default = {}
}

variable "skip_aws_checks" {
  description = "Skip the provider's credential, account-ID, metadata-API and region checks: for plans with mock credentials (tests). Never for a real apply."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
