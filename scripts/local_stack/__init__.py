"""The whole chat on one machine: an AWS emulator, ``terraform apply`` of ``envs/local``, the
local API Gateway data plane (``local_gateway``) and a CloudFront stand-in for the site.

Run through ``make dev`` (foreground), ``make up`` (background) and ``make down``.
"""
