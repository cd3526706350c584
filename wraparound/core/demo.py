"""The demo partnership: agencies of every kind and one sign-in for each role in each agency.

Each capability adds its own demo data through a `load_demo(context)` function in its
`demo` module; this module runs them in dependency order so `make demo` shows the whole product.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from wraparound.core.models import Agency, Role, User
from wraparound.core.services import ensure_agency

DEMO_PASSWORD = "wraparound-demo-2026"  # noqa: S105 - printed on purpose for the demo
AGENCIES_CATALOGUE = Path(settings.BASE_DIR) / "synth" / "catalogues" / "agencies.yaml"
# Apps whose demo data depends on the earlier ones (records before matching before needs ...).
DEMO_LOADERS = (
    "records",
    "matching",
    "sharing",
    "directory",
    "needs",
    "casework",
    "referrals",
    "outcomes",
    "training",
    "evaluation",
)

STAFF_NAMES = [
    ("Amira", "Hassan"), ("Ben", "Carter"), ("Chloe", "Davies"), ("Dev", "Patel"),
    ("Ellie", "Morgan"), ("Femi", "Adeyemi"), ("Grace", "Kowalski"), ("Harry", "Evans"),
    ("Isla", "Murray"), ("Jack", "O'Neill"), ("Kiran", "Shah"), ("Laura", "Bennett"),
]  # fmt: skip


@dataclass
class DemoSummary:
    sign_ins: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sign_in_table(self) -> list[str]:
        rows = [f"  {u:<38} {p}   ({role}, {agency})" for u, p, role, agency in self.sign_ins]
        return rows + [f"  {note}" for note in self.notes]


def load_agencies(catalogue: Path = AGENCIES_CATALOGUE) -> list[Agency]:
    """Create or update the partnership's agencies from the catalogue shared with `synth`."""
    entries = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    if isinstance(entries, dict):
        entries = entries.get("agencies", [])
    return [
        ensure_agency(
            slug=e["slug"], name=e["name"], kind=e["kind"], is_statutory=bool(e["is_statutory"])
        )
        for e in entries
    ]


@transaction.atomic
def create_demo_users(agencies: list[Agency]) -> list[tuple[str, str, str, str]]:
    """One account per role per agency; existing ones keep their password reset to the demo one."""
    created = []
    names = iter(STAFF_NAMES * (1 + len(agencies) * len(Role.values) // len(STAFF_NAMES)))
    for agency in agencies:
        for role in Role.values:
            username = f"{agency.slug}-{role}".replace("_", "-")
            first, last = next(names)
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"agency": agency, "role": role, "first_name": first, "last_name": last},
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append((username, DEMO_PASSWORD, Role(role).label, agency.name))
    return created


def load_demo_partnership(*, households: int, seed: int, stdout: Any = None) -> DemoSummary:
    summary = DemoSummary()
    agencies = load_agencies()
    summary.sign_ins = create_demo_users(agencies)
    context: dict[str, Any] = {"households": households, "seed": seed, "stdout": stdout}
    for app in DEMO_LOADERS:
        try:
            module = importlib.import_module(f"wraparound.{app}.demo")
        except ModuleNotFoundError as error:
            if error.name == f"wraparound.{app}.demo" or error.name == f"wraparound.{app}":
                continue
            raise
        result = module.load_demo(context)
        if result:
            summary.notes.append(f"{app}: {result}")
    return summary
