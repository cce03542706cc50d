-- canon.sql: the canonical content of a ruhu database, for comparing merges
-- (`sqlite3 -batch DB < canon.sql`). Every table a merge or an import writes,
-- rows ordered by their key, values printed as SQL literals (exact).
-- Left out, because they legitimately differ between two runs of the same
-- merge:
--   meta device_id, created, change_seq  random id and wall clock; change_seq
--                                        numbering depends on write order
--   form.added, assignment.updated       wall clock of this database's write
--   interview.change_seq                 store-wide write counter (numbering)
--   event.id                             rowid, insertion order
--   event.time of this database's own    wall clock (form_add, assign, ...);
--     events (its device id is shown      the id itself is random per database
--     as '<self>')
--   sync_bundle.merged                   wall clock of the merge
--   sync_export.created, change_seq      wall clock, write counter
.mode quote
.headers off
SELECT '== schema';
SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'
  ORDER BY type, name;
PRAGMA user_version;
SELECT '== meta';
SELECT key, value FROM meta WHERE key NOT IN ('device_id', 'created', 'change_seq')
  ORDER BY key;
SELECT '== form';
SELECT hash, form_id, version, title, length(source) FROM form ORDER BY hash;
SELECT '== form_file';
SELECT form_hash, name, sha256, length(data) FROM form_file ORDER BY form_hash, name;
SELECT '== assignment';
SELECT household_key, county, township, village, household_type, head_name, enumerator,
  device FROM assignment ORDER BY household_key;
SELECT '== assignment_field';
SELECT * FROM assignment_field ORDER BY household_key, name;
SELECT '== interview';
SELECT uuid, form_hash, household_key, enumerator,
  CASE device WHEN (SELECT value FROM meta WHERE key = 'device_id') THEN '<self>' ELSE device END,
  status, review_comment, revision, created, updated, position FROM interview ORDER BY uuid;
SELECT '== answer';
SELECT * FROM answer ORDER BY interview, path;
SELECT '== event';
SELECT CASE WHEN e.device = m.value THEN '<self>' ELSE e.device END, e.seq, e.interview,
  CASE WHEN e.device = m.value THEN NULL ELSE e.time END, e.kind, e.actor, e.path,
  e.old_value, e.new_value, e.old_special, e.new_special, e.extra
  FROM event e, (SELECT value FROM meta WHERE key = 'device_id') m
  ORDER BY e.device = m.value, e.device, e.seq;
SELECT '== event_clash';
SELECT * FROM event_clash ORDER BY device, seq, hash;
SELECT '== comment';
SELECT * FROM comment ORDER BY uuid;
SELECT '== sync_bundle';
SELECT device, kind, for_device, sequence, content_sha256, created, file, iv_new, iv_updated,
  iv_unchanged, conflicts, duplicates FROM sync_bundle
  ORDER BY device, kind, for_device, sequence;
SELECT '== sync_export';
SELECT kind, target, sequence, file, interviews, state FROM sync_export
  ORDER BY kind, target, sequence;
SELECT '== sync_conflict';
SELECT * FROM sync_conflict ORDER BY uuid, revision, content_sha256;
SELECT '== sync_conflict_answer';
SELECT * FROM sync_conflict_answer ORDER BY uuid, revision, content_sha256, path;
SELECT '== sync_duplicate';
SELECT * FROM sync_duplicate ORDER BY household_key, uuid_a, uuid_b;
