output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.lambda.name
}

output "role_arn" {
  description = "ARN of the execution role (grant it access in resource policies)."
  value       = aws_iam_role.lambda.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.lambda.arn
}

output "alarm_arns" {
  description = "ARNs of the errors and throttles alarms."
  value = {
    errors    = aws_cloudwatch_metric_alarm.errors.arn
    throttles = aws_cloudwatch_metric_alarm.throttles.arn
  }
}
