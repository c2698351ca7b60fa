# Query access to every event: a Glue database with a partition-projected
# `cloudtrail` table (no crawler needed for it), an optional crawler for raw
# tables, and an Athena workgroup with saved investigation and compliance
# queries.

resource "aws_glue_catalog_database" "this" {
  name        = local.names.glue_database
  description = "CloudTrail events of ${local.names.trail} (ctap ${local.env_suffix})."
  tags        = local.common_tags
}

locals {
  # The table reads every account's logs through partition projection:
  #   org trail:    s3://<bucket>/AWSLogs/<org-id>/<account>/CloudTrail/<region>/<yyyy/MM/dd>/
  #   single trail: s3://<bucket>/AWSLogs/<account>/CloudTrail/<region>/<yyyy/MM/dd>/
  cloudtrail_table_location = "s3://${module.log_bucket.bucket_id}/${local.log_object_root}/"
  cloudtrail_location_template = (
    local.organization_id != null
    ? "s3://${module.log_bucket.bucket_id}/AWSLogs/${local.organization_id}/$${account}/CloudTrail/$${region}/$${date}"
    : "s3://${module.log_bucket.bucket_id}/AWSLogs/$${account}/CloudTrail/$${region}/$${date}"
  )

  # Column names are lowercase because Glue stores them so (anything else
  # shows a permanent diff). Nested JSON documents that differ per API
  # (requestParameters, responseElements, ...) stay strings: query them with
  # json_extract_scalar.
  cloudtrail_columns = [
    { name = "eventversion", type = "string" },
    { name = "useridentity", type = "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>,sourceidentity:string>>" },
    { name = "eventtime", type = "string" },
    { name = "eventsource", type = "string" },
    { name = "eventname", type = "string" },
    { name = "awsregion", type = "string" },
    { name = "sourceipaddress", type = "string" },
    { name = "useragent", type = "string" },
    { name = "errorcode", type = "string" },
    { name = "errormessage", type = "string" },
    { name = "requestparameters", type = "string" },
    { name = "responseelements", type = "string" },
    { name = "additionaleventdata", type = "string" },
    { name = "requestid", type = "string" },
    { name = "eventid", type = "string" },
    { name = "readonly", type = "string" },
    { name = "resources", type = "array<struct<arn:string,accountid:string,type:string>>" },
    { name = "eventtype", type = "string" },
    { name = "apiversion", type = "string" },
    { name = "recipientaccountid", type = "string" },
    { name = "serviceeventdetails", type = "string" },
    { name = "sharedeventid", type = "string" },
    { name = "vpcendpointid", type = "string" },
    { name = "vpcendpointaccountid", type = "string" },
    { name = "eventcategory", type = "string" },
    { name = "addendum", type = "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>" },
    { name = "sessioncredentialfromconsole", type = "string" },
    { name = "edgedevicedetails", type = "string" },
    { name = "tlsdetails", type = "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>" },
  ]
}

resource "aws_glue_catalog_table" "cloudtrail" {
  name          = local.names.glue_table
  database_name = aws_glue_catalog_database.this.name
  description   = "CloudTrail events, partition-projected by account, region and date (yyyy/MM/dd)."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL                        = "TRUE"
    "classification"                = "cloudtrail"
    "projection.enabled"            = "true"
    "projection.account.type"       = "enum"
    "projection.account.values"     = join(",", local.projection_account_ids)
    "projection.region.type"        = "enum"
    "projection.region.values"      = join(",", local.projection_regions)
    "projection.date.type"          = "date"
    "projection.date.format"        = "yyyy/MM/dd"
    "projection.date.range"         = "NOW-${var.partition_projection_days}DAYS,NOW"
    "projection.date.interval"      = "1"
    "projection.date.interval.unit" = "DAYS"
    "storage.location.template"     = local.cloudtrail_location_template
  }

  partition_keys {
    name = "account"
    type = "string"
  }

  partition_keys {
    name = "region"
    type = "string"
  }

  partition_keys {
    name = "date"
    type = "string"
  }

  storage_descriptor {
    location = local.cloudtrail_table_location
    # AWS's documented CloudTrail format for Athena: the input format splits
    # each file's Records array into rows, the JSON SerDe maps the fields.
    input_format  = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "cloudtrail"
      serialization_library = "org.apache.hive.hcatalog.data.JsonSerDe"
    }

    dynamic "columns" {
      for_each = local.cloudtrail_columns

      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}

#------------------------------------------------------------------------------
# Crawler (optional)
#------------------------------------------------------------------------------

resource "aws_glue_security_configuration" "this" {
  count = var.enable_crawler ? 1 : 0

  name = local.names.glue_security_config

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = module.kms.key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = module.kms.key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = module.kms.key_arn
    }
  }
}

data "aws_iam_policy_document" "crawler_assume" {
  statement {
    sid     = "AllowGlueAssumeRoleFromThisAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "crawler" {
  count = var.enable_crawler ? 1 : 0

  name               = local.names.glue_crawler_role
  description        = "Role of Glue crawler ${local.names.glue_crawler}."
  assume_role_policy = data.aws_iam_policy_document.crawler_assume.json
  tags               = local.common_tags
}

data "aws_iam_policy_document" "crawler" {
  source_policy_documents = [data.aws_iam_policy_document.read_trail_logs.json]

  statement {
    sid       = "DecryptTrailLogsViaS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid    = "ManageCrawlerTablesInOwnDatabase"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:BatchUpdatePartition",
    ]
    resources = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
  }

  statement {
    sid       = "UseKeyForGlueSecurityConfiguration"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [module.kms.key_arn]
  }

  statement {
    sid       = "ReadGlueSecurityConfiguration"
    effect    = "Allow"
    actions   = ["glue:GetSecurityConfiguration"]
    resources = ["*"] # no resource-level permissions for this action
  }

  # With a security configuration, the crawler's log group is KMS-encrypted:
  # the role associates the key with /aws-glue/crawlers-role/<role>-<config>.
  statement {
    sid       = "WriteCrawlerLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/crawlers*"]
  }
}

resource "aws_iam_role_policy" "crawler" {
  count = var.enable_crawler ? 1 : 0

  name   = "crawl-trail-logs"
  role   = aws_iam_role.crawler[0].id
  policy = data.aws_iam_policy_document.crawler.json
}

resource "aws_glue_crawler" "this" {
  count = var.enable_crawler ? 1 : 0

  name                   = local.names.glue_crawler
  description            = "Catalogues raw CloudTrail tables (prefix ${local.names.glue_raw_table_prefix}) next to the projected `cloudtrail` table."
  database_name          = aws_glue_catalog_database.this.name
  role                   = aws_iam_role.crawler[0].arn
  schedule               = var.crawler_schedule
  security_configuration = aws_glue_security_configuration.this[0].name
  table_prefix           = local.names.glue_raw_table_prefix

  s3_target {
    path = "s3://${module.log_bucket.bucket_id}/${local.log_object_root}/"
    # Digest and Insights files are not event files.
    exclusions = [
      "CloudTrail-Digest/**",
      "CloudTrail-Insight/**",
      "**/CloudTrail-Digest/**",
      "**/CloudTrail-Insight/**",
    ]
  }

  # Crawling only new folders keeps each run small; Glue then requires LOG for
  # both schema-change behaviours.
  recrawl_policy {
    recrawl_behavior = "CRAWL_NEW_FOLDERS_ONLY"
  }

  schema_change_policy {
    update_behavior = "LOG"
    delete_behavior = "LOG"
  }

  configuration = jsonencode({
    Version = 1.0
    Grouping = {
      TableGroupingPolicy = "CombineCompatibleSchemas"
    }
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
    }
  })

  tags = local.common_tags

  depends_on = [aws_iam_role_policy.crawler]
}

#------------------------------------------------------------------------------
# Athena
#------------------------------------------------------------------------------

resource "aws_athena_workgroup" "this" {
  name          = local.names.athena_workgroup
  description   = "CloudTrail investigations and ctap's scheduled queries."
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff_per_query

    result_configuration {
      output_location = "s3://${module.athena_results_bucket.bucket_id}/results/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = module.kms.key_arn
      }
    }
  }

  tags = local.common_tags
}

locals {
  query_template_vars = {
    database      = aws_glue_catalog_database.this.name
    table         = aws_glue_catalog_table.cloudtrail.name
    lookback_days = var.investigation_lookback_days
    baseline_days = 30
  }

  # Names of the compliance queries are a contract with compliance-reporter
  # (docs/contracts.md); it finds them by ID through COMPLIANCE_QUERY_IDS.
  compliance_query_names = [
    "root_activity",
    "console_logins_without_mfa",
    "iam_policy_changes",
    "trail_changes",
    "unauthorized_callers",
    "regions_in_use",
  ]

  investigation_queries = {
    investigate_root_activity                   = { file = "root_activity", description = "Everything the root user did" }
    investigate_console_logins_without_mfa      = { file = "console_logins_without_mfa", description = "Console sign-ins without MFA" }
    investigate_unauthorized_calls_by_principal = { file = "unauthorized_calls_by_principal", description = "Denied calls per principal" }
    investigate_iam_changes                     = { file = "iam_changes", description = "Every IAM write" }
    investigate_trail_changes                   = { file = "trail_changes", description = "Trail configuration and logging changes" }
    investigate_security_group_changes          = { file = "security_group_changes", description = "Security group changes" }
    investigate_kms_key_deletions               = { file = "kms_key_deletions", description = "KMS keys disabled or scheduled for deletion" }
    investigate_top_callers                     = { file = "top_callers", description = "Busiest principals" }
    investigate_activity_by_source_ip           = { file = "activity_by_source_ip", description = "Activity per source IP address" }
    investigate_new_regions                     = { file = "new_regions", description = "Accounts active in regions they did not use before" }
  }

  named_queries = merge(
    { for name in local.compliance_query_names : name => {
      description = "Compliance check ${name} (run daily by compliance-reporter)."
      sql         = templatefile("${path.module}/queries/compliance/${name}.sql", local.query_template_vars)
    } },
    { for name, q in local.investigation_queries : name => {
      description = "Investigation: ${q.description} in the last ${var.investigation_lookback_days} days."
      sql         = templatefile("${path.module}/queries/investigation/${q.file}.sql", local.query_template_vars)
    } },
  )
}

resource "aws_athena_named_query" "this" {
  for_each = local.named_queries

  name        = each.key
  description = each.value.description
  workgroup   = aws_athena_workgroup.this.id
  database    = aws_glue_catalog_database.this.name
  query       = each.value.sql
}
