locals {
  # The retentions CloudWatch Logs accepts (PutRetentionPolicy), in days.
  cloudwatch_retention_days = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]

  # Route keys in ARNs and statement ids: `$connect` -> `connect`.
  route_ids = { for k, r in var.routes : k => replace(k, "$", "") }

  # API Gateway answers 401 itself, without calling the authorizer, when a configured identity
  # source is missing: `optional` has none, so guests reach the authorizer, which admits them.
  identity_sources = { off = [], optional = [], required = ["route.request.header.Sec-WebSocket-Protocol"] }
  # Every route but $connect: API Gateway takes an authorizer on $connect alone.
  other_routes = { for k, r in var.routes : k => r if k != "$connect" }
  routes       = merge({ "$connect" = one(concat(aws_apigatewayv2_route.connect, aws_apigatewayv2_route.connect_open)) }, aws_apigatewayv2_route.this)

  # Everything that must be live on the stage; a change here creates a new deployment.
  deployment_triggers = {
    redeployment = sha1(jsonencode([
      var.route_selection_expression,
      { for k, r in local.routes : k => [r.route_key, r.target, r.authorization_type, r.authorizer_id, r.operation_name] },
      { for k, i in aws_apigatewayv2_integration.this : k => [i.integration_type, i.integration_method, i.integration_uri, i.timeout_milliseconds] },
      var.authorizer == null ? null : [var.authorizer.uri, local.identity_sources[var.auth_mode]],
    ]))
  }

  # One line per connect, disconnect and frame. The source IP is personal data: it is logged
  # only when access_log.source_ip says so, and kept access_log.retention_in_days.
  access_log_format = jsonencode(merge(
    {
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTimeEpoch"
      eventType          = "$context.eventType"
      routeKey           = "$context.routeKey"
      connectionId       = "$context.connectionId"
      status             = "$context.status"
      error              = "$context.error.message"
      integrationError   = "$context.integration.error"
      integrationLatency = "$context.integrationLatency"
    },
    var.access_log.source_ip ? { sourceIp = "$context.identity.sourceIp" } : {},
  ))
}

resource "aws_apigatewayv2_api" "this" {
  name                       = var.name
  description                = var.description
  protocol_type              = "WEBSOCKET"
  route_selection_expression = var.route_selection_expression

  tags = var.tags
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = var.routes

  api_id               = aws_apigatewayv2_api.this.id
  integration_type     = "AWS_PROXY"
  integration_method   = "POST"
  integration_uri      = each.value.integration.uri
  timeout_milliseconds = each.value.integration.timeout_milliseconds
}

# $connect, the one route API Gateway lets an authorizer guard: its answer (the user, or a guest)
# holds for the whole connection, and every later route reads it from requestContext.authorizer.
# Two resources, one of which exists: checkov reads a conditional authorization_type with the
# variables' defaults (auth_mode off), so one route with `off ? NONE : CUSTOM` would fail
# CKV_AWS_309 in every mode, or need a skip that would hide it in every mode too.
resource "aws_apigatewayv2_route" "connect" {
  count = var.auth_mode == "off" ? 0 : 1

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "$connect"
  operation_name     = var.routes["$connect"].operation_name
  authorization_type = "CUSTOM"
  authorizer_id      = aws_apigatewayv2_authorizer.this[0].id
  target             = "integrations/${aws_apigatewayv2_integration.this["$connect"].id}"
}

resource "aws_apigatewayv2_route" "connect_open" {
  #checkov:skip=CKV_AWS_309:Only with auth_mode = "off", the guest chat chosen for this deployment (anyone connects; a username is chosen per room, and $connect checks the Origin header); the authorized route above replaces it in the other modes
  count = var.auth_mode == "off" ? 1 : 0

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "$connect"
  operation_name     = var.routes["$connect"].operation_name
  authorization_type = "NONE"
  target             = "integrations/${aws_apigatewayv2_integration.this["$connect"].id}"
}

moved {
  from = aws_apigatewayv2_route.this["$connect"]
  to   = aws_apigatewayv2_route.connect_open[0]
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:A WebSocket API takes an authorizer on $connect only (the route above); these routes run on a connection $connect already admitted, under the identity its authorizer returned
  for_each = local.other_routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  operation_name     = each.value.operation_name
  authorization_type = "NONE"
  target             = "integrations/${aws_apigatewayv2_integration.this[each.key].id}"
}

# A Lambda REQUEST authorizer (WebSocket APIs offer no JWT authorizer). No result caching: API
# Gateway offers none for WebSocket APIs.
resource "aws_apigatewayv2_authorizer" "this" {
  count = var.auth_mode == "off" ? 0 : 1

  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-authorize"
  authorizer_type  = "REQUEST"
  authorizer_uri   = var.authorizer.uri
  identity_sources = local.identity_sources[var.auth_mode]
}

resource "aws_lambda_permission" "authorizer" {
  count = var.auth_mode == "off" ? 0 : 1

  statement_id  = "AllowApiGateway-authorizer"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.this[0].id}"
}

resource "aws_lambda_permission" "this" {
  for_each = var.routes

  statement_id  = "AllowApiGateway-${local.route_ids[each.key]}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.integration.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/${var.stage_name}/${each.key}"
}

resource "aws_apigatewayv2_deployment" "this" {
  count = var.create_deployment ? 1 : 0

  api_id      = aws_apigatewayv2_api.this.id
  description = "Routes ${join(", ", sort(keys(var.routes)))}"
  triggers    = local.deployment_triggers

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_apigatewayv2_route.connect, aws_apigatewayv2_route.this, aws_apigatewayv2_integration.this]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.access_log.retention_in_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

# API Gateway writes the stage's execution logs to a group of exactly this name, and creates it,
# without retention, when it does not exist yet: created here before the stage, it keeps
# log_retention_days and goes with the stack.
resource "aws_cloudwatch_log_group" "execution" {
  count = var.logging_level == "OFF" ? 0 : 1

  name              = "API-Gateway-Execution-Logs_${aws_apigatewayv2_api.this.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  #checkov:skip=CKV2_AWS_51:Browsers cannot present client certificates on a WebSocket handshake, and mutual TLS needs a custom domain; the clients are anonymous browsers
  api_id        = aws_apigatewayv2_api.this.id
  name          = var.stage_name
  deployment_id = var.create_deployment ? aws_apigatewayv2_deployment.this[0].id : null

  default_route_settings {
    throttling_rate_limit    = var.throttling_rate_limit
    throttling_burst_limit   = var.throttling_burst_limit
    logging_level            = var.logging_level
    data_trace_enabled       = false
    detailed_metrics_enabled = false
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  tags = var.tags

  # Logging needs the account's API Gateway CloudWatch role, which terraform/envs/account
  # registers (once per account and region); `make deploy` checks it is there first. The
  # execution log group exists before API Gateway would create one without retention.
  depends_on = [aws_cloudwatch_log_group.execution]
}

# ----------------------------------------------------------------- optional custom domain

resource "aws_apigatewayv2_domain_name" "this" {
  count = var.domain_name == null ? 0 : 1

  domain_name = var.domain_name.name

  domain_name_configuration {
    certificate_arn = var.domain_name.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = var.tags
}

resource "aws_apigatewayv2_api_mapping" "this" {
  count = var.domain_name == null ? 0 : 1

  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.this.id
}

# The account's API Gateway CloudWatch role and setting belong to terraform/envs/account (one per
# account and region). Earlier versions created them in this module (in envs/dev, or in envs/prod
# in an account of its own): forget them without destroying them, and envs/account imports them.
# `terraform destroy` ignores removed blocks, so `make destroy` also drops these addresses from
# the state first.
removed {
  from = aws_api_gateway_account.this

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_iam_role_policy_attachment.cloudwatch

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_iam_role.cloudwatch

  lifecycle {
    destroy = false
  }
}
