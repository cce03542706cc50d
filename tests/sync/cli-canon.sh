#!/bin/sh
# The canonical content of merges, compared with a fixture made by the code
# before the store/sync split (issue 10; canon/make.sh says how it was made):
# the same bundles merged into a new team database, and the same return bundle
# imported into the same laptop database, must give byte-identical
# canon/canon.sql dumps. Then the merge properties on the same content:
# merging everything again changes nothing; merging in the reverse order gives
# the same content (the per-bundle counts in sync_bundle aside).
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

fx=$src/tests/sync/canon
canon() { sqlite3 -batch "$1" <"$fx/canon.sql"; }
# the dump without the sync_bundle section (its counts depend on the order)
nobundle() { awk '/^.== /{skip = ($0 ~ /sync_bundle/)} !skip' "$1"; }

cp -R "$fx/bundles" "$tmp/bundles"
cd "$tmp" || exit 1
order="bundles/synth/*.bundle.gz bundles/A1.bundle.gz bundles/A2.bundle.gz bundles/A3.bundle.gz bundles/B1.bundle.gz"
# shellcheck disable=SC2086
r merge --db team.db $order >out 2>err
check "merge: exit 0" test $? -eq 0
canon team.db >team.canon
check "team database: canonical content identical to the fixture" cmp -s team.canon "$fx/team.canon"
diff "$fx/team.canon" team.canon | head -n 20 | sed 's/^/#   /'

# shellcheck disable=SC2086
r merge --db team.db $order >out 2>err
check "merge again: exit 0" test $? -eq 0
canon team.db >again.canon
check "merge again: nothing changed" cmp -s again.canon "$fx/team.canon"

rev=$(for b in $order; do echo "$b"; done | sort -r | tr '\n' ' ')
# shellcheck disable=SC2086
r merge --db rev.db $rev >out 2>err
check "reverse order: exit 0" test $? -eq 0
canon rev.db >rev.canon
nobundle rev.canon >rev.nb
nobundle "$fx/team.canon" >fx.nb
check "reverse order: the same content" cmp -s rev.nb fx.nb
diff fx.nb rev.nb | head -n 20 | sed 's/^/#   /'

cp "$fx/device.db" device.db
r import --db device.db bundles/ret.bundle.gz >out 2>err
check "import: exit 0" test $? -eq 0
canon device.db >device.canon
check "laptop database after import: identical to the fixture" cmp -s device.canon "$fx/device.canon"
diff "$fx/device.canon" device.canon | head -n 20 | sed 's/^/#   /'

echo "1..$n"
[ "$fails" -eq 0 ]
