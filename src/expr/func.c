/*
 * func — the function registry: every function an expression can call,
 * gathered from the family tables of fn_*.c (as SQLite's func.c gathers its
 * built-in functions), looked up by name when an expression is compiled.
 *
 * Invariants: names are unique across all families (test_expr checks that
 * every registered name compiles to its own entry); entries are static and
 * const, so a compiled expression may keep pointers to them and any number
 * of threads may read them.
 */
#include "fn.h"

#include <string.h>

static const struct family {
	const struct expr_fn *fns;
	const size_t *n;
} families[] = {
	{expr_fn_logic, &expr_fn_logic_n},     {expr_fn_string, &expr_fn_string_n},
	{expr_fn_number, &expr_fn_number_n},   {expr_fn_nodeset, &expr_fn_nodeset_n},
	{expr_fn_select, &expr_fn_select_n},   {expr_fn_date, &expr_fn_date_n},
	{expr_fn_geo, &expr_fn_geo_n},         {expr_fn_form, &expr_fn_form_n},
};

const struct expr_fn *expr_fn_find(const char *name, size_t len)
{
	size_t f, k;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		const struct expr_fn *fns = families[f].fns;

		for (k = 0; k < *families[f].n; k++)
			if (fns[k].name[0] == name[0] && !strncmp(fns[k].name, name, len) &&
			    fns[k].name[len] == '\0')
				return &fns[k];
	}
	return NULL;
}

size_t expr_fn_count(void)
{
	size_t f, total = 0;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		total += *families[f].n;
	return total;
}

const struct expr_fn *expr_fn_at(size_t k)
{
	size_t f;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		if (k < *families[f].n)
			return &families[f].fns[k];
		k -= *families[f].n;
	}
	return NULL;
}

static int fn_unknown(struct ev *E, int i, const struct cx *c, struct val *out)
{
	return expr_ev_fail(E, i, "未知函数 '%s'", "unknown function '%s'", E->e->nodes[i].str);
}

static int fn_bad_arity(struct ev *E, int i, const struct cx *c, struct val *out)
{
	return expr_ev_fail(E, i, "函数 '%s' 的参数个数不对",
			    "function '%s' called with the wrong number of arguments",
			    E->e->nodes[i].str);
}

const struct expr_fn expr_fn_unknown = {"?", 0, -1, 0, 0, fn_unknown};
const struct expr_fn expr_fn_bad_arity = {"?", 0, -1, 0, 0, fn_bad_arity};
