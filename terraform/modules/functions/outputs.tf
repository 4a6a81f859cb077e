output "function_names" {
  description = "Function names by key."
  value       = { for k, f in aws_lambda_function.this : k => f.function_name }
}

output "function_arns" {
  description = "Function ARNs by key."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "invoke_arns" {
  description = "Invoke ARNs by key, for API Gateway integrations."
  value       = { for k, f in aws_lambda_function.this : k => f.invoke_arn }
}

output "role_arns" {
  description = "Execution role ARNs by key."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "log_group_names" {
  description = "Log group names by key."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "policies" {
  description = "The rendered IAM policy document (JSON) of each function, by key."
  value       = local.policies
}

output "environments" {
  description = "Environment variables of each function, by key: the shared ones and the function's own."
  value       = { for k, f in var.functions : k => merge(f.environment, var.environment) }
}
