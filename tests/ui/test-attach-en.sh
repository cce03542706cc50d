#!/bin/sh
# Issue 12: `ruhu collect --form F.csv` with an attached village list
# (select_one_from_file villages.csv with a choice_filter by county): the
# form is stored with its file, the village question offers only the chosen
# county's villages, and after a restart (the form loaded back from the
# database with its file) the same filtered list is offered.
. "$(dirname "$0")/lib.sh"

mkdir "$TMP/f"
FORM="$TMP/f/survey.csv"
cat > "$FORM" <<'CSV'
survey,type,name,label,choice_filter
,select_one counties,county,County,
,select_one_from_file villages.csv,village,Village,county = ${county}
,text,remark,Remark,
choices,list_name,name,label,
,counties,qs,Qingshan County,
,counties,bs,Baishui County,
CSV
printf 'name,label,county\nqs01,Shimen,qs\nqs02,Yanjiao,qs\nbs01,Hekou,bs\n' > "$TMP/f/villages.csv"

start_ui 100 30 en --db "$DB" --form "$FORM"
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "+ new interview"
keys Home Enter
wait_for "[county]"
keys 1 Enter
wait_for "[village]"
wait_for "Shimen"
wait_for "Yanjiao"
screen | grep -qF "Hekou" && fail "a village of the other county is offered"
keys 2 Enter
wait_for "[remark]"
keys F10
wait_for "the interview is saved; resume it any time"
keys F10
wait_for "EXITED-0"
[ "$(sql "select value from answer where path='village'")" = qs02 ] || fail "village not stored"
[ "$(sql "select name from form_file")" = villages.csv ] || fail "the attached file is not stored"
[ -z "$(cat "$TMP/stderr")" ] || fail "stderr is not empty"

# the list is gone from the disk: the form comes back from the database with it
rm "$TMP/f/villages.csv"
start_ui 100 30 en --db "$DB"
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "in progress"
keys Home Down Enter
wait_for "[remark]"
keys PPage
wait_for "[village]"
wait_for "Yanjiao"
screen | grep -qF "Hekou" && fail "after a restart, a village of the other county is offered"
keys F10
wait_for "the interview is saved; resume it any time"
keys F10
wait_for "EXITED-0"
[ -z "$(cat "$TMP/stderr")" ] || fail "stderr is not empty"
echo "ok"
