mock_provider "aws" {
  # The region of the stack, which global names (IAM, CloudFront) end in.
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/chat-test"
    }
  }

  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:eu-west-1:123456789012:function:chat-test"
      invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:chat-test/invocations"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/chat-test-fn"
    }
  }
}

variables {
  name_prefix = "chat-test"
  # Any file will do: the mock provider hashes it but never uploads it.
  package_path = "versions.tf"
  functions = {
    reader = {
      handler = "pkg.handlers.reader.lambda_handler"
      policy_statements = [{
        sid       = "Table"
        actions   = ["dynamodb:GetItem"]
        resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"]
      }]
    }
    pinger = {
      handler = "pkg.handlers.pinger.lambda_handler"
    }
  }
  environment = { TABLE = "t" }
}

run "one_function_role_and_log_group_each" {
  command = apply

  assert {
    condition     = sort(keys(aws_lambda_function.this)) == sort(["pinger", "reader"]) && aws_lambda_function.this["reader"].function_name == "chat-test-reader"
    error_message = "one function per key, named <prefix>-<key>"
  }

  assert {
    condition = alltrue([for f in aws_lambda_function.this : (
      f.runtime == "python3.12" && f.architectures == tolist(["x86_64"]) && f.reserved_concurrent_executions == -1
      && f.source_code_hash == filebase64sha256("versions.tf") && f.environment[0].variables == tomap({ TABLE = "t" })
    )])
    error_message = "python3.12 on x86_64, no reserved concurrency, the package hash and the environment"
  }

  assert {
    condition     = aws_lambda_function.this["reader"].memory_size >= 1024 && aws_lambda_function.this["reader"].timeout <= 29
    error_message = "memory high enough for the fan-out; timeout within the API Gateway limit"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this["reader"].name == "/aws/lambda/chat-test-reader" && aws_cloudwatch_log_group.this["reader"].retention_in_days == 30
    error_message = "each function has its log group, with retention"
  }

  assert {
    condition     = aws_lambda_function.this["reader"].role == aws_iam_role.this["reader"].arn && aws_lambda_function.this["pinger"].role == aws_iam_role.this["pinger"].arn
    error_message = "each function has a role of its own"
  }

  assert {
    condition = alltrue(flatten([for k, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]]))
    error_message = "no IAM action contains a wildcard"
  }

  assert {
    condition = alltrue(flatten([for k, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : [for r in s.Resource : r != "*"]
    ]]))
    error_message = "without tracing no statement has a '*' resource"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this["pinger"].policy).Statement : s.Sid] == ["WriteOwnLogs"]
    error_message = "a function without statements may only write its own logs"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this["reader"].policy).Statement : s.Resource if s.Sid == "WriteOwnLogs"] == [["${aws_cloudwatch_log_group.this["reader"].arn}:*"]]
    error_message = "logs are written only to the function's own log group"
  }
}

run "role_names_are_per_region" {
  command = plan

  assert {
    condition     = aws_iam_role.this["reader"].name == "chat-test-reader-eu-west-1"
    error_message = "a function's role is named <function>-<region>"
  }
}

run "another_region_other_role_names" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  assert {
    condition     = aws_iam_role.this["reader"].name == "chat-test-reader-ap-southeast-2" && aws_lambda_function.this["reader"].function_name == "chat-test-reader"
    error_message = "the same prefix in another region: other role names (IAM names are global), the same function names (regional)"
  }
}

run "role_names_within_64_characters" {
  command = plan

  variables {
    name_prefix = "a-name-prefix-of-31-characters1"
    functions   = { a-twenty-three-char-key = { handler = "pkg.handler" } }
  }

  override_data {
    target = data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  expect_failures = [aws_iam_role.this]
}

run "tracing_needs_the_only_wildcard_resource" {
  command = apply

  variables {
    tracing_enabled = true
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.tracing_config[0].mode == "Active"])
    error_message = "tracing is active"
  }

  assert {
    condition = alltrue(flatten([for k, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : alltrue([for a in s.Action : startswith(a, "xray:")]) if contains(s.Resource, "*")
    ]]))
    error_message = "'*' resources appear only on X-Ray statements (X-Ray has no resource-level permissions)"
  }
}

run "wildcard_actions_are_refused" {
  command = plan

  variables {
    functions = {
      greedy = {
        handler           = "pkg.handlers.greedy.lambda_handler"
        policy_statements = [{ sid = "All", actions = ["dynamodb:*"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"] }]
      }
    }
  }

  expect_failures = [var.functions]
}

run "a_function_adds_variables_of_its_own" {
  command = plan

  variables {
    functions = {
      reader = { handler = "pkg.handlers.reader.lambda_handler" }
      keeper = {
        handler     = "pkg.handlers.keeper.lambda_handler"
        environment = { KEYS_URL = "https://keys.example.com" }
      }
    }
  }

  assert {
    condition = (aws_lambda_function.this["keeper"].environment[0].variables == tomap({ TABLE = "t", KEYS_URL = "https://keys.example.com" })
    && aws_lambda_function.this["reader"].environment[0].variables == tomap({ TABLE = "t" }))
    error_message = "a function's own variables reach it alone, beside the shared ones"
  }
}

run "a_function_cannot_redefine_a_shared_variable" {
  command = plan

  variables {
    functions = {
      keeper = {
        handler     = "pkg.handlers.keeper.lambda_handler"
        environment = { TABLE = "another" }
      }
    }
  }

  expect_failures = [var.functions]
}
