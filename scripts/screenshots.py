"""Regenerate the screenshot gallery in docs/screenshots/: each role's home and main task.

Run against the demo (``make demo``, or ``wraparound demo --bind 127.0.0.1:PORT``):

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000

It signs in as each role of the early help service (the demo's coordinating agency) through
the real sign-in form, opens the role's home and its main task, and writes one PNG each, plus
docs/screenshots/index.md listing them. Uses Debian's Chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from wraparound.core.tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = REPO / "docs" / "screenshots"
AGENCY = "hcc-early-help"
PASSWORD = "wraparound-demo-2026"  # noqa: S105 - the demo's published password


@dataclass(frozen=True)
class Shot:
    role: str
    name: str
    caption: str
    path: str = ""  # a fixed URL, or "" to follow ``link`` from the role's first page
    start: str = ""
    link: str = ""
    scroll_to: str = ""  # a selector to bring into view: what the caption is about


SHOTS = [
    Shot("practitioner", "home", "Practitioner home: families to act on, with counts", "/home/"),
    Shot(
        "practitioner",
        "family",
        "A family on the practitioner's caseload: withheld "
        "information and why, members, needs with evidence, chronology",
        start="/families/",
        link="a[href^='/families/F-']",
    ),
    Shot("team-manager", "home", "Team manager home: the targeting headline by locality", "/home/"),
    Shot(
        "team-manager",
        "targeting",
        "Targeting: at risk against supported, by locality",
        "/needs/targeting/",
    ),
    Shot(
        "data-analyst",
        "home",
        "Data analyst home: pairs to review by match score, uploads",
        "/home/",
    ),
    Shot(
        "data-analyst",
        "matching",
        "Matching review: pairs waiting for a decision, with each side's name and key fields",
        "/matching/",
        scroll_to="[data-testid=queue]",
    ),
    Shot(
        "ig-officer",
        "home",
        "Information governance officer home: approvals and emergency access to review",
        "/home/",
    ),
    Shot(
        "ig-officer",
        "agreement",
        "A sharing agreement as the parties sign it",
        start="/sharing/agreements/",
        link="a[href^='/sharing/agreements/'][href$='/']",
    ),
    Shot(
        "ig-officer",
        "agreement-tasks",
        "Drafting an agreement: a task list, each task its own page, then check your answers",
        "/sharing/agreements/new/",
    ),
    Shot(
        "auditor",
        "home",
        "Internal auditor home: sampled claims waiting for a spot check, quarters to sample",
        "/home/",
    ),
    Shot(
        "auditor",
        "spot-check",
        "Internal audit spot check: a sampled claim's sealed evidence pack and its audit-chain "
        "link, then the evidence for each of the three questions",
        start="/outcomes/audit/",
        link="a[href^='/outcomes/audit/'][href$='/']:has-text('Open sample')",
    ),
    Shot("administrator", "home", "Administrator home: accounts in the agency", "/home/"),
    Shot("administrator", "users", "User accounts and their roles", "/users/"),
]


def _sign_in(page: Any, role: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(f"{AGENCY}-{role}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take(base_url: str, width: int, height: int) -> list[tuple[Shot, str]]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        signed_in = ""
        for shot in SHOTS:
            if shot.role != signed_in:
                _sign_in(page, shot.role)
                signed_in = shot.role
            if shot.path:
                page.goto(shot.path)
            else:
                page.goto(shot.start)
                href = page.locator(f"main {shot.link}").first.get_attribute("href")
                page.goto(href)
            if shot.scroll_to:
                page.locator(shot.scroll_to).first.scroll_into_view_if_needed()
            file_name = f"{shot.role}-{shot.name}.png"
            page.screenshot(path=str(OUT / file_name))
            written.append((shot, file_name))
        browser.close()
    return written


def write_index(written: list[tuple[Shot, str]]) -> None:
    lines = [
        "# Screenshots",
        "",
        "Each role's home page and main task in the demo county, as the early help service's",
        "staff see them. Regenerate with `python scripts/screenshots.py --base-url URL` against",
        "a running demo.",
        "",
    ]
    for shot, file_name in written:
        lines += [f"## {shot.caption}", "", f"![{shot.caption}]({file_name})", ""]
    (OUT / "index.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1100)
    args = parser.parse_args()
    written = take(args.base_url, args.width, args.height)
    write_index(written)
    for _, file_name in written:
        print(OUT / file_name)


if __name__ == "__main__":
    main()
