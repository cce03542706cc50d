/*
 * store_ledger — the merge bookkeeping of sync/ as store functions: which
 * bundles were applied (sync_bundle), the export sequence (sync_export),
 * conflicting versions (sync_conflict, sync_conflict_answer) and duplicate
 * households (sync_duplicate). The tables are migration step 3
 * (store_schema.c) and documented in docs/bundle.md; the rules that decide
 * what goes into them are sync/'s (include/ruhu/merge.h).
 *
 * Invariants: nothing here deletes a row. A kept conflict version is
 * written once with all its answers (its row is inserted first; when it was
 * there, the answers are too: both go in one transaction). Errors are the
 * store's (db_fail), so a locked database reads the same here as anywhere.
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_name(enum store_bundle_kind k)
{
	return k == STORE_BUNDLE_RETURN ? "return" : "device";
}

/* ---- applied bundles ----------------------------------------------------------- */

int store_bundle_applied(struct store *s, const struct store_bundle_key *k,
			 char **content_sha256, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_BUNDLE_GET, err);
	int rc, ret;

	if (content_sha256)
		*content_sha256 = NULL;
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, k->device);
	store_bind_text(q, 2, kind_name(k->kind));
	store_bind_text(q, 3, k->for_device ? k->for_device : "");
	sqlite3_bind_int64(q, 4, k->sequence);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (content_sha256)
			*content_sha256 = store_col_dup(q, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		ret = store_db_fail(s, rc, err);
	}
	sqlite3_reset(q);
	return ret;
}

int store_bundle_record(struct store *s, const struct store_bundle_record *r,
			struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_BUNDLE_ADD, err);

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, r->key.device);
	store_bind_text(q, 2, kind_name(r->key.kind));
	store_bind_text(q, 3, r->key.for_device ? r->key.for_device : "");
	sqlite3_bind_int64(q, 4, r->key.sequence);
	store_bind_text(q, 5, r->content_sha256);
	store_bind_text(q, 6, r->created);
	store_bind_text(q, 7, r->file);
	sqlite3_bind_int64(q, 8, (int64_t)r->iv_new);
	sqlite3_bind_int64(q, 9, (int64_t)r->iv_updated);
	sqlite3_bind_int64(q, 10, (int64_t)r->iv_unchanged);
	sqlite3_bind_int64(q, 11, (int64_t)r->conflicts);
	sqlite3_bind_int64(q, 12, (int64_t)r->duplicates);
	return store_stmt_done(s, q, err);
}

/* ---- exports -------------------------------------------------------------------- */

int store_export_last(struct store *s, const char *kind, const char *target, int64_t *seq,
		      int64_t *change, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	*seq = *change = 0;
	ret = store_prepare(s,
		      "SELECT (SELECT MAX(sequence) FROM sync_export WHERE kind = ?1 AND "
		      "target = ?2), (SELECT change_seq FROM sync_export WHERE kind = ?1 "
		      "AND target = ?2 AND state = 'done' ORDER BY sequence DESC LIMIT 1)",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, kind);
	store_bind_text(q, 2, target);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(q, 0);
		*change = sqlite3_column_int64(q, 1);
	} else if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
	}
	sqlite3_finalize(q);
	return ret;
}

int store_export_since(struct store *s, const char *kind, const char *target, int64_t seq,
		       int64_t *since, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	*since = 0;
	ret = store_prepare(s,
		      "SELECT EXISTS (SELECT 1 FROM sync_export WHERE kind = ?1 AND target = ?2"
		      " AND sequence = ?3 AND state = 'done'),"
		      " (SELECT change_seq FROM sync_export WHERE kind = ?1 AND target = ?2"
		      " AND state = 'done' AND sequence < ?3 ORDER BY sequence DESC LIMIT 1)",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, kind);
	store_bind_text(q, 2, target);
	sqlite3_bind_int64(q, 3, seq);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
	} else if (!sqlite3_column_int(q, 0)) {
		ret = store_fail(s, err, STORE_E_NOTFOUND, "没有已完成的第 %lld 号导出",
				 "no completed export %lld", (long long)seq);
	} else {
		*since = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return ret;
}

static int export_write(struct store *s, bool done, const char *kind, const char *target,
			int64_t seq, int64_t change, const char *file, size_t interviews,
			struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_prepare(s,
		      done ? "UPDATE sync_export SET state = 'done' WHERE kind = ?1 AND "
			     "target = ?2 AND sequence = ?3"
			   : "INSERT INTO sync_export (kind, target, sequence, change_seq, "
			     "file, created, interviews, state) VALUES (?1, ?2, ?3, ?4, ?5, "
			     "CAST(strftime('%s','now') AS INTEGER) * 1000, ?6, 'pending')",
		      &q, err);
	if (ret < 0)
		goto fail;
	store_bind_text(q, 1, kind);
	store_bind_text(q, 2, target);
	sqlite3_bind_int64(q, 3, seq);
	if (!done) {
		sqlite3_bind_int64(q, 4, change);
		store_bind_text(q, 5, file);
		sqlite3_bind_int64(q, 6, (int64_t)interviews);
	}
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}

int store_export_reserve(struct store *s, const char *kind, const char *target, int64_t seq,
			 int64_t change, const char *file, size_t interviews, struct error *err)
{
	return export_write(s, false, kind, target, seq, change, file, interviews, err);
}

int store_export_done(struct store *s, const char *kind, const char *target, int64_t seq,
		      struct error *err)
{
	return export_write(s, true, kind, target, seq, 0, NULL, 0, err);
}

/* ---- conflicts and duplicates ------------------------------------------------------ */

int store_conflict_keep(struct store *s, const struct store_interview *iv,
			const struct store_answer *a, size_t n, const char *hash,
			struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_CONFLICT_ADD, err);
	size_t i;
	int ret;

	if (!q)
		return -STORE_E_INTERNAL;
	store_iv_bind(q, iv);
	store_bind_text(q, 13, hash);
	ret = store_stmt_done(s, q, err);
	if (ret < 0)
		return ret;
	if (sqlite3_changes(s->db) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		q = store_stmt(s, ST_CONFLICT_ANSWER_ADD, err);
		if (!q)
			return -STORE_E_INTERNAL;
		store_bind_text(q, 1, iv->uuid);
		sqlite3_bind_int64(q, 2, iv->revision);
		store_bind_text(q, 3, hash);
		store_bind_text(q, 4, a[i].path);
		store_bind_text(q, 5, a[i].value);
		store_bind_text(q, 6, store_special_name(a[i].special));
		ret = store_stmt_done(s, q, err);
		if (ret < 0)
			return ret;
	}
	return 1;
}

int store_duplicates_flag(struct store *s, const char *uuid, const char *household_key,
			  size_t *added, struct error *err)
{
	sqlite3_stmt *q, *ins;
	int rc, ret;

	if (!household_key)
		return 0;
	q = store_stmt(s, ST_DUP_OTHERS, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, household_key);
	store_bind_text(q, 2, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ins = store_stmt(s, ST_DUP_ADD, err);
		if (!ins) {
			sqlite3_reset(q);
			return -STORE_E_INTERNAL;
		}
		store_bind_text(ins, 1, household_key);
		store_bind_text(ins, 2, uuid);
		store_bind_text(ins, 3, (const char *)sqlite3_column_text(q, 0));
		ret = store_stmt_done(s, ins, err);
		if (ret < 0) {
			sqlite3_reset(q);
			return ret;
		}
		*added += (size_t)sqlite3_changes(s->db);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

int store_conflicts_each(struct store *s, store_conflict_cb cb, void *ctx, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	/* one row per version; the interview's current revision tells the
	 * caller whether the conflict was resolved */
	ret = store_prepare(s,
		      "SELECT c.uuid, c.revision, c.content_sha256, c.household_key, c.device, "
		      "c.status, c.enumerator, c.updated, "
		      "(SELECT COUNT(*) FROM sync_conflict_answer a WHERE a.uuid = c.uuid AND "
		      " a.revision = c.revision AND a.content_sha256 = c.content_sha256), "
		      "i.revision FROM sync_conflict c LEFT JOIN interview i ON i.uuid = c.uuid "
		      "ORDER BY c.uuid, c.revision, c.content_sha256",
		      &q, err);
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_conflict_row r;

		r.uuid = (const char *)sqlite3_column_text(q, 0);
		r.revision = sqlite3_column_int64(q, 1);
		r.content_sha256 = (const char *)sqlite3_column_text(q, 2);
		r.household_key = (const char *)sqlite3_column_text(q, 3);
		r.device = (const char *)sqlite3_column_text(q, 4);
		r.status = (const char *)sqlite3_column_text(q, 5);
		r.enumerator = (const char *)sqlite3_column_text(q, 6);
		r.updated = sqlite3_column_int64(q, 7);
		r.n_answers = (size_t)sqlite3_column_int64(q, 8);
		r.current_revision = sqlite3_column_int64(q, 9);
		ret = cb(ctx, &r);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_duplicates_each(struct store *s, store_duplicate_cb cb, void *ctx, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT d.household_key, d.uuid_a, d.uuid_b, a.status, b.status "
		      "FROM sync_duplicate d LEFT JOIN interview a ON a.uuid = d.uuid_a "
		      "LEFT JOIN interview b ON b.uuid = d.uuid_b "
		      "ORDER BY d.household_key, d.uuid_a, d.uuid_b",
		      &q, err);
	if (ret < 0)
		return ret;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_duplicate_row r;

		r.household_key = (const char *)sqlite3_column_text(q, 0);
		r.uuid_a = (const char *)sqlite3_column_text(q, 1);
		r.uuid_b = (const char *)sqlite3_column_text(q, 2);
		r.status_a = (const char *)sqlite3_column_text(q, 3);
		r.status_b = (const char *)sqlite3_column_text(q, 4);
		ret = cb(ctx, &r);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_conflict_latest(struct store *s, const char *uuid, int64_t *rev, char ***hashes,
			  size_t *n, struct error *err)
{
	sqlite3_stmt *q = NULL;
	char **h = NULL;
	size_t cap = 0, k = 0, i;
	int rc, ret;

	*rev = 0;
	*hashes = NULL;
	*n = 0;
	ret = store_prepare(s,
		      "SELECT revision, content_sha256 FROM sync_conflict WHERE uuid = ?1 "
		      "AND revision = (SELECT MAX(revision) FROM sync_conflict WHERE uuid = ?1) "
		      "ORDER BY content_sha256",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*rev = sqlite3_column_int64(q, 0);
		XGROW(h, cap, k + 1);
		h[k++] = store_col_dup(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		for (i = 0; i < k; i++)
			free(h[i]);
		free(h);
		*rev = 0;
		return store_db_fail(s, rc, err);
	}
	*hashes = h;
	*n = k;
	return 0;
}

int store_conflict_version(struct store *s, const char *uuid, int64_t rev, const char *hash,
			   struct store_loaded **out, struct error *err)
{
	struct store_loaded *l = xcalloc(1, sizeof(*l));
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	int rc, ret, st;

	*out = NULL;
	ret = store_prepare(s,
		      "SELECT form_hash, household_key, enumerator, device, status, created, "
		      "updated, position, review_comment FROM sync_conflict WHERE uuid = ?1 "
		      "AND revision = ?2 AND content_sha256 = ?3",
		      &q, err);
	if (ret < 0)
		goto fail;
	store_bind_text(q, 1, uuid);
	sqlite3_bind_int64(q, 2, rev);
	store_bind_text(q, 3, hash);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		ret = store_fail(s, err, STORE_E_NOTFOUND, "访问 '%s' 没有冲突版本 %s",
				 "interview '%s' has no conflicting version %s", uuid, hash);
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	st = store_istatus_parse((const char *)sqlite3_column_text(q, 4));
	if (strlen(uuid) > STORE_ID_LEN || st < 0) {
		ret = store_fail(s, err, STORE_E_CORRUPT, "访问 '%s' 的冲突版本已损坏",
				 "conflicting version of interview '%s' is damaged", uuid);
		goto fail;
	}
	memcpy(l->iv.uuid, uuid, strlen(uuid) + 1);
	l->iv.form_hash = store_col_dup(q, 0);
	l->iv.household_key = store_col_dup(q, 1);
	l->iv.enumerator = store_col_dup(q, 2);
	l->iv.device = store_col_dup(q, 3);
	l->iv.status = (enum store_istatus)st;
	l->iv.created = sqlite3_column_int64(q, 5);
	l->iv.updated = sqlite3_column_int64(q, 6);
	l->iv.position = store_col_dup(q, 7);
	l->iv.review_comment = store_col_dup(q, 8);
	l->iv.revision = rev;
	sqlite3_finalize(q);
	q = NULL;
	ret = store_prepare(s,
		      "SELECT path, value, special FROM sync_conflict_answer WHERE uuid = ?1 "
		      "AND revision = ?2 AND content_sha256 = ?3 ORDER BY path",
		      &q, err);
	if (ret < 0)
		goto fail;
	store_bind_text(q, 1, uuid);
	sqlite3_bind_int64(q, 2, rev);
	store_bind_text(q, 3, hash);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_answer *a;
		int sp = store_special_stored((const char *)sqlite3_column_text(q, 2));

		XGROW(l->answers, cap, l->n_answers + 1);
		a = &l->answers[l->n_answers++];
		a->path = store_col_dup(q, 0);
		a->value = store_col_dup(q, 1);
		a->special = sp < 0 ? STORE_SPECIAL_DONT_KNOW : (enum store_special)sp;
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	sqlite3_finalize(q);
	*out = l;
	return 0;
fail:
	sqlite3_finalize(q);
	store_loaded_free(l);
	return ret;
}
