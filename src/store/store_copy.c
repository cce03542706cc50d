/*
 * store_copy — a team database table by table, out of and into the SQLite
 * store, for `ruhu db copy` between SQLite and PostgreSQL (src/pg walks the
 * same list on its side; ruhu/store.h).
 *
 * Invariants: the list below names every table a merge, review or export
 * writes in a team database, with its columns; a new column or table of the
 * team database must be added here (and to src/pg/pg_schema.c), or a copy
 * silently drops it. The target must be empty (no form, interview or merged
 * bundle) and receives everything in ONE transaction, meta device_id
 * included: a copy is the same database, not a new device.
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C(n, t) {n, STORE_COPY_##t}
#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const struct store_copy_col c_meta[] = {C("key", TEXT), C("value", TEXT)};
static const struct store_copy_col c_form[] = {C("hash", TEXT), C("form_id", TEXT),
	C("version", TEXT), C("title", TEXT), C("source", BLOB), C("added", INT)};
static const struct store_copy_col c_form_file[] = {C("form_hash", TEXT), C("name", TEXT),
	C("sha256", TEXT), C("data", BLOB)};
static const struct store_copy_col c_assignment[] = {C("household_key", TEXT),
	C("county", TEXT), C("township", TEXT), C("village", TEXT), C("household_type", TEXT),
	C("head_name", TEXT), C("enumerator", TEXT), C("device", TEXT), C("updated", INT)};
static const struct store_copy_col c_assignment_field[] = {C("household_key", TEXT),
	C("name", TEXT), C("value", TEXT)};
static const struct store_copy_col c_interview[] = {C("uuid", TEXT), C("form_hash", TEXT),
	C("household_key", TEXT), C("enumerator", TEXT), C("device", TEXT), C("status", TEXT),
	C("review_comment", TEXT), C("revision", INT), C("change_seq", INT), C("created", INT),
	C("updated", INT), C("position", TEXT)};
static const struct store_copy_col c_answer[] = {C("interview", TEXT), C("path", TEXT),
	C("value", TEXT), C("special", TEXT)};
static const struct store_copy_col c_event[] = {C("device", TEXT), C("seq", INT),
	C("interview", TEXT), C("time", INT), C("kind", TEXT), C("actor", TEXT), C("path", TEXT),
	C("old_value", TEXT), C("new_value", TEXT), C("old_special", TEXT),
	C("new_special", TEXT), C("extra", TEXT)};
static const struct store_copy_col c_event_clash[] = {C("device", TEXT), C("seq", INT),
	C("hash", TEXT), C("interview", TEXT), C("time", INT), C("kind", TEXT), C("actor", TEXT),
	C("path", TEXT), C("old_value", TEXT), C("new_value", TEXT), C("old_special", TEXT),
	C("new_special", TEXT), C("extra", TEXT)};
static const struct store_copy_col c_comment[] = {C("uuid", TEXT), C("interview", TEXT),
	C("path", TEXT), C("author", TEXT), C("text", TEXT), C("time", INT), C("device", TEXT)};
static const struct store_copy_col c_sync_bundle[] = {C("device", TEXT), C("kind", TEXT),
	C("for_device", TEXT), C("sequence", INT), C("content_sha256", TEXT), C("created", TEXT),
	C("file", TEXT), C("merged", INT), C("iv_new", INT), C("iv_updated", INT),
	C("iv_unchanged", INT), C("conflicts", INT), C("duplicates", INT)};
static const struct store_copy_col c_sync_export[] = {C("kind", TEXT), C("target", TEXT),
	C("sequence", INT), C("change_seq", INT), C("file", TEXT), C("created", INT),
	C("interviews", INT), C("state", TEXT)};
static const struct store_copy_col c_sync_conflict[] = {C("uuid", TEXT), C("revision", INT),
	C("content_sha256", TEXT), C("form_hash", TEXT), C("household_key", TEXT),
	C("enumerator", TEXT), C("device", TEXT), C("status", TEXT), C("created", INT),
	C("updated", INT), C("position", TEXT), C("review_comment", TEXT)};
static const struct store_copy_col c_sync_conflict_answer[] = {C("uuid", TEXT),
	C("revision", INT), C("content_sha256", TEXT), C("path", TEXT), C("value", TEXT),
	C("special", TEXT)};
static const struct store_copy_col c_sync_duplicate[] = {C("household_key", TEXT),
	C("uuid_a", TEXT), C("uuid_b", TEXT)};

static const struct store_copy_table tables[] = {
	{"meta", COLS(c_meta), "key"},
	{"form", COLS(c_form), "hash"},
	{"form_file", COLS(c_form_file), "form_hash, name"},
	{"assignment", COLS(c_assignment), "household_key"},
	{"assignment_field", COLS(c_assignment_field), "household_key, name"},
	{"interview", COLS(c_interview), "uuid"},
	{"answer", COLS(c_answer), "interview, path"},
	{"event", COLS(c_event), "device, seq"},
	{"event_clash", COLS(c_event_clash), "device, seq, hash"},
	{"comment", COLS(c_comment), "uuid"},
	{"sync_bundle", COLS(c_sync_bundle), "device, kind, for_device, sequence"},
	{"sync_export", COLS(c_sync_export), "kind, target, sequence"},
	{"sync_conflict", COLS(c_sync_conflict), "uuid, revision, content_sha256"},
	{"sync_conflict_answer", COLS(c_sync_conflict_answer),
	 "uuid, revision, content_sha256, path"},
	{"sync_duplicate", COLS(c_sync_duplicate), "household_key, uuid_a, uuid_b"},
};

const struct store_copy_table *store_copy_tables(size_t *n)
{
	*n = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

static void select_sql(struct strbuf *sb, const struct store_copy_table *t)
{
	size_t i;

	strbuf_addstr(sb, "SELECT ");
	for (i = 0; i < t->n_cols; i++)
		strbuf_addf(sb, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	strbuf_addf(sb, " FROM \"%s\" ORDER BY %s", t->name, t->order);
}

static int copy_table(struct store *s, const struct store_copy_table *t,
		      const struct store_copy_sink *k, void *ctx, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct store_copy_val v[16];
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc, ret;

	select_sql(&sb, t);
	ret = store_prepare(s, sb.buf, &q, err);
	strbuf_release(&sb);
	if (ret < 0)
		return ret;
	ret = k->table(ctx, t, err);
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (i = 0; i < t->n_cols && i < 16; i++) {
			int c = (int)i;

			if (sqlite3_column_type(q, c) == SQLITE_NULL) {
				v[i].p = NULL;
				v[i].len = 0;
			} else if (t->cols[i].type == STORE_COPY_BLOB) {
				v[i].p = sqlite3_column_blob(q, c);
				v[i].len = (size_t)sqlite3_column_bytes(q, c);
				if (!v[i].p)
					v[i].p = "";
			} else {
				v[i].p = (const char *)sqlite3_column_text(q, c);
				v[i].len = (size_t)sqlite3_column_bytes(q, c);
			}
		}
		ret = k->row(ctx, t, v, err);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
	sqlite3_finalize(q);
	if (ret == 0)
		ret = k->table_end(ctx, t, err);
	return ret;
}

int store_copy_out(struct store *s, const struct store_copy_sink *k, void *ctx,
		   struct error *err)
{
	size_t i;
	int ret = store_tx_begin(s, err);

	if (ret < 0)
		return ret;
	ret = k->begin(ctx, err);
	if (ret < 0) {
		store_tx_abort(s);
		return ret;
	}
	for (i = 0; ret == 0 && i < sizeof(tables) / sizeof(tables[0]); i++)
		ret = copy_table(s, &tables[i], k, ctx, err);
	store_tx_abort(s); /* read only */
	if (ret < 0) {
		k->finish(ctx, false, NULL);
		return ret;
	}
	return k->finish(ctx, true, err);
}

/* ---- the store as a sink ------------------------------------------------------- */

static sqlite3_stmt *ins; /* the current table's INSERT: one copy at a time */

static int k_begin(void *ctx, struct error *err)
{
	struct store *s = ctx;
	sqlite3_stmt *q = NULL;
	int ret = store_tx_begin(s, err), rc;

	if (ret < 0)
		return ret;
	ret = store_prepare(s,
			    "SELECT EXISTS (SELECT 1 FROM form) OR EXISTS (SELECT 1 FROM interview)"
			    " OR EXISTS (SELECT 1 FROM sync_bundle)",
			    &q, err);
	if (ret < 0)
		goto fail;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
	} else if (sqlite3_column_int(q, 0)) {
		ret = store_fail(s, err, STORE_E_EXISTS,
				 "目标数据库已有数据：只能复制到新的或空的数据库",
				 "the target database holds data: copy only into a new or empty one");
	}
	sqlite3_finalize(q);
	if (ret < 0)
		goto fail;
	/* a new store has its own events (none yet for a team database, but
	 * never mixed into a copy) */
	if (sqlite3_exec(s->db, "DELETE FROM event_row", NULL, NULL, NULL) != SQLITE_OK) {
		ret = store_db_fail(s, sqlite3_errcode(s->db), err);
		goto fail;
	}
	return 0;
fail:
	store_tx_abort(s);
	return ret;
}

static int k_table(void *ctx, const struct store_copy_table *t, struct error *err)
{
	struct store *s = ctx;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	if (!strcmp(t->name, "event")) {
		/* `event` is a view over event_row (schema step 8): its device,
		 * interview, kind and path go in as their integer keys (k_row) */
		strbuf_addstr(&sb, "INSERT INTO event_row(device, seq, interview, time, kind, actor,"
				   " path, old_value, new_value, old_special, new_special, extra)"
				   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
		ret = store_prepare(s, sb.buf, &ins, err);
		strbuf_release(&sb);
		return ret;
	}
	strbuf_addf(&sb, "INSERT INTO \"%s\" (", t->name);
	for (i = 0; i < t->n_cols; i++)
		strbuf_addf(&sb, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	strbuf_addstr(&sb, ") VALUES (");
	for (i = 0; i < t->n_cols; i++)
		strbuf_addf(&sb, "%s?%zu", i ? ", " : "", i + 1);
	strbuf_addch(&sb, ')');
	if (!strcmp(t->name, "meta"))
		strbuf_addstr(&sb, " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	ret = store_prepare(s, sb.buf, &ins, err);
	strbuf_release(&sb);
	return ret;
}

static int k_row(void *ctx, const struct store_copy_table *t, const struct store_copy_val *v,
		 struct error *err)
{
	/* c_event's columns kept as keys: device, interview, kind, path */
	static const int event_key[12] = {STORE_KEY_DEVICE, -1, STORE_KEY_INTERVIEW, -1,
					  STORE_KEY_NAME, -1, STORE_KEY_NAME, -1, -1, -1, -1, -1};
	struct store *s = ctx;
	bool is_event = !strcmp(t->name, "event");
	size_t i;
	int rc;

	sqlite3_reset(ins);
	for (i = 0; i < t->n_cols; i++) {
		int c = (int)i + 1;

		if (is_event && event_key[i] >= 0) {
			int64_t id;

			/* NUL-terminated: SQLite column text or libpq's values */
			if (store_key_id(s, (enum store_key)event_key[i], v[i].p, true, &id,
					 err) < 0)
				return -1;
			sqlite3_bind_int64(ins, c, id);
		} else if (!v[i].p)
			sqlite3_bind_null(ins, c);
		else if (t->cols[i].type == STORE_COPY_INT)
			sqlite3_bind_int64(ins, c, strtoll(v[i].p, NULL, 10));
		else if (t->cols[i].type == STORE_COPY_BLOB)
			sqlite3_bind_blob64(ins, c, v[i].p, v[i].len, SQLITE_STATIC);
		else
			sqlite3_bind_text64(ins, c, v[i].p, v[i].len, SQLITE_STATIC, SQLITE_UTF8);
	}
	rc = sqlite3_step(ins);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

static int k_table_end(void *ctx, const struct store_copy_table *t, struct error *err)
{
	sqlite3_finalize(ins);
	ins = NULL;
	return 0;
}

static int k_finish(void *ctx, bool commit, struct error *err)
{
	struct store *s = ctx;
	sqlite3_stmt *q = NULL;
	int ret, rc;

	if (ins) {
		sqlite3_finalize(ins);
		ins = NULL;
	}
	if (!commit) {
		store_tx_abort(s);
		return 0;
	}
	/* the change counter continues after the copied interviews' and exports' */
	ret = store_prepare(s,
			    "INSERT INTO meta(key, value) VALUES ('change_seq', (SELECT MAX("
			    "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'change_seq'), 0),"
			    " COALESCE((SELECT MAX(change_seq) FROM interview), 0),"
			    " COALESCE((SELECT MAX(change_seq) FROM sync_export), 0))))"
			    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			    &q, err);
	if (ret == 0) {
		rc = sqlite3_step(q);
		if (rc != SQLITE_DONE)
			ret = store_db_fail(s, rc, err);
		sqlite3_finalize(q);
	}
	q = NULL;
	if (ret == 0)
		ret = store_prepare(s, "SELECT value FROM meta WHERE key = 'device_id'", &q, err);
	if (ret == 0) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
			snprintf(s->device, sizeof(s->device), "%s",
				 (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	if (ret < 0) {
		store_tx_abort(s);
		return ret;
	}
	return store_tx_commit(s, err);
}

static const struct store_copy_sink sink = {k_begin, k_table, k_row, k_table_end, k_finish};

const struct store_copy_sink *store_copy_sink(void)
{
	return &sink;
}
