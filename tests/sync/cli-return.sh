#!/bin/sh
# Return bundles end to end: the laptop's interviews reach the team leader,
# who rejects one with a comment (`ruhu review`) and approves another; `ruhu
# export --for DEVICE` writes the return bundle; `ruhu import` on the laptop
# brings the rejected interview back with the comment (status rejected, to be
# reopened by the enumerator) and the device's assignments; importing again
# is a no-op; a corrupted or truncated return bundle, and one for another
# device, are refused with the laptop's database unchanged. The enumerator's
# fix then travels back and the team database holds it. English and Chinese
# messages; outcomes checked with sqlite3.
#
# $1: the edit_interview helper (reopen + answer + complete through the
# store, as the enumerator's screens do).
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
edit=${1:?usage: cli-return.sh EDIT_INTERVIEW}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
cases=$src/tests/forms/cases
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\nQS-SM02-002,qs,qs_sm,qs_sm_02,jiance,马文学,张敏,\n' "$hdr" >"$tmp/a.csv"
r assign --db "$tmp/A.db" "$tmp/a.csv" >/dev/null 2>&1
r fill "$form" --answers "$cases/household-tuopin-ok.answers.csv" --db "$tmp/A.db" >/dev/null 2>&1
r fill "$form" --answers "$cases/household-jiance-problems.answers.csv" --db "$tmp/A.db" >/dev/null 2>&1
dev=$(q "$tmp/A.db" "SELECT value FROM meta WHERE key = 'device_id'")
u1=$(q "$tmp/A.db" "SELECT uuid FROM interview WHERE household_key = 'QS-SM01-002'")
u2=$(q "$tmp/A.db" "SELECT uuid FROM interview WHERE household_key = 'QS-SM02-002'")
check "laptop: two interviews" test -n "$u1" -a -n "$u2"
mkdir "$tmp/usb" "$tmp/back"
r export --db "$tmp/A.db" --out "$tmp/usb" >/dev/null 2>&1
{
	echo "$hdr"
	sed 1d "$tmp/a.csv" | sed "s/,\$/,$dev/"
	echo "QS-SM01-009,qs,qs_sm,qs_sm_01,tuopin,王芳,张敏,$dev"
	echo "QS-LQ01-003,qs,qs_lq,qs_lq_01,yiban,段红梅,周静,other-laptop"
} >"$tmp/team.csv"
r assign --db "$tmp/team.db" "$tmp/team.csv" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$tmp/usb/ruhu-$dev-000001.bundle.gz" >/dev/null 2>&1
check "team: merged" test "$(q "$tmp/team.db" "SELECT COUNT(*) FROM interview")" = 2

# review
comment='家庭人口与户籍人口不符，请核实 (hh_size)'
r review --db "$tmp/team.db" "$u1" --reject "$comment" --author 王组长 >"$tmp/out" 2>&1
check "review --reject: exit 0" test $? -eq 0
check "review --reject: message" hasline "$tmp/out" "$u1: rejected ($comment)"
"$bin" --lang zh review --db "$tmp/team.db" "$u2" --approve >"$tmp/out" 2>&1
check "review --approve in Chinese" hasline "$tmp/out" "$u2：已通过"
eq "team: statuses" "$(q "$tmp/team.db" "SELECT household_key, status, review_comment FROM interview ORDER BY 1" | tr '\n' ';')" \
	"QS-SM01-002|rejected|$comment;QS-SM02-002|approved|;"
eq "team: the review events" "$(q "$tmp/team.db" "SELECT interview, old_value, new_value, extra FROM event WHERE kind = 'review' ORDER BY seq" | tr '\n' ';')" \
	"$u1|completed|rejected|$comment;$u2|completed|approved|;"
eq "team: the comment row by its author" "$(q "$tmp/team.db" "SELECT interview, path, author, text FROM comment")" "$u1||王组长|$comment"
r review --db "$tmp/team.db" "$u1" --reject "" >/dev/null 2>"$tmp/err"
check "an empty rejection: usage exit 2" test $? -eq 2
check "an empty rejection: message" hasline "$tmp/err" "ruhu: a rejection needs a reason (--reason is empty)"
r review --db "$tmp/team.db" "$u1" >/dev/null 2>"$tmp/err"
check "no verdict: usage exit 2" test $? -eq 2
r review --db "$tmp/team.db" "$u1" --approve --reject x >/dev/null 2>"$tmp/err"
check "two verdicts: usage exit 2" test $? -eq 2
r review --db "$tmp/team.db" 00000000-0000-4000-8000-000000000000 --approve >/dev/null 2>"$tmp/err"
check "unknown interview: exit 1" test $? -eq 1
check "unknown interview: names the database" has "$tmp/err" "ruhu: $tmp/team.db"
st=$(q "$tmp/team.db" "SELECT status FROM interview WHERE uuid = '$u1'")
eq "refused reviews change nothing" "$st" rejected
r status --db "$tmp/team.db" >"$tmp/out" 2>&1
check "team status: one approved, one rejected" hasline "$tmp/out" "$(printf '  %-34s %8s %8s %9s %8s %8s %6s' "all households" 4 2 1 1 1 0)"

# the return bundle
r export --db "$tmp/team.db" --for "$dev" --out "$tmp/back" >"$tmp/out" 2>&1
check "export --for: exit 0" test $? -eq 0
ret=$tmp/back/ruhu-return-$dev-000001.bundle.gz
check "export --for: names the file, counts" hasline "$tmp/out" "$ret: 3 assignments, 1 interviews sent back"
check "return bundle: zcat reads it" sh -c "zcat '$ret' | grep -qx 'kind,return'"

# corrupted, truncated, someone else's: refused, laptop unchanged
dump "$tmp/A.db" >"$tmp/before"
size=$(wc -c <"$ret")
cp "$ret" "$tmp/bad.gz"
# the byte in the middle, inverted (the bundle differs at every run: random uuids)
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$ret" | tr -d ' ')
printf "\\$(printf '%03o' $((255 - byte)))" | dd of="$tmp/bad.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
eq "one byte changed" "$(cmp -l "$ret" "$tmp/bad.gz" | wc -l)" 1
r import --db "$tmp/A.db" "$tmp/bad.gz" >"$tmp/out" 2>"$tmp/err"
check "corrupted: exit 1" test $? -eq 1
check "corrupted: refused by name" has "$tmp/err" "ruhu: $tmp/bad.gz"
check "corrupted: summary" hasline "$tmp/out" "total: 0 bundles merged, 0 already merged, 1 refused; interviews new 0 / updated 0 / unchanged 0; conflicts 0; duplicates 0"
dump "$tmp/A.db" >"$tmp/after"
check "corrupted: the laptop's database unchanged" cmp -s "$tmp/before" "$tmp/after"
head -c $((size - 9)) "$ret" >"$tmp/short.gz"
r import --db "$tmp/A.db" "$tmp/short.gz" >/dev/null 2>"$tmp/err"
check "truncated: exit 1" test $? -eq 1
check "truncated: refused by name" has "$tmp/err" "ruhu: $tmp/short.gz"
"$bin" --lang zh import --db "$tmp/A.db" "$tmp/bad.gz" >"$tmp/out" 2>"$tmp/err"
check "corrupted in Chinese: exit 1" test $? -eq 1
check "corrupted in Chinese: summary" hasline "$tmp/out" "合计：0 个数据包已合并，0 个已合并过，1 个被拒绝；访谈 新 0 / 更新 0 / 未变 0；冲突 0；重复 0"
r assign --db "$tmp/B.db" "$tmp/a.csv" >/dev/null 2>&1
devB=$(q "$tmp/B.db" "SELECT value FROM meta WHERE key = 'device_id'")
dump "$tmp/B.db" >"$tmp/beforeB"
r import --db "$tmp/B.db" "$ret" >/dev/null 2>"$tmp/err"
check "another laptop's return bundle: exit 1" test $? -eq 1
check "another laptop's return bundle: message" has "$tmp/err" "bundle is for device '$dev', not this device '$devB'"
dump "$tmp/B.db" >"$tmp/afterB"
check "another laptop's return bundle: its database unchanged" cmp -s "$tmp/beforeB" "$tmp/afterB"
dump "$tmp/A.db" >"$tmp/after"
check "after every refusal: the laptop's database unchanged" cmp -s "$tmp/before" "$tmp/after"

# the real import
r import --db "$tmp/A.db" "$ret" >"$tmp/out" 2>"$tmp/err"
check "import: exit 0" test $? -eq 0
check "import: one interview updated" has "$tmp/out" "$ret: 0 new, 1 updated, 0 unchanged interviews, 0 conflicts, 0 duplicates,"
check "import: assignments" hasline "$tmp/out" "assignments: 3 households"
check "import: lists what came back to redo" hasline "$tmp/out" "interviews sent back to redo: 1"
check "import: the household, interview and comment" hasline "$tmp/out" "  QS-SM01-002  $u1  $comment"
eq "laptop: the interview is back, rejected, with the comment" \
	"$(q "$tmp/A.db" "SELECT status, review_comment FROM interview WHERE uuid = '$u1'")" "rejected|$comment"
eq "laptop: the team leader's comment row" "$(q "$tmp/A.db" "SELECT author, text FROM comment WHERE interview = '$u1'")" "王组长|$comment"
eq "laptop: the approved one was not sent back" "$(q "$tmp/A.db" "SELECT status FROM interview WHERE uuid = '$u2'")" completed
eq "laptop: the new household assigned to this device" \
	"$(q "$tmp/A.db" "SELECT household_key, device FROM assignment WHERE household_key = 'QS-SM01-009'")" "QS-SM01-009|$dev"
eq "laptop: no household of another laptop" "$(q "$tmp/A.db" "SELECT COUNT(*) FROM assignment WHERE household_key = 'QS-LQ01-003'")" 0
eq "laptop: answers unchanged by the return" "$(q "$tmp/A.db" "SELECT COUNT(*) FROM answer WHERE interview = '$u1'")" \
	"$(q "$tmp/team.db" "SELECT COUNT(*) FROM answer WHERE interview = '$u1'")"
r status --db "$tmp/A.db" >"$tmp/out" 2>&1
check "laptop status: 3 assigned, 1 rejected" hasline "$tmp/out" "$(printf '  %-34s %8s %8s %9s %8s %8s %6s' "all households" 3 2 1 0 1 0)"

dump "$tmp/A.db" >"$tmp/once"
r import --db "$tmp/A.db" "$ret" >"$tmp/out" 2>&1
check "import again: exit 0" test $? -eq 0
check "import again: already merged" hasline "$tmp/out" "$ret: already merged, nothing changed"
dump "$tmp/A.db" >"$tmp/twice"
check "import again: the database is byte-identical" cmp -s "$tmp/once" "$tmp/twice"
"$bin" --lang zh import --db "$tmp/A.db" "$ret" >"$tmp/out" 2>&1
check "import again in Chinese" hasline "$tmp/out" "$ret：已合并过，未做更改"
check "import again in Chinese: still to redo" hasline "$tmp/out" "退回待修改的访谈：1 个"
r import --db "$tmp/none.db" "$ret" >"$tmp/out" 2>"$tmp/err"
check "import into a missing database: exit 1" test $? -eq 1
eq "import into a missing database: one message" "$(wc -l <"$tmp/err")" 1
check "import into a missing database: not created" test ! -e "$tmp/none.db"

# the enumerator reopens and fixes it; it goes back and is in the team database
# (a fix the form allows: merge validates every interview against its form,
# and a new hh_size would ask for more household members than were answered)
"$edit" "$tmp/A.db" "$u1" resp_name 李秀英
check "laptop: reopened, fixed and completed" test $? -eq 0
r export --db "$tmp/A.db" --out "$tmp/usb" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$tmp/usb/ruhu-$dev-000002.bundle.gz" >"$tmp/out" 2>&1
check "team: the fix merges as an update" hasline "$tmp/out" "total: 1 bundles merged, 0 already merged, 0 refused; interviews new 0 / updated 1 / unchanged 0; conflicts 0; duplicates 0"
eq "team: the fixed interview is completed again with the new answer" \
	"$(q "$tmp/team.db" "SELECT status, value FROM interview JOIN answer ON interview = uuid WHERE uuid = '$u1' AND path = 'resp_name'")" "completed|李秀英"
r import --db "$tmp/A.db" "$ret" >"$tmp/out" 2>&1
check "laptop: nothing left to redo after the fix" sh -c "! grep -q 'sent back to redo' '$tmp/out'"
eq "team: revisions agree" "$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$u1'")" \
	"$(q "$tmp/A.db" "SELECT revision FROM interview WHERE uuid = '$u1'")"

echo "1..$n"
[ "$fails" -eq 0 ]
