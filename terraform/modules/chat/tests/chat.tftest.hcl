# The contract between the Terraform and the Lambda package, on the composed stack.
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

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/chat-test"
    }
  }

  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:eu-west-1:123456789012:function:chat-test"
      invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:chat-test/invocations"
    }
  }

  mock_resource "aws_cloudfront_function" {
    defaults = {
      arn = "arn:aws:cloudfront::123456789012:function/chat-test-room-rewrite"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::chat-test-site"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:chat-test-alarms"
    }
  }

  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "abc123"
      api_endpoint  = "wss://abc123.execute-api.eu-west-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
    }
  }

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test"
    }
  }

  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      arn         = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"
      domain_name = "d111111abcdef8.cloudfront.net"
    }
  }
}

variables {
  name        = "chat-test"
  environment = "test"
  stage_name  = "prod"
  # Any file will do: the mock provider hashes it but never uploads it.
  lambda_package_path = "versions.tf"
}

run "routes_functions_and_least_privilege" {
  command = apply

  assert {
    condition     = sort(keys(output.routes)) == sort(keys(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).routes))
    error_message = "the route keys of the contract"
  }

  assert {
    condition     = length(distinct(values(output.routes))) == length(distinct([for r in jsondecode(file("../../../lambdas/serverless_chat/contract.json")).routes : r.function]))
    error_message = "each of the contract's functions is one function, whatever the number of its route keys"
  }

  assert {
    condition     = toset([for k in ["create-room", "list-rooms", "create-invite", "list-invites", "revoke-invite", "add-member", "set-role", "remove-member", "mute-member", "hand-over"] : output.routes[k]]) == toset(["chat-test-rooms"])
    error_message = "the private rooms' ten route keys share the rooms function"
  }

  assert {
    condition = alltrue(flatten([for k, p in output.function_policies : [
      for s in jsondecode(p).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]]))
    error_message = "no IAM statement has a '*' action"
  }

  assert {
    condition = alltrue(flatten([for k, p in output.function_policies : [
      for s in jsondecode(p).Statement : [for r in s.Resource : r != "*"]
    ]]))
    error_message = "no '*' resource (X-Ray, the one service that needs it, is off)"
  }

  assert {
    condition = alltrue(flatten([for k, p in output.function_policies : [
      for s in jsondecode(p).Statement : [
        for r in s.Resource : anytrue([
          for method in ["POST", "DELETE"] : startswith(r, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/${method}/@connections/")
        ])
      ] if contains(s.Action, "execute-api:ManageConnections")
    ]]))
    error_message = "ManageConnections only on <api>/<stage>/POST/@connections/* and <api>/<stage>/DELETE/@connections/*"
  }

  assert {
    condition = sort([for k, p in output.function_policies : k if anytrue([
      for s in jsondecode(p).Statement : contains(s.Action, "execute-api:ManageConnections")
    ])]) == sort(["default", "disconnect", "enter-room", "send-message", "changes", "typing", "sign-out", "rooms", "blocks"])
    error_message = "every function but $connect replies or fans out; $connect does not"
  }

  assert {
    condition = [for s in jsondecode(output.function_policies["connect"]).Statement : s.Action if startswith(s.Sid, "Connections") || startswith(s.Sid, "Messages")] == [
      ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"]
    ]
    error_message = "$connect may only put its connection, take its place in its source address's item and look up the connections that item lists"
  }

  assert {
    condition = alltrue([for k, p in output.function_policies : alltrue([
      for s in jsondecode(p).Statement : alltrue([for r in s.Resource : endswith(r, "/index/room-index")]) if s.Sid == "ConnectionsRoomIndex"
    ])])
    error_message = "room queries are allowed on the room index only"
  }

  assert {
    condition     = sort(keys(output.function_environment)) == sort(keys(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).environment))
    error_message = "exactly the environment variables of the contract"
  }

  assert {
    condition = (output.function_environment.AUTH_MODE == "off" && output.function_environment.HANDLES_TABLE == "chat-test-handles" && output.function_environment.ROOMS_TABLE == "chat-test-rooms"
      && output.authorizer_function_name == null && length(module.websocket_api.route_ids) == length(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).routes) && module.websocket_api.authorizer_id == null
    && length(output.authorizer_environment) == 0)
    error_message = "auth_mode off by default: no authorizer function or authorizer, AUTH_MODE off"
  }

  assert {
    condition = sort([for k, p in output.function_policies : k if anytrue([
      for s in jsondecode(p).Statement : s.Sid == "HandlesTable"
    ])]) == sort(["enter-room", "sign-out", "rooms", "blocks"])
    error_message = "only on-enter-room (a guest's name against the handles, the entrant's blocks), sign-out (the user's sign-out mark), rooms (a handle's holder) and blocks touch the handles table"
  }

  assert {
    condition = jsonencode({ for k, p in output.function_policies : k => [
      for s in jsondecode(p).Statement : [s.Action, s.Resource] if s.Sid == "RoomsTable"
      ] if anytrue([for s in jsondecode(p).Statement : s.Sid == "RoomsTable"]) }) == jsonencode({
      "enter-room" = [[["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test"]]]
      "changes"    = [[["dynamodb:GetItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test"]]]
      "rooms"      = [[["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test"]]]
    })
    error_message = "only on-enter-room (a member's check, an invite redeemed), the rooms function and changes (a moderator's check) touch the rooms table, on it alone"
  }

  assert {
    condition = jsonencode({ for k, p in output.function_policies : k => [
      for s in jsondecode(p).Statement : [s.Action, s.Resource] if s.Sid == "ConnectionsUserIndex"
      ] if anytrue([for s in jsondecode(p).Statement : s.Sid == "ConnectionsUserIndex"]) }) == jsonencode({
      "blocks"   = [[["dynamodb:Query"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test/index/user-index"]]]
      "sign-out" = [[["dynamodb:Query"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test/index/user-index"]]]
    })
    error_message = "only sign-out and blocks (a user's connections) query the user index, and only it"
  }

  assert {
    condition = (output.sign_out.connections_api_endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
      && output.sign_out.user_index == "user-index" && output.sign_out.handles_table == "chat-test-handles"
    && output.sign_out.user_pool_id == "")
    error_message = "make disable-user closes connections at the stage's own @connections endpoint (the functions use the event's); no user pool when off"
  }

  assert {
    condition = (jsondecode(module.site.config_json).authMode == "off" && jsondecode(module.site.config_json).userPoolId == ""
    && !strcontains(output.security_headers["Content-Security-Policy"], "cognito"))
    error_message = "the page is told there is no sign-in, and the CSP allows none"
  }

  assert {
    condition = (output.function_environment.ROOM_MEMBER_LIMIT == tostring(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).limits.defaultRoomMemberLimit)
      && output.function_environment.RATE_LIMIT_PER_SECOND == tostring(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).limits.defaultRateLimitPerSecond)
      && output.function_environment.RATE_LIMIT_BURST == tostring(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).limits.defaultRateLimitBurst)
      && output.function_environment.MESSAGE_RETENTION_DAYS == tostring(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).limits.defaultMessageRetentionDays)
    && output.function_environment.FANOUT_CONCURRENCY == tostring(jsondecode(file("../../../lambdas/serverless_chat/contract.json")).limits.defaultFanoutConcurrency))
    error_message = "the limits default to those of lambdas/serverless_chat/contract.json"
  }

  assert {
    condition = (output.function_environment.CONNECTIONS_ROOM_INDEX == "room-index" && output.function_environment.CONNECTIONS_USER_INDEX == "user-index"
      && output.function_environment.CONNECTIONS_API_ENDPOINT == ""
      && output.function_environment.ALLOWED_ORIGINS == "https://d111111abcdef8.cloudfront.net"
    && output.function_environment.POWERTOOLS_SERVICE_NAME == "serverless-chat" && output.function_environment.POWERTOOLS_METRICS_NAMESPACE == "ServerlessChat")
    error_message = "index, endpoint, origins and Powertools settings"
  }

  assert {
    condition = (output.function_environment.ENVIRONMENT == "test"
      && module.alarms.stale_connections_alarm.dimensions == tomap({ service = output.function_environment.POWERTOOLS_SERVICE_NAME, environment = "test" })
    && module.alarms.stale_connections_alarm.namespace == output.function_environment.POWERTOOLS_METRICS_NAMESPACE)
    error_message = "the functions emit their environment as a dimension, and the stale-connection alarm filters on exactly their namespace and dimensions"
  }

  assert {
    condition     = output.websocket_url == "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    error_message = "config.json gets the stage's WebSocket URL"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com;")
    error_message = "the CSP lets the page reach the WebSocket API"
  }
}

run "limits_overrides_and_api_custom_domain" {
  command = apply

  variables {
    limits            = { room_member_limit = 50 }
    allowed_origins   = []
    api_custom_domain = { name = "ws.example.com", certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555" }
  }

  assert {
    condition     = output.function_environment.ROOM_MEMBER_LIMIT == "50" && output.function_environment.ALLOWED_ORIGINS == ""
    error_message = "limits and origins can be overridden"
  }

  assert {
    condition     = output.websocket_url == "wss://ws.example.com" && output.function_environment.CONNECTIONS_API_ENDPOINT == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    error_message = "behind a custom domain, clients use it and the functions post to the execute-api endpoint"
  }
}

run "caps_per_source_address_default_to_the_contract_and_switch_off_with_0" {
  command = apply

  variables {
    limits = { connections_per_address = 0 }
  }

  assert {
    condition     = output.function_environment.CONNECTIONS_PER_ADDRESS == "0"
    error_message = "0 switches the cap off (and is not replaced by the default)"
  }

  assert {
    condition     = output.function_environment.CONNECTS_PER_ADDRESS_PER_MINUTE == "60"
    error_message = "a cap left out takes the contract's defaultConnectsPerAddressPerMinute"
  }
}

run "a_cap_per_source_address_beyond_1000_is_refused" {
  command = plan

  variables {
    limits = { connects_per_address_per_minute = 1001 }
  }

  expect_failures = [var.limits]
}

run "a_fractional_cap_per_source_address_is_refused" {
  command = plan

  variables {
    limits = { connections_per_address = 2.5 }
  }

  expect_failures = [var.limits]
}

run "data_retention_defaults_follow_the_message_retention" {
  command = apply

  assert {
    condition = output.data_retention.point_in_time_recovery == { enabled = true, recovery_period_in_days = 7 } && (
    output.data_retention.access_log == { source_ip = true, retention_in_days = 7 })
    error_message = "by default deleted items stay restorable for the 7 days of message retention, and the access log keeps source IPs 7 days"
  }
}

run "data_retention_overrides" {
  command = apply

  variables {
    limits                 = { message_retention_days = 14 }
    point_in_time_recovery = {}
    access_log             = { source_ip = false, retention_in_days = 1 }
  }

  assert {
    condition     = output.data_retention.point_in_time_recovery.recovery_period_in_days == 14
    error_message = "the recovery period follows a longer message retention"
  }

  assert {
    condition     = output.data_retention.access_log == { source_ip = false, retention_in_days = 1 }
    error_message = "the access log's fields and retention come from the variable"
  }
}

run "point_in_time_recovery_off" {
  command = apply

  variables {
    point_in_time_recovery = { enabled = false }
  }

  assert {
    condition     = !output.data_retention.point_in_time_recovery.enabled && output.data_retention.point_in_time_recovery.recovery_period_in_days == null
    error_message = "recovery off: no period"
  }
}

run "a_recovery_period_of_a_long_retention_stops_at_35_days" {
  command = apply

  variables {
    limits = { message_retention_days = 90 }
  }

  assert {
    condition     = output.data_retention.point_in_time_recovery.recovery_period_in_days == 35
    error_message = "DynamoDB keeps at most 35 days"
  }
}

run "connections_api_under_an_emulators_path" {
  command = apply

  variables {
    connections_api_base_url = "http://127.0.0.1:4566/_aws/execute-api"
  }

  assert {
    condition     = output.function_environment.CONNECTIONS_API_ENDPOINT == "http://127.0.0.1:4566/_aws/execute-api/abc123/prod"
    error_message = "the functions post to <base>/<api id>/<stage>"
  }

  assert {
    condition     = output.sign_out.connections_api_endpoint == output.function_environment.CONNECTIONS_API_ENDPOINT
    error_message = "make disable-user closes connections where the functions post"
  }
}

run "connections_api_base_url_is_a_url_without_a_trailing_slash" {
  command = plan

  variables {
    connections_api_base_url = "http://127.0.0.1:4566/_aws/execute-api/"
  }

  expect_failures = [var.connections_api_base_url]
}

run "tracing_is_the_only_wildcard_resource" {
  command = apply

  variables {
    tracing_enabled = true
  }

  assert {
    condition = alltrue(flatten([for k, p in output.function_policies : [
      for s in jsondecode(p).Statement : alltrue([for a in s.Action : startswith(a, "xray:")]) if contains(s.Resource, "*")
    ]]))
    error_message = "'*' resources only where AWS requires them (X-Ray)"
  }
}

run "the_longest_name_fits_every_global_name_in_any_region" {
  command = plan

  variables {
    name                       = "a-name-of-twenty-eight-chars"
    manage_api_gateway_account = true
  }

  override_data {
    target = module.functions.data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  override_data {
    target = module.site.data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  override_data {
    target = module.websocket_api.data.aws_region.current
    values = { name = "ap-southeast-2" }
  }
}

run "optional_adds_the_authorizer_and_the_page_signs_in" {
  command = apply

  variables {
    auth_mode = "optional"
    identity = {
      issuer              = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
      audience            = "client0123456789"
      token_use           = "id"
      jwks_url            = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
      user_pool_id        = "eu-west-1_AbCdEf123"
      user_pool_client_id = "client0123456789"
      sign_in_origin      = "https://cognito-idp.eu-west-1.amazonaws.com"
    }
  }

  assert {
    condition = (output.authorizer_function_name == "chat-test-authorize"
      && module.functions.function_names["authorize"] == "chat-test-authorize"
    && module.websocket_api.authorizer_id != null)
    error_message = "the authorizer function <prefix>-authorize guards $connect"
  }

  assert {
    condition     = !contains(values(output.routes), "chat-test-authorize")
    error_message = "the authorizer is no route's function"
  }

  assert {
    condition = [for s in jsondecode(output.function_policies["authorize"]).Statement : [s.Action, s.Resource] if s.Sid != "WriteOwnLogs"] == [
      [["dynamodb:GetItem", "dynamodb:PutItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/chat-test"]]
    ]
    error_message = "the authorizer reads and claims handles, and touches nothing else"
  }

  assert {
    condition = output.authorizer_environment == tomap({
      TOKEN_ISSUER   = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
      TOKEN_AUDIENCE = "client0123456789"
      TOKEN_USE      = "id"
      JWKS_URL       = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
    })
    error_message = "the authorizer's token settings come from identity"
  }

  assert {
    condition = (module.functions.environments["authorize"].TOKEN_ISSUER == var.identity.issuer
      && module.functions.environments["authorize"].AUTH_MODE == "optional"
      && module.functions.environments["authorize"].HANDLES_TABLE == "chat-test-handles"
    && !contains(keys(module.functions.environments["connect"]), "JWKS_URL"))
    error_message = "the authorizer gets the shared environment and its own; the routes do not get the token settings"
  }

  assert {
    condition = jsondecode(module.site.config_json) == {
      websocketUrl     = "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod"
      authMode         = "optional"
      userPoolId       = "eu-west-1_AbCdEf123"
      userPoolClientId = "client0123456789"
      cognitoEndpoint  = ""
    }
    error_message = "config.json tells the page how to sign in"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com https://cognito-idp.eu-west-1.amazonaws.com;")
    error_message = "the CSP lets the page reach Cognito, and nothing more"
  }
}

run "an_auth_mode_needs_an_identity" {
  command = plan

  variables {
    auth_mode = "required"
  }

  expect_failures = [var.identity]
}
