variable "name_prefix" {
  description = "Prefix of every function, role and log group name, e.g. `serverless-chat-dev`. Role names (global to the account) end in the region as well, and must stay within IAM's 64 characters."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{3,40}$", var.name_prefix))
    error_message = "name_prefix must be 3-40 letters, digits, '_' or '-' (function names are at most 64 characters)."
  }
}

variable "package_path" {
  description = "Path of the zip that holds the Lambda package (`make package` builds `build/lambdas.zip`). One zip serves every function."
  type        = string
}

variable "functions" {
  description = <<-EOT
    The functions, keyed by short name (the function is called `<name_prefix>-<key>`).
    `handler` is the Python handler string; `policy_statements` are the IAM statements the
    function needs besides writing its own logs (least privilege: exact actions, exact resources);
    `environment` adds variables of its own to the shared `environment` (the `$connect`
    authorizer's token settings).
  EOT
  type = map(object({
    handler     = string
    description = optional(string, "")
    environment = optional(map(string), {})
    policy_statements = optional(list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
    })), [])
  }))

  validation {
    condition     = alltrue([for k, f in var.functions : can(regex("^[a-z0-9-]{1,23}$", k))])
    error_message = "Function keys must be 1-23 lower-case letters, digits or '-'."
  }

  validation {
    condition     = alltrue([for f in var.functions : alltrue([for name in keys(f.environment) : can(regex("^[A-Z][A-Z0-9_]*$", name))])])
    error_message = "Environment variable names are upper-case letters, digits and '_'."
  }

  validation {
    condition     = alltrue([for f in var.functions : length(setintersection(keys(f.environment), keys(var.environment))) == 0])
    error_message = "A function's own environment adds variables; it cannot redefine the shared ones."
  }

  validation {
    condition = alltrue(flatten([
      for f in var.functions : [for s in f.policy_statements : [for a in s.actions : !strcontains(a, "*")]]
    ]))
    error_message = "IAM actions must be named exactly; wildcards ('*') are not allowed."
  }
}

variable "environment" {
  description = "Environment variables given to every function (a function's own `environment` adds to them; it cannot redefine them)."
  type        = map(string)
  default     = {}
}

variable "memory_size" {
  description = "Memory of each function in MB. CPU scales with memory; 1024 MB gives the thread-pool fan-out most of a vCPU."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout of each function in seconds. API Gateway waits at most 29 s for an integration."
  type        = number
  default     = 29

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 29
    error_message = "timeout must be between 1 and 29 seconds (the API Gateway integration limit)."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of each function; -1 reserves none (new accounts have a concurrency quota of 10, so reserving would fail there)."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrency >= -1
    error_message = "reserved_concurrency must be -1 (none) or a non-negative number."
  }
}

variable "log_retention_days" {
  description = "Retention of each function's log group in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts."
  }
}

variable "tracing_enabled" {
  description = "Turn on AWS X-Ray active tracing (adds the X-Ray write permissions, whose resource must be `*`)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the environment variables and the log groups; null uses AWS managed keys. The key policy must allow CloudWatch Logs."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
