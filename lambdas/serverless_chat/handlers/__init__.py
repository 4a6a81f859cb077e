"""One module per route: each parses the API Gateway event and hands it to the chat."""
