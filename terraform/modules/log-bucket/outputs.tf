output "bucket_id" {
  description = "Name (ID) of the bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "policy_id" {
  description = "ID of the bucket policy resource; depend on it (for example from a CloudTrail trail) when the policy must exist first."
  value       = aws_s3_bucket_policy.this.id
}

output "policy_json" {
  description = "The bucket policy as applied."
  value       = aws_s3_bucket_policy.this.policy
}

output "bucket_id_with_policy" {
  description = "Name of the bucket, read through the bucket policy resource: referencing it orders the caller after the policy exists (for example server access logging into this bucket)."
  value       = aws_s3_bucket_policy.this.bucket
}
