output "site_url" {
  description = "URL of the chat site."
  value       = module.site.site_url
}

output "websocket_url" {
  description = "WebSocket URL in config.json."
  value       = local.websocket_url
}

output "site_bucket_name" {
  description = "Bucket the built frontend is uploaded to."
  value       = module.site.bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution ID (for invalidations)."
  value       = module.site.distribution_id
}

output "config_object_key" {
  description = "Key of the Terraform-managed config.json; uploads must never delete it."
  value       = module.site.config_object_key
}

output "api_id" {
  description = "ID of the WebSocket API."
  value       = module.websocket_api.api_id
}

output "api_custom_domain_target" {
  description = "DNS alias target of the API's custom domain (null without one)."
  value       = module.websocket_api.domain_name_target
}

output "distribution_domain_name" {
  description = "`*.cloudfront.net` name of the distribution (DNS alias target of the site's custom domain)."
  value       = module.site.distribution_domain_name
}

output "routes" {
  description = "Function name of each route key."
  value       = { for route_key, r in local.routes : route_key => module.functions.function_names[r.function] }
}

output "function_environment" {
  description = "Environment variables of the functions."
  value       = local.environment

  precondition {
    condition     = sort(keys(local.environment)) == sort(keys(local.contract.environment))
    error_message = "The functions' environment must hold exactly the variables of lambdas/serverless_chat/contract.json."
  }
}

output "authorizer_environment" {
  description = "The `$connect` authorizer's own environment variables, beside function_environment (empty when auth_mode is off)."
  value       = local.authorizer_environment

  precondition {
    condition     = !local.auth_on || sort(keys(local.authorizer_environment)) == sort(keys(local.contract.authorizer.environment))
    error_message = "The authorizer's environment must hold exactly the variables of contract.json's authorizer."
  }
}

output "authorizer_function_name" {
  description = "Name of the `$connect` authorizer function (null when auth_mode is off)."
  value       = local.auth_on ? module.functions.function_names[local.authorizer.function] : null
}

output "sign_in" {
  description = "What config.json tells the page about sign-in (`auth_mode`, `user_pool_id`, `user_pool_client_id`, `cognito_endpoint`) and the sign-in `origin` the CSP's connect-src allows (null for none)."
  value       = local.sign_in
}

output "handles_table_name" {
  description = "Name of the handles table."
  value       = module.tables.handles_table_name
}

output "function_policies" {
  description = "IAM policy (JSON) of each function, by function key."
  value       = module.functions.policies
}

output "connections_table_name" {
  description = "Name of the connections table."
  value       = module.tables.connections_table_name
}

output "messages_table_name" {
  description = "Name of the messages table."
  value       = module.tables.messages_table_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.alarms.topic_arn
}

output "security_headers" {
  description = "Security headers CloudFront serves."
  value       = module.site.security_headers
}

output "data_retention" {
  description = "What outlives a TTL, and for how long (README's Data and privacy table): the tables' point-in-time recovery and the access log."
  value = {
    point_in_time_recovery = module.tables.point_in_time_recovery
    access_log             = module.websocket_api.access_log
    log_retention_days     = var.log_retention_days
  }
}

output "sign_out" {
  description = "What signing a user out everywhere from outside the chat (`make disable-user`) needs: the user pool (empty when auth_mode is off), the handles table (their sign-out mark), the connections table and its indexes (their connections), and the `@connections` endpoint that closes them."
  value = {
    user_pool_id             = local.sign_in.user_pool_id
    handles_table            = module.tables.handles_table_name
    connections_table        = module.tables.connections_table_name
    room_index               = module.tables.room_index_name
    user_index               = module.tables.user_index_name
    connections_api_endpoint = coalesce(local.connections_api_endpoint, module.websocket_api.connections_endpoint)
  }
}
