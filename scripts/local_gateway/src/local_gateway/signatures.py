"""SigV4 as API Gateway checks it, against the emulator's test credentials (botocore's own
signer recomputes the signature): `@connections` callers over HTTP (signed in their headers, as
the SDKs sign), and the upgrade GET of an `AWS_IAM` `$connect`, signed in its headers or as a
presigned URL (its query string). The refusals' types and messages are API Gateway's."""

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# The emulator's test credentials: what the workers and the gateway's own clients use.
TEST_CREDENTIALS = Credentials("test", "test")
SERVICE = "execute-api"
# "A request must reach AWS within five minutes of the time stamp in the request."
CLOCK_SKEW = timedelta(minutes=5)
# A presigned URL's X-Amz-Expires: at least 1 second, at most 7 days.
MAX_EXPIRES_S = 604_800

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<credential>[^,]+), ?"
    r"SignedHeaders=(?P<signed_headers>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})$"
)
_CREDENTIAL = re.compile(
    r"^(?P<access_key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request$"
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@dataclass(frozen=True)
class Refusal:
    """Why API Gateway answers 403: the `x-amzn-ErrorType` and the body's `message`."""

    error_type: str
    message: str


MISSING_TOKEN = Refusal("MissingAuthenticationTokenException", "Missing Authentication Token")
INVALID_SIGNATURE = Refusal("InvalidSignatureException", _SIGNATURE_MISMATCH)
UNKNOWN_ACCESS_KEY = Refusal(
    "UnrecognizedClientException", "The security token included in the request is invalid."
)


@dataclass(frozen=True)
class _Signature:
    """What a request says of its signature, from its `Authorization` or its query string."""

    access_key: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    amz_date: str
    expires: str | None  # a presigned URL's X-Amz-Expires; None for the header form


def management_refusal(
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    *,
    credentials: Credentials,
    region: str,
    now: datetime,
) -> Refusal | None:
    """Why an `@connections` request over HTTP is refused, as API Gateway answers it (403):
    no `Authorization` header, another access key than `credentials`', a scope that is not
    `execute-api` in `region`, a date more than 5 minutes from `now`, or a signature that is
    not `credentials`' SigV4 signature of the request (a wrong secret, another body or path).
    None: it is signed.

    `target` is the request line's path and query as sent; `headers` have lower-case names.
    """
    if "authorization" not in headers:
        return MISSING_TOKEN
    signature = _header_signature(headers)
    if signature is None:
        return INVALID_SIGNATURE
    refusal = _scope_refusal(signature, credentials, region) or _time_refusal(signature, now)
    if refusal is not None:
        return refusal
    if not _matches(
        signature, method=method, target=target, headers=headers, body=body, credentials=credentials
    ):
        return INVALID_SIGNATURE
    return None


def handshake_refusal(
    target: str, headers: dict[str, str], credentials: Credentials, region: str, now: datetime
) -> Refusal | None:
    """Why an upgrade GET to an `AWS_IAM` `$connect` is refused (None: it is `credentials`'
    SigV4 signature of it, for `execute-api` in `region`, and current at `now`).

    `target` is the request line's path and query as sent; `headers` have lower-case names.
    """
    signature = _handshake_signature(target, headers)
    if isinstance(signature, Refusal):
        return signature
    refusal = _scope_refusal(signature, credentials, region) or _time_refusal(signature, now)
    if refusal is not None:
        return refusal
    if not _matches(
        signature, method="GET", target=target, headers=headers, body=b"", credentials=credentials
    ):
        return INVALID_SIGNATURE
    return None


def _handshake_signature(target: str, headers: dict[str, str]) -> _Signature | Refusal:
    """The signature of the `Authorization` header, else of the query string (a presigned URL)."""
    query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    if "authorization" in headers:
        signature = _header_signature(headers)
    elif "X-Amz-Signature" in query or "X-Amz-Credential" in query:
        signature = _query_signature(query)
    else:
        return MISSING_TOKEN
    return INVALID_SIGNATURE if signature is None else signature


def _scope_refusal(signature: _Signature, credentials: Credentials, region: str) -> Refusal | None:
    """Another access key than the test credentials', or a credential scope that is not
    `execute-api` in the API's region."""
    if signature.access_key != credentials.access_key:
        return UNKNOWN_ACCESS_KEY
    if signature.service != SERVICE:
        return Refusal(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SERVICE}'.",
        )
    if signature.region != region:
        return Refusal(
            "InvalidSignatureException", "Credential should be scoped to a valid region."
        )
    return None


def _header_signature(headers: dict[str, str]) -> _Signature | None:
    match = _AUTHORIZATION.match(headers.get("authorization", ""))
    credential = _CREDENTIAL.match(match["credential"]) if match else None
    if match is None or credential is None or "x-amz-date" not in headers:
        return None
    return _Signature(
        access_key=credential["access_key"],
        region=credential["region"],
        service=credential["service"],
        signed_headers=match["signed_headers"].split(";"),
        signature=match["signature"],
        amz_date=headers["x-amz-date"],
        expires=None,
    )


def _query_signature(query: dict[str, str]) -> _Signature | None:
    credential = _CREDENTIAL.match(query.get("X-Amz-Credential", ""))
    names = ("X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")
    if (
        query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256"
        or credential is None
        or any(name not in query for name in names)
    ):
        return None
    return _Signature(
        access_key=credential["access_key"],
        region=credential["region"],
        service=credential["service"],
        signed_headers=query["X-Amz-SignedHeaders"].split(";"),
        signature=query["X-Amz-Signature"],
        amz_date=query["X-Amz-Date"],
        expires=query["X-Amz-Expires"],
    )


def _time_refusal(signature: _Signature, now: datetime) -> Refusal | None:
    """The header form must be within 5 minutes of `now`; a presigned URL may be up to 5
    minutes early and is good for its X-Amz-Expires (1 s to 7 days) after its date."""
    try:
        signed_at = datetime.strptime(signature.amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        return INVALID_SIGNATURE
    if signature.expires is not None:
        if not signature.expires.isdigit() or not 1 <= int(signature.expires) <= MAX_EXPIRES_S:
            return Refusal(
                "InvalidSignatureException",
                f"X-Amz-Expires must be a number of seconds from 1 to {MAX_EXPIRES_S}.",
            )
        valid_for = timedelta(seconds=int(signature.expires))
    else:
        valid_for = CLOCK_SKEW
    if signed_at < now - valid_for:
        return Refusal(
            "InvalidSignatureException",
            f"Signature expired: {signature.amz_date} is now earlier than "
            f"{(now - valid_for).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} - "
            f"{_duration(valid_for)}.)",
        )
    if signed_at > now + CLOCK_SKEW:
        return Refusal(
            "InvalidSignatureException",
            f"Signature not yet current: {signature.amz_date} is still later than "
            f"{(now + CLOCK_SKEW).strftime(_AMZ_DATE)} ({now.strftime(_AMZ_DATE)} + 5 min.)",
        )
    return None


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} sec"


def _matches(
    signature: _Signature,
    *,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    credentials: Credentials,
) -> bool:
    """Whether botocore's signer, given the signed headers and the request's date, computes
    the signature the request carries (for a presigned URL: over its query string without
    X-Amz-Signature, as SigV4QueryAuth signed it)."""
    if "host" not in signature.signed_headers:
        return False
    if any(name not in headers for name in signature.signed_headers):
        return False
    path, _, query = target.partition("?")
    signer: SigV4Auth
    if signature.expires is None:
        signer = SigV4Auth(credentials, signature.service, signature.region)
    else:
        pairs = [pair for pair in query.split("&") if not pair.startswith("X-Amz-Signature=")]
        query = "&".join(pairs)
        signer = SigV4QueryAuth(
            credentials, signature.service, signature.region, int(signature.expires)
        )
    request = AWSRequest(
        method=method,
        url=f"http://{headers['host']}{path}" + (f"?{query}" if query else ""),
        data=body,
        headers={name: headers[name] for name in signature.signed_headers},
    )
    request.context["timestamp"] = signature.amz_date
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    return hmac.compare_digest(signer.signature(string_to_sign, request), signature.signature)
