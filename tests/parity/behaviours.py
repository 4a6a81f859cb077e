"""Where the two data planes differ: one row per behaviour, what AWS does, and which plane does
it. The claims are checked by tests/parity (a claim that stops being true fails there) and
rendered into README's parity table (`make docs`; `python -m tests.parity.behaviours`, with
scripts/ on PYTHONPATH).

"ours" is scripts/local_gateway serving the API from the emulator; "MiniStack" is MiniStack's own
WebSocket data plane, running the same functions itself.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

from deployment.generated import refresh, replace_section

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BEGIN = "<!-- BEGIN GENERATED: parity -->"
PLANES = ("ours", "ministack")


@dataclass(frozen=True)
class Behaviour:
    key: str
    aws: str  # what API Gateway does, as its documentation says
    ours: bool
    ministack: bool

    def claimed(self, plane: str) -> bool:
        return self.ours if plane == "ours" else self.ministack


BEHAVIOURS = (
    Behaviour(
        "chat",
        "the chat's protocol tests (seed frames, rooms, history, presence, errors, gone "
        "connections, exactly-once delivery) pass; one that needs a row below runs where it holds",
        ours=True,
        ministack=True,
    ),
    Behaviour("non-json", "a body that is not JSON goes to `$default`", ours=True, ministack=True),
    Behaviour(
        "deep-json",
        "a JSON body too deeply nested to evaluate goes to `$default`",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "route-response",
        "a route with a route response sends the function's `body` back; one without sends nothing",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "internal-error",
        'a failing function: `{"message": "Internal server error", "connectionId", "requestId"}`',
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "integration-timeout",
        'past the integration\'s `TimeoutInMillis` (at most 29 s): `{"message": "Endpoint request '
        'timed out", …}`, and the function runs on: its later posts arrive',
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "frame-limit",
        "a frame over 32 KB closes the connection with 1009",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "connect-refused",
        "a `$connect` answering 403 refuses the handshake with 403",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "authorizer-allow",
        "a `$connect` REQUEST authorizer's Allow: `$connect` and later routes get "
        "`requestContext.authorizer`, its `context` (values as strings) and `principalId`",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "authorizer-deny",
        "a `$connect` REQUEST authorizer's Deny refuses the handshake with 403",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "authorizer-identity-missing",
        "a handshake without the authorizer's identity source is refused with 401, "
        "the authorizer not invoked",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "authorizer-error",
        "a failing `$connect` REQUEST authorizer refuses the handshake with 500",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "iam-signed",
        "an `AWS_IAM` `$connect` accepts a handshake signed with SigV4 for `execute-api`, "
        "in its headers or as a presigned URL",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "iam-unsigned",
        "an unsigned handshake to an `AWS_IAM` `$connect` is refused with 403 "
        '`{"message": "Missing Authentication Token"}`',
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "iam-wrong-secret",
        "a handshake to an `AWS_IAM` `$connect` signed with another secret key is refused with 403",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "iam-identity",
        "a signed connection's `$connect` and later routes get `requestContext.identity` "
        "`accessKey`, `accountId`, `caller`, `user` and `userArn`",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "subprotocol",
        "`Sec-WebSocket-Protocol` is echoed only when the `$connect` response carries it",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "connections-get",
        "`GET @connections/{id}`: `connectedAt`, `lastActiveAt`, `identity.sourceIp`",
        ours=True,
        ministack=False,
    ),
    Behaviour(
        "connections-delete",
        "`DELETE @connections/{id}` closes the client's socket; a post to it then gets 410",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "gone",
        "a post to a closed connection gets 410 `GoneException`",
        ours=True,
        ministack=True,
    ),
    Behaviour(
        "route-throttling",
        "a stage's route throttling refuses frames over the burst: "
        '`{"message": "Too Many Requests", …}`',
        ours=True,
        ministack=False,
    ),
)
BY_KEY = {behaviour.key: behaviour for behaviour in BEHAVIOURS}


def table() -> str:
    rows = ["| behaviour (AWS) | ours | MiniStack |", "|---|---|---|"]
    for b in BEHAVIOURS:
        rows.append(f"| {b.aws} | {_mark(b.ours)} | {_mark(b.ministack)} |")
    return "\n".join(rows)


def _mark(value: bool) -> str:
    return "yes" if value else "**no**"


def main(argv: list[str]) -> int:
    readme = replace_section(README.read_text(), BEGIN, table())
    return refresh({README: readme}, check="--check" in argv, command="make docs")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
