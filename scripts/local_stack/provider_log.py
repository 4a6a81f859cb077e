"""The AWS API operations a Terraform run called, read from the AWS provider's debug log
(``TF_LOG_PROVIDER=DEBUG``, ``TF_LOG_PATH=<file>``), for mapping them to the IAM actions a
deploying identity needs.

hashicorp/aws 5.x (aws-sdk-go-v2, through aws-sdk-go-base) logs every request as one hclog entry,
``<time> [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: HTTP Request Sent: k=v k="v" ...``,
its attributes in no fixed order. An attribute whose value has line breaks (the request body) is
written on continuation lines, ``  http.request.body=`` then ``  | <line>`` for each of its lines,
and the entry's remaining attributes follow on a line of their own:

    2026-12-02T06:32:02.069Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: HTTP Request Sent:
      http.request.body=
      | {"TableName":"serverless-chat-dev-connections", ...}
       http.request.header.authorization="AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/dynamo
    db/aws4_request, ..." rpc.method=CreateTable rpc.service=DynamoDB http.url=http://127.0.0.1:4566/

(the last entry's attribute line cut in two here, to fit).

Of a request, ``operations`` keeps ``rpc.service`` (the SDK's service id: ``DynamoDB``,
``CloudWatch Logs``), ``rpc.method`` (the operation), the signing name of its SigV4 credential
scope (``dynamodb``, ``logs``, ``monitoring``: the service of the request's signature, most often
its IAM prefix) and the ``host:port`` of ``http.url``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# An hclog entry's first line: time, [LEVEL], logger name, message and attributes.
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\dT\S+ \[[A-Z]+\] [^:]+: (?P<rest>.*)$")
_REQUEST = "HTTP Request Sent:"
# key=value, key="quoted \" value", key= (an empty or multi-line value)
_ATTRIBUTE = re.compile(
    r'(?:^|\s)(?P<key>[\w.@-]+)=(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>\S*))'
)
# The provider's entry for a request that failed: its error, then its attributes.
_STATEMENT_EXISTS = re.compile(
    r"request failed with unretryable error [^\n]*?ResourceConflictException: The statement id "
    r"\((?P<sid>[^)]+)\) provided already exists\.[^:]*:"
)
_RESEND = re.compile(r"retrying request (?P<operation>[\w ]+/\w+), attempt \d+:")
_FAILED = "request failed with unretryable error "
_FUNCTION_POLICY = re.compile(r"/functions/(?P<function>[^/]+)/policy$")
_SIGNING_NAME = re.compile(r"Credential=[^/\s]*/\d{8}/[^/\s]+/(?P<service>[^/\s]+)/aws4_request")


@dataclass(frozen=True, order=True)
class Request:
    service: str  # rpc.service
    operation: str  # rpc.method
    signing_name: str  # the SigV4 scope's service ("" when unsigned)
    host: str  # host:port of http.url ("" when not logged)


def entries(lines: Iterable[str]) -> Iterator[str]:
    """The log's entries, each as its first line and the continuation lines that carry
    attributes (a multi-line value's ``| `` lines left out), joined by spaces."""
    current: list[str] | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        match = _ENTRY.match(line)
        if match:
            if current is not None:
                yield " ".join(current)
            current = [match["rest"]]
        elif current is not None and not line.lstrip().startswith("|"):
            current.append(line.strip())
    if current is not None:
        yield " ".join(current)


def attributes(entry: str) -> dict[str, str]:
    """An entry's ``key=value`` attributes (the first of a key, quoted values unescaped)."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(entry):
        quoted = match["quoted"]
        value = match["bare"] if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
        found.setdefault(match["key"], value or "")
    return found


def requests(lines: Iterable[str]) -> Iterator[Request]:
    """Every AWS request the log records, in order."""
    for entry in entries(lines):
        if not entry.startswith(_REQUEST):
            continue
        found = attributes(entry[len(_REQUEST) :])
        service = found.get("rpc.service") or found.get("aws.service")
        operation = found.get("rpc.method") or found.get("aws.operation")
        if not service or not operation:
            continue
        scope = _SIGNING_NAME.search(found.get("http.request.header.authorization", ""))
        url = found.get("http.url", "")
        yield Request(
            service=service,
            operation=operation,
            signing_name=scope["service"] if scope else "",
            host=urlsplit(url).netloc if url else "",
        )


def statements_met_again(lines: Iterable[str]) -> set[tuple[str, str]]:
    """(function, statement id) of each Lambda AddPermission that the log shows answered 409
    "The statement id (...) provided already exists": the error's entry names the statement, the
    request's entry of the same ``tf_req_id`` (one resource's create) the function, in its
    ``http.url`` (``.../functions/<function>/policy``)."""
    functions: dict[str, str] = {}  # tf_req_id -> function of its AddPermission requests
    statements: dict[str, str] = {}  # tf_req_id -> statement id it found already existing
    for entry in entries(lines):
        if entry.startswith(_REQUEST) and "rpc.method=AddPermission" in entry:
            found = attributes(entry[len(_REQUEST) :])
            url = _FUNCTION_POLICY.search(urlsplit(found.get("http.url", "")).path)
            if url and "tf_req_id" in found:
                functions[found["tf_req_id"]] = unquote(url["function"])
        elif (conflict := _STATEMENT_EXISTS.search(entry)) is not None:
            request = attributes(entry[conflict.end() :]).get("tf_req_id")
            if request:
                statements[request] = conflict["sid"]
    return {
        (functions[request], sid) for request, sid in statements.items() if request in functions
    }


def conflicts_met_by_a_resend(lines: Iterable[str]) -> set[str]:
    """The operations (``Service/Operation``, as the SDK names them) whose 409 answered a request
    the SDK had sent again ("retrying request IAM/CreateRole, attempt 2", then the request's
    "request failed with unretryable error ... StatusCode: 409", or a 400 "...AlreadyExists..."
    as CloudWatch Logs answers, both of one ``tf_req_id``):
    what the first attempt made met the resend. A 409 to a request sent once is a real conflict,
    and is not here."""
    retried: dict[str, set[str]] = {}  # tf_req_id -> operations the SDK resent in it
    found: set[str] = set()
    for entry in entries(lines):
        if (resend := _RESEND.match(entry)) is not None:
            request = attributes(entry[resend.end() :]).get("tf_req_id")
            if request:
                retried.setdefault(request, set()).add(resend["operation"])
        elif entry.startswith(_FAILED) and ("StatusCode: 409" in entry or "AlreadyExists" in entry):
            found_attributes = attributes(entry)
            operation = "{}/{}".format(
                found_attributes.get("rpc.service", ""), found_attributes.get("rpc.method", "")
            )
            if operation in retried.get(found_attributes.get("tf_req_id", ""), set()):
                found.add(operation)
    return found


def read(path: Path) -> list[Request]:
    with path.open(encoding="utf-8", errors="replace") as log:
        return list(requests(log))


@dataclass
class _Operation:
    signing_names: set[str] = field(default_factory=set)
    phases: set[str] = field(default_factory=set)
    requests: int = 0


def operations(by_phase: Mapping[str, Iterable[Request]]) -> list[dict[str, Any]]:
    """Distinct (service, operation) pairs of the requests of every phase, sorted, each with
    its signing names, the phases that called it (in ``by_phase``'s order) and how many
    requests it took."""
    merged: dict[tuple[str, str], _Operation] = {}
    for phase, phase_requests in by_phase.items():
        for request in phase_requests:
            row = merged.setdefault((request.service, request.operation), _Operation())
            if request.signing_name:
                row.signing_names.add(request.signing_name)
            row.phases.add(phase)
            row.requests += 1
    return [
        {
            "service": service,
            "operation": operation,
            "signing_names": sorted(row.signing_names),
            "phases": [phase for phase in by_phase if phase in row.phases],
            "requests": row.requests,
        }
        for (service, operation), row in sorted(merged.items())
    ]
