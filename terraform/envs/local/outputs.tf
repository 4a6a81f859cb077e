output "site_url" {
  description = "URL of the chat site."
  value       = module.chat.site_url
}

output "websocket_url" {
  description = "WebSocket URL the site connects to."
  value       = module.chat.websocket_url
}

output "site_bucket_name" {
  description = "Bucket `make deploy` uploads the frontend to."
  value       = module.chat.site_bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution `make deploy` invalidates."
  value       = module.chat.distribution_id
}

output "api_id" {
  description = "ID of the WebSocket API."
  value       = module.chat.api_id
}

output "routes" {
  description = "Function name of each route key (the local stack updates their code on an edit under lambdas/)."
  value       = module.chat.routes
}

output "sign_in" {
  description = "How the page signs in (config.json): auth_mode, user pool and app client ids, the emulator's endpoint; and the origin the site's CSP allows for it (null when off)."
  value       = module.chat.sign_in
}

output "authorizer_function_name" {
  description = "The $connect authorizer function (null when auth_mode is off); the local stack updates its code with the routes'."
  value       = module.chat.authorizer_function_name
}

output "sign_out" {
  description = "What `make disable-user` needs to sign a user out everywhere: user pool, tables and indexes, `@connections` endpoint."
  value       = module.chat.sign_out
}
