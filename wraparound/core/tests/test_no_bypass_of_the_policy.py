"""No read of personal data outside the policy layer: the code is read (AST) and checked.

Personal-data models (``sharing/catalogues/personal_data_models.yaml``) may be read with raw
managers only in the modules that file allows, each with its reason. Everything else asks
``wraparound.sharing`` with a purpose. A test of the test injects a bypass and sees it caught.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]  # the wraparound package
CATALOGUE = ROOT / "sharing" / "catalogues" / "personal_data_models.yaml"
RAW_ATTRIBUTES = frozenset({"objects", "_default_manager", "_base_manager"})
QUERY_METHODS = frozenset(
    {
        "all", "filter", "exclude", "get", "first", "last", "values", "values_list", "iterator",
        "count", "exists", "select_related", "prefetch_related", "order_by", "update", "delete",
        "annotate", "aggregate", "raw", "in_bulk", "only", "defer", "distinct",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Bypass:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def catalogue() -> dict:
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def personal_models() -> dict[str, str]:
    """Class name -> defining module, for every listed model."""
    found = {}
    for label in catalogue()["models"]:
        model = apps.get_model(label)
        found[model.__name__] = model.__module__
    return found


def related_accessors() -> frozenset[str]:
    """Names of related managers that reach a personal-data model (e.g. ``person.links``)."""
    names: set[str] = set()
    for label in catalogue()["models"]:
        model = apps.get_model(label)
        for rel in model._meta.related_objects:  # reverse relations: person.links, ...
            if rel.related_model._meta.label in catalogue()["models"]:
                names.add(rel.get_accessor_name())
    return frozenset(names)


def allowed_modules() -> dict[str, str]:
    return {entry["module"]: entry["reason"] for entry in catalogue()["allowed_modules"] or []}


def _provides(module: str, name: str, models: dict[str, str]) -> bool:
    """Does ``from module import name`` bind the personal-data model ``name``? Either the
    module defines it, or it re-exports it (``casework.models`` re-exports the plan models)."""
    if models[name] == module:
        return True
    found = getattr(importlib.import_module(module), name, None)
    return getattr(found, "__module__", None) == models[name]


def find_bypasses(
    source: str, path: str, models: dict[str, str], accessors: frozenset[str]
) -> list[Bypass]:
    """Raw reads of personal-data models in one module's source."""
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name -> model class name
    modules: set[str] = set()  # local names bound to a models module
    model_modules = set(models.values())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in model_modules:
            for alias in node.names:
                if alias.name in models and _provides(node.module, alias.name, models):
                    names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in model_modules:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in model_modules:
                    modules.add(alias.asname or alias.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        target = node.value
        model = None
        if isinstance(target, ast.Name) and target.id in names:
            model = names[target.id]
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in modules
            and target.attr in models
        ):
            model = target.attr
        if model and node.attr in RAW_ATTRIBUTES:
            found.append(Bypass(path, node.lineno, f"{model}.{node.attr}"))
        elif model and node.attr == "raw":
            found.append(Bypass(path, node.lineno, f"{model}.raw"))
        elif (
            node.attr in QUERY_METHODS
            and isinstance(target, ast.Attribute)
            and target.attr in accessors
        ):
            found.append(Bypass(path, node.lineno, f"related manager .{target.attr}.{node.attr}"))
    return found


def product_modules() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    ]


def scan(files: list[Path] | None = None) -> list[Bypass]:
    models, accessors, allowed = personal_models(), related_accessors(), allowed_modules()
    found = []
    for path in product_modules() if files is None else files:
        relative = (
            path.relative_to(ROOT.parent).as_posix() if path.is_relative_to(ROOT) else str(path)
        )
        if relative in allowed:
            continue
        found += find_bypasses(path.read_text(encoding="utf-8"), relative, models, accessors)
    return found


def test_no_module_outside_the_allow_list_reads_personal_data_models_raw() -> None:
    bypasses = scan()
    assert not bypasses, (
        "Read these through wraparound.sharing (gate/policy) or allow-list the "
        "module with a reason in sharing/catalogues/personal_data_models.yaml:\n"
        + "\n".join(map(str, bypasses))
    )


def test_every_allow_list_entry_names_a_module_that_exists_and_gives_a_reason() -> None:
    for module, reason in allowed_modules().items():
        assert (ROOT.parent / module).is_file(), module
        assert len(reason.split()) >= 4, f"{module}: say why it may read raw"


def test_every_allow_listed_module_still_needs_its_entry() -> None:
    models, accessors = personal_models(), related_accessors()
    stale = [
        module
        for module in allowed_modules()
        if not find_bypasses((ROOT.parent / module).read_text(), module, models, accessors)
    ]
    assert not stale, f"Allow-list entries no longer needed: {stale}"


# --- the test of the test ---------------------------------------------------------------------

BYPASS = """
from wraparound.records.models import SourceRecord as Rec
from wraparound.matching import models as index

def leak(person):
    names = Rec.objects.values_list("surname", flat=True)
    kids = index.FamilyMembership._default_manager.all()
    rows = Rec.raw("select * from records_sourcerecord")
    return person.links.filter(match_probability__gt=0.5), names, kids, rows
"""


def test_the_scanner_catches_each_kind_of_bypass() -> None:
    found = find_bypasses(BYPASS, "injected.py", personal_models(), related_accessors())
    assert sorted(b.what for b in found) == [
        "FamilyMembership._default_manager",
        "SourceRecord.objects",
        "SourceRecord.raw",
        "related manager .links.filter",
    ]


def test_an_injected_bypass_among_the_product_modules_fails_the_scan(tmp_path: Path) -> None:
    module = tmp_path / "injected_bypass.py"  # not in the package: parallel workers never see it
    module.write_text(BYPASS, encoding="utf-8")
    found = scan([*product_modules(), module])
    assert {b.path for b in found} == {str(module)}


def test_the_scanner_ignores_non_personal_models_and_the_sharing_gate() -> None:
    clean = (
        "from wraparound.directory.models import Service\n"
        "from wraparound.sharing import gate\n"
        "def f(user):\n"
        "    return Service.objects.all(), gate.list_families(user=user, purpose='x')\n"
    )
    assert find_bypasses(clean, "clean.py", personal_models(), related_accessors()) == []


def test_no_product_module_patches_with_mock_or_imports_test_builders() -> None:
    """Shipping code never swaps the gate with unittest.mock nor builds data with test builders
    (finding 11 of issue 11: bench-family-page did both); the test-support package
    ``wraparound/testing`` is where benchmark harnesses may do so."""
    offenders = []
    for path in product_modules():
        if "testing" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("unittest") or ".tests" in f".{name}":
                    offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {name}")
    assert not offenders, offenders


def test_the_scanner_catches_a_model_imported_from_a_module_that_re_exports_it() -> None:
    """``casework.models`` re-exports the plan models: importing them from there is no way
    round the scan (found while moving the work lists' raw reads out of the selectors)."""
    source = (
        "from wraparound.casework.models import PlanAction, ReviewMeeting as Review\n"
        "def due():\n"
        "    return PlanAction.objects.filter(status='open'), Review._default_manager.all()\n"
    )
    found = find_bypasses(source, "reexport.py", personal_models(), related_accessors())
    assert sorted(b.what for b in found) == ["PlanAction.objects", "ReviewMeeting._default_manager"]
