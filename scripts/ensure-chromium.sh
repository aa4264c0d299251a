#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine, so the dashboard's browser tests can drive a
# real browser (playwright-core with executablePath /usr/bin/chromium; Playwright's own browser
# download cannot work here). Runs before `npm test`. Installs Debian's package when missing and we
# are root with apt; otherwise says so, and those tests skip with the reason. Never fails the test
# run by itself.
set -u
if [ -n "${SWITCHYARD_TEST_CHROMIUM:-}" ] && [ -x "${SWITCHYARD_TEST_CHROMIUM}" ]; then exit 0; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: Chromium is not installed and cannot be installed here (needs root and apt-get); the browser tests will be skipped." >&2
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium package for the dashboard's browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; then
  apt-get update >/dev/null 2>&1 || true
  apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 ||
    echo "ensure-chromium: apt-get install chromium failed; the browser tests will be skipped." >&2
fi
exit 0
