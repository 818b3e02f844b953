#!/usr/bin/env bash
# A throwaway PgBouncer in transaction pooling mode in front of the local
# PostgreSQL, for the store tests (tests/store.rs). Production reaches
# PostgreSQL through such a pooler, which keeps no prepared statements and no
# session state between transactions; the tests prove the store copes.
#
#   scripts/pgbouncer.sh start   start it on a free loopback port, print its URL
#   scripts/pgbouncer.sh url     print the URL of the running instance
#   scripts/pgbouncer.sh stop    stop it and remove its folder
#
# Its config, pid file, log and URL live in one folder:
#   PEP_PGBOUNCER_DIR         default ${TMPDIR:-/tmp}/pep-pgbouncer
# The tests read the URL from PEP_TEST_PGBOUNCER_URL, else from that folder.
#
# Settings (environment):
#   PEP_PGBOUNCER_UPSTREAM    PostgreSQL host:port, default 127.0.0.1:5432
#   PEP_PGBOUNCER_USER        role, trusted by PostgreSQL, default postgres
#   PEP_PGBOUNCER_DATABASE    database named in the printed URL, default test
#   PEP_PGBOUNCER_POOL_SIZE   server connections per database, default 4 (kept
#                             small so the tests' pools outnumber it)
#
# Every database name is routed to the upstream server (`* =`), so each test
# can use a database of its own. PgBouncer refuses to run as root; as root it
# is started with `-u postgres`.
set -euo pipefail

dir=${PEP_PGBOUNCER_DIR:-${TMPDIR:-/tmp}/pep-pgbouncer}
upstream=${PEP_PGBOUNCER_UPSTREAM:-127.0.0.1:5432}
user=${PEP_PGBOUNCER_USER:-postgres}
database=${PEP_PGBOUNCER_DATABASE:-test}
pool_size=${PEP_PGBOUNCER_POOL_SIZE:-4}

die() {
  echo "pgbouncer.sh: $*" >&2
  exit 1
}

running_pid() {
  local pid
  [ -f "$dir/pgbouncer.pid" ] || return 1
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_config() {
  local port=$1
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=${upstream%:*} port=${upstream##*:}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = $user
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 1000
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  printf '"%s" ""\n' "$user" >"$dir/userlist.txt"
}

# Starts PgBouncer on $1; fails when it does not come up (e.g. the port was
# taken in the meantime).
launch() {
  local port=$1 i
  write_config "$port"
  rm -f "$dir/pgbouncer.pid"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$dir"
    pgbouncer -d -u postgres "$dir/pgbouncer.ini" >>"$dir/start.log" 2>&1 || return 1
  else
    pgbouncer -d "$dir/pgbouncer.ini" >>"$dir/start.log" 2>&1 || return 1
  fi
  for i in $(seq 1 50); do
    if running_pid >/dev/null && port_in_use "$port"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start() {
  command -v pgbouncer >/dev/null || die "pgbouncer is not installed (apt-get install -y pgbouncer)"
  if running_pid >/dev/null && [ -f "$dir/url" ]; then
    cat "$dir/url"
    return 0
  fi
  port_in_use "${upstream##*:}" ||
    die "PostgreSQL is not reachable at $upstream (set PEP_PGBOUNCER_UPSTREAM)"
  mkdir -p "$dir"
  local attempt port
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 20000))
    port_in_use "$port" && continue
    if launch "$port"; then
      echo "postgres://$user@127.0.0.1:$port/$database" | tee "$dir/url"
      return 0
    fi
    stop_pid
  done
  cat "$dir/pgbouncer.log" "$dir/start.log" >&2 2>/dev/null || true
  die "PgBouncer did not start (log above)"
}

# Stops the instance of this folder, if any, waiting until it is gone.
stop_pid() {
  local pid i
  pid=$(running_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  stop_pid
  rm -rf "$dir"
}

url() {
  running_pid >/dev/null || die "PgBouncer is not running (scripts/pgbouncer.sh start)"
  cat "$dir/url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) die "usage: $0 start|stop|url" ;;
esac
