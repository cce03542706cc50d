#!/bin/sh
# In English at 200x60, with a small form of the tests (tests/ui/roster.csv:
# a roster without repeat_count): add three members through the roster
# screen, fail and correct an age constraint, delete a member (with its
# confirmation), leave the roster; then kill -9 the program in the middle of
# a question, start it again and check that it resumes at the same question
# with every answer; finish, review and complete.
. "$(dirname "$0")/lib.sh"

FORM="$RUHU_SOURCE/tests/ui/roster.csv"

start_ui 200 60 en --db "$DB" --form "$FORM"
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "+ new interview"
keys Home Enter
wait_for "[village_name]"
text "Hillside"
keys Enter
wait_for "People of the household · roster"
wait_for "+ add a member"

# member: NAME AGE SEXNUMBER, added from the roster screen
member() {
	keys End Up Enter
	wait_for "/p_name]"
	text "$1"
	keys Enter
	wait_for "/p_age]"
	text "$2"
	keys Enter
	wait_for "/p_sex]"
	keys "$3" Enter
	wait_for "People of the household · roster"
}

keys End Up Enter
wait_for "[people[1]/p_name]"
text "Wang"
keys Enter
wait_for "[people[1]/p_age]"
wait_for "whole number, range 0 – 120"
# a number field refuses letters
text "ab"
wait_for "only a whole number here"
screen | grep -q "^  > *$" || fail "letters got into a number field"
text 150
keys Enter
wait_for "age must be 0 to 120"
[ "$(cur_path)" = "people[1]/p_age" ] || fail "moved on after a failed constraint"
keys C-u
text 45
keys Enter
wait_for "[people[1]/p_sex]"
keys 1 Enter
wait_for "1. Wang · 45 · Male"
member Li 30 2
wait_for "2. Li · 30 · Female"
member Zhao 5 1
wait_for "3. Zhao · 5 · Male"

# move Zhao up (F6) and back down (Esc 7, as over SSH)
keys End Up Up F6
wait_for "2. Zhao · 5 · Male"
wait_for "3. Li · 30 · Female"
[ "$(sql "select value from answer where path='people[2]/p_name'")" = Zhao ] ||
	fail "the move was not stored"
keys Escape 7
wait_for "2. Li · 30 · Female"
wait_for "3. Zhao · 5 · Male"

# delete Li: Del asks first, and "no" is the default
keys Home Down DC
wait_for "delete this member and all of their answers?"
keys Enter
wait_gone "delete this member"
wait_for "2. Li · 30 · Female"
keys DC
wait_for "delete this member and all of their answers?"
keys y
wait_for "2. Zhao · 5 · Male"
screen | grep -q "Li · 30" && fail "Li is still listed"
[ "$(sql "select count(*) from answer where path like 'people[3]%'")" = 0 ] ||
	fail "a third member is still stored"

# done: on to the date, then start the multiple choice and get killed
keys End Enter
wait_for "[visit_date]"
# the review shows what blocks completion and refuses to complete; Enter on
# the problem jumps to it
keys F3
wait_for "problems that block completion: 1"
wait_for "Visit date: —"
wait_for "this question is required"
keys Home Enter
wait_for "cannot complete yet: 1 problems left"
keys End Up Up Up
keys Enter
wait_for "[visit_date]"
# another program holds the database: the answer is refused with the store's
# message, the question stays, nothing is shown as saved; once the lock is
# gone the same Enter saves it. The lock is held until the test lets it go
# (through a FIFO), never for a fixed time: on a loaded machine a timed lock
# could end before the UI's write and its 5 s busy wait.
mkfifo "$TMP/lock"
sqlite3 "$DB" <"$TMP/lock" >/dev/null &
lockpid=$!
exec 9>"$TMP/lock"
printf 'begin exclusive;\n' >&9
k=0
while sqlite3 -cmd ".timeout 0" "$DB" "begin immediate; rollback;" >/dev/null 2>&1; do
	k=$((k + 1))
	[ $k -lt 200 ] || fail "the other program never took the lock"
	sleep 0.05
done
text 2026-11-20
keys Enter
wait_for "database is locked by another program" 20
[ "$(cur_path)" = visit_date ] || fail "moved on although the answer was not saved"
keys End
wait_gone "database is locked"
screen | grep -qF "saved" && fail "'saved' shown for an answer that was not"
printf 'commit;\n' >&9
exec 9>&-
wait $lockpid
keys Enter
wait_for "[goods]"
wait_for "saved"
keys 1
wait_for "[x] 1. Television"
kill9

# again: the enumerator is remembered, the interview is listed and resumes
start_ui 200 60 en --db "$DB"
wait_for "enumerator id"
wait_for "enum-1"
keys Enter
wait_for "not sampled"
wait_for "in progress"
# listed by the form's instance_name (evaluated over the stored answers),
# not by the start of its UUID
wait_for "Vil. Hillside"
u8=$(sql "select substr(uuid, 1, 8) from interview")
screen | grep -qF "($u8)" && fail "listed by its UUID"
keys Enter
wait_for "[goods]"
# the unconfirmed tick was never saved; every confirmed answer is there
screen | grep -qF "[x] 1. Television" && fail "an unconfirmed tick came back"
# the keys that work where function keys do not: Ctrl-R reviews, Esc then s
# (as Alt-s sends it) opens the sections, Ctrl-G the help
keys C-r
wait_for "Review"
wait_for "Village name: Hillside"
wait_for "Name: Wang"
wait_for "Age: 45"
wait_for "Name: Zhao"
wait_for "Visit date: 2026-11-20"
keys Escape Escape
wait_for "[goods]"
keys M-s
wait_for "Sections"
wait_for "People of the household #2"
keys Escape Escape
wait_for "[goods]"
keys Escape s
wait_for "Sections"
keys Escape Escape
wait_for "[goods]"
keys C-g
wait_for "Keys (each command three ways"
keys Escape Escape
wait_for "[goods]"
keys 1 3 Enter
# a time: digits only, the colon comes by itself, nothing past HH:MM; an
# impossible time is refused by the engine
wait_for "[visit_time]"
wait_for "format HH:MM (24 hours)"
text "9x"
wait_for "only HH:MM here"
keys C-u
text 2561
wait_for "> 25:61"
text 7
wait_for "only HH:MM here"
keys Enter
wait_for "[visit_time]"
screen | grep -q "[0-9] saved" && fail "'saved' after a refused time"
[ "$(cur_path)" = visit_time ] || fail "moved on after an impossible time"
keys C-u
text 0930
wait_for "> 09:30"
keys Enter
# a dateTime: shown and typed as YYYY-MM-DD HH:MM, stored with the T
wait_for "[next_visit]"
wait_for "format YYYY-MM-DD HH:MM"
text 202611281430
wait_for "> 2026-11-28 14:30"
text 1
wait_for "only YYYY-MM-DD HH:MM here"
keys Enter
wait_for "Thanks to Hillside for their time"
keys PgUp
wait_for "[next_visit]"
wait_for "> 2026-11-28 14:30"
keys Enter
wait_for "Thanks to Hillside for their time"
keys Enter
wait_for "You have reached the end of the interview"
keys Enter
wait_for "no problems: the interview can be completed"
keys Home Enter
wait_for "complete this interview?"
keys y
wait_for "the interview is completed and saved"
keys F10
wait_for "EXITED-0"

uuid=$(sql "select uuid from interview")
[ "$(sql "select status from interview where uuid='$uuid'")" = completed ] || fail "not completed"
[ "$(sql "select value from answer where interview='$uuid' and path='goods'")" = "tv moto" ] ||
	fail "goods is not 'tv moto'"
[ "$(sql "select value from answer where interview='$uuid' and path='visit_time'")" = 09:30 ] ||
	fail "visit_time is not 09:30"
[ "$(sql "select value from answer where interview='$uuid' and path='next_visit'")" = \
	2026-11-28T14:30 ] || fail "next_visit is not 2026-11-28T14:30"
[ "$(sql "select value from answer where interview='$uuid' and path='people[2]/p_name'")" = Zhao ] ||
	fail "people[2] is not Zhao"
sql "select kind from event where interview='$uuid'" | grep -qx repeat_delete ||
	fail "no repeat_delete event"

# sent back by the team leader (as a return bundle would): the list shows it
# rejected with the comment, and opening it reopens it for changes
sql "update interview set status='rejected', review_comment='please check the ages'
	where uuid='$uuid'"
start_ui 200 60 en --db "$DB"
wait_for "enumerator id"
keys Enter
wait_for "rejected"
wait_for "team leader: please check the ages"
keys Enter
# it resumes at the last question it was on
wait_for "[bye]"
keys F10
wait_for "Assignments"
wait_for "in progress"
keys F10
wait_for "EXITED-0"
[ "$(sql "select status from interview where uuid='$uuid'")" = in_progress ] ||
	fail "the rejected interview was not reopened"
sql "select kind from event where interview='$uuid'" | grep -qx reopen || fail "no reopen event"
echo "ok: roster, kill -9 and resume, completion"
