"""``make local-user USERNAME=… PASSWORD=…``: a confirmed user in the running local stack's user
pool (the emulator's Cognito), with no e-mail sent: AdminCreateUser with MessageAction SUPPRESS
and a verified e-mail address, then AdminSetUserPassword with Permanent=true, so the first
sign-in needs no password change. ``make disable-user USERNAME=…``: that user disabled and signed
out everywhere (deployment.disable_user), their connections closed on the stack's data plane."""

import json
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from deployment.disable_user import Targets
from deployment.disable_user import disable as disable_everywhere
from local_stack.stack import REGION, _emulator_client


class LocalUserError(Exception):
    pass


def create(ready_file: Path, username: str, password: str, email: str | None = None) -> str:
    """Create the user; return the lines that say how to sign in."""
    if not username or not password:
        raise LocalUserError(
            "Set USERNAME and PASSWORD, e.g. make local-user USERNAME=ada PASSWORD=…"
        )
    ready = _signed_in_stack(ready_file)
    pool = ready["userPoolId"]
    cognito = _emulator_client("cognito-idp", str(ready["emulator"]))
    try:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email or f"{username}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=username, Password=password, Permanent=True
        )
    except ClientError as error:
        raise LocalUserError(
            f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
        ) from None
    except BotoCoreError as error:
        raise LocalUserError(
            f"the emulator at {ready['emulator']} did not answer ({error})"
        ) from None
    return (
        f"User {username} created in the local user pool {pool}, confirmed, no e-mail sent.\n"
        f"Sign in at {ready['site']}/lobby as {username} with that password."
    )


def disable(ready_file: Path, username: str) -> str:
    """Disable the user and sign them out everywhere; return what was done."""
    ready = _signed_in_stack(ready_file)
    # The `@connections` client is the chat's own (boto3's default session): it signs with the
    # emulator's test credentials, never the developer's.
    boto3.setup_default_session(
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - the emulator's
        region_name=REGION,
    )
    emulator = str(ready["emulator"])
    return disable_everywhere(
        username,
        Targets.from_output(ready["signOut"]),
        _emulator_client("cognito-idp", emulator),
        _emulator_client("dynamodb", emulator),
    )


def _signed_in_stack(ready_file: Path) -> dict[str, Any]:
    """What the running stack's ready file says, when it runs with a user pool."""
    try:
        ready: dict[str, Any] = json.loads(ready_file.read_text())
    except (OSError, ValueError):
        raise LocalUserError(
            "The local stack is not running: start it with sign-in first, "
            "`make up AUTH=optional` (or AUTH=required, or `make dev AUTH=…`)."
        ) from None
    if ready.get("authMode", "off") == "off" or not ready.get("userPoolId"):
        raise LocalUserError(
            "The local stack runs with AUTH=off: there is no user pool. "
            "Restart it with sign-in: `make down && make up AUTH=optional` (or AUTH=required)."
        )
    return ready
