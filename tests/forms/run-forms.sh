#!/bin/sh
# Form tests: the questionnaires in forms/ against the ruhu program.
#
#   run-forms.sh check   `ruhu check` on every form: exit 0 and no warning at all
#   run-forms.sh sample  forms/samples/demo-households.csv only uses codes the household form knows,
#                        and `ruhu assign` loads it
#   run-forms.sh fill    every case in tests/forms/cases/:
#                        NAME.answers.csv + NAME.expect: `ruhu fill` exits 0 and prints
#                          every `field,value` line of NAME.expect;
#                        NAME.answers.csv + NAME.error: `ruhu --lang zh fill` exits 1 and its
#                          stderr contains every line of NAME.error; lines starting with
#                          "en:" are looked for in the stderr of `ruhu --lang en fill`.
#                        The form is the longest name in $forms that NAME starts
#                        with, followed by '-'.
#                        Each case runs again with --db: a good one stores one
#                        completed interview, a refused one stores nothing.
#   run-forms.sh params  a policy parameter edited in its one `params` row changes
#                        the flags it drives
#
# Env: RUHU_BIN (the built ruhu), RUHU_SOURCE (source root). Exit 77 (skip) only when
# the ruhu command a mode needs does not exist yet; any failing case exits 1.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
mode=${1:-}
cases=$src/tests/forms/cases
forms="household phone village rating-county rating-township rating-village backcheck"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C.UTF-8
LANG=C.UTF-8
export LC_ALL LANG

fails=0
ran=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

have_command() {
	"$bin" help "$1" >/dev/null 2>&1
}

run_check() {
	if ! have_command check; then
		echo "SKIP: 'ruhu check' does not exist yet"
		exit 77
	fi
	for f in $forms; do
		ran=$((ran + 1))
		"$bin" --lang en check "$src/forms/$f.csv" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "check $f.csv exited $rc"
			cat "$tmp/out" "$tmp/err"
			continue
		fi
		if grep -qi -e 'warning' -e '警告' "$tmp/out" "$tmp/err"; then
			fail "check $f.csv printed warnings"
			cat "$tmp/out" "$tmp/err"
			continue
		fi
		echo "ok: check $f.csv: $(head -n 1 "$tmp/out")"
	done
	# the administrative lists beside the forms are attached files, not forms:
	# `ruhu check` of the forms with them says whose file each is
	ran=$((ran + 1))
	set --
	for f in $forms; do set -- "$@" "$src/forms/$f.csv"; done
	"$bin" --lang en check "$@" "$src/forms/townships.csv" "$src/forms/villages.csv" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	for list in townships villages; do
		grep -q "^$src/forms/$list.csv: attached file of $src/forms/household.csv (choice list '$list', [0-9]* rows)\$" "$tmp/out" ||
			{ fail "check does not take forms/$list.csv as the household form's attached file"; cat "$tmp/out" "$tmp/err"; }
	done
	if [ $rc -ne 0 ] || [ -s "$tmp/err" ]; then
		fail "check of the forms with their attached files exited $rc"
		cat "$tmp/out" "$tmp/err"
	fi
}

# the names of choice list $1 of the household form: its choices sheet, or the
# attached file forms/$1s.csv (townships.csv, villages.csv: name is the first column)
choice_names() {
	if [ -f "$src/forms/$1s.csv" ]; then
		tail -n +2 "$src/forms/$1s.csv" | cut -d, -f1
	else
		grep "^,$1," "$src/forms/household.csv" | cut -d, -f3
	fi
}

run_sample() {
	sample=$src/forms/samples/demo-households.csv
	header=$(head -n 1 "$sample")
	want="household_key,county,township,village,household_type,head_name,enumerator,device,last_income,reg_size,last2_income,reg_income,reg_help,house_prev_grade"
	ran=$((ran + 1))
	if [ "$header" != "$want" ]; then
		fail "samples/demo-households.csv header is '$header', want '$want'"
	fi
	# list:column; reg_help holds several names separated by spaces
	for col in county:2 township:3 village:4 hh_type:5 help:13 house_prev:14; do
		list=${col%%:*}
		n=${col##*:}
		choice_names "$list" >"$tmp/names"
		tail -n +2 "$sample" | cut -d, -f"$n" | tr ' ' '\n' | grep . | sort -u >"$tmp/used"
		ran=$((ran + 1))
		while read -r v; do
			grep -qx -- "$v" "$tmp/names" || fail "samples/demo-households.csv: '$v' is not a choice of list '$list'"
		done <"$tmp/used"
	done
	# each village belongs to its township, each township to its county (the
	# attached files' `county` and `township` columns; geography rows hold no quotes)
	for level in township village; do
		awk -F, -v OFS=, -v level="$level" '
			NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			level == "township" { print "t", $1, $(col["county"]) }
			level == "village" { print "v", $1, $(col["township"]) }
		' "$src/forms/${level}s.csv"
	done >"$tmp/parents"
	tail -n +2 "$sample" | while IFS=, read -r key county town village rest; do
		grep -qxF "t,$town,$county" "$tmp/parents" ||
			echo "samples/demo-households.csv: $key: township '$town' is not in county '$county'"
		grep -qxF "v,$village,$town" "$tmp/parents" ||
			echo "samples/demo-households.csv: $key: village '$village' is not in township '$town'"
	done >"$tmp/geo"
	ran=$((ran + 1))
	if [ -s "$tmp/geo" ]; then
		fail "$(cat "$tmp/geo")"
	fi
	# the sample loads into a database (when `ruhu assign` exists)
	if have_command assign; then
		ran=$((ran + 1))
		if "$bin" --lang en assign --db "$tmp/sample.db" "$sample" >"$tmp/out" 2>"$tmp/err"; then
			echo "ok: ruhu assign loads samples/demo-households.csv"
		else
			fail "ruhu assign refused samples/demo-households.csv"
			cat "$tmp/out" "$tmp/err"
		fi
	else
		echo "note: 'ruhu assign' does not exist yet; sample not loaded into a database"
	fi
	rows=$(tail -n +2 "$sample" | grep -c .)
	[ $fails -eq 0 ] && echo "ok: samples/demo-households.csv: $rows households checked"
}

# stored_interviews DB STATUS: how many interviews DB holds (with that status
# unless STATUS is empty); 0 when DB does not exist, "?" when sqlite3 is missing
stored_interviews() {
	if [ ! -f "$1" ]; then
		echo 0
	elif ! command -v sqlite3 >/dev/null 2>&1; then
		echo "?"
	elif [ -n "$2" ]; then
		sqlite3 "$1" "SELECT count(*) FROM interview WHERE status = '$2'" 2>&1
	else
		sqlite3 "$1" "SELECT count(*) FROM interview" 2>&1
	fi
}

run_fill() {
	if ! have_command fill; then
		echo "SKIP: 'ruhu fill' does not exist yet"
		exit 77
	fi
	for answers in "$cases"/*.answers.csv; do
		name=$(basename "$answers" .answers.csv)
		# the longest form name NAME starts with ("rating-county-ok" is rating-county)
		form=
		for f in $forms; do
			case $name in
			"$f"-*) [ ${#f} -gt ${#form} ] && form=$f ;;
			esac
		done
		if [ -z "$form" ]; then
			fail "$name: names no form in forms/ ($forms)"
			continue
		fi
		ran=$((ran + 1))
		"$bin" --lang zh fill "$src/forms/$form.csv" --answers "$answers" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ -f "$cases/$name.expect" ]; then
			if [ $rc -ne 0 ]; then
				fail "$name: fill exited $rc, want 0"
				sed 's/^/  stderr: /' "$tmp/err" | head -n 20
				continue
			fi
			missing=0
			while IFS= read -r line; do
				[ -n "$line" ] || continue
				if ! grep -qxF -- "$line" "$tmp/out"; then
					field=${line%%,*}
					got=$(grep -F -- "$field," "$tmp/out" | grep "^$field," | head -n 1)
					fail "$name: want '$line', got '${got:-<no line>}'"
					missing=1
				fi
			done <"$cases/$name.expect"
			[ $missing -eq 0 ] || continue
			# paper-form entry: with --db the interview is stored as completed
			"$bin" --lang zh fill "$src/forms/$form.csv" --answers "$answers" --db "$tmp/$name.db" >/dev/null 2>"$tmp/err"
			rc=$?
			if [ $rc -ne 0 ]; then
				fail "$name: fill --db exited $rc, want 0"
				sed 's/^/  stderr: /' "$tmp/err" | head -n 5
				continue
			fi
			stored=$(stored_interviews "$tmp/$name.db" completed)
			if [ "$stored" != 1 ] && [ "$stored" != "?" ]; then
				fail "$name: fill --db stored $stored completed interviews, want 1"
				continue
			fi
			echo "ok: $name (stored: $stored)"
		elif [ -f "$cases/$name.error" ]; then
			if [ $rc -ne 1 ]; then
				fail "$name: fill exited $rc, want 1"
				sed 's/^/  stderr: /' "$tmp/err" | head -n 20
				continue
			fi
			bad=0
			if grep -q '^en:' "$cases/$name.error"; then
				"$bin" --lang en fill "$src/forms/$form.csv" --answers "$answers" >/dev/null 2>"$tmp/err-en"
			fi
			while IFS= read -r frag; do
				[ -n "$frag" ] || continue
				errfile=$tmp/err
				case $frag in
				en:*)
					frag=${frag#en:}
					errfile=$tmp/err-en
					;;
				esac
				if ! grep -qF -- "$frag" "$errfile"; then
					fail "$name: stderr lacks '$frag'"
					sed 's/^/  stderr: /' "$errfile" | head -n 20
					bad=1
				fi
			done <"$cases/$name.error"
			[ $bad -eq 0 ] || continue
			# a refused answer file stores nothing
			"$bin" --lang zh fill "$src/forms/$form.csv" --answers "$answers" --db "$tmp/$name.db" >/dev/null 2>&1
			rc=$?
			stored=$(stored_interviews "$tmp/$name.db" "")
			if [ $rc -ne 1 ] || { [ "$stored" != 0 ] && [ "$stored" != "?" ]; }; then
				fail "$name: fill --db exited $rc and stored $stored interviews, want 1 and 0"
				continue
			fi
			echo "ok: $name (refused: $(head -n 1 "$tmp/err"))"
		else
			fail "$name: neither $name.expect nor $name.error exists"
		fi
	done
}

# set_param FORM NAME VALUE OUT: FORM with parameter NAME's param_value (the
# choices sheet's `param_value` column of its row in the `params` list) set to
# VALUE, written to OUT (params rows hold no quoted cells)
set_param() {
	awk -F, -v OFS=, -v name="$2" -v value="$3" '
		$1 == "choices" { inch = 1 }
		$1 == "settings" { inch = 0 }
		inch && $2 == "list_name" { for (i = 1; i <= NF; i++) if ($i == "param_value") col = i }
		inch && $2 == "params" && $3 == name && col { $col = value }
		{ print }
	' "$1" >"$4"
	if cmp -s "$1" "$4"; then
		fail "set_param: no row for parameter '$2' in $1"
		return 1
	fi
}

# A province changes a policy number by editing one row of `params`: the flags follow.
run_params() {
	hh=$src/forms/household.csv
	tp=$cases/household-tuopin-ok.answers.csv
	# the edited copy reads its attached files next to it, as the original does
	cp "$src/forms/townships.csv" "$src/forms/villages.csv" "$tmp/" || exit 1
	# name value field want: with the parameter changed, the lifted-out case gives field=want
	while read -r pname pvalue field want; do
		ran=$((ran + 1))
		set_param "$hh" "$pname" "$pvalue" "$tmp/household.csv" || continue
		if ! "$bin" --lang zh fill "$tmp/household.csv" --answers "$tp" >"$tmp/out" 2>"$tmp/err"; then
			fail "params: $pname=$pvalue: fill failed"
			sed 's/^/  stderr: /' "$tmp/err" | head -n 5
			continue
		fi
		if grep -qxF "$field,$want" "$tmp/out"; then
			echo "ok: params: $pname=$pvalue gives $field=$want"
		else
			fail "params: $pname=$pvalue: want '$field,$want', got '$(grep "^$field," "$tmp/out")'"
		fi
	done <<-EOF
	income_growth_min_pct 15 inc_growth_low 1
	income_growth_min_pct 13 inc_growth_low 0
	income_monitor_line 13000 inc_below_line 1
	water_min_lpd 70 water_problem 1
	water_min_lpd 70 water_min_lpd 70
	risk_med_oop 1800 risk_med_big 1
	risk_med_oop 1800 flag_should_monitor 1
	risk_med_oop 1801 flag_should_monitor 0
	resident_months_away 10 n_resident 4
	resident_months_away 10 water_lpd 50
	acct_income_tol_pct 5 acct_income differs
	water_max_short_days 4 water_guar_ok 0
	EOF
	# compulsory-school ages: with 13 as the highest, the 14-year-old's education
	# questions are no longer asked, so the answers to them are refused
	ran=$((ran + 1))
	if set_param "$hh" school_age_max 13 "$tmp/household.csv"; then
		"$bin" --lang zh fill "$tmp/household.csv" --answers "$tp" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 1 ] && grep -qF "members[3]/e_status" "$tmp/err"; then
			echo "ok: params: school_age_max=13 takes the 14-year-old out of the education questions"
		else
			fail "params: school_age_max=13: want exit 1 naming members[3]/e_status, got $rc"
			sed 's/^/  stderr: /' "$tmp/err" | head -n 5
		fi
	fi
}

case $mode in
check) run_check ;;
sample) run_sample ;;
fill) run_fill ;;
params)
	if ! have_command fill; then
		echo "SKIP: 'ruhu fill' does not exist yet"
		exit 77
	fi
	run_params
	;;
*)
	echo "usage: run-forms.sh check|sample|fill|params" >&2
	exit 2
	;;
esac

echo "$mode: $ran run, $fails failed"
[ $fails -eq 0 ] || exit 1
exit 0
