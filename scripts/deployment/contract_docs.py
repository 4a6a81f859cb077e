"""Regenerate the tables that README.md and terraform/modules/chat/README.md show of the contract
(lambdas/serverless_chat/contract.json): the frames, the error codes, the environment variables
and the route table.

`make docs` rewrites the part of each file between its ``<!-- BEGIN GENERATED: contract NAME -->``
and ``<!-- END GENERATED -->`` markers; `--check` (run by `make lint`) fails when one is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from typing import Any

from deployment.generated import END, ROOT, refresh
from serverless_chat.contract import document

_SECTION = re.compile(
    r"(<!-- BEGIN GENERATED: contract (?P<name>[a-z-]+) -->\n)(.*?)(" + END + ")", re.S
)


def _compact(frame: dict[str, Any]) -> str:
    return "`" + json.dumps(frame, ensure_ascii=False, separators=(",", ":")) + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def client_frames(contract: dict[str, Any]) -> str:
    rows = ["| frame | route | what it does |", "|---|---|---|"]
    for frame in contract["clientFrames"].values():
        rows.append(
            f"| {_compact(frame['example'])} | `{frame['route']}` | {_cell(frame['description'])} |"
        )
    return "\n".join(rows)


def server_frames(contract: dict[str, Any]) -> str:
    rows = ["| frame | when |", "|---|---|"]
    for frame in contract["serverFrames"].values():
        rows.append(f"| {_compact(frame['example'])} | {_cell(frame['description'])} |")
    return "\n".join(rows)


def error_codes(contract: dict[str, Any]) -> str:
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| `{code}` | {_cell(text)} |" for code, text in contract["errorCodes"].items()]
    return "\n".join(rows)


def environment(contract: dict[str, Any]) -> str:
    defaults = contract["limits"]
    rows = ["| variable | meaning |", "|---|---|"]
    variables = [
        *contract["environment"].items(),
        *(
            (name, f"(the authorizer only) {text}")
            for name, text in contract["authorizer"]["environment"].items()
        ),
    ]
    for name, text in variables:
        meaning = re.sub(r"`(default\w+)`", lambda m: f"default {defaults[m.group(1)]}", text)
        rows.append(f"| `{name}` | {_cell(meaning)} |")
    return "\n".join(rows)


PERMISSION_COLUMNS = (
    "connections",
    "roomIndex",
    "userIndex",
    "messages",
    "handles",
    "manageConnections",
)


def routes(contract: dict[str, Any]) -> str:
    rows = [
        "| Route key | Function | Handler | Connections table | Room index | User index"
        " | Messages table | Handles table | @connections |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    authorizer = contract["authorizer"]
    for key, route in [*contract["routes"].items(), ("$connect authorizer", authorizer)]:
        permissions = route["permissions"]
        cells = [
            ", ".join(action.removeprefix("dynamodb:") for action in permissions.get(table, []))
            for table in PERMISSION_COLUMNS
        ]
        rows.append(
            f"| `{key}` | {route['function']} | `{route['handler']}` | " + " | ".join(cells) + " |"
        )
    return "\n".join(rows)


def limits(contract: dict[str, Any]) -> str:
    rows = ["| name | value |", "|---|---|"]
    rows += [f"| `{name}` | `{value}` |" for name, value in contract["limits"].items()]
    return "\n".join(rows)


SECTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "client-frames": client_frames,
    "server-frames": server_frames,
    "error-codes": error_codes,
    "environment": environment,
    "routes": routes,
    "limits": limits,
}
FILES = (ROOT / "README.md", ROOT / "terraform" / "modules" / "chat" / "README.md")


def render(text: str, contract: dict[str, Any]) -> str:
    def section(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in SECTIONS:
            raise KeyError(f"no generated section named {name!r}")
        return f"{match.group(1)}{SECTIONS[name](contract)}\n{match.group(4)}"

    return _SECTION.sub(section, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a file is out of date")
    args = parser.parse_args(argv)
    contract = document()
    files = {path: render(path.read_text(), contract) for path in FILES}
    return refresh(files, check=args.check, command="make docs")


if __name__ == "__main__":
    sys.exit(main())
