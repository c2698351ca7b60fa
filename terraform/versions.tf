terraform {
  # 1.9 is the first release whose variable validations may refer to other
  # variables; the name-length and organization checks rely on that.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}
