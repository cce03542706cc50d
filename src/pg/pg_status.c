/*
 * pg_status — `ruhu status` over a PostgreSQL team database: the report of
 * src/store/store_status.c (ruhu/status.h) from the same tables, the
 * assignment_status view of the SQLite store written out as a CTE.
 */
#include "pg_internal.h"

#include "ruhu/status.h"

#include <stdlib.h>
#include <string.h>

#define ST                                                                                  \
	"WITH st AS (SELECT a.household_key, CASE"                                          \
	" WHEN SUM((i.status = 'rejected')::int) > 0 THEN 'rejected'"                       \
	" WHEN SUM((i.status = 'in_progress')::int) > 0 THEN 'in_progress'"                 \
	" WHEN SUM((i.status = 'completed')::int) > 0 THEN 'completed'"                     \
	" WHEN SUM((i.status = 'approved')::int) > 0 THEN 'approved'"                       \
	" ELSE 'not_started' END AS status, COUNT(i.uuid) AS n_interviews"                  \
	" FROM assignment a LEFT JOIN interview i ON i.household_key = a.household_key"      \
	" GROUP BY a.household_key) "
#define COUNTS                                                                              \
	"COUNT(*), SUM((st.n_interviews > 0)::int), "                                       \
	"SUM((st.status IN ('completed', 'approved'))::int), SUM((st.status = 'approved')::int), " \
	"SUM((st.status = 'rejected')::int), SUM((st.n_interviews > 1)::int) "
#define FROM "FROM assignment a JOIN st USING (household_key) "

static const char *const group_sql[STATUS_NGROUPS] = {
	ST "SELECT coalesce(a.county, '-'), " COUNTS FROM "GROUP BY 1 ORDER BY 1",
	ST "SELECT coalesce(a.county, '-') || '/' || coalesce(a.township, '-') || '/' || "
	   "coalesce(a.village, '-'), " COUNTS FROM "GROUP BY 1 ORDER BY 1",
	ST "SELECT coalesce(a.enumerator, '-'), " COUNTS FROM "GROUP BY 1 ORDER BY 1",
};

static void fill(struct status_row *r, const PGresult *q, int i)
{
	r->name = xstrdup(PQgetisnull(q, i, 0) ? "-" : PQgetvalue(q, i, 0));
	r->assigned = (size_t)atoll(PQgetvalue(q, i, 1));
	r->started = (size_t)atoll(PQgetvalue(q, i, 2));
	r->completed = (size_t)atoll(PQgetvalue(q, i, 3));
	r->approved = (size_t)atoll(PQgetvalue(q, i, 4));
	r->rejected = (size_t)atoll(PQgetvalue(q, i, 5));
	r->duplicates = (size_t)atoll(PQgetvalue(q, i, 6));
}

int pg_status_report(struct pg *pg, struct status_report *r, struct error *err)
{
	PGresult *q;
	int g, i, n;

	memset(r, 0, sizeof(*r));
	/* one snapshot for the whole report */
	if (pg_x(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err) < 0)
		return -1;
	for (g = 0; g < STATUS_NGROUPS; g++) {
		q = pg_q(pg, PGRES_TUPLES_OK, group_sql[g], 0, NULL, err);
		if (!q)
			goto fail;
		n = PQntuples(q);
		if (n)
			r->rows[g] = xcalloc((size_t)n, sizeof(*r->rows[g]));
		for (i = 0; i < n; i++)
			fill(&r->rows[g][i], q, i);
		r->n[g] = (size_t)n;
		PQclear(q);
	}
	q = pg_q(pg, PGRES_TUPLES_OK, ST "SELECT 'total', " COUNTS FROM, 0, NULL, err);
	if (!q)
		goto fail;
	fill(&r->total, q, 0);
	PQclear(q);
	q = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT COUNT(*) FROM interview i WHERE household_key IS NULL OR"
		 " NOT EXISTS (SELECT 1 FROM assignment a WHERE a.household_key = i.household_key)",
		 0, NULL, err);
	if (!q)
		goto fail;
	r->outside = (size_t)atoll(PQgetvalue(q, 0, 0));
	PQclear(q);
	q = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT b.device, b.sequence, b.created, b.merged,"
		 " (SELECT COUNT(*) FROM sync_bundle c WHERE c.device = b.device"
		 " AND c.kind = 'device') FROM sync_bundle b WHERE b.kind = 'device'"
		 " AND b.sequence = (SELECT MAX(sequence) FROM sync_bundle c"
		 " WHERE c.device = b.device AND c.kind = 'device') ORDER BY b.device",
		 0, NULL, err);
	if (!q)
		goto fail;
	n = PQntuples(q);
	if (n)
		r->dev = xcalloc((size_t)n, sizeof(*r->dev));
	for (i = 0; i < n; i++) {
		struct status_device *d = &r->dev[i];

		d->device = xstrdup(PQgetvalue(q, i, 0));
		d->sequence = atoll(PQgetvalue(q, i, 1));
		d->created = xstrdup(PQgetvalue(q, i, 2));
		d->merged = atoll(PQgetvalue(q, i, 3));
		d->bundles = (size_t)atoll(PQgetvalue(q, i, 4));
	}
	r->n_dev = (size_t)n;
	PQclear(q);
	pg_x(pg, "ROLLBACK", 0, NULL, NULL);
	return 0;
fail:
	pg_x(pg, "ROLLBACK", 0, NULL, NULL);
	store_status_report_release(r);
	return -1;
}
