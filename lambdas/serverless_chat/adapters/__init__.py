"""The chat's ports implemented with AWS: DynamoDB tables, the @connections API, powertools."""
