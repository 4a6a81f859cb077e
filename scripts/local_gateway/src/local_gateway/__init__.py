"""A local API Gateway WebSocket data plane.

Run `local-gateway --help` (installed with this package).
"""
