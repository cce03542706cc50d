#!/bin/sh
# `ruhu score` end to end (issue 13): 16 households entered with `ruhu fill
# --db` from tests/score/households/*.csv (a sample loaded with `ruhu assign`
# gives each its county class) are scored under each shipped profile, and the
# CSV is compared with the numbers worked out by hand in *.expect. Then: a
# veto that changes a grade and one that forces one, --status approved, a
# household interviewed twice, --explain, --out, and refusals that write
# nothing.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"
here=$src/tests/score
form=$src/forms/household.csv
yunnan=$src/forms/profiles/yunnan-2021.csv
gansu=$src/forms/profiles/gansu-2021.csv
cd "$tmp" || exit 1

r assign --db t.db "$here/sample.csv" >/dev/null 2>&1
stored=0
for f in "$here"/households/*.csv; do
	"$bin" fill "$form" --answers "$f" --db t.db >/dev/null 2>err && stored=$((stored + 1))
done
eq "16 interviews stored with fill --db" "$stored" 16

# the columns the hand computation fixes (group and the intervals are checked
# elsewhere): unit,n,indicator,numerator,denominator,value,points,grade,veto,rank
cols() { cut -d, -f1,3,4,5,6,7,10,12,13,14 | sort; }
expect() { grep -v '^#' "$1" | sort; }

for p in yunnan-2021 gansu-2021 chongqing-2021 inner-mongolia-2022 guangdong-2020; do
	r score --db t.db --profile "$src/forms/profiles/$p.csv" --format csv >out.csv 2>err
	eq "$p: exit 0" $? 0
	eq "$p: header" "$(head -1 out.csv)" \
		"unit,group,n,indicator,numerator,denominator,value,ci_low,ci_high,points,composite,grade,veto,rank"
	eq "$p: every number as computed by hand" "$(tail -n +2 out.csv | cols)" \
		"$(expect "$here/$p.expect")"
	eq "$p: small samples are warned about" \
		"$(grep -c "warning: sample of .* households, below the profile's minimum of" err)" 2
done
check "a composite without --inputs: says the composite is missing" \
	grep -q "guangdong-2020.csv: warning: no --inputs: no composite score; grades come from the field score" err

# Gansu's composite through prefecture level, worked by hand (inputs.csv):
#   county = departments × 0.5 + field × 0.3 + prefecture × 0.2 (001)
#   qs: 0.5 × 80 + 0.3 × 50.625 + 0.2 × 70 = 40 + 15.1875 + 14 = 69.1875 -> 一般;
#       tuchu holds (forbids 好), and the input flag fanpin = 1 forces 较差
#   bs: 0.5 × 95 + 0.3 × 92.5   + 0.2 × 90 = 47.5 + 27.75 + 18 = 93.25   -> 好;
#       the input flag conditions = 1 (conditions 1-5, 7) forbids 好 -> 较好
#   prefecture pz = mean(69.1875, 93.25) × 0.8 + departments 85 × 0.2
#                 = 81.21875 × 0.8 + 17 = 64.975 + 17 = 81.975          -> 较好
r score --db t.db --profile "$gansu" --inputs "$here/inputs.csv" --format csv >comp.csv 2>err
eq "composite: exit 0" $? 0
eq "composite: counties and prefecture as computed by hand" \
	"$(grep -E ',_(total|parent),' comp.csv | awk -F, '{ printf "%s %s %.4f %.4f %s %s %s\n", $1, $4, $7, $11, $12, $13, $14 }')" \
"bs _total 92.5000 93.2500 较好 conditions 1
qs _total 50.6250 69.1875 较差 tuchu fanpin 2
pz _parent 81.2188 81.9750 较好  1"
r score --db t.db --profile "$gansu" --inputs "$here/inputs.csv" >comp.txt 2>/dev/null
check "composite: the table shows the prefecture" grep -q '^pz  *16  *81.22  *81.98  *1  fairly good' comp.txt

# Chongqing: grades by shares of the ranked group, on the composite when
# routine-work scores are given (70 field + 30 routine, default):
#   qs: 0.7 × 50.625 + 0.3 × 100 = 35.4375 + 30 = 65.4375 -> rank 1 -> 好
#   bs: 0.7 × 92.5   + 0.3 × 2   = 64.75 + 0.6  = 65.35   -> rank 2 -> 较好
r score --db t.db --profile "$src/forms/profiles/chongqing-2021.csv" \
	--inputs "$here/inputs-chongqing.csv" --format csv >cq.csv 2>/dev/null
eq "chongqing: the composite reorders the group and the shares follow" \
	"$(grep ',_total,' cq.csv | awk -F, '{ printf "%s %.4f %s %s\n", $1, $11, $12, $14 }')" \
"qs 65.4375 好 1
bs 65.3500 较好 2"

# Guangdong: city = special survey 0.3 + cross check 0.4 + routine 0.3 (004).
# The cross check comes from the rating sheets (forms/rating-*.csv, the
# forms tests' answers) stored in the database: per level the mean of the
# sheets' points_mean, then the mean of the levels the city has:
#   qingyuan: county 89.71, township 94.38, village 91.11
#             -> (89.71 + 94.38 + 91.11) / 3 = 91.733333…
#   shaoguan: county 89.71 (county bs), township 94.38 (bs_hk) -> 92.045
# a violation (an input of weight 0 the veto reads) caps at 一般:
#   qingyuan: 0.3 × 50.625 + 0.4 × 91.733333 + 0.3 × 80
#             = 15.1875 + 36.693333 + 24 = 75.880833 -> 一般
#   shaoguan: 0.3 × 92.5 + 0.4 × 92.045 + 0.3 × 90 = 27.75 + 36.818 + 27
#             = 91.568 -> 好, violation 1 -> weiji forbids 较好 and better -> 一般
cases=$src/tests/forms/cases
cp t.db gd.db
sheet() { # FORM ANSWERS CITY COUNTY TOWNSHIP
	sed -e "s/^city,.*/city,$3/" -e "s/^county,.*/county,$4/" -e "s/^township,.*/township,$5/" \
		"$cases/$2" >sheet.csv
	"$bin" fill "$src/forms/$1" --answers sheet.csv --db gd.db >/dev/null 2>&1
}
sheet rating-county.csv rating-county-ok.answers.csv qingyuan qs qs_sm &&
sheet rating-township.csv rating-township-ok.answers.csv qingyuan qs qs_sm &&
sheet rating-village.csv rating-village-ok.answers.csv qingyuan qs qs_sm &&
sheet rating-county.csv rating-county-ok.answers.csv shaoguan bs bs_hk &&
sheet rating-township.csv rating-township-ok.answers.csv shaoguan bs bs_hk
eq "guangdong: five rating sheets stored" $? 0
r score --db gd.db --profile "$src/forms/profiles/guangdong-2020.csv" \
	--inputs "$here/inputs-guangdong.csv" --format csv >gd.csv 2>/dev/null
eq "guangdong: the cross check from the rating sheets, and the violation caps shaoguan at 一般" \
	"$(grep ',_total,' gd.csv | awk -F, '{ printf "%s %.4f %s %s %s\n", $1, $11, $12, $13, $14 }')" \
"shaoguan 91.5680 一般 weiji 1
qingyuan 75.8808 一般  2"
# without rating sheets there is no cross-check score: refused, naming the city
r score --db t.db --profile "$src/forms/profiles/guangdong-2020.csv" \
	--inputs "$here/inputs-guangdong.csv" --format csv >out 2>err
eq "guangdong: no rating sheet: exit 1" $? 1
eq "guangdong: no rating sheet: the city is named" "$(grep error err | sort | head -1)" \
	"qingyuan: error: unit 'qingyuan' has no rating sheet (ruhu_rating_county): no 'cross' score"
eq "guangdong: no rating sheet: nothing written" "$(cat out)" ""
# a value the rating forms do not have: refused at the composite row
sed 's/,points_mean,city$/,points_meen,city/' "$src/forms/profiles/guangdong-2020.csv" >gdbad.csv
r score --db gd.db --profile gdbad.csv --inputs "$here/inputs-guangdong.csv" --format csv >out 2>err
eq "guangdong: a value the sheets lack: exit 1" $? 1
eq "guangdong: a value the sheets lack: named at the composite row" "$(grep error err)" \
	"gdbad.csv:composite:$(grep -n ',points_meen,city$' gdbad.csv | cut -d: -f1): error: form 'ruhu_rating_county' has no 'points_meen' or 'city' (outside repeats)"

# bad inputs: each named with its line, nothing written
bad_inputs() { # DESCRIPTION FILE-CONTENT EXPECTED-STDERR
	printf '%s\n' "$2" >in.csv
	r score --db t.db --profile "$gansu" --inputs in.csv --format csv >out 2>err
	eq "$1: exit 1" $? 1
	eq "$1: message" "$(grep -v warning err)" "$3"
	eq "$1: nothing written" "$(cat out)" ""
}
bad_inputs "inputs: unknown component" "$(printf 'unit,component,score\nqs,media,80')" \
	"in.csv:2: error: unknown component 'media' (an input component of the profile's composite sheet)"
bad_inputs "inputs: score out of range" "$(printf 'unit,component,score\nqs,departments,180')" \
	"in.csv:2: error: score '180' is not a number within 0..100"
bad_inputs "inputs: twice" "$(printf 'unit,component,score\nqs,departments,80\nqs,departments,81')" \
	"in.csv:3: error: 'qs' has 'departments' twice (line 2 has it already)"
bad_inputs "inputs: no header" "$(printf 'qs,departments,80')" \
	"in.csv:1: error: the header needs the columns unit, component, score"
bad_inputs "inputs: unknown unit, missing scores" "$(sed 's/^pz,/px,/' "$here/inputs.csv")" \
"in.csv: error: parent 'pz' has no 'departments' score (write 100 where there was no task)
in.csv:6: error: unknown unit 'px' (no interviews, or not a unit of this profile)"

# a median (a variant adds one: helper visits of T∪J): qs has 0 (QS-01) and
# seven 6s -> median 6 (the mean would be 5.25); its distribution-free
# interval takes the values ranked floor(4 − 1.96·√8/2) = 1 and
# ceil(4 + 1.96·√8/2) = 7 of 8: 0 and 6
sed "/^,F11,/a ,VM,帮扶次数中位数,median helper visits,\${household_type} = 'tuopin' or \${household_type} = 'jiance',median,,\${help_visits},,report,,,,," \
	"$yunnan" >median.csv
r score --db t.db --profile median.csv --format csv >median.out 2>/dev/null
eq "median: value and interval by hand" "$(grep '^qs,.*,VM,' median.out | cut -d, -f5-9)" "42,8,6,0,6"

# minimum samples by group: Gansu's 重点帮扶县 (class national) 300,
# Chongqing's first group (一类) 400
r score --db t.db --profile "$gansu" --format csv >/dev/null 2>err
check "gansu: 300 for the national class" grep -q "^qs: warning: sample of 10 households, below the profile's minimum of 300" err
r score --db t.db --profile "$src/forms/profiles/chongqing-2021.csv" --format csv >/dev/null 2>err
check "chongqing: 400 for the first group" grep -q "^bs: warning: sample of 6 households, below the profile's minimum of 400" err

# group and intervals on one row: F1 of qs is 1 of 8 (Wilson 0.0224-0.4709)
eq "county class as group, Wilson interval" \
	"$(r score --db t.db --profile "$yunnan" --format csv 2>/dev/null | grep '^qs,.*,F1,' |
		awk -F, '{ printf "%s %.4f %.4f", $2, $8, $9 }')" "national 0.0224 0.4709"

# vetoes that change the grade: a variant whose bands put qs (50.625) in 好;
# tuchu forbids 好 -> 较好; a forcing veto (F8 all wrong) then makes it 一般
sed -e 's/^,grade_hao,90,/,grade_hao,50,/' -e 's/^,grade_jiaohao,80,/,grade_jiaohao,40,/' \
	"$yunnan" >variant.csv
sed -i '/^,tuchu,/a ,removal,撤销不实,wrong removals,"${F8_den} > 0 and ${F8} >= 1",force,yiban' \
	variant.csv
r score --db t.db --profile variant.csv --format csv 2>/dev/null | grep ',_total,' | cols >tot
eq "forbid lowers 好 to 较好, force sets 一般" "$(cat tot)" \
"bs,6,_total,,,92.5,92.5,好,,1
qs,10,_total,,,50.625,50.625,一般,tuchu removal,2"
sed '/^,removal,/d' variant.csv >variant2.csv
eq "forbid alone: 较好" \
	"$(r score --db t.db --profile variant2.csv --format csv 2>/dev/null | grep '^qs,.*,_total,' | cut -d, -f12,13)" \
	"较好,tuchu"

# table: fits 80 columns, names both units with their grades
r score --db t.db --profile "$gansu" >table.txt 2>/dev/null
eq "table exit 0" $? 0
eq "table fits 80 columns" "$(python3 -c '
import sys, unicodedata
print(max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n"))
          for l in open("table.txt", encoding="utf-8")) <= 80)')" True
check "table ranks bs first as good" grep -q '^bs  *national  *6!  *92.50  *-  *1  good' table.txt
"$bin" --lang zh score --db t.db --profile "$gansu" >table-zh.txt 2>/dev/null
check "Chinese table grades qs 较差" grep -q '^qs  *national  *10!  *50.62  *-  *2  较差  *tuchu' table-zh.txt

# html: one self-contained, well-formed file naming every unit and indicator
r score --db t.db --profile "$gansu" --inputs "$here/inputs.csv" --format html --out r.html 2>/dev/null
eq "html: exit 0" $? 0
check "html: well-formed XML (polyglot XHTML)" python3 -c '
import sys, xml.etree.ElementTree as ET
ET.parse("r.html")'
check "html: no script, no outside reference" sh -c '! grep -Eqi "<script|src=|href=|@import|url\(" r.html'
for name in bs qs pz F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 MD good average; do
	has r.html ">$name" || has r.html " $name" || { not_ok "html names $name"; continue; }
done
eq "html: every unit and indicator named" "$(grep -c '<section>' r.html)" 3
eq "html: a dot per rate with an interval (F8 of bs has no population)" "$(grep -c "<circle" r.html)" 21
if command -v chromium >/dev/null 2>&1; then
	chromium --headless --no-sandbox --disable-gpu --screenshot="$tmp/shot.png" \
		--window-size=900,1400 "file://$tmp/r.html" >/dev/null 2>&1
	check "html: headless Chromium renders it" test -s "$tmp/shot.png"
fi

# --explain: the households behind F7 of qs and the answers that made them count
r score --db t.db --profile "$yunnan" --explain qs F7 >ex.txt 2>/dev/null
eq "explain lists the 8 households of T∪Y" "$(grep -c '^  QS-' ex.txt)" 8
eq "explain marks the 3 that count" "$(grep ' counts ' ex.txt | awk '{print $1}' | tr '\n' ' ')" \
	"QS-03 QS-04 QS-10 "
check "explain shows the answer that made QS-10 count" grep -q 'QS-10 .*med_oop=10000' ex.txt
check "explain shows the answers behind a flag" grep -q '^      lbc_problem=1 <- .*food_protein=no' ex.txt
check "explain shows both flags of QS-04" grep -q '^      house_problem=1 <- house_grade=C' ex.txt
r score --db t.db --profile "$yunnan" --explain qs >ex2.txt 2>/dev/null
check "explain UNIT shows the rule" grep -qF 'F9  1 / 10 = 0.1: 10 × clamp(1 − (0.1 − 0.05) / (0.25 − 0.05), 0, 1) = 7.5' ex2.txt
check "explain UNIT shows the veto" grep -q 'veto tuchu (forbids good) -> average, rank 2' ex2.txt
r score --db t.db --profile "$yunnan" --explain nowhere >/dev/null 2>err
eq "explain of an unknown unit: exit 1" $? 1

# --out: the same CSV in a file
r score --db t.db --profile "$yunnan" --format csv --out o.csv 2>/dev/null
eq "--out writes the CSV" "$(cat o.csv)" "$(r score --db t.db --profile "$yunnan" --format csv 2>/dev/null)"

# --status approved: only what QC approved (nothing yet, then BS-01)
r score --db t.db --profile "$yunnan" --status approved >out 2>err
eq "no approved interview: exit 1" $? 1
eq "no approved interview: message" "$(cat err)" \
	"t.db: error: no 'ruhu_household' interview with the statuses asked for"
uuid=$(q t.db "SELECT uuid FROM interview WHERE household_key = 'BS-01'")
r review --db t.db "$uuid" --approve >/dev/null 2>&1
eq "approved only: BS-01 alone, nothing to deduct" \
	"$(r score --db t.db --profile "$yunnan" --status approved --format csv 2>/dev/null | grep _total | cols)" \
	"bs,1,_total,,,100,100,好,,1"

# a household interviewed twice: the latest interview counts, with a warning
cp t.db dup.db
sed 's/^last_income,12000$/last_income,10000/' "$here/households/QS-05.csv" >again.csv
"$bin" fill "$form" --answers again.csv --db dup.db >/dev/null 2>&1
r score --db dup.db --profile "$yunnan" --format csv >dup.csv 2>err
eq "latest interview counts: F6 of qs 0/8, 15 points" \
	"$(grep '^qs,.*,F6,' dup.csv | cut -d, -f5,6,10)" "0,8,15"
eq "and qs's field score rises by 3.75" "$(grep '^qs,.*,_total,' dup.csv | cut -d, -f10)" 54.375
check "the duplicate is named" grep -q '^QS-05: warning: several interviews of this household' err

# design weights (a variant of the Yunnan profile with weight_column = wt;
# the sample gives QS-03 weight 2, every other household 1), by hand:
#   F1 qs: T∪J weigh 2 + 7 × 1 = 9, the problem household (03) 2 -> 2/9 = 0.2222
#          >= 0.2 -> 0 points (unweighted it was 1/8 and 3.75)
#   F4 qs: 1/9 = 0.1111 -> 10 × (1 − 0.1111/0.2) = 4.4444
#   F9 qs: all weigh 11, 06 weighs 1 -> 1/11 = 0.0909 -> 10 × (1 − 0.0409/0.2) = 7.9545
#   Wilson at n_eff = 9² / (2² + 7) = 81/11 households: F1 at x = 2/9 × 81/11
sed -e '2s/$/,weight_column/' -e '3s/$/,wt/' "$yunnan" >weighted.csv
r score --db t.db --profile weighted.csv --format csv >w.csv 2>/dev/null
eq "weights: F1, F4, F9 of qs as computed by hand" \
	"$(grep -E '^qs,.*,(F1|F4|F9),' w.csv | awk -F, '{ printf "%s %g %g %.4f %.4f\n", $4, $5, $6, $7, $10 }')" \
"F1 2 9 0.2222 0.0000
F4 1 9 0.1111 4.4444
F9 1 11 0.0909 7.9545"
eq "weights: Wilson at the effective sample size" \
	"$(grep -E '^qs,.*,F1,' w.csv | awk -F, '{ printf "%.6f %.6f", $8, $9 }')" \
	"$(awk 'BEGIN { n = 81 / 11; p = 2 / 9; z = 1.959963984540054; d = 1 + z * z / n;
		c = (p + z * z / (2 * n)) / d; h = z / d * sqrt(p * (1 - p) / n + z * z / (4 * n * n));
		printf "%.6f %.6f", c - h, c + h }')"
printf 'household_key,county,township,village,household_type,head_name,enumerator,device,county_class,prefecture,district_group,city,wt\n' >wbad.csv
grep '^QS-01,' "$here/sample.csv" | sed 's/,1$/,-3/' >>wbad.csv
cp t.db wbad.db
r assign --db wbad.db wbad.csv >/dev/null 2>&1
r score --db wbad.db --profile weighted.csv --format csv >out 2>err
eq "weights: a negative weight is refused, naming the household" "$(grep error err)" \
	"QS-01: error: design weight 'wt' is '-3', not a positive number"

# 规模性返贫 risk by village is flagged, never applied: at least 5 (here, in a
# variant, 3) and 10% of T∪J fail; qs_sm_01 has 03, 04 and 08 failing of 8
sed 's/^,fanpin_min_count,5,/,fanpin_min_count,3,/' "$yunnan" >flag.csv
r score --db t.db --profile flag.csv --format csv >flag.out 2>err
eq "flag: the village row" "$(grep '_flag' flag.out | cut -d, -f1,4,5,6)" \
	"qs,_flag:fanpin_risk:qs_sm_01,3,8"
check "flag: a warning for the assessors" \
	grep -q "^qs: warning: fanpin_risk 'qs_sm_01': 3 of 8 households (37.5%): for the assessors to confirm, never applied to the grade" err
eq "flag: the grade is not touched" "$(grep '^qs,.*,_total,' flag.out | cut -d, -f12,13)" "一般,tuchu"
eq "flag: none at the shipped threshold of 5" "$(grep -c '_flag' out.csv)" 0
r score --db t.db --profile flag.csv >flag.txt 2>/dev/null
check "flag: a table line" grep -q '^to confirm: qs fanpin_risk qs_sm_01: 3 of 8 households (37.5%), not in the grade' flag.txt
r score --db t.db --profile flag.csv --format html --out flag.html 2>/dev/null
check "flag: in the html report" grep -q 'for the assessors to confirm (not in the grade): risk of large-scale return to poverty (village) · qs_sm_01 · 3 / 8 (37.5%)' flag.html

# synth --counties: households spread over counties C001..C006 of the sample
# (the frame: their county is the sample's, not the form's two), in three
# classes that rank separately
r synth "$form" --households 60 --devices 2 --counties 6 --seed 5 --out syn >/dev/null 2>&1
eq "synth --counties: sample columns" "$(head -1 syn/sample.csv)" \
	"household_key,county,township,village,household_type,head_name,enumerator,device,county_class,prefecture"
r assign --db syn.db syn/sample.csv >/dev/null 2>&1
r merge --db syn.db syn/*.bundle.gz >/dev/null 2>&1
r score --db syn.db --profile "$gansu" --format csv >syn.csv 2>/dev/null
eq "synth --counties: six units, two per class" \
	"$(grep ',_total,' syn.csv | cut -d, -f1,2 | sort | tr '\n' ' ')" \
	"C001,national C002,other C003,scattered C004,national C005,other C006,scattered "
eq "synth --counties: ranks 1 and 2 (or a tie at 1) within each class" \
	"$(grep ',_total,' syn.csv | awk -F, '{ r[$2] = r[$2] $14 } END { for (g in r) print g, r[g] }' | sort | tr '\n' ' ')" \
	"$(grep ',_total,' syn.csv | awk -F, '{ s[$2] = s[$2] " " $10 } END { for (g in s) { split(s[g], a, " "); print g, (a[1] == a[2] ? "11" : "12") } }' | sort | tr '\n' ' ')"

# synth's plausible households (forms/synth/household.csv): every roster is
# consistent (all interviews complete and merge), most households have no
# problem while a few do, at rates that vary by county, so the Gansu scores
# spread over grades
r synth "$form" --households 720 --devices 2 --counties 12 --seed 11 --out plaus >plaus.out 2>&1
eq "synth plan: every interview completed" "$(head -1 plaus.out)" \
	"2 bundles: 720 interviews (720 completed), $(sed -n 's/.*(720 completed), \([0-9]* answers, [0-9]* events\)$/\1/p' plaus.out)"
r assign --db plaus.db plaus/sample.csv >/dev/null 2>&1
r merge --db plaus.db plaus/*.bundle.gz >merge.out 2>&1
check "synth plan: merge refuses nothing" grep -q "2 bundles merged, 0 already merged, 0 refused" merge.out
r score --db plaus.db --profile "$gansu" --format csv >plaus.csv 2>/dev/null
eq "synth plan: twelve units scored" "$(grep -c ',_total,' plaus.csv)" 12
eq "synth plan: overall problem rates below 10% (F1 两不愁, F4 住房, F5 饮水, F9 认可)" \
	"$(awk -F, '$4 ~ /^F[1459]$/ { n[$4] += $5; d[$4] += $6 } END { for (k in n) print k, (n[k] > 0 && n[k] / d[k] < 0.1) ? "ok" : n[k] "/" d[k] }' plaus.csv | sort | tr '\n' ' ')" \
	"F1 ok F4 ok F5 ok F9 ok "
check "synth plan: F1 rates differ between counties" \
	test "$(awk -F, '$4 == "F1" { print $7 }' plaus.csv | sort -u | wc -l)" -gt 3
check "synth plan: the scores spread over at least three grades" \
	test "$(grep ',_total,' plaus.csv | cut -d, -f12 | sort -u | wc -l)" -ge 3
check "synth plan: the scores span at least 15 points" \
	test "$(grep ',_total,' plaus.csv | awk -F, 'NR == 1 { lo = hi = $7 } { if ($7 < lo) lo = $7; if ($7 > hi) hi = $7 } END { print (hi - lo >= 15) ? 1 : 0 }')" -eq 1

# groups listed in the profile (sheet groups: unit -> group) instead of a
# sample column: Chongqing without group_column, both districts in g1, so one
# ranked group of 2: bs (92.5) ranks 1 -> 好 (positions [0, round(0.3 x 2)) =
# [0, 1)), qs (50.625) ranks 2 -> 较好 ([1, round(0.8 x 2)) = [1, 2))
cq=$src/forms/profiles/chongqing-2021.csv
sed 's/,county,district_group,ruhu_household,/,county,,ruhu_household,/' "$cq" >cqg.csv
printf 'groups\n,unit,group\n,qs,g1\n,bs,g1\n' >>cqg.csv
r score --db t.db --profile cqg.csv --format csv >cqg.out 2>err
eq "groups sheet: exit 0" $? 0
eq "groups sheet: the profile's groups rank the units" \
	"$(grep ',_total,' cqg.out | awk -F, '{ print $1, $2, $12, $14 }' | sort)" \
"bs g1 好 1
qs g1 较好 2"
# a scored unit the sheet does not list: refused before any output
sed '$d' cqg.csv >cqg2.csv
r score --db t.db --profile cqg2.csv --format csv >out 2>err
eq "groups sheet: an unlisted unit: exit 1" $? 1
eq "groups sheet: an unlisted unit is named" "$(grep error err)" \
	"bs: error: unit 'bs' is in no group of the profile's sheet groups"
eq "groups sheet: an unlisted unit: nothing written" "$(cat out)" ""
# both a group column and a groups sheet
printf 'groups\n,unit,group\n,qs,g1\n,bs,g1\n' | cat "$cq" - >cqg3.csv
r score --db t.db --profile cqg3.csv --format csv >out 2>err
eq "groups sheet and group_column: exit 1" $? 1
check "groups sheet and group_column: refused at the sheet" \
	grep -q "^cqg3.csv:groups:[0-9]*: error: settings already has group_column 'district_group': groups come either from a sample column or from sheet groups, not both" err

# grades by shares, a tie at the cut: both units score the full 10 points (no
# household has the problem); shares 0.5 / 0.5 of a group of 2 give position
# 0 好 and position 1 差, but bs is tied with qs, ranked before it, and gets
# its grade (ties go to the better grade) and its rank
cat >tie.csv <<'EOF'
settings
,name::中文 (zh),name::English (en),unit_column,form_id,min_sample
,并列,ties at the cut,county,ruhu_household,1
params
,name,value,source
,pts,10,default: test
,half,0.5,default: test
indicators
,id,label::English (en),population,measure,problem,points,rule,full_at,zero_at
,T,never,,rate,${household_key} = 'none',pts,linear,0,1
grades
,id,name::中文 (zh),name::English (en),share
,hao,好,good,half
,cha,差,poor,half
groups
,unit,group
,qs,g1
,bs,g1
EOF
r score --db t.db --profile tie.csv --format csv >tie.out 2>err
eq "share tie: exit 0" $? 0
eq "share tie: tied at the cut, both get the better grade and rank 1" \
	"$(grep ',_total,' tie.out | awk -F, '{ print $1, $7, $12, $14 }' | sort)" \
"bs 10 好 1
qs 10 好 1"
# without the tie (qs has a problem household), the cut holds: bs 好, qs 差
sed "s/\${household_key} = 'none'/\${household_key} = 'QS-01'/" tie.csv >tie2.csv
r score --db t.db --profile tie2.csv --format csv >tie2.out 2>err
eq "share cut without a tie: 好 then 差" \
	"$(grep ',_total,' tie2.out | awk -F, '{ print $1, $12, $14 }' | sort)" \
"bs 好 1
qs 差 2"

# refusals: a name neither in the form nor the sample, before any output
sed 's/\${help_visits} = 0/${help_visit} = 0/' "$yunnan" >unknown.csv
r score --db t.db --profile unknown.csv --format csv >out 2>err
eq "unknown field: exit 1" $? 1
eq "unknown field: named at its sheet and row" "$(cat err)" \
	"unknown.csv:indicators:46: error: unknown field 'help_visit': not in form 'ruhu_household' nor a column of the sample"
eq "unknown field: nothing written" "$(cat out)" ""
r score --db t.db --profile unknown.csv --out never.csv --format csv >/dev/null 2>&1
check "a failed run leaves no --out file" test ! -e never.csv
r score --db missing.db --profile "$yunnan" >/dev/null 2>err
eq "missing database: exit 1" $? 1
r score --db t.db >/dev/null 2>&1
eq "usage error: exit 2" $? 2

echo "1..$n"
[ "$fails" -eq 0 ]
