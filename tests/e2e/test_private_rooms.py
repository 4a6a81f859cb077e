"""Private rooms in a real browser, on the stack of `make dev AUTH=optional`: a signed-in user
creates one from the menu, makes an invite link and hands it to a second browser, where another
user signs in, enters through it and chats; once the owner revokes the link, a third user who
opens it is told the room is private, and sees nothing of it. The owner then mutes the member,
then removes them: the member's page says so, and the room's address no longer lets them in.
Deleting: a member deletes their own message, the owner removes another of theirs, and both
pages show it, after a reload too."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from local_stack import local_user
from local_stack.stack import LocalStack
from tests.e2e.test_sign_in import PASSWORD, send, sign_in, unique


def signed_in_at(open_room: Callable[[str], Page], path: str, username: str) -> Page:
    """A browser of its own at ``path``, signed in as ``username`` (a guest opening a private
    room is asked to sign in first)."""
    page = open_room(path)
    page.get_by_role("button", name=re.compile(r"^Sign in( first)?$")).click()
    sign_in(page, username)
    return page


@dataclass
class InvitedRoom:
    """A private room its owner made from the menu, and a member who came by its invite link."""

    owner: Page
    member: Page
    invite_link: str


def room_by_invite_link(
    stack: LocalStack, open_room: Callable[[str], Page], ada: str, bob: str
) -> InvitedRoom:
    owner = signed_in_at(open_room, unique("e2e-"), ada)
    expect(owner.get_by_role("status")).to_have_text("Online")
    owner.get_by_role("button", name="Menu").click()
    owner.get_by_role("button", name="New private room").click()
    expect(owner).to_have_url(re.compile(r"/~[A-Za-z0-9_-]{22}$"))
    room_path = owner.url.removeprefix(stack.options.site_url)
    expect(owner.get_by_role("status")).to_have_text("Online")
    expect(owner.get_by_text("Private room")).to_be_visible()

    owner.get_by_role("button", name="Invite").click()
    panel = owner.get_by_role("region", name="Invite")
    panel.get_by_role("button", name="Create invite link").click()
    link = panel.get_by_role("group", name="New invite link").get_by_label("Invite link")
    expect(link).to_have_value(re.compile(r"#invite=[A-Za-z0-9_-]{22}$"))
    invite_link = link.input_value()
    assert invite_link.startswith(f"{stack.options.site_url}{room_path}#invite=")

    member = signed_in_at(open_room, invite_link.removeprefix(stack.options.site_url + "/"), bob)
    expect(member.get_by_role("status")).to_have_text("Online")
    expect(member).not_to_have_url(re.compile("invite="))  # taken out of the address once in
    expect(owner.get_by_text(f"{bob} joined")).to_be_visible()
    return InvitedRoom(owner, member, invite_link)


def test_a_private_room_by_invite_link_until_the_link_is_revoked(
    optional_stack: LocalStack, open_optional_room: Callable[[str], Page]
) -> None:
    ada, bob, cy = (unique(who) for who in ("ada", "bob", "cy"))
    for username in (ada, bob, cy):
        local_user.create(optional_stack.options.ready_file, username, PASSWORD)
    room = room_by_invite_link(optional_stack, open_optional_room, ada, bob)
    owner, member, invite_link = room.owner, room.member, room.invite_link
    panel = owner.get_by_role("region", name="Invite")
    send(member, "hello, members only")
    expect(owner.locator("li.message:not(.own)")).to_contain_text(["hello, members only"])

    panel.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(panel.get_by_text("No live invites.")).to_be_visible()

    stranger = signed_in_at(
        open_optional_room, invite_link.removeprefix(optional_stack.options.site_url + "/"), cy
    )
    expect(stranger.get_by_role("heading", name="This room is private")).to_be_visible()
    expect(stranger.get_by_text("not valid any more")).to_be_visible()
    expect(stranger.get_by_text("hello, members only")).to_have_count(0)
    expect(owner.get_by_text(f"{cy} joined")).to_have_count(0)
    send(owner, "still here")
    expect(member.locator("li.message:not(.own)")).to_contain_text(["still here"])

    panel.get_by_role("button", name="Close").click()  # the invite panel lies over the members
    actions = owner.locator(".member-panel").get_by_role("button", name=f"Actions for {bob}")
    actions.click()
    owner.get_by_role("menuitem", name="Mute for 10 minutes").click()
    expect(member.get_by_text("You are muted in this room until")).to_be_visible()
    expect(owner.get_by_text(f"{ada} muted {bob}")).to_be_visible()

    actions.click()
    owner.get_by_role("menuitem", name="Remove from the room…").click()
    owner.get_by_role("button", name="Remove", exact=True).click()
    expect(member.get_by_text(f"You were removed from this room by {ada}")).to_be_visible()
    expect(owner.get_by_text(f"{ada} removed {bob}")).to_be_visible()
    member.reload()  # a member no more: the address alone lets nobody in
    expect(member.get_by_role("heading", name="This room is private")).to_be_visible()


def test_a_member_deletes_their_message_and_the_owner_removes_another(
    optional_stack: LocalStack, open_optional_room: Callable[[str], Page]
) -> None:
    ada, bob = unique("ada"), unique("bob")
    for username in (ada, bob):
        local_user.create(optional_stack.options.ready_file, username, PASSWORD)
    room = room_by_invite_link(optional_stack, open_optional_room, ada, bob)
    owner, member = room.owner, room.member
    owner.get_by_role("region", name="Invite").get_by_role("button", name="Close").click()
    theirs = owner.locator("li.message:not(.own)")
    send(member, "I take this back")
    expect(theirs).to_contain_text(["I take this back"])  # two sends at once may swap places
    send(member, "spam for the owner to remove")
    expect(theirs).to_contain_text(["I take this back", "spam for the owner to remove"])

    member.once("dialog", lambda dialog: dialog.accept())  # the confirmation
    own = member.locator("li.message.own").filter(has_text="I take this back")
    own.get_by_role("button", name="Delete your message").click()
    for page in (member, owner):
        expect(page.get_by_text("Message deleted")).to_be_visible()
        expect(page.get_by_text("I take this back")).to_have_count(0)

    owner.once("dialog", lambda dialog: dialog.accept())
    spam = theirs.filter(has_text="spam for the owner to remove")
    spam.get_by_role("button", name=f"Delete message from {bob}").click()
    for page in (member, owner):
        expect(page.get_by_text(f"Message removed by {ada}")).to_be_visible()
        expect(page.get_by_text("spam for the owner to remove")).to_have_count(0)

    member.reload()  # the room keeps both deletions, and who made the second
    expect(member.get_by_role("status")).to_have_text("Online")
    expect(member.get_by_text("Message deleted")).to_be_visible()
    expect(member.get_by_text(f"Message removed by {ada}")).to_be_visible()
