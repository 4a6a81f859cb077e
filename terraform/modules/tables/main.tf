# The tables of the chat. Key names and TTL attributes are part of the contract with the Lambda
# package (lambdas/serverless_chat/adapters/dynamodb.py and adapters/handles_table.py).

locals {
  # DynamoDB takes a recovery period only while recovery is on.
  recovery_period_in_days = var.point_in_time_recovery.enabled ? var.point_in_time_recovery.recovery_period_in_days : null
}

resource "aws_dynamodb_table" "connections" {
  #checkov:skip=CKV_AWS_28:point-in-time recovery is a variable, on by default (prod); envs/dev and envs/local turn it off for disposable data (tested in tests/tables.tftest.hcl)
  name                        = "${var.name_prefix}-connections"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "connectionId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "connectionId"
    type = "S"
  }

  attribute {
    name = "roomId"
    type = "S"
  }

  attribute {
    name = "userId"
    type = "S"
  }

  # Members of a room: the fan-out and the member list read only these attributes (`guest`
  # marks guests beside signed-in users). DynamoDB cannot change an index's projection in
  # place: adding one re-creates the index, and the room's reads fail until it is back.
  global_secondary_index {
    name               = var.room_index_name
    hash_key           = "roomId"
    projection_type    = "INCLUDE"
    non_key_attributes = ["username", "expiresAt", "guest"]
  }

  # A signed-in user's connections, all their devices, for a sign-out or a disabled user to
  # close: sparse (only signed-in connections carry `userId`) and keys only, since the close
  # needs no more than each `connectionId`.
  global_secondary_index {
    name            = var.user_index_name
    hash_key        = "userId"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = local.recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "messages" {
  #checkov:skip=CKV_AWS_28:point-in-time recovery is a variable, on by default (prod); envs/dev and envs/local turn it off for disposable data (tested in tests/tables.tftest.hcl)
  name                        = "${var.name_prefix}-messages"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "roomId"
  range_key                   = "seq"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "roomId"
    type = "S"
  }

  attribute {
    name = "seq"
    type = "N"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = local.recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

# The handles signed-in users hold: `user#<sub>` -> {handle, key} and `handle#<comparison key>` ->
# {userId, handle}, both written in one transaction at a user's first sign-in. Nothing expires:
# a handle is its user's for good. Created whatever the auth mode, so switching modes keeps them.
resource "aws_dynamodb_table" "handles" {
  #checkov:skip=CKV_AWS_28:point-in-time recovery is a variable, on by default (prod); envs/dev and envs/local turn it off for disposable data (tested in tests/tables.tftest.hcl)
  name                        = "${var.name_prefix}-handles"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = local.recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

# Private rooms (lambdas/serverless_chat/adapters/rooms_table.py): partition `room#<id>` holds
# the room (sk `room`), its members (`member#<user>`) and its invites (`invite#<code>`);
# partition `user#<sub>` the rooms the user is a member of (`room#<id>`) and how many they
# created (`owned`). Invites carry `expiresAt`: DynamoDB deletes them some time after it, and
# the chat checks it itself until then.
resource "aws_dynamodb_table" "rooms" {
  #checkov:skip=CKV_AWS_28:point-in-time recovery is a variable, on by default (prod); envs/dev and envs/local turn it off for disposable data (tested in tests/tables.tftest.hcl)
  name                        = "${var.name_prefix}-rooms"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = var.point_in_time_recovery.enabled
    recovery_period_in_days = local.recovery_period_in_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
