output "api_id" {
  description = "ID of the API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Endpoint of the API without the stage (`wss://<id>.execute-api.<region>.amazonaws.com`)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "execution_arn" {
  description = "Execution ARN of the API (`arn:aws:execute-api:<region>:<account>:<id>`)."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_apigatewayv2_stage.this.name
}

output "stage_execution_arn" {
  description = "Execution ARN of the stage (`<execution_arn>/<stage>`); `@connections` permissions hang below it."
  value       = "${aws_apigatewayv2_api.this.execution_arn}/${var.stage_name}"
}

output "websocket_url" {
  description = "URL clients connect to: the custom domain when one is set, else `wss://…/<stage>`."
  value       = var.domain_name == null ? "${aws_apigatewayv2_api.this.api_endpoint}/${var.stage_name}" : "wss://${var.domain_name.name}"
}

output "connections_endpoint" {
  description = "HTTPS endpoint of the `@connections` management API of the stage (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`)."
  value       = "${replace(aws_apigatewayv2_api.this.api_endpoint, "wss://", "https://")}/${var.stage_name}"
}

output "route_ids" {
  description = "Route IDs by route key."
  value       = { for k, r in local.routes : k => r.id }
}

output "integration_ids" {
  description = "Integration IDs by route key."
  value       = { for k, i in aws_apigatewayv2_integration.this : k => i.id }
}

output "authorizer_id" {
  description = "ID of the `$connect` authorizer (null when auth_mode is off)."
  value       = one(aws_apigatewayv2_authorizer.this[*].id)
}

output "deployment_triggers" {
  description = "The triggers of the deployment; they change whenever a route or an integration changes."
  value       = local.deployment_triggers
}

output "deployment_id" {
  description = "ID of the current deployment (null when create_deployment is false)."
  value       = try(aws_apigatewayv2_deployment.this[0].id, null)
}

output "access_log_group_name" {
  description = "Name of the stage's access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "domain_name_target" {
  description = "Regional target domain name and hosted zone of the custom domain, for a DNS alias record (null without a custom domain)."
  value = var.domain_name == null ? null : {
    domain_name    = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
    hosted_zone_id = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].hosted_zone_id
  }
}

output "access_log" {
  description = "The access log as configured: `source_ip` (whether lines carry the client's address) and `retention_in_days`."
  value = {
    source_ip         = var.access_log.source_ip
    retention_in_days = aws_cloudwatch_log_group.access.retention_in_days
  }
}
