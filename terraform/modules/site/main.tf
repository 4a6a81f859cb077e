locals {
  # The header values live in security_headers.json, which the local site server reads too.
  headers          = jsondecode(file("${path.module}/security_headers.json"))
  websocket_origin = regex("^wss?://[^/]+", var.websocket_url)

  # connect-src: the page itself (config.json), the WebSocket endpoint, and where it signs in.
  csp_directives = merge(local.headers.contentSecurityPolicy, {
    "connect-src" = concat(local.headers.contentSecurityPolicy["connect-src"], [local.websocket_origin], compact([var.sign_in.origin]))
  })
  content_security_policy = join("; ", [for name in sort(keys(local.csp_directives)) : "${name} ${join(" ", local.csp_directives[name])}"])

  hsts = local.headers.strictTransportSecurity
  security_headers = {
    "Content-Security-Policy"   = local.content_security_policy
    "Strict-Transport-Security" = join("; ", compact(["max-age=${local.hsts.maxAgeSeconds}", local.hsts.includeSubdomains ? "includeSubDomains" : "", local.hsts.preload ? "preload" : ""]))
    "X-Content-Type-Options"    = local.headers.contentTypeOptions
    "X-Frame-Options"           = local.headers.frameOptions
    "Referrer-Policy"           = local.headers.referrerPolicy
  }

  origin_id      = "site-bucket"
  cache_policy   = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  custom_domain  = var.custom_domain != null
  cdn_hostname   = try(aws_cloudfront_distribution.this[0].domain_name, null)
  site_hostnames = var.create_cdn ? (local.custom_domain ? var.custom_domain.aliases : [local.cdn_hostname]) : []
  sse_algorithm  = var.kms_key_arn == null ? "AES256" : "aws:kms"
  bucket_objects = "${aws_s3_bucket.this.arn}/*"

  # A page path that is not a room goes to this key (room_rewrite.js), which the bucket policy
  # denies to CloudFront: S3's 403 for it, and only for it, becomes the "not a room" view.
  not_a_room_key = "errors/not-a-room"
  # A missing file's 404 gets this object (Terraform's), not S3's XML error.
  not_found_key = "errors/not-found.txt"
  # How long an edge keeps either error: short, since a deploy can add a missing file.
  error_caching_seconds = 60
}

# ----------------------------------------------------------------- bucket (private)

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:The bucket is private and read only by CloudFront through origin access control; its writers are Terraform and `make deploy`, both in CloudTrail
  #checkov:skip=CKV_AWS_144:The bucket holds a build of this repository and config.json written by Terraform; `make deploy` recreates it anywhere, so a replica adds cost, not resilience
  #checkov:skip=CKV2_AWS_62:Nothing reacts to uploads of the static site; `make deploy` invalidates CloudFront itself
  bucket_prefix = "${var.name}-"
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_policy" "this" {
  count = var.create_cdn ? 1 : 0

  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudFrontReadsObjects"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = local.bucket_objects
        Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.this[0].arn } }
      },
      {
        # With ListBucket a missing key is a 404, not a 403: a missing file stays a (plain) 404,
        # and a 403 means only the denied not-a-room key below.
        Sid       = "CloudFrontSeesMissingObjects"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:ListBucket"
        Resource  = aws_s3_bucket.this.arn
        Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.this[0].arn } }
      },
      {
        # S3 answers 403 for this key alone; the distribution turns it into the "not a room" view.
        Sid       = "NotARoomIsForbidden"
        Effect    = "Deny"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.this.arn}/${local.not_a_room_key}"
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.this.arn, local.bucket_objects]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Terraform owns config.json, so one frontend build serves every environment;
# `make deploy` uploads the built files around it and never deletes it.
resource "aws_s3_object" "config" {
  bucket = aws_s3_bucket.this.id
  key    = "config.json"
  content = jsonencode({
    websocketUrl     = var.websocket_url
    authMode         = var.sign_in.auth_mode
    userPoolId       = var.sign_in.user_pool_id
    userPoolClientId = var.sign_in.user_pool_client_id
    cognitoEndpoint  = var.sign_in.cognito_endpoint
  })
  content_type  = "application/json"
  cache_control = "no-cache"

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this, aws_s3_bucket_ownership_controls.this]
}

# What a missing file answers through CloudFront (with a 404), instead of S3's XML error.
resource "aws_s3_object" "not_found" {
  bucket        = aws_s3_bucket.this.id
  key           = local.not_found_key
  content       = "Not Found\n"
  content_type  = "text/plain; charset=utf-8"
  cache_control = "no-cache"

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this, aws_s3_bucket_ownership_controls.this]
}

# ----------------------------------------------------------------- CloudFront

data "aws_region" "current" {}

locals {
  # CloudFront's names are global to the account: the region of the stack in them lets the same
  # site name be deployed to two regions. Each is at most 64 characters (CloudFront's limit).
  cloudfront_names = {
    origin_access_control = "${var.name}-site-${data.aws_region.current.name}"
    room_rewrite          = "${var.name}-room-rewrite-${data.aws_region.current.name}"
    security_headers      = "${var.name}-security-headers-${data.aws_region.current.name}"
  }
}

# In use by the distribution, none of these can be deleted before it lets go of them: a renamed
# one is created first, the distribution moves to it, and then the old one is deleted.
resource "aws_cloudfront_origin_access_control" "this" {
  count = var.create_cdn ? 1 : 0

  name                              = local.cloudfront_names.origin_access_control
  description                       = "CloudFront reads the private site bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = alltrue([for n in values(local.cloudfront_names) : length(n) <= 64])
      error_message = "CloudFront names are at most 64 characters: shorten name."
    }
  }
}

resource "aws_cloudfront_function" "room_rewrite" {
  count = var.create_cdn ? 1 : 0

  name    = local.cloudfront_names.room_rewrite
  comment = "Serves /index.html for room paths (/<room>); other page paths get the not-a-room view"
  runtime = "cloudfront-js-2.0"
  publish = true
  code = templatefile("${path.module}/room_rewrite.js", {
    room_id_pattern = var.room_id_pattern
    not_a_room_key  = local.not_a_room_key
  })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudfront_response_headers_policy" "this" {
  #checkov:skip=CKV_AWS_259:HSTS is two years with includeSubDomains; preload stays off because *.cloudfront.net cannot be preloaded by us and preloading a custom domain is an irreversible choice for its owner (security_headers.json)
  count = var.create_cdn ? 1 : 0

  name    = local.cloudfront_names.security_headers
  comment = "Security headers from security_headers.json"

  security_headers_config {
    content_security_policy {
      content_security_policy = local.content_security_policy
      override                = true
    }

    strict_transport_security {
      access_control_max_age_sec = local.hsts.maxAgeSeconds
      include_subdomains         = local.hsts.includeSubdomains
      preload                    = local.hsts.preload
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = local.headers.frameOptions
      override     = true
    }

    referrer_policy {
      referrer_policy = local.headers.referrerPolicy
      override        = true
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:Without a custom domain the default *.cloudfront.net certificate is used and CloudFront then only allows TLSv1; with custom_domain set the minimum is TLSv1.2_2021
  #checkov:skip=CKV_AWS_86:Standard logging needs a second bucket with ACLs enabled, which BucketOwnerEnforced rules out here; CloudFront metrics cover a static chat client
  #checkov:skip=CKV_AWS_374:A public chat has no geography to exclude; attach a WAF web ACL (web_acl_arn) for geo rules
  #checkov:skip=CKV_AWS_310:One origin: the static files exist only in this bucket, so there is nothing to fail over to
  #checkov:skip=CKV2_AWS_47:The WAF web ACL is optional and managed outside this stack (web_acl_arn); its rule set is its owner's choice
  count = var.create_cdn ? 1 : 0

  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${var.name} site"
  default_root_object = "index.html"
  price_class         = var.price_class
  aliases             = local.custom_domain ? var.custom_domain.aliases : []
  web_acl_id          = var.web_acl_arn

  origin {
    origin_id                = local.origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this[0].id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.cache_policy
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.room_rewrite[0].arn
    }
  }

  # A page path that is not a room (room_rewrite.js sends it to the denied not_a_room_key): the
  # page itself, whose router shows the "not a room" view, with a 404. CloudFront cannot tell
  # that 403 from a WAF block: a web ACL that wants its own block page sets a custom response
  # (it takes precedence over this one).
  custom_error_response {
    error_code            = 403
    response_code         = 404
    response_page_path    = "/index.html"
    error_caching_min_ttl = local.error_caching_seconds
  }

  # A missing file (an old asset, a mistyped /config.json): a plain-text 404, never HTML.
  custom_error_response {
    error_code            = 404
    response_code         = 404
    response_page_path    = "/${local.not_found_key}"
    error_caching_min_ttl = local.error_caching_seconds
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.custom_domain ? var.custom_domain.certificate_arn : null
    ssl_support_method             = local.custom_domain ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }

  tags = var.tags
}
