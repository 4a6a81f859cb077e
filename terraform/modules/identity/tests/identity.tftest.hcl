mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }

  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "eu-west-1_AbCdEf123"
      arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123"
    }
  }

  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "client0123456789" }
  }
}

variables {
  name = "chat-test"
}

run "a_user_pool_with_cognitos_secure_defaults" {
  command = apply

  assert {
    condition = (aws_cognito_user_pool.this[0].name == "chat-test-users" && aws_cognito_user_pool.this[0].user_pool_tier == "LITE"
    && aws_cognito_user_pool.this[0].deletion_protection == "INACTIVE")
    error_message = "a LITE pool named after the deployment, deletable by default"
  }

  assert {
    condition = (aws_cognito_user_pool.this[0].username_configuration[0].case_sensitive == false
      && aws_cognito_user_pool.this[0].auto_verified_attributes == toset(["email"])
    && one([for s in aws_cognito_user_pool.this[0].schema : s.required if s.name == "email"]) == true)
    error_message = "usernames case-insensitive; e-mail required and verified"
  }

  assert {
    condition = (aws_cognito_user_pool.this[0].mfa_configuration == "OPTIONAL"
      && aws_cognito_user_pool.this[0].software_token_mfa_configuration[0].enabled
      && aws_cognito_user_pool.this[0].password_policy[0].minimum_length >= 8
    && aws_cognito_user_pool.this[0].password_policy[0].require_symbols)
    error_message = "MFA optional with TOTP; Cognito's password policy"
  }

  assert {
    condition = (one(aws_cognito_user_pool.this[0].account_recovery_setting[0].recovery_mechanism).name == "verified_email"
    && aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only == false)
    error_message = "recovery by verified e-mail only; sign-up open by default"
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].email_configuration[0].email_sending_account == "COGNITO_DEFAULT"
    error_message = "Cognito's own e-mail sender without SES"
  }

  assert {
    condition = (aws_cognito_user_pool_client.this[0].generate_secret == false
      && aws_cognito_user_pool_client.this[0].explicit_auth_flows == toset(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
      && aws_cognito_user_pool_client.this[0].id_token_validity == 60
      && aws_cognito_user_pool_client.this[0].token_validity_units[0].id_token == "minutes"
      && aws_cognito_user_pool_client.this[0].prevent_user_existence_errors == "ENABLED"
    && aws_cognito_user_pool_client.this[0].enable_token_revocation)
    error_message = "a public client: SRP and refresh only, ID tokens of 60 minutes, no user existence errors, revocation on"
  }

  assert {
    condition = output.token == {
      issuer    = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
      audience  = "client0123456789"
      token_use = "id"
      jwks_url  = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json"
    }
    error_message = "ID tokens of the pool, for the app client"
  }

  assert {
    condition     = output.user_pool_id == "eu-west-1_AbCdEf123" && output.user_pool_client_id == "client0123456789" && output.sign_in_origin == "https://cognito-idp.eu-west-1.amazonaws.com"
    error_message = "the page signs in at Cognito's regional endpoint"
  }
}

run "invite_only_with_ses_and_deletion_protection" {
  command = plan

  variables {
    allow_sign_up       = false
    deletion_protection = true
    ses_from_address    = "Chat <no-reply@example.com>"
    ses_source_arn      = "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
  }

  assert {
    condition     = aws_cognito_user_pool.this[0].admin_create_user_config[0].allow_admin_create_user_only && aws_cognito_user_pool.this[0].deletion_protection == "ACTIVE"
    error_message = "sign-up off: administrators create users; deletion protection on"
  }

  assert {
    condition = (aws_cognito_user_pool.this[0].email_configuration[0].email_sending_account == "DEVELOPER"
      && aws_cognito_user_pool.this[0].email_configuration[0].source_arn == var.ses_source_arn
    && aws_cognito_user_pool.this[0].email_configuration[0].from_email_address == var.ses_from_address)
    error_message = "SES sends the e-mails when it is configured"
  }
}

run "an_external_issuer_creates_no_pool" {
  command = apply

  variables {
    oidc_issuer   = "https://login.example.com/"
    oidc_audience = "chat"
    oidc_jwks_url = "https://keys.example.com/jwks.json"
  }

  assert {
    condition     = length(aws_cognito_user_pool.this) == 0 && length(aws_cognito_user_pool_client.this) == 0
    error_message = "no user pool with an external issuer"
  }

  assert {
    condition = output.token == {
      issuer    = "https://login.example.com/"
      audience  = "chat"
      token_use = ""
      jwks_url  = "https://keys.example.com/jwks.json"
    }
    error_message = "the external issuer's settings, as given (the JWKS URL is not derived from the issuer)"
  }

  assert {
    condition     = output.user_pool_id == "" && output.user_pool_client_id == "" && output.sign_in_origin == null
    error_message = "no pool for the page to sign in at"
  }
}

run "half_an_external_issuer_is_refused" {
  command = plan

  variables {
    oidc_issuer = "https://login.example.com/"
  }

  expect_failures = [var.oidc_audience, var.oidc_jwks_url]
}

run "ses_needs_both_settings" {
  command = plan

  variables {
    ses_from_address = "no-reply@example.com"
  }

  expect_failures = [var.ses_source_arn]
}
