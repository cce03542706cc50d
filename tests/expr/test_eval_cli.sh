#!/bin/sh
# End-to-end tests of `ruhu eval`: output, --type, --var, --tz, exit codes and
# the exact error messages (English).
set -u
R="${RUHU_BIN:?RUHU_BIN not set}"
fails=0

check() { # expected-status expected-stdout expected-stderr args...
	want_rc=$1 want_out=$2 want_err=$3
	shift 3
	out=$("$R" --lang en eval "$@" 2>/tmp/ruhu-eval-err.$$)
	rc=$?
	err=$(cat /tmp/ruhu-eval-err.$$)
	if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ] || [ "$err" != "$want_err" ]; then
		echo "FAIL: eval $*"
		echo "  rc=$rc (want $want_rc) out='$out' (want '$want_out') err='$err' (want '$want_err')"
		fails=$((fails + 1))
	fi
}

check 0 "3" "" "1 + 2"
check 0 "张三丰" "" "concat('张', \${x}, '丰')" --var x=三
check 0 "3" "" "string-length(\${n})" --var n=张三丰
check 0 "NaN" "" --type number "\${a} + 1" --var a=
check 0 "Infinity" "" --type number "1 div 0"
check 0 "-Infinity" "" --type number "-1 div 0"
check 0 "true" "" --type boolean "\${age} >= 6 and \${age} <= 15" --var age=12
check 0 "false" "" --type boolean "selected(\${x}, 'b')" --var "x=a c"
check 0 "2018-01-02" "" --tz America/Phoenix "date('2018-01-01' + 1)"
check 0 "0.6666666666666666" "" --tz Asia/Shanghai "number(date('1970-01-02'))"
check 0 "0.2916666666666667" "" --tz=America/Phoenix "number(date('1970-01-01'))"
check 0 "false" "" --type boolean ". > 0 and . < 150" --var .=200
check 0 "true" "" --type boolean "regex(., '^1[3-9][0-9]{9}\$')" --var .=13912345678
check 1 "" "ruhu: eval:1:13: unknown function 'concatt'" "concat('a', concatt(1))"
check 1 "" "ruhu: eval:1:9: unknown function 'concatt'" "1 + 2 + concatt(1)"
check 1 "" "ruhu: eval:1:1: unknown field '\${y}'" "\${y} + 1"
check 1 "" "ruhu: eval:1:4: unexpected end of expression" "1 +"
check 1 "" "ruhu: eval:1:1: function 'count' needs a node-set argument" "count(1)"
check 2 "" "ruhu: unknown type 'int' (use number, string or boolean)" --type int "1"
check 2 "" "ruhu: unknown time zone 'Mars/Olympus'" --tz Mars/Olympus "1"
check 2 "" "ruhu: --var takes NAME=VALUE, not 'x'" --var x "1"
check 2 "" "ruhu: unknown option '--foo'" --foo "1"
check 2 "" "ruhu: give exactly one expression (quote it if it has spaces)" 1 + 2

# Chinese messages
out=$("$R" --lang zh eval "concatt(1)" 2>&1)
[ "$out" = "ruhu: eval:1:1: 未知函数 'concatt'" ] || { echo "FAIL: zh message: $out"; fails=$((fails + 1)); }

rm -f /tmp/ruhu-eval-err.$$
[ "$fails" = 0 ] && echo "all ruhu eval checks passed"
exit $fails
