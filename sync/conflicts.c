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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup0(const char *v)
{
	return v ? xstrdup(v) : NULL;
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

struct lctx {
	struct conflict *c;
	size_t n, cap;
	struct duplicate *d;
	size_t m, capd;
};

static int on_version(void *ctx, const struct store_conflict_row *r)
{
	struct lctx *l = ctx;
	struct conflict *k;
	struct conflict_version *v;

	if (!l->n || strcmp(l->c[l->n - 1].uuid, r->uuid) || l->c[l->n - 1].revision != r->revision) {
		XGROW(l->c, l->cap, l->n + 1);
		k = &l->c[l->n++];
		memset(k, 0, sizeof(*k));
		k->uuid = xstrdup(r->uuid);
		k->revision = r->revision;
		k->household_key = dup0(r->household_key);
		k->resolved = r->current_revision > r->revision;
	}
	k = &l->c[l->n - 1];
	k->v = xrealloc(k->v, (k->n + 1) * sizeof(*k->v));
	v = &k->v[k->n++];
	memset(v, 0, sizeof(*v));
	v->content_sha256 = dup0(r->content_sha256);
	v->device = dup0(r->device);
	v->status = dup0(r->status);
	v->enumerator = dup0(r->enumerator);
	v->updated = r->updated;
	v->n_answers = r->n_answers;
	return 0;
}

static int on_duplicate(void *ctx, const struct store_duplicate_row *r)
{
	struct lctx *l = ctx;
	struct duplicate *d;

	XGROW(l->d, l->capd, l->m + 1);
	d = &l->d[l->m++];
	d->household_key = dup0(r->household_key);
	d->uuid_a = dup0(r->uuid_a);
	d->uuid_b = dup0(r->uuid_b);
	d->status_a = dup0(r->status_a);
	d->status_b = dup0(r->status_b);
	return 0;
}

int conflicts_list(struct store *s, struct conflict **cout, size_t *nc, struct duplicate **dout,
		   size_t *nd, struct error *err)
{
	struct lctx l;
	size_t i;

	memset(&l, 0, sizeof(l));
	*cout = NULL;
	*dout = NULL;
	*nc = *nd = 0;
	if (store_conflicts_each(s, on_version, &l, err) < 0 ||
	    store_duplicates_each(s, on_duplicate, &l, err) < 0) {
		conflicts_free(l.c, l.n, l.d, l.m);
		return -1;
	}
	/* which version the interview row holds: the smallest hash, unless resolved */
	for (i = 0; i < l.n; i++)
		if (!l.c[i].resolved)
			l.c[i].v[0].current = true;
	*cout = l.c;
	*nc = l.n;
	*dout = l.d;
	*nd = l.m;
	return 0;
}

int conflict_resolve(struct store *s, const char *uuid, const char *prefix, const char *author,
		     struct error *err)
{
	struct store_interview cur;
	struct store_loaded *v = NULL;
	size_t len = prefix ? strlen(prefix) : 0, n = 0, i;
	char **hashes = NULL, note[64];
	const char *hash = NULL;
	int64_t rev = 0;
	bool tx = false, have_cur = false;
	int ret = -1, matches = 0;

	memset(&cur, 0, sizeof(cur));
	if (len < 4) {
		error_set(err, NULL, "版本哈希前缀至少需要 4 位", "give at least 4 digits of the version hash");
		return -1;
	}
	if (store_tx_begin(s, err) < 0)
		return -1;
	tx = true;
	if (store_interview_get(s, uuid, &cur, err) < 0)
		goto done;
	have_cur = true;
	if (store_conflict_latest(s, uuid, &rev, &hashes, &n, err) < 0)
		goto done;
	if (!rev) {
		error_set(err, uuid, "此访谈没有冲突", "interview has no conflict");
		goto done;
	}
	for (i = 0; i < n; i++)
		if (!strncmp(hashes[i], prefix, len)) {
			matches++;
			hash = hashes[i];
		}
	if (matches != 1) {
		error_set(err, uuid, matches ? "哈希前缀 '%s' 不唯一" : "没有哈希以 '%s' 开头的版本",
			  matches ? "hash prefix '%s' is ambiguous" : "no version hash starts with '%s'",
			  prefix);
		goto done;
	}
	if (store_conflict_version(s, uuid, rev, hash, &v, err) < 0)
		goto done;
	/* revision current + 1: wins over every version in later merges */
	v->iv.revision = cur.revision + 1;
	if (store_interview_import(s, &v->iv, v->answers, v->n_answers, err) < 0)
		goto done;
	snprintf(note, sizeof(note), "revision %lld", (long long)rev);
	if (store_event_log(s, uuid, "conflict_resolved", NULL, note, hash, author, err) < 0)
		goto done;
	tx = false;
	if (store_tx_commit(s, err) < 0)
		goto done;
	ret = 0;
done:
	if (tx)
		store_tx_rollback(s, NULL);
	for (i = 0; i < n; i++)
		free(hashes[i]);
	free(hashes);
	store_loaded_free(v);
	if (have_cur)
		store_interview_release(&cur);
	return ret;
}
