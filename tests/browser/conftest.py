"""Browser tests: Debian's Chromium (never a downloaded one) driven by Playwright against a live
server holding the demo data, loaded through the real services."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from inspections.demo import PASSWORD, load_demo

# Playwright's sync API runs an event loop in this thread; the tests' own ORM reads are
# plain synchronous calls made between browser steps, never inside a coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def zh(text: str) -> str:
    """`text` as the pages show it (zh-hans is the default language)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text))


@pytest.fixture
def browser(demo) -> Iterator:
    """Chromium for one test, started after the database is ready and stopped before it is
    cleaned: while Playwright's loop runs, Django hands this thread other connection objects
    (its connections are context-local), which would not carry the test database's
    serialized contents that the flush and restore between tests rely on."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (bin/system-packages).")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
        connections.close_all()  # the ones opened inside Playwright's context


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The demo round, as `make demo` loads it; uploads go to this test's own folder.

    The database comes from the module's `django_db` mark (transactional, with serialized
    rollback, so the migrations' policies are back for the next test).
    """
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    load_demo()


class Session:
    """One person's browser window on the live server."""

    def __init__(self, browser, base_url: str, viewport: dict) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()

    def sign_in(self, username: str) -> Session:
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return self

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name), full_page=False)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server) -> Iterator:
    """Opens a window for a person; every window is closed at the end of the test."""
    sessions: list[Session] = []

    def open_(username: str, viewport: dict = DESKTOP) -> Session:
        session = Session(browser, live_server.url, viewport).sign_in(username)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
