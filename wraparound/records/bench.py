"""The import benchmark: synth -> import -> import again -> read back through the selectors.

Each stage runs as its own `wraparound` process, so wall time, CPU time and peak memory are
those of the real commands. By default the import goes into a throw-away SQLite database in
the work directory, never the operator's own; pass an empty PostgreSQL database to measure
that backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

# Peak memory comes from the child's own VmHWM: rusage ru_maxrss of a child started by this
# (already large) process would report this process's size whenever the child's is smaller.
PEAK_MARK = "WRAPAROUND_PEAK_KB"
CHILD = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM'):\n"
    f"            sys.stderr.write('\\n{PEAK_MARK} ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "code = sys.argv[1]\n"
    "sys.argv = sys.argv[1:]\n"
    "exec(compile(code, '<stage>', 'exec'))\n"
)
RUN_CLI = "import sys; from wraparound.cli import main; sys.exit(main(sys.argv[1:]))"
READ_BACK = (
    "import sys, time, django; django.setup(); "
    "from wraparound.records.selectors import person_records_frame, events_frame; "
    "t = time.perf_counter(); r = person_records_frame(); e = events_frame(); "
    "print(r.height, e.height, round(time.perf_counter() - t, 2))"
)


@dataclass(frozen=True)
class Stage:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str


def run_stage(args: list[str], env: dict[str, str]) -> Stage:
    """Run one child process; its wall time, CPU time and peak resident memory.

    The child writes to temporary files, not pipes: ``wait4`` (for the child's own CPU time)
    returns only when it exits, and a child that filled a pipe's 64 KB before then would
    wait for a reader forever.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args], env=env, stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(child.pid, 0)
        # reaped here, so the Popen must be told its code or it would wait for the child again
        code = child.returncode = os.waitstatus_to_exitcode(status)
        out, err = (_written(stream) for stream in (stdout, stderr))
    if code != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({code}): {err[-2000:]}")
    return Stage(
        seconds=round(time.perf_counter() - started, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=_peak_mb(err),
        output=out.strip()[-300:],
    )


def _written(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace")


def _peak_mb(stderr: str) -> float:
    marks = [line.split()[1] for line in stderr.splitlines() if line.startswith(PEAK_MARK)]
    return round(int(marks[-1]) / 1024, 1) if marks else float("nan")


def bench_import(
    *, households: int, seed: int, workdir: Path, database_url: str | None
) -> dict[str, Any]:
    """Figures for docs/benchmarks.md (see the module docstring for what is measured)."""
    workdir.mkdir(parents=True, exist_ok=True)
    county = workdir / f"county-{households}-{seed}"
    cli = [RUN_CLI]
    env = dict(os.environ)
    if database_url is None:
        database = workdir / f"bench-{households}-{seed}.sqlite3"
        database.unlink(missing_ok=True)
        database_url = f"sqlite:///{database}"
    env["DATABASE_URL"] = database_url
    synth = run_stage(
        [
            *cli,
            "synth",
            "--households",
            str(households),
            "--seed",
            str(seed),
            "--out",
            str(county),
            "-v",
            "0",
        ],
        env,
    )
    run_stage([*cli, "migrate", "-v", "0"], env)
    manifest = str(county / "manifest.json")
    first = run_stage([*cli, "import", "--manifest", manifest, "--create-agencies", "-v", "0"], env)
    again = run_stage([*cli, "import", "--manifest", manifest, "-v", "0"], env)
    read = run_stage([READ_BACK], env)
    records, events, seconds = read.output.split()
    return {
        "households": households,
        "seed": seed,
        "database": database_url.split("@")[-1],
        "synth": asdict(synth) | {"output": synth.output},
        "import": asdict(first),
        "import_again_unchanged": asdict(again),
        "read_back": {
            "records": int(records),
            "events": int(events),
            "seconds": float(seconds),
            "peak_rss_mb": read.peak_rss_mb,
        },
        "machine": {"cpus": os.cpu_count()},
    }
