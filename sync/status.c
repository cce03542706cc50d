/*
 * status — progress queries over assignment, the store's assignment_status
 * view, interview and sync_bundle (include/ruhu/status.h). Plain SQL, no
 * writes.
 */
#include "ruhu/status.h"

#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <sqlite3.h>
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

static int fail(struct store *s, struct error *err)
{
	error_set(err, store_path(s), "数据库错误：%s", "database error: %s",
		  sqlite3_errmsg(store_sqlite(s)));
	return -1;
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

int status_report(struct store *s, struct status_report *r, struct error *err)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *q = NULL;
	int g, rc;
	size_t cap;

	memset(r, 0, sizeof(*r));
	for (g = 0; g < STATUS_NGROUPS; g++) {
		cap = 0;
		if (sqlite3_prepare_v2(db, group_sql[g], -1, &q, NULL) != SQLITE_OK)
			goto fail;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			XGROW(r->rows[g], cap, r->n[g] + 1);
			fill(&r->rows[g][r->n[g]++], q);
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(q);
		q = NULL;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT 'total', " COUNTS
			       "FROM assignment a JOIN assignment_status st USING (household_key)",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		goto fail;
	fill(&r->total, q);
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT COUNT(*) FROM interview i WHERE household_key IS NULL OR "
			       "NOT EXISTS (SELECT 1 FROM assignment a WHERE a.household_key = "
			       "i.household_key)",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		goto fail;
	r->outside = (size_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	/* devices: only when merges have happened */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'sync_bundle'", -1, &q,
			       NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	q = NULL;
	if (rc == SQLITE_ROW) {
		cap = 0;
		if (sqlite3_prepare_v2(db,
				       "SELECT b.device, b.sequence, b.created, b.merged, "
				       "(SELECT COUNT(*) FROM sync_bundle c WHERE c.device = b.device "
				       " AND c.kind = 'device') FROM sync_bundle b WHERE b.kind = "
				       "'device' AND b.sequence = (SELECT MAX(sequence) FROM "
				       "sync_bundle c WHERE c.device = b.device AND c.kind = 'device') "
				       "ORDER BY b.device",
				       -1, &q, NULL) != SQLITE_OK)
			goto fail;
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct status_device *d;

			XGROW(r->dev, cap, r->n_dev + 1);
			d = &r->dev[r->n_dev++];
			d->device = xstrdup((const char *)sqlite3_column_text(q, 0));
			d->sequence = sqlite3_column_int64(q, 1);
			d->created = xstrdup((const char *)sqlite3_column_text(q, 2));
			d->merged = sqlite3_column_int64(q, 3);
			d->bundles = (size_t)sqlite3_column_int64(q, 4);
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(q);
	}
	return 0;
fail:
	fail(s, err);
	sqlite3_finalize(q);
	status_report_release(r);
	return -1;
}

void status_report_release(struct status_report *r)
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
