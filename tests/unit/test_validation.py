"""Every invalid request gets an error frame with its own code, and changes nothing."""

import pytest

from serverless_chat import limits


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"username": "ada"}, "missing_room"),
        ({"groupId": "", "username": "ada"}, "missing_room"),
        ({"groupId": "has space"}, "invalid_room"),
        ({"groupId": "a/b"}, "invalid_room"),
        ({"groupId": "x" * 65}, "invalid_room"),
        ({"groupId": 42}, "invalid_room"),
        (
            {"groupId": "lobby", "username": "x" * (limits.MAX_USERNAME_LENGTH + 1)},
            "invalid_username",
        ),
        ({"groupId": "lobby", "username": "two\nlines"}, "invalid_username"),
        ({"groupId": "lobby", "username": "bell\u0007"}, "invalid_username"),
        ({"groupId": "lobby", "username": "para\u2029graph"}, "invalid_username"),
        ({"groupId": "lobby", "username": ["ada"]}, "invalid_username"),
        ({"groupId": "lobby", "afterSeq": -1}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": "3"}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": True}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": 1.0}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": 10**30}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": limits.MAX_SEQ + 1}, "invalid_after_seq"),
        ({"groupId": "lobby", "afterSeq": limits.MAX_SEQ}, "invalid_after_seq"),  # beyond seq 0
        ({"groupId": "lobby", "afterSeq": 1}, "invalid_after_seq"),  # the lobby has no message
    ],
)
def test_invalid_entries_are_refused(pair, frame, code):
    ada, bob = pair

    ada.send({"action": "on-enter-room", **frame})

    [error] = ada.new_frames()
    assert (error["type"], error["code"]) == ("error", code)
    assert bob.new_frames() == []
    assert ada.enter("lobby", "")["username"] == "ada"  # nothing changed


@pytest.mark.parametrize("number", ["1e400", "-0.0", "3.0", "1E2", "-1"])
def test_an_after_seq_that_json_reads_as_no_whole_seq_is_refused(pair, number):
    ada, _ = pair

    ada.send(f'{{"action": "on-enter-room", "groupId": "lobby", "afterSeq": {number}}}')

    [error] = ada.new_frames()
    assert (error["code"], error["message"]) == (
        "invalid_after_seq",
        f"afterSeq must be a whole number from 0 to {limits.MAX_SEQ}.",
    )


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({}, "missing_message"),
        ({"message": ""}, "empty_message"),
        ({"message": " \n\t "}, "empty_message"),
        ({"message": "x" * (limits.MAX_MESSAGE_LENGTH + 1)}, "message_too_long"),
        ({"message": "😀" * (limits.MAX_MESSAGE_LENGTH + 1)}, "message_too_long"),
        ({"message": "null\u0000byte"}, "invalid_message"),
        ({"message": "escape\u001b[31m"}, "invalid_message"),
        ({"message": "carriage\rreturn"}, "invalid_message"),
        ({"message": "lone \ud800 surrogate"}, "invalid_message"),
        ({"message": ["a", "list"]}, "invalid_message"),
        ({"message": "hi", "clientMessageId": "has space"}, "invalid_client_message_id"),
        ({"message": "hi", "clientMessageId": 7}, "invalid_client_message_id"),
        ({"message": "hi", "groupId": "no such room!"}, "invalid_room"),
    ],
)
def test_invalid_messages_are_refused_and_sent_nowhere(pair, frame, code):
    ada, bob = pair

    ada.send({"action": "on-message", **frame})

    [error] = ada.new_frames()
    assert (error["type"], error["code"]) == ("error", code)
    assert bob.new_frames() == []


def test_a_message_at_the_limit_with_newlines_tabs_and_emoji_is_delivered_verbatim(pair):
    ada, bob = pair
    text = "line one\n\tindented <script>alert(1)</script> 😀"
    text += "x" * (limits.MAX_MESSAGE_LENGTH - len(text))

    ada.send({"action": "on-message", "message": text})

    assert [f["message"] for f in bob.new_frames()] == [text]


def test_a_message_error_quotes_the_client_message_id(pair):
    ada, _ = pair

    ada.send({"action": "on-message", "message": "", "clientMessageId": "abc-123"})

    assert ada.new_frames()[0]["clientMessageId"] == "abc-123"
