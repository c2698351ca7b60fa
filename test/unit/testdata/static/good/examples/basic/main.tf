variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

module "platform" {
  source      = "../.."
  environment = "test"
}

output "trail_arn" {
  description = "ARN of the trail."
  value       = module.platform.trail_arn
}
