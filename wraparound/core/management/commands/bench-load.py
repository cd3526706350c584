"""`wraparound bench load`: signed-in users against a running `wraparound serve` (loopback)."""

from __future__ import annotations

import json
import os
import random
import re
import urllib.parse
from collections import Counter
from datetime import timedelta
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from wraparound.core import bench
from wraparound.core.models import Role, User
from wraparound.sharing.models import AuditEntry, CareRelationship

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def session_cookie(user: User) -> str:
    """A signed-in session, made as Django's login makes one (the server shares the key)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


class Command(BaseCommand):
    help = "Load test: N signed-in users (open model) or a closed-loop saturation search."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="loopback server")
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument(
            "--think", type=float, default=2.0, help="mean seconds between a user's pages"
        )
        parser.add_argument("--seconds", type=float, default=60.0)
        parser.add_argument("--max-requests", type=int, default=20_000)
        parser.add_argument(
            "--saturate", action="store_true", help="closed loop: 1, 2, 4 ... clients, no pause"
        )
        parser.add_argument("--max-clients", type=int, default=32)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            host, port = bench.check_loopback(options["url"])
            visits = self._visits(host, port, users=options["users"])
            per_kind, self.calibration_ids = self._calibrate(host, port, visits)
        except bench.LoadBenchError as error:
            raise CommandError(str(error)) from error
        pick = self._picker(visits)
        common = {"host": host, "port": port, "pick": pick, "seed": options["seed"]}
        result: dict[str, Any] = {
            "benchmark": "load",
            "database": connection.vendor,
            "url": options["url"],
            "load_average": _load_average(),
            "audit_entries_per_request": {
                kind: sorted({n for key, n in per_kind.items() if key.startswith(kind)})
                for kind in bench.KINDS
            },
        }
        if options["saturate"]:
            result["saturation"] = self._saturate(common, options)
        else:
            started = timezone.now() - timedelta(seconds=1)
            figures = bench.run_open(
                users=options["users"],
                think=options["think"],
                seconds=options["seconds"],
                max_requests=options["max_requests"],
                **common,
            )
            result["open_model"] = {
                "users": options["users"],
                "think_seconds": options["think"],
                "offered_per_second": round(options["users"] / options["think"], 1),
                **figures.summary(),
            }
            result["audit"] = self._audit_check(figures, per_kind, started)
        result["load_average_after"] = _load_average()
        self.stdout.write(json.dumps(result, indent=1))

    # --- setting up the simulated users ------------------------------------------------------

    def _visits(self, host: str, port: int, *, users: int) -> dict[str, list[bench.Visit]]:
        """Per kind, one visit per simulated user (each its own signed-in session)."""
        relationships = list(
            CareRelationship.objects.filter(
                user__role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER], user__is_active=True
            )
            .select_related("user")
            .order_by("pk")[: users * 4]
        )
        managers = list(
            User.objects.filter(role__in=[Role.TEAM_MANAGER, Role.DATA_ANALYST], is_active=True)
        )
        if not relationships or not managers:
            raise bench.LoadBenchError(
                "No practitioners with families or no managers: load the demo first "
                "(wraparound demo --no-serve)."
            )
        rng = random.Random(7)
        family, targeting, write = [], [], []
        for n in range(users):
            rel = relationships[n % len(relationships)]
            assert rel.user is not None  # filtered on the user's role above
            cookie = session_cookie(rel.user)
            family_path = reverse("casework:family", args=[rel.family_public_id])
            family.append(bench.Visit("family", "GET", family_path, cookie, key=f"family:{n}"))
            manager = session_cookie(rng.choice(managers))
            targeting_path = reverse("needs:targeting")
            targeting.append(
                bench.Visit("targeting", "GET", targeting_path, manager, key=f"targeting:{n}")
            )
            write.append(self._write_visit(host, port, rel, cookie, key=f"write:{n}"))
        return {"family": family, "targeting": targeting, "write": write}

    def _write_visit(
        self, host: str, port: int, rel: CareRelationship, cookie: str, *, key: str
    ) -> bench.Visit:
        """An emergency-access request by a practitioner, confirmed from its check page, with
        the CSRF token a browser has."""
        path = reverse("sharing:break-glass-new")
        form = bench.Visit("write", "GET", path, cookie)
        status, _, error = bench.send(host, port, form)
        if status != 200:
            raise bench.LoadBenchError(f"The emergency-access form did not open: {error}")
        page = _get_body(host, port, form)
        token = CSRF.search(page[0])
        if not token or "csrftoken" not in page[1]:
            raise bench.LoadBenchError("The emergency-access form carries no CSRF token.")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "family_public_id": rel.family_public_id,
                "reason": "Load benchmark: a child at risk tonight, no allocation yet (test).",
                "categories": "identity",
                "hours": "1",
                "confirm": "yes",  # the answers as their "Check your answers" page posts them
            }
        ).encode()
        cookies = f"{cookie}; csrftoken={page[1]['csrftoken']}"
        return bench.Visit("write", "POST", path, cookies, body, key=key)

    def _picker(self, visits: dict[str, list[bench.Visit]]) -> Any:
        kinds, weights = list(bench.MIX), list(bench.MIX.values())

        def pick(rng: random.Random) -> bench.Visit:
            kind = rng.choices(kinds, weights)[0]
            return rng.choice(visits[kind])

        return pick

    def _calibrate(
        self, host: str, port: int, visits: dict[str, list[bench.Visit]]
    ) -> tuple[dict[str, int], set[str]]:
        """Audit entries each simulated user's visit writes, measured alone before the load.

        Writes first: an emergency-access grant changes what that family's page shows (and
        so audits); after the first grant a second one changes nothing more. A family page
        audits what that family's records hold, so each is measured; the targeting report and
        the write audit the same for everyone, so one of each is (a wrong guess would show as
        a discrepancy in the check, never be hidden by it).
        """
        per_visit, ids = {}, set()
        for kind in ("write", "family", "targeting"):
            measured = visits[kind] if kind == "family" else visits[kind][:1]
            for visit in measured:
                status, request_id, error = bench.send(host, port, visit)
                if status not in (200, 302) or not request_id:
                    raise bench.LoadBenchError(f"A {kind} request failed before the load: {error}")
                per_visit[visit.key] = AuditEntry.objects.filter(request_id=request_id).count()
                ids.add(request_id)
            for visit in visits[kind]:
                per_visit.setdefault(visit.key, per_visit[measured[0].key])
        return per_visit, ids

    def _saturate(self, common: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
        steps, best = [], None
        clients = 1
        while clients <= options["max_clients"]:
            figures = bench.run_closed(
                clients=clients,
                seconds=min(options["seconds"], 20.0),
                max_requests=options["max_requests"],
                **common,
            )
            summary = figures.summary()
            family = summary["by_kind"].get("family", {})
            steps.append(
                {"clients": clients, "requests_per_second": summary["requests_per_second"],
                 "errors": summary["errors"], "family_p95_ms": family.get("p95_ms")}
            )  # fmt: skip
            if summary["errors"]:
                break
            if best and summary["requests_per_second"] < best["requests_per_second"] * 1.05:
                break  # throughput has stopped rising: saturated
            best = steps[-1]
            clients *= 2
        return {"steps": steps, "best_without_errors": best}

    def _audit_check(
        self, figures: bench.Figures, per_kind: dict[str, int], started: Any
    ) -> dict[str, Any]:
        ids = {o.request_id for o in figures.outcomes if o.request_id}
        counted = list(
            AuditEntry.objects.filter(occurred_at__gte=started)
            .exclude(request_id__in=self.calibration_ids)
            .values("request_id")
            .annotate(n=Count("pk"))
        )
        by_request = {row["request_id"]: row["n"] for row in counted if row["request_id"]}
        problems = bench.audit_discrepancies(figures.outcomes, per_kind, by_request)
        expected = sum(per_kind[o.key] for o in figures.outcomes if o.status in (200, 302))
        return {
            "expected_entries": expected,
            "found_entries": sum(n for rid, n in by_request.items() if rid in ids),
            "exact": not problems,
            "problems": problems[:10],
            "failed_requests_by_status": dict(
                Counter(o.status for o in figures.outcomes if o.status not in (200, 302))
            ),
        }


def _get_body(host: str, port: int, visit: bench.Visit) -> tuple[str, dict[str, str]]:
    """A page's body and the cookies it sets (for the CSRF token)."""
    import http.client
    from http.cookies import SimpleCookie

    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", visit.path, headers={"Cookie": visit.cookie, "Host": host})
        response = conn.getresponse()
        body = response.read().decode()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return body, {name: morsel.value for name, morsel in jar.items()}
    finally:
        conn.close()


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]
