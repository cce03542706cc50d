/*
 * eval — evaluation of compiled expressions against a host (ruhu/expr.h).
 *
 * Values are XPath's (number, string, boolean, node-set) plus a date type as
 * ODK's evaluators have it. Invariants: node-sets live as runs (off, n) in
 * s->nodes, a stack that only grows during one evaluation except where a
 * consumed sub-result is dropped (predicates); built strings live in the
 * scratch arena, whose blocks never move, so pointers into it stay valid
 * until the next evaluation. Nothing here allocates once the scratch has
 * grown to the expression's needs. Recursion is bounded by the tree height
 * the compiler enforces.
 */
#include "expr_impl.h"

#include "ruhu/digest.h"
#include "ruhu/strbuf.h"

#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- scratch ---------------------------------------------------------- */

struct sblock {
	struct sblock *next;
	size_t size, used;
	char data[];
};

#define RE_CACHE 8

/* a compiled regex() pattern, kept across evaluations */
struct re_entry {
	char *pat;
	size_t len;
	struct expr_regex *re;
	uint64_t used;
};

struct expr_scratch {
	expr_node *nodes;
	size_t top, cap;
	struct sblock *first, *cur;
	uint64_t rng[2];
	bool seeded;
	struct re_entry re[RE_CACHE];
	uint64_t re_clock;
};

struct expr_scratch *expr_scratch_new(void)
{
	struct expr_scratch *s = xcalloc(1, sizeof(*s));

	s->cap = 64;
	s->nodes = xmalloc(s->cap * sizeof(expr_node));
	s->first = s->cur = xmalloc(sizeof(struct sblock) + 4096);
	s->first->next = NULL;
	s->first->size = 4096;
	s->first->used = 0;
	return s;
}

void expr_scratch_free(struct expr_scratch *s)
{
	struct sblock *b, *n;
	int k;

	if (!s)
		return;
	for (b = s->first; b; b = n) {
		n = b->next;
		free(b);
	}
	for (k = 0; k < RE_CACHE; k++) {
		free(s->re[k].pat);
		expr_regex_free(s->re[k].re);
	}
	free(s->nodes);
	free(s);
}

static void scratch_reset(struct expr_scratch *s)
{
	s->top = 0;
	s->cur = s->first;
	s->first->used = 0;
}

/* n bytes in the arena (never NULL: out-of-memory aborts). */
static char *salloc(struct expr_scratch *s, size_t n)
{
	struct sblock *b = s->cur;
	char *p;

	n = (n + 7) & ~(size_t)7;
	while (b->size - b->used < n) {
		if (b->next) {
			b = b->next;
			b->used = 0;
			continue;
		}
		{
			size_t size = b->size * 2;
			struct sblock *nb;

			if (size < n)
				size = n;
			nb = xmalloc(sizeof(struct sblock) + size);
			nb->next = NULL;
			nb->size = size;
			nb->used = 0;
			b->next = nb;
			b = nb;
		}
	}
	s->cur = b;
	p = b->data + b->used;
	b->used += n;
	return p;
}

struct mark {
	size_t top;
	struct sblock *cur;
	size_t used;
};

static struct mark mark_get(struct expr_scratch *s)
{
	struct mark m = {s->top, s->cur, s->cur->used};
	return m;
}

static void mark_restore(struct expr_scratch *s, struct mark m)
{
	s->top = m.top;
	s->cur = m.cur;
	s->cur->used = m.used;
}

/* ---- values ------------------------------------------------------------ */

enum { V_NUM, V_STR, V_BOOL, V_NODES, V_DATE };

struct val {
	uint8_t t;
	bool b;
	double num;
	const char *s;
	size_t len;
	size_t off, n;
};

struct ev {
	const struct expr *e;
	const struct expr_host *h;
	struct expr_scratch *s;
	struct error *err;
	expr_node origin; /* current(): the node the expression belongs to */
};

/* the dynamic context: context node, position and size (predicates) */
struct cx {
	expr_node node;
	size_t pos, size;
};

static int fail(struct ev *E, int node, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
static int fail(struct ev *E, int node, const char *zh, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(E->err, NULL, zh, en, ap);
	va_end(ap);
	if (E->err)
		E->err->code = node >= 0 ? E->e->nodes[node].col : 1;
	return -1;
}

static const char *hvalue(struct ev *E, expr_node n)
{
	const char *v;

	if (!E->h || !E->h->value)
		return "";
	v = E->h->value(E->h->ud, n);
	return v ? v : "";
}

static void set_num(struct val *v, double d)
{
	v->t = V_NUM;
	v->num = d;
}

static void set_bool(struct val *v, bool b)
{
	v->t = V_BOOL;
	v->b = b;
}

static void set_str(struct val *v, const char *s, size_t len)
{
	v->t = V_STR;
	v->s = s;
	v->len = len;
}

static void set_date(struct val *v, double d)
{
	v->t = V_DATE;
	v->num = d;
}

static int ensure_nodes(struct ev *E, int node, size_t extra)
{
	struct expr_scratch *s = E->s;

	if (s->top + extra > EXPR_MAX_NODES)
		return fail(E, node, "结果节点太多", "too many nodes in a result");
	if (s->top + extra > s->cap) {
		size_t cap = s->cap * 2;

		while (cap < s->top + extra)
			cap *= 2;
		s->nodes = xrealloc(s->nodes, cap * sizeof(expr_node));
		s->cap = cap;
	}
	return 0;
}

/* Calls a host lookup that fills a node array, growing the stack as needed,
 * and appends the result at the top. Returns the count or -1. */
typedef int (*lookup_fn)(struct ev *E, const void *arg, expr_node *out, size_t cap);

static int push_lookup(struct ev *E, int node, lookup_fn fn, const void *arg)
{
	struct expr_scratch *s = E->s;
	int n;

	for (;;) {
		n = fn(E, arg, s->nodes + s->top, s->cap - s->top);
		if (n < 0)
			return fail(E, node, "无法查找 '%s'", "lookup of '%s' failed",
				    E->e->nodes[node].str ? E->e->nodes[node].str : "?");
		if ((size_t)n <= s->cap - s->top)
			break;
		if (ensure_nodes(E, node, (size_t)n) < 0)
			return -1;
	}
	s->top += (size_t)n;
	return n;
}

struct resolve_arg {
	int field;
	const char *name;
	expr_node from;
};

static int do_resolve(struct ev *E, const void *arg, expr_node *out, size_t cap)
{
	const struct resolve_arg *r = arg;

	if (!E->h || !E->h->resolve)
		return 0;
	return E->h->resolve(E->h->ud, r->field, r->name, r->from, out, cap);
}

static int do_child(struct ev *E, const void *arg, expr_node *out, size_t cap)
{
	const struct resolve_arg *r = arg;

	if (!E->h || !E->h->child)
		return 0;
	return E->h->child(E->h->ud, r->from, r->name, out, cap);
}

static int do_instance(struct ev *E, const void *arg, expr_node *out, size_t cap)
{
	const struct resolve_arg *r = arg;

	if (!E->h || !E->h->instance)
		return 0;
	return E->h->instance(E->h->ud, r->field, r->name, out, cap);
}

static int push_node(struct ev *E, int node, expr_node n)
{
	if (ensure_nodes(E, node, 1) < 0)
		return -1;
	E->s->nodes[E->s->top++] = n;
	return 0;
}

static void set_nodes(struct val *v, size_t off, size_t n)
{
	v->t = V_NODES;
	v->off = off;
	v->n = n;
}

/* ---- number <-> string ------------------------------------------------- */

static const double pow10_tab[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* XPath 1.0 Number: ws* '-'? (digits ('.' digits?)? | '.' digits) ws* */
static double parse_decimal(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	bool neg = false;
	uint64_t mant = 0;
	int digits = 0, frac = 0, any = 0;
	bool exact = true;

	while (p < end && is_ws(*p))
		p++;
	while (end > p && is_ws(end[-1]))
		end--;
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	q = p;
	while (p < end && *p >= '0' && *p <= '9') {
		if (mant || *p != '0')
			digits++;
		if (digits <= 15)
			mant = mant * 10 + (uint64_t)(*p - '0');
		else
			exact = false;
		p++;
		any = 1;
	}
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (mant || *p != '0')
				digits++;
			if (digits <= 15 && frac < 22) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				frac++;
			} else if (*p != '0' || digits <= 15) {
				exact = false;
			}
			p++;
			any = 1;
		}
	}
	if (any && p < end && (*p == 'e' || *p == 'E')) {
		/* 1.5e-3, as JavaScript and Java read numbers */
		const char *x = p + 1;

		if (x < end && (*x == '+' || *x == '-'))
			x++;
		if (x >= end || *x < '0' || *x > '9')
			return NAN;
		while (x < end && *x >= '0' && *x <= '9')
			x++;
		if (x != end)
			return NAN;
		p = end;
		exact = false;
	}
	if (!any || p != end)
		return NAN;
	if (exact) {
		double d = (double)mant / pow10_tab[frac];
		return neg ? -d : d;
	}
	{
		/* long numbers: let strtod round, with the locale's decimal point */
		char buf[512];
		size_t n = (size_t)(end - q), i;
		const char *dp = localeconv()->decimal_point;
		double d;

		if (n >= sizeof(buf))
			return NAN;
		for (i = 0; i < n; i++)
			buf[i] = q[i] == '.' ? (dp && *dp ? *dp : '.') : q[i];
		buf[n] = '\0';
		d = strtod(buf, NULL);
		return neg ? -d : d;
	}
}

static int looks_like_date(const char *s, size_t len)
{
	while (len && is_ws(*s)) {
		s++;
		len--;
	}
	return len >= 8 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && s[4] == '-';
}

static double str_number(const char *s, size_t len)
{
	double d;

	/* fast path: a short plain integer, the commonest answer */
	if (len && len <= 9) {
		size_t i;
		long v = 0;

		for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (s[i] - '0');
		if (i == len)
			return (double)v;
	}
	d = parse_decimal(s, len);
	bool date_only;

	if (isnan(d) && looks_like_date(s, len)) {
		while (len && is_ws(*s)) {
			s++;
			len--;
		}
		while (len && is_ws(s[len - 1]))
			len--;
		if (expr_time_parse(s, len, &d, &date_only) < 0)
			return NAN;
	}
	return d;
}

double expr_parse_number(const char *s)
{
	return str_number(s, strlen(s));
}

char *expr_format_number(double d, char *buf, size_t size)
{
	char tmp[40], digits[24];
	int nd = 0, exp10, i, n;
	bool neg;
	const char *p;

	if (isnan(d)) {
		snprintf(buf, size, "NaN");
		return buf;
	}
	if (isinf(d)) {
		snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
		return buf;
	}
	if (d == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(buf, size, "%.0f", d);
		return buf;
	}
	neg = d < 0;
	/* the shortest precision that reads back as the same double */
	for (i = 1; i <= 17; i++) {
		snprintf(tmp, sizeof(tmp), "%.*e", i - 1, fabs(d));
		if (strtod(tmp, NULL) == fabs(d))
			break;
	}
	for (p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *p;
	exp10 = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	n = exp10 + 1; /* value = 0.DIGITS x 10^n */
	{
		char *o = buf, *end = buf + size - 1;

#define PUT(c) do { if (o < end) *o++ = (c); } while (0)
		if (neg)
			PUT('-');
		if (nd <= n && n <= 21) {
			for (i = 0; i < nd; i++)
				PUT(digits[i]);
			for (; i < n; i++)
				PUT('0');
		} else if (0 < n && n <= 21) {
			for (i = 0; i < n; i++)
				PUT(digits[i]);
			PUT('.');
			for (; i < nd; i++)
				PUT(digits[i]);
		} else if (-6 < n && n <= 0) {
			PUT('0');
			PUT('.');
			for (i = 0; i < -n; i++)
				PUT('0');
			for (i = 0; i < nd; i++)
				PUT(digits[i]);
		} else {
			char e[16];

			PUT(digits[0]);
			if (nd > 1) {
				PUT('.');
				for (i = 1; i < nd; i++)
					PUT(digits[i]);
			}
			snprintf(e, sizeof(e), "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
			for (i = 0; e[i]; i++)
				PUT(e[i]);
		}
#undef PUT
		*o = '\0';
	}
	return buf;
}

/* ---- conversions ---------------------------------------------------------- */

static const char *vstr(struct ev *E, const struct val *v, size_t *len)
{
	const char *s;
	char *b;

	switch (v->t) {
	case V_STR:
		*len = v->len;
		return v->s;
	case V_BOOL:
		s = v->b ? "true" : "false";
		*len = strlen(s);
		return s;
	case V_NODES:
		s = v->n ? hvalue(E, E->s->nodes[v->off]) : "";
		*len = strlen(s);
		return s;
	case V_DATE:
		b = salloc(E->s, 48);
		*len = expr_time_format_iso(v->num, b, 48);
		return b;
	default:
		b = salloc(E->s, 40);
		expr_format_number(v->num, b, 40);
		*len = strlen(b);
		return b;
	}
}

static double vnum(struct ev *E, const struct val *v)
{
	const char *s;

	switch (v->t) {
	case V_NUM:
	case V_DATE:
		return v->num;
	case V_BOOL:
		return v->b ? 1 : 0;
	case V_STR:
		return str_number(v->s, v->len);
	default:
		if (!v->n)
			return NAN;
		s = hvalue(E, E->s->nodes[v->off]);
		return str_number(s, strlen(s));
	}
}

static bool vbool(const struct val *v)
{
	switch (v->t) {
	case V_DATE: /* a valid date is true, even 1970-01-01T00:00Z */
		return !isnan(v->num);
	case V_NUM:
		return v->num != 0 && !isnan(v->num);
	case V_BOOL:
		return v->b;
	case V_STR:
		return v->len > 0;
	default:
		return v->n > 0;
	}
}

/* ---- the evaluator ------------------------------------------------------- */

static int eval(struct ev *E, int i, const struct cx *c, struct val *out);
static int call(struct ev *E, int i, const struct cx *c, struct val *out);

static int eval_num(struct ev *E, int i, const struct cx *c, double *d)
{
	struct val v;

	/* hot path: number(${field}) of a single node, without the node stack */
	if (E->e->nodes[i].op == OP_REF && E->h && E->h->resolve) {
		const struct enode *n = &E->e->nodes[i];
		expr_node node;
		int cnt = E->h->resolve(E->h->ud, n->field, n->str, E->origin, &node, 1);

		if (cnt == 0 || cnt == 1) {
			const char *s = cnt ? hvalue(E, node) : "";

			*d = cnt ? str_number(s, strlen(s)) : NAN;
			return 0;
		}
	}

	if (eval(E, i, c, &v) < 0)
		return -1;
	*d = vnum(E, &v);
	return 0;
}

static int eval_bool(struct ev *E, int i, const struct cx *c, bool *b)
{
	struct val v;

	if (eval(E, i, c, &v) < 0)
		return -1;
	*b = vbool(&v);
	return 0;
}

static int eval_str(struct ev *E, int i, const struct cx *c, const char **s, size_t *len)
{
	struct val v;

	/* hot path: string(${field}) of a single node, without the node stack */
	if (E->e->nodes[i].op == OP_REF && E->h && E->h->resolve) {
		const struct enode *n = &E->e->nodes[i];
		expr_node node;
		int cnt = E->h->resolve(E->h->ud, n->field, n->str, E->origin, &node, 1);

		if (cnt == 0 || cnt == 1) {
			*s = cnt ? hvalue(E, node) : "";
			*len = strlen(*s);
			return 0;
		}
	}

	if (eval(E, i, c, &v) < 0)
		return -1;
	*s = vstr(E, &v, len);
	return 0;
}

static bool cmp_num(int op, double a, double b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	default:
		return a >= b;
	}
}

static bool cmp_str(int op, const char *a, size_t al, const char *b, size_t bl)
{
	bool eq = al == bl && !memcmp(a, b, al);

	return op == OP_EQ ? eq : !eq;
}

/* op with a swapped operand order: a OP b == b SWAP(OP) a */
static int swap_op(int op)
{
	switch (op) {
	case OP_LT:
		return OP_GT;
	case OP_LE:
		return OP_GE;
	case OP_GT:
		return OP_LT;
	case OP_GE:
		return OP_LE;
	default:
		return op;
	}
}

/* XPath 1.0 section 3.4 comparisons, with dates compared as numbers. */
static bool compare(struct ev *E, int op, const struct val *a, const struct val *b)
{
	bool eqop = op == OP_EQ || op == OP_NE;
	size_t i, j;

	if (a->t != V_NODES && b->t == V_NODES)
		return compare(E, swap_op(op), b, a);
	if (a->t == V_NODES) {
		const expr_node *an = E->s->nodes + a->off;

		if (b->t == V_NODES) {
			const expr_node *bn = E->s->nodes + b->off;

			for (i = 0; i < a->n; i++) {
				const char *x = hvalue(E, an[i]);
				for (j = 0; j < b->n; j++) {
					const char *y = hvalue(E, bn[j]);
					if (eqop ? cmp_str(op, x, strlen(x), y, strlen(y))
						 : cmp_num(op, str_number(x, strlen(x)),
							   str_number(y, strlen(y))))
						return true;
				}
			}
			return false;
		}
		if (b->t == V_BOOL) {
			if (eqop)
				return cmp_num(op, vbool(a), b->b);
			return cmp_num(op, vbool(a) ? 1 : 0, b->b ? 1 : 0);
		}
		for (i = 0; i < a->n; i++) {
			const char *x = hvalue(E, an[i]);
			size_t xl = strlen(x);

			if (b->t == V_STR && eqop) {
				if (cmp_str(op, x, xl, b->s, b->len))
					return true;
			} else if (cmp_num(op, str_number(x, xl), vnum(E, b))) {
				return true;
			}
		}
		return false;
	}
	if (eqop) {
		if (a->t == V_BOOL || b->t == V_BOOL)
			return cmp_num(op, vbool(a), vbool(b));
		if (a->t == V_NUM || b->t == V_NUM || a->t == V_DATE || b->t == V_DATE)
			return cmp_num(op, vnum(E, a), vnum(E, b));
		return cmp_str(op, a->s, a->len, b->s, b->len);
	}
	return cmp_num(op, vnum(E, a), vnum(E, b));
}

static int filter(struct ev *E, int i, const struct cx *c, struct val *v)
{
	const struct enode *n = &E->e->nodes[i];
	int k;

	for (k = 0; k < n->n; k++) {
		int pi = E->e->args[n->first + k];
		size_t in_off = v->off, cnt = v->n, j, kept = 0;
		size_t out_off;

		if (ensure_nodes(E, i, cnt) < 0)
			return -1;
		out_off = E->s->top;
		E->s->top += cnt;
		for (j = 0; j < cnt; j++) {
			struct cx pc = {E->s->nodes[in_off + j], j + 1, cnt};
			struct mark m = mark_get(E->s);
			struct val r;
			bool keep;

			if (eval(E, pi, &pc, &r) < 0)
				return -1;
			if (r.t == V_NUM)
				keep = r.num == (double)(j + 1);
			else
				keep = vbool(&r);
			mark_restore(E->s, m);
			if (keep)
				E->s->nodes[out_off + kept++] = E->s->nodes[in_off + j];
		}
		E->s->top = out_off + kept;
		set_nodes(v, out_off, kept);
	}
	return 0;
}

static int step(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct val base;
	size_t j, off, cnt;

	if (eval(E, n->a, c, &base) < 0)
		return -1;
	if (base.t != V_NODES)
		return fail(E, i, "路径只能用于节点集", "a path step needs a node-set");
	off = E->s->top;
	for (j = 0; j < base.n; j++) {
		expr_node x = E->s->nodes[base.off + j];

		if (n->fn == STEP_SELF) {
			if (push_node(E, i, x) < 0)
				return -1;
		} else if (n->fn == STEP_PARENT) {
			expr_node p;

			if (E->h && E->h->parent && E->h->parent(E->h->ud, x, &p) == 0) {
				cnt = E->s->top - off;
				if (cnt && E->s->nodes[E->s->top - 1] == p)
					continue;
				if (push_node(E, i, p) < 0)
					return -1;
			}
		} else {
			struct resolve_arg ra = {-1, n->str, x};

			if (push_lookup(E, i, do_child, &ra) < 0)
				return -1;
		}
	}
	set_nodes(out, off, E->s->top - off);
	return 0;
}

static int arith(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double a, b, r;

	if (eval_num(E, n->a, c, &a) < 0 || eval_num(E, n->b, c, &b) < 0)
		return -1;
	switch (n->op) {
	case OP_ADD:
		r = a + b;
		break;
	case OP_SUB:
		r = a - b;
		break;
	case OP_MUL:
		r = a * b;
		break;
	case OP_DIV:
		r = a / b;
		break;
	default:
		r = fmod(a, b);
		break;
	}
	set_num(out, r);
	return 0;
}

static int cmp_handle(const void *x, const void *y)
{
	expr_node a = *(const expr_node *)x, b = *(const expr_node *)y;

	return a < b ? -1 : a > b;
}

/* The hot path of relevance and constraint expressions: ${field} compared
 * with a number or string literal. Answers when ${field} is exactly one node
 * (returns true), otherwise leaves the general path to do it. Same result as
 * compare(): one node against a number compares numbers; against a string
 * with = / != compares strings, with < > numbers. */
static bool fast_compare(struct ev *E, const struct enode *n, struct val *out)
{
	const struct enode *ref = &E->e->nodes[n->a], *lit = &E->e->nodes[n->b];
	expr_node node;
	const char *v;

	if ((lit->op != OP_NUM && lit->op != OP_STR) || !E->h || !E->h->resolve)
		return false;
	if (E->h->resolve(E->h->ud, ref->field, ref->str, E->origin, &node, 1) != 1)
		return false;
	v = hvalue(E, node);
	if (lit->op == OP_STR && (n->op == OP_EQ || n->op == OP_NE)) {
		set_bool(out, cmp_str(n->op, v, strlen(v), lit->str, lit->len));
		return true;
	}
	set_bool(out, cmp_num(n->op, str_number(v, strlen(v)),
			      lit->op == OP_NUM ? lit->num : str_number(lit->str, lit->len)));
	return true;
}

static int eval(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct val a, b;

	switch (n->op) {
	case OP_NUM:
		set_num(out, n->num);
		return 0;
	case OP_STR:
		set_str(out, n->str, n->len);
		return 0;
	case OP_REF: {
		struct resolve_arg ra = {n->field, n->str, E->origin};
		size_t off = E->s->top;
		int cnt = push_lookup(E, i, do_resolve, &ra);

		if (cnt < 0)
			return -1;
		set_nodes(out, off, (size_t)cnt);
		return 0;
	}
	case OP_SELF: {
		size_t off = E->s->top;

		if (push_node(E, i, c->node) < 0)
			return -1;
		set_nodes(out, off, 1);
		return 0;
	}
	case OP_PARENT: {
		size_t off = E->s->top;
		expr_node p;

		if (E->h && E->h->parent && E->h->parent(E->h->ud, c->node, &p) == 0) {
			if (push_node(E, i, p) < 0)
				return -1;
		}
		set_nodes(out, off, E->s->top - off);
		return 0;
	}
	case OP_CHILD: {
		struct resolve_arg ra = {-1, n->str, c->node};
		size_t off = E->s->top;
		int cnt = push_lookup(E, i, do_child, &ra);

		if (cnt < 0)
			return -1;
		set_nodes(out, off, (size_t)cnt);
		return 0;
	}
	case OP_INSTANCE: {
		struct resolve_arg ra = {n->field, n->str, c->node};
		size_t off = E->s->top;
		int cnt = push_lookup(E, i, do_instance, &ra);

		if (cnt < 0)
			return -1;
		set_nodes(out, off, (size_t)cnt);
		return 0;
	}
	case OP_STEP:
		return step(E, i, c, out);
	case OP_FILTER:
		if (eval(E, n->a, c, out) < 0)
			return -1;
		if (out->t != V_NODES)
			return fail(E, i, "谓词只能用于节点集", "a predicate needs a node-set");
		return filter(E, i, c, out);
	case OP_OR:
	case OP_AND: {
		bool x;

		if (eval_bool(E, n->a, c, &x) < 0)
			return -1;
		if (x == (n->op == OP_OR)) {
			set_bool(out, x);
			return 0;
		}
		if (eval_bool(E, n->b, c, &x) < 0)
			return -1;
		set_bool(out, x);
		return 0;
	}
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if (E->e->nodes[n->a].op == OP_REF && fast_compare(E, n, out))
			return 0;
		if (eval(E, n->a, c, &a) < 0 || eval(E, n->b, c, &b) < 0)
			return -1;
		set_bool(out, compare(E, n->op, &a, &b));
		return 0;
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_MOD:
		return arith(E, i, c, out);
	case OP_NEG: {
		double d;

		if (eval_num(E, n->a, c, &d) < 0)
			return -1;
		set_num(out, -d);
		return 0;
	}
	case OP_UNION: {
		size_t off, j, k;

		if (eval(E, n->a, c, &a) < 0 || eval(E, n->b, c, &b) < 0)
			return -1;
		if (a.t != V_NODES || b.t != V_NODES)
			return fail(E, i, "'|' 两边必须是节点集", "'|' needs node-sets on both sides");
		if (ensure_nodes(E, i, a.n + b.n) < 0)
			return -1;
		off = E->s->top;
		memmove(E->s->nodes + off, E->s->nodes + a.off, a.n * sizeof(expr_node));
		E->s->top += a.n;
		if (a.n * b.n > 100000) {
			/* large sets: sort and drop duplicates (order by handle) */
			size_t w = 0;

			memmove(E->s->nodes + E->s->top, E->s->nodes + b.off, b.n * sizeof(expr_node));
			E->s->top += b.n;
			qsort(E->s->nodes + off, a.n + b.n, sizeof(expr_node), cmp_handle);
			for (j = 0; j < a.n + b.n; j++)
				if (!w || E->s->nodes[off + w - 1] != E->s->nodes[off + j])
					E->s->nodes[off + w++] = E->s->nodes[off + j];
			E->s->top = off + w;
			set_nodes(out, off, w);
			return 0;
		}
		for (j = 0; j < b.n; j++) {
			expr_node x = E->s->nodes[b.off + j];

			for (k = 0; k < a.n; k++)
				if (E->s->nodes[off + k] == x)
					break;
			if (k == a.n)
				E->s->nodes[E->s->top++] = x;
		}
		set_nodes(out, off, E->s->top - off);
		return 0;
	}
	case OP_CALL:
		return call(E, i, c, out);
	}
	return fail(E, i, "内部错误：未知节点", "internal error: unknown node");
}

/* ---- strings ------------------------------------------------------------- */

uint32_t expr_utf8_next(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t c = *p;
	int n, k;

	if (c < 0x80) {
		*pp += 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
	} else {
		*pp += 1;
		return *p;
	}
	if ((size_t)(end - (const char *)p) < (size_t)n + 1) {
		*pp += 1;
		return *p;
	}
	for (k = 1; k <= n; k++) {
		if ((p[k] & 0xc0) != 0x80) {
			*pp += 1;
			return *p;
		}
		c = (c << 6) | (p[k] & 0x3f);
	}
	*pp += n + 1;
	return c;
}

size_t expr_utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static size_t u8len(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t n = 0;

	while (p < end) {
		expr_utf8_next(&p, end);
		n++;
	}
	return n;
}

/* byte offset of code point `cp` (clamped to the end) */
static size_t u8off(const char *s, size_t len, size_t cp)
{
	const char *p = s, *end = s + len;

	while (p < end && cp) {
		expr_utf8_next(&p, end);
		cp--;
	}
	return (size_t)(p - s);
}

static char *scopy(struct ev *E, const char *s, size_t len)
{
	char *b = salloc(E->s, len + 1);

	memcpy(b, s, len);
	b[len] = '\0';
	return b;
}

static const char *find(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i;

	if (!nl)
		return h;
	if (nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && !memcmp(h + i, n, nl))
			return h + i;
	return NULL;
}

/* a growing string in the arena: reserve, then commit */
struct sbuild {
	struct ev *E;
	char *buf;
	size_t len, cap;
	bool over;
};

static void sb_init(struct sbuild *b, struct ev *E)
{
	b->E = E;
	b->cap = 64;
	b->buf = salloc(E->s, b->cap);
	b->len = 0;
	b->over = false;
}

static void sb_add(struct sbuild *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap;
		char *nb;

		if (b->len + n + 1 > EXPR_MAX_STRING) {
			b->over = true;
			return;
		}
		while (cap < b->len + n + 1)
			cap *= 2;
		nb = salloc(b->E->s, cap);
		memcpy(nb, b->buf, b->len);
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static int sb_done(struct sbuild *b, int node, struct val *out)
{
	if (b->over)
		return fail(b->E, node, "字符串太长（最多 %u 字节）", "string too long (at most %u bytes)",
			    EXPR_MAX_STRING);
	b->buf[b->len] = '\0';
	set_str(out, b->buf, b->len);
	return 0;
}

/* space-separated tokens of a select_multiple answer */
static bool next_token(const char **p, const char *end, const char **tok, size_t *tl)
{
	const char *s = *p;

	while (s < end && is_ws(*s))
		s++;
	if (s >= end)
		return false;
	*tok = s;
	while (s < end && !is_ws(*s))
		s++;
	*tl = (size_t)(s - *tok);
	*p = s;
	return true;
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_ws(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_ws((*s)[*len - 1]))
		(*len)--;
}

/* ---- random ---------------------------------------------------------------- */

static uint64_t rng_next(struct ev *E)
{
	struct expr_scratch *s = E->s;
	uint64_t a, b, r;

	if (E->h && E->h->random)
		return E->h->random(E->h->ud);
	if (!s->seeded) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		bool ok = false;

		if (fd >= 0) {
			ok = read(fd, s->rng, sizeof(s->rng)) == (ssize_t)sizeof(s->rng);
			close(fd);
		}
		if (!ok) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			s->rng[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
			s->rng[1] = 0x9e3779b97f4a7c15ull ^ (uintptr_t)s;
		}
		if (!s->rng[0] && !s->rng[1])
			s->rng[1] = 1;
		s->seeded = true;
	}
	/* xorshift128+ */
	a = s->rng[0];
	b = s->rng[1];
	s->rng[0] = b;
	a ^= a << 23;
	s->rng[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	r = s->rng[1] + b;
	return r;
}

static int64_t now_ms(struct ev *E)
{
	struct timespec ts;

	if (E->h && E->h->now_ms)
		return E->h->now_ms(E->h->ud);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* regex() through the scratch's cache of compiled patterns (LRU), so a
 * constraint like regex(., '^1[3-9][0-9]{9}$') compiles once */
static int regex_match(struct ev *E, const char *pat, size_t plen, const char *s, size_t len)
{
	struct expr_scratch *sc = E->s;
	struct re_entry *slot = &sc->re[0];
	int k;

	if (plen > 4096)
		return expr_regex_search(pat, plen, s, len);
	for (k = 0; k < RE_CACHE; k++) {
		struct re_entry *r = &sc->re[k];

		if (r->re && r->len == plen && !memcmp(r->pat, pat, plen)) {
			r->used = ++sc->re_clock;
			return expr_regex_exec(r->re, s, len);
		}
		if (!r->re || r->used < slot->used)
			slot = r;
		if (!r->re)
			break;
	}
	free(slot->pat);
	expr_regex_free(slot->re);
	slot->pat = NULL;
	slot->re = NULL;
	if (expr_regex_compile(pat, plen, &slot->re) < 0)
		return -1;
	slot->pat = xstrndup(pat, plen);
	slot->len = plen;
	slot->used = ++sc->re_clock;
	return expr_regex_exec(slot->re, s, len);
}

/* ---- geo ------------------------------------------------------------------- */

#define EARTH_RADIUS 6378100.0 /* metres, as ODK's evaluators use */

struct geopt {
	double lat, lon;
};

/* Parses "lat lon [alt [acc]]"; 0 ok, -1 invalid. */
static int parse_point(const char *s, size_t len, struct geopt *pt)
{
	const char *p = s, *end = s + len, *tok;
	size_t tl;
	double v[2];
	int k;

	for (k = 0; k < 2; k++) {
		if (!next_token(&p, end, &tok, &tl))
			return -1;
		v[k] = parse_decimal(tok, tl);
		if (isnan(v[k]))
			return -1;
	}
	if (fabs(v[0]) > 90 || fabs(v[1]) > 180)
		return -1;
	pt->lat = v[0];
	pt->lon = v[1];
	return 0;
}

/* Collects points from a value: a node-set of geopoints, or one string of
 * "lat lon alt acc;lat lon ..." (a geotrace/geoshape). Returns the count of
 * points stored in the arena at *pts, or -1 when a point is invalid. */
static int collect_points(struct ev *E, const struct val *v, struct geopt **pts, size_t *n,
			  size_t *cap)
{
	const char *s;
	size_t len, j;

	if (v->t == V_NODES && v->n > 1) {
		for (j = 0; j < v->n; j++) {
			const char *x = hvalue(E, E->s->nodes[v->off + j]);
			struct val sv;

			set_str(&sv, x, strlen(x));
			if (collect_points(E, &sv, pts, n, cap) < 0)
				return -1;
		}
		return 0;
	}
	s = vstr(E, v, &len);
	while (len) {
		const char *semi = memchr(s, ';', len);
		size_t pl = semi ? (size_t)(semi - s) : len;
		const char *ps = s;
		size_t pll = pl;

		trim(&ps, &pll);
		if (pll) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				struct geopt *np = (struct geopt *)salloc(E->s, nc * sizeof(struct geopt));

				if (*n)
					memcpy(np, *pts, *n * sizeof(struct geopt));
				*pts = np;
				*cap = nc;
			}
			if (parse_point(ps, pll, &(*pts)[*n]) < 0)
				return -1;
			(*n)++;
		}
		if (!semi)
			break;
		len -= pl + 1;
		s = semi + 1;
	}
	return 0;
}

static double rad(double d)
{
	return d * M_PI / 180.0;
}

static double geo_distance(const struct geopt *p, size_t n)
{
	double total = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		double la1 = rad(p[i - 1].lat), la2 = rad(p[i].lat);
		double dla = la2 - la1, dlo = rad(p[i].lon - p[i - 1].lon);
		double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);

		total += 2 * EARTH_RADIUS * atan2(sqrt(h), sqrt(1 - h));
	}
	return total;
}

/* Area of a polygon on the sphere (the spherical-excess sum ODK uses). */
static double geo_area(const struct geopt *p, size_t n)
{
	double total = 0;
	size_t i;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++) {
		const struct geopt *a = &p[i], *b = &p[(i + 1) % n];

		total += rad(b->lon - a->lon) * (2 + sin(rad(a->lat)) + sin(rad(b->lat)));
	}
	return fabs(total * EARTH_RADIUS * EARTH_RADIUS / 2);
}

static bool geofence(struct geopt pt, const struct geopt *p, size_t n)
{
	size_t i, j;
	bool in = false;

	if (n < 4 || p[0].lat != p[n - 1].lat || p[0].lon != p[n - 1].lon)
		return false;
	for (i = 0, j = n - 2; i < n - 1; j = i++) {
		double yi = p[i].lat, xi = p[i].lon, yj = p[j].lat, xj = p[j].lon;

		if ((yi > pt.lat) != (yj > pt.lat) &&
		    pt.lon < (xj - xi) * (pt.lat - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}

/* ---- base64 ---------------------------------------------------------------- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* decodes into out (>= 3*len/4+3 bytes); -1 on an invalid character */
static long b64_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;
	long o = 0;

	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == '=')
			break;
		if (is_ws(s[i]))
			continue;
		v = b64_val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

/* ---- function calls ---------------------------------------------------------- */

#define ARG(k) (E->e->args[n->first + (k)])

/* Evaluates every argument and feeds each value (node-sets node by node, as
 * strings) to fn; used by the variadic aggregate functions. */
typedef int (*each_fn)(struct ev *E, void *st, const char *s, size_t len, const struct val *v);

static int each_value(struct ev *E, int i, int from, const struct cx *c, each_fn fn, void *st)
{
	const struct enode *n = &E->e->nodes[i];
	int k;

	for (k = from; k < n->n; k++) {
		struct val v;

		if (eval(E, ARG(k), c, &v) < 0)
			return -1;
		if (v.t == V_NODES) {
			size_t j;

			for (j = 0; j < v.n; j++) {
				const char *x = hvalue(E, E->s->nodes[v.off + j]);
				struct val sv;

				set_str(&sv, x, strlen(x));
				if (fn(E, st, x, strlen(x), &sv) < 0)
					return -1;
			}
		} else {
			size_t len;
			const char *s = vstr(E, &v, &len);

			if (fn(E, st, s, len, &v) < 0)
				return -1;
		}
	}
	return 0;
}

struct agg {
	double sum;
	size_t count;
	bool nan;
	struct sbuild sb;
	const char *sep;
	size_t seplen;
};

static int agg_minmax(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	struct agg *a = st;
	double d = v->t == V_STR ? str_number(s, len) : vnum(E, v);
	bool max = a->seplen;

	if (isnan(d))
		a->nan = true;
	else if (!a->count || (max ? d > a->sum : d < a->sum))
		a->sum = d;
	a->count++;
	return 0;
}

static int agg_join(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	struct agg *a = st;

	if (a->count++)
		sb_add(&a->sb, a->sep, a->seplen);
	sb_add(&a->sb, s, len);
	return 0;
}

static int agg_checklist(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	struct agg *a = st;
	bool b;

	if (v->t == V_STR)
		b = (len == 4 && !memcmp(s, "true", 4)) || (len == 1 && s[0] == '1');
	else
		b = vbool(v);
	if (b)
		a->count++;
	return 0;
}

static int need_nodes(struct ev *E, int i, const struct val *v)
{
	if (v->t != V_NODES)
		return fail(E, i, "函数 '%s' 需要一个节点集参数", "function '%s' needs a node-set argument",
			    expr_fn_name(E->e->nodes[i].fn));
	return 0;
}

static int fn_indexed_repeat(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	expr_node from = E->origin;
	int k;

	for (k = 1; k + 1 < n->n; k += 2) {
		const struct enode *rep = &E->e->nodes[ARG(k)];
		struct resolve_arg ra = {rep->field, rep->str, from};
		struct mark m = mark_get(E->s);
		double idx;
		size_t off;
		int cnt;

		/* The index may itself leave nodes on the stack (position(..)
		 * does), so the instances start where the stack is after it. */
		if (eval_num(E, ARG(k + 1), c, &idx) < 0)
			return -1;
		off = E->s->top;
		cnt = push_lookup(E, ARG(k), do_resolve, &ra);
		if (cnt < 0)
			return -1;
		idx = floor(idx + 0.5);
		if (!(idx >= 1 && idx <= cnt)) {
			mark_restore(E->s, m);
			set_nodes(out, E->s->top, 0);
			return 0;
		}
		from = E->s->nodes[off + (size_t)idx - 1];
		mark_restore(E->s, m);
	}
	{
		const struct enode *f = &E->e->nodes[ARG(0)];
		struct resolve_arg ra = {f->field, f->str, from};
		size_t off = E->s->top;
		int cnt = push_lookup(E, ARG(0), do_resolve, &ra);

		if (cnt < 0)
			return -1;
		set_nodes(out, off, (size_t)cnt);
	}
	return 0;
}

static double round_half_away(double x)
{
	if (isnan(x) || isinf(x))
		return x;
	return x < 0 ? -floor(-x + 0.5) : floor(x + 0.5);
}

static int to_date(struct ev *E, const struct val *v, double *days)
{
	bool date_only;

	if (v->t == V_DATE || v->t == V_NUM) {
		*days = v->num;
		return 0;
	}
	if (v->t == V_BOOL) {
		*days = NAN;
		return 0;
	}
	{
		size_t len;
		const char *s = vstr(E, v, &len);

		trim(&s, &len);
		if (!len) {
			*days = NAN;
			return 1; /* empty */
		}
		if (expr_time_parse(s, len, days, &date_only) == 0)
			return 0;
		*days = parse_decimal(s, len);
	}
	return 0;
}

static int call(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct val a, b;
	const char *s, *t;
	size_t sl, tl;
	double x, y;
	bool bo;

	switch (n->fn) {
	case FN_UNKNOWN:
		return fail(E, i, "未知函数 '%s'", "unknown function '%s'", n->str);
	case FN_BAD_ARITY:
		return fail(E, i, "函数 '%s' 的参数个数不对", "function '%s' called with the wrong number of arguments",
			    n->str);
	case FN_IF:
		if (eval_bool(E, ARG(0), c, &bo) < 0)
			return -1;
		return eval(E, ARG(bo ? 1 : 2), c, out);
	case FN_COALESCE:
		if (eval(E, ARG(0), c, out) < 0)
			return -1;
		/* NaN counts as empty, as in ODK's evaluators */
		if (out->t == V_NUM && isnan(out->num))
			return eval(E, ARG(1), c, out);
		s = vstr(E, out, &sl);
		if (sl)
			return 0;
		return eval(E, ARG(1), c, out);
	case FN_ONCE:
		s = hvalue(E, E->origin);
		if (*s) {
			set_str(out, s, strlen(s));
			return 0;
		}
		return eval(E, ARG(0), c, out);
	case FN_TRUE:
		set_bool(out, true);
		return 0;
	case FN_FALSE:
		set_bool(out, false);
		return 0;
	case FN_BOOLEAN:
		if (eval_bool(E, ARG(0), c, &bo) < 0)
			return -1;
		set_bool(out, bo);
		return 0;
	case FN_NOT:
		if (eval_bool(E, ARG(0), c, &bo) < 0)
			return -1;
		set_bool(out, !bo);
		return 0;
	case FN_BOOLEAN_FROM_STRING:
		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		set_bool(out, (sl == 4 && !memcmp(s, "true", 4)) || (sl == 1 && *s == '1'));
		return 0;
	case FN_REGEX: {
		int r;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		r = regex_match(E, t, tl, s, sl);
		if (r < 0)
			return fail(E, ARG(1), "无效或过于复杂的正则表达式 '%.*s'",
				    "invalid or too complex regular expression '%.*s'", (int)tl, t);
		set_bool(out, r == 1);
		return 0;
	}
	case FN_CHECKLIST:
	case FN_WEIGHTED_CHECKLIST: {
		double mn, mx, total = 0;
		int k;

		if (eval_num(E, ARG(0), c, &mn) < 0 || eval_num(E, ARG(1), c, &mx) < 0)
			return -1;
		if (n->fn == FN_CHECKLIST) {
			struct agg ag = {0};

			if (each_value(E, i, 2, c, agg_checklist, &ag) < 0)
				return -1;
			total = (double)ag.count;
		} else {
			if ((n->n - 2) % 2)
				return fail(E, i, "weighted-checklist() 的值和权重必须成对出现",
					    "weighted-checklist() needs values and weights in pairs");
			for (k = 2; k + 1 < n->n; k += 2) {
				struct val w;

				if (eval(E, ARG(k), c, &a) < 0 || eval(E, ARG(k + 1), c, &w) < 0)
					return -1;
				if (a.t == V_NODES && w.t == V_NODES) {
					size_t j;

					for (j = 0; j < a.n && j < w.n; j++) {
						const char *vs = hvalue(E, E->s->nodes[a.off + j]);
						const char *ws = hvalue(E, E->s->nodes[w.off + j]);

						if (!strcmp(vs, "true") || !strcmp(vs, "1"))
							total += str_number(ws, strlen(ws));
					}
				} else {
					bool on;

					if (a.t == V_STR || a.t == V_NODES) {
						s = vstr(E, &a, &sl);
						on = (sl == 4 && !memcmp(s, "true", 4)) ||
						     (sl == 1 && *s == '1');
					} else {
						on = vbool(&a);
					}
					if (on)
						total += vnum(E, &w);
				}
			}
		}
		set_bool(out, (mn < 0 || total >= mn) && (mx < 0 || total <= mx));
		return 0;
	}
	case FN_STRING:
		if (!n->n) {
			s = hvalue(E, c->node);
			set_str(out, s, strlen(s));
			return 0;
		}
		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		set_str(out, s, sl);
		return 0;
	case FN_CONCAT: {
		struct agg ag = {0};

		sb_init(&ag.sb, E);
		ag.sep = "";
		if (each_value(E, i, 0, c, agg_join, &ag) < 0)
			return -1;
		return sb_done(&ag.sb, i, out);
	}
	case FN_JOIN: {
		struct agg ag = {0};

		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		sb_init(&ag.sb, E);
		ag.sep = s;
		ag.seplen = sl;
		if (each_value(E, i, 1, c, agg_join, &ag) < 0)
			return -1;
		return sb_done(&ag.sb, i, out);
	}
	case FN_SUBSTR:
	case FN_SUBSTRING: {
		double start, end = INFINITY;
		size_t cps, from, to;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_num(E, ARG(1), c, &start) < 0)
			return -1;
		if (n->n > 2 && eval_num(E, ARG(2), c, &end) < 0)
			return -1;
		cps = u8len(s, sl);
		if (n->fn == FN_SUBSTR) {
			/* ODK substr(s, start, end): 0-based, end exclusive; negative
			 * counts from the end */
			double st = start, en = n->n > 2 ? end : (double)cps;

			if (isnan(st) || isnan(en)) {
				set_str(out, "", 0);
				return 0;
			}
			st = trunc(st);
			en = trunc(en);
			if (st < 0)
				st += (double)cps;
			if (en < 0)
				en += (double)cps;
			if (st < 0)
				st = 0;
			if (en > (double)cps)
				en = (double)cps;
			if (st >= en) {
				set_str(out, "", 0);
				return 0;
			}
			from = (size_t)st;
			to = (size_t)en;
		} else {
			/* XPath 1.0 substring(): 1-based, rounded, length */
			double rs = round_half_away(start), first, last;

			if (n->n > 2) {
				double rl = round_half_away(end);
				last = rs + rl;
			} else {
				last = INFINITY;
			}
			first = rs;
			if (isnan(first) || isnan(last) || last <= first || first > (double)cps) {
				set_str(out, "", 0);
				return 0;
			}
			if (first < 1)
				first = 1;
			if (last > (double)cps + 1)
				last = (double)cps + 1;
			if (last <= first) {
				set_str(out, "", 0);
				return 0;
			}
			from = (size_t)first - 1;
			to = (size_t)last - 1;
		}
		{
			size_t bo1 = u8off(s, sl, from);
			size_t bo2 = bo1 + u8off(s + bo1, sl - bo1, to - from);

			set_str(out, scopy(E, s + bo1, bo2 - bo1), bo2 - bo1);
		}
		return 0;
	}
	case FN_SUBSTRING_BEFORE:
	case FN_SUBSTRING_AFTER: {
		const char *f;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		f = find(s, sl, t, tl);
		if (!f) {
			set_str(out, "", 0);
			return 0;
		}
		if (n->fn == FN_SUBSTRING_BEFORE)
			set_str(out, scopy(E, s, (size_t)(f - s)), (size_t)(f - s));
		else
			set_str(out, f + tl, sl - (size_t)(f - s) - tl);
		if (n->fn == FN_SUBSTRING_AFTER && out->s[out->len] != '\0')
			out->s = scopy(E, out->s, out->len);
		return 0;
	}
	case FN_TRANSLATE: {
		const char *u;
		size_t ul;
		struct sbuild sb;
		const char *p, *end;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0 ||
		    eval_str(E, ARG(2), c, &u, &ul) < 0)
			return -1;
		sb_init(&sb, E);
		p = s;
		end = s + sl;
		while (p < end) {
			const char *cs = p;
			uint32_t ch = expr_utf8_next(&p, end);
			const char *q = t, *qend = t + tl;
			size_t idx = 0;
			bool found = false;

			while (q < qend) {
				if (expr_utf8_next(&q, qend) == ch) {
					found = true;
					break;
				}
				idx++;
			}
			if (!found) {
				sb_add(&sb, cs, (size_t)(p - cs));
			} else {
				size_t o = u8off(u, ul, idx);

				if (o < ul) {
					const char *r = u + o, *rs = r;
					expr_utf8_next(&r, u + ul);
					sb_add(&sb, rs, (size_t)(r - rs));
				}
			}
		}
		return sb_done(&sb, i, out);
	}
	case FN_STRING_LENGTH:
		if (!n->n) {
			s = hvalue(E, c->node);
			sl = strlen(s);
		} else if (eval_str(E, ARG(0), c, &s, &sl) < 0) {
			return -1;
		}
		set_num(out, (double)u8len(s, sl));
		return 0;
	case FN_NORMALIZE_SPACE: {
		struct sbuild sb;
		const char *p, *end, *tok;
		size_t tlen;
		bool firsttok = true;

		if (!n->n) {
			s = hvalue(E, c->node);
			sl = strlen(s);
		} else if (eval_str(E, ARG(0), c, &s, &sl) < 0) {
			return -1;
		}
		sb_init(&sb, E);
		p = s;
		end = s + sl;
		while (next_token(&p, end, &tok, &tlen)) {
			if (!firsttok)
				sb_add(&sb, " ", 1);
			sb_add(&sb, tok, tlen);
			firsttok = false;
		}
		return sb_done(&sb, i, out);
	}
	case FN_CONTAINS:
	case FN_STARTS_WITH:
	case FN_ENDS_WITH:
		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		if (n->fn == FN_CONTAINS)
			bo = find(s, sl, t, tl) != NULL;
		else if (n->fn == FN_STARTS_WITH)
			bo = tl <= sl && !memcmp(s, t, tl);
		else
			bo = tl <= sl && !memcmp(s + sl - tl, t, tl);
		set_bool(out, bo);
		return 0;
	case FN_UUID: {
		char *u;

		if (n->n) {
			static const char an[] =
				"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
			size_t len, k;

			if (eval_num(E, ARG(0), c, &x) < 0)
				return -1;
			if (!(x >= 0 && x <= 4096))
				return fail(E, i, "uuid() 的长度必须在 0 到 4096 之间",
					    "uuid() length must be between 0 and 4096");
			len = (size_t)x;
			u = salloc(E->s, len + 1);
			for (k = 0; k < len; k++)
				u[k] = an[rng_next(E) % 62];
			u[len] = '\0';
			set_str(out, u, len);
			return 0;
		}
		{
			unsigned char r[16];
			uint64_t r1 = rng_next(E), r2 = rng_next(E);
			int k;

			for (k = 0; k < 8; k++) {
				r[k] = (unsigned char)(r1 >> (8 * k));
				r[8 + k] = (unsigned char)(r2 >> (8 * k));
			}
			r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
			r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
			u = salloc(E->s, 37);
			snprintf(u, 37,
				 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
				 r[12], r[13], r[14], r[15]);
			set_str(out, u, 36);
		}
		return 0;
	}
	case FN_DIGEST: {
		enum digest_alg alg;
		const char *enc = "base64";
		size_t encl = 6;
		unsigned char md[DIGEST_MAX_SIZE];
		struct digest d;
		char *o;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		if (n->n > 2 && eval_str(E, ARG(2), c, &enc, &encl) < 0)
			return -1;
		if (tl == 3 && !strncasecmp(t, "MD5", 3))
			alg = DIGEST_MD5;
		else if (tl == 5 && !strncasecmp(t, "SHA-1", 5))
			alg = DIGEST_SHA1;
		else if (tl == 7 && !strncasecmp(t, "SHA-256", 7))
			alg = DIGEST_SHA256;
		else
			return fail(E, ARG(1), "digest() 不支持算法 '%.*s'（可用 MD5、SHA-1、SHA-256）",
				    "digest() does not support '%.*s' (use MD5, SHA-1 or SHA-256)",
				    (int)tl, t);
		digest_init(&d, alg);
		digest_update(&d, s, sl);
		digest_final(&d, md);
		o = salloc(E->s, 2 * DIGEST_MAX_SIZE + 1);
		if (encl == 3 && !strncasecmp(enc, "hex", 3)) {
			digest_to_hex(md, digest_size(alg), o);
		} else if (encl == 6 && !strncasecmp(enc, "base64", 6)) {
			b64_encode(md, digest_size(alg), o);
		} else {
			return fail(E, ARG(2), "digest() 不支持编码 '%.*s'（可用 hex、base64）",
				    "digest() does not support encoding '%.*s' (use hex or base64)",
				    (int)encl, enc);
		}
		set_str(out, o, strlen(o));
		return 0;
	}
	case FN_BASE64_DECODE: {
		unsigned char *o;
		long len;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		o = (unsigned char *)salloc(E->s, sl / 4 * 3 + 4);
		len = b64_decode(s, sl, o);
		if (len < 0)
			len = 0;
		o[len] = '\0';
		set_str(out, (const char *)o, (size_t)len);
		return 0;
	}
	case FN_NUMBER:
		if (!n->n) {
			s = hvalue(E, c->node);
			set_num(out, str_number(s, strlen(s)));
			return 0;
		}
		if (eval_num(E, ARG(0), c, &x) < 0)
			return -1;
		set_num(out, x);
		return 0;
	case FN_INT:
		if (eval_num(E, ARG(0), c, &x) < 0)
			return -1;
		set_num(out, trunc(x));
		return 0;
	case FN_ROUND:
		if (eval_num(E, ARG(0), c, &x) < 0)
			return -1;
		if (n->n > 1) {
			double p;

			if (eval_num(E, ARG(1), c, &y) < 0)
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
			set_num(out, round_half_away(x * p) / p);
			return 0;
		}
		set_num(out, round_half_away(x));
		return 0;
	case FN_POW:
		if (eval_num(E, ARG(0), c, &x) < 0 || eval_num(E, ARG(1), c, &y) < 0)
			return -1;
		set_num(out, pow(x, y));
		return 0;
	case FN_ATAN2:
		if (eval_num(E, ARG(0), c, &x) < 0 || eval_num(E, ARG(1), c, &y) < 0)
			return -1;
		set_num(out, atan2(x, y));
		return 0;
	case FN_LOG:
	case FN_LOG10:
	case FN_ABS:
	case FN_SIN:
	case FN_COS:
	case FN_TAN:
	case FN_ASIN:
	case FN_ACOS:
	case FN_ATAN:
	case FN_SQRT:
	case FN_EXP:
	case FN_EXP10:
	case FN_FLOOR:
	case FN_CEILING:
		if (eval_num(E, ARG(0), c, &x) < 0)
			return -1;
		switch (n->fn) {
		case FN_LOG: x = log(x); break;
		case FN_LOG10: x = log10(x); break;
		case FN_ABS: x = fabs(x); break;
		case FN_SIN: x = sin(x); break;
		case FN_COS: x = cos(x); break;
		case FN_TAN: x = tan(x); break;
		case FN_ASIN: x = asin(x); break;
		case FN_ACOS: x = acos(x); break;
		case FN_ATAN: x = atan(x); break;
		case FN_SQRT: x = sqrt(x); break;
		case FN_EXP: x = exp(x); break;
		case FN_EXP10: x = pow(10, x); break;
		case FN_FLOOR: x = floor(x); break;
		default: x = ceil(x); break;
		}
		set_num(out, x);
		return 0;
	case FN_PI:
		set_num(out, M_PI);
		return 0;
	case FN_SUM:
	case FN_COUNT:
	case FN_COUNT_NON_EMPTY: {
		size_t j, cnt = 0;
		double sum = 0;

		if (eval(E, ARG(0), c, &a) < 0 || need_nodes(E, i, &a) < 0)
			return -1;
		for (j = 0; j < a.n; j++) {
			s = hvalue(E, E->s->nodes[a.off + j]);
			if (n->fn == FN_SUM)
				sum += str_number(s, strlen(s));
			else if (*s)
				cnt++;
		}
		if (n->fn == FN_SUM)
			set_num(out, sum);
		else if (n->fn == FN_COUNT)
			set_num(out, (double)a.n);
		else
			set_num(out, (double)cnt);
		return 0;
	}
	case FN_MAX:
	case FN_MIN: {
		struct agg ag = {0};

		ag.seplen = n->fn == FN_MAX; /* reused as the max/min flag */
		if (each_value(E, i, 0, c, agg_minmax, &ag) < 0)
			return -1;
		set_num(out, ag.nan || !ag.count ? NAN : ag.sum);
		return 0;
	}
	case FN_POSITION:
		if (n->n) {
			if (eval(E, ARG(0), c, &a) < 0 || need_nodes(E, i, &a) < 0)
				return -1;
			if (!a.n) {
				set_num(out, NAN);
				return 0;
			}
			set_num(out, E->h && E->h->position
					     ? (double)E->h->position(E->h->ud, E->s->nodes[a.off])
					     : 1);
			return 0;
		}
		set_num(out, (double)c->pos);
		return 0;
	case FN_LAST:
		set_num(out, (double)c->size);
		return 0;
	case FN_CURRENT: {
		size_t off = E->s->top;

		if (push_node(E, i, E->origin) < 0)
			return -1;
		set_nodes(out, off, 1);
		return 0;
	}
	case FN_SELECTED: {
		const char *p, *end, *tok;
		size_t tlen;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		trim(&t, &tl);
		p = s;
		end = s + sl;
		/* as JavaRosa's split: "" holds the empty choice */
		bo = !tl && !next_token(&p, end, &t, &tl);
		while (next_token(&p, end, &tok, &tlen))
			if (tlen == tl && !memcmp(tok, t, tl)) {
				bo = true;
				break;
			}
		set_bool(out, bo);
		return 0;
	}
	case FN_SELECTED_AT: {
		const char *p, *end, *tok;
		size_t tlen;
		double k;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0 || eval_num(E, ARG(1), c, &k) < 0)
			return -1;
		p = s;
		end = s + sl;
		set_str(out, "", 0);
		if (!(k >= 0))
			return 0;
		k = floor(k);
		while (next_token(&p, end, &tok, &tlen)) {
			if (k == 0) {
				set_str(out, scopy(E, tok, tlen), tlen);
				return 0;
			}
			k--;
		}
		return 0;
	}
	case FN_COUNT_SELECTED: {
		const char *p, *end, *tok;
		size_t tlen, cnt = 0;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		p = s;
		end = s + sl;
		while (next_token(&p, end, &tok, &tlen))
			cnt++;
		set_num(out, (double)cnt);
		return 0;
	}
	case FN_CHOICE_NAME: {
		const char *label = NULL;

		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		if (!n->str) {
			/* the field name was computed: evaluate it now */
			if (eval_str(E, ARG(1), c, &t, &tl) < 0)
				return -1;
			return fail(E, ARG(1), "jr:choice-name() 的第二个参数必须是 '${字段名}'",
				    "jr:choice-name() needs '${name}' as its second argument");
		}
		if (sl && E->h && E->h->choice_label) {
			char *v = scopy(E, s, sl);

			label = E->h->choice_label(E->h->ud, n->field, n->str, v, E->origin);
		}
		if (!label)
			label = "";
		set_str(out, label, strlen(label));
		return 0;
	}
	case FN_TODAY:
		set_date(out, expr_time_today(now_ms(E)));
		return 0;
	case FN_NOW:
		set_date(out, (double)now_ms(E) / 86400000.0);
		return 0;
	case FN_RANDOM:
		set_num(out, (double)(rng_next(E) >> 11) / 9007199254740992.0);
		return 0;
	case FN_DATE:
	case FN_DATE_TIME:
	case FN_DECIMAL_DATE_TIME: {
		double d;
		int r;

		if (eval(E, ARG(0), c, &a) < 0)
			return -1;
		r = to_date(E, &a, &d);
		if (n->fn == FN_DECIMAL_DATE_TIME) {
			set_num(out, d);
			return 0;
		}
		if (r == 1) {
			set_str(out, "", 0);
			return 0;
		}
		set_date(out, d);
		return 0;
	}
	case FN_DECIMAL_TIME:
		if (eval_str(E, ARG(0), c, &s, &sl) < 0)
			return -1;
		trim(&s, &sl);
		set_num(out, expr_time_decimal_time(s, sl));
		return 0;
	case FN_FORMAT_DATE:
	case FN_FORMAT_DATE_TIME: {
		double d;
		size_t need;
		char *o;

		if (eval(E, ARG(0), c, &a) < 0 || eval_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		to_date(E, &a, &d);
		if (isnan(d) || isinf(d)) {
			set_str(out, "", 0);
			return 0;
		}
		need = expr_time_format(d, t, tl, NULL, 0);
		if (need + 1 > EXPR_MAX_STRING)
			return fail(E, i, "字符串太长", "string too long");
		o = salloc(E->s, need + 1);
		expr_time_format(d, t, tl, o, need + 1);
		set_str(out, o, need);
		return 0;
	}
	case FN_AREA:
	case FN_DISTANCE: {
		struct geopt *pts = NULL;
		size_t np = 0, cap = 0;
		int k;

		for (k = 0; k < n->n; k++) {
			if (eval(E, ARG(k), c, &a) < 0)
				return -1;
			if (collect_points(E, &a, &pts, &np, &cap) < 0) {
				set_num(out, n->fn == FN_AREA ? 0 : NAN);
				return 0;
			}
		}
		if (n->fn == FN_AREA)
			set_num(out, geo_area(pts, np));
		else
			set_num(out, np ? geo_distance(pts, np) : NAN);
		return 0;
	}
	case FN_GEOFENCE: {
		struct geopt *pts = NULL, *pt = NULL;
		size_t np = 0, cap = 0, n1 = 0, cap1 = 0;

		if (eval(E, ARG(0), c, &a) < 0 || eval(E, ARG(1), c, &b) < 0)
			return -1;
		if (collect_points(E, &a, &pt, &n1, &cap1) < 0 || n1 != 1 ||
		    collect_points(E, &b, &pts, &np, &cap) < 0) {
			set_bool(out, false);
			return 0;
		}
		set_bool(out, geofence(pt[0], pts, np));
		return 0;
	}
	case FN_INDEXED_REPEAT:
		return fn_indexed_repeat(E, i, c, out);
	}
	return fail(E, i, "内部错误：未实现的函数", "internal error: function not implemented");
}

/* ---- public API -------------------------------------------------------------- */

static bool in_arena(const struct expr_scratch *s, const char *p)
{
	const struct sblock *b;

	for (b = s->first; b; b = b->next) {
		if (p >= b->data && p < b->data + b->size)
			return true;
		if (b == s->cur)
			break;
	}
	return false;
}

static void export(struct ev *E, const struct val *v, struct expr_value *out)
{
	memset(out, 0, sizeof(*out));
	switch (v->t) {
	case V_NUM:
		out->type = EXPR_NUMBER;
		out->num = v->num;
		break;
	case V_DATE:
		out->type = EXPR_DATE;
		out->num = v->num;
		break;
	case V_BOOL:
		out->type = EXPR_BOOLEAN;
		out->b = v->b;
		break;
	case V_STR:
		out->type = EXPR_STRING;
		out->str = v->s;
		out->len = v->len;
		break;
	default:
		out->type = EXPR_NODESET;
		out->nodes = E->s->nodes + v->off;
		out->n = v->n;
		break;
	}
}

int expr_eval(const struct expr *e, const struct expr_host *h, expr_node ctx,
	      struct expr_scratch *s, struct expr_value *out, struct error *err)
{
	return expr_eval_at(e, h, ctx, ctx, s, out, err);
}

int expr_eval_at(const struct expr *e, const struct expr_host *h, expr_node origin,
		 expr_node ctx, struct expr_scratch *s, struct expr_value *out, struct error *err)
{
	struct ev E = {e, h, s, err, origin};
	struct cx c = {ctx, 1, 1};
	struct val v;

	scratch_reset(s);
	if (eval(&E, e->root, &c, &v) < 0) {
		memset(out, 0, sizeof(*out));
		out->type = EXPR_STRING;
		out->str = "";
		return -1;
	}
	if (v.t == V_STR && !in_arena(s, v.s)) {
		/* results never alias host values: a host may free the answer the
		 * result came from before it stores the result */
		v.s = scopy(&E, v.s, v.len);
	}
	export(&E, &v, out);
	return 0;
}

const char *expr_string(const struct expr_value *v, const struct expr_host *h,
			struct expr_scratch *s, size_t *len)
{
	struct ev E = {NULL, h, s, NULL, 0};
	struct val iv;
	const char *r;
	size_t l;

	memset(&iv, 0, sizeof(iv));
	switch (v->type) {
	case EXPR_NUMBER:
		set_num(&iv, v->num);
		break;
	case EXPR_DATE:
		set_date(&iv, v->num);
		break;
	case EXPR_BOOLEAN:
		set_bool(&iv, v->b);
		break;
	case EXPR_STRING:
		set_str(&iv, v->str, v->len);
		break;
	case EXPR_NODESET:
		r = v->n ? hvalue(&E, v->nodes[0]) : "";
		if (len)
			*len = strlen(r);
		return r;
	}
	r = vstr(&E, &iv, &l);
	if (len)
		*len = l;
	return r;
}

double expr_number(const struct expr_value *v, const struct expr_host *h)
{
	const char *s;

	switch (v->type) {
	case EXPR_NUMBER:
	case EXPR_DATE:
		return v->num;
	case EXPR_BOOLEAN:
		return v->b ? 1 : 0;
	case EXPR_STRING:
		return str_number(v->str, v->len);
	case EXPR_NODESET:
		if (!v->n)
			return NAN;
		s = h && h->value ? h->value(h->ud, v->nodes[0]) : "";
		if (!s)
			s = "";
		return str_number(s, strlen(s));
	}
	return NAN;
}

bool expr_boolean(const struct expr_value *v)
{
	switch (v->type) {
	case EXPR_DATE:
		return !isnan(v->num);
	case EXPR_NUMBER:
		return v->num != 0 && !isnan(v->num);
	case EXPR_BOOLEAN:
		return v->b;
	case EXPR_STRING:
		return v->len > 0;
	case EXPR_NODESET:
		return v->n > 0;
	}
	return false;
}

int expr_eval_bool(const struct expr *e, const struct expr_host *h, expr_node ctx,
		   struct expr_scratch *s, bool *out, struct error *err)
{
	struct expr_value v;

	if (expr_eval(e, h, ctx, s, &v, err) < 0)
		return -1;
	*out = expr_boolean(&v);
	return 0;
}

int expr_eval_number(const struct expr *e, const struct expr_host *h, expr_node ctx,
		     struct expr_scratch *s, double *out, struct error *err)
{
	struct expr_value v;

	if (expr_eval(e, h, ctx, s, &v, err) < 0)
		return -1;
	*out = expr_number(&v, h);
	return 0;
}

int expr_eval_string(const struct expr *e, const struct expr_host *h, expr_node ctx,
		     struct expr_scratch *s, const char **out, struct error *err)
{
	struct expr_value v;

	size_t len;
	const char *r;

	if (expr_eval(e, h, ctx, s, &v, err) < 0)
		return -1;
	r = expr_string(&v, h, s, &len);
	if (v.type == EXPR_NODESET) {
		/* a copy, so that *out never aliases the host's value */
		char *c = salloc(s, len + 1);

		memcpy(c, r, len);
		c[len] = '\0';
		r = c;
	}
	*out = r;
	return 0;
}
