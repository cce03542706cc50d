/*
 * parse — the expression compiler: a lexer and a recursive-descent parser for
 * XPath 1.0 as XLSForms use it (plus ${name} references), producing the flat
 * node array of expr_impl.h.
 *
 * Invariants: the source is at most EXPR_MAX_SOURCE bytes, nesting at most
 * EXPR_MAX_DEPTH; every error carries the 1-based character column in
 * err->code. Function names and argument counts are checked against the
 * registry (func.c), the same entries evaluation calls; unknown functions,
 * wrong counts and invalid regex literals are compile errors (unless
 * lenient), so a form with a typo fails at load, never with a silent empty
 * value or an error at every answer.
 */
#include "fn.h"

#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum tok {
	T_EOF, T_NUM, T_STR, T_REF, T_NAME, T_FUNC,
	T_LPAR, T_RPAR, T_LBRA, T_RBRA, T_COMMA, T_SLASH, T_DSLASH, T_PIPE,
	T_PLUS, T_MINUS, T_STAR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_DOT, T_DDOT, T_AT, T_AND, T_OR, T_DIV, T_MOD, T_BAD,
};

struct parser {
	const char *src;
	const char *p;        /* next byte to lex */
	const struct expr_scope *scope;
	unsigned flags;
	struct expr *e;
	struct error *err;
	int depth;
	/* current token */
	enum tok t;
	const char *ts;       /* token start */
	size_t tlen;          /* token text length (names, strings: content) */
	const char *tv;       /* token value start (strings, refs: content) */
	double num;
	enum tok prev;        /* previous token, for operator-name disambiguation */
	int failed;
};

static int column(const struct parser *ps, const char *at)
{
	const char *q;
	int col = 1;

	for (q = ps->src; q < at; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	return col;
}

static int fail(struct parser *ps, const char *at, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
static int fail(struct parser *ps, const char *at, const char *zh, const char *en, ...)
{
	va_list ap;

	if (ps->failed)
		return -1;
	ps->failed = 1;
	va_start(ap, en);
	error_vset(ps->err, NULL, zh, en, ap);
	va_end(ap);
	if (ps->err)
		ps->err->code = column(ps, at);
	return -1;
}

static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* XPath 1.0 section 3.7: after an operand, `*` and operator names are
 * operators; elsewhere they are name tests. */
static int after_operand(enum tok t)
{
	return t == T_NUM || t == T_STR || t == T_REF || t == T_NAME || t == T_RPAR ||
	       t == T_RBRA || t == T_DOT || t == T_DDOT;
}

static void lex(struct parser *ps)
{
	const char *p = ps->p;
	unsigned char c;

	ps->prev = ps->t;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	ps->ts = p;
	c = (unsigned char)*p;
	if (!c) {
		ps->t = T_EOF;
		ps->p = p;
		return;
	}
	if ((c >= '0' && c <= '9') || (c == '.' && p[1] >= '0' && p[1] <= '9')) {
		const char *q = p;
		char buf[64];
		size_t n;

		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == '.') {
			q++;
			while (*q >= '0' && *q <= '9')
				q++;
		}
		n = (size_t)(q - p);
		if (n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			ps->num = strtod(buf, NULL);
		} else {
			char *t = xstrndup(p, n);
			ps->num = strtod(t, NULL);
			free(t);
		}
		ps->t = T_NUM;
		ps->p = q;
		return;
	}
	if (c == '\'' || c == '"') {
		const char *q = strchr(p + 1, c);

		if (!q) {
			ps->t = T_BAD;
			fail(ps, p, "字符串没有结束引号", "unterminated string");
			ps->p = p + strlen(p);
			return;
		}
		ps->tv = p + 1;
		ps->tlen = (size_t)(q - p - 1);
		ps->t = T_STR;
		ps->p = q + 1;
		return;
	}
	if (c == '$' && p[1] == '{') {
		const char *q = strchr(p + 2, '}');

		if (!q) {
			ps->t = T_BAD;
			fail(ps, p, "'${' 没有对应的 '}'", "'${' without closing '}'");
			ps->p = p + strlen(p);
			return;
		}
		ps->tv = p + 2;
		ps->tlen = (size_t)(q - p - 2);
		ps->t = T_REF;
		ps->p = q + 1;
		return;
	}
	if (is_name_start(c)) {
		const char *q = p + 1;

		while (is_name_char((unsigned char)*q))
			q++;
		/* a QName prefix, e.g. jr:choice-name */
		if (*q == ':' && is_name_start((unsigned char)q[1])) {
			q += 2;
			while (is_name_char((unsigned char)*q))
				q++;
		}
		ps->tv = p;
		ps->tlen = (size_t)(q - p);
		ps->p = q;
		if (after_operand(ps->prev)) {
			if (ps->tlen == 3 && !memcmp(p, "and", 3)) {
				ps->t = T_AND;
				return;
			}
			if (ps->tlen == 2 && !memcmp(p, "or", 2)) {
				ps->t = T_OR;
				return;
			}
			if (ps->tlen == 3 && !memcmp(p, "div", 3)) {
				ps->t = T_DIV;
				return;
			}
			if (ps->tlen == 3 && !memcmp(p, "mod", 3)) {
				ps->t = T_MOD;
				return;
			}
		}
		{
			const char *r = q;

			while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
				r++;
			ps->t = *r == '(' ? T_FUNC : T_NAME;
		}
		return;
	}
	ps->p = p + 1;
	switch (c) {
	case '(': ps->t = T_LPAR; return;
	case ')': ps->t = T_RPAR; return;
	case '[': ps->t = T_LBRA; return;
	case ']': ps->t = T_RBRA; return;
	case ',': ps->t = T_COMMA; return;
	case '|': ps->t = T_PIPE; return;
	case '+': ps->t = T_PLUS; return;
	case '-': ps->t = T_MINUS; return;
	case '*': ps->t = T_STAR; return;
	case '=': ps->t = T_EQ; return;
	case '@': ps->t = T_AT; return;
	case '/':
		if (p[1] == '/') {
			ps->p = p + 2;
			ps->t = T_DSLASH;
		} else {
			ps->t = T_SLASH;
		}
		return;
	case '!':
		if (p[1] == '=') {
			ps->p = p + 2;
			ps->t = T_NE;
			return;
		}
		break;
	case '<':
		if (p[1] == '=') {
			ps->p = p + 2;
			ps->t = T_LE;
		} else {
			ps->t = T_LT;
		}
		return;
	case '>':
		if (p[1] == '=') {
			ps->p = p + 2;
			ps->t = T_GE;
		} else {
			ps->t = T_GT;
		}
		return;
	case '.':
		if (p[1] == '.') {
			ps->p = p + 2;
			ps->t = T_DDOT;
		} else {
			ps->t = T_DOT;
		}
		return;
	default:
		break;
	}
	ps->t = T_BAD;
	{
		/* quote the whole character, not just its first byte */
		const char *q = p;

		utf8_decode(&q, p + strlen(p));
		fail(ps, p, "意外的字符 '%.*s'", "unexpected character '%.*s'", (int)(q - p), p);
	}
}

static char *keep_str(struct expr *e, const char *s, size_t len)
{
	char *c = xstrndup(s, len);

	XGROW(e->strs, e->cap_strs, e->n_strs + 1);
	e->strs[e->n_strs++] = c;
	return c;
}

static int add_node(struct parser *ps, int op, const char *at)
{
	struct expr *e = ps->e;
	struct enode *n;

	XGROW(e->nodes, e->cap_nodes, e->n_nodes + 1);
	n = &e->nodes[e->n_nodes];
	memset(n, 0, sizeof(*n));
	n->op = (uint8_t)op;
	n->col = column(ps, at);
	n->a = n->b = -1;
	n->field = -1;
	return (int)e->n_nodes++;
}

static int binary(struct parser *ps, int op, const char *at, int a, int b)
{
	int i = add_node(ps, op, at);

	ps->e->nodes[i].a = a;
	ps->e->nodes[i].b = b;
	return i;
}

static const char *tok_text(struct parser *ps, char *buf, size_t size)
{
	switch (ps->t) {
	case T_EOF:
		return NULL;
	default:
		break;
	}
	{
		size_t n = (size_t)(ps->p - ps->ts);
		if (n >= size)
			n = size - 1;
		memcpy(buf, ps->ts, n);
		buf[n] = '\0';
	}
	return buf;
}

static int unexpected(struct parser *ps)
{
	char buf[64];
	const char *t = tok_text(ps, buf, sizeof(buf));

	if (!t)
		return fail(ps, ps->ts, "表达式意外结束", "unexpected end of expression");
	return fail(ps, ps->ts, "意外的 '%s'", "unexpected '%s'", t);
}

static int expect(struct parser *ps, enum tok t, const char *what)
{
	if (ps->t != t) {
		char buf[64];
		const char *got = tok_text(ps, buf, sizeof(buf));

		if (!got)
			return fail(ps, ps->ts, "缺少 '%s'", "missing '%s'", what);
		return fail(ps, ps->ts, "应为 '%s'，而不是 '%s'", "expected '%s', not '%s'", what, got);
	}
	lex(ps);
	return 0;
}

static int parse_or(struct parser *ps);

static int enter(struct parser *ps)
{
	if (++ps->depth > EXPR_MAX_DEPTH)
		return fail(ps, ps->ts, "表达式嵌套太深（最多 %d 层）",
			    "expression nested too deeply (at most %d levels)", EXPR_MAX_DEPTH);
	return 0;
}

/* Arguments or predicates are collected on a temporary list and then copied
 * as one run into e->args. */
struct ilist {
	int *v;
	size_t n, cap;
};

static int flush_list(struct parser *ps, struct ilist *l)
{
	struct expr *e = ps->e;
	int first = (int)e->n_args;

	XGROW(e->args, e->cap_args, e->n_args + l->n + 1);
	if (l->n)
		memcpy(e->args + e->n_args, l->v, l->n * sizeof(int));
	e->n_args += l->n;
	free(l->v);
	l->v = NULL;
	return first;
}

/* Predicates after a primary or step: base[...][...] */
static int parse_predicates(struct parser *ps, int base)
{
	struct ilist l = {NULL, 0, 0};
	const char *at = ps->ts;
	int i;

	while (ps->t == T_LBRA) {
		int p;

		lex(ps);
		p = parse_or(ps);
		if (p < 0 || expect(ps, T_RBRA, "]") < 0) {
			free(l.v);
			return -1;
		}
		XGROW(l.v, l.cap, l.n + 1);
		l.v[l.n++] = p;
	}
	if (!l.n)
		return base;
	i = add_node(ps, OP_FILTER, at);
	{
		int n = (int)l.n;
		int first = flush_list(ps, &l);

		ps->e->nodes[i].a = base;
		ps->e->nodes[i].first = first;
		ps->e->nodes[i].n = n;
	}
	return i;
}

static int resolve_field(struct parser *ps, const char *name, const char *at)
{
	int f;

	if (!ps->scope || !ps->scope->field)
		return -1;
	f = ps->scope->field(ps->scope->ud, name);
	if (f < 0)
		return fail(ps, at, "未知字段 '${%s}'", "unknown field '${%s}'", name), -2;
	return f;
}

static void add_ref(struct expr *e, int f)
{
	size_t i;

	if (f < 0)
		return;
	for (i = 0; i < e->n_refs; i++)
		if (e->refs[i] == f)
			return;
	XGROW(e->refs, e->cap_refs, e->n_refs + 1);
	e->refs[e->n_refs++] = f;
}

static int valid_ref_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !is_name_start((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* regex(s, 'pattern'): a literal pattern is compiled now, so that a bad one
 * fails `ruhu check` at its column instead of every answer at run time. The
 * program is not kept: running it writes into it, and compiled expressions
 * are shared read-only; the scratch caches the programs evaluation needs. */
static int check_regex(struct parser *ps, const struct enode *pat)
{
	struct expr_regex *re = NULL;
	int r;

	if (pat->op != OP_STR)
		return 0;
	r = expr_regex_compile(pat->str, pat->len, &re);
	expr_regex_free(re);
	if (r < 0) {
		fail(ps, ps->src, "无效或过于复杂的正则表达式 '%.*s'",
		     "invalid or too complex regular expression '%.*s'", (int)pat->len, pat->str);
		if (ps->err)
			ps->err->code = pat->col;
		return -1;
	}
	return 0;
}

static int parse_call(struct parser *ps)
{
	const char *at = ps->ts;
	const char *name = ps->tv;
	size_t nlen = ps->tlen;
	const struct expr_fn *fi = expr_fn_find(name, nlen);
	struct ilist l = {NULL, 0, 0};
	int i;

	if (!fi && !(ps->flags & EXPR_LENIENT_FUNCTIONS))
		return fail(ps, at, "未知函数 '%.*s'", "unknown function '%.*s'", (int)nlen, name);
	lex(ps); /* name */
	lex(ps); /* ( */
	if (ps->t != T_RPAR) {
		for (;;) {
			int a = parse_or(ps);

			if (a < 0) {
				free(l.v);
				return -1;
			}
			if (l.n >= EXPR_MAX_ARGS) {
				free(l.v);
				return fail(ps, ps->ts, "函数参数太多", "too many function arguments");
			}
			XGROW(l.v, l.cap, l.n + 1);
			l.v[l.n++] = a;
			if (ps->t == T_COMMA) {
				lex(ps);
				continue;
			}
			break;
		}
	}
	if (expect(ps, T_RPAR, ")") < 0) {
		free(l.v);
		return -1;
	}
	if (fi && ((int)l.n < fi->min || (fi->max >= 0 && (int)l.n > fi->max)) &&
	    (ps->flags & EXPR_LENIENT_FUNCTIONS)) {
		/* deferred: fails only if evaluated */
		i = add_node(ps, OP_CALL, at);
		ps->e->nodes[i].str = fi->name;
		fi = &expr_fn_bad_arity;
		goto args;
	}
	if (fi && ((int)l.n < fi->min || (fi->max >= 0 && (int)l.n > fi->max))) {
		free(l.v);
		if (fi->min == fi->max)
			return fail(ps, at, "函数 '%s' 需要 %d 个参数，而不是 %d 个",
				    "function '%s' takes %d argument(s), not %d", fi->name, fi->min,
				    (int)l.n);
		if (fi->max < 0)
			return fail(ps, at, "函数 '%s' 至少需要 %d 个参数，而不是 %d 个",
				    "function '%s' takes at least %d argument(s), not %d", fi->name,
				    fi->min, (int)l.n);
		return fail(ps, at, "函数 '%s' 需要 %d 到 %d 个参数，而不是 %d 个",
			    "function '%s' takes %d to %d arguments, not %d", fi->name, fi->min,
			    fi->max, (int)l.n);
	}
	if (fi && (fi->flags & EXPR_FN_REFS) && l.n % 2 == 0) {
		free(l.v);
		return fail(ps, at, "indexed-repeat() 的参数应为 字段, 重复组, 序号[, 重复组, 序号]...",
			    "indexed-repeat() takes a field then pairs of repeat, index");
	}
	if (fi && (fi->flags & EXPR_FN_REFS)) {
		size_t k;

		for (k = 0; k < l.n; k += k ? 2 : 1) {
			if (ps->e->nodes[l.v[k]].op != OP_REF) {
				int col = ps->e->nodes[l.v[k]].col;

				free(l.v);
				fail(ps, at, "indexed-repeat() 的字段和重复组参数必须是 ${名称}",
				     "indexed-repeat() needs ${name} for the field and repeat arguments");
				if (ps->err)
					ps->err->code = col;
				return -1;
			}
		}
	}
	if (fi && (fi->flags & EXPR_FN_REGEX_ARG2) && check_regex(ps, &ps->e->nodes[l.v[1]]) < 0) {
		free(l.v);
		return -1;
	}
	if (fi && (fi->flags & EXPR_FN_FIELD_ARG2)) {
		/* the second argument names the select field: '${crop}' (or a path) */
		const struct enode *a2 = &ps->e->nodes[l.v[1]];

		if (a2->op == OP_STR) {
			const char *s = a2->str;
			size_t n = a2->len;
			const char *slash = NULL;
			size_t q;
			char *fname;
			int f;

			for (q = 0; q < n; q++)
				if (s[q] == '/')
					slash = s + q;
			if (n > 3 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}') {
				s += 2;
				n -= 3;
			} else if (slash) {
				n -= (size_t)(slash + 1 - s);
				s = slash + 1;
			}
			fname = keep_str(ps->e, s, n);
			f = resolve_field(ps, fname, at);
			if (f == -2) {
				free(l.v);
				return -1;
			}
			add_ref(ps->e, f);
			i = add_node(ps, OP_CALL, at);
			ps->e->nodes[i].field = f;
			ps->e->nodes[i].str = fname;
			ps->e->nodes[i].len = n;
			goto args;
		}
	}
	if (fi && (fi->flags & EXPR_FN_INSTANCE_ARG1) && ps->e->nodes[l.v[0]].op == OP_STR) {
		/* pulldata('villages', ...): the list must exist, as for instance() */
		const struct enode *a1 = &ps->e->nodes[l.v[0]];
		int list = -1;

		if (ps->scope && ps->scope->instance) {
			list = ps->scope->instance(ps->scope->ud, a1->str);
			if (list < 0) {
				int col = a1->col;

				free(l.v);
				fail(ps, at, "未知的选项列表或附带文件 '%s'",
				     "unknown choice list or attached file '%s'", a1->str);
				if (ps->err)
					ps->err->code = col;
				return -1;
			}
		}
		i = add_node(ps, OP_CALL, at);
		ps->e->nodes[i].field = list;
		goto args;
	}
	if (!fi) {
		fi = &expr_fn_unknown;
		i = add_node(ps, OP_CALL, at);
		ps->e->nodes[i].str = keep_str(ps->e, name, nlen);
		ps->e->nodes[i].len = nlen;
		goto args;
	}
	i = add_node(ps, OP_CALL, at);
args:
	ps->e->nodes[i].fi = fi;
	{
		int n = (int)l.n;
		int first = flush_list(ps, &l);

		ps->e->nodes[i].first = first;
		ps->e->nodes[i].n = n;
	}
	return i;
}

/* instance('name')/root/item */
static int parse_instance(struct parser *ps)
{
	const char *at = ps->ts;
	char *name;
	int i, list = -1;

	lex(ps); /* instance */
	lex(ps); /* ( */
	if (ps->t != T_STR)
		return fail(ps, ps->ts, "instance() 需要一个带引号的列表名",
			    "instance() takes a quoted list name");
	name = keep_str(ps->e, ps->tv, ps->tlen);
	lex(ps);
	if (expect(ps, T_RPAR, ")") < 0)
		return -1;
	if (ps->scope && ps->scope->instance) {
		list = ps->scope->instance(ps->scope->ud, name);
		if (list < 0)
			return fail(ps, at, "未知的选项列表 '%s'", "unknown choice list '%s'", name);
	}
	/* /root/item */
	if (ps->t != T_SLASH)
		goto bad;
	lex(ps);
	if (ps->t != T_NAME || ps->tlen != 4 || memcmp(ps->tv, "root", 4))
		goto bad;
	lex(ps);
	if (ps->t != T_SLASH)
		goto bad;
	lex(ps);
	if (ps->t != T_NAME || ps->tlen != 4 || memcmp(ps->tv, "item", 4))
		goto bad;
	lex(ps);
	i = add_node(ps, OP_INSTANCE, at);
	ps->e->nodes[i].field = list;
	ps->e->nodes[i].str = name;
	ps->e->nodes[i].len = strlen(name);
	return i;
bad:
	return fail(ps, ps->ts, "instance('%s') 后面应为 /root/item",
		    "instance('%s') must be followed by /root/item", name);
}

static int parse_primary(struct parser *ps)
{
	const char *at = ps->ts;
	int i;

	switch (ps->t) {
	case T_NUM:
		i = add_node(ps, OP_NUM, at);
		ps->e->nodes[i].num = ps->num;
		lex(ps);
		return i;
	case T_STR:
		i = add_node(ps, OP_STR, at);
		ps->e->nodes[i].str = keep_str(ps->e, ps->tv, ps->tlen);
		ps->e->nodes[i].len = ps->tlen;
		lex(ps);
		return i;
	case T_REF: {
		char *name;
		int f;

		if (!valid_ref_name(ps->tv, ps->tlen))
			return fail(ps, at, "无效的字段引用 '${%.*s}'", "invalid field reference '${%.*s}'",
				    (int)ps->tlen, ps->tv);
		name = keep_str(ps->e, ps->tv, ps->tlen);
		f = resolve_field(ps, name, at);
		if (f == -2)
			return -1;
		add_ref(ps->e, f);
		i = add_node(ps, OP_REF, at);
		ps->e->nodes[i].str = name;
		ps->e->nodes[i].len = ps->tlen;
		ps->e->nodes[i].field = f;
		lex(ps);
		return i;
	}
	case T_LPAR:
		lex(ps);
		i = parse_or(ps);
		if (i < 0 || expect(ps, T_RPAR, ")") < 0)
			return -1;
		return i;
	case T_FUNC:
		if (ps->tlen == 8 && !memcmp(ps->tv, "instance", 8))
			return parse_instance(ps);
		return parse_call(ps);
	default:
		return unexpected(ps);
	}
}

/* One location step after '/': name, '.', '..', with predicates. */
static int parse_step(struct parser *ps, int base)
{
	const char *at = ps->ts;
	int i;

	if (ps->t == T_DOT || ps->t == T_DDOT) {
		i = add_node(ps, OP_STEP, at);
		ps->e->nodes[i].fn = ps->t == T_DOT ? STEP_SELF : STEP_PARENT;
		ps->e->nodes[i].a = base;
		lex(ps);
		return i;
	}
	if (ps->t == T_NAME) {
		i = add_node(ps, OP_STEP, at);
		ps->e->nodes[i].fn = STEP_NAME;
		ps->e->nodes[i].a = base;
		ps->e->nodes[i].str = keep_str(ps->e, ps->tv, ps->tlen);
		ps->e->nodes[i].len = ps->tlen;
		lex(ps);
		return parse_predicates(ps, i);
	}
	if (ps->t == T_AT || ps->t == T_STAR)
		return fail(ps, at, "不支持属性和通配符路径", "attribute and wildcard paths are not supported");
	return unexpected(ps);
}

static int parse_path(struct parser *ps)
{
	const char *at = ps->ts;
	int i;

	if (ps->t == T_SLASH || ps->t == T_DSLASH)
		return fail(ps, at, "不支持绝对路径，请用 ${字段名}",
			    "absolute paths are not supported; use ${name}");
	if (ps->t == T_AT || ps->t == T_STAR)
		return fail(ps, at, "不支持属性和通配符路径", "attribute and wildcard paths are not supported");
	if (ps->t == T_DOT || ps->t == T_DDOT) {
		i = add_node(ps, ps->t == T_DOT ? OP_SELF : OP_PARENT, at);
		lex(ps);
	} else if (ps->t == T_NAME) {
		i = add_node(ps, OP_CHILD, at);
		ps->e->nodes[i].str = keep_str(ps->e, ps->tv, ps->tlen);
		ps->e->nodes[i].len = ps->tlen;
		lex(ps);
		i = parse_predicates(ps, i);
	} else {
		i = parse_primary(ps);
		if (i >= 0)
			i = parse_predicates(ps, i);
	}
	while (i >= 0 && (ps->t == T_SLASH || ps->t == T_DSLASH)) {
		if (ps->t == T_DSLASH)
			return fail(ps, ps->ts, "不支持 '//' 路径", "'//' paths are not supported");
		lex(ps);
		i = parse_step(ps, i);
	}
	return i;
}

static int parse_union(struct parser *ps)
{
	int a = parse_path(ps);

	while (a >= 0 && ps->t == T_PIPE) {
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_path(ps);
		if (b < 0)
			return -1;
		a = binary(ps, OP_UNION, at, a, b);
	}
	return a;
}

static int parse_unary(struct parser *ps)
{
	if (ps->t == T_MINUS) {
		const char *at = ps->ts;
		int a, i;

		if (enter(ps) < 0)
			return -1;
		lex(ps);
		a = parse_unary(ps);
		ps->depth--;
		if (a < 0)
			return -1;
		i = add_node(ps, OP_NEG, at);
		ps->e->nodes[i].a = a;
		return i;
	}
	return parse_union(ps);
}

static int parse_mul(struct parser *ps)
{
	int a = parse_unary(ps);

	while (a >= 0 && (ps->t == T_STAR || ps->t == T_DIV || ps->t == T_MOD)) {
		int op = ps->t == T_STAR ? OP_MUL : ps->t == T_DIV ? OP_DIV : OP_MOD;
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_unary(ps);
		if (b < 0)
			return -1;
		a = binary(ps, op, at, a, b);
	}
	return a;
}

static int parse_add(struct parser *ps)
{
	int a = parse_mul(ps);

	while (a >= 0 && (ps->t == T_PLUS || ps->t == T_MINUS)) {
		int op = ps->t == T_PLUS ? OP_ADD : OP_SUB;
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_mul(ps);
		if (b < 0)
			return -1;
		a = binary(ps, op, at, a, b);
	}
	return a;
}

static int parse_rel(struct parser *ps)
{
	int a = parse_add(ps);

	while (a >= 0 && (ps->t == T_LT || ps->t == T_LE || ps->t == T_GT || ps->t == T_GE)) {
		int op = ps->t == T_LT ? OP_LT : ps->t == T_LE ? OP_LE : ps->t == T_GT ? OP_GT : OP_GE;
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_add(ps);
		if (b < 0)
			return -1;
		a = binary(ps, op, at, a, b);
	}
	return a;
}

static int parse_eq(struct parser *ps)
{
	int a = parse_rel(ps);

	while (a >= 0 && (ps->t == T_EQ || ps->t == T_NE)) {
		int op = ps->t == T_EQ ? OP_EQ : OP_NE;
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_rel(ps);
		if (b < 0)
			return -1;
		a = binary(ps, op, at, a, b);
	}
	return a;
}

static int parse_and(struct parser *ps)
{
	int a = parse_eq(ps);

	while (a >= 0 && ps->t == T_AND) {
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_eq(ps);
		if (b < 0)
			return -1;
		a = binary(ps, OP_AND, at, a, b);
	}
	return a;
}

static int parse_or(struct parser *ps)
{
	int a;

	if (enter(ps) < 0)
		return -1;
	a = parse_and(ps);
	while (a >= 0 && ps->t == T_OR) {
		const char *at = ps->ts;
		int b;

		lex(ps);
		b = parse_and(ps);
		if (b < 0)
			return -1;
		a = binary(ps, OP_OR, at, a, b);
	}
	ps->depth--;
	return a;
}

/* Left-deep operator chains (1+1+1+...) and long paths are built by loops,
 * not recursion, so bound the tree height separately: evaluation recurses
 * along it. Children always precede their parents in e->nodes. */
static int check_height(struct parser *ps)
{
	struct expr *e = ps->e;
	int *h = xcalloc(e->n_nodes ? e->n_nodes : 1, sizeof(int));
	size_t i;
	int j, rc = 0;

	for (i = 0; i < e->n_nodes; i++) {
		const struct enode *n = &e->nodes[i];
		int m = 0;

		if (n->a >= 0 && h[n->a] > m)
			m = h[n->a];
		if (n->b >= 0 && h[n->b] > m)
			m = h[n->b];
		if (n->op == OP_CALL || n->op == OP_FILTER)
			for (j = 0; j < n->n; j++)
				if (h[e->args[n->first + j]] > m)
					m = h[e->args[n->first + j]];
		h[i] = m + 1;
		if (h[i] > EXPR_MAX_HEIGHT) {
			ps->failed = 0;
			rc = -1;
			error_set(ps->err, NULL, "表达式太复杂（嵌套超过 %d 层）",
				  "expression too complex (more than %d levels)", EXPR_MAX_HEIGHT);
			if (ps->err)
				ps->err->code = n->col;
			break;
		}
	}
	free(h);
	return rc;
}

int expr_compile_flags(const char *src, const struct expr_scope *scope, unsigned flags,
		       struct expr **out, struct error *err)
{
	struct parser ps;
	struct expr *e = NULL;
	size_t len = strlen(src);
	int root, rc = -1;

	*out = NULL;
	if (len > EXPR_MAX_SOURCE) {
		error_set(err, NULL, "表达式太长（最多 %d 字节）", "expression too long (at most %d bytes)",
			  EXPR_MAX_SOURCE);
		if (err)
			err->code = 1;
		goto done;
	}
	e = xcalloc(1, sizeof(*e));
	e->src = xstrdup(src);
	memset(&ps, 0, sizeof(ps));
	ps.src = e->src;
	ps.p = e->src;
	ps.scope = scope;
	ps.flags = flags;
	ps.e = e;
	ps.err = err;
	ps.t = T_BAD;
	lex(&ps);
	if (ps.failed)
		goto done;
	if (ps.t == T_EOF) {
		fail(&ps, ps.ts, "表达式为空", "empty expression");
		goto done;
	}
	root = parse_or(&ps);
	if (root < 0 || ps.failed)
		goto done;
	if (ps.t != T_EOF) {
		unexpected(&ps);
		goto done;
	}
	if (check_height(&ps) < 0)
		goto done;
	e->root = root;
	*out = e;
	e = NULL;
	rc = 0;
done:
	expr_free(e);
	return rc;
}

int expr_compile(const char *src, const struct expr_scope *scope, struct expr **out,
		 struct error *err)
{
	return expr_compile_flags(src, scope, 0, out, err);
}

void expr_free(struct expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_strs; i++)
		free(e->strs[i]);
	free(e->strs);
	free(e->nodes);
	free(e->args);
	free(e->refs);
	free(e->src);
	free(e);
}

size_t expr_refs(const struct expr *e, const int **fields)
{
	*fields = e->refs;
	return e->n_refs;
}

const char *expr_source(const struct expr *e)
{
	return e->src;
}
