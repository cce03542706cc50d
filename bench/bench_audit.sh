#!/bin/sh
# Benchmark of `ruhu audit` (issue 14: 20,000 households with the shipped
# rules, goal under 2 s for rules plus paradata): synth N households
# (BENCH_AUDIT_HOUSEHOLDS, default 20000) on 10 devices, assign and merge
# them into a team database, then time one audit that saves nothing (wall
# and CPU seconds from /usr/bin/time when present, else `time`); then one
# saved run and `ruhu review --list` (all, and --finding any). Prints the
# figures; never fails on them.
set -u
bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
n=${BENCH_AUDIT_HOUSEHOLDS:-20000}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bin" synth "$src/forms/household.csv" --households "$n" --devices 10 --seed 1 \
	--out "$tmp/b" >/dev/null || exit 1
"$bin" assign --db "$tmp/team.db" "$tmp/b/sample.csv" >/dev/null || exit 1
"$bin" merge --db "$tmp/team.db" "$tmp"/b/*.bundle.gz >/dev/null || exit 1
echo "audit of $n households, forms/checks.csv, --no-save:"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KiB" \
		"$bin" audit --db "$tmp/team.db" --rules "$src/forms/checks.csv" --no-save \
		--format csv --out "$tmp/out.csv"
else
	time "$bin" audit --db "$tmp/team.db" --rules "$src/forms/checks.csv" --no-save \
		--format csv --out "$tmp/out.csv"
fi
echo "findings: $(($(wc -l <"$tmp/out.csv") - 1))"

# the review list over the same database (issue 14): one saved audit run,
# then `ruhu review --list` of every interview and of those with findings
"$bin" audit --db "$tmp/team.db" --rules "$src/forms/checks.csv" --format csv \
	--out "$tmp/saved.csv" >/dev/null || exit 1
for f in "" "--finding any"; do
	echo "review --list $f of $n households:"
	# shellcheck disable=SC2086
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KiB" \
			"$bin" --lang en review --db "$tmp/team.db" --list $f >"$tmp/list.txt"
	else
		time "$bin" --lang en review --db "$tmp/team.db" --list $f >"$tmp/list.txt"
	fi
	tail -n 1 "$tmp/list.txt"
done
