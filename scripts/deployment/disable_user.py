"""``make disable-user USERNAME=… [ENV=dev|prod]``: a user who may no longer chat, from now on.

Cognito's AdminDisableUser stops their sign-ins and AdminUserGlobalSignOut revokes their refresh
tokens; neither ends an ID token already issued (valid until it expires, an hour) nor a WebSocket
already open. So the chat's own sign-out follows, the one its ``sign-out`` route runs
(``serverless_chat.domain.sign_out``): their tokens issued until now are refused at ``$connect``
(401), and each of their connections is sent ``signed_out`` and closed.

Without ENV, ``python -m local_stack disable-user`` does the same on the running local stack.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from serverless_chat.adapters.connections_api import ConnectionsApi
from serverless_chat.adapters.dynamodb import ConnectionsTable
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.domain.sign_out import SignOut

CLOSING_THREADS = 8  # connections told and closed at once


class DisableUserError(Exception):
    pass


@dataclass(frozen=True)
class Targets:
    """Where the user and their connections are: an environment's ``sign_out`` output."""

    user_pool_id: str
    handles_table: str
    connections_table: str
    room_index: str
    user_index: str
    connections_api_endpoint: str

    @classmethod
    def from_output(cls, value: Mapping[str, str]) -> "Targets":
        return cls(**{name: str(value[name]) for name in cls.__dataclass_fields__})


def disable(
    username: str,
    targets: Targets,
    cognito: Any,
    dynamodb: Any,
    clock: Callable[[], float] = time.time,
) -> str:
    """Disable the user and sign them out everywhere; return what was done."""
    if not username:
        raise DisableUserError("Set USERNAME, e.g. make disable-user USERNAME=ada")
    if not targets.user_pool_id:
        raise DisableUserError("This chat runs with auth_mode off: nobody signs in to disable.")
    try:
        user = cognito.admin_get_user(UserPoolId=targets.user_pool_id, Username=username)
        cognito.admin_disable_user(UserPoolId=targets.user_pool_id, Username=username)
        cognito.admin_user_global_sign_out(UserPoolId=targets.user_pool_id, Username=username)
    except ClientError as error:
        found = error.response["Error"]
        raise DisableUserError(f"{found['Code']}: {found['Message']}") from None
    except BotoCoreError as error:
        raise DisableUserError(f"Cognito did not answer ({error})") from None
    user_id = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    handles = HandlesTable(dynamodb, targets.handles_table)
    connections = ConnectionsTable(
        dynamodb, targets.connections_table, targets.room_index, targets.user_index
    )
    with ThreadPoolExecutor(max_workers=CLOSING_THREADS) as threads:
        outbox = ConnectionsApi(targets.connections_api_endpoint, threads, CLOSING_THREADS)
        signed_out = SignOut(handles, connections, outbox, clock).everywhere(user_id)
    gone = f" ({len(signed_out.gone)} already gone)" if signed_out.gone else ""
    return (
        f"{username} (user {user_id}) is disabled in user pool {targets.user_pool_id}, signed "
        f"out everywhere: {len(signed_out.closed)} connection(s) told and closed{gone}; their "
        "tokens issued until now are refused."
    )


def main(argv: list[str] | None = None, session: boto3.session.Session | None = None) -> int:
    """`session`: the boto3 session to call AWS with (a test's)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--username", default="")
    parser.add_argument(
        "--outputs", required=True, type=Path, help="`terraform output -json` of the env"
    )
    parser.add_argument("--endpoint-url", help="AWS endpoint (the local emulator)")
    args = parser.parse_args(argv)
    outputs = json.loads(args.outputs.read_text())
    session = session or boto3.session.Session()
    try:
        print(
            disable(
                args.username,
                Targets.from_output(outputs["sign_out"]["value"]),
                session.client("cognito-idp", endpoint_url=args.endpoint_url),
                session.client("dynamodb", endpoint_url=args.endpoint_url),
            )
        )
    except DisableUserError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
