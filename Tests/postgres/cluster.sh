#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: its own folder, loopback only, trust
# authentication, gone when stopped. Debian's packages, never the system's cluster.
#
#   Tests/postgres/cluster.sh start DIR PORT   # prints the URL: postgres://postgres@127.0.0.1:PORT/dialogue
#   Tests/postgres/cluster.sh restart DIR      # fast shutdown, then up again on the same port
#   Tests/postgres/cluster.sh down DIR         # fast shutdown, kept for `up` (an outage)
#   Tests/postgres/cluster.sh up DIR           # back on the same port after `down`
#   Tests/postgres/cluster.sh stop DIR
#
# fsync is off: these clusters hold test data only, and start in under a second. The
# benchmark wants commits as durable as SQLite's: CLUSTER_DURABLE=1 keeps fsync and
# synchronous_commit on. CLUSTER_SSL_DIR=FOLDER (holding server.crt and server.key) starts
# the cluster with ssl=on and that certificate.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?folder}; port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries missing (apt-get install postgresql)" >&2; exit 2; }
# initdb and postgres refuse to run as root: as root, run them as Debian's postgres user.
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi
case "$cmd" in
start)
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    chmod o+x "$(dirname "$dir")"  # the postgres user must reach its folder (mktemp -d makes 700)
  fi
  chmod 700 "$dir"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log"
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${CLUSTER_DURABLE:-0}" = 1 ] && durability="-c fsync=on -c synchronous_commit=on"
  ssl=""
  if [ -n "${CLUSTER_SSL_DIR:-}" ]; then
    cp "$CLUSTER_SSL_DIR/server.crt" "$CLUSTER_SSL_DIR/server.key" "$dir/data/"
    chmod 600 "$dir/data/server.key"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/data/server.crt" "$dir/data/server.key"
    ssl="-c ssl=on -c ssl_cert_file=$dir/data/server.crt -c ssl_key_file=$dir/data/server.key"
  fi
  echo "-p $port -c listen_addresses=127.0.0.1 -k $dir $durability $ssl -c max_connections=200" >"$dir/options"
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start -o "$(cat "$dir/options")" >/dev/null
  "${as_owner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dialogue
  echo "postgres://postgres@127.0.0.1:$port/dialogue"
  ;;
restart)
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -m fast restart >/dev/null
  ;;
down)
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -t 30 -m fast stop >/dev/null
  ;;
up)
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start -o "$(cat "$dir/options")" >/dev/null
  ;;
stop)
  [ -d "$dir/data" ] && "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -t 30 -m fast stop >/dev/null || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|restart|down|up|stop DIR [PORT]" >&2; exit 2 ;;
esac
