"""The runtime layer a worker sees besides the function's code (Lambda's /var/runtime): boto3
with its dependencies and the worker's bootstrap — nothing else from the data plane's venv."""

import importlib.metadata
import re
from pathlib import Path

RUNTIME_PACKAGE = "local_gateway_runtime"
_WORKER_RUNTIME = Path(__file__).parent / "worker_runtime"
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9._-]+")


def build_runtime_layer(target: Path) -> Path:
    """Fill `target` with links to boto3, its dependencies and the worker runtime."""
    target.mkdir(parents=True, exist_ok=True)
    for source in [*_distribution_tops("boto3"), _WORKER_RUNTIME]:
        name = RUNTIME_PACKAGE if source == _WORKER_RUNTIME else source.name
        link = target / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source.resolve())
    return target


def bootstrap_script(layer: Path) -> Path:
    return layer / RUNTIME_PACKAGE / "bootstrap.py"


def _distribution_tops(root: str) -> list[Path]:
    """Top-level modules and packages of `root` and of everything it requires at run time."""
    tops: set[Path] = set()
    pending, seen = [root], set()
    while pending:
        name = pending.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            first = file.parts[0]
            if first.endswith((".dist-info", ".pth")) or first in ("..", "__pycache__", "bin"):
                continue
            tops.add(Path(str(distribution.locate_file(first))))
        for requirement in distribution.requires or []:
            if "extra ==" not in requirement:
                match = _REQUIREMENT_NAME.match(requirement)
                if match:
                    pending.append(match.group(0))
    return sorted(tops)
