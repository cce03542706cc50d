#!/bin/sh
# End-to-end test of attached CSV files through the ruhu program: `ruhu check`
# of a form with select_one_from_file / pulldata() (summary; each bad file as
# FILE:ROW in both languages) and `ruhu fill` cases using the attached list
# (a village of the chosen county, one of another county refused by the
# choice_filter, pulldata() and instance() values). Needs RUHU_BIN.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # expect WHAT EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
		fail=1
	fi
}

mkdir "$tmp/f" && cd "$tmp" || exit 1
cat > f/survey.csv <<'CSV'
survey,type,name,label::中文 (zh),label::English (en),choice_filter,calculation
,select_one counties,county,县,County,,
,select_one_from_file villages.csv,village,村,Village,county = ${county},
,calculate,pop,,,,"pulldata('villages', 'pop', 'name', ${village})"
,calculate,vname,,,,"instance('villages')/root/item[name = ${village}]/label"
,calculate,head,,,,"pulldata('heads', 'head', 'village', ${village})"
choices,list_name,name,label::中文 (zh),label::English (en)
,counties,qs,青山县,Qingshan County
,counties,bs,白水县,Baishui County
CSV
printf 'name,label::中文 (zh),label::English (en),county,pop\nqs01,石门村,Shimen,qs,812\nqs02,岩脚村,Yanjiao,qs,640\nbs01,河口村,Hekou,bs,1203\n' > f/villages.csv
printf 'village,head\nqs01,张三\nbs01,李四\n' > f/heads.csv

out=$("$bin" --lang en check f/survey.csv 2>err); rc=$?
expect "check: exit" 0 "$rc"
expect "check: summary" "f/survey.csv: survey (id survey, version -): 2 questions, 0 groups, 0 repeats, 3 choice lists, 2 languages, 2 attached files" "$out"
expect "check: stderr" "" "$(cat err)"

# `ruhu check f/*.csv`: the attached files are summed up as such, in any order
out=$("$bin" --lang en check f/heads.csv f/survey.csv f/villages.csv 2>err); rc=$?
expect "check glob: exit" 0 "$rc"
expect "check glob: stdout" "f/heads.csv: attached file of f/survey.csv (choice list 'heads', 2 rows)
f/survey.csv: survey (id survey, version -): 2 questions, 0 groups, 0 repeats, 3 choice lists, 2 languages, 2 attached files
f/villages.csv: attached file of f/survey.csv (choice list 'villages', 3 rows)" "$out"
expect "check glob: stderr" "" "$(cat err)"
out=$("$bin" --lang zh check f/villages.csv f/survey.csv 2>err)
expect "check glob zh" "f/villages.csv：f/survey.csv 的附带文件（选项列表 'villages'，3 行）
f/survey.csv：survey（id survey，版本 -）：2 个问题，0 个分组，0 个重复组，3 个选项列表，2 种语言，2 个附带文件" "$out"
# alone, a list is no form
"$bin" --lang en check f/villages.csv >/dev/null 2>&1; rc=$?
expect "list alone: exit" 1 "$rc"

# fill: a village of the chosen county, with what pulldata() and instance() read
printf 'field,value\ncounty,qs\nvillage,qs01\n' > good.csv
out=$("$bin" --lang en fill f/survey.csv --answers good.csv 2>err); rc=$?
expect "fill good: exit" 0 "$rc"
expect "fill good: values" "field,value
county,qs
village,qs01
pop,812
vname,石门村
head,张三" "$out"

# a village without a head in heads.csv: pulldata() gives ""
printf 'field,value\ncounty,qs\nvillage,qs02\n' > nohead.csv
out=$("$bin" --lang en fill f/survey.csv --answers nohead.csv 2>err); rc=$?
expect "fill no head: exit" 0 "$rc"
expect "fill no head: head" "head," "$(echo "$out" | grep '^head,')"

# a village of the other county is refused by the choice_filter
printf 'field,value\ncounty,qs\nvillage,bs01\n' > other.csv
"$bin" --lang en fill f/survey.csv --answers other.csv >/dev/null 2>err; rc=$?
expect "fill other county: exit" 1 "$rc"
expect "fill other county: en" "other.csv:3: village: choice 'bs01' is not allowed by the choice_filter here" "$(cat err)"
"$bin" --lang zh fill f/survey.csv --answers other.csv >/dev/null 2>err
expect "fill other county: zh" "other.csv:3: village: 选项 'bs01' 不符合当前的筛选条件（choice_filter）" "$(cat err)"

# a form with attached files is stored with them (table form_file): fill
# --db takes the interview, and the form read back from the database (the
# second fill finds it by its hash, which covers the files) has its lists
"$bin" --lang en fill f/survey.csv --answers good.csv --db t.db >/dev/null 2>err; rc=$?
expect "fill --db: exit" 0 "$rc"
expect "fill --db: stderr" "" "$(cat err)"
"$bin" --lang en fill f/survey.csv --answers good.csv --db t.db >/dev/null 2>err; rc=$?
expect "fill --db again: exit" 0 "$rc"
if command -v sqlite3 >/dev/null 2>&1; then
	expect "fill --db: stored files" "heads.csv|$(sha256sum < f/heads.csv | cut -c1-64)
villages.csv|$(sha256sum < f/villages.csv | cut -c1-64)" \
		"$(sqlite3 t.db 'SELECT name, sha256 FROM form_file ORDER BY name')"
fi

# a village that is in no row of the file
printf 'field,value\ncounty,qs\nvillage,qs99\n' > none.csv
"$bin" --lang en fill f/survey.csv --answers none.csv >/dev/null 2>err; rc=$?
expect "fill unknown village: exit" 1 "$rc"

# check: each bad attached file is reported at its FILE:ROW
printf 'name,label::中文 (zh),county\nqs01,石门村,qs\nqs01,岩脚村,qs\n' > f/villages.csv
"$bin" --lang en check f/survey.csv >/dev/null 2>err; rc=$?
expect "duplicate: exit" 1 "$rc"
expect "duplicate: en" "f/villages.csv:3: error: duplicate name 'qs01' (also at line 2)" "$(cat err)"
"$bin" --lang zh check f/survey.csv >/dev/null 2>err
expect "duplicate: zh" "f/villages.csv:3: 错误: name 'qs01' 重复（第 2 行已有）" "$(cat err)"

printf 'code,label\nqs01,石门村\n' > f/villages.csv
"$bin" --lang en check f/survey.csv >/dev/null 2>err
expect "no name column" "f/villages.csv:1: error: attached file has no 'name' column (select_one_from_file needs the columns name and label, or parameters value= and label= naming others)" "$(cat err)"

rm f/villages.csv
"$bin" --lang en check f/survey.csv >/dev/null 2>err; rc=$?
expect "missing: exit" 1 "$rc"
expect "missing: en" "f/survey.csv:survey:3: error: attached file 'villages.csv' not found (it belongs next to the form: f/villages.csv)" "$(cat err)"
"$bin" --lang zh check f/survey.csv >/dev/null 2>err
expect "missing: zh" "f/survey.csv:survey:3: 错误: 找不到附带文件 'villages.csv'（应在问卷旁边：f/villages.csv）" "$(cat err)"

exit $fail
