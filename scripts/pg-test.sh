#!/usr/bin/env bash
# scripts/pg-test.sh - a throwaway PostgreSQL 15 cluster for the tests.
#
#   scripts/pg-test.sh COMMAND [ARGS...]   run COMMAND with the cluster up
#   scripts/pg-test.sh                     print the URL, wait for Ctrl-C
#
# initdb's a cluster in a temporary directory, starts it on 127.0.0.1 (a
# free port, its socket in that directory, password authentication),
# creates the database "livecheck", exports its URL as LC_TEST_PG and
# LC_STORE_URL (what the store unit tests and the livecheckd tests read,
# see tests/lib/store.sh), runs COMMAND, then stops the cluster and removes
# it, whatever COMMAND did. The exit status is COMMAND's.
#
# Run as root, the cluster runs as the user postgres (initdb refuses
# root). Made for tests: fsync is off, so it does not survive a crash of
# the machine. PG_BINDIR overrides /usr/lib/postgresql/15/bin.
set -uo pipefail

bin=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
for t in initdb pg_ctl; do
    [ -x "$bin/$t" ] || { echo "pg-test: no $bin/$t (apt-get install postgresql)" >&2; exit 2; }
done
command -v psql >/dev/null || { echo "pg-test: no psql (apt-get install postgresql-client)" >&2; exit 2; }

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg-test: running as root needs the user postgres" >&2; exit 2; }
    as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/lc-pg-XXXXXX")
data=$dir/data
log=$dir/server.log
started=0
stop() {
    if [ "$started" -eq 1 ]; then
        "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM
chmod 0700 "$dir"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir"

pass=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$pass" >"$dir/pwfile"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$dir/pwfile"
if ! "${as_pg[@]}" "$bin/initdb" -D "$data" -U livecheck --pwfile="$dir/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1; then
    echo "pg-test: initdb failed:" >&2
    tail -n 20 "$dir/initdb.log" >&2
    exit 2
fi
rm -f "$dir/pwfile"

# A free port: ask the kernel for one, then start on it; if another
# process takes it meanwhile, pg_ctl fails and we try another.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
for try in 1 2 3 4 5; do
    port=$(free_port)
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir'"
    opts+=" -c fsync=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB"
    if "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o "$opts" >/dev/null 2>&1; then
        started=1
        break
    fi
    echo "pg-test: start on port $port failed (try $try)" >&2
    tail -n 5 "$log" >&2 2>/dev/null
done
[ "$started" -eq 1 ] || { echo "pg-test: cannot start PostgreSQL" >&2; exit 2; }

url="postgresql://livecheck:$pass@127.0.0.1:$port/livecheck"
if ! psql -X -q "postgresql://livecheck:$pass@127.0.0.1:$port/postgres" \
    -c "CREATE DATABASE livecheck" >/dev/null; then
    echo "pg-test: cannot create the database" >&2
    exit 2
fi
export LC_TEST_PG=$url LC_STORE_URL=$url
echo "pg-test: PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') at postgresql://livecheck@127.0.0.1:$port/livecheck (data $data)"

if [ $# -eq 0 ]; then
    echo "LC_TEST_PG=$url"
    echo "pg-test: Ctrl-C stops and removes it"
    while :; do sleep 3600; done
fi
"$@"
