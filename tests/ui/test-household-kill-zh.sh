#!/bin/sh
# kill -9 in the middle of the bundled household form, inside the roster, at
# 80x24 in Chinese: after a restart the interview resumes at the same question
# with every answer that the screen had shown as saved. Also: the terminal is
# resized while a question is open (KEY_RESIZE), the help screen opens and
# closes, F4 switches the language, and the section index opens the members
# roster on its list with each member's state.
. "$(dirname "$0")/lib.sh"

ANSWERS="$RUHU_SOURCE/tests/forms/cases/household-tuopin-ok.answers.csv"
form_tables "$FORMS/household.csv"
HH=$(awk -F, '$1 == "household_key" { print $2 }' "$ANSWERS")

start_ui 80 24 zh --db "$DB" --form "$FORMS/household.csv" --sample "$FORMS/samples/demo-households.csv"
wait_for "调查员编号"
text "张敏"
keys Enter
wait_for "样本户 · 张敏"
text "$HH"
wait_for "$HH"
keys Down Enter
wait_for "[id_intro]"
drive "members[2]/m_age"
wait_for "[members[2]/m_age]"
wait_for "已保存 / saved"
before=$(sql "select count(*) from answer")
[ "$before" -gt 20 ] || fail "only $before answers saved before the kill"
# a resize while the question is open: redrawn at the new size
tmux -L "$SOCK" resize-window -x 60 -y 20
wait_cols 60
wait_for "[members[2]/m_age]"
# so small that the range under the field is cut: ▼ says so, ↓ shows it,
# ↑ brings the label back
tmux -L "$SOCK" resize-window -x 80 -y 9
wait_cols 80
wait_for "▼"
screen | grep -qF "整数，范围 0 – 120" && fail "the body fits 9 rows?"
keys Down
wait_for "整数，范围 0 – 120"
wait_for "▲"
keys Up
wait_for "* 年龄（周岁）"
tmux -L "$SOCK" resize-window -x 80 -y 24
wait_cols 80
wait_for "[members[2]/m_age]"
# typed but not confirmed: must not survive
text 33
wait_for "> 33"
kill9

start_ui 80 24 zh --db "$DB"
wait_for "张敏"
keys Enter
wait_for "进行中"
text "$HH"
wait_for "$HH"
keys Down Enter
wait_for "[members[2]/m_age]"
screen | grep -qF "> 33" && fail "an unconfirmed answer came back"
after=$(sql "select count(*) from answer")
[ "$after" -ge "$before" ] || fail "answers lost: $before before the kill, $after after"
uuid=$(sql "select uuid from interview where household_key='$HH'")
[ "$(sql "select value from answer where interview='$uuid' and path='members[2]/m_name'")" = \
	"$(answer_for 'members[2]/m_name')" ] || fail "members[2]/m_name lost"
# help, then the language key
keys F1
wait_for "按键"
keys Escape Escape
wait_for "[members[2]/m_age]"
keys F4
wait_for "Age (completed years)"
keys F4
wait_for "年龄（周岁）"
# the section index opens the members roster on its list: member 1 complete,
# member 2 partly (its age was not confirmed); open member 2 from it
keys F2
wait_for "章节目录"
keys Home
wait_for "家庭成员 #1"
n=$(screen | awk 'NR > 1 && $1 == "家庭成员" && $2 !~ /^#/ { print NR - 2; exit }')
[ -n "$n" ] || fail "no members roster in the section index"
i=0
while [ "$i" -lt "$n" ]; do keys Down; i=$((i + 1)); done
keys Enter
wait_for "家庭成员 · 名单"
screen | grep -E "^ +1\. $(answer_for 'members[1]/m_name') .*完成" >/dev/null ||
	fail "member 1 is not listed as complete"
screen | grep -E "^ +2\. $(answer_for 'members[2]/m_name') .*部分" >/dev/null ||
	fail "member 2 is not listed as partly done"
keys Down Enter
wait_for "[members[2]/m_name]"
# and the rest of the interview still goes through
drive
wait_for "结束"
keys F3
wait_for "没有问题，可以完成访问"
keys Home Enter
wait_for "确定完成这次访问吗"
keys y
wait_for "访问已完成并保存"
keys F10
wait_for "EXITED-0"
[ "$(sql "select status from interview where uuid='$uuid'")" = completed ] || fail "not completed"
echo "ok: resumed at members[2]/m_age with $after answers, completed"
