"""``make local-user USERNAME=… PASSWORD=…``: a confirmed user in the running local stack's user
pool (the emulator's Cognito), with no e-mail sent: AdminCreateUser with MessageAction SUPPRESS
and a verified e-mail address, then AdminSetUserPassword with Permanent=true, so the first
sign-in needs no password change."""

import json
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from local_stack.stack import _emulator_client


class LocalUserError(Exception):
    pass


def create(ready_file: Path, username: str, password: str, email: str | None = None) -> str:
    """Create the user; return the lines that say how to sign in."""
    if not username or not password:
        raise LocalUserError(
            "Set USERNAME and PASSWORD, e.g. make local-user USERNAME=ada PASSWORD=…"
        )
    try:
        ready = json.loads(ready_file.read_text())
    except (OSError, ValueError):
        raise LocalUserError(
            "The local stack is not running: start it with sign-in first, "
            "`make up AUTH=optional` (or AUTH=required, or `make dev AUTH=…`)."
        ) from None
    pool = ready.get("userPoolId") or ""
    if ready.get("authMode", "off") == "off" or not pool:
        raise LocalUserError(
            "The local stack runs with AUTH=off: there is no user pool. "
            "Restart it with sign-in: `make down && make up AUTH=optional` (or AUTH=required)."
        )
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
