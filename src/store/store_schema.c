/*
 * store_schema — the schema of the ruhu database as an append-only list of
 * migration steps.
 *
 * The schema version of a database is PRAGMA user_version = the number of
 * steps applied. Opening a database runs steps user_version+1 .. N inside one
 * transaction (BEGIN IMMEDIATE), so a database is always exactly at some
 * version: a crash or error mid-way leaves it at the old one.
 *
 * The store owns every table, the merge bookkeeping of sync/ included (steps
 * 3 and 4; the functions over them are in store_ledger.c): nothing outside
 * src/store creates or alters a table.
 *
 * HOW TO ADD A STEP:
 *   - append ONE entry at the END of migrations[] below: a one-line `what`,
 *     the `sql` (any number of statements, run with sqlite3_exec), and
 *     optionally a `fn` for a data step that SQL alone cannot do (it runs
 *     after the sql, inside the same transaction; return 0 or < 0 with err
 *     set);
 *   - never edit, reorder or remove an existing entry: databases in the field
 *     were built by them. To change a table, add a step that alters it;
 *   - document the new tables/columns in docs/store.md and add a line to the
 *     test in tests/store/ that checks the new version (store_schema_version()
 *     follows automatically).
 * Every table is plain (readable with `sqlite3`): times are INTEGER ms since
 * the epoch UTC, statuses are lowercase words, no JSON blobs.
 */
#include "store_internal.h"

#include <stdio.h>

struct migration {
	const char *what;
	const char *sql;
	int (*fn)(struct store *s, struct error *err);
};

static const struct migration migrations[] = {
	/* 1 */
	{"core tables: meta, form, assignment, interview, answer, event",
	 "CREATE TABLE meta (\n"
	 "  key TEXT PRIMARY KEY,\n"
	 "  value\n"
	 ");\n"
	 "CREATE TABLE form (\n"
	 "  hash TEXT PRIMARY KEY,\n"
	 "  form_id TEXT NOT NULL DEFAULT '',\n"
	 "  version TEXT NOT NULL DEFAULT '',\n"
	 "  title TEXT NOT NULL DEFAULT '',\n"
	 "  source BLOB NOT NULL,\n"
	 "  added INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE assignment (\n"
	 "  household_key TEXT PRIMARY KEY CHECK (household_key <> ''),\n"
	 "  county TEXT,\n"
	 "  township TEXT,\n"
	 "  village TEXT,\n"
	 "  household_type TEXT,\n"
	 "  head_name TEXT,\n"
	 "  enumerator TEXT,\n"
	 "  device TEXT,\n"
	 "  updated INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE assignment_field (\n"
	 "  household_key TEXT NOT NULL\n"
	 "    REFERENCES assignment(household_key) ON DELETE CASCADE,\n"
	 "  name TEXT NOT NULL CHECK (name <> ''),\n"
	 "  value TEXT NOT NULL,\n"
	 "  PRIMARY KEY (household_key, name)\n"
	 ");\n"
	 "CREATE TABLE interview (\n"
	 "  uuid TEXT PRIMARY KEY,\n"
	 "  form_hash TEXT NOT NULL REFERENCES form(hash),\n"
	 "  household_key TEXT,\n"
	 "  enumerator TEXT,\n"
	 "  device TEXT NOT NULL,\n"
	 "  status TEXT NOT NULL\n"
	 "    CHECK (status IN ('in_progress', 'completed', 'approved', 'rejected')),\n"
	 "  review_comment TEXT,\n"
	 "  revision INTEGER NOT NULL,\n"
	 "  change_seq INTEGER NOT NULL,\n"
	 "  created INTEGER NOT NULL,\n"
	 "  updated INTEGER NOT NULL,\n"
	 "  position TEXT\n"
	 ");\n"
	 "CREATE INDEX interview_household ON interview(household_key);\n"
	 "CREATE INDEX interview_change ON interview(change_seq);\n"
	 "CREATE TABLE answer (\n"
	 "  interview TEXT NOT NULL REFERENCES interview(uuid) ON DELETE CASCADE,\n"
	 "  path TEXT NOT NULL CHECK (path <> ''),\n"
	 "  value TEXT,\n"
	 "  special TEXT CHECK (special IN ('dont_know', 'refused')),\n"
	 "  CHECK (value IS NULL OR special IS NULL),\n"
	 "  PRIMARY KEY (interview, path)\n"
	 ") WITHOUT ROWID;\n"
	 "CREATE TABLE event (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  device TEXT NOT NULL,\n"
	 "  seq INTEGER NOT NULL,\n"
	 "  interview TEXT REFERENCES interview(uuid) DEFERRABLE INITIALLY DEFERRED,\n"
	 "  time INTEGER NOT NULL,\n"
	 "  kind TEXT NOT NULL,\n"
	 "  actor TEXT,\n"
	 "  path TEXT,\n"
	 "  old_value TEXT,\n"
	 "  new_value TEXT,\n"
	 "  old_special TEXT CHECK (old_special IN ('dont_know', 'refused')),\n"
	 "  new_special TEXT CHECK (new_special IN ('dont_know', 'refused')),\n"
	 "  extra TEXT,\n"
	 "  UNIQUE (device, seq)\n"
	 ");\n"
	 "CREATE INDEX event_interview ON event(interview, time);\n",
	 NULL},
	/* 2 */
	{"comments; assignment_status view",
	 "CREATE TABLE comment (\n"
	 "  uuid TEXT PRIMARY KEY,\n"
	 "  interview TEXT NOT NULL REFERENCES interview(uuid) DEFERRABLE INITIALLY DEFERRED,\n"
	 "  path TEXT,\n"
	 "  author TEXT,\n"
	 "  text TEXT NOT NULL,\n"
	 "  time INTEGER NOT NULL,\n"
	 "  device TEXT NOT NULL\n"
	 ");\n"
	 "CREATE INDEX comment_interview ON comment(interview, time);\n"
	 "CREATE VIEW assignment_status AS\n"
	 "SELECT a.household_key AS household_key,\n"
	 "  CASE\n"
	 "    WHEN SUM(i.status = 'rejected') > 0 THEN 'rejected'\n"
	 "    WHEN SUM(i.status = 'in_progress') > 0 THEN 'in_progress'\n"
	 "    WHEN SUM(i.status = 'completed') > 0 THEN 'completed'\n"
	 "    WHEN SUM(i.status = 'approved') > 0 THEN 'approved'\n"
	 "    ELSE 'not_started'\n"
	 "  END AS status,\n"
	 "  COUNT(i.uuid) AS n_interviews\n"
	 "FROM assignment a LEFT JOIN interview i ON i.household_key = a.household_key\n"
	 "GROUP BY a.household_key;\n",
	 NULL},
	/* 3 */
	{"sync: merge bookkeeping (sync_bundle, sync_export, sync_conflict, "
	 "sync_conflict_answer, sync_duplicate; see docs/bundle.md)",
	 /* IF NOT EXISTS: databases of builds that created these tables
	  * outside the migrations (inside their first merge or export) */
	 "CREATE TABLE IF NOT EXISTS sync_bundle (\n"
	 "  device TEXT NOT NULL,\n"
	 "  kind TEXT NOT NULL CHECK (kind IN ('device', 'return')),\n"
	 "  for_device TEXT NOT NULL DEFAULT '',\n"
	 "  sequence INTEGER NOT NULL,\n"
	 "  content_sha256 TEXT NOT NULL,\n"
	 "  created TEXT NOT NULL,\n"
	 "  file TEXT NOT NULL,\n"
	 "  merged INTEGER NOT NULL,\n"
	 "  iv_new INTEGER NOT NULL, iv_updated INTEGER NOT NULL, iv_unchanged INTEGER NOT NULL,\n"
	 "  conflicts INTEGER NOT NULL, duplicates INTEGER NOT NULL,\n"
	 "  PRIMARY KEY (device, kind, for_device, sequence)\n"
	 ");\n"
	 "CREATE TABLE IF NOT EXISTS sync_export (\n"
	 "  kind TEXT NOT NULL CHECK (kind IN ('device', 'return')),\n"
	 "  target TEXT NOT NULL DEFAULT '',\n"
	 "  sequence INTEGER NOT NULL,\n"
	 "  change_seq INTEGER NOT NULL,\n"
	 "  file TEXT NOT NULL,\n"
	 "  created INTEGER NOT NULL,\n"
	 "  interviews INTEGER NOT NULL,\n"
	 "  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),\n"
	 "  PRIMARY KEY (kind, target, sequence)\n"
	 ");\n"
	 "CREATE TABLE IF NOT EXISTS sync_conflict (\n"
	 "  uuid TEXT NOT NULL,\n"
	 "  revision INTEGER NOT NULL,\n"
	 "  content_sha256 TEXT NOT NULL,\n"
	 "  form_hash TEXT NOT NULL,\n"
	 "  household_key TEXT,\n"
	 "  enumerator TEXT,\n"
	 "  device TEXT NOT NULL,\n"
	 "  status TEXT NOT NULL,\n"
	 "  created INTEGER NOT NULL,\n"
	 "  updated INTEGER NOT NULL,\n"
	 "  position TEXT,\n"
	 "  review_comment TEXT,\n"
	 "  PRIMARY KEY (uuid, revision, content_sha256)\n"
	 ");\n"
	 "CREATE TABLE IF NOT EXISTS sync_conflict_answer (\n"
	 "  uuid TEXT NOT NULL,\n"
	 "  revision INTEGER NOT NULL,\n"
	 "  content_sha256 TEXT NOT NULL,\n"
	 "  path TEXT NOT NULL,\n"
	 "  value TEXT,\n"
	 "  special TEXT,\n"
	 "  PRIMARY KEY (uuid, revision, content_sha256, path)\n"
	 ") WITHOUT ROWID;\n"
	 "CREATE TABLE IF NOT EXISTS sync_duplicate (\n"
	 "  household_key TEXT NOT NULL,\n"
	 "  uuid_a TEXT NOT NULL,\n"
	 "  uuid_b TEXT NOT NULL CHECK (uuid_a < uuid_b),\n"
	 "  PRIMARY KEY (household_key, uuid_a, uuid_b)\n"
	 ");\n",
	 NULL},
	/* 4 */
	{"event_clash: events whose (device, seq) another version already holds",
	 "CREATE TABLE event_clash (\n"
	 "  device TEXT NOT NULL,\n"
	 "  seq INTEGER NOT NULL,\n"
	 "  hash TEXT NOT NULL,\n"
	 "  interview TEXT,\n"
	 "  time INTEGER NOT NULL,\n"
	 "  kind TEXT NOT NULL,\n"
	 "  actor TEXT,\n"
	 "  path TEXT,\n"
	 "  old_value TEXT,\n"
	 "  new_value TEXT,\n"
	 "  old_special TEXT,\n"
	 "  new_special TEXT,\n"
	 "  extra TEXT,\n"
	 "  PRIMARY KEY (device, seq, hash)\n"
	 ") WITHOUT ROWID;\n",
	 NULL},
	/* 5 */
	{"audit: runs of ruhu audit and their findings (store_audit.c)",
	 "CREATE TABLE audit_run (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  started INTEGER NOT NULL,\n"
	 "  rules_file TEXT NOT NULL,\n"
	 "  rules_sha256 TEXT NOT NULL,\n"
	 "  interviews INTEGER NOT NULL,\n"
	 "  findings INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE audit_finding (\n"
	 "  run INTEGER NOT NULL REFERENCES audit_run(id),\n"
	 "  rule TEXT NOT NULL,\n"
	 "  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),\n"
	 "  interview TEXT NOT NULL,\n"
	 "  path TEXT NOT NULL,\n"
	 "  household_key TEXT,\n"
	 "  county TEXT,\n"
	 "  village TEXT,\n"
	 "  enumerator TEXT,\n"
	 "  device TEXT,\n"
	 "  detail TEXT NOT NULL,\n"
	 "  PRIMARY KEY (run, rule, interview, path)\n"
	 ") WITHOUT ROWID;\n"
	 "CREATE INDEX audit_finding_key ON audit_finding(rule, interview, path, run);\n",
	 NULL},
	/* 6 */
	{"form_file: the attached files of a form (select_one_from_file lists)",
	 "CREATE TABLE form_file (\n"
	 "  form_hash TEXT NOT NULL REFERENCES form(hash),\n"
	 "  name TEXT NOT NULL CHECK (name <> ''),\n"
	 "  sha256 TEXT NOT NULL,\n"
	 "  data BLOB NOT NULL,\n"
	 "  PRIMARY KEY (form_hash, name)\n"
	 ") WITHOUT ROWID;\n",
	 NULL},
	/* 7 */
	{"keys: team keys, a device's own key, the pinned team key, enrolled devices, signed bundles",
	 "CREATE TABLE key_team (\n"
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	 "  sign_pk TEXT NOT NULL,\n"
	 "  box_pk TEXT NOT NULL,\n"
	 "  sealed_sk TEXT NOT NULL,\n"
	 "  salt TEXT NOT NULL,\n"
	 "  nonce TEXT NOT NULL,\n"
	 "  opslimit INTEGER NOT NULL,\n"
	 "  memlimit INTEGER NOT NULL,\n"
	 "  escrow_pk TEXT NOT NULL DEFAULT '',\n"
	 "  policy TEXT NOT NULL DEFAULT 'first-use' CHECK (policy IN ('first-use', 'enrolled')),\n"
	 "  created INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE key_self (\n"
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	 "  sign_pk TEXT NOT NULL,\n"
	 "  sign_sk TEXT NOT NULL,\n"
	 "  created INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE key_pinned (\n"
	 "  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	 "  sign_pk TEXT NOT NULL,\n"
	 "  box_pk TEXT NOT NULL,\n"
	 "  escrow_pk TEXT NOT NULL DEFAULT '',\n"
	 "  source TEXT NOT NULL,\n"
	 "  pinned INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE TABLE key_sent (\n"
	 "  kind TEXT NOT NULL,\n"
	 "  target TEXT NOT NULL,\n"
	 "  sequence INTEGER NOT NULL,\n"
	 "  hash TEXT NOT NULL,\n"
	 "  PRIMARY KEY (kind, target)\n"
	 ") WITHOUT ROWID;\n"
	 "CREATE TABLE key_device (\n"
	 "  device TEXT PRIMARY KEY,\n"
	 "  sign_pk TEXT NOT NULL,\n"
	 "  status TEXT NOT NULL CHECK (status IN ('first-use', 'enrolled', 'revoked')),\n"
	 "  first_seq INTEGER NOT NULL DEFAULT 0,\n"
	 "  last_seq INTEGER NOT NULL DEFAULT 0,\n"
	 "  first_created TEXT NOT NULL DEFAULT '',\n"
	 "  last_created TEXT NOT NULL DEFAULT '',\n"
	 "  changed INTEGER NOT NULL DEFAULT 0,\n"
	 "  reason TEXT NOT NULL DEFAULT ''\n"
	 ") WITHOUT ROWID;\n"
	 "CREATE TABLE key_bundle (\n"
	 "  device TEXT NOT NULL,\n"
	 "  kind TEXT NOT NULL,\n"
	 "  sequence INTEGER NOT NULL,\n"
	 "  hash TEXT NOT NULL,\n"
	 "  prev TEXT NOT NULL,\n"
	 "  signer TEXT NOT NULL,\n"
	 "  encrypted INTEGER NOT NULL,\n"
	 "  PRIMARY KEY (device, kind, sequence)\n"
	 ") WITHOUT ROWID;\n",
	 NULL},
	/* 8 */
	{"compact events: device and interview UUIDs, event kinds and paths kept once "
	 "(device_key, interview_key, event_name), events in event_row keyed by integers; "
	 "`event` becomes a view with the old columns",
	 "CREATE TABLE device_key (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  uuid TEXT NOT NULL UNIQUE CHECK (uuid <> '')\n"
	 ");\n"
	 "CREATE TABLE interview_key (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  uuid TEXT UNIQUE REFERENCES interview(uuid) DEFERRABLE INITIALLY DEFERRED,\n"
	 "  CHECK ((id = 0) = (uuid IS NULL))\n"
	 ");\n"
	 "CREATE TABLE event_name (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  name TEXT UNIQUE,\n"
	 "  CHECK ((id = 0) = (name IS NULL))\n"
	 ");\n"
	 "INSERT INTO interview_key(id, uuid) VALUES (0, NULL);\n"
	 "INSERT INTO event_name(id, name) VALUES (0, NULL);\n"
	 "INSERT INTO event_name(name) SELECT kind FROM event\n"
	 "  UNION SELECT path FROM event WHERE path IS NOT NULL ORDER BY 1;\n"
	 "INSERT INTO device_key(uuid) SELECT DISTINCT device FROM event ORDER BY device;\n"
	 "INSERT INTO interview_key(uuid) SELECT DISTINCT interview FROM event\n"
	 "  WHERE interview IS NOT NULL ORDER BY interview;\n"
	 "CREATE TABLE event_row (\n"
	 "  device INTEGER NOT NULL,\n"
	 "  seq INTEGER NOT NULL,\n"
	 "  interview INTEGER NOT NULL,\n"
	 "  time INTEGER NOT NULL,\n"
	 "  kind INTEGER NOT NULL,\n"
	 "  actor TEXT,\n"
	 "  path INTEGER NOT NULL,\n"
	 "  old_value TEXT,\n"
	 "  new_value TEXT,\n"
	 "  old_special TEXT CHECK (old_special IN ('dont_know', 'refused')),\n"
	 "  new_special TEXT CHECK (new_special IN ('dont_know', 'refused')),\n"
	 "  extra TEXT,\n"
	 "  PRIMARY KEY (device, seq)\n"
	 ") WITHOUT ROWID;\n"
	 "INSERT INTO event_row SELECT d.id, e.seq, COALESCE(i.id, 0), e.time, k.id, e.actor,\n"
	 "  COALESCE(p.id, 0), e.old_value, e.new_value, e.old_special, e.new_special, e.extra\n"
	 "  FROM event e JOIN device_key d ON d.uuid = e.device\n"
	 "  LEFT JOIN interview_key i ON i.uuid = e.interview\n"
	 "  JOIN event_name k ON k.name = e.kind LEFT JOIN event_name p ON p.name = e.path\n"
	 "  ORDER BY d.id, e.seq;\n"
	 "DROP INDEX event_interview;\n"
	 "DROP TABLE event;\n"
	 "CREATE INDEX event_row_interview ON event_row(interview, time);\n"
	 "CREATE VIEW event AS\n"
	 "SELECT d.uuid AS device, e.seq AS seq, i.uuid AS interview, e.time AS time,\n"
	 "  k.name AS kind, e.actor AS actor, p.name AS path, e.old_value AS old_value,\n"
	 "  e.new_value AS new_value, e.old_special AS old_special,\n"
	 "  e.new_special AS new_special, e.extra AS extra\n"
	 "FROM event_row e JOIN device_key d ON d.id = e.device\n"
	 "  JOIN interview_key i ON i.id = e.interview\n"
	 "  JOIN event_name k ON k.id = e.kind JOIN event_name p ON p.id = e.path;\n",
	 NULL},
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int store_schema_version(void)
{
	return N_MIGRATIONS;
}

/* Creates what every database needs besides tables: the device id, the
 * change counter. Idempotent (a migrated old database may lack some). */
static int ensure_meta(struct store *s, struct error *err)
{
	char id[STORE_ID_LEN + 1];
	char sql[320];
	int rc;

	rc = store_uuid_new(id, err);
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO meta(key, value) VALUES ('device_id', '%s');"
		 "INSERT OR IGNORE INTO meta(key, value) VALUES ('change_seq', 0);"
		 "INSERT OR IGNORE INTO meta(key, value) VALUES ('created', %lld);",
		 id, (long long)store_now(s));
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_db_fail(s, rc, err);
	return 0;
}

int store_schema_migrate(struct store *s, int version, struct error *err)
{
	sqlite3_stmt *q = NULL;
	char sql[96];
	int rc, v, ret = 0;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_db_fail(s, rc, err);
	/* another program may have migrated while we waited for the lock */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	if (version > N_MIGRATIONS) {
		error_set(err, s->path,
			  "数据库结构版本 %d 比本程序支持的版本 (%d) 新：请升级 ruhu",
			  "schema version %d is newer than this ruhu supports (%d): upgrade ruhu",
			  version, N_MIGRATIONS);
		if (err)
			err->code = STORE_E_NEWER;
		ret = -STORE_E_NEWER;
		goto done;
	}
	for (v = version; v < N_MIGRATIONS; v++) {
		if (migrations[v].sql) {
			rc = sqlite3_exec(s->db, migrations[v].sql, NULL, NULL, NULL);
			if (rc != SQLITE_OK) {
				ret = store_db_fail(s, rc, err);
				goto done;
			}
		}
		if (migrations[v].fn) {
			ret = migrations[v].fn(s, err);
			if (ret < 0)
				goto done;
		}
	}
	ret = ensure_meta(s, err);
	if (ret < 0)
		goto done;
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d",
		 STORE_APPLICATION_ID, N_MIGRATIONS);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	if (ret < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}
