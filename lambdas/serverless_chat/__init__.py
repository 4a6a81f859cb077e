"""serverless-chat: the Lambda functions behind the WebSocket chat."""
