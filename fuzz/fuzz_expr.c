/*
 * fuzz_expr — libFuzzer target for the expression parser and evaluator.
 *
 * The input is an expression (NUL bytes cut it short); it is compiled both
 * strictly and leniently, and when it compiles it is evaluated against a
 * small host with a repeat of three instances, a choice list and a fixed
 * clock, then converted to string, number and boolean. Inputs starting with
 * 0x01 instead drive the regex engine directly: pattern, 0x00, subject.
 * Any crash, sanitizer report, leak or timeout is a finding.
 */
#include "ruhu/expr.h"
#include "../src/expr/expr_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const vals[] = {"", "12", "a b c", "张三丰", "2024-03-15", "0 0 0 0;0 1 0 0",
				   "", "1.5e3"};

static int field(void *ud, const char *name)
{
	return (int)(strlen(name) % 8);
}

static int list(void *ud, const char *name)
{
	return 0;
}

static int resolve(void *ud, int f, const char *name, expr_node from, expr_node *out, size_t cap)
{
	size_t i, n = f % 3 == 0 ? 3 : 1;

	for (i = 0; i < n && i < cap; i++)
		out[i] = (expr_node)((i + 1) << 8 | (unsigned)(f & 7));
	return (int)n;
}

static const char *value(void *ud, expr_node n)
{
	return vals[n & 7];
}

static int parent(void *ud, expr_node n, expr_node *out)
{
	if (!n)
		return -1;
	*out = n >> 8;
	return 0;
}

static int position(void *ud, expr_node n)
{
	return (int)((n >> 8) & 0xff) + 1;
}

static int child(void *ud, expr_node n, const char *name, expr_node *out, size_t cap)
{
	if (cap)
		out[0] = (n << 8 | strlen(name)) & 0xffffff;
	return 1;
}

static int instance(void *ud, int l, const char *name, expr_node *out, size_t cap)
{
	size_t i;

	for (i = 0; i < 4 && i < cap; i++)
		out[i] = (expr_node)(i + 1);
	return 4;
}

static const char *label(void *ud, int f, const char *name, const char *v, expr_node ctx)
{
	return *v == 'a' ? "苹果" : NULL;
}

static int64_t now(void *ud)
{
	return 1710469230456LL;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct expr_scratch *s;
	static const struct expr_scope scope = {NULL, field, list};
	static const struct expr_host host = {NULL,  resolve, value, parent, position,
					      child, instance, label, now, NULL, NULL, NULL};
	char *src;
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;
	unsigned flags;

	if (!s) {
		setenv("TZ", "Asia/Shanghai", 1);
		tzset();
		s = expr_scratch_new();
	}
	if (size && data[0] == 1) {
		const unsigned char *z = memchr(data + 1, 0, size - 1);
		size_t pl = z ? (size_t)(z - data - 1) : size - 1;
		const char *subj = z ? (const char *)z + 1 : "";
		size_t sl = z ? size - pl - 2 : 0;

		expr_regex_search((const char *)data + 1, pl, subj, sl);
		return 0;
	}
	src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	for (flags = 0; flags <= EXPR_LENIENT_FUNCTIONS; flags++) {
		if (expr_compile_flags(src, &scope, flags, &e, &err) == 0) {
			const int *refs;

			expr_refs(e, &refs);
			if (expr_eval(e, &host, 0, s, &v, &err) == 0) {
				expr_string(&v, &host, s, NULL);
				expr_number(&v, &host);
				expr_boolean(&v);
			}
			expr_free(e);
			e = NULL;
		}
		error_clear(&err);
	}
	free(src);
	return 0;
}
