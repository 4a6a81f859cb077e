# The local stack: every AWS service goes to the emulator (LocalStack, or moto server when no
# LocalStack answers). The state path is given at init: `-backend-config=path=...`.
terraform {
  backend "local" {}
}

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false # the emulator answers sts:GetCallerIdentity
  s3_use_path_style           = true

  endpoints {
    apigateway     = var.emulator_endpoint
    apigatewayv2   = var.emulator_endpoint
    cloudfront     = var.emulator_endpoint
    cloudwatch     = var.emulator_endpoint
    cloudwatchlogs = var.emulator_endpoint
    cognitoidp     = var.emulator_endpoint
    dynamodb       = var.emulator_endpoint
    iam            = var.emulator_endpoint
    kms            = var.emulator_endpoint
    lambda         = var.emulator_endpoint
    s3             = var.emulator_endpoint
    sns            = var.emulator_endpoint
    sts            = var.emulator_endpoint
  }

  default_tags {
    tags = var.tags
  }
}

# The local user pool, when auth_mode asks for sign-in: the emulator's Cognito. `make local-user`
# creates confirmed users in it (no e-mail is sent locally).
module "identity" {
  source = "../../modules/identity"
  count  = var.auth_mode == "off" ? 0 : 1

  name = "serverless-chat-local"
}

module "chat" {
  source = "../../modules/chat"

  name                = "serverless-chat-local"
  stage_name          = "local"
  environment         = "local"
  lambda_package_path = var.lambda_package_path
  auth_mode           = var.auth_mode
  # MiniStack issues tokens under AWS's issuer URL (https://cognito-idp.<region>.amazonaws.com/
  # <pool id>) but signs them with keys of its own, served at <endpoint>/<pool id>/.well-known/
  # jwks.json (ministack/app.py, services/cognito.py's well_known_jwks): the authorizer fetches
  # them there. The page signs in at the emulator too (cognitoEndpoint), and the CSP allows it.
  identity = var.auth_mode == "off" ? null : merge(module.identity[0].token, {
    jwks_url            = "${var.emulator_endpoint}/${module.identity[0].user_pool_id}/.well-known/jwks.json"
    user_pool_id        = module.identity[0].user_pool_id
    user_pool_client_id = module.identity[0].user_pool_client_id
    cognito_endpoint    = var.emulator_endpoint
    sign_in_origin      = regex("^https?://[^/]+", var.emulator_endpoint)
  })
  websocket_url       = var.websocket_url
  allowed_origins     = var.allowed_origins
  deletion_protection = false
  site_force_destroy  = true
  # The emulator's tables are thrown away with it, so there is nothing to restore (and MiniStack
  # does not keep PITR's recovery period, which would show as drift on every plan); every local
  # client is 127.0.0.1, so the access log leaves the address out.
  point_in_time_recovery = { enabled = false }
  # Every local client, the tests' and the load tests' included, is 127.0.0.1: the caps per
  # source address are off here; the tests of the caps switch them on (tests/integration).
  limits     = { connections_per_address = 0, connects_per_address_per_minute = 0 }
  access_log = { source_ip = false, retention_in_days = 1 }
  # The emulator's address of the API's @connections: MiniStack's own data plane serves it, and
  # the local data plane takes the functions' requests to it (scripts/local_gateway/README.md).
  connections_api_base_url = "${var.emulator_endpoint}/_aws/execute-api"

  # What the emulator cannot create, switched off here only (see terraform/README.md):
  # moto has no API Gateway v2 deployments, no CloudFront response headers policies or
  # functions, cannot read a distribution back as written, and serves plain HTTP (which the
  # TLS-only bucket policy refuses). The local site server serves the site instead.
  create_api_deployment = false
  create_cdn            = false
  # Not an emulator gap but a wait: the site bucket's old-version expiry rule makes the AWS
  # provider wait about a minute for S3 to settle, on every fresh emulator.
  site_versioning = false
}
