# lib.sh — helpers for the end-to-end tests of the terminal UI: each test runs
# `ruhu collect` in its own detached tmux server (socket ruhu-test-PID), sends
# keys with send-keys and reads the screen with capture-pane, polling for the
# expected text with a timeout (never fixed sleeps), then checks the database
# with sqlite3. Sourced by the test scripts; POSIX sh.
set -eu

: "${RUHU_BIN:?RUHU_BIN must name the ruhu program}"
: "${RUHU_SOURCE:?RUHU_SOURCE must name the source tree}"
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed: skipped"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 is not installed: skipped"; exit 77; }

SOCK="ruhu-test-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ruhu-ui.XXXXXX")
DB="$TMP/device.db"
FORMS="$RUHU_SOURCE/forms"
TIMEOUT=${UI_TIMEOUT:-15}
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color
# under AddressSanitizer a leak or an error at exit makes the exit status
# non-zero, which the tests see as a missing "EXITED-0"

cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	echo "---- screen ----" >&2
	screen >&2 || true
	echo "---- stderr ----" >&2
	cat "$TMP/stderr" >&2 2>/dev/null || true
	exit 1
}

# start_ui COLS ROWS LANG ARGS... : starts `ruhu --lang LANG collect ARGS` in a
# fresh tmux server of that size; its stderr goes to $TMP/stderr and its pid
# to $TMP/pid.
start_ui() {
	cols=$1 rows=$2 lang=$3
	shift 3
	start_cmd "$cols" "$rows" "$lang" collect "$@"
}

# start_cmd COLS ROWS LANG COMMAND ARGS...: the same for any command (demo)
start_cmd() {
	cols=$1 rows=$2 lang=$3
	shift 3
	tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true
	printf '#!/bin/sh\necho $$ > "%s/pid"\nexec "%s" --lang %s' "$TMP" "$RUHU_BIN" "$lang" > "$TMP/run.sh"
	for a in "$@"; do printf ' "%s"' "$a" >> "$TMP/run.sh"; done
	printf ' 2>>"%s/stderr"\n' "$TMP" >> "$TMP/run.sh"
	chmod +x "$TMP/run.sh"
	rm -f "$TMP/pid"
	# a tmux server starting right after another one stopped can fail to
	# come up ("server exited unexpectedly"): try a few times
	n=0
	until tmux -L "$SOCK" -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"$TMP/run.sh; echo EXITED-\$?; sleep 600"; do
		n=$((n + 1))
		[ $n -lt 5 ] || fail "tmux does not start"
		sleep 0.2
	done
	tmux -L "$SOCK" set-option -g remain-on-exit on >/dev/null 2>&1 || true
}

screen() {
	tmux -L "$SOCK" capture-pane -p
}

keys() {
	tmux -L "$SOCK" send-keys "$@"
}

# text TEXT: types TEXT literally (UTF-8 Chinese included)
text() {
	tmux -L "$SOCK" send-keys -l "$1"
}

# wait_for TEXT [SECONDS]: polls the screen until it shows TEXT (fixed string)
wait_for() {
	end=$(($(date +%s) + ${2:-$TIMEOUT}))
	while :; do
		if screen | grep -qF -- "$1"; then
			return 0
		fi
		[ "$(date +%s)" -lt "$end" ] || fail "the screen never showed '$1'"
		sleep 0.05
	done
}

# wait_gone TEXT: polls until the screen no longer shows TEXT
wait_gone() {
	end=$(($(date +%s) + ${2:-$TIMEOUT}))
	while screen | grep -qF -- "$1"; do
		[ "$(date +%s)" -lt "$end" ] || fail "the screen still shows '$1'"
		sleep 0.05
	done
}

# the path of the current question, from "[path]" at the end of row 2
cur_path() {
	screen | sed -n '2s/.* \[\(.*\)\] *$/\1/p'
}

# the progress "n/m" (or the end word) at the right of the title bar
cur_progress() {
	screen | sed -n '1s/.* \([^ ]*\) *$/\1/p'
}

# wait_path_change OLD [SECONDS]: polls until the current path is not OLD;
# returns 1 when it stays
wait_path_change() {
	end=$(($(date +%s) + ${2:-$TIMEOUT}))
	while :; do
		[ "$(cur_path)" != "$1" ] && return 0
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# wait_cols N: polls until the UI has drawn its title bar N columns wide
wait_cols() {
	end=$(($(date +%s) + ${2:-$TIMEOUT}))
	while [ "$(screen | head -n 1 | wc -L)" -ne $(($1 - 1)) ]; do
		[ "$(date +%s)" -lt "$end" ] || fail "the UI was not redrawn $1 columns wide"
		sleep 0.05
	done
}

# kill9: kills the UI with SIGKILL and waits until it is gone
kill9() {
	pid=$(cat "$TMP/pid")
	kill -9 "$pid"
	end=$(($(date +%s) + TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || fail "the UI survived kill -9"
		sleep 0.05
	done
}

sql() {
	sqlite3 -batch "$DB" "$1"
}

# form_tables FORM.csv: writes $TMP/types (name type list) and $TMP/choices
# (list name index) from a pyxform CSV workbook (names and types come before
# any quoted label, so splitting on commas is safe for these columns). A
# select_one_from_file FILE.csv is a select_one of list FILE whose choices are
# the rows of FILE.csv next to the form (its first column the name).
form_tables() {
	awk -F, -v T="$TMP/types" -v C="$TMP/choices" '
		$1 != "" { sheet = $1; hdr = 1; next }
		hdr { hdr = 0; next }
		sheet == "survey" && $3 != "" {
			n = split($2, t, " ")
			if (t[1] ~ /_from_file$/) { sub(/_from_file$/, "", t[1]); sub(/\.csv$/, "", t[2]) }
			print $3, t[1], (n > 1 ? t[2] : "-") > T
		}
		sheet == "choices" && $2 != "" { idx[$2]++; print $2, $3, idx[$2] > C }
	' "$1"
	for f in $(awk -F, '$2 ~ /^select_(one|multiple)_from_file / { split($2, t, " "); print t[2] }' "$1" | sort -u); do
		tail -n +2 "$(dirname "$1")/$f" | cut -d, -f1 |
			awk -v l="${f%.csv}" '{ print l, $1, NR }' >>"$TMP/choices"
	done
}

# answer_for PATH: the value for PATH in $ANSWERS (field,value CSV), or fails
answer_for() {
	awk -F, -v p="$1" 'NR > 1 && $1 == p { sub(/^[^,]*,/, ""); print; found = 1; exit }
		END { exit !found }' "$ANSWERS"
}

# choose LIST NAME MULTI: picks one choice: by its number in a short list, by
# arrows in a long one (Space ticks in a multiple choice)
choose() {
	n=$(awk -v l="$1" '$1 == l' "$TMP/choices" | wc -l)
	i=$(awk -v l="$1" -v c="$2" '$1 == l && $2 == c { print $3 }' "$TMP/choices")
	[ -n "$i" ] || fail "no choice '$2' in list '$1'"
	if [ "$n" -le 9 ]; then
		keys "$i"
	else
		keys Home
		k=1
		while [ "$k" -lt "$i" ]; do keys Down; k=$((k + 1)); done
		[ "$3" = multi ] && keys Space
	fi
	return 0
}

# answer_current PATH VALUE: enters VALUE for the question on screen
answer_current() {
	name=${1##*/}
	set -- "$1" "$2" $(awk -v n="$name" '$1 == n { print $2, $3; exit }' "$TMP/types")
	case "$2" in
	.d) keys F8; return ;;
	.r) keys F9; return ;;
	esac
	case "$3" in
	select_one)
		choose "$4" "$2" one
		keys Enter
		;;
	select_multiple)
		for c in $2; do choose "$4" "$c" multi; done
		keys Enter
		;;
	acknowledge | note) keys Enter ;;
	*)
		keys C-u
		text "$2"
		keys Enter
		;;
	esac
}

# drive UNTIL: answers every question from $ANSWERS (Enter where the file has
# no answer: notes, optional questions, preloads) until the path is UNTIL or
# the end of the interview; calls the shell function `hook PATH` (if defined)
# before each question, which returns 0 when it answered the question itself.
# On a roster list it calls `hook @roster` (0: handled), else presses Enter.
drive() {
	last="" same=0 blank=0
	while :; do
		p=$(cur_path)
		if [ -z "$p" ] && screen | head -n 1 | grep -qE ' · (名单|roster) '; then
			# a roster list: the hook may act on it ("@roster"), else
			# Enter opens the highlighted member (the next one to do)
			# or, after the last one, continues past the roster
			rs=$(screen | md5sum)
			if ! { command -v hook >/dev/null 2>&1 && hook @roster; }; then
				keys Enter
			fi
			end=$(($(date +%s) + 3))
			while [ "$(screen | md5sum)" = "$rs" ] && [ "$(date +%s)" -lt "$end" ]; do
				sleep 0.05
			done
			continue
		fi
		if [ -z "$p" ]; then
			screen | head -n 1 | grep -qE '结束 *$|end *$' && return 0
			blank=$((blank + 1))
			[ "$blank" -lt 200 ] || fail "no question path on the screen"
			sleep 0.05
			continue
		fi
		blank=0
		[ "$p" = "${1:-}" ] && return 0
		if [ "$p" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -lt 3 ] || fail "stuck at '$p'"
		else
			same=0
		fi
		last=$p
		if command -v hook >/dev/null 2>&1 && hook "$p"; then
			:
		elif v=$(answer_for "$p"); then
			answer_current "$p" "$v"
		else
			keys Enter
		fi
		wait_path_change "$p" 3 || true
	done
}
