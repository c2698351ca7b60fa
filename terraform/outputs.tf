output "name_suffix" {
  description = "The <environment>-<random> suffix carried by every resource name."
  value       = local.env_suffix
}

output "kms_key_arn" {
  description = "ARN of the platform CMK."
  value       = module.kms.key_arn
}

output "kms_key_alias" {
  description = "Alias of the platform CMK (alias/...)."
  value       = module.kms.alias_name
}

output "trail_arn" {
  description = "ARN of the CloudTrail trail."
  value       = aws_cloudtrail.this.arn
}

output "trail_name" {
  description = "Name of the CloudTrail trail."
  value       = aws_cloudtrail.this.name
}

output "log_bucket_name" {
  description = "Name of the trail log archive bucket."
  value       = module.log_bucket.bucket_id
}

output "log_bucket_arn" {
  description = "ARN of the trail log archive bucket."
  value       = module.log_bucket.bucket_arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket that receives S3 server access logs of the other buckets."
  value       = module.access_log_bucket.bucket_id
}

output "athena_results_bucket_name" {
  description = "Name of the Athena results bucket (query results under results/)."
  value       = module.athena_results_bucket.bucket_id
}

output "reports_bucket_name" {
  description = "Name of the bucket holding compliance reports (the Athena results bucket)."
  value       = module.athena_results_bucket.bucket_id
}

output "reports_prefix" {
  description = "Key prefix of compliance reports: <prefix>/YYYY/MM/DD/report.{json,html}."
  value       = local.reports_prefix
}

output "findings_table_name" {
  description = "Name of the DynamoDB findings table."
  value       = aws_dynamodb_table.findings.name
}

output "findings_table_arn" {
  description = "ARN of the DynamoDB findings table."
  value       = aws_dynamodb_table.findings.arn
}

output "alert_state_table_name" {
  description = "Name of the DynamoDB table holding alert-router's suppression state."
  value       = aws_dynamodb_table.alert_state.name
}

output "alert_topic_arns" {
  description = "ARNs of the alert topics by tier: { critical, high, medium }."
  value       = { for tier in local.alert_tiers : tier => aws_sns_topic.alerts[tier].arn }
}

output "ingest_queue_url" {
  description = "URL of the SQS queue that receives the log bucket's ObjectCreated notifications."
  value       = aws_sqs_queue.ingest.id
}

output "ingest_queue_arn" {
  description = "ARN of the ingest queue."
  value       = aws_sqs_queue.ingest.arn
}

output "ingest_dlq_url" {
  description = "URL of the ingest queue's dead-letter queue."
  value       = aws_sqs_queue.ingest_dlq.id
}

output "function_names" {
  description = "Lambda function names keyed by log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  value       = { for k in local.function_keys : k => module.function[k].function_name }
}

output "function_arns" {
  description = "Lambda function ARNs keyed by log-processor, event-analyzer, alert-router, compliance-reporter, anomaly-detector."
  value       = { for k in local.function_keys : k => module.function[k].function_arn }
}

output "glue_database_name" {
  description = "Name of the Glue database."
  value       = aws_glue_catalog_database.this.name
}

output "glue_table_name" {
  description = "Name of the partition-projected CloudTrail table (cloudtrail)."
  value       = aws_glue_catalog_table.cloudtrail.name
}

output "glue_crawler_name" {
  description = "Name of the Glue crawler; null when enable_crawler is off."
  value       = one(aws_glue_crawler.this[*].name)
}

output "athena_workgroup_name" {
  description = "Name of the Athena workgroup."
  value       = aws_athena_workgroup.this.name
}

output "athena_named_query_ids" {
  description = "Athena named query IDs by name: the six compliance queries (root_activity, console_logins_without_mfa, iam_policy_changes, trail_changes, unauthorized_callers, regions_in_use) and the investigate_* queries."
  value       = { for name, q in aws_athena_named_query.this : name => q.id }
}

output "cloudtrail_log_group_name" {
  description = "Name of the trail's CloudWatch Logs group; null when enable_cloudwatch_logs is off."
  value       = one(aws_cloudwatch_log_group.trail[*].name)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
