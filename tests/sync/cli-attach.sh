#!/bin/sh
# Issue 12: a form's attached files travel with it. A form with an attached
# village list goes `ruhu fill --db` -> `ruhu export` (a format 2 bundle with a
# form_files section) -> `ruhu merge` into a team database, which stores the
# list with the form (same hash, same bytes) and checks the interview against
# the form loaded with it; the team's return bundle carries it back and
# imports; a form without files still makes a format 1 bundle.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

mkdir "$tmp/f"
cat >"$tmp/f/survey.csv" <<'CSV'
survey,type,name,label,choice_filter
,select_one counties,county,County,
,select_one_from_file villages.csv,village,Village,county = ${county}
choices,list_name,name,label,
,counties,qs,Qingshan County,
,counties,bs,Baishui County,
settings,form_id,version,,
,vil,1,,
CSV
printf 'name,label,county\nqs01,Shimen,qs\nqs02,Yanjiao,qs\nbs01,Hekou,bs\n' >"$tmp/f/villages.csv"
vsha=$(sha256sum <"$tmp/f/villages.csv" | cut -c1-64)
printf 'field,value\ncounty,qs\nvillage,qs01\n' >"$tmp/good.csv"

r fill "$tmp/f/survey.csv" --answers "$tmp/good.csv" --db "$tmp/A.db" >"$tmp/out" 2>"$tmp/err"
check "fill --db: exit 0" test $? -eq 0
eq "fill --db: the list is stored with the form" "$(q "$tmp/A.db" "SELECT name, sha256 FROM form_file")" "villages.csv|$vsha"
hash=$(q "$tmp/A.db" "SELECT hash FROM form")

mkdir "$tmp/usb" "$tmp/back" "$tmp/usb-b"
r export --db "$tmp/A.db" --out "$tmp/usb" >"$tmp/out" 2>"$tmp/err"
check "export: exit 0" test $? -eq 0
b=$(ls "$tmp"/usb/ruhu-*.bundle.gz)
check "export: a format 2 bundle" sh -c "zcat '$b' | head -n 1 | grep -qx 'ruhu-bundle,2'"
check "export: the form_files section" sh -c "zcat '$b' | grep -q '^section,form_files,1,'"

r merge --db "$tmp/team.db" "$b" >"$tmp/out" 2>"$tmp/err"
check "merge: exit 0" test $? -eq 0
check "merge: the interview is new" has "$tmp/out" "interviews new 1"
eq "merge: the form, same hash" "$(q "$tmp/team.db" "SELECT hash FROM form")" "$hash"
eq "merge: its list, same bytes" "$(q "$tmp/team.db" "SELECT name, sha256, length(data) FROM form_file")" "villages.csv|$vsha|$(wc -c <"$tmp/f/villages.csv" | tr -d ' ')"
eq "merge: the village answer" "$(q "$tmp/team.db" "SELECT value FROM answer WHERE path = 'village'")" "qs01"

# the return bundle carries the form and its list back
dev=$(q "$tmp/A.db" "SELECT value FROM meta WHERE key = 'device_id'")
printf 'household_key,county,township,village,household_type,head_name,enumerator,device\nHH9,qs,t,v,tuopin,n,e1,%s\n' "$dev" >"$tmp/s.csv"
r assign --db "$tmp/team.db" "$tmp/s.csv" >/dev/null 2>&1
r export --db "$tmp/team.db" --for "$dev" --out "$tmp/back" >"$tmp/out" 2>"$tmp/err"
check "export --for: exit 0" test $? -eq 0
rb=$(ls "$tmp"/back/ruhu-return-*.bundle.gz)
check "export --for: the form_files section" sh -c "zcat '$rb' | grep -q '^section,form_files,1,'"
r import --db "$tmp/A.db" "$rb" >"$tmp/out" 2>"$tmp/err"
check "import: exit 0" test $? -eq 0
eq "import: still one list" "$(q "$tmp/A.db" "SELECT count(*) FROM form_file")" "1"

# a form without attached files: format 1, as before
printf 'survey,type,name,label\n,integer,age,Age\n' >"$tmp/f/plain.csv"
printf 'field,value\nage,5\n' >"$tmp/plain-ans.csv"
r fill "$tmp/f/plain.csv" --answers "$tmp/plain-ans.csv" --db "$tmp/B.db" >/dev/null 2>&1
r export --db "$tmp/B.db" --out "$tmp/usb-b" >/dev/null 2>&1
pb=$(ls "$tmp"/usb-b/ruhu-*.bundle.gz)
check "no files: a format 1 bundle" sh -c "zcat '$pb' | head -n 1 | grep -qx 'ruhu-bundle,1'"
check "no files: no form_files section" sh -c "! zcat '$pb' | grep -q '^section,form_files'"
eq "no files: the form's hash is its source's" "$(q "$tmp/B.db" "SELECT hash FROM form")" "$(sha256sum <"$tmp/f/plain.csv" | cut -c1-64)"
r merge --db "$tmp/team.db" "$pb" >"$tmp/out" 2>"$tmp/err"
check "no files: merge exit 0" test $? -eq 0

echo "1..$n"
[ "$fails" -eq 0 ]
