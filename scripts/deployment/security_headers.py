"""The site's security headers, rendered from terraform/modules/site/security_headers.json as
terraform/modules/site renders them for CloudFront's response headers policy: what the local site
server sends, and what `make smoke` expects of the deployed site."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPEC = (
    Path(__file__).resolve().parents[2] / "terraform" / "modules" / "site" / "security_headers.json"
)


def security_headers(websocket_url: str, sign_in_origin: str | None = None) -> dict[str, str]:
    """The headers, with the WebSocket endpoint's origin in the CSP's ``connect-src``, and the
    origin the page signs in at when it has one (terraform/modules/site's ``sign_in.origin``)."""
    spec = json.loads(SPEC.read_text())
    parts = urlsplit(websocket_url)
    directives = dict(spec["contentSecurityPolicy"])
    directives["connect-src"] = [
        *directives["connect-src"],
        f"{parts.scheme}://{parts.netloc}",
        *([sign_in_origin] if sign_in_origin else []),
    ]
    hsts = spec["strictTransportSecurity"]
    return {
        "Content-Security-Policy": "; ".join(
            f"{name} {' '.join(directives[name])}" for name in sorted(directives)
        ),
        "Strict-Transport-Security": f"max-age={hsts['maxAgeSeconds']}"
        + ("; includeSubDomains" if hsts["includeSubdomains"] else "")
        + ("; preload" if hsts["preload"] else ""),
        "X-Content-Type-Options": spec["contentTypeOptions"],
        "X-Frame-Options": spec["frameOptions"],
        "Referrer-Policy": spec["referrerPolicy"],
    }


def sign_in_origin(config: Mapping[str, Any]) -> str | None:
    """Where the page that ``config`` (its config.json) configures signs in, as the CSP allows it:
    the emulator's endpoint locally (``cognitoEndpoint``), Cognito's regional endpoint on AWS
    (the region is the user pool id's prefix), nothing without sign-in."""
    if config.get("authMode", "off") == "off" or not config.get("userPoolId"):
        return None
    endpoint = urlsplit(str(config.get("cognitoEndpoint") or ""))
    if endpoint.netloc:
        return f"{endpoint.scheme}://{endpoint.netloc}"
    region = str(config["userPoolId"]).split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com"
