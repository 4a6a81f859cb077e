variable "region" {
  description = "AWS region of the stack (the CloudFront certificate of a custom domain is in us-east-1 regardless)."
  type        = string
  default     = "us-east-1"
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
  default     = { Project = "serverless-chat", Environment = "prod" }
}
