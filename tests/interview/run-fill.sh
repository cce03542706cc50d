#!/bin/sh
# End-to-end tests of `ruhu fill` over the shared conformance forms (read in
# place from $RUHU_CONFORMANCE/xlsforms) with the answer files in
# tests/interview/fill/:
#   NAME.csv + NAME.expect  fill exits 0 and prints every line of NAME.expect
#                           (calculated values included); with --db the
#                           database then holds one more completed interview
#   NAME.csv + NAME.error   fill exits 1, stderr is exactly NAME.error, stdout
#                           is empty, and --db stores nothing: a new database
#                           file is not even created, an existing one keeps its
#                           interviews and events
# The form is chosen by the part of NAME before the first '-'.
# Skips (77) when the conformance folder is missing, unless CI=true.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
conf=${RUHU_CONFORMANCE:-}/xlsforms
if [ ! -d "$conf" ]; then
	if [ "${CI:-}" = true ]; then
		echo "conformance folder '$conf' is missing under CI"
		exit 1
	fi
	echo "conformance folder '$conf' is missing: skipped"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C.UTF-8
export LC_ALL

form_of() {
	case $1 in
	spec) echo pyxform_xlsform_spec_test.csv ;;
	cascade) echo pyxform_choice_filter_test.csv ;;
	nested) echo pyxform_test_indexed_repeat_nested.md ;;
	lookup) echo pyxform_test_repeat_choice_filter_instance_lookup.md ;;
	other) echo pyxform_example_specify_other.csv ;;
	othernested) echo pyxform_test_translations_or_other_nested_repeat.md ;;
	*) echo unknown ;;
	esac
}

db_count() {
	sqlite3 "$1" "select count(*) from interview where status = 'completed';
		select count(*) from event;" | tr '\n' ' '
}

fails=0
ran=0
shared_db=$tmp/shared.db
cd "$src/tests/interview/fill" || exit 1
for answers in *.csv; do
	name=${answers%.csv}
	form=$conf/$(form_of "${name%%-*}")
	ran=$((ran + 1))
	if [ -f "$name.expect" ]; then
		before=0
		[ -f "$shared_db" ] && before=$(sqlite3 "$shared_db" "select count(*) from interview")
		"$bin" --lang en fill "$form" --answers "$answers" --db "$shared_db" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL: $name: exit $rc, want 0"
			cat "$tmp/err"
			fails=$((fails + 1))
			continue
		fi
		bad=0
		while IFS= read -r line; do
			grep -qxF -- "$line" "$tmp/out" || {
				echo "FAIL: $name: missing line '$line'"
				bad=1
			}
		done <"$name.expect"
		after=$(sqlite3 "$shared_db" "select count(*) from interview where status = 'completed'")
		if [ "$after" -ne $((before + 1)) ]; then
			echo "FAIL: $name: database has $after completed interviews, want $((before + 1))"
			bad=1
		fi
		[ $bad -eq 0 ] && echo "ok: $name" || fails=$((fails + 1))
	elif [ -f "$name.error" ]; then
		state_before=$( [ -f "$shared_db" ] && db_count "$shared_db")
		"$bin" --lang en fill "$form" --answers "$answers" --db "$tmp/new-$name.db" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		"$bin" --lang en fill "$form" --answers "$answers" --db "$shared_db" >/dev/null 2>&1
		rc2=$?
		state_after=$( [ -f "$shared_db" ] && db_count "$shared_db")
		bad=0
		if [ $rc -ne 1 ] || [ $rc2 -ne 1 ]; then
			echo "FAIL: $name: exit $rc/$rc2, want 1"
			bad=1
		fi
		if ! cmp -s "$tmp/err" "$name.error"; then
			echo "FAIL: $name: stderr differs:"
			diff "$name.error" "$tmp/err"
			bad=1
		fi
		if [ -s "$tmp/out" ]; then
			echo "FAIL: $name: printed values despite errors"
			bad=1
		fi
		if [ -e "$tmp/new-$name.db" ]; then
			echo "FAIL: $name: created database new-$name.db"
			bad=1
		fi
		if [ "$state_before" != "$state_after" ]; then
			echo "FAIL: $name: shared database changed ($state_before -> $state_after)"
			bad=1
		fi
		[ $bad -eq 0 ] && echo "ok: $name (refused)" || fails=$((fails + 1))
	else
		echo "FAIL: $name: neither $name.expect nor $name.error"
		fails=$((fails + 1))
	fi
done
echo "fill: $ran cases, $fails failed"
[ $fails -eq 0 ]
