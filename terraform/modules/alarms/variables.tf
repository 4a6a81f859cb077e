variable "name" {
  description = "Prefix of the SNS topic and alarm names."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{3,200}$", var.name))
    error_message = "name must be 3-200 letters, digits, '_' or '-'."
  }
}

variable "function_names" {
  description = "Lambda function names to watch (errors and throttles), keyed by a short name."
  type        = map(string)
  default     = {}
}

variable "websocket_api" {
  description = "WebSocket API stage to watch (integration and execution errors); null watches none."
  type = object({
    api_id     = string
    stage_name = string
  })
  default = null
}

variable "table_names" {
  description = "DynamoDB table names to watch (read and write throttle events), keyed by a short name."
  type        = map(string)
  default     = {}
}

variable "stale_connections_metric" {
  description = <<-EOT
    Custom metric the functions emit each time a post to `@connections` finds a gone connection
    (410), with exactly the dimensions they give it (the chat's: `service` and `environment`, so
    one environment's alarm never counts another's). null turns the stale-connection alarm off.
  EOT
  type = object({
    namespace  = string
    name       = string
    dimensions = map(string)
  })
  default = null

  validation {
    condition     = var.stale_connections_metric == null ? true : length(var.stale_connections_metric.dimensions) > 0
    error_message = "stale_connections_metric needs the metric's dimensions: a metric is only found with all of them."
  }
}

variable "thresholds" {
  description = "Alarm thresholds: sums over one `period_seconds` that raise the alarm."
  type = object({
    lambda_errors           = optional(number, 1)
    lambda_throttles        = optional(number, 1)
    api_integration_errors  = optional(number, 5)
    api_execution_errors    = optional(number, 5)
    dynamodb_throttle_event = optional(number, 1)
    stale_connections       = optional(number, 100)
  })
  default = {}
}

variable "period_seconds" {
  description = "Period of every alarm in seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.period_seconds)
    error_message = "period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "alarm_email" {
  description = "Optional e-mail address subscribed to the alarm topic (AWS sends a confirmation mail first)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address."
  }
}

variable "kms_key_arn" {
  description = "Optional customer managed KMS key of the SNS topic; its key policy must let CloudWatch use it."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
