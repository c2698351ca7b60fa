variable "bucket_name" {
  description = "Name of the bucket (3-63 characters, globally unique)."
  type        = string

  validation {
    condition     = length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.bucket_name))
    error_message = "The bucket_name variable must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN for default SSE-KMS encryption (with an S3 bucket key). Null: SSE-S3 (AES256), which a bucket that receives S3 server access logs must use."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete the bucket while it still holds objects."
  type        = bool
  default     = false
}

variable "access_log_target" {
  description = "Where S3 server access logs of this bucket go: an existing bucket name and a key prefix. Null: no access logging (use only for the access-log bucket itself)."
  type = object({
    bucket = string
    prefix = string
  })
  default = null
}

variable "lifecycle_rules" {
  description = "Lifecycle rules. prefix = \"\" applies a rule to the whole bucket (rendered as filter { prefix = \"\" })."
  type = list(object({
    id                              = string
    prefix                          = optional(string, "")
    transitions                     = optional(list(object({ days = number, storage_class = string })), [])
    expiration_days                 = optional(number)
    noncurrent_expiration_days      = optional(number)
    abort_incomplete_multipart_days = optional(number)
  }))
  default = []

  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules)
    error_message = "The lifecycle_rules variable has two rules with the same id."
  }

  validation {
    condition = alltrue(flatten([for r in var.lifecycle_rules : [for t in r.transitions : contains(
      ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class
    )]]))
    error_message = "The lifecycle_rules variable has an unknown transition storage_class; allowed: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }
}

variable "policy_documents" {
  description = "Extra bucket policy documents (JSON) merged with the module's own TLS-only statement, for example the CloudTrail or server-access-logging write statements."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to the bucket."
  type        = map(string)
  default     = {}
}
