#!/usr/bin/env bash
# Runs the type checker (mypy, settings in mypy.ini), then the whole suite: everything on SQLite, the
# database tests again on PostgreSQL, live/job/rate-limit tests against Redis, and the browser tests in
# Debian's chromium. A type error fails the run.
# With CI=true a missing PostgreSQL, Redis, chromium, nginx or LibreOffice is a failure, never a skip.
# Each pytest pass runs on CHORUS_TEST_WORKERS processes (pytest-xdist; default: one per CPU). Worker k has its own
# PostgreSQL database (<name>_gwk) and Redis database (n + k, mod 16): see tests/suite_speed.py.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-false}
PG_URL=${CHORUS_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/chorus_test}
export CHORUS_TEST_PG_URL=$PG_URL
WORKERS=${CHORUS_TEST_WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
PARALLEL=()
if [ "$WORKERS" -gt 1 ] 2>/dev/null; then
  # loadgroup: tests spread one by one, except a module's tests that share a module fixture (tests/conftest.py).
  PARALLEL=(-n "$WORKERS" --dist loadgroup)
fi
status=0

need() {  # need <what> <how to check>; fails in CI, warns locally
  if ! eval "$2" >/dev/null 2>&1; then
    if [ "$CI" = "true" ]; then echo "FAIL: CI needs $1 but it is not available." >&2; exit 1; fi
    echo "WARNING: $1 is not available; those tests will be skipped." >&2
    return 1
  fi
}

# Debian's chromium for the browser tests (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing Debian chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || true
fi
need "chromium (/usr/bin/chromium)" "command -v chromium" || export CHORUS_SKIP_BROWSER=1
# Debian's nginx for the reverse-proxy fault test (installed without starting its service).
if ! [ -x /usr/sbin/nginx ] && [ "$(id -u)" = "0" ]; then
  echo "Installing Debian nginx-light for the reverse-proxy fault test..."
  (printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
    && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
    rm -f /usr/sbin/policy-rc.d) || true
fi
need "nginx (/usr/sbin/nginx)" "test -x /usr/sbin/nginx"
# Debian's LibreOffice Writer (headless) and poppler's pdftotext for the board report's render test.
if ! { command -v soffice && command -v pdftotext; } >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing Debian LibreOffice Writer and poppler-utils for the board report's render test..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils >/dev/null) || true
fi
need "LibreOffice Writer and pdftotext (libreoffice-writer-nogui, poppler-utils)" "command -v soffice && command -v pdftotext" || export CHORUS_SKIP_LIBREOFFICE=1
need "Redis at 127.0.0.1:6379" "$BIN/python -c 'import redis; redis.Redis(socket_connect_timeout=1).ping()'"
have_pg=0
need "PostgreSQL at 127.0.0.1:5432" "$BIN/python -c 'import psycopg; psycopg.connect(\"host=127.0.0.1 user=postgres dbname=postgres\", connect_timeout=2).close()'" && have_pg=1

phase() {  # phase <title> <command...>: runs it, prints how long it took, records a failure
  local title=$1 started=$SECONDS
  shift
  echo "== $title =="
  "$@" || status=1
  echo "-- $title: $((SECONDS - started)) s"
}

phase "Type check (mypy)" $BIN/mypy
phase "Whole suite on SQLite (${WORKERS} workers)" $BIN/pytest -q "${PARALLEL[@]}"

if [ $have_pg = 1 ]; then
  phase "Database tests on PostgreSQL (${WORKERS} workers)" env CHORUS_TEST_DB=postgresql \
    $BIN/pytest -q "${PARALLEL[@]}" -m "not browser" tests/services tests/web tests/anonymity
fi
exit $status
