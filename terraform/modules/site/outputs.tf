output "bucket_name" {
  description = "Name of the private site bucket (upload the built frontend here)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the site bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations); null without the CDN."
  value       = try(aws_cloudfront_distribution.this[0].id, null)
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = try(aws_cloudfront_distribution.this[0].arn, null)
}

output "distribution_domain_name" {
  description = "`*.cloudfront.net` domain of the distribution (the DNS alias target of a custom domain)."
  value       = local.cdn_hostname
}

output "site_url" {
  description = "URL of the site; null without the CDN."
  value       = var.create_cdn ? "https://${local.site_hostnames[0]}" : null
}

output "site_origins" {
  description = "Browser origins of the site (for the $connect origin check)."
  value       = [for h in local.site_hostnames : "https://${h}"]
}

output "config_object_key" {
  description = "Key of the Terraform-managed `config.json` object; uploads must never delete it."
  value       = aws_s3_object.config.key
}

output "config_json" {
  description = "The content of `config.json`: websocketUrl and the sign-in settings (authMode, userPoolId, userPoolClientId, cognitoEndpoint)."
  value       = aws_s3_object.config.content
}

output "security_headers" {
  description = "Security header values as served by CloudFront (rendered from security_headers.json)."
  value       = local.security_headers
}
