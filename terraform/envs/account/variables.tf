variable "region" {
  description = "AWS region whose API Gateway account setting this root manages or adopts: `make account` passes the one REGION of the environment (see terraform/README.md)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name, like eu-west-1."
  }
}

variable "registered_role_arn" {
  description = "The CloudWatch role ARN the account's API Gateway setting names now (`aws apigateway get-account` → cloudwatchRoleArn), or \"\" when none: `make account` reads it before every plan and apply (scripts/deployment/account_setting.py). It decides whether this root creates, keeps, imports or adopts the role."
  type        = string

  validation {
    condition     = var.registered_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.registered_role_arn))
    error_message = "registered_role_arn must be \"\" or an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "role_name" {
  description = "Name of the role this root creates when the account has none registered; null for `serverless-chat-apigateway-cloudwatch-<region>` (IAM names are global to the account, and each region's API Gateway has a setting of its own)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be a valid IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)."
  }
}

variable "handed_over_role_names" {
  description = "Roles that earlier versions of this project created in envs/dev or envs/prod. When the setting names one of them, this root imports it (and its policy attachment) and manages it under its own name instead of adopting it."
  type        = list(string)
  default     = ["serverless-chat-dev-apigateway-cloudwatch", "serverless-chat-prod-apigateway-cloudwatch"]

  validation {
    condition     = alltrue([for name in var.handed_over_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", name))])
    error_message = "handed_over_role_names must be valid IAM role names."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { Project = "serverless-chat", Environment = "account" }
}
