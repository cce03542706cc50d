/*
 * store_review — the review list, an interview's findings and the review
 * actions of `ruhu review` (include/ruhu/store_review.h).
 *
 * Invariants: an action is one transaction made of the store's own status
 * change and comment calls (nested as savepoints), so a refused action leaves
 * the database as it was; findings are read from the latest audit run only,
 * the one a reviewer last looked at.
 */
#include "store_internal.h"

#include "ruhu/store_review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* latest audit run, 0 when none (or when the table is empty) */
static int latest_run(struct store *s, int64_t *run, struct error *err)
{
	return store_audit_run_last(s, run, err);
}

/* findings counted once per interview (one pass over the run's findings),
 * not per row: a correlated count would scan the run for every interview */
static const char list_sql[] =
	"SELECT i.uuid, i.household_key, a.county, a.village, a.head_name,"
	" COALESCE(i.enumerator, a.enumerator),"
	" i.device, i.status, i.revision, i.created, i.updated, i.review_comment,"
	" IFNULL(af.n, 0), IFNULL(af.e, 0)"
	" FROM interview i LEFT JOIN assignment a ON a.household_key = i.household_key"
	" LEFT JOIN (SELECT interview, COUNT(*) AS n, SUM(severity = 'error') AS e"
	"   FROM audit_finding WHERE run = ?5 GROUP BY interview) af ON af.interview = i.uuid"
	" WHERE (?1 IS NULL OR i.status = ?1)"
	" AND (?2 IS NULL OR COALESCE(i.enumerator, a.enumerator) = ?2)"
	" AND (?3 IS NULL OR a.village = ?3)"
	" AND (?4 IS NULL OR i.uuid IN (SELECT interview FROM audit_finding WHERE run = ?5"
	"   AND (?4 = '*' OR rule = ?4)))"
	" ORDER BY a.county, a.village, i.household_key, i.created, i.uuid";

int store_review_list(struct store *s, const struct store_review_filter *f,
		      struct store_review_row **out, size_t *n, struct error *err)
{
	struct store_review_row *v = NULL, *r;
	size_t len = 0, cap = 0;
	sqlite3_stmt *q = NULL;
	int64_t run = 0;
	int rc, ret, st;

	*out = NULL;
	*n = 0;
	ret = latest_run(s, &run, err);
	if (ret < 0)
		return ret;
	ret = store_prepare(s, list_sql, &q, err);
	if (ret < 0)
		return ret;
	if (f && f->status >= 0)
		store_bind_text(q, 1, store_istatus_name((enum store_istatus)f->status));
	if (f) {
		store_bind_text(q, 2, f->enumerator);
		store_bind_text(q, 3, f->village);
		store_bind_text(q, 4, f->rule);
	}
	sqlite3_bind_int64(q, 5, run);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct store_review_row *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				ret = store_fail(s, err, STORE_E_INTERNAL, "内存不足", "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		r = &v[len++];
		memset(r, 0, sizeof(*r));
		snprintf(r->uuid, sizeof(r->uuid), "%s", (const char *)sqlite3_column_text(q, 0));
		r->household_key = store_col_dup(q, 1);
		r->county = store_col_dup(q, 2);
		r->village = store_col_dup(q, 3);
		r->head_name = store_col_dup(q, 4);
		r->enumerator = store_col_dup(q, 5);
		r->device = store_col_dup(q, 6);
		st = store_istatus_parse((const char *)sqlite3_column_text(q, 7));
		r->status = st < 0 ? STORE_IN_PROGRESS : (enum store_istatus)st;
		r->revision = sqlite3_column_int64(q, 8);
		r->created = sqlite3_column_int64(q, 9);
		r->updated = sqlite3_column_int64(q, 10);
		r->review_comment = store_col_dup(q, 11);
		r->n_findings = (size_t)sqlite3_column_int64(q, 12);
		r->n_errors = (size_t)sqlite3_column_int64(q, 13);
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	sqlite3_finalize(q);
	*out = v;
	*n = len;
	return 0;
fail:
	sqlite3_finalize(q);
	store_review_rows_free(v, len);
	return ret;
}

void store_review_rows_free(struct store_review_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].household_key);
		free(v[i].county);
		free(v[i].village);
		free(v[i].head_name);
		free(v[i].enumerator);
		free(v[i].device);
		free(v[i].review_comment);
	}
	free(v);
}

int store_review_findings_each(struct store *s, const char *uuid, store_review_finding_cb cb,
			       void *ctx, struct error *err)
{
	struct store_review_finding f;
	sqlite3_stmt *q = NULL;
	int64_t run = 0;
	int rc, ret;

	ret = latest_run(s, &run, err);
	if (ret < 0 || run == 0)
		return ret;
	ret = store_prepare(s,
			    "SELECT rule, severity, path, detail FROM audit_finding"
			    " WHERE run = ?1 AND interview = ?2 ORDER BY path, rule",
			    &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, run);
	store_bind_text(q, 2, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		f.rule = (const char *)sqlite3_column_text(q, 0);
		f.severity = (const char *)sqlite3_column_text(q, 1);
		f.path = (const char *)sqlite3_column_text(q, 2);
		f.detail = (const char *)sqlite3_column_text(q, 3);
		ret = cb(ctx, &f);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_review_approve(struct store *s, const char *const *uuids, size_t n,
			 const char *author, struct error *err)
{
	size_t i;
	int ret;

	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		ret = store_interview_review(s, uuids[i], true, NULL, author, err);
		if (ret < 0)
			goto fail;
	}
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}

int store_review_reject(struct store *s, const char *uuid, const char *reason,
			const char *author, const struct store_review_note *notes, size_t n,
			struct error *err)
{
	size_t i;
	int ret;

	if (!reason || !*reason)
		return store_fail(s, err, STORE_E_INVALID, "退回访问 '%s' 时必须填写意见",
				  "rejecting interview '%s' needs a comment", uuid ? uuid : "");
	for (i = 0; i < n; i++)
		if (!notes[i].path || !*notes[i].path)
			return store_fail(s, err, STORE_E_INVALID, "问题批注缺少题目路径",
					  "a comment on a question needs the question's path");
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		ret = store_comment_add(s, uuid, notes[i].path, author, notes[i].text, err);
		if (ret < 0)
			goto fail;
	}
	ret = store_interview_review(s, uuid, false, reason, author, err);
	if (ret < 0)
		goto fail;
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}
