#!/bin/sh
# In English at 80x24: the reject loop reaches the enumerator's screens. A
# laptop's interview is merged, rejected by the team leader with a comment
# on the question resp_name (`ruhu review --reject --question --comment`),
# sent back in the return bundle and imported; in `ruhu collect` the
# assignments list shows it rejected with the reason; opening it reopens it
# (status in_progress, a `reopen` event) and the question resp_name shows
# the team leader's note; a question without a note shows none.
. "$(dirname "$0")/lib.sh"

R() { "$RUHU_BIN" --lang en "$@"; }
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\n' "$hdr" >"$TMP/a.csv"
R assign --db "$DB" "$TMP/a.csv" >/dev/null
R fill "$FORMS/household.csv" --answers "$RUHU_SOURCE/tests/forms/cases/household-tuopin-ok.answers.csv" \
	--db "$DB" >/dev/null
dev=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'device_id'")
uuid=$(sqlite3 "$DB" "SELECT uuid FROM interview")
mkdir "$TMP/usb" "$TMP/back"
R export --db "$DB" --out "$TMP/usb" >/dev/null
sed "s/,\$/,$dev/" "$TMP/a.csv" >"$TMP/team.csv"
R assign --db "$TMP/team.db" "$TMP/team.csv" >/dev/null
R merge --db "$TMP/team.db" "$TMP/usb/"*.bundle.gz >/dev/null
R review --db "$TMP/team.db" --reject "$uuid" --reason "check the respondent" \
	--question resp_name --comment "spell it as on the ID card" --author Wang >/dev/null
R export --db "$TMP/team.db" --for "$dev" --out "$TMP/back" >/dev/null
R import --db "$DB" "$TMP/back/"*.bundle.gz >/dev/null
[ "$(sqlite3 "$DB" "SELECT status FROM interview")" = rejected ] || fail "not rejected after import"

start_ui 80 24 en --db "$DB"
wait_for "enumerator id"
text "zm"
keys Enter
wait_for "QS-SM01-002"
wait_for "team leader: check the respondent"
keys Enter
wait_for "[id_intro]"
screen | grep -q "team leader's note" && fail "a note on a question without one"
# Enter walks to resp_name (the 14th question), each answer kept
i=0
while ! screen | grep -qF "[resp_name]"; do
	i=$((i + 1))
	[ $i -lt 20 ] || fail "resp_name not reached"
	old=$(cur_path)
	keys Enter
	wait_path_change "$old" || fail "Enter did not move on from $old"
done
wait_for "team leader's note: spell it as on the ID card (Wang)"
[ "$(sqlite3 "$DB" "SELECT status FROM interview")" = in_progress ] || fail "not reopened"
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM event WHERE kind = 'reopen'")" = 1 ] || fail "no reopen event"
keys F10
echo "ok - the rejected interview reopens with the team leader's note on its question"
