"""Create a user who belongs to an agency with one role."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.core.models import Role
from wraparound.core.services import UserSetupError, create_user


class Command(BaseCommand):
    help = "Create a user in an agency with a role (practitioner, team_manager, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="agency slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = self.stdin.readline().rstrip("\n") if hasattr(self, "stdin") else input()
        else:
            password = getpass.getpass("Password: ")
        try:
            user = create_user(
                username=options["username"],
                agency_slug=options["agency"],
                role=options["role"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except UserSetupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created {user.username} ({user.role_label}, {user.agency}).")
