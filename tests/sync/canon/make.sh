#!/bin/sh
# make.sh — made the fixture of cli-canon.sh ONCE, with the code of main at
# f8bb4c2 (before the store/sync split of issue 10). Kept to show how; do not
# rerun it to "fix" a failing cli-canon.sh: the fixture is the yardstick.
# Changed since by hand, and only so: the schema steps 5 (tables audit_run and
# audit_finding, issue 14), 6 (table form_file, issue 12), 7 (the key_*
# tables, issue 16: their schema rows; canon.sql dumps none of their rows) and
# 8 (issue 18: event_row, device_key, interview_key, event_name, the view
# `event`) and user_version 8 in both .canon files, and canon.sql's form_file
# section (empty: the fixture's forms have no attached files). No data row changed.
#   bundles/      deterministic device bundles: `ruhu synth --seed 7` (8
#                 households, 2 devices), laptop A's bundles 1 and 2, bundle 3
#                 of a copy of A's database (a conflict and event clashes), and
#                 laptop B's bundle (the same household again: a duplicate);
#                 ret.bundle.gz is the team's return bundle for A (one
#                 interview rejected with a comment, A's assignments)
#   device.db     laptop A's database before the return bundle is imported
#   team.canon    canon.sql of a new team database after merging, in this order:
#                 synth/*, A1, A2, A3, B1
#   device.canon  canon.sql of device.db after importing ret.bundle.gz
# usage: make.sh RUHU EDIT_INTERVIEW (run from this folder)
set -eu
bin=$1
edit=$2
src=../../..
form=$src/forms/household.csv
cases=$src/tests/forms/cases
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
r() { "$bin" --lang en "$@"; }
q() { sqlite3 "$1" "$2"; }
rm -rf bundles device.db team.canon device.canon
mkdir -p bundles/synth
r synth "$form" --households 8 --devices 2 --seed 7 --out "$w/synth" >/dev/null
cp "$w"/synth/*.bundle.gz bundles/synth/
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,\n' "$hdr" >"$w/s.csv"
r assign --db "$w/A.db" "$w/s.csv" >/dev/null
r fill "$form" --answers "$cases/household-tuopin-ok.answers.csv" --db "$w/A.db" >/dev/null
dev=$(q "$w/A.db" "SELECT value FROM meta WHERE key = 'device_id'")
uuid=$(q "$w/A.db" "SELECT uuid FROM interview")
mkdir "$w/a" "$w/a2" "$w/b" "$w/ret"
r export --db "$w/A.db" --out "$w/a" >/dev/null
cp "$w/A.db" "$w/A2.db"
"$edit" "$w/A.db" "$uuid" exit_year 2017
"$edit" "$w/A2.db" "$uuid" exit_year 2016
r export --db "$w/A.db" --out "$w/a" >/dev/null
r export --db "$w/A2.db" --out "$w/a2" >/dev/null
r export --db "$w/A2.db" --out "$w/a2" --all >/dev/null
cp "$w/a/ruhu-$dev-000001.bundle.gz" bundles/A1.bundle.gz
cp "$w/a/ruhu-$dev-000002.bundle.gz" bundles/A2.bundle.gz
cp "$w/a2/ruhu-$dev-000003.bundle.gz" bundles/A3.bundle.gz
r assign --db "$w/B.db" "$w/s.csv" >/dev/null
r fill "$form" --answers "$cases/household-tuopin-ok.answers.csv" --db "$w/B.db" >/dev/null
r export --db "$w/B.db" --out "$w/b" >/dev/null
cp "$w"/b/*.bundle.gz bundles/B1.bundle.gz
r merge --db "$w/team.db" bundles/synth/*.bundle.gz bundles/A1.bundle.gz bundles/A2.bundle.gz \
	bundles/A3.bundle.gz bundles/B1.bundle.gz >/dev/null
sqlite3 -batch "$w/team.db" <canon.sql >team.canon
printf '%s\nQS-SM01-002,qs,qs_sm,qs_sm_01,tuopin,李正华,张敏,%s\n' "$hdr" "$dev" >"$w/t.csv"
r assign --db "$w/team.db" "$w/t.csv" >/dev/null
r review --db "$w/team.db" "$uuid" --reject '家庭人口与户籍人口不符，请核实' --author 王组长 >/dev/null
r export --db "$w/team.db" --for "$dev" --out "$w/ret" >/dev/null
cp "$w"/ret/*.bundle.gz bundles/ret.bundle.gz
sqlite3 "$w/A.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$w/A.db" device.db
cp device.db "$w/D.db"
r import --db "$w/D.db" bundles/ret.bundle.gz >/dev/null
sqlite3 -batch "$w/D.db" <canon.sql >device.canon
