#!/bin/sh
# Issue 11 D9 in the UI: terminal escapes in outside text (a village, a head of
# household, a form label) are drawn as '?', never obeyed: the pane's title
# stays what it was and the screen is not cleared.
. "$(dirname "$0")/lib.sh"

printf 'survey,,,,\n,type,name,label::中文 (zh),label::English (en)\n,text,q1,问题,"Q\033]2;label-owned\007 \302\233 end"\nsettings,,,,\n,form_title,form_id,version,default_language\n,Escapes,ui_esc,1,English (en)\n' > "$TMP/esc.csv"
printf 'household_key,county,township,village,household_type,head_name,enumerator,device\nE-1,c1,t1,"V\033]0;village-owned\007x",tuopin,"H\033[2Jy",enum-1,dev1\n' > "$TMP/esc-sample.csv"

start_ui 120 30 en --db "$DB" --form "$TMP/esc.csv" --sample "$TMP/esc-sample.csv"
title0=$(tmux -L "$SOCK" display-message -p '#{pane_title}')
wait_for "enumerator id"
text "enum-1"
keys Enter
wait_for "E-1"
screen | grep -qF "V?]0;village-owned?x" || fail "the village is not drawn with '?'"
screen | grep -qF "H?[2Jy" || fail "the head of household is not drawn with '?'"
keys Down Enter
wait_for "[q1]"
screen | grep -qF "Q?]2;label-owned? ? end" || fail "the label is not drawn with '?'"
title=$(tmux -L "$SOCK" display-message -p '#{pane_title}')
[ "$title" = "$title0" ] || fail "the pane title changed to '$title'"
keys F10
wait_for "the interview is saved; resume it any time"
keys F10
wait_for "EXITED-0"
# stored as given: escaping is for the screen only
[ "$(sql "select hex(village) from assignment where household_key='E-1'")" = \
	"$(printf 'V\033]0;village-owned\007x' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ] ||
	fail "the village was not stored as given"
echo "ok"
