#!/usr/bin/env bash
# Passes every test on a fresh Debian 12 machine: installs the system packages the tests need (only
# when missing), installs the npm workspace, typechecks, runs every test on SQLite, and runs again
# on a throw-away PostgreSQL cluster every engine test file whose store comes from the test harness
# (scripts/pg-test-files.mjs). `.ci/run` runs this. Each stage prints how long it took.
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

# Prints how long each stage took: wall seconds (since the start, and the stage's own) and the CPU
# seconds its processes used (user + system), which says whether more parallelism could help.
CI_START=$SECONDS
CPU_FILE=$(mktemp)
# Sets CPU_NOW to the CPU seconds of this shell's finished children (`times` must run in this shell,
# not in a $(...) subshell, to see them).
children_cpu() {
  times >"$CPU_FILE"
  CPU_NOW=$(tail -n 1 "$CPU_FILE" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%d", t }')
}
stage() {
  local name=$1 t0=$SECONDS c0
  children_cpu
  c0=$CPU_NOW
  shift
  echo "ci: ${name}: start at +$((t0 - CI_START)) s"
  local rc=0
  "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then echo "ci: ${name}: FAILED (exit $rc) after $((SECONDS - t0)) s"; return "$rc"; fi
  children_cpu
  # In a ( ... ) subshell `times` does not count from zero: the CPU of such a stage is in its caller's.
  local cpu=""
  [ "$BASHPID" = "$$" ] && cpu=", $((CPU_NOW - c0)) CPU s"
  echo "ci: ${name}: done in $((SECONDS - t0)) s${cpu} (at +$((SECONDS - CI_START)) s)"
}

# The packages without their install scripts first, then the scripts (better-sqlite3 compiles
# SQLite from C for minutes: no prebuilt binary can be downloaded here) on one core while the
# typecheck and a throw-away PostgreSQL cluster start on the other.
stage "npm ci" npm ci --no-audit --no-fund --ignore-scripts
npm rebuild --no-audit --no-fund >"${TMPDIR:-/tmp}/sb-ci-rebuild.$$.log" 2>&1 &
REBUILD_PID=$!

PG_DIR_FILE=$(mktemp)
PG_URL_FILE=$(mktemp)
bash scripts/pg-cluster.sh start >"$PG_URL_FILE" 2>"$PG_DIR_FILE" &
PG_START_PID=$!
cleanup() {
  local dir
  dir=$(tail -n 1 "$PG_DIR_FILE" 2>/dev/null || true)
  [ -n "$dir" ] && bash scripts/pg-cluster.sh stop "$dir" || true
  rm -f "$PG_DIR_FILE" "$PG_URL_FILE" "$CPU_FILE" "${TMPDIR:-/tmp}/sb-ci-rebuild.$$.log"
}
trap cleanup EXIT

stage typecheck npm run typecheck
if ! stage "install scripts (native addons)" wait "$REBUILD_PID"; then
  cat "${TMPDIR:-/tmp}/sb-ci-rebuild.$$.log"
  exit 1
fi
wait "$PG_START_PID"
PG_URL=$(cat "$PG_URL_FILE")
echo "PostgreSQL test cluster: $PG_URL"

# Test files run three at a time: most of their time is spent waiting on sockets, timers and
# child processes (baresip, chromium), not on the two cores.
export SWITCHBOARD_TEST_CONCURRENCY="${SWITCHBOARD_TEST_CONCURRENCY:-3}"
stage "SDK tests" npm test -w @switchboard/sdk
# With the SQLite writer thread (store/sqlite-writer.ts), whatever the machine's default: the SIP
# files below run with the default (off under 4 cores), and the store's own tests open stores both ways.
SWITCHBOARD_SQLITE_THREAD=on stage "engine tests on SQLite" npm run test:main -w @switchboard/engine

# Then the SIP files (test/sip-*), one at a time: they time real SIP exchanges against sipp and
# baresip on the real clock. (Run side by side with the PostgreSQL run below they were late by a
# second now and then, every webhook of a call at once: not understood yet, so they run alone.)
stage "SIP tests" npm run test:sip -w @switchboard/engine

# Again on PostgreSQL, every engine test file whose store comes from the harness (the store, every
# scenario, deliveries, restarts, reports, numbers, flows, accounts, Record, Conference, the API, the
# SDK, the cluster; docs/storage.md, "Testing on PostgreSQL"), each test with a database of its own.
# The runs above send webhooks from the webhook thread (the default); this one from the engine's own
# thread (--webhook-thread off), so both ways of sending pass the whole suite in every run.
SWITCHBOARD_TEST_PG="$PG_URL" SWITCHBOARD_WEBHOOK_THREAD=off stage "engine tests on PostgreSQL" npm run test:pg -w @switchboard/engine

stage "test kit tests" npm test -w @switchboard/testkit
echo "ci: every stage passed in $((SECONDS - CI_START)) s"
