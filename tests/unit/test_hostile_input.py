"""Hostile input, generated: any body, on any route, gets an answer and never an exception.

Hypothesis drives the parser alone, then each route's handler in-process (moto's DynamoDB, the
recording ``@connections`` stand-in), with arbitrary JSON values, structures nested past Python's
recursion limit, huge and non-whole numbers, text that is not UTF-8, known fields of every wrong
type and unknown actions. Every refusal must be an error frame whose code is one of
contract.json's. The examples are derandomized (the ``chat`` profile in tests/conftest.py), so a
run is the same on every machine.
"""

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from serverless_chat import contract, limits
from serverless_chat.domain import protocol
from serverless_chat.domain.errors import ChatError
from tests.unit.conftest import ChatBackend, ChatClient, load_event

ROUTES = ("on-enter-room", "on-message", "$default")
# One backend for all of a test's examples: the chat's state grows as a real one does.
ONE_BACKEND = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------- strategies

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**15, max_value=10**40)  # past maxSeq, past DynamoDB's 38 digits
    | st.floats()  # NaN and ±inf included: json.dumps writes them as NaN/Infinity
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
plausible_strings = st.sampled_from(
    ["lobby", "ada", "hi", "m-1", "", " ", "\n", "a" * 65, "g" * limits.MIN_GUEST_KEY_LENGTH]
)
# Each known field: a plausible value (so some frames get past validation and into the tables),
# or anything at all.
field_values = (
    plausible_strings
    | st.integers(min_value=-2, max_value=5)
    | st.just(limits.MAX_SEQ)
    | st.just(limits.MAX_SEQ + 1)
    | json_values
)
actions = (
    st.sampled_from([protocol.ENTER_ROOM, protocol.SEND_MESSAGE, protocol.PING, "dance", ""])
    | json_values
)
FIELDS = ("groupId", "roomId", "username", "message", "clientMessageId", "afterSeq", "guestKey")
any_frames = st.fixed_dictionaries(
    {"action": actions}, optional=dict.fromkeys(FIELDS, field_values)
)
# A frame the chat accepts, then perhaps one of its fields spoilt: hostile input that gets past
# the first checks, so the tables and the fan-out see it too.
valid_frames = st.one_of(
    st.fixed_dictionaries(
        {"action": st.just(protocol.ENTER_ROOM), "groupId": st.sampled_from(["lobby", "side"])},
        optional={
            "username": st.sampled_from(["ada", "grace", "", None]),
            "afterSeq": st.integers(min_value=0, max_value=3),
            "guestKey": st.sampled_from(["k" * limits.MIN_GUEST_KEY_LENGTH, "Kb-_" * 8]),
        },
    ),
    st.fixed_dictionaries(
        {"action": st.just(protocol.SEND_MESSAGE), "message": st.sampled_from(["hi", "ça va?"])},
        optional={"clientMessageId": st.sampled_from(["m-1", "m-2"])},
    ),
    st.just({"action": protocol.PING}),
)
spoilt_frames = st.builds(
    lambda frame, spoil, field, value: {**frame, field: value} if spoil else frame,
    valid_frames,
    st.booleans(),
    st.sampled_from(FIELDS),
    field_values,
)
frames = any_frames | spoilt_frames


def nested(depth: int, opener: str) -> str:
    closer = {"[": "]", '{"a":': "}"}[opener]
    inner = "[]" if opener == "[" else "1"
    return opener * depth + inner + closer * depth


deep_bodies = st.builds(
    nested, st.integers(min_value=1, max_value=20_000), st.sampled_from(["[", '{"a":'])
) | st.integers(min_value=1, max_value=20_000).map(lambda depth: "[" * depth)  # never closed
huge_number_bodies = st.integers(min_value=1, max_value=6_000).map(
    lambda digits: (
        '{"action": "on-enter-room", "groupId": "lobby", "afterSeq": 1' + "0" * digits + "}"
    )
)
# Bytes that need not be UTF-8, as a runtime that kept them would hand them over.
not_utf8 = st.binary(max_size=64).map(lambda data: data.decode("utf-8", "surrogateescape"))
bodies = st.one_of(
    frames.map(json.dumps),
    json_values.map(json.dumps),
    st.text(),
    not_utf8,
    deep_bodies,
    huge_number_bodies,
    st.none(),
)


# ---------------------------------------------------------------- the parser


def _outcome(parse: Callable[[Any], Any], value: Any) -> Any:
    """What ``parse`` returns, or the ``ChatError`` it raises; any other exception escapes."""
    try:
        return parse(value)
    except ChatError as error:
        return error


@given(bodies)
def test_the_parser_answers_any_body_with_a_frame_or_a_contract_error(body):
    frame = _outcome(protocol.parse_frame, body)
    if isinstance(frame, ChatError):
        event(f"refused: {frame.code.value}")
        assert frame.code.value in contract.ERROR_CODES
        assert frame.message
        return
    assert isinstance(frame, dict)
    event("a frame")
    for parse in (protocol.parse_enter_room, protocol.parse_send_message):
        request = _outcome(parse, frame)
        if isinstance(request, ChatError):
            assert request.code.value in contract.ERROR_CODES


@given(frames)
def test_an_after_seq_is_accepted_only_as_a_whole_number_from_0_to_max_seq(frame):
    value = frame.get("afterSeq")
    valid = value is None or (type(value) is int and 0 <= value <= limits.MAX_SEQ)
    request = _outcome(protocol.parse_enter_room, {**frame, "groupId": "lobby", "username": None})
    if isinstance(request, ChatError):
        assert request.code.value != "invalid_after_seq" or not valid
    else:
        assert valid
        assert request.after_seq == value
    event("valid afterSeq" if valid else "invalid afterSeq")


@given(frames)
def test_a_guest_key_is_accepted_only_as_a_string_of_its_pattern_and_lengths(frame):
    value = frame.get("guestKey")
    valid = value is None or (
        isinstance(value, str)
        and limits.MIN_GUEST_KEY_LENGTH <= len(value) <= limits.MAX_GUEST_KEY_LENGTH
        and re.fullmatch(limits.GUEST_KEY_PATTERN, value) is not None
    )
    request = _outcome(
        protocol.parse_enter_room,
        {**frame, "groupId": "lobby", "username": None, "afterSeq": None},
    )
    if isinstance(request, ChatError):
        assert request.code.value == "invalid_guest_key"
        assert not valid
    else:
        assert valid
        assert request.guest_key == value
    event("valid guestKey" if valid else "invalid guestKey")


# ---------------------------------------------------------------- every route's handler


def _keep_open(backend: ChatBackend, connection_id: str) -> None:
    """These examples come from one connection, faster than the chat allows refusals: it closes
    the connection (test_default_route tests that), and API Gateway would stop its frames. Here
    every frame must still be answered, so the socket is taken as still open."""
    with backend.connections_api.lock:
        backend.connections_api.open.add(connection_id)


def _invoke(backend: ChatBackend, route: str, connection_id: str, body: str | None) -> None:
    _keep_open(backend, connection_id)
    event = load_event("message")
    event["body"] = body
    response = backend.invoke(route, connection_id, event=event)
    assert response == {"statusCode": 200}


def _assert_answered(frames_got: list[dict[str, Any]], route: str) -> None:
    assert frames_got, f"{route} answered nothing"
    for frame in frames_got:
        event(f"{route}: {frame['type']} {frame.get('code', '')}".rstrip())
        if frame["type"] == "error":
            assert frame["code"] in contract.ERROR_CODES
            assert isinstance(frame["message"], str)
            assert frame["message"]
            assert set(frame) <= {"type", "code", "message", "clientMessageId", "retryAfterMs"}
        else:
            assert frame["type"] in contract.SERVER_FRAME_EXAMPLES


@pytest.fixture
def callers(backend: ChatBackend) -> tuple[ChatClient, ChatClient]:
    """A connection in the lobby and one in no room yet, for all of a test's examples."""
    inside, outside = backend.connect(), backend.connect()
    inside.enter("lobby", "insider")
    return inside, outside


@pytest.mark.parametrize("route", ROUTES)
@ONE_BACKEND
@given(body=bodies, entered=st.booleans())
def test_every_route_answers_any_body_and_refuses_with_contract_codes(
    backend, callers, route, body, entered
):
    """Whatever the body, whichever function API Gateway picks: a 200, and a frame back."""
    client = callers[0] if entered else callers[1]

    _invoke(backend, route, client.connection_id, body)

    _assert_answered(client.new_frames(), route)


@ONE_BACKEND
@given(frame=frames)
def test_a_frame_routed_by_its_action_as_api_gateway_does_is_answered(pair, frame):
    ada, _ = pair

    _keep_open(ada.backend, ada.connection_id)
    ada.send(json.dumps(frame))

    _assert_answered(ada.new_frames(), "route selection")
