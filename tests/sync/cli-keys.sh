#!/bin/sh
# Team keys, signed and encrypted bundles (issue 16): `ruhu keys init` seals
# the team's keys under a passphrase; a device trusts the team key and from
# then on signs and encrypts its bundles; `zcat` no longer shows answers,
# `ruhu status --bundle` still tells what a file is. Every refusal leaves
# the team (or device) database exactly as it was (canonical dump compared):
# one bit flipped in the signature, the signed header (manifest) and the
# content; an unknown device under the enrolled-only policy; a revoked device;
# a bundle encrypted for another team; a wrong passphrase; a forged return
# bundle (signed by another team, or unsigned once a key is pinned); a fork
# (a device database copied and diverged). A gap is reported and filled. The
# first signed return bundle pins the team key; after a re-key the old pin
# refuses the new key until `keys trust --replace`. Merges with keys are
# idempotent and order-free.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

form=$src/forms/household.csv
cases=$src/tests/forms/cases
RUHU_PASSPHRASE='团队口令 team pass'
export RUHU_PASSPHRASE

# the merged content, without what is each database's own (write counters,
# the team's own events with their wall-clock times)
content() {
	for t in "uuid, form_hash, household_key, enumerator, device, status, revision, created, updated FROM interview" \
		"* FROM answer" \
		"device, seq, interview, time, kind, actor, path, old_value, new_value, extra FROM event WHERE device <> (SELECT value FROM meta WHERE key = 'device_id')" \
		"* FROM key_device" "* FROM key_bundle" "* FROM sync_duplicate" \
		"device, kind, for_device, sequence, content_sha256 FROM sync_bundle"; do
		echo "== $t"
		q "$1" "SELECT $t ORDER BY 1, 2, 3"
	done
}
fill() { r fill "$form" --answers "$cases/$2.answers.csv" --db "$1" >/dev/null 2>&1; }
devid() { q "$1" "SELECT value FROM meta WHERE key = 'device_id'"; }
# export DB: prints the path of the new bundle
xport() { r export --db "$1" --out "$tmp/usb" 2>/dev/null | sed -n 's/: [0-9]* interviews.*//p'; }
# flip FILE OFFSET: xor the byte at OFFSET with 1
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# refused DESC DB BUNDLE EXPECTED-TEXT [import]: refused, message, database unchanged
refused() {
	dump "$2" >"$tmp/before"
	if [ "${5:-}" = import ]; then r import --db "$2" "$3" >"$tmp/out" 2>"$tmp/err"; else
		r merge --db "$2" "$3" >"$tmp/out" 2>"$tmp/err"; fi
	s=$?
	dump "$2" >"$tmp/after"
	check "$1: exit 1" test $s -eq 1
	if has "$tmp/err" "$4"; then ok "$1: says '$4'"; else
		not_ok "$1: says '$4'"
		sed 's/^/#   /' "$tmp/err"
	fi
	check "$1: database unchanged" cmp -s "$tmp/before" "$tmp/after"
}
mkdir "$tmp/usb" "$tmp/back"

# ---- keys -----------------------------------------------------------------------------
r keys init --db "$tmp/team.db" >"$tmp/out" 2>&1
check "keys init: exit 0" test $? -eq 0
check "keys init: prints the fingerprint" has "$tmp/out" "team keys made, fingerprint: "
r keys init --db "$tmp/team.db" >/dev/null 2>"$tmp/err"
check "keys init twice: refused" has "$tmp/err" "has team keys already"
check "the secret keys are not stored in clear" test "$(q "$tmp/team.db" "SELECT length(sealed_sk), policy FROM key_team")" = "224|first-use"
r keys export-public --db "$tmp/team.db" --out "$tmp/team.key"
check "export-public: a key file" hasline "$tmp/team.key" "kind,team"
fp=$(sed -n 's/^fingerprint,//p' "$tmp/team.key")
check "the fingerprint in the file is the one shown" has "$tmp/out" "($fp)"
cp "$tmp/team.db" "$tmp/team-fresh.db"

fill "$tmp/A.db" household-tuopin-ok
A=$(devid "$tmp/A.db")
echo no | r keys trust --db "$tmp/A.db" "$tmp/team.key" >"$tmp/out" 2>&1
check "trust: shows the fingerprint, not confirmed: nothing pinned" test "$(q "$tmp/A.db" "SELECT COUNT(*) FROM key_pinned")" = 0
echo yes | r keys trust --db "$tmp/A.db" "$tmp/team.key" >"$tmp/out" 2>&1
check "trust: confirmed" has "$tmp/out" "trusted; bundles from now on are signed and encrypted"
check "trust: a device key made on first use" test "$(q "$tmp/A.db" "SELECT COUNT(*) FROM key_self")" = 1
r keys show --db "$tmp/A.db" >"$tmp/out" 2>&1
check "keys show on the device: the pinned team key" has "$tmp/out" "trusted team key: "

# ---- a signed, encrypted bundle --------------------------------------------------------
a1=$(xport "$tmp/A.db")
check "export: a sealed bundle" test "$(head -1 "$a1")" = "ruhu-sealed-bundle,1"
if zcat "$a1" 2>/dev/null | grep -q "hh_size"; then not_ok "zcat shows no answers"; else ok "zcat shows no answers"; fi
r status --bundle "$a1" >"$tmp/out" 2>&1
check "status --bundle: signed, valid" has "$tmp/out" "signed device bundle (signature valid)"
check "status --bundle: counts without a key" has "$tmp/out" "1 interviews, "
check "status --bundle: encrypted to the team" has "$tmp/out" "encrypted to team "

RUHU_PASSPHRASE=wrong
refused "a wrong passphrase" "$tmp/team.db" "$a1" "wrong passphrase: the team's keys do not open"
RUHU_PASSPHRASE='团队口令 team pass'

cp "$a1" "$tmp/bad"
flip "$tmp/bad" $(($(grep -boa '^signature,' "$tmp/bad" | cut -d: -f1) + 20))
refused "a bit flipped in the signature" "$tmp/team.db" "$tmp/bad" "bad signature"
cp "$a1" "$tmp/bad"
flip "$tmp/bad" $(($(grep -boa '^answers,' "$tmp/bad" | cut -d: -f1) + 8))
refused "a bit flipped in the manifest" "$tmp/team.db" "$tmp/bad" "bad signature"
cp "$a1" "$tmp/bad"
flip "$tmp/bad" $(($(wc -c <"$a1") - 200))
refused "a bit flipped in the content" "$tmp/team.db" "$tmp/bad" "the encrypted content was altered"
head -c $(($(wc -c <"$a1") - 300)) "$a1" >"$tmp/bad"
refused "a truncated bundle" "$tmp/team.db" "$tmp/bad" "truncated"

r merge --db "$tmp/team.db" "$a1" >"$tmp/out" 2>&1
check "merge: exit 0" test $? -eq 0
check "merge: first use warned" has "$tmp/out" "seen for the first time, enrolled on first use"
check "merge: the interview" test "$(q "$tmp/team.db" "SELECT COUNT(*) FROM interview")" = 1
eq "key_device: first use" "$(q "$tmp/team.db" "SELECT device, status, first_seq, last_seq FROM key_device")" "$A|first-use|1|1"
dump "$tmp/team.db" >"$tmp/before"
RUHU_PASSPHRASE=wrong r merge --db "$tmp/team.db" "$a1" >"$tmp/out" 2>&1
check "merge again: already merged (no key needed)" has "$tmp/out" "already merged, nothing changed"
dump "$tmp/team.db" >"$tmp/after"
check "merge again: database unchanged" cmp -s "$tmp/before" "$tmp/after"
r keys devices --db "$tmp/team.db" >"$tmp/out" 2>&1
check "keys devices: lists the device" has "$tmp/out" "$A first-use"

# ---- gap and fork ------------------------------------------------------------------------
fill "$tmp/A.db" household-jiance-problems
a2=$(xport "$tmp/A.db")
fill "$tmp/A.db" household-acct-differs
a3=$(xport "$tmp/A.db")
r merge --db "$tmp/team.db" "$a3" >"$tmp/out" 2>&1
check "a gap: merged" test $? -eq 0
check "a gap: reported" has "$tmp/out" "warning: device '$A' is missing bundles 2 to 2"
r merge --db "$tmp/team.db" "$a2" >"$tmp/out" 2>&1
check "the gap filled: merged" test $? -eq 0
check "the gap filled: no warning" test "$(grep -c warning "$tmp/out")" = 0
cp "$tmp/A.db" "$tmp/A2.db"
fill "$tmp/A.db" household-acct-cannot-check
a4=$(xport "$tmp/A.db")
rm -rf "$tmp/usb2"
mkdir "$tmp/usb2"
fill "$tmp/A2.db" household-tuopin-ok
r export --db "$tmp/A2.db" --out "$tmp/usb2" >/dev/null 2>&1
r merge --db "$tmp/team.db" "$a4" >/dev/null 2>&1
check "the device's bundle 4: merged" test $? -eq 0
refused "a copied, diverged device database (fork)" "$tmp/team.db" "$(ls "$tmp"/usb2/*)" "fork"

# ---- enrolment and revocation --------------------------------------------------------------
fill "$tmp/B.db" household-tuopin-ok
B=$(devid "$tmp/B.db")
r keys trust --db "$tmp/B.db" "$tmp/team.key" --yes >/dev/null 2>&1
b1=$(xport "$tmp/B.db")
r keys devices --db "$tmp/team.db" --policy enrolled >/dev/null 2>&1
refused "an unknown device under the enrolled policy" "$tmp/team.db" "$b1" "unknown device '$B'"
r keys export-public --db "$tmp/B.db" --device --out "$tmp/b.key" 2>/dev/null
r keys devices --db "$tmp/team.db" --enrol "$B" --key "$tmp/b.key" >"$tmp/out" 2>&1
check "enrol with the device's key file" has "$tmp/out" "device $B enrolled"
r merge --db "$tmp/team.db" "$b1" >/dev/null 2>&1
check "an enrolled device: merged" test $? -eq 0
fill "$tmp/A.db" household-tuopin-ok
a5=$(xport "$tmp/A.db")
refused "a first-use device under the enrolled policy" "$tmp/team.db" "$a5" "unknown device '$A'"
r keys devices --db "$tmp/team.db" --enrol "$A" >/dev/null 2>&1
r keys devices --db "$tmp/team.db" --revoke "$B" --reason "laptop stolen" >/dev/null 2>&1
fill "$tmp/B.db" household-jiance-problems
b2=$(xport "$tmp/B.db")
refused "a revoked device" "$tmp/team.db" "$b2" "refused: device '$B' was revoked on "
check "a revoked device: the reason" has "$tmp/err" "(laptop stolen)"
"$bin" --lang zh merge --db "$tmp/team.db" "$b2" >/dev/null 2>"$tmp/err"
check "a revoked device, in Chinese" has "$tmp/err" "已于"

# ---- another team ----------------------------------------------------------------------------
RUHU_PASSPHRASE=other r keys init --db "$tmp/other.db" >/dev/null 2>&1
r keys export-public --db "$tmp/other.db" --out "$tmp/other.key"
fill "$tmp/C.db" household-tuopin-ok
r keys trust --db "$tmp/C.db" "$tmp/other.key" --yes >/dev/null 2>&1
c1=$(xport "$tmp/C.db")
r keys devices --db "$tmp/team.db" --policy first-use >/dev/null 2>&1
refused "a bundle encrypted for another team" "$tmp/team.db" "$c1" "not for this team"

# ---- unsigned bundles --------------------------------------------------------------------------
fill "$tmp/D.db" household-tuopin-ok
d1=$(xport "$tmp/D.db")
check "a device without keys: a plain bundle" test "$(head -c 2 "$d1" | od -An -tx1 | tr -d ' ')" = 1f8b
r merge --db "$tmp/team.db" "$d1" >/dev/null 2>&1
check "first-use policy: an unsigned bundle of an unknown device merges" test $? -eq 0
rm -rf "$tmp/usb2"
mkdir "$tmp/usb2"
cp "$tmp/A.db" "$tmp/A3.db"
q "$tmp/A3.db" "DELETE FROM key_self; DELETE FROM key_pinned"
fill "$tmp/A3.db" household-tuopin-ok
r export --db "$tmp/A3.db" --out "$tmp/usb2" >/dev/null 2>&1
refused "an unsigned bundle from a device that signs" "$tmp/team.db" "$(ls "$tmp"/usb2/*)" "the bundle is unsigned, but device '$A' signs"

# ---- return bundles ------------------------------------------------------------------------------
hdr=household_key,county,township,village,household_type,head_name,enumerator,device
fill "$tmp/E.db" household-tuopin-ok
E=$(devid "$tmp/E.db")
printf '%s\nQS-SM01-009,qs,qs_sm,qs_sm_01,tuopin,王芳,张敏,%s\n' "$hdr" "$E" >"$tmp/e.csv"
r assign --db "$tmp/team.db" "$tmp/e.csv" >/dev/null 2>&1
r assign --db "$tmp/other.db" "$tmp/e.csv" >/dev/null 2>&1
r assign --db "$tmp/nokeys.db" "$tmp/e.csv" >/dev/null 2>&1
r export --db "$tmp/team.db" --for "$E" --out "$tmp/back" >/dev/null 2>&1
ret1=$(ls "$tmp"/back/*)
check "a return bundle: sealed" test "$(head -1 "$ret1")" = "ruhu-sealed-bundle,1"
r import --db "$tmp/E.db" "$ret1" >"$tmp/out" 2>&1
check "import: exit 0" test $? -eq 0
check "import: the team key pinned from the first return bundle" has "$tmp/out" "team signing key"
check "import: pinned in the database" test "$(q "$tmp/E.db" "SELECT COUNT(*) FROM key_pinned")" = 1
e1=$(xport "$tmp/E.db")
r status --bundle "$e1" >"$tmp/out" 2>&1
check "after pinning: the device's bundles are encrypted" has "$tmp/out" "encrypted to team "
mkdir "$tmp/back2" "$tmp/back3"
RUHU_PASSPHRASE=other r export --db "$tmp/other.db" --for "$E" --out "$tmp/back2" >/dev/null 2>&1
refused "a forged return bundle (another team's key)" "$tmp/E.db" "$(ls "$tmp"/back2/*)" "signed by another key than the team key this device trusts" import
r export --db "$tmp/nokeys.db" --for "$E" --out "$tmp/back3" >/dev/null 2>&1
refused "a forged return bundle (unsigned)" "$tmp/E.db" "$(ls "$tmp"/back3/*)" "the return bundle is unsigned, but this device trusts" import

# ---- re-keying a team ------------------------------------------------------------------------------
RUHU_PASSPHRASE=new r keys init --db "$tmp/team.db" --replace >/dev/null 2>&1
check "re-key: new keys" test $? -eq 0
r keys export-public --db "$tmp/team.db" --out "$tmp/team2.key"
rm -f "$tmp"/back/*
RUHU_PASSPHRASE=new r export --db "$tmp/team.db" --for "$E" --out "$tmp/back" >/dev/null 2>&1
refused "after a re-key: the old pin refuses the new key" "$tmp/E.db" "$(ls "$tmp"/back/*)" "signed by another key" import
r keys trust --db "$tmp/E.db" "$tmp/team2.key" --yes >/dev/null 2>"$tmp/err"
check "trust another key: refused without --replace" has "$tmp/err" "--replace"
r keys trust --db "$tmp/E.db" "$tmp/team2.key" --yes --replace >/dev/null 2>&1
r import --db "$tmp/E.db" "$(ls "$tmp"/back/*)" >/dev/null 2>&1
check "after --replace: the new return bundle imports" test $? -eq 0

# ---- kill -9 during a merge of a sealed bundle: all or nothing ---------------------------------------
RUHU_PASSPHRASE=new
r synth "$form" --households 40 --devices 1 --seed 5 --out "$tmp/syn" >/dev/null 2>&1
r merge --db "$tmp/F.db" "$tmp"/syn/*.bundle.gz >/dev/null 2>&1
r keys trust --db "$tmp/F.db" "$tmp/team2.key" --yes >/dev/null 2>&1
f1=$(xport "$tmp/F.db")
cp "$tmp/team.db" "$tmp/K0.db"
cp "$tmp/team.db" "$tmp/K1.db"
r merge --db "$tmp/K1.db" "$f1" >/dev/null 2>&1
check "kill -9: the whole merge" test "$(q "$tmp/K1.db" "SELECT COUNT(*) FROM key_bundle WHERE device = '$(devid "$tmp/F.db")'")" = 1
content "$tmp/K0.db" >"$tmp/k0"
content "$tmp/K1.db" >"$tmp/k1"
for delay in 0.5 2; do
	cp "$tmp/K0.db" "$tmp/K.db"
	rm -f "$tmp/K.db-wal" "$tmp/K.db-shm"
	"$bin" merge --db "$tmp/K.db" "$f1" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	content "$tmp/K.db" >"$tmp/k"
	if cmp -s "$tmp/k" "$tmp/k0" || cmp -s "$tmp/k" "$tmp/k1"; then ok "kill -9 after ${delay}s: all or nothing"; else
		not_ok "kill -9 after ${delay}s: all or nothing"
	fi
	r merge --db "$tmp/K.db" "$f1" >/dev/null 2>&1
	content "$tmp/K.db" >"$tmp/k"
	check "kill -9 after ${delay}s: merging again completes it" cmp -s "$tmp/k" "$tmp/k1"
done
RUHU_PASSPHRASE='团队口令 team pass'

# ---- order-free and idempotent with keys ---------------------------------------------------------
cp "$tmp/team-fresh.db" "$tmp/T1.db"
cp "$tmp/team-fresh.db" "$tmp/T2.db"
r merge --db "$tmp/T1.db" "$a1" "$a2" "$a3" "$b1" "$d1" >/dev/null 2>&1
r merge --db "$tmp/T2.db" "$d1" "$b1" "$a3" "$a1" "$a2" >/dev/null 2>&1
r merge --db "$tmp/T2.db" "$a2" "$b1" >/dev/null 2>&1
q "$tmp/T1.db" "SELECT COUNT(*) FROM interview" >"$tmp/n1"
check "order-free: 5 interviews" test "$(cat "$tmp/n1")" = 5
# interview.change_seq is each database's own write counter: left out
for t in "uuid, form_hash, household_key, enumerator, device, status, revision, created, updated FROM interview" \
	"* FROM answer" "device, seq, interview, time, kind, actor, path, old_value, new_value, extra FROM event WHERE device <> (SELECT value FROM meta WHERE key = 'device_id')" "* FROM key_device" "* FROM key_bundle" "* FROM sync_duplicate"; do
	eq "order-free and idempotent: $(echo "$t" | awk '{for (i = 1; i <= NF; i++) if ($i == "FROM") { print $(i + 1); exit }}')" \
		"$(q "$tmp/T1.db" "SELECT $t ORDER BY 1, 2, 3" | md5sum)" \
		"$(q "$tmp/T2.db" "SELECT $t ORDER BY 1, 2, 3" | md5sum)"
done

echo "1..$n"
[ "$fails" -eq 0 ]
