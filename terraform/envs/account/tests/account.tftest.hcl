# envs/account with a mock provider: which of create / keep / import / adopt each registered
# setting leads to. The MiniStack test (tests/terraform/test_account_root.py) applies it for real.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }

  mock_data "aws_iam_roles" {
    defaults = { names = [] }
  }

  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/serverless-chat-apigateway-cloudwatch-eu-west-1" }
  }
}

variables {
  region              = "eu-west-1"
  registered_role_arn = ""
}

run "fresh_account_creates_and_registers_our_role" {
  command = apply

  assert {
    condition     = aws_iam_role.cloudwatch[0].name == "serverless-chat-apigateway-cloudwatch-eu-west-1"
    error_message = "our role, under its own name"
  }

  assert {
    condition     = jsondecode(aws_iam_role.cloudwatch[0].assume_role_policy).Statement[0].Principal.Service == "apigateway.amazonaws.com"
    error_message = "only API Gateway assumes the role"
  }

  assert {
    condition     = aws_iam_role_policy_attachment.cloudwatch[0].policy_arn == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    error_message = "the AWS managed policy for pushing logs"
  }

  assert {
    condition     = aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.cloudwatch[0].arn
    error_message = "the setting names our role"
  }

  assert {
    condition     = aws_api_gateway_account.this[0].reset_on_delete == true
    error_message = "destroying the root resets the setting instead of leaving it naming a deleted role"
  }

  assert {
    condition     = output.managed && output.adopted_role_arn == null && output.cloudwatch_role_arn == aws_iam_role.cloudwatch[0].arn
    error_message = "outputs of a managed setting"
  }
}

run "our_role_registered_stays_managed" {
  command = plan

  variables {
    registered_role_arn = "arn:aws:iam::123456789012:role/serverless-chat-apigateway-cloudwatch-eu-west-1"
  }

  assert {
    condition     = length(aws_iam_role.cloudwatch) == 1 && length(aws_api_gateway_account.this) == 1 && output.managed
    error_message = "the next plan, after our own apply, keeps what it created"
  }
}

run "another_stacks_role_is_adopted_and_left_alone" {
  command = apply

  variables {
    registered_role_arn = "arn:aws:iam::123456789012:role/platform/other-stack-apigw-logs"
  }

  assert {
    condition     = length(aws_iam_role.cloudwatch) == 0 && length(aws_iam_role_policy_attachment.cloudwatch) == 0 && length(aws_api_gateway_account.this) == 0
    error_message = "nothing created or managed: the other stack's setting stays as it is"
  }

  assert {
    condition     = !output.managed && output.adopted_role_arn == "arn:aws:iam::123456789012:role/platform/other-stack-apigw-logs" && output.cloudwatch_role_arn == output.adopted_role_arn
    error_message = "outputs name the adopted role"
  }
}

run "a_setting_taken_over_after_ours_stops_the_plan" {
  command = plan

  variables {
    registered_role_arn = "arn:aws:iam::123456789012:role/other-stack-apigw-logs"
  }

  override_data {
    target = data.aws_iam_roles.ours
    values = { names = ["serverless-chat-apigateway-cloudwatch-eu-west-1"] }
  }

  expect_failures = [data.aws_iam_roles.ours]
}

run "a_role_of_an_earlier_dev_is_managed_under_its_name" {
  command = plan

  variables {
    registered_role_arn = "arn:aws:iam::123456789012:role/serverless-chat-dev-apigateway-cloudwatch"
  }

  # The import blocks read the role and its attachment from AWS; a mock provider cannot import.
  override_resource {
    target = aws_iam_role.cloudwatch[0]
    values = { name = "serverless-chat-dev-apigateway-cloudwatch", arn = "arn:aws:iam::123456789012:role/serverless-chat-dev-apigateway-cloudwatch" }
  }

  override_resource {
    target = aws_iam_role_policy_attachment.cloudwatch[0]
  }

  assert {
    condition     = aws_iam_role.cloudwatch[0].name == "serverless-chat-dev-apigateway-cloudwatch" && output.managed
    error_message = "the handed-over role keeps its name (a new name would replace it)"
  }
}

run "a_malformed_registered_arn_is_refused" {
  command = plan

  variables {
    registered_role_arn = "serverless-chat-apigateway-cloudwatch"
  }

  expect_failures = [var.registered_role_arn]
}
