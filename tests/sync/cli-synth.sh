#!/bin/sh
# `ruhu synth` paradata, checked on the merged database with sqlite3: the
# same seed gives byte-identical bundles and sample, another seed other ones;
# the events an enumerator produces are all there (answer changes with old
# and new values, constraint failures followed by the right value, don't
# know / refused, look-backs, comments with their rows, complete, close);
# every interview lasts 30-60 minutes with times that never go back; the
# revision is 1 + the content events, as the store counts them; every stored
# answer equals the last event about it; and the interviews still pass the
# form (completed by the engine) so the team leader's status counts them.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

q() { sqlite3 "$tmp/team.db" "$1"; }
positive() { [ "$2" -gt 0 ] 2>/dev/null && ok "$1" || { not_ok "$1"; echo "#   got: $2"; }; }
form=$src/forms/household.csv

r synth "$form" --households 60 --devices 2 --seed 11 --out "$tmp/a" >"$tmp/out" 2>&1
check "synth exits 0" test $? -eq 0
r synth "$form" --households 60 --devices 2 --seed 11 --out "$tmp/b" >/dev/null 2>&1
r synth "$form" --households 60 --devices 2 --seed 12 --out "$tmp/c" >/dev/null 2>&1
for f in "$tmp"/a/*; do
	check "same seed: $(basename "$f") byte-identical" cmp -s "$f" "$tmp/b/$(basename "$f")"
done
eq "same seed: the same files" "$(ls "$tmp/a" | wc -l) $(ls "$tmp/b" | wc -l)" "3 3"
differ=0
for f in "$tmp"/c/*.bundle.gz; do
	for g in "$tmp"/a/*.bundle.gz; do cmp -s "$f" "$g" && differ=1; done
done
eq "another seed: no bundle equal to the first seed's" "$differ" 0
check "another seed: other households' answers" sh -c "! cmp -s '$tmp/a/sample.csv' '$tmp/c/sample.csv'"

r assign --db "$tmp/team.db" "$tmp/a/sample.csv" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$tmp"/a/*.bundle.gz >"$tmp/m" 2>&1
check "the bundles merge" grep -qx "total: 2 bundles merged, 0 already merged, 0 refused; interviews new 60 / updated 0 / unchanged 0; conflicts 0; duplicates 0" "$tmp/m"
ans=$(q "SELECT COUNT(*) FROM answer")
ev=$(q "SELECT COUNT(*) FROM event WHERE interview IS NOT NULL")
done_=$(q "SELECT COUNT(*) FROM interview WHERE status = 'completed'")
eq "synth's summary agrees with the database" "$(cat "$tmp/out")" "2 bundles: 60 interviews ($done_ completed), $ans answers, $ev events"
positive "most interviews completed ($done_ of 60)" "$((done_ - 50))"

# every kind of paradata is there
for k in create open answer_set answer_changed constraint_failed special navigate repeat_add comment complete close; do
	positive "events of kind $k" "$(q "SELECT COUNT(*) FROM event WHERE kind = '$k'")"
done
chg=$(q "SELECT COUNT(*) FROM event WHERE kind = 'answer_changed'")
set_=$(q "SELECT COUNT(*) FROM event WHERE kind IN ('answer_set', 'special')")
positive "answer changes are a few percent of answers ($chg of $set_)" "$(( (chg * 100 < set_ * 15) && (chg * 100 > set_ * 2) ))"
eq "answer_changed: old and new values, never equal" \
	"$(q "SELECT COUNT(*) FROM event WHERE kind = 'answer_changed' AND (old_value IS NULL OR new_value IS NULL OR old_value = new_value)")" 0
eq "answer_changed: the old value is the one set just before" \
	"$(q "SELECT COUNT(*) FROM event c WHERE kind = 'answer_changed' AND NOT EXISTS (SELECT 1 FROM event s WHERE s.device = c.device AND s.seq = c.seq - 1 AND s.kind = 'answer_set' AND s.path = c.path AND s.new_value = c.old_value)")" 0
eq "constraint_failed: the right value follows at once, and differs" \
	"$(q "SELECT COUNT(*) FROM event c WHERE kind = 'constraint_failed' AND NOT EXISTS (SELECT 1 FROM event s WHERE s.device = c.device AND s.seq = c.seq + 1 AND s.kind = 'answer_set' AND s.path = c.path AND s.new_value <> c.new_value)")" 0
eq "special events: the stored answer is that special value" \
	"$(q "SELECT COUNT(*) FROM event e WHERE kind = 'special' AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.interview = e.interview AND a.path = e.path AND a.special = e.new_special AND a.value IS NULL)")" 0
eq "special values are don't know or refused" \
	"$(q "SELECT COUNT(*) FROM answer WHERE special IS NOT NULL AND special NOT IN ('dont_know', 'refused')")" 0
eq "every comment event has its comment row" \
	"$(q "SELECT COUNT(*) FROM event e WHERE kind = 'comment' AND NOT EXISTS (SELECT 1 FROM comment c WHERE c.uuid = e.extra AND c.interview = e.interview AND c.path = e.path AND c.text = e.new_value AND c.time = e.time)")" 0
eq "and every comment row its event" \
	"$(q "SELECT (SELECT COUNT(*) FROM comment) - (SELECT COUNT(*) FROM event WHERE kind = 'comment')")" 0
positive "comments on a few interviews, not all" "$(q "SELECT COUNT(DISTINCT interview) BETWEEN 5 AND 40 FROM comment")"
eq "navigate: always a question that has an answer" \
	"$(q "SELECT COUNT(*) FROM event e WHERE kind = 'navigate' AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.interview = e.interview AND a.path = e.path)")" 0
eq "one create, open and close per interview" \
	"$(q "SELECT COUNT(*) FROM interview i WHERE (SELECT COUNT(*) FROM event WHERE interview = i.uuid AND kind IN ('create', 'open', 'close')) <> 3")" 0
eq "create carries the form hash and the household" \
	"$(q "SELECT COUNT(*) FROM event e JOIN interview i ON i.uuid = e.interview WHERE kind = 'create' AND (e.new_value IS NOT i.form_hash OR e.extra IS NOT i.household_key)")" 0

# timing
eq "every interview lasts 30 to 60 minutes from create to complete" \
	"$(q "SELECT COUNT(*) FROM (SELECT interview, MAX(time) - MIN(time) AS d FROM event WHERE interview IS NOT NULL AND kind <> 'close' GROUP BY interview) WHERE d < 1800000 OR d > 3600000")" 0
eq "times never go back within an interview" \
	"$(q "SELECT COUNT(*) FROM event a JOIN event b ON b.device = a.device AND b.seq = a.seq + 1 AND b.interview = a.interview WHERE b.time < a.time")" 0
# seconds before an answer, by question: sex (a choice, 5-15 s) and the
# income amounts (decimals, 15-45 s), before the 0.5-2x scaling
gap() {
	q "SELECT CAST(AVG(e.time - p.time) / 1000 AS INTEGER) FROM event e JOIN event p ON p.device = e.device AND p.seq = e.seq - 1 WHERE e.kind = 'answer_set' AND p.kind = 'answer_set' AND e.path GLOB '$1'"
}
sex=$(gap '*m_sex')
inc=$(gap 'inc_*')
positive "an income amount takes longer than sex ($inc s vs $sex s)" "$(( inc > sex ))"
positive "a choice takes 3-30 s on average ($sex s)" "$(( sex >= 3 && sex <= 30 ))"
positive "an amount takes 10-90 s on average ($inc s)" "$(( inc >= 10 && inc <= 90 ))"
eq "created = create's time, updated = the last content event's" \
	"$(q "SELECT COUNT(*) FROM interview i WHERE created <> (SELECT time FROM event WHERE interview = i.uuid AND kind = 'create') OR updated <> (SELECT MAX(time) FROM event WHERE interview = i.uuid AND kind IN ('answer_set', 'answer_changed', 'special', 'repeat_add', 'comment', 'complete'))")" 0

# the store's own invariants
eq "revision = 1 + content events" \
	"$(q "SELECT COUNT(*) FROM interview i WHERE revision <> 1 + (SELECT COUNT(*) FROM event e WHERE e.interview = i.uuid AND kind IN ('answer_set', 'answer_changed', 'special', 'repeat_add', 'comment', 'complete'))")" 0
eq "every answer equals the last event about it" \
	"$(q "SELECT COUNT(*) FROM answer a WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.interview = a.interview AND e.path = a.path AND e.kind IN ('answer_set', 'answer_changed', 'special', 'repeat_add') AND e.seq = (SELECT MAX(seq) FROM event x WHERE x.interview = a.interview AND x.path = a.path AND x.kind IN ('answer_set', 'answer_changed', 'special', 'repeat_add')) AND e.new_value IS a.value AND e.new_special IS a.special)")" 0
eq "event sequences gap-free per device" \
	"$(q "SELECT COUNT(*) FROM (SELECT device, MAX(seq) - MIN(seq) + 1 - COUNT(*) AS gap FROM event WHERE interview IS NOT NULL GROUP BY device) WHERE gap <> 0")" 0
r status --db "$tmp/team.db" >"$tmp/st" 2>&1
check "status counts the completed interviews" grep -qE "^  all households +60 +60 +$done_ +0 +0 +0$" "$tmp/st"

echo "1..$n"
[ "$fails" -eq 0 ]
