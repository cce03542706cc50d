# Shared by the PostgreSQL tests (sourced after tests/sync/lib.sh, which
# made $tmp): a throwaway cluster (initdb + pg_ctl) in $tmp/pg, listening
# only on a Unix socket in that folder, stopped and removed on exit. initdb
# refuses root: as root the server runs as `nobody` (runuser), in folders it
# owns. No server (no postgresql package, initdb or start failing): the test
# skips (exit 77), except under CI=true, where that is a failure.
#   pg_start          start it; sets pgdir, pg_bin, PGHOST-style $pgc prefix
#   pg_db NAME        create database NAME; prints nothing
#   pg_url NAME       the connection string of NAME (keyword/value form)
#   pgq NAME SQL      run SQL in NAME (psql, unaligned, tuples only)
#   pg_canon NAME     the canonical dump of NAME (tests/pg/canon.sql), in the
#                     format of tests/sync/canon/canon.sql from '== meta' on
#   pg_kill / pg_restart   SIGKILL the postmaster / start it again
# Tests run the server with fsync=off (speed; a SIGKILL of the server loses
# nothing the OS has); the benchmark sets PG_FSYNC=on.
# RUHU_PG_BIN: the server's bin folder (default: Debian's newest)
pg_bin=${RUHU_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
pgdir=$tmp/pg
pg_as=""

pg_skip() {
	if [ "${CI:-}" = true ]; then
		echo "not ok - no PostgreSQL server could be started (CI=true): $1"
		[ -f "$pgdir/log" ] && sed 's/^/#   /' "$pgdir/log" | tail -n 20
		exit 1
	fi
	echo "1..0 # SKIP no PostgreSQL server: $1"
	exit 77
}

pg_stop() {
	[ -f "$pgdir/data/postmaster.pid" ] &&
		$pg_as "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1
	return 0
}

pg_start() {
	[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || pg_skip "initdb not found (apt-get install postgresql)"
	mkdir -p "$pgdir" || pg_skip "cannot create $pgdir"
	if [ "$(id -u)" -eq 0 ]; then
		command -v runuser >/dev/null || pg_skip "runuser not found"
		pg_as="runuser -u nobody --"
		chmod 755 "$tmp"
		chown nobody "$pgdir"
	fi
	trap 'pg_stop; rm -rf "$tmp"' EXIT INT TERM
	$pg_as "$pg_bin/initdb" -D "$pgdir/data" -U ruhu --auth=trust -E UTF8 --locale=C \
		>"$pgdir/initdb.log" 2>&1 || pg_skip "initdb failed: $(tail -n 1 "$pgdir/initdb.log")"
	pg_restart || pg_skip "the server did not start: $(tail -n 1 "$pgdir/log")"
}

pg_restart() {
	$pg_as "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 60 \
		-o "-k $pgdir -c listen_addresses= -c fsync=${PG_FSYNC:-off} -c max_connections=40" \
		start >/dev/null 2>&1
}

pg_kill() {
	kill -KILL "$(head -n 1 "$pgdir/data/postmaster.pid")"
}

pg_url() { echo "host=$pgdir user=ruhu dbname=$1"; }
pgq() { "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$pgdir" -U ruhu -d "$1" -c "$2"; }
pg_db() { pgq postgres "CREATE DATABASE $1" >/dev/null; }
pg_canon() {
	"$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$pgdir" -U ruhu -d "$1" \
		-f "$src/tests/pg/canon.sql"
}
# the data part of a SQLite canonical dump (tests/sync/canon/canon.sql)
sqlite_canon_data() { sqlite3 -batch "$1" <"$src/tests/sync/canon/canon.sql" | awk '/^.== meta/{p=1} p'; }
