"""`make bench` is not a test, but its code must not rot: run every benchmark once, tiny."""

import json

from bench.__main__ import TINY, measure_all
from bench.rows import table, write

FIELDS = {"name", "unit", "ours", "baseline", "ratio", "goal", "met"}


def test_every_benchmark_runs_at_a_tiny_size_and_writes_its_rows(stack, tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    rows = measure_all(stack, TINY)
    write(rows, tmp_path / "bench.json")

    written = json.loads((tmp_path / "bench.json").read_text())
    assert [set(row) for row in written] == [FIELDS] * len(rows)
    assert all(isinstance(row["met"], bool) for row in written)
    reads = written[0]
    # 3 rooms x 2 members: our Query reads the sender's room, the seed's Scan reads them all.
    assert (reads["ours"], reads["baseline"]) == (2, 6)
    assert "| benchmark" in table(rows)
