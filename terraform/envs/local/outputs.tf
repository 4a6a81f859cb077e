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
