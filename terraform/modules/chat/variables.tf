variable "name" {
  description = "Name of this deployment, e.g. `serverless-chat-dev`: the prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,27}$", var.name))
    error_message = "name must be 3-28 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "environment" {
  description = "The environment this deployment is, e.g. `dev` or `prod`: the `environment` dimension of the functions' metrics, which the stale-connection alarm filters on, so environments in one account never see each other's metrics."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be 1-16 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "auth_mode" {
  description = <<-EOT
    Who may connect (README, Sign-in). `off`: guests only, no authorizer, the seed's chat.
    `optional`: guests and signed-in users side by side: a `$connect` authorizer with no
    identity source admits guests itself and verifies a token when one is offered. `required`:
    signed-in users only: without the token's header, API Gateway refuses the handshake (401).
    The functions get it as AUTH_MODE.
  EOT
  type        = string
  default     = "off"

  validation {
    condition     = contains(["off", "optional", "required"], var.auth_mode)
    error_message = "auth_mode must be off, optional or required."
  }
}

variable "identity" {
  description = <<-EOT
    Who signs users in, when auth_mode is not `off` (modules/identity's outputs): the ID token's
    `issuer`, `audience` and `token_use` and the `jwks_url` of its keys, for the authorizer; the
    Cognito `user_pool_id` and `user_pool_client_id`, `cognito_endpoint` (empty on AWS, the
    emulator's URL locally) and `sign_in_origin` (the origin the CSP lets the page sign in at;
    null for none), for the page.
  EOT
  type = object({
    issuer              = string
    audience            = string
    token_use           = string
    jwks_url            = string
    user_pool_id        = optional(string, "")
    user_pool_client_id = optional(string, "")
    cognito_endpoint    = optional(string, "")
    sign_in_origin      = optional(string)
  })
  default = null

  validation {
    condition     = var.auth_mode == "off" || var.identity != null
    error_message = "auth_mode optional or required needs identity (modules/identity's outputs)."
  }

  validation {
    condition     = var.identity == null ? true : can(regex("^https?://[^\\s]+$", var.identity.jwks_url)) && can(regex("^https://", var.identity.issuer))
    error_message = "identity.issuer must be an https URL and identity.jwks_url an http(s) URL."
  }
}

variable "stage_name" {
  description = "Stage of the WebSocket API; the last path segment of the WebSocket URL."
  type        = string
  default     = "prod"
}

variable "lambda_package_path" {
  description = "Path of the Lambda package zip (`make package` builds `build/lambdas.zip`)."
  type        = string
}

variable "limits" {
  description = <<-EOT
    Chat limits given to the functions. Every null falls back to the limits of lambdas/serverless_chat/contract.json,
    the one source of truth the functions and the frontend read too.
  EOT
  type = object({
    room_member_limit      = optional(number)
    typing_room_size_limit = optional(number)
    rate_limit_per_second  = optional(number)
    rate_limit_burst       = optional(number)
    message_retention_days = optional(number)
    # New connections per source address (an IPv4 address, an IPv6 /64), 0 for off: clients
    # behind one proxy or NAT share an address, so a deployment that serves them turns these
    # up or off (README, Limits).
    connections_per_address         = optional(number)
    connects_per_address_per_minute = optional(number)
  })
  default = {}

  validation {
    condition = alltrue([for cap in [var.limits.connections_per_address, var.limits.connects_per_address_per_minute] :
    cap == null ? true : cap >= 0 && cap <= 1000 && floor(cap) == cap])
    error_message = "limits.connections_per_address and limits.connects_per_address_per_minute must be whole numbers from 0 (off) to 1000."
  }

  validation {
    condition     = var.limits.typing_room_size_limit == null ? true : var.limits.typing_room_size_limit >= 0 && floor(var.limits.typing_room_size_limit) == var.limits.typing_room_size_limit
    error_message = "limits.typing_room_size_limit must be a whole number of members, 0 or more (0: typing is never forwarded)."
  }
}

variable "fanout_concurrency" {
  description = "Threads a function uses to post a message to the members of a room. null: the contract's defaultFanoutConcurrency (64)."
  type        = number
  default     = null

  validation {
    condition     = var.fanout_concurrency == null ? true : var.fanout_concurrency >= 1 && var.fanout_concurrency <= 512
    error_message = "fanout_concurrency must be between 1 and 512."
  }
}

variable "allowed_origins" {
  description = "Browser origins allowed on $connect. null allows the site's own origins (CloudFront domain or custom aliases); [] allows any."
  type        = list(string)
  default     = null
}

variable "log_level" {
  description = "Log level of the functions (POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "lambda_memory_size" {
  description = "Memory of each function in MB (CPU scales with it; the fan-out is a thread pool)."
  type        = number
  default     = 1024
}

variable "lambda_timeout" {
  description = "Timeout of each function in seconds (at most 29, the API Gateway integration limit)."
  type        = number
  default     = 29
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of each function; -1 reserves none (the default: new accounts have a quota of 10)."
  type        = number
  default     = -1
}

variable "api_throttling" {
  description = "Default route throttling of the stage: steady requests per second and burst."
  type = object({
    rate_limit  = optional(number, 500)
    burst_limit = optional(number, 1000)
  })
  default = {}
}

variable "log_retention_days" {
  description = "Retention of the function and execution log groups in days (the access log has its own: `access_log`)."
  type        = number
  default     = 30
}

variable "point_in_time_recovery" {
  description = <<-EOT
    Point-in-time recovery of both tables. On, every message, name and source IP stays restorable
    for `recovery_period_in_days` (1-35) after it was deleted or expired; null: the message
    retention (limits.message_retention_days, 7 by default, at most 35), so a deleted message is
    restorable as long as a kept one is readable. Off: nothing outlives its TTL.
  EOT
  type = object({
    enabled                 = optional(bool, true)
    recovery_period_in_days = optional(number)
  })
  default  = {}
  nullable = false
}

variable "access_log" {
  description = <<-EOT
    The WebSocket stage's access log (modules/websocket-api): whether every line carries the
    client's source IP (default true) and how many days it is kept (default 7, a retention
    CloudWatch Logs accepts). null attributes take the websocket-api module's defaults.
  EOT
  type = object({
    source_ip         = optional(bool)
    retention_in_days = optional(number)
  })
  default  = {}
  nullable = false
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection (on in prod)."
  type        = bool
  default     = false
}

variable "site_force_destroy" {
  description = "Let `terraform destroy` empty and delete the site bucket (off in prod)."
  type        = bool
  default     = false
}

variable "websocket_url" {
  description = "WebSocket URL written to config.json and allowed by the CSP. null uses the API's own (`wss://…/<stage>` or the custom domain); the local stack sets `ws://127.0.0.1:8081/local`."
  type        = string
  default     = null
}

variable "create_api_deployment" {
  description = "Emulator switch: false skips the API Gateway deployment (moto has none). Always true on AWS."
  type        = bool
  default     = true
}

variable "create_cdn" {
  description = "Emulator switch: false skips the CloudFront distribution, its headers policy and rewrite function, and the site bucket policy (moto cannot read a distribution back as written, has no headers policies or functions, and serves plain HTTP). Always true on AWS; the local site server serves the site instead."
  type        = bool
  default     = true
}

variable "site_versioning" {
  description = "Keep old versions of the site's objects for a while (see modules/site). Off only in envs/local: the emulator's bucket is thrown away, and creating the expiry rule makes the AWS provider wait about a minute."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "Optional e-mail address subscribed to the alarm topic."
  type        = string
  default     = null
}

variable "site_custom_domain" {
  description = "Optional: aliases of the site and an ACM certificate ARN in us-east-1 covering them. DNS records are yours to create."
  type = object({
    aliases         = list(string)
    certificate_arn = string
  })
  default = null
}

variable "api_custom_domain" {
  description = "Optional: a custom domain of the WebSocket API and a regional ACM certificate ARN. DNS records are yours to create."
  type = object({
    name            = string
    certificate_arn = string
  })
  default = null
}

variable "connections_api_base_url" {
  description = "Optional: where the functions reach the @connections API, without the API id and stage (they post to `<base>/<api id>/<stage>`), for an emulator that serves it under its own path, e.g. `http://127.0.0.1:4566/_aws/execute-api`. null: the API's own endpoint (the event's `https://{domainName}/{stage}`, or the execute-api endpoint behind a custom domain)."
  type        = string
  default     = null

  validation {
    condition     = var.connections_api_base_url == null ? true : can(regex("^https?://[^/]+(/.*[^/])?$", var.connections_api_base_url))
    error_message = "connections_api_base_url must be an http(s) URL without a trailing slash."
  }
}

variable "web_acl_arn" {
  description = "Optional WAFv2 web ACL (scope CLOUDFRONT) for the site's distribution."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Optional customer managed KMS key for tables, log groups, function environments, the alarm topic and the site bucket. Its key policy must allow CloudWatch Logs, CloudWatch (alarms to SNS) and the CloudFront distribution."
  type        = string
  default     = null
}

variable "tracing_enabled" {
  description = "Optional AWS X-Ray active tracing of the functions."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (prefer the provider's default_tags in roots)."
  type        = map(string)
  default     = {}
}
