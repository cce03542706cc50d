/*
 * fn — how the evaluator and the function families meet: the registry's
 * entry type (struct expr_fn), the evaluation state every function receives,
 * and the evaluator helpers a function uses to evaluate its arguments and
 * build its result.
 *
 * Functions are registered the way SQLite's func.c registers its own: each
 * family file (fn_logic.c, fn_string.c, fn_number.c, fn_nodeset.c,
 * fn_select.c, fn_date.c, fn_geo.c, fn_form.c) defines a const table of entries, and
 * func.c lists the tables. The parser looks names up there (unknown names and
 * argument counts are checked against the same entries) and stores the entry
 * in the OP_CALL node, so evaluation is one indirect call.
 *
 * Invariants: an implementation is called only with min <= n->n <= max
 * arguments (or any number >= min when max is -1), except the two lenient
 * placeholders in func.c. It evaluates its arguments through expr_ev_*, leaves
 * its result in *out (strings in the scratch arena, or literal or host
 * storage valid until the evaluation ends), and reports errors with
 * expr_ev_fail(). It never allocates except through the scratch.
 */
#ifndef RUHU_EXPR_FN_H
#define RUHU_EXPR_FN_H

#include "expr_impl.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the scratch (defined here so functions read the node stack) -------- */

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

/* ---- values and evaluation state ---------------------------------------- */

enum { V_NUM, V_STR, V_BOOL, V_NODES, V_DATE };

struct val {
	uint8_t t;
	bool b;
	double num;
	const char *s;
	size_t len;
	size_t off, n; /* V_NODES: run in the scratch's node stack */
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

static inline void set_num(struct val *v, double d)
{
	v->t = V_NUM;
	v->num = d;
}

static inline void set_bool(struct val *v, bool b)
{
	v->t = V_BOOL;
	v->b = b;
}

static inline void set_str(struct val *v, const char *s, size_t len)
{
	v->t = V_STR;
	v->s = s;
	v->len = len;
}

static inline void set_date(struct val *v, double d)
{
	v->t = V_DATE;
	v->num = d;
}

static inline void set_nodes(struct val *v, size_t off, size_t n)
{
	v->t = V_NODES;
	v->off = off;
	v->n = n;
}

/* ---- the registry -------------------------------------------------------- */

/*
 * Evaluates the call at node i (n->first, n->n: its arguments) with the
 * dynamic context c; returns 0 with *out set, or -1 through expr_ev_fail().
 */
typedef int (*expr_fn_impl)(struct ev *E, int i, const struct cx *c, struct val *out);

/* Flags of an entry: what the parser does beyond counting arguments. */
enum {
	/* indexed-repeat(): an odd count; argument 0 and every odd argument
	 * must be ${name} */
	EXPR_FN_REFS = 1,
	/* jr:choice-name(): a literal second argument '${name}' names a field,
	 * resolved (and recorded as a reference) at compile time */
	EXPR_FN_FIELD_ARG2 = 2,
	/* regex(): a literal second argument is a pattern, compiled at compile
	 * time so that an invalid one is a compile error */
	EXPR_FN_REGEX_ARG2 = 4,
	/* pulldata(): a literal first argument names a choice list or an
	 * attached file, checked (and resolved into the call node's `field`) at
	 * compile time like instance('name') */
	EXPR_FN_INSTANCE_ARG1 = 8,
};

struct expr_fn {
	const char *name;
	int16_t min, max;   /* argument count; max -1: no upper bound */
	uint8_t flags;      /* EXPR_FN_* */
	uint8_t arg;        /* for the implementation: which of a family it is */
	expr_fn_impl impl;
};

/* The family tables (each file's own) and their sizes. */
extern const struct expr_fn expr_fn_logic[], expr_fn_string[], expr_fn_number[],
	expr_fn_nodeset[], expr_fn_select[], expr_fn_date[], expr_fn_geo[], expr_fn_form[];
extern const size_t expr_fn_logic_n, expr_fn_string_n, expr_fn_number_n, expr_fn_nodeset_n,
	expr_fn_select_n, expr_fn_date_n, expr_fn_geo_n, expr_fn_form_n;

/* The entry named name[0..len), or NULL. */
const struct expr_fn *expr_fn_find(const char *name, size_t len);
/* All entries, for tests and documentation: k < expr_fn_count(). */
size_t expr_fn_count(void);
const struct expr_fn *expr_fn_at(size_t k);

/* Placeholders for EXPR_LENIENT_FUNCTIONS: an unknown name (kept in n->str)
 * and a known function called with a wrong argument count; both fail when
 * evaluated. */
extern const struct expr_fn expr_fn_unknown, expr_fn_bad_arity;

/* ---- evaluator helpers (eval.c) ------------------------------------------ */

/* The argument node index k of call node n. */
#define ARG(k) (E->e->args[n->first + (k)])

/* Sets the error at node's column and returns -1. */
int expr_ev_fail(struct ev *E, int node, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);

/* The host's value of a node ("" without a host). */
const char *expr_ev_value(struct ev *E, expr_node n);

/* Evaluate node i: as it is, or converted. */
int expr_ev_eval(struct ev *E, int i, const struct cx *c, struct val *out);
int expr_ev_num(struct ev *E, int i, const struct cx *c, double *d);
int expr_ev_bool(struct ev *E, int i, const struct cx *c, bool *b);
int expr_ev_str(struct ev *E, int i, const struct cx *c, const char **s, size_t *len);

/* XPath conversions of a value. */
const char *expr_ev_vstr(struct ev *E, const struct val *v, size_t *len);
double expr_ev_vnum(struct ev *E, const struct val *v);
bool expr_ev_vbool(const struct val *v);

/* n bytes in the scratch arena (never NULL); a NUL-terminated copy there. */
char *expr_ev_alloc(struct ev *E, size_t n);
char *expr_ev_copy(struct ev *E, const char *s, size_t len);

/* Appends one node (or the nodes ${field} gives seen from `from`) to the
 * node stack; -1 on a limit or a failed lookup. push_resolve returns the
 * count. */
int expr_ev_push_node(struct ev *E, int node, expr_node n);
int expr_ev_push_resolve(struct ev *E, int node, int field, const char *name, expr_node from);
/* Appends the items of instance('name')/root/item (list index `list` as the
 * compile scope resolved it, or -1 to look `name` up), or the children of
 * `parent` named `name`; returns the count or -1. */
int expr_ev_push_instance(struct ev *E, int node, int list, const char *name);
int expr_ev_push_child(struct ev *E, int node, expr_node parent, const char *name);

/* The node stack and arena, saved and restored around a sub-result that is
 * consumed before the function returns. */
struct expr_mark {
	size_t top;
	struct sblock *cur;
	size_t used;
};
struct expr_mark expr_ev_mark(struct ev *E);
void expr_ev_restore(struct ev *E, struct expr_mark m);

/* A string growing in the arena, limited to EXPR_MAX_STRING bytes. */
struct expr_sbuild {
	struct ev *E;
	char *buf;
	size_t len, cap;
	bool over;
};
void expr_sb_init(struct expr_sbuild *b, struct ev *E);
/* Makes room for n more bytes and the NUL, or sets b->over. */
void expr_sb_grow(struct expr_sbuild *b, size_t n);
int expr_sb_done(struct expr_sbuild *b, int node, struct val *out);

/* inline: concat() and join() call it for every piece */
static inline void expr_sb_add(struct expr_sbuild *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		expr_sb_grow(b, n);
		if (b->over)
			return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Evaluates arguments from..n-1 of call node i and feeds every value
 * (node-sets node by node, as strings) to fn with its string form. */
typedef int (*expr_each_fn)(struct ev *E, void *st, const char *s, size_t len,
			    const struct val *v);
int expr_ev_each(struct ev *E, int i, int from, const struct cx *c, expr_each_fn fn, void *st);

/* 64 random bits (the host's, else the scratch's generator); now in ms. */
uint64_t expr_ev_random(struct ev *E);
int64_t expr_ev_now_ms(struct ev *E);

/* Does pattern match somewhere in s? 1, 0, or -1 for a bad or too complex
 * pattern; compiled patterns are cached in the scratch. */
int expr_ev_regex(struct ev *E, const char *pat, size_t plen, const char *s, size_t len);

/* number(): XPath decimal (with an exponent), or a date's days, else NaN;
 * expr_parse_decimal() without the date. */
double expr_str_number(const char *s, size_t len);
double expr_parse_decimal(const char *s, size_t len);

static inline bool expr_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next space-separated token of [*p, end) (select_multiple answers). */
bool expr_next_token(const char **p, const char *end, const char **tok, size_t *tl);
/* Strips XPath whitespace from both ends. */
void expr_trim(const char **s, size_t *len);

static inline double expr_round_half_away(double x)
{
	if (isnan(x) || isinf(x))
		return x;
	return x < 0 ? -floor(-x + 0.5) : floor(x + 0.5);
}

#endif
