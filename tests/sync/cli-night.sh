#!/bin/sh
# The team leader's night, end to end through the real program, on
# interviews entered with `ruhu fill --db` from the form tests' answer files:
# two laptops load their part of the sample (`ruhu assign`), interview, and
# `ruhu export`; the team database gets the whole sample, merges both
# bundles, and `ruhu status` shows the counts per village and enumerator and
# each laptop's latest bundle. Merging again says "already merged" and
# leaves a canonical dump byte-identical. One household interviewed on both
# laptops under two UUIDs is a duplicate: flagged by merge, `ruhu conflicts`
# and `ruhu status`, both interviews kept with their own answers. Checked in
# English and Chinese; every count is also checked with sqlite3.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
cases=$src/tests/forms/cases
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
fill() { # fill DB CASE: one completed interview from tests/forms/cases/CASE.answers.csv
	r fill "$form" --answers "$cases/$1.answers.csv" --db "$2" >/dev/null 2>"$tmp/fillerr"
}

# the laptops: each loads its households (device ids are not known yet)
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\nQS-SM02-002,qs,qs_sm,qs_sm_02,jiance,马文学,张敏,\n' "$hdr" >"$tmp/a.csv"
printf '%s\nQS-SM01-005,qs,qs_sm,qs_sm_01,tuopin,罗世明,刘洋,\nQS-LQ01-007,qs,qs_lq,qs_lq_01,yiban,段红梅,周静,\nQS-LQ01-003,qs,qs_lq,qs_lq_01,yiban,段红梅,周静,\nQS-LQ01-009,qs,qs_lq,qs_lq_01,yiban,王芳,周静,\n' "$hdr" >"$tmp/b.csv"
r assign --db "$tmp/A.db" "$tmp/a.csv" >"$tmp/out" 2>&1
check "laptop A: sample of 2 loaded" hasline "$tmp/out" "$tmp/a.csv: 2 households loaded"
r assign --db "$tmp/B.db" "$tmp/b.csv" >"$tmp/out" 2>&1
check "laptop B: sample of 4 loaded" hasline "$tmp/out" "$tmp/b.csv: 4 households loaded"
devA=$(q "$tmp/A.db" "SELECT value FROM meta WHERE key = 'device_id'")
devB=$(q "$tmp/B.db" "SELECT value FROM meta WHERE key = 'device_id'")
check "the laptops have different device ids" test -n "$devA" -a -n "$devB" -a "$devA" != "$devB"

# the day's interviews
fill household-tuopin-ok "$tmp/A.db"
check "A: fill tuopin-ok (QS-SM01-002)" test $? -eq 0
fill household-jiance-problems "$tmp/A.db"
check "A: fill jiance-problems (QS-SM02-002)" test $? -eq 0
fill household-exceptions-ok "$tmp/B.db"
check "B: fill exceptions-ok (QS-SM01-005)" test $? -eq 0
fill household-yiban-birthdates "$tmp/B.db"
check "B: fill yiban-birthdates (QS-LQ01-007)" test $? -eq 0
fill household-yiban-should-monitor "$tmp/B.db"
check "B: fill yiban-should-monitor (QS-LQ01-003)" test $? -eq 0
# the same household as A's tuopin-ok, on the other laptop: a duplicate
fill household-qc-flags "$tmp/B.db"
check "B: fill qc-flags (QS-SM01-002 again)" test $? -eq 0
eq "A holds 2 completed interviews" "$(q "$tmp/A.db" "SELECT COUNT(*) FROM interview WHERE status = 'completed'")" 2
eq "B holds 4 completed interviews" "$(q "$tmp/B.db" "SELECT COUNT(*) FROM interview WHERE status = 'completed'")" 4

# export on each laptop
mkdir "$tmp/usb"
r export --db "$tmp/A.db" --out "$tmp/usb" >"$tmp/outA" 2>&1
check "A: export exits 0" test $? -eq 0
bA=$tmp/usb/ruhu-$devA-000001.bundle.gz
nA=$(q "$tmp/A.db" "SELECT COUNT(*) FROM answer")
eA=$(q "$tmp/A.db" "SELECT COUNT(*) FROM event")
check "A: export names the file and counts" hasline "$tmp/outA" "$bA: 2 interviews, $nA answers, $eA events, 0 comments"
r export --db "$tmp/B.db" --out "$tmp/usb" >"$tmp/outB" 2>&1
check "B: export exits 0" test $? -eq 0
bB=$tmp/usb/ruhu-$devB-000001.bundle.gz
check "B: export names the file" has "$tmp/outB" "$bB: 4 interviews,"
r export --db "$tmp/A.db" --out "$tmp/usb" >"$tmp/out" 2>&1
check "A: a second export has nothing" hasline "$tmp/out" "nothing to export"
eq "A: the export is recorded as done" "$(q "$tmp/A.db" "SELECT kind, sequence, state, interviews FROM sync_export")" "device|1|done|2"

# the team leader: the whole sample, with the laptops' device ids
{
	echo "$hdr"
	sed 1d "$tmp/a.csv" | sed "s/,\$/,$devA/"
	sed 1d "$tmp/b.csv" | sed "s/,\$/,$devB/"
} >"$tmp/team.csv"
r assign --db "$tmp/team.db" "$tmp/team.csv" >"$tmp/out" 2>&1
check "team: sample of 6 loaded" hasline "$tmp/out" "$tmp/team.csv: 6 households loaded"
r merge --db "$tmp/team.db" "$bA" "$bB" >"$tmp/out" 2>"$tmp/err"
check "team: merge exits 0" test $? -eq 0
check "team: merge of A: 2 new" has "$tmp/out" "$bA: 2 new, 0 updated, 0 unchanged interviews, 0 conflicts, 0 duplicates, $eA new events, $nA answers ("
check "team: merge of B: 4 new, the duplicate flagged" has "$tmp/out" "$bB: 4 new, 0 updated, 0 unchanged interviews, 0 conflicts, 1 duplicates,"
check "team: merge summary" hasline "$tmp/out" "total: 2 bundles merged, 0 already merged, 0 refused; interviews new 6 / updated 0 / unchanged 0; conflicts 0; duplicates 1"
check "team: nothing on stderr" test ! -s "$tmp/err"

# every interview, answer and event of both laptops arrived unchanged
for t in "interview:uuid, form_hash, household_key, status, revision, created, updated, review_comment" \
	"answer:interview, path, value, special" \
	"event:device, seq, interview, time, kind, actor, path, old_value, new_value, old_special, new_special, extra"; do
	tab=${t%%:*}
	cols=${t#*:}
	where=
	# the team database's own events (its assign) are not the laptops'
	[ "$tab" = event ] && where="WHERE device IN ('$devA', '$devB')"
	for d in A B; do
		q "$tmp/$d.db" "SELECT $cols FROM $tab" >>"$tmp/laptops.$tab"
	done
	sort "$tmp/laptops.$tab" >"$tmp/l"
	q "$tmp/team.db" "SELECT $cols FROM $tab $where" | sort >"$tmp/t"
	check "laptops: $tab rows read" test -s "$tmp/l"
	check "team: every $tab row of both laptops, identical" cmp -s "$tmp/l" "$tmp/t"
done
eq "team: both interviews of QS-SM01-002 kept" \
	"$(q "$tmp/team.db" "SELECT COUNT(*) FROM interview WHERE household_key = 'QS-SM01-002'")" 2
eq "team: the duplicate pair recorded" \
	"$(q "$tmp/team.db" "SELECT household_key, uuid_a < uuid_b FROM sync_duplicate")" "QS-SM01-002|1"
eq "team: the two interviews of the duplicate keep their own answers" \
	"$(q "$tmp/team.db" "SELECT COUNT(DISTINCT a.interview) FROM answer a JOIN interview i ON i.uuid = a.interview WHERE i.household_key = 'QS-SM01-002' AND a.path = 'household_key'")" 2

# status
r status --db "$tmp/team.db" >"$tmp/st" 2>&1
check "status exits 0" test $? -eq 0
sline() { # sline NAME ASSIGNED STARTED COMPLETED APPROVED REJECTED DUPL: the row, exactly
	printf '  %-34s %8s %8s %9s %8s %8s %6s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
check "status: total" hasline "$tmp/st" "$(sline "all households" 6 5 5 0 0 1)"
check "status: county qs" hasline "$tmp/st" "$(sline qs 6 5 5 0 0 1)"
check "status: village qs_sm_01 (the duplicate)" hasline "$tmp/st" "$(sline qs/qs_sm/qs_sm_01 2 2 2 0 0 1)"
check "status: village qs_sm_02" hasline "$tmp/st" "$(sline qs/qs_sm/qs_sm_02 1 1 1 0 0 0)"
check "status: village qs_lq_01 (one not started)" hasline "$tmp/st" "$(sline qs/qs_lq/qs_lq_01 3 2 2 0 0 0)"
# 张敏 刘洋 周静 are two display columns per character: pad by width, not bytes
check "status: enumerator 张敏" hasline "$tmp/st" "  张敏$(printf '%30s') $(printf '%8s %8s %9s %8s %8s %6s' 2 2 2 0 0 1)"
check "status: enumerator 周静" hasline "$tmp/st" "  周静$(printf '%30s') $(printf '%8s %8s %9s %8s %8s %6s' 3 2 2 0 0 0)"
check "status: enumerator 刘洋" hasline "$tmp/st" "  刘洋$(printf '%30s') $(printf '%8s %8s %9s %8s %8s %6s' 1 1 1 0 0 0)"
cA=$(zcat "$bA" | sed -n 's/^created,//p')
cB=$(zcat "$bB" | sed -n 's/^created,//p')
check "status: laptop A's latest bundle" hasline "$tmp/st" "  $devA  bundle 1 (written $cA), 1 bundles in all"
check "status: laptop B's latest bundle" hasline "$tmp/st" "  $devB  bundle 1 (written $cB), 1 bundles in all"
eq "status: exactly two devices listed" "$(grep -c 'bundles in all$' "$tmp/st")" 2
eq "sqlite3 agrees: started households" \
	"$(q "$tmp/team.db" "SELECT COUNT(*) FROM assignment_status WHERE n_interviews > 0")" 5

# conflicts: none, one duplicate pair, both completed
r conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts: none" hasline "$tmp/out" "conflicts: 0 (0 unresolved)"
check "conflicts: one duplicate pair" hasline "$tmp/out" "duplicates: 1 pairs"
pair=$(q "$tmp/team.db" "SELECT '  QS-SM01-002  ' || uuid_a || ' (completed)  ' || uuid_b || ' (completed)' FROM sync_duplicate")
check "conflicts: the pair with both uuids and statuses" hasline "$tmp/out" "$pair"

# merging the same bundles again: already merged, nothing changed
dump "$tmp/team.db" >"$tmp/dump1"
r merge --db "$tmp/team.db" "$bB" "$bA" >"$tmp/out" 2>&1
check "re-merge exits 0" test $? -eq 0
check "re-merge: A already merged" hasline "$tmp/out" "$bA: already merged, nothing changed"
check "re-merge: B already merged" hasline "$tmp/out" "$bB: already merged, nothing changed"
check "re-merge summary" hasline "$tmp/out" "total: 0 bundles merged, 2 already merged, 0 refused; interviews new 0 / updated 0 / unchanged 0; conflicts 0; duplicates 0"
dump "$tmp/team.db" >"$tmp/dump2"
check "re-merge: canonical dump byte-identical" cmp -s "$tmp/dump1" "$tmp/dump2"
"$bin" --lang zh merge --db "$tmp/team.db" "$bA" >"$tmp/out" 2>&1
check "re-merge in Chinese" hasline "$tmp/out" "$bA：已合并过，未做更改"
dump "$tmp/team.db" >"$tmp/dump3"
check "Chinese re-merge: dump still identical" cmp -s "$tmp/dump1" "$tmp/dump3"

# the other order into a fresh team database: the same content
r assign --db "$tmp/team2.db" "$tmp/team.csv" >/dev/null 2>&1
r merge --db "$tmp/team2.db" "$bB" "$bA" >/dev/null 2>&1
check "other order: merge exits 0" test $? -eq 0
for t in "interview:uuid, form_hash, household_key, enumerator, device, status, revision, created, updated, position, review_comment" \
	"answer:interview, path, value, special" \
	"event:device, seq, interview, time, kind, actor, path, old_value, new_value, extra" \
	"sync_duplicate:household_key, uuid_a, uuid_b"; do
	tab=${t%%:*}
	where=
	[ "$tab" = event ] && where="WHERE device IN ('$devA', '$devB')"
	q "$tmp/team.db" "SELECT ${t#*:} FROM $tab $where" | sort >"$tmp/o1"
	q "$tmp/team2.db" "SELECT ${t#*:} FROM $tab $where" | sort >"$tmp/o2"
	check "other order: $tab rows read" test -s "$tmp/o1"
	check "other order: same $tab rows" cmp -s "$tmp/o1" "$tmp/o2"
done

# Chinese status and conflicts
"$bin" --lang zh status --db "$tmp/team.db" >"$tmp/out" 2>&1
check "status in Chinese: device line" hasline "$tmp/out" "  $devA  第 1 号（写于 $cA），共 1 个数据包"
check "status in Chinese: header" has "$tmp/out" "各设备最近合并的数据包"
"$bin" --lang zh conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts in Chinese" hasline "$tmp/out" "重复：1 对"

echo "1..$n"
[ "$fails" -eq 0 ]
