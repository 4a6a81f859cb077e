data "aws_region" "current" {}

locals {
  function_names = { for k, f in var.functions : k => "${var.name_prefix}-${k}" }
  # IAM role names are global to the account: the region in them lets the same name_prefix be
  # deployed to two regions.
  role_names = { for k, name in local.function_names : k => "${name}-${data.aws_region.current.name}" }

  # Policy documents are built with jsonencode(): under `mock_provider` an
  # aws_iam_policy_document data source would render random strings.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAssumeRole"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })

  policy_statements = {
    for k, f in var.functions : k => concat(
      [{
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this[k].arn}:*"]
      }],
      [for s in f.policy_statements : {
        Sid      = s.sid
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      }],
      var.kms_key_arn == null ? [] : [{
        Sid      = "UseKmsKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        Resource = [var.kms_key_arn]
      }],
      # X-Ray write calls do not support resource-level permissions: `*` is required.
      var.tracing_enabled ? [{
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      }] : [],
    )
  }

  policies = {
    for k, statements in local.policy_statements : k => jsonencode({
      Version   = "2012-10-17"
      Statement = statements
    })
  }
}

# Created before the function, so the retention applies from the first invocation and
# the function needs no logs:CreateLogGroup permission.
resource "aws_cloudwatch_log_group" "this" {
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

resource "aws_iam_role" "this" {
  for_each = local.function_names

  name               = local.role_names[each.key]
  description        = "Execution role of the ${each.value} function"
  assume_role_policy = local.assume_role_policy

  tags = var.tags

  lifecycle {
    # A renamed role is a new one: the functions move to it before the old one goes.
    create_before_destroy = true

    precondition {
      condition     = length(local.role_names[each.key]) <= 64
      error_message = "IAM role ${local.role_names[each.key]} is longer than 64 characters: shorten name_prefix or the function key."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.function_names

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = local.policies[each.key]

  lifecycle {
    create_before_destroy = true
  }
}

# ----------------------------------------------------------------- the code, in S3
# The functions are created from an S3 object rather than `filename`: with `filename` the AWS
# provider creates them one at a time, on AWS as on an emulator (it holds one lock while it reads
# a function's zip into memory and creates it, hashicorp/terraform#9364); from S3 they are created
# together and the zip is uploaded once. It costs nothing inside Lambda (where the code came from
# does not change how it runs); on an emulator it saved every fresh `make dev` 20 seconds.

resource "aws_s3_bucket" "code" {
  #checkov:skip=CKV_AWS_18:Only Terraform writes here (in CloudTrail) and only Lambda reads, at deploy time
  #checkov:skip=CKV_AWS_144:The object is a build of this repository that any apply uploads again; a replica adds cost, not resilience
  #checkov:skip=CKV2_AWS_62:Nothing reacts to a new build; Terraform updates the functions itself
  #checkov:skip=CKV_AWS_21:Each build is a new content-addressed object; old versions of a zip rebuilt from the repository are never needed
  #checkov:skip=CKV2_AWS_61:Terraform deletes the previous build's object when it uploads the next, so nothing accumulates to expire
  bucket_prefix = "${var.name_prefix}-code-"
  force_destroy = true # it holds nothing but the current build

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "code" {
  bucket = aws_s3_bucket.code.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "code" {
  bucket = aws_s3_bucket.code.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "code" {
  bucket = aws_s3_bucket.code.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_object" "package" {
  bucket = aws_s3_bucket.code.id
  key    = "lambdas-${filesha256(var.package_path)}.zip" # a new build is a new object
  source = var.package_path

  tags = var.tags

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.code]
}

# ----------------------------------------------------------------- the functions

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:API Gateway invokes these functions synchronously; a dead-letter queue only receives failed asynchronous invocations
  #checkov:skip=CKV_AWS_117:The functions reach only DynamoDB and the API Gateway @connections endpoint, both public AWS endpoints; a VPC would add NAT or endpoint cost and cold-start latency for no private resource
  #checkov:skip=CKV_AWS_272:One zip built by `make package` from this repository is deployed by Terraform itself; code signing needs an AWS Signer profile and a signing step this project does not run
  for_each = var.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.this[each.key].arn

  s3_bucket        = aws_s3_object.package.bucket
  s3_key           = aws_s3_object.package.key
  source_code_hash = filebase64sha256(var.package_path)
  handler          = each.value.handler
  runtime          = "python3.12"
  architectures    = ["x86_64"]
  memory_size      = var.memory_size
  timeout          = var.timeout
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = merge(each.value.environment, var.environment)
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}
