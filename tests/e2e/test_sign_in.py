"""Sign-in in a real browser, on the stack of `make dev AUTH=optional`: the page's own SRP sign-in
against the emulator's Cognito (MiniStack checks the password for real), its ID token on the
WebSocket handshake, the `$connect` authorizer verifying it against the emulator's key set.

A guest and a signed-in user chat side by side; the session survives a reload; signing out in one
browser signs the user out in another too (the chat's `signed_out`: that page says so and shows a
guest's page) and closes both sockets (the guest sees them leave); a new user signs up through the
page, confirms with MiniStack's fixed code, and deletes the account. Where sign-in is required
(`make up AUTH=required`), the page asks for it before the room and offers no guest's way in."""

import json
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from local_stack import local_user
from local_stack.stack import LocalStack, _emulator_client

PASSWORD = "Correct-Horse-9"
# MiniStack's Cognito confirms every sign-up with this code (services/cognito.py; README, Sign-in).
MINISTACK_CONFIRMATION_CODE = "123456"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def send(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def sign_in_form(page: Page, heading: str = "Sign in"):
    return page.get_by_role("form", name=heading)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form and send it; the page then connects with the ID token."""
    form = sign_in_form(page)
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def enter_as_guest(page: Page, name: str) -> None:
    # Until config.json arrives the page asks a name as if sign-in were off, then asks again
    # where sign-in is offered (a new form, a new suggestion): fill in that one.
    expect(page.get_by_role("button", name="Enter as a guest")).to_be_visible()
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Enter as a guest").click()
    expect(page.get_by_role("status")).to_have_text("Online")


def test_a_user_signs_in_chats_beside_a_guest_keeps_the_session_and_signs_out(
    optional_stack: LocalStack, open_optional_room: Callable[[str], Page]
) -> None:
    username = unique("ada")
    local_user.create(optional_stack.options.ready_file, username, PASSWORD)
    room = unique("e2e-")
    guest = open_optional_room(room)
    enter_as_guest(guest, "Zoë")

    user = open_optional_room(room)
    user.get_by_role("button", name="Sign in").click()
    sign_in(user, username, "Wrong-Horse-9")
    expect(sign_in_form(user).get_by_role("alert")).to_have_text("Wrong username or password.")

    sign_in(user, username)
    expect(user.get_by_role("status")).to_have_text("Online")
    expect(user.locator(".header-name")).to_have_text(username)
    expect(guest.get_by_text(f"{username} joined")).to_be_visible()

    send(user, "hello from a signed-in user")
    theirs = guest.locator("li.message:not(.own)")
    expect(theirs).to_contain_text(["hello from a signed-in user"])
    expect(theirs.locator(".message-author")).to_have_text([username])
    expect(theirs.locator(".guest-marker")).to_have_count(0)

    send(guest, "hello from a guest")
    from_guest = user.locator("li.message:not(.own)")
    expect(from_guest).to_contain_text(["hello from a guest"])
    expect(from_guest.locator(".guest-marker")).to_have_count(1)

    user.reload()
    expect(user.get_by_role("status")).to_have_text("Online")
    expect(user.locator(".header-name")).to_have_text(username)
    expect(sign_in_form(user)).to_have_count(0)
    expect(user.locator("li.message.own")).to_contain_text(["hello from a signed-in user"])

    elsewhere = open_optional_room(room)  # the same user in another browser
    elsewhere.get_by_role("button", name="Sign in").click()
    sign_in(elsewhere, username)
    expect(elsewhere.get_by_role("status")).to_have_text("Online")

    user.get_by_role("button", name="Menu").click()
    account = user.get_by_role("region", name="Account")
    expect(account).to_contain_text(f"Signed in as {username}")
    account.get_by_role("button", name="Sign out").click()
    expect(user.get_by_role("button", name="Sign in")).to_be_visible()
    expect(user.get_by_role("region", name="Account")).to_have_count(0)
    expect(user.get_by_text("You were signed out")).to_have_count(0)  # she asked

    expect(elsewhere.get_by_text("You were signed out")).to_be_visible()
    expect(elsewhere.get_by_role("button", name="Enter as a guest")).to_be_visible()
    expect(guest.get_by_text(f"{username} left").first).to_be_visible()
    expect(guest.locator(".member-panel li")).to_have_text(["Zoë guest (you)"])  # both gone

    for page in (user, elsewhere):  # signed out for good: neither page holds a session
        page.reload()
        expect(page.get_by_role("button", name="Enter as a guest")).to_be_visible()


def test_a_new_user_signs_up_on_the_page_and_deletes_the_account(
    optional_stack: LocalStack, open_optional_room: Callable[[str], Page]
) -> None:
    username = unique("cyd")
    page = open_optional_room(unique("e2e-"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Create an account").click()
    form = sign_in_form(page, "Create an account")
    form.get_by_label("Username").fill(username)
    form.get_by_label("E-mail").fill(f"{username}@example.com")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Create account").click()

    confirm = sign_in_form(page, "Confirm your account")
    confirm.get_by_label("Code").fill(MINISTACK_CONFIRMATION_CODE)
    confirm.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_have_text("Online")
    expect(page.locator(".header-name")).to_have_text(username)

    ready = json.loads(optional_stack.options.ready_file.read_text())
    cognito = _emulator_client("cognito-idp", str(ready["emulator"]))
    pool = ready["userPoolId"]
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["Enabled"]

    page.get_by_role("button", name="Menu").click()
    account = page.get_by_role("region", name="Account")
    account.get_by_role("button", name="Delete account").click()
    account.get_by_role("group", name="Delete account").get_by_role(
        "button", name="Delete my account"
    ).click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool, Username=username)


def test_where_sign_in_is_required_the_page_asks_for_it_before_the_room(
    required_stack: LocalStack, new_page: Callable[..., Page]
) -> None:
    username = unique("lin")
    local_user.create(required_stack.options.ready_file, username, PASSWORD)
    page = new_page()
    page.goto(f"{required_stack.options.site_url}/{unique('e2e-')}")

    expect(sign_in_form(page)).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_count(0)
    expect(page.get_by_role("button", name="Enter as a guest")).to_have_count(0)
    expect(page.get_by_role("button", name="Continue as a guest")).to_have_count(0)

    sign_in(page, username)
    expect(page.get_by_role("status")).to_have_text("Online")
    expect(page.locator(".header-name")).to_have_text(username)
    send(page, "signed-in users only")
    expect(page.locator("li.message.own")).to_contain_text(["signed-in users only"])
