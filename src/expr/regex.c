/*
 * regex — a small regular-expression engine for regex(): Thompson's
 * construction and a breadth-first NFA simulation over UTF-8 code points.
 *
 * Why our own: POSIX regcomp's behaviour on UTF-8 depends on the locale and
 * backtracking engines can take exponential time on patterns like (a+)+b. This
 * one never backtracks: matching costs O(len(text) x len(program)), and the
 * program is capped at MAX_PROG instructions and one search at MAX_STEPS
 * thread steps (then it fails as "too complex"), so no pattern can hang a
 * device. Semantics follow JavaScript/Java for the syntax forms use: search
 * anywhere (use ^...$ to anchor), . [] [^] ranges, \d \w \s \D \W \S and
 * escaped punctuation, ( ) (?: ) | * + ? {m} {m,} {m,n} (lazy forms accepted,
 * same result for a yes/no match). Not supported (the pattern is rejected):
 * back-references, look-around, \b, and \D \W \S inside brackets.
 */
#include "expr_impl.h"

#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PROG 20000
#define MAX_STEPS 50000000L /* thread steps per search: text length x live states */
#define MAX_AST 4096

enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_BOL, I_EOL, I_MATCH };

struct inst {
	int op;
	uint32_t c;   /* I_CHAR */
	int x, y;     /* jump targets; I_CLASS: x = class index */
};

struct range {
	uint32_t lo, hi;
};

struct cls {
	size_t first, n; /* run in ranges */
	bool neg;
};

enum { R_EMPTY, R_CHAR, R_ANY, R_CLASS, R_BOL, R_EOL, R_CAT, R_ALT, R_REP };

struct rnode {
	int type;
	uint32_t c;
	int a, b;      /* R_CAT/R_ALT children; R_REP child in a */
	int min, max;  /* R_REP; max -1 = unbounded */
};

struct re {
	const char *p, *end;
	struct rnode *ast;
	int n_ast;
	size_t cap_ast;
	struct range *ranges;
	size_t n_ranges, cap_ranges;
	struct cls *classes;
	size_t n_classes, cap_classes;
	struct inst *prog;
	int n_prog;
	size_t cap_prog;
	int bad;
	int depth;
};

static int node(struct re *r, int type)
{
	if (r->n_ast >= MAX_AST) {
		r->bad = 1;
		return -1;
	}
	XGROW(r->ast, r->cap_ast, (size_t)r->n_ast + 1);
	memset(&r->ast[r->n_ast], 0, sizeof(struct rnode));
	r->ast[r->n_ast].type = type;
	r->ast[r->n_ast].a = r->ast[r->n_ast].b = -1;
	return r->n_ast++;
}

static void add_range(struct re *r, uint32_t lo, uint32_t hi)
{
	XGROW(r->ranges, r->cap_ranges, r->n_ranges + 1);
	r->ranges[r->n_ranges].lo = lo;
	r->ranges[r->n_ranges].hi = hi;
	r->n_ranges++;
}

/* \d \w \s as ranges */
static int add_shorthand(struct re *r, char k)
{
	switch (k) {
	case 'd':
		add_range(r, '0', '9');
		return 1;
	case 'w':
		add_range(r, '0', '9');
		add_range(r, 'A', 'Z');
		add_range(r, 'a', 'z');
		add_range(r, '_', '_');
		return 1;
	case 's':
		add_range(r, ' ', ' ');
		add_range(r, '\t', '\r');
		add_range(r, 0xa0, 0xa0);
		add_range(r, 0x3000, 0x3000);
		return 1;
	}
	return 0;
}

static int new_class(struct re *r, bool neg, size_t first)
{
	XGROW(r->classes, r->cap_classes, r->n_classes + 1);
	r->classes[r->n_classes].first = first;
	r->classes[r->n_classes].n = r->n_ranges - first;
	r->classes[r->n_classes].neg = neg;
	return (int)r->n_classes++;
}

static uint32_t escape_char(char k)
{
	switch (k) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case '0': return 0;
	default: return (unsigned char)k;
	}
}

static int is_special_escape(char k)
{
	/* letters and digits other than these have meanings we do not support */
	if ((k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '1' && k <= '9'))
		return !strchr("ntrfv", k);
	return 0;
}

static int parse_class(struct re *r)
{
	size_t first = r->n_ranges;
	bool neg = false;
	int n;

	r->p++; /* [ */
	if (r->p < r->end && *r->p == '^') {
		neg = true;
		r->p++;
	}
	if (r->p < r->end && *r->p == ']') { /* a leading ] is literal */
		add_range(r, ']', ']');
		r->p++;
	}
	while (r->p < r->end && *r->p != ']') {
		uint32_t lo, hi;

		if (*r->p == '\\' && r->p + 1 < r->end) {
			char k = r->p[1];

			r->p += 2;
			if (add_shorthand(r, k))
				continue;
			if (k == 'D' || k == 'W' || k == 'S' || (is_special_escape(k) && k != 'b')) {
				r->bad = 1;
				return -1;
			}
			lo = k == 'b' ? '\b' : escape_char(k);
		} else {
			lo = utf8_decode(&r->p, r->end);
		}
		hi = lo;
		if (r->p + 1 < r->end && *r->p == '-' && r->p[1] != ']') {
			r->p++;
			if (*r->p == '\\' && r->p + 1 < r->end) {
				char k = r->p[1];

				if (is_special_escape(k)) {
					r->bad = 1;
					return -1;
				}
				hi = escape_char(k);
				r->p += 2;
			} else {
				hi = utf8_decode(&r->p, r->end);
			}
			if (hi < lo) {
				r->bad = 1;
				return -1;
			}
		}
		add_range(r, lo, hi);
	}
	if (r->p >= r->end) {
		r->bad = 1;
		return -1;
	}
	r->p++; /* ] */
	n = node(r, R_CLASS);
	if (n >= 0)
		r->ast[n].c = (uint32_t)new_class(r, neg, first);
	return n;
}

static int parse_alt(struct re *r);

static int parse_atom(struct re *r)
{
	int n;
	char ch = *r->p;

	switch (ch) {
	case '(':
		if (++r->depth > 100) {
			r->bad = 1;
			return -1;
		}
		r->p++;
		if (r->p + 1 < r->end && r->p[0] == '?') {
			if (r->p[1] != ':') { /* look-around and named groups */
				r->bad = 1;
				return -1;
			}
			r->p += 2;
		}
		n = parse_alt(r);
		if (r->bad || r->p >= r->end || *r->p != ')') {
			r->bad = 1;
			return -1;
		}
		r->p++;
		r->depth--;
		return n;
	case '[':
		return parse_class(r);
	case '.':
		r->p++;
		return node(r, R_ANY);
	case '^':
		r->p++;
		return node(r, R_BOL);
	case '$':
		r->p++;
		return node(r, R_EOL);
	case '\\': {
		char k;
		size_t first = r->n_ranges;

		if (r->p + 1 >= r->end) {
			r->bad = 1;
			return -1;
		}
		k = r->p[1];
		r->p += 2;
		if (add_shorthand(r, k) || add_shorthand(r, (char)(k + 32))) {
			bool neg = k == 'D' || k == 'W' || k == 'S';

			if (!neg && !(k == 'd' || k == 'w' || k == 's')) {
				r->n_ranges = first;
				r->bad = 1;
				return -1;
			}
			n = node(r, R_CLASS);
			if (n >= 0)
				r->ast[n].c = (uint32_t)new_class(r, neg, first);
			return n;
		}
		if (is_special_escape(k)) {
			r->bad = 1;
			return -1;
		}
		n = node(r, R_CHAR);
		if (n >= 0)
			r->ast[n].c = escape_char(k);
		return n;
	}
	case '*':
	case '+':
	case '?':
	case ')':
	case '|':
		r->bad = 1;
		return -1;
	default:
		n = node(r, R_CHAR);
		if (n >= 0)
			r->ast[n].c = utf8_decode(&r->p, r->end);
		else
			r->p++;
		return n;
	}
}

static int read_int(struct re *r, int *v)
{
	int n = 0;

	*v = 0;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (*v > 10000) {
			r->bad = 1;
			return 0;
		}
		*v = *v * 10 + (*r->p - '0');
		r->p++;
		n++;
	}
	return n;
}

static int parse_repeat(struct re *r)
{
	int a = parse_atom(r);

	while (!r->bad && r->p < r->end) {
		int min, max, n;
		char ch = *r->p;

		if (ch == '*') {
			min = 0;
			max = -1;
			r->p++;
		} else if (ch == '+') {
			min = 1;
			max = -1;
			r->p++;
		} else if (ch == '?') {
			min = 0;
			max = 1;
			r->p++;
		} else if (ch == '{') {
			const char *save = r->p;

			r->p++;
			if (!read_int(r, &min)) {
				/* not a quantifier: a literal '{' as JavaScript reads it */
				r->p = save;
				break;
			}
			max = min;
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				if (!read_int(r, &max))
					max = -1;
			}
			if (r->bad || r->p >= r->end || *r->p != '}' || (max >= 0 && max < min)) {
				r->bad = 1;
				return -1;
			}
			r->p++;
		} else {
			break;
		}
		if (r->p < r->end && *r->p == '?') /* lazy: same yes/no answer */
			r->p++;
		n = node(r, R_REP);
		if (n < 0)
			return -1;
		r->ast[n].a = a;
		r->ast[n].min = min;
		r->ast[n].max = max;
		a = n;
	}
	return a;
}

static int parse_cat(struct re *r)
{
	int a = -1;

	while (!r->bad && r->p < r->end && *r->p != '|' && *r->p != ')') {
		int b = parse_repeat(r), n;

		if (b < 0)
			return -1;
		if (a < 0) {
			a = b;
			continue;
		}
		n = node(r, R_CAT);
		if (n < 0)
			return -1;
		r->ast[n].a = a;
		r->ast[n].b = b;
		a = n;
	}
	return a < 0 ? node(r, R_EMPTY) : a;
}

static int parse_alt(struct re *r)
{
	int a = parse_cat(r);

	while (!r->bad && r->p < r->end && *r->p == '|') {
		int b, n;

		r->p++;
		b = parse_cat(r);
		n = node(r, R_ALT);
		if (b < 0 || n < 0)
			return -1;
		r->ast[n].a = a;
		r->ast[n].b = b;
		a = n;
	}
	return a;
}

static int emit(struct re *r, int op, uint32_t c, int x, int y)
{
	if (r->n_prog >= MAX_PROG) {
		r->bad = 1;
		return 0;
	}
	XGROW(r->prog, r->cap_prog, (size_t)r->n_prog + 1);
	r->prog[r->n_prog].op = op;
	r->prog[r->n_prog].c = c;
	r->prog[r->n_prog].x = x;
	r->prog[r->n_prog].y = y;
	return r->n_prog++;
}

static void gen_code(struct re *r, int n, int depth)
{
	const struct rnode *t;
	int k;

	if (r->bad || n < 0)
		return;
	if (depth > 2 * MAX_AST) {
		r->bad = 1;
		return;
	}
	t = &r->ast[n];
	switch (t->type) {
	case R_EMPTY:
		break;
	case R_CHAR:
		emit(r, I_CHAR, t->c, 0, 0);
		break;
	case R_ANY:
		emit(r, I_ANY, 0, 0, 0);
		break;
	case R_CLASS:
		emit(r, I_CLASS, 0, (int)t->c, 0);
		break;
	case R_BOL:
		emit(r, I_BOL, 0, 0, 0);
		break;
	case R_EOL:
		emit(r, I_EOL, 0, 0, 0);
		break;
	case R_CAT:
		gen_code(r, t->a, depth + 1);
		gen_code(r, t->b, depth + 1);
		break;
	case R_ALT: {
		int split = emit(r, I_SPLIT, 0, 0, 0), jmp;

		r->prog[split].x = r->n_prog;
		gen_code(r, t->a, depth + 1);
		jmp = emit(r, I_JMP, 0, 0, 0);
		r->prog[split].y = r->n_prog;
		gen_code(r, t->b, depth + 1);
		r->prog[jmp].x = r->n_prog;
		break;
	}
	case R_REP:
		for (k = 0; k < t->min && !r->bad; k++)
			gen_code(r, t->a, depth + 1);
		if (t->max < 0) {
			int split = emit(r, I_SPLIT, 0, 0, 0);

			r->prog[split].x = r->n_prog;
			gen_code(r, t->a, depth + 1);
			emit(r, I_JMP, 0, split, 0);
			r->prog[split].y = r->n_prog;
		} else {
			int splits[64], ns = 0;

			/* optional copies, each skipping to the end */
			for (k = t->min; k < t->max && !r->bad; k++) {
				int split = emit(r, I_SPLIT, 0, 0, 0);

				r->prog[split].x = r->n_prog;
				gen_code(r, t->a, depth + 1);
				if (ns < 64) {
					splits[ns++] = split;
				} else {
					r->bad = 1;
					return;
				}
			}
			for (k = 0; k < ns; k++)
				r->prog[splits[k]].y = r->n_prog;
		}
		break;
	}
}

static bool class_has(const struct re *r, const struct cls *c, uint32_t ch)
{
	size_t i;
	bool in = false;

	for (i = 0; i < c->n; i++)
		if (ch >= r->ranges[c->first + i].lo && ch <= r->ranges[c->first + i].hi) {
			in = true;
			break;
		}
	return in != c->neg;
}

/* the thread list of one step: pcs plus a generation mark per pc */
struct tlist {
	int *pc;
	int n;
};

/* Adds pc and everything reachable from it without consuming a character.
 * `at_start`/`at_end` answer ^ and $. Iterative: stack has room for MAX_PROG. */
static void add(const struct re *r, struct tlist *l, unsigned *mark, unsigned gen, int *stack,
		int pc, bool at_start, bool at_end)
{
	int sp = 0;

	stack[sp++] = pc;
	while (sp) {
		const struct inst *in;

		pc = stack[--sp];
		if (mark[pc] == gen)
			continue;
		mark[pc] = gen;
		in = &r->prog[pc];
		switch (in->op) {
		case I_JMP:
			stack[sp++] = in->x;
			break;
		case I_SPLIT:
			stack[sp++] = in->y;
			stack[sp++] = in->x;
			break;
		case I_BOL:
			if (at_start)
				stack[sp++] = pc + 1;
			break;
		case I_EOL:
			if (at_end)
				stack[sp++] = pc + 1;
			break;
		default:
			l->pc[l->n++] = pc;
			break;
		}
	}
}

/* A compiled pattern with its own work buffers, so that running it again
 * allocates nothing. */
struct expr_regex {
	struct re r;     /* program, classes, ranges (ast freed) */
	unsigned *mark;
	unsigned gen;
	int *stack;
	int *pc_a, *pc_b;
};

void expr_regex_free(struct expr_regex *x)
{
	if (!x)
		return;
	free(x->r.ast);
	free(x->r.prog);
	free(x->r.ranges);
	free(x->r.classes);
	free(x->mark);
	free(x->stack);
	free(x->pc_a);
	free(x->pc_b);
	free(x);
}

int expr_regex_compile(const char *pat, size_t patlen, struct expr_regex **out)
{
	struct expr_regex *x = xcalloc(1, sizeof(*x));
	struct re *r = &x->r;
	int root;

	*out = NULL;
	r->p = pat;
	r->end = pat + patlen;
	root = parse_alt(r);
	if (r->bad || root < 0 || r->p != r->end)
		goto bad;
	gen_code(r, root, 0);
	emit(r, I_MATCH, 0, 0, 0);
	if (r->bad)
		goto bad;
	free(r->ast);
	r->ast = NULL;
	r->p = r->end = NULL;
	x->mark = xcalloc((size_t)r->n_prog, sizeof(unsigned));
	/* each pc is pushed at most twice per closure (SPLIT pushes two) */
	x->stack = xmalloc((size_t)(2 * r->n_prog + 2) * sizeof(int));
	x->pc_a = xmalloc((size_t)r->n_prog * sizeof(int));
	x->pc_b = xmalloc((size_t)r->n_prog * sizeof(int));
	*out = x;
	return 0;
bad:
	expr_regex_free(x);
	return -1;
}

/* a fresh generation for the closure marks (clearing them on wrap-around) */
static unsigned next_gen(struct expr_regex *x)
{
	if (++x->gen == 0) {
		memset(x->mark, 0, (size_t)x->r.n_prog * sizeof(unsigned));
		x->gen = 1;
	}
	return x->gen;
}

int expr_regex_exec(struct expr_regex *x, const char *s, size_t len)
{
	const struct re *r = &x->r;
	struct tlist cur, nxt, tmp;
	const char *p = s, *end = s + len;
	long steps = 0;
	int i;

	cur.pc = x->pc_a;
	nxt.pc = x->pc_b;
	cur.n = 0;
	add(r, &cur, x->mark, next_gen(x), x->stack, 0, true, p == end);
	for (;;) {
		uint32_t ch;
		const char *q;
		unsigned g;

		for (i = 0; i < cur.n; i++)
			if (r->prog[cur.pc[i]].op == I_MATCH)
				return 1;
		if (p >= end)
			return 0;
		steps += cur.n + 1;
		if (steps > MAX_STEPS)
			return -1; /* too complex */
		q = p;
		ch = utf8_decode(&q, end);
		g = next_gen(x);
		nxt.n = 0;
		for (i = 0; i < cur.n; i++) {
			const struct inst *in = &r->prog[cur.pc[i]];
			bool ok;

			switch (in->op) {
			case I_CHAR:
				ok = in->c == ch;
				break;
			case I_ANY:
				ok = ch != '\n' && ch != '\r';
				break;
			case I_CLASS:
				ok = class_has(r, &r->classes[in->x], ch);
				break;
			default:
				ok = false;
				break;
			}
			if (ok)
				add(r, &nxt, x->mark, g, x->stack, cur.pc[i] + 1, false, q == end);
		}
		/* unanchored search: a new attempt may start at every position */
		add(r, &nxt, x->mark, g, x->stack, 0, false, q == end);
		p = q;
		tmp = cur;
		cur = nxt;
		nxt = tmp;
	}
}

int expr_regex_search(const char *pat, size_t patlen, const char *s, size_t len)
{
	struct expr_regex *x;
	int rc;

	if (expr_regex_compile(pat, patlen, &x) < 0)
		return -1;
	rc = expr_regex_exec(x, s, len);
	expr_regex_free(x);
	return rc;
}
