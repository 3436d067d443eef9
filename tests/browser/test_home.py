"""The home page in a real browser: French and Arabic (right to left), the language switcher,
no Content-Security-Policy violation, a screenshot that shows something, and a phone screen on
which nothing overflows sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Console, screenshot_colours, screenshot_dir

DIRECTION = "getComputedStyle(document.documentElement).direction"
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize(
    ("language", "direction", "heading"),
    [
        ("fr", "ltr", "Caisse nationale des assurances sociales des travailleurs salariés"),
        ("ar", "rtl", "الصندوق الوطني للتأمينات الاجتماعية للعمال الأجراء"),
    ],
)
def test_home_in_french_and_arabic(
    site: str,
    page: Page,
    browser: Browser,
    console: Console,
    language: str,
    direction: str,
    heading: str,
) -> None:
    response = page.goto(f"{site}/{language}/")
    assert response is not None and response.status == 200
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == direction
    assert page.evaluate(DIRECTION) == direction
    assert page.locator("h1").inner_text() == heading
    # the stylesheet was served and applied (a CSP or static-files fault would leave it unstyled)
    border = page.evaluate(
        "getComputedStyle(document.querySelector('.masthead')).borderBottomStyle"
    )
    assert border == "solid"
    png = page.screenshot(path=screenshot_dir() / f"home-{language}.png", full_page=True)
    assert screenshot_colours(browser, png) > 8, "the screenshot is blank"
    assert console.csp_violations == []
    assert console.errors == []
    assert console.failed == []


def test_language_switcher_goes_to_arabic_and_back(site: str, page: Page, console: Console) -> None:
    page.goto(f"{site}/fr/")
    page.get_by_role("button", name="العربيّة").click()
    page.wait_for_url(f"{site}/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate(DIRECTION) == "rtl"
    # the current language is marked and cannot be chosen again
    current = page.locator(".languages button[aria-current='true']")
    assert current.get_attribute("lang") == "ar"
    assert current.is_disabled()
    page.get_by_role("button", name="français").click()
    page.wait_for_url(f"{site}/fr/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("h2#deadline").inner_text() == "Prochaine échéance"
    assert console.csp_violations == []
    assert console.errors == []
    assert console.failed == []


def test_inline_script_and_style_are_refused(site: str, page: Page, console: Console) -> None:
    """The policy is in force: an injected inline script does not run and is reported."""
    page.goto(f"{site}/fr/")
    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.__injected = true';
          document.body.appendChild(s);
        }"""
    )
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in m for m in console.csp_violations)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_phone_screen_does_not_overflow(
    site: str, phone: Page, browser: Browser, console: Console, language: str
) -> None:
    phone.goto(f"{site}/{language}/")
    scroll_width, inner_width = phone.evaluate(OVERFLOW)
    assert inner_width == 375
    assert scroll_width <= inner_width, f"{scroll_width}px wide on a {inner_width}px screen"
    png = phone.screenshot(path=screenshot_dir() / f"home-{language}-phone.png", full_page=True)
    assert screenshot_colours(browser, png) > 8
    assert console.csp_violations == []
