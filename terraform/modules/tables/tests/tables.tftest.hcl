mock_provider "aws" {}

variables {
  name_prefix = "chat-test"
}

run "tables_match_the_contract" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.connections.hash_key == "connectionId" && aws_dynamodb_table.connections.billing_mode == "PAY_PER_REQUEST"
    error_message = "connections: hash key connectionId, on-demand"
  }

  assert {
    condition = jsonencode({ for g in aws_dynamodb_table.connections.global_secondary_index : g.name => [g.hash_key, g.projection_type, g.non_key_attributes == null ? [] : sort(g.non_key_attributes)] }) == jsonencode({
      "room-index" = ["roomId", "INCLUDE", ["expiresAt", "guest", "username"]]
      "user-index" = ["userId", "KEYS_ONLY", []]
    })
    error_message = "connections: room index keyed by roomId, projecting username, expiresAt and guest; user index keyed by userId, keys only"
  }

  assert {
    condition     = aws_dynamodb_table.messages.hash_key == "roomId" && aws_dynamodb_table.messages.range_key == "seq" && aws_dynamodb_table.messages.billing_mode == "PAY_PER_REQUEST"
    error_message = "messages: (roomId, seq), on-demand"
  }

  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.connections, aws_dynamodb_table.messages] : t.ttl[0].enabled && t.ttl[0].attribute_name == "expiresAt"])
    error_message = "both tables expire items through the expiresAt TTL attribute"
  }

  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.connections, aws_dynamodb_table.messages] : t.point_in_time_recovery[0].enabled && t.server_side_encryption[0].enabled])
    error_message = "both tables have point-in-time recovery and server-side encryption"
  }

  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.connections, aws_dynamodb_table.messages] : t.point_in_time_recovery[0].recovery_period_in_days == 7])
    error_message = "by default deleted and expired items stay restorable for 7 days (the message retention), not AWS's 35"
  }

  assert {
    condition     = !aws_dynamodb_table.connections.deletion_protection_enabled && !aws_dynamodb_table.messages.deletion_protection_enabled
    error_message = "deletion protection is off by default"
  }

  assert {
    condition = (aws_dynamodb_table.rooms.hash_key == "pk" && aws_dynamodb_table.rooms.range_key == "sk"
      && aws_dynamodb_table.rooms.ttl[0].enabled && aws_dynamodb_table.rooms.ttl[0].attribute_name == "expiresAt"
      && aws_dynamodb_table.rooms.point_in_time_recovery[0].enabled && aws_dynamodb_table.rooms.server_side_encryption[0].enabled
    && !aws_dynamodb_table.rooms.deletion_protection_enabled)
    error_message = "rooms: (pk, sk), invites expiring through expiresAt, recoverable and encrypted"
  }
}

run "deletion_protection_and_kms" {
  command = plan

  variables {
    deletion_protection = true
    kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    room_index_name     = "by-room"
    user_index_name     = "by-user"
  }

  assert {
    condition     = aws_dynamodb_table.connections.deletion_protection_enabled && aws_dynamodb_table.messages.deletion_protection_enabled && aws_dynamodb_table.rooms.deletion_protection_enabled
    error_message = "deletion protection follows the variable"
  }

  assert {
    condition     = aws_dynamodb_table.messages.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "the customer managed key is used"
  }

  assert {
    condition     = output.room_index_name == "by-room" && output.user_index_name == "by-user"
    error_message = "the index names come from the variables"
  }
}

run "point_in_time_recovery_period_follows_the_variable" {
  command = plan

  variables {
    point_in_time_recovery = { recovery_period_in_days = 35 }
  }

  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.connections, aws_dynamodb_table.messages] : t.point_in_time_recovery[0].enabled && t.point_in_time_recovery[0].recovery_period_in_days == 35])
    error_message = "both tables keep 35 days of continuous backups"
  }
}

run "point_in_time_recovery_off" {
  command = plan

  variables {
    point_in_time_recovery = { enabled = false }
  }

  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.connections, aws_dynamodb_table.messages] : !t.point_in_time_recovery[0].enabled]) && local.recovery_period_in_days == null
    error_message = "recovery off: no continuous backups and no recovery period (DynamoDB takes one only while recovery is on)"
  }
}

run "a_recovery_period_beyond_dynamodb_range_is_refused" {
  command = plan

  variables {
    point_in_time_recovery = { recovery_period_in_days = 36 }
  }

  expect_failures = [var.point_in_time_recovery]
}

run "a_fractional_recovery_period_is_refused" {
  command = plan

  variables {
    point_in_time_recovery = { recovery_period_in_days = 0.5 }
  }

  expect_failures = [var.point_in_time_recovery]
}

run "handles_table_holds_users_and_keys" {
  command = plan

  variables {
    deletion_protection = true
  }

  assert {
    condition = (aws_dynamodb_table.handles.name == "chat-test-handles" && aws_dynamodb_table.handles.hash_key == "pk"
      && aws_dynamodb_table.handles.range_key == null && aws_dynamodb_table.handles.billing_mode == "PAY_PER_REQUEST"
    && jsonencode([for a in aws_dynamodb_table.handles.attribute : [a.name, a.type]]) == jsonencode([["pk", "S"]]))
    error_message = "handles: hash key pk (S) alone, on-demand"
  }

  assert {
    condition = (aws_dynamodb_table.handles.point_in_time_recovery[0].enabled
      && aws_dynamodb_table.handles.point_in_time_recovery[0].recovery_period_in_days == 7
    && aws_dynamodb_table.handles.server_side_encryption[0].enabled && aws_dynamodb_table.handles.deletion_protection_enabled)
    error_message = "handles: recovery, encryption and deletion protection as the other tables"
  }
}
