"""Signing in and out, throttling, sessions and the security headers every page carries."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wraparound.core.middleware import SessionIdleRefreshMiddleware
from wraparound.core.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("core:sign-in"), {"username": username, "password": password})


def test_practitioner_signs_in_and_lands_on_their_home_page() -> None:
    user = UserFactory(username="amira")
    client = Client()
    response = _sign_in(client, "amira", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert "Practitioner home" in home.content.decode()
    assert user.agency.name in home.content.decode()


def test_wrong_password_shows_an_error_summary_and_does_not_sign_in() -> None:
    UserFactory(username="ben")
    client = Client()
    response = _sign_in(client, "ben", "not-the-password")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    assert client.get(reverse("core:home")).status_code == 302


def test_five_wrong_passwords_throttle_signing_in_with_a_clear_message() -> None:
    UserFactory(username="chloe")
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert _sign_in(client, "chloe", "wrong-password").status_code == 200
    locked = _sign_in(client, "chloe", "wrong-password")
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # Even the right password is refused while the account is locked from here.
    again = _sign_in(client, "chloe", TEST_PASSWORD)
    assert again.status_code == 429


def test_passwords_are_stored_with_argon2() -> None:
    from wraparound import settings as product_settings

    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        user = UserFactory()
        assert identify_hasher(user.password).algorithm == "argon2"


def test_sign_out_needs_a_post_and_ends_the_session() -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("core:sign-out")).status_code == 405
    response = client.post(reverse("core:sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_sessions_expire_after_idle_time_and_cookies_are_http_only() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_used_session_is_kept_alive_but_written_at_most_once_a_minute() -> None:
    client = Client()
    client.force_login(UserFactory())
    client.get(reverse("core:home"))
    first_expiry = _session_row(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:home"))
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert _session_row(client).expire_date == first_expiry
    # A minute later the next page pushes the idle timeout on.
    session = client.session
    session[SessionIdleRefreshMiddleware.KEY] = time.time() - settings.SESSION_REFRESH_SECONDS
    session.save()
    client.get(reverse("core:home"))
    assert _session_row(client).expire_date > first_expiry


def test_a_session_idle_past_its_age_is_signed_out() -> None:
    client = Client()
    client.force_login(UserFactory())
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("core:sign-in") in response["Location"]


def test_pages_carry_security_headers_and_a_content_security_policy() -> None:
    response = Client().get(reverse("core:sign-in"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-Id"]


def test_sign_in_form_is_protected_against_cross_site_request_forgery() -> None:
    UserFactory(username="dev")
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "dev", TEST_PASSWORD)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_unknown_page_gets_the_styled_not_found_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-header" in response.content.decode()


def test_password_spraying_from_one_address_is_paused_across_usernames() -> None:
    """Four guesses at each of many accounts never reach the per-username limit, but the
    failures from one address add up and pause signing in from it, right password included."""
    victims = [UserFactory(username=f"spray{i}") for i in range(13)]
    client = Client()
    statuses = []
    for victim in victims:
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
            statuses.append(_sign_in(client, victim.username, "Summer2026!").status_code)
    assert 429 in statuses
    assert statuses.count(200) <= settings.LOGIN_IP_FAILURE_LIMIT
    fresh = UserFactory(username="not-sprayed")
    assert _sign_in(client, fresh.username, TEST_PASSWORD).status_code == 429
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert _sign_in(elsewhere, fresh.username, TEST_PASSWORD).status_code == 302
