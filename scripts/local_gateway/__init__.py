"""A local API Gateway WebSocket data plane.

Run `PYTHONPATH=scripts python -m local_gateway --help`.
"""
