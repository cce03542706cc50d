#!/bin/sh
# The store owns every SQL statement (issue 10): no C file outside src/store
# prepares or executes SQL, includes sqlite3.h or reaches for the store's
# SQLite handle. Scans every .c and .h of the tree (library, program, tests,
# benchmarks, fuzz targets); the deliberate exceptions are listed below, each
# with why. A new file that needs the handle must be added here with its
# reason — library code never can.
set -u
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
cd "$src" || exit 1

# file: why it may use SQLite directly
exceptions='
tests/store/test_store.c: checks schema steps, rows and constraints as sqlite3 sees them, and holds a lock from a second connection
tests/store/test_crash.c: after kill -9, integrity_check and foreign_key_check, and a second connection counts what survived
tests/interview/test_crash.c: integrity_check of the device database after kill -9
tests/sync/test_merge.c: compares every table of two merged databases, counts sync_export states after interrupted exports, and sets max_page_count on the store connection to fill the disk
bench/bench_merge.c: the yardstick (sqlite3 .import of the same rows into an equal table) needs the rows as CSV
bench/bench_score.c: the yardstick is by definition a hand-written SQL GROUP BY over the same answers
'

pattern='sqlite3_prepare|sqlite3_exec|#include <sqlite3\.h>|store_sqlite'
n=0
fails=0
found=$(find . -path ./.git -prune -o -path './build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print |
	sed 's|^\./||' | sort | xargs grep -lE "$pattern" 2>/dev/null)
for f in $found; do
	case $f in
	src/store/*) continue ;;
	esac
	n=$((n + 1))
	if printf '%s\n' "$exceptions" | grep -q "^$f: "; then
		echo "ok $n - $f: a listed exception"
	else
		fails=$((fails + 1))
		echo "not ok $n - $f uses SQLite outside src/store:"
		grep -nE "$pattern" "$f" | sed 's/^/#   /'
	fi
done
# the library never, whatever the list says
for f in $found; do
	case $f in
	src/store/*) ;;
	src/* | sync/* | include/*)
		n=$((n + 1))
		fails=$((fails + 1))
		echo "not ok $n - library file $f uses SQLite outside src/store"
		;;
	esac
done
# PostgreSQL (issue 19): its SQL lives in src/pg, the only place that
# includes libpq or runs a statement; tests reach the server with psql
pg_found=$(find . -path ./.git -prune -o -path './build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print |
	sed 's|^\./||' | sort | xargs grep -lE 'PQexec|PQprepare|PQputCopy|#include <libpq-fe\.h>' 2>/dev/null)
for f in $pg_found; do
	case $f in
	src/pg/*) continue ;;
	esac
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $f uses libpq outside src/pg"
done
n=$((n + 1))
if printf '%s\n' "$pg_found" | grep -q '^src/pg/pg.c$'; then
	echo "ok $n - the scan finds PostgreSQL SQL in src/pg only"
else
	fails=$((fails + 1))
	echo "not ok $n - the scan found no libpq call in src/pg: it is broken"
fi
# the check itself works: it sees the store's own files
n=$((n + 1))
if printf '%s\n' "$found" | grep -q '^src/store/store.c$'; then
	echo "ok $n - the scan finds SQL in src/store"
else
	fails=$((fails + 1))
	echo "not ok $n - the scan found nothing in src/store: it is broken"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
