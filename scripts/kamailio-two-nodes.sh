#!/usr/bin/env bash
# Two Switchboard engine nodes behind Kamailio's dispatcher, on loopback; places N calls with sipp through
# Kamailio and prints how many calls each node took (from each node's GET /v1/Account/{id}/Call/ total_count).
#
# Usage: scripts/kamailio-two-nodes.sh [CALLS=40] [RATE=10]
# Env:   KAM_PORT=5060 NODE1_SIP=5180 NODE2_SIP=5181 NODE1_HTTP=8181 NODE2_HTTP=8182 APP_PORT=8190
#        SHARED=../shared (the folder holding kamailio/ and sipp/)   KEEP=1 keeps the temp folder
#
# Needs kamailio (apt-get install -y kamailio) and sipp (apt-get install -y sip-tester).
# The Kamailio config is derived from $SHARED/kamailio/dispatcher.cfg: only the listen address, the
# dispatcher list file and its ping interval change. Every process started here is killed by PID on exit.
set -euo pipefail
CALLS=${1:-40}; RATE=${2:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
KAM_PORT=${KAM_PORT:-5060}
NODE1_SIP=${NODE1_SIP:-5180}; NODE2_SIP=${NODE2_SIP:-5181}
NODE1_HTTP=${NODE1_HTTP:-8181}; NODE2_HTTP=${NODE2_HTTP:-8182}
APP_PORT=${APP_PORT:-8190}
AUTH_ID=MAKAMAILIOTWONODES01; AUTH_TOKEN=kamailio-two-nodes-token-01
DID=15550001
command -v kamailio >/dev/null || { echo "kamailio not installed (apt-get install -y kamailio)" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp not installed (apt-get install -y sip-tester)" >&2; exit 2; }
[ -f "$SHARED/kamailio/dispatcher.cfg" ] || { echo "no $SHARED/kamailio/dispatcher.cfg (set SHARED=)" >&2; exit 2; }

T=$(mktemp -d /tmp/sb-kamailio-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT

# 1. the application both nodes fetch: answer, talk 1 s, and the caller hangs up (sipp -d)
node -e '
  const http = require("node:http");
  http.createServer((q, s) => { q.resume(); q.on("end", () => {
    s.writeHead(200, { "content-type": "application/xml" });
    s.end(q.url.startsWith("/answer") ? "<Response><Speak>hello</Speak><Wait length=\"30\"/></Response>" : "");
  }); }).listen(Number(process.argv[1]), "127.0.0.1");
' "$APP_PORT" >"$T/app.log" 2>&1 &
PIDS+=($!)

# 2. two engine nodes, each its own SQLite file (no shared state today), no trunk needed
for i in 1 2; do
  sip=$([ $i = 1 ] && echo $NODE1_SIP || echo $NODE2_SIP); web=$([ $i = 1 ] && echo $NODE1_HTTP || echo $NODE2_HTTP)
  node --import tsx "$ROOT/packages/engine/src/cli/main.ts" serve --host 127.0.0.1 --port "$web" \
    --db "$T/node$i.db" --auth-id $AUTH_ID --auth-token $AUTH_TOKEN --log-level warn \
    --sip-listen "127.0.0.1:$sip" >"$T/node$i.log" 2>&1 &
  PIDS+=($!)
done
api() { curl -sf -u "$AUTH_ID:$AUTH_TOKEN" -H 'content-type: application/json' "http://127.0.0.1:$1/v1/Account/$AUTH_ID/$2" "${@:3}"; }
for web in $NODE1_HTTP $NODE2_HTTP; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$web/" && break; sleep 0.2; done
  app=$(api "$web" Application/ -d "{\"app_name\":\"lb\",\"answer_url\":\"http://127.0.0.1:$APP_PORT/answer\",\"hangup_url\":\"http://127.0.0.1:$APP_PORT/hangup\"}" \
        | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).app_id))')
  api "$web" "PhoneNumber/$DID/" -d "{\"app_id\":\"$app\"}" >/dev/null
done
echo "nodes: sip 127.0.0.1:$NODE1_SIP (http $NODE1_HTTP), 127.0.0.1:$NODE2_SIP (http $NODE2_HTTP); number $DID on both"

# 3. kamailio with a temp config derived from the shared one
printf '1 sip:127.0.0.1:%s\n1 sip:127.0.0.1:%s\n' "$NODE1_SIP" "$NODE2_SIP" >"$T/dispatcher.list"
sed -e "s|^listen=.*|listen=udp:127.0.0.1:$KAM_PORT|" \
    -e "s|\"list_file\", \"dispatcher.list\"|\"list_file\", \"$T/dispatcher.list\"|" \
    -e 's|"ds_ping_interval", 10|"ds_ping_interval", 2|' \
    "$SHARED/kamailio/dispatcher.cfg" >"$T/dispatcher.cfg"
kamailio -c -f "$T/dispatcher.cfg" >"$T/kamailio-check.log" 2>&1 || { cat "$T/kamailio-check.log"; exit 1; }
kamailio -f "$T/dispatcher.cfg" -DD -E -Y "$T" -P "$T/kamailio.pid" >"$T/kamailio.log" 2>&1 &
PIDS+=($!)
sleep 3   # let the dispatcher's first OPTIONS probes reach both nodes (they answer 200)
echo "kamailio: udp 127.0.0.1:$KAM_PORT -> dispatcher set 1 (hash over Call-ID)"

# 4. N calls through kamailio
( cd "$T" && timeout $((CALLS / RATE + 60)) sipp "127.0.0.1:$KAM_PORT" -sf "$SHARED/sipp/uac-invite-bye.xml" -s $DID \
    -i 127.0.0.1 -p 5170 -r "$RATE" -m "$CALLS" -d 1000 -timeout $((CALLS / RATE + 50))s -nostdin -trace_screen -trace_err >sipp.out 2>&1 ) \
  && rc=0 || rc=$?
scr=$(ls "$T"/uac-invite-bye_*_screen.log 2>/dev/null | head -1 || true)
ok=$( [ -n "$scr" ] && awk -F'|' '/Successful call/ {gsub(/ /,"",$3); print $3}' "$scr" || echo "?")
ko=$( [ -n "$scr" ] && awk -F'|' '/Failed call/ {gsub(/ /,"",$3); print $3}' "$scr" || echo "?")
echo "sipp: calls=$CALLS rate=$RATE ok=$ok failed=$ko rc=$rc"
sleep 2
total() { api "$1" "Call/?limit=1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).meta.total_count))'; }
n1=$(total $NODE1_HTTP); n2=$(total $NODE2_HTTP)
echo "node1 (127.0.0.1:$NODE1_SIP) took $n1 calls"
echo "node2 (127.0.0.1:$NODE2_SIP) took $n2 calls"
echo "kamailio log: $(grep -c ' -> sip:' "$T/kamailio.log" || true) INVITE routing lines"
[ "$rc" = 0 ] && [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ]
