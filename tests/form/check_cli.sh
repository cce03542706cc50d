#!/bin/sh
# End-to-end test of `ruhu check`: summaries, errors with FILE:SHEET:ROW,
# both languages, and exit codes 0 / 1 / 2. Needs RUHU_BIN.
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

cd "$tmp" || exit 1
printf 'survey,,,\n,type,name,label::中文 (zh),label::English (en)\n,begin group,g,组,Group\n,select_one yn,q,好吗,OK?\n,end group,,,\nchoices\n,list_name,name,label::中文 (zh),label::English (en)\n,yn,y,是,Yes\nsettings\n,form_title,form_id,version\n,测试,t1,3\n' > good.csv
printf 'survey\n,type,name,label,colour\n,intger,a,A,\n,select_one watr_src,b,B,\n' > bad.csv

out=$("$bin" --lang en check good.csv 2>err); rc=$?
expect "good: exit" 0 "$rc"
expect "good: summary" "good.csv: 测试 (id t1, version 3): 1 question, 1 group, 0 repeats, 1 choice list, 2 languages" "$out"
expect "good: stderr" "" "$(cat err)"

out=$("$bin" --lang zh check good.csv 2>/dev/null)
expect "good zh: summary" "good.csv：测试（id t1，版本 3）：1 个问题，1 个分组，0 个重复组，1 个选项列表，2 种语言" "$out"

out=$("$bin" --lang en check bad.csv 2>err); rc=$?
expect "bad: exit" 1 "$rc"
expect "bad: stdout" "" "$out"
expect "bad: stderr" "bad.csv:survey:2: warning: unknown column 'colour' ignored
bad.csv:survey:3: error: unknown type 'intger' (did you mean 'integer'?)
bad.csv:survey:4: error: unknown choice list 'watr_src'" "$(cat err)"

"$bin" --lang zh check bad.csv 2>err >/dev/null
expect "bad zh: stderr" "bad.csv:survey:2: 警告: 未知的列 'colour'，已忽略
bad.csv:survey:3: 错误: 未知的题型 'intger'（是不是 'integer'？）
bad.csv:survey:4: 错误: 未知的选项列表 'watr_src'" "$(cat err)"

# every form is checked even after a bad one
out=$("$bin" --lang en check bad.csv good.csv 2>/dev/null); rc=$?
expect "mixed: exit" 1 "$rc"
expect "mixed: summary of the good form" "good.csv: 测试 (id t1, version 3): 1 question, 1 group, 0 repeats, 1 choice list, 2 languages" "$out"

printf 'survey\n,type,name,label,calculation\n,calculate,a,,${b} + 1\n,calculate,b,,${a} * 2\n,integer,q,Q,\n' > cycle.csv
out=$("$bin" --lang en check cycle.csv 2>err); rc=$?
expect "cycle: exit" 1 "$rc"
expect "cycle: stdout" "" "$out"
expect "cycle: stderr" "cycle.csv:survey:4: error: dependency cycle between fields: 'b' -> 'a' -> 'b'" "$(cat err)"

"$bin" --lang en check missing.csv 2>err; rc=$?
expect "missing: exit" 1 "$rc"
expect "missing: stderr" "missing.csv: error: cannot open: No such file or directory" "$(cat err)"

"$bin" --lang en check 2>/dev/null; rc=$?
expect "no form: exit" 2 "$rc"
"$bin" --lang en check --frobnicate good.csv 2>err; rc=$?
expect "bad option: exit" 2 "$rc"
expect "bad option: message" "ruhu: unknown option '--frobnicate'" "$(head -n 1 err)"

[ "$fail" = 0 ] && echo "check_cli: all passed"
exit "$fail"
