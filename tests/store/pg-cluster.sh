#!/bin/sh
# A throwaway PostgreSQL cluster for the tests, from Debian's packages, never a system service:
#   pg-cluster.sh start DIR   initdb into DIR/data, serve on a Unix socket in DIR only (no TCP),
#                             wait until it answers, print the URL of its maintenance database
#   pg-cluster.sh stop DIR    stop it and remove DIR
# initdb refuses to run as root, so as root the cluster belongs to the system user
# lutetia-test (made here when missing). Trust authentication is safe only because the socket
# sits in DIR, which only that user and root can enter. fsync is off: nothing in it outlives
# the test (LT_PG_FSYNC=on for a benchmark; LT_PG_MAX_CONNECTIONS, 60 by default).
# Exit 77 from start: PostgreSQL is not installed (the caller reports a skip).
#   pg-cluster.sh standby DIR PRIMARY_DIR   a streaming-replication standby of the cluster in
#                             PRIMARY_DIR (pg_basebackup -R), on a socket in DIR; prints its URL
set -eu
cmd=${1:?start or stop}
dir=${2:?folder}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
owner=lutetia-test

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

case $cmd in
start)
    [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || exit 77
    if [ "$(id -u)" = 0 ] && ! id "$owner" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$owner" 2>/dev/null ||
            id "$owner" >/dev/null # another test made it meanwhile
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    as_owner "$PGBIN/initdb" -D "$dir/data" -U lt_owner --auth=trust --no-sync -E UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses= -c fsync=${LT_PG_FSYNC:-off} -c max_connections=${LT_PG_MAX_CONNECTIONS:-60}" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    # pg_ctl -w waited for the postmaster; this waits until it accepts connections (each try
    # waits up to a second for an answer; a minute in all)
    n=0
    until "$PGBIN/pg_isready" -q -t 1 -h "$dir" -U lt_owner -d postgres; do
        n=$((n + 1))
        [ "$n" -lt 60 ] || { echo "the test cluster never became ready" >&2; exit 1; }
    done
    echo "postgresql://lt_owner@/postgres?host=$dir"
    ;;
standby)
    primary=${3:?PRIMARY_DIR}
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown "$owner" "$dir"
    # -R writes standby.signal and primary_conninfo (the primary's socket); -X stream copies the
    # WAL written during the copy, so the standby starts consistent; a fast checkpoint, not a
    # spread one that would keep the copy waiting for minutes
    as_owner "$PGBIN/pg_basebackup" -h "$primary" -U lt_owner -D "$dir/data" -R -X stream \
        --checkpoint=fast --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses= -c fsync=off -c hot_standby=on" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    n=0
    until "$PGBIN/pg_isready" -q -t 1 -h "$dir" -U lt_owner -d postgres; do
        n=$((n + 1))
        [ "$n" -lt 60 ] || { echo "the standby never became ready" >&2; exit 1; }
    done
    echo "postgresql://lt_owner@/postgres?host=$dir"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-cluster.sh start|stop DIR | standby DIR PRIMARY_DIR" >&2
    exit 2
    ;;
esac
