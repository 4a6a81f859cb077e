"""People chatting through the page in a real browser, against the local stack."""

import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "e2e"


def room_name() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def messages(page: Page):
    return page.locator("li.message")


def test_two_people_chat_both_ways_with_their_own_messages_on_their_side(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")

    send(ada, "Hello from Ada")
    expect(bob.locator("li.message:not(.own)")).to_contain_text(["Hello from Ada"])
    expect(bob.locator("li.message:not(.own) .message-author")).to_have_text(["Ada"])
    expect(ada.locator("li.message.own")).to_contain_text(["Hello from Ada"])

    send(bob, "Hi Ada, Bob here")
    expect(ada.locator("li.message:not(.own)")).to_contain_text(["Hi Ada, Bob here"])
    expect(bob.locator("li.message.own")).to_contain_text(["Hi Ada, Bob here"])
    expect(ada.get_by_text("Bob joined")).to_be_visible()


def test_a_rename_from_the_menu_shows_in_the_other_window(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")

    ada.get_by_role("button", name="Menu").click()
    ada.get_by_role("navigation", name="Menu").get_by_label("Display name").fill("Ada L.")
    ada.get_by_role("button", name="Change name").click()

    expect(bob.get_by_text("Ada is now Ada L.")).to_be_visible()
    send(ada, "renamed")
    expect(bob.locator("li.message:not(.own) .message-author")).to_have_text(["Ada L."])


def test_the_other_window_sees_who_is_typing_until_the_message_comes(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")
    expect(ada.get_by_text("Bob joined")).to_be_visible()

    ada.get_by_role("textbox", name="Message").press_sequentially("Hello Bo")
    expect(bob.locator(".typing-line")).to_have_text("Ada is typing…")
    expect(ada.locator(".typing-line")).to_have_text("")  # not oneself

    ada.get_by_role("textbox", name="Message").press("Enter")
    expect(bob.locator("li.message:not(.own)")).to_contain_text(["Hello Bo"])
    # At once with the message, well before the line would expire (6 s after the last frame).
    expect(bob.locator(".typing-line")).to_have_text("", timeout=1_000)


def test_another_room_sees_nothing(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")
    stranger = open_room(room_name(), "Stranger")

    send(ada, "only for this room")
    expect(bob.locator("li.message")).to_have_count(1)

    expect(messages(stranger)).to_have_count(0)
    expect(stranger.get_by_text("only for this room")).to_have_count(0)


def test_a_reload_keeps_the_name_and_shows_the_history(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    send(ada, "before the reload")
    expect(ada.locator("li.message.own")).to_have_count(1)

    ada.reload()

    expect(ada.get_by_role("status")).to_have_text("Online")
    expect(ada.locator(".header-name")).to_have_text("Ada")
    expect(ada.locator("li.message")).to_contain_text(["before the reload"])
    # Shown as hers: the page sent the same guest key from its new connection.
    expect(ada.locator("li.message.own")).to_contain_text(["before the reload"])


def test_a_newcomer_asking_for_your_name_gets_a_variant_and_not_your_messages(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    send(ada, "written by the first Ada")
    expect(ada.locator("li.message.own")).to_have_count(1)

    other_ada = open_room(room, "Ada")  # another browser: another guest key

    expect(other_ada.locator("li.message")).to_contain_text(["written by the first Ada"])
    expect(other_ada.locator("li.message.own")).to_have_count(0)
    expect(ada.get_by_role("region", name="In this room (2)")).to_contain_text("Ada 2")


def test_what_is_typed_while_the_data_plane_restarts_is_delivered_once(open_room, stack):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")

    stack.stop_gateway()
    expect(ada.get_by_role("status")).to_have_text("Reconnecting…")
    send(ada, "typed while offline")
    stack.start_gateway()

    expect(bob.locator("li.message")).to_contain_text(["typed while offline"], timeout=60_000)
    expect(ada.locator("li.message.own")).to_contain_text(["typed while offline"])
    expect(bob.get_by_text("typed while offline")).to_have_count(1)
    expect(ada.get_by_text("typed while offline")).to_have_count(1)


def test_html_in_a_message_is_shown_as_text_and_runs_nothing(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")
    dialogs = []
    bob.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    send(ada, "<img src=x onerror=alert(1)>")

    expect(bob.locator("li.message .message-text")).to_have_text(["<img src=x onerror=alert(1)>"])
    expect(bob.locator("li.message img")).to_have_count(0)
    assert dialogs == []


def test_a_link_that_only_looks_like_a_host_shows_its_real_host(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")

    # U+0430 is a Cyrillic "a": the host looks like apple.com and is not.
    send(ada, "log in at https://\u0430pple.com/login or https://apple.com/help")

    look_alike = bob.get_by_role("link", name="https://\u0430pple.com/login (xn--pple-43d.com)")
    expect(look_alike).to_have_attribute("href", "https://xn--pple-43d.com/login")
    expect(bob.get_by_role("link", name="https://apple.com/help", exact=True)).to_be_visible()


def test_a_bidi_override_in_a_link_reorders_only_the_link(open_room):
    room = room_name()
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")

    # U+202E RIGHT-TO-LEFT OVERRIDE: unisolated, it would run to the end of the line, drawing
    # " then more" reversed, to the left of the link's end.
    send(ada, "see https://example.com/\u202eexe.gnp then more")

    text = bob.locator("li.message .message-text")
    expect(text).to_have_text("see https://example.com/\u202eexe.gnp then more")
    link_right, after_left = text.evaluate(
        """(paragraph) => {
          const after = document.createRange();
          after.selectNodeContents(paragraph.lastChild);
          return [paragraph.querySelector('a').getBoundingClientRect().right,
                  after.getBoundingClientRect().left];
        }"""
    )
    assert after_left >= link_right - 1


def test_screenshots_of_a_conversation_on_desktop_and_mobile(open_room):
    room = room_name()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ada = open_room(room, "Ada", viewport={"width": 1280, "height": 800})
    bob = open_room(room, "Bob", viewport={"width": 360, "height": 740}, is_mobile=True)
    send(ada, "Welcome to the room 👋")
    send(bob, "Thanks! Links work too: https://example.com")
    expect(ada.locator("li.message")).to_have_count(2)
    expect(bob.locator("li.message")).to_have_count(2)

    ada.screenshot(path=ARTIFACTS / "desktop.png")
    bob.screenshot(path=ARTIFACTS / "mobile.png")

    assert (ARTIFACTS / "desktop.png").stat().st_size > 0
    assert bob.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling


def test_an_address_that_is_not_a_room_gets_the_friendly_view_with_a_404(browser, stack):
    context = browser.new_context()
    page = context.new_page()
    site = stack.options.site_url

    response = page.goto(f"{site}/not a room!")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is no room at this address")).to_be_visible()
    expect(page.locator(".requested-room")).to_have_text("not a room!")
    page.get_by_role("link", name="Go to the start page").click()
    expect(page.get_by_role("button", name="Start chatting")).to_be_visible()

    # A missing asset or config.json-like file is a plain 404: no page, no HTML.
    for path in ("/assets/missing.js", "/config.jsn"):
        response = page.goto(f"{site}{path}")
        assert response is not None
        assert response.status == 404, path
        assert response.headers["content-type"] == "text/plain; charset=utf-8", path
        expect(page.locator("body")).to_have_text("Not Found")
    context.close()
