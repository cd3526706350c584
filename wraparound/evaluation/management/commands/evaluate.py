"""`wraparound evaluate ...`: write, lock, list and run evaluation plans."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.core.models import User
from wraparound.evaluation import services
from wraparound.evaluation.models import EvaluationPlan, PlanLockedError
from wraparound.evaluation.pipeline import STEPS, DesignError
from wraparound.evaluation.sources import EvaluationSourceError, TreatmentSourceUnavailableError


class Command(BaseCommand):
    help = "Evaluate services against matched comparison groups: plan, lock, list, run."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every plan with its status")
        listing.set_defaults(action="list")
        plan = sub.add_parser("plan", help="draft plans from a YAML file (demo_plans.yaml shape)")
        plan.add_argument("--file", type=Path, required=True)
        plan.add_argument("--as-of", type=dt.date.fromisoformat, required=True,
                          help="date the file's relative intake periods count back from")  # fmt: skip
        plan.add_argument("--user", required=True)
        for name, text in (("lock", "lock a draft plan"), ("run", "run a locked plan")):
            action = sub.add_parser(name, help=text)
            action.add_argument("--plan", required=True, help="plan reference")
            action.add_argument("--version", type=int, help="default: the latest")
            action.add_argument("--user", required=True, help="who is running it (audited)")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        return user

    def _plan(self, reference: str, version: int | None) -> EvaluationPlan:
        plans = EvaluationPlan.objects.filter(reference=reference)
        plan = (
            plans.filter(version=version).first() if version else plans.order_by("-version").first()
        )
        if plan is None:
            raise CommandError(f"No plan {reference!r}{f' version {version}' if version else ''}.")
        return plan

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "list":
                for plan in EvaluationPlan.objects.all():
                    state = "locked" if plan.is_locked else "draft"
                    self.stdout.write(
                        f"{plan.reference} v{plan.version}  {state:<6}  {plan.runs.count()} run(s)  {plan.service_name}"
                    )
            elif action == "plan":
                entries = yaml.safe_load(options["file"].read_text(encoding="utf-8"))["plans"]
                user = self._user(options["user"])
                for entry in entries:
                    made = services.plan_from_entry(user=user, entry=entry, as_of=options["as_of"])
                    self.stdout.write(f"drafted {made.reference} v{made.version}")
            elif action == "lock":
                plan = services.lock_plan(
                    user=self._user(options["user"]),
                    plan=self._plan(options["plan"], options["version"]),
                )
                self.stdout.write(
                    f"locked {plan.reference} v{plan.version} ({plan.fingerprint[:12]})"
                )
            else:
                self._run(options)
        except (
            DesignError,
            PlanLockedError,
            services.PlanNotLockedError,
            services.EvaluationRefusedError,
            EvaluationSourceError,
            TreatmentSourceUnavailableError,
            OSError,
            KeyError,
        ) as error:
            raise CommandError(str(error)) from error  # fmt: skip

    def _run(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        plan = self._plan(options["plan"], options["version"])
        with tqdm(total=len(STEPS) + 1, desc=f"{plan.reference} v{plan.version}", unit="step",
                  file=self.stderr._out) as bar:  # fmt: skip
            bar.set_postfix_str("reading events and families")
            inputs = services.load_inputs()
            bar.update(1)

            def tick(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            run = services.run_plan(user=user, plan=plan, inputs=inputs, progress=tick)
        if run.error:
            raise CommandError(f"The run failed: {run.error}")
        result = run.result
        self.stdout.write(f"run {run.pk}: {result['families']}")
        if run.withheld:
            self.stdout.write("results withheld: " + " ".join(result["reasons"]))
        else:
            for outcome in result["outcomes"]:
                m = outcome.get("matched") or {}
                self.stdout.write(
                    f"  {outcome['key']}: matched {m.get('estimate', float('nan')):+.4f} "
                    f"[{m.get('ci_low', float('nan')):+.4f}, {m.get('ci_high', float('nan')):+.4f}] "
                    f"naive {outcome['naive']['estimate']:+.4f} -> {outcome.get('verdict')}"
                )
