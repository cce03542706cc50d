#!/bin/sh
# In English at 80x24, the review screens (`ruhu review --db TEAM.db` with no
# action) on a team database with two merged interviews and an audit run:
# the list shows both with their finding counts; ← → filter by village, F3
# by enumerator, Tab by status and F2 to interviews with findings; Enter
# opens one: its findings, its answers and its paradata timeline; F5 on
# the answer hh_size stores a comment on that question; F7 rejects with a
# reason; the list then shows it rejected with the reason. Outcomes checked
# with sqlite3: comment and review events by the reviewer, status, and
# nothing written for the other interview.
. "$(dirname "$0")/lib.sh"

R() { "$RUHU_BIN" --lang en "$@"; }
TEAM="$TMP/team.db"
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\nQS-SM02-002,qs,qs_sm,qs_sm_02,jiance,马文学,张敏,\n' "$hdr" >"$TMP/a.csv"
R assign --db "$DB" "$TMP/a.csv" >/dev/null
for c in household-tuopin-ok household-jiance-problems; do
	R fill "$FORMS/household.csv" --answers "$RUHU_SOURCE/tests/forms/cases/$c.answers.csv" \
		--db "$DB" >/dev/null
done
dev=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'device_id'")
u2=$(sqlite3 "$DB" "SELECT uuid FROM interview WHERE household_key = 'QS-SM02-002'")
mkdir "$TMP/usb"
R export --db "$DB" --out "$TMP/usb" >/dev/null
sed "s/,\$/,$dev/" "$TMP/a.csv" >"$TMP/team.csv"
R assign --db "$TEAM" "$TMP/team.csv" >/dev/null
R merge --db "$TEAM" "$TMP/usb/"*.bundle.gz >/dev/null
R audit --db "$TEAM" --rules "$FORMS/checks.csv" >/dev/null
nf=$(sqlite3 "$TEAM" "SELECT COUNT(*) FROM audit_finding WHERE interview = '$u2'")
[ "$nf" -gt 0 ] || fail "the audit found nothing in the problem household"

start_cmd 80 24 en review --db "$TEAM" --author Wang
wait_for "Review · interviews"
wait_for "QS-SM01-002"
wait_for "QS-SM02-002"
screen | grep -q "QS-SM02-002 .* [0-9]*/$nf " || fail "the finding count $nf is not shown"
keys Right
wait_for "village: qs_sm_01"
wait_gone "QS-SM02-002"
keys Right
wait_for "village: qs_sm_02"
wait_gone "QS-SM01-002"
keys Left Left
wait_for "village: all"
keys F3
wait_for "enumerator: 张敏"
wait_for "QS-SM01-002"
keys F3
wait_for "enumerator: all"
keys F2
wait_for "findings: any"
wait_gone "QS-SM01-002"
keys F2
wait_for "QS-SM01-002"
keys Tab Tab Tab Tab
wait_for "status: rejected"
wait_for "(no interview matches)"
keys Tab
wait_for "status: all"
keys Down Enter
wait_for "Review · interview"
wait_for "findings: $nf"
wait_for "house_unsafe"
wait_for "answers"
# down to the answer hh_size, shown as the F5 target
i=0
while ! screen | grep -qF "F5 comments on: hh_size"; do
	i=$((i + 1))
	[ $i -lt 120 ] || fail "hh_size not reached"
	keys Down
	sleep 0.05
done
keys F5
wait_for "Comment on: hh_size"
text "the register says 4"
keys Enter
wait_for "comment saved"
keys Down
wait_for "» Wang: the register says 4"
keys End
wait_for "complete in_progress→completed"
keys F7
wait_for "Reason for rejecting:"
text "recheck the household size"
keys Enter
wait_for " rejected"
keys End
wait_for "review completed→rejected (Wang)"
keys Home
wait_for "status rejected"
wait_for "reason: recheck the household size"
keys Escape
wait_for "Review · interviews"
keys Down
wait_for "reason: recheck the household size"
keys F10
wait_for "EXITED-0"

[ "$(sqlite3 "$TEAM" "SELECT status, review_comment FROM interview WHERE uuid = '$u2'")" = "rejected|recheck the household size" ] ||
	fail "not rejected with the reason"
[ "$(sqlite3 "$TEAM" "SELECT author, text FROM comment WHERE interview = '$u2' AND path = 'hh_size'")" = "Wang|the register says 4" ] ||
	fail "no comment on hh_size"
[ "$(sqlite3 "$TEAM" "SELECT kind, actor FROM event WHERE interview = '$u2' AND kind IN ('comment', 'review') ORDER BY seq" | tr '\n' ';')" = "comment|Wang;review|Wang;" ] ||
	fail "the events do not name the reviewer"
[ "$(sqlite3 "$TEAM" "SELECT COUNT(*) FROM interview WHERE status = 'completed'")" = 1 ] ||
	fail "the other interview changed"
echo "ok - review screens: list, filters, open, comment, reject"
