variable "name_prefix" {
  description = "Prefix of every name."
  type        = string
  default     = "fx"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name_prefix))
    error_message = "The name_prefix variable must be 1-20 lowercase letters, digits or hyphens."
  }
}

variable "environment" {
  description = "Environment name."
  type        = string

  validation {
    condition     = length(var.name_prefix) + length(var.environment) <= 36
    error_message = "The environment and name_prefix variables are too long together for S3 bucket names."
  }
}

variable "tags" {
  description = "Extra tags."
  type        = map(string)
  default     = {}
}

variable "account_id" {
  description = "Account ID; null reads it from the caller identity."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "The account_id variable must be a 12-digit account ID, for example in arn:aws:iam::<id>:root."
  }
}

variable "organization_id" {
  description = "Organization ID; null reads it from the organization."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null || var.is_organization_trail
    error_message = "The organization_id variable is only for an organization trail."
  }
}

variable "is_organization_trail" {
  description = "Organization trail."
  type        = bool
  default     = true
}

variable "is_multi_region_trail" {
  description = "Multi-region trail."
  type        = bool
  default     = true
}

variable "retention_days" {
  description = "Log retention."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_days)
    error_message = "The retention_days variable must be a value CloudWatch Logs accepts."
  }
}
