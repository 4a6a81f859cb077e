"""A local stack started with AUTH=optional (`make dev AUTH=optional`, `make up AUTH=…`) has a
user pool in the emulator's Cognito, the `$connect` authorizer and a page told how to sign in;
`make local-user` creates a confirmed user there who can sign in, while a wrong password cannot;
without a running stack, or with AUTH=off, it says what to do instead.

The page's app client allows SRP and refresh only (the password never leaves the browser). The
test signs in through an app client of its own that allows ADMIN_USER_PASSWORD_AUTH: an SRP
client in Python would be one more library for the tests, and MiniStack checks the password
against the one AdminSetUserPassword stored in both flows (services/cognito.py); the page's SRP
sign-in is the browser test's."""

import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, _emulator_client

PASSWORD = "Correct-Horse-9"


def local_user(work_dir: Path, username: str, password: str) -> subprocess.CompletedProcess[str]:
    """`make local-user`'s command: the password in the environment, as the Makefile passes it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "local_stack",
            "user",
            f"--work-dir={work_dir}",
            f"--username={username}",
        ],
        env={
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'scripts'}:{ROOT / 'lambdas'}",
            "LOCAL_USER_PASSWORD": password,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_stack_with_sign_in_tells_the_page_where_to_sign_in(optional_stack: LocalStack) -> None:
    ready = json.loads(optional_stack.options.ready_file.read_text())
    assert ready["authMode"] == "optional"
    port = optional_stack.options.site_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/config.json") as answer:
        config = json.loads(answer.read())
        csp = answer.headers["Content-Security-Policy"]
    assert config == {
        "websocketUrl": optional_stack.options.websocket_url,
        "authMode": "optional",
        "userPoolId": ready["userPoolId"],
        "userPoolClientId": ready["userPoolClientId"],
        "cognitoEndpoint": optional_stack.emulator_endpoint,
    }
    connect_src = next(d for d in csp.split("; ") if d.startswith("connect-src "))
    assert connect_src.split()[1:] == [
        "'self'",
        optional_stack.options.websocket_url.removesuffix("/local"),
        optional_stack.emulator_endpoint,
    ]
    cognito = _emulator_client("cognito-idp", optional_stack.emulator_endpoint)
    assert cognito.describe_user_pool(UserPoolId=ready["userPoolId"])["UserPool"]["Id"]
    # The keys the authorizer is told to fetch are there, on the emulator's port.
    pool = ready["userPoolId"]
    jwks = f"{optional_stack.emulator_endpoint}/{pool}/.well-known/jwks.json"
    with urllib.request.urlopen(jwks) as keys:  # noqa: S310 - the emulator's http:// port
        # one key per token use (ID and access tokens), all RS256
        algorithms = [key["alg"] for key in json.loads(keys.read())["keys"]]
    assert algorithms
    assert set(algorithms) == {"RS256"}


def test_a_local_user_signs_in_and_a_wrong_password_does_not(optional_stack: LocalStack) -> None:
    created = local_user(optional_stack.options.work_dir, "ada", PASSWORD)
    assert created.returncode == 0, created.stdout + created.stderr
    assert f"Sign in at {optional_stack.options.site_url}/lobby as ada" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr

    ready = json.loads(optional_stack.options.ready_file.read_text())
    pool = ready["userPoolId"]
    cognito = _emulator_client("cognito-idp", optional_stack.emulator_endpoint)
    user = cognito.admin_get_user(UserPoolId=pool, Username="ada")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]

    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="test-sign-in",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD},
    )
    assert "ChallengeName" not in signed_in, "a permanent password: no change asked"
    token = claims(signed_in["AuthenticationResult"]["IdToken"])
    assert token["cognito:username"] == "ada"
    assert token["token_use"] == "id"
    assert token["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"

    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD + "x"},
        )

    again = local_user(optional_stack.options.work_dir, "ada", PASSWORD)
    assert again.returncode != 0
    assert "UsernameExistsException" in again.stderr


def test_local_user_says_what_to_do_without_a_stack_or_with_auth_off(
    tmp_path: Path, stack: LocalStack
) -> None:
    nothing = local_user(tmp_path, "ada", PASSWORD)
    assert nothing.returncode != 0
    assert "The local stack is not running" in nothing.stderr
    assert "make up AUTH=optional" in nothing.stderr

    off = local_user(stack.options.work_dir, "ada", PASSWORD)
    assert off.returncode != 0
    assert "runs with AUTH=off" in off.stderr


def test_local_user_needs_a_name_and_a_password(optional_stack: LocalStack) -> None:
    refused = local_user(optional_stack.options.work_dir, "", PASSWORD)
    assert refused.returncode != 0
    assert "Set USERNAME and PASSWORD" in refused.stderr
