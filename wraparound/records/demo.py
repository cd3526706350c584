"""Demo data for records: synthesise a county and import every extract it wrote."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from wraparound.core.models import Agency
from wraparound.core.services import ensure_agency
from wraparound.records.services import ImportRejectedError, import_extract
from wraparound.synth import CountyParameters, generate_county, load_catalogues


def ensure_partnership_agencies() -> dict[str, Agency]:
    """Agency rows for every agency in the synth catalogue (idempotent)."""
    return {
        a.slug: ensure_agency(slug=a.slug, name=a.name, kind=a.kind, is_statutory=a.is_statutory)
        for a in load_catalogues().agencies
    }


def load_demo_county(*, households: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Synthesise a county into `workdir` and import every extract (re-running changes nothing).

    Returns counts per source and the manifest path, for the demo summary.
    """
    agencies = ensure_partnership_agencies()
    summary = generate_county(CountyParameters(households=households, seed=seed), workdir)
    imported: dict[str, str] = {}
    for entry in summary.manifest["extracts"]:
        source = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        try:
            result = import_extract(
                path=workdir / entry["file"],
                agency=agencies[entry["agency_slug"]],
                dataset_kind=entry["dataset_kind"],
            )
        except ImportRejectedError as exc:  # a demo that cannot load its own data is a bug: say so
            raise RuntimeError(
                f"demo import of {source} failed: {exc.message} {exc.issues[:5]}"
            ) from exc
        imported[source] = result.status
    return {
        "manifest": str(workdir / "manifest.json"),
        "households": households,
        "seed": seed,
        "extracts": imported,
    }


def demo_workdir(*, households: int, seed: int) -> Path:
    """Where `wraparound demo` writes its county (other apps' demos read the truth from here)."""
    var_dir = Path(getattr(settings, "VAR_DIR", tempfile.gettempdir()))
    return var_dir / "demo-county" / f"seed{seed}-{households}"


def load_demo(context: dict[str, Any]) -> str:
    """Hook for `wraparound demo`: a county of context['households'] households."""
    households = int(context.get("households") or 3000)
    seed = int(context.get("seed") or 1)
    workdir = demo_workdir(households=households, seed=seed)
    result = load_demo_county(households=households, seed=seed, workdir=workdir)
    statuses = list(result["extracts"].values())
    return (
        f"synthetic county of {households:,} households (seed {seed}) in {workdir}: "
        f"{statuses.count('imported')} extracts imported, {statuses.count('unchanged')} unchanged"
    )
