#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for tests (docs/storage.md, "Testing on PostgreSQL").
#   scripts/pg-cluster.sh start   -> initdb in a temp folder, starts it on 127.0.0.1 and a free
#                                    port, prints its URL (postgres://...) on stdout, and the folder
#                                    on stderr
#   scripts/pg-cluster.sh stop DIR -> stops the cluster started in DIR and removes DIR
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user.
set -euo pipefail

bin_dir() {
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "pg-cluster: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

case "${1:-}" in
  start)
    BIN=$(bin_dir)
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/sb-pg.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    PORT=$(free_port)
    as_owner "$BIN/initdb" -D "$DIR/data" -U switchboard --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    # Tests create a database per harness and run files in parallel: room for many connections;
    # durability does not matter for a cluster that is deleted at the end.
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o \
      "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    echo "$DIR" >&2
    echo "postgres://switchboard@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    DIR=${2:?usage: pg-cluster.sh stop DIR}
    [ -d "$DIR/data" ] || { echo "pg-cluster: no cluster in $DIR" >&2; exit 1; }
    as_owner "$(bin_dir)/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: pg-cluster.sh start | stop DIR" >&2; exit 2 ;;
esac
