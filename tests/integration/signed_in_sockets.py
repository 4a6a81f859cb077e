"""Signed-in WebSocket clients for the stack tests: the stack's authorizer pointed at the test's
issuer (tests/sign_in.py), as at an external OIDC issuer's, so that a test mints its tokens (one
expiring in seconds, one signed by a foreign key), and a client offering one as its subprotocol."""

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from local_stack.stack import LocalStack
from serverless_chat import contract
from tests.conftest import function_settings
from tests.sign_in import CLIENT_ID, ISSUER, ISSUER_KEY, id_claims, key_set_served


@contextmanager
def trusting_the_test_issuer(stack: LocalStack) -> Iterator[str]:
    """The stack's WebSocket URL, its authorizer trusting the test's issuer (tests/sign_in.py)."""
    with (
        key_set_served() as keys,
        function_settings(
            stack,
            "authorize",
            JWKS_URL=keys.url,
            TOKEN_ISSUER=ISSUER,
            TOKEN_AUDIENCE=CLIENT_ID,
            TOKEN_USE="id",
        ),
    ):
        url = stack.options.websocket_url
        until_a_token_gets(url, None)
        yield url


def token(
    username: str, expires_in_s: int = 3600, key: Any = ISSUER_KEY, sub: str | None = None
) -> str:
    """An ID token of the test's issuer, for user ``sub`` (a new user unless given)."""
    now = int(time.time())
    return key.token(
        id_claims(
            sub=sub or str(uuid.uuid4()),
            exp=now + expires_in_s,
            **{"cognito:username": username},
        )
    )


def signed_in(url: str, id_token: str) -> ClientConnection:
    return connect(
        url,
        subprotocols=[
            Subprotocol(contract.SUBPROTOCOL),
            Subprotocol(contract.TOKEN_PROTOCOL_PREFIX + id_token),
        ],
        open_timeout=20,
    )


def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    ws.send(json.dumps(frame))


def receive(ws: ClientConnection, frame_type: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == frame_type:
            return dict(frame)


def refusal(url: str, id_token: str) -> int:
    with pytest.raises(InvalidStatus) as refused, signed_in(url, id_token):
        pass
    return refused.value.response.status_code


def refusal_or_none(url: str, id_token: str) -> int | None:
    """The handshake's refusal status, or None when it was admitted."""
    try:
        with signed_in(url, id_token):
            return None
    except InvalidStatus as refused:
        return refused.response.status_code


def until_a_token_gets(url: str, status: int | None) -> None:
    """Wait for the data plane to run the authorizer with new settings (function_settings's
    SIGHUP reloads it in the background) until a fresh token gets `status` (None: admitted)."""
    deadline = time.monotonic() + 30
    while refusal_or_none(url, token(f"probe-{uuid.uuid4().hex[:6]}")) != status:
        assert time.monotonic() < deadline, f"the authorizer never answered {status}"
        time.sleep(0.5)
