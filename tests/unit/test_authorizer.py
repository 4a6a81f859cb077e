"""The `$connect` authorizer as API Gateway calls it: a REQUEST event whose Sec-WebSocket-Protocol
header may carry an ID token, answered with a policy on exactly the event's methodArn, or with
the error "Unauthorized" (API Gateway's 401). Tokens are signed by tests/sign_in.py's keys; the
key set is served over HTTP on loopback and fetched by the function as it fetches Cognito's;
DynamoDB is moto's."""

import base64
import hashlib
import hmac
import importlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from moto import mock_aws

from local_gateway.authorizers import _allows
from serverless_chat import contract
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.adapters.id_tokens import IdTokenVerifier, JsonWebKeys
from serverless_chat.domain.sign_in import UnauthorizedError
from serverless_chat.settings import AuthorizerSettings
from tests.sign_in import (
    CLIENT_ID,
    FOREIGN_KEY,
    HANDLES_TABLE,
    ISSUER,
    ISSUER_KEY,
    OTHER_POOL_KEY,
    POOL,
    REGION,
    ROTATED_KEY,
    USER,
    KeySetServer,
    SigningKey,
    b64,
    create_handles_table,
    id_claims,
    key_set_served,
)

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/prod/$connect"
PROTOCOL = "Sec-WebSocket-Protocol"


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)]
    )


@pytest.fixture(scope="module")
def key_set() -> Iterator[KeySetServer]:
    with key_set_served() as server:
        yield server


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_handles_table(client)
        yield client


@pytest.fixture
def authorizer(
    monkeypatch: pytest.MonkeyPatch, key_set: KeySetServer, dynamodb: Any
) -> Callable[[str], ModuleType]:
    """The handler module as Lambda imports it, with the environment Terraform sets for
    ``mode``; a fresh execution environment each time (its key set not yet fetched)."""
    key_set.keys = [ISSUER_KEY.jwk]
    key_set.fetches = 0

    def importing(mode: str, jwks_url: str = key_set.url) -> ModuleType:
        for name, value in {
            "AUTH_MODE": mode,
            "TOKEN_ISSUER": ISSUER,
            "TOKEN_AUDIENCE": CLIENT_ID,
            "TOKEN_USE": "id",
            "JWKS_URL": jwks_url,
            "HANDLES_TABLE": HANDLES_TABLE,
            "POWERTOOLS_SERVICE_NAME": "serverless-chat",
        }.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(importlib.import_module("serverless_chat.handlers.authorize"))

    return importing


def connect_event(*protocols: str, header: str = PROTOCOL) -> dict[str, Any]:
    """API Gateway's REQUEST authorizer event of a `$connect` offering ``protocols``."""
    headers = {"Host": "abcdef123.execute-api.eu-west-1.amazonaws.com", "Upgrade": "websocket"}
    if protocols:
        headers[header] = ", ".join(protocols)
    return {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": {
            "routeKey": "$connect",
            "eventType": "CONNECT",
            "stage": "prod",
            "connectionId": "Lx3nQd1ZliACE6A=",
            "apiId": "abcdef123",
        },
    }


def signed_in(token: str) -> dict[str, Any]:
    return connect_event(contract.SUBPROTOCOL, contract.TOKEN_PROTOCOL_PREFIX + token)


def answer(module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = module.lambda_handler(event, LambdaContextStub())
    return result


class LambdaContextStub:
    function_name = "serverless-chat-test-authorize"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:authorize"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"


def refused(module: ModuleType, event: dict[str, Any]) -> bool:
    """Whether the authorizer answers API Gateway's 401: the error "Unauthorized", exactly."""
    with pytest.raises(Exception) as raised:  # noqa: PT011 -- Lambda reports errorMessage only
        answer(module, event)
    return type(raised.value) is Exception and str(raised.value) == "Unauthorized"


# --- admitted ---------------------------------------------------------------------------------


def test_a_valid_id_token_is_admitted_as_its_user_with_handle_and_expiry(authorizer):
    claims = id_claims()
    result = answer(authorizer("required"), signed_in(ISSUER_KEY.token(claims)))

    assert result["principalId"] == USER
    assert result["context"] == {
        "userId": USER,
        "handle": "ada",
        "tokenExpiresAt": str(claims["exp"]),
    }
    assert result["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": METHOD_ARN}],
    }
    assert _allows(result["policyDocument"], METHOD_ARN)


def test_the_policy_names_the_method_arn_exactly_where_a_rest_style_wildcard_would_be_refused(
    authorizer,
):
    result = answer(authorizer("optional"), signed_in(ISSUER_KEY.token(id_claims())))
    [statement] = result["policyDocument"]["Statement"]
    assert statement["Resource"] == METHOD_ARN
    # powertools' allow_all_routes() writes <api>/<stage>/*/* (a REST API's method/resource):
    # a WebSocket methodArn has one part after the stage, so API Gateway finds no Allow: 403.
    wildcard = {**statement, "Resource": METHOD_ARN.removesuffix("$connect") + "*/*"}
    assert not _allows({"Version": "2012-10-17", "Statement": [wildcard]}, METHOD_ARN)


def test_a_token_within_the_minute_of_clock_skew_is_admitted(authorizer):
    now = int(time.time())
    late = id_claims(exp=now - 30, iat=now - 3630)
    early = id_claims(iat=now + 30, nbf=now + 30)
    module = authorizer("required")
    assert answer(module, signed_in(ISSUER_KEY.token(late)))["principalId"] == USER
    assert answer(module, signed_in(ISSUER_KEY.token(early)))["principalId"] == USER


def test_the_token_is_found_among_other_subprotocols_and_header_lines_whatever_their_case(
    authorizer,
):
    module = authorizer("required")
    token = contract.TOKEN_PROTOCOL_PREFIX + ISSUER_KEY.token(id_claims())
    event = connect_event("chat.v2", f"  {token} ", contract.SUBPROTOCOL, header=PROTOCOL.lower())
    event["multiValueHeaders"][PROTOCOL.lower()] = ["chat.v2", f"{token}, {contract.SUBPROTOCOL}"]
    assert answer(module, event)["principalId"] == USER


def test_a_guest_is_admitted_without_a_token_where_guests_are_welcome(authorizer):
    module = authorizer("optional")
    for event in (connect_event(), connect_event(contract.SUBPROTOCOL)):
        result = answer(module, event)
        assert result["principalId"] == "guest"
        assert result["context"] == {}
        assert result["policyDocument"]["Statement"][0]["Resource"] == METHOD_ARN


def test_no_token_where_sign_in_is_required_is_401(authorizer):
    module = authorizer("required")
    assert refused(module, connect_event())
    assert refused(module, connect_event(contract.SUBPROTOCOL))


# --- refused ----------------------------------------------------------------------------------


def _tampered() -> str:
    header, _, signature = ISSUER_KEY.token(id_claims()).split(".")
    payload = b64(
        json.dumps(id_claims(sub="someone-else", **{"cognito:username": "root"})).encode()
    )
    return f"{header}.{payload}.{signature}"


def _forged_signature() -> str:
    header, payload, signature = ISSUER_KEY.token(id_claims()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[-1] ^= 0x01
    return f"{header}.{payload}.{b64(bytes(raw))}"


def _hs256_with_the_public_key(secret: bytes) -> str:
    header = b64(json.dumps({"alg": "HS256", "kid": ISSUER_KEY.kid}).encode())
    signing_input = f"{header}.{b64(json.dumps(id_claims()).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _now() -> int:
    """Now, when the token is made: the tests may run minutes after they were collected."""
    return int(time.time())


REFUSED = {
    "forged signature": _forged_signature,
    "payload changed under the issuer's signature": _tampered,
    "re-signed by another key under the issuer's kid": lambda: FOREIGN_KEY.token(id_claims()),
    "expired beyond the leeway": lambda: ISSUER_KEY.token(id_claims(exp=_now() - 61)),
    "not yet valid (nbf)": lambda: ISSUER_KEY.token(id_claims(nbf=_now() + 120)),
    "issued in the future (iat)": lambda: ISSUER_KEY.token(id_claims(iat=_now() + 120)),
    "another audience": lambda: ISSUER_KEY.token(id_claims(aud="another-app-client")),
    "another issuer": lambda: ISSUER_KEY.token(
        id_claims(iss=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Another")
    ),
    "an access token": lambda: ISSUER_KEY.token(
        id_claims(token_use="access", aud=None, client_id=CLIENT_ID)
    ),
    "an access token that names the audience": lambda: ISSUER_KEY.token(
        id_claims(token_use="access")
    ),
    "a token of another pool": lambda: OTHER_POOL_KEY.token(
        id_claims(iss=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_OtherPool")
    ),
    "an unknown kid": lambda: ISSUER_KEY.token(id_claims(), kid="made-up"),
    "alg none": lambda: unsigned({"alg": "none", "kid": ISSUER_KEY.kid}, id_claims()),
    "alg None": lambda: unsigned({"alg": "None"}, id_claims()),
    "HS256 keyed with the public key's PEM": lambda: _hs256_with_the_public_key(
        ISSUER_KEY.public_pem
    ),
    "HS256 keyed with the JWK": lambda: _hs256_with_the_public_key(
        json.dumps(ISSUER_KEY.jwk).encode()
    ),
    "RS512 by the issuer's key": lambda: ISSUER_KEY.token(
        id_claims(), alg="RS512", digest=hashes.SHA512()
    ),
    "RS256 header over a SHA-1 signature": lambda: ISSUER_KEY.token(
        id_claims(),
        digest=hashes.SHA1(),  # noqa: S303 -- the hash an attacker would pick
    ),
    "no exp": lambda: ISSUER_KEY.token(id_claims(exp=None)),
    "no sub": lambda: ISSUER_KEY.token(id_claims(sub=None)),
    "an empty sub": lambda: ISSUER_KEY.token(id_claims(sub="")),
    "garbage": lambda: "not-a-token",
    "three garbage parts": lambda: "a.b.c",
    "an empty token": lambda: "",
    "a signature of zeros": lambda: ".".join(
        [*ISSUER_KEY.token(id_claims()).split(".")[:2], b64(bytes(256))]
    ),
    "a signature past the modulus": lambda: ".".join(
        [*ISSUER_KEY.token(id_claims()).split(".")[:2], b64(b"\xff" * 256)]
    ),
}


@pytest.mark.parametrize("mode", ["optional", "required"])
@pytest.mark.parametrize("case", REFUSED)
def test_a_token_that_is_not_valid_is_401_in_either_mode(authorizer, case, mode):
    assert refused(authorizer(mode), signed_in(REFUSED[case]()))


@pytest.mark.parametrize("mode", ["optional", "required"])
def test_a_token_issued_at_or_before_the_users_sign_out_is_401_and_a_later_one_is_admitted(
    authorizer, dynamodb, mode
):
    module = authorizer(mode)
    now = int(time.time())
    before = ISSUER_KEY.token(id_claims(iat=now - 60, auth_time=now - 60))
    same_second = ISSUER_KEY.token(id_claims(iat=now, auth_time=now))
    assert answer(module, signed_in(before))["principalId"] == USER  # claims the handle

    assert HandlesTable(dynamodb, HANDLES_TABLE).record_sign_out(USER, now)

    assert refused(module, signed_in(before))
    assert refused(module, signed_in(same_second))
    after = ISSUER_KEY.token(id_claims(iat=now + 1, auth_time=now + 1))
    assert answer(module, signed_in(after))["context"]["handle"] == "ada"


def test_a_refused_sign_in_claims_no_handle(authorizer, dynamodb):
    module = authorizer("optional")
    for case in ("another audience", "re-signed by another key under the issuer's kid"):
        assert refused(module, signed_in(REFUSED[case]()))
    assert dynamodb.scan(TableName=HANDLES_TABLE)["Items"] == []


def test_a_key_set_with_a_small_or_non_rsa_key_uses_only_its_sound_keys(authorizer, key_set):
    small = SigningKey("small-key", bits=1024)
    module = authorizer("required")
    key_set.keys = [small.jwk, {"kty": "EC", "kid": "ec-key", "crv": "P-256"}, ISSUER_KEY.jwk]
    assert answer(module, signed_in(ISSUER_KEY.token(id_claims())))["principalId"] == USER
    assert refused(module, signed_in(small.token(id_claims())))


# --- the key set ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_key_set_is_fetched_once_per_execution_environment(authorizer, key_set):
    module = authorizer("required")
    for _ in range(3):
        assert answer(module, signed_in(ISSUER_KEY.token(id_claims())))["principalId"] == USER
    assert key_set.fetches == 1


def test_a_rotated_key_is_fetched_once_and_a_flood_of_unknown_kids_fetches_once_a_minute(
    key_set,
):
    key_set.keys, key_set.fetches = [ISSUER_KEY.jwk], 0
    clock = Clock()
    verifier = IdTokenVerifier(JsonWebKeys(key_set.url, clock=clock), ISSUER, CLIENT_ID, "id")
    assert verifier.verify(ISSUER_KEY.token(id_claims()))["sub"] == USER
    assert key_set.fetches == 1

    key_set.keys = [ISSUER_KEY.jwk, ROTATED_KEY.jwk]  # the issuer rotates
    clock.now += 61
    assert verifier.verify(ROTATED_KEY.token(id_claims()))["sub"] == USER
    assert verifier.verify(ISSUER_KEY.token(id_claims()))["sub"] == USER
    assert key_set.fetches == 2

    for number in range(200):  # made-up kids, two a second for 100 seconds
        clock.now += 0.5
        with pytest.raises(UnauthorizedError):
            verifier.verify(ISSUER_KEY.token(id_claims(), kid=f"made-up-{number}"))
    assert key_set.fetches == 3  # one, a minute after the rotation's fetch
    assert verifier.verify(ROTATED_KEY.token(id_claims()))["sub"] == USER  # still known


def test_a_key_set_that_cannot_be_fetched_fails_the_invocation_not_the_user(authorizer):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/{POOL}/.well-known/jwks.json"
    module = authorizer("required", jwks_url=url)
    with pytest.raises(
        OSError, match="Connection refused"
    ):  # Lambda reports the error; API Gateway answers 500, not 401
        answer(module, signed_in(ISSUER_KEY.token(id_claims())))


# --- settings ---------------------------------------------------------------------------------


def _authorizer_environment(**changes: str) -> dict[str, str]:
    # its own variables, beside the functions' shared ones
    environment = dict.fromkeys(contract.AUTHORIZER_ENVIRONMENT | contract.ENVIRONMENT, "1")
    environment.update(AUTH_MODE="required", JWKS_URL="https://issuer.example/jwks.json")
    return {**environment, **changes}


def test_the_authorizer_settings_are_the_contracts_and_the_chats_need_none_of_them():
    read: set[str] = set()

    class Recording(dict[str, str]):
        def __getitem__(self, key: str) -> str:
            read.add(key)
            return super().__getitem__(key)

    AuthorizerSettings.from_environment(Recording(_authorizer_environment()))
    shared = {"AUTH_MODE", "HANDLES_TABLE"}  # of the functions' environment
    assert read == contract.AUTHORIZER_ENVIRONMENT | shared
    assert not contract.AUTHORIZER_ENVIRONMENT & contract.ENVIRONMENT


@pytest.mark.parametrize(
    "changes",
    [{"AUTH_MODE": "off"}, {"AUTH_MODE": "Optional"}, {"JWKS_URL": "file:///etc/passwd"}],
)
def test_an_authorizer_without_a_mode_or_with_a_key_set_url_that_is_not_http_fails_loudly(changes):
    with pytest.raises(ValueError, match=r"AUTH_MODE|JWKS_URL"):
        AuthorizerSettings.from_environment(_authorizer_environment(**changes))
