variable "name" {
  description = "Name of the site; prefix of the bucket name and of the CloudFront names (origin access control, function, headers policy), which end in the region too: they are global to the account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or '-' (it prefixes an S3 bucket name)."
  }
}

variable "websocket_url" {
  description = "WebSocket URL the page connects to (`wss://…/<stage>`); written to `config.json` and allowed in the CSP's connect-src."
  type        = string

  validation {
    condition     = can(regex("^wss?://[^/]+", var.websocket_url))
    error_message = "websocket_url must start with wss:// (or ws:// for a local stack)."
  }
}

variable "sign_in" {
  description = <<-EOT
    What the page needs to sign in, written to config.json beside websocketUrl: `auth_mode`
    (authMode: off, optional or required), the Cognito `user_pool_id` and `user_pool_client_id`,
    and `cognito_endpoint` (empty on AWS, where the SDK finds Cognito's regional endpoint itself;
    an emulator's URL locally). `origin` is what the CSP's connect-src adds for sign-in
    (`https://cognito-idp.<region>.amazonaws.com`), null for nothing.
  EOT
  type = object({
    auth_mode           = optional(string, "off")
    user_pool_id        = optional(string, "")
    user_pool_client_id = optional(string, "")
    cognito_endpoint    = optional(string, "")
    origin              = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["off", "optional", "required"], var.sign_in.auth_mode)
    error_message = "sign_in.auth_mode must be off, optional or required."
  }

  validation {
    condition     = var.sign_in.origin == null ? true : can(regex("^https?://[^/]+$", var.sign_in.origin))
    error_message = "sign_in.origin must be an origin: scheme://host[:port], no path."
  }
}

variable "room_id_pattern" {
  description = "Regular expression (without anchors) of a room id: paths `/<room>` matching it are served `/index.html`."
  type        = string
  default     = "[A-Za-z0-9_-]{1,64}"
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects (all versions). Off in prod."
  type        = bool
  default     = false
}

variable "versioning" {
  description = "Keep overwritten and deleted objects as old versions, expired after noncurrent_version_retention_days. Off only where nothing needs recovering (the local emulator): creating the expiry rule makes the AWS provider wait about a minute for S3 to settle."
  type        = bool
  default     = true
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "create_cdn" {
  description = <<-EOT
    Create the CloudFront side: the distribution with its origin access control, the response
    headers policy (CSP, HSTS, ...), the room-path rewrite function, and the bucket policy that lets
    the distribution read and refuses plain HTTP. Always true on AWS. False only for an emulator
    (moto cannot read a distribution back as written, has no response headers policies or
    functions, and serves plain HTTP); the local site server then serves the files with the same
    security_headers.json.
  EOT
  type        = bool
  default     = true
}

variable "custom_domain" {
  description = "Optional custom domain: aliases of the distribution and an ACM certificate ARN in us-east-1 that covers them."
  type = object({
    aliases         = list(string)
    certificate_arn = string
  })
  default = null

  validation {
    condition     = var.custom_domain == null || try(length(var.custom_domain.aliases) > 0, false)
    error_message = "custom_domain.aliases must name at least one domain."
  }
}

variable "web_acl_arn" {
  description = "Optional WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) attached to the distribution."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Optional customer managed KMS key for the bucket; its key policy must let CloudFront (the distribution) decrypt. null uses SSE-S3 (AES256)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
