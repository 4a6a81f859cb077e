output "token" {
  description = "What the `$connect` authorizer checks an ID token against: `issuer` (iss), `audience` (aud: the app client id, or the external issuer's audience), `token_use` (`id` for Cognito, empty for an external issuer, whose tokens carry no such claim) and `jwks_url` (Cognito's own for the pool; an emulator's keys are elsewhere, so envs/local sets its own)."
  value = {
    issuer    = local.create_user_pool ? "${local.cognito_origin}/${local.pool_id}" : var.oidc_issuer
    audience  = local.create_user_pool ? aws_cognito_user_pool_client.this[0].id : var.oidc_audience
    token_use = local.create_user_pool ? "id" : ""
    jwks_url  = local.create_user_pool ? "${local.cognito_origin}/${local.pool_id}/.well-known/jwks.json" : var.oidc_jwks_url
  }
}

output "user_pool_id" {
  description = "ID of the user pool (`<region>_<id>`); empty with an external issuer."
  value       = local.pool_id
}

output "user_pool_arn" {
  description = "ARN of the user pool; null with an external issuer."
  value       = try(aws_cognito_user_pool.this[0].arn, null)
}

output "user_pool_client_id" {
  description = "ID of the page's app client; empty with an external issuer."
  value       = try(aws_cognito_user_pool_client.this[0].id, "")
}

output "sign_in_origin" {
  description = "The origin the page signs in at (Cognito's regional endpoint), for the site's CSP `connect-src`; null with an external issuer (the page has no sign-in of its own then)."
  value       = local.create_user_pool ? local.cognito_origin : null
}
