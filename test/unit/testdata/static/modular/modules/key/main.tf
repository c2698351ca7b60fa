variable "alias" {
  description = "Alias name."
  type        = string
}

variable "policy_json" {
  description = "Key policy."
  type        = string
}

variable "rotate" {
  description = "Rotate key material yearly."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags."
  type        = map(string)
  default     = {}
}

resource "aws_kms_key" "this" {
  description         = "fixture key"
  enable_key_rotation = var.rotate
  policy              = var.policy_json
  tags                = var.tags
}

resource "aws_kms_alias" "this" {
  name          = var.alias
  target_key_id = aws_kms_key.this.key_id
}

output "arn" {
  description = "Key ARN."
  value       = aws_kms_key.this.arn
}
