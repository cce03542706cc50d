/*
 * fn_number — the number functions: number, int, round, pow, the unary math
 * functions (log, log10, abs, sin, cos, tan, asin, acos, atan, sqrt, exp,
 * exp10, floor, ceiling), atan2, pi, random.
 *
 * Arithmetic is IEEE double as in XPath: NaN in, NaN out; nothing here
 * fails at run time.
 */
#include "fn.h"

#include <string.h>

static int fn_number(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double x;

	if (!n->n) {
		const char *s = expr_ev_value(E, c->node);

		set_num(out, expr_str_number(s, strlen(s)));
		return 0;
	}
	if (expr_ev_num(E, ARG(0), c, &x) < 0)
		return -1;
	set_num(out, x);
	return 0;
}

static int fn_round(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double x, y, p;

	if (expr_ev_num(E, ARG(0), c, &x) < 0)
		return -1;
	if (n->n < 2) {
		set_num(out, expr_round_half_away(x));
		return 0;
	}
	if (expr_ev_num(E, ARG(1), c, &y) < 0)
		return -1;
	y = trunc(y);
	if (isnan(y)) {
		set_num(out, NAN);
		return 0;
	}
	if (y > 300)
		y = 300;
	if (y < -300)
		y = -300;
	p = pow(10, y);
	set_num(out, expr_round_half_away(x * p) / p);
	return 0;
}

enum { M_POW, M_ATAN2 };

static int fn_math2(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double x, y;

	if (expr_ev_num(E, ARG(0), c, &x) < 0 || expr_ev_num(E, ARG(1), c, &y) < 0)
		return -1;
	set_num(out, n->fi->arg == M_POW ? pow(x, y) : atan2(x, y));
	return 0;
}

enum { M_INT, M_LOG, M_LOG10, M_ABS, M_SIN, M_COS, M_TAN, M_ASIN, M_ACOS, M_ATAN, M_SQRT, M_EXP,
       M_EXP10, M_FLOOR, M_CEILING };

static int fn_math1(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double x;

	if (expr_ev_num(E, ARG(0), c, &x) < 0)
		return -1;
	switch (n->fi->arg) {
	case M_INT: x = trunc(x); break;
	case M_LOG: x = log(x); break;
	case M_LOG10: x = log10(x); break;
	case M_ABS: x = fabs(x); break;
	case M_SIN: x = sin(x); break;
	case M_COS: x = cos(x); break;
	case M_TAN: x = tan(x); break;
	case M_ASIN: x = asin(x); break;
	case M_ACOS: x = acos(x); break;
	case M_ATAN: x = atan(x); break;
	case M_SQRT: x = sqrt(x); break;
	case M_EXP: x = exp(x); break;
	case M_EXP10: x = pow(10, x); break;
	case M_FLOOR: x = floor(x); break;
	default: x = ceil(x); break;
	}
	set_num(out, x);
	return 0;
}

static int fn_pi(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_num(out, M_PI);
	return 0;
}

static int fn_random(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_num(out, (double)(expr_ev_random(E) >> 11) / 9007199254740992.0);
	return 0;
}

const struct expr_fn expr_fn_number[] = {
	{"number", 0, 1, 0, 0, fn_number},
	{"int", 1, 1, 0, M_INT, fn_math1},
	{"round", 1, 2, 0, 0, fn_round},
	{"pow", 2, 2, 0, M_POW, fn_math2},
	{"log", 1, 1, 0, M_LOG, fn_math1},
	{"log10", 1, 1, 0, M_LOG10, fn_math1},
	{"abs", 1, 1, 0, M_ABS, fn_math1},
	{"sin", 1, 1, 0, M_SIN, fn_math1},
	{"cos", 1, 1, 0, M_COS, fn_math1},
	{"tan", 1, 1, 0, M_TAN, fn_math1},
	{"asin", 1, 1, 0, M_ASIN, fn_math1},
	{"acos", 1, 1, 0, M_ACOS, fn_math1},
	{"atan", 1, 1, 0, M_ATAN, fn_math1},
	{"atan2", 2, 2, 0, M_ATAN2, fn_math2},
	{"sqrt", 1, 1, 0, M_SQRT, fn_math1},
	{"exp", 1, 1, 0, M_EXP, fn_math1},
	{"exp10", 1, 1, 0, M_EXP10, fn_math1},
	{"pi", 0, 0, 0, 0, fn_pi},
	{"floor", 1, 1, 0, M_FLOOR, fn_math1},
	{"ceiling", 1, 1, 0, M_CEILING, fn_math1},
	{"random", 0, 0, 0, 0, fn_random},
};
const size_t expr_fn_number_n = sizeof(expr_fn_number) / sizeof(expr_fn_number[0]);
