#!/bin/sh
# `ruhu demo` creates its database in the per-user folder with the bundled
# forms and the 20-household demo sample, and reuses it the second time;
# `ruhu collect` refuses a bad form or sample with the file and row before it
# touches the database, and a bad option is a usage error.
. "$(dirname "$0")/lib.sh"

export XDG_DATA_HOME="$TMP/xdg"
DEMO="$XDG_DATA_HOME/ruhu/demo.db"

start_cmd 80 24 en demo
wait_for "enumerator id"
wait_for "not started 20"
wait_for "ruhu_household"
keys F10
wait_for "EXITED-0"
DB=$DEMO
[ "$(sql "select count(*) from assignment")" = 20 ] || fail "the demo sample is not 20 households"
forms=$(sql "select count(*) from form")
[ "$forms" -ge 3 ] || fail "the bundled forms are not stored ($forms)"
# the second run reuses the database: same device, nothing doubled
dev=$(sql "select value from meta where key='device_id'")
start_cmd 80 24 zh demo
wait_for "调查员编号"
wait_for "未开始 20"
keys F10
wait_for "EXITED-0"
[ "$(sql "select count(*) from assignment")" = 20 ] || fail "the sample was loaded twice"
[ "$(sql "select count(*) from form")" = "$forms" ] || fail "the forms were stored twice"
[ "$(sql "select value from meta where key='device_id'")" = "$dev" ] ||
	fail "the device id changed"

# monochrome (NO_COLOR): the title bar and the selected row are in reverse
# video, the footer keys too
export NO_COLOR=1
start_cmd 80 24 en demo
wait_for "enumerator id"
keys Enter
wait_for "Assignments"
esc=$(printf '\033')
tmux -L "$SOCK" capture-pane -p -e | head -n 1 | grep -q "${esc}\[7m" ||
	fail "no reverse video in the monochrome title bar"
tmux -L "$SOCK" capture-pane -p -e | grep -F "QS-LQ01-001" | grep -q "${esc}\[7m" ||
	fail "the selected row is not in reverse video"
tmux -L "$SOCK" capture-pane -p -e | grep -qE "${esc}\[(3[0-7]|38;5)" &&
	fail "colours used under NO_COLOR"
# filters: Tab cycles the status, → the village, Esc clears them
keys Tab
wait_for "status: not started"
keys Tab
wait_for "status: in progress"
wait_for "(no household matches)"
keys Escape
wait_for "status: all"
wait_for "QS-SM01-001"
keys Right
wait_for "village: Longquan Village"
wait_gone "QS-SM01-001"
wait_for "QS-LQ01-007"
keys Escape
wait_for "village: all"
wait_for "QS-SM01-001"
keys F10
wait_for "EXITED-0"
unset NO_COLOR

# no bundled forms: a clear error
mkdir -p "$TMP/empty"
out=$(RUHU_FORMS="$TMP/empty" "$RUHU_BIN" --lang en demo 2>&1) && fail "demo without forms succeeded"
[ "$out" = "ruhu: RUHU_FORMS='$TMP/empty' holds no samples/demo-households.csv" ] || fail "demo error: $out"

# bad inputs of collect: exact messages, exit 1, no database written
printf 'household_key,county\nA1,x\n' > "$TMP/bad-sample.csv"
DB="$TMP/bad.db"
set +e
out=$("$RUHU_BIN" --lang en collect --db "$DB" --sample "$TMP/bad-sample.csv" 2>&1)
rc=$?
set -e
[ $rc = 1 ] || fail "bad sample: exit $rc"
printf '%s\n' "$out" | grep -qxF "$TMP/bad-sample.csv:1: error: missing column 'township'" ||
	fail "bad sample message: $out"
printf '%s\n' "$out" | tail -n 1 |
	grep -qxF "ruhu: '$TMP/bad-sample.csv': the sample has errors; the database is unchanged" ||
	fail "bad sample summary: $out"
[ ! -e "$DB" ] || fail "a bad sample created the database"
set +e
out=$("$RUHU_BIN" --lang en collect --db "$DB" --form "$TMP/none.csv" 2>&1)
rc=$?
set -e
[ $rc = 1 ] || fail "missing form: exit $rc"
printf '%s\n' "$out" | tail -n 1 |
	grep -qxF "ruhu: '$TMP/none.csv': the form has errors; the database is unchanged" ||
	fail "missing form message: $out"
[ ! -e "$DB" ] || fail "a missing form created the database"
# no terminal: refused before the database is made
set +e
out=$("$RUHU_BIN" --lang en collect --db "$DB" </dev/null 2>&1)
rc=$?
set -e
[ $rc = 1 ] || fail "no terminal: exit $rc"
[ "$out" = "ruhu: the interview screens need a terminal (standard input and output)" ] ||
	fail "no terminal message: $out"
[ ! -e "$DB" ] || fail "collect without a terminal created the database"
set +e
"$RUHU_BIN" --lang en collect --bogus >/dev/null 2>&1
rc=$?
set -e
[ $rc = 2 ] || fail "unknown option: exit $rc, want 2"
echo "ok: demo database created and reused; bad inputs refused"
