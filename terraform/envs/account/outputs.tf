output "cloudwatch_role_arn" {
  description = "The role the account's API Gateway setting names after this apply: ours, or the adopted one."
  value       = local.manage ? aws_iam_role.cloudwatch[0].arn : var.registered_role_arn
}

output "managed" {
  description = "Whether this root manages the role and the setting (false: another stack's role was adopted and is left alone)."
  value       = local.manage
}

output "adopted_role_arn" {
  description = "The other stack's role that was found registered and adopted, or null."
  value       = local.manage ? null : var.registered_role_arn
}
