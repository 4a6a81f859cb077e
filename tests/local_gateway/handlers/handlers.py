"""Test functions served by the data plane in tests/local_gateway (zipped on the fly)."""

import contextlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config
from botocore.handlers import BUILTIN_HANDLERS

_state = {"invocations": 0}


def _record(event: dict[str, Any]) -> None:
    context = event["requestContext"]
    name = f"{context['routeKey'].strip('$')}-{context['connectionId']}.json"
    with open(os.path.join(os.environ["EVENT_DIR"], name), "a") as file:
        file.write(json.dumps(event) + "\n")


def authorize(event: dict[str, Any], context: Any) -> Any:
    """A REQUEST authorizer whose answer the `token` query parameter chooses: `allow-…`,
    `deny-…`, `elsewhere-…` (allows another route only), `boom-…` (raises), `unauthorized-…`
    (raises `Unauthorized`) or `malformed-…`. It records its event as `authorizer-<token>`."""
    token = event["queryStringParameters"]["token"]
    with open(os.path.join(os.environ["EVENT_DIR"], f"authorizer-{token}.json"), "a") as file:
        file.write(json.dumps(event) + "\n")
    kind = token.partition("-")[0]
    if kind == "boom":
        raise RuntimeError("the authorizer failed")
    if kind == "unauthorized":
        raise Exception("Unauthorized")
    if kind == "malformed":
        return {"principalId": "alice", "policy": "allow"}
    resource = event["methodArn"]
    if kind == "elsewhere":
        resource = resource.replace("$connect", "$default")
    statement = {
        "Action": "execute-api:Invoke",
        "Effect": "Deny" if kind == "deny" else "Allow",
        "Resource": resource,
    }
    return {
        "principalId": "alice",
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"team": event["headers"]["X-Team"], "level": 3, "admin": True},
    }


def connect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event)
    query = event.get("queryStringParameters") or {}
    if query.get("refuse"):
        return {"statusCode": 403}
    if query.get("slow"):
        time.sleep(5.5)  # past the integration's TimeoutInMillis (gateway_support)
    if query.get("choose"):  # the first subprotocol the client asked for, as AWS's example does
        offered = event["headers"]["Sec-WebSocket-Protocol"].split(",")[0].strip()
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": offered}}
    return {"statusCode": 200}


def disconnect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event)
    return {"statusCode": 200}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _state["invocations"] += 1
    answer = {
        "event": event,
        "invocations": _state["invocations"],
        "pid": os.getpid(),
        "remainingMs": context.get_remaining_time_in_millis(),
        "functionName": context.function_name,
        "awsRequestId": context.aws_request_id,
        "environment": dict(os.environ),
        "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
        "builtinHandlerModules": sorted(
            {str(getattr(entry[1], "__module__", "")) for entry in BUILTIN_HANDLERS}
        ),
    }
    return {"statusCode": 200, "body": json.dumps(answer)}


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(0.5)
    return {"statusCode": 200, "body": json.dumps({"pid": os.getpid()})}


def boom(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("boom")


def sleep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(30)
    return {"statusCode": 200}


def post(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Posts `data` (or `size` bytes) `times` times to `to` (default: the sender) and reports
    what the API answered to the last post, and after how many retries by botocore."""
    request = json.loads(event["body"])
    data = request["data"] if "data" in request else "x" * request["size"]
    client = boto3.client(
        "apigatewaymanagementapi", endpoint_url=os.environ["CONNECTIONS_API_ENDPOINT"]
    )
    me = event["requestContext"]["connectionId"]
    retries = 0
    for _ in range(request.get("times", 1)):
        try:
            answer = client.post_to_connection(ConnectionId=request.get("to", me), Data=data)
            outcome = "sent"
            retries = answer["ResponseMetadata"]["RetryAttempts"]
        except (
            client.exceptions.GoneException,
            client.exceptions.PayloadTooLargeException,
        ) as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            outcome = f"{error.response['Error']['Code']} {status}"
    report = {"outcome": outcome, "retries": retries}
    client.post_to_connection(ConnectionId=me, Data=json.dumps(report))
    return {"statusCode": 200}


def shout(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Prints a line longer than the data plane's log reader buffers at once."""
    print("x" * 300_000 + " end")
    return {"statusCode": 200, "body": "shouted"}


def post_from_threads(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Posts `data` to each of `targets` from 16 threads; reports each outcome, in order."""
    request = json.loads(event["body"])
    client = boto3.client(
        "apigatewaymanagementapi", endpoint_url=os.environ["CONNECTIONS_API_ENDPOINT"]
    )

    def post(target: str) -> str:
        try:
            client.post_to_connection(ConnectionId=target, Data=f"{request['data']} {target}")
        except client.exceptions.GoneException:
            return "gone"
        return "sent"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(post, request["targets"]))
    me = event["requestContext"]["connectionId"]
    client.post_to_connection(ConnectionId=me, Data=json.dumps({"outcomes": outcomes}))
    return {"statusCode": 200}


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    os._exit(3)


def sleep_then_post(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Outlasts its integration's timeout, then posts to the sender and answers."""
    time.sleep(0.3)
    client = boto3.client(
        "apigatewaymanagementapi", endpoint_url=os.environ["CONNECTIONS_API_ENDPOINT"]
    )
    me = event["requestContext"]["connectionId"]
    client.post_to_connection(ConnectionId=me, Data=b"posted after the integration timed out")
    return {"statusCode": 200, "body": "an answer nobody waits for"}


def manage(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Gets (`do: get`) or deletes (`do: delete`) connection `to`; reports what it got."""
    request = json.loads(event["body"])
    client = boto3.client(
        "apigatewaymanagementapi", endpoint_url=os.environ["CONNECTIONS_API_ENDPOINT"]
    )
    report: dict[str, Any]
    try:
        if request["do"] == "get":
            answer = client.get_connection(ConnectionId=request["to"])
            report = {
                "connectedAt": answer["ConnectedAt"].isoformat(),
                "lastActiveAt": answer["LastActiveAt"].isoformat(),
                "identity": answer["Identity"],
            }
        else:
            answer = client.delete_connection(ConnectionId=request["to"])
            report = {"deleted": answer["ResponseMetadata"]["HTTPStatusCode"]}
    except client.exceptions.GoneException as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        report = {"error": f"{error.response['Error']['Code']} {status}"}
    me = event["requestContext"]["connectionId"]
    client.post_to_connection(ConnectionId=me, Data=json.dumps(report))
    return {"statusCode": 200}


_FEW_RETRIES = Config(retries={"mode": "legacy", "total_max_attempts": 4})


def put_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Puts one item (in a table it creates if need be) and reports how that went."""
    dynamodb = boto3.client("dynamodb", config=_FEW_RETRIES)
    with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):
        dynamodb.create_table(
            TableName="faults",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    try:
        answer = dynamodb.put_item(TableName="faults", Item={"id": {"S": context.aws_request_id}})
        report = {"outcome": "put", "retries": answer["ResponseMetadata"]["RetryAttempts"]}
    except dynamodb.exceptions.ProvisionedThroughputExceededException as error:
        retries = error.response["ResponseMetadata"]["RetryAttempts"]
        report = {"outcome": error.response["Error"]["Code"], "retries": retries}
    return {"statusCode": 200, "body": json.dumps(report)}
