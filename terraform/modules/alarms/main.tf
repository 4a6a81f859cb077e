locals {
  lambda_alarms = merge([
    for key, function_name in var.function_names : {
      "${key}-errors"    = { function_name = function_name, metric = "Errors", threshold = var.thresholds.lambda_errors }
      "${key}-throttles" = { function_name = function_name, metric = "Throttles", threshold = var.thresholds.lambda_throttles }
    }
  ]...)

  api_alarms = var.websocket_api == null ? {} : {
    "integration-errors" = { metric = "IntegrationError", threshold = var.thresholds.api_integration_errors }
    "execution-errors"   = { metric = "ExecutionError", threshold = var.thresholds.api_execution_errors }
  }

  table_alarms = merge([
    for key, table_name in var.table_names : {
      "${key}-read-throttles"  = { table_name = table_name, metric = "ReadThrottleEvents" }
      "${key}-write-throttles" = { table_name = table_name, metric = "WriteThrottleEvents" }
    }
  ]...)
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "lambda" {
  for_each = local.lambda_alarms

  alarm_name          = "${var.name}-lambda-${each.key}"
  alarm_description   = "Lambda ${each.value.function_name}: ${each.value.metric} >= ${each.value.threshold} in ${var.period_seconds} s"
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api" {
  for_each = local.api_alarms

  alarm_name          = "${var.name}-api-${each.key}"
  alarm_description   = "WebSocket API ${var.websocket_api.api_id}/${var.websocket_api.stage_name}: ${each.value.metric} >= ${each.value.threshold} in ${var.period_seconds} s"
  namespace           = "AWS/ApiGateway"
  metric_name         = each.value.metric
  dimensions          = { ApiId = var.websocket_api.api_id, Stage = var.websocket_api.stage_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb" {
  for_each = local.table_alarms

  alarm_name          = "${var.name}-dynamodb-${each.key}"
  alarm_description   = "DynamoDB ${each.value.table_name}: ${each.value.metric} >= ${var.thresholds.dynamodb_throttle_event} in ${var.period_seconds} s"
  namespace           = "AWS/DynamoDB"
  metric_name         = each.value.metric
  dimensions          = { TableName = each.value.table_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = var.thresholds.dynamodb_throttle_event
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "stale_connections" {
  count = var.stale_connections_metric == null ? 0 : 1

  alarm_name          = "${var.name}-stale-connections"
  alarm_description   = "Posts to gone (410) connections >= ${var.thresholds.stale_connections} in ${var.period_seconds} s: clients vanish without $disconnect"
  namespace           = var.stale_connections_metric.namespace
  metric_name         = var.stale_connections_metric.name
  dimensions          = var.stale_connections_metric.dimensions
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = var.thresholds.stale_connections
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}
