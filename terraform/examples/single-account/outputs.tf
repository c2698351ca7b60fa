# Every output of the root module, passed through.

output "name_suffix" {
  description = "The <environment>-<random> suffix carried by every resource name."
  value       = module.ctap.name_suffix
}

output "kms_key_arn" {
  description = "ARN of the platform CMK."
  value       = module.ctap.kms_key_arn
}

output "kms_key_alias" {
  description = "Alias of the platform CMK (alias/...)."
  value       = module.ctap.kms_key_alias
}

output "trail_arn" {
  description = "ARN of the CloudTrail trail."
  value       = module.ctap.trail_arn
}

output "trail_name" {
  description = "Name of the CloudTrail trail."
  value       = module.ctap.trail_name
}

output "log_bucket_name" {
  description = "Name of the trail log archive bucket."
  value       = module.ctap.log_bucket_name
}

output "log_bucket_arn" {
  description = "ARN of the trail log archive bucket."
  value       = module.ctap.log_bucket_arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket that receives S3 server access logs of the other buckets."
  value       = module.ctap.access_log_bucket_name
}

output "athena_results_bucket_name" {
  description = "Name of the Athena results bucket (query results under results/)."
  value       = module.ctap.athena_results_bucket_name
}

output "reports_bucket_name" {
  description = "Name of the bucket holding compliance reports (the Athena results bucket)."
  value       = module.ctap.reports_bucket_name
}

output "reports_prefix" {
  description = "Key prefix of compliance reports: <prefix>/YYYY/MM/DD/report.{json,html}."
  value       = module.ctap.reports_prefix
}

output "findings_table_name" {
  description = "Name of the DynamoDB findings table."
  value       = module.ctap.findings_table_name
}

output "findings_table_arn" {
  description = "ARN of the DynamoDB findings table."
  value       = module.ctap.findings_table_arn
}

output "alert_state_table_name" {
  description = "Name of the DynamoDB table holding alert-router's suppression state."
  value       = module.ctap.alert_state_table_name
}

output "alert_topic_arns" {
  description = "ARNs of the alert topics by tier: { critical, high, medium }."
  value       = module.ctap.alert_topic_arns
}

output "ingest_queue_url" {
  description = "URL of the SQS queue that receives the log bucket's ObjectCreated notifications."
  value       = module.ctap.ingest_queue_url
}

output "ingest_queue_arn" {
  description = "ARN of the ingest queue."
  value       = module.ctap.ingest_queue_arn
}

output "ingest_dlq_url" {
  description = "URL of the ingest queue's dead-letter queue."
  value       = module.ctap.ingest_dlq_url
}

output "function_names" {
  description = "Lambda function names keyed by log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  value       = module.ctap.function_names
}

output "function_arns" {
  description = "Lambda function ARNs keyed by log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  value       = module.ctap.function_arns
}

output "glue_database_name" {
  description = "Name of the Glue database."
  value       = module.ctap.glue_database_name
}

output "glue_table_name" {
  description = "Name of the partition-projected CloudTrail table (cloudtrail)."
  value       = module.ctap.glue_table_name
}

output "glue_crawler_name" {
  description = "Name of the Glue crawler; null when enable_crawler is off."
  value       = module.ctap.glue_crawler_name
}

output "athena_workgroup_name" {
  description = "Name of the Athena workgroup."
  value       = module.ctap.athena_workgroup_name
}

output "athena_named_query_ids" {
  description = "Athena named query IDs by name: the six compliance queries (root_activity, console_logins_without_mfa, iam_policy_changes, trail_changes, unauthorized_callers, regions_in_use) and the investigate_* queries."
  value       = module.ctap.athena_named_query_ids
}

output "cloudtrail_log_group_name" {
  description = "Name of the trail's CloudWatch Logs group; null when enable_cloudwatch_logs is off."
  value       = module.ctap.cloudtrail_log_group_name
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.ctap.dashboard_name
}
