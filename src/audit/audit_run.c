/*
 * audit_run — one audit of a team database: bind the rules to the stored
 * forms, evaluate them interview by interview in one pass over
 * store_records_each, then the paradata and batch passes, mark what is new
 * since an earlier run, summarise, and record the run.
 *
 * Evaluation. Each record is replayed into the interview engine
 * (interview_new + interview_restore, as a resumed session does), so a rule
 * sees calculations exactly as the form computes them and a non-relevant
 * field reads as "". The rule's expression is evaluated over a small host of
 * our own (below): node = kind | instance | index, where kind is a field
 * answer, a roster instance, a param or a sample column. A roster rule is
 * evaluated once per instance of its repeat with that instance as context,
 * so ${m_age} is that member's age while ${hh_size} is the household's.
 *
 * Invariants: nothing is written unless every rule compiled against the
 * newest stored version of its form; findings are unique by (check,
 * interview, path) within a run.
 */
#include "audit_impl.h"

#include "ruhu/expr.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const std_cols[] = {"household_key", "county", "township", "village",
				       "household_type", "head_name", "enumerator", "device"};
#define N_STD 8

enum { K_FIELD = 1, K_INST = 2, K_PARAM = 3, K_SAMPLE = 4, K_ROOT = 5 };
#define NODE(k, inst, idx) (((expr_node)(k) << 56) | ((expr_node)(inst) << 24) | (expr_node)(idx))
#define N_KIND(n) ((int)((n) >> 56))
#define N_INST(n) ((int)(((n) >> 24) & 0xffffffffu))
#define N_IDX(n) ((int)((n) & 0xffffff))

struct sample_hh {
	const char *key;
	const char **v; /* per sample column */
	struct store_field *pre;
	size_t n_pre;
};

/* One stored form version with the rules bound to it. */
struct bound {
	struct form *f;
	const char *hash, *form_id;
	bool newest;
	bool needed;     /* some rule or batch field reads its interviews' answers */
	struct expr **e; /* per check; NULL when the check does not run on it */
	int *rep;        /* per check: roster scope's repeat node, or -1 */
	int *field, *group; /* per batch check: node, or -(2 + sample column), or -1 */
};

struct run {
	struct audit_ctx c;
	const struct audit_opts *o;
	struct store_assignment_row *arows;
	size_t n_arows;
	struct sample_hh *hh; /* sorted by key */
	const char **cols;    /* sample column names */
	size_t n_cols, cap_cols;
	char **own; /* column names made up while compiling (no sample loaded) */
	size_t n_own, cap_own;
	struct store_form_info *fi;
	size_t n_fi;
	struct bound *b;
	size_t n_b;
	/* the host's state for the record being evaluated */
	const struct bound *cur;
	struct interview *iv;
	const struct sample_hh *cur_hh;
	struct strbuf path;
	struct expr_scratch *scratch;
	size_t eval_errors;
};

/* ---- the host ------------------------------------------------------------ */

static const char *field_path(struct run *r, int idx, int inst)
{
	const struct form_node *nd = form_node(r->cur->f, (size_t)idx);

	strbuf_reset(&r->path);
	if (nd->repeat >= 0 && nd->repeat != idx && inst > 0)
		strbuf_addf(&r->path, "%s[%d]/", form_node(r->cur->f, (size_t)nd->repeat)->name,
			    inst);
	strbuf_addstr(&r->path, nd->name);
	return r->path.buf;
}

static int h_resolve(void *ud, int field, const char *name, expr_node from, expr_node *out,
		     size_t cap)
{
	struct run *r = ud;
	size_t nf = form_node_count(r->cur->f), np = r->c.r->n_params;
	const struct form_node *nd;
	int rep, from_rep = -1, from_inst = 0, count, i;

	(void)name;
	if (field < 0)
		return -1;
	if ((size_t)field >= nf + np) {
		if (cap)
			out[0] = NODE(K_SAMPLE, 0, (size_t)field - nf - np);
		return 1;
	}
	if ((size_t)field >= nf) {
		if (cap)
			out[0] = NODE(K_PARAM, 0, (size_t)field - nf);
		return 1;
	}
	nd = form_node(r->cur->f, (size_t)field);
	if (N_KIND(from) == K_INST) {
		from_rep = N_IDX(from);
		from_inst = N_INST(from);
	} else if (N_KIND(from) == K_FIELD && N_INST(from) > 0) {
		from_rep = form_node(r->cur->f, (size_t)N_IDX(from))->repeat;
		from_inst = N_INST(from);
	}
	if (nd->repeat < 0) {
		if (cap)
			out[0] = NODE(K_FIELD, 0, field);
		return 1;
	}
	rep = nd->repeat;
	if (rep != field && rep == from_rep) {
		if (cap)
			out[0] = NODE(K_FIELD, from_inst, field);
		return 1;
	}
	count = interview_repeat_count(r->iv, form_node(r->cur->f, (size_t)rep)->name);
	if (count < 0)
		return -1;
	for (i = 0; i < count && (size_t)i < cap; i++)
		out[i] = rep == field ? NODE(K_INST, i + 1, rep) : NODE(K_FIELD, i + 1, field);
	return count;
}

static const char *h_value(void *ud, expr_node n)
{
	struct run *r = ud;
	const char *v = NULL, *p;

	switch (N_KIND(n)) {
	case K_PARAM:
		return r->c.r->params[N_IDX(n)].str;
	case K_SAMPLE:
		return r->cur_hh ? r->cur_hh->v[N_IDX(n)] : "";
	case K_FIELD:
		p = field_path(r, N_IDX(n), N_INST(n));
		if (interview_get(r->iv, p, &v, NULL) < 0 || !v)
			return "";
		if (!interview_relevant(r->iv, p))
			return "";
		return v;
	default:
		return "";
	}
}

static int h_parent(void *ud, expr_node n, expr_node *out)
{
	struct run *r = ud;

	switch (N_KIND(n)) {
	case K_INST:
		*out = NODE(K_ROOT, 0, 0);
		return 0;
	case K_FIELD:
		if (N_INST(n) > 0) {
			*out = NODE(K_INST, N_INST(n),
				    form_node(r->cur->f, (size_t)N_IDX(n))->repeat);
			return 0;
		}
		*out = NODE(K_ROOT, 0, 0);
		return 0;
	default:
		return -1;
	}
}

static int h_position(void *ud, expr_node n)
{
	(void)ud;
	return N_KIND(n) == K_INST ? N_INST(n) : 1;
}

static const struct expr_host host_tmpl = {
	.resolve = h_resolve,
	.value = h_value,
	.parent = h_parent,
	.position = h_position,
};

/* ---- binding rules to forms ------------------------------------------------ */

struct scope_ud {
	struct run *r;
	const struct form *f;
	int bad_nested; /* a name in a nested repeat: its node, else -1 */
};

static int sample_col(const struct run *r, const char *name)
{
	size_t k;

	for (k = 0; k < r->n_cols; k++)
		if (!strcmp(r->cols[k], name))
			return (int)k;
	return -1;
}

static int scope_field(void *ud, const char *name)
{
	struct scope_ud *u = ud;
	const struct audit_rules *rules = u->r->c.r;
	size_t nf = form_node_count(u->f);
	int k = form_find(u->f, name);

	if (k >= 0) {
		const struct form_node *nd = form_node(u->f, (size_t)k);

		if (nd->type == FORM_GROUP || nd->type == FORM_NOTE)
			return -1;
		if (nd->repeat >= 0 && form_node(u->f, (size_t)nd->repeat)->parent >= 0 &&
		    form_node(u->f, (size_t)form_node(u->f, (size_t)nd->repeat)->parent)->repeat >=
			    0) {
			u->bad_nested = k;
			return -1;
		}
		return k;
	}
	k = audit_param(rules, name, NULL);
	if (k >= 0)
		return (int)nf + k;
	if (!strncmp(name, "sample_", 7) && (k = sample_col(u->r, name + 7)) >= 0)
		return (int)(nf + rules->n_params) + k;
	if (!strncmp(name, "sample_", 7) && name[7] && !u->r->n_arows) {
		/* no sample loaded at all: nothing to check the name against, and
		 * every sample column reads "" (a typo shows once there is one) */
		XGROW(u->r->own, u->r->cap_own, u->r->n_own + 1);
		u->r->own[u->r->n_own] = xstrdup(name + 7);
		XGROW(u->r->cols, u->r->cap_cols, u->r->n_cols + 1);
		u->r->cols[u->r->n_cols] = u->r->own[u->r->n_own++];
		return (int)(nf + rules->n_params + u->r->n_cols++);
	}
	return -1;
}

/* A batch field/group name: node index, -(2 + sample column), or -1 (unknown;
 * "" gives -1 too). */
static int batch_name(struct run *r, const struct form *f, const char *name)
{
	int k;

	if (!*name)
		return -1;
	k = form_find(f, name);
	if (k >= 0 && form_node(f, (size_t)k)->repeat < 0 &&
	    form_node(f, (size_t)k)->type != FORM_GROUP && form_node(f, (size_t)k)->type != FORM_NOTE)
		return k;
	if (!strncmp(name, "sample_", 7) && (k = sample_col(r, name + 7)) >= 0)
		return -(2 + k);
	return -1;
}

static void where_row(struct strbuf *w, const struct audit_rules *rules,
		      const struct audit_check_priv *c)
{
	strbuf_reset(w);
	strbuf_addf(w, "%s:%s:%d", rules->file,
		    c->pub.kind == AUDIT_RULE	    ? "rules"
		    : c->pub.kind == AUDIT_PARADATA ? "paradata"
						    : "batch",
		    c->pub.row);
}

/* Compiles every check of form b->form_id against b->f. On the newest version
 * a problem is an error; on an older one a warning, and the check is left
 * out for that version. */
static void bind_form(struct run *r, struct bound *b)
{
	const struct audit_rules *rules = r->c.r;
	struct strbuf w = STRBUF_INIT;
	size_t i;

	b->e = xcalloc(rules->n_checks + 1, sizeof(*b->e));
	b->rep = xcalloc(rules->n_checks + 1, sizeof(*b->rep));
	b->field = xcalloc(rules->n_checks + 1, sizeof(*b->field));
	b->group = xcalloc(rules->n_checks + 1, sizeof(*b->group));
	for (i = 0; i < rules->n_checks; i++) {
		const struct audit_check_priv *c = &rules->checks[i];
		enum diag_severity sev = b->newest ? DIAG_ERROR : DIAG_WARNING;
		struct scope_ud u = {r, b->f, -1};
		struct expr_scope sc = {&u, scope_field, NULL};
		struct error e = ERROR_INIT;

		b->rep[i] = b->field[i] = b->group[i] = -1;
		if (*c->pub.form && strcmp(c->pub.form, b->form_id))
			continue;
		where_row(&w, rules, c);
		if (c->pub.kind == AUDIT_BATCH) {
			b->field[i] = batch_name(r, b->f, c->field);
			b->group[i] = batch_name(r, b->f, c->group);
			if (*c->field && b->field[i] == -1)
				diag_add(r->c.dl, sev, w.buf,
					 "问卷 '%s'（%s）没有顶层字段 '%s'，样本也没有该列",
					 "form '%s' (%s) has no top-level field '%s' and the sample no "
					 "such column",
					 b->form_id, b->hash, c->field);
			if (*c->group && b->group[i] == -1)
				diag_add(r->c.dl, sev, w.buf,
					 "问卷 '%s'（%s）没有顶层字段 '%s'（group），样本也没有该列",
					 "form '%s' (%s) has no top-level field '%s' (group) and the "
					 "sample no such column",
					 b->form_id, b->hash, c->group);
			continue;
		}
		if (c->pub.kind != AUDIT_RULE)
			continue;
		if (strcmp(c->pub.scope, "interview")) {
			int k = form_find(b->f, c->pub.scope);

			if (k < 0 || form_node(b->f, (size_t)k)->type != FORM_REPEAT ||
			    form_node(b->f, (size_t)k)->depth < 0 ||
			    (form_node(b->f, (size_t)k)->parent >= 0 &&
			     form_node(b->f, (size_t)form_node(b->f, (size_t)k)->parent)->repeat >=
				     0)) {
				diag_add(r->c.dl, sev, w.buf,
					 "范围 '%s' 不是问卷 '%s' 的顶层重复组：应为 interview 或一个花名册",
					 "scope '%s' is not a top-level repeat of form '%s': use "
					 "interview or a roster",
					 c->pub.scope, b->form_id);
				continue;
			}
			b->rep[i] = k;
		}
		if (expr_compile(c->pub.what, &sc, &b->e[i], &e) < 0) {
			if (u.bad_nested >= 0)
				diag_add(r->c.dl, sev, w.buf,
					 "字段 '%s' 在嵌套的重复组中，审核规则不支持",
					 "field '%s' is in a nested repeat, which audit rules do not "
					 "support",
					 form_node(b->f, (size_t)u.bad_nested)->name);
			else
			{
				char zh[160], en[160];

				snprintf(zh, sizeof(zh), "问卷 '%s'：表达式第 %d 列：", b->form_id, e.code);
				snprintf(en, sizeof(en), "form '%s': expression column %d: ", b->form_id,
					 e.code);
				audit_diag_wrap(r->c.dl, sev, w.buf, zh, en, &e);
			}
			b->e[i] = NULL;
		}
		error_clear(&e);
	}
	for (i = 0; i < rules->n_checks; i++)
		if (b->e[i] || b->field[i] != -1 || b->group[i] != -1)
			b->needed = true;
	strbuf_release(&w);
}

static int cmp_hh(const void *a, const void *b)
{
	return strcmp(((const struct sample_hh *)a)->key, ((const struct sample_hh *)b)->key);
}

static const struct sample_hh *find_hh(const struct run *r, const char *key)
{
	struct sample_hh k;

	if (!key || !r->n_arows)
		return NULL;
	k.key = key;
	return bsearch(&k, r->hh, r->n_arows, sizeof(*r->hh), cmp_hh);
}

static int read_sample(struct run *r, struct error *err)
{
	size_t i, j, k;

	if (store_assignment_list(r->c.s, NULL, &r->arows, &r->n_arows, err) < 0)
		return -1;
	r->cap_cols = N_STD;
	r->cols = xmalloc(r->cap_cols * sizeof(*r->cols));
	for (k = 0; k < N_STD; k++)
		r->cols[k] = std_cols[k];
	r->n_cols = N_STD;
	r->hh = xcalloc(r->n_arows + 1, sizeof(*r->hh));
	for (i = 0; i < r->n_arows; i++) {
		struct sample_hh *h = &r->hh[i];

		h->key = r->arows[i].household_key;
		if (store_assignment_preload(r->c.s, h->key, &h->pre, &h->n_pre, err) < 0)
			return -1;
		for (j = 0; j < h->n_pre; j++)
			if (sample_col(r, h->pre[j].name) < 0) {
				XGROW(r->cols, r->cap_cols, r->n_cols + 1);
				r->cols[r->n_cols++] = h->pre[j].name;
			}
	}
	for (i = 0; i < r->n_arows; i++) {
		struct sample_hh *h = &r->hh[i];
		const struct store_assignment_row *a = &r->arows[i];
		const char *sv[N_STD] = {a->household_key, a->county,	  a->township,
					 a->village,	   a->household_type, a->head_name,
					 a->enumerator,	   a->device};

		h->v = xcalloc(r->n_cols, sizeof(*h->v));
		for (k = 0; k < r->n_cols; k++)
			h->v[k] = "";
		for (k = 0; k < N_STD; k++)
			h->v[k] = sv[k] ? sv[k] : "";
		for (j = 0; j < h->n_pre; j++)
			h->v[sample_col(r, h->pre[j].name)] = h->pre[j].value ? h->pre[j].value : "";
	}
	audit_qsort(r->hh, r->n_arows, sizeof(*r->hh), cmp_hh);
	return 0;
}

static int load_forms(struct run *r, struct error *err)
{
	size_t i, j;

	if (store_form_list(r->c.s, &r->fi, &r->n_fi, err) < 0)
		return -1;
	r->b = xcalloc(r->n_fi + 1, sizeof(*r->b));
	for (i = 0; i < r->n_fi; i++) {
		struct diag_list fdl = DIAG_LIST_INIT;
		struct bound *b = &r->b[r->n_b];
		int rc;

		/* with its attached files (select_one_from_file lists, pulldata) */
		rc = store_form_load(r->c.s, r->fi[i].hash, r->fi[i].form_id, &b->f, &fdl, err);
		diag_list_free(&fdl);
		if (rc == -STORE_E_INVALID) {
			/* a stored form that no longer loads: its interviews get the
			 * paradata checks only */
			error_clear(err);
			diag_add(r->c.dl, DIAG_WARNING, r->fi[i].hash,
				 "问卷 '%s' 无法载入，只做过程数据检查",
				 "form '%s' does not load; paradata checks only", r->fi[i].form_id);
			continue;
		}
		if (rc < 0)
			return -1;
		b->hash = r->fi[i].hash;
		b->form_id = r->fi[i].form_id;
		r->n_b++;
	}
	/* form_list is oldest first: the last of each form_id is the newest */
	for (i = 0; i < r->n_b; i++) {
		r->b[i].newest = true;
		for (j = i + 1; j < r->n_b; j++)
			if (!strcmp(r->b[j].form_id, r->b[i].form_id))
				r->b[i].newest = false;
		bind_form(r, &r->b[i]);
	}
	/* a rule whose form is not in the database is not run: say so */
	for (i = 0; i < r->c.r->n_checks; i++) {
		const struct audit_check_priv *c = &r->c.r->checks[i];
		struct strbuf w = STRBUF_INIT;

		if (!*c->pub.form)
			continue;
		for (j = 0; j < r->n_b; j++)
			if (!strcmp(r->b[j].form_id, c->pub.form))
				break;
		if (j < r->n_b)
			continue;
		where_row(&w, r->c.r, c);
		diag_add(r->c.dl, DIAG_WARNING, w.buf,
			 "数据库中没有问卷 '%s'，检查 '%s' 未运行",
			 "form '%s' is not in the database: check '%s' not run", c->pub.form,
			 c->pub.id);
		strbuf_release(&w);
	}
	return 0;
}

/* ---- findings ------------------------------------------------------------ */

void audit_add(struct audit_ctx *c, size_t ci, struct audit_iv *iv, const char *path,
	       const char *fmt, ...)
{
	struct audit_finding *f;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	XGROW(c->f, c->cap_f, c->n_f + 1);
	f = &c->f[c->n_f++];
	memset(f, 0, sizeof(*f));
	f->check = xstrdup(c->r->checks[ci].pub.id);
	f->check_index = ci;
	f->severity = c->r->checks[ci].pub.severity;
	f->interview = xstrdup(iv ? iv->uuid : "");
	f->path = xstrdup(path ? path : "");
	f->household_key = xstrdup(iv ? iv->household_key : "");
	f->county = xstrdup(iv ? iv->county : "");
	f->village = xstrdup(iv ? iv->village : "");
	f->enumerator = xstrdup(iv ? iv->enumerator : (path ? path : ""));
	f->device = xstrdup(iv ? iv->device : "");
	f->detail = strbuf_detach(&sb, NULL);
	f->is_new = true;
	if (iv)
		iv->findings++;
}

/* "name=value" for every name the expression reads (params left out: they
 * are the same for every finding), values of a node set joined by '|'. */
static void values_involved(struct run *r, const struct expr *e, expr_node ctx,
			    struct strbuf *out)
{
	const int *refs;
	size_t n = expr_refs(e, &refs), i, nf = form_node_count(r->cur->f);
	expr_node nodes[64];

	for (i = 0; i < n; i++) {
		int k, m;
		const char *name;

		if ((size_t)refs[i] >= nf && (size_t)refs[i] < nf + r->c.r->n_params)
			continue;
		name = (size_t)refs[i] < nf ? form_node(r->cur->f, (size_t)refs[i])->name
					   : r->cols[(size_t)refs[i] - nf - r->c.r->n_params];
		if ((size_t)refs[i] < nf &&
		    form_node(r->cur->f, (size_t)refs[i])->type == FORM_REPEAT)
			continue;
		m = h_resolve(r, refs[i], name, ctx, nodes, 64);
		if (m < 0)
			continue;
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_addf(out, "%s%s=", (size_t)refs[i] >= nf ? "sample_" : "", name);
		for (k = 0; k < m && k < 64; k++) {
			if (k)
				strbuf_addch(out, '|');
			strbuf_addstr(out, h_value(r, nodes[k]));
		}
	}
}

static void eval_rule(struct run *r, size_t ci, struct audit_iv *aiv, expr_node ctx,
		      const char *path)
{
	struct expr_host h = host_tmpl;
	struct error e = ERROR_INIT;
	struct strbuf vals = STRBUF_INIT;
	bool hit = false;

	h.ud = r;
	if (expr_eval_bool(r->cur->e[ci], &h, ctx, r->scratch, &hit, &e) < 0) {
		/* a rule that fails on one record (a function given a bad value)
		 * is reported, not fatal: the other rules and records go on */
		if (r->eval_errors++ < 20) {
			struct strbuf w = STRBUF_INIT;

			where_row(&w, r->c.r, &r->c.r->checks[ci]);
			char zh[400], en[400];

			snprintf(zh, sizeof(zh), "访谈 %s%s%s：计算失败：", aiv->uuid, *path ? " " : "",
				 path);
			snprintf(en, sizeof(en), "interview %s%s%s: evaluation failed: ", aiv->uuid,
				 *path ? " " : "", path);
			audit_diag_wrap(r->c.dl, DIAG_WARNING, w.buf, zh, en, &e);
			strbuf_release(&w);
		}
		error_clear(&e);
		return;
	}
	if (hit) {
		values_involved(r, r->cur->e[ci], ctx, &vals);
		audit_add(&r->c, ci, aiv, path, "%s", vals.buf);
	}
	strbuf_release(&vals);
}

static const char *answer_of(const struct store_record *rec, const char *path)
{
	size_t i;

	for (i = 0; i < rec->n_answers; i++)
		if (!strcmp(rec->answers[i].path, path))
			return rec->answers[i].value;
	return NULL;
}

static int on_record(void *ctx, const struct store_record *rec)
{
	struct run *r = ctx;
	const struct audit_rules *rules = r->c.r;
	struct audit_iv *aiv;
	const struct bound *b = NULL;
	struct error e = ERROR_INIT;
	const char *v;
	size_t i;

	XGROW(r->c.ivs, r->c.cap_ivs, r->c.n_ivs + 1);
	aiv = &r->c.ivs[r->c.n_ivs++];
	memset(aiv, 0, sizeof(*aiv));
	r->cur_hh = find_hh(r, rec->iv.household_key);
	aiv->uuid = xstrdup(rec->iv.uuid);
	aiv->household_key = xstrdup(rec->iv.household_key ? rec->iv.household_key : "");
	v = r->cur_hh ? r->cur_hh->v[1] : answer_of(rec, "county");
	aiv->county = xstrdup(v ? v : "");
	v = r->cur_hh ? r->cur_hh->v[3] : answer_of(rec, "village");
	aiv->village = xstrdup(v ? v : "");
	/* the database's enumerator; a paper form entered with fill --db has
	 * none, and then the form's own enumerator field names who asked */
	v = rec->iv.enumerator && *rec->iv.enumerator ? rec->iv.enumerator
						       : answer_of(rec, "enumerator");
	aiv->enumerator = xstrdup(v ? v : "");
	aiv->device = xstrdup(rec->iv.device ? rec->iv.device : "");
	aiv->vals = xcalloc(rules->n_checks + 1, sizeof(char *));
	aiv->grps = xcalloc(rules->n_checks + 1, sizeof(char *));
	for (i = 0; i < rec->n_answers; i++) {
		if (rec->answers[i].special == STORE_SPECIAL_DONT_KNOW)
			aiv->dk++;
		else if (rec->answers[i].special == STORE_SPECIAL_REFUSED)
			aiv->refused++;
		else if (!rec->answers[i].value)
			continue; /* a repeat instance marker */
		aiv->answers++;
	}
	for (i = 0; i < r->n_b; i++)
		if (!strcmp(r->b[i].hash, rec->iv.form_hash))
			b = &r->b[i];
	aiv->form_id = xstrdup(b ? b->form_id : "");
	audit_paradata_record(&r->c, aiv, rec);
	if (!b || !b->needed)
		return 0; /* nothing reads its answers: no replay */
	r->cur = b;
	if (interview_new(b->f, NULL, &r->iv, &e) < 0) {
		diag_add_error(r->c.dl, DIAG_WARNING, &e);
		error_clear(&e);
		return 0;
	}
	for (i = 0; i < rec->n_answers; i++) {
		const struct store_answer *a = &rec->answers[i];
		enum interview_special sp = a->special == STORE_SPECIAL_DONT_KNOW ? IV_DONT_KNOW
					    : a->special == STORE_SPECIAL_REFUSED ? IV_REFUSED
										  : IV_SPECIAL_NONE;

		/* as a resumed session does: an answer that no longer fits the
		 * form is left out of the replay, never fatal */
		interview_restore(r->iv, a->path, a->value, sp, &e);
		error_clear(&e);
	}
	for (i = 0; i < rules->n_checks; i++) {
		const struct audit_check_priv *c = &rules->checks[i];

		if (c->pub.kind == AUDIT_BATCH) {
			int k;

			for (k = 0; k < 2; k++) {
				int node = k ? b->group[i] : b->field[i];
				const char *val = "";

				if (node >= 0)
					val = h_value(r, NODE(K_FIELD, 0, node));
				else if (node <= -2 && r->cur_hh)
					val = r->cur_hh->v[-node - 2];
				(k ? aiv->grps : aiv->vals)[i] = xstrdup(val);
			}
			continue;
		}
		if (!b->e[i])
			continue;
		if (b->rep[i] < 0) {
			eval_rule(r, i, aiv, NODE(K_ROOT, 0, 0), "");
		} else {
			const char *rep = form_node(b->f, (size_t)b->rep[i])->name;
			int n = interview_repeat_count(r->iv, rep), k;

			for (k = 1; k <= n; k++) {
				char p[256];

				snprintf(p, sizeof(p), "%s[%d]", rep, k);
				if (!interview_relevant(r->iv, p))
					continue;
				eval_rule(r, i, aiv, NODE(K_INST, k, b->rep[i]), p);
			}
		}
	}
	interview_free(r->iv);
	r->iv = NULL;
	return 0;
}

/* ---- since, summaries, saving ---------------------------------------------- */

static char *key_of(const char *rule, const char *iv, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%c%s%c%s", rule, 1, iv, 1, path);
	return strbuf_detach(&sb, NULL);
}

struct keys {
	char **v;
	size_t n, cap;
};

static int on_key(void *ctx, const char *rule, const char *iv, const char *path)
{
	struct keys *k = ctx;

	XGROW(k->v, k->cap, k->n + 1);
	k->v[k->n++] = key_of(rule ? rule : "", iv ? iv : "", path ? path : "");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct audit_finding *x = a, *y = b;
	int c;

	if ((c = strcmp(x->county, y->county)) || (c = strcmp(x->village, y->village)) ||
	    (c = strcmp(x->household_key, y->household_key)) ||
	    (c = strcmp(x->interview, y->interview)))
		return c;
	if (x->check_index != y->check_index)
		return x->check_index < y->check_index ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int cmp_sum(const void *a, const void *b)
{
	return strcmp(((const struct audit_sum *)a)->name, ((const struct audit_sum *)b)->name);
}

/* The summary row named `name` in *v (added when new). */
static struct audit_sum *sum_row(struct audit_sum **v, size_t *n, size_t *cap, const char *name)
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

static void count_finding(struct audit_sum *s, const struct audit_finding *f)
{
	s->findings++;
	if (f->severity == AUDIT_ERROR)
		s->errors++;
	else
		s->warnings++;
	if (f->is_new)
		s->shown++;
}

static void summarise(struct run *r, struct audit_report *rep)
{
	const struct audit_rules *rules = r->c.r;
	size_t i, cap_e = 0, cap_c = 0;

	rep->n_checks = rules->n_checks;
	rep->by_check = xcalloc(rules->n_checks + 1, sizeof(*rep->by_check));
	for (i = 0; i < rules->n_checks; i++)
		rep->by_check[i].name = xstrdup(rules->checks[i].pub.id);
	for (i = 0; i < r->c.n_ivs; i++) {
		const struct audit_iv *iv = &r->c.ivs[i];
		size_t k;

		sum_row(&rep->by_enumerator, &rep->n_enumerators, &cap_e,
			*iv->enumerator ? iv->enumerator : "-")
			->interviews++;
		sum_row(&rep->by_county, &rep->n_counties, &cap_c, *iv->county ? iv->county : "-")
			->interviews++;
		for (k = 0; k < rules->n_checks; k++)
			if (!*rules->checks[k].pub.form ||
			    !strcmp(rules->checks[k].pub.form, iv->form_id))
				rep->by_check[k].interviews++;
	}
	for (i = 0; i < rep->n_findings; i++) {
		const struct audit_finding *f = &rep->findings[i];

		count_finding(&rep->by_check[f->check_index], f);
		count_finding(sum_row(&rep->by_enumerator, &rep->n_enumerators, &cap_e,
				      *f->enumerator ? f->enumerator : "-"),
			      f);
		if (*f->interview)
			count_finding(sum_row(&rep->by_county, &rep->n_counties, &cap_c,
					      *f->county ? f->county : "-"),
				      f);
	}
	audit_qsort(rep->by_enumerator, rep->n_enumerators, sizeof(*rep->by_enumerator), cmp_sum);
	audit_qsort(rep->by_county, rep->n_counties, sizeof(*rep->by_county), cmp_sum);
	rep->durations = xcalloc(r->c.n_ivs + 1, sizeof(double));
	for (i = 0; i < r->c.n_ivs; i++)
		if (!isnan(r->c.ivs[i].minutes))
			rep->durations[rep->n_durations++] = r->c.ivs[i].minutes;
}

static int save(struct run *r, struct audit_report *rep, struct error *err)
{
	struct store_audit_finding *sf = xcalloc(rep->n_findings + 1, sizeof(*sf));
	size_t i;
	int ret;

	for (i = 0; i < rep->n_findings; i++) {
		const struct audit_finding *f = &rep->findings[i];

		sf[i].rule = f->check;
		sf[i].severity = audit_severity_name(f->severity);
		sf[i].interview = f->interview;
		sf[i].path = f->path;
		sf[i].household_key = *f->household_key ? f->household_key : NULL;
		sf[i].county = *f->county ? f->county : NULL;
		sf[i].village = *f->village ? f->village : NULL;
		sf[i].enumerator = *f->enumerator ? f->enumerator : NULL;
		sf[i].device = *f->device ? f->device : NULL;
		sf[i].detail = f->detail;
	}
	ret = store_audit_save(r->c.s, r->c.r->file, r->c.r->sha256, rep->interviews, sf,
			       rep->n_findings, &rep->run, err);
	free(sf);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double audit_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	audit_qsort(v, n, sizeof(*v), cmp_double);
	return audit_quantile(v, n, 0.5);
}

double audit_quantile(const double *v, size_t n, double q)
{
	double pos, frac;
	size_t lo;

	if (!n)
		return NAN;
	pos = q * (double)(n - 1);
	lo = (size_t)pos;
	frac = pos - (double)lo;
	return lo + 1 < n ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo];
}

static void free_iv(struct audit_iv *iv, size_t n_checks)
{
	size_t k;

	free(iv->uuid);
	free(iv->household_key);
	free(iv->county);
	free(iv->village);
	free(iv->enumerator);
	free(iv->device);
	free(iv->form_id);
	for (k = 0; k < n_checks; k++) {
		free(iv->vals[k]);
		free(iv->grps[k]);
	}
	free(iv->vals);
	free(iv->grps);
}

static void finding_release(struct audit_finding *f)
{
	free(f->check);
	free(f->interview);
	free(f->path);
	free(f->household_key);
	free(f->county);
	free(f->village);
	free(f->enumerator);
	free(f->device);
	free(f->detail);
}

int audit_run(struct store *s, const struct audit_rules *rules, const struct audit_opts *opts,
	      struct audit_report *out, struct diag_list *dl)
{
	static const struct audit_opts dflt = {0, false, 0};
	struct store_record_filter filt = {NULL, NULL, 0};
	struct keys seen = {NULL, 0, 0};
	struct error err = ERROR_INIT;
	size_t errors = dl->errors, i;
	struct run r;
	int ret = -1;

	if (!opts)
		opts = &dflt;
	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.c.s = s;
	r.c.r = rules;
	r.c.dl = dl;
	r.o = opts;
	strbuf_init(&r.path);
	out->since = opts->since;
	if (opts->since) {
		int ex = store_audit_run_exists(s, opts->since, &err);

		if (ex < 0)
			goto fail;
		if (!ex) {
			diag_add(dl, DIAG_ERROR, store_path(s), "没有编号为 %lld 的审核运行",
				 "no audit run %lld", (long long)opts->since);
			goto done;
		}
		if (store_audit_keys_each(s, opts->since, on_key, &seen, &err) < 0)
			goto fail;
		audit_qsort(seen.v, seen.n, sizeof(*seen.v), cmp_str);
	}
	if (read_sample(&r, &err) < 0 || load_forms(&r, &err) < 0)
		goto fail;
	if (dl->errors > errors)
		goto done; /* a rule did not compile: nothing runs, nothing is written */
	r.scratch = expr_scratch_new();
	filt.statuses = opts->statuses ? opts->statuses
				       : STORE_STATUS_BIT(STORE_COMPLETED) |
						 STORE_STATUS_BIT(STORE_APPROVED) |
						 STORE_STATUS_BIT(STORE_REJECTED);
	ret = store_records_each(s, &filt, on_record, &r, &err);
	if (ret < 0)
		goto fail;
	ret = -1;
	if (audit_paradata_batch(&r.c, &err) < 0)
		goto fail;
	audit_batch(&r.c);
	out->interviews = r.c.n_ivs;
	out->findings = r.c.f;
	out->n_findings = r.c.n_f;
	r.c.f = NULL;
	r.c.n_f = 0;
	audit_qsort(out->findings, out->n_findings, sizeof(*out->findings), cmp_finding);
	for (i = 0; i < out->n_findings; i++) {
		struct audit_finding *f = &out->findings[i];

		if (seen.n) {
			char *k = key_of(f->check, f->interview, f->path);

			f->is_new = !bsearch(&k, seen.v, seen.n, sizeof(*seen.v), cmp_str);
			free(k);
		}
		out->n_new += f->is_new;
	}
	summarise(&r, out);
	out->dashboard = r.c.dash;
	out->n_dashboard = r.c.n_dash;
	r.c.dash = NULL;
	r.c.n_dash = 0;
	if (opts->save && save(&r, out, &err) < 0)
		goto fail;
	ret = 0;
	goto done;
fail:
	diag_add_error(dl, DIAG_ERROR, &err);
done:
	if (ret < 0)
		audit_report_release(out);
	error_clear(&err);
	for (i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	for (i = 0; i < r.c.n_ivs; i++)
		free_iv(&r.c.ivs[i], rules->n_checks);
	free(r.c.ivs);
	for (i = 0; i < r.c.n_f; i++)
		finding_release(&r.c.f[i]);
	free(r.c.f);
	for (i = 0; i < r.c.n_dash; i++)
		free(r.c.dash[i].name);
	free(r.c.dash);
	for (i = 0; i < r.n_b; i++) {
		size_t k;

		for (k = 0; k < rules->n_checks; k++)
			expr_free(r.b[i].e[k]);
		free(r.b[i].e);
		free(r.b[i].rep);
		free(r.b[i].field);
		free(r.b[i].group);
		form_free(r.b[i].f);
	}
	free(r.b);
	store_form_info_free(r.fi, r.n_fi);
	for (i = 0; i < r.n_arows; i++) {
		store_fields_free(r.hh[i].pre, r.hh[i].n_pre);
		free(r.hh[i].v);
	}
	free(r.hh);
	free(r.cols);
	for (i = 0; i < r.n_own; i++)
		free(r.own[i]);
	free(r.own);
	store_assignment_rows_free(r.arows, r.n_arows);
	interview_free(r.iv);
	expr_scratch_free(r.scratch);
	strbuf_release(&r.path);
	return ret;
}

void audit_report_release(struct audit_report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->n_findings; i++)
		finding_release(&rep->findings[i]);
	free(rep->findings);
	for (i = 0; i < rep->n_checks; i++)
		free(rep->by_check[i].name);
	free(rep->by_check);
	for (i = 0; i < rep->n_enumerators; i++)
		free(rep->by_enumerator[i].name);
	free(rep->by_enumerator);
	for (i = 0; i < rep->n_counties; i++)
		free(rep->by_county[i].name);
	free(rep->by_county);
	for (i = 0; i < rep->n_dashboard; i++)
		free(rep->dashboard[i].name);
	free(rep->dashboard);
	free(rep->durations);
	memset(rep, 0, sizeof(*rep));
}
