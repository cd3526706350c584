"""Production mode refuses to start with unsafe settings, naming the setting to fix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.pipeline

SAFE = {
    "WRAPAROUND_ENV": "production",
    "WRAPAROUND_DEBUG": "false",
    "WRAPAROUND_SECRET_KEY": "q3V9-xT_7mLr2ZpA8cYw0NfJ4hKs6DbE1uGiRoPv5WtMjHlCnXaSeUdQyBzFgI",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wraparound",
    "WRAPAROUND_ALLOWED_HOSTS": "wraparound.example.org",
}


def _start(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **SAFE}
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import wraparound.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_with_safe_settings_starts() -> None:
    assert _start().returncode == 0


@pytest.mark.parametrize(
    ("overrides", "named_setting"),
    [
        ({"WRAPAROUND_DEBUG": "true"}, "WRAPAROUND_DEBUG"),
        ({"WRAPAROUND_SECRET_KEY": None}, "WRAPAROUND_SECRET_KEY"),
        ({"WRAPAROUND_SECRET_KEY": "short"}, "WRAPAROUND_SECRET_KEY"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "DATABASE_URL"),
        ({"WRAPAROUND_ALLOWED_HOSTS": ""}, "WRAPAROUND_ALLOWED_HOSTS"),
        ({"WRAPAROUND_ALLOWED_HOSTS": "*"}, "WRAPAROUND_ALLOWED_HOSTS"),
        ({"WRAPAROUND_ALLOWED_HOSTS": "wraparound.example.org,*"}, "WRAPAROUND_ALLOWED_HOSTS"),
        # Long but guessable keys: one letter repeated, a phrase repeated, too few symbols.
        ({"WRAPAROUND_SECRET_KEY": "k" * 64}, "WRAPAROUND_SECRET_KEY"),
        ({"WRAPAROUND_SECRET_KEY": "hartshire-" * 7}, "WRAPAROUND_SECRET_KEY"),
        ({"WRAPAROUND_SECRET_KEY": "ab" * 20 + "ba" * 20}, "WRAPAROUND_SECRET_KEY"),
        # An environment name that is not one Wraparound knows is refused, not run as development.
        ({"WRAPAROUND_ENV": "prod"}, "WRAPAROUND_ENV"),
        ({"WRAPAROUND_ENV": "staging"}, "WRAPAROUND_ENV"),
    ],
)
def test_production_with_an_unsafe_setting_refuses_to_start_naming_it(
    overrides: dict[str, str | None], named_setting: str
) -> None:
    result = _start(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named_setting in result.stderr


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", " production "])
def test_production_is_recognised_whatever_its_case_and_refuses_unsafe_settings(
    spelling: str,
) -> None:
    result = _start(WRAPAROUND_ENV=spelling, WRAPAROUND_DEBUG="true")
    assert result.returncode != 0
    assert "WRAPAROUND_DEBUG" in result.stderr


def test_random_keys_as_operators_generate_them_are_accepted() -> None:
    import secrets

    from wraparound.settings import secret_key_weakness

    for key in (secrets.token_hex(32), secrets.token_urlsafe(50)):
        assert secret_key_weakness(key) == ""
