# Bucket, key and region of the state come from `make plan|deploy ENV=dev` (partial configuration).
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

  name                = "serverless-chat-dev"
  stage_name          = "dev"
  environment         = "dev"
  lambda_package_path = var.lambda_package_path
  alarm_email         = var.alarm_email
  deletion_protection = false
  site_force_destroy  = true
  # Test data: nothing worth restoring, and PITR is billed by table size. The access log keeps
  # source IPs 3 days, enough to look into a test run.
  point_in_time_recovery = { enabled = false }
  access_log             = { retention_in_days = 3 }
}
