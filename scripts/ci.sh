#!/usr/bin/env bash
# Passes every test on a fresh Debian 12 machine: installs the system packages the tests need (only
# when missing), installs the npm workspace, typechecks, and runs every test. `.ci/run` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the test suites use: chromium (dashboard browser tests), sip-tester (sipp, SIP tests).
SYSTEM_PACKAGES=(chromium sip-tester)

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
npm test
