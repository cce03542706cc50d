/*
 * audit_backcheck — the back-check draw: which households a back-check team
 * re-interviews. Stratified by enumerator (every enumerator is checked,
 * each in proportion), reproducible for a seed (splitmix64 over interviews
 * in uuid order: the same database and seed give the same draw on any
 * machine), at least a minimum per enumerator.
 *
 * Reads only interview rows and assignments (no answers): cheap on a big
 * team database.
 */
#include "audit_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cand {
	char *uuid, *key, *enumerator;
	int64_t updated;
};

struct collect {
	struct cand *v;
	size_t n, cap, skipped;
};

static int on_iv(void *ctx, const struct store_interview *iv)
{
	struct collect *c = ctx;

	if (iv->status != STORE_COMPLETED && iv->status != STORE_APPROVED)
		return 0;
	if (!iv->household_key || !*iv->household_key) {
		c->skipped++;
		return 0;
	}
	XGROW(c->v, c->cap, c->n + 1);
	c->v[c->n].uuid = xstrdup(iv->uuid);
	c->v[c->n].key = xstrdup(iv->household_key);
	c->v[c->n].enumerator = xstrdup(iv->enumerator ? iv->enumerator : "");
	c->v[c->n].updated = iv->updated;
	c->n++;
	return 0;
}

/* household key, then newest first, then uuid: the first of a key stands */
static int cmp_key(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

/* enumerator, then uuid: the order the draw walks */
static int cmp_enum(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->enumerator, y->enumerator);

	return c ? c : strcmp(x->uuid, y->uuid);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n) without modulo bias */
static size_t below(uint64_t *s, size_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = splitmix64(s);
	while (x >= lim);
	return (size_t)(x % n);
}

static void free_cand(struct cand *c)
{
	free(c->uuid);
	free(c->key);
	free(c->enumerator);
}

static int cmp_row(const void *a, const void *b)
{
	const struct audit_backcheck_row *x = a, *y = b;
	int c = strcmp(x->enumerator, y->enumerator);

	return c ? c : strcmp(x->household_key, y->household_key);
}

int audit_backcheck_draw(struct store *s, const struct audit_backcheck_opts *o,
			 struct audit_backcheck *out, struct error *err)
{
	struct collect c = {NULL, 0, 0, 0};
	uint64_t state = o->seed;
	size_t i, j, k, m = 0, cap = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!(o->rate > 0 && o->rate <= 1)) {
		error_set(err, NULL, "抽样比例 %g 应大于 0 且不超过 100%%",
			  "rate %g must be above 0 and at most 100%%", o->rate);
		return -1;
	}
	ret = store_interviews_changed_since(s, 0, on_iv, &c, err);
	if (ret < 0)
		goto done;
	/* one interview per household: the latest */
	audit_qsort(c.v, c.n, sizeof(*c.v), cmp_key);
	for (i = 0; i < c.n; i++) {
		if (m && !strcmp(c.v[m - 1].key, c.v[i].key)) {
			free_cand(&c.v[i]);
			continue;
		}
		c.v[m++] = c.v[i];
	}
	c.n = m;
	out->eligible = c.n;
	out->skipped = c.skipped;
	audit_qsort(c.v, c.n, sizeof(*c.v), cmp_enum);
	for (i = 0; i < c.n; i = j) {
		size_t n, want;

		for (j = i; j < c.n && !strcmp(c.v[j].enumerator, c.v[i].enumerator); j++)
			;
		n = j - i;
		want = (size_t)ceil(o->rate * (double)n - 1e-9);
		if (want < o->min_per_enumerator)
			want = o->min_per_enumerator;
		if (want > n)
			want = n;
		/* a partial Fisher-Yates shuffle of the stratum: its first `want` */
		for (k = 0; k < want; k++) {
			size_t r = k + below(&state, n - k);
			struct cand t = c.v[i + k];
			struct store_assignment_row *a = NULL;
			struct audit_backcheck_row *row;
			struct error e2 = ERROR_INIT;

			c.v[i + k] = c.v[i + r];
			c.v[i + r] = t;
			XGROW(out->rows, cap, out->n + 1);
			row = &out->rows[out->n++];
			memset(row, 0, sizeof(*row));
			row->household_key = xstrdup(c.v[i + k].key);
			row->interview = xstrdup(c.v[i + k].uuid);
			row->enumerator = xstrdup(c.v[i + k].enumerator);
			/* a key not in the sample keeps its key and nothing else */
			if (store_assignment_get(s, c.v[i + k].key, &a, &e2) == 0) {
				row->county = xstrdup(a->county ? a->county : "");
				row->township = xstrdup(a->township ? a->township : "");
				row->village = xstrdup(a->village ? a->village : "");
				row->household_type = xstrdup(a->household_type ? a->household_type : "");
				row->head_name = xstrdup(a->head_name ? a->head_name : "");
				store_assignment_rows_free(a, 1);
			} else if (e2.code != STORE_E_NOTFOUND) {
				error_move(err, &e2);
				ret = -1;
				goto done;
			} else {
				row->county = xstrdup("");
				row->township = xstrdup("");
				row->village = xstrdup("");
				row->household_type = xstrdup("");
				row->head_name = xstrdup("");
			}
			error_clear(&e2);
		}
	}
	audit_qsort(out->rows, out->n, sizeof(*out->rows), cmp_row);
	ret = 0;
done:
	for (i = 0; i < c.n; i++)
		free_cand(&c.v[i]);
	free(c.v);
	if (ret < 0)
		audit_backcheck_release(out);
	return ret < 0 ? -1 : 0;
}

void audit_backcheck_release(struct audit_backcheck *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		struct audit_backcheck_row *r = &b->rows[i];

		free(r->household_key);
		free(r->county);
		free(r->township);
		free(r->village);
		free(r->household_type);
		free(r->head_name);
		free(r->interview);
		free(r->enumerator);
	}
	free(b->rows);
	memset(b, 0, sizeof(*b));
}
