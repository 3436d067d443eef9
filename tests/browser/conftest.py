"""Real-browser tests: Debian's Chromium driven by Playwright for Python against a live server.

Playwright never downloads a browser here (no ``playwright install``): it launches
``/usr/bin/chromium``, which ``make test`` installs with apt-get when it is missing. The
Playwright session is opened once for this package and closed after it, so that its event loop
never leaks into the other tests (Playwright's sync API leaves a running asyncio loop in the
thread while it is open).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    sync_playwright,
)
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("TADAMUN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make browser` as root "
            "(apt-get install -y chromium), or set TADAMUN_CHROMIUM"
        )
    # While Playwright's sync API is open its asyncio loop counts as running in this thread,
    # and Django would refuse ORM calls from the test as "async"; they are not.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Console:
    """What the page said in its console: every message, and the CSP violations among them."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Requests answered 400 or more, as "status path" (the base template links the portal's
    #: icon, so the browser asks for no /favicon.ico of its own).
    failed: list[str] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        text = f"{message.type}: {message.text}"
        self.messages.append(text)
        # "Failed to load resource" names no URL: such failures are checked in ``failed``.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(text)

    def response(self, response: Response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400:
            self.failed.append(f"{response.status} {path}")

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, settings: SettingsWrapper) -> str:
    """The live server's address; the database is real and committed (transactional test)."""
    settings.TADAMUN_FUND = "dz-cnas"
    return live_server.url


def _new_page(browser: Browser, console: Console, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="fr-FR")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", console.record)
    page.on("response", console.response)
    page.on("pageerror", lambda error: console.errors.append(f"pageerror: {error}"))
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    yield from _new_page(browser, console, DESKTOP)


@pytest.fixture
def phone(browser: Browser, console: Console) -> Iterator[Page]:
    yield from _new_page(browser, console, PHONE)


def screenshot_dir() -> Path:
    target = Path(settings.VAR_DIR) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target


_COUNT_COLOURS = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], {type: "image/png"}));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) {
    seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  return {colours: seen.size, width: bitmap.width, height: bitmap.height};
}"""


def screenshot_colours(browser: Browser, png: bytes) -> int:
    """How many distinct colours a screenshot holds (1 means blank), decoded by Chromium itself
    in a blank page of its own (no site, no CSP in the way)."""
    scratch = browser.new_page()
    try:
        result = scratch.evaluate(_COUNT_COLOURS, base64.b64encode(png).decode())
    finally:
        scratch.close()
    return int(result["colours"])
