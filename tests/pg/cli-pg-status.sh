#!/bin/sh
# `ruhu status` over a PostgreSQL team database (issue 19): the same report
# as over the SQLite database it was copied from, and after the same merges;
# the database is named without its connection string. The commands that do
# not work on PostgreSQL yet say so.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
. "$src/tests/pg/lib.sh"
pg_start

cd "$tmp" || exit 1
r synth "$src/forms/household.csv" --households 60 --devices 3 --counties 2 --seed 3 --out s >/dev/null 2>&1
set -- s/*.bundle.gz
r assign --db a.db s/sample.csv >/dev/null 2>&1
r merge --db a.db "$1" >/dev/null 2>&1
pg_db p
r db copy --from a.db --to "$(pg_url p)" >/dev/null 2>&1
check "copy with the sample: exit 0" test $? -eq 0
r merge --db a.db "$2" "$3" >/dev/null 2>&1
r merge --db "$(pg_url p)" "$2" "$3" >/dev/null 2>&1
check "merge into PostgreSQL: exit 0" test $? -eq 0
r status --db a.db >a.out 2>&1
check "status over SQLite: exit 0" test $? -eq 0
r status --db "$(pg_url p) password=s3cret-pw" >p.out 2>&1
check "status over PostgreSQL: exit 0" test $? -eq 0
check "... names the server, not the connection string" hasline p.out "database postgresql:p@$pgdir"
check "... never the password" sh -c '! grep -q s3cret-pw p.out'
sed 1d a.out >a.rep
sed 1d p.out >p.rep
check "... the same report as SQLite's" cmp -s a.rep p.rep
diff a.rep p.rep | head -n 10 | sed 's/^/#   /'
check "... with the sample's households" grep -q "all households *60" p.rep
pg_db empty
r status --db "$(pg_url empty)" >e.out 2>&1
check "status of a database without ruhu's tables: exit 1" test $? -eq 1

# the commands that work on SQLite only refuse a connection string clearly
# (rather than create a file of that name)
for c in conflicts review score data audit; do
	r $c --db "$(pg_url p)" >out 2>err
	if [ $? -eq 1 ] && has err "ruhu $c does not work on a PostgreSQL database yet"; then
		ok "$c --db postgresql: refused clearly"
	else
		not_ok "$c --db postgresql: refused clearly"
		sed 's/^/#   /' err | head -n 3
	fi
done
check "... and no file named after the connection string" test -z "$(ls | grep dbname)"

echo "1..$n"
[ "$fails" -eq 0 ]
