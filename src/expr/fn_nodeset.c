/*
 * fn_nodeset — the node-set functions: sum, count, count-non-empty, max,
 * min, position, last, current, indexed-repeat, randomize.
 *
 * Node-sets are runs on the scratch's node stack (fn.h); a function that
 * looks nodes up only to pick one restores the stack with expr_ev_mark /
 * expr_ev_restore before it returns.
 */
#include "fn.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

static int need_nodes(struct ev *E, int i, const struct val *v)
{
	if (v->t != V_NODES)
		return expr_ev_fail(E, i, "函数 '%s' 需要一个节点集参数",
				    "function '%s' needs a node-set argument",
				    E->e->nodes[i].fi->name);
	return 0;
}

enum { AGG_SUM, AGG_COUNT, AGG_COUNT_NON_EMPTY };

static int fn_sum(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	size_t j, cnt = 0;
	double sum = 0;
	struct val a;

	if (expr_ev_eval(E, ARG(0), c, &a) < 0 || need_nodes(E, i, &a) < 0)
		return -1;
	if (n->fi->arg == AGG_COUNT) {
		set_num(out, (double)a.n);
		return 0;
	}
	for (j = 0; j < a.n; j++) {
		const char *s = expr_ev_value(E, E->s->nodes[a.off + j]);

		if (n->fi->arg == AGG_SUM)
			sum += expr_str_number(s, strlen(s));
		else if (*s)
			cnt++;
	}
	set_num(out, n->fi->arg == AGG_SUM ? sum : (double)cnt);
	return 0;
}

struct minmax {
	double best;
	size_t count;
	bool nan, max;
};

static int minmax_one(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	struct minmax *m = st;
	double d = v->t == V_STR ? expr_str_number(s, len) : expr_ev_vnum(E, v);

	if (isnan(d))
		m->nan = true;
	else if (!m->count || (m->max ? d > m->best : d < m->best))
		m->best = d;
	m->count++;
	return 0;
}

/* max() (arg 1) and min() (arg 0): NaN if any value is not a number */
static int fn_minmax(struct ev *E, int i, const struct cx *c, struct val *out)
{
	struct minmax m = {.max = E->e->nodes[i].fi->arg};

	if (expr_ev_each(E, i, 0, c, minmax_one, &m) < 0)
		return -1;
	set_num(out, m.nan || !m.count ? NAN : m.best);
	return 0;
}

static int fn_position(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct val a;

	if (!n->n) {
		set_num(out, (double)c->pos);
		return 0;
	}
	if (expr_ev_eval(E, ARG(0), c, &a) < 0 || need_nodes(E, i, &a) < 0)
		return -1;
	if (!a.n) {
		set_num(out, NAN);
		return 0;
	}
	set_num(out, E->h && E->h->position ? (double)E->h->position(E->h->ud, E->s->nodes[a.off])
					     : 1);
	return 0;
}

static int fn_last(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_num(out, (double)c->size);
	return 0;
}

static int fn_current(struct ev *E, int i, const struct cx *c, struct val *out)
{
	size_t off = E->s->top;

	if (expr_ev_push_node(E, i, E->origin) < 0)
		return -1;
	set_nodes(out, off, 1);
	return 0;
}

/*
 * randomize(nodes[, seed]): the nodes shuffled by the "inside-out" variant of
 * Fisher-Yates, as the ODK XForms specification says. With a seed the random
 * numbers come from the Park-Miller "minimal standard" generator (multiplier
 * 16807, modulus 2^31 - 1), seeded and scaled exactly as ODK's evaluators do,
 * so a seeded shuffle gives the same order here as in Enketo and Collect
 * (tests/expr/test_fn_odk.c has the specification's published cases).
 * Without a seed, the host's (or the scratch's) generator.
 */
#define PM_MOD 2147483647.0

/* The Park-Miller state for a seed as ODK's evaluators make it: the integer
 * part modulo 2^31 - 1, moved into 1 .. 2^31 - 2. */
static int64_t pm_seed(double seed)
{
	seed = fmod(trunc(seed), PM_MOD);
	if (seed <= 0)
		seed += PM_MOD - 1;
	return (int64_t)seed;
}

/* The next number in [0, 1) of the generator. */
static double pm_next(int64_t *state)
{
	*state = *state * 16807 % 2147483647;
	return (double)(*state - 1) / (PM_MOD - 1);
}

/* The slot the inside-out shuffle puts item k in, from r in [0, 1). */
static size_t pm_slot(double r, size_t k)
{
	size_t j = (size_t)floor(r * (double)(k + 1));

	return j > k ? k : j;
}

int expr_shuffle(size_t *v, size_t n, double seed)
{
	size_t *tmp, k;
	int64_t state;

	if (!isfinite(seed))
		return -1;
	if (n < 2)
		return 0;
	state = pm_seed(seed);
	tmp = xcalloc(n, sizeof(*tmp));
	for (k = 0; k < n; k++) {
		size_t j = pm_slot(pm_next(&state), k);

		if (j != k)
			tmp[k] = tmp[j];
		tmp[j] = v[k];
	}
	memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
	return 0;
}

static int fn_randomize(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	bool seeded = n->n > 1;
	int64_t state = 0;
	size_t k, off;
	struct val a;

	if (expr_ev_eval(E, ARG(0), c, &a) < 0 || need_nodes(E, i, &a) < 0)
		return -1;
	if (seeded) {
		double seed;

		if (expr_ev_num(E, ARG(1), c, &seed) < 0)
			return -1;
		if (!isfinite(seed))
			return expr_ev_fail(E, i, "randomize() 的种子必须是数字，而不是 '%g'",
					    "randomize() needs a number as its seed, not '%g'", seed);
		/* a fraction is dropped (Java's long conversion), so seeds such
		 * as decimal-date-time(now()) work as in Collect */
		state = pm_seed(seed);
	}
	/* the result is a new run on top of the stack (the argument's run stays
	 * where it is: it is read by offset, so the stack may grow) */
	off = E->s->top;
	for (k = 0; k < a.n; k++)
		if (expr_ev_push_node(E, i, 0) < 0)
			return -1;
	for (k = 0; k < a.n; k++) {
		double r = seeded ? pm_next(&state)
				  : (double)(expr_ev_random(E) >> 11) / 9007199254740992.0;
		size_t j = pm_slot(r, k);

		if (j != k)
			E->s->nodes[off + k] = E->s->nodes[off + j];
		E->s->nodes[off + j] = E->s->nodes[a.off + k];
	}
	set_nodes(out, off, a.n);
	return 0;
}

/* indexed-repeat(${f}, ${rep}, n [, ${rep2}, m]...): the parser checked the
 * shape (EXPR_FN_REFS), so the field and repeat arguments are OP_REF. */
static int fn_indexed_repeat(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const struct enode *f = &E->e->nodes[ARG(0)];
	expr_node from = E->origin;
	size_t off;
	int k, cnt;

	for (k = 1; k + 1 < n->n; k += 2) {
		const struct enode *rep = &E->e->nodes[ARG(k)];
		struct expr_mark m = expr_ev_mark(E);
		double idx;

		/* The index may itself leave nodes on the stack (position(..)
		 * does), so the instances start where the stack is after it. */
		if (expr_ev_num(E, ARG(k + 1), c, &idx) < 0)
			return -1;
		off = E->s->top;
		cnt = expr_ev_push_resolve(E, ARG(k), rep->field, rep->str, from);
		if (cnt < 0)
			return -1;
		idx = floor(idx + 0.5);
		if (!(idx >= 1 && idx <= cnt)) {
			expr_ev_restore(E, m);
			set_nodes(out, E->s->top, 0);
			return 0;
		}
		from = E->s->nodes[off + (size_t)idx - 1];
		expr_ev_restore(E, m);
	}
	off = E->s->top;
	cnt = expr_ev_push_resolve(E, ARG(0), f->field, f->str, from);
	if (cnt < 0)
		return -1;
	set_nodes(out, off, (size_t)cnt);
	return 0;
}

const struct expr_fn expr_fn_nodeset[] = {
	{"sum", 1, 1, 0, AGG_SUM, fn_sum},
	{"count", 1, 1, 0, AGG_COUNT, fn_sum},
	{"count-non-empty", 1, 1, 0, AGG_COUNT_NON_EMPTY, fn_sum},
	{"max", 1, -1, 0, 1, fn_minmax},
	{"min", 1, -1, 0, 0, fn_minmax},
	{"position", 0, 1, 0, 0, fn_position},
	{"last", 0, 0, 0, 0, fn_last},
	{"current", 0, 0, 0, 0, fn_current},
	{"indexed-repeat", 3, -1, EXPR_FN_REFS, 0, fn_indexed_repeat},
	{"randomize", 1, 2, 0, 0, fn_randomize},
};
const size_t expr_fn_nodeset_n = sizeof(expr_fn_nodeset) / sizeof(expr_fn_nodeset[0]);
