#!/bin/sh
# End-to-end tests of `ruhu audit` through the real program, over households
# entered with `ruhu fill --db` from tests/audit/base.answers.csv (a clean
# 脱贫户 that trips no shipped rule) and variants of it that each trip one
# shipped rule of forms/checks.csv. Rules the form's own constraints make
# impossible to enter (out-of-pocket above the total, ...) are tripped by
# editing a stored answer with sqlite3, as a bundle from an older form
# version or another tool could bring. Then: the summaries, csv and --out,
# the findings stored with a run id, --since, and one bad rules file per
# kind of error (exit 1, FILE:SHEET:ROW, nothing printed, nothing written).
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
rules=$src/forms/checks.csv
base=$src/tests/audit/base.answers.csv
db=$tmp/team.db

# variant OUT field=value...: the base answers with fields replaced, added
# (at the end: fill applies answers in form order) or deleted (value "-")
variant() {
	out=$1
	shift
	cp "$base" "$out"
	for kv in "$@"; do
		f=${kv%%=*}
		v=${kv#*=}
		if awk -F, -v f="$f" '$1 == f { found = 1 } END { exit !found }' "$out"; then
			awk -F, -v f="$f" -v v="$v" '$1 == f { if (v != "-") print f "," v; next } { print }' \
				"$out" >"$out.t" && mv "$out.t" "$out"
		elif [ "$v" != "-" ]; then
			printf '%s,%s\n' "$f" "$v" >>"$out"
		fi
	done
}

# add KEY field=value...: fill one household into the team database
add() {
	key=$1
	shift
	variant "$tmp/$key.csv" household_key="$key" "$@"
	if r fill "$form" --answers "$tmp/$key.csv" --db "$db" >/dev/null 2>"$tmp/$key.err"; then
		ok "fill $key"
	else
		not_ok "fill $key"
		sed 's/^/#   /' "$tmp/$key.err"
	fi
}

# set_answer KEY PATH VALUE: edit a stored answer behind the form's back
set_answer() {
	q "$db" "UPDATE answer SET value = '$3' WHERE path = '$2' AND interview =
		(SELECT uuid FROM interview WHERE household_key = '$1')"
}

add QS-CLEAN-01
add QS-EDU-01 'members[3]/e_status=dropout' 'members[3]/e_level=-' 'members[3]/e_aid=-' \
	'members[3]/e_dropout_reason=work' 'members[3]/e_returned=no' 'members[3]/m_work=farming'
add QS-EXEMPT-01 'members[3]/e_status=exempt' 'members[3]/e_level=-' 'members[3]/e_aid=-' \
	'members[3]/e_cert=yes' 'members[3]/e_aid=no' 'members[3]/m_work=farming'
add QS-INS-01 'members[2]/m_insur=none' 'members[2]/m_noins_reason=unwilling'
add QS-INSOK-01 'members[2]/m_insur=none' 'members[2]/m_noins_reason=insured_elsewhere'
add QS-HOUSE-01 house_grade=C
add QS-WATER-01 water_quality=bad
add QS-LOWINC-01 inc_wage=0 last_income=3000
add QS-JCRM-01 household_type=jiance monitor_type=edge monitor_month=2024-03-01 \
	monitor_removed=yes inc_wage=0 exit_year=- last_income=3000
add QS-JCOK-01 household_type=jiance monitor_type=edge monitor_month=2024-03-01 \
	monitor_removed=yes exit_year=-
add QS-GRNEG-01 last_income=20000
add QS-GRHI-01 last_income=5000
add QS-REG-01 reg_size=5 size_diff_reason=death
add QS-DISAB-01 'members[4]/m_health=chronic disabled' 'members[4]/m_disab_grade=g1' tr_disab=0
add QS-DISOK-01 'members[4]/m_health=chronic disabled' 'members[4]/m_disab_grade=g1' \
	'members[4]/m_assist=elderly_allow disab_allow' tr_disab=1200
add QS-DISPUTE-01 hh_confirm=no hh_disagree=收入算高了
add QS-OOP-01
add QS-KID-01
add QS-DIBAO-01
add QS-SIZE-01
set_answer QS-OOP-01 med_oop 9000
set_answer QS-KID-01 'members[3]/m_work' away_province
set_answer QS-DIBAO-01 'members[2]/m_assist' dibao
set_answer QS-SIZE-01 hh_size 5

r audit --db "$db" --rules "$rules" --format csv >"$tmp/out.csv" 2>"$tmp/err"
check "audit exits 0" test $? -eq 0
check "audit prints no warning" test ! -s "$tmp/err"
sed 's/^#*/#   /' "$tmp/err"

# finds CHECK KEY [PATH]: a finding of CHECK on household KEY (and PATH)
finds() {
	awk -F, -v c="$1" -v k="$2" -v p="${3:-}" \
		'$2 == c && $6 == k && (p == "" || $11 == p) { f = 1 } END { exit !f }' "$tmp/out.csv"
}
none_for() { # none_for KEY: no rule flags household KEY (batch checks such as
	# outliers depend on the batch, not on the household alone)
	! awk -F, -v k="$1" '$3 == "rule" && $6 == k { f = 1 } END { exit !f }' "$tmp/out.csv"
}
check "edu_dropout: a 14-year-old dropout (member 3)" finds edu_dropout QS-EDU-01 'members[3]'
check "edu_dropout: a certified exemption is not flagged" none_for QS-EXEMPT-01
check "uninsured: member 2 unwilling" finds uninsured QS-INS-01 'members[2]'
check "uninsured: insured elsewhere is accepted" none_for QS-INSOK-01
check "house_unsafe: grade C" finds house_unsafe QS-HOUSE-01
check "water_fail: bad quality" finds water_fail QS-WATER-01
check "missed_monitoring: 脱贫户 below the line" finds missed_monitoring QS-LOWINC-01
check "risk_removed_low_income: removed while below the line" finds risk_removed_low_income QS-JCRM-01
check "risk_removed_low_income: removed above the line is not flagged" none_for QS-JCOK-01
check "missed_monitoring: not for a monitored household" sh -c "! grep -q 'missed_monitoring,.*QS-JCRM-01' '$tmp/out.csv'"
check "income_growth_negative" finds income_growth_negative QS-GRNEG-01
check "income_growth_implausible" finds income_growth_implausible QS-GRHI-01
check "size_register_mismatch" finds size_register_mismatch QS-REG-01
check "disabled_no_allowance: grade 1 without the allowance" finds disabled_no_allowance QS-DISAB-01 'members[4]'
check "disabled_no_allowance: with the allowance is not flagged" none_for QS-DISOK-01
check "summary_disputed" finds summary_disputed QS-DISPUTE-01
check "oop_over_total (stored answer edited)" finds oop_over_total QS-OOP-01
check "child_working_away (stored answer edited)" finds child_working_away QS-KID-01 'members[3]'
check "dibao_no_income (stored answer edited)" finds dibao_no_income QS-DIBAO-01
check "size_roster_mismatch (stored answer edited)" finds size_roster_mismatch QS-SIZE-01
check "the clean household has no rule finding" none_for QS-CLEAN-01
check "the clean household has no finding at all" sh -c "! grep -q ',QS-CLEAN-01,' '$tmp/out.csv'"
check "values involved are shown" grep -q 'edu_dropout,rule,error,.*members\[3\],m_age=14 e_status=dropout e_cert=,1' "$tmp/out.csv"
check "a paper entry is not timed: no paradata finding" sh -c "! grep -q ',paradata,' '$tmp/out.csv'"
eq "run 1 recorded" "$(q "$db" "SELECT id, interviews FROM audit_run")" "1|20"
eq "its findings stored" "$(q "$db" "SELECT COUNT(*) FROM audit_finding WHERE run = 1")" \
	"$(($(wc -l <"$tmp/out.csv") - 1))"

# the table: findings, summaries per check, enumerator and county, dashboard
r audit --db "$db" --rules "$rules" --out "$tmp/table.txt" --no-save >"$tmp/out" 2>&1
check "table --out exits 0 and prints nothing" test $? -eq 0 -a ! -s "$tmp/out"
check "table names the run as not saved" has "$tmp/table.txt" "audit (not saved) of"
check "table: summary by check" has "$tmp/table.txt" "by check"
check "table: summary by enumerator" has "$tmp/table.txt" "by enumerator"
check "table: summary by county" has "$tmp/table.txt" "by county"
check "table: dashboard names the enumerator" grep -q '^  张敏 *20 ' "$tmp/table.txt"
eq "--no-save records nothing" "$(q "$db" "SELECT COUNT(*) FROM audit_run")" 1
LC_ALL=zh_CN.UTF-8 "$bin" --lang zh audit --db "$db" --rules "$rules" --no-save >"$tmp/zh" 2>&1
check "Chinese table" has "$tmp/zh" "按调查员"

# --since: a new problem household shows alone
add QS-HOUSE-02 house_grade=D
r audit --db "$db" --rules "$rules" --since 1 --format csv >"$tmp/new.csv" 2>"$tmp/err"
check "--since exits 0" test $? -eq 0
eq "--since 1 shows only the new finding" "$(cut -d, -f2,6,13 "$tmp/new.csv" | tail -n +2)" \
	"house_unsafe,QS-HOUSE-02,1"
eq "run 2 stored every finding, old and new" "$(q "$db" "SELECT COUNT(*) FROM audit_finding WHERE run = 2")" \
	"$(($(q "$db" "SELECT COUNT(*) FROM audit_finding WHERE run = 1") + 1))"
r audit --db "$db" --rules "$rules" --since 2 >"$tmp/out" 2>&1
check "--since 2 has nothing new" has "$tmp/out" "0 new since run 2"
r audit --db "$db" --rules "$rules" --since 9 >"$tmp/out" 2>&1
check "--since an unknown run exits 1" test $? -eq 1
check "--since an unknown run says so" has "$tmp/out" "no audit run 9"
r audit --db "$db" --rules "$rules" --since x >"$tmp/out" 2>&1
check "--since x is a usage error" test $? -eq 2

# html: one self-contained file, well-formed, naming every check and enumerator
r audit --db "$db" --rules "$rules" --no-save --format html --out "$tmp/qc.html" >"$tmp/out" 2>&1
check "html exits 0" test $? -eq 0
if command -v xmllint >/dev/null 2>&1; then
	check "html is well-formed (polyglot XHTML)" xmllint --noout "$tmp/qc.html"
fi
check "html has no script" sh -c "! grep -qi '<script' '$tmp/qc.html'"
check "html links nothing outside itself" sh -c \
	"! grep -o 'http[^\"]*' '$tmp/qc.html' | grep -qv -e '^http://www.w3.org/1999/xhtml\$' -e '^http://www.w3.org/2000/svg\$'"
check "html has its charts inline" grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$tmp/qc.html"
missing=
for id in $(awk -F, '/^(rules|paradata|batch),/ { s = 1; h = 1; next } /^[a-z]+,/ { s = 0 }
	s && h { h = 0; next } s && $2 != "" { print $2 }' "$rules"); do
	grep -q ">$id<" "$tmp/qc.html" || missing="$missing $id"
done
eq "html names every check" "$missing" ""
check "html names the enumerator" grep -q '>张敏' "$tmp/qc.html"

# backcheck draw: a sample file assign reads, the same for the same seed
r backcheck draw --db "$db" --rate 10% --seed 7 --out "$tmp/bc.csv" >"$tmp/out" 2>&1
check "backcheck draw exits 0" test $? -eq 0
check "backcheck draw: 3 of 21 (one enumerator, ceil of 10%)" has "$tmp/out" "3 of 21 households drawn for back-checks (1 enumerators, seed 7)"
eq "backcheck list has 3 households" "$(tail -n +2 "$tmp/bc.csv" | wc -l | tr -d ' ')" 3
r backcheck draw --db "$db" --rate 0.1 --seed 7 --out "$tmp/bc2.csv" >/dev/null 2>&1
check "backcheck draw: same seed, same list (0.1 = 10%)" cmp -s "$tmp/bc.csv" "$tmp/bc2.csv"
r assign --db "$tmp/backcheck.db" "$tmp/bc.csv" >"$tmp/out" 2>&1
check "assign loads the back-check list" has "$tmp/out" "3 households loaded"
r backcheck draw --db "$db" --rate 0 --out "$tmp/bc3.csv" >"$tmp/out" 2>&1
check "backcheck --rate 0 is a usage error" test $? -eq 2
check "backcheck --rate 0 writes nothing" test ! -e "$tmp/bc3.csv"
r backcheck draw --db "$tmp/empty.db" --rate 10% --out "$tmp/bc4.csv" >"$tmp/out" 2>&1
check "backcheck of a missing database exits 1" test $? -eq 1

# backcheck compare: two originals (张敏, and 王芳 whose household QS-BC-02 was
# answered the same on the back-check) and two back-checks of forms/backcheck.csv
bcdb=$tmp/bc.db
bcf=$src/forms/backcheck.csv
bcbase=$src/tests/audit/backcheck.answers.csv
variant "$tmp/o1.csv" household_key=QS-BC-01
variant "$tmp/o2.csv" household_key=QS-BC-02 enumerator=王芳
r fill "$form" --answers "$tmp/o1.csv" --db "$bcdb" >/dev/null 2>&1
r fill "$form" --answers "$tmp/o2.csv" --db "$bcdb" >/dev/null 2>&1
r backcheck compare --db "$bcdb" --rules "$rules" >"$tmp/out" 2>&1
check "compare before any back-check exits 1" test $? -eq 1
check "compare before any back-check says so" has "$tmp/out" "no back-check interview has a merged original (form 'ruhu_backcheck' against 'ruhu_household')"
sed -e 's/^household_key,.*/household_key,QS-BC-01/' -e 's/^hh_size,4/hh_size,5/' \
	-e 's/^water_source,piped_central/water_source,well/' -e 's/^inc_wage,36000/inc_wage,38000/' \
	-e 's/^rec_policy,yes/rec_policy,basic/' "$bcbase" >"$tmp/b1.csv"
sed -e 's/^household_key,.*/household_key,QS-BC-02/' "$bcbase" >"$tmp/b2.csv"
sed -e 's/^household_key,.*/household_key,QS-NOPE-01/' "$bcbase" >"$tmp/b3.csv"
for b in b1 b2 b3; do
	r fill "$bcf" --answers "$tmp/$b.csv" --db "$bcdb" >/dev/null 2>"$tmp/err" || {
		not_ok "fill back-check $b"
		sed 's/^/#   /' "$tmp/err"
	}
done
r backcheck compare --db "$bcdb" --rules "$rules" >"$tmp/out" 2>&1
check "compare exits 0" test $? -eq 0
check "compare: 2 matched, 1 without an original" has "$tmp/out" "2 back-checks matched to their originals (1 without a merged original)"
# type 1: 5 fields x 2 households, hh_size differs once; type 2: 4 x 2, water_source
# once; type 3: 3 x 2, rec_policy once (wage 36000 -> 38000 is within 3000)
check "compare: type 1 rate 1/10" grep -q 'type 1 (should not change) *1/10 *10.0%' "$tmp/out"
check "compare: type 2 rate 1/8" grep -q 'type 2 (checks the enumerator) *1/8 *12.5%' "$tmp/out"
check "compare: type 3 rate 1/6" grep -q 'type 3 (may change) *1/6 *16.7%' "$tmp/out"
check "compare: 张敏 flagged at 2/9" grep -q '^! 张敏 *2/9 *22.2%' "$tmp/out"
check "compare: 王芳 not flagged at 0/9" grep -q '^  王芳 *0/9 *0.0%' "$tmp/out"
check "compare: the wage within tolerance agrees" grep -q '^  inc_wage *0/2 ' "$tmp/out"
check "compare: the pair is shown" has "$tmp/out" "QS-BC-01 hh_size 1: 4 -> 5  张敏 / 赵回访"
r backcheck compare --db "$bcdb" --rules "$rules" --format csv >"$tmp/bc.csv" 2>&1
eq "compare csv: one row per compared field" "$(tail -n +2 "$tmp/bc.csv" | wc -l | tr -d ' ')" 24
eq "compare csv: 3 differ" "$(awk -F, '$10 == 1' "$tmp/bc.csv" | wc -l | tr -d ' ')" 3
sed '/^backcheck,/,$d' "$rules" >"$tmp/nobc.csv"
r backcheck compare --db "$bcdb" --rules "$tmp/nobc.csv" >"$tmp/out" 2>&1
check "compare without a backcheck sheet exits 1" test $? -eq 1
check "compare without a backcheck sheet says so" has "$tmp/out" "the rules file has no backcheck sheet"

# bad rules files: one per kind of error, each refused before any output
runs=$(q "$db" "SELECT COUNT(*) FROM audit_run")
bad() { # bad NAME EXPECTED SED-SCRIPT: a copy of the rules edited by sed
	sed "$3" "$rules" >"$tmp/$1.csv"
	r audit --db "$db" --rules "$tmp/$1.csv" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && has "$tmp/err" "$2"; then ok "bad rules: $1"; else
		not_ok "bad rules: $1 (exit $rc)"
		sed 's/^/#   /' "$tmp/err"
	fi
}
row=$(grep -n '^,house_unsafe,' "$rules" | cut -d: -f1)
bad unknown-field "$tmp/unknown-field.csv:rules:$row: error: form 'ruhu_household': expression column 1: unknown field '\${house_grad}'" \
	's/${house_grade} = .C. or/${house_grad} = '"'C'"' or/'
bad no-compile "$tmp/no-compile.csv:rules:$row: error: expression column" \
	's/${house_grade} = .C. or/${house_grade} = = or/'
bad scope "$tmp/scope.csv:rules:$row: error: scope 'plots' is not a top-level repeat of form 'ruhu_household'" \
	"${row}s/,interview,ruhu_household,/,plots,ruhu_household,/"
bad severity "$tmp/severity.csv:rules:$row: error: bad severity 'fatal'" \
	"${row}s/,error,interview,/,fatal,interview,/"
bad duplicate-id "$tmp/duplicate-id.csv:rules:$((row + 1)): error: check id 'house_unsafe' used twice" \
	"$((row + 1))s/^,water_fail,/,house_unsafe,/"
bad unknown-param "$tmp/unknown-param.csv:rules:" 's/${income_monitor_line}/${income_line}/'
bad threshold "error: check 'too_short': threshold param 'min_minutes' is not in the params sheet" \
	's/,duration_short,min_duration_minutes,/,duration_short,min_minutes,/'
bad builtin "error: unknown check 'duration_tiny'" 's/,duration_short,/,duration_tiny,/'
bad param-value "error: param 'max_gap_minutes' has value 'two', not a number" \
	's/^,max_gap_minutes,120,/,max_gap_minutes,two,/'
eq "no bad rules file recorded a run" "$(q "$db" "SELECT COUNT(*) FROM audit_run")" "$runs"
r audit --db "$db" --rules "$tmp/nonexistent.csv" >"$tmp/out" 2>&1
check "a missing rules file exits 1" test $? -eq 1
r audit --rules "$rules" >"$tmp/out" 2>&1
check "no --db is a usage error" test $? -eq 2
r audit --db "$db" --rules "$rules" --format xml >"$tmp/out" 2>&1
check "an unknown format is a usage error" test $? -eq 2

echo "1..$n"
[ "$fails" -eq 0 ]
