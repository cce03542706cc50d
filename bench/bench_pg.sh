#!/bin/sh
# bench_pg — merging into PostgreSQL (issue 19): RUHU_BENCH_HOUSEHOLDS
# synthetic households (default 2000; the issue's size is 20000) from 20
# devices (ruhu synth) merged into a PostgreSQL team database, into a SQLite
# one (synchronous=FULL), and, as the yardstick, psql's \copy of the same
# rows (interviews, answers, events as CSV, exported from the SQLite merge)
# into tables like the server's (CREATE TABLE ... (LIKE ... INCLUDING ALL):
# the same columns, checks and indexes, and the same foreign keys of answers
# and events to interviews; only interview -> form is left out) in one
# transaction.
# The server is a throwaway cluster (tests/pg/lib.sh) with fsync=on. Each
# timing is run RUHU_BENCH_ROUNDS times (default 2), interleaved (paired runs
# on a loaded machine); the best of each is reported with the ratios PostgreSQL/\copy and
# PostgreSQL/SQLite. Skips (77) without a PostgreSQL server.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
PG_FSYNC=on
. "$src/tests/pg/lib.sh"
pg_start

hh=${RUHU_BENCH_HOUSEHOLDS:-2000}
cd "$tmp" || exit 1
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
t0=$(now)
r synth "$src/forms/household.csv" --households "$hh" --devices 20 --seed 1 --out s >/dev/null 2>&1 ||
	{ echo "synth failed"; exit 1; }
echo "synth: $hh households, 20 bundles in $(since "$t0") s"

best() { # best OLD NEW: the smaller (OLD may be empty)
	if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (b < a) ? b : a }'; fi
}
pg_best="" sq_best="" cp_best=""
round=1
while [ $round -le "${RUHU_BENCH_ROUNDS:-2}" ]; do
	pg_db "pg$round"
	r db init --db "$(pg_url "pg$round")" >/dev/null 2>&1
	t0=$(now)
	r merge --db "$(pg_url "pg$round")" s/*.bundle.gz >/dev/null 2>&1 || { echo "merge into PostgreSQL failed"; exit 1; }
	pg_best=$(best "$pg_best" "$(since "$t0")")

	rm -f "sq$round.db"*
	t0=$(now)
	r merge --db "sq$round.db" s/*.bundle.gz >/dev/null 2>&1 || { echo "merge into SQLite failed"; exit 1; }
	sq_best=$(best "$sq_best" "$(since "$t0")")

	if [ $round -eq 1 ]; then
		sqlite3 -csv sq1.db "SELECT uuid, form_hash, household_key, enumerator, device, status,
			review_comment, revision, change_seq, created, updated, position FROM interview" >iv.csv
		sqlite3 -csv sq1.db "SELECT interview, path, value, special FROM answer" >ans.csv
		sqlite3 -csv sq1.db "SELECT device, seq, interview, time, kind, actor, path, old_value,
			new_value, old_special, new_special, extra FROM event ORDER BY id" >ev.csv
		rows=$(cat iv.csv ans.csv ev.csv | wc -l)
	fi
	pg_db "cp$round"
	r db init --db "$(pg_url "cp$round")" >/dev/null 2>&1
	pgq "cp$round" "CREATE TABLE y_interview (LIKE interview INCLUDING ALL);
		CREATE TABLE y_answer (LIKE answer INCLUDING ALL);
		CREATE TABLE y_event (LIKE event INCLUDING ALL);
		ALTER TABLE y_answer ADD FOREIGN KEY (interview) REFERENCES y_interview(uuid)
			ON DELETE CASCADE;
		ALTER TABLE y_event ADD FOREIGN KEY (interview) REFERENCES y_interview(uuid)
			DEFERRABLE INITIALLY DEFERRED" >/dev/null
	cat >copy.sql <<EOS
BEGIN;
\copy y_interview (uuid, form_hash, household_key, enumerator, device, status, review_comment, revision, change_seq, created, updated, position) FROM 'iv.csv' CSV
\copy y_answer (interview, path, value, special) FROM 'ans.csv' CSV
\copy y_event (device, seq, interview, time, kind, actor, path, old_value, new_value, old_special, new_special, extra) FROM 'ev.csv' CSV
COMMIT;
EOS
	t0=$(now)
	"$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -U ruhu -d "cp$round" -f copy.sql >/dev/null ||
		{ echo "psql \\copy failed"; exit 1; }
	cp_best=$(best "$cp_best" "$(since "$t0")")
	round=$((round + 1))
done
n_iv=$(pgq pg1 "SELECT count(*) FROM interview")
n_ans=$(pgq pg1 "SELECT count(*) FROM answer")
n_ev=$(pgq pg1 "SELECT count(*) FROM event")
# printf, not echo: dash's echo reads the backslash of \copy as an escape
printf '%s\n' "rows: $n_iv interviews, $n_ans answers, $n_ev events ($rows CSV lines for \\copy)" \
	"merge into PostgreSQL: $pg_best s (best of ${RUHU_BENCH_ROUNDS:-2})" \
	"merge into SQLite:     $sq_best s" \
	"psql \\copy (yardstick): $cp_best s" \
	"ratio PostgreSQL / \\copy:  $(ratio "$pg_best" "$cp_best")" \
	"ratio PostgreSQL / SQLite: $(ratio "$pg_best" "$sq_best")"
