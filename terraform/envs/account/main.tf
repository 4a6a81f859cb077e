# The account-level API Gateway setting that names the IAM role API Gateway writes CloudWatch Logs
# with (stage access and execution logs), for ONE account and region. `make account ENV=dev|prod`
# (and `make bootstrap`) apply it, with the state in that environment's state bucket under
# serverless-chat/account-<region>.tfstate. envs/dev and envs/prod never touch the setting.
#
# The setting has no owner of its own in AWS, so this root first asks who holds it:
# `make account` reads `aws apigateway get-account` → cloudwatchRoleArn and passes it as
# var.registered_role_arn (the provider has no data source for it). Then:
#   - nothing registered          → create our role and register it;
#   - our role registered         → keep managing it;
#   - a role this project created
#     in envs/dev or envs/prod    → import it (the import blocks below) and manage it from here;
#   - any other role              → adopt it: leave it, and the setting, as they are; manage nothing.
# See terraform/README.md ("The API Gateway CloudWatch role").

# Bucket, key and region of the state come from `make account` (partial configuration).
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

data "aws_partition" "current" {}

locals {
  our_role_name = coalesce(var.role_name, "serverless-chat-apigateway-cloudwatch-${var.region}")
  # The role's name is the last part of its ARN (a role may have a path).
  registered_name = var.registered_role_arn == "" ? "" : reverse(split("/", var.registered_role_arn))[0]
  handed_over     = contains(var.handed_over_role_names, local.registered_name)
  manage          = var.registered_role_arn == "" || local.registered_name == local.our_role_name || local.handed_over
  role_name       = local.handed_over ? local.registered_name : local.our_role_name
  policy_arn      = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

# Our role exists, yet the setting names another one: another stack replaced the setting after this
# root registered ours. Planning on would delete our role and, on destroy, reset the other stack's
# setting (reset_on_delete below), so stop and let a person decide.
data "aws_iam_roles" "ours" {
  name_regex = "^${local.our_role_name}$"

  lifecycle {
    postcondition {
      condition     = local.manage || length(self.names) == 0
      error_message = "The account's API Gateway setting names ${var.registered_role_arn}, but this root's role ${local.our_role_name} exists too: another stack has replaced the setting since this root registered its role. Either register ${local.our_role_name} again (aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<its ARN>) and apply, or, to leave the setting to the other stack, `terraform state rm` this root's resources and delete ${local.our_role_name} by hand. See terraform/README.md."
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = local.manage ? 1 : 0

  name        = local.role_name
  description = "Lets API Gateway write execution and access logs in this account and region"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ApiGatewayAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "apigateway.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = local.manage ? 1 : 0

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = local.policy_arn
}

resource "aws_api_gateway_account" "this" {
  count = local.manage ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn

  # Destroying this root deletes the role, so the setting is reset rather than left naming a role
  # that no longer exists (which silently stops every API's logs in the region). This is also what
  # provider 6.x always does. It never touches another stack's role: an adopted setting is not
  # managed here at all, and the postcondition above stops a plan whose setting was taken over.
  reset_on_delete = true

  depends_on = [aws_iam_role_policy_attachment.cloudwatch]
}

# The role (and its policy attachment) of an earlier envs/dev or envs/prod, which forgot them
# (their removed blocks), move into this root's state without being recreated. The setting itself
# needs no import: creating aws_api_gateway_account registers the same ARN again.
import {
  for_each = local.handed_over ? toset([local.role_name]) : toset([])
  to       = aws_iam_role.cloudwatch[0]
  id       = each.value
}

import {
  for_each = local.handed_over ? toset([local.role_name]) : toset([])
  to       = aws_iam_role_policy_attachment.cloudwatch[0]
  id       = "${each.value}/${local.policy_arn}"
}
