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

# The account's API Gateway CloudWatch role and setting belong to terraform/envs/account (one per
# account and region). Earlier versions created them here (dev, or prod in an account of its own):
# forget them without destroying them, and envs/account imports them. `terraform destroy` ignores
# removed blocks, so `make destroy` also drops these addresses from the state first.
removed {
  from = module.chat.module.websocket_api.aws_api_gateway_account.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = module.chat.module.websocket_api.aws_iam_role_policy_attachment.cloudwatch

  lifecycle {
    destroy = false
  }
}

removed {
  from = module.chat.module.websocket_api.aws_iam_role.cloudwatch

  lifecycle {
    destroy = false
  }
}
