#!/bin/sh
# Runs one libFuzzer target for a bounded time on a fresh corpus made from
# seeds; the `fuzz` suite of a fuzz build (meson test -C build-fuzz --suite
# fuzz) runs every target this way, and so does CI (scripts/setup test).
#
#   run-fuzz.sh TARGET SECONDS WORKDIR RUHU SEED...
#
# TARGET is the fuzz binary, WORKDIR a folder the run may own (its corpus
# and any crash-* / leak-* / timeout-* file go there), RUHU the ruhu program
# of the same build (to make seeds). Each SEED is one of
#   [xHH:]PATH          a file, every regular file of a folder, or the files
#                       a glob names (DIR/*.md), copied
#                       into the corpus, with the byte 0xHH in front when
#                       given (targets whose first byte picks a mode)
#   exprs:VECTORS.csv   every expression of the conformance vectors file
#   bundles:FORM        bundles made by `ruhu synth FORM` (as files, x00, and
#                       as uncompressed content, x01: fuzz_bundle's modes)
#   sealed:FORM         bundles made by `ruhu synth FORM` behind header lines
#                       whose content hash is theirs, x01 (fuzz_seal's mode
#                       that signs them)
#   split:FILE          FILE cut into pieces of at most 2000 bytes
#   sample:FORM         the sample file `ruhu synth FORM` writes
#   db:SAMPLE.csv       a device database made by `ruhu assign` of SAMPLE
# A missing seed path is skipped (the conformance folder may be absent).
# Exit status: libFuzzer's — 0 when the time ran out without a finding.
set -u

bin=$1 secs=$2 work=$3 ruhu=$4
shift 4
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "FAIL: $bin was not built (a compile or link error: see ninja's output)"
	exit 1
fi
corpus=$work/corpus
rm -rf "$work"
mkdir -p "$corpus" "$work/tmp" || exit 1
n=0

add() { # add PREFIX FILE
	n=$((n + 1))
	if [ -n "$1" ]; then
		printf "\\$(printf '%03o' "0x$1")" >"$corpus/seed-$n"
		cat "$2" >>"$corpus/seed-$n"
	else
		cp "$2" "$corpus/seed-$n"
	fi
}

for spec; do
	case $spec in
	exprs:*)
		f=${spec#exprs:}
		[ -f "$f" ] || continue
		python3 - "$f" "$corpus" <<'PY' || exit 1
import csv, os, sys
with open(sys.argv[1], encoding="utf-8", newline="") as fp:
    for i, row in enumerate(csv.DictReader(fp)):
        with open(os.path.join(sys.argv[2], "expr-%d" % i), "w", encoding="utf-8") as out:
            out.write(row["expr"])
PY
		;;
	bundles:*)
		"$ruhu" synth "${spec#bundles:}" --households 2 --devices 2 --seed 1 --out "$work/tmp/synth" \
			>/dev/null || exit 1
		for b in "$work"/tmp/synth/*.bundle.gz; do
			add 00 "$b"
			gzip -dc "$b" >"$work/tmp/content" && add 01 "$work/tmp/content"
		done
		;;
	sealed:*)
		"$ruhu" synth "${spec#sealed:}" --households 2 --devices 1 --seed 3 --out "$work/tmp/sealed" \
			>/dev/null || exit 1
		for b in "$work"/tmp/sealed/*.bundle.gz; do
			{
				printf 'kind,device\ndevice,fuzz-1\nsequence,1\ncreated,2026-01-01T00:00:00Z\nprev,\n'
				printf 'content_sha256,%s\ncontent_length,%s\nteam,\n' \
					"$(sha256sum "$b" | cut -c1-64)" "$(wc -c <"$b" | tr -d ' ')"
				printf '\000'
				cat "$b"
			} >"$work/tmp/sealed-seed"
			add 01 "$work/tmp/sealed-seed"
		done
		;;
	split:*)
		# a big text file as pieces of at most 2000 bytes (whole lines)
		f=${spec#split:}
		[ -f "$f" ] || continue
		mkdir -p "$work/tmp/split" && split -C 2000 -a 4 "$f" "$work/tmp/split/$n-" || exit 1
		for f in "$work"/tmp/split/$n-*; do add "" "$f"; done
		;;
	sample:*)
		"$ruhu" synth "${spec#sample:}" --households 5 --devices 2 --seed 2 --out "$work/tmp/smp" \
			>/dev/null || exit 1
		add "" "$work/tmp/smp/sample.csv"
		;;
	db:*)
		"$ruhu" assign --db "$work/tmp/seed.db" "${spec#db:}" >/dev/null || exit 1
		add "" "$work/tmp/seed.db"
		;;
	*)
		prefix=
		case $spec in x[0-9a-f][0-9a-f]:*) prefix=${spec#x}; prefix=${prefix%%:*}; spec=${spec#x??:} ;; esac
		[ -d "$spec" ] && spec=$spec/*
		# a folder or a glob (DIR/*.md): every regular file it names
		old_ifs=$IFS
		IFS='
'
		for f in $spec; do [ -f "$f" ] && add "$prefix" "$f"; done
		IFS=$old_ifs
		;;
	esac
done

echo "$(basename "$bin"): $(ls "$corpus" | wc -l) seeds, ${secs} s"
cd "$work" || exit 1
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" corpus
