"""A real browser — Debian's Chromium driven by Playwright — on the page the local stack serves."""

import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from local_stack.stack import LocalStack

# What a closed network needs: no background requests to Google's hosts (see the README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


def launch_chromium(playwright: Playwright, *args: str) -> Browser:
    """Debian's Chromium, with CHROMIUM_ARGS and `args`."""
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs Debian's package"
    return playwright.chromium.launch(executable_path=chromium, args=[*CHROMIUM_ARGS, *args])


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = launch_chromium(playwright)
    yield launched
    launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A page in a fresh browser context (a separate person: its own storage), closed at the end."""
    contexts = []

    def opening(**context_options: object) -> Page:
        context = browser.new_context(**context_options)  # type: ignore[arg-type]
        contexts.append(context)
        return context.new_page()

    yield opening
    for context in contexts:
        context.close()


@pytest.fixture
def open_room(new_page: Callable[..., Page], stack: LocalStack) -> Callable[..., Page]:
    """Open a room in a fresh browser context (a separate person) and enter it under a name."""

    def opening(room: str, name: str, **context_options: object) -> Page:
        page = new_page(**context_options)
        page.goto(f"{stack.options.site_url}/{room}")
        page.get_by_label("Display name").fill(name)
        page.get_by_role("button", name="Enter the room").click()
        expect(page.get_by_role("status")).to_have_text("Online")
        return page

    return opening


@pytest.fixture
def open_optional_room(
    new_page: Callable[..., Page], optional_stack: LocalStack
) -> Callable[[str], Page]:
    """A room of the sign-in stack in a fresh browser context, not yet entered."""

    def opening(room: str) -> Page:
        page = new_page()
        page.goto(f"{optional_stack.options.site_url}/{room}")
        return page

    return opening
