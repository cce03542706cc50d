#!/bin/sh
# schema step 8 (issue 18: compact events) on a team database made by the
# release before it (fixtures/team-v6.db: the canon bundles merged in canon
# order, schema 6): opening it read-write upgrades it in place, and the
# canonical content (tests/sync/canon/canon.sql) is unchanged but for the
# schema section. Then kill -9 at random points of the migration of a larger
# copy: after every kill the database is intact and either still the old one
# (schema 6, every event there, and the next open migrates it) or the new one
# (schema 7, every event there) — never half of each.
set -u

bin=${RUHU_BIN:?RUHU_BIN is not set}
src=${RUHU_SOURCE:?RUHU_SOURCE is not set}
. "$src/tests/sync/lib.sh"

fx=$src/tests/store/fixtures/team-v6.db
canon() { sqlite3 -batch "$1" <"$src/tests/sync/canon/canon.sql" | awk '/^.== meta/{p=1} p'; }
# events seen through the view or the old table alike
evsum="SELECT COUNT(*), SUM(seq), TOTAL(length(device) + length(COALESCE(interview, ''))
  + length(kind) + length(COALESCE(new_value, ''))) FROM event"

cd "$tmp" || exit 1
cp "$fx" team.db
canon team.db >before.canon
eq "fixture: schema 6" "$(q team.db 'PRAGMA user_version')" 6
before=$(q team.db "$evsum")
# any read-write open migrates; a bundle merged already changes nothing else
r merge --db team.db "$src/tests/sync/canon/bundles/A1.bundle.gz" >out 2>err
check "open read-write: exit 0" test $? -eq 0
eq "migrated: schema 8" "$(q team.db 'PRAGMA user_version')" 8
eq "migrated: event is a view over event_row" \
	"$(q team.db "SELECT type FROM sqlite_master WHERE name IN ('event', 'event_row') ORDER BY name")" \
	"view
table"
eq "migrated: every event kept" "$(q team.db "$evsum")" "$before"
canon team.db >after.canon
check "migrated: canonical content unchanged" cmp -s before.canon after.canon
diff before.canon after.canon | head -n 20 | sed 's/^/#   /'
eq "migrated: integrity" "$(q team.db 'PRAGMA integrity_check')" ok
eq "migrated: foreign keys hold" "$(q team.db 'PRAGMA foreign_key_check')" ""
eq "device keys: one per device" "$(q team.db 'SELECT COUNT(*) FROM device_key')" \
	"$(q "$fx" 'SELECT COUNT(DISTINCT device) FROM event')"
eq "interview keys: one per interview with events, and key 0 for none" \
	"$(q team.db 'SELECT COUNT(*) FROM interview_key')" \
	"$(q "$fx" 'SELECT COUNT(DISTINCT interview) + 1 FROM event')"

# a larger old database (30 copies of every event under new sequence
# numbers), so that a kill lands inside the migration as well as before or
# after it; the delays vary, the outcome must not depend on them
cp "$fx" big.db
q big.db "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 30)
  INSERT INTO event(device, seq, interview, time, kind, actor, path, old_value, new_value,
    old_special, new_special, extra)
  SELECT device, seq + n * 100000, interview, time, kind, actor, path, old_value, new_value,
    old_special, new_special, extra FROM event, k" >/dev/null
big=$(q big.db "$evsum")
old=0
new=0
bad=0
for d in 0.05 0.1 0.2 0.3 0.5 0.8 1.2 2 3; do
	cp big.db k.db
	rm -f k.db-wal k.db-shm
	"$bin" --lang en merge --db k.db "$src/tests/sync/canon/bundles/A1.bundle.gz" >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	v=$(q k.db 'PRAGMA user_version')
	if [ "$(q k.db 'PRAGMA integrity_check')" != ok ] || [ "$(q k.db "$evsum")" != "$big" ]; then
		bad=$((bad + 1))
		echo "#   kill after ${d}s: schema $v, damaged or events lost"
		continue
	fi
	case $v in
	6)
		old=$((old + 1))
		# the old database stays usable: the next open migrates it
		r merge --db k.db "$src/tests/sync/canon/bundles/A1.bundle.gz" >/dev/null 2>&1 &&
			[ "$(q k.db 'PRAGMA user_version')" = 8 ] &&
			[ "$(q k.db "$evsum")" = "$big" ] || {
			bad=$((bad + 1))
			echo "#   kill after ${d}s: the old database did not migrate afterwards"
		}
		;;
	8) new=$((new + 1)) ;;
	*)
		bad=$((bad + 1))
		echo "#   kill after ${d}s: schema $v"
		;;
	esac
done
echo "# kills: $old left the old database, $new the migrated one"
eq "kill -9 during the migration: the database is always whole, old or new" "$bad" 0

echo "1..$n"
[ "$fails" -eq 0 ]
