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

output "sign_in" {
  description = "How the page signs in (config.json): auth_mode, user pool and app client ids (empty when off)."
  value       = module.chat.sign_in
}

output "sign_out" {
  description = "What `make disable-user` needs to sign a user out everywhere: user pool, tables and indexes, `@connections` endpoint."
  value       = module.chat.sign_out
}
