"""Lambda REQUEST authorizers of `$connect`, as API Gateway runs them for WebSocket APIs: the
identity sources checked first, the authorizer's event, and its IAM policy applied to the
route's `methodArn`."""

import json
import re
from dataclasses import dataclass
from typing import Any

from .discovery import RequestAuthorizer
from .workers import InvocationResult

UNAUTHORIZED = 401
FORBIDDEN = 403
AUTHORIZER_FAILURE = 500


@dataclass(frozen=True)
class Verdict:
    """What the authorizer decided: `status` 101 lets the handshake go on to `$connect`, with
    `context` as the events' `requestContext.authorizer`; any other status refuses it."""

    status: int
    context: dict[str, str] | None = None


def identity_present(
    authorizer: RequestAuthorizer, connect_event: dict[str, Any], stage_variables: dict[str, str]
) -> bool:
    """Whether every identity source has a non-empty value in the request: API Gateway answers
    401 without invoking the authorizer otherwise."""
    headers = {name.lower(): value for name, value in connect_event["headers"].items()}
    query = connect_event.get("queryStringParameters") or {}
    for source in authorizer.identity_sources:
        kind, _, name = source.partition(".request.")
        if kind == "route" and name.startswith("header."):
            value: Any = headers.get(name.removeprefix("header.").lower())
        elif kind == "route" and name.startswith("querystring."):
            value = query.get(name.removeprefix("querystring."))
        elif source.startswith("stageVariables."):
            value = stage_variables.get(source.removeprefix("stageVariables."))
        elif source.startswith("context."):
            value = _dotted(connect_event["requestContext"], source.removeprefix("context."))
        else:
            value = None
        if value is None or value == "":
            return False
    return True


def authorizer_event(
    authorizer: RequestAuthorizer, connect_event: dict[str, Any], stage_variables: dict[str, str]
) -> dict[str, Any]:
    """The REQUEST authorizer's input: `$connect`'s headers, query string and requestContext,
    with the route's `methodArn` and the stage's variables."""
    event: dict[str, Any] = {
        "type": "REQUEST",
        "methodArn": authorizer.method_arn,
        "headers": connect_event["headers"],
        "multiValueHeaders": connect_event["multiValueHeaders"],
    }
    if "queryStringParameters" in connect_event:
        event["queryStringParameters"] = connect_event["queryStringParameters"]
        event["multiValueQueryStringParameters"] = connect_event["multiValueQueryStringParameters"]
    event["stageVariables"] = stage_variables
    event["requestContext"] = dict(connect_event["requestContext"])
    return event


def verdict(authorizer: RequestAuthorizer, result: InvocationResult) -> Verdict:
    """The authorizer's answer applied: an error `Unauthorized` is 401 (as API Gateway's own
    examples raise it), any other error or a malformed answer 500; a policy that denies the
    `methodArn` explicitly, or allows nothing matching it, 403."""
    if result.error is not None:
        unauthorized = result.error.get("errorMessage") == "Unauthorized"
        return Verdict(UNAUTHORIZED if unauthorized else AUTHORIZER_FAILURE)
    answer = result.payload
    if not isinstance(answer, dict) or not isinstance(answer.get("policyDocument"), dict):
        return Verdict(AUTHORIZER_FAILURE)
    context = _stringified_context(answer.get("context"))
    principal = answer.get("principalId")
    if context is None or not isinstance(principal, str | None):
        return Verdict(AUTHORIZER_FAILURE)
    if not _allows(answer["policyDocument"], authorizer.method_arn):
        return Verdict(FORBIDDEN)
    if principal is not None:
        context["principalId"] = principal
    return Verdict(101, context)


def _allows(policy: dict[str, Any], method_arn: str) -> bool:
    """IAM's rule for one request: an explicit Deny wins, else an Allow is needed."""
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        if not _matches(statement.get("Action"), "execute-api:Invoke", re.IGNORECASE):
            continue
        if not _matches(statement.get("Resource"), method_arn):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _matches(patterns: Any, value: str, flags: int = 0) -> bool:
    """Whether one of IAM's patterns (`*` any run of characters, `?` one) matches `value`
    (actions are compared regardless of case, as IAM does)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list):
        return False
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        if re.fullmatch(regex, value, flags):
            return True
    return False


def _stringified_context(context: Any) -> dict[str, str] | None:
    """The authorizer's `context`, each value as a string (`1` → "1", `true` → "true"); None
    when it is not an object of strings, numbers and booleans, which API Gateway refuses."""
    if context is None:
        return {}
    if not isinstance(context, dict):
        return None
    strings: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(value, str):
            strings[key] = value
        elif isinstance(value, bool | int | float):
            strings[key] = json.dumps(value)
        else:
            return None
    return strings


def _dotted(values: dict[str, Any], path: str) -> Any:
    """`requestContext`'s value at a dotted path (`identity.sourceIp`), or None."""
    found: Any = values
    for part in path.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    return found
