#!/bin/sh
# The reject loop end to end, across real processes (issue 14): the
# laptop's interviews merge into the team database; `ruhu review --list`
# shows them (filtered by status, enumerator, village and audit finding);
# the team leader rejects one with a reason and a comment on a question
# (`--reject ID --reason TEXT --question PATH --comment TEXT`) and approves
# the other later; the return bundle brings the rejection and the comment
# back to the laptop, whose import names the question; the enumerator fixes
# it (reopen, answer, complete), exports, the team merges the fix with a
# higher revision and approves it. Nothing is lost: every answer, comment
# and review event is in both databases. Refused actions (an unknown
# question, an unknown interview among good ones) change nothing.
#
# $1: the edit_interview helper (reopen + answer + complete through the
# store, as the enumerator's screens do).
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
edit=${1:?usage: cli-review.sh EDIT_INTERVIEW}
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
sed "s/,\$/,$dev/" "$tmp/a.csv" >"$tmp/team.csv"
r assign --db "$tmp/team.db" "$tmp/team.csv" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$tmp/usb/ruhu-$dev-000001.bundle.gz" >/dev/null 2>&1
check "team: merged" test "$(q "$tmp/team.db" "SELECT COUNT(*) FROM interview")" = 2
answers1=$(q "$tmp/team.db" "SELECT COUNT(*) FROM answer WHERE interview = '$u1'")
rev0=$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$u1'")

# --list and its filters
r review --db "$tmp/team.db" --list >"$tmp/out" 2>&1
check "list: exit 0" test $? -eq 0
check "list: the first interview" grep -q "^$u1  QS-SM01-002 .* completed .* $rev0 .*张敏  qs_sm_01\$" "$tmp/out"
check "list: the second interview" grep -q "^$u2  QS-SM02-002 .* completed .*张敏  qs_sm_02\$" "$tmp/out"
check "list: the count" hasline "$tmp/out" "2 interviews"
r review --db "$tmp/team.db" --list --village qs_sm_02 >"$tmp/out" 2>&1
check "list --village: only that village" sh -c "grep -q '^$u2' '$tmp/out' && ! grep -q '^$u1' '$tmp/out'"
r review --db "$tmp/team.db" --list --enumerator nobody >"$tmp/out" 2>&1
check "list --enumerator: none" hasline "$tmp/out" "0 interviews"
r review --db "$tmp/team.db" --list --finding any >"$tmp/out" 2>&1
check "list --finding before any audit: none" hasline "$tmp/out" "0 interviews"
r audit --db "$tmp/team.db" --rules "$src/forms/checks.csv" >"$tmp/audit.out" 2>&1
check "audit: exit 0" test $? -eq 0
nf=$(q "$tmp/team.db" "SELECT COUNT(DISTINCT interview) FROM audit_finding WHERE interview IN ('$u1', '$u2')")
r review --db "$tmp/team.db" --list --finding any >"$tmp/out" 2>&1
check "list --finding any: the interviews with findings" hasline "$tmp/out" "$nf interviews"
rule=$(q "$tmp/team.db" "SELECT rule FROM audit_finding WHERE interview = '$u2' ORDER BY rule LIMIT 1")
r review --db "$tmp/team.db" --list --finding "$rule" >"$tmp/out" 2>&1
check "list --finding RULE: the interview with it ($rule)" grep -q "^$u2" "$tmp/out"
"$bin" --lang zh review --db "$tmp/team.db" --list >"$tmp/out" 2>&1
check "list in Chinese" hasline "$tmp/out" "共 2 个访谈"
r review --db "$tmp/team.db" --list --status done >/dev/null 2>"$tmp/err"
check "list --status unknown: usage exit 2" test $? -eq 2
check "list --status unknown: message" has "$tmp/err" "unknown status 'done'"

# refused: an unknown question, an unknown interview among good ones
dump "$tmp/team.db" >"$tmp/before"
r review --db "$tmp/team.db" --reject "$u1" --reason x --question no_such --comment y --author 王组长 >/dev/null 2>"$tmp/err"
check "unknown question: exit 1" test $? -eq 1
check "unknown question: message" has "$tmp/err" "the form has no question 'no_such' (--question)"
r review --db "$tmp/team.db" --approve "$u2" 00000000-0000-4000-8000-000000000000 >/dev/null 2>"$tmp/err"
check "an unknown interview among those approved: exit 1" test $? -eq 1
r review --db "$tmp/team.db" --reject "$u1" --reason x --question resp_name >/dev/null 2>&1
check "--question without --comment: usage exit 2" test $? -eq 2
r review --db "$tmp/team.db" --reject "$u1" --reason "" >/dev/null 2>"$tmp/err"
check "empty reason: usage exit 2" test $? -eq 2
dump "$tmp/team.db" >"$tmp/after"
check "refused actions change nothing" cmp -s "$tmp/before" "$tmp/after"

# reject with a comment on a question
reason='受访人姓名与户籍不符，请核实'
note='请核对身份证上的姓名'
r review --db "$tmp/team.db" --reject "$u1" --reason "$reason" --question resp_name --comment "$note" --author 王组长 >"$tmp/out" 2>&1
check "reject: exit 0" test $? -eq 0
check "reject: message" hasline "$tmp/out" "$u1: rejected ($reason)"
check "reject: the question comment" hasline "$tmp/out" "  resp_name: $note"
eq "team: status and reason" "$(q "$tmp/team.db" "SELECT status, review_comment FROM interview WHERE uuid = '$u1'")" "rejected|$reason"
eq "team: the comments by the reviewer" "$(q "$tmp/team.db" "SELECT ifnull(path, '-'), author, text FROM comment WHERE interview = '$u1' ORDER BY path IS NULL" | tr '\n' ';')" \
	"resp_name|王组长|$note;-|王组长|$reason;"
eq "team: the events carry who and when" "$(q "$tmp/team.db" "SELECT kind, actor, ifnull(path, '-'), time > 0 FROM event WHERE interview = '$u1' AND kind IN ('comment', 'review') ORDER BY seq" | tr '\n' ';')" \
	"comment|王组长|resp_name|1;review|王组长|-|1;"
rev1=$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$u1'")
check "team: the review raised the revision ($rev0 -> $rev1)" test "$rev1" -gt "$rev0"
r review --db "$tmp/team.db" --list --status rejected >"$tmp/out" 2>&1
check "list --status rejected: the rejected one" grep -q "^$u1" "$tmp/out"
check "list --status rejected: its reason" hasline "$tmp/out" "    reason: $reason"
check "list --status rejected: only it" hasline "$tmp/out" "1 interviews"

# back to the laptop
r export --db "$tmp/team.db" --for "$dev" --out "$tmp/back" >/dev/null 2>&1
ret=$tmp/back/ruhu-return-$dev-000001.bundle.gz
r import --db "$tmp/A.db" "$ret" >"$tmp/out" 2>&1
check "import: exit 0" test $? -eq 0
check "import: the interview to redo" hasline "$tmp/out" "  QS-SM01-002  $u1  $reason"
check "import: the comment on its question" hasline "$tmp/out" "    resp_name: $note (王组长)"
eq "laptop: rejected, with the reviewer's comments" \
	"$(q "$tmp/A.db" "SELECT status, revision FROM interview WHERE uuid = '$u1'")" "rejected|$rev1"
eq "laptop: the question comment" "$(q "$tmp/A.db" "SELECT author, text FROM comment WHERE interview = '$u1' AND path = 'resp_name'")" "王组长|$note"

# the enumerator fixes it; it travels back with a higher revision
"$edit" "$tmp/A.db" "$u1" resp_name 李秀英
check "laptop: reopened, fixed and completed" test $? -eq 0
r export --db "$tmp/A.db" --out "$tmp/usb" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$tmp/usb/ruhu-$dev-000002.bundle.gz" >"$tmp/out" 2>&1
check "team: the fix merges as an update" has "$tmp/out" "interviews new 0 / updated 1 / unchanged 0; conflicts 0"
rev2=$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$u1'")
check "team: higher revision after the fix ($rev1 -> $rev2)" test "$rev2" -gt "$rev1"
eq "team: completed again with the new answer" \
	"$(q "$tmp/team.db" "SELECT status, value FROM interview JOIN answer ON interview = uuid WHERE uuid = '$u1' AND path = 'resp_name'")" "completed|李秀英"
eq "team: no answer lost" "$(q "$tmp/team.db" "SELECT COUNT(*) FROM answer WHERE interview = '$u1'")" "$answers1"

# approve both at once
r review --db "$tmp/team.db" --approve "$u1" "$u2" --author 王组长 >"$tmp/out" 2>&1
check "approve two: exit 0" test $? -eq 0
check "approve two: the first" hasline "$tmp/out" "$u1: approved"
check "approve two: the second" hasline "$tmp/out" "$u2: approved"
eq "team: both approved" "$(q "$tmp/team.db" "SELECT status FROM interview ORDER BY household_key" | tr '\n' ';')" "approved;approved;"
rev3=$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$u1'")
check "team: approval raised the revision ($rev2 -> $rev3)" test "$rev3" -gt "$rev2"
eq "team: the review events of the first, in order" \
	"$(q "$tmp/team.db" "SELECT old_value, new_value, actor FROM event WHERE interview = '$u1' AND kind = 'review' ORDER BY time, seq" | tr '\n' ';')" \
	"completed|rejected|王组长;completed|approved|王组长;"
eq "team: every comment kept" "$(q "$tmp/team.db" "SELECT COUNT(*) FROM comment WHERE interview = '$u1'")" 2
eq "laptop and team agree on the events the laptop wrote" \
	"$(q "$tmp/A.db" "SELECT COUNT(*) FROM event WHERE interview = '$u1' AND device = '$dev'")" \
	"$(q "$tmp/team.db" "SELECT COUNT(*) FROM event WHERE interview = '$u1' AND device = '$dev'")"

echo "1..$n"
[ "$fails" -eq 0 ]
