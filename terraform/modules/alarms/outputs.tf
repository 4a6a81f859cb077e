output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}

output "stale_connections_alarm" {
  description = "Namespace, metric and dimensions the stale-connection alarm watches (null without it)."
  value = var.stale_connections_metric == null ? null : {
    namespace  = aws_cloudwatch_metric_alarm.this["stale-connections"].namespace
    metric     = aws_cloudwatch_metric_alarm.this["stale-connections"].metric_name
    dimensions = aws_cloudwatch_metric_alarm.this["stale-connections"].dimensions
  }
}
