variable "name" {
  description = "Name of the API (also used for the access log group and the CloudWatch role, whose name ends in the region: IAM names are global to the account)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{3,64}$", var.name))
    error_message = "name must be 3-64 letters, digits, '_' or '-'."
  }
}

variable "description" {
  description = "Description of the API."
  type        = string
  default     = "Serverless chat WebSocket API"
}

variable "route_selection_expression" {
  description = "Where API Gateway finds the route key in a frame."
  type        = string
  default     = "$request.body.action"
}

variable "routes" {
  description = <<-EOT
    The routes, keyed by route key (`$connect`, `$disconnect`, `$default` or a custom action).
    Each is an AWS_PROXY integration to a Lambda function: `integration.uri` is the function's
    invoke ARN and `integration.function_name` the function that API Gateway may invoke.
  EOT
  type = map(object({
    operation_name = optional(string)
    integration = object({
      uri                  = string
      function_name        = string
      timeout_milliseconds = optional(number, 29000)
    })
  }))

  validation {
    condition     = contains(keys(var.routes), "$connect")
    error_message = "A $connect route is needed (the authorizer, when there is one, is on it)."
  }

  validation {
    condition     = alltrue([for k, r in var.routes : can(regex("^(\\$connect|\\$disconnect|\\$default|[A-Za-z0-9_-]{1,128})$", k))])
    error_message = "Route keys are $connect, $disconnect, $default or 1-128 letters, digits, '_' or '-'."
  }

  validation {
    condition     = alltrue([for r in var.routes : r.integration.timeout_milliseconds >= 50 && r.integration.timeout_milliseconds <= 29000])
    error_message = "integration.timeout_milliseconds must be between 50 and 29000."
  }
}

variable "auth_mode" {
  description = <<-EOT
    Who may connect. `off`: anyone, no authorizer. `optional`: a Lambda REQUEST authorizer on
    `$connect` with no identity source, so API Gateway calls it for every handshake and it admits
    guests itself. `required`: its identity source is the `Sec-WebSocket-Protocol` header, so a
    handshake without one is refused (401) by API Gateway before any function runs.
  EOT
  type        = string
  default     = "off"

  validation {
    condition     = contains(["off", "optional", "required"], var.auth_mode)
    error_message = "auth_mode must be off, optional or required."
  }
}

variable "authorizer" {
  description = "The `$connect` authorizer's function when auth_mode is not `off`: `uri` is its invoke ARN, `function_name` the function API Gateway may invoke."
  type = object({
    uri           = string
    function_name = string
  })
  default = null

  validation {
    condition     = (var.authorizer == null) == (var.auth_mode == "off")
    error_message = "An authorizer is given exactly when auth_mode is optional or required."
  }
}

variable "stage_name" {
  description = "Name of the stage; it is the path of the WebSocket URL (`wss://…/<stage_name>`)."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits, '_' or '-'."
  }
}

variable "throttling_rate_limit" {
  description = "Default route throttling of the stage: steady-state requests (messages) per second."
  type        = number
  default     = 500

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Default route throttling of the stage: burst of requests."
  type        = number
  default     = 1000

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a positive whole number."
  }
}

variable "logging_level" {
  description = "Execution logging level of the stage (OFF, ERROR or INFO). Needs the account's CloudWatch role."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.logging_level)
    error_message = "logging_level must be OFF, ERROR or INFO."
  }
}

variable "log_retention_days" {
  description = "Retention of the stage's execution log group in days (the access log has its own, `access_log.retention_in_days`)."
  type        = number
  default     = 30

  validation {
    condition     = contains(local.cloudwatch_retention_days, var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts."
  }
}

variable "access_log" {
  description = <<-EOT
    The stage's access log: one line per connect, disconnect and frame, with its connection id,
    route, status and errors. `source_ip` adds the client's address to every line (personal data;
    useful to trace abuse); `retention_in_days` is how long CloudWatch Logs keeps the lines.
  EOT
  type = object({
    source_ip         = optional(bool, true)
    retention_in_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(local.cloudwatch_retention_days, var.access_log.retention_in_days)
    error_message = "access_log.retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the access log group; null uses the CloudWatch Logs default encryption."
  type        = string
  default     = null
}

variable "create_deployment" {
  description = <<-EOT
    Create the deployment that makes the routes live on the stage. Always true on AWS; false only
    for emulators without API Gateway v2 deployments (moto), where the stage is created without one.
  EOT
  type        = bool
  default     = true
}

variable "domain_name" {
  description = "Optional custom domain of the WebSocket API: the name and a regional ACM certificate ARN in the API's region."
  type = object({
    name            = string
    certificate_arn = string
  })
  default = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
