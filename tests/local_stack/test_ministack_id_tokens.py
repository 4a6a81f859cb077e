"""MiniStack's Cognito, as the local stack's sign-in uses it: its ID tokens pass the `$connect`
authorizer's checks with the settings envs/local gives it, and its other tokens do not.

MiniStack names AWS's issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`) but signs
with keys of its own, one per pool and token use, served on the emulator's port at
`/<pool id>/.well-known/jwks.json`: so JWKS_URL is a setting, never derived from the issuer. One
MiniStack, no stack: the handles table is made here, in its DynamoDB."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest

from local_stack import emulator
from local_stack.emulator import free_port
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.adapters.id_tokens import IdTokenVerifier, JsonWebKeys, fetch
from serverless_chat.domain.sign_in import SignIn, UnauthorizedError
from tests.sign_in import HANDLES_TABLE, create_handles_table

REGION = "us-east-1"
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("ministack") / "ministack.log"
    with open(log_path, "wb") as log:
        started = emulator.start_ministack("127.0.0.1", free_port(), log)
    try:
        yield started.endpoint
    finally:
        started.stop()


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


class Pool:
    """A user pool with an app client (no secret) and confirmed users, as envs/local and `make
    local-user` make them."""

    def __init__(self, endpoint: str, name: str) -> None:
        self.cognito = client(endpoint, "cognito-idp")
        self.id = self.cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
        self.client_id = self.cognito.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="page",
            ExplicitAuthFlows=[
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ],
        )["UserPoolClient"]["ClientId"]
        self.jwks_url = f"{endpoint}/{self.id}/.well-known/jwks.json"
        self.issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{self.id}"

    def signed_in(self, username: str) -> dict[str, str]:
        """The tokens of a confirmed user's sign-in (the tests sign in without SRP)."""
        self.cognito.admin_create_user(
            UserPoolId=self.id, Username=username, MessageAction="SUPPRESS"
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.id, Username=username, Password=PASSWORD, Permanent=True
        )
        tokens: dict[str, str] = self.cognito.admin_initiate_auth(
            UserPoolId=self.id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return tokens

    def verifier(self) -> IdTokenVerifier:
        """The authorizer's checks with the settings envs/local gives it."""
        return IdTokenVerifier(
            JsonWebKeys(self.jwks_url), issuer=self.issuer, audience=self.client_id, token_use="id"
        )


@pytest.fixture(scope="module")
def pool(endpoint: str) -> Pool:
    return Pool(endpoint, "chat")


def test_an_id_token_of_the_pool_passes_with_its_user_and_username(pool):
    tokens = pool.signed_in("ada")
    claims = pool.verifier().verify(tokens["IdToken"])
    assert claims["iss"] == pool.issuer
    assert claims["aud"] == pool.client_id
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "ada"
    assert claims["sub"]


def test_the_pools_access_and_refresh_tokens_do_not(pool):
    tokens = pool.signed_in("grace")
    for kind in ("AccessToken", "RefreshToken"):
        with pytest.raises(UnauthorizedError):
            pool.verifier().verify(tokens[kind])


def test_an_id_token_of_another_pool_does_not(endpoint, pool):
    other = Pool(endpoint, "another-chat")
    with pytest.raises(UnauthorizedError):
        pool.verifier().verify(other.signed_in("ada")["IdToken"])


def test_a_first_sign_in_claims_the_username_and_a_look_alike_gets_a_number(endpoint, pool):
    dynamodb = client(endpoint, "dynamodb")
    create_handles_table(dynamodb)
    sign_in = SignIn("required", pool.verifier(), HandlesTable(dynamodb, HANDLES_TABLE))

    linus = sign_in.admit(pool.signed_in("linus")["IdToken"])
    look_alike = sign_in.admit(pool.signed_in("Linus")["IdToken"])
    again = sign_in.admit(pool.cognito.admin_initiate_auth(
        UserPoolId=pool.id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "linus", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"])  # fmt: skip

    assert linus is not None
    assert look_alike is not None
    assert again is not None
    assert (linus.handle, look_alike.handle) == ("linus", "Linus 2")
    assert (again.user_id, again.handle) == (linus.user_id, "linus")
    assert look_alike.user_id != linus.user_id


def test_each_pool_signs_id_tokens_with_a_key_of_its_own_at_its_key_set_url(endpoint, pool):
    tokens = pool.signed_in("barbara")
    id_kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    access_kid = jwt.get_unverified_header(tokens["AccessToken"])["kid"]
    kids = {key["kid"] for key in json.loads(fetch(pool.jwks_url))["keys"]}
    other = Pool(endpoint, "a-third-chat")
    other_kids = {key["kid"] for key in json.loads(fetch(other.jwks_url))["keys"]}

    assert {id_kid, access_kid} <= kids
    assert id_kid != access_kid
    assert not kids & other_kids
