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

variable "deletion_protection" {
  description = "Turn on DynamoDB deletion protection (on in prod: `terraform destroy` then fails until it is turned off)."
  type        = bool
  default     = false
}

variable "point_in_time_recovery" {
  description = "Turn on point-in-time recovery (continuous backups) for both tables."
  type        = bool
  default     = true
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
