"""Sign-in for the tests: an issuer's signing keys and ID tokens (signed with `cryptography`,
another RSA implementation than the `rsa` package the authorizer verifies with), and the
handles table as terraform/modules/tables makes it."""

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

REGION = "eu-west-1"
POOL = "eu-west-1_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT_ID = "4k1ient1d0fth3app"
HANDLES_TABLE = "chat-handles"
USER = "7d3f0a52-6b1e-4c0e-9f5e-2a4b8c6d1e90"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _number(value: int) -> str:
    return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class SigningKey:
    """An RSA key pair with its kid, as an issuer holds it."""

    def __init__(self, kid: str, bits: int = 2048) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=bits)

    @property
    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": _number(numbers.n),
            "e": _number(numbers.e),
        }

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(
        self,
        claims: dict[str, Any],
        alg: str = "RS256",
        kid: str | None = None,
        digest: hashes.HashAlgorithm | None = None,
    ) -> str:
        header = b64(json.dumps({"alg": alg, "kid": kid or self.kid}).encode())
        signing_input = f"{header}.{b64(json.dumps(claims).encode())}".encode()
        signature = self.private.sign(signing_input, padding.PKCS1v15(), digest or hashes.SHA256())
        return f"{signing_input.decode()}.{b64(signature)}"


ISSUER_KEY = SigningKey("pool-key-1")
ROTATED_KEY = SigningKey("pool-key-2")
FOREIGN_KEY = SigningKey("pool-key-1")  # another key under the same kid
OTHER_POOL_KEY = SigningKey("other-pool-key")


def id_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": USER,
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "cognito:username": "ada",
        "email": "ada@example.com",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def create_handles_table(client: Any) -> None:
    """The handles table as terraform/modules/tables makes it."""
    client.create_table(
        TableName=HANDLES_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )


class KeySetServer(ThreadingHTTPServer):
    """The issuer's JWKS endpoint: serves ``keys`` and counts the fetches."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _KeySetHandler)
        self.keys: list[dict[str, str]] = [ISSUER_KEY.jwk]
        self.fetches = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{POOL}/.well-known/jwks.json"


class _KeySetHandler(BaseHTTPRequestHandler):
    server: KeySetServer

    def do_GET(self) -> None:
        self.server.fetches += 1
        body = json.dumps({"keys": self.server.keys}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def key_set_served() -> Iterator[KeySetServer]:
    """An issuer's JWKS endpoint on loopback, serving ``ISSUER_KEY``, for as long as it is used."""
    server = KeySetServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
