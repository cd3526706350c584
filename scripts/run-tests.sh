#!/usr/bin/env bash
# The whole suite: once on SQLite (with the browser tests), then again on PostgreSQL when it is
# reachable. Pure pipeline tests (no database) run once. Prints a summary line per database.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/wraparound}
export WRAPAROUND_VAR_DIR=${WRAPAROUND_VAR_DIR:-$(mktemp -d /tmp/wraparound-test-var.XXXXXX)}
# Two pytest-xdist workers, one per core of the project's machine: about 12 minutes for both
# databases instead of 18 (each worker gets its own test database).
WORKERS="-n 2"

echo "== Tests on SQLite (all tests, including browser and pipeline) =="
env -u DATABASE_URL $BIN/pytest -q -p no:cacheprovider --durations=25 $WORKERS
sqlite_rc=$?

pg_rc=0
if $BIN/python -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then
  echo "== Tests on PostgreSQL (database tests; browser and pipeline tests ran above) =="
  DATABASE_URL=$PG_URL $BIN/pytest -q -p no:cacheprovider --durations=25 $WORKERS -m "not browser and not pipeline"
  pg_rc=$?
else
  echo "== PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL run skipped =="
  if [ "${CI:-}" = "true" ]; then echo "CI requires PostgreSQL"; pg_rc=1; fi
fi

if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "FAILED: sqlite exit $sqlite_rc, postgresql exit $pg_rc"
  exit 1
fi
