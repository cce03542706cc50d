/*
 * audit_bccompare — `ruhu backcheck compare`: each back-check interview
 * against the original interview of its household, field by field as the
 * rules file's backcheck sheet lists them (typed as IPA's bcstats: 1 should
 * never change, 2 checks the enumerator, 3 may change), with discrepancy
 * rates per enumerator, field and type.
 *
 * Values are the stored answers (what was asked and entered), not
 * calculations: the back-check form asks the same questions under the same
 * names. An original is the latest completed, approved or rejected
 * interview of the household in the original form; a back-check the latest
 * in the back-check form.
 */
#include "audit_impl.h"

#include "ruhu/expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct side {
	char *key, *uuid, *who;
	int64_t updated;
	char **v; /* per backcheck field */
};

struct collect {
	const struct audit_rules *r;
	struct store_form_info *fi;
	size_t n_fi;
	struct side *orig, *bc;
	size_t n_orig, cap_orig, n_bc, cap_bc;
};

static const char *form_of(const struct collect *c, const char *hash)
{
	size_t i;

	for (i = 0; i < c->n_fi; i++)
		if (!strcmp(c->fi[i].hash, hash))
			return c->fi[i].form_id;
	return "";
}

static const char *answer(const struct store_record *rec, const char *path)
{
	size_t i;

	for (i = 0; i < rec->n_answers; i++)
		if (!strcmp(rec->answers[i].path, path)) {
			const struct store_answer *a = &rec->answers[i];

			if (a->special == STORE_SPECIAL_DONT_KNOW)
				return ".d";
			if (a->special == STORE_SPECIAL_REFUSED)
				return ".r";
			return a->value ? a->value : "";
		}
	return "";
}

static int on_record(void *ctx, const struct store_record *rec)
{
	struct collect *c = ctx;
	const char *form = form_of(c, rec->iv.form_hash), *who;
	struct side *s;
	size_t k;

	if (!rec->iv.household_key)
		return 0;
	if (!strcmp(form, c->r->bc_form)) {
		XGROW(c->orig, c->cap_orig, c->n_orig + 1);
		s = &c->orig[c->n_orig++];
	} else if (!strcmp(form, c->r->bc_backcheck_form)) {
		XGROW(c->bc, c->cap_bc, c->n_bc + 1);
		s = &c->bc[c->n_bc++];
	} else {
		return 0;
	}
	who = rec->iv.enumerator && *rec->iv.enumerator ? rec->iv.enumerator
							: answer(rec, "enumerator");
	s->key = xstrdup(rec->iv.household_key);
	s->uuid = xstrdup(rec->iv.uuid);
	s->who = xstrdup(*who ? who : "-");
	s->updated = rec->iv.updated;
	s->v = xcalloc(c->r->n_bc + 1, sizeof(char *));
	for (k = 0; k < c->r->n_bc; k++)
		s->v[k] = xstrdup(answer(rec, c->r->bc[k].field));
	return 0;
}

/* key, then newest first */
static int cmp_side(const void *a, const void *b)
{
	const struct side *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return strcmp(x->uuid, y->uuid);
}

static void free_side(struct side *s, size_t n_fields)
{
	size_t k;

	free(s->key);
	free(s->uuid);
	free(s->who);
	for (k = 0; k < n_fields; k++)
		free(s->v[k]);
	free(s->v);
}

/* Keeps the first (newest) side of each key. */
static size_t newest(struct side *v, size_t n, size_t n_fields)
{
	size_t i, m = 0;

	audit_qsort(v, n, sizeof(*v), cmp_side);
	for (i = 0; i < n; i++) {
		if (m && !strcmp(v[m - 1].key, v[i].key)) {
			free_side(&v[i], n_fields);
			continue;
		}
		v[m++] = v[i];
	}
	return m;
}

static int cmp_tok(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Space-separated answers as a sorted set ("b a" and "a b" agree). */
static char *as_set(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(s), *p, *save = NULL, **tok = NULL;
	size_t n = 0, cap = 0, i;

	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		XGROW(tok, cap, n + 1);
		tok[n++] = p;
	}
	audit_qsort(tok, n, sizeof(*tok), cmp_tok);
	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", tok[i]);
	free(tok);
	free(copy);
	return strbuf_detach(&sb, NULL);
}

static bool differ(const char *a, const char *b, double tol)
{
	double x, y;
	char *sa, *sb;
	bool d;

	if (!isnan(tol)) {
		x = expr_parse_number(a);
		y = expr_parse_number(b);
		if (!isnan(x) && !isnan(y))
			return fabs(x - y) > tol + 1e-9;
	}
	sa = as_set(a);
	sb = as_set(b);
	d = strcmp(sa, sb) != 0;
	free(sa);
	free(sb);
	return d;
}

static struct audit_bc_rate *rate_row(struct audit_bc_rate **v, size_t *n, size_t *cap,
				      const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return &(*v)[i];
	XGROW(*v, *cap, *n + 1);
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	return &(*v)[(*n)++];
}

static int cmp_rate(const void *a, const void *b)
{
	return strcmp(((const struct audit_bc_rate *)a)->name,
		      ((const struct audit_bc_rate *)b)->name);
}

int audit_backcheck_compare(struct store *s, const struct audit_rules *r,
			    struct audit_bc_report *out, struct diag_list *dl)
{
	struct store_record_filter f = {NULL, NULL, 0};
	struct collect c;
	struct error err = ERROR_INIT;
	size_t i, j, k, cap_p = 0, cap_e = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.r = r;
	if (!r->n_bc) {
		diag_add(dl, DIAG_ERROR, r->file, "规则文件没有 backcheck 表（要比对的字段）",
			 "the rules file has no backcheck sheet (the fields to compare)");
		return -1;
	}
	if (store_form_list(s, &c.fi, &c.n_fi, &err) < 0)
		goto fail;
	f.statuses = STORE_STATUS_BIT(STORE_COMPLETED) | STORE_STATUS_BIT(STORE_APPROVED) |
		     STORE_STATUS_BIT(STORE_REJECTED);
	if (store_records_each(s, &f, on_record, &c, &err) < 0)
		goto fail;
	c.n_orig = newest(c.orig, c.n_orig, r->n_bc);
	c.n_bc = newest(c.bc, c.n_bc, r->n_bc);
	out->max_rate = r->bc_max_rate;
	out->n_fields = r->n_bc;
	out->by_field = xcalloc(r->n_bc + 1, sizeof(*out->by_field));
	for (k = 0; k < r->n_bc; k++)
		out->by_field[k].name = xstrdup(r->bc[k].field);
	for (k = 0; k < 3; k++)
		out->by_type[k].name = xstrdup(k == 0 ? "1" : k == 1 ? "2" : "3");
	for (i = 0, j = 0; i < c.n_bc; i++) {
		const struct side *b = &c.bc[i], *o;
		int cmp = 1;

		while (j < c.n_orig && (cmp = strcmp(c.orig[j].key, b->key)) < 0)
			j++;
		if (j == c.n_orig || cmp) {
			out->unmatched++;
			continue;
		}
		o = &c.orig[j];
		out->matched++;
		for (k = 0; k < r->n_bc; k++) {
			struct audit_bc_pair *p;
			int t = r->bc[k].type;

			if (!*o->v[k] && !*b->v[k])
				continue;
			XGROW(out->pairs, cap_p, out->n_pairs + 1);
			p = &out->pairs[out->n_pairs++];
			p->household_key = xstrdup(b->key);
			p->original = xstrdup(o->uuid);
			p->backcheck = xstrdup(b->uuid);
			p->enumerator = xstrdup(o->who);
			p->checker = xstrdup(b->who);
			p->field = xstrdup(r->bc[k].field);
			p->type = t;
			p->a = xstrdup(o->v[k]);
			p->b = xstrdup(b->v[k]);
			p->differs = differ(o->v[k], b->v[k], r->bc[k].tol);
			out->by_field[k].compared++;
			out->by_field[k].differ += p->differs;
			out->by_type[t - 1].compared++;
			out->by_type[t - 1].differ += p->differs;
			if (t <= 2) {
				struct audit_bc_rate *e = rate_row(&out->by_enumerator,
								   &out->n_enumerators, &cap_e,
								   o->who);

				e->compared++;
				e->differ += p->differs;
			}
		}
	}
	audit_qsort(out->by_enumerator, out->n_enumerators, sizeof(*out->by_enumerator), cmp_rate);
	for (i = 0; i < out->n_enumerators; i++) {
		struct audit_bc_rate *e = &out->by_enumerator[i];

		e->flagged = e->compared &&
			     (double)e->differ / (double)e->compared > r->bc_max_rate + 1e-12;
	}
	if (!out->matched) {
		diag_add(dl, DIAG_ERROR, store_path(s),
			 "没有与已合并原访谈对应的回访访谈（问卷 '%s' 对 '%s'）",
			 "no back-check interview has a merged original (form '%s' against '%s')",
			 r->bc_backcheck_form, r->bc_form);
		goto done;
	}
	ret = 0;
	goto done;
fail:
	diag_add_error(dl, DIAG_ERROR, &err);
done:
	if (ret < 0)
		audit_bc_report_release(out);
	for (i = 0; i < c.n_orig; i++)
		free_side(&c.orig[i], r->n_bc);
	for (i = 0; i < c.n_bc; i++)
		free_side(&c.bc[i], r->n_bc);
	free(c.orig);
	free(c.bc);
	store_form_info_free(c.fi, c.n_fi);
	error_clear(&err);
	return ret;
}

void audit_bc_report_release(struct audit_bc_report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->n_pairs; i++) {
		struct audit_bc_pair *p = &rep->pairs[i];

		free(p->household_key);
		free(p->original);
		free(p->backcheck);
		free(p->enumerator);
		free(p->checker);
		free(p->field);
		free(p->a);
		free(p->b);
	}
	free(rep->pairs);
	for (i = 0; i < rep->n_enumerators; i++)
		free(rep->by_enumerator[i].name);
	free(rep->by_enumerator);
	for (i = 0; i < rep->n_fields; i++)
		free(rep->by_field[i].name);
	free(rep->by_field);
	for (i = 0; i < 3; i++)
		free(rep->by_type[i].name);
	memset(rep, 0, sizeof(*rep));
}
