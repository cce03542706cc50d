#!/bin/sh
# A whole household interview of the bundled household form, in Chinese, at
# 80x24: the answers of tests/forms/cases/household-income-dont-know (4
# members in the roster, don't know and refused on income questions), the
# members roster list (key fields and state of each member, add / delete
# refused naming hh_size, Tab to hh_size, opening a member), plus a
# constraint failure and its correction, a jump through the section index and
# back, the review page, and completion. Then the database must hold the
# completed interview with every answer.
. "$(dirname "$0")/lib.sh"

ANSWERS="$RUHU_SOURCE/tests/forms/cases/household-income-dont-know.answers.csv"
form_tables "$FORMS/household.csv"
HH=QS-SM01-002

start_ui 80 24 zh --db "$DB" --form "$FORMS/household.csv" --sample "$FORMS/samples/demo-households.csv"
wait_for "调查员编号"
wait_for "入户调查问卷"
# the enumerator id, typed in Chinese; remembered in the database
text "张敏"
keys Enter
wait_for "样本户 · 张敏"
# search the household by code, open it
text "$HH"
wait_for "李正华"
keys Down Enter
wait_for "$HH"
wait_for "[id_intro]"

# row N of the roster list ("  N. key fields ... state")
roster_row() {
	screen | grep -E "^ +$1\. "
}

rosters=0 hh_done=0
hook() {
	case "$1" in
	@roster)
		rosters=$((rosters + 1))
		wait_for "家庭成员 · 名单"
		case $rosters in
		1)
			# entering the members roster from hh_size: the list of the
			# 4 members hh_size asks for, none started
			wait_for "成员数（4）由「家庭人口数」决定"
			for i in 1 2 3 4; do
				roster_row $i | grep -q "（未填）.*未开始" ||
					fail "member $i is not listed as not started"
			done
			roster_row 5 && fail "a 5th member is listed"
			# delete and add are refused, naming the count question
			keys DC
			wait_for "成员数由「家庭人口数」决定：请修改该问题（Tab 转到该问题）"
			keys End Up
			wait_for "+ 添加成员"
			keys Enter
			wait_for "成员数由「家庭人口数」决定：请修改该问题"
			roster_row 5 && fail "a member was added"
			# Tab jumps to the count question; confirming it unchanged
			# comes back to the list
			keys Tab
			wait_for "[hh_size]"
			wait_gone "家庭成员 · 名单"
			return 0
			;;
		2)
			# PgUp goes back to the question before the roster
			keys PgUp
			wait_for "[reg_size]"
			wait_gone "家庭成员 · 名单"
			return 0
			;;
		4)
			# back after member 1: its key fields (name, relation, sex,
			# age: labels in Chinese) and its state; member 2 is next
			roster_row 1 | grep -q "李正华 · 户主 · 男 · 45 .*完成" ||
				fail "member 1 is not listed with its key fields as complete"
			roster_row 2 | grep -q "未开始" || fail "member 2 is not listed as not started"
			return 1
			;;
		7)
			# after member 4 "done, continue" is highlighted; every member
			# complete; open member 3 from the list
			for i in 1 2 3 4; do
				roster_row $i | grep -q "完成" || fail "member $i is not complete"
			done
			roster_row 4 | grep -q "张桂芳" || fail "member 4 is not listed by name"
			# F7 / F6 move a member here too: member 3 down and back up
			keys Home Down Down F7
			k=0
			until roster_row 4 | grep -q "李俊"; do
				k=$((k + 1)); [ $k -lt 100 ] || fail "F7 did not move member 3 down"
				sleep 0.05
			done
			roster_row 3 | grep -q "张桂芳" || fail "member 4 did not move up"
			keys F6
			k=0
			until roster_row 3 | grep -q "李俊"; do
				k=$((k + 1)); [ $k -lt 100 ] || fail "F6 did not move member 3 back"
				sleep 0.05
			done
			keys Enter
			wait_for "[members[3]/m_name]"
			wait_for "家庭成员 #3"
			return 0
			;;
		esac
		return 1
		;;
	"members[1]/m_ethnic")
		# a long list filters as you type, Chinese through the input method
		text "彝"
		wait_for "筛选： 彝"
		wait_for "2. 彝族"
		screen | grep -qF "汉族" && fail "the filter left 汉族 in the list"
		keys Enter
		wait_path_change "members[1]/m_ethnic" || fail "the filtered choice was not taken"
		return 0
		;;
	"members[1]/m_name")
		# a comment on the question (F5), stored for the team leader
		keys F5
		wait_for "备注："
		text "户主外出务工，电话核实"
		keys Enter
		wait_for "备注已保存"
		return 1
		;;
	hh_size)
		[ $hh_done = 0 ] || return 1
		hh_done=1
		# a constraint failure: 25 people, then the correction
		keys C-u
		text 25
		keys Enter
		wait_for "家庭人口数应在1到20人之间"
		[ "$(cur_path)" = hh_size ] || fail "moved on after a failed constraint"
		keys C-u
		text 4
		keys Enter
		wait_path_change hh_size || fail "the corrected answer was not taken"
		wait_for "已保存 / saved"
		return 0
		;;
	food_grain)
		# a jump: F2 opens the section index, jump to the first section,
		# then back to where we were through the index again
		keys F2
		wait_for "章节目录"
		wait_for "一、基本信息"
		keys Home Enter
		wait_for "[id_intro]"
		keys F2
		wait_for "章节目录"
		k=0
		while ! screen | grep -q "三、两不愁.*部分\|三、两不愁.*未开始"; do
			k=$((k + 1)); [ $k -lt 50 ] || fail "no section 三、两不愁"
			sleep 0.05
		done
		# move the highlight to 三、两不愁 (Down until the title bar of the
		# highlighted row is that section: count rows above it)
		n=$(screen | awk '/三、两不愁/ { print NR - 2; exit }')
		keys Home
		i=0
		while [ "$i" -lt "$n" ]; do keys Down; i=$((i + 1)); done
		keys Enter
		wait_for "[food_grain]"
		return 1
		;;
	esac
	return 1
}

drive
wait_for "结束"
wait_for "访问的问题已经全部回答完"
keys F3
wait_for "检查全部答案"
wait_for "没有问题，可以完成访问"
# the review page lists every answer, don't know and refused included:
# page down until they show
for want in "工资性收入：不知道" "拒绝回答"; do
	k=0
	until screen | grep -qF "$want"; do
		k=$((k + 1))
		[ $k -lt 60 ] || fail "the review page never showed '$want'"
		keys NPage
		sleep 0.05
	done
done
keys Home
wait_for "▶ 完成访问"
keys Enter
wait_for "确定完成这次访问吗"
keys y
wait_for "访问已完成并保存"
wait_for "样本户 · 张敏"
screen | grep -q "已完成.*$HH" || fail "the household is not shown as completed"
keys F10
wait_for "EXITED-0"

[ "$(sql "select status from interview where household_key='$HH'")" = completed ] ||
	fail "the interview is not completed in the database"
uuid=$(sql "select uuid from interview where household_key='$HH'")
[ "$(sql "select value from answer where interview='$uuid' and path='hh_size'")" = 4 ] ||
	fail "hh_size is not 4"
[ "$(sql "select value from answer where interview='$uuid' and path='members[4]/m_name'")" = 张桂芳 ] ||
	fail "members[4]/m_name is not 张桂芳"
[ "$(sql "select special from answer where interview='$uuid' and path='inc_wage'")" = dont_know ] ||
	fail "inc_wage is not don't know"
[ "$(sql "select special from answer where interview='$uuid' and path='tr_other'")" = refused ] ||
	fail "tr_other is not refused"
# the refused answer never became an answer (only paradata of the failure);
# the correction did
sql "select count(*) from event where interview='$uuid' and path='hh_size' and new_value='25'
	and kind <> 'constraint_failed'" | grep -qx 0 || fail "the refused hh_size 25 was stored"
sql "select count(*) from event where interview='$uuid' and path='hh_size'
	and kind = 'constraint_failed'" | grep -qx 1 || fail "the constraint failure was not logged"
[ "$(sql "select text from comment where interview='$uuid' and path='members[1]/m_name'")" = \
	"户主外出务工，电话核实" ] || fail "the comment is not stored"
[ "$(sql "select value from answer where interview='$uuid' and path='members[1]/m_ethnic'")" = yi ] ||
	fail "members[1]/m_ethnic is not yi"
echo "ok: household interview completed ($(sql "select count(*) from answer where interview='$uuid'") answers)"
