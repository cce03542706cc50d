/*
 * store_audit — the tables of `ruhu audit` (audit_run, audit_finding; schema
 * step 5), the one reader audit needs beyond store_records_each (every
 * event in the order each device wrote it) and the latest run's findings per
 * interview (data export's QC column).
 *
 * Invariants: a run and all its findings are written in one transaction, so
 * a run id in audit_run always has its complete set of findings; run ids
 * only grow (INTEGER PRIMARY KEY without deletes), so "new since run N" is
 * "key not recorded by any run <= N".
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

static int bind_or_empty(sqlite3_stmt *q, int i, const char *v)
{
	return sqlite3_bind_text(q, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

int store_audit_save(struct store *s, const char *rules_file, const char *rules_sha256,
		     size_t interviews, const struct store_audit_finding *f, size_t n,
		     int64_t *run, struct error *err)
{
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc, ret;

	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_prepare(s,
			    "INSERT INTO audit_run(started, rules_file, rules_sha256, interviews, "
			    "findings) VALUES (?1, ?2, ?3, ?4, ?5)",
			    &q, err);
	if (ret < 0)
		goto fail;
	sqlite3_bind_int64(q, 1, store_now(s));
	bind_or_empty(q, 2, rules_file);
	bind_or_empty(q, 3, rules_sha256);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)interviews);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)n);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	*run = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(q);
	q = NULL;
	/* OR IGNORE: the key (run, rule, interview, path) names one finding; a
	 * repeat of it in f adds nothing (documented in store.h) */
	ret = store_prepare(s,
			    "INSERT OR IGNORE INTO audit_finding(run, rule, severity, interview, "
			    "path, household_key, county, village, enumerator, device, detail) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
			    &q, err);
	if (ret < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(q, 1, *run);
		bind_or_empty(q, 2, f[i].rule);
		bind_or_empty(q, 3, f[i].severity);
		bind_or_empty(q, 4, f[i].interview);
		bind_or_empty(q, 5, f[i].path);
		store_bind_text(q, 6, f[i].household_key);
		store_bind_text(q, 7, f[i].county);
		store_bind_text(q, 8, f[i].village);
		store_bind_text(q, 9, f[i].enumerator);
		store_bind_text(q, 10, f[i].device);
		bind_or_empty(q, 11, f[i].detail);
		rc = sqlite3_step(q);
		if (rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, err);
			goto fail;
		}
	}
	sqlite3_finalize(q);
	return store_tx_commit(s, err);
fail:
	sqlite3_finalize(q);
	store_tx_rollback(s, NULL);
	return ret;
}

static int one_int(struct store *s, const char *sql, int64_t arg, int64_t *out,
		   struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	if (sqlite3_bind_parameter_count(q) > 0)
		sqlite3_bind_int64(q, 1, arg);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
		ret = 0;
	} else {
		ret = store_db_fail(s, rc, err);
	}
	sqlite3_finalize(q);
	return ret;
}

int store_audit_run_exists(struct store *s, int64_t run, struct error *err)
{
	int64_t n = 0;
	int ret = one_int(s, "SELECT COUNT(*) FROM audit_run WHERE id = ?1", run, &n, err);

	return ret < 0 ? ret : n > 0;
}

int store_audit_run_last(struct store *s, int64_t *run, struct error *err)
{
	*run = 0;
	return one_int(s, "SELECT coalesce(MAX(id), 0) FROM audit_run", 0, run, err);
}

int store_audit_keys_each(struct store *s, int64_t upto, store_audit_key_cb cb, void *ctx,
			  struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
			    "SELECT DISTINCT rule, interview, path FROM audit_finding "
			    "WHERE run <= ?1 ORDER BY rule, interview, path",
			    &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, upto);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = cb(ctx, (const char *)sqlite3_column_text(q, 0),
			 (const char *)sqlite3_column_text(q, 1),
			 (const char *)sqlite3_column_text(q, 2));
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_audit_latest_counts(struct store *s, int64_t *run, int64_t *started,
			      store_audit_count_cb cb, void *ctx, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	*run = 0;
	*started = 0;
	ret = store_prepare(s, "SELECT id, started FROM audit_run ORDER BY id DESC LIMIT 1", &q,
			    err);
	if (ret < 0)
		return ret;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*run = sqlite3_column_int64(q, 0);
		*started = sqlite3_column_int64(q, 1);
	} else if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
	}
	sqlite3_finalize(q);
	q = NULL;
	if (ret < 0 || !*run)
		return ret;
	/* the primary key (run, rule, interview, path) serves the run's rows */
	ret = store_prepare(s,
			    "SELECT interview, COUNT(*) FROM audit_finding "
			    "WHERE run = ?1 AND interview <> '' GROUP BY interview ORDER BY interview",
			    &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, *run);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = cb(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1));
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_events_by_device_each(struct store *s, store_event_cb cb, void *ctx,
				struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	/* devices in UUID order from device_key's index, each one's events in
	 * event_row's primary key (device, seq) order: no sort */
	ret = store_prepare(s,
			    "SELECT d.uuid, e.seq, i.uuid, e.time, k.name, e.actor FROM device_key d"
			    " CROSS JOIN event_row e ON e.device = d.id"
			    " JOIN interview_key i ON i.id = e.interview"
			    " JOIN event_name k ON k.id = e.kind ORDER BY d.uuid, e.seq",
			    &q, err);
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.device = (char *)sqlite3_column_text(q, 0);
		ev.seq = sqlite3_column_int64(q, 1);
		ev.interview = (char *)sqlite3_column_text(q, 2);
		ev.time = sqlite3_column_int64(q, 3);
		ev.kind = (char *)sqlite3_column_text(q, 4);
		ev.actor = (char *)sqlite3_column_text(q, 5);
		ret = cb(ctx, &ev);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}
