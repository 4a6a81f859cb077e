variable "emulator_endpoint" {
  description = "URL of the local AWS emulator every service is sent to (LocalStack's default; the local stack starts moto server there when no LocalStack answers)."
  type        = string
  default     = "http://localhost:4566"

  validation {
    condition     = can(regex("^https?://", var.emulator_endpoint))
    error_message = "emulator_endpoint must be an http(s) URL."
  }
}

variable "auth_mode" {
  description = "Who may connect (README, Sign-in): `off` (the default), `optional` or `required`; `make dev AUTH=…` and `make up AUTH=…` set it. Not `off`: a user pool in the emulator's Cognito and the $connect authorizer."
  type        = string
  default     = "off"

  validation {
    condition     = contains(["off", "optional", "required"], var.auth_mode)
    error_message = "auth_mode must be off, optional or required."
  }
}

variable "websocket_url" {
  description = "WebSocket URL of the local data plane, written to config.json (stage `local`)."
  type        = string
  default     = "ws://127.0.0.1:8081/local"
}

variable "allowed_origins" {
  description = "Browser origins allowed to open the WebSocket: the local site's (the local stack passes the port it serves on)."
  type        = list(string)
  default     = ["http://127.0.0.1:8080", "http://localhost:8080"]
}

variable "lambda_package_path" {
  description = "Path of the Lambda package zip, relative to this directory or absolute."
  type        = string
  default     = "../../../build/lambdas.zip"
}

variable "region" {
  description = "Region the emulator is asked for."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { Project = "serverless-chat", Environment = "local" }
}
