/*
 * store_status — the progress report of `ruhu status` (include/ruhu/status.h):
 * queries over assignment, the assignment_status view, interview and
 * sync_bundle. A store report: read-only, plain SQL, errors the store's way.
 */
#include "store_internal.h"

#include "ruhu/status.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define COUNTS                                                                              \
	"COUNT(*), SUM(st.n_interviews > 0), SUM(st.status IN ('completed', 'approved')), " \
	"SUM(st.status = 'approved'), SUM(st.status = 'rejected'), SUM(st.n_interviews > 1) "

static const char *const group_sql[STATUS_NGROUPS] = {
	"SELECT coalesce(a.county, '-'), " COUNTS
	"FROM assignment a JOIN assignment_status st USING (household_key) "
	"GROUP BY 1 ORDER BY 1",
	"SELECT coalesce(a.county, '-') || '/' || coalesce(a.township, '-') || '/' || "
	"coalesce(a.village, '-'), " COUNTS
	"FROM assignment a JOIN assignment_status st USING (household_key) "
	"GROUP BY 1 ORDER BY 1",
	"SELECT coalesce(a.enumerator, '-'), " COUNTS
	"FROM assignment a JOIN assignment_status st USING (household_key) "
	"GROUP BY 1 ORDER BY 1",
};

/* Prepares `sql` into *q (finalizing what *q held); 0 or the store error. */
static int prep(struct store *s, const char *sql, sqlite3_stmt **q, struct error *err)
{
	sqlite3_finalize(*q);
	*q = NULL;
	return store_prepare(s, sql, q, err);
}

static void fill(struct status_row *r, sqlite3_stmt *q)
{
	const unsigned char *t = sqlite3_column_text(q, 0);

	r->name = xstrdup(t ? (const char *)t : "-");
	r->assigned = (size_t)sqlite3_column_int64(q, 1);
	r->started = (size_t)sqlite3_column_int64(q, 2);
	r->completed = (size_t)sqlite3_column_int64(q, 3);
	r->approved = (size_t)sqlite3_column_int64(q, 4);
	r->rejected = (size_t)sqlite3_column_int64(q, 5);
	r->duplicates = (size_t)sqlite3_column_int64(q, 6);
}

int store_status_report(struct store *s, struct status_report *r, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int g, rc = SQLITE_OK, ret;
	size_t cap;

	memset(r, 0, sizeof(*r));
	for (g = 0; g < STATUS_NGROUPS; g++) {
		cap = 0;
		ret = prep(s, group_sql[g], &q, err);
		if (ret < 0)
			goto fail;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			XGROW(r->rows[g], cap, r->n[g] + 1);
			fill(&r->rows[g][r->n[g]++], q);
		}
		if (rc != SQLITE_DONE)
			goto dbfail;
	}
	ret = prep(s,
		   "SELECT 'total', " COUNTS
		   "FROM assignment a JOIN assignment_status st USING (household_key)",
		   &q, err);
	if (ret < 0)
		goto fail;
	if ((rc = sqlite3_step(q)) != SQLITE_ROW)
		goto dbfail;
	fill(&r->total, q);
	ret = prep(s,
		   "SELECT COUNT(*) FROM interview i WHERE household_key IS NULL OR "
		   "NOT EXISTS (SELECT 1 FROM assignment a WHERE a.household_key = "
		   "i.household_key)",
		   &q, err);
	if (ret < 0)
		goto fail;
	if ((rc = sqlite3_step(q)) != SQLITE_ROW)
		goto dbfail;
	r->outside = (size_t)sqlite3_column_int64(q, 0);
	/* the latest bundle merged from each device */
	cap = 0;
	ret = prep(s,
		   "SELECT b.device, b.sequence, b.created, b.merged, "
		   "(SELECT COUNT(*) FROM sync_bundle c WHERE c.device = b.device "
		   " AND c.kind = 'device') FROM sync_bundle b WHERE b.kind = "
		   "'device' AND b.sequence = (SELECT MAX(sequence) FROM "
		   "sync_bundle c WHERE c.device = b.device AND c.kind = 'device') "
		   "ORDER BY b.device",
		   &q, err);
	if (ret < 0)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct status_device *d;

		XGROW(r->dev, cap, r->n_dev + 1);
		d = &r->dev[r->n_dev++];
		d->device = store_col_dup(q, 0);
		d->sequence = sqlite3_column_int64(q, 1);
		d->created = store_col_dup(q, 2);
		d->merged = sqlite3_column_int64(q, 3);
		d->bundles = (size_t)sqlite3_column_int64(q, 4);
	}
	if (rc != SQLITE_DONE)
		goto dbfail;
	sqlite3_finalize(q);
	return 0;
dbfail:
	ret = store_db_fail(s, rc, err);
fail:
	sqlite3_finalize(q);
	store_status_report_release(r);
	return ret;
}

void store_status_report_release(struct status_report *r)
{
	size_t g, i;

	for (g = 0; g < STATUS_NGROUPS; g++) {
		for (i = 0; i < r->n[g]; i++)
			free(r->rows[g][i].name);
		free(r->rows[g]);
	}
	free(r->total.name);
	for (i = 0; i < r->n_dev; i++) {
		free(r->dev[i].device);
		free(r->dev[i].created);
	}
	free(r->dev);
	memset(r, 0, sizeof(*r));
}
