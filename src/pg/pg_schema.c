/*
 * pg_schema — the schema of a PostgreSQL team database as an append-only list
 * of steps, like src/store/store_schema.c: table ruhu_schema holds how many
 * were applied. pg_migrate() runs the missing ones in ONE transaction under
 * advisory lock (PG_LOCK_CLASS, PG_LOCK_SCHEMA), so two first merges at once
 * do not both create tables, and a failure leaves the old version.
 *
 * The tables are the SQLite store's (docs/store.md, docs/bundle.md) with
 * PostgreSQL types: TEXT COLLATE "C" (byte order, as SQLite's BINARY, so
 * min/max of two uuids and every ORDER BY agree with SQLite), BIGINT for
 * INTEGER, BYTEA for BLOB; event.id is an identity column; interview.change_seq
 * comes from sequence change_seq. Only the tables a team database uses are
 * here (no audit tables yet).
 *
 * HOW TO ADD A STEP: append one entry to steps[]; never edit an applied one.
 */
#include "pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T " TEXT COLLATE \"C\""

static const char *const steps[] = {
	/* 1: the team database */
	"CREATE TABLE meta (key" T " PRIMARY KEY, value" T ");\n"
	"CREATE TABLE form (hash" T " PRIMARY KEY, form_id" T " NOT NULL DEFAULT '',"
	" version" T " NOT NULL DEFAULT '', title" T " NOT NULL DEFAULT '',"
	" source BYTEA NOT NULL, added BIGINT NOT NULL);\n"
	"CREATE TABLE form_file (form_hash" T " NOT NULL REFERENCES form(hash),"
	" name" T " NOT NULL CHECK (name <> ''), sha256" T " NOT NULL, data BYTEA NOT NULL,"
	" PRIMARY KEY (form_hash, name));\n"
	"CREATE TABLE assignment (household_key" T " PRIMARY KEY CHECK (household_key <> ''),"
	" county" T ", township" T ", village" T ", household_type" T ", head_name" T ","
	" enumerator" T ", device" T ", updated BIGINT NOT NULL);\n"
	"CREATE TABLE assignment_field (household_key" T " NOT NULL"
	" REFERENCES assignment(household_key) ON DELETE CASCADE,"
	" name" T " NOT NULL CHECK (name <> ''), value" T " NOT NULL,"
	" PRIMARY KEY (household_key, name));\n"
	"CREATE SEQUENCE change_seq;\n"
	"CREATE TABLE interview (uuid" T " PRIMARY KEY,"
	" form_hash" T " NOT NULL REFERENCES form(hash), household_key" T ", enumerator" T ","
	" device" T " NOT NULL, status" T " NOT NULL"
	" CHECK (status IN ('in_progress', 'completed', 'approved', 'rejected')),"
	" review_comment" T ", revision BIGINT NOT NULL, change_seq BIGINT NOT NULL,"
	" created BIGINT NOT NULL, updated BIGINT NOT NULL, position" T ");\n"
	"CREATE INDEX interview_household ON interview(household_key);\n"
	"CREATE INDEX interview_change ON interview(change_seq);\n"
	"CREATE TABLE answer (interview" T " NOT NULL REFERENCES interview(uuid) ON DELETE CASCADE,"
	" path" T " NOT NULL CHECK (path <> ''), value" T ","
	" special" T " CHECK (special IN ('dont_know', 'refused')),"
	" CHECK (value IS NULL OR special IS NULL), PRIMARY KEY (interview, path));\n"
	"CREATE TABLE event (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" device" T " NOT NULL, seq BIGINT NOT NULL,"
	" interview" T " REFERENCES interview(uuid) DEFERRABLE INITIALLY DEFERRED,"
	" time BIGINT NOT NULL, kind" T " NOT NULL, actor" T ", path" T ", old_value" T ","
	" new_value" T ", old_special" T " CHECK (old_special IN ('dont_know', 'refused')),"
	" new_special" T " CHECK (new_special IN ('dont_know', 'refused')), extra" T ","
	" UNIQUE (device, seq));\n"
	"CREATE INDEX event_interview ON event(interview, time);\n"
	"CREATE TABLE event_clash (device" T " NOT NULL, seq BIGINT NOT NULL, hash" T " NOT NULL,"
	" interview" T ", time BIGINT NOT NULL, kind" T " NOT NULL, actor" T ", path" T ","
	" old_value" T ", new_value" T ", old_special" T ", new_special" T ", extra" T ","
	" PRIMARY KEY (device, seq, hash));\n"
	"CREATE TABLE comment (uuid" T " PRIMARY KEY,"
	" interview" T " NOT NULL REFERENCES interview(uuid) DEFERRABLE INITIALLY DEFERRED,"
	" path" T ", author" T ", text" T " NOT NULL, time BIGINT NOT NULL, device" T " NOT NULL);\n"
	"CREATE INDEX comment_interview ON comment(interview, time);\n"
	"CREATE TABLE sync_bundle (device" T " NOT NULL,"
	" kind" T " NOT NULL CHECK (kind IN ('device', 'return')),"
	" for_device" T " NOT NULL DEFAULT '', sequence BIGINT NOT NULL,"
	" content_sha256" T " NOT NULL, created" T " NOT NULL, file" T " NOT NULL,"
	" merged BIGINT NOT NULL, iv_new BIGINT NOT NULL, iv_updated BIGINT NOT NULL,"
	" iv_unchanged BIGINT NOT NULL, conflicts BIGINT NOT NULL, duplicates BIGINT NOT NULL,"
	" PRIMARY KEY (device, kind, for_device, sequence));\n"
	"CREATE TABLE sync_export (kind" T " NOT NULL CHECK (kind IN ('device', 'return')),"
	" target" T " NOT NULL DEFAULT '', sequence BIGINT NOT NULL, change_seq BIGINT NOT NULL,"
	" file" T " NOT NULL, created BIGINT NOT NULL, interviews BIGINT NOT NULL,"
	" state" T " NOT NULL CHECK (state IN ('pending', 'done')),"
	" PRIMARY KEY (kind, target, sequence));\n"
	"CREATE TABLE sync_conflict (uuid" T " NOT NULL, revision BIGINT NOT NULL,"
	" content_sha256" T " NOT NULL, form_hash" T " NOT NULL, household_key" T ","
	" enumerator" T ", device" T " NOT NULL, status" T " NOT NULL, created BIGINT NOT NULL,"
	" updated BIGINT NOT NULL, position" T ", review_comment" T ","
	" PRIMARY KEY (uuid, revision, content_sha256));\n"
	"CREATE TABLE sync_conflict_answer (uuid" T " NOT NULL, revision BIGINT NOT NULL,"
	" content_sha256" T " NOT NULL, path" T " NOT NULL, value" T ", special" T ","
	" PRIMARY KEY (uuid, revision, content_sha256, path));\n"
	"CREATE TABLE sync_duplicate (household_key" T " NOT NULL, uuid_a" T " NOT NULL,"
	" uuid_b" T " NOT NULL CHECK (uuid_a < uuid_b),"
	" PRIMARY KEY (household_key, uuid_a, uuid_b));\n"
	"INSERT INTO meta (key, value) VALUES ('device_id', gen_random_uuid()::text),"
	" ('created', (extract(epoch FROM now()) * 1000)::bigint::text);\n",
};

#define N_STEPS ((int)(sizeof(steps) / sizeof(steps[0])))

int pg_schema_version(void)
{
	return N_STEPS;
}

static int read_version(struct pg *pg, int *v, struct error *err)
{
	PGresult *r = pg_q(pg, PGRES_TUPLES_OK,
			   "SELECT CASE WHEN to_regclass('ruhu_schema') IS NULL THEN -1 END", 0,
			   NULL, err);

	if (!r)
		return -STORE_E_INTERNAL;
	if (!PQgetisnull(r, 0, 0)) {
		*v = -1;
		PQclear(r);
		return 0;
	}
	PQclear(r);
	r = pg_q(pg, PGRES_TUPLES_OK, "SELECT version FROM ruhu_schema", 0, NULL, err);
	if (!r)
		return -STORE_E_INTERNAL;
	*v = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int pg_version(struct pg *pg, struct error *err)
{
	int v = 0;

	return read_version(pg, &v, err) < 0 ? -1 : v;
}

int pg_migrate(struct pg *pg, bool init, struct error *err)
{
	char lock[96], num[16];
	const char *p[1] = {num};
	int v = 0, i, ret;

	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%d, %d)", PG_LOCK_CLASS,
		 PG_LOCK_SCHEMA);
	ret = pg_x(pg, "BEGIN", 0, NULL, err);
	if (ret < 0)
		return ret;
	{
		PGresult *r = pg_q(pg, PGRES_TUPLES_OK, lock, 0, NULL, err);

		if (!r) {
			ret = -STORE_E_INTERNAL;
			goto fail;
		}
		PQclear(r);
	}
	ret = read_version(pg, &v, err);
	if (ret < 0)
		goto fail;
	if (v < 0 && !init) {
		error_set(err, pg->name, "不是 ruhu 数据库（没有 ruhu 的表）：先运行 ruhu db init --db …",
			  "not a ruhu database (no ruhu tables): run ruhu db init --db ... first");
		ret = -STORE_E_NOTDB;
		goto coded;
	}
	if (v > N_STEPS) {
		error_set(err, pg->name, "数据库结构版本 %d 比本程序支持的 (%d) 新：请升级 ruhu",
			  "schema version %d is newer than this ruhu supports (%d): upgrade ruhu", v,
			  N_STEPS);
		ret = -STORE_E_NEWER;
		goto coded;
	}
	if (v == N_STEPS) {
		pg_x(pg, "COMMIT", 0, NULL, NULL);
		return 0;
	}
	if (v < 0) {
		ret = pg_x(pg, "CREATE TABLE ruhu_schema (version INTEGER NOT NULL);"
			       " INSERT INTO ruhu_schema VALUES (0)", 0, NULL, err);
		if (ret < 0)
			goto fail;
		v = 0;
	}
	for (i = v; i < N_STEPS; i++) {
		PGresult *r = PQexec(pg->c, steps[i]);

		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			ret = pg_fail(pg, r, "schema", err);
			PQclear(r);
			goto fail;
		}
		PQclear(r);
	}
	snprintf(num, sizeof(num), "%d", N_STEPS);
	ret = pg_x(pg, "UPDATE ruhu_schema SET version = $1::integer", 1, p, err);
	if (ret < 0)
		goto fail;
	return pg_x(pg, "COMMIT", 0, NULL, err);
coded:
	if (err)
		err->code = -ret;
fail:
	pg_x(pg, "ROLLBACK", 0, NULL, NULL);
	return ret;
}
