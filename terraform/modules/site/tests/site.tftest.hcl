mock_provider "aws" {
  # The region of the stack, which global names (IAM, CloudFront) end in.
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }

  mock_resource "aws_cloudfront_function" {
    defaults = {
      arn = "arn:aws:cloudfront::123456789012:function/chat-test-room-rewrite"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      id                          = "chat-test-site"
      arn                         = "arn:aws:s3:::chat-test-site"
      bucket_regional_domain_name = "chat-test-site.s3.eu-west-1.amazonaws.com"
    }
  }

  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      id          = "E2EXAMPLE"
      arn         = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"
      domain_name = "d111111abcdef8.cloudfront.net"
    }
  }
}

variables {
  name          = "chat-test"
  websocket_url = "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod"
}

run "private_bucket" {
  command = apply

  assert {
    condition = (aws_s3_bucket_public_access_block.this.block_public_acls && aws_s3_bucket_public_access_block.this.block_public_policy
    && aws_s3_bucket_public_access_block.this.ignore_public_acls && aws_s3_bucket_public_access_block.this.restrict_public_buckets)
    error_message = "all public access is blocked"
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "object ownership is enforced (no ACLs)"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this[0].versioning_configuration[0].status == "Enabled" && !aws_s3_bucket.this.force_destroy
    error_message = "versioned, and not force-destroyed by default"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "encrypted at rest"
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : (
      s.Effect == "Deny" || (s.Principal == { Service = "cloudfront.amazonaws.com" } && try(s.Condition.StringEquals["AWS:SourceArn"], "") == aws_cloudfront_distribution.this[0].arn)
    )])
    error_message = "only this distribution is allowed to read; every other statement denies"
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : try(s.Condition.Bool["aws:SecureTransport"], "") if s.Effect == "Deny" && s.Action == "s3:*"] == ["false"]
    error_message = "plain HTTP is denied"
  }
}

run "cloudfront_with_oac_https_and_security_headers" {
  command = apply

  assert {
    condition     = aws_cloudfront_distribution.this[0].default_cache_behavior[0].viewer_protocol_policy == "redirect-to-https"
    error_message = "viewers are redirected to HTTPS"
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].default_root_object == "index.html"
    error_message = "the root serves index.html"
  }

  assert {
    condition = (one(aws_cloudfront_distribution.this[0].origin).origin_access_control_id == aws_cloudfront_origin_access_control.this[0].id
    && aws_cloudfront_origin_access_control.this[0].signing_behavior == "always")
    error_message = "the bucket is read through origin access control"
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.this[0].id
    error_message = "the security headers policy is attached"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "default-src 'self'")
    error_message = "CSP: default-src 'self'"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com;")
    error_message = "CSP: connect-src allows 'self' (config.json) and the WebSocket endpoint"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "frame-ancestors 'none'")
    error_message = "CSP: no framing"
  }

  assert {
    condition     = aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_security_policy[0].content_security_policy == output.security_headers["Content-Security-Policy"]
    error_message = "CloudFront serves the CSP rendered from security_headers.json"
  }

  assert {
    condition = (aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].strict_transport_security[0].access_control_max_age_sec == 63072000
      && output.security_headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
      && aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].content_type_options[0].override
      && aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].frame_options[0].frame_option == "DENY"
    && aws_cloudfront_response_headers_policy.this[0].security_headers_config[0].referrer_policy[0].referrer_policy == "strict-origin-when-cross-origin")
    error_message = "HSTS, X-Content-Type-Options, X-Frame-Options and Referrer-Policy are set"
  }

  assert {
    condition = ([for f in aws_cloudfront_distribution.this[0].default_cache_behavior[0].function_association : [f.event_type, f.function_arn]] == [["viewer-request", aws_cloudfront_function.room_rewrite[0].arn]]
    && strcontains(aws_cloudfront_function.room_rewrite[0].code, "/^\\/[A-Za-z0-9_-]{1,64}\\/?$/"))
    error_message = "room paths (and only they) are rewritten to /index.html at the edge"
  }

  assert {
    condition = (strcontains(aws_cloudfront_function.room_rewrite[0].code, "request.uri = \"/errors/not-a-room\";")
      && one([for s in jsondecode(aws_s3_bucket_policy.this[0].policy).Statement : s if s.Sid == "NotARoomIsForbidden"]) == {
        Sid    = "NotARoomIsForbidden", Effect = "Deny", Principal = { Service = "cloudfront.amazonaws.com" }
        Action = "s3:GetObject", Resource = "arn:aws:s3:::chat-test-site/errors/not-a-room"
    })
    error_message = "other page paths go to the not-a-room key, which only S3's 403 answers"
  }

  assert {
    condition = ({ for r in aws_cloudfront_distribution.this[0].custom_error_response : r.error_code => [r.response_code, r.response_page_path] } == {
      403 = [404, "/index.html"]
      404 = [404, "/errors/not-found.txt"]
    })
    error_message = "the not-a-room 403 is the page (its not-a-room view) as a 404; a missing file is a plain 404, never index.html"
  }

  assert {
    condition     = aws_s3_object.not_found.key == "errors/not-found.txt" && aws_s3_object.not_found.content == "Not Found\n" && startswith(aws_s3_object.not_found.content_type, "text/plain")
    error_message = "a missing file's 404 is plain text, not S3's XML"
  }

  assert {
    condition     = aws_s3_object.config.key == "config.json" && jsondecode(aws_s3_object.config.content) == { websocketUrl = var.websocket_url, authMode = "off", userPoolId = "", userPoolClientId = "", cognitoEndpoint = "" } && aws_s3_object.config.cache_control == "no-cache"
    error_message = "config.json holds the WebSocket URL and is not cached"
  }

  assert {
    condition     = output.site_url == "https://d111111abcdef8.cloudfront.net" && output.site_origins == ["https://d111111abcdef8.cloudfront.net"]
    error_message = "the site URL is the distribution's"
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].viewer_certificate[0].cloudfront_default_certificate
    error_message = "the default certificate without a custom domain"
  }
}

run "cloudfront_names_are_per_region" {
  command = plan

  assert {
    condition = (aws_cloudfront_origin_access_control.this[0].name == "chat-test-site-eu-west-1"
      && aws_cloudfront_function.room_rewrite[0].name == "chat-test-room-rewrite-eu-west-1"
    && aws_cloudfront_response_headers_policy.this[0].name == "chat-test-security-headers-eu-west-1")
    error_message = "CloudFront's account-wide names end in the stack's region"
  }
}

run "another_region_other_cloudfront_names" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { name = "ap-southeast-2" }
  }

  assert {
    condition = (aws_cloudfront_origin_access_control.this[0].name == "chat-test-site-ap-southeast-2"
      && aws_cloudfront_function.room_rewrite[0].name == "chat-test-room-rewrite-ap-southeast-2"
    && aws_cloudfront_response_headers_policy.this[0].name == "chat-test-security-headers-ap-southeast-2")
    error_message = "the same site name in another region: no CloudFront name collides"
  }
}

run "cloudfront_names_within_64_characters" {
  command = plan

  variables {
    name = "a-site-name-of-thirty-two-chars1"
  }

  override_data {
    target = data.aws_region.current
    values = { name = "a-region-name-of-20c" }
  }

  expect_failures = [aws_cloudfront_origin_access_control.this]
}

run "custom_domain_and_waf" {
  command = plan

  variables {
    custom_domain = {
      aliases         = ["chat.example.com"]
      certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    }
    web_acl_arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/chat/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition = (aws_cloudfront_distribution.this[0].aliases == toset(["chat.example.com"])
      && aws_cloudfront_distribution.this[0].viewer_certificate[0].minimum_protocol_version == "TLSv1.2_2021"
    && aws_cloudfront_distribution.this[0].viewer_certificate[0].ssl_support_method == "sni-only")
    error_message = "a custom domain uses its certificate with TLS 1.2 at least"
  }

  assert {
    condition     = aws_cloudfront_distribution.this[0].web_acl_id == var.web_acl_arn && output.site_url == "https://chat.example.com"
    error_message = "the WAF ACL is attached and the site URL uses the alias"
  }
}

run "emulator_without_cdn" {
  command = apply

  variables {
    create_cdn    = false
    websocket_url = "ws://127.0.0.1:8081/local"
  }

  assert {
    condition = (length(aws_cloudfront_distribution.this) + length(aws_cloudfront_function.room_rewrite)
    + length(aws_cloudfront_response_headers_policy.this) + length(aws_s3_bucket_policy.this)) == 0
    error_message = "nothing CloudFront-side without the CDN"
  }

  assert {
    condition     = jsondecode(aws_s3_object.config.content).websocketUrl == "ws://127.0.0.1:8081/local"
    error_message = "config.json points at the local data plane"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "connect-src 'self' ws://127.0.0.1:8081;") && output.site_url == null
    error_message = "the headers the local site server serves allow the local WebSocket"
  }
}

run "websocket_url_must_be_a_websocket" {
  command = plan

  variables {
    websocket_url = "https://example.com"
  }

  expect_failures = [var.websocket_url]
}

run "sign_in_in_config_json_and_the_csp" {
  command = plan

  variables {
    sign_in = {
      auth_mode           = "optional"
      user_pool_id        = "eu-west-1_AbCdEf123"
      user_pool_client_id = "client0123456789"
      origin              = "https://cognito-idp.eu-west-1.amazonaws.com"
    }
  }

  assert {
    condition = jsondecode(aws_s3_object.config.content) == {
      websocketUrl     = var.websocket_url
      authMode         = "optional"
      userPoolId       = "eu-west-1_AbCdEf123"
      userPoolClientId = "client0123456789"
      cognitoEndpoint  = ""
    }
    error_message = "config.json tells the page the auth mode and its user pool; no endpoint on AWS"
  }

  assert {
    condition     = strcontains(output.security_headers["Content-Security-Policy"], "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com https://cognito-idp.eu-west-1.amazonaws.com;")
    error_message = "CSP: connect-src gains exactly Cognito's regional endpoint"
  }
}
