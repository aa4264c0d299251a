#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries are on this machine, so the shared store suites can run
# against a real PostgreSQL (test/helpers/postgres-server.ts starts a throwaway cluster from them).
# Runs before `npm test`. Installs Debian's package when missing and we are root with apt; otherwise
# says so, and those suites skip with the reason. Never fails the test run by itself.
set -u
if [ -n "${SWITCHYARD_TEST_POSTGRES_URL:-}" ]; then exit 0; fi
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: PostgreSQL is not installed and cannot be installed here (needs root and apt-get); its test suites will be skipped." >&2
  exit 0
fi
echo "ensure-postgres: installing Debian's postgresql package for the PostgreSQL test suites..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1; then
  apt-get update >/dev/null 2>&1 || true
  apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 ||
    echo "ensure-postgres: apt-get install postgresql failed; the PostgreSQL suites will be skipped." >&2
fi
exit 0
