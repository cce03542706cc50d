/*
 * expr — ODK XPath expressions as XLSForms use them.
 *
 * An expression is parsed once (expr_compile) into a compact tree with source
 * positions and evaluated many times. Compilation resolves every ${name} to a
 * field index through the caller's scope, so an unknown field, an unknown
 * function, a wrong number of arguments, an invalid regex() literal or a
 * syntax error is reported at load time with its column.
 *
 * This header's compile half is the contract the form loader relies on; the
 * evaluation half is defined below by the expression engine.
 */
#ifndef RUHU_EXPR_H
#define RUHU_EXPR_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct expr;

/* How compilation resolves names. Either callback may be NULL: then every
 * ${name} resolves to -1 without error (ruhu eval binds names itself), and
 * instance() names are not checked. */
struct expr_scope {
	void *ud;
	/* ${name} -> field index >= 0, or -1 when there is no such field */
	int (*field)(void *ud, const char *name);
	/* instance('name') -> list index >= 0, or -1 when unknown */
	int (*instance)(void *ud, const char *name);
};

/*
 * Compiles `src`. Returns 0 and sets *out (owned by the caller, freed with
 * expr_free), or -1 with *out = NULL and `err` set: err->code is the 1-based
 * column (in characters) of the problem and err->where is NULL, so callers
 * prefix their own location, e.g. "household.csv:survey:14" or "eval:1".
 */
int expr_compile(const char *src, const struct expr_scope *scope, struct expr **out,
		 struct error *err);
void expr_free(struct expr *e);

/* The distinct field indexes the expression references through ${name}, in
 * first-use order. The array is owned by the expression. */
size_t expr_refs(const struct expr *e, const int **fields);

/* Flags of expr_compile_flags(). */
enum {
	/* An unknown function compiles to a call that fails when (and only when)
	 * it is evaluated. Only for test suites that check short-circuiting;
	 * forms and `ruhu eval` always use strict compilation. */
	EXPR_LENIENT_FUNCTIONS = 1,
};

/* expr_compile() with flags (0 = expr_compile). */
int expr_compile_flags(const char *src, const struct expr_scope *scope, unsigned flags,
		       struct expr **out, struct error *err);

/* The source text the expression was compiled from (owned by the expression). */
const char *expr_source(const struct expr *e);

/* ------------------------------------------------------------------------ */
/* Evaluation                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A node of the host's answer tree, as an opaque handle the host chooses
 * (e.g. instance id << 20 | field index). The engine never interprets it; it
 * only passes handles back to the host callbacks. Nodes are: the answer of a
 * field in one repeat instance, a repeat instance or group, and the items of
 * instance('list') lookups with their children (name, label, extra columns).
 */
typedef uint64_t expr_node;

/*
 * The host: how evaluation reads answers. All values are strings. Every
 * callback gets `ud`. Callbacks that fill a node array receive the room `cap`
 * and return the TOTAL number of nodes (which may exceed cap: the engine then
 * grows its buffer and calls again with a larger cap), or a negative number
 * when the lookup itself is impossible (evaluation then fails). A NULL
 * callback behaves as "nothing there" (0 nodes, "" values, NULL labels).
 *
 * Callbacks must not call back into the engine with the same scratch.
 */
struct expr_host {
	void *ud;

	/* ${name} as seen from node `from` (the context node, or a repeat
	 * instance for indexed-repeat()). `field` is the index the compile scope
	 * gave (-1 when compiled without a scope; then use `name`). Rules as in
	 * ODK: a field in the same repeat instance as `from` (or outside every
	 * repeat) gives one node; a repeated field seen from outside its repeat
	 * gives every instance, in order; a repeat gives its instances. A field
	 * that is not relevant still has a node (with value ""). */
	int (*resolve)(void *ud, int field, const char *name, expr_node from, expr_node *out,
		       size_t cap);

	/* The string value of a node, NUL-terminated, never NULL ("" when
	 * empty). For a container, its value is "" (the engine does not
	 * concatenate descendants). Must stay valid until expr_eval returns. */
	const char *(*value)(void *ud, expr_node n);

	/* The parent of `n` (for ".." and "position(..)"): returns 0 and sets
	 * *out, or -1 when n is the root. */
	int (*parent)(void *ud, expr_node n, expr_node *out);

	/* 1-based position of `n` among its same-named siblings (the repeat
	 * instance number for a repeat instance); 1 for other nodes. */
	int (*position)(void *ud, expr_node n);

	/* Children of `n` named `name` (relative paths in predicates and after
	 * instance() items: `field`, `../field`, `label`, `name`). */
	int (*child)(void *ud, expr_node n, const char *name, expr_node *out, size_t cap);

	/* The items of instance('name')/root/item (choice list `list` as the
	 * compile scope resolved it, or -1): one node per choice, in order. Each
	 * item's children are "name", "label" (in the current form language)
	 * and the choice sheet's extra columns. */
	int (*instance)(void *ud, int list, const char *name, expr_node *out, size_t cap);

	/* jr:choice-name(value, '${field}'): the label of choice `value` of the
	 * select field `field` (index, or -1 with `name`) in the current form
	 * language; NULL when there is no such choice. `ctx` is the context node. */
	const char *(*choice_label)(void *ud, int field, const char *name, const char *value,
				    expr_node ctx);

	/* now(): milliseconds since the Unix epoch. NULL: the system clock. */
	int64_t (*now_ms)(void *ud);

	/* 64 random bits for uuid() / random() / randomize() without a seed.
	 * NULL: the engine's own generator seeded from /dev/urandom. */
	uint64_t (*random)(void *ud);

	/* jr:itext(id): the text `id` ("name:label", "name:hint", ... as
	 * docs/expressions.md lists) in the current form language; NULL when
	 * there is no such text. `ctx` is the context node. */
	const char *(*itext)(void *ud, const char *id, expr_node ctx);

	/* version(): the form's version (settings `version`); NULL when the
	 * form has none. */
	const char *(*form_version)(void *ud);
};

/*
 * Scratch memory for evaluation: node buffers and the strings functions build.
 * Owned by the caller and reused across evaluations, so that after the first
 * few evaluations nothing is allocated. One scratch per thread; not shared.
 */
struct expr_scratch;
struct expr_scratch *expr_scratch_new(void);
void expr_scratch_free(struct expr_scratch *s); /* accepts NULL */

enum expr_type {
	EXPR_NUMBER,
	EXPR_STRING,
	EXPR_BOOLEAN,
	EXPR_NODESET,
	EXPR_DATE, /* num = days since the epoch; string() is ISO 8601 in local time */
};

/*
 * The result of an evaluation. Node arrays and strings point into the scratch
 * (never into host values) and stay valid until the next evaluation with the
 * same scratch, or until the scratch is freed.
 */
struct expr_value {
	enum expr_type type;
	bool b;                 /* EXPR_BOOLEAN */
	double num;             /* EXPR_NUMBER, EXPR_DATE */
	const char *str;        /* EXPR_STRING: NUL-terminated */
	size_t len;             /* EXPR_STRING: bytes */
	const expr_node *nodes; /* EXPR_NODESET, in document order */
	size_t n;               /* EXPR_NODESET */
};

/*
 * Evaluates `e` with context node `ctx` (the field the expression belongs
 * to; "." is its value; relative paths and ".." start there). Returns 0 and
 * fills *out, or -1 with `err` set (err->code = 1-based column of the failing
 * part, err->where NULL): evaluation errors are things like a wrong number of
 * arguments that only show at run time, an unknown function compiled with
 * EXPR_LENIENT_FUNCTIONS, a host lookup failure or a limit exceeded.
 *
 * Does not allocate once the scratch has grown to the expression's needs
 * (the scratch also caches the last 8 regex() patterns, compiled).
 * Time functions use the process time zone (TZ; call tzset() after changing).
 */
int expr_eval(const struct expr *e, const struct expr_host *h, expr_node ctx,
	      struct expr_scratch *s, struct expr_value *out, struct error *err);

/*
 * expr_eval() with the two nodes apart: ${name}, current() and once() start
 * from `origin` (the field the expression belongs to), while ".", relative
 * names and ".." start from `ctx`. For choice_filter, origin is the select
 * and ctx the choice item, so `filter = ${district}` reads the item's
 * "filter" child and the district answer seen from the select.
 * expr_eval(e, h, n, ...) is expr_eval_at(e, h, n, n, ...).
 */
int expr_eval_at(const struct expr *e, const struct expr_host *h, expr_node origin,
		 expr_node ctx, struct expr_scratch *s, struct expr_value *out, struct error *err);

/*
 * XPath conversions of a result (XPath 1.0 + ODK):
 *  string():  nodeset -> value of its first node ("" when empty); number ->
 *             "NaN", "Infinity", "-Infinity", integers without ".0", other
 *             numbers in shortest round-trip form (as JavaScript prints them);
 *             boolean -> "true"/"false".
 *  number():  string -> the decimal it spells (surrounding whitespace
 *             allowed), else NaN ("" is NaN); boolean -> 1/0.
 *  boolean(): number -> not 0 and not NaN; string -> not empty; nodeset ->
 *             not empty; date -> valid.
 * expr_string() may format into the scratch; the returned string lives as
 * long as the result does.
 */
const char *expr_string(const struct expr_value *v, const struct expr_host *h,
			struct expr_scratch *s, size_t *len);
double expr_number(const struct expr_value *v, const struct expr_host *h);
bool expr_boolean(const struct expr_value *v);

/* Convenience: evaluate and convert in one call. Return 0 or -1 as expr_eval. */
int expr_eval_bool(const struct expr *e, const struct expr_host *h, expr_node ctx,
		   struct expr_scratch *s, bool *out, struct error *err);
int expr_eval_number(const struct expr *e, const struct expr_host *h, expr_node ctx,
		     struct expr_scratch *s, double *out, struct error *err);
/* *out lives in the scratch until its next use (a copy even when the result
 * is a node's value, so it never aliases the host's storage). */
int expr_eval_string(const struct expr *e, const struct expr_host *h, expr_node ctx,
		     struct expr_scratch *s, const char **out, struct error *err);

/*
 * Shuffles v[0..n) as randomize(nodes, seed) shuffles nodes: ODK's
 * "inside-out" Fisher-Yates with the Park-Miller generator seeded by `seed`
 * (its fraction dropped). For hosts that shuffle choice lists the way a form's
 * randomize=true parameter asks. Returns 0, or -1 (v untouched) when the seed
 * is NaN or infinite.
 */
int expr_shuffle(size_t *v, size_t n, double seed);

/* Formats a number as string() does into buf (at least 32 bytes); returns buf. */
char *expr_format_number(double d, char *buf, size_t size);
/* Parses a string as number() does. */
double expr_parse_number(const char *s);

/*
 * Dates. A date value is a number of days since 1970-01-01 at local midnight
 * (fractions for times). expr_parse_date() accepts "YYYY-MM-DD",
 * "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|+HHMM]" and "HH:MM[:SS]" times;
 * returns 0 and sets *days, or -1.
 */
int expr_parse_date(const char *s, double *days);

#endif
