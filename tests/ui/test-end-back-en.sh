#!/bin/sh
# Issue 11 D13: at the end screen, PgUp back to the last question and Enter
# without changing it returns to the end screen with no error (it showed the
# store's raw "empty position"); the same after changing the answer; the
# answers stay stored, and after a restart the interview still opens.
. "$(dirname "$0")/lib.sh"

FORM="$RUHU_SOURCE/tests/ui/endscreen.csv"

start_ui 100 30 en --db "$DB" --form "$FORM"
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "+ new interview"
keys Home Enter
wait_for "[q_first]"
text "one"
keys Enter
wait_for "[q_last]"
text "two"
keys Enter
wait_for "You have reached the end of the interview."

# back to the last question, Enter without a change: the end screen again
keys PPage
wait_for "[q_last]"
keys Enter
wait_for "You have reached the end of the interview."
screen | grep -qF "empty position" && fail "the end screen shows the store's error"
screen | grep -qiF "error" && fail "the end screen shows an error"

# twice more, and once with a changed answer
keys PPage
wait_for "[q_last]"
keys Enter
wait_for "You have reached the end of the interview."
keys PPage
wait_for "[q_last]"
keys C-u
text "three"
keys Enter
wait_for "You have reached the end of the interview."
screen | grep -qF "empty position" && fail "the end screen shows the store's error after a change"

keys F10
wait_for "the interview is saved; resume it any time"
keys F10
wait_for "EXITED-0"
[ "$(sql "select value from answer where path='q_first'")" = one ] || fail "q_first not stored"
[ "$(sql "select value from answer where path='q_last'")" = three ] || fail "q_last not stored"
[ -z "$(cat "$TMP/stderr")" ] || fail "stderr is not empty"

# resumed, the interview opens at the last question reached; Enter: the end
start_ui 100 30 en --db "$DB"
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "in progress"
keys Home Down Enter
wait_for "[q_last]"
keys Enter
wait_for "You have reached the end of the interview."
screen | grep -qF "empty position" && fail "the resumed end screen shows the store's error"
keys F10
wait_for "the interview is saved; resume it any time"
keys F10
wait_for "EXITED-0"
[ -z "$(cat "$TMP/stderr")" ] || fail "stderr is not empty"
echo "ok"
