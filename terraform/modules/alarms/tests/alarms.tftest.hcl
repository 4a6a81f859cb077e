mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:chat-test-alarms"
    }
  }
}

variables {
  name           = "chat-test"
  function_names = { connect = "chat-test-connect", send-message = "chat-test-send-message" }
  websocket_api  = { api_id = "abc123", stage_name = "prod" }
  table_names    = { connections = "chat-test-connections", messages = "chat-test-messages" }
  stale_connections_metric = {
    namespace  = "ServerlessChat"
    name       = "StaleConnectionsRemoved"
    dimensions = { service = "serverless-chat", environment = "test" }
  }
}

run "every_failure_mode_has_an_alarm" {
  command = apply

  assert {
    condition     = sort([for k, a in aws_cloudwatch_metric_alarm.this : k if a.namespace == "AWS/Lambda"]) == sort(["lambda-connect-errors", "lambda-connect-throttles", "lambda-send-message-errors", "lambda-send-message-throttles"])
    error_message = "errors and throttles of every function"
  }

  assert {
    condition     = sort([for a in aws_cloudwatch_metric_alarm.this : a.metric_name if a.namespace == "AWS/ApiGateway"]) == sort(["ExecutionError", "IntegrationError"]) && alltrue([for a in aws_cloudwatch_metric_alarm.this : a.dimensions.ApiId == "abc123" && a.dimensions.Stage == "prod" if a.namespace == "AWS/ApiGateway"])
    error_message = "API Gateway execution (5xx) and integration errors of the stage"
  }

  assert {
    condition     = sort([for a in aws_cloudwatch_metric_alarm.this : "${a.dimensions.TableName} ${a.metric_name}" if a.namespace == "AWS/DynamoDB"]) == sort(["chat-test-connections ReadThrottleEvents", "chat-test-connections WriteThrottleEvents", "chat-test-messages ReadThrottleEvents", "chat-test-messages WriteThrottleEvents"])
    error_message = "read and write throttles of both tables"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["stale-connections"].namespace == "ServerlessChat" && aws_cloudwatch_metric_alarm.this["stale-connections"].metric_name == "StaleConnectionsRemoved"
    error_message = "a high rate of stale (410) connections raises an alarm"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["stale-connections"].dimensions == tomap({ service = "serverless-chat", environment = "test" })
    error_message = "the stale-connection alarm watches its own environment's metric only"
  }

  assert {
    condition = alltrue([for a in values(aws_cloudwatch_metric_alarm.this) :
    a.alarm_actions == toset([aws_sns_topic.this.arn]) && a.treat_missing_data == "notBreaching"])
    error_message = "every alarm notifies the topic; no data is not an alarm"
  }

  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.this) : try(length(a.ok_actions), 0) == 0 && try(length(a.insufficient_data_actions), 0) == 0])
    error_message = "only ALARM notifies: a new alarm's first move, INSUFFICIENT_DATA to OK, sends no mail"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "no e-mail subscription unless asked for"
  }
}

run "optional_email" {
  command = plan

  variables {
    alarm_email = "oncall@example.com"
  }

  assert {
    condition     = aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "oncall@example.com"
    error_message = "the e-mail address is subscribed"
  }
}
