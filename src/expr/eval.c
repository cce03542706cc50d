/*
 * eval — evaluation of compiled expressions against a host (ruhu/expr.h):
 * the operators, conversions and the scratch, and the helpers (fn.h) the
 * function families (fn_*.c, registered in func.c) evaluate their arguments
 * with. A call is one indirect call through the node's registry entry.
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
#include "fn.h"

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

static struct expr_mark mark_get(struct expr_scratch *s)
{
	struct expr_mark m = {s->top, s->cur, s->cur->used};
	return m;
}

static void mark_restore(struct expr_scratch *s, struct expr_mark m)
{
	s->top = m.top;
	s->cur = m.cur;
	s->cur->used = m.used;
}

/* ---- values ------------------------------------------------------------ */

int expr_ev_fail(struct ev *E, int node, const char *zh, const char *en, ...)
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

static int ensure_nodes(struct ev *E, int node, size_t extra)
{
	struct expr_scratch *s = E->s;

	if (s->top + extra > EXPR_MAX_NODES)
		return expr_ev_fail(E, node, "结果节点太多", "too many nodes in a result");
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
			return expr_ev_fail(E, node, "无法查找 '%s'", "lookup of '%s' failed",
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

int expr_ev_push_resolve(struct ev *E, int node, int field, const char *name, expr_node from)
{
	struct resolve_arg ra = {field, name, from};

	return push_lookup(E, node, do_resolve, &ra);
}

int expr_ev_push_instance(struct ev *E, int node, int list, const char *name)
{
	struct resolve_arg ra = {list, name, 0};

	return push_lookup(E, node, do_instance, &ra);
}

int expr_ev_push_child(struct ev *E, int node, expr_node parent, const char *name)
{
	struct resolve_arg ra = {-1, name, parent};

	return push_lookup(E, node, do_child, &ra);
}

char *expr_ev_alloc(struct ev *E, size_t n)
{
	return salloc(E->s, n);
}

struct expr_mark expr_ev_mark(struct ev *E)
{
	return mark_get(E->s);
}

void expr_ev_restore(struct ev *E, struct expr_mark m)
{
	mark_restore(E->s, m);
}

/* ---- number <-> string ------------------------------------------------- */

static const double pow10_tab[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* XPath 1.0 Number: ws* '-'? (digits ('.' digits?)? | '.' digits) ws* */
double expr_parse_decimal(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *q;
	bool neg = false;
	uint64_t mant = 0;
	int digits = 0, frac = 0, any = 0;
	bool exact = true;

	while (p < end && expr_is_ws(*p))
		p++;
	while (end > p && expr_is_ws(end[-1]))
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
	while (len && expr_is_ws(*s)) {
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
	d = expr_parse_decimal(s, len);
	bool date_only;

	if (isnan(d) && looks_like_date(s, len)) {
		while (len && expr_is_ws(*s)) {
			s++;
			len--;
		}
		while (len && expr_is_ws(s[len - 1]))
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
		/* an integer: its digits, without printf (calculations format
		 * one per evaluation) */
		long long v = (long long)(d < 0 ? -d : d);
		char rev[20];

		n = 0;
		while (v) {
			rev[n++] = (char)('0' + v % 10);
			v /= 10;
		}
		i = 0;
		if (d < 0 && size > 1)
			buf[i++] = '-';
		while (n && (size_t)i + 1 < size)
			buf[i++] = rev[--n];
		if (size)
			buf[i] = '\0';
		return buf;
	}
	neg = d < 0;
	/* the shortest precision that reads back as the same double: reading
	 * back holds from some precision on (17 always does), so search it */
	{
		int lo = 1, hi = 17;

		while (lo < hi) {
			int mid = (lo + hi) / 2;

			snprintf(tmp, sizeof(tmp), "%.*e", mid - 1, fabs(d));
			if (strtod(tmp, NULL) == fabs(d))
				hi = mid;
			else
				lo = mid + 1;
		}
		snprintf(tmp, sizeof(tmp), "%.*e", lo - 1, fabs(d));
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
			struct expr_mark m = mark_get(E->s);
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
		return expr_ev_fail(E, i, "路径只能用于节点集", "a path step needs a node-set");
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
			return expr_ev_fail(E, i, "谓词只能用于节点集", "a predicate needs a node-set");
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
			return expr_ev_fail(E, i, "'|' 两边必须是节点集", "'|' needs node-sets on both sides");
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
		return n->fi->impl(E, i, c, out);
	}
	return expr_ev_fail(E, i, "内部错误：未知节点", "internal error: unknown node");
}

/* ---- strings ------------------------------------------------------------- */

char *expr_ev_copy(struct ev *E, const char *s, size_t len)
{
	char *b = salloc(E->s, len + 1);

	memcpy(b, s, len);
	b[len] = '\0';
	return b;
}

/* a growing string in the arena: reserve, then commit */
void expr_sb_init(struct expr_sbuild *b, struct ev *E)
{
	b->E = E;
	b->cap = 64;
	b->buf = salloc(E->s, b->cap);
	b->len = 0;
	b->over = false;
}

void expr_sb_grow(struct expr_sbuild *b, size_t n)
{
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

int expr_sb_done(struct expr_sbuild *b, int node, struct val *out)
{
	if (b->over)
		return expr_ev_fail(b->E, node, "字符串太长（最多 %u 字节）",
				    "string too long (at most %u bytes)", EXPR_MAX_STRING);
	b->buf[b->len] = '\0';
	set_str(out, b->buf, b->len);
	return 0;
}

/* space-separated tokens of a select_multiple answer */
bool expr_next_token(const char **p, const char *end, const char **tok, size_t *tl)
{
	const char *s = *p;

	while (s < end && expr_is_ws(*s))
		s++;
	if (s >= end)
		return false;
	*tok = s;
	while (s < end && !expr_is_ws(*s))
		s++;
	*tl = (size_t)(s - *tok);
	*p = s;
	return true;
}

void expr_trim(const char **s, size_t *len)
{
	while (*len && expr_is_ws(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && expr_is_ws((*s)[*len - 1]))
		(*len)--;
}

/* ---- random ---------------------------------------------------------------- */

uint64_t expr_ev_random(struct ev *E)
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

int64_t expr_ev_now_ms(struct ev *E)
{
	struct timespec ts;

	if (E->h && E->h->now_ms)
		return E->h->now_ms(E->h->ud);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* regex() through the scratch's cache of compiled patterns (LRU), so a
 * constraint like regex(., '^1[3-9][0-9]{9}$') compiles once */
int expr_ev_regex(struct ev *E, const char *pat, size_t plen, const char *s, size_t len)
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

/* ---- for the variadic functions --------------------------------------------- */

int expr_ev_each(struct ev *E, int i, int from, const struct cx *c, expr_each_fn fn, void *st)
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

/* ---- the helpers as fn.h exports them ------------------------------------------ */

/* The evaluator's own calls use the static versions above, which the
 * compiler inlines in the hot paths; the function families call these. */

const char *expr_ev_value(struct ev *E, expr_node n)
{
	return hvalue(E, n);
}

int expr_ev_eval(struct ev *E, int i, const struct cx *c, struct val *out)
{
	return eval(E, i, c, out);
}

int expr_ev_num(struct ev *E, int i, const struct cx *c, double *d)
{
	return eval_num(E, i, c, d);
}

int expr_ev_bool(struct ev *E, int i, const struct cx *c, bool *b)
{
	return eval_bool(E, i, c, b);
}

int expr_ev_str(struct ev *E, int i, const struct cx *c, const char **s, size_t *len)
{
	return eval_str(E, i, c, s, len);
}

const char *expr_ev_vstr(struct ev *E, const struct val *v, size_t *len)
{
	return vstr(E, v, len);
}

double expr_ev_vnum(struct ev *E, const struct val *v)
{
	return vnum(E, v);
}

bool expr_ev_vbool(const struct val *v)
{
	return vbool(v);
}

double expr_str_number(const char *s, size_t len)
{
	return str_number(s, len);
}

int expr_ev_push_node(struct ev *E, int node, expr_node n)
{
	return push_node(E, node, n);
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
		v.s = expr_ev_copy(&E, v.s, v.len);
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
