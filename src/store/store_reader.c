/*
 * store_reader — one pass over interviews with their answers, events and
 * comments, filtered by form and status (store_records_each in ruhu/store.h),
 * for audit, scoring and data export.
 *
 * Four queries, each ordered by interview uuid and each with the same filter,
 * read in step (a merge join) inside one read snapshot: the cost is four
 * scans, not one query per interview, and memory holds one interview's rows.
 *
 * Invariants: a record's answers are in path order, its events in (time,
 * device, seq) order and its comments in (time, uuid) order; interviews come
 * in uuid order (SQLite's BINARY collation, the same as strcmp on UTF-8).
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { Q_IV, Q_ANS, Q_EV, Q_CM, NQ };

static const char *const reader_sql[NQ] = {
	[Q_IV] = "SELECT i.uuid, i.form_hash, i.household_key, i.enumerator, i.device,"
		 " i.status, i.review_comment, i.revision, i.change_seq, i.created, i.updated,"
		 " i.position FROM (SELECT uuid AS interview FROM interview) x" STORE_RECORD_FILTER_SQL
		 " ORDER BY i.uuid",
	[Q_ANS] = "SELECT x.interview, x.path, x.value, x.special FROM answer x" STORE_RECORD_FILTER_SQL
		  " ORDER BY x.interview, x.path",
	/* event_row through its integer keys (schema step 8): interviews in
	 * UUID order from interview_key's index, each one's events from
	 * event_row_interview in time order */
	[Q_EV] = "SELECT x.interview, d.uuid, e.seq, e.time, k.name, e.actor, p.name,"
		 " e.old_value, e.new_value, e.old_special, e.new_special, e.extra"
		 " FROM (SELECT uuid AS interview, id FROM interview_key WHERE uuid IS NOT NULL) x"
		 " CROSS JOIN event_row e ON e.interview = x.id JOIN device_key d ON d.id = e.device"
		 " JOIN event_name k ON k.id = e.kind JOIN event_name p ON p.id = e.path"
		 STORE_RECORD_FILTER_SQL " ORDER BY x.interview, e.time, d.uuid, e.seq",
	[Q_CM] = "SELECT x.interview, x.uuid, x.path, x.author, x.text, x.time, x.device"
		 " FROM comment x" STORE_RECORD_FILTER_SQL " ORDER BY x.interview, x.time, x.uuid",
};

struct cursor {
	sqlite3_stmt *q;
	int rc; /* SQLITE_ROW while positioned on a row */
};

static int step(struct store *s, struct cursor *c, struct error *err)
{
	c->rc = sqlite3_step(c->q);
	if (c->rc != SQLITE_ROW && c->rc != SQLITE_DONE)
		return store_db_fail(s, c->rc, err);
	return 0;
}

/* <0, 0, >0 as the cursor's interview compares with uuid (done: > 0). */
static int cursor_cmp(const struct cursor *c, const char *uuid)
{
	const char *k;

	if (c->rc != SQLITE_ROW)
		return 1;
	k = (const char *)sqlite3_column_text(c->q, 0);
	return strcmp(k ? k : "", uuid);
}

static void record_clear(struct store_record *r)
{
	size_t i;

	for (i = 0; i < r->n_answers; i++) {
		free(r->answers[i].path);
		free(r->answers[i].value);
	}
	for (i = 0; i < r->n_events; i++) {
		struct store_event *e = &r->events[i];

		free(e->device);
		free(e->interview);
		free(e->kind);
		free(e->actor);
		free(e->path);
		free(e->old_value);
		free(e->new_value);
		free(e->extra);
	}
	for (i = 0; i < r->n_comments; i++) {
		struct store_comment *c = &r->comments[i];

		free(c->uuid);
		free(c->interview);
		free(c->path);
		free(c->author);
		free(c->text);
		free(c->device);
	}
	store_interview_release(&r->iv);
	r->n_answers = r->n_events = r->n_comments = 0;
}

/* Collects the rows of cursor c that belong to `uuid` (skipping rows of
 * interviews the interview cursor did not give, which the filter excludes
 * alike, so there are none but a concurrent change cannot hurt). */
static int collect(struct store *s, struct cursor *c, int which, const char *uuid,
		   struct store_record *r, size_t caps[NQ], struct error *err)
{
	int cmp, ret;

	while ((cmp = cursor_cmp(c, uuid)) <= 0) {
		sqlite3_stmt *q = c->q;

		if (cmp == 0 && which == Q_ANS) {
			struct store_answer *a;

			XGROW(r->answers, caps[Q_ANS], r->n_answers + 1);
			a = &r->answers[r->n_answers++];
			a->path = store_col_dup(q, 1);
			a->value = store_col_dup(q, 2);
			a->special = (enum store_special)store_special_stored(
				(const char *)sqlite3_column_text(q, 3));
		} else if (cmp == 0 && which == Q_EV) {
			struct store_event *e;

			XGROW(r->events, caps[Q_EV], r->n_events + 1);
			e = &r->events[r->n_events++];
			e->interview = store_col_dup(q, 0);
			e->device = store_col_dup(q, 1);
			e->seq = sqlite3_column_int64(q, 2);
			e->time = sqlite3_column_int64(q, 3);
			e->kind = store_col_dup(q, 4);
			e->actor = store_col_dup(q, 5);
			e->path = store_col_dup(q, 6);
			e->old_value = store_col_dup(q, 7);
			e->new_value = store_col_dup(q, 8);
			e->old_special = (enum store_special)store_special_stored(
				(const char *)sqlite3_column_text(q, 9));
			e->new_special = (enum store_special)store_special_stored(
				(const char *)sqlite3_column_text(q, 10));
			e->extra = store_col_dup(q, 11);
		} else if (cmp == 0 && which == Q_CM) {
			struct store_comment *m;

			XGROW(r->comments, caps[Q_CM], r->n_comments + 1);
			m = &r->comments[r->n_comments++];
			m->interview = store_col_dup(q, 0);
			m->uuid = store_col_dup(q, 1);
			m->path = store_col_dup(q, 2);
			m->author = store_col_dup(q, 3);
			m->text = store_col_dup(q, 4);
			m->time = sqlite3_column_int64(q, 5);
			m->device = store_col_dup(q, 6);
		}
		ret = step(s, c, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int store_records_each(struct store *s, const struct store_record_filter *f,
		       store_record_cb cb, void *ctx, struct error *err)
{
	struct cursor c[NQ];
	struct store_record r;
	size_t caps[NQ] = {0};
	bool snap = false;
	int k, ret = 0;

	memset(c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	/* one snapshot for the four queries (inside a caller's transaction,
	 * that transaction is the snapshot) */
	if (s->depth == 0 && sqlite3_get_autocommit(s->db)) {
		ret = store_snapshot_begin(s, err);
		if (ret < 0)
			return ret;
		snap = true;
	}
	for (k = 0; k < NQ; k++) {
		int rc = sqlite3_prepare_v2(s->db, reader_sql[k], -1, &c[k].q, NULL);

		if (rc != SQLITE_OK) {
			ret = store_db_fail(s, rc, err);
			goto done;
		}
		store_bind_text(c[k].q, 1, f ? f->form_id : NULL);
		store_bind_text(c[k].q, 2, f ? f->form_hash : NULL);
		sqlite3_bind_int(c[k].q, 3, f ? (int)f->statuses : 0);
		ret = step(s, &c[k], err);
		if (ret < 0)
			goto done;
	}
	while (c[Q_IV].rc == SQLITE_ROW) {
		ret = store_iv_from_row(s, c[Q_IV].q, &r.iv, err);
		if (ret < 0)
			goto done;
		for (k = Q_ANS; k < NQ; k++) {
			ret = collect(s, &c[k], k, r.iv.uuid, &r, caps, err);
			if (ret < 0)
				goto done;
		}
		ret = cb(ctx, &r);
		record_clear(&r);
		if (ret)
			goto done;
		ret = step(s, &c[Q_IV], err);
		if (ret < 0)
			goto done;
	}
done:
	record_clear(&r);
	free(r.answers);
	free(r.events);
	free(r.comments);
	for (k = 0; k < NQ; k++)
		sqlite3_finalize(c[k].q);
	if (snap)
		store_snapshot_end(s);
	return ret;
}
