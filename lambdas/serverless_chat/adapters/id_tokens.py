"""ID tokens (JWTs) verified against their issuer's JSON Web Key Set.

PyJWT parses the token and checks its claims; the RS256 signature is checked by the pure-Python
``rsa`` package, registered as PyJWT's RS256 handler through PyJWT's extension point
(``jwt.register_algorithm``). PyJWT's own RS256 needs ``cryptography``, whose wheel alone would
take build/lambdas.zip past its 5 MiB (README's "Sign-in" says by how much).

Refused, as ``UnauthorizedError``: any ``alg`` but RS256 (``none``, HS256 signed with the public
key as its secret, RS512...), a ``kid`` not in the key set, a bad signature, another issuer or
audience, another ``token_use`` (an access token where an ID token is wanted), ``exp`` past,
``iat`` or ``nbf`` ahead (each with ``LEEWAY_SECONDS`` of clock skew), and a token without
``sub``, ``exp``, ``iat``, ``iss`` or ``aud``.
"""

import base64
import contextlib
import json
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

import jwt
import rsa
from jwt.algorithms import Algorithm
from jwt.exceptions import InvalidKeyError

from serverless_chat.domain.sign_in import UnauthorizedError

ALGORITHM: Final = "RS256"
LEEWAY_SECONDS: Final = 60
REFETCH_INTERVAL_SECONDS: Final = 60
JWKS_TIMEOUT_SECONDS: Final = 3
MAX_JWKS_BYTES: Final = 1024 * 1024
MIN_KEY_BITS: Final = 2048
REQUIRED_CLAIMS: Final = ("sub", "exp", "iat", "iss", "aud")


class Rs256(Algorithm):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518, 3.3), verification only, by ``rsa``."""

    def prepare_key(self, key: Any) -> rsa.PublicKey:
        if not isinstance(key, rsa.PublicKey):
            raise InvalidKeyError("RS256 verifies with an rsa.PublicKey")
        return key

    def sign(self, msg: bytes, key: Any) -> NoReturn:
        raise NotImplementedError("the chat verifies tokens; it signs none")

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        # rsa.verify rebuilds the whole PKCS#1 v1.5 block (padding, DigestInfo, digest) for the
        # hash the signature names and compares it byte for byte; it returns that hash's name,
        # which must be SHA-256: a signature over another digest of the message is refused.
        try:
            return bool(rsa.verify(msg, sig, key) == "SHA-256")
        except (rsa.VerificationError, OverflowError, ValueError):
            return False

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        raise NotImplementedError("the chat publishes no keys")

    @staticmethod
    def from_jwk(jwk: str | Mapping[str, Any]) -> rsa.PublicKey:
        """An RSA signing key of at least ``MIN_KEY_BITS``; ``InvalidKeyError`` otherwise."""
        fields = json.loads(jwk) if isinstance(jwk, str) else jwk
        if fields.get("kty") != "RSA" or fields.get("use", "sig") != "sig":
            raise InvalidKeyError("not an RSA signing key")
        if fields.get("alg", ALGORITHM) != ALGORITHM:
            raise InvalidKeyError(f"a key for {fields.get('alg')}")
        try:
            key = rsa.PublicKey(_integer(fields["n"]), _integer(fields["e"]))
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidKeyError("an RSA key needs n and e in base64url") from error
        if key.n.bit_length() < MIN_KEY_BITS:
            raise InvalidKeyError(f"an RSA key of {key.n.bit_length()} bits")
        return key


# PyJWT keeps one registry per process: where `cryptography` is installed (the test machines),
# RS256 already has PyJWT's own handler; it is replaced, so every environment verifies with
# the code the Lambda package runs.
with contextlib.suppress(KeyError):
    jwt.unregister_algorithm(ALGORITHM)
jwt.register_algorithm(ALGORITHM, Rs256())


def fetch(url: str) -> bytes:
    """GET ``url`` (http or https: the settings refuse any other scheme)."""
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310
        body: bytes = response.read(MAX_JWKS_BYTES)
    return body


class JsonWebKeys:
    """The issuer's signing keys by ``kid``: fetched at the first token of an execution
    environment, and again for a ``kid`` not among them (the issuer rotated its keys), at most
    once every ``REFETCH_INTERVAL_SECONDS``: a flood of made-up ``kid``s costs one fetch a
    minute. A key set that cannot be fetched fails the invocation (API Gateway answers 500)."""

    def __init__(
        self,
        url: str,
        fetcher: Callable[[str], bytes] = fetch,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetcher
        self._clock = clock
        self._keys: dict[str, rsa.PublicKey] = {}
        self._fetched_at: float | None = None

    def key(self, kid: str) -> rsa.PublicKey:
        if kid not in self._keys and self._may_fetch():
            self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise UnauthorizedError(f"no signing key {kid!r}") from None

    def _may_fetch(self) -> bool:
        return (
            self._fetched_at is None or self._clock() - self._fetched_at >= REFETCH_INTERVAL_SECONDS
        )

    def _refresh(self) -> None:
        self._fetched_at = self._clock()  # first: an issuer that fails is not hammered either
        document = json.loads(self._fetch(self._url))
        keys: dict[str, rsa.PublicKey] = {}
        for jwk in document["keys"]:
            with contextlib.suppress(InvalidKeyError):  # another kind of key: not ours to use
                if isinstance(jwk.get("kid"), str):
                    keys[jwk["kid"]] = Rs256.from_jwk(jwk)
        self._keys = keys


class IdTokenVerifier:
    """Verifies ID tokens of one issuer and audience (the app client)."""

    def __init__(self, keys: JsonWebKeys, issuer: str, audience: str, token_use: str) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._token_use = token_use  # "": not checked (an issuer without token_use)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; ``UnauthorizedError`` for any token this issuer did not sign
        for this audience, or that is not valid now."""
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if header.get("alg") != ALGORITHM or not isinstance(kid, str):
                raise UnauthorizedError(f"alg {header.get('alg')!r}, kid {kid!r}")
            # PyJWT's types name its own algorithms' keys; Rs256 takes an rsa.PublicKey.
            key: Any = self._keys.key(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.InvalidTokenError as error:
            raise UnauthorizedError(f"{type(error).__name__}: {error}") from None
        if self._token_use and claims.get("token_use") != self._token_use:
            raise UnauthorizedError(f"token_use {claims.get('token_use')!r}")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise UnauthorizedError("no subject")
        return claims


def _integer(base64url: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(base64url + "=" * (-len(base64url) % 4)))
