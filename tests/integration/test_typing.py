"""Typing over real WebSockets on the local stack, on each data plane: the others see who is
typing until when, a burst is forwarded once and never answered, and a bystander who types too
keeps being served."""

import time
import uuid
from datetime import UTC, datetime, timedelta

from serverless_chat import limits

TYPING = {"action": "on-typing"}


def test_a_typer_is_shown_to_the_others_once_an_interval_and_never_answered(open_socket):
    room = f"typing-{uuid.uuid4().hex[:8]}"
    ada, bob, cy = open_socket(), open_socket(), open_socket()
    ada.enter(room, "ada")
    bob.enter(room, "bob")
    cy.enter(room, "cy")
    for listener in (ada, bob):
        while not listener.nothing_more():  # the joins
            pass

    started = datetime.now(UTC)
    for _ in range(5):
        ada.send(TYPING)  # a burst: one forwarded, the rest dropped

    for other in (bob, cy):
        typing = other.recv_until("typing")
        assert (typing["roomId"], typing["username"]) == (room, "ada")
        shown_until = datetime.fromisoformat(typing["expiresAt"])
        shown = timedelta(seconds=limits.TYPING_SHOWN_SECONDS)
        assert (
            started + shown - timedelta(seconds=2)
            <= shown_until
            <= started + shown + timedelta(seconds=5)
        )
        assert other.nothing_more(1.0)  # once
    assert ada.nothing_more(1.0)  # no answer, no refusal

    cy.send(TYPING)  # a bystander types meanwhile: its own interval
    assert bob.recv_until("typing")["username"] == "cy"
    time.sleep(limits.TYPING_INTERVAL_SECONDS)
    ada.send(TYPING)
    assert bob.recv_until("typing")["username"] == "ada"  # the next interval
    ada.send({"action": "on-message", "message": "typed"})
    assert bob.recv_until("message")["message"] == "typed"
