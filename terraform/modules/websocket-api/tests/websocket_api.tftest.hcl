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

  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "abc123"
      api_endpoint  = "wss://abc123.execute-api.eu-west-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
    }
  }

  # Fixed ids, so the deployment triggers are comparable between runs.
  mock_resource "aws_apigatewayv2_integration" {
    defaults = { id = "integ1" }
  }

  mock_resource "aws_apigatewayv2_route" {
    defaults = { id = "route1" }
  }
}

variables {
  name       = "chat-test"
  stage_name = "prod"
  routes = {
    "$connect"      = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:connect/invocations", function_name = "connect" } }
    "$disconnect"   = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:disconnect/invocations", function_name = "disconnect" } }
    "$default"      = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:default/invocations", function_name = "default" } }
    "on-enter-room" = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:enter-room/invocations", function_name = "enter-room" } }
    "on-message"    = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:send-message/invocations", function_name = "send-message" } }
  }
}

run "five_routes_each_to_its_own_function" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "WEBSOCKET" && aws_apigatewayv2_api.this.route_selection_expression == "$request.body.action"
    error_message = "a WebSocket API selecting routes by $request.body.action"
  }

  assert {
    condition     = sort(concat([aws_apigatewayv2_route.connect_open[0].route_key], [for r in aws_apigatewayv2_route.this : r.route_key])) == sort(["$connect", "$disconnect", "$default", "on-enter-room", "on-message"])
    error_message = "the five route keys of the contract"
  }

  assert {
    condition = (alltrue([for k, r in aws_apigatewayv2_route.this : r.target == "integrations/${aws_apigatewayv2_integration.this[k].id}"])
    && aws_apigatewayv2_route.connect_open[0].target == "integrations/${aws_apigatewayv2_integration.this["$connect"].id}")
    error_message = "each route targets its own integration"
  }

  assert {
    condition = (aws_apigatewayv2_route.connect_open[0].authorization_type == "NONE" && aws_apigatewayv2_route.connect_open[0].authorizer_id == null
    && length(aws_apigatewayv2_route.connect) == 0 && length(aws_apigatewayv2_authorizer.this) == 0 && length(aws_lambda_permission.authorizer) == 0)
    error_message = "auth_mode off (the default): no authorizer at all"
  }

  assert {
    condition = alltrue([for k, i in aws_apigatewayv2_integration.this : (
      i.integration_type == "AWS_PROXY" && i.integration_method == "POST" && i.integration_uri == var.routes[k].integration.uri
    )])
    error_message = "each integration is an AWS_PROXY call of the route's function"
  }

  assert {
    condition     = length(distinct([for i in aws_apigatewayv2_integration.this : i.integration_uri])) == 5
    error_message = "five different functions"
  }

  assert {
    condition = alltrue([for k, p in aws_lambda_permission.this : (
      p.function_name == var.routes[k].integration.function_name && p.principal == "apigateway.amazonaws.com"
      && p.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/${k}"
    )])
    error_message = "invoke permissions are scoped to the API's execution ARN, stage and route"
  }

  assert {
    condition     = length(aws_apigatewayv2_deployment.this) == 1 && aws_apigatewayv2_stage.this.deployment_id == aws_apigatewayv2_deployment.this[0].id
    error_message = "the stage serves the deployment"
  }

  assert {
    condition = (aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 500
    && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 1000)
    error_message = "default route throttling comes from the variables"
  }

  assert {
    condition = (aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn
    && can(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).requestId))
    error_message = "JSON access logs go to the stage's log group"
  }

  assert {
    condition = (jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).sourceIp == "$context.identity.sourceIp"
    && aws_cloudwatch_log_group.access.retention_in_days == 7)
    error_message = "by default the access log holds each frame's source IP and keeps it 7 days"
  }

  assert {
    condition = (aws_apigatewayv2_stage.this.default_route_settings[0].logging_level == "ERROR"
      && aws_cloudwatch_log_group.execution[0].name == "API-Gateway-Execution-Logs_abc123/prod"
    && aws_cloudwatch_log_group.execution[0].retention_in_days == 30)
    error_message = "execution logs go to API Gateway's own group name, created by Terraform with a retention"
  }

  assert {
    condition     = output.websocket_url == "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod" && output.connections_endpoint == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    error_message = "WebSocket URL and @connections endpoint of the stage"
  }
}

run "same_routes_same_triggers" {
  command = apply

  assert {
    condition     = output.deployment_triggers == run.five_routes_each_to_its_own_function.deployment_triggers
    error_message = "unchanged routes keep the deployment"
  }
}

run "adding_a_route_redeploys" {
  command = apply

  variables {
    routes = {
      "$connect"      = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:connect/invocations", function_name = "connect" } }
      "$disconnect"   = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:disconnect/invocations", function_name = "disconnect" } }
      "$default"      = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:default/invocations", function_name = "default" } }
      "on-enter-room" = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:enter-room/invocations", function_name = "enter-room" } }
      "on-message"    = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:send-message/invocations", function_name = "send-message" } }
      "on-typing"     = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:typing/invocations", function_name = "typing" } }
    }
  }

  assert {
    condition     = output.deployment_triggers != run.five_routes_each_to_its_own_function.deployment_triggers
    error_message = "a new route changes the deployment triggers"
  }

  assert {
    condition     = length(aws_apigatewayv2_route.this) == 5
    error_message = "the new route exists"
  }
}

run "emulator_without_deployment" {
  command = plan

  variables {
    create_deployment = false
  }

  assert {
    condition     = length(aws_apigatewayv2_deployment.this) == 0
    error_message = "no deployment when the emulator has none"
  }
}

run "execution_logging_off_no_execution_log_group" {
  command = plan

  variables {
    logging_level = "OFF"
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.execution) == 0
    error_message = "no execution log group without execution logging"
  }
}

run "optional_an_authorizer_without_identity_source_on_connect_alone" {
  command = apply

  variables {
    auth_mode  = "optional"
    authorizer = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:authorize/invocations", function_name = "authorize" }
  }

  assert {
    condition = (aws_apigatewayv2_authorizer.this[0].authorizer_type == "REQUEST"
      && aws_apigatewayv2_authorizer.this[0].authorizer_uri == var.authorizer.uri
    && length(aws_apigatewayv2_authorizer.this[0].identity_sources) == 0)
    error_message = "a Lambda REQUEST authorizer with no identity source: API Gateway calls it for guests too"
  }

  assert {
    condition = (aws_apigatewayv2_route.connect[0].authorization_type == "CUSTOM" && aws_apigatewayv2_route.connect[0].authorizer_id == aws_apigatewayv2_authorizer.this[0].id
    && aws_apigatewayv2_route.connect[0].route_key == "$connect" && length(aws_apigatewayv2_route.connect_open) == 0)
    error_message = "$connect is authorized by it"
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.authorization_type == "NONE" && r.authorizer_id == null])
    error_message = "the other routes take no authorizer (API Gateway allows one on $connect only)"
  }

  assert {
    condition = (aws_lambda_permission.authorizer[0].function_name == "authorize" && aws_lambda_permission.authorizer[0].principal == "apigateway.amazonaws.com"
    && aws_lambda_permission.authorizer[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/authorizers/${aws_apigatewayv2_authorizer.this[0].id}")
    error_message = "API Gateway may invoke the authorizer function, as this API's authorizer only"
  }

  assert {
    condition     = output.deployment_triggers != run.five_routes_each_to_its_own_function.deployment_triggers
    error_message = "turning the authorizer on redeploys"
  }
}

run "required_the_subprotocol_header_is_the_identity_source" {
  command = apply

  variables {
    auth_mode  = "required"
    authorizer = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:authorize/invocations", function_name = "authorize" }
  }

  assert {
    condition     = tolist(aws_apigatewayv2_authorizer.this[0].identity_sources) == tolist(["route.request.header.Sec-WebSocket-Protocol"])
    error_message = "no Sec-WebSocket-Protocol header, no connection: API Gateway refuses it (401) without invoking anything"
  }

  assert {
    condition     = output.deployment_triggers != run.optional_an_authorizer_without_identity_source_on_connect_alone.deployment_triggers
    error_message = "changing the identity source redeploys"
  }
}

run "an_authorizer_goes_with_an_auth_mode" {
  command = plan

  variables {
    auth_mode = "required"
  }

  expect_failures = [var.authorizer]
}

run "an_unknown_auth_mode_is_refused" {
  command = plan

  variables {
    auth_mode = "sometimes"
  }

  expect_failures = [var.auth_mode]
}

run "bad_route_keys_are_refused" {
  command = plan

  variables {
    routes = {
      "on message" = { integration = { uri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/x/invocations", function_name = "x" } }
    }
  }

  expect_failures = [var.routes]
}

run "access_log_without_source_ip" {
  command = plan

  variables {
    access_log = { source_ip = false, retention_in_days = 3 }
  }

  assert {
    condition = (!contains(keys(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format)), "sourceIp")
      && jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format).connectionId == "$context.connectionId"
    && aws_cloudwatch_log_group.access.retention_in_days == 3)
    error_message = "source_ip = false leaves the address out of every line; the retention follows the variable"
  }

  assert {
    condition     = aws_cloudwatch_log_group.execution[0].retention_in_days == 30
    error_message = "the execution logs keep their own retention (log_retention_days)"
  }
}

run "an_access_log_retention_cloudwatch_refuses" {
  command = plan

  variables {
    access_log = { retention_in_days = 10 }
  }

  expect_failures = [var.access_log]
}
