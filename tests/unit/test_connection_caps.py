"""New connections per source address: a cap on connections held at once and on $connects per
minute, each answered with 429 on the handshake; IPv6 counted by /64; a $disconnect that never
came frees its place by itself; both caps off by a 0."""

import dataclasses
import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

import boto3
import pytest

from serverless_chat import limits
from serverless_chat.domain.admission import AddressCaps, address_of
from serverless_chat.settings import Settings
from tests.unit.conftest import CONNECTIONS_TABLE, ROOM_INDEX

HOME = "198.51.100.7"
NEIGHBOUR = "198.51.100.8"


@pytest.fixture
def caps(handlers: dict[str, ModuleType]) -> Iterator[Callable[..., None]]:
    """Switch the caps on, as CONNECTIONS_PER_ADDRESS and CONNECTS_PER_ADDRESS_PER_MINUTE do."""
    runtime = importlib.import_module("serverless_chat.runtime")
    rules = runtime._rules

    def switch(held: int = 0, per_minute: int = 0) -> None:
        runtime._rules = dataclasses.replace(
            rules, address_caps=AddressCaps(held=held, per_minute=per_minute)
        )

    yield switch
    runtime._rules = rules


def stored(connection_id: str) -> bool:
    response = boto3.client("dynamodb").get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": connection_id}}
    )
    return "Item" in response


def listed(address: str) -> set[str]:
    """The connections the address's item lists as held."""
    item = boto3.client("dynamodb").get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": f"ip#{address}"}}
    )["Item"]
    return set(item.get("connectionIds", {}).get("SS", []))


def statuses(backend, count: int, source_ip: str) -> list[int]:
    return [backend.connect(source_ip=source_ip).handshake_status for _ in range(count)]


def test_an_address_holding_its_cap_is_refused_with_429_and_others_are_not(backend, caps):
    caps(held=3)
    home = [backend.connect(source_ip=HOME) for _ in range(3)]

    refused = backend.connect(source_ip=HOME)

    assert [c.handshake_status for c in home] == [200, 200, 200]
    assert refused.handshake_status == 429
    assert not stored(refused.connection_id)
    assert backend.connect(source_ip=NEIGHBOUR).handshake_status == 200
    # The ones admitted chat as before; the address's own item is no member of any room.
    home[0].enter("lobby", "ada")
    assert home[1].enter("lobby", "bob")["members"] == ["ada", "bob"]
    assert home[0].say("still here")["message"] == "still here"


def test_a_disconnect_gives_the_place_back(backend, caps):
    caps(held=2)
    first, _ = backend.connect(source_ip=HOME), backend.connect(source_ip=HOME)
    assert backend.connect(source_ip=HOME).handshake_status == 429

    first.disconnect()

    assert first.connection_id not in listed(HOME)  # released at once, no lookup needed
    assert backend.connect(source_ip=HOME).handshake_status == 200
    assert backend.connect(source_ip=HOME).handshake_status == 429


def test_a_missed_disconnect_found_gone_on_410_gives_the_place_back(backend, caps):
    caps(held=2)
    vanished, stayer = backend.connect(source_ip=HOME), backend.connect(source_ip=NEIGHBOUR)
    backend.connect(source_ip=HOME)
    vanished.enter("lobby", "vanished")
    stayer.enter("lobby", "stayer")
    vanished.drop()  # its socket is gone and no $disconnect comes
    assert backend.connect(source_ip=HOME).handshake_status == 429

    stayer.say("anyone?")  # the post to the vanished member gets 410: it is removed

    assert vanished.connection_id not in listed(HOME)
    assert backend.connect(source_ip=HOME).handshake_status == 200


def test_a_missed_disconnect_frees_its_place_when_its_connection_item_expires(backend, caps):
    caps(held=2)
    old = backend.connect(source_ip=HOME)
    backend.clock.shift(3600)
    backend.connect(source_ip=HOME)
    old.drop()  # never in a room, so no 410 will find it: only its TTL ends it
    assert backend.connect(source_ip=HOME).handshake_status == 429

    # Past the old item's expiresAt (2 h 10 min), not yet deleted by DynamoDB's TTL.
    backend.clock.shift(4500)

    assert stored(old.connection_id)
    assert backend.connect(source_ip=HOME).handshake_status == 200
    assert backend.connect(source_ip=HOME).handshake_status == 429


def test_a_connection_item_deleted_without_its_release_is_not_counted(backend, caps):
    caps(held=2)
    lost, _ = backend.connect(source_ip=HOME), backend.connect(source_ip=HOME)
    # As if the $disconnect deleted the item and failed before the address's item was updated.
    boto3.client("dynamodb").delete_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": lost.connection_id}}
    )

    assert statuses(backend, 2, HOME) == [200, 429]


def test_connects_per_minute_are_capped_even_when_none_is_held(backend, caps):
    caps(per_minute=5)
    backend.tick_seconds = 0  # a burst
    for _ in range(5):
        client = backend.connect(source_ip=HOME)
        assert client.handshake_status == 200
        client.disconnect()

    assert backend.connect(source_ip=HOME).handshake_status == 429
    assert backend.connect(source_ip=NEIGHBOUR).handshake_status == 200
    backend.clock.shift(12)  # a bucket of 5 a minute takes one back every 12 s
    assert statuses(backend, 2, HOME) == [200, 429]


def test_both_caps_at_once(backend, caps):
    caps(held=2, per_minute=3)
    backend.tick_seconds = 0
    held = [backend.connect(source_ip=HOME) for _ in range(2)]
    assert backend.connect(source_ip=HOME).handshake_status == 429  # held, not a connect spent
    held[0].disconnect()

    assert statuses(backend, 2, HOME) == [200, 429]  # the third connect, then the minute's cap


def test_ipv6_clients_are_counted_by_their_64(backend, caps):
    caps(held=2)

    assert statuses(backend, 1, "2001:db8:1:2::a") == [200]
    assert statuses(backend, 1, "2001:db8:1:2:ffff:ffff:ffff:ffff") == [200]
    assert statuses(backend, 1, "2001:db8:1:2::c") == [429]
    assert statuses(backend, 1, "2001:db8:1:3::a") == [200]


def test_caps_off_admit_any_number_and_write_nothing_more(backend, caps):
    caps(held=0, per_minute=0)

    assert set(statuses(backend, 30, HOME)) == {200}
    items = boto3.client("dynamodb").scan(TableName=CONNECTIONS_TABLE)["Items"]
    assert len(items) == 30
    assert all("sourceAddress" not in item for item in items)


def test_the_address_item_never_shows_in_the_room_index(backend, caps):
    caps(held=5, per_minute=10)
    backend.connect(source_ip=HOME).enter("lobby", "ada")

    (address_item,) = [
        item
        for item in boto3.client("dynamodb").scan(TableName=CONNECTIONS_TABLE)["Items"]
        if item["connectionId"]["S"].startswith("ip#")
    ]
    index = boto3.client("dynamodb").scan(TableName=CONNECTIONS_TABLE, IndexName=ROOM_INDEX)
    assert address_item["connectionId"] == {"S": f"ip#{HOME}"}
    assert "roomId" not in address_item
    assert "expiresAt" in address_item
    assert index["Items"] != []
    assert all(not item["connectionId"]["S"].startswith("ip#") for item in index["Items"])


def test_a_refused_connect_is_logged_with_its_reason(backend, caps, log_lines):
    caps(held=1)
    backend.connect(source_ip=HOME)
    backend.connect(source_ip=HOME)

    refusals = [line for line in log_lines() if line.get("message") == "request refused"]
    assert [line["error_code"] for line in refusals] == ["too_many_connections_from_address"]
    assert HOME not in str(refusals)  # the address stays out of the logs


@pytest.mark.parametrize(
    ("source_ip", "address"),
    [
        ("203.0.113.10", "203.0.113.10"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"),
        ("2001:DB8:ABCD:12::", "2001:db8:abcd:12::/64"),
        ("::ffff:203.0.113.10", "203.0.113.10"),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_what_an_address_is(source_ip, address):
    assert address_of(source_ip) == address


def test_the_settings_read_both_caps_and_0_is_off():
    base = {
        "CONNECTIONS_TABLE": "c",
        "CONNECTIONS_ROOM_INDEX": "i",
        "CONNECTIONS_USER_INDEX": "u",
        "MESSAGES_TABLE": "m",
    }
    base["ENVIRONMENT"] = "test"
    on = Settings.from_environment(
        base | {"CONNECTIONS_PER_ADDRESS": "3", "CONNECTS_PER_ADDRESS_PER_MINUTE": "30"}
    )
    off = Settings.from_environment(
        base | {"CONNECTIONS_PER_ADDRESS": "0", "CONNECTS_PER_ADDRESS_PER_MINUTE": "0"}
    )
    defaults = Settings.from_environment(base)

    assert on.address_caps == AddressCaps(held=3, per_minute=30)
    assert on.address_caps.connects is not None
    assert on.address_caps.connects.interval_ms == 2000  # 30 a minute: one every 2 s
    assert not off.address_caps.enabled
    assert off.address_caps.connects is None
    assert defaults.address_caps == AddressCaps(
        held=limits.DEFAULT_CONNECTIONS_PER_ADDRESS,
        per_minute=limits.DEFAULT_CONNECTS_PER_ADDRESS_PER_MINUTE,
    )
    with pytest.raises(ValueError, match="0 for off"):
        Settings.from_environment(base | {"CONNECTIONS_PER_ADDRESS": "-1"})
