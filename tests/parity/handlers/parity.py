"""The functions of the parity API: each behaviour's smallest trigger (zipped on the fly).

They post through CONNECTIONS_API_ENDPOINT, the emulator's `/_aws/execute-api/<api>/<stage>`
path, which both data planes serve for the connections they hold.
"""

import json
import os
import time
from typing import Any

import boto3


def _connections() -> Any:
    return boto3.client(
        "apigatewaymanagementapi", endpoint_url=os.environ["CONNECTIONS_API_ENDPOINT"]
    )


def connect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    query = event.get("queryStringParameters") or {}
    if query.get("refuse"):
        return {"statusCode": 403}
    if query.get("subprotocol"):
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": query["subprotocol"]}}
    return {"statusCode": 200}


def authorize(event: dict[str, Any], context: Any) -> Any:
    """The authorized API's REQUEST authorizer: `?token=deny` denies, `boom` raises, anything
    else allows with a context, even no token at all: a handshake without the identity source
    is refused with 401 only when the authorizer was not invoked."""
    token = (event.get("queryStringParameters") or {}).get("token")
    if token == "boom":
        raise RuntimeError("the authorizer failed")
    statement = {
        "Action": "execute-api:Invoke",
        "Effect": "Deny" if token == "deny" else "Allow",
        "Resource": event["methodArn"],
    }
    return {
        "principalId": "alice",
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"team": "blue", "level": 3},
    }


def connect_authorized(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The authorized API's `$connect`: accepts only a handshake whose event carries the
    authorizer's context, so that the client observes it through the handshake's status."""
    authorizer = event["requestContext"].get("authorizer") or {}
    return {"statusCode": 200 if authorizer.get("team") == "blue" else 401}


IAM_IDENTITY_FIELDS = ("accessKey", "accountId", "caller", "user", "userArn")


def connect_iam(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The IAM API's `$connect`: with `?identity=required`, accepts only an event whose
    `requestContext.identity` names who signed, so that the client observes it through the
    handshake's status; without, accepts any handshake the data plane let through."""
    query = event.get("queryStringParameters") or {}
    identity = event["requestContext"].get("identity") or {}
    if query.get("identity") == "required" and not all(
        identity.get(field) for field in IAM_IDENTITY_FIELDS
    ):
        return {"statusCode": 401}
    return {"statusCode": 200}


def disconnect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A two-way route's answer: the route it was selected as and what the event carried."""
    context_ = event["requestContext"]
    answer = {
        "routeKey": context_["routeKey"],
        "eventType": context_["eventType"],
        "connectionId": context_["connectionId"],
        "body": event.get("body"),
        "authorizer": context_.get("authorizer"),
        "identity": context_.get("identity"),
    }
    return {"statusCode": 200, "body": json.dumps(answer)}


def boom(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("boom")


def late(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Outlasts its integration's timeout, then posts: the post must still arrive."""
    time.sleep(1.5)
    _connections().post_to_connection(
        ConnectionId=event["requestContext"]["connectionId"], Data=b'{"late":"posted"}'
    )
    return {"statusCode": 200}


def manage(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """`{"action":"manage","do":"get"|"delete"|"post","to":ID}`: one @connections call, and
    what it answered, posted back to the caller (unless the caller was deleted)."""
    request = json.loads(event["body"])
    me = event["requestContext"]["connectionId"]
    client = _connections()
    target = request.get("to", me)
    try:
        if request["do"] == "get":
            answer = client.get_connection(ConnectionId=target)
            report = {
                "connectedAt": answer["ConnectedAt"].isoformat(),
                "lastActiveAt": answer["LastActiveAt"].isoformat(),
                "identity": answer["Identity"],
            }
        elif request["do"] == "delete":
            client.delete_connection(ConnectionId=target)
            report = {"deleted": target}
        else:
            client.post_to_connection(ConnectionId=target, Data=b"hello")
            report = {"posted": target}
    except client.exceptions.GoneException as error:
        report = {"error": error.response["Error"]["Code"], "status": 410}
    if target != me or request["do"] != "delete":
        client.post_to_connection(ConnectionId=me, Data=json.dumps(report).encode())
    return {"statusCode": 200}
