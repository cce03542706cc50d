#!/bin/sh
# run.sh — the bad-input catalogue (issue 11): feeds each ruhu command its
# class of bad input and checks the exit code, the exact message and that no
# database changed. One case per file in cases/ (format in README.md).
#
# Usage: run.sh [CASE...]   (default: every cases/*.case). Needs RUHU_BIN
# and RUHU_SOURCE (set by meson test); sqlite3 for the database comparison.
# Exit 0 when every case passes or fails only as a "known" case owned
# elsewhere; 1 otherwise.
set -u
: "${RUHU_BIN:?RUHU_BIN must name the ruhu program}"
: "${RUHU_SOURCE:?RUHU_SOURCE must name the source tree}"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 is not installed: skipped"; exit 77; }

here=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ruhu-badinput.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
export FORMS="$RUHU_SOURCE/forms" BADINPUT="$here"
CASE_TIMEOUT=${BADINPUT_TIMEOUT:-60}

# `ruhu` in setup: and run: lines is the program under test
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$RUHU_BIN" > "$TMP/bin/ruhu"
chmod +x "$TMP/bin/ruhu"
PATH="$TMP/bin:$PATH"

# ---- fixtures shared by every case (copied, never changed) ---------------
base="$TMP/base"
mkdir -p "$base"
cat > "$base/form.csv" <<'FORM'
survey,,,,
,type,name,label,constraint
,integer,hh_size,Household size,. >= 1 and . <= 20
,text,head,Head of household,
settings,,,,
,form_title,form_id,version,
,Bad input,badinput,1,
FORM
printf 'household_key,county,township,village,household_type,head_name,enumerator,device\nh1,c1,t1,v1,tuopin,张三,e1,dev1\nh2,c1,t1,v2,tuopin,李四,e1,dev1\n' > "$base/sample.csv"
"$RUHU_BIN" assign --db "$base/team.db" "$base/sample.csv" >/dev/null ||
	{ echo "cannot build the team database fixture"; exit 1; }
"$RUHU_BIN" assign --db "$base/device.db" "$base/sample.csv" >/dev/null ||
	{ echo "cannot build the device database fixture"; exit 1; }

# dump_dbs DIR: one line per database in DIR: name and digest of its dump
dump_dbs() {
	for db in "$1"/*.db; do
		[ -f "$db" ] || continue
		printf '%s %s\n' "${db##*/}" "$(sqlite3 -batch "$db" .dump 2>&1 | cksum)"
	done
}

pass=0 failed=0 known=0 xpass=0 skipped=0
failures=""

# run_case FILE: runs one case; sets $verdict (ok | fail: why)
run_case() {
	file=$1
	name=${file##*/}
	name=${name%.case}
	dir="$TMP/case-$name"
	rm -rf "$dir"
	cp -R "$base" "$dir"
	: > "$dir/.setup" ; : > "$dir/.expect-err" ; : > "$dir/.expect-out"
	run="" want_rc="" known_id="" hazard="" has_err="" lacks_err="" limit=$CASE_TIMEOUT has_out=0 has_errx=0 dbchange=""
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		'#'* | '') ;;
		setup:*) printf '%s\n' "${line#setup:}" >> "$dir/.setup" ;;
		run:*) run=${line#run:} ;;
		exit:*) want_rc=$(echo ${line#exit:}) ;;
		stderr:*) printf '%s\n' "${line#stderr: }" >> "$dir/.expect-err"; has_errx=1 ;;
		stderr-has:*) has_err=${line#stderr-has: } ;;
		stderr-lacks:*) lacks_err=${line#stderr-lacks: } ;;
		stdout:*) printf '%s\n' "${line#stdout: }" >> "$dir/.expect-out"; has_out=1 ;;
		known:*) known_id=$(echo ${line#known:}) ;;
		hazard:*) hazard=$(echo ${line#hazard:}) ;;
		db-changes:*) dbchange=1 ;;
		timeout:*) limit=$(echo ${line#timeout:}) ;;
		*) verdict="fail: bad line in case file: $line"; return ;;
		esac
	done < "$file"
	[ -n "$run" ] && [ -n "$want_rc" ] || { verdict="fail: case needs run: and exit:"; return; }
	if [ -n "$known_id" ] && [ -n "$hazard" ]; then
		verdict="skip"
		return
	fi
	(cd "$dir" && . ./.setup) > "$dir/.setup-log" 2>&1 ||
		{ verdict="fail: setup failed: $(head -c 300 "$dir/.setup-log")"; return; }
	dump_dbs "$dir" > "$dir/.before"
	(cd "$dir" && exec timeout -k 2 "$limit" sh -c "$run") > "$dir/.out" 2> "$dir/.err" \
		< /dev/null
	rc=$?
	dump_dbs "$dir" > "$dir/.after"
	verdict=ok
	if [ "$rc" != "$want_rc" ]; then
		verdict="fail: exit $rc, expected $want_rc"
	elif [ "$has_errx" = 1 ] && ! cmp -s "$dir/.err" "$dir/.expect-err"; then
		verdict="fail: stderr differs"
	elif [ -n "$has_err" ] && ! grep -qF -- "$has_err" "$dir/.err"; then
		verdict="fail: stderr lacks '$has_err'"
	elif [ -n "$lacks_err" ] && grep -qF -- "$lacks_err" "$dir/.err"; then
		verdict="fail: stderr has '$lacks_err'"
	elif [ "$has_out" = 1 ] && ! cmp -s "$dir/.out" "$dir/.expect-out"; then
		verdict="fail: stdout differs"
	elif [ -z "$dbchange" ] && ! cmp -s "$dir/.before" "$dir/.after"; then
		verdict="fail: a database changed"
	fi
	if [ "$verdict" != ok ]; then
		{
			echo "  stderr: $(head -c 400 "$dir/.err" | od -An -c | head -n 6 | tr -s ' ')"
			[ "$has_errx" = 1 ] && echo "  expected stderr:" && sed 's/^/    /' "$dir/.expect-err"
			echo "  got stderr:"; head -c 600 "$dir/.err" | sed 's/^/    /'
			[ "$has_out" = 1 ] && echo "  expected stdout:" && sed 's/^/    /' "$dir/.expect-out" &&
				echo "  got stdout:" && head -c 600 "$dir/.out" | sed 's/^/    /'
		} > "$dir/.why"
	fi
}

if [ $# -gt 0 ]; then
	set -- "$@"
else
	set -- "$here"/cases/*.case
fi
for f in "$@"; do
	run_case "$f"
	n=${f##*/}
	n=${n%.case}
	if [ "$verdict" = skip ]; then
		echo "SKIP   $n (known, owned elsewhere: $known_id; not run: hazard $hazard)"
		skipped=$((skipped + 1))
	elif [ "$verdict" = ok ] && [ -n "$known_id" ]; then
		echo "XPASS  $n (known $known_id now passes: remove its 'known:' line)"
		xpass=$((xpass + 1))
	elif [ "$verdict" = ok ]; then
		echo "ok     $n"
		pass=$((pass + 1))
	elif [ -n "$known_id" ]; then
		echo "KNOWN  $n (owned elsewhere: $known_id) ${verdict#fail: }"
		known=$((known + 1))
	else
		echo "FAIL   $n: ${verdict#fail: }"
		cat "$dir/.why" 2>/dev/null
		failed=$((failed + 1))
	fi
done
echo "bad-input catalogue: $pass passed, $failed failed, $known known failures owned elsewhere," \
	"$xpass known now passing, $skipped skipped"
[ "$failed" = 0 ]
