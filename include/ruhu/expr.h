/*
 * expr — ODK XPath expressions as XLSForms use them.
 *
 * An expression is parsed once (expr_compile) into a compact tree with source
 * positions and evaluated many times. Compilation resolves every ${name} to a
 * field index through the caller's scope, so an unknown field, an unknown
 * function or a syntax error is reported at load time with its column.
 *
 * This header's compile half is the contract the form loader relies on; the
 * evaluation half is defined below by the expression engine.
 */
#ifndef RUHU_EXPR_H
#define RUHU_EXPR_H

#include "ruhu/error.h"

#include <stddef.h>

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

#endif
