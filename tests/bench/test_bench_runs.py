"""`make bench` is not a test, but its code must not rot: run every benchmark once, tiny."""

import json

import pytest

from bench import action_costs, serverless_offline
from bench.__main__ import PEER_DIR, TINY, measure_all
from bench.rows import Row, table, write

FIELDS = {"name", "unit", "ours", "baseline", "ratio", "goal", "met"}


@pytest.fixture(scope="module")
def tiny_rows(stack):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(name, "test")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        return measure_all(stack, TINY)


def test_every_benchmark_runs_at_a_tiny_size_and_writes_its_rows(tiny_rows, tmp_path):
    write(tiny_rows, tmp_path / "bench.json")

    written = json.loads((tmp_path / "bench.json").read_text())
    assert [set(row) for row in written] == [FIELDS] * len(tiny_rows)
    assert all(isinstance(row["met"], bool) for row in written)
    reads = written[0]
    # 3 rooms x 2 members: our Query reads the sender's room, the seed's Scan reads them all.
    assert (reads["ours"], reads["baseline"]) == (2, 6)
    assert "| benchmark" in table(tiny_rows)


def test_end_to_end_delivers_every_message_to_every_member(tiny_rows):
    delivered = [r for r in tiny_rows if r.name.startswith("delivered of expected")]
    assert [(r.ours, r.baseline) for r in delivered] == [(100, 100)] * len(TINY.room_sizes)


def test_typing_costs_a_post_per_other_member_a_burst_and_a_deletion_a_messages(tiny_rows):
    """Counts, not timings: the same at any size and on any machine."""
    members = TINY.action_members
    costs = {
        r.name.split(",")[0]: r
        for r in tiny_rows
        if "typing frames" in r.name or "deletion" in r.name
    }
    typing_posts = costs[f"posts per burst of {action_costs.TYPING_BURST} typing frames in 3 s"]
    assert (typing_posts.ours, typing_posts.baseline) == (members - 1, members)
    assert costs["posts per deletion"].ours == members
    assert all(row.met for row in costs.values()), costs


def test_the_peer_runs_at_a_tiny_size(tiny_rows):
    if not serverless_offline.installed(PEER_DIR):
        pytest.skip(
            f"npm could not install serverless-offline in {PEER_DIR} (make test and make bench "
            "install it when the npm registry answers)"
        )
    peer: list[Row] = [r for r in tiny_rows if r.name.endswith("vs serverless-offline")]
    assert len(peer) == 2 * len(TINY.room_sizes)


def test_the_benchmarks_take_the_connections_they_stored_away(tiny_rows, dynamodb):
    table = next(t for t in dynamodb.list_tables()["TableNames"] if "connections" in t)
    left = dynamodb.scan(
        TableName=table,
        FilterExpression="begins_with(connectionId, :bench) OR begins_with(connectionId, :e2e) "
        "OR begins_with(connectionId, :costs)",
        ExpressionAttributeValues={
            ":bench": {"S": "bench-"},
            ":e2e": {"S": "e2e"},
            ":costs": {"S": "costs-"},
        },
    )
    assert left["Items"] == []
