"""Regenerate the Inputs/Outputs tables of terraform/modules/*/README.md from the .tf files.

`make docs-terraform` rewrites the part of each README between the BEGIN/END markers;
`--check` (run by `make test-terraform`) fails when a README is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from deployment.generated import END, ROOT, refresh, replace_section

MODULES = ROOT / "terraform" / "modules"
BEGIN = "<!-- BEGIN GENERATED: make docs-terraform -->"
BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{', re.MULTILINE)


@dataclass
class Item:
    name: str
    attributes: dict[str, str]


def _block_end(text: str, start: int) -> int:
    """Index just after the brace closing the block whose `{` is at `start`."""
    depth, i, quote = 0, start, False
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == "<" and text.startswith("<<-EOT", i):
            i = text.index("EOT", text.index("\n", i)) + 2
        i += 1
    raise ValueError("unbalanced braces")


def _attributes(body: str) -> dict[str, str]:
    """Top-level `key = value` of a block body (nested blocks such as validation skipped)."""
    attributes: dict[str, str] = {}
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^  (\w+)\s*=\s*(.*)$", lines[i])
        if not match:
            if re.match(r"^  \w+ \{", lines[i]):  # nested block: skip to its end
                depth = lines[i].count("{") - lines[i].count("}")
                while depth > 0:
                    i += 1
                    depth += lines[i].count("{") - lines[i].count("}")
            i += 1
            continue
        key, value = match.groups()
        if value.startswith("<<-EOT"):
            text = []
            i += 1
            while lines[i].strip() != "EOT":
                text.append(lines[i].strip())
                i += 1
            value = " ".join(text)
        else:
            depth = value.count("{") + value.count("(") + value.count("[")
            depth -= value.count("}") + value.count(")") + value.count("]")
            while depth > 0:
                i += 1
                value += "\n" + lines[i]
                depth += lines[i].count("{") + lines[i].count("(") + lines[i].count("[")
                depth -= lines[i].count("}") + lines[i].count(")") + lines[i].count("]")
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1].replace('\\"', '"')
        attributes[key] = value
        i += 1
    return attributes


def parse(path: Path, kind: str) -> list[Item]:
    text = path.read_text()
    items = []
    for match in BLOCK.finditer(text):
        if match.group(1) != kind:
            continue
        end = _block_end(text, match.end() - 1)
        items.append(Item(match.group(2), _attributes(text[match.end() : end - 1])))
    return items


def _cell(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{_cell(value)}`" if value else ""


def tables(module: Path) -> str:
    lines = [
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|---|---|---|---|:---:|",
    ]
    for v in parse(module / "variables.tf", "variable"):
        a = v.attributes
        default = a.get("default")
        shown, required = (_code(default), "no") if default is not None else ("", "yes")
        lines.append(
            f"| `{v.name}` | {_cell(a.get('description', ''))} | {_code(a.get('type', 'any'))} "
            f"| {shown} | {required} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for o in parse(module / "outputs.tf", "output"):
        lines.append(f"| `{o.name}` | {_cell(o.attributes.get('description', ''))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a README is out of date")
    args = parser.parse_args(argv)
    readmes: dict[Path, str] = {}
    for module in sorted(p for p in MODULES.iterdir() if (p / "variables.tf").is_file()):
        readme = module / "README.md"
        text = readme.read_text() if readme.is_file() else f"# {module.name}\n\n{BEGIN}\n{END}\n"
        if BEGIN not in text or END not in text:
            print(f"{readme}: missing the {BEGIN} / {END} markers", file=sys.stderr)
            return 1
        readmes[readme] = replace_section(text, BEGIN, tables(module))
    return refresh(readmes, check=args.check, command="make docs-terraform")


if __name__ == "__main__":
    sys.exit(main())
