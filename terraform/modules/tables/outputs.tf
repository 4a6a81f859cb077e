output "connections_table_name" {
  description = "Name of the connections table."
  value       = aws_dynamodb_table.connections.name
}

output "connections_table_arn" {
  description = "ARN of the connections table."
  value       = aws_dynamodb_table.connections.arn
}

output "room_index_name" {
  description = "Name of the room index on the connections table."
  value       = var.room_index_name
}

output "room_index_arn" {
  description = "ARN of the room index (`<table arn>/index/<name>`), for IAM policies."
  value       = "${aws_dynamodb_table.connections.arn}/index/${var.room_index_name}"
}

output "messages_table_name" {
  description = "Name of the messages table."
  value       = aws_dynamodb_table.messages.name
}

output "messages_table_arn" {
  description = "ARN of the messages table."
  value       = aws_dynamodb_table.messages.arn
}

output "handles_table_name" {
  description = "Name of the handles table (signed-in users' handles)."
  value       = aws_dynamodb_table.handles.name
}

output "handles_table_arn" {
  description = "ARN of the handles table."
  value       = aws_dynamodb_table.handles.arn
}

output "rooms_table_name" {
  description = "Name of the rooms table (private rooms, their members and invites)."
  value       = aws_dynamodb_table.rooms.name
}

output "rooms_table_arn" {
  description = "ARN of the rooms table."
  value       = aws_dynamodb_table.rooms.arn
}

output "point_in_time_recovery" {
  description = "Point-in-time recovery of the tables: `enabled`, and `recovery_period_in_days` (null when off)."
  value = {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = local.recovery_period_in_days
  }
}

output "user_index_name" {
  description = "Name of the user index on the connections table (a signed-in user's connections)."
  value       = var.user_index_name
}

output "user_index_arn" {
  description = "ARN of the user index (`<table arn>/index/<name>`), for IAM policies."
  value       = "${aws_dynamodb_table.connections.arn}/index/${var.user_index_name}"
}
