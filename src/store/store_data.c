/*
 * store_data — what data export (src/data) keeps in the team database: the
 * secret key of the masking pseudonyms, in meta under 'data_mask_key'.
 *
 * The key is created once, at the first masked export, from two random
 * (version 4) UUIDs — 244 random bits — and never changes, so pseudonyms
 * stay the same from one export to the next. It is not an event and does not
 * travel in bundles: it stays in the database it was created in.
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_get(struct store *s, char **out, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_META_GET, err);
	int rc;

	*out = NULL;
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, "data_mask_key");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = store_col_dup(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return 0;
}

int store_data_mask_key(struct store *s, char **key, struct error *err)
{
	char a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], both[2 * STORE_ID_LEN + 2];
	sqlite3_stmt *q;
	int ret;

	*key = NULL;
	ret = key_get(s, key, err);
	if (ret < 0 || *key)
		return ret;
	if (store_uuid_new(a, err) < 0 || store_uuid_new(b, err) < 0)
		return -STORE_E_IO;
	snprintf(both, sizeof(both), "%s%s", a, b);
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	/* another program may have created it meanwhile: keep the first */
	q = NULL;
	ret = store_prepare(s, "INSERT OR IGNORE INTO meta(key, value) VALUES ('data_mask_key', ?1)",
			    &q, err);
	if (ret == 0) {
		store_bind_text(q, 1, both);
		ret = sqlite3_step(q) == SQLITE_DONE ? 0 : store_db_fail(s, sqlite3_errcode(s->db), err);
		sqlite3_finalize(q);
	}
	if (ret == 0)
		ret = store_tx_commit(s, err);
	else
		store_tx_abort(s);
	if (ret < 0)
		return ret;
	return key_get(s, key, err);
}

/* ---- the data export reader ------------------------------------------------ */

/* ?1 form_id or NULL, ?2 form hash or NULL, ?3 status bits or 0 (as store_reader.c) */
static const char iv_sql[] =
	"SELECT i.uuid, i.form_hash, i.household_key, i.enumerator, i.device, i.status,"
	" i.review_comment, i.revision, i.change_seq, i.created, i.updated, i.position"
	" FROM interview i"
	" WHERE (?1 IS NULL OR i.form_hash IN (SELECT hash FROM form WHERE form_id = ?1))"
	" AND (?2 IS NULL OR i.form_hash = ?2)"
	" AND (?3 = 0 OR (?3 & CASE i.status WHEN 'in_progress' THEN 1 WHEN 'completed'"
	" THEN 2 WHEN 'approved' THEN 4 WHEN 'rejected' THEN 8 ELSE 0 END) <> 0)"
	" ORDER BY i.uuid";
/* the primary key order: no join, no sort */
static const char ans_sql[] =
	"SELECT interview, path, value, special FROM answer ORDER BY interview, path";
/* interviews in UUID order from interview_key's index: no sort */
static const char done_sql[] =
	"SELECT i.uuid, MAX(e.time) FROM interview_key i CROSS JOIN event_row e"
	" ON e.interview = i.id WHERE i.uuid IS NOT NULL"
	" AND e.kind = (SELECT id FROM event_name WHERE name = 'complete')"
	" GROUP BY i.uuid ORDER BY i.uuid";

/* Steps q; 0 or the mapped error. *rc is SQLITE_ROW while on a row. */
static int next(struct store *s, sqlite3_stmt *q, int *rc, struct error *err)
{
	*rc = sqlite3_step(q);
	return *rc == SQLITE_ROW || *rc == SQLITE_DONE ? 0 : store_db_fail(s, *rc, err);
}

/* < 0, 0, > 0 as the row's interview compares with uuid (done: > 0) */
static int behind(sqlite3_stmt *q, int rc, const char *uuid)
{
	const char *k;

	if (rc != SQLITE_ROW)
		return 1;
	k = (const char *)sqlite3_column_text(q, 0);
	return strcmp(k ? k : "", uuid);
}

/* The one answers-only scan: interviews in uuid order, each with its answers
 * (texts in one buffer) and, with `completed_too`, the time of its latest
 * `complete` event (else 0). */
static int answers_scan(struct store *s, const struct store_record_filter *f, bool completed_too,
			store_data_cb cb, void *ctx, struct error *err)
{
	sqlite3_stmt *q[3] = {NULL, NULL, NULL};
	const char *const sql[3] = {iv_sql, ans_sql, done_sql};
	int rc[3] = {0, 0, SQLITE_DONE};
	int nq = completed_too ? 3 : 2;
	struct store_record r;
	struct strbuf text = STRBUF_INIT;
	size_t cap = 0, *off = NULL, cap_off = 0;
	bool snap = false;
	int k, ret = 0;

	memset(&r, 0, sizeof(r));
	if (s->depth == 0 && sqlite3_get_autocommit(s->db)) {
		ret = store_snapshot_begin(s, err);
		if (ret < 0)
			return ret;
		snap = true;
	}
	/* a whole-database scan: map the file rather than read() it page by
	 * page (a read-only mapping; SQLite falls back to reads where it
	 * cannot map) */
	sqlite3_exec(s->db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
	for (k = 0; k < nq; k++) {
		ret = store_prepare(s, sql[k], &q[k], err);
		if (ret < 0)
			goto done;
		if (k == 0) {
			store_bind_text(q[0], 1, f ? f->form_id : NULL);
			store_bind_text(q[0], 2, f ? f->form_hash : NULL);
			sqlite3_bind_int(q[0], 3, f ? (int)f->statuses : 0);
		}
		ret = next(s, q[k], &rc[k], err);
		if (ret < 0)
			goto done;
	}
	while (rc[0] == SQLITE_ROW) {
		int64_t completed = 0;
		int cmp;
		size_t i;

		ret = store_iv_from_row(s, q[0], &r.iv, err);
		if (ret < 0)
			goto done;
		/* the answers: texts in one buffer, pointers set once it stops moving */
		strbuf_reset(&text);
		r.n_answers = 0;
		while ((cmp = behind(q[1], rc[1], r.iv.uuid)) <= 0) {
			if (cmp == 0) {
				struct store_answer *a;
				int c;

				XGROW(r.answers, cap, r.n_answers + 1);
				XGROW(off, cap_off, 2 * r.n_answers + 2);
				a = &r.answers[r.n_answers];
				for (c = 0; c < 2; c++) {
					const unsigned char *t = sqlite3_column_text(q[1], 1 + c);

					if (!t) {
						off[2 * r.n_answers + c] = SIZE_MAX;
						continue;
					}
					off[2 * r.n_answers + c] = text.len;
					strbuf_add(&text, t, (size_t)sqlite3_column_bytes(q[1], 1 + c));
					strbuf_addch(&text, '\0');
				}
				a->special = (enum store_special)store_special_stored(
					(const char *)sqlite3_column_text(q[1], 3));
				r.n_answers++;
			}
			ret = next(s, q[1], &rc[1], err);
			if (ret < 0)
				goto done;
		}
		for (i = 0; i < r.n_answers; i++) {
			r.answers[i].path = off[2 * i] == SIZE_MAX ? NULL : text.buf + off[2 * i];
			r.answers[i].value = off[2 * i + 1] == SIZE_MAX ? NULL
								       : text.buf + off[2 * i + 1];
		}
		while ((cmp = behind(q[2], rc[2], r.iv.uuid)) <= 0) {
			if (cmp == 0)
				completed = sqlite3_column_int64(q[2], 1);
			ret = next(s, q[2], &rc[2], err);
			if (ret < 0)
				goto done;
		}
		ret = cb(ctx, &r, completed);
		store_interview_release(&r.iv);
		if (ret)
			goto done;
		ret = next(s, q[0], &rc[0], err);
		if (ret < 0)
			goto done;
	}
done:
	store_interview_release(&r.iv);
	free(r.answers);
	free(off);
	strbuf_release(&text);
	for (k = 0; k < 3; k++)
		sqlite3_finalize(q[k]);
	if (snap)
		store_snapshot_end(s);
	return ret;
}

int store_data_each(struct store *s, const struct store_record_filter *f, store_data_cb cb,
		    void *ctx, struct error *err)
{
	return answers_scan(s, f, true, cb, ctx, err);
}

/* store_records_answers_each's callback through the one scan */
struct record_cb {
	store_record_cb cb;
	void *ctx;
};

static int record_cb(void *ctx, const struct store_record *r, int64_t completed)
{
	const struct record_cb *rc = ctx;

	(void)completed;
	return rc->cb(rc->ctx, r);
}

int store_records_answers_each(struct store *s, const struct store_record_filter *f,
			       store_record_cb cb, void *ctx, struct error *err)
{
	struct record_cb rc = {cb, ctx};

	return answers_scan(s, f, false, record_cb, &rc, err);
}
