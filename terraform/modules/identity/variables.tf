variable "name" {
  description = "Name of this deployment, e.g. `serverless-chat-dev`: the user pool is `<name>-users`, its app client `<name>-page`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,27}$", var.name))
    error_message = "name must be 3-28 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "allow_sign_up" {
  description = "Let anyone sign up from the page. false: invite-only, users are created by an administrator (AdminCreateUser, `make local-user` locally)."
  type        = bool
  default     = true
}

variable "user_pool_tier" {
  description = "Feature plan of the user pool: LITE (the default: sign-in with a password by SRP, TOTP MFA, token revocation; the lowest price per monthly active user), ESSENTIALS (AWS's own default: adds managed login, passwordless and token customisation, none of which the chat uses) or PLUS (threat protection)."
  type        = string
  default     = "LITE"

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.user_pool_tier)
    error_message = "user_pool_tier must be LITE, ESSENTIALS or PLUS."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the user pool (on in prod): deleting it deletes every account."
  type        = bool
  default     = false
}

variable "ses_from_address" {
  description = "Optional sender of Cognito's e-mails (verification codes, password resets) through Amazon SES, e.g. `Chat <no-reply@example.com>`. null: Cognito's own sender, capped at a few e-mails a day per account, enough to try the chat, not to run it."
  type        = string
  default     = null
}

variable "ses_source_arn" {
  description = "ARN of the verified SES identity that sends as `ses_from_address` (with it, or both null)."
  type        = string
  default     = null

  validation {
    condition     = (var.ses_source_arn == null) == (var.ses_from_address == null)
    error_message = "ses_from_address and ses_source_arn are set together, or neither."
  }

  validation {
    condition     = var.ses_source_arn == null ? true : can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", var.ses_source_arn))
    error_message = "ses_source_arn must be the ARN of an SES identity (arn:aws:ses:<region>:<account>:identity/<domain or address>)."
  }
}

variable "oidc_issuer" {
  description = "Instead of a user pool: the `iss` of an external OpenID Connect issuer's ID tokens (with oidc_audience and oidc_jwks_url; no pool is created then)."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_issuer == null ? true : can(regex("^https://[^\\s]+$", var.oidc_issuer))
    error_message = "oidc_issuer must be an https URL."
  }
}

variable "oidc_audience" {
  description = "The `aud` the external issuer's ID tokens carry for this chat (its client id there)."
  type        = string
  default     = null

  validation {
    condition     = (var.oidc_audience == null) == (var.oidc_issuer == null)
    error_message = "oidc_issuer, oidc_audience and oidc_jwks_url are set together, or none of them."
  }
}

variable "oidc_jwks_url" {
  description = "Where the external issuer publishes its signing keys (its `jwks_uri`). A setting of its own, never derived from the issuer."
  type        = string
  default     = null

  validation {
    condition     = (var.oidc_jwks_url == null) == (var.oidc_issuer == null)
    error_message = "oidc_issuer, oidc_audience and oidc_jwks_url are set together, or none of them."
  }

  validation {
    condition     = var.oidc_jwks_url == null ? true : can(regex("^https://[^\\s]+$", var.oidc_jwks_url))
    error_message = "oidc_jwks_url must be an https URL."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
