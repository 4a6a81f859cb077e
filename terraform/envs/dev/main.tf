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

locals {
  name = "serverless-chat-dev"
}

# Who may sign in, only when someone is to (auth_mode).
module "identity" {
  source = "../../modules/identity"
  count  = var.auth_mode == "off" ? 0 : 1

  name                = local.name
  deletion_protection = false
  allow_sign_up       = var.identity.allow_sign_up
  ses_from_address    = var.identity.ses_from_address
  ses_source_arn      = var.identity.ses_source_arn
  oidc_issuer         = var.identity.oidc_issuer
  oidc_audience       = var.identity.oidc_audience
  oidc_jwks_url       = var.identity.oidc_jwks_url
}

module "chat" {
  source = "../../modules/chat"

  name                = local.name
  stage_name          = "dev"
  environment         = "dev"
  lambda_package_path = var.lambda_package_path
  auth_mode           = var.auth_mode
  identity = var.auth_mode == "off" ? null : merge(module.identity[0].token, {
    user_pool_id        = module.identity[0].user_pool_id
    user_pool_client_id = module.identity[0].user_pool_client_id
    sign_in_origin      = module.identity[0].sign_in_origin
  })
  alarm_email         = var.alarm_email
  deletion_protection = false
  site_force_destroy  = true
  # Test data: nothing worth restoring, and PITR is billed by table size. The access log keeps
  # source IPs 3 days, enough to look into a test run.
  point_in_time_recovery = { enabled = false }
  access_log             = { retention_in_days = 3 }
}
