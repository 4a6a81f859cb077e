"""Frames to the page: sizes, shapes and the history that fits in one post."""

import json

import pytest

from serverless_chat import limits
from serverless_chat.domain import protocol
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.model import Message


def message(seq, text="hi"):
    return Message(
        id=f"id-{seq}",
        room_id="lobby",
        seq=seq,
        text=text,
        username="ada",
        sender_connection_id="c1",
        sender_id="0" * 64,
        sent_at="2026-11-26T10:00:00.000Z",
        client_message_id=None,
    )


def history(count, text="hi"):
    return [protocol.message_frame(message(s, text), for_sender=False) for s in range(1, count + 1)]


def test_frames_are_compact_utf8_with_text_kept_as_is():
    frame = protocol.message_frame(message(1, "<b>é 😀</b>"), for_sender=True)

    data = protocol.encode(frame)

    assert "<b>é 😀</b>".encode() in data
    assert json.loads(data) == frame


def test_a_room_frame_with_long_multibyte_messages_keeps_the_newest_that_fit():
    long_text = "😀" * limits.MAX_MESSAGE_LENGTH  # 4 bytes each in UTF-8
    entries = history(50, long_text)

    frame = protocol.room_frame("lobby", "ada", ["ada"], entries, keep="newest", more=False)

    size = len(protocol.encode(frame))
    assert size <= limits.MAX_POST_BYTES
    kept = [entry["seq"] for entry in frame["history"]]
    assert kept == list(range(51 - len(kept), 51))  # the newest, oldest first
    # One more would not have fitted.
    assert size + len(protocol.encode(entries[0])) + 1 > limits.MAX_POST_BYTES
    assert frame["more"] is True  # the older ones dropped are still in the room


def test_a_page_after_a_seq_keeps_the_oldest_that_fit_and_says_there_is_more():
    entries = history(50, "é" * limits.MAX_MESSAGE_LENGTH)

    frame = protocol.room_frame("lobby", "ada", ["ada"], entries, keep="oldest", more=False)

    kept = [entry["seq"] for entry in frame["history"]]
    assert kept == list(range(1, len(kept) + 1))
    assert len(kept) < 50
    assert frame["more"] is True
    assert len(protocol.encode(frame)) <= limits.MAX_POST_BYTES


def test_a_small_history_is_sent_whole():
    frame = protocol.room_frame("lobby", "ada", ["ada"], history(3), keep="newest", more=False)

    assert [entry["seq"] for entry in frame["history"]] == [1, 2, 3]
    assert frame["more"] is False


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", ErrorCode.INVALID_JSON),
        ("", ErrorCode.INVALID_JSON),
        (None, ErrorCode.INVALID_JSON),
        ("[1, 2]", ErrorCode.INVALID_FRAME),
        ('"on-message"', ErrorCode.INVALID_FRAME),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(body, code):
    with pytest.raises(ChatError) as refused:
        protocol.parse_frame(body)
    assert refused.value.code is code


def test_names_are_trimmed_and_an_empty_name_means_the_default():
    assert protocol.parse_enter_room({"groupId": "r", "username": "  ada "}).username == "ada"
    assert protocol.parse_enter_room({"groupId": "r", "username": "   "}).username is None
    assert protocol.parse_enter_room({"groupId": "r"}).username is None


def test_limits_are_counted_in_code_points():
    emoji_name = "😀" * limits.MAX_USERNAME_LENGTH
    assert (
        protocol.parse_enter_room({"groupId": "r", "username": emoji_name}).username == emoji_name
    )
    text = "😀" * limits.MAX_MESSAGE_LENGTH
    assert protocol.parse_send_message({"message": text}).text == text
