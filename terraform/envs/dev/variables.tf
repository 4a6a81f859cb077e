variable "region" {
  description = "AWS region of the stack, the same as its state bucket's: `make plan|deploy|destroy` pass the one REGION (see terraform/README.md). The CloudFront certificate of a custom domain is in us-east-1 regardless."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name, like eu-west-1."
  }
}

variable "lambda_package_path" {
  description = "Path of the Lambda package zip (`make package`), relative to this directory or absolute."
  type        = string
  default     = "../../../build/lambdas.zip"
}

variable "alarm_email" {
  description = "Optional e-mail address that receives the alarms (confirm the subscription mail)."
  type        = string
  default     = null
}

variable "auth_mode" {
  description = "Who may connect (README, Sign-in): `off` (guests only, the default), `optional` (guests and signed-in users) or `required` (signed-in users only). Not `off`: a user pool (or the external issuer of `identity`) and the $connect authorizer."
  type        = string
  default     = "off"

  validation {
    condition     = contains(["off", "optional", "required"], var.auth_mode)
    error_message = "auth_mode must be off, optional or required."
  }
}

variable "identity" {
  description = "Sign-in when auth_mode is not `off` (modules/identity): `allow_sign_up` (false: invite-only), `ses_from_address` and `ses_source_arn` to send Cognito's e-mails through SES, or `oidc_issuer`, `oidc_audience` and `oidc_jwks_url` for an external OpenID Connect issuer instead of a user pool."
  type = object({
    allow_sign_up    = optional(bool, true)
    ses_from_address = optional(string)
    ses_source_arn   = optional(string)
    oidc_issuer      = optional(string)
    oidc_audience    = optional(string)
    oidc_jwks_url    = optional(string)
  })
  default  = {}
  nullable = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { Project = "serverless-chat", Environment = "dev" }
}
