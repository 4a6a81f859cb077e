# Who may sign in: an Amazon Cognito user pool and the page's app client, or an external OpenID
# Connect issuer named by three settings. Either way the outputs are what the $connect authorizer
# checks an ID token against (issuer, audience, token_use, JWKS URL) and what the page needs.

data "aws_region" "current" {}

locals {
  create_user_pool = var.oidc_issuer == null

  # Where Cognito publishes a pool's issuer and keys (the JWKS URL is a setting of the
  # authorizer: an emulator's keys live elsewhere, and envs/local says where).
  cognito_origin = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com"
  pool_id        = local.create_user_pool ? aws_cognito_user_pool.this[0].id : ""
}

resource "aws_cognito_user_pool" "this" {
  count = local.create_user_pool ? 1 : 0

  name                = "${var.name}-users"
  user_pool_tier      = var.user_pool_tier
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  # The handle of a user is claimed from the username (cognito:username): `Ada` and `ada` are one.
  username_configuration {
    case_sensitive = false
  }

  auto_verified_attributes = ["email"]
  mfa_configuration        = "OPTIONAL"

  software_token_mfa_configuration {
    enabled = true
  }

  # Cognito's defaults, written out so a review sees them (and no console edit drifts).
  password_policy {
    minimum_length                   = 8
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 7
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.allow_sign_up
  }

  # Cognito's own sender (COGNITO_DEFAULT) is capped at a few e-mails a day; SES is not.
  email_configuration {
    email_sending_account = var.ses_source_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    from_email_address    = var.ses_from_address
    source_arn            = var.ses_source_arn
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 0
      max_length = 2048
    }
  }

  tags = var.tags
}

# The page's client: a public one (no secret: a browser cannot keep one), signing in by SRP, so
# the password never leaves the browser, and refreshing its tokens.
resource "aws_cognito_user_pool_client" "this" {
  count = local.create_user_pool ? 1 : 0

  name         = "${var.name}-page"
  user_pool_id = aws_cognito_user_pool.this[0].id

  generate_secret     = false
  explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

  id_token_validity      = 60
  access_token_validity  = 60
  refresh_token_validity = 30

  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }

  # Sign-in answers the same for an unknown user and a wrong password; signing out revokes.
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
}
