# The platform's own health. Per-function Errors/Throttles alarms live in the
# lambda-function module; here: dead-letter depth, ingest backlog, DynamoDB
# throttling and a dashboard.

locals {
  operational_alarm_actions = [aws_sns_topic.alerts[var.operational_alarm_tier].arn]

  dead_letter_queues = {
    ingest-dlq = { name = aws_sqs_queue.ingest_dlq.name, what = "S3 notifications that log-processor could not handle" }
    stream-dlq = { name = aws_sqs_queue.stream_dlq.name, what = "finding-stream batches that alert-router could not deliver" }
  }

  dynamodb_tables = {
    findings    = aws_dynamodb_table.findings.name
    alert-state = aws_dynamodb_table.alert_state.name
  }

  dynamodb_throttle_metrics = {
    read  = "ReadThrottleEvents"
    write = "WriteThrottleEvents"
  }

  dynamodb_throttle_alarms = {
    for pair in setproduct(keys(local.dynamodb_tables), keys(local.dynamodb_throttle_metrics)) :
    "${pair[0]}-${pair[1]}" => { table = local.dynamodb_tables[pair[0]], metric = local.dynamodb_throttle_metrics[pair[1]] }
  }
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.dead_letter_queues

  alarm_name          = "${var.name_prefix}-${each.key}-depth-${local.env_suffix}"
  alarm_description   = "Messages are waiting in ${each.value.name}: ${each.value.what}. Inspect, fix, then redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operational_alarm_actions
  ok_actions          = local.operational_alarm_actions
  tags                = local.common_tags
}

resource "aws_cloudwatch_metric_alarm" "ingest_age" {
  alarm_name          = "${var.name_prefix}-ingest-backlog-age-${local.env_suffix}"
  alarm_description   = "The oldest S3 notification in ${aws_sqs_queue.ingest.name} has waited more than ${var.ingest_queue_max_age_seconds} s: log-processor is failing or cannot keep up."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.ingest.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.ingest_queue_max_age_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operational_alarm_actions
  ok_actions          = local.operational_alarm_actions
  tags                = local.common_tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = local.dynamodb_throttle_alarms

  alarm_name          = "${var.name_prefix}-${each.key}-throttles-${local.env_suffix}"
  alarm_description   = "DynamoDB table ${each.value.table} throttled requests (${each.value.metric})."
  namespace           = "AWS/DynamoDB"
  metric_name         = each.value.metric
  dimensions          = { TableName = each.value.table }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.operational_alarm_actions
  ok_actions          = local.operational_alarm_actions
  tags                = local.common_tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.names.dashboard

  dashboard_body = jsonencode({
    widgets = concat([
      {
        type   = "metric"
        x      = 0
        y      = 0
        width  = 12
        height = 6
        properties = {
          title   = "Function invocations"
          region  = local.region
          stat    = "Sum"
          period  = 300
          view    = "timeSeries"
          metrics = [for k in local.function_keys : ["AWS/Lambda", "Invocations", "FunctionName", module.function[k].function_name, { label = k }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 0
        width  = 12
        height = 6
        properties = {
          title  = "Function errors and throttles"
          region = local.region
          stat   = "Sum"
          period = 300
          view   = "timeSeries"
          metrics = concat(
            [for k in local.function_keys : ["AWS/Lambda", "Errors", "FunctionName", module.function[k].function_name, { label = "${k} errors" }]],
            [for k in local.function_keys : ["AWS/Lambda", "Throttles", "FunctionName", module.function[k].function_name, { label = "${k} throttles" }]],
          )
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 6
        width  = 12
        height = 6
        properties = {
          title   = "Function duration (p95)"
          region  = local.region
          stat    = "p95"
          period  = 300
          view    = "timeSeries"
          metrics = [for k in local.function_keys : ["AWS/Lambda", "Duration", "FunctionName", module.function[k].function_name, { label = k }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 6
        width  = 12
        height = 6
        properties = {
          title  = "Ingest queue and dead letters"
          region = local.region
          stat   = "Maximum"
          period = 300
          view   = "timeSeries"
          metrics = [
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", aws_sqs_queue.ingest.name, { label = "ingest: oldest message (s)" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.ingest.name, { label = "ingest: visible" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.ingest_dlq.name, { label = "ingest DLQ: visible" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.stream_dlq.name, { label = "stream DLQ: visible" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 12
        width  = 12
        height = 6
        properties = {
          title  = "Findings table"
          region = local.region
          stat   = "Sum"
          period = 300
          view   = "timeSeries"
          metrics = [
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", aws_dynamodb_table.findings.name, { label = "write units" }],
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", aws_dynamodb_table.findings.name, { label = "read units" }],
            ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", aws_dynamodb_table.findings.name, { label = "write throttles" }],
            ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", aws_dynamodb_table.findings.name, { label = "read throttles" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 12
        width  = 12
        height = 6
        properties = {
          title  = "Athena data scanned (bytes)"
          region = local.region
          stat   = "Sum"
          period = 3600
          view   = "timeSeries"
          metrics = [
            ["AWS/Athena", "ProcessedBytes", "QueryState", "SUCCEEDED", "QueryType", "DML", "WorkGroup", aws_athena_workgroup.this.name, { label = "processed bytes (succeeded DML)" }],
          ]
        }
      },
      ],
      # An alarm widget must list at least one alarm: only with the CIS alarms.
      var.enable_cloudwatch_logs ? [{
        type   = "alarm"
        x      = 0
        y      = 18
        width  = 24
        height = 4
        properties = {
          title  = "CIS monitoring alarms"
          alarms = [for k in sort(keys(aws_cloudwatch_metric_alarm.cis)) : aws_cloudwatch_metric_alarm.cis[k].arn]
        }
      }] : [],
    )
  })
}
