locals {
  # Every alarm, keyed by the suffix of its name: what it watches and when it fires.
  lambda_alarms = merge([
    for key, function_name in var.function_names : {
      for metric, threshold in { Errors = var.thresholds.lambda_errors, Throttles = var.thresholds.lambda_throttles } :
      "lambda-${key}-${lower(metric)}" => {
        namespace   = "AWS/Lambda"
        metric      = metric
        dimensions  = { FunctionName = function_name }
        threshold   = threshold
        description = "Lambda ${function_name}: ${metric}"
      }
    }
  ]...)

  api_alarms = var.websocket_api == null ? {} : {
    for key, a in {
      "integration-errors" = { metric = "IntegrationError", threshold = var.thresholds.api_integration_errors }
      "execution-errors"   = { metric = "ExecutionError", threshold = var.thresholds.api_execution_errors }
    } :
    "api-${key}" => {
      namespace   = "AWS/ApiGateway"
      metric      = a.metric
      dimensions  = { ApiId = var.websocket_api.api_id, Stage = var.websocket_api.stage_name }
      threshold   = a.threshold
      description = "WebSocket API ${var.websocket_api.api_id}/${var.websocket_api.stage_name}: ${a.metric}"
    }
  }

  table_alarms = merge([
    for key, table_name in var.table_names : {
      for kind, metric in { read = "ReadThrottleEvents", write = "WriteThrottleEvents" } :
      "dynamodb-${key}-${kind}-throttles" => {
        namespace   = "AWS/DynamoDB"
        metric      = metric
        dimensions  = { TableName = table_name }
        threshold   = var.thresholds.dynamodb_throttle_event
        description = "DynamoDB ${table_name}: ${metric}"
      }
    }
  ]...)

  stale_connections_alarm = var.stale_connections_metric == null ? {} : {
    "stale-connections" = {
      namespace   = var.stale_connections_metric.namespace
      metric      = var.stale_connections_metric.name
      dimensions  = var.stale_connections_metric.dimensions
      threshold   = var.thresholds.stale_connections
      description = "Posts to gone (410) connections: clients vanish without $disconnect"
    }
  }

  alarms = merge(local.lambda_alarms, local.api_alarms, local.table_alarms, local.stale_connections_alarm)
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

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.description} >= ${each.value.threshold} in ${var.period_seconds} s"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  # No ok_actions: a new alarm starts in INSUFFICIENT_DATA, and OK actions run on any move to
  # OK, so each alarm would mail "OK" once right after it is created (see README).
  alarm_actions = [aws_sns_topic.this.arn]

  tags = var.tags
}
