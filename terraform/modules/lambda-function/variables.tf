variable "function_name" {
  description = "Name of the function; also the name of its IAM role and the suffix of its log group /aws/lambda/<function_name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "The function_name variable must be 1-64 letters, digits, hyphens or underscores (it is also the IAM role name)."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "package" {
  description = "Deployment package: either filename (a local zip, tracked with filebase64sha256) or s3_bucket + s3_key (optionally s3_object_version)."
  type = object({
    filename          = optional(string)
    s3_bucket         = optional(string)
    s3_key            = optional(string)
    s3_object_version = optional(string)
  })

  validation {
    condition     = (var.package.filename != null) != (var.package.s3_bucket != null && var.package.s3_key != null)
    error_message = "The package variable needs exactly one of filename, or s3_bucket together with s3_key."
  }
}

variable "handler" {
  description = "Handler; `bootstrap` for custom runtimes such as Go on provided.al2023."
  type        = string
  default     = "bootstrap"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "provided.al2023"
}

variable "architecture" {
  description = "Instruction set architecture: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "The architecture variable must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240)."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "The memory_size variable must be between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "The timeout variable must be between 1 and 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; -1 for none."
  type        = number
  default     = -1
}

variable "environment_variables" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "log_level" {
  description = "Application log level that Lambda's JSON log filter keeps: debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "The log_level variable must be one of debug, info, warn, error."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group in days (0 = never expire)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days variable must be a value CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN that encrypts the log group and, when a dead-letter target is set, the target (the role may use it through SNS/SQS only)."
  type        = string
}

variable "policy_json" {
  description = "The function's own least-privilege permissions as a policy document (JSON). Logging, X-Ray and dead-letter permissions are added by the module."
  type        = string
}

variable "dead_letter" {
  description = "Dead-letter target for failed asynchronous invocations: type (sns or sqs) and target_arn. Null: none (for functions invoked synchronously by an event source mapping)."
  type = object({
    type       = string
    target_arn = string
  })
  default = null

  validation {
    condition     = var.dead_letter == null ? true : contains(["sns", "sqs"], var.dead_letter.type)
    error_message = "The dead_letter.type variable must be sns or sqs."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when the function's Errors or Throttles alarm fires (and when it recovers)."
  type        = list(string)
  default     = []
}

variable "errors_alarm_name" {
  description = "Name of the Errors alarm (the caller's naming scheme decides it, like function_name)."
  type        = string
}

variable "throttles_alarm_name" {
  description = "Name of the Throttles alarm (the caller's naming scheme decides it, like function_name)."
  type        = string

  validation {
    condition     = var.throttles_alarm_name != var.errors_alarm_name
    error_message = "The throttles_alarm_name variable must differ from errors_alarm_name."
  }
}

variable "error_alarm_threshold" {
  description = "Errors (sum over 5 minutes) at or above which the errors alarm fires."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags applied to every taggable resource of the module."
  type        = map(string)
  default     = {}
}
