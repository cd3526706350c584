"""Demo data for evaluation: the two planted services, each with a locked plan and a run.

The plans are ``catalogues/demo_plans.yaml``, drafted, locked and run as the council's data
analyst (``hcc-social-care-data-analyst``) under the service-evaluation agreement, exactly
as ``wraparound evaluate`` would. Deterministic: fixed county seed, fixed plan seeds.

Data: the demo's own linked families when there are enough of them (at least
``MIN_LINKED_FAMILIES``; a matched comparison needs hundreds of starters). The default demo
county (3,000 households) has about 60 starters per service, too few for balance, so the
demo then synthesises a 30,000-household county beside it and reads that county's truth
(events and families, no import or linkage, to keep ``make demo`` quick). Each run records
which data it used and the plan page shows it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from wraparound.evaluation import services
from wraparound.evaluation.catalogues import demo_plans
from wraparound.evaluation.models import EvaluationPlan
from wraparound.evaluation.truth import truth_tables
from wraparound.synth.parameters import CountyParameters

DEMO_USER = "hcc-social-care-data-analyst"
MIN_LINKED_FAMILIES = 20_000
DEMO_HOUSEHOLDS = 30_000
# The demo county is small: a compact covariate set and two comparison families per starter
# keep balance reachable; the benchmark's plans use the full set (demo_plans.yaml as is).
DEMO_OVERRIDES: dict[str, Any] = {
    "covariates": [
        "prior_events",
        "prior_agency:hcc-social-care",
        "prior_agency:hartshire-police",
        "prior_outcome_areas",
        "prior_statutory_plan",
        "children",
        "youngest_child_age",
        "oldest_child_age",
        "deprivation",
        "locality:*",
    ],
    "controls_per_treated": 2,
    "min_group_size": 30,
}
STAND_IN = "synthetic truth of a 30,000-household demo county (stand-in for linkage)"


def _county(seed: int) -> Path:
    var_dir = Path(getattr(settings, "VAR_DIR", tempfile.gettempdir()))
    return var_dir / "demo-evaluation-county" / f"seed{seed}-{DEMO_HOUSEHOLDS}"


def _inputs(seed: int) -> services.RunInputs:
    try:
        linked = services.load_inputs()
    except services.sources.EvaluationSourceError:
        linked = None
    if (
        linked is not None
        and linked.membership["family_public_id"].n_unique() >= MIN_LINKED_FAMILIES
    ):
        return linked
    county = _county(seed)
    if not (county / "manifest.json").exists():
        _generate_once(county, seed)
    return services.RunInputs(*truth_tables(county), membership_source=STAND_IN)


def _generate_once(county: Path, seed: int) -> None:
    """Write the county beside its place and move it in whole: two processes loading the demo
    at once (test workers, a second `wraparound demo`) must never read a half-written file."""
    from wraparound.synth.county import generate_county

    county.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{county.name}-", dir=county.parent))
    try:
        generate_county(CountyParameters(households=DEMO_HOUSEHOLDS, seed=seed), staging)
        staging.rename(county)
    except OSError:
        if not (county / "manifest.json").exists():
            raise
        # Another process moved its identical county in first: keep that one.
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_demo(context: dict[str, Any]) -> str:
    """Hook for `wraparound demo`."""
    from wraparound.core.models import User
    from wraparound.directory.models import Service

    user = User.objects.filter(username=DEMO_USER).first()
    if user is None:
        return f"evaluation not loaded (no demo user {DEMO_USER})"
    seed = int(context.get("seed") or 1)
    as_of = CountyParameters(households=1, seed=seed).as_of
    inputs = _inputs(seed)
    lines = []
    for n, entry in enumerate(demo_plans(), start=1):
        reference = f"demo-{n}"
        plan = EvaluationPlan.objects.filter(reference=reference).order_by("-version").first()
        if plan is None:
            if not Service.objects.filter(name=entry["directory_service"]).exists():
                Service.objects.create(name=entry["directory_service"])
            fields = {**entry, **DEMO_OVERRIDES, "reference": reference}
            plan = services.plan_from_entry(user=user, entry=fields, as_of=as_of)
        if not plan.is_locked:
            plan = services.lock_plan(user=user, plan=plan)
        run = plan.runs.first() or services.run_plan(user=user, plan=plan, inputs=inputs)
        state = "withheld" if run.withheld else "released"
        lines.append(f"{plan.service_name} ({state})")
    return f"evaluation: {len(lines)} services evaluated ({'; '.join(lines)}) on {inputs.membership_source}"
