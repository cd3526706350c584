"""The `wraparound` console script: one entry point for every batch and admin job.

Subcommands are Django management commands that live in Wraparound's own apps, plus the few
Django commands an operator needs (migrate, check, collectstatic, makemigrations, shell).
"""

from __future__ import annotations

import os
import sys

OPERATOR_DJANGO_COMMANDS = ("migrate", "check", "collectstatic", "makemigrations", "shell")


def _wraparound_commands() -> dict[str, str]:
    """Command name -> one-line help, for commands in Wraparound apps and the operator set."""
    from django.core.management import get_commands, load_command_class

    listed = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("wraparound.") or name in OPERATOR_DJANGO_COMMANDS:
            command = load_command_class(app, name)
            listed[name] = (command.help or "").strip().splitlines()[0] if command.help else ""
    return listed


def print_help() -> None:
    commands = _wraparound_commands()
    width = max(len(name) for name in commands)
    print("usage: wraparound COMMAND [options]\n")
    print("Wraparound: multi-agency working for children's and family services.\n")
    print("commands:")
    for name, summary in commands.items():
        print(f"  {name.ljust(width)}  {summary}")
    print("\n`wraparound COMMAND --help` describes a command's options.")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:  # a setting to fix, not a crash: say which
        print(f"wraparound: cannot start: {error}", file=sys.stderr)
        return 2
    if not args or args[0] in {"-h", "--help", "help"}:
        print_help()
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wraparound", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
