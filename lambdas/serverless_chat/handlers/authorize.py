"""``$connect``'s Lambda REQUEST authorizer: a signed-in user (their handle claimed at the first
sign-in), a guest where the auth mode welcomes guests, or 401.

Its own small runtime, not the chat's: no chat settings, tables or ``@connections`` client.
"""

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from serverless_chat.adapters.authorizer_event import AuthorizerRequest
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.adapters.id_tokens import IdTokenVerifier, JsonWebKeys
from serverless_chat.domain.sign_in import SignIn, UnauthorizedError
from serverless_chat.settings import AuthorizerSettings

logger = Logger()
settings = AuthorizerSettings.from_environment()
sign_in = SignIn(
    mode=settings.auth_mode,
    tokens=IdTokenVerifier(
        JsonWebKeys(settings.jwks_url),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        token_use=settings.token_use,
    ),
    handles=HandlesTable(
        boto3.client("dynamodb", config=Config(retries={"mode": "standard"})),
        settings.handles_table,
    ),
)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = AuthorizerRequest.parse(event)
    try:
        user = sign_in.admit(request.token)
    except UnauthorizedError as refusal:
        logger.info("sign-in refused", reason=str(refusal))
        raise Exception("Unauthorized") from None  # API Gateway answers 401 to exactly this
    return request.allow(user)
