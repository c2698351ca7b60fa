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
}
