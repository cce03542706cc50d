/*
 * fn_logic — the logic functions: if, coalesce, once, true, false, boolean,
 * boolean-from-string, not, checklist, weighted-checklist.
 *
 * if(), coalesce() and once() evaluate only the arguments they need, so
 * they short-circuit like `and` and `or`.
 */
#include "fn.h"

#include <string.h>

static int fn_if(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	bool bo;

	if (expr_ev_bool(E, ARG(0), c, &bo) < 0)
		return -1;
	return expr_ev_eval(E, ARG(bo ? 1 : 2), c, out);
}

static int fn_coalesce(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	size_t sl;

	if (expr_ev_eval(E, ARG(0), c, out) < 0)
		return -1;
	/* NaN counts as empty, as in ODK's evaluators */
	if (out->t == V_NUM && isnan(out->num))
		return expr_ev_eval(E, ARG(1), c, out);
	expr_ev_vstr(E, out, &sl);
	if (sl)
		return 0;
	return expr_ev_eval(E, ARG(1), c, out);
}

static int fn_once(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s = expr_ev_value(E, E->origin);

	if (*s) {
		set_str(out, s, strlen(s));
		return 0;
	}
	return expr_ev_eval(E, ARG(0), c, out);
}

/* true() (arg 1) and false() (arg 0) */
static int fn_constant(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_bool(out, E->e->nodes[i].fi->arg);
	return 0;
}

/* boolean() (arg 0) and not() (arg 1) */
static int fn_boolean(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	bool bo;

	if (expr_ev_bool(E, ARG(0), c, &bo) < 0)
		return -1;
	set_bool(out, n->fi->arg ? !bo : bo);
	return 0;
}

static bool true_string(const char *s, size_t len)
{
	return (len == 4 && !memcmp(s, "true", 4)) || (len == 1 && *s == '1');
}

static int fn_boolean_from_string(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s;
	size_t sl;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0)
		return -1;
	set_bool(out, true_string(s, sl));
	return 0;
}

static int count_true(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	size_t *count = st;

	if (v->t == V_STR ? true_string(s, len) : expr_ev_vbool(v))
		(*count)++;
	return 0;
}

static int fn_checklist(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double mn, mx, total;
	size_t count = 0;

	if (expr_ev_num(E, ARG(0), c, &mn) < 0 || expr_ev_num(E, ARG(1), c, &mx) < 0)
		return -1;
	if (expr_ev_each(E, i, 2, c, count_true, &count) < 0)
		return -1;
	total = (double)count;
	set_bool(out, (mn < 0 || total >= mn) && (mx < 0 || total <= mx));
	return 0;
}

static int fn_weighted_checklist(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double mn, mx, total = 0;
	struct val a, w;
	int k;

	if (expr_ev_num(E, ARG(0), c, &mn) < 0 || expr_ev_num(E, ARG(1), c, &mx) < 0)
		return -1;
	if ((n->n - 2) % 2)
		return expr_ev_fail(E, i, "weighted-checklist() 的值和权重必须成对出现",
				    "weighted-checklist() needs values and weights in pairs");
	for (k = 2; k + 1 < n->n; k += 2) {
		if (expr_ev_eval(E, ARG(k), c, &a) < 0 || expr_ev_eval(E, ARG(k + 1), c, &w) < 0)
			return -1;
		if (a.t == V_NODES && w.t == V_NODES) {
			size_t j;

			for (j = 0; j < a.n && j < w.n; j++) {
				const char *vs = expr_ev_value(E, E->s->nodes[a.off + j]);
				const char *ws = expr_ev_value(E, E->s->nodes[w.off + j]);

				if (!strcmp(vs, "true") || !strcmp(vs, "1"))
					total += expr_str_number(ws, strlen(ws));
			}
		} else {
			bool on;

			if (a.t == V_STR || a.t == V_NODES) {
				size_t sl;
				const char *s = expr_ev_vstr(E, &a, &sl);

				on = true_string(s, sl);
			} else {
				on = expr_ev_vbool(&a);
			}
			if (on)
				total += expr_ev_vnum(E, &w);
		}
	}
	set_bool(out, (mn < 0 || total >= mn) && (mx < 0 || total <= mx));
	return 0;
}

const struct expr_fn expr_fn_logic[] = {
	{"if", 3, 3, 0, 0, fn_if},
	{"coalesce", 2, 2, 0, 0, fn_coalesce},
	{"once", 1, 1, 0, 0, fn_once},
	{"true", 0, 0, 0, 1, fn_constant},
	{"false", 0, 0, 0, 0, fn_constant},
	{"boolean", 1, 1, 0, 0, fn_boolean},
	{"boolean-from-string", 1, 1, 0, 0, fn_boolean_from_string},
	{"not", 1, 1, 0, 1, fn_boolean},
	{"checklist", 2, -1, 0, 0, fn_checklist},
	{"weighted-checklist", 2, -1, 0, 0, fn_weighted_checklist},
};
const size_t expr_fn_logic_n = sizeof(expr_fn_logic) / sizeof(expr_fn_logic[0]);
