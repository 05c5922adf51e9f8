#!/usr/bin/env bash
# The test command: fresh venv, install, lint, type-check, migrations check, then the
# suite on SQLite and on PostgreSQL. CI (.ci/run) runs exactly this.
#   TEST_PG_URL  PostgreSQL for the second run (default: the local postgres/test database)
#   CI=true      PostgreSQL unreachable is a failure (otherwise it is skipped with a warning)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PG_URL="${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
PY="$VENV/bin/python"
# pytest-xdist workers per half (tests/conftest.py gives each its own PostgreSQL database).
WORKERS="${PYTEST_WORKERS:-2}"

step() { printf '\n== %s\n' "$*"; }

step "install into $VENV"
[ -x "$PY" ] || python3 -m venv "$VENV"
"$PY" -m pip install -q --disable-pip-version-check --upgrade pip
"$PY" -m pip install -q --disable-pip-version-check -e '.[dev]'

step "chromium for the playground's browser tests"
# Debian's chromium, driven by Playwright (no browser download); the emoji font makes the
# screenshots readable. Installed once; later runs find it and skip this.
if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  echo "present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji >/dev/null
  echo "installed: $(/usr/bin/chromium --version 2>/dev/null)"
else
  echo "WARNING: /usr/bin/chromium missing and apt-get unavailable (not root?): the browser tests are skipped; CI=true fails them" >&2
fi

step "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

step "mypy"
"$VENV/bin/mypy"

step "alembic check (models match migrations)"
tmpdb="$(mktemp -d)/check.db"
DATABASE_URL="sqlite:///$tmpdb" "$VENV/bin/coachbot" db upgrade >/dev/null
DATABASE_URL="sqlite:///$tmpdb" "$VENV/bin/alembic" check

step "curated store (coachbot quotes check: schema, honest attributions, near-duplicates, minimums)"
"$VENV/bin/coachbot" quotes check quotes

step "pytest on SQLite"
"$PY" -m pytest -q -p no:cacheprovider -n "$WORKERS" --dist loadfile

# The PostgreSQL half runs every test that touches the database under test; tests that never
# do (parsers, builders, the web edge on its own SQLite file) ran above (tests/conftest.py).
step "pytest on PostgreSQL ($PG_URL)"
if ! "$PY" - "$PG_URL" <<'PYCODE'
import sys, psycopg
url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PYCODE
then
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: CI=true requires PostgreSQL; start it (pg_ctlcluster <version> main start) or set TEST_PG_URL" >&2
    exit 1
  fi
  echo "WARNING: PostgreSQL tests skipped (not reachable); CI=true makes this a failure" >&2
  exit 0
fi
TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest -q -p no:cacheprovider -n "$WORKERS" --dist loadfile
