#!/bin/sh
# ruhu data through the program: usage errors (exit 2), bad input (exit 1,
# bilingual, naming the file or folder, no file left under a final name),
# every format written, the progress line absent when stderr is not a
# terminal. The data: tests/data answers entered with `ruhu fill --db`.
bin=${RUHU_BIN:?}
src=${RUHU_SOURCE:?}
. "$src/tests/sync/lib.sh"

d="$src/tests/data"
db="$tmp/team.db"
for a in a1 a2 a3; do
	r fill "$d/data-form.csv" --answers "$d/$a.answers.csv" --db "$db" >/dev/null 2>&1
done
r assign --db "$db" "$d/sample.csv" >/dev/null

rc() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

eq "no arguments: usage" "$(rc r data)" 2
eq "unknown format: usage" "$(rc r data --db "$db" --out "$tmp/x" --format pdf)" 2
check "unknown format named" has "$tmp/err" "unknown format 'pdf'"
eq "bad status: usage" "$(rc r data --db "$db" --out "$tmp/x" --status done)" 2
eq "equal special codes: usage" "$(rc r data --db "$db" --out "$tmp/x" --dk-code 7 --refused-code 7)" 2
eq "help in both languages" "$(rc "$bin" --lang zh help data)" 0
check "help: Chinese" has "$tmp/out" "导出分析数据"

eq "all formats" "$(rc r data --db "$db" --out "$tmp/all" --format csv --format xlsx --format dta --format sav --long --paradata)" 0
check "summary line" has "$tmp/out" "3 interviews"
check "no progress when stderr is a file" test ! -s "$tmp/err"
for f in data_test.csv data_test_members.csv data_test_jobs.csv codebook.csv labels.do labels.R \
	data_test.xlsx data_test.dta data_test_members.sav data_test_long.csv data_test_events.sav; do
	check "wrote $f" test -s "$tmp/all/$f"
done
# the workbook: numbers as numbers, dates as dates, specials as text
python3 - "$tmp/all/data_test.xlsx" >"$tmp/xlsx" 2>&1 <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
cells = re.findall(r'<c r="([A-Z]+)(\d+)"([^>]*)>(.*?)</c>', sheet)
head = {c: re.sub(r"<[^>]+>", "", v) for c, r, a, v in cells if r == "1"}
col = {v: c for c, v in head.items()}
def cell(name, row):
    for c, r, a, v in cells:
        if c == col[name] and r == row:
            return a, re.sub(r"<[^>]+>", "", v)
    return None, None
ok = True
for row in ("2", "3", "4"):
    a, v = cell("iv_household", row)
    if v == "H-001":
        a, v = cell("hh_size", row); ok &= "t=" not in a and v == "2"
        a, v = cell("visit_date", row); ok &= "t=" not in a and v == "46346" and " s=" in a
        a, v = cell("has_toilet", row); ok &= v == "refused"
        a, v = cell("help_types_edu", row); ok &= "t=" not in a and v == "1"
print("sheets", len([n for n in names if n.startswith("xl/worksheets/")]), "ok" if ok else "bad")
PY
check "xlsx: typed cells, a sheet per table and the codebook" has "$tmp/xlsx" "sheets 6 ok"
check "no temporary file left" test -z "$(ls -A "$tmp/all" | grep '^\.')"

# labels.do (Stata is not here to run it): value labels with .a/.b, a cut label
do="$tmp/all/labels.do"
check "labels.do: imports every table" has "$do" 'import delimited using "data_test_jobs.csv"'
check "labels.do: specials to .a/.b" has "$do" 'mvdecode `r(varlist)'"'"', mv(-8=.a \ -9=.b)'
check "labels.do: value labels" has "$do" 'label define yes_no 1 `"Yes"'"'"' 2 `"No"'"'"' .a `"don'"'"'t know"'"'"' .b `"refused"'"'"', replace'
check "labels.do: label values" has "$do" 'capture label values has_toilet yes_no'
check "labels.do: macros not expanded" has "$do" '(yuan, "wages" included)'

eq "non-empty folder: exit 1" "$(rc r data --db "$db" --out "$tmp/all")" 1
check "non-empty folder: named, --force suggested" has "$tmp/err" "$tmp/all: the output folder is not empty"
eq "non-empty folder (zh)" "$(rc "$bin" --lang zh data --db "$db" --out "$tmp/all")" 1
check "non-empty folder: Chinese message" has "$tmp/err" "输出目录不是空的"
eq "--force" "$(rc r data --db "$db" --out "$tmp/all" --force)" 0

eq "unknown form: exit 1" "$(rc r data --db "$db" --out "$tmp/u" --form nope)" 1
check "unknown form named" has "$tmp/err" "no form 'nope' in the database"
check "unknown form: no folder" test ! -e "$tmp/u"
eq "empty selection: exit 1" "$(rc r data --db "$db" --out "$tmp/e" --status approved)" 1
check "empty selection said" has "$tmp/err" "no interview matches the selection"
check "empty selection: no folder" test ! -e "$tmp/e"
eq "missing database: exit 1" "$(rc r data --db "$tmp/none.db" --out "$tmp/m")" 1
check "missing database named" has "$tmp/err" "$tmp/none.db"

# --excel-bom puts a byte order mark in front of every CSV
eq "--excel-bom" "$(rc r data --db "$db" --out "$tmp/bom" --excel-bom)" 0
check "BOM" test "$(head -c 3 "$tmp/bom/data_test.csv" | od -An -tx1 | tr -d ' ')" = efbbbf

# --mask: the key is made once in the database; the export opens it writable
eq "--mask" "$(rc r data --db "$db" --out "$tmp/mask" --mask)" 0
check "mask key kept in the database" test "$(q "$db" "SELECT length(value) FROM meta WHERE key = 'data_mask_key'")" = 72
check "names masked" test -z "$(grep -l '王小明' "$tmp/mask"/*.csv)"

echo "1..$n"
[ "$fails" -eq 0 ]
