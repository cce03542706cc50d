#!/bin/sh
# Faults (issue 19): the server killed (SIGKILL to the postmaster) while a
# merge is writing, restarted, the merge run again: the server holds the
# same canonical content as an uninterrupted merge of the same bundles. A
# merge that lost its server says so and exits 1; whatever it had not
# committed is not there.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
. "$src/tests/pg/lib.sh"
pg_start

cd "$tmp" || exit 1
r synth "$src/forms/household.csv" --households 240 --devices 4 --seed 11 --out s >/dev/null 2>&1
check "synth: 4 bundles" test "$(ls s/*.bundle.gz | wc -l)" -eq 4
pg_db team
team=$(pg_url team)
r db init --db "$team" >/dev/null 2>&1

# a merge's write phase holds advisory lock (0x72756875, 2): kill the
# server as soon as one is held
r merge --db "$team" s/*.bundle.gz >out 2>err &
pid=$!
tries=0
while [ $tries -lt 600 ]; do
	held=$(pgq postgres "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND classid = 1920297077 AND objid = 2" 2>/dev/null)
	[ "${held:-0}" -gt 0 ] && break
	tries=$((tries + 1))
	sleep 0.05
done
check "a merge's transaction was seen holding its lock" test "${held:-0}" -gt 0
pg_kill
wait $pid
code=$?
check "the interrupted merge exits 1" test $code -eq 1
check "... saying the connection was lost" grep -q "connection to the database server was lost\|cannot connect" err
sed 's/^/#   /' err | head -n 4

# restart (the killed server's backends must go first)
tries=0
until pg_restart; do
	tries=$((tries + 1))
	[ $tries -gt 30 ] && break
	sleep 1
done
check "the server restarts" test $tries -le 30
r merge --db "$team" s/*.bundle.gz >out 2>err
check "the merge run again: exit 0" test $? -eq 0

pg_db ref
r db init --db "$(pg_url ref)" >/dev/null 2>&1
r merge --db "$(pg_url ref)" s/*.bundle.gz >/dev/null 2>&1
check "an uninterrupted merge: exit 0" test $? -eq 0
# everything, the ledger's per-bundle counts included (same bundles, same order)
pg_canon team >team.canon
pg_canon ref >ref.canon
check "the same canonical content as the uninterrupted merge" cmp -s team.canon ref.canon
diff ref.canon team.canon | head -n 10 | sed 's/^/#   /'

echo "1..$n"
[ "$fails" -eq 0 ]
