#!/usr/bin/env bash
# Three Switchboard nodes on one PostgreSQL, behind HAProxy (HTTP, round robin) and Kamailio (SIP
# dispatcher), on one machine (docs/scaling.md, "Try it on one machine"). Prints where each listens,
# then runs until Ctrl-C / SIGTERM and stops everything it started (by PID), PostgreSQL included.
#
# Usage: scripts/cluster.sh
# Env:   SWITCHBOARD_DB=postgres://...   use this database instead of starting a throw-away cluster
#        HTTP_PORT=8080 (HAProxy)  KAM_PORT=5060 (Kamailio)  NODE_HTTP=8181 (8181, 8182, 8183)
#        NODE_SIP=5181 (5181, 5182, 5183)  LEASE=10s  SHARED=../shared (holds kamailio/)
#        AUTH_ID / AUTH_TOKEN (default a fixed development pair)  KEEP=1 keeps the temp folder
#        NO_KAMAILIO=1 skips Kamailio (HTTP only)  SIP_TRUNK=sip:host:port  the nodes' outbound trunk
#
# Needs PostgreSQL (apt-get install -y postgresql) unless SWITCHBOARD_DB is given, HAProxy
# (apt-get install -y haproxy) and Kamailio (apt-get install -y kamailio).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
HTTP_PORT=${HTTP_PORT:-8080}
KAM_PORT=${KAM_PORT:-5060}
NODE_HTTP=${NODE_HTTP:-8181}
NODE_SIP=${NODE_SIP:-5181}
LEASE=${LEASE:-10s}
AUTH_ID=${AUTH_ID:-MACLUSTER00000000001}
AUTH_TOKEN=${AUTH_TOKEN:-cluster-sh-development-token}
SECRET=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')

command -v haproxy >/dev/null || { echo "cluster.sh: haproxy is not installed (apt-get install -y haproxy)" >&2; exit 2; }
if [ -z "${NO_KAMAILIO:-}" ]; then
  command -v kamailio >/dev/null || { echo "cluster.sh: kamailio is not installed (apt-get install -y kamailio), or set NO_KAMAILIO=1" >&2; exit 2; }
  [ -f "$SHARED/kamailio/dispatcher.cfg" ] || { echo "cluster.sh: no $SHARED/kamailio/dispatcher.cfg (set SHARED=)" >&2; exit 2; }
fi

T=$(mktemp -d /tmp/sb-cluster-XXXXXX)
PIDS=()
PG_DIR=""
cleanup() {
  trap - EXIT INT TERM
  # The nodes first, with SIGTERM: they drain and end their leases.
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.2
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "$PG_DIR" ] && bash "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" || true
  if [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
  echo "cluster.sh: stopped"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# 1. PostgreSQL
if [ -n "${SWITCHBOARD_DB:-}" ]; then
  DB=$SWITCHBOARD_DB
else
  DB=$(bash "$ROOT/scripts/pg-cluster.sh" start 2>"$T/pg-dir") || { cat "$T/pg-dir" >&2; exit 1; }
  PG_DIR=$(tail -1 "$T/pg-dir")
fi

# 2. three nodes: one at a time, so the first one migrates and the others find the schema
BIN="$ROOT/packages/engine/bin/switchboard.js"
HTTPS=(); SIPS=()
for i in 1 2 3; do
  web=$((NODE_HTTP + i - 1)); sip=$((NODE_SIP + i - 1))
  HTTPS+=("$web"); SIPS+=("$sip")
  sip_args=()
  # Inbound INVITEs reach the nodes from Kamailio (127.0.0.1 here): its address is the one network
  # the nodes take calls from (docs/security.md: SIP refuses every other source).
  [ -z "${NO_KAMAILIO:-}" ] && sip_args=(--sip-listen "127.0.0.1:$sip" --sip-accept-from 127.0.0.1)
  [ -n "${SIP_TRUNK:-}" ] && sip_args+=(--sip-trunk "$SIP_TRUNK")
  SWITCHBOARD_AUTH_ID=$AUTH_ID SWITCHBOARD_AUTH_TOKEN=$AUTH_TOKEN SWITCHBOARD_CLUSTER_SECRET=$SECRET \
    node "$BIN" serve --host 127.0.0.1 --port "$web" --db "$DB" --node-id "n$i" --node-lease "$LEASE" \
      --advertise-url "http://127.0.0.1:$web" --log-level info "${sip_args[@]}" >"$T/n$i.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do
    grep -q '"switchboard is serving"' "$T/n$i.log" 2>/dev/null && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "cluster.sh: node n$i did not start:" >&2; cat "$T/n$i.log" >&2; exit 1; }
    sleep 0.2
  done
done

# 3. HAProxy, round robin over the nodes' APIs, health from /readyz (a draining node leaves the set)
{
  echo "global"
  echo "  maxconn 4096"
  echo "defaults"
  echo "  mode http"
  echo "  timeout connect 2s"
  echo "  timeout client 1h"
  echo "  timeout server 1h"
  echo "frontend api"
  echo "  bind 127.0.0.1:$HTTP_PORT"
  echo "  default_backend nodes"
  echo "backend nodes"
  echo "  balance roundrobin"
  echo "  option httpchk GET /readyz"
  for i in 1 2 3; do echo "  server n$i 127.0.0.1:${HTTPS[$((i - 1))]} check inter 1s fall 2 rise 1"; done
} >"$T/haproxy.cfg"
haproxy -c -f "$T/haproxy.cfg" >"$T/haproxy-check.log" 2>&1 || { cat "$T/haproxy-check.log" >&2; exit 1; }
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
PIDS+=($!)

# 4. Kamailio's dispatcher over the nodes' SIP addresses (the shared config; listen and list changed)
if [ -z "${NO_KAMAILIO:-}" ]; then
  for s in "${SIPS[@]}"; do echo "1 sip:127.0.0.1:$s"; done >"$T/dispatcher.list"
  sed -e "s|^listen=.*|listen=udp:127.0.0.1:$KAM_PORT|" \
      -e "s|\"list_file\", \"dispatcher.list\"|\"list_file\", \"$T/dispatcher.list\"|" \
      -e 's|"ds_ping_interval", 10|"ds_ping_interval", 2|' \
      "$SHARED/kamailio/dispatcher.cfg" >"$T/dispatcher.cfg"
  kamailio -c -f "$T/dispatcher.cfg" >"$T/kamailio-check.log" 2>&1 || { cat "$T/kamailio-check.log" >&2; exit 1; }
  kamailio -f "$T/dispatcher.cfg" -DD -E -Y "$T" -P "$T/kamailio.pid" >"$T/kamailio.log" 2>&1 &
  PIDS+=($!)
fi

for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/health" && break; sleep 0.2; done
cat <<EOF
Switchboard cluster (docs/scaling.md)
  PostgreSQL    ${DB}
  API (HAProxy) http://127.0.0.1:$HTTP_PORT   round robin over the nodes
$( [ -z "${NO_KAMAILIO:-}" ] && echo "  SIP (Kamailio) udp:127.0.0.1:$KAM_PORT   dispatcher set 1 over the nodes" )
  node n1       http://127.0.0.1:${HTTPS[0]}$( [ -z "${NO_KAMAILIO:-}" ] && echo "   sip 127.0.0.1:${SIPS[0]}" )
  node n2       http://127.0.0.1:${HTTPS[1]}$( [ -z "${NO_KAMAILIO:-}" ] && echo "   sip 127.0.0.1:${SIPS[1]}" )
  node n3       http://127.0.0.1:${HTTPS[2]}$( [ -z "${NO_KAMAILIO:-}" ] && echo "   sip 127.0.0.1:${SIPS[2]}" )
  logs          $T
  account       SWITCHBOARD_AUTH_ID=$AUTH_ID SWITCHBOARD_AUTH_TOKEN=$AUTH_TOKEN
  try           switchboard tail --url http://127.0.0.1:$HTTP_PORT
Ctrl-C stops everything.
EOF
wait
