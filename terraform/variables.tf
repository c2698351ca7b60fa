###############################################################################
# Naming and identity
###############################################################################

variable "name_prefix" {
  description = "Prefix of every resource name: <name_prefix>-<purpose>-<environment>-<random suffix>. Lowercase letters, digits and hyphens, starting with a letter."
  type        = string
  default     = "ctap"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.name_prefix)) && !endswith(var.name_prefix, "-")
    error_message = "The name_prefix variable must be 1-32 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen (it becomes part of S3 bucket names)."
  }
}

variable "environment" {
  description = "Environment name (for example dev, staging, prod). Part of every resource name and of the Environment tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$", var.environment))
    error_message = "The environment variable must be 1-16 characters of lowercase letters, digits and inner hyphens."
  }

  # The longest names are the S3 bucket "<name_prefix>-athena-results-<environment>-xxxxxx"
  # (S3 allows 63 characters, so name_prefix + environment <= 40) and the Lambda
  # function and IAM role "<name_prefix>-compliance-reporter-<environment>-xxxxxx"
  # (64 allowed, so name_prefix + environment <= 36). The stricter limit wins.
  validation {
    condition     = length(var.name_prefix) + length(var.environment) <= 36
    error_message = "The name_prefix and environment variables are too long together: length(name_prefix) + length(environment) must be <= 36 so that the longest S3 bucket name (<name_prefix>-athena-results-<environment>-xxxxxx, max 63 characters) and the longest Lambda/IAM name (<name_prefix>-compliance-reporter-<environment>-xxxxxx, max 64) fit."
  }
}

variable "tags" {
  description = "Extra tags merged into local.common_tags and applied to every taggable resource."
  type        = map(string)
  default     = {}
}

variable "account_id" {
  description = "AWS account ID that deploys the platform. When set, data.aws_caller_identity is skipped, so a plan needs no AWS credentials. Null: look it up."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "The account_id variable must be a 12-digit AWS account ID or null."
  }
}

variable "organization_id" {
  description = "AWS Organizations ID (o-xxxxxxxxxx) used in the organization trail's S3 paths. Only valid with is_organization_trail = true. When set, data.aws_organizations_organization is skipped. Null: look it up (organization trails only)."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "The organization_id variable must look like o-xxxxxxxxxx (10-32 lowercase letters or digits after o-) or be null."
  }

  validation {
    condition     = var.organization_id == null || var.is_organization_trail
    error_message = "The organization_id variable is set while is_organization_trail = false: a single-account trail writes no AWSLogs/<organization_id>/ path. Unset organization_id or set is_organization_trail = true."
  }
}

variable "management_account_id" {
  description = "Organization trails only: the organization's management account, when Terraform runs in a CloudTrail delegated administrator account. The management account owns every organization trail, so the trail ARN (and the bucket and key policy conditions built from it) carry its ID. Null: the deploying account is the management account."
  type        = string
  default     = null

  validation {
    condition     = var.management_account_id == null || can(regex("^[0-9]{12}$", var.management_account_id))
    error_message = "The management_account_id variable must be a 12-digit AWS account ID or null."
  }

  validation {
    condition     = var.management_account_id == null || var.is_organization_trail
    error_message = "The management_account_id variable is set while is_organization_trail = false: only organization trails can be managed by a delegated administrator."
  }
}

variable "member_account_ids" {
  description = "Account IDs whose logs the Athena table projects (the `account` partition enum). Empty: every account of the organization when it is looked up, else only account_id."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.member_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Every entry of the member_account_ids variable must be a 12-digit AWS account ID."
  }
}

variable "log_regions" {
  description = "Regions whose logs the Athena table projects (the `region` partition enum). Null: every region of the partition, looked up with data.aws_regions (needs credentials); pass a list for credential-free plans."
  type        = list(string)
  default     = null

  validation {
    condition     = var.log_regions == null ? true : length(var.log_regions) > 0 && alltrue([for r in var.log_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", r))])
    error_message = "The log_regions variable must be null or a non-empty list of region names such as eu-west-1."
  }
}

###############################################################################
# Trail
###############################################################################

variable "is_organization_trail" {
  description = "Create an organization trail (run in the management account or as CloudTrail delegated administrator, with trusted access enabled). False: a trail for this account only."
  type        = bool
  default     = true
}

variable "is_multi_region_trail" {
  description = "Log events from every region, not only the deployment region."
  type        = bool
  default     = true
}

variable "enable_cloudwatch_logs" {
  description = "Deliver the trail to a KMS-encrypted CloudWatch Logs group. Off: no log group, no CIS metric filters and alarms, no real-time subscription to event-analyzer."
  type        = bool
  default     = true
}

variable "cloudtrail_log_retention_days" {
  description = "Retention of the trail's CloudWatch Logs group, in days (0 = never expire)."
  type        = number
  default     = 90

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudtrail_log_retention_days)
    error_message = "The cloudtrail_log_retention_days variable must be a value CloudWatch Logs accepts: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "enable_lambda_data_events" {
  description = "Log Lambda Invoke data events for every function (advanced event selector)."
  type        = bool
  default     = false
}

variable "s3_data_event_bucket_arns" {
  description = "ARNs of S3 buckets whose object-level data events the trail logs (advanced event selector). Empty: no S3 data events. Wildcards are not accepted."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.s3_data_event_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "Every entry of the s3_data_event_bucket_arns variable must be a bucket ARN such as arn:aws:s3:::my-bucket (no wildcards, no object paths)."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and the Athena workgroup's queries, and turn DynamoDB deletion protection off. For test environments only."
  type        = bool
  default     = false
}

###############################################################################
# Storage
###############################################################################

variable "log_lifecycle" {
  description = "Lifecycle of the trail log bucket: days to Intelligent-Tiering, to Glacier Flexible Retrieval, to expiry; noncurrent-version expiry; abort of incomplete multipart uploads."
  type = object({
    intelligent_tiering_days        = optional(number, 30)
    glacier_days                    = optional(number, 180)
    expiration_days                 = optional(number, 2555)
    noncurrent_expiration_days      = optional(number, 90)
    abort_incomplete_multipart_days = optional(number, 7)
  })
  default = {}

  validation {
    condition = (
      var.log_lifecycle.intelligent_tiering_days >= 0 &&
      var.log_lifecycle.glacier_days >= var.log_lifecycle.intelligent_tiering_days + 30 &&
      var.log_lifecycle.expiration_days > var.log_lifecycle.glacier_days &&
      var.log_lifecycle.noncurrent_expiration_days >= 1 &&
      var.log_lifecycle.abort_incomplete_multipart_days >= 1
    )
    error_message = "The log_lifecycle variable must satisfy 0 <= intelligent_tiering_days, glacier_days >= intelligent_tiering_days + 30, expiration_days > glacier_days, and noncurrent_expiration_days and abort_incomplete_multipart_days >= 1."
  }
}

variable "access_log_expiration_days" {
  description = "Days to keep S3 server access logs in the access-log bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1
    error_message = "The access_log_expiration_days variable must be at least 1."
  }
}

###############################################################################
# Analytics (Glue + Athena)
###############################################################################

variable "enable_crawler" {
  description = "Create the scheduled Glue crawler that catalogues raw tables next to the partition-projected `cloudtrail` table."
  type        = bool
  default     = true
}

variable "crawler_schedule" {
  description = "Glue crawler schedule, cron(...) in Glue's six-field syntax."
  type        = string
  default     = "cron(0 3 * * ? *)"

  validation {
    condition     = can(regex("^cron\\(\\S+( \\S+){5}\\)$", var.crawler_schedule))
    error_message = "The crawler_schedule variable must be a Glue cron expression with six fields, for example cron(0 3 * * ? *)."
  }
}

variable "partition_projection_days" {
  description = "How many days back the `date` partition projection reaches (range NOW-<n>DAYS,NOW)."
  type        = number
  default     = 400

  validation {
    condition     = var.partition_projection_days >= 1 && var.partition_projection_days <= 3653 && floor(var.partition_projection_days) == var.partition_projection_days
    error_message = "The partition_projection_days variable must be a whole number between 1 and 3653."
  }
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Athena workgroup limit on bytes scanned per query (minimum 10 MB = 10485760)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff_per_query >= 10485760
    error_message = "The athena_bytes_scanned_cutoff_per_query variable must be at least 10485760 (10 MB), Athena's minimum."
  }
}

variable "athena_results_expiration_days" {
  description = "Days to keep Athena query results under results/ in the results bucket."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_expiration_days >= 1
    error_message = "The athena_results_expiration_days variable must be at least 1."
  }
}

variable "reports_expiration_days" {
  description = "Days to keep compliance reports under reports/ in the results bucket."
  type        = number
  default     = 730

  validation {
    condition     = var.reports_expiration_days >= 1
    error_message = "The reports_expiration_days variable must be at least 1."
  }
}

variable "investigation_lookback_days" {
  description = "How many days back the investigation named queries look."
  type        = number
  default     = 7

  validation {
    condition     = var.investigation_lookback_days >= 1 && var.investigation_lookback_days <= 365
    error_message = "The investigation_lookback_days variable must be between 1 and 365."
  }
}

###############################################################################
# Findings, functions and schedules
###############################################################################

variable "findings_ttl_days" {
  description = "Days until a finding expires from DynamoDB (FINDINGS_TTL_DAYS)."
  type        = number
  default     = 90

  validation {
    condition     = var.findings_ttl_days >= 1 && var.findings_ttl_days <= 3650 && floor(var.findings_ttl_days) == var.findings_ttl_days
    error_message = "The findings_ttl_days variable must be a whole number between 1 and 3650 (the range the functions accept)."
  }
}

variable "suppression_window_minutes" {
  description = "alert-router sends at most one alert per (rule, account) in this window (SUPPRESSION_WINDOW_MINUTES)."
  type        = number
  default     = 60

  validation {
    condition     = var.suppression_window_minutes >= 1 && var.suppression_window_minutes <= 10080 && floor(var.suppression_window_minutes) == var.suppression_window_minutes
    error_message = "The suppression_window_minutes variable must be a whole number between 1 and 10080 (one week), the range alert-router accepts."
  }
}

variable "log_level" {
  description = "Function log level (LOG_LEVEL): debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "The log_level variable must be one of debug, info, warn, error."
  }
}

variable "lambda_log_retention_days" {
  description = "Retention of each function's CloudWatch Logs group, in days (0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.lambda_log_retention_days)
    error_message = "The lambda_log_retention_days variable must be a value CloudWatch Logs accepts: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "function_settings" {
  description = "Per-function overrides of memory (MB) and timeout (seconds), keyed by log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  type = map(object({
    memory_size = optional(number)
    timeout     = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.function_settings) : contains(["log-processor", "event-analyzer", "alert-router", "compliance-reporter", "anomaly-detector"], k)])
    error_message = "The function_settings variable has an unknown key; allowed keys: log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  }

  validation {
    condition = alltrue([for s in values(var.function_settings) : (
      (s.memory_size == null ? true : s.memory_size >= 128 && s.memory_size <= 10240) &&
      (s.timeout == null ? true : s.timeout >= 1 && s.timeout <= 900)
    )])
    error_message = "The function_settings variable needs memory_size between 128 and 10240 and timeout between 1 and 900."
  }
}

variable "lambda_package" {
  description = "Where the function zips come from. source = \"local\": <local_dir>/<function>.zip as written by `make build` (local_dir defaults to the repository's dist/). source = \"s3\": s3://<s3_bucket>/<s3_prefix><function>.zip, the release zips, so consumers need no Go toolchain."
  type = object({
    source    = optional(string, "local")
    local_dir = optional(string)
    s3_bucket = optional(string)
    s3_prefix = optional(string, "")
  })
  default = {}

  validation {
    condition     = contains(["local", "s3"], var.lambda_package.source)
    error_message = "The lambda_package.source variable must be \"local\" or \"s3\"."
  }

  validation {
    condition     = var.lambda_package.source != "s3" || (var.lambda_package.s3_bucket != null && var.lambda_package.s3_bucket != "")
    error_message = "The lambda_package variable needs s3_bucket when source = \"s3\"."
  }

  validation {
    condition     = var.lambda_package.s3_prefix == "" || endswith(var.lambda_package.s3_prefix, "/")
    error_message = "The lambda_package.s3_prefix variable must be empty or end with \"/\" (for example releases/v1.2.0/)."
  }
}

variable "log_processor_max_concurrency" {
  description = "Maximum concurrent log-processor invocations for the SQS event source (2-1000)."
  type        = number
  default     = 10

  validation {
    condition     = var.log_processor_max_concurrency >= 2 && var.log_processor_max_concurrency <= 1000
    error_message = "The log_processor_max_concurrency variable must be between 2 and 1000 (the SQS event source's limits)."
  }
}

variable "ingest_batch_size" {
  description = "S3 notification messages per log-processor invocation (1-10)."
  type        = number
  default     = 5

  validation {
    condition     = var.ingest_batch_size >= 1 && var.ingest_batch_size <= 10
    error_message = "The ingest_batch_size variable must be between 1 and 10."
  }
}

variable "ingest_max_receive_count" {
  description = "Receives of one S3 notification before it moves to the ingest DLQ."
  type        = number
  default     = 5

  validation {
    condition     = var.ingest_max_receive_count >= 1 && var.ingest_max_receive_count <= 1000
    error_message = "The ingest_max_receive_count variable must be between 1 and 1000."
  }
}

variable "stream_maximum_retry_attempts" {
  description = "Retries of a failing findings-stream batch before it goes to the stream DLQ."
  type        = number
  default     = 3

  validation {
    condition     = var.stream_maximum_retry_attempts >= 0 && var.stream_maximum_retry_attempts <= 10000
    error_message = "The stream_maximum_retry_attempts variable must be between 0 and 10000."
  }
}

variable "realtime_filter_pattern" {
  description = "CloudWatch Logs subscription filter pattern for the real-time path to event-analyzer. Empty: every event."
  type        = string
  default     = ""

  validation {
    condition     = length(var.realtime_filter_pattern) <= 1024
    error_message = "The realtime_filter_pattern variable must be at most 1024 characters."
  }
}

variable "compliance_schedule_expression" {
  description = "EventBridge schedule of compliance-reporter: cron(...) with six fields or rate(...)."
  type        = string
  default     = "cron(0 6 * * ? *)"

  validation {
    condition     = can(regex("^(cron\\(\\S+( \\S+){5}\\)|rate\\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\\))$", var.compliance_schedule_expression))
    error_message = "The compliance_schedule_expression variable must be cron(<6 fields>) or rate(<n> minute(s)|hour(s)|day(s)), for example cron(0 6 * * ? *)."
  }
}

variable "anomaly_schedule_expression" {
  description = "EventBridge schedule of anomaly-detector: cron(...) with six fields or rate(...)."
  type        = string
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(cron\\(\\S+( \\S+){5}\\)|rate\\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\\))$", var.anomaly_schedule_expression))
    error_message = "The anomaly_schedule_expression variable must be cron(<6 fields>) or rate(<n> minute(s)|hour(s)|day(s)), for example rate(1 hour)."
  }
}

variable "athena_query_timeout_seconds" {
  description = "Per-query deadline of the Athena-running functions (ATHENA_QUERY_TIMEOUT_SECONDS), capped by their Lambda timeout."
  type        = number
  default     = 300

  validation {
    condition     = var.athena_query_timeout_seconds >= 10 && var.athena_query_timeout_seconds <= 900
    error_message = "The athena_query_timeout_seconds variable must be between 10 and 900."
  }
}

variable "trail_max_delivery_age_minutes" {
  description = "compliance-reporter fails trail health when the last log delivery is older than this (TRAIL_MAX_DELIVERY_AGE_MINUTES)."
  type        = number
  default     = 120

  validation {
    condition     = var.trail_max_delivery_age_minutes >= 5 && var.trail_max_delivery_age_minutes <= 10080 && floor(var.trail_max_delivery_age_minutes) == var.trail_max_delivery_age_minutes
    error_message = "The trail_max_delivery_age_minutes variable must be a whole number between 5 and 10080, the range compliance-reporter accepts."
  }
}

variable "allowed_regions" {
  description = "Regions in use by policy (ALLOWED_REGIONS); activity elsewhere fails the regions_in_use check. Empty: no check."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.allowed_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", r))])
    error_message = "Every entry of the allowed_regions variable must be a region name such as eu-west-1."
  }
}

variable "anomaly_thresholds" {
  description = "anomaly-detector thresholds: baseline days, z-score, minimum calls, AccessDenied burst size, bulk-read size."
  type = object({
    baseline_days     = optional(number, 7)
    zscore            = optional(number, 3.0)
    min_calls         = optional(number, 100)
    access_denied_min = optional(number, 20)
    bulk_read_min     = optional(number, 100)
  })
  default = {}

  validation {
    condition = (
      var.anomaly_thresholds.baseline_days >= 1 && var.anomaly_thresholds.baseline_days <= 90 && var.anomaly_thresholds.zscore > 0 &&
      var.anomaly_thresholds.min_calls >= 1 && var.anomaly_thresholds.access_denied_min >= 1 &&
      var.anomaly_thresholds.bulk_read_min >= 1
    )
    error_message = "The anomaly_thresholds variable needs baseline_days between 1 and 90, min_calls, access_denied_min and bulk_read_min >= 1, and zscore > 0 (the ranges anomaly-detector accepts)."
  }
}

###############################################################################
# Alerting and monitoring
###############################################################################

variable "alert_subscriptions" {
  description = "Subscriptions to the alert topics: tier (critical, high, medium), protocol (email, email-json, sms, sqs, lambda, https, http, firehose, application) and endpoint."
  type = list(object({
    tier     = string
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alert_subscriptions : contains(["critical", "high", "medium"], s.tier)])
    error_message = "The alert_subscriptions variable has an unknown tier; allowed tiers: critical, high, medium."
  }

  validation {
    condition     = alltrue([for s in var.alert_subscriptions : contains(["email", "email-json", "sms", "sqs", "lambda", "https", "http", "firehose", "application"], s.protocol)])
    error_message = "The alert_subscriptions variable has an unknown protocol; allowed: email, email-json, sms, sqs, lambda, https, http, firehose, application."
  }

  validation {
    condition     = length(distinct([for s in var.alert_subscriptions : "${s.tier}|${s.protocol}|${s.endpoint}"])) == length(var.alert_subscriptions)
    error_message = "The alert_subscriptions variable lists the same tier, protocol and endpoint twice."
  }
}

variable "operational_alarm_tier" {
  description = "Alert tier that receives the platform's own health alarms (function errors and throttles, DLQ depth, queue age, DynamoDB throttles)."
  type        = string
  default     = "high"

  validation {
    condition     = contains(["critical", "high", "medium"], var.operational_alarm_tier)
    error_message = "The operational_alarm_tier variable must be critical, high or medium."
  }
}

variable "cis_alarm_tiers" {
  description = "Overrides of the alert tier per CIS control, for example { \"4.1\" = \"high\" }. Controls not listed keep their default tier."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.cis_alarm_tiers : contains(["critical", "high", "medium"], v)])
    error_message = "The cis_alarm_tiers variable has an unknown tier; allowed tiers: critical, high, medium."
  }

  validation {
    condition     = alltrue([for k in keys(var.cis_alarm_tiers) : can(regex("^4\\.([1-9]|1[0-5])$", k))])
    error_message = "The cis_alarm_tiers variable has an unknown control; keys must be 4.1 to 4.15."
  }
}

variable "ingest_queue_max_age_seconds" {
  description = "Alarm when the oldest ingest-queue message is older than this many seconds."
  type        = number
  default     = 900

  validation {
    condition     = var.ingest_queue_max_age_seconds >= 60
    error_message = "The ingest_queue_max_age_seconds variable must be at least 60."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the platform CMK is deleted after terraform destroy (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "The kms_deletion_window_days variable must be between 7 and 30."
  }
}
