/*
 * store_merge — the SQLite store as a merge target (ruhu/merge_target.h):
 * each operation is one or a few store calls, all inside the transaction
 * begin opened (store_tx_begin), so a bundle is applied whole or not at all.
 *
 * Invariants: nothing here decides anything (sync/merge.c does); the
 * interview row is written by store_interview_import and the bookkeeping by
 * store_ledger.c, so every row has one writer. Errors are the store's.
 */
#include "store_internal.h"

#include "ruhu/merge_target.h"

static int exists(struct store *s, enum stmt_id id, const char *key, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, id, err);
	int rc;

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, key);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

static const char *t_device_id(void *t)
{
	return store_device_id(t);
}

static int t_form_known(void *t, const char *hash, struct error *err)
{
	return exists(t, ST_FORM_HAS, hash, err);
}

static int t_form_source(void *t, const char *hash, char **src, size_t *len,
			 struct error *err)
{
	return store_form_source(t, hash, src, len, err);
}

static int t_form_files(void *t, const char *hash, struct store_form_file **files, size_t *n,
			struct error *err)
{
	return store_form_files(t, hash, files, n, err);
}

static int t_interview_known(void *t, const char *uuid, struct error *err)
{
	return exists(t, ST_IV_EXISTS, uuid, err);
}

static int t_bundle_applied(void *t, const struct store_bundle_key *k, char **sha,
			    struct error *err)
{
	return store_bundle_applied(t, k, sha, err);
}

static int t_begin(void *t, struct error *err)
{
	struct store *s = t;

	/* a bundle's pages stay in memory until COMMIT rather than spilling to
	 * the WAL half-way (64 MiB cache) */
	sqlite3_exec(s->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	/* and the WAL is copied back into the database every 64 MiB rather than
	 * every 4 MiB: a page that several bundles change (the upper levels of
	 * every b-tree) is copied once per checkpoint, not once per bundle */
	sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 16384", NULL, NULL, NULL);
	return store_tx_begin(s, err);
}

static int t_commit(void *t, struct error *err)
{
	return store_tx_commit(t, err);
}

static void t_rollback(void *t)
{
	store_tx_abort(t);
}

static int t_put_form(void *t, const char *hash, const char *form_id, const char *version,
		      const char *title, const char *source, size_t len,
		      const struct store_form_file *files, size_t n_files, struct error *err)
{
	return store_form_put_files(t, hash, form_id, version, title, source, len, files, n_files,
				    err);
}

static int t_put_assignments(void *t, const struct store_assignment *a, size_t n,
			     struct error *err)
{
	size_t bad = 0;

	return store_assignments_put(t, a, n, &bad, err);
}

static int t_revisions(void *t, const char *const *uuids, size_t n, int64_t *rev,
		       struct error *err)
{
	struct store *s = t;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		sqlite3_stmt *q = store_stmt(s, ST_IV_REVISION, err);

		if (!q)
			return -STORE_E_INTERNAL;
		store_bind_text(q, 1, uuids[i]);
		rc = sqlite3_step(q);
		rev[i] = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_reset(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_db_fail(s, rc, err);
	}
	return 0;
}

static int t_load(void *t, const char *uuid, struct store_loaded **out, struct error *err)
{
	return store_interview_load(t, uuid, out, err);
}

static int t_put_interview(void *t, const struct store_interview *iv, const struct store_answer *a,
			   size_t n, struct error *err)
{
	static const struct store_answer none[1];

	/* never NULL: an interview whose answers were all cleared must lose
	 * them here too */
	return store_interview_import(t, iv, n ? a : none, n, err);
}

static int t_put_events(void *t, const struct store_event *ev, size_t n,
			size_t counts[MERGE_EVENT_NOUTCOMES], struct error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = store_event_insert(t, &ev[i], err);
		if (rc < 0)
			return rc;
		counts[rc == 2 ? MERGE_EVENT_CLASH : rc ? MERGE_EVENT_NEW : MERGE_EVENT_KNOWN]++;
	}
	return 0;
}

static int t_put_comments(void *t, const struct store_comment *c, size_t n, size_t *added,
			  struct error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = store_comment_insert(t, &c[i], err);
		if (rc < 0)
			return rc;
		*added += (size_t)rc;
	}
	return 0;
}

static int t_record_conflict(void *t, const struct store_interview *iv,
			     const struct store_answer *a, size_t n, const char *hash,
			     struct error *err)
{
	return store_conflict_keep(t, iv, a, n, hash, err);
}

static int t_record_duplicates(void *t, const char *uuid, const char *household_key,
			       size_t *added, struct error *err)
{
	return store_duplicates_flag(t, uuid, household_key, added, err);
}

static int t_record_bundle(void *t, const struct store_bundle_record *r, struct error *err)
{
	return store_bundle_record(t, r, err);
}

static const struct merge_target_ops store_ops = {
	.device_id = t_device_id,
	.form_known = t_form_known,
	.interview_known = t_interview_known,
	.form_source = t_form_source,
	.form_files = t_form_files,
	.bundle_applied = t_bundle_applied,
	.begin = t_begin,
	.commit = t_commit,
	.rollback = t_rollback,
	.put_form = t_put_form,
	.put_assignments = t_put_assignments,
	.revisions = t_revisions,
	.load = t_load,
	.put_interview = t_put_interview,
	.put_events = t_put_events,
	.put_comments = t_put_comments,
	.record_conflict = t_record_conflict,
	.record_duplicates = t_record_duplicates,
	.record_bundle = t_record_bundle,
};

struct merge_target store_merge_target(struct store *s)
{
	struct merge_target m = {&store_ops, s};

	return m;
}
