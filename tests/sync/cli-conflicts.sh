#!/bin/sh
# Conflicts end to end: one laptop's database is copied (a second laptop set
# up from a backup); the same interview is changed differently on both
# copies, so both reach the same revision with different answers. The team
# leader merges both: the copy's bundle with the same sequence number is
# refused by name, the copy's next full export is kept as a conflict;
# `ruhu conflicts` lists both versions; choosing one writes its answers as a
# new revision with a `conflict_resolved` event; choosing the other reverses
# it; the answers in the database and the listing's '*' follow each choice,
# and an export carries the chosen one. Checked in English and Chinese and with sqlite3.
#
# $1: the edit_interview helper (store_interview_reopen + store_answer_put +
# store_interview_complete: what the enumerator's screens do; no command
# edits a completed interview).
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
edit=${1:?usage: cli-conflicts.sh EDIT_INTERVIEW}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
cases=$src/tests/forms/cases
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\n' "$hdr" >"$tmp/s.csv"
r assign --db "$tmp/A.db" "$tmp/s.csv" >/dev/null 2>&1
r fill "$form" --answers "$cases/household-tuopin-ok.answers.csv" --db "$tmp/A.db" >/dev/null 2>&1
check "laptop: one interview filled" test "$(q "$tmp/A.db" "SELECT COUNT(*) FROM interview")" = 1
dev=$(q "$tmp/A.db" "SELECT value FROM meta WHERE key = 'device_id'")
uuid=$(q "$tmp/A.db" "SELECT uuid FROM interview")
rev0=$(q "$tmp/A.db" "SELECT revision FROM interview")
eq "the form test's exit year" "$(q "$tmp/A.db" "SELECT value FROM answer WHERE path = 'exit_year'")" 2019
mkdir "$tmp/d1" "$tmp/d2" "$tmp/d3"
r export --db "$tmp/A.db" --out "$tmp/d1" >/dev/null 2>&1
b1=$tmp/d1/ruhu-$dev-000001.bundle.gz
check "first export written" test -f "$b1"

# the copy, then a different change on each
cp "$tmp/A.db" "$tmp/A2.db"
"$edit" "$tmp/A.db" "$uuid" exit_year 2017
check "laptop: exit year changed to 2017" test $? -eq 0
"$edit" "$tmp/A2.db" "$uuid" exit_year 2016
check "copy: exit year changed to 2016" test $? -eq 0
eq "both at the same revision" "$(q "$tmp/A.db" "SELECT revision FROM interview") $(q "$tmp/A2.db" "SELECT revision FROM interview")" "$((rev0 + 3)) $((rev0 + 3))"
r export --db "$tmp/A.db" --out "$tmp/d2" >/dev/null 2>&1
r export --db "$tmp/A2.db" --out "$tmp/d3" >/dev/null 2>&1
b2=$tmp/d2/ruhu-$dev-000002.bundle.gz
b3=$tmp/d3/ruhu-$dev-000002.bundle.gz
check "both copies wrote their bundle 2" test -f "$b2" -a -f "$b3"

r merge --db "$tmp/team.db" "$b1" "$b2" "$b3" >"$tmp/out" 2>"$tmp/err"
check "merge: exit 1 (one refused)" test $? -eq 1
check "merge: the copy's bundle 2 refused by name" hasline "$tmp/err" "ruhu: $b3: bundle 2 of device '$dev' was merged before with different content"
check "merge: summary" hasline "$tmp/out" "total: 2 bundles merged, 0 already merged, 1 refused; interviews new 1 / updated 1 / unchanged 0; conflicts 0; duplicates 0"
eq "team: the laptop's change is in" "$(q "$tmp/team.db" "SELECT value FROM answer WHERE path = 'exit_year'")" 2017
"$bin" --lang zh merge --db "$tmp/team.db" "$b3" >/dev/null 2>"$tmp/err"
check "merge in Chinese: the refusal" hasline "$tmp/err" "ruhu: $b3: 设备 '$dev' 的第 2 号数据包已合并过，但内容不同"

# the copy's next export carries everything again: now a conflict
r export --db "$tmp/A2.db" --out "$tmp/d3" --all >/dev/null 2>&1
b4=$tmp/d3/ruhu-$dev-000003.bundle.gz
r merge --db "$tmp/team.db" "$b4" >"$tmp/out" 2>"$tmp/err"
check "merge of the copy's bundle 3: exit 0" test $? -eq 0
# the row then holds the version with the smaller hash: "updated" or
# "unchanged" depends on the hashes, which depend on the random uuid
check "merge: one conflict" sh -c "grep -qxE 'total: 1 bundles merged, 0 already merged, 0 refused; interviews new 0 / updated (1 / unchanged 0|0 / unchanged 1); conflicts 1; duplicates 0' '$tmp/out'"
check "merge: the copied database's clashing events are reported" sh -c "grep -qE ': warning: [0-9]+ events have the number of a different event already merged from the same device; both versions are kept' '$tmp/out'"
eq "team: the copy's paradata is kept (its change to 2016 is logged)" "$(q "$tmp/team.db" "SELECT COUNT(*) FROM (SELECT new_value FROM event WHERE path = 'exit_year' UNION ALL SELECT new_value FROM event_clash WHERE path = 'exit_year') WHERE new_value = '2016'")" 1
eq "team: and so is the laptop's change to 2017" "$(q "$tmp/team.db" "SELECT COUNT(*) FROM (SELECT new_value FROM event WHERE path = 'exit_year' UNION ALL SELECT new_value FROM event_clash WHERE path = 'exit_year') WHERE new_value = '2017'")" 1
eq "team: both versions kept" "$(q "$tmp/team.db" "SELECT COUNT(*), MIN(revision), MAX(revision) FROM sync_conflict WHERE uuid = '$uuid'")" "2|$((rev0 + 3))|$((rev0 + 3))"
h17=$(q "$tmp/team.db" "SELECT content_sha256 FROM sync_conflict_answer WHERE uuid = '$uuid' AND path = 'exit_year' AND value = '2017'")
h16=$(q "$tmp/team.db" "SELECT content_sha256 FROM sync_conflict_answer WHERE uuid = '$uuid' AND path = 'exit_year' AND value = '2016'")
check "team: one version says 2017, the other 2016" test -n "$h17" -a -n "$h16" -a "$h17" != "$h16"
small=$(printf '%s\n%s\n' "$h17" "$h16" | sort | head -n 1)
[ "$small" = "$h17" ] && want=2017 || want=2016
eq "unresolved: the row holds the smaller hash's answers" "$(q "$tmp/team.db" "SELECT value FROM answer WHERE interview = '$uuid' AND path = 'exit_year'")" "$want"

nans=$(q "$tmp/A.db" "SELECT COUNT(*) FROM answer")
r conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts: exit 0" test $? -eq 0
check "conflicts: count" hasline "$tmp/out" "conflicts: 1 (1 unresolved)"
check "conflicts: the interview line" hasline "$tmp/out" "  $uuid QS-SM01-002 revision $((rev0 + 3)) unresolved"
for h in "$h17" "$h16"; do
	mark=' '
	[ "$h" = "$small" ] && mark='*'
	short=$(echo "$h" | cut -c1-12)
	check "conflicts: version $short ($mark)" hasline "$tmp/out" "    $mark $short  device $dev  status completed  $nans answers"
done
"$bin" --lang zh conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts in Chinese" hasline "$tmp/out" "冲突：1 个（未解决 1 个）"
check "conflicts in Chinese: the interview line" hasline "$tmp/out" "  $uuid QS-SM01-002 版本 $((rev0 + 3)) 未解决"

# choose the version that is NOT in the row now, then the other one
if [ "$small" = "$h17" ]; then first=$h16 fv=2016 other=$h17 ov=2017; else first=$h17 fv=2017 other=$h16 ov=2016; fi
p1=$(echo "$first" | cut -c1-8)
r conflicts --db "$tmp/team.db" --resolve "$uuid" "$p1" --author 王组长 >"$tmp/out" 2>&1
check "resolve: exit 0" test $? -eq 0
check "resolve: message" hasline "$tmp/out" "$uuid: version $p1 chosen"
eq "resolve: the answers follow the choice" "$(q "$tmp/team.db" "SELECT value FROM answer WHERE interview = '$uuid' AND path = 'exit_year'")" "$fv"
eq "resolve: a new revision" "$(q "$tmp/team.db" "SELECT revision, status FROM interview WHERE uuid = '$uuid'")" "$((rev0 + 4))|completed"
eq "resolve: every answer of the chosen version" \
	"$(q "$tmp/team.db" "SELECT COUNT(*) FROM answer a JOIN sync_conflict_answer c ON c.uuid = a.interview AND c.path = a.path AND c.value IS a.value AND c.special IS a.special AND c.content_sha256 = '$first' WHERE a.interview = '$uuid'") $(q "$tmp/team.db" "SELECT COUNT(*) FROM answer WHERE interview = '$uuid'")" "$nans $nans"
eq "resolve: recorded as an event with the chosen hash and the author" \
	"$(q "$tmp/team.db" "SELECT kind, old_value, new_value, extra FROM event WHERE interview = '$uuid' AND kind = 'conflict_resolved'")" \
	"conflict_resolved|revision $((rev0 + 3))|$first|王组长"
eq "resolve: both versions still kept" "$(q "$tmp/team.db" "SELECT COUNT(*) FROM sync_conflict WHERE uuid = '$uuid'")" 2
r conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts after the choice: resolved" hasline "$tmp/out" "conflicts: 1 (0 unresolved)"
check "conflicts after the choice: the interview line, who chose" hasline "$tmp/out" "  $uuid QS-SM01-002 revision $((rev0 + 3)) resolved (chosen by 王组长)"
vline() { # vline HASH MARK
	echo "    $2 $(echo "$1" | cut -c1-12)  device $dev  status completed  $nans answers"
}
check "conflicts after the choice: * on the chosen version" hasline "$tmp/out" "$(vline "$first" '*')"
check "conflicts after the choice: no * on the other" hasline "$tmp/out" "$(vline "$other" ' ')"
"$bin" --lang zh conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "conflicts after the choice in Chinese" hasline "$tmp/out" "  $uuid QS-SM01-002 版本 $((rev0 + 3)) 已解决（王组长 选定）"

# choosing again reverses it
r conflicts --db "$tmp/team.db" --resolve "$uuid" "$(echo "$other" | cut -c1-6)" >"$tmp/out" 2>&1
check "choose again: exit 0" test $? -eq 0
eq "choose again: the answers follow" "$(q "$tmp/team.db" "SELECT value FROM answer WHERE interview = '$uuid' AND path = 'exit_year'")" "$ov"
eq "choose again: another revision" "$(q "$tmp/team.db" "SELECT revision FROM interview WHERE uuid = '$uuid'")" "$((rev0 + 5))"
r conflicts --db "$tmp/team.db" >"$tmp/out" 2>&1
check "choose again: the listing follows: no author this time" hasline "$tmp/out" "  $uuid QS-SM01-002 revision $((rev0 + 3)) resolved"
check "choose again: * moved to the other version" hasline "$tmp/out" "$(vline "$other" '*')"
check "choose again: no * on the first choice" hasline "$tmp/out" "$(vline "$first" ' ')"
eq "choose again: two events, in order" \
	"$(q "$tmp/team.db" "SELECT new_value FROM event WHERE interview = '$uuid' AND kind = 'conflict_resolved' ORDER BY seq" | tr '\n' ' ')" "$first $other "

# refusals: too short, unknown prefix, an interview without a conflict
r conflicts --db "$tmp/team.db" --resolve "$uuid" abc >/dev/null 2>"$tmp/err"
check "a 3-digit prefix: exit 1" test $? -eq 1
check "a 3-digit prefix: message" hasline "$tmp/err" "ruhu: give at least 4 digits of the version hash"
before=$(q "$tmp/team.db" "SELECT revision FROM interview")
r conflicts --db "$tmp/team.db" --resolve "$uuid" ffffffffff >/dev/null 2>"$tmp/err"
check "an unknown prefix: exit 1" test $? -eq 1
check "an unknown prefix: message" hasline "$tmp/err" "ruhu: $uuid: no version hash starts with 'ffffffffff'"
"$bin" --lang zh conflicts --db "$tmp/team.db" --resolve "$uuid" ffffffffff >/dev/null 2>"$tmp/err"
check "an unknown prefix in Chinese" hasline "$tmp/err" "ruhu: $uuid: 没有哈希以 'ffffffffff' 开头的版本"
eq "refusals change nothing" "$(q "$tmp/team.db" "SELECT revision FROM interview")" "$before"

# the chosen version travels: a team export merged elsewhere holds it
mkdir "$tmp/d5"
r export --db "$tmp/team.db" --out "$tmp/d5" --all >/dev/null 2>&1
r merge --db "$tmp/other.db" "$tmp"/d5/*.bundle.gz >/dev/null 2>&1
eq "an export carries the chosen answers" "$(q "$tmp/other.db" "SELECT value, revision FROM answer JOIN interview ON uuid = interview WHERE path = 'exit_year'")" "$ov|$((rev0 + 5))"

echo "1..$n"
[ "$fails" -eq 0 ]
