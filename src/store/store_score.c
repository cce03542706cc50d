/*
 * store_score — the scoring reader: interviews with their answers only,
 * filtered by form and status (store_records_answers_each in ruhu/store.h).
 *
 * The same filter and order as store_records_each (store_reader.c), two
 * queries read in step inside one read snapshot, but neither events nor
 * comments: a score needs answers alone, and an interview's paradata is
 * larger than its answers (a synthetic household has ~140 answers and ~170
 * events), so skipping it halves the reading.
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* ?1 form_id or NULL, ?2 form hash or NULL, ?3 status bits or 0 */
#define FILTER                                                                            \
	" JOIN interview i ON i.uuid = x.interview"                                       \
	" WHERE (?1 IS NULL OR i.form_hash IN (SELECT hash FROM form WHERE form_id = ?1))" \
	" AND (?2 IS NULL OR i.form_hash = ?2)"                                           \
	" AND (?3 = 0 OR (?3 & CASE i.status WHEN 'in_progress' THEN 1 WHEN 'completed'"   \
	" THEN 2 WHEN 'approved' THEN 4 WHEN 'rejected' THEN 8 ELSE 0 END) <> 0)"

static const char iv_sql[] =
	"SELECT i.uuid, i.form_hash, i.household_key, i.enumerator, i.device,"
	" i.status, i.review_comment, i.revision, i.change_seq, i.created, i.updated,"
	" i.position FROM (SELECT uuid AS interview FROM interview) x" FILTER " ORDER BY i.uuid";
static const char ans_sql[] = "SELECT x.interview, x.path, x.value, x.special FROM answer x" FILTER
			      " ORDER BY x.interview, x.path";

static void answers_clear(struct store_record *r)
{
	size_t i;

	for (i = 0; i < r->n_answers; i++) {
		free(r->answers[i].path);
		free(r->answers[i].value);
	}
	r->n_answers = 0;
	store_interview_release(&r->iv);
}

int store_records_answers_each(struct store *s, const struct store_record_filter *f,
			       store_record_cb cb, void *ctx, struct error *err)
{
	sqlite3_stmt *q[2] = {NULL, NULL};
	const char *sql[2] = {iv_sql, ans_sql};
	int rc[2] = {SQLITE_DONE, SQLITE_DONE};
	struct store_record r;
	size_t cap = 0;
	bool snap = false;
	int k, ret = 0;

	memset(&r, 0, sizeof(r));
	if (s->depth == 0 && sqlite3_get_autocommit(s->db)) {
		ret = store_snapshot_begin(s, err);
		if (ret < 0)
			return ret;
		snap = true;
	}
	for (k = 0; k < 2; k++) {
		int prc = sqlite3_prepare_v2(s->db, sql[k], -1, &q[k], NULL);

		if (prc != SQLITE_OK) {
			ret = store_db_fail(s, prc, err);
			goto done;
		}
		store_bind_text(q[k], 1, f ? f->form_id : NULL);
		store_bind_text(q[k], 2, f ? f->form_hash : NULL);
		sqlite3_bind_int(q[k], 3, f ? (int)f->statuses : 0);
		rc[k] = sqlite3_step(q[k]);
		if (rc[k] != SQLITE_ROW && rc[k] != SQLITE_DONE) {
			ret = store_db_fail(s, rc[k], err);
			goto done;
		}
	}
	while (rc[0] == SQLITE_ROW) {
		ret = store_iv_from_row(s, q[0], &r.iv, err);
		if (ret < 0)
			goto done;
		/* answers of this interview (rows of interviews the first query
		 * did not give are skipped: the filter excludes them alike) */
		while (rc[1] == SQLITE_ROW) {
			const char *k1 = (const char *)sqlite3_column_text(q[1], 0);
			int cmp = strcmp(k1 ? k1 : "", r.iv.uuid);
			struct store_answer *a;

			if (cmp > 0)
				break;
			if (cmp == 0) {
				XGROW(r.answers, cap, r.n_answers + 1);
				a = &r.answers[r.n_answers++];
				a->path = store_col_dup(q[1], 1);
				a->value = store_col_dup(q[1], 2);
				a->special = (enum store_special)store_special_stored(
					(const char *)sqlite3_column_text(q[1], 3));
			}
			rc[1] = sqlite3_step(q[1]);
			if (rc[1] != SQLITE_ROW && rc[1] != SQLITE_DONE) {
				ret = store_db_fail(s, rc[1], err);
				goto done;
			}
		}
		ret = cb(ctx, &r);
		answers_clear(&r);
		if (ret)
			goto done;
		rc[0] = sqlite3_step(q[0]);
		if (rc[0] != SQLITE_ROW && rc[0] != SQLITE_DONE) {
			ret = store_db_fail(s, rc[0], err);
			goto done;
		}
	}
done:
	answers_clear(&r);
	free(r.answers);
	for (k = 0; k < 2; k++)
		sqlite3_finalize(q[k]);
	if (snap)
		store_snapshot_end(s);
	return ret;
}
