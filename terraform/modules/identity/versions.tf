terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0" # user_pool_tier and the rest, as checked against 5.100.0
    }
  }
}
