/*
 * test_expr_alloc — evaluation does not allocate once the scratch has grown.
 *
 * The test is linked with -Wl,--wrap=malloc/calloc/realloc, so every
 * allocation the (static) core library makes goes through the counters
 * below. After a warm-up, thousands of evaluations of typical expressions
 * must make no allocation at all (regex() patterns are cached in the
 * scratch); more distinct patterns than the cache holds do allocate, which
 * shows the counter works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/expr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long allocs;

void *__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	allocs++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

static const char *const names[] = {"age", "x", "name", "dob", "hh", NULL};
static const char *const values[] = {"12", "a c", "张三丰", "1990-05-17", ""};

static int field(void *ud, const char *name)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* hh is a repeat of 50 instances (nodes 100..149), each with x = "a c" */
static int resolve(void *ud, int f, const char *name, expr_node from, expr_node *out, size_t cap)
{
	size_t i;

	if (f == 4) {
		for (i = 0; i < 50 && i < cap; i++)
			out[i] = 100 + i;
		return 50;
	}
	if (cap)
		out[0] = (expr_node)f + 1;
	return 1;
}

static const char *value(void *ud, expr_node n)
{
	if (n >= 100)
		return "a c";
	return n ? values[n - 1] : "";
}

static int child(void *ud, expr_node n, const char *name, expr_node *out, size_t cap)
{
	if (cap)
		out[0] = 2; /* x */
	return 1;
}

static int64_t now(void *ud)
{
	return 1710469230456LL;
}

static const struct expr_scope scope = {NULL, field, NULL};
static const struct expr_host host = {NULL, resolve, value, NULL, NULL, child, NULL, NULL, now,
				      NULL, NULL, NULL};

static long allocs_of(const char *const *srcs, int rounds)
{
	struct expr *e[16];
	struct expr_scratch *s = expr_scratch_new();
	struct error err = ERROR_INIT;
	struct expr_value v;
	long before, n;
	int k, i;

	for (k = 0; srcs[k]; k++)
		assert_int_equal(expr_compile(srcs[k], &scope, &e[k], &err), 0);
	for (i = 0; i < 3; i++) /* warm-up: the scratch grows */
		for (k = 0; srcs[k]; k++)
			assert_int_equal(expr_eval(e[k], &host, 0, s, &v, &err), 0);
	before = allocs;
	for (i = 0; i < rounds; i++)
		for (k = 0; srcs[k]; k++) {
			const char *str;

			assert_int_equal(expr_eval(e[k], &host, 0, s, &v, &err), 0);
			assert_int_equal(expr_eval_string(e[k], &host, 0, s, &str, &err), 0);
		}
	n = allocs - before;
	for (k = 0; srcs[k]; k++)
		expr_free(e[k]);
	expr_scratch_free(s);
	return n;
}

static void test_no_allocation(void **state)
{
	static const char *const srcs[] = {
		"${age} >= 6 and ${age} <= 15",
		"selected(${x}, 'a')",
		"if(${age} > 0, ${age} * 12, 0)",
		"concat(${name}, '-', ${age})",
		"string-length(${name}) <= 4 or not(${x} = '')",
		"count(${hh}[selected(x, 'c')])",
		"join(' ', ${hh})",
		"sum(${hh}) + count-non-empty(${hh})",
		"format-date(today(), '%Y-%m-%d')",
		"int((today() - date(${dob})) div 365.25)",
		"translate(normalize-space(${name}), '三', '四')",
		"digest(${name}, 'SHA-256', 'hex')",
		"round(pow(${age}, 2) div 7, 2)",
		"regex(${name}, '^.{2,4}$') and regex(${age}, '^[0-9]+$')",
		NULL,
	};
	/* more distinct patterns than the regex cache holds: compiled each time */
	static const char *const re[] = {
		"regex(${name}, '^.{2,4}$') and regex(${name}, '1|^.') and regex(${name}, '2|^.') and "
		"regex(${name}, '3|^.') and regex(${name}, '4|^.') and regex(${name}, '5|^.') and "
		"regex(${name}, '6|^.') and regex(${name}, '7|^.') and regex(${name}, '8|^.')",
		NULL};

	assert_int_equal(allocs_of(srcs, 2000), 0);
	assert_true(allocs_of(re, 10) > 0); /* the counter does see allocations */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_allocation),
	};

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
