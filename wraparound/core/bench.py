"""`wraparound bench load`: signed-in users against a running server, on this machine only.

Two models of load (see docs/benchmarks.md):

- **Open**: N users each open a page every ``think`` seconds on average (Poisson arrivals, so
  about N / think requests a second offered whatever the server does). Latency is measured
  from each request's scheduled time, so a server falling behind shows in the percentiles
  instead of quietly slowing the load (no coordinated omission).
- **Closed** (saturation): C clients each send the next request as soon as the last answered;
  C doubles until errors appear or throughput stops rising.

The mix is the family page (a practitioner with a relationship to the family: policy and
audit on every view), the targeting report (a manager's aggregate page) and a write (a
practitioner's emergency-access request: a grant and its audit entry). Every request's
``X-Request-Id`` is kept, and afterwards the audit log must hold, for each answered request,
exactly the entries one such request wrote when measured alone, and none for any other.

Loopback only; bounded in requests and time; stops by itself.
"""

from __future__ import annotations

import http.client
import ipaddress
import random
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

LOOPBACK_NAMES = {"localhost"}
KINDS = ("family", "targeting", "write")
MIX = {"family": 0.6, "targeting": 0.2, "write": 0.2}


class LoadBenchError(Exception):
    """The benchmark cannot run as asked (not loopback, no demo data, a page refused)."""


@dataclass(frozen=True)
class Visit:
    """One request a simulated user makes: method, path, form body, session cookie."""

    kind: str
    method: str
    path: str
    cookie: str
    body: bytes = b""
    key: str = ""  # which simulated user's visit (its audit entries are measured per key)


@dataclass
class Outcome:
    kind: str
    status: int  # 0: no answer (connection refused, timeout)
    seconds: float
    request_id: str = ""
    error: str = ""
    key: str = ""


@dataclass
class Figures:
    """Per kind of request: count, errors, requests per second and latency percentiles (ms)."""

    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0
    offered: int = 0

    def summary(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "requests": len(self.outcomes),
            "offered": self.offered,
            "seconds": round(self.elapsed, 1),
            "requests_per_second": round(len(self.outcomes) / self.elapsed, 1)
            if self.elapsed
            else 0.0,
            "errors": sum(1 for o in self.outcomes if not _ok(o)),
            "by_kind": {},
        }
        for kind in KINDS:
            mine = [o for o in self.outcomes if o.kind == kind]
            if not mine:
                continue
            report["by_kind"][kind] = {
                "requests": len(mine),
                "errors": sum(1 for o in mine if not _ok(o)),
                "statuses": dict(Counter(o.status for o in mine)),
                **percentiles([o.seconds for o in mine]),
            }
        examples = [o.error for o in self.outcomes if o.error][:3]
        if examples:
            report["error_examples"] = examples
        return report


def _ok(outcome: Outcome) -> bool:
    return outcome.status in (200, 302)


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (inclusive method: exact for small samples)."""
    if not seconds:
        return {}
    if len(seconds) == 1:
        value = round(seconds[0] * 1000, 1)
        return {"p50_ms": value, "p95_ms": value, "p99_ms": value}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def check_loopback(base_url: str) -> tuple[str, int]:
    """(host, port) of a loopback URL; anything else is refused before a request is sent."""
    parsed = urllib.parse.urlsplit(base_url)
    host = parsed.hostname or ""
    if parsed.scheme != "http" or not host:
        raise LoadBenchError(f"{base_url!r}: use http://127.0.0.1:PORT (loopback only).")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host in LOOPBACK_NAMES
    if not loopback:
        raise LoadBenchError(
            f"{host} is not a loopback address: this benchmark targets only this machine."
        )
    return host, parsed.port or 80


def send(host: str, port: int, visit: Visit, timeout: float = 30.0) -> tuple[int, str, str]:
    """One request on a fresh connection: (status, X-Request-Id, error text)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Cookie": visit.cookie, "Host": host}
    if visit.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(visit.method, visit.path, body=visit.body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        request_id = response.getheader("X-Request-Id", "") or ""
        error = "" if response.status in (200, 302) else f"{visit.path}: HTTP {response.status}"
        return response.status, request_id, error
    except OSError as exc:
        return 0, "", f"{visit.path}: {type(exc).__name__}: {exc}"
    finally:
        connection.close()


def run_open(
    *,
    host: str,
    port: int,
    pick: Callable[[random.Random], Visit],
    users: int,
    think: float,
    seconds: float,
    max_requests: int,
    seed: int = 1,
    pool: int = 64,
    grace: float = 30.0,
) -> Figures:
    """Poisson arrivals at users/think per second for ``seconds`` (at most ``max_requests``)."""
    rng = random.Random(seed)
    rate = users / think
    schedule: list[float] = []
    moment = rng.expovariate(rate)
    while moment < seconds and len(schedule) < max_requests:
        schedule.append(moment)
        moment += rng.expovariate(rate)
    visits = [pick(rng) for _ in schedule]
    figures = Figures(offered=len(schedule))
    lock = threading.Lock()
    start = time.perf_counter()

    def one(at: float, visit: Visit) -> None:
        status, request_id, error = send(host, port, visit)
        waited = time.perf_counter() - start - at
        outcome = Outcome(visit.kind, status, waited, request_id, error, visit.key)
        with lock:
            figures.outcomes.append(outcome)

    executor = ThreadPoolExecutor(max_workers=pool)
    futures = []
    for at, visit in zip(schedule, visits, strict=True):
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append((executor.submit(one, at, visit), visit))
    # Bounded in time: requests still waiting for a free client ``grace`` seconds after the last
    # arrival are dropped and counted as errors (the server fell that far behind).
    drain_until = time.perf_counter() + grace
    while time.perf_counter() < drain_until and not all(f.done() for f, _ in futures):
        time.sleep(0.1)
    executor.shutdown(wait=True, cancel_futures=True)
    for future, visit in futures:
        if future.cancelled():
            figures.outcomes.append(
                Outcome(
                    visit.kind, 0, grace, error="not sent: the server fell behind", key=visit.key
                )
            )
    figures.elapsed = time.perf_counter() - start
    return figures


def run_closed(
    *,
    host: str,
    port: int,
    pick: Callable[[random.Random], Visit],
    clients: int,
    seconds: float,
    max_requests: int,
    seed: int = 1,
) -> Figures:
    """``clients`` loops each sending the next request as soon as the last is answered."""
    figures = Figures()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < deadline:
            with lock:
                if figures.offered >= max_requests:
                    return
                figures.offered += 1
            visit = pick(rng)
            sent = time.perf_counter()
            status, request_id, error = send(host, port, visit)
            outcome = Outcome(
                visit.kind, status, time.perf_counter() - sent, request_id, error, visit.key
            )
            with lock:
                figures.outcomes.append(outcome)

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures.elapsed = time.perf_counter() - start
    return figures


def audit_discrepancies(
    outcomes: list[Outcome], per_visit: dict[str, int], entries_by_request: dict[str, int]
) -> list[str]:
    """Where the audit log differs from what the answered requests should have written.

    ``per_visit``: entries one request of each visit (by key) wrote when made alone.
    """
    problems = []
    answered = {o.request_id: o.key for o in outcomes if _ok(o) and o.request_id}
    for request_id, key in answered.items():
        found = entries_by_request.get(request_id, 0)
        if found != per_visit[key]:
            problems.append(
                f"{key} request {request_id}: {found} entries, expected {per_visit[key]}"
            )
    strays = set(entries_by_request) - set(answered)
    # A request the client gave up on (timeout) may still have been served and audited: the
    # log is right to hold it. More strays than such requests would be entries from nowhere.
    gave_up = sum(1 for o in outcomes if o.status == 0 and "TimeoutError" in o.error)
    if len(strays) > gave_up:
        problems.append(
            f"{len(strays)} request ids in the log that no answered request had "
            f"(only {gave_up} requests timed out on the client)"
        )
    return problems
