#!/bin/sh
# Load (issue 19): 8 team leaders merge into one PostgreSQL server at once,
# each its own 20 bundles plus the same 5 shared ones. Every merge exits 0
# without a message on stderr; every bundle is merged exactly once (the
# shared ones: once, "already merged" 7 times); the server then holds the
# same content as one sequential SQLite merge of all the bundles: every
# interview, answer and event once. How: a merge's write phase holds a
# transaction-level advisory lock (src/pg/pg_merge.c), so concurrent merges
# wait for each other (no error, no deadlock) and re-check bundle_applied
# once they hold it.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
. "$src/tests/pg/lib.sh"
pg_start

nobundle() { awk '/^.== /{skip = ($0 ~ /sync_bundle/)} !skip' "$1"; }
cd "$tmp" || exit 1
r synth "$src/forms/household.csv" --households 330 --devices 165 --seed 7 --out s >/dev/null 2>&1
check "synth: 165 bundles" test "$(ls s/*.bundle.gz | wc -l)" -eq 165
ls s/*.bundle.gz >all
tail -n 5 all >shared

pg_db team
team=$(pg_url team)
r db init --db "$team" >/dev/null 2>&1
check "db init: exit 0" test $? -eq 0
pids=""
i=0
while [ $i -lt 8 ]; do
	sed -n "$((i * 20 + 1)),$((i * 20 + 20))p" all >own$i
	# shellcheck disable=SC2046
	r merge --db "$team" $(cat own$i shared) >out$i 2>err$i &
	pids="$pids $!"
	i=$((i + 1))
done
codes=""
for p in $pids; do
	wait "$p"
	codes="$codes $?"
done
eq "8 merges at once: every one exits 0" "$codes" " 0 0 0 0 0 0 0 0"
check "... and none wrote to stderr" test ! -s err0 -a ! -s err1 -a ! -s err2 -a ! -s err3 \
	-a ! -s err4 -a ! -s err5 -a ! -s err6 -a ! -s err7
cat err? | head -n 10 | sed 's/^/#   /'
merged=$(cat out? | sed -n 's/^total: \([0-9]*\) bundles merged, \([0-9]*\) already merged, \([0-9]*\) refused.*/\1 \2 \3/p' |
	awk '{m += $1; a += $2; f += $3} END {print m, a, f}')
eq "every bundle merged once, the shared ones already merged 7 times each" "$merged" "165 35 0"
eq "the server holds 330 interviews" "$(pgq team "SELECT count(*) FROM interview")" 330
eq "... and 165 bundles" "$(pgq team "SELECT count(*) FROM sync_bundle")" 165

# shellcheck disable=SC2046
r merge --db seq.db $(cat all) >/dev/null 2>&1
check "the sequential SQLite merge: exit 0" test $? -eq 0
sqlite_canon_data seq.db >seq.canon
pg_canon team >team.canon
nobundle seq.canon >seq.nb
nobundle team.canon >team.nb
check "the same content as one sequential merge (every interview, answer, event once)" \
	cmp -s seq.nb team.nb
diff seq.nb team.nb | head -n 20 | sed 's/^/#   /'
eq "events: as many as the sequential merge" "$(pgq team "SELECT count(*) FROM event")" \
	"$(sqlite3 seq.db "SELECT count(*) FROM event")"

echo "1..$n"
[ "$fails" -eq 0 ]
