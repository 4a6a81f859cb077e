locals {
  # The chat's contract, once: routes, limits and environment variables, read by the functions,
  # the page and these modules alike.
  contract = jsondecode(file("${path.module}/../../../lambdas/serverless_chat/contract.json"))
  limits = {
    room_member_limit      = coalesce(var.limits.room_member_limit, local.contract.limits.defaultRoomMemberLimit)
    typing_room_size_limit = var.limits.typing_room_size_limit != null ? var.limits.typing_room_size_limit : local.contract.limits.defaultTypingRoomSizeLimit
    rate_limit_per_second  = coalesce(var.limits.rate_limit_per_second, local.contract.limits.defaultRateLimitPerSecond)
    rate_limit_burst       = coalesce(var.limits.rate_limit_burst, local.contract.limits.defaultRateLimitBurst)
    message_retention_days = coalesce(var.limits.message_retention_days, local.contract.limits.defaultMessageRetentionDays)
    # 0 is "off", which coalesce would skip: null alone takes the contract's default.
    connections_per_address         = var.limits.connections_per_address != null ? var.limits.connections_per_address : local.contract.limits.defaultConnectionsPerAddress
    connects_per_address_per_minute = var.limits.connects_per_address_per_minute != null ? var.limits.connects_per_address_per_minute : local.contract.limits.defaultConnectsPerAddressPerMinute
  }
  # Deleted and expired items stay restorable as long as kept messages are readable (DynamoDB
  # keeps at most 35 days).
  point_in_time_recovery = {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = coalesce(var.point_in_time_recovery.recovery_period_in_days, min(local.limits.message_retention_days, 35))
  }
  room_id_pattern    = trimsuffix(trimprefix(local.contract.limits.roomIdPattern, "^"), "$")
  fanout_concurrency = coalesce(var.fanout_concurrency, local.contract.limits.defaultFanoutConcurrency)

  # The route table of the contract: route key -> function, handler and exactly what that handler
  # touches. Table actions are IAM actions; `manageConnections` lists the @connections HTTP methods.
  routes = local.contract.routes

  # One function may serve several route keys (the private rooms' ten): with one handler and the
  # same permissions (tests/unit/test_contract.py checks), it is one function.
  routes_of_function = { for route_key, r in local.routes : r.function => merge(r, { route_key = route_key })... }
  route_functions = {
    for function, rs in local.routes_of_function : function => {
      handler     = rs[0].handler
      description = "serverless-chat ${join(", ", [for r in rs : r.route_key])} route${length(rs) > 1 ? "s" : ""}"
      policy_statements = concat(
        length(rs[0].permissions.connections) == 0 ? [] : [{
          sid = "ConnectionsTable", actions = rs[0].permissions.connections, resources = [module.tables.connections_table_arn]
        }],
        length(rs[0].permissions.userIndex) == 0 ? [] : [{
          sid = "ConnectionsUserIndex", actions = rs[0].permissions.userIndex, resources = [module.tables.user_index_arn]
        }],
        length(rs[0].permissions.roomIndex) == 0 ? [] : [{
          sid = "ConnectionsRoomIndex", actions = rs[0].permissions.roomIndex, resources = [module.tables.room_index_arn]
        }],
        length(rs[0].permissions.messages) == 0 ? [] : [{
          sid = "MessagesTable", actions = rs[0].permissions.messages, resources = [module.tables.messages_table_arn]
        }],
        length(rs[0].permissions.rooms) == 0 ? [] : [{
          sid = "RoomsTable", actions = rs[0].permissions.rooms, resources = [module.tables.rooms_table_arn]
        }],
        length(rs[0].permissions.handles) == 0 ? [] : [{
          sid = "HandlesTable", actions = rs[0].permissions.handles, resources = [module.tables.handles_table_arn]
        }],
        length(rs[0].permissions.manageConnections) == 0 ? [] : [{
          sid       = "ManageConnections"
          actions   = ["execute-api:ManageConnections"]
          resources = [for method in rs[0].permissions.manageConnections : "${module.websocket_api.stage_execution_arn}/${method}/@connections/*"]
        }],
      )
    }
  }

  # The $connect authorizer, only when someone is to be authorized: the same zip, its own
  # handler, the handles table alone, and the token settings beside the shared environment.
  auth_on    = var.auth_mode != "off"
  authorizer = local.contract.authorizer
  functions = merge(local.route_functions, !local.auth_on ? {} : {
    (local.authorizer.function) = {
      handler     = local.authorizer.handler
      description = "serverless-chat $connect authorizer"
      policy_statements = [{
        sid = "HandlesTable", actions = local.authorizer.permissions.handles, resources = [module.tables.handles_table_arn]
      }]
      environment = local.authorizer_environment
    }
  })
  authorizer_environment = !local.auth_on ? {} : {
    TOKEN_ISSUER   = var.identity.issuer
    TOKEN_AUDIENCE = var.identity.audience
    TOKEN_USE      = var.identity.token_use
    JWKS_URL       = var.identity.jwks_url
  }

  websocket_url = coalesce(var.websocket_url, module.websocket_api.websocket_url)
  # Empty: the functions post to the endpoint the event names (https://{domainName}/{stage}).
  connections_api_endpoint = (
    var.connections_api_base_url != null ? "${var.connections_api_base_url}/${module.websocket_api.api_id}/${var.stage_name}"
    : var.api_custom_domain != null ? module.websocket_api.connections_endpoint : ""
  )
  allowed_origins = var.allowed_origins == null ? module.site.site_origins : var.allowed_origins

  # Where the functions' own metrics go: Powertools adds the `service` dimension, the package
  # the `environment` one (ENVIRONMENT).
  metrics = { namespace = "ServerlessChat", service = "serverless-chat" }

  # Exactly the variables of the contract (checked by the function_environment output).
  environment = {
    CONNECTIONS_TABLE               = module.tables.connections_table_name
    CONNECTIONS_ROOM_INDEX          = module.tables.room_index_name
    CONNECTIONS_USER_INDEX          = module.tables.user_index_name
    MESSAGES_TABLE                  = module.tables.messages_table_name
    MESSAGE_RETENTION_DAYS          = tostring(local.limits.message_retention_days)
    ROOM_MEMBER_LIMIT               = tostring(local.limits.room_member_limit)
    TYPING_ROOM_SIZE_LIMIT          = tostring(local.limits.typing_room_size_limit)
    RATE_LIMIT_PER_SECOND           = tostring(local.limits.rate_limit_per_second)
    RATE_LIMIT_BURST                = tostring(local.limits.rate_limit_burst)
    ALLOWED_ORIGINS                 = join(",", local.allowed_origins)
    CONNECTIONS_API_ENDPOINT        = local.connections_api_endpoint
    FANOUT_CONCURRENCY              = tostring(local.fanout_concurrency)
    CONNECTIONS_PER_ADDRESS         = tostring(local.limits.connections_per_address)
    CONNECTS_PER_ADDRESS_PER_MINUTE = tostring(local.limits.connects_per_address_per_minute)
    ENVIRONMENT                     = var.environment
    POWERTOOLS_SERVICE_NAME         = local.metrics.service
    POWERTOOLS_METRICS_NAMESPACE    = local.metrics.namespace
    POWERTOOLS_LOG_LEVEL            = var.log_level
    AUTH_MODE                       = var.auth_mode
    HANDLES_TABLE                   = module.tables.handles_table_name
    ROOMS_TABLE                     = module.tables.rooms_table_name
  }

  # Where the page signs in, for config.json and the CSP's connect-src.
  sign_in = {
    auth_mode           = var.auth_mode
    user_pool_id        = local.auth_on ? var.identity.user_pool_id : ""
    user_pool_client_id = local.auth_on ? var.identity.user_pool_client_id : ""
    cognito_endpoint    = local.auth_on ? var.identity.cognito_endpoint : ""
    origin              = local.auth_on ? var.identity.sign_in_origin : null
  }
}

module "tables" {
  source = "../tables"

  name_prefix            = var.name
  deletion_protection    = var.deletion_protection
  point_in_time_recovery = local.point_in_time_recovery
  kms_key_arn            = var.kms_key_arn
  tags                   = var.tags
}

module "functions" {
  source = "../functions"

  name_prefix          = var.name
  package_path         = var.lambda_package_path
  functions            = local.functions
  environment          = local.environment
  memory_size          = var.lambda_memory_size
  timeout              = var.lambda_timeout
  reserved_concurrency = var.lambda_reserved_concurrency
  log_retention_days   = var.log_retention_days
  tracing_enabled      = var.tracing_enabled
  kms_key_arn          = var.kms_key_arn
  tags                 = var.tags
}

module "websocket_api" {
  source = "../websocket-api"

  name                       = var.name
  stage_name                 = var.stage_name
  route_selection_expression = local.contract.routeSelectionExpression
  routes = {
    for route_key, r in local.routes : route_key => {
      integration = {
        uri           = module.functions.invoke_arns[r.function]
        function_name = module.functions.function_names[r.function]
      }
    }
  }
  auth_mode = var.auth_mode
  authorizer = !local.auth_on ? null : {
    uri           = module.functions.invoke_arns[local.authorizer.function]
    function_name = module.functions.function_names[local.authorizer.function]
  }
  throttling_rate_limit  = var.api_throttling.rate_limit
  throttling_burst_limit = var.api_throttling.burst_limit
  log_retention_days     = var.log_retention_days
  access_log             = var.access_log
  kms_key_arn            = var.kms_key_arn
  create_deployment      = var.create_api_deployment
  domain_name            = var.api_custom_domain
  tags                   = var.tags
}

module "site" {
  source = "../site"

  name            = var.name
  websocket_url   = local.websocket_url
  room_id_pattern = local.room_id_pattern
  sign_in         = local.sign_in
  force_destroy   = var.site_force_destroy
  versioning      = var.site_versioning
  create_cdn      = var.create_cdn
  custom_domain   = var.site_custom_domain
  web_acl_arn     = var.web_acl_arn
  kms_key_arn     = var.kms_key_arn
  tags            = var.tags
}

module "alarms" {
  source = "../alarms"

  name           = var.name
  function_names = module.functions.function_names
  websocket_api = {
    api_id     = module.websocket_api.api_id
    stage_name = module.websocket_api.stage_name
  }
  table_names = {
    connections = module.tables.connections_table_name
    messages    = module.tables.messages_table_name
    handles     = module.tables.handles_table_name
    rooms       = module.tables.rooms_table_name
  }
  stale_connections_metric = {
    namespace  = local.metrics.namespace
    name       = "StaleConnectionsRemoved"
    dimensions = { service = local.metrics.service, environment = var.environment }
  }
  alarm_email = var.alarm_email
  kms_key_arn = var.kms_key_arn
  tags        = var.tags
}
