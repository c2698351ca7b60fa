variable "description" {
  description = "Description of the key, shown in the KMS console."
  type        = string
}

variable "alias_name" {
  description = "Alias of the key, including the alias/ prefix."
  type        = string

  validation {
    condition     = startswith(var.alias_name, "alias/") && !startswith(var.alias_name, "alias/aws/")
    error_message = "The alias_name variable must start with alias/ and must not use the reserved alias/aws/ prefix."
  }
}

variable "policy_json" {
  description = "Key policy as JSON (build it with an aws_iam_policy_document data source). It must keep an administration statement for the account, or the key becomes unmanageable."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted after it is destroyed (7-30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "The deletion_window_in_days variable must be between 7 and 30."
  }
}

variable "rotation_period_in_days" {
  description = "Automatic rotation period of the key material (90-2560 days). Rotation is always on."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "The rotation_period_in_days variable must be between 90 and 2560."
  }
}

variable "tags" {
  description = "Tags applied to the key."
  type        = map(string)
  default     = {}
}
