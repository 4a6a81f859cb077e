output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}
