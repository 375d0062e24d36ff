# SQL on the trial's database behind the engine's back, on either store, for the CLI tests that
# play an attacker (audit.sh): the same cases run on an SQLite file (the sqlite3 tool) and, under
# tests/store/pg-run.sh, on PostgreSQL (psql on the throwaway cluster). Sourced after
# trial_setup.sh. Two kinds of access are played:
# - db_tamper: whoever can write the database outright. On SQLite, write access to the file
#   (the triggers are dropped first); on PostgreSQL, the cluster's superuser, who switches the
#   triggers (and the foreign keys, which are triggers too) off with session_replication_role.
# - db_app: the engine's own access, triggers in place. On SQLite that is the file itself; on
#   PostgreSQL the application role of docs/store.md ("PostgreSQL"), with exactly the grants
#   given there, so what it is refused is refused by the grants and then the triggers.
case $LUTETIA_DB in
postgresql://*) STORE=pg ;;
*) STORE=sqlite ;;
esac

# psql quietly, stopping at the first error
pg_sql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# pg_url URL NAME [ROLE]: URL with its database replaced by NAME (and its user by ROLE)
pg_url() {
    printf '%s\n' "$1" | sed -e "s|/[^/?]*?|/$2?|" ${3:+-e "s|^postgresql://[^@]*@|postgresql://$3@|"}
}
pg_name() { printf '%s\n' "$1" | sed -n 's|^postgresql://[^/]*/\([^?]*\).*|\1|p'; }

# db_new NAME: the location of a new, empty database for another trial
db_new() {
    if [ $STORE = sqlite ]; then
        rm -f "$TMP/$1.db"
        echo "$TMP/$1.db"
    else
        n="$(pg_name "$LUTETIA_DB")_$1"
        pg_sql -d "$LUTETIA_TEST_DB" -c "DROP DATABASE IF EXISTS $n" -c "CREATE DATABASE $n" >/dev/null &&
            pg_url "$LUTETIA_DB" "$n"
    fi
}

# db_use_new NAME: makes a new, empty database for another trial the one the commands use
# (LUTETIA_DB; on PostgreSQL its key file, $TMP/NAME.key, in LUTETIA_KEY_FILE)
db_use_new() {
    if [ $STORE = sqlite ]; then
        rm -f "$TMP/$1.db-wal" "$TMP/$1.db-shm" "$TMP/$1.db.key"
    else
        export LUTETIA_KEY_FILE="$TMP/$1.key"
        rm -f "$LUTETIA_KEY_FILE"
    fi
    LUTETIA_DB=$(db_new "$1") || return 1
    export LUTETIA_DB
}

# db_copy NAME: a copy of the trial's database as it is now (the engine has closed it: SQLite
# checkpoints on close, so the file is the whole trial; PostgreSQL copies a database that no
# session uses); prints its location. On PostgreSQL the copy gets the application role's grants.
db_copy() {
    if [ $STORE = sqlite ]; then
        cp "$LUTETIA_DB" "$TMP/$1.db" && rm -f "$TMP/$1.db-wal" "$TMP/$1.db-shm" &&
            echo "$TMP/$1.db"
    else
        n="$(pg_name "$LUTETIA_DB")_$1"
        pg_sql -d "$LUTETIA_TEST_DB" -c "DROP DATABASE IF EXISTS $n" \
            -c "CREATE DATABASE $n TEMPLATE $(pg_name "$LUTETIA_DB")" >/dev/null || return 1
        u=$(pg_url "$LUTETIA_DB" "$n")
        # the application role (cluster-wide; made once) and the grants docs/store.md gives it
        pg_sql -d "$u" -c "DO \$\$BEGIN CREATE ROLE lt_app LOGIN;
                              EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" \
            -c "GRANT SELECT, INSERT ON audit, checkpoint, secret, sealed_seed TO lt_app" \
            -c "GRANT SELECT, INSERT, UPDATE ON record TO lt_app" \
            -c "GRANT SELECT ON lutetia_schema TO lt_app" >/dev/null || return 1
        echo "$u"
    fi
}

# db_tamper DB SQL: SQL run by whoever can write the database outright, triggers off
db_tamper() {
    if [ $STORE = sqlite ]; then
        drops=$(sqlite3 "$1" "SELECT group_concat('DROP TRIGGER ' || name, '; ') FROM sqlite_master
                              WHERE type = 'trigger'") || return 1
        sqlite3 -bail "$1" "$drops; $2"
    else
        pg_sql -d "$1" -c "SET session_replication_role = replica; $2" >/dev/null
    fi
}

# db_app DB SQL: SQL with the engine's own access, triggers and grants in place; its error
# goes to $TMP/err, for expect_err
db_app() {
    if [ $STORE = sqlite ]; then
        sqlite3 -bail "$1" "$2" >"$TMP/out" 2>"$TMP/err"
    else
        pg_sql -d "$(pg_url "$1" "$(pg_name "$1")" lt_app)" -c "$2" >"$TMP/out" 2>"$TMP/err"
    fi
}

# db_owner DB SQL: on PostgreSQL, SQL by the owner of the tables with the triggers in place (the
# cluster's superuser here, which owns them); on SQLite the same as db_app
db_owner() {
    if [ $STORE = sqlite ]; then db_app "$@"; else pg_sql -d "$1" -c "$2" >"$TMP/out" 2>"$TMP/err"; fi
}

# db_row DB SQL: the one row SQL selects, as a JSON object (numbers as numbers, NULL as null)
db_row() {
    if [ $STORE = sqlite ]; then
        sqlite3 -json "$1" "$2" | jq -c '.[0]'
    else
        pg_sql -At -d "$1" -c "SELECT row_to_json(t) FROM ($2) t"
    fi
}

# db_value DB SQL: the one value SQL selects, as text
db_value() {
    if [ $STORE = sqlite ]; then sqlite3 -batch -noheader "$1" "$2"; else pg_sql -At -d "$1" -c "$2"; fi
}

# db_hex EXPR: SQL giving a blob EXPR as hex digits; db_blob HEX: a blob literal
db_hex() { if [ $STORE = sqlite ]; then echo "hex($1)"; else echo "encode($1, 'hex')"; fi; }
db_blob() { if [ $STORE = sqlite ]; then echo "X'$1'"; else echo "'\\x$1'::bytea"; fi; }

# db_sum DB: a digest of everything the database holds (the file; on PostgreSQL a dump of its
# schema and rows, without the random \restrict key newer pg_dump writes around a dump), to show
# that a refused command changed nothing; on PostgreSQL, more pg_dump options may follow DB
db_sum() {
    if [ $STORE = sqlite ]; then sha256sum <"$1"; else
        pg_dump -d "$@" | sed '/^\\\(un\)\{0,1\}restrict /d' | sha256sum
    fi
}

# db_schema_version DB N: the database marked as made by a newer program (schema version N)
db_schema_version() {
    if [ $STORE = sqlite ]; then
        sqlite3 "$1" "PRAGMA user_version = $2"
    else
        pg_sql -d "$1" -c "UPDATE lutetia_schema SET version = $2" >/dev/null
    fi
}
