#!/bin/sh
# bench_ui_keys — time from a keystroke to the end of the screen update in
# `ruhu collect`, on the largest bundled form (forms/household.csv), measured
# inside the program (--trace-timing: per key, from the key's arrival to the
# end of the terminal update, the answer's durable commit included). A whole
# household interview is driven through tmux at 80x24 (as the UI tests do),
# ROUNDS times; prints the median, 90th percentile and worst, for every key
# and for the Enter keys that commit an answer.
. "$RUHU_SOURCE/tests/ui/lib.sh"

ROUNDS=${ROUNDS:-3}
ANSWERS="$RUHU_SOURCE/tests/forms/cases/household-income-dont-know.answers.csv"
form_tables "$FORMS/household.csv"
HH=$(awk -F, '$1 == "household_key" { print $2 }' "$ANSWERS")
: > "$TMP/all"

r=0
while [ $r -lt "$ROUNDS" ]; do
	rm -f "$DB" "$DB-wal" "$DB-shm"
	start_ui 80 24 en --db "$DB" --form "$FORMS/household.csv" \
		--sample "$FORMS/samples/demo-households.csv" --trace-timing "$TMP/trace"
	wait_for "enumerator id"
	text "bench"
	keys Enter
	wait_for "Assignments"
	text "$HH"
	wait_for "$HH"
	keys Down Enter
	wait_for "[id_intro]"
	drive
	keys F10
	wait_for "Assignments"
	keys F10
	wait_for "EXITED-0"
	cat "$TMP/trace" >> "$TMP/all"
	r=$((r + 1))
done

# stats FILE LABEL: median, p90 and worst of the second column (microseconds)
stats() {
	sort -n -k2 "$1" | awk -v label="$2" '
		{ v[NR] = $2 }
		END {
			if (!NR) { printf "%s: no keys\n", label; exit }
			m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.5)]; w = v[NR]
			printf "%-34s %5d keys  median %7.2f ms  p90 %7.2f ms  worst %7.2f ms\n",
				label, NR, m / 1000, p / 1000, w / 1000
		}'
}
awk '$1 == 2' "$TMP/all" > "$TMP/enter"
awk '$1 != 2' "$TMP/all" > "$TMP/other"
echo "ui key-to-screen latency, forms/household.csv, $ROUNDS interviews at 80x24:"
stats "$TMP/all" "all keys"
stats "$TMP/enter" "Enter (answer committed + redraw)"
stats "$TMP/other" "other keys (typing, moving)"
