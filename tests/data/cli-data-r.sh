#!/bin/sh
# labels.R against the codebook. With R (Debian r-base-core) the script is
# run on the CSVs and the labels it sets are compared with codebook.csv;
# without R the script's text is checked against the codebook and the test
# then reports itself skipped (exit 77).
bin=${RUHU_BIN:?}
src=${RUHU_SOURCE:?}
. "$src/tests/sync/lib.sh"

d="$src/tests/data"
db="$tmp/team.db"
for a in a1 a2 a3; do
	r fill "$d/data-form.csv" --answers "$d/$a.answers.csv" --db "$db" >/dev/null 2>&1
done
r data --db "$db" --out "$tmp/o" --lang zh --excel-bom >/dev/null 2>&1
check "export" test -s "$tmp/o/labels.R"
check "every table read by labels.R" has "$tmp/o/labels.R" 'ruhu_read("data_test_jobs.csv")'
check "a label in the script" has "$tmp/o/labels.R" '"上年家庭纯收入（元，含\"工资性\"收入）"'
check "a factor in the script" has "$tmp/o/labels.R" 'd[["has_toilet"]] <- factor('

if ! command -v Rscript >/dev/null 2>&1; then
	echo "1..$n"
	[ "$fails" -eq 0 ] || exit 1
	echo "# Rscript not found (install r-base-core): labels.R not run"
	exit 77
fi
(cd "$tmp/o" && Rscript -e '
source("labels.R")
b <- read.csv("codebook.csv", fileEncoding = "UTF-8-BOM", encoding = "UTF-8",
  colClasses = "character", check.names = FALSE)
bad <- 0
for (i in seq_len(nrow(b))) {
  got <- attr(ruhu[[b$table[i]]][[b$variable[i]]], "label")
  if (!identical(got, b$label[i])) { bad <- bad + 1; cat("label", b$table[i], b$variable[i], "\n") }
}
m <- ruhu[["data_test"]]
h <- m[m$iv_household == "H-001", ]
stopifnot(as.character(h$has_toilet) == "拒绝回答")
stopifnot(is.na(h$income))
stopifnot(h$remarks == "逗号, \"引号\" and\na second line")
stopifnot(levels(m$has_toilet)[1:2] == c("是", "否"))
stopifnot(h$help_types_edu == 1, h$help_types_employment == 0)
j <- ruhu[["data_test_jobs"]]
stopifnot(nrow(j) == 3, j$job_name[j$job_income %in% 12000.5] == "务工, 建筑")
if (bad > 0) quit(status = 1)
cat("labels ok:", nrow(b), "variables\n")
' >"$tmp/r.out" 2>&1)
rc=$?
cat "$tmp/r.out" | sed 's/^/# /'
check "labels.R sets every label of the codebook and the values read back" test $rc -eq 0

echo "1..$n"
[ "$fails" -eq 0 ]
