"""The code says what contract.json says: routes, actions, frames, error codes, environment."""

import json
from collections.abc import Iterator, Mapping

import pytest

from deployment import contract_docs
from serverless_chat import contract
from serverless_chat.domain import protocol
from serverless_chat.domain.errors import ErrorCode
from serverless_chat.settings import Settings


def test_every_error_code_the_chat_can_send_is_in_the_contract_and_no_other() -> None:
    assert {code.value for code in ErrorCode} == contract.ERROR_CODES


def test_the_actions_the_chat_parses_are_the_contracts_client_frames() -> None:
    assert {
        protocol.ENTER_ROOM: protocol.ENTER_ROOM,
        protocol.SEND_MESSAGE: protocol.SEND_MESSAGE,
        protocol.DELETE_MESSAGE: protocol.DELETE_MESSAGE,
        protocol.TYPING: protocol.TYPING,
        protocol.SIGN_OUT: protocol.SIGN_OUT,
        protocol.BLOCK_USER: protocol.BLOCK_USER,
        protocol.UNBLOCK_USER: protocol.UNBLOCK_USER,
        protocol.LIST_BLOCKS: protocol.LIST_BLOCKS,
        protocol.PING: "$default",
        **{action: action for action in PRIVATE_ROOM_ACTIONS},
    } == contract.CLIENT_ACTIONS
    assert set(contract.CLIENT_ACTIONS.values()) <= set(contract.ROUTES)


PRIVATE_ROOM_ACTIONS = (
    protocol.CREATE_ROOM,
    protocol.LIST_ROOMS,
    protocol.CREATE_INVITE,
    protocol.LIST_INVITES,
    protocol.REVOKE_INVITE,
    protocol.ADD_MEMBER,
    protocol.SET_ROLE,
    protocol.REMOVE_MEMBER,
    protocol.MUTE_MEMBER,
    protocol.HAND_OVER,
)


def test_route_keys_that_share_a_function_share_its_handler_and_permissions() -> None:
    routes = contract.document()["routes"]
    by_function: dict[str, list[dict[str, object]]] = {}
    for route in routes.values():
        by_function.setdefault(route["function"], []).append(route)
    for function, shared in by_function.items():
        assert len({r["handler"] for r in shared}) == 1, function
        assert len({json.dumps(r["permissions"], sort_keys=True) for r in shared}) == 1, function
    assert {routes[action]["function"] for action in PRIVATE_ROOM_ACTIONS} == {"rooms"}


def test_the_private_room_examples_parse() -> None:
    example = contract.CLIENT_FRAME_EXAMPLES[protocol.CREATE_INVITE]
    assert protocol.parse_private_room_id(example) == example["roomId"]
    assert protocol.parse_invite_lifetime(example) == example["expiresInSeconds"]
    revoke = contract.CLIENT_FRAME_EXAMPLES[protocol.REVOKE_INVITE]
    assert protocol.parse_invite_code(revoke["code"]) == revoke["code"]
    assert protocol.parse_handle(contract.CLIENT_FRAME_EXAMPLES[protocol.ADD_MEMBER]) == "grace"


def test_route_selection_reads_the_action_of_every_client_frame_example() -> None:
    assert contract.ROUTE_SELECTION_EXPRESSION == "$request.body.action"
    for action, example in contract.CLIENT_FRAME_EXAMPLES.items():
        assert example["action"] == action


def test_the_client_frame_examples_parse() -> None:
    enter = protocol.parse_enter_room(contract.CLIENT_FRAME_EXAMPLES[protocol.ENTER_ROOM])
    assert enter.room_id == "lobby"
    sent = protocol.parse_send_message(contract.CLIENT_FRAME_EXAMPLES[protocol.SEND_MESSAGE])
    assert sent.text == "hi"


def test_the_error_frame_example_has_the_shape_the_chat_sends() -> None:
    example = contract.SERVER_FRAME_EXAMPLES["error"]
    assert example["code"] in contract.ERROR_CODES
    assert set(example) == {"type", "code", "message", "clientMessageId"}
    assert json.loads(protocol.encode(protocol.PONG)) == contract.SERVER_FRAME_EXAMPLES["pong"]
    signed_out = contract.SERVER_FRAME_EXAMPLES["signed_out"]
    assert json.loads(protocol.encode(protocol.SIGNED_OUT)) == signed_out


class _Recording(Mapping[str, str]):
    """An environment that records which variables are read."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return self._values[key]

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.read.add(key)
        return self._values.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def test_the_settings_read_the_contracts_variables_and_powertools_reads_the_rest() -> None:
    environment = _Recording(
        dict.fromkeys(contract.ENVIRONMENT, "1") | {"ALLOWED_ORIGINS": "", "AUTH_MODE": "optional"}
    )
    Settings.from_environment(environment)
    powertools = {name for name in contract.ENVIRONMENT if name.startswith("POWERTOOLS_")}
    assert environment.read == contract.ENVIRONMENT - powertools


def test_the_readme_tables_are_regenerated_from_the_contract_and_unknown_ones_refused() -> None:
    begin = "<!-- BEGIN GENERATED: contract error-codes -->"
    stale = f"a\n{begin}\nSTALE TABLE\n<!-- END GENERATED -->\nb\n"
    fresh = contract_docs.render(stale, contract.document())
    assert "STALE TABLE" not in fresh
    for code in contract.ERROR_CODES:
        assert f"| `{code}` |" in fresh
    assert fresh.startswith("a\n")
    assert fresh.endswith("<!-- END GENERATED -->\nb\n")
    unknown = "<!-- BEGIN GENERATED: contract nothing -->\n<!-- END GENERATED -->"
    with pytest.raises(KeyError, match="nothing"):
        contract_docs.render(unknown, contract.document())
