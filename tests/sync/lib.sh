# Shared by the sync CLI tests (sourced after they set bin and src): a scratch
# folder removed on exit, a UTF-8 locale, and TAP-style checks. Each script
# ends with `echo "1..$n"` and `[ "$fails" -eq 0 ]`.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C.UTF-8
export LC_ALL
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { # check DESCRIPTION COMMAND...: the command must succeed
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
has() { grep -qF -- "$2" "$1"; }       # has FILE TEXT: TEXT appears in FILE
hasline() { grep -qxF -- "$2" "$1"; }  # hasline FILE LINE: a whole line of FILE
q() { sqlite3 "$1" "$2"; }             # q DB SQL
eq() { # eq DESCRIPTION ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		echo "#   got:      $2"
		echo "#   expected: $3"
	fi
}
# every table of the database, rows sorted: a canonical dump
dump() {
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
		echo "== $t"
		sqlite3 "$1" "SELECT * FROM \"$t\"" | sort
	done
}
r() { "$bin" --lang en "$@"; }         # ruhu in English
