variable "name_prefix" {
  description = "Prefix of the table names, e.g. `serverless-chat-dev`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,200}$", var.name_prefix))
    error_message = "name_prefix must be 3-200 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "room_index_name" {
  description = "Name of the global secondary index on the connections table keyed by `roomId`."
  type        = string
  default     = "room-index"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.room_index_name))
    error_message = "room_index_name must be a valid DynamoDB index name."
  }
}

variable "user_index_name" {
  description = "Name of the sparse global secondary index on the connections table keyed by `userId` (a signed-in user's connections)."
  type        = string
  default     = "user-index"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.user_index_name))
    error_message = "user_index_name must be a valid DynamoDB index name."
  }
}

variable "deletion_protection" {
  description = "Turn on DynamoDB deletion protection (on in prod: `terraform destroy` then fails until it is turned off)."
  type        = bool
  default     = false
}

variable "point_in_time_recovery" {
  description = <<-EOT
    Point-in-time recovery (continuous backups) of every table. While it is on, every item —
    message text, names, source IPs — stays restorable for `recovery_period_in_days` (1-35) after
    it was deleted or expired: the README's Data and privacy table states what a deployment keeps.
    AWS's own default period is 35 days; this module keeps 7, the chat's message retention.
  EOT
  type = object({
    enabled                 = optional(bool, true)
    recovery_period_in_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      var.point_in_time_recovery.recovery_period_in_days == null ? true :
      var.point_in_time_recovery.recovery_period_in_days >= 1 && var.point_in_time_recovery.recovery_period_in_days <= 35
      && floor(var.point_in_time_recovery.recovery_period_in_days) == var.point_in_time_recovery.recovery_period_in_days
    )
    error_message = "point_in_time_recovery.recovery_period_in_days must be a whole number of days from 1 to 35 (DynamoDB's range)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption; null uses the AWS managed key `aws/dynamodb`."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
