"""Production mode, for real: collectstatic, `wraparound serve` (gunicorn), every page.

Runs the product as an operator would (WRAPAROUND_ENV=production, PostgreSQL, a strong key,
hashed static files through WhiteNoise) on 127.0.0.1, and opens every page of the access
table as each role of each kind of agency over HTTP, expecting exactly the table's answers
and never a 500. Then the 500 page itself: a server whose database is gone must still answer
with the service's own error page, styled. PostgreSQL only: production refuses SQLite.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.access_table import EXPECTED, PUBLIC, AccessRow
from wraparound.core.tests.factories import AgencyFactory, UserFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="production mode runs on PostgreSQL only"
    ),
]
SECRET = secrets.token_urlsafe(50)
HOST = "127.0.0.1"


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def _fetch(url: str, *, cookies: str = "", data: bytes | None = None) -> Answer:
    assert url.startswith(f"http://{HOST}:"), "loopback only"
    headers = {"Cookie": cookies} if cookies else {}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - checked above
    try:
        with OPENER.open(request, timeout=30) as response:
            return Answer(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode(errors="replace"), dict(error.headers))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/"
        f"{name or db['NAME']}"
    )


def _production_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WRAPAROUND_", "DJANGO_"))}
    return env | {
        "WRAPAROUND_ENV": "production",
        "WRAPAROUND_SECRET_KEY": SECRET,
        "WRAPAROUND_ALLOWED_HOSTS": HOST,
        "WRAPAROUND_SSL_REDIRECT": "false",  # TLS would end at a proxy; here plain HTTP
        "WRAPAROUND_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
    }


def _serve(env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "wraparound.cli", "serve", "--bind", f"{HOST}:{port}"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _fetch(f"{base}/")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"server did not start: {log.read_text()}") from None
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    env = _production_env(tmp_path / "var", _database_url())
    collected = subprocess.run(
        [sys.executable, "-m", "wraparound.cli", "collectstatic", "--noinput", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    return env


def _session_cookie(user: Any) -> str:
    """A signed-in session made as Django's login would, under the server's secret key."""
    with override_settings(SECRET_KEY=SECRET):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return f"sessionid={store.session_key}"


def _csrf(base: str, cookies: str) -> tuple[str, str]:
    """The CSRF cookie and form token a real browser would get from a page with a form."""
    page_name = "core:home" if cookies else "core:sign-in"
    page = _fetch(f"{base}{reverse(page_name)}", cookies=cookies)
    jar = SimpleCookie(page.headers.get("Set-Cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert token, "the page carries a CSRF form token"
    assert "csrftoken" in jar, "and sets the CSRF cookie"
    return f"csrftoken={jar['csrftoken'].value}", token.group(1)


def _open(base: str, row: AccessRow, seeded: dict[str, Any], user: Any | None) -> Answer:
    url = base + reverse(row.url_name, kwargs=row.kwargs(seeded) if row.kwargs else {})
    if row.query:  # as the in-process access test sends it (e.g. ?claim= for a check page)
        url += "?" + urllib.parse.urlencode(row.query(seeded))
    cookies = _session_cookie(user) if user is not None else ""
    if row.method != "post":
        return _fetch(url, cookies=cookies)
    csrf_cookie, token = _csrf(base, cookies)
    cookies = f"{cookies}; {csrf_cookie}" if cookies else csrf_cookie
    return _fetch(url, cookies=cookies, data=f"csrfmiddlewaretoken={token}".encode())


def test_every_page_of_every_role_answers_as_the_access_table_says_in_production(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    from wraparound.core.tests import seed

    seeded = seed.seed_for_access_tests()
    # Every role, each in two kinds of agency, between them every kind (the in-process access
    # test crosses every role with every kind; this one proves the production stack serves it).
    kinds = AgencyKind.values
    users = [
        UserFactory(
            username=f"prod-{kind}-{role}",
            role=role,
            agency=AgencyFactory(slug=f"prod-{kind}-{role}", name=f"Prod {kind} {role}", kind=kind),
        )
        for index, role in enumerate(Role.values)
        for kind in (kinds[(2 * index) % len(kinds)], kinds[(2 * index + 1) % len(kinds)])
    ]
    failures, server_errors, checked = [], [], 0
    for base in _serve(production_env, tmp_path / "server.log"):
        for row in EXPECTED:
            answer = _open(base, row, seeded, None)
            expected = row.ok_statuses if row.allowed == PUBLIC else frozenset({302})
            checked += 1
            if answer.status not in expected:
                failures.append(("anonymous", row.url_name, answer.status, sorted(expected)))
        for user in users:
            for row in EXPECTED:
                answer = _open(base, row, seeded, user)
                allowed = row.allowed == PUBLIC or user.role in row.allowed
                expected = row.ok_statuses if allowed else frozenset({403})
                checked += 1
                if answer.status >= 500:
                    server_errors.append((user.username, row.url_name, answer.body[:300]))
                if answer.status not in expected:
                    failures.append((user.username, row.url_name, answer.status, sorted(expected)))
        home = _fetch(f"{base}{reverse('core:home')}", cookies=_session_cookie(users[0]))
        stylesheet = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', home.body)
        assert stylesheet, "pages link the hashed GOV.UK stylesheet"
        assert _fetch(base + stylesheet.group(1)).status == 200
    log = (tmp_path / "server.log").read_text()
    assert not server_errors, server_errors[:5]
    assert not failures, failures[:20]
    assert checked == len(EXPECTED) * (1 + len(users))
    assert "Internal Server Error" not in log, log[-3000:]


def test_the_500_page_renders_in_production_even_when_the_database_is_gone(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    broken = production_env | {"DATABASE_URL": _database_url("wraparound_no_such_database")}
    for base in _serve(broken, tmp_path / "broken.log"):
        page = _fetch(f"{base}{reverse('core:home')}", cookies="sessionid=whatever")
        assert page.status == 500
        assert "Sorry, there is a problem with the service" in page.body
        assert "Traceback" not in page.body
        css = re.search(r'href="(/static/[^"]+\.css)"', page.body)
        assert css, page.body
        assert _fetch(base + css.group(1)).status == 200
