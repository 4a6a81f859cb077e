"""A benchmark row: ours, the baseline measured in the same run, and whether the goal is met."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    name: str
    unit: str
    ours: float
    baseline: float
    goal: str
    met: bool

    @property
    def ratio(self) -> float:
        """ours / baseline: below 1 where ours costs less than the baseline."""
        return self.ours / self.baseline if self.baseline else float("inf")

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit,
            "ours": round(self.ours, 3),
            "baseline": round(self.baseline, 3),
            "ratio": round(self.ratio, 4),
            "goal": self.goal,
            "met": self.met,
        }


def write(rows: Sequence[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False) + "\n")


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (the README's Performance section holds one)."""
    header = ["benchmark", "unit", "ours", "baseline", "ours/baseline", "goal", "met"]
    cells = [
        [r.name, r.unit, _number(r.ours), _number(r.baseline), f"{r.ratio:.3g}", r.goal,
         "yes" if r.met else "**no**"]
        for r in rows
    ]  # fmt: skip
    widths = [max(len(c) for c in column) for column in zip(header, *cells, strict=True)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, cells)])


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
