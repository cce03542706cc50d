#!/bin/sh
# Merges into a team database on PostgreSQL (issue 19), against a throwaway
# cluster (lib.sh): ruhu db init; the canon bundles merged give the same
# canonical content as SQLite (tests/sync/canon/team.canon, and a SQLite
# merge of the same bundles now); merging again changes nothing; the reverse
# order gives the same content; a corrupt bundle, a bundle the server refuses
# half-way and a newer schema leave the database as it was; a connection
# string's password never appears in a message.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
. "$src/tests/pg/lib.sh"
pg_start

fx=$src/tests/sync/canon
nobundle() { awk '/^.== /{skip = ($0 ~ /sync_bundle/)} !skip' "$1"; }
awk '/^.== meta/{p=1} p' "$fx/team.canon" >"$tmp/fx.data"
cp -R "$fx/bundles" "$tmp/bundles"
cd "$tmp" || exit 1
order="bundles/synth/*.bundle.gz bundles/A1.bundle.gz bundles/A2.bundle.gz bundles/A3.bundle.gz bundles/B1.bundle.gz"
team=$(pg_url team)

pg_db team
r merge --db "$team" bundles/A1.bundle.gz >out 2>err
check "merge into a database without ruhu's tables: exit 1" test $? -eq 1
check "... says to run ruhu db init" has err "run ruhu db init"
r db init --db "$team" >out 2>err
check "db init: exit 0" test $? -eq 0
check "db init: names the server without the connection string" has out "postgresql:team@$pgdir: database ready, schema version 1"
r db init --db "$team" >out 2>err
check "db init again: exit 0 (nothing to do)" test $? -eq 0

# shellcheck disable=SC2086
r merge --db "$team" $order >out 2>err
check "merge: exit 0" test $? -eq 0
pg_canon team >team.canon
check "PostgreSQL: canonical content identical to SQLite's fixture" cmp -s team.canon fx.data
diff fx.data team.canon | head -n 20 | sed 's/^/#   /'
# shellcheck disable=SC2086
r merge --db team.db $order >out 2>err
sqlite_canon_data team.db >sqlite.canon
check "the same bundles into SQLite now: the same canonical content" cmp -s sqlite.canon team.canon

# shellcheck disable=SC2086
r merge --db "$team" $order >out 2>err
check "merge again: exit 0" test $? -eq 0
check "merge again: every bundle already merged" has out "total: 0 bundles merged, 6 already merged, 0 refused"
pg_canon team >again.canon
check "merge again: nothing changed" cmp -s again.canon fx.data

# the URI form of a connection string
pg_db rev
rev=$(for b in $order; do echo "$b"; done | sort -r | tr '\n' ' ')
r db init --db "postgresql:///rev?host=$pgdir&user=ruhu" >out 2>err
check "db init with a postgresql:// URI: exit 0" test $? -eq 0
# shellcheck disable=SC2086
r merge --db "postgresql:///rev?host=$pgdir&user=ruhu" $rev >out 2>err
check "reverse order: exit 0" test $? -eq 0
pg_canon rev >rev.canon
nobundle rev.canon >rev.nb
nobundle fx.data >fx.nb
check "reverse order: the same content" cmp -s rev.nb fx.nb
diff fx.nb rev.nb | head -n 20 | sed 's/^/#   /'

# a corrupt bundle: refused before anything is written
pg_db cor
r db init --db "$(pg_url cor)" >/dev/null 2>&1
r merge --db "$(pg_url cor)" bundles/A1.bundle.gz >out 2>err
pg_canon cor >before.canon
head -c 3000 bundles/A2.bundle.gz >bad.bundle.gz
r merge --db "$(pg_url cor)" bad.bundle.gz >out 2>err
check "corrupt bundle: exit 1" test $? -eq 1
check "corrupt bundle: the message names it" has err "bad.bundle.gz"
pg_canon cor >after.canon
check "corrupt bundle: nothing written" cmp -s before.canon after.canon

# a bundle the server refuses half-way (a trigger fails on its comments,
# after its interviews, answers and events went in): nothing of it stays,
# and the next run finishes the job
pg_db flt
r db init --db "$(pg_url flt)" >/dev/null 2>&1
pgq flt "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'boom'; END \$\$;
  CREATE TRIGGER boom BEFORE INSERT ON comment FOR EACH ROW EXECUTE FUNCTION boom()"
set -- bundles/synth/*.bundle.gz
r merge --db "$(pg_url flt)" "$1" >out 2>err
pg_canon flt >before.canon
r merge --db "$(pg_url flt)" "$2" >out 2>err
check "bundle refused by the server half-way: exit 1" test $? -eq 1
check "... the server's reason is shown" has err "boom"
pg_canon flt >after.canon
check "... nothing of it written" cmp -s before.canon after.canon
pgq flt "DROP TRIGGER boom ON comment"
# shellcheck disable=SC2086
r merge --db "$(pg_url flt)" $order >out 2>err
check "merged again after the fault: exit 0" test $? -eq 0
pg_canon flt >flt.canon
check "... the same content as without the fault" cmp -s flt.canon fx.data

# a database of a newer ruhu is refused, and left alone
pgq team "UPDATE ruhu_schema SET version = 99"
r merge --db "$team" bundles/A1.bundle.gz >out 2>err
check "newer schema: merge exit 1" test $? -eq 1
check "newer schema: says so" has err "schema version 99 is newer than this ruhu supports (1): upgrade ruhu"
r db init --db "$team" >out 2>err
check "newer schema: db init exit 1" test $? -eq 1
eq "newer schema: left as it was" "$(pgq team "SELECT version FROM ruhu_schema")" 99

# a password in the connection string never shows
r merge --db "host=$pgdir user=ruhu dbname=nosuch password=s3cret-pw" bundles/A1.bundle.gz >out 2>err
check "no such database: exit 1" test $? -eq 1
check "... the message names the server" has err "postgresql:nosuch@$pgdir: cannot connect"
check "... and never the password" sh -c '! grep -q s3cret-pw out err'

echo "1..$n"
[ "$fails" -eq 0 ]
