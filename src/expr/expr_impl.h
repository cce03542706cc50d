/*
 * expr_impl — the compiled form of an expression, shared by the parser
 * (parse.c), the evaluator (eval.c), time (time.c) and regex (regex.c).
 *
 * Invariants: nodes are stored flat in e->nodes; every child index is smaller
 * than its parent's (post-order), the root is e->root; function arguments and
 * predicates are runs of indexes in e->args. Nesting depth is at most
 * EXPR_MAX_DEPTH, so evaluation recursion is bounded.
 */
#ifndef RUHU_EXPR_IMPL_H
#define RUHU_EXPR_IMPL_H

#include "ruhu/expr.h"

#include <stdbool.h>
#include <stdint.h>

#define EXPR_MAX_SOURCE (64 * 1024)   /* bytes of source text */
#define EXPR_MAX_DEPTH 128            /* nesting of sub-expressions */
#define EXPR_MAX_HEIGHT 256           /* height of the tree */
#define EXPR_MAX_ARGS 1024            /* arguments of one call */
#define EXPR_MAX_STRING (16u << 20)   /* bytes of one built string */
#define EXPR_MAX_NODES (1u << 22)     /* nodes held during one evaluation */

enum op {
	OP_NUM,     /* num */
	OP_STR,     /* str, len */
	OP_REF,     /* ${name}: field, str = name */
	OP_SELF,    /* . */
	OP_PARENT,  /* .. */
	OP_CHILD,   /* a relative name: str (child of the context node) */
	OP_STEP,    /* a = base nodeset, str = child name, or sel = STEP_PARENT / STEP_SELF */
	OP_FILTER,  /* a = base, args[first .. first+n) = predicates */
	OP_INSTANCE, /* instance('list')/root/item: field = list index, str = name */
	OP_OR, OP_AND,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_NEG,     /* a */
	OP_UNION,   /* a | b */
	OP_CALL,    /* fi, args[first .. first+n) */
};

enum { STEP_NAME, STEP_PARENT, STEP_SELF };

struct expr_fn; /* a registered function (fn.h) */

struct enode {
	uint8_t op;
	uint8_t fn;    /* OP_STEP: STEP_* */
	uint16_t pad;
	int col;       /* 1-based column (characters) in the source */
	int a, b;      /* children, -1 when absent */
	int first, n;  /* OP_CALL / OP_FILTER: run in args */
	int field;     /* OP_REF: field index; OP_INSTANCE: list index; OP_CALL jr:choice-name: field */
	double num;
	const char *str; /* owned by the expression (strs) */
	size_t len;
	const struct expr_fn *fi; /* OP_CALL: the function (a static registry entry) */
};

struct expr {
	char *src;
	struct enode *nodes;
	size_t n_nodes, cap_nodes;
	int *args;
	size_t n_args, cap_args;
	int root;
	int *refs;
	size_t n_refs, cap_refs;
	char **strs;
	size_t n_strs, cap_strs;
};

/* time.c */
/* days since the epoch (as an instant; local midnight of a date-only string)
 * from an ISO date/datetime; 0 ok, -1 not a date. *date_only is set when the
 * text had no time part. */
int expr_time_parse(const char *s, size_t len, double *days, bool *date_only);
/* "HH:MM[:SS[.fff]][zone]" as the fraction of a local day; NaN when invalid. */
double expr_time_decimal_time(const char *s, size_t len);
/* The local date of `days` as "YYYY-MM-DD" when local midnight, else the full
 * "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM"; "Invalid Date" for NaN. buf >= 40 bytes. */
size_t expr_time_format_iso(double days, char *buf, size_t size);
/* format-date: appends the formatted date to a buffer given by (buf, size);
 * returns the length it needs (like snprintf). */
size_t expr_time_format(double days, const char *fmt, size_t fmtlen, char *buf, size_t size);
/* Local midnight of today, and now, as days. */
double expr_time_today(int64_t now_ms);

/* regex.c: does `re` match anywhere in `s`? 1 yes, 0 no, -1 bad pattern or
 * limits exceeded. Linear time in |s| * |re|. */
int expr_regex_search(const char *re, size_t relen, const char *s, size_t len);
/* The same in two steps, for caching: compile (0, or -1 for a bad or too
 * large pattern) then run any number of times without allocating. */
struct expr_regex;
int expr_regex_compile(const char *re, size_t relen, struct expr_regex **out);
int expr_regex_exec(struct expr_regex *x, const char *s, size_t len);
void expr_regex_free(struct expr_regex *x);

#endif
