variable "region" {
  description = "AWS region of the stack, the same as its state bucket's: `make plan|deploy|destroy` pass the one REGION (see terraform/README.md). The CloudFront certificate of a custom domain is in us-east-1 regardless."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name, like eu-west-1."
  }
}

variable "lambda_package_path" {
  description = "Path of the Lambda package zip (`make package`), relative to this directory or absolute."
  type        = string
  default     = "../../../build/lambdas.zip"
}

variable "alarm_email" {
  description = "Optional e-mail address that receives the alarms (confirm the subscription mail)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { Project = "serverless-chat", Environment = "dev" }
}
