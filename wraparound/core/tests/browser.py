"""Shared fixtures for browser tests: Debian's Chromium driven by Playwright, and axe checks.

Import the fixtures in a test module with
``from wraparound.core.tests.browser import browser_page, sign_in, assert_accessible  # noqa: F401``
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.2 AA, as axe-core tags it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    """A fresh Chromium page; the browser closes when the test ends."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make chromium` (apt package chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        csp_violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        try:
            yield page
            assert not csp_violations, f"The page broke its own CSP: {csp_violations}"
        finally:
            context.close()
            browser.close()


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


# What Chromium says when a script runs in a document that a navigation is replacing.
_NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'")


def _run_axe(page: Any) -> dict[str, Any]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern, so the
    # strict CSP stays on while axe runs.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(
        # resultTypes: only violations get their nodes collected (several times faster).
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result


def accessibility_violations(page: Any) -> list[str]:
    """axe-core (WCAG 2.2 AA rules) on the current page: one line per violated rule.

    A click on a link returns once the navigation has started, not when the new page has
    loaded, so axe could run in the document being replaced (CI saw "Cannot read properties
    of null (reading 'documentElement')"). We wait for the load, and if a navigation still
    replaces the document under axe, wait again and check the page that arrived.
    """
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            result = _run_axe(page)
            break
        except PlaywrightError as error:
            if attempt == 2 or not any(sign in str(error) for sign in _NAVIGATING):
                raise
    return [
        json.dumps(
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        )
        for v in result["violations"]
    ]


def assert_accessible(page: Any) -> None:
    """Run axe-core (WCAG 2.2 AA rules) on the current page; fail listing each violation."""
    violations = accessibility_violations(page)
    assert not violations, f"Accessibility violations on {page.url}:\n" + "\n".join(violations)
