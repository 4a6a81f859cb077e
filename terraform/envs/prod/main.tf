# Bucket, key and region of the state come from `make plan|deploy ENV=prod` (partial configuration).
terraform {
  backend "s3" {
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

module "chat" {
  source = "../../modules/chat"

  name                = "serverless-chat-prod"
  stage_name          = "prod"
  environment         = "prod"
  lambda_package_path = var.lambda_package_path
  alarm_email         = var.alarm_email
  deletion_protection = true
  site_force_destroy  = false
}
