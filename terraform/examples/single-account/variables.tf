variable "region" {
  description = "Region to deploy into."
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
  default     = "sandbox"
}

variable "account_id" {
  description = "Account ID. Set it (with log_regions) to plan without AWS credentials; null looks it up."
  type        = string
  default     = null
}

variable "log_regions" {
  description = "Regions the Athena table projects. Null: every region of the partition (looked up)."
  type        = list(string)
  default     = null
}

variable "allowed_regions" {
  description = "Regions in use by policy; activity elsewhere fails the daily regions_in_use check. Empty: only var.region."
  type        = list(string)
  default     = []
}

variable "force_destroy" {
  description = "Let terraform destroy remove non-empty buckets, the workgroup's queries and the tables (deletion protection off). On by default: this example is for sandboxes and the integration tests."
  type        = bool
  default     = true
}

variable "enable_cloudwatch_logs" {
  description = "Deliver the trail to CloudWatch Logs (CIS alarms and the real-time path)."
  type        = bool
  default     = true
}

variable "enable_crawler" {
  description = "Create the Glue crawler."
  type        = bool
  default     = true
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Athena per-query scan limit in bytes (at least 10485760). Small by default: a sandbox has little data."
  type        = number
  default     = 1073741824
}

variable "alert_subscriptions" {
  description = "Subscriptions to the alert tiers (tier, protocol, endpoint)."
  type = list(object({
    tier     = string
    protocol = string
    endpoint = string
  }))
  default = []
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
