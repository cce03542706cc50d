#!/bin/sh
# Two merges of the same bundles at once (issue 11 D10): whichever loses the
# race must say "already merged" and exit 0, exactly as a merge run after the
# other does; and the team database must hold the bundles once, as one
# sequential merge leaves it. Run several rounds: the race is timing.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
r synth "$form" --households 40 --devices 2 --seed 5 --out "$tmp/s" >/dev/null 2>&1
check "synth exits 0" test $? -eq 0
r assign --db "$tmp/seq.db" "$tmp/s/sample.csv" >/dev/null 2>&1
r merge --db "$tmp/seq.db" "$tmp"/s/*.bundle.gz >/dev/null 2>&1
check "the sequential merge exits 0" test $? -eq 0
r merge --db "$tmp/seq.db" "$tmp"/s/*.bundle.gz >"$tmp/again" 2>&1
check "a sequential re-merge exits 0" test $? -eq 0
check "a sequential re-merge says already merged" \
	hasline "$tmp/again" "total: 0 bundles merged, 2 already merged, 0 refused; interviews new 0 / updated 0 / unchanged 0; conflicts 0; duplicates 0"
# the merged data, without what is local to each database (its device id,
# its own events, change order, the ledger's times and file names)
data() {
	sqlite3 "$1" "SELECT uuid, form_hash, household_key, enumerator, device, status,
		review_comment, revision, created, updated, position FROM interview" | sort
	sqlite3 "$1" "SELECT * FROM answer" | sort
	sqlite3 "$1" "SELECT device, seq, interview, time, kind, actor, path, old_value,
		new_value, old_special, new_special, extra FROM event
		WHERE device <> (SELECT value FROM meta WHERE key = 'device_id')" | sort
	sqlite3 "$1" "SELECT * FROM comment" | sort
	sqlite3 "$1" "SELECT * FROM sync_conflict" | sort
	sqlite3 "$1" "SELECT * FROM sync_duplicate" | sort
	sqlite3 "$1" "SELECT device, kind, for_device, sequence, content_sha256 FROM sync_bundle" | sort
}
data "$tmp/seq.db" >"$tmp/seq.data"

round=1
while [ $round -le 6 ]; do
	db=$tmp/team$round.db
	r assign --db "$db" "$tmp/s/sample.csv" >/dev/null 2>&1
	r merge --db "$db" "$tmp"/s/*.bundle.gz >"$tmp/a$round" 2>&1 &
	pa=$!
	r merge --db "$db" "$tmp"/s/*.bundle.gz >"$tmp/b$round" 2>&1 &
	pb=$!
	wait $pa
	ea=$?
	wait $pb
	eb=$?
	eq "round $round: both merges exit 0" "$ea $eb" "0 0"
	for f in "$tmp/a$round" "$tmp/b$round"; do
		if grep -q "refused\|concurrently" "$f" && ! grep -q ", 0 refused;" "$f"; then
			not_ok "round $round: nothing refused"
			sed 's/^/#   /' "$f"
		fi
	done
	merged=$(cat "$tmp/a$round" "$tmp/b$round" |
		sed -n 's/^total: \([0-9]*\) bundles merged, \([0-9]*\) already merged, 0 refused.*/\1 \2/p' |
		awk '{m += $1; a += $2} END {print m, a}')
	eq "round $round: each bundle merged once, already merged once" "$merged" "2 2"
	data "$db" >"$tmp/d$round"
	check "round $round: the data equals the sequential merge's" cmp -s "$tmp/seq.data" "$tmp/d$round"
	round=$((round + 1))
done

echo "1..$n"
[ "$fails" -eq 0 ]
