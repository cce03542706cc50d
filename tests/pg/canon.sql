-- canon.sql for PostgreSQL: the canonical content of a ruhu team database on
-- PostgreSQL (`psql -X -q -At -f canon.sql`), line for line in the format of
-- tests/sync/canon/canon.sql (sqlite3 .mode quote) from its '== meta'
-- section on, with the same rows left out for the same reasons. (The schema
-- section is SQLite's own text and has no PostgreSQL counterpart.)
-- q(): a SQL literal as sqlite3's quote mode prints it; n(): a number.
CREATE FUNCTION pg_temp.q(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN t IS NULL THEN 'NULL' ELSE '''' || replace(t, '''', '''''') || '''' END $$;
CREATE FUNCTION pg_temp.n(v bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT COALESCE(v::text, 'NULL') $$;
SELECT '''== meta''';
SELECT pg_temp.q(key) || ',' || pg_temp.q(value) FROM meta
  WHERE key NOT IN ('device_id', 'created', 'change_seq') ORDER BY key;
SELECT '''== form''';
SELECT concat_ws(',', pg_temp.q(hash), pg_temp.q(form_id), pg_temp.q(version), pg_temp.q(title),
  pg_temp.n(length(source))) FROM form ORDER BY hash;
SELECT '''== form_file''';
SELECT concat_ws(',', pg_temp.q(form_hash), pg_temp.q(name), pg_temp.q(sha256),
  pg_temp.n(length(data))) FROM form_file ORDER BY form_hash, name;
SELECT '''== assignment''';
SELECT concat_ws(',', pg_temp.q(household_key), pg_temp.q(county), pg_temp.q(township),
  pg_temp.q(village), pg_temp.q(household_type), pg_temp.q(head_name), pg_temp.q(enumerator),
  pg_temp.q(device)) FROM assignment ORDER BY household_key;
SELECT '''== assignment_field''';
SELECT concat_ws(',', pg_temp.q(household_key), pg_temp.q(name), pg_temp.q(value))
  FROM assignment_field ORDER BY household_key, name;
SELECT '''== interview''';
SELECT concat_ws(',', pg_temp.q(uuid), pg_temp.q(form_hash), pg_temp.q(household_key),
  pg_temp.q(enumerator),
  pg_temp.q(CASE device WHEN (SELECT value FROM meta WHERE key = 'device_id') THEN '<self>'
    ELSE device END),
  pg_temp.q(status), pg_temp.q(review_comment), pg_temp.n(revision), pg_temp.n(created),
  pg_temp.n(updated), pg_temp.q(position)) FROM interview ORDER BY uuid;
SELECT '''== answer''';
SELECT concat_ws(',', pg_temp.q(interview), pg_temp.q(path), pg_temp.q(value), pg_temp.q(special))
  FROM answer ORDER BY interview, path;
SELECT '''== event''';
SELECT concat_ws(',', pg_temp.q(CASE WHEN e.device = m.value THEN '<self>' ELSE e.device END),
  pg_temp.n(e.seq), pg_temp.q(e.interview),
  CASE WHEN e.device = m.value THEN 'NULL' ELSE pg_temp.n(e.time) END,
  pg_temp.q(e.kind), pg_temp.q(e.actor), pg_temp.q(e.path), pg_temp.q(e.old_value),
  pg_temp.q(e.new_value), pg_temp.q(e.old_special), pg_temp.q(e.new_special), pg_temp.q(e.extra))
  FROM event e, (SELECT value FROM meta WHERE key = 'device_id') m
  ORDER BY e.device = m.value, e.device, e.seq;
SELECT '''== event_clash''';
SELECT concat_ws(',', pg_temp.q(device), pg_temp.n(seq), pg_temp.q(hash), pg_temp.q(interview),
  pg_temp.n(time), pg_temp.q(kind), pg_temp.q(actor), pg_temp.q(path), pg_temp.q(old_value),
  pg_temp.q(new_value), pg_temp.q(old_special), pg_temp.q(new_special), pg_temp.q(extra))
  FROM event_clash ORDER BY device, seq, hash;
SELECT '''== comment''';
SELECT concat_ws(',', pg_temp.q(uuid), pg_temp.q(interview), pg_temp.q(path), pg_temp.q(author),
  pg_temp.q(text), pg_temp.n(time), pg_temp.q(device)) FROM comment ORDER BY uuid;
SELECT '''== sync_bundle''';
SELECT concat_ws(',', pg_temp.q(device), pg_temp.q(kind), pg_temp.q(for_device),
  pg_temp.n(sequence), pg_temp.q(content_sha256), pg_temp.q(created), pg_temp.q(file),
  pg_temp.n(iv_new), pg_temp.n(iv_updated), pg_temp.n(iv_unchanged), pg_temp.n(conflicts),
  pg_temp.n(duplicates)) FROM sync_bundle ORDER BY device, kind, for_device, sequence;
SELECT '''== sync_export''';
SELECT concat_ws(',', pg_temp.q(kind), pg_temp.q(target), pg_temp.n(sequence), pg_temp.q(file),
  pg_temp.n(interviews), pg_temp.q(state)) FROM sync_export ORDER BY kind, target, sequence;
SELECT '''== sync_conflict''';
SELECT concat_ws(',', pg_temp.q(uuid), pg_temp.n(revision), pg_temp.q(content_sha256),
  pg_temp.q(form_hash), pg_temp.q(household_key), pg_temp.q(enumerator), pg_temp.q(device),
  pg_temp.q(status), pg_temp.n(created), pg_temp.n(updated), pg_temp.q(position),
  pg_temp.q(review_comment)) FROM sync_conflict ORDER BY uuid, revision, content_sha256;
SELECT '''== sync_conflict_answer''';
SELECT concat_ws(',', pg_temp.q(uuid), pg_temp.n(revision), pg_temp.q(content_sha256),
  pg_temp.q(path), pg_temp.q(value), pg_temp.q(special)) FROM sync_conflict_answer
  ORDER BY uuid, revision, content_sha256, path;
SELECT '''== sync_duplicate''';
SELECT concat_ws(',', pg_temp.q(household_key), pg_temp.q(uuid_a), pg_temp.q(uuid_b))
  FROM sync_duplicate ORDER BY household_key, uuid_a, uuid_b;
