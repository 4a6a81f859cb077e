"""SigV4 for `@connections` callers over HTTP: a request must carry the signature that the
emulator's test credentials give, as botocore's own signer recomputes it."""

import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# The emulator's test credentials: what the workers and the gateway's own clients use.
TEST_CREDENTIALS = Credentials("test", "test")

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<access_key>[^/]+)/\d{8}/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed_headers>[^,]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


def is_signed(
    method: str, target: str, headers: dict[str, str], body: bytes, credentials: Credentials
) -> bool:
    """Whether the request's `Authorization` is `credentials`' SigV4 signature of it.

    `target` is the request line's path and query as sent; `headers` have lower-case names.
    """
    match = _AUTHORIZATION.match(headers.get("authorization", ""))
    if match is None or match["access_key"] != credentials.access_key:
        return False
    signed_names = match["signed_headers"].split(";")
    if "x-amz-date" not in headers or any(name not in headers for name in signed_names):
        return False
    request = AWSRequest(
        method=method,
        url=f"http://{headers.get('host', 'localhost')}{target}",
        data=body,
        headers={name: headers[name] for name in signed_names},
    )
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(credentials, match["service"], match["region"])
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    return hmac.compare_digest(signer.signature(string_to_sign, request), match["signature"])
