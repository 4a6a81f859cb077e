"""The generated parts of the repository's Markdown: each runs from a BEGIN marker line to
``<!-- END GENERATED -->``; ``make docs`` and ``make docs-terraform`` rewrite them, their
``--check`` (``make lint``, ``make check-terraform``) fails when one is stale."""

import sys
from collections.abc import Mapping
from pathlib import Path

END = "<!-- END GENERATED -->"
ROOT = Path(__file__).resolve().parents[2]


def replace_section(text: str, begin: str, body: str) -> str:
    """`text` with what stands between the `begin` marker and the next END replaced by `body`."""
    head, rest = text.split(begin, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{begin}\n{body}\n{END}{tail}"


def refresh(files: Mapping[Path, str], *, check: bool, command: str) -> int:
    """Write each file's new text where it differs (a missing file is written too), or with
    `check` write nothing and fail naming the stale ones and the command that rewrites them."""
    stale = [path for path, new in files.items() if not path.is_file() or path.read_text() != new]
    if check:
        if stale:
            names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
            print(f"out of date (run `{command}`): {names}", file=sys.stderr)
            return 1
        return 0
    for path in stale:
        path.write_text(files[path])
        print(f"updated {path.relative_to(ROOT)}")
    return 0
