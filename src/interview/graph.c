/*
 * graph — what the interview engine computes: the dependency graph of a
 * form's calculations and relevance, the expression host that lets the
 * expression engine read the instance tree, and the recomputation that runs
 * after each change.
 *
 * The graph has an edge src -> dst when dst's calculation, relevant or
 * repeat_count references ${src}, and a containment edge from every group or
 * repeat to each of its children (a container's relevance reaches them). A
 * cycle through value edges is a form error; containment edges that close a
 * cycle (a group whose relevance reads a field inside it) are ignored.
 * Nodes are recomputed in one topological order fixed at interview_new.
 *
 * Recomputation is local twice over: only nodes reachable from the change
 * along the edges, and for each only the repeat instances the change can
 * reach (the "scope": the deepest instance that contains both the changed
 * instance and the dependent's repeat; see mark()).
 *
 * Expression nodes handed to the expression engine (expr_node) encode
 *   1<<60 | inst id << 24 | node       a field, group or repeat slot
 *   2<<60 | inst id                    a repeat instance (id 0: the root)
 *   3<<60 | list << 24 | choice        an instance('list') item
 *   4<<60 | list << 40 | choice << 16 | child   name/label/extra of an item
 */
#include "iv_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { H_FIELD = 1, H_INST = 2, H_ITEM = 3, H_ICHILD = 4 };

#define KIND(h) ((int)((h) >> 60))
#define LOW24(h) ((int)((h) & 0xffffff))

uint64_t interview_node_field(const struct inst *I, int k)
{
	return (uint64_t)H_FIELD << 60 | (uint64_t)I->id << 24 | (uint64_t)k;
}

uint64_t interview_node_inst(const struct inst *I)
{
	return (uint64_t)H_INST << 60 | (uint64_t)I->id;
}

static struct inst *inst_by_id(const struct interview *iv, uint64_t id)
{
	return id < iv->nid ? iv->byid[id] : NULL;
}

/* The instance a handle lives in (the select's instance for choice items). */
static struct inst *handle_inst(const struct interview *iv, expr_node h)
{
	struct inst *I = NULL;

	switch (KIND(h)) {
	case H_FIELD:
		I = inst_by_id(iv, (h >> 24) & 0xfffffffffULL);
		break;
	case H_INST:
		I = inst_by_id(iv, h & 0xfffffffffffffffULL);
		break;
	default:
		I = iv->cf_inst;
		break;
	}
	return I ? I : iv->root;
}

/* Whether repeat `a` (-1 = root) is `r` or encloses it. */
static bool rep_encloses(const struct interview *iv, int a, int r)
{
	if (a < 0)
		return true;
	while (r >= 0) {
		if (r == a)
			return true;
		r = iv->crep[r];
	}
	return false;
}

static void emit(expr_node *out, size_t cap, int *count, expr_node h)
{
	if ((size_t)*count < cap)
		out[*count] = h;
	(*count)++;
}

/* Every slot of `field` (container repeat R) under instance A, in order. */
static void collect(const struct interview *iv, const struct inst *A, int R, int field,
		    expr_node *out, size_t cap, int *count)
{
	const struct cell *c;
	size_t i;
	int step;

	if (A->repeat == R) {
		if (iv->nodes[field]->type == FORM_REPEAT) {
			c = interview_cell(A, field);
			for (i = 0; i < c->nkids; i++)
				emit(out, cap, count, interview_node_inst(c->kids[i]));
		} else {
			emit(out, cap, count, interview_node_field(A, field));
		}
		return;
	}
	step = R;
	while (iv->crep[step] != A->repeat)
		step = iv->crep[step];
	c = interview_cell(A, step);
	for (i = 0; i < c->nkids; i++)
		collect(iv, c->kids[i], R, field, out, cap, count);
}

static int h_resolve(void *ud, int field, const char *name, expr_node from, expr_node *out,
		     size_t cap)
{
	struct interview *iv = ud;
	const struct inst *A;
	int R, count = 0;

	if (field < 0 && name)
		field = form_find(iv->f, name);
	if (field < 0 || field >= iv->n)
		return 0;
	R = iv->crep[field];
	A = handle_inst(iv, from);
	while (A->parent && !rep_encloses(iv, A->repeat, R))
		A = A->parent;
	collect(iv, A, R, field, out, cap, &count);
	return count;
}

static const char *item_child_value(struct interview *iv, int list, int choice, int child)
{
	const struct form_list *l = form_list(iv->f, (size_t)list);
	const struct form_choice *ch;
	const char *s;

	if (!l || (size_t)choice >= l->n)
		return "";
	ch = &l->choices[choice];
	if (child == 0)
		return ch->name;
	if (child == 1) {
		s = form_text(iv->f, ch->label, iv->lang);
		return s ? s : "";
	}
	if ((size_t)(child - 2) < l->n_extra)
		return ch->extra[child - 2] ? ch->extra[child - 2] : "";
	return "";
}

static const char *h_value(void *ud, expr_node h)
{
	struct interview *iv = ud;
	const struct inst *I;
	const struct cell *c;
	int k;

	switch (KIND(h)) {
	case H_FIELD:
		I = handle_inst(iv, h);
		k = LOW24(h);
		if (k < I->base || k >= I->end)
			return "";
		c = interview_cell(I, k);
		if (c->special || !c->value || !interview_node_relevant(iv, I, k))
			return "";
		return c->value;
	case H_ICHILD:
		return item_child_value(iv, (int)((h >> 40) & 0xfffff), (int)((h >> 16) & 0xffffff),
					(int)(h & 0xffff));
	default:
		return "";
	}
}

/* The handle of the container slot `p` (a group/repeat node or -1) in I. */
static expr_node container_handle(const struct inst *I, int p)
{
	if (p < 0 || p == I->repeat)
		return interview_node_inst(I);
	return interview_node_field(I, p);
}

static int h_parent(void *ud, expr_node h, expr_node *out)
{
	struct interview *iv = ud;
	const struct inst *I;
	int k;

	switch (KIND(h)) {
	case H_FIELD:
		I = handle_inst(iv, h);
		k = LOW24(h);
		*out = container_handle(I, iv->nodes[k]->parent);
		return 0;
	case H_INST:
		I = handle_inst(iv, h);
		if (!I->parent)
			return -1;
		*out = container_handle(I->parent, iv->nodes[I->repeat]->parent);
		return 0;
	case H_ICHILD:
		*out = (uint64_t)H_ITEM << 60 | ((h >> 40) & 0xfffff) << 24 | ((h >> 16) & 0xffffff);
		return 0;
	default:
		return -1;
	}
}

static int h_position(void *ud, expr_node h)
{
	struct interview *iv = ud;

	if (KIND(h) == H_INST) {
		const struct inst *I = handle_inst(iv, h);
		return I->parent ? interview_kid_index(I) + 1 : 1;
	}
	if (KIND(h) == H_ITEM)
		return LOW24(h) + 1;
	return 1;
}

static int h_child(void *ud, expr_node h, const char *name, expr_node *out, size_t cap)
{
	struct interview *iv = ud;
	const struct inst *I;
	const struct form_list *l;
	int count = 0, t, p, list, choice;
	size_t i;

	if (KIND(h) == H_ITEM) {
		list = (int)((h >> 24) & 0xfffff);
		choice = LOW24(h);
		l = form_list(iv->f, (size_t)list);
		if (!strcmp(name, "name"))
			t = 0;
		else if (!strcmp(name, "label"))
			t = 1;
		else {
			t = -1;
			for (i = 0; l && i < l->n_extra; i++)
				if (!strcmp(l->extra_names[i], name))
					t = (int)i + 2;
			if (t < 0)
				return 0;
		}
		emit(out, cap, &count,
		     (uint64_t)H_ICHILD << 60 | (uint64_t)list << 40 | (uint64_t)choice << 16 |
			     (uint64_t)t);
		return count;
	}
	if (KIND(h) != H_FIELD && KIND(h) != H_INST)
		return 0;
	I = handle_inst(iv, h);
	p = KIND(h) == H_FIELD ? LOW24(h) : I->repeat;
	t = form_find(iv->f, name);
	if (t < 0 || iv->nodes[t]->parent != p || t < I->base || t >= I->end)
		return 0;
	if (iv->nodes[t]->type == FORM_REPEAT) {
		const struct cell *c = interview_cell(I, t);
		for (i = 0; i < c->nkids; i++)
			emit(out, cap, &count, interview_node_inst(c->kids[i]));
	} else {
		emit(out, cap, &count, interview_node_field(I, t));
	}
	return count;
}

static int h_instance(void *ud, int list, const char *name, expr_node *out, size_t cap)
{
	struct interview *iv = ud;
	const struct form_list *l;
	int count = 0;
	size_t i;

	if (list < 0 && name)
		list = form_find_list(iv->f, name);
	if (list < 0 || !(l = form_list(iv->f, (size_t)list)))
		return 0;
	for (i = 0; i < l->n; i++)
		emit(out, cap, &count, (uint64_t)H_ITEM << 60 | (uint64_t)list << 24 | (uint64_t)i);
	return count;
}

static const char *h_choice_label(void *ud, int field, const char *name, const char *value,
				  expr_node ctx)
{
	struct interview *iv = ud;
	const struct form_list *l;
	int c;

	if (field < 0 && name)
		field = form_find(iv->f, name);
	if (field < 0 || field >= iv->n || iv->nodes[field]->list < 0)
		return NULL;
	c = form_find_choice(iv->f, iv->nodes[field]->list, value);
	l = form_list(iv->f, (size_t)iv->nodes[field]->list);
	if (c < 0 || !l)
		return NULL;
	return form_text(iv->f, l->choices[c].label, iv->lang);
}

/* jr:itext('NAME:FORM'): NAME is a field name, or a pyxform path
 * (/data/group/NAME) whose last step is one; FORM is label, hint,
 * constraintMsg or requiredMsg. */
static const char *h_itext(void *ud, const char *id, expr_node ctx)
{
	struct interview *iv = ud;
	const char *colon = strrchr(id, ':'), *slash, *form;
	const struct form_node *nd;
	char name[256];
	size_t len;
	int k;

	if (!colon)
		return NULL;
	for (slash = colon; slash > id && slash[-1] != '/'; slash--)
		;
	len = (size_t)(colon - slash);
	if (!len || len >= sizeof(name))
		return NULL;
	memcpy(name, slash, len);
	name[len] = '\0';
	k = form_find(iv->f, name);
	if (k < 0)
		return NULL;
	nd = iv->nodes[k];
	form = colon + 1;
	if (!strcmp(form, "label"))
		return form_text(iv->f, nd->label, iv->lang);
	if (!strcmp(form, "hint"))
		return form_text(iv->f, nd->hint, iv->lang);
	if (!strcmp(form, "constraintMsg"))
		return form_text(iv->f, nd->constraint_message, iv->lang);
	if (!strcmp(form, "requiredMsg"))
		return form_text(iv->f, nd->required_message, iv->lang);
	return NULL;
}

static const char *h_form_version(void *ud)
{
	struct interview *iv = ud;

	return form_version(iv->f);
}

static int64_t h_now(void *ud)
{
	return interview_now(ud);
}

void interview_host_init(struct interview *iv)
{
	memset(&iv->host, 0, sizeof(iv->host));
	iv->host.ud = iv;
	iv->host.resolve = h_resolve;
	iv->host.value = h_value;
	iv->host.parent = h_parent;
	iv->host.position = h_position;
	iv->host.child = h_child;
	iv->host.instance = h_instance;
	iv->host.choice_label = h_choice_label;
	iv->host.now_ms = h_now;
	iv->host.itext = h_itext;
	iv->host.form_version = h_form_version;
}

int interview_eval_bool(struct interview *iv, const struct form_expr *fx, uint64_t ctx, bool *out,
		 struct error *err)
{
	iv->evals++;
	return expr_eval_bool(fx->e, &iv->host, ctx, iv->scratch, out, err);
}

int interview_eval_string(struct interview *iv, const struct form_expr *fx, uint64_t ctx,
		   const char **out, struct error *err)
{
	iv->evals++;
	return expr_eval_string(fx->e, &iv->host, ctx, iv->scratch, out, err);
}

/* Whether choice `choice` of `list` passes node k's choice_filter in I. */
bool interview_choice_passes(struct interview *iv, struct inst *I, int k, int list, int choice)
{
	const struct form_node *nd = iv->nodes[k];
	struct error e = ERROR_INIT;
	bool ok = true;
	expr_node item;

	if (!nd->choice_filter.e)
		return true;
	item = (uint64_t)H_ITEM << 60 | (uint64_t)list << 24 | (uint64_t)choice;
	iv->cf_inst = I;
	if (interview_eval_bool(iv, &nd->choice_filter, item, &ok, &e) < 0)
		ok = true; /* a filter that cannot be evaluated filters nothing */
	iv->cf_inst = NULL;
	error_clear(&e);
	return ok;
}

void interview_shuffle_choices(struct interview *iv, struct inst *I, int k, size_t *v, size_t n)
{
	const struct form_node *nd = iv->nodes[k];
	struct error e = ERROR_INIT;
	double seed = NAN;

	if (!nd->randomize)
		return;
	iv->evals++;
	if (nd->seed.e &&
	    expr_eval_number(nd->seed.e, &iv->host, interview_node_field(I, k), iv->scratch, &seed, &e) < 0)
		seed = NAN;
	error_clear(&e);
	if (!isfinite(seed)) {
		/* no seed (or none yet): the order ODK would draw on each display,
		 * drawn once per interview so that it holds still between redraws */
		while (!iv->shuffle_seed)
			iv->shuffle_seed = (double)(interview_now(iv) % 2147483646 + 1);
		seed = iv->shuffle_seed;
	}
	(void)expr_shuffle(v, n, seed);
}

/* ---- the graph ---------------------------------------------------------- */

static void add_refs(const struct form_expr *fx, int dst, int **pairs, size_t *np, size_t *cap)
{
	const int *refs;
	size_t i, n;

	if (!fx->e)
		return;
	n = expr_refs(fx->e, &refs);
	for (i = 0; i < n; i++) {
		XGROW(*pairs, *cap, *np * 2 + 2);
		(*pairs)[*np * 2] = refs[i];
		(*pairs)[*np * 2 + 1] = dst;
		(*np)++;
	}
}

struct dfs {
	const struct interview *iv;
	int *color;   /* 0 new, 1 on the path, 2 done */
	int *stack;   /* the current path, root first */
	int *edge;    /* per path entry: the next dependency edge to follow */
	int *kid;     /* per path entry: the next child to visit (containers) */
	int depth;
	int *post;
	int npost;
	int cyc_from, cyc_to;
};

static void dfs_push(struct dfs *d, int u)
{
	const struct interview *iv = d->iv;
	const struct form_node *nd = iv->nodes[u];

	d->color[u] = 1;
	d->stack[d->depth] = u;
	d->edge[d->depth] = iv->dep_off[u];
	d->kid[d->depth] = nd->type == FORM_GROUP || nd->type == FORM_REPEAT ? u + 1 : nd->end;
	d->depth++;
}

/*
 * Depth-first search from `root` with an explicit stack (a chain of 100,000
 * calculations is a path of 100,000 nodes: recursion would overflow the C
 * stack). Follows every value edge of a node, then its children, and appends
 * each node to post[] when it is finished, as a recursive visit would.
 * Children are found by jumping from one sibling to the next (a node's `end`),
 * so a container costs its child count, not its subtree size: the whole
 * search is linear in nodes + edges even for deeply nested groups.
 * Returns -1 with cyc_from/cyc_to set (and the path left on the stack) when a
 * value edge reaches a node on the current path.
 */
static int dfs_visit(struct dfs *d, int root)
{
	const struct interview *iv = d->iv;
	int u, v, top;

	dfs_push(d, root);
	while (d->depth > 0) {
		top = d->depth - 1;
		u = d->stack[top];
		if (d->edge[top] < iv->dep_off[u + 1]) {
			v = iv->dep[d->edge[top]++];
			if (d->color[v] == 1) {
				d->cyc_from = u;
				d->cyc_to = v;
				return -1;
			}
			if (d->color[v] == 0)
				dfs_push(d, v);
			continue;
		}
		if (d->kid[top] < iv->nodes[u]->end) {
			v = d->kid[top];
			d->kid[top] = iv->nodes[v]->end > v ? iv->nodes[v]->end : v + 1;
			/* a child already on the path closes a cycle through
			 * containment: ignored */
			if (d->color[v] == 0)
				dfs_push(d, v);
			continue;
		}
		d->depth--;
		d->color[u] = 2;
		d->post[d->npost++] = u;
	}
	return 0;
}

#define CYCLE_SHOWN 8 /* fields named at each end of a long cycle */

static void cycle_error(struct dfs *d, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int i, start = 0;

	for (i = 0; i < d->depth; i++)
		if (d->stack[i] == d->cyc_to)
			start = i;
	/* a cycle through thousands of fields is named by its two ends */
	for (i = start; i < d->depth; i++) {
		if (d->depth - start > 2 * CYCLE_SHOWN && i == start + CYCLE_SHOWN) {
			strbuf_addstr(&sb, "… -> ");
			i = d->depth - CYCLE_SHOWN - 1;
			continue;
		}
		strbuf_addf(&sb, "'%s' -> ", d->iv->nodes[d->stack[i]]->name);
	}
	strbuf_addf(&sb, "'%s'", d->iv->nodes[d->cyc_to]->name);
	{
		struct strbuf where = STRBUF_INIT;
		const char *fp = form_path(d->iv->f);
		strbuf_addf(&where, "%s:survey:%d", fp ? fp : "", d->iv->nodes[d->cyc_to]->row);
		error_set(err, where.buf, "字段之间存在循环依赖：%s", "dependency cycle between fields: %s",
			  sb.buf);
		strbuf_release(&where);
	}
	if (err)
		err->code = IV_E_CYCLE;
	strbuf_release(&sb);
}

int interview_graph_build(struct interview *iv, struct error *err)
{
	int *pairs = NULL, *fill = NULL;
	size_t np = 0, cap = 0, i;
	struct dfs d = {0};
	int k, ret = -1;

	for (k = 0; k < iv->n; k++) {
		const struct form_node *nd = iv->nodes[k];
		add_refs(&nd->calculation, k, &pairs, &np, &cap);
		add_refs(&nd->relevant, k, &pairs, &np, &cap);
		add_refs(&nd->repeat_count, k, &pairs, &np, &cap);
	}
	iv->dep_off = xcalloc((size_t)iv->n + 1, sizeof(int));
	iv->dep = xcalloc(np + 1, sizeof(int));
	for (i = 0; i < np; i++)
		if (pairs[2 * i] >= 0 && pairs[2 * i] < iv->n)
			iv->dep_off[pairs[2 * i] + 1]++;
	for (k = 0; k < iv->n; k++)
		iv->dep_off[k + 1] += iv->dep_off[k];
	fill = xcalloc((size_t)iv->n + 1, sizeof(int));
	for (i = 0; i < np; i++) {
		int s = pairs[2 * i];
		if (s < 0 || s >= iv->n)
			continue;
		iv->dep[iv->dep_off[s] + fill[s]++] = pairs[2 * i + 1];
	}

	d.iv = iv;
	d.color = xcalloc((size_t)iv->n + 1, sizeof(int));
	d.stack = xcalloc((size_t)iv->n + 1, sizeof(int));
	d.edge = xcalloc((size_t)iv->n + 1, sizeof(int));
	d.kid = xcalloc((size_t)iv->n + 1, sizeof(int));
	d.post = xcalloc((size_t)iv->n + 1, sizeof(int));
	/* Visit roots of the document first so the order follows the form where
	 * the edges allow it. */
	for (k = iv->n - 1; k >= 0; k--) {
		if (d.color[k] == 0 && dfs_visit(&d, k) < 0) {
			cycle_error(&d, err);
			goto done;
		}
	}
	iv->order = xcalloc((size_t)iv->n + 1, sizeof(int));
	iv->rank = xcalloc((size_t)iv->n + 1, sizeof(int));
	for (k = 0; k < iv->n; k++) {
		iv->order[k] = d.post[iv->n - 1 - k];
		iv->rank[iv->order[k]] = k;
	}
	iv->dirty = xcalloc((size_t)iv->n + 1, sizeof(*iv->dirty));
	iv->forced = xcalloc((size_t)iv->n + 1, sizeof(bool));
	ret = 0;
done:
	free(pairs);
	free(fill);
	free(d.color);
	free(d.stack);
	free(d.edge);
	free(d.kid);
	free(d.post);
	return ret;
}

void interview_graph_free(struct interview *iv)
{
	free(iv->dep_off);
	free(iv->dep);
	free(iv->order);
	free(iv->rank);
	free(iv->dirty);
	free(iv->forced);
}

/* ---- recomputation ------------------------------------------------------ */

static struct inst *common_inst(struct inst *a, struct inst *b)
{
	while (a->depth > b->depth)
		a = a->parent;
	while (b->depth > a->depth)
		b = b->parent;
	while (a != b) {
		a = a->parent;
		b = b->parent;
	}
	return a;
}

/* The scope of node k for a change in instance I: the deepest ancestor-or-self
 * of I whose repeat encloses k's container repeat. */
static struct inst *scope_for(const struct interview *iv, struct inst *I, int k)
{
	int R = iv->crep[k];

	while (I->parent && !rep_encloses(iv, I->repeat, R))
		I = I->parent;
	return I;
}

void interview_mark(struct interview *iv, int k, struct inst *I, bool forced)
{
	struct inst *S = scope_for(iv, I, k);

	if (!iv->dirty[k]) {
		iv->dirty[k] = S;
		iv->ndirty++;
	} else {
		iv->dirty[k] = common_inst(iv->dirty[k], S);
	}
	if (forced)
		iv->forced[k] = true;
}

void interview_mark_dependents(struct interview *iv, int k, struct inst *I)
{
	int i;

	for (i = iv->dep_off[k]; i < iv->dep_off[k + 1]; i++)
		interview_mark(iv, iv->dep[i], I, false);
}

static void note_eval_error(struct interview *iv, struct error *e, int k)
{
	if (!error_isset(&iv->eval_err)) {
		error_move(&iv->eval_err, e);
		error_prefix(&iv->eval_err, iv->nodes[k]->name);
		iv->eval_err.code = IV_E_EVAL;
	}
	error_clear(e);
}

static bool eval_rel(struct interview *iv, int k, expr_node ctx)
{
	struct error e = ERROR_INIT;
	bool b = true;

	if (interview_eval_bool(iv, &iv->nodes[k]->relevant, ctx, &b, &e) < 0) {
		note_eval_error(iv, &e, k);
		b = true;
	}
	return b;
}

/* Recomputes node k in instance I; returns 1 (value), 2 (relevance) bits. */
static int recompute_one(struct interview *iv, int k, struct inst *I)
{
	const struct form_node *nd = iv->nodes[k];
	struct cell *c = interview_cell(I, k);
	struct error e = ERROR_INIT;
	int res = 0;
	size_t i;

	if (nd->type == FORM_REPEAT && nd->repeat_count.e) {
		double num = 0;
		size_t before = c->nkids;
		if (expr_eval_number(nd->repeat_count.e, &iv->host, interview_node_field(I, k), iv->scratch,
				     &num, &e) < 0) {
			note_eval_error(iv, &e, k);
			num = 0;
		}
		iv->evals++;
		if (!(num >= 0))
			num = 0;
		if (num > 10000)
			num = 10000;
		interview_resize_repeat(iv, I, k, (size_t)num);
		if (c->nkids != before)
			res |= 1;
	}
	if (nd->relevant.e) {
		bool b = eval_rel(iv, k, interview_node_field(I, k));
		if (b != c->rel)
			res |= 2;
		c->rel = b;
		if (nd->type == FORM_REPEAT) {
			for (i = 0; i < c->nkids; i++) {
				b = eval_rel(iv, k, interview_node_inst(c->kids[i]));
				if (b != c->kids[i]->rel)
					res |= 2;
				c->kids[i]->rel = b;
			}
		}
	}
	if (nd->calculation.e && nd->type != FORM_GROUP && nd->type != FORM_REPEAT) {
		const char *s = NULL;
		if (interview_eval_string(iv, &nd->calculation, interview_node_field(I, k), &s, &e) < 0) {
			note_eval_error(iv, &e, k);
			s = "";
		}
		if (strcmp(s, c->value ? c->value : "")) {
			free(c->value);
			c->value = *s ? xstrdup(s) : NULL;
			res |= 1;
		}
	}
	return res;
}

/* Calls recompute_one for every instance of k's container repeat under S. */
static int recompute_scope(struct interview *iv, int k, struct inst *S)
{
	int R = iv->crep[k], step, res = 0;
	struct cell *c;
	size_t i;

	if (S->repeat == R)
		return recompute_one(iv, k, S);
	step = R;
	while (iv->crep[step] != S->repeat)
		step = iv->crep[step];
	c = interview_cell(S, step);
	for (i = 0; i < c->nkids; i++)
		res |= recompute_scope(iv, k, c->kids[i]);
	return res;
}

void interview_recompute(struct interview *iv)
{
	int pass, pos, k, res, j;
	struct inst *S;
	bool forced;

	for (pass = 0; pass < 4 && iv->ndirty > 0; pass++) {
		for (pos = 0; pos < iv->n && iv->ndirty > 0; pos++) {
			k = iv->order[pos];
			S = iv->dirty[k];
			if (!S)
				continue;
			iv->dirty[k] = NULL;
			iv->ndirty--;
			forced = iv->forced[k];
			iv->forced[k] = false;
			if (iv->only && !iv->only[k])
				continue; /* a value nobody asked for (interview_opts.only) */
			res = recompute_scope(iv, k, S);
			if (res || forced)
				interview_mark_dependents(iv, k, S);
			if ((res & 2) || forced) {
				const struct form_node *nd = iv->nodes[k];
				if (nd->type == FORM_GROUP || nd->type == FORM_REPEAT)
					for (j = k + 1; j < nd->end; j++)
						interview_mark(iv, j, S, true);
			}
		}
	}
	/* Only a containment cycle can leave marks behind; drop them. */
	for (k = 0; k < iv->n && iv->ndirty > 0; k++) {
		if (iv->dirty[k]) {
			iv->dirty[k] = NULL;
			iv->forced[k] = false;
			iv->ndirty--;
		}
	}
	iv->ndirty = 0;
}
