#!/bin/sh
# End-to-end tests of the team leader's night through the real program:
# ruhu synth (deterministic), assign (bad file refused whole), merge (summary,
# "already merged", a corrupted bundle refused with exit 1 while the others
# merge, nothing written by a refused one), status, conflicts, export
# (incremental: "nothing to export"), zcat readability, usage errors, and the
# Chinese messages.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

count() { sqlite3 "$1" "$2"; }

form=$src/forms/household.csv

# synth: deterministic for a seed
r synth "$form" --households 30 --devices 3 --seed 5 --out "$tmp/a" >"$tmp/out" 2>"$tmp/err"
check "synth exits 0" test $? -eq 0
check "synth reports 3 bundles of 30 interviews" has "$tmp/out" "3 bundles: 30 interviews (30 completed)"
r synth "$form" --households 30 --devices 3 --seed 5 --out "$tmp/b" >/dev/null 2>&1
check "same seed gives identical bundles" diff -r "$tmp/a" "$tmp/b"
r synth "$form" --households 30 --devices 3 --seed 6 --out "$tmp/c" >/dev/null 2>&1
check "another seed gives other bundles" sh -c "! diff -rq '$tmp/a' '$tmp/c' >/dev/null"
first=$(ls "$tmp"/a/ruhu-*.bundle.gz | head -n 1)
# format 2: the household form's attached lists (townships.csv, villages.csv) travel with it
check "zcat reads a bundle" sh -c "zcat '$first' | head -n 1 | grep -qx 'ruhu-bundle,2'"
check "the bundle carries the attached village list" sh -c "zcat '$first' | grep -q '^[0-9a-f]\{64\},villages.csv,[0-9a-f]\{64\},'"

# assign: a bad row refuses the whole file
cp "$tmp/a/sample.csv" "$tmp/bad.csv"
printf ',x,y,z,tuopin,n,e,d\n' >>"$tmp/bad.csv"
r assign --db "$tmp/team.db" "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "bad sample exits 1" test $? -eq 1
check "bad sample names the row" has "$tmp/err" "$tmp/bad.csv:32: error: empty household_key"
check "bad sample loads nothing" test ! -e "$tmp/team.db"
r assign --db "$tmp/team.db" "$tmp/a/sample.csv" >"$tmp/out" 2>"$tmp/err"
check "good sample loads 30" has "$tmp/out" "30 households loaded"

# merge, re-merge
r merge --db "$tmp/team.db" "$tmp"/a/ruhu-*.bundle.gz >"$tmp/out" 2>"$tmp/err"
check "merge exits 0" test $? -eq 0
check "merge summary" has "$tmp/out" "total: 3 bundles merged, 0 already merged, 0 refused; interviews new 30 / updated 0 / unchanged 0; conflicts 0; duplicates 0"
answers=$(count "$tmp/team.db" "SELECT COUNT(*) FROM answer")
r merge --db "$tmp/team.db" "$tmp"/a/ruhu-*.bundle.gz >"$tmp/out" 2>"$tmp/err"
check "re-merge exits 0" test $? -eq 0
check "re-merge says already merged" has "$tmp/out" "already merged, nothing changed"
check "re-merge changes nothing" test "$(count "$tmp/team.db" "SELECT COUNT(*) FROM answer")" = "$answers"

# a corrupted bundle beside a good one: exit 1, the good one merges
good=$(ls "$tmp"/c/ruhu-*.bundle.gz | head -n 1)
bad=$tmp/corrupt.bundle.gz
cp "$(ls "$tmp"/c/ruhu-*.bundle.gz | tail -n 1)" "$bad"
printf '\377' | dd of="$bad" bs=1 seek=500 conv=notrunc 2>/dev/null
before=$(count "$tmp/team.db" "SELECT COUNT(*) FROM interview")
r merge --db "$tmp/team.db" "$bad" "$good" >"$tmp/out" 2>"$tmp/err"
check "corrupt bundle: exit 1" test $? -eq 1
check "corrupt bundle: refusal names the file" has "$tmp/err" "ruhu: $bad"
check "corrupt bundle: the good one still merged" has "$tmp/out" "1 bundles merged, 0 already merged, 1 refused"
check "same households under other uuids are duplicates" has "$tmp/out" "0 conflicts, 10 duplicates"
check "corrupt bundle: its interviews are absent" test "$(count "$tmp/team.db" "SELECT COUNT(*) FROM interview")" -eq $((before + 10))
"$bin" --lang zh merge --db "$tmp/team.db" "$bad" >"$tmp/out" 2>"$tmp/err"
check "chinese refusal" sh -c "grep -q '字节' '$tmp/err'"
: >"$tmp/empty.gz"
r merge --db "$tmp/team.db" "$tmp/empty.gz" >"$tmp/out" 2>"$tmp/err"
check "empty file refused" has "$tmp/err" "$tmp/empty.gz: not a gzip file (byte 0)"

# status and conflicts
r status --db "$tmp/team.db" >"$tmp/out" 2>"$tmp/err"
check "status exits 0" test $? -eq 0
check "status total line (the other seed's households are duplicates)" sh -c "grep -E '^  all households +30 +30 +30 +0 +0 +10$' '$tmp/out' >/dev/null"
check "status shows each device" test "$(grep -c 'bundle 1 (written' "$tmp/out")" -eq 4
r conflicts --db "$tmp/team.db" >"$tmp/out" 2>"$tmp/err"
check "no conflicts" has "$tmp/out" "conflicts: 0 (0 unresolved)"
check "ten duplicate pairs" has "$tmp/out" "duplicates: 10 pairs"

# export: everything, then nothing
mkdir "$tmp/exp"
r export --db "$tmp/team.db" --out "$tmp/exp" >"$tmp/out" 2>"$tmp/err"
check "export writes a bundle" has "$tmp/out" ": 40 interviews,"
r export --db "$tmp/team.db" --out "$tmp/exp" >"$tmp/out" 2>"$tmp/err"
check "second export has nothing" has "$tmp/out" "nothing to export"
check "no temporary file left" test -z "$(ls -A "$tmp/exp" | grep '^\.')"
r merge --db "$tmp/team2.db" "$tmp"/exp/*.gz >"$tmp/out" 2>"$tmp/err"
check "team export merges into a new database" has "$tmp/out" "interviews new 40"
check "same answers after export and merge" test "$(count "$tmp/team2.db" "SELECT COUNT(*) FROM answer")" = "$(count "$tmp/team.db" "SELECT COUNT(*) FROM answer")"

# usage
r merge >/dev/null 2>"$tmp/err"
check "merge without arguments: exit 2" test $? -eq 2
r export --db "$tmp/team.db" >/dev/null 2>"$tmp/err"
check "export without --out: exit 2" test $? -eq 2
r import --db "$tmp/team.db" "$good" >"$tmp/out" 2>"$tmp/err"
check "import refuses a device bundle" has "$tmp/err" "this is a device bundle: merge it with \`ruhu merge\`"

echo "1..$n"
[ "$fails" -eq 0 ]
