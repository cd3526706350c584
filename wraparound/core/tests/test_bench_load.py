"""The load generator: loopback only, bounded, honest percentiles, audit check by request id."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from wraparound.core import bench

pytestmark = pytest.mark.pipeline


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:8000", "http://192.168.1.2", "http://example.org", "https://127.0.0.1"]
)
def test_anything_but_plain_http_to_loopback_is_refused(url: str) -> None:
    with pytest.raises(bench.LoadBenchError):
        bench.check_loopback(url)


def test_loopback_addresses_are_accepted() -> None:
    assert bench.check_loopback("http://127.0.0.1:8103") == ("127.0.0.1", 8103)
    assert bench.check_loopback("http://localhost:8113")[0] == "localhost"


def test_percentiles_of_a_known_sample() -> None:
    figures = bench.percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (
        50.5,
        95.1,
        99.0,
    )  # rounded to 0.1 ms


def test_the_audit_check_finds_missing_extra_and_stray_entries() -> None:
    outcomes = [
        bench.Outcome("family", 200, 0.1, "a", key="family:0"),
        bench.Outcome("family", 200, 0.1, "b", key="family:1"),
        bench.Outcome("write", 500, 0.1, "c", key="write:0"),
    ]
    per_visit = {"family:0": 2, "family:1": 1, "write:0": 1}
    assert bench.audit_discrepancies(outcomes, per_visit, {"a": 2, "b": 1}) == []
    problems = bench.audit_discrepancies(outcomes, per_visit, {"a": 1, "b": 1, "c": 1})
    assert any("a: 1 entries, expected 2" in p for p in problems)
    assert any("no answered request" in p for p in problems)  # the failed request wrote one


class _Slow(BaseHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("X-Request-Id", self.path.strip("/"))
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", httpd.server_address[1]
    httpd.shutdown()


def _pick(rng: Any) -> bench.Visit:
    return bench.Visit("family", "GET", f"/{rng.random()}", "", key="family:0")


def test_the_open_model_offers_about_users_over_think_requests_a_second(
    server: tuple[str, int],
) -> None:
    _Slow.delay = 0.0
    figures = bench.run_open(
        host=server[0], port=server[1], pick=_pick, users=20, think=1.0, seconds=2.0,
        max_requests=1000,
    )  # fmt: skip
    assert 20 <= figures.offered <= 60  # Poisson around 40
    assert figures.summary()["errors"] == 0


def test_a_server_that_falls_behind_does_not_hold_the_run_past_its_bound(
    server: tuple[str, int],
) -> None:
    _Slow.delay = 0.5
    started = time.perf_counter()
    figures = bench.run_open(
        host=server[0], port=server[1], pick=_pick, users=40, think=1.0, seconds=1.0,
        max_requests=1000, pool=2, grace=1.0,
    )  # fmt: skip
    assert time.perf_counter() - started < 6
    assert figures.summary()["errors"] > 0  # the dropped ones are counted, not hidden
