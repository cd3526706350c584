"""The `wraparound` console script lists and runs the service's commands."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wraparound.core.models import User
from wraparound.core.tests.factories import AgencyFactory

SCRIPT = Path(sys.executable).parent / "wraparound"


@pytest.mark.pipeline
def test_wraparound_help_lists_the_service_commands() -> None:
    result = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=True)
    for command in ("migrate", "createuser", "serve", "demo"):
        assert f"  {command}" in result.stdout
    assert "runserver" not in result.stdout  # Django's own development commands are not offered


@pytest.mark.pipeline
def test_a_setting_to_fix_is_named_without_a_stack_trace(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "var"
    not_a_folder.write_text("a file where the data folder should be")
    result = subprocess.run(
        [SCRIPT, "check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WRAPAROUND_VAR_DIR": str(not_a_folder)},
    )
    assert result.returncode == 2
    assert "WRAPAROUND_VAR_DIR" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_createuser_makes_an_account_in_an_agency_with_a_role() -> None:
    AgencyFactory(slug="hartshire-police", name="Hartshire Constabulary", kind="police")
    out = io.StringIO()
    stdin = io.StringIO("a-long-enough-passphrase\n")
    command_args = ["dana", "--agency", "hartshire-police", "--role", "practitioner"]
    from wraparound.core.management.commands.createuser import Command

    command = Command(stdout=out)
    command.stdin = stdin  # type: ignore[attr-defined]
    call_command(command, *command_args, "--password-stdin")
    user = User.objects.get(username="dana")
    assert user.agency.slug == "hartshire-police"
    assert user.role == "practitioner"
    assert user.check_password("a-long-enough-passphrase")


@pytest.mark.django_db
def test_createuser_with_an_unknown_agency_says_which_agencies_exist() -> None:
    AgencyFactory(slug="hcc-early-help", name="Early Help", kind="early_help")
    from wraparound.core.management.commands.createuser import Command

    command = Command(stdout=io.StringIO())
    command.stdin = io.StringIO("a-long-enough-passphrase\n")  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match=r"No agency with slug 'nope'.*hcc-early-help"):
        call_command(
            command, "erin", "--agency", "nope", "--role", "practitioner", "--password-stdin"
        )
    assert not User.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_createuser_rejects_a_weak_password() -> None:
    AgencyFactory(slug="hcc-early-help", name="Early Help", kind="early_help")
    from wraparound.core.management.commands.createuser import Command

    command = Command(stdout=io.StringIO())
    command.stdin = io.StringIO("password\n")  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="Password rejected"):
        call_command(
            command,
            "fay",
            "--agency",
            "hcc-early-help",
            "--role",
            "practitioner",
            "--password-stdin",
        )
    assert not User.objects.filter(username="fay").exists()
