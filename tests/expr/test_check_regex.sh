#!/bin/sh
# Issue 11 D5 through `ruhu check`: a regex literal that does not compile is
# an error of the form, at its row and column, in both languages; a pattern
# computed at run time (row 5) is not checked at load. Needs RUHU_BIN and
# RUHU_SOURCE.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
form=${RUHU_SOURCE:?RUHU_SOURCE is not set}/tests/expr/regex_literal.csv
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # expect WHAT EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
		fail=1
	fi
}

cp "$form" "$tmp/f.csv" && cd "$tmp" || exit 1

out=$("$bin" --lang en check f.csv 2>err); rc=$?
expect "en: exit" 1 "$rc"
expect "en: stdout" "" "$out"
expect "en: stderr" "f.csv:survey:4: error: constraint: column 10: invalid or too complex regular expression '['
f.csv:survey:5: error: relevant: column 16: invalid or too complex regular expression '(a'" "$(cat err)"

"$bin" --lang zh check f.csv 2>err >/dev/null
expect "zh: stderr" "f.csv:survey:4: 错误: constraint: 第 10 列: 无效或过于复杂的正则表达式 '['
f.csv:survey:5: 错误: relevant: 第 16 列: 无效或过于复杂的正则表达式 '(a'" "$(cat err)"

out=$("$bin" --lang en eval "regex('a', '[')" 2>err); rc=$?
expect "eval: exit" 1 "$rc"
expect "eval: stderr" "ruhu: eval:1:12: invalid or too complex regular expression '['" "$(cat err)"

[ "$fail" = 0 ] && echo "all regex-literal checks passed"
exit "$fail"
