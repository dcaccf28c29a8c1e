#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: `pg-cluster.sh start DIR` runs initdb and
# pg_ctl in DIR (a fresh data directory, a Unix socket in DIR, no TCP listener, so no port can
# clash with anything else on the machine) and writes the libpq URL of its `postgres` database
# to DIR/url; `pg-cluster.sh stop DIR` stops it and removes DIR. PostgreSQL refuses to run as
# root: as root the cluster runs as the `postgres` user of the Debian package (runuser).
# Without the PostgreSQL binaries (tools/setup-debian.sh test installs them) start FAILS: the
# PostgreSQL tests must not pass by not running.
set -euo pipefail
cmd=${1:?usage: pg-cluster.sh start|stop DIR}
dir=${2:?usage: pg-cluster.sh start|stop DIR}

bindir=${AA_PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then bindir=$d; fi
  done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "pg-cluster.sh: no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin;" \
    "install Debian's postgresql (tools/setup-debian.sh test)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case $cmd in
  start)
    if [ -f "$dir/url" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    user=aa_test
    as_owner "$bindir/initdb" -D "$dir/data" -U "$user" -A trust -E UTF8 --no-locale \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Unix socket only; fsync off: a test cluster, thrown away after the run.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
      -o "-c listen_addresses='' -k $dir -p 5432 -c fsync=off -c max_connections=200" start \
      >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    echo "postgresql://$user@/postgres?host=$dir&port=5432" >"$dir/url"
    chmod 0644 "$dir/url"
    echo "pg-cluster.sh: PostgreSQL ($bindir) running in $dir: $(cat "$dir/url")"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 120 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
