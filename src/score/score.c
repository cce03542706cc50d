/*
 * score — units scored under a profile (see ruhu/score.h).
 *
 * Three steps: (1) the sample and the stored forms of the profile's form_id
 * are read and every household name of the profile is bound (an unknown name
 * stops everything before any result); (2) one pass over the interviews
 * replays each through the form engine and reduces it to a household row (per
 * indicator: in the population, a problem, a value); (3) rows are
 * deduplicated by household, grouped by unit and aggregated.
 *
 * Invariants: policy numbers come only from the profile; rates and points are
 * compared unrounded; a unit's row exists only when it has households.
 */
#include "ruhu/score.h"
#include "score_internal.h"

#include "ruhu/csvread.h"
#include "ruhu/expr.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/profile.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statistics and points (pure) --------------------------------------- */

void score_wilson(double x, double n, double z, double *lo, double *hi)
{
	double p, z2, den, center, half;

	if (!(n > 0)) {
		*lo = *hi = NAN;
		return;
	}
	p = x / n;
	z2 = z * z;
	den = 1 + z2 / n;
	center = (p + z2 / (2 * n)) / den;
	half = z / den * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	*lo = center - half < 0 ? 0 : center - half;
	*hi = center + half > 1 ? 1 : center + half;
	if (x <= 0)
		*lo = 0;
	if (x >= n)
		*hi = 1;
}

/* Tolerance for "at or beyond" on computed rates: 0.3 - 0.1 is not 0.2. */
#define EPS 1e-9

double score_points(const struct profile *p, size_t indicator, double value, bool *outside)
{
	const struct profile_indicator *ind = profile_indicator(p, indicator);
	double f, steps;
	size_t i;

	if (outside)
		*outside = false;
	if (ind->rule == PROFILE_RULE_REPORT)
		return NAN;
	if (isnan(value))
		return ind->points; /* an empty population keeps full points */
	switch (ind->rule) {
	case PROFILE_RULE_LINEAR:
		f = 1 - (value - ind->full_at) / (ind->zero_at - ind->full_at);
		if (f > 1 - EPS)
			f = 1;
		if (f < EPS)
			f = 0;
		return ind->points * f;
	case PROFILE_RULE_STEP:
		if (value <= ind->full_at + EPS)
			return ind->points;
		steps = floor((value - ind->full_at) / ind->step + EPS);
		f = ind->points - steps * ind->deduct;
		return f < 0 ? 0 : f;
	case PROFILE_RULE_BANDS:
		for (i = 0; i < ind->n_bands; i++)
			if (value >= ind->bands[i].from - EPS && value < ind->bands[i].to - EPS)
				return ind->bands[i].points;
		if (outside)
			*outside = true;
		return 0;
	default:
		return NAN;
	}
}

/* ---- the sample --------------------------------------------------------- */

static const char *const std_cols[] = {"household_key", "county", "township", "village",
				       "household_type", "head_name", "enumerator", "device"};
#define N_STD 8

struct hh_sample {
	struct store_assignment_row *row; /* points into the list */
	struct store_field *pre;
	size_t n_pre;
};

static const char *std_value(const struct store_assignment_row *r, size_t k)
{
	const char *v[N_STD] = {r->household_key, r->county,	 r->township,
				r->village,	  r->household_type, r->head_name,
				r->enumerator,	  r->device};
	return v[k] ? v[k] : "";
}

/* ---- the run ------------------------------------------------------------ */

struct loaded_form {
	char *hash;
	struct form *f;
	int *node;             /* per var: top-level node index, or -1 (sample) */
	unsigned char *needed; /* per form node: its answers must be replayed */
};

static void need_expr(const struct form *f, const struct expr *e, int *stack, size_t *n,
		      unsigned char *needed)
{
	const int *refs;
	size_t k, m;

	if (!e)
		return;
	m = expr_refs(e, &refs);
	for (k = 0; k < m; k++)
		if (refs[k] >= 0 && (size_t)refs[k] < form_node_count(f) && !needed[refs[k]]) {
			needed[refs[k]] = 1;
			stack[(*n)++] = refs[k];
		}
}

/*
 * The nodes whose stored answers decide the profile's names: the names'
 * nodes, and, closed over, every node a calculation, a relevance, a
 * repeat_count or a default of a needed node or of its groups and repeats
 * refers to (${name} references). Replaying only their answers, and computing only
 * these nodes (interview_opts.only), gives the same values for the names and
 * skips the rest of a long form (names, notes, paradata).
 */
static unsigned char *needed_nodes(const struct form *f, const int *var_node, size_t n_vars)
{
	size_t nn = form_node_count(f), n = 0, v;
	unsigned char *needed = xcalloc(nn + 1, 1);
	int *stack = xmalloc((nn + 1) * sizeof(int));

	for (v = 0; v < n_vars; v++)
		if (var_node[v] >= 0 && !needed[var_node[v]]) {
			needed[var_node[v]] = 1;
			stack[n++] = var_node[v];
		}
	while (n) {
		const struct form_node *nd = form_node(f, (size_t)stack[--n]);

		need_expr(f, nd->calculation.e, stack, &n, needed);
		need_expr(f, nd->relevant.e, stack, &n, needed);
		need_expr(f, nd->repeat_count.e, stack, &n, needed);
		need_expr(f, nd->default_expr.e, stack, &n, needed);
		if (nd->parent >= 0 && !needed[nd->parent]) {
			needed[nd->parent] = 1;
			stack[n++] = nd->parent;
		}
	}
	free(stack);
	return needed;
}

/* Whether the stored answer at `path` (a/b[2]/c, or a repeat instance b[2])
 * belongs to a needed node. */
static bool path_needed(const struct loaded_form *lf, const char *path)
{
	const char *last = strrchr(path, '/'), *br;
	char name[256];
	size_t len;
	int k;

	last = last ? last + 1 : path;
	br = strchr(last, '[');
	len = br ? (size_t)(br - last) : strlen(last);
	if (len >= sizeof(name))
		return true; /* not a name this form has: let the engine decide */
	memcpy(name, last, len);
	name[len] = '\0';
	k = form_find(lf->f, name);
	return k < 0 || lf->needed[k];
}

/* One household reduced (interview of the pass). */
struct row {
	char *key, *uuid;
	int64_t updated;
	char *unit, *group, *parent;
	double weight;                   /* design weight (1 without a weight column) */
	unsigned char *in_pop, *problem; /* per indicator */
	double *value;                   /* per indicator (mean / ratio numerator / AF score) */
	double *base;                    /* per indicator (ratio denominator) */
	unsigned char *dep;              /* AF: per indicator x dimension (dim_off) */
	char **vals;                     /* explain unit only: per var */
	char **behind;                   /* explain unit only: per var, the answers behind it */
	char **flag_level;               /* per profile flag: the group (village) */
	unsigned char *flag_pop, *flag_problem;
	bool flag_problem_b; /* scratch of eval_row */
};

struct run {
	struct store *s;
	const struct profile *p;
	const struct score_opts *o;
	struct diag_list *dl;
	size_t n_params, n_vars, n_ind;
	char (*pstr)[40];        /* params as strings */
	const char **cur;        /* per var, the current household's value */
	struct store_assignment_row *arows;
	size_t n_arows;
	struct hh_sample *hs;    /* sorted as arows (by key after sort) */
	struct loaded_form *forms;
	size_t n_forms;
	size_t *dim_off, n_dep;
	struct row *rows;
	size_t n_rows, cap_rows;
	size_t n_interviews;
	struct expr_scratch *scratch;
	struct interview_answer_in *ain; /* the needed answers of one interview */
	size_t cap_ain;
	/* source-forms components (rating sheets): per (component, unit, form),
	 * the sum and count of the sheets' values */
	struct fc_cell {
		size_t comp, level;
		char *unit;
		double sum;
		size_t n;
	} *fc;
	size_t n_fc, cap_fc;
	int failed;
};

static int hh_resolve(void *ud, int field, const char *name, expr_node from, expr_node *out,
		      size_t cap)
{
	(void)ud;
	(void)name;
	(void)from;
	if (field < 0)
		return -1;
	if (cap)
		out[0] = (expr_node)field + 1;
	return 1;
}

static const char *hh_value(void *ud, expr_node n)
{
	struct run *r = ud;
	size_t k;

	if (!n)
		return "";
	k = (size_t)n - 1;
	if (k < r->n_params)
		return r->pstr[k];
	k -= r->n_params;
	return k < r->n_vars && r->cur[k] ? r->cur[k] : "";
}

static int cmp_arow(const void *a, const void *b)
{
	const struct hh_sample *x = a, *y = b;

	return strcmp(x->row->household_key, y->row->household_key);
}

static const struct hh_sample *find_sample(const struct run *r, const char *key)
{
	size_t lo = 0, hi = r->n_arows;

	if (!key)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->hs[mid].row->household_key, key);

		if (!c)
			return &r->hs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *sample_value(const struct hh_sample *h, const char *name)
{
	size_t k;

	if (!h)
		return "";
	for (k = 0; k < N_STD; k++)
		if (!strcmp(std_cols[k], name))
			return std_value(h->row, k);
	for (k = 0; k < h->n_pre; k++)
		if (!strcmp(h->pre[k].name, name))
			return h->pre[k].value ? h->pre[k].value : "";
	return "";
}

static bool sample_has(const struct hh_sample *h, const char *name)
{
	size_t k;

	for (k = 0; k < N_STD; k++)
		if (!strcmp(std_cols[k], name))
			return true;
	for (k = 0; k < h->n_pre; k++)
		if (!strcmp(h->pre[k].name, name))
			return true;
	return false;
}

struct preload_ctx {
	struct run *r;
	const char ***cols;
	size_t *n_cols;
};

static const struct hh_sample *find_sample(const struct run *r, const char *key);

/* One household's preload fields (store_assignment_preload_each): kept with
 * its sample row, their names added to the sample's columns. */
static int on_preload(void *ctx, const char *key, const struct store_field *fields, size_t n)
{
	struct preload_ctx *pc = ctx;
	struct hh_sample *h = (struct hh_sample *)find_sample(pc->r, key);
	size_t j, k;

	if (!h || h->pre)
		return 0; /* a field of no assignment row */
	h->pre = xcalloc(n ? n : 1, sizeof(*h->pre));
	for (j = 0; j < n; j++) {
		h->pre[j].name = xstrdup(fields[j].name);
		h->pre[j].value = fields[j].value ? xstrdup(fields[j].value) : NULL;
	}
	h->n_pre = n;
	for (j = 0; j < h->n_pre; j++) {
		for (k = 0; k < *pc->n_cols; k++)
			if (!strcmp((*pc->cols)[k], h->pre[j].name))
				break;
		if (k == *pc->n_cols) {
			*pc->cols = xrealloc(*pc->cols, (*pc->n_cols + 1) * sizeof(char *));
			(*pc->cols)[(*pc->n_cols)++] = h->pre[j].name;
		}
	}
	return 0;
}

static int read_sample(struct run *r, const char ***cols, size_t *n_cols, struct error *err)
{
	struct preload_ctx pc = {r, cols, n_cols};
	size_t i, k;

	if (store_assignment_list(r->s, NULL, &r->arows, &r->n_arows, err) < 0)
		return -1;
	r->hs = xcalloc(r->n_arows ? r->n_arows : 1, sizeof(*r->hs));
	*cols = xmalloc(N_STD * sizeof(char *));
	for (k = 0; k < N_STD; k++)
		(*cols)[k] = std_cols[k];
	*n_cols = N_STD;
	for (i = 0; i < r->n_arows; i++)
		r->hs[i].row = &r->arows[i];
	qsort(r->hs, r->n_arows, sizeof(*r->hs), cmp_arow);
	/* the preload columns of every household in one scan */
	return store_assignment_preload_each(r->s, on_preload, &pc, err) < 0 ? -1 : 0;
}

static int load_forms(struct run *r, const char *const *cols, size_t n_cols)
{
	const char *fid = profile_setting(r->p, "form_id");
	struct store_form_info *fi = NULL;
	struct error err = ERROR_INIT;
	size_t n = 0, i, v;
	int ret = -1;

	if (store_form_list(r->s, &fi, &n, &err) < 0) {
		diag_add_error(r->dl, DIAG_ERROR, &err);
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct loaded_form *lf;
		struct form *f = NULL;

		if (strcmp(fi[i].form_id, fid))
			continue;
		/* with its attached files, as it was filled */
		if (store_form_load(r->s, fi[i].hash, fi[i].hash, &f, r->dl, &err) < 0) {
			if (err.code != STORE_E_INVALID)
				diag_add_error(r->dl, DIAG_ERROR, &err);
			goto done;
		}
		if (profile_bind(r->p, f, cols, n_cols, r->dl) < 0) {
			form_free(f);
			goto done;
		}
		r->forms = xrealloc(r->forms, (r->n_forms + 1) * sizeof(*r->forms));
		lf = &r->forms[r->n_forms++];
		lf->hash = xstrdup(fi[i].hash);
		lf->f = f;
		lf->node = xmalloc((r->n_vars ? r->n_vars : 1) * sizeof(int));
		for (v = 0; v < r->n_vars; v++)
			lf->node[v] = form_find(f, profile_var_name(r->p, v));
		lf->needed = needed_nodes(f, lf->node, r->n_vars);
	}
	if (!r->n_forms) {
		diag_add(r->dl, DIAG_ERROR, store_path(r->s),
			 "数据库里没有问卷 '%s'（配置文件 settings 的 form_id）",
			 "no form '%s' in the database (the profile's settings form_id)", fid);
		goto done;
	}
	ret = 0;
done:
	store_form_info_free(fi, n);
	error_clear(&err);
	return ret;
}

static void row_free(struct row *w, size_t n_vars)
{
	size_t i;

	free(w->key);
	free(w->uuid);
	free(w->unit);
	free(w->group);
	free(w->parent);
	free(w->in_pop);
	free(w->problem);
	free(w->value);
	free(w->base);
	free(w->dep);
	if (w->vals)
		for (i = 0; i < n_vars; i++)
			free(w->vals[i]);
	free(w->vals);
	if (w->behind)
		for (i = 0; i < n_vars; i++)
			free(w->behind[i]);
	free(w->behind);
	if (w->flag_level)
		for (i = 0; w->flag_level[i]; i++)
			free(w->flag_level[i]);
	free(w->flag_level);
	free(w->flag_pop);
	free(w->flag_problem);
}

static void eval_fail(struct run *r, const char *key, const char *what, struct error *e)
{
	struct error out = ERROR_INIT;
	struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

	strbuf_addf(&zh, "%s：%s", what, error_msg(e, LANG_ZH));
	strbuf_addf(&en, "%s: %s", what, error_msg(e, LANG_EN));
	out.where = xstrdup(key);
	out.zh = strbuf_detach(&zh, NULL);
	out.en = strbuf_detach(&en, NULL);
	diag_add_error(r->dl, DIAG_ERROR, &out);
	error_clear(&out);
	r->failed = 1;
}

/* Evaluates the household whose values are in r->cur into row w. */
static int eval_row(struct run *r, struct row *w)
{
	struct expr_host h = {0};
	struct error e = ERROR_INIT;
	size_t i, j;
	int ret = 0;

	h.ud = r;
	h.resolve = hh_resolve;
	h.value = hh_value;
	for (i = 0; i < r->n_ind && !ret; i++) {
		const struct profile_indicator *ind = profile_indicator(r->p, i);
		bool b = true;
		struct strbuf what = STRBUF_INIT;

		w->value[i] = NAN;
		strbuf_addf(&what, "indicator '%s'", ind->id);
		if (ind->population && expr_eval_bool(ind->population, &h, 0, r->scratch, &b, &e) < 0)
			goto fail;
		w->in_pop[i] = b;
		if (!b)
			goto next;
		switch (ind->measure) {
		case PROFILE_RATE:
			if (expr_eval_bool(ind->problem, &h, 0, r->scratch, &b, &e) < 0)
				goto fail;
			w->problem[i] = b;
			break;
		case PROFILE_MEAN:
		case PROFILE_MEDIAN:
			if (expr_eval_number(ind->value, &h, 0, r->scratch, &w->value[i], &e) < 0)
				goto fail;
			break;
		case PROFILE_RATIO:
			if (expr_eval_number(ind->value, &h, 0, r->scratch, &w->value[i], &e) < 0 ||
			    expr_eval_number(ind->base, &h, 0, r->scratch, &w->base[i], &e) < 0)
				goto fail;
			break;
		case PROFILE_AF: {
			double c = 0;

			for (j = 0; j < ind->n_dims; j++) {
				if (expr_eval_bool(ind->dims[j].deprived, &h, 0, r->scratch, &b, &e) <
				    0) {
					strbuf_addf(&what, " dimension '%s'", ind->dims[j].id);
					goto fail;
				}
				w->dep[r->dim_off[i] + j] = b;
				if (b)
					c += ind->dims[j].weight;
			}
			w->value[i] = c;
			w->problem[i] = c >= ind->cutoff - EPS;
			break;
		}
		}
		goto next;
	fail:
		eval_fail(r, w->key, what.buf, &e);
		ret = -1;
	next:
		strbuf_release(&what);
	}
	for (i = 0; i < profile_flag_count(r->p) && !ret; i++) {
		const struct profile_flag *fl = profile_flag(r->p, i);
		bool b = true;

		w->flag_level[i] = xstrdup(r->cur[fl->level_var]);
		if ((fl->population &&
		     expr_eval_bool(fl->population, &h, 0, r->scratch, &b, &e) < 0) ||
		    (b && expr_eval_bool(fl->problem, &h, 0, r->scratch, &w->flag_problem_b, &e) < 0)) {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "flag '%s'", fl->id);
			eval_fail(r, w->key, what.buf, &e);
			strbuf_release(&what);
			ret = -1;
			break;
		}
		w->flag_pop[i] = b;
		w->flag_problem[i] = b && w->flag_problem_b;
	}
	error_clear(&e);
	return ret;
}

/*
 * The answers a calculation rests on: the top-level questions reached through
 * the calculations it references, as "name=value" separated by spaces ("" for
 * a question). Fields inside repeats are named by their repeat's count of
 * answers only through the calculations outside it, so they are left out.
 */
static void behind(const struct form *f, struct interview *iv, int node, unsigned char *seen,
		   struct strbuf *out, int depth)
{
	const struct form_node *nd = form_node(f, (size_t)node);
	const int *refs;
	size_t n, i;

	if (seen[node] || depth > 32)
		return;
	seen[node] = 1;
	if (!nd->calculation.e) {
		const char *v = NULL;

		if (nd->repeat >= 0 || depth == 0)
			return;
		if (interview_get(iv, nd->name, &v, NULL) < 0 || !interview_relevant(iv, nd->name))
			v = NULL;
		if (!v)
			return; /* unanswered or not relevant: nothing behind */
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_addf(out, "%s=%s", nd->name, v);
		return;
	}
	n = expr_refs(nd->calculation.e, &refs);
	for (i = 0; i < n; i++)
		if (refs[i] >= 0 && (size_t)refs[i] < form_node_count(f))
			behind(f, iv, refs[i], seen, out, depth + 1);
}

static int on_record(void *ctx, const struct store_record *rec)
{
	struct run *r = ctx;
	struct loaded_form *lf = NULL;
	struct interview *iv = NULL;
	struct error e = ERROR_INIT;
	const struct hh_sample *hs;
	struct row *w;
	struct interview_opts io = {0};
	size_t i, v, skipped;
	int ret = 0;

	r->n_interviews++;
	for (i = 0; i < r->n_forms; i++)
		if (!strcmp(r->forms[i].hash, rec->iv.form_hash))
			lf = &r->forms[i];
	if (!lf)
		return 0; /* another form */
	XGROW(r->ain, r->cap_ain, rec->n_answers + 1);
	for (i = v = 0; i < rec->n_answers; i++) {
		const struct store_answer *a = &rec->answers[i];

		if (!path_needed(lf, a->path))
			continue;
		r->ain[v].path = a->path;
		r->ain[v].value = a->value;
		r->ain[v].special = a->special == STORE_SPECIAL_DONT_KNOW ? IV_DONT_KNOW
				    : a->special == STORE_SPECIAL_REFUSED ? IV_REFUSED
									  : IV_SPECIAL_NONE;
		v++;
	}
	/* as a resumed session does: a stored answer that no longer fits the
	 * form is left out of the replay, never fatal; the form is computed
	 * once, with all of them */
	io.only = lf->needed; /* compute only what the profile reads */
	if (interview_new_restored(lf->f, &io, r->ain, v, &skipped, &iv, &e) < 0)
		goto fail;
	hs = find_sample(r, rec->iv.household_key);
	for (v = 0; v < r->n_vars; v++) {
		const char *val = NULL;
		int k = lf->node[v];

		/* the sample is the frame: a sampled household's unit, group and
		 * parent are the sample's, whatever the interview says */
		if (hs && ((int)v == profile_unit_var(r->p) || (int)v == profile_group_var(r->p) ||
			   (int)v == profile_parent_var(r->p)) &&
		    sample_has(hs, profile_var_name(r->p, v)))
			k = -1;
		if (k >= 0) {
			const char *name = form_node(lf->f, (size_t)k)->name;

			if (interview_get(iv, name, &val, NULL) < 0 || !interview_relevant(iv, name))
				val = NULL;
		} else {
			val = sample_value(hs, profile_var_name(r->p, v));
		}
		r->cur[v] = val ? val : "";
	}
	XGROW(r->rows, r->cap_rows, r->n_rows + 1);
	w = &r->rows[r->n_rows++];
	memset(w, 0, sizeof(*w));
	w->key = xstrdup(rec->iv.household_key ? rec->iv.household_key : rec->iv.uuid);
	w->uuid = xstrdup(rec->iv.uuid);
	w->updated = rec->iv.updated;
	w->unit = xstrdup(r->cur[profile_unit_var(r->p)]);
	if (profile_has_group_sheet(r->p)) {
		const char *g = profile_unit_group(r->p, w->unit);

		w->group = xstrdup(g ? g : ""); /* an unlisted unit: refused per unit below */
	} else {
		w->group = xstrdup(profile_group_var(r->p) >= 0 ? r->cur[profile_group_var(r->p)]
								 : "");
	}
	w->parent = xstrdup(profile_parent_var(r->p) >= 0 ? r->cur[profile_parent_var(r->p)] : "");
	w->weight = 1;
	if (profile_weight_var(r->p) >= 0) {
		const char *ws = r->cur[profile_weight_var(r->p)];

		w->weight = expr_parse_number(ws);
		if (!(w->weight > 0) || !isfinite(w->weight)) {
			diag_add(r->dl, DIAG_ERROR, w->key,
				 "设计权数 '%s' 的值 '%s' 不是正数",
				 "design weight '%s' is '%s', not a positive number",
				 profile_setting(r->p, "weight_column"), ws);
			r->failed = 1;
			w->weight = 1;
		}
	}
	w->in_pop = xcalloc(r->n_ind, 1);
	w->problem = xcalloc(r->n_ind, 1);
	w->value = xcalloc(r->n_ind, sizeof(double));
	w->base = xcalloc(r->n_ind, sizeof(double));
	w->dep = xcalloc(r->n_dep ? r->n_dep : 1, 1);
	w->flag_level = xcalloc(profile_flag_count(r->p) + 1, sizeof(char *));
	w->flag_pop = xcalloc(profile_flag_count(r->p) + 1, 1);
	w->flag_problem = xcalloc(profile_flag_count(r->p) + 1, 1);
	if (r->o && r->o->explain_unit && !strcmp(r->o->explain_unit, w->unit)) {
		unsigned char *seen = xcalloc(form_node_count(lf->f) + 1, 1);

		w->vals = xcalloc(r->n_vars ? r->n_vars : 1, sizeof(char *));
		w->behind = xcalloc(r->n_vars ? r->n_vars : 1, sizeof(char *));
		for (v = 0; v < r->n_vars; v++) {
			struct strbuf sb = STRBUF_INIT;

			w->vals[v] = xstrdup(r->cur[v]);
			if (lf->node[v] >= 0) {
				memset(seen, 0, form_node_count(lf->f) + 1);
				behind(lf->f, iv, lf->node[v], seen, &sb, 0);
			}
			w->behind[v] = strbuf_detach(&sb, NULL);
		}
		free(seen);
	}
	if (eval_row(r, w) < 0)
		ret = r->dl->errors > 20 ? -1 : 0; /* collect a few, then stop */
	goto done;
fail:
	diag_add_error(r->dl, DIAG_ERROR, &e);
	r->failed = 1;
	ret = -1;
done:
	interview_free(iv);
	error_clear(&e);
	return ret;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->unit, y->unit);

	if (c)
		return c;
	c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->updated > y->updated ? -1 : x->updated < y->updated ? 1 : strcmp(x->uuid, y->uuid);
}

static void fmt_num(char *buf, size_t size, double d)
{
	if (isnan(d))
		snprintf(buf, size, "NaN");
	else
		expr_format_number(d, buf, size);
}

/* Unit-level values for the vetoes: params, n, score, then ID, _num, _den, _points. */
struct unit_host {
	const struct run *r;
	char (*s)[40];
};

static const char *unit_value(void *ud, expr_node n)
{
	struct unit_host *u = ud;

	return n ? u->s[n - 1] : "";
}

struct wv {
	double v, w;
};

static int cmp_wv(const void *a, const void *b)
{
	const struct wv *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/*
 * The (weighted) median of indicator i's values: the smallest value whose
 * cumulative weight reaches half the total, the mean of the two middle values
 * when it reaches exactly half. Its 95% interval is distribution-free, from
 * order statistics: the values ranked n/2 ∓ z√n/2 (rounded outwards) among the
 * n households, unweighted.
 */
static void median(const struct row *rows, size_t n, size_t i, double sw, struct score_cell *c)
{
	struct wv *v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t m = 0, k;
	double cum = 0;

	for (k = 0; k < n; k++)
		if (rows[k].in_pop[i] && !isnan(rows[k].value[i])) {
			v[m].v = rows[k].value[i];
			v[m].w = rows[k].weight;
			m++;
		}
	c->value = NAN;
	if (m) {
		qsort(v, m, sizeof(*v), cmp_wv);
		for (k = 0; k < m; k++) {
			cum += v[k].w;
			if (fabs(cum - sw / 2) <= EPS * sw && k + 1 < m) {
				c->value = (v[k].v + v[k + 1].v) / 2;
				break;
			}
			if (cum > sw / 2) {
				c->value = v[k].v;
				break;
			}
		}
		if (m >= 2) {
			double half = SCORE_Z95 * sqrt((double)m) / 2;
			double lo = floor((double)m / 2 - half), hi = ceil((double)m / 2 + half);

			c->ci_low = v[lo < 1 ? 0 : (size_t)lo - 1].v;
			c->ci_high = v[hi > (double)m ? m - 1 : (size_t)hi - 1].v;
		}
	}
	free(v);
}

/*
 * One unit's figures. Every household counts with its design weight w (1
 * without a weight column): rates are sum(w x problem) / sum(w); intervals
 * use Kish's effective sample size n_eff = (sum w)^2 / sum(w^2) (= n when
 * unweighted), so Wilson's interval is taken at p with n_eff households.
 */
static void aggregate(struct run *r, const struct row *rows, size_t n, struct score_unit *u)
{
	const struct profile *p = r->p;
	size_t i, k, j;

	u->cells = xcalloc(r->n_ind, sizeof(*u->cells));
	u->n = n;
	u->small = (double)n < profile_min_sample_of(p, u->unit, u->group);
	u->field = 0;
	for (i = 0; i < r->n_ind; i++) {
		const struct profile_indicator *ind = profile_indicator(p, i);
		struct score_cell *c = &u->cells[i];
		/* sw, sw2: weights and squares of the households counted; num: the
		 * weighted numerator; sum: the weighted values (mean), bases
		 * (ratio) or scores of the poor (AF) */
		double sw = 0, sw2 = 0, num = 0, sum = 0, neff, ss = 0;

		c->ci_low = c->ci_high = NAN;
		if (ind->measure == PROFILE_AF) {
			c->af.contrib = xcalloc(ind->n_dims, sizeof(double));
			c->af.censored = xcalloc(ind->n_dims, sizeof(double));
		}
		for (k = 0; k < n; k++) {
			double w = rows[k].weight;

			if (!rows[k].in_pop[i])
				continue;
			if ((ind->measure == PROFILE_MEAN || ind->measure == PROFILE_MEDIAN ||
			     ind->measure == PROFILE_RATIO) &&
			    isnan(rows[k].value[i]))
				continue;
			if (ind->measure == PROFILE_RATIO && isnan(rows[k].base[i]))
				continue;
			sw += w;
			sw2 += w * w;
			switch (ind->measure) {
			case PROFILE_MEAN:
			case PROFILE_MEDIAN:
				sum += w * rows[k].value[i];
				break;
			case PROFILE_RATIO:
				num += w * rows[k].value[i];
				sum += w * rows[k].base[i];
				break;
			case PROFILE_RATE:
				if (rows[k].problem[i])
					num += w;
				break;
			case PROFILE_AF:
				if (!rows[k].problem[i])
					break;
				num += w;
				sum += w * rows[k].value[i];
				for (j = 0; j < ind->n_dims; j++)
					if (rows[k].dep[r->dim_off[i] + j])
						c->af.censored[j] += w;
				break;
			}
		}
		neff = sw2 > 0 ? sw * sw / sw2 : 0;
		c->den = sw;
		switch (ind->measure) {
		case PROFILE_RATE:
			c->num = num;
			c->value = sw > 0 ? num / sw : NAN;
			if (sw > 0)
				score_wilson(c->value * neff, neff, SCORE_Z95, &c->ci_low, &c->ci_high);
			break;
		case PROFILE_MEAN:
			c->num = sum;
			c->value = sw > 0 ? sum / sw : NAN;
			if (neff >= 2) {
				for (k = 0; k < n; k++) {
					double d;

					if (!rows[k].in_pop[i] || isnan(rows[k].value[i]))
						continue;
					d = rows[k].value[i] - c->value;
					ss += rows[k].weight * d * d;
				}
				/* weighted variance with the unbiased n_eff / (n_eff - 1) */
				ss = ss / sw * neff / (neff - 1);
				c->ci_low = c->value - SCORE_Z95 * sqrt(ss / neff);
				c->ci_high = c->value + SCORE_Z95 * sqrt(ss / neff);
			}
			break;
		case PROFILE_MEDIAN:
			c->num = sum;
			median(rows, n, i, sw, c);
			break;
		case PROFILE_RATIO: {
			/* households are clusters of members: the linearised variance
			 * of a ratio estimator, sum w^2 (x - r y)^2 / (sum w y)^2,
			 * times n / (n - 1) (unweighted: the textbook formula) */
			double ratio = sum > 0 ? num / sum : NAN, cnt = 0;

			c->num = num;
			c->den = sum;
			c->value = ratio;
			for (k = 0; k < n && sum > 0; k++) {
				double d, w = rows[k].weight;

				if (!rows[k].in_pop[i] || isnan(rows[k].value[i]) ||
				    isnan(rows[k].base[i]))
					continue;
				d = rows[k].value[i] - ratio * rows[k].base[i];
				ss += w * w * d * d;
				cnt++;
			}
			if (cnt >= 2 && sum > 0) {
				double se = sqrt(ss / (sum * sum) * cnt / (cnt - 1));

				c->ci_low = ratio - SCORE_Z95 * se < 0 ? 0 : ratio - SCORE_Z95 * se;
				c->ci_high = ratio + SCORE_Z95 * se;
			}
			break;
		}
		case PROFILE_AF:
			c->num = num;
			c->af.H = sw > 0 ? num / sw : NAN;
			c->af.A = num > 0 ? sum / num : NAN;
			c->af.M0 = sw > 0 ? sum / sw : NAN;
			c->value = c->af.M0;
			for (j = 0; j < ind->n_dims; j++) {
				c->af.censored[j] = sw > 0 ? c->af.censored[j] / sw : NAN;
				c->af.contrib[j] = c->af.M0 > 0 ? ind->dims[j].weight *
									  c->af.censored[j] / c->af.M0
								: NAN;
			}
			break;
		}
		c->points = score_points(p, i, c->value, &c->band_outside);
		if (!isnan(c->points))
			u->field += c->points;
	}
}

/* The unit's score for an input component, NaN when the inputs have none
 * (defined with the inputs below). */
static double input_value(const struct score_inputs *in, const char *unit, const char *comp);

/* The flagged groups of one unit, in group order, each with a warning. */
static void flag_unit(struct run *r, const struct row *rows, size_t n, struct score_unit *u)
{
	size_t f, k, g;

	for (f = 0; f < profile_flag_count(r->p); f++) {
		const struct profile_flag *fl = profile_flag(r->p, f);
		struct score_flagged *groups = NULL;
		size_t ng = 0;

		for (k = 0; k < n; k++) {
			if (!rows[k].flag_pop[f])
				continue;
			for (g = 0; g < ng; g++)
				if (!strcmp(groups[g].level, rows[k].flag_level[f]))
					break;
			if (g == ng) {
				groups = xrealloc(groups, (ng + 1) * sizeof(*groups));
				memset(&groups[ng], 0, sizeof(*groups));
				groups[ng].flag = f;
				groups[ng].level = rows[k].flag_level[f];
				ng++;
			}
			groups[g].den++;
			groups[g].num += rows[k].flag_problem[f];
		}
		for (g = 0; g < ng; g++) {
			struct score_flagged *x;

			if (groups[g].num < fl->min_count - EPS ||
			    groups[g].num / groups[g].den < fl->min_share - EPS)
				continue;
			u->flagged = xrealloc(u->flagged, (u->n_flagged + 1) * sizeof(*u->flagged));
			x = &u->flagged[u->n_flagged++];
			*x = groups[g];
			x->level = xstrdup(groups[g].level);
			diag_add(r->dl, DIAG_WARNING, u->unit,
				 "%s '%s'：%g 户有问题，共 %g 户（%.1f%%）：请评估组核实，不自动计入等次",
				 "%s '%s': %g of %g households (%.1f%%): for the assessors to confirm, "
				 "never applied to the grade",
				 fl->id, x->level, x->num, x->den, 100 * x->num / x->den);
		}
		free(groups);
	}
}

static void grade_unit(struct run *r, struct score_unit *u)
{
	const struct profile *p = r->p;
	size_t ng = profile_grade_count(p), nv = profile_veto_count(p), ns, i, g = ng - 1;
	struct unit_host uh;
	struct expr_host h = {0};
	struct strbuf vetoes = STRBUF_INIT;
	struct error e = ERROR_INIT;

	double basis = isnan(u->composite) ? u->field : u->composite;

	for (i = 0; i < ng && !profile_grades_by_share(p); i++) {
		const struct profile_grade *gr = profile_grade(p, i);

		if (basis >= gr->min - EPS && basis < gr->max - EPS) {
			g = i;
			break;
		}
	}
	if (profile_grades_by_share(p))
		g = u->band_grade; /* set by share_grades() */
	u->band_grade = g;
	if (!u->cells) { /* a parent unit: bands only */
		u->grade = g;
		return;
	}
	ns = r->n_params + 2 + 4 * r->n_ind + profile_component_count(p);
	uh.r = r;
	uh.s = xcalloc(ns, sizeof(*uh.s));
	for (i = 0; i < profile_component_count(p); i++) {
		const struct profile_component *c = profile_component(p, i);
		double v = r->o && r->o->inputs && c->source == PROFILE_SRC_INPUT
				   ? input_value(r->o->inputs, u->unit, c->name)
				   : NAN;

		fmt_num(uh.s[r->n_params + 2 + 4 * r->n_ind + i], 40, v);
	}
	for (i = 0; i < r->n_params; i++)
		memcpy(uh.s[i], r->pstr[i], sizeof(uh.s[i]));
	fmt_num(uh.s[r->n_params], 40, (double)u->n);
	fmt_num(uh.s[r->n_params + 1], 40, u->field);
	for (i = 0; i < r->n_ind; i++) {
		char(*s)[40] = uh.s + r->n_params + 2 + 4 * i;

		fmt_num(s[0], 40, u->cells[i].value);
		fmt_num(s[1], 40, u->cells[i].num);
		fmt_num(s[2], 40, u->cells[i].den);
		fmt_num(s[3], 40, u->cells[i].points);
	}
	h.ud = &uh;
	h.resolve = hh_resolve;
	h.value = unit_value;
	for (i = 0; i < nv; i++) {
		const struct profile_veto *v = profile_veto(p, i);
		bool b = false;

		if (expr_eval_bool(v->when, &h, 0, r->scratch, &b, &e) < 0) {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "veto '%s'", v->id);
			eval_fail(r, u->unit, what.buf, &e);
			strbuf_release(&what);
			continue;
		}
		if (!b)
			continue;
		if (vetoes.len)
			strbuf_addch(&vetoes, ' ');
		strbuf_addstr(&vetoes, v->id);
		if (v->effect == PROFILE_VETO_FORCE)
			g = v->grade;
		else if (g <= v->grade)
			g = v->grade + 1;
	}
	u->grade = g;
	u->veto = vetoes.len ? strbuf_detach(&vetoes, NULL) : NULL;
	strbuf_release(&vetoes);
	error_clear(&e);
	free(uh.s);
}

static double basis(const struct score_unit *u)
{
	return isnan(u->composite) ? u->field : u->composite;
}

static int cmp_unit_score(const void *a, const void *b)
{
	const struct score_unit *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	if (c)
		return c;
	if (basis(x) != basis(y))
		return basis(x) > basis(y) ? -1 : 1;
	return strcmp(x->unit, y->unit);
}

static void rank_units(struct score_unit *units, size_t n)
{
	size_t i, start = 0;

	if (!n)
		return; /* qsort(NULL, 0, ...) is undefined */
	qsort(units, n, sizeof(*units), cmp_unit_score);
	for (i = 0; i < n; i++) {
		struct score_unit *u = &units[i];

		if (!i || strcmp(u->group, u[-1].group))
			start = i;
		/* competition ranking: equal scores share the better rank */
		if (i > start && basis(u) == basis(&u[-1]))
			u->rank = u[-1].rank;
		else
			u->rank = i - start + 1;
	}
}

/* ---- composite ---------------------------------------------------------- */

struct score_input {
	char *unit, *component;
	double score;
	size_t line;
	bool used;
};

struct score_inputs {
	char *file;
	struct score_input *v;
	size_t n, cap;
};

struct in_ctx {
	const struct profile *p;
	struct score_inputs *in;
	int c_unit, c_comp, c_score;
	struct diag_list *dl;
};

static void in_err(struct in_ctx *c, size_t line, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
static void in_err(struct in_ctx *c, size_t line, const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&w, "%s:%zu", c->in->file, line);
	va_start(ap, en);
	diag_vadd(c->dl, DIAG_ERROR, w.buf, zh, en, ap);
	va_end(ap);
	strbuf_release(&w);
}

static int on_input(void *ud, struct csvread_record *rec, struct error *err)
{
	struct in_ctx *c = ud;
	const char *unit, *comp, *sc;
	char *end;
	double v;
	size_t i;

	(void)err;
	if (rec->record == 1) {
		c->c_unit = c->c_comp = c->c_score = -1;
		for (i = 0; i < rec->n; i++) {
			if (!strcmp(rec->cells[i], "unit"))
				c->c_unit = (int)i;
			else if (!strcmp(rec->cells[i], "component"))
				c->c_comp = (int)i;
			else if (!strcmp(rec->cells[i], "score"))
				c->c_score = (int)i;
		}
		if (c->c_unit < 0 || c->c_comp < 0 || c->c_score < 0) {
			in_err(c, rec->line, "表头要有 unit、component、score 三列",
			       "the header needs the columns unit, component, score");
			return -1;
		}
		return 0;
	}
	if ((size_t)c->c_unit >= rec->n || (size_t)c->c_comp >= rec->n ||
	    (size_t)c->c_score >= rec->n) {
		in_err(c, rec->line, "这一行的列数不够", "this row has too few cells");
		return 0;
	}
	unit = rec->cells[c->c_unit];
	comp = rec->cells[c->c_comp];
	sc = rec->cells[c->c_score];
	for (i = 0; i < profile_component_count(c->p); i++) {
		const struct profile_component *pc = profile_component(c->p, i);

		if (pc->source == PROFILE_SRC_INPUT && !strcmp(pc->name, comp))
			break;
	}
	if (i == profile_component_count(c->p)) {
		in_err(c, rec->line, "未知的组成部分 '%s'（配置文件 composite 表里 source 为 input 的）",
		       "unknown component '%s' (an input component of the profile's composite sheet)",
		       comp);
		return 0;
	}
	v = strtod(sc, &end);
	if (!*sc || *end || !isfinite(v) || v < 0 || v > 100) {
		in_err(c, rec->line, "分数 '%s' 不是 0 到 100 之间的数", "score '%s' is not a number within 0..100",
		       sc);
		return 0;
	}
	for (i = 0; i < c->in->n; i++)
		if (!strcmp(c->in->v[i].unit, unit) && !strcmp(c->in->v[i].component, comp)) {
			in_err(c, rec->line, "'%s' 的 '%s' 重复（第 %zu 行已有）",
			       "'%s' has '%s' twice (line %zu has it already)", unit, comp,
			       c->in->v[i].line);
			return 0;
		}
	XGROW(c->in->v, c->in->cap, c->in->n + 1);
	c->in->v[c->in->n].unit = xstrdup(unit);
	c->in->v[c->in->n].component = xstrdup(comp);
	c->in->v[c->in->n].score = v;
	c->in->v[c->in->n].line = rec->line;
	c->in->v[c->in->n].used = false;
	c->in->n++;
	return 0;
}

int score_inputs_load(const char *path, const struct profile *p, struct score_inputs **out,
		      struct diag_list *dl)
{
	struct score_inputs *in = xcalloc(1, sizeof(*in));
	struct csvread_opts o = {path, 16};
	struct in_ctx c = {p, in, -1, -1, -1, dl};
	struct error err = ERROR_INIT;
	char *data = NULL;
	size_t errors = dl->errors, len = 0;
	int ret = -1;

	*out = NULL;
	in->file = xstrdup(path);
	if (score_read_file(path, &data, &len, dl) < 0)
		goto done;
	/* csvread refuses UTF-16 and names the line; the rest must be text */
	if (!utf8_is_utf16(data, len) && !utf8_text_valid(data, len)) {
		diag_add(dl, DIAG_ERROR, path, "不是有效的 UTF-8 文本：请把文件另存为 UTF-8",
			 "not valid UTF-8 text: save the file as UTF-8");
		goto done;
	}
	if (csvread_buffer(&o, data, len, on_input, &c, &err) < 0) {
		if (error_isset(&err))
			diag_add_error(dl, DIAG_ERROR, &err);
		else if (dl->errors == errors)
			diag_add(dl, DIAG_ERROR, path, "无法读取", "cannot read");
		goto done;
	}
	if (dl->errors > errors)
		goto done;
	*out = in;
	in = NULL;
	ret = 0;
done:
	score_inputs_free(in);
	free(data);
	error_clear(&err);
	return ret;
}

void score_inputs_free(struct score_inputs *in)
{
	size_t i;

	if (!in)
		return;
	for (i = 0; i < in->n; i++) {
		free(in->v[i].unit);
		free(in->v[i].component);
	}
	free(in->v);
	free(in->file);
	free(in);
}

/* ---- components from rating sheets (source forms) ------------------------ */

struct fc_pass {
	struct run *r;
	size_t comp, level;
	struct loaded_form *forms;
	size_t n_forms;
	int node[2]; /* scratch */
};

static void fc_add(struct run *r, size_t comp, size_t level, const char *unit, double v)
{
	size_t i;

	for (i = 0; i < r->n_fc; i++)
		if (r->fc[i].comp == comp && r->fc[i].level == level && !strcmp(r->fc[i].unit, unit))
			break;
	if (i == r->n_fc) {
		XGROW(r->fc, r->cap_fc, r->n_fc + 1);
		memset(&r->fc[i], 0, sizeof(r->fc[i]));
		r->fc[i].comp = comp;
		r->fc[i].level = level;
		r->fc[i].unit = xstrdup(unit);
		r->n_fc++;
	}
	r->fc[i].sum += v;
	r->fc[i].n++;
}

/* One rating sheet: its unit and value, computed by the engine. */
static int on_sheet(void *ctx, const struct store_record *rec)
{
	struct fc_pass *fp = ctx;
	struct run *r = fp->r;
	const struct profile_component *c = profile_component(r->p, fp->comp);
	struct loaded_form *lf = NULL;
	struct interview_opts io = {0};
	struct interview *iv = NULL;
	struct error e = ERROR_INIT;
	const char *unit = NULL, *val = NULL;
	size_t i, v, skipped;
	double d;

	for (i = 0; i < fp->n_forms; i++)
		if (!strcmp(fp->forms[i].hash, rec->iv.form_hash))
			lf = &fp->forms[i];
	if (!lf)
		return 0;
	XGROW(r->ain, r->cap_ain, rec->n_answers + 1);
	for (i = v = 0; i < rec->n_answers; i++) {
		const struct store_answer *a = &rec->answers[i];

		if (!path_needed(lf, a->path))
			continue;
		r->ain[v].path = a->path;
		r->ain[v].value = a->value;
		r->ain[v].special = a->special == STORE_SPECIAL_DONT_KNOW ? IV_DONT_KNOW
				    : a->special == STORE_SPECIAL_REFUSED ? IV_REFUSED
									  : IV_SPECIAL_NONE;
		v++;
	}
	io.only = lf->needed;
	if (interview_new_restored(lf->f, &io, r->ain, v, &skipped, &iv, &e) < 0) {
		diag_add_error(r->dl, DIAG_ERROR, &e);
		error_clear(&e);
		r->failed = 1;
		return -1;
	}
	if (interview_get(iv, c->unit_field, &unit, NULL) < 0)
		unit = NULL;
	if (interview_get(iv, c->value, &val, NULL) < 0)
		val = NULL;
	d = val ? expr_parse_number(val) : NAN;
	if (unit && *unit && isfinite(d))
		fc_add(r, fp->comp, fp->level, unit, d);
	else
		diag_add(r->dl, DIAG_WARNING, rec->iv.uuid,
			 "评分表（%s）没有 '%s' 或 '%s'：不计入 '%s'",
			 "rating sheet (%s) without '%s' or '%s': not counted in '%s'",
			 c->forms[fp->level], c->unit_field, c->value, c->name);
	interview_free(iv);
	return 0;
}

/* Reads the stored sheets of every source-forms component. */
static int read_form_components(struct run *r)
{
	const struct profile *p = r->p;
	struct store_form_info *fi = NULL;
	struct error err = ERROR_INIT;
	size_t n = 0, ci, lv, i;
	int ret = 0;

	for (ci = 0; ci < profile_component_count(p) && !ret; ci++) {
		const struct profile_component *c = profile_component(p, ci);

		if (c->source != PROFILE_SRC_FORMS)
			continue;
		if (!fi && store_form_list(r->s, &fi, &n, &err) < 0) {
			diag_add_error(r->dl, DIAG_ERROR, &err);
			ret = -1;
			break;
		}
		for (lv = 0; lv < c->n_forms && !ret; lv++) {
			struct fc_pass fp;
			struct store_record_filter f = {0};

			memset(&fp, 0, sizeof(fp));
			fp.r = r;
			fp.comp = ci;
			fp.level = lv;
			for (i = 0; i < n && !ret; i++) {
				struct loaded_form *lf;
				struct form *fm = NULL;

				if (strcmp(fi[i].form_id, c->forms[lv]))
					continue;
				if (store_form_load(r->s, fi[i].hash, fi[i].hash, &fm, r->dl, &err) < 0) {
					if (err.code != STORE_E_INVALID)
						diag_add_error(r->dl, DIAG_ERROR, &err);
					ret = -1;
					break;
				}
				fp.node[0] = form_find(fm, c->value);
				fp.node[1] = form_find(fm, c->unit_field);
				if (fp.node[0] < 0 || fp.node[1] < 0 ||
				    form_node(fm, (size_t)fp.node[0])->repeat >= 0 ||
				    form_node(fm, (size_t)fp.node[1])->repeat >= 0) {
					struct strbuf w = STRBUF_INIT;

					strbuf_addf(&w, "%s:composite:%d", profile_file(p), c->row);
					diag_add(r->dl, DIAG_ERROR, w.buf,
						 "问卷 '%s' 没有（重复组之外的）'%s' 或 '%s'",
						 "form '%s' has no '%s' or '%s' (outside repeats)",
						 c->forms[lv], c->value, c->unit_field);
					strbuf_release(&w);
					form_free(fm);
					ret = -1;
					break;
				}
				fp.forms = xrealloc(fp.forms, (fp.n_forms + 1) * sizeof(*fp.forms));
				lf = &fp.forms[fp.n_forms++];
				memset(lf, 0, sizeof(*lf));
				lf->hash = xstrdup(fi[i].hash);
				lf->f = fm;
				lf->needed = needed_nodes(fm, fp.node, 2);
			}
			f.form_id = c->forms[lv];
			f.statuses = r->o && r->o->statuses
					     ? r->o->statuses
					     : STORE_STATUS_BIT(STORE_COMPLETED) |
						       STORE_STATUS_BIT(STORE_APPROVED);
			if (!ret && fp.n_forms &&
			    store_records_answers_each(r->s, &f, on_sheet, &fp, &err) < 0) {
				diag_add_error(r->dl, DIAG_ERROR, &err);
				ret = -1;
			}
			if (r->failed)
				ret = -1;
			for (i = 0; i < fp.n_forms; i++) {
				free(fp.forms[i].hash);
				form_free(fp.forms[i].f);
				free(fp.forms[i].needed);
			}
			free(fp.forms);
		}
	}
	store_form_info_free(fi, n);
	error_clear(&err);
	return ret;
}

/* A source-forms component of a unit: the mean over the forms (levels) that
 * have sheets for it of each form's mean value; NaN when none has. */
static double form_component(const struct run *r, size_t comp, const char *unit, size_t *sheets)
{
	double sum = 0;
	size_t i, levels = 0;

	*sheets = 0;
	for (i = 0; i < r->n_fc; i++)
		if (r->fc[i].comp == comp && !strcmp(r->fc[i].unit, unit)) {
			sum += r->fc[i].sum / (double)r->fc[i].n;
			levels++;
			*sheets += r->fc[i].n;
		}
	return levels ? sum / (double)levels : NAN;
}

static struct score_input *find_input(const struct score_inputs *in, const char *unit,
				      const char *comp)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		if (!strcmp(in->v[i].unit, unit) && !strcmp(in->v[i].component, comp))
			return &in->v[i];
	return NULL;
}

static double input_value(const struct score_inputs *in, const char *unit, const char *comp)
{
	const struct score_input *v = find_input(in, unit, comp);

	return v ? v->score : NAN;
}

static double unit_composite(struct run *r, struct score_inputs *in, const char *name,
			     bool parent, double field100, double mean)
{
	const struct profile *p = r->p;
	size_t i;
	double sum = 0;
	bool missing = false;

	for (i = 0; i < profile_component_count(p); i++) {
		const struct profile_component *c = profile_component(p, i);
		struct score_input *v;

		if (c->parent != parent)
			continue;
		switch (c->source) {
		case PROFILE_SRC_FIELD:
			sum += c->weight * field100;
			break;
		case PROFILE_SRC_MEAN:
			sum += c->weight * mean;
			break;
		case PROFILE_SRC_FORMS: {
			size_t sheets;
			double fv = form_component(r, i, name, &sheets);

			if (isnan(fv)) {
				diag_add(r->dl, DIAG_ERROR, name,
					 "单位 '%s' 没有评分表（%s）：无法计算 '%s'",
					 "unit '%s' has no rating sheet (%s): no '%s' score", name,
					 c->forms[0], c->name);
				r->failed = 1;
				missing = true; /* the other components still mark their inputs used */
				break;
			}
			sum += c->weight * fv;
			break;
		}
		case PROFILE_SRC_INPUT:
			v = find_input(in, name, c->name);
			if (!v) {
				diag_add(r->dl, DIAG_ERROR, in->file,
					 "%s '%s' 没有 '%s' 的分数（没有相关工作任务的按满分填 100）",
					 "%s '%s' has no '%s' score (write 100 where there was no task)",
					 parent ? "parent" : "unit", name, c->name);
				r->failed = 1;
				return NAN;
			}
			v->used = true;
			sum += c->weight * v->score;
			break;
		}
	}
	return missing ? NAN : sum;
}

/* Composites of every unit and parent when the profile has a composite and
 * inputs were given; a warning when it has one and none were. */
static int composite(struct run *r, struct score_result *res)
{
	static char none[] = "--inputs";
	static struct score_inputs no_inputs = {none, NULL, 0, 0};
	const struct profile *p = r->p;
	struct score_inputs *in = r->o ? r->o->inputs : NULL;
	double full = profile_max_points(p);
	bool has_parent = false;
	size_t i, j;

	if (!profile_component_count(p)) {
		if (in && in->n)
			diag_add(r->dl, DIAG_ERROR, in->file, "配置文件没有 composite 表：不需要 --inputs",
				 "the profile has no composite sheet: --inputs is not used");
		return in && in->n ? -1 : 0;
	}
	if (!in) {
		for (i = 0; i < profile_component_count(p); i++)
			if (profile_component(p, i)->source == PROFILE_SRC_INPUT &&
			    profile_component(p, i)->weight > 0)
				break;
		if (i < profile_component_count(p)) {
			diag_add(r->dl, DIAG_WARNING, profile_file(p),
				 "没有 --inputs：不计算综合得分，按实地评估得分评定等次",
				 "no --inputs: no composite score; grades come from the field score");
			return 0;
		}
		in = &no_inputs; /* every component comes from the database */
	}
	for (i = 0; i < profile_component_count(p); i++)
		if (profile_component(p, i)->parent)
			has_parent = true;
	for (i = 0; i < res->n_units; i++) {
		struct score_unit *u = &res->units[i];

		u->composite = unit_composite(r, in, u->unit, false, u->field * 100 / full, NAN);
	}
	if (has_parent) {
		for (i = 0; i < res->n_units; i++) {
			struct score_unit *u = &res->units[i], *pu = NULL;

			if (!*u->parent) {
				diag_add(r->dl, DIAG_ERROR, u->unit, "没有 '%s'：无法计入上级单位",
					 "no '%s': cannot count in a parent unit",
					 profile_setting(p, "parent_column"));
				r->failed = 1;
				continue;
			}
			for (j = 0; j < res->n_parents; j++)
				if (!strcmp(res->parents[j].unit, u->parent))
					pu = &res->parents[j];
			if (!pu) {
				res->parents = xrealloc(res->parents,
							(res->n_parents + 1) * sizeof(*res->parents));
				pu = &res->parents[res->n_parents++];
				memset(pu, 0, sizeof(*pu));
				pu->unit = xstrdup(u->parent);
				pu->group = xstrdup("");
				pu->parent = xstrdup("");
				pu->field = 0; /* the sum of its units' composites, for the mean */
			}
			pu->n += u->n;
			pu->field += u->composite;
			pu->rank++; /* units counted; replaced by the rank later */
		}
		for (j = 0; j < res->n_parents; j++) {
			struct score_unit *pu = &res->parents[j];
			double mean = pu->field / (double)pu->rank;

			pu->field = mean;
			pu->rank = 0;
			pu->composite = unit_composite(r, in, pu->unit, true, NAN, mean);
		}
	}
	for (i = 0; i < in->n; i++)
		if (!in->v[i].used) {
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "%s:%zu", in->file, in->v[i].line);
			diag_add(r->dl, DIAG_ERROR, w.buf, "未知的单位 '%s'（没有访谈，或不是本配置文件的单位）",
				 "unknown unit '%s' (no interviews, or not a unit of this profile)",
				 in->v[i].unit);
			strbuf_release(&w);
			r->failed = 1;
		}
	return r->failed ? -1 : 0;
}

/*
 * Grades by shares of each ranked group: with n units in a group and c_g the
 * cumulated share of grade g and the better ones, the units at positions
 * [round(c_{g-1} n), round(c_g n)) get g (round half up); a unit tied with
 * the one before it gets that one's grade (ties go to the better grade).
 * Sorts the units as rank_units does.
 */
static void share_grades(const struct profile *p, struct score_unit *units, size_t n)
{
	size_t i, start = 0, ng = profile_grade_count(p);

	if (!n)
		return;
	qsort(units, n, sizeof(*units), cmp_unit_score);
	for (i = 0; i < n; i++) {
		struct score_unit *u = &units[i];
		size_t size, g, pos;
		double cum = 0;

		if (!i || strcmp(u->group, u[-1].group))
			start = i;
		for (size = 0; start + size < n && !strcmp(units[start + size].group, u->group);)
			size++;
		pos = i - start;
		if (pos && basis(u) == basis(&u[-1])) {
			u->band_grade = u[-1].band_grade;
			continue;
		}
		for (g = 0; g < ng; g++) {
			cum += profile_grade(p, g)->share;
			if ((double)pos < floor(cum * (double)size + 0.5 + EPS))
				break;
		}
		u->band_grade = g < ng ? g : ng - 1;
	}
}

int score_run(struct store *s, const struct profile *p, const struct score_opts *o,
	      struct score_result **out, struct diag_list *dl)
{
	struct run r;
	struct error err = ERROR_INIT;
	struct store_record_filter f = {0};
	struct score_result *res = NULL;
	const char **cols = NULL;
	size_t n_cols = 0, i, k, errors = dl->errors;
	int ret = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.p = p;
	r.o = o;
	r.dl = dl;
	r.n_params = profile_param_count(p);
	r.n_vars = profile_var_count(p);
	r.n_ind = profile_indicator_count(p);
	r.pstr = xcalloc(r.n_params ? r.n_params : 1, sizeof(*r.pstr));
	for (i = 0; i < r.n_params; i++)
		fmt_num(r.pstr[i], sizeof(r.pstr[i]), profile_param_value(p, i));
	r.cur = xcalloc(r.n_vars ? r.n_vars : 1, sizeof(char *));
	r.dim_off = xcalloc(r.n_ind, sizeof(size_t));
	for (i = 0; i < r.n_ind; i++) {
		r.dim_off[i] = r.n_dep;
		r.n_dep += profile_indicator(p, i)->n_dims;
	}
	r.scratch = expr_scratch_new();

	if (read_sample(&r, &cols, &n_cols, &err) < 0) {
		diag_add_error(dl, DIAG_ERROR, &err);
		goto done;
	}
	if (load_forms(&r, cols, n_cols) < 0)
		goto done;
	f.form_id = profile_setting(p, "form_id");
	f.statuses = o && o->statuses ? o->statuses
				      : STORE_STATUS_BIT(STORE_COMPLETED) |
						STORE_STATUS_BIT(STORE_APPROVED);
	if (store_records_answers_each(s, &f, on_record, &r, &err) < 0 || r.failed ||
	    dl->errors > errors) {
		if (error_isset(&err))
			diag_add_error(dl, DIAG_ERROR, &err);
		goto done;
	}
	if (!r.n_rows) {
		diag_add(dl, DIAG_ERROR, store_path(s), "没有符合状态条件的 '%s' 访谈",
			 "no '%s' interview with the statuses asked for", f.form_id);
		goto done;
	}
	qsort(r.rows, r.n_rows, sizeof(*r.rows), cmp_row);
	/* one household, one interview: the latest kept (rows sorted so) */
	for (i = k = 0; i < r.n_rows; i++) {
		if (k && !strcmp(r.rows[k - 1].key, r.rows[i].key) &&
		    !strcmp(r.rows[k - 1].unit, r.rows[i].unit)) {
			diag_add(dl, DIAG_WARNING, r.rows[i].key,
				 "该户有多份访谈：只计最近更新的 %s，不计 %s",
				 "several interviews of this household: %s (latest) counts, not %s",
				 r.rows[k - 1].uuid, r.rows[i].uuid);
			row_free(&r.rows[i], r.n_vars);
			continue;
		}
		if (!*r.rows[i].unit) {
			diag_add(dl, DIAG_WARNING, r.rows[i].key, "没有 '%s'：不计入任何单位",
				 "no '%s': counted in no unit", profile_setting(p, "unit_column"));
			row_free(&r.rows[i], r.n_vars);
			continue;
		}
		r.rows[k++] = r.rows[i];
	}
	r.n_rows = k;

	res = xcalloc(1, sizeof(*res));
	res->n_indicators = r.n_ind;
	res->n_vars = r.n_vars;
	res->n_interviews = r.n_interviews;
	for (i = 0; i < r.n_rows; i = k) {
		struct score_unit *u;

		for (k = i + 1; k < r.n_rows && !strcmp(r.rows[k].unit, r.rows[i].unit); k++)
			if (strcmp(r.rows[k].group, r.rows[i].group))
				diag_add(dl, DIAG_WARNING, r.rows[k].key,
					 "单位 '%s' 的户分属不同的组（'%s' 与 '%s'）：按第一户的组",
					 "unit '%s' has households in different groups ('%s', '%s'): "
					 "the first one's is used",
					 r.rows[i].unit, r.rows[i].group, r.rows[k].group);
		res->units = xrealloc(res->units, (res->n_units + 1) * sizeof(*res->units));
		u = &res->units[res->n_units++];
		memset(u, 0, sizeof(*u));
		u->unit = xstrdup(r.rows[i].unit);
		u->group = xstrdup(r.rows[i].group);
		if (profile_has_group_sheet(p) && !profile_unit_group(p, u->unit)) {
			diag_add(dl, DIAG_ERROR, u->unit,
				 "单位 '%s' 不在配置文件 groups 表的任何组中",
				 "unit '%s' is in no group of the profile's sheet groups", u->unit);
			r.failed = 1;
		}
		u->parent = xstrdup(r.rows[i].parent);
		u->composite = NAN;
		aggregate(&r, r.rows + i, k - i, u);
		flag_unit(&r, r.rows + i, k - i, u);
		if (u->small)
			diag_add(dl, DIAG_WARNING, u->unit, "样本 %zu 户，少于配置文件要求的 %g 户",
				 "sample of %zu households, below the profile's minimum of %g", u->n,
				 profile_min_sample_of(p, u->unit, u->group));
		for (size_t c = 0; c < r.n_ind; c++)
			if (u->cells[c].band_outside)
				diag_add(dl, DIAG_WARNING, u->unit,
					 "指标 '%s' 的值不在任何分数区间里：记 0 分",
					 "indicator '%s': the value is in no point band: 0 points",
					 profile_indicator(p, c)->id);
		if (o && o->explain_unit && !strcmp(o->explain_unit, u->unit)) {
			size_t j;

			res->households = xcalloc(k - i, sizeof(*res->households));
			for (j = i; j < k; j++) {
				struct score_household *h = &res->households[res->n_households++];
				struct row *w = &r.rows[j];

				h->household_key = w->key;
				h->uuid = w->uuid;
				h->vals = w->vals;
				h->behind = w->behind;
				h->in_pop = xcalloc(r.n_ind, sizeof(bool));
				h->problem = xcalloc(r.n_ind, sizeof(bool));
				for (size_t c = 0; c < r.n_ind; c++) {
					h->in_pop[c] = w->in_pop[c];
					h->problem[c] = w->problem[c];
				}
				h->value = w->value;
				w->key = w->uuid = NULL;
				w->vals = NULL;
				w->behind = NULL;
				w->value = NULL;
			}
		}
	}
	if (read_form_components(&r) < 0 || composite(&r, res) < 0)
		goto done;
	if (profile_grades_by_share(p)) {
		share_grades(p, res->units, res->n_units);
		share_grades(p, res->parents, res->n_parents);
	}
	for (i = 0; i < res->n_units; i++)
		grade_unit(&r, &res->units[i]);
	for (i = 0; i < res->n_parents; i++)
		grade_unit(&r, &res->parents[i]);
	if (r.failed)
		goto done;
	rank_units(res->units, res->n_units);
	rank_units(res->parents, res->n_parents);
	*out = res;
	res = NULL;
	ret = 0;
done:
	score_result_free(res);
	for (i = 0; i < r.n_rows; i++)
		row_free(&r.rows[i], r.n_vars);
	free(r.rows);
	for (i = 0; i < r.n_forms; i++) {
		free(r.forms[i].hash);
		form_free(r.forms[i].f);
		free(r.forms[i].node);
		free(r.forms[i].needed);
	}
	free(r.forms);
	for (i = 0; i < r.n_arows; i++)
		store_fields_free(r.hs[i].pre, r.hs[i].n_pre);
	free(r.hs);
	free(r.ain);
	for (i = 0; i < r.n_fc; i++)
		free(r.fc[i].unit);
	free(r.fc);
	store_assignment_rows_free(r.arows, r.n_arows);
	free(cols);
	free(r.pstr);
	free(r.cur);
	free(r.dim_off);
	expr_scratch_free(r.scratch);
	error_clear(&err);
	return ret;
}

void score_result_free(struct score_result *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->n_units; i++) {
		struct score_unit *u = &r->units[i];

		for (j = 0; j < r->n_indicators; j++) {
			free(u->cells[j].af.contrib);
			free(u->cells[j].af.censored);
		}
		free(u->cells);
		free(u->unit);
		free(u->group);
		free(u->parent);
		free(u->veto);
		for (j = 0; j < u->n_flagged; j++)
			free(u->flagged[j].level);
		free(u->flagged);
	}
	free(r->units);
	for (i = 0; i < r->n_parents; i++) {
		free(r->parents[i].unit);
		free(r->parents[i].group);
		free(r->parents[i].parent);
	}
	free(r->parents);
	for (i = 0; i < r->n_households; i++) {
		struct score_household *h = &r->households[i];

		free(h->household_key);
		free(h->uuid);
		free(h->in_pop);
		free(h->problem);
		free(h->value);
		if (h->vals)
			for (j = 0; j < r->n_vars; j++)
				free(h->vals[j]);
		free(h->vals);
		if (h->behind)
			for (j = 0; j < r->n_vars; j++)
				free(h->behind[j]);
		free(h->behind);
	}
	free(r->households);
	free(r);
}

const struct score_unit *score_result_unit(const struct score_result *r, const char *unit)
{
	size_t i;

	for (i = 0; i < r->n_units; i++)
		if (!strcmp(r->units[i].unit, unit))
			return &r->units[i];
	return NULL;
}
