locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = var.account_id != null ? var.account_id : one(data.aws_caller_identity.current[*].account_id)

  # The management account owns an organization trail even when a delegated
  # administrator creates it.
  trail_owner_account_id = var.management_account_id != null ? var.management_account_id : local.account_id

  organization_id = var.is_organization_trail ? (
    var.organization_id != null ? var.organization_id : one(data.aws_organizations_organization.current[*].id)
  ) : null

  # Accounts and regions that the Athena partition projection enumerates.
  projection_account_ids = length(var.member_account_ids) > 0 ? var.member_account_ids : (
    var.is_organization_trail ? distinct(concat([local.account_id], one(data.aws_organizations_organization.current[*].accounts[*].id))) : [local.account_id]
  )
  projection_regions = var.log_regions != null ? var.log_regions : sort(tolist(one(data.aws_regions.all[*].names)))

  #---------------------------------------------------------------------------
  # Names: <name_prefix>-<purpose>-<environment>-<suffix>; Glue names use "_".
  #---------------------------------------------------------------------------
  env_suffix  = "${var.environment}-${random_string.suffix.result}"
  glue_suffix = replace(local.env_suffix, "-", "_")
  glue_prefix = replace(var.name_prefix, "-", "_")

  names = {
    kms_alias              = "alias/${var.name_prefix}-platform-${local.env_suffix}"
    log_bucket             = "${var.name_prefix}-trail-logs-${local.env_suffix}"
    access_log_bucket      = "${var.name_prefix}-access-logs-${local.env_suffix}"
    athena_results_bucket  = "${var.name_prefix}-athena-results-${local.env_suffix}"
    trail                  = "${var.name_prefix}-trail-${local.env_suffix}"
    trail_log_group        = "/aws/cloudtrail/${var.name_prefix}-trail-${local.env_suffix}"
    trail_cwl_role         = "${var.name_prefix}-trail-cwl-${local.env_suffix}"
    glue_database          = "${local.glue_prefix}_cloudtrail_${local.glue_suffix}"
    glue_table             = "cloudtrail"
    glue_crawler           = "${var.name_prefix}-crawler-${local.env_suffix}"
    glue_crawler_role      = "${var.name_prefix}-crawler-${local.env_suffix}"
    glue_security_config   = "${var.name_prefix}-glue-${local.env_suffix}"
    glue_raw_table_prefix  = "raw_"
    athena_workgroup       = "${var.name_prefix}-analytics-${local.env_suffix}"
    findings_table         = "${var.name_prefix}-findings-${local.env_suffix}"
    alert_state_table      = "${var.name_prefix}-alert-state-${local.env_suffix}"
    ingest_queue           = "${var.name_prefix}-ingest-${local.env_suffix}"
    ingest_dlq             = "${var.name_prefix}-ingest-dlq-${local.env_suffix}"
    stream_dlq             = "${var.name_prefix}-stream-dlq-${local.env_suffix}"
    api_calls_rule         = "${var.name_prefix}-api-calls-${local.env_suffix}"
    realtime_subscription  = "${var.name_prefix}-realtime-${local.env_suffix}"
    dashboard              = "${var.name_prefix}-platform-${local.env_suffix}"
    cis_metric_namespace   = "${var.name_prefix}/${local.env_suffix}/CIS"
    function_name_template = "${var.name_prefix}-%s-${local.env_suffix}"
  }

  alert_tiers = ["critical", "high", "medium"]

  common_tags = merge(var.tags, {
    Project     = "ctap"
    Environment = var.environment
    NamePrefix  = var.name_prefix
    ManagedBy   = "terraform"
  })

  # ARNs that must be known before the resources exist (policies that the
  # resources themselves depend on).
  trail_arn            = "arn:${local.partition}:cloudtrail:${local.region}:${local.trail_owner_account_id}:trail/${local.names.trail}"
  athena_workgroup_arn = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${local.names.athena_workgroup}"
  glue_catalog_arn     = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database_arn    = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${local.names.glue_database}"
  glue_tables_arn      = "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${local.names.glue_database}/*"
  account_root_arn     = "arn:${local.partition}:iam::${local.account_id}:root"

  # Trail objects live under AWSLogs/<org-id>/<account>/CloudTrail/... for an
  # organization trail and AWSLogs/<account>/CloudTrail/... otherwise.
  log_object_root = local.organization_id != null ? "AWSLogs/${local.organization_id}" : "AWSLogs/${local.account_id}"

  reports_prefix = "reports/compliance"

  #---------------------------------------------------------------------------
  # Functions (keys are the hyphenated names used for dist/<key>.zip).
  #---------------------------------------------------------------------------
  function_keys = ["log-processor", "event-analyzer", "alert-router", "compliance-reporter", "anomaly-detector"]

  function_defaults = {
    "log-processor"       = { memory_size = 1024, timeout = 300 }
    "event-analyzer"      = { memory_size = 512, timeout = 60 }
    "alert-router"        = { memory_size = 256, timeout = 60 }
    "compliance-reporter" = { memory_size = 512, timeout = 900 }
    "anomaly-detector"    = { memory_size = 512, timeout = 900 }
  }

  function_config = {
    for k in local.function_keys : k => {
      name        = format(local.names.function_name_template, k)
      memory_size = try(coalesce(var.function_settings[k].memory_size), local.function_defaults[k].memory_size)
      timeout     = try(coalesce(var.function_settings[k].timeout), local.function_defaults[k].timeout)
    }
  }

  function_arns_by_name = {
    for k, c in local.function_config : k => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${c.name}"
  }

  lambda_local_dir = coalesce(var.lambda_package.local_dir, "${path.module}/../dist")

  function_packages = {
    for k in local.function_keys : k => (
      var.lambda_package.source == "s3" ? {
        filename  = null
        s3_bucket = var.lambda_package.s3_bucket
        s3_key    = "${var.lambda_package.s3_prefix}${k}.zip"
        } : {
        filename  = "${local.lambda_local_dir}/${k}.zip"
        s3_bucket = null
        s3_key    = null
      }
    )
  }
}
