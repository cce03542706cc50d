#!/bin/sh
# `ruhu sample` end to end (issue 17): a synthetic frame from `ruhu synth
# --frame`, a draw whose files are 0600 in a 0700 folder with nothing on
# stdout, the same bytes for the same seed and other bytes for another,
# field.csv and phone.csv loaded by `ruhu assign`, --summary; then bad
# frames and plans, each refused with FILE:ROW and no output written.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
cd "$tmp" || exit 1

cat >plan.csv <<'PLAN'
settings
,name::中文 (zh),name::English (en),stratum_column,random_method
,测试方案,test plan,stratum,pps
params
,name,value,source
,purposive_share,0.5,test
,confidence,0.95,test
,phone_share,0.01,test
,phone_min,20,test
,phone_max,100,test
,households_per_enumerator_day,10,test
,field_days,5,test
,call_attempts,3,test
strata
,stratum,county,min_households,source
,甲,县01,150,test
,乙,*,100,test
households
,household_type,per_village,phone,source
,tuopin,6,yes,test
,jiance,all,yes,test
,yiban,2,no,test
rank
,column,order,source
,lifted_2020,desc,test
,households:jiance,desc,test
PLAN

r synth --frame --plan plan.csv --households 6000 --villages 40 --counties 3 --seed 3 --out frame.csv
eq "synth --frame: exit 0" $? 0
eq "synth --frame: 6000 households" "$(tail -n +2 frame.csv | wc -l | tr -d ' ')" 6000
eq "synth --frame: the plan's county and 县02, 县03" \
	"$(tail -n +2 frame.csv | cut -d, -f2 | sort -u | tr '\n' ' ')" "县01 县02 县03 "

r sample --frame frame.csv --plan plan.csv --seed 9 --out out >stdout 2>err
eq "sample: exit 0" $? 0
eq "sample: nothing on stdout" "$(wc -c <stdout | tr -d ' ')" 0
eq "sample: nothing on stderr" "$(wc -c <err | tr -d ' ')" 0
eq "sample: the folder is 0700" "$(stat -c %a out)" 700
eq "sample: every file is 0600" "$(stat -c %a out/field.csv out/phone.csv out/workload.csv out/summary.csv | sort -u)" 600
eq "sample: field.csv header" "$(head -1 out/field.csv)" \
	"household_key,county,township,village,household_type,head_name,enumerator,device,phone,stratum,selection_reason,inclusion_prob,design_weight"
r sample --frame frame.csv --plan plan.csv --seed 9 --out again >/dev/null 2>&1
check "sample: the same seed gives the same bytes" cmp -s out/field.csv again/field.csv
check "sample: ... and the same phone list" cmp -s out/phone.csv again/phone.csv
r sample --frame frame.csv --plan plan.csv --seed 10 --out other >/dev/null 2>&1
if cmp -s out/field.csv other/field.csv; then not_ok "another seed, another sample"; else ok "another seed, another sample"; fi
eq "sample: no household in both lists" \
	"$( (tail -n +2 out/field.csv; tail -n +2 out/phone.csv) | cut -d, -f1 | sort | uniq -d | wc -l | tr -d ' ')" 0
eq "sample: weights sum to the frame (summary)" \
	"$(awk -F, 'NR > 1 { s += $13 } END { printf "%.0f", s }' out/field.csv)" 6000
r assign --db t.db out/field.csv >/dev/null 2>err
eq "assign loads field.csv" $? 0
r assign --db p.db out/phone.csv >/dev/null 2>err
eq "assign loads phone.csv" $? 0
r sample --frame frame.csv --plan plan.csv --seed 9 --out s2 --summary >stdout 2>/dev/null
check "--summary prints the summary" cmp -s stdout s2/summary.csv
eq "summary: one row per county, per stratum and for all" "$(wc -l <stdout | tr -d ' ')" 7

# call attempts: events of the device database that travel in its bundle and
# that merge keeps (merging twice changes nothing); the team's report is the
# device's
r assign --db dev.db out/phone.csv >/dev/null 2>&1
k1=$(sed -n 2p out/phone.csv | cut -d, -f1)
k2=$(sed -n 3p out/phone.csv | cut -d, -f1)
r calls log --db dev.db "$k1" no_answer && r calls log --db dev.db "$k1" callback --callback-at 1764000000 &&
	r calls log --db dev.db "$k2" refused
eq "calls log: exit 0" $? 0
r calls log --db dev.db "$k2" hung_up 2>err
eq "calls log: an unknown outcome is a usage error" $? 2
r calls log --db dev.db no-such-household busy 2>err
eq "calls log: a household not in the sample is refused" $? 1
mkdir bundles
r export --db dev.db --out bundles >/dev/null 2>&1
eq "export: the attempts alone make a bundle" "$(ls bundles | wc -l | tr -d ' ')" 1
r merge --db team2.db bundles/*.gz >/dev/null 2>&1
r merge --db team2.db bundles/*.gz >/dev/null 2>&1
r assign --db team2.db out/phone.csv >/dev/null 2>&1
r calls report --db dev.db >dev.txt
r calls report --db team2.db >team.txt
check "calls report: the team database has the device's attempts" cmp -s dev.txt team.txt
eq "calls report: one county's dispositions (merged twice, not doubled)" \
	"$(grep -c ',3,0,0,1,1,0,' team.txt)" 2
eq "export: nothing new afterwards" "$(r export --db dev.db --out bundles 2>&1)" "nothing to export"

# bad frames: FILE:ROW, exit 1, nothing written
bad() { # bad DESCRIPTION EXPECTED-STDERR-TEXT FRAME PLAN
	rm -rf badout
	r sample --frame "$3" --plan "$4" --out badout >/dev/null 2>err
	rc=$?
	if [ "$rc" -eq 1 ] && has err "$2" && [ ! -e badout ]; then ok "$1"; else
		not_ok "$1"
		echo "#   exit $rc, stderr: $(cat err)"
	fi
}
sed '1s/,phone,/,tel,/' frame.csv >nophone.csv
bad "frame without phone" "nophone.csv:1: error: missing column 'phone'" nophone.csv plan.csv
sed 's/,collective_income$//' frame.csv | cut -d, -f1-7 >norank2.csv
bad "frame without the plan's rank column" \
	"norank2.csv:1: error: missing column 'lifted_2020' (the plan ranks villages by it)" norank2.csv plan.csv
sed '5s/^H01-00001-0004/H01-00001-0002/' frame.csv >dup.csv
bad "a household key twice" "dup.csv:5: error: household key 'H01-00001-0002' already on line 3" dup.csv plan.csv
sed '7s/,yiban,/,poor,/;7s/,tuopin,/,poor,/;7s/,jiance,/,poor,/' frame.csv >type.csv
bad "an unknown household type" "type.csv:7: error: household type 'poor' is not in the plan's households sheet" type.csv plan.csv
awk -F, 'BEGIN { OFS = "," } NR == 4 { $8 = $8 + 1 } { print }' frame.csv >attr.csv
bad "a village attribute that differs" "attr.csv:4: error: village 'V01-00001': 'lifted_2020' differs from line 2" attr.csv plan.csv
awk -F, 'BEGIN { OFS = "," } NR == 6 { $8 = "many" } { print }' frame.csv >nan.csv
bad "a rank column that is not a number" "nan.csv:6: error: column 'lifted_2020': 'many' is not a number" nan.csv plan.csv
sed '3s/$/,extra/' frame.csv >cols.csv
bad "a row with a cell too many" "cols.csv:3: error: 10 fields, the header has 9 columns" cols.csv plan.csv
head -1 frame.csv >empty.csv
bad "a frame without households" "empty.csv: error: the frame has no household" empty.csv plan.csv

# bad plans
sed 's/^,purposive_share,0.5,test/,purposive_share,-0.5,test/' plan.csv >neg.csv
bad "a negative share" "neg.csv:params:6: error: param 'purposive_share': value -0.5 out of range (0 to 1)" frame.csv neg.csv
sed 's/^,甲,县01,150,test/,甲,县01,100000,test/' plan.csv >big.csv
bad "a county with fewer households than its minimum" \
	"big.csv:strata:16: error: county '县01' has" frame.csv big.csv
sed 's/^,甲,县01,150,test/,甲,县09,150,test/' plan.csv >absent.csv
bad "a county the frame lacks" "absent.csv:strata:16: error: county '县09' is not in the frame 'frame.csv'" frame.csv absent.csv
sed 's/^,乙,\*,100,test/,乙,县02,100,test/' plan.csv >nostratum.csv
bad "a frame county in no stratum" "error: county '县03' is in no stratum of the plan (strata sheet)" frame.csv nostratum.csv
sed 's/^,tuopin,6,yes,test/,tuopin,0,yes,test/;s/^,yiban,2,no,test/,yiban,0,no,test/;s/^,jiance,all,yes,test/,jiance,0,yes,test/' plan.csv >zero.csv
bad "a plan that no village can meet" "zero.csv:strata:16: error: county '县01': every village" frame.csv zero.csv
grep -v '^,stratum,county' plan.csv >nocol.csv
bad "a strata sheet without its header" "nocol.csv:strata" frame.csv nocol.csv

echo "1..$n"
[ "$fails" -eq 0 ]
