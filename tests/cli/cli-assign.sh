#!/bin/sh
# `ruhu assign` on bad sample files and a locked database (issue 11): every
# refusal names the physical line a row starts on (and its record when that
# differs, D11), a UTF-16 file is named as such (D14), a sample past 2,000
# columns is refused at once (D12), a locked database is the database's
# error and not a row's (D14), and no refusal changes the database.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C.UTF-8
export LC_ALL
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
eq() { # eq DESCRIPTION ACTUAL EXPECTED
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		echo "#   got:      $2"
		echo "#   expected: $3"
	fi
}
cd "$tmp" || exit 1
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nHH0,a,b,c,d,e,f,g\n' "$hdr" >good.csv
"$bin" --lang en assign --db t.db good.csv >/dev/null 2>&1
eq "a good sample loads" "$(sqlite3 t.db 'SELECT COUNT(*) FROM assignment')" 1
before=$(sqlite3 t.db 'SELECT household_key FROM assignment ORDER BY 1' | tr '\n' ' ')

# refused [DESCRIPTION FILE EXPECTED-STDERR]: exit 1, exact stderr, db as it was
refused() {
	"$bin" --lang en assign --db t.db "$2" >out 2>err
	eq "$1: exit 1" $? 1
	eq "$1: message" "$(cat err)" "$3"
	eq "$1: database unchanged" \
		"$(sqlite3 t.db 'SELECT household_key FROM assignment ORDER BY 1' | tr '\n' ' ')" "$before"
}

printf '%s\n\nHH1,a,b,c,d,"e\n1",f,g\n\r\n   \nHH2,a\n' "$hdr" >lines.csv
refused "lines after blank lines and a quoted break" lines.csv \
"lines.csv:3: error: value of column 'head_name' holds a line break (record 2)
lines.csv:7: error: 2 fields, the header has 8 columns (record 3)
ruhu: lines.csv: has errors; nothing loaded"

printf '%s\n' "$hdr" | iconv -f utf-8 -t utf-16 >utf16.csv
refused "UTF-16" utf16.csv \
"utf16.csv: error: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)
ruhu: utf16.csv: has errors; nothing loaded"

python3 -c "print('$hdr' + ''.join(',p%d' % i for i in range(80000)))" >wide.csv
refused "80,000 columns" wide.csv \
"wide.csv:1: error: more than 2000 columns in this row
ruhu: wide.csv: has errors; nothing loaded"

# a database locked by another program for longer than the store waits
printf '%s\nHH9,a,b,c,d,e,f,g\n' "$hdr" >s.csv
# (held until assign has given up, through a FIFO: never for a fixed time)
rm -f lock.fifo
mkfifo lock.fifo
sqlite3 t.db <lock.fifo >/dev/null &
locker=$!
exec 9>lock.fifo
printf 'BEGIN EXCLUSIVE;\nDELETE FROM assignment WHERE 0;\n' >&9
k=0
while sqlite3 -cmd ".timeout 0" t.db "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; do
	k=$((k + 1))
	[ $k -lt 400 ] || break
	sleep 0.05
done
"$bin" --lang en assign --db t.db s.csv >out 2>err
rc=$?
printf 'COMMIT;\n' >&9
exec 9>&-
wait $locker
eq "locked: exit 1" $rc 1
case $(cat err) in
"ruhu: t.db: "*) ok "locked: the database is named, not a row" ;;
*) not_ok "locked: the database is named, not a row"; echo "#   got: $(cat err)" ;;
esac
eq "locked: database unchanged" \
	"$(sqlite3 t.db 'SELECT household_key FROM assignment ORDER BY 1' | tr '\n' ' ')" "$before"
echo "1..$n"
[ "$fails" -eq 0 ]
