output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of all alarms."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.lambda : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.api : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dynamodb : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.stale_connections : a.alarm_name],
  )
}
