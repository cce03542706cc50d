/*
 * conflicts — listing and resolving what a merge kept for the team leader:
 * conflicting versions of one interview revision (sync_conflict) and
 * households interviewed under two UUIDs (sync_duplicate). See merge.h.
 *
 * Invariant: resolving never deletes a version; it writes the chosen one as
 * revision current+1 with a `conflict_resolved` event, so it is recorded,
 * wins over every older version in later merges, and can be reversed by
 * choosing again.
 */
#include "ruhu/merge.h"

#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int dberr(struct store *s, struct error *err)
{
	error_set(err, store_path(s), "数据库错误：%s", "database error: %s",
		  sqlite3_errmsg(store_sqlite(s)));
	return -1;
}

static bool have_tables(struct store *s)
{
	sqlite3_stmt *q = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT 1 FROM sqlite_master WHERE name = 'sync_conflict'", -1, &q,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		yes = true;
	sqlite3_finalize(q);
	return yes;
}

void conflicts_free(struct conflict *c, size_t nc, struct duplicate *d, size_t nd)
{
	size_t i, j;

	for (i = 0; i < nc; i++) {
		for (j = 0; j < c[i].n; j++) {
			free(c[i].v[j].content_sha256);
			free(c[i].v[j].device);
			free(c[i].v[j].status);
			free(c[i].v[j].enumerator);
		}
		free(c[i].v);
		free(c[i].uuid);
		free(c[i].household_key);
	}
	free(c);
	for (i = 0; i < nd; i++) {
		free(d[i].household_key);
		free(d[i].uuid_a);
		free(d[i].uuid_b);
		free(d[i].status_a);
		free(d[i].status_b);
	}
	free(d);
}

int conflicts_list(struct store *s, struct conflict **cout, size_t *nc, struct duplicate **dout,
		   size_t *nd, struct error *err)
{
	struct conflict *c = NULL;
	struct duplicate *d = NULL;
	size_t n = 0, cap = 0, m = 0, capd = 0;
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	*cout = NULL;
	*dout = NULL;
	*nc = *nd = 0;
	if (!have_tables(s))
		return 0;
	/* one row per version; the interview's current revision and the hash
	 * of its current content decide `resolved` and `current` */
	if (sqlite3_prepare_v2(
		    store_sqlite(s),
		    "SELECT c.uuid, c.revision, c.content_sha256, c.household_key, c.device, "
		    "c.status, c.enumerator, c.updated, "
		    "(SELECT COUNT(*) FROM sync_conflict_answer a WHERE a.uuid = c.uuid AND "
		    " a.revision = c.revision AND a.content_sha256 = c.content_sha256), "
		    "i.revision FROM sync_conflict c LEFT JOIN interview i ON i.uuid = c.uuid "
		    "ORDER BY c.uuid, c.revision, c.content_sha256",
		    -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *uuid = (const char *)sqlite3_column_text(q, 0);
		int64_t rev = sqlite3_column_int64(q, 1);
		struct conflict *k;
		struct conflict_version *v;

		if (!n || strcmp(c[n - 1].uuid, uuid) || c[n - 1].revision != rev) {
			XGROW(c, cap, n + 1);
			k = &c[n++];
			memset(k, 0, sizeof(*k));
			k->uuid = xstrdup(uuid);
			k->revision = rev;
			k->household_key = col(q, 3);
			k->resolved = sqlite3_column_int64(q, 9) > rev;
		}
		k = &c[n - 1];
		k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
		v = &k->v[k->n++];
		memset(v, 0, sizeof(*v));
		v->content_sha256 = col(q, 2);
		v->device = col(q, 4);
		v->status = col(q, 5);
		v->enumerator = col(q, 6);
		v->updated = sqlite3_column_int64(q, 7);
		v->n_answers = (size_t)sqlite3_column_int64(q, 8);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	q = NULL;
	/* which version the interview row holds: the smallest hash, unless resolved */
	for (size_t i = 0; i < n; i++)
		if (!c[i].resolved)
			c[i].v[0].current = true;
	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT d.household_key, d.uuid_a, d.uuid_b, a.status, b.status "
			       "FROM sync_duplicate d LEFT JOIN interview a ON a.uuid = d.uuid_a "
			       "LEFT JOIN interview b ON b.uuid = d.uuid_b "
			       "ORDER BY d.household_key, d.uuid_a, d.uuid_b",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(d, capd, m + 1);
		d[m].household_key = col(q, 0);
		d[m].uuid_a = col(q, 1);
		d[m].uuid_b = col(q, 2);
		d[m].status_a = col(q, 3);
		d[m].status_b = col(q, 4);
		m++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	ret = 0;
	*cout = c;
	*nc = n;
	*dout = d;
	*nd = m;
	c = NULL;
	d = NULL;
	n = m = 0;
	goto done;
fail:
	dberr(s, err);
done:
	sqlite3_finalize(q);
	conflicts_free(c, n, d, m);
	return ret;
}

int conflict_resolve(struct store *s, const char *uuid, const char *prefix, const char *author,
		     struct error *err)
{
	struct store_interview cur, iv;
	struct store_answer *ans = NULL;
	size_t n = 0, cap = 0, i, len = prefix ? strlen(prefix) : 0;
	sqlite3_stmt *q = NULL;
	char *hash = NULL, *prev = NULL;
	int64_t rev = 0;
	bool tx = false, have_cur = false;
	int rc, ret = -1, matches = 0;

	memset(&iv, 0, sizeof(iv));
	memset(&cur, 0, sizeof(cur));
	if (len < 4) {
		error_set(err, NULL, "版本哈希前缀至少需要 4 位", "give at least 4 digits of the version hash");
		return -1;
	}
	if (!have_tables(s)) {
		error_set(err, uuid, "此访谈没有冲突", "interview has no conflict");
		return -1;
	}
	if (store_tx_begin(s, err) < 0)
		return -1;
	tx = true;
	if (store_interview_get(s, uuid, &cur, err) < 0)
		goto done;
	have_cur = true;
	/* the latest conflicting revision of this interview */
	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT revision, content_sha256 FROM sync_conflict WHERE uuid = ?1 "
			       "AND revision = (SELECT MAX(revision) FROM sync_conflict WHERE uuid = ?1)",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(q, 1);

		rev = sqlite3_column_int64(q, 0);
		if (!strncmp(h, prefix, len)) {
			matches++;
			free(hash);
			hash = xstrdup(h);
		}
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if (!rev) {
		error_set(err, uuid, "此访谈没有冲突", "interview has no conflict");
		goto done;
	}
	if (matches != 1) {
		error_set(err, uuid, matches ? "哈希前缀 '%s' 不唯一" : "没有哈希以 '%s' 开头的版本",
			  matches ? "hash prefix '%s' is ambiguous" : "no version hash starts with '%s'",
			  prefix);
		goto done;
	}
	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT form_hash, household_key, enumerator, device, status, created, "
			       "updated, position, review_comment FROM sync_conflict WHERE uuid = ?1 "
			       "AND revision = ?2 AND content_sha256 = ?3",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, rev);
	sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto fail;
	snprintf(iv.uuid, sizeof(iv.uuid), "%s", uuid);
	iv.form_hash = col(q, 0);
	iv.household_key = col(q, 1);
	iv.enumerator = col(q, 2);
	iv.device = col(q, 3);
	for (i = 0; i < STORE_ISTATUS_COUNT; i++)
		if (!strcmp((const char *)sqlite3_column_text(q, 4),
			    store_istatus_name((enum store_istatus)i)))
			iv.status = (enum store_istatus)i;
	iv.created = sqlite3_column_int64(q, 5);
	iv.updated = sqlite3_column_int64(q, 6);
	iv.position = col(q, 7);
	iv.review_comment = col(q, 8);
	iv.revision = cur.revision + 1;
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT path, value, special FROM sync_conflict_answer WHERE uuid = ?1 "
			       "AND revision = ?2 AND content_sha256 = ?3 ORDER BY path",
			       -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, rev);
	sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *sp = (const char *)sqlite3_column_text(q, 2);

		XGROW(ans, cap, n + 1);
		ans[n].path = col(q, 0);
		ans[n].value = col(q, 1);
		ans[n].special = !sp ? STORE_SPECIAL_NONE
			       : !strcmp(sp, "refused") ? STORE_SPECIAL_REFUSED
						       : STORE_SPECIAL_DONT_KNOW;
		n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if (store_interview_import(s, &iv, ans, n, err) < 0)
		goto done;
	{
		char note[64];

		snprintf(note, sizeof(note), "revision %lld", (long long)rev);
		prev = xstrdup(note);
	}
	if (store_event_log(s, uuid, "conflict_resolved", NULL, prev, hash, author, err) < 0)
		goto done;
	if (store_tx_commit(s, err) < 0) {
		tx = false;
		goto done;
	}
	tx = false;
	ret = 0;
	goto done;
fail:
	dberr(s, err);
done:
	sqlite3_finalize(q);
	if (tx)
		store_tx_rollback(s, NULL);
	for (i = 0; i < n; i++) {
		free(ans[i].path);
		free(ans[i].value);
	}
	free(ans);
	free(hash);
	free(prev);
	store_interview_release(&iv);
	if (have_cur)
		store_interview_release(&cur);
	return ret;
}
