#!/bin/sh
# `ruhu db copy --from A --to B` between SQLite and PostgreSQL (issue 19):
# SQLite -> PostgreSQL -> SQLite gives the same canonical content (schema
# included: the copy keeps the device id, so the database's own events stay
# its own); a copy continues like the original (the same bundles merged
# afterwards into the original and into the copy give the same content, and
# bundles merged before are known as merged); a target that holds data is
# refused and left alone.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
. "$src/tests/pg/lib.sh"
pg_start

canon() { sqlite3 -batch "$1" <"$src/tests/sync/canon/canon.sql"; }
cp -R "$src/tests/sync/canon/bundles" "$tmp/bundles"
cd "$tmp" || exit 1
first="bundles/synth/*.bundle.gz bundles/A1.bundle.gz"
rest="bundles/A2.bundle.gz bundles/A3.bundle.gz bundles/B1.bundle.gz"

# shellcheck disable=SC2086
r merge --db a.db $first >/dev/null 2>&1
pg_db p
r db copy --from a.db --to "$(pg_url p)" >out 2>err
check "SQLite -> PostgreSQL: exit 0" test $? -eq 0
check "... says what was copied" has out "copied: a.db -> postgresql:p@$pgdir"
sqlite_canon_data a.db >a.data
pg_canon p >p.data
check "... the same canonical content" cmp -s a.data p.data
diff a.data p.data | head -n 10 | sed 's/^/#   /'
r db copy --from "$(pg_url p)" --to c.db >out 2>err
check "PostgreSQL -> SQLite: exit 0" test $? -eq 0
canon a.db >a.canon
canon c.db >c.canon
check "round trip SQLite -> PostgreSQL -> SQLite: the same canonical content" cmp -s a.canon c.canon
diff a.canon c.canon | head -n 10 | sed 's/^/#   /'

# the copies go on like the original
# shellcheck disable=SC2086
r merge --db a.db $rest >/dev/null 2>&1
# shellcheck disable=SC2086
r merge --db "$(pg_url p)" $first $rest >out 2>err
check "merging into the PostgreSQL copy: exit 0" test $? -eq 0
check "... the bundles of the original are known as merged" has out "total: 3 bundles merged, 3 already merged, 0 refused"
# shellcheck disable=SC2086
r merge --db c.db $rest >/dev/null 2>&1
sqlite_canon_data a.db >a.data
pg_canon p >p.data
check "... the same content as the original after the same merges" cmp -s a.data p.data
canon a.db >a.canon
canon c.db >c.canon
check "the SQLite copy too" cmp -s a.canon c.canon

# a team database merged on the server, copied to a laptop
pg_db m
r db init --db "$(pg_url m)" >/dev/null 2>&1
# shellcheck disable=SC2086
r merge --db "$(pg_url m)" $first $rest >/dev/null 2>&1
r db copy --from "$(pg_url m)" --to m.db >out 2>err
check "a server database to a laptop: exit 0" test $? -eq 0
pg_canon m >m.pg
sqlite_canon_data m.db >m.sq
check "... the same canonical content" cmp -s m.pg m.sq

# a target with data is refused and left alone
r db copy --from a.db --to "$(pg_url m)" >out 2>err
check "copy into a PostgreSQL database with data: exit 1" test $? -eq 1
check "... says why" has err "the target database holds data"
pg_canon m >m2.pg
check "... and it is unchanged" cmp -s m.pg m2.pg
r db copy --from "$(pg_url m)" --to a.db >out 2>err
check "copy into a SQLite database with data: exit 1" test $? -eq 1
canon a.db >a2.canon
check "... and it is unchanged" cmp -s a.canon a2.canon
r db copy --from nosuch.db --to x.db >out 2>err
check "a missing source: exit 1" test $? -eq 1

echo "1..$n"
[ "$fails" -eq 0 ]
