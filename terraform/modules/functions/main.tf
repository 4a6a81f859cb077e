locals {
  function_names = { for k, f in var.functions : k => "${var.name_prefix}-${k}" }

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

  name               = each.value
  description        = "Execution role of the ${each.value} function"
  assume_role_policy = local.assume_role_policy

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = local.function_names

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = local.policies[each.key]
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:API Gateway invokes these functions synchronously; a dead-letter queue only receives failed asynchronous invocations
  #checkov:skip=CKV_AWS_117:The functions reach only DynamoDB and the API Gateway @connections endpoint, both public AWS endpoints; a VPC would add NAT or endpoint cost and cold-start latency for no private resource
  #checkov:skip=CKV_AWS_272:One zip built by `make package` from this repository is deployed by Terraform itself; code signing needs an AWS Signer profile and a signing step this project does not run
  for_each = var.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.this[each.key].arn

  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = each.value.handler
  runtime          = "python3.12"
  architectures    = ["x86_64"]
  memory_size      = var.memory_size
  timeout          = var.timeout
  kms_key_arn      = var.kms_key_arn

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}
