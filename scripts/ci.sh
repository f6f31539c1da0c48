#!/usr/bin/env bash
# Passes every test on a fresh Debian 12 machine: installs the system packages the tests need (only
# when missing), installs the npm workspace, typechecks, runs every test on SQLite, then starts a
# throw-away PostgreSQL cluster and runs again on it every engine test file whose store comes from
# the test harness (scripts/pg-test-files.mjs). `.ci/run` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the test suites use: chromium (dashboard browser tests), sip-tester (sipp) and
# baresip (SIP tests), postgresql (the second store), haproxy (the cluster test's HTTP balancer).
SYSTEM_PACKAGES=(chromium sip-tester baresip postgresql haproxy)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run typecheck

# Test files run three at a time: most of their time is spent waiting on sockets, timers and
# child processes (baresip, chromium), not on the two cores. The SIP files (test/sip-*) run one at a
# time after the rest: they time real SIP exchanges against sipp on the real clock.
export SWITCHBOARD_TEST_CONCURRENCY="${SWITCHBOARD_TEST_CONCURRENCY:-3}"
npm test

# Again on PostgreSQL, every engine test file whose store comes from the harness (the store, every
# scenario, deliveries, restarts, reports, numbers, flows, accounts, Record, Conference, the API, the
# SDK, the cluster; docs/storage.md, "Testing on PostgreSQL"): each test gets its own database here.
PG_DIR_FILE=$(mktemp)
PG_URL=$(bash scripts/pg-cluster.sh start 2>"$PG_DIR_FILE")
PG_DIR=$(tail -n 1 "$PG_DIR_FILE")
rm -f "$PG_DIR_FILE"
trap 'bash scripts/pg-cluster.sh stop "$PG_DIR"' EXIT
echo "PostgreSQL test cluster: $PG_URL"
SWITCHBOARD_TEST_PG="$PG_URL" npm run test:pg -w @switchboard/engine
