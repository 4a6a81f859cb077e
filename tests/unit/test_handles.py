"""Handles: a signed-in user's name, theirs alone. Claimed at the first sign-in, under the names'
comparison key, in the handles table (moto's DynamoDB)."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto import mock_aws

from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.domain.names import comparison_key
from serverless_chat.domain.sign_in import Account, wanted_handle
from tests.sign_in import HANDLES_TABLE, REGION, create_handles_table

ADA, BOB, CAROL = "sub-ada", "sub-bob", "sub-carol"
CYRILLIC_ADA = "\u0430da"  # a Cyrillic a (U+0430), then a Latin d and a


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_handles_table(dynamodb)
        yield dynamodb


@pytest.fixture
def handles(client: Any) -> HandlesTable:
    return HandlesTable(client, HANDLES_TABLE)


def items(client: Any) -> dict[str, dict[str, str]]:
    scanned = client.scan(TableName=HANDLES_TABLE, ConsistentRead=True)["Items"]
    return {
        item["pk"]["S"]: {name: value["S"] for name, value in item.items() if name != "pk"}
        for item in scanned
    }


def test_the_first_sign_in_claims_the_wanted_handle(handles, client):
    assert handles.handle_of(ADA) is None
    assert handles.claim(ADA, "Ada") == "Ada"
    assert handles.handle_of(ADA) == "Ada"
    assert handles.holder("ada") == ADA
    assert items(client) == {
        "user#sub-ada": {"handle": "Ada", "key": "ada"},
        "handle#ada": {"userId": ADA, "handle": "Ada"},
    }


def test_a_look_alike_of_a_held_handle_gets_the_next_free_number(handles):
    handles.claim(ADA, "ada")
    assert comparison_key(CYRILLIC_ADA) == "ada"
    assert handles.claim(BOB, CYRILLIC_ADA) == f"{CYRILLIC_ADA} 2"
    assert handles.holder("ada") == ADA
    assert handles.holder(comparison_key("ada 2")) == BOB
    assert handles.claim(CAROL, "ADA") == "ADA 3"


def test_the_same_user_gets_the_same_handle_again_and_nothing_more_is_written(handles, client):
    first = handles.claim(ADA, "ada")
    written = items(client)
    assert handles.claim(ADA, "ada") == first
    assert handles.claim(ADA, "someone else entirely") == first
    assert items(client) == written


def test_nobody_holds_an_unclaimed_key(handles):
    assert handles.holder("grace") is None
    assert handles.handle_of("sub-grace") is None


class Interleaved:
    """The DynamoDB client, with ``before_write`` run once, just before the first transaction:
    what another sign-in does between this one's read and its write."""

    def __init__(self, client: Any, before_write: Any) -> None:
        self._client = client
        self._before_write = before_write

    def get_item(self, **kwargs: Any) -> Any:
        return self._client.get_item(**kwargs)

    def transact_write_items(self, **kwargs: Any) -> Any:
        before, self._before_write = self._before_write, None
        if before is not None:
            before()
        return self._client.transact_write_items(**kwargs)


def test_two_users_claiming_one_key_at_once_one_wins_and_the_other_gets_a_number(client):
    rival = HandlesTable(client, HANDLES_TABLE)
    rival_got: list[str] = []
    bob = HandlesTable(
        Interleaved(client, lambda: rival_got.append(rival.claim(ADA, "ada"))), HANDLES_TABLE
    )

    assert bob.claim(BOB, CYRILLIC_ADA) == f"{CYRILLIC_ADA} 2"
    assert rival_got == ["ada"]
    assert rival.holder("ada") == ADA
    assert rival.holder(comparison_key("ada 2")) == BOB


def test_one_users_sign_ins_racing_each_other_get_one_handle(client):
    other_tab = HandlesTable(client, HANDLES_TABLE)
    first_tab = HandlesTable(
        Interleaved(client, lambda: other_tab.claim(ADA, "ada")), HANDLES_TABLE
    )
    assert first_tab.claim(ADA, "ada") == "ada"
    assert set(items(client)) == {"user#sub-ada", "handle#ada"}


class OneRequestAtATime:
    """DynamoDB applies each request atomically; moto applies it in Python steps. A lock per
    request makes moto atomic while the claims' requests still interleave."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def get_item(self, **kwargs: Any) -> Any:
        with self._lock:
            return self._client.get_item(**kwargs)

    def transact_write_items(self, **kwargs: Any) -> Any:
        with self._lock:
            return self._client.transact_write_items(**kwargs)


def test_many_first_sign_ins_wanting_one_name_at_once_each_get_their_own(client):
    handles = HandlesTable(OneRequestAtATime(client), HANDLES_TABLE)
    users = [f"sub-{number}" for number in range(8)]
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        got = dict(
            zip(users, pool.map(lambda user: handles.claim(user, "ada"), users), strict=True)
        )

    assert sorted(got.values()) == sorted(["ada", *(f"ada {n}" for n in range(2, 9))])
    for user, handle in got.items():
        assert handles.holder(comparison_key(handle)) == user
        assert handles.handle_of(user) == handle


@pytest.mark.parametrize(
    ("claims", "wanted"),
    [
        ({"cognito:username": "ada", "preferred_username": "A", "name": "Ada L"}, "ada"),
        ({"preferred_username": "grace", "name": "Grace Hopper"}, "grace"),
        ({"name": "  Grace Hopper  "}, "Grace Hopper"),
        ({"cognito:username": "x" * 40}, "x" * 32),
        ({"cognito:username": "ad\u202ea", "name": "Ada"}, "Ada"),  # a bidi control: refused
        ({"cognito:username": "   ", "email": "ada@example.com"}, "user"),
        ({"sub": "7d3f0a52"}, "user"),
    ],
)
def test_the_wanted_handle_is_the_first_name_claim_that_makes_a_valid_name(claims, wanted):
    assert wanted_handle(claims) == wanted


def test_a_sign_out_is_recorded_on_the_users_item_and_read_with_the_handle_in_one_get(
    handles, client
):
    handles.claim(ADA, "Ada")
    assert handles.account(ADA) == Account(handle="Ada", signed_out_at=None)

    assert handles.record_sign_out(ADA, 1_700_000_000)
    assert handles.account(ADA) == Account(handle="Ada", signed_out_at=1_700_000_000)
    assert handles.handle_of(ADA) == "Ada"


def test_an_earlier_sign_out_never_moves_the_mark_back(handles):
    handles.claim(ADA, "Ada")
    assert handles.record_sign_out(ADA, 1_700_000_100)
    assert handles.record_sign_out(ADA, 1_700_000_000)  # a slower, older sign-out: no-op
    assert handles.account(ADA).signed_out_at == 1_700_000_100


def test_signing_out_a_user_who_never_signed_in_writes_nothing_and_leaves_their_claim_free(
    handles, client
):
    assert not handles.record_sign_out(BOB, 1_700_000_000)
    assert items(client) == {}
    assert handles.account(BOB) == Account(handle=None, signed_out_at=None)
    assert handles.claim(BOB, "Bob") == "Bob"
