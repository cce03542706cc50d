/*
 * test_expr — unit tests of the expression engine: every function, CJK
 * strings, empty values and NaN, repeats seen from inside and outside,
 * predicates, instance() lookups, errors with columns, and limits.
 *
 * The host is a small fixed answer tree:
 *   age = "12", x = "a c" (select_multiple of list 'crops'), empty = ""
 *   repeat hh with 3 instances: name = 张三 / 李四 / 王五, sex = m / f / f,
 *   income = 100 / "" / 250
 * Node handles: (instance << 8) | field; instance 0 is the top level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/expr.h"
#include "ruhu/strbuf.h"
#include "../../src/expr/expr_impl.h" /* expr_regex_search, for the step budget */
#include "../../src/expr/fn.h"        /* the function registry */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { F_ROOT, F_AGE, F_HH, F_NAME, F_SEX, F_INCOME, F_X, F_EMPTY, F_GPS, NF };
static const char *const fnames[NF] = {"", "age", "hh", "name", "sex", "income", "x", "empty", "gps"};
static const char *const names[4] = {"", "张三", "李四", "王五"};
static const char *const sexes[4] = {"", "m", "f", "f"};
static const char *const incomes[4] = {"", "100", "", "250"};
static const char *const gps[4] = {"", "0 0 0 0", "0 1 0 0", "1 1 0 0"};
static const char *const crop_names[3] = {"a", "b", "c"};
static const char *const crop_labels[3] = {"苹果", "香蕉", "樱桃"};

#define NODE(k, f) ((expr_node)(((k) << 8) | (f)))
#define ITEM(j) ((expr_node)0x10000 + (j))
#define ITEM_NAME(j) ((expr_node)0x20000 + (j))
#define ITEM_LABEL(j) ((expr_node)0x30000 + (j))

static const char *ctx_value = ""; /* value of the context node for once() */

static int in_repeat(int f)
{
	return f == F_NAME || f == F_SEX || f == F_INCOME || f == F_GPS;
}

static int field_of(void *ud, const char *name)
{
	int f;

	for (f = 1; f < NF; f++)
		if (!strcmp(fnames[f], name))
			return f;
	return -1;
}

static int list_of(void *ud, const char *name)
{
	return strcmp(name, "crops") ? -1 : 0;
}

static const struct expr_scope scope = {NULL, field_of, list_of};

static int h_resolve(void *ud, int field, const char *name, expr_node from, expr_node *out,
		     size_t cap)
{
	unsigned k = (unsigned)(from >> 8) & 0xff;
	size_t n = 0, i;

	if (from >= 0x10000)
		k = 0;
	if (field == F_HH || (in_repeat(field) && !k)) {
		for (i = 1; i <= 3; i++) {
			if (n < cap)
				out[n] = NODE(i, field);
			n++;
		}
		return (int)n;
	}
	if (cap)
		out[0] = in_repeat(field) ? NODE(k, field) : NODE(0, field);
	return 1;
}

static const char *h_value(void *ud, expr_node n)
{
	unsigned k = (unsigned)(n >> 8) & 0xff, f = (unsigned)n & 0xff;

	if (n >= 0x30000)
		return crop_labels[n - 0x30000];
	if (n >= 0x20000)
		return crop_names[n - 0x20000];
	if (n >= 0x10000)
		return "";
	if (n == 0xffff)
		return ctx_value;
	switch (f) {
	case F_AGE: return "12";
	case F_X: return "a c";
	case F_NAME: return names[k];
	case F_SEX: return sexes[k];
	case F_INCOME: return incomes[k];
	case F_GPS: return gps[k];
	default: return "";
	}
}

static int h_parent(void *ud, expr_node n, expr_node *out)
{
	unsigned k = (unsigned)(n >> 8) & 0xff, f = (unsigned)n & 0xff;

	if (n == 0)
		return -1;
	if (in_repeat((int)f) && k) {
		*out = NODE(k, F_HH);
		return 0;
	}
	*out = 0;
	return 0;
}

static int h_position(void *ud, expr_node n)
{
	unsigned k = (unsigned)(n >> 8) & 0xff;

	return k ? (int)k : 1;
}

static int h_child(void *ud, expr_node n, const char *name, expr_node *out, size_t cap)
{
	unsigned k = (unsigned)(n >> 8) & 0xff;
	int f;

	if (n >= 0x10000 && n < 0x20000) {
		if (cap)
			out[0] = !strcmp(name, "name") ? ITEM_NAME(n - 0x10000) : ITEM_LABEL(n - 0x10000);
		return !strcmp(name, "name") || !strcmp(name, "label");
	}
	f = field_of(NULL, name);
	if (f < 0)
		return 0;
	if ((n & 0xff) == F_HH && in_repeat(f)) {
		if (cap)
			out[0] = NODE(k, f);
		return 1;
	}
	if (n == 0 && !in_repeat(f)) {
		if (cap)
			out[0] = NODE(0, f);
		return 1;
	}
	return 0;
}

static int h_instance(void *ud, int list, const char *name, expr_node *out, size_t cap)
{
	size_t j;

	if (list != 0)
		return -1;
	for (j = 0; j < 3 && j < cap; j++)
		out[j] = ITEM(j);
	return 3;
}

static const char *h_label(void *ud, int field, const char *name, const char *value,
			   expr_node ctx)
{
	size_t j;

	if (field != F_X)
		return NULL;
	for (j = 0; j < 3; j++)
		if (!strcmp(crop_names[j], value))
			return crop_labels[j];
	return NULL;
}

/* 2024-03-15T10:20:30.456+08:00 */
static int64_t h_now(void *ud)
{
	return 1710469230456LL;
}

static uint64_t h_random(void *ud)
{
	static uint64_t x = 88172645463325252ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static const struct expr_host host = {NULL,	  h_resolve, h_value, h_parent,	   h_position,
				      h_child, h_instance, h_label, h_now, h_random, NULL, NULL};

static struct expr_scratch *scratch;

/* evaluates in context `ctx`, returns string() of the result (static copy) */
static const char *ev_in(const char *src, expr_node ctx)
{
	static char out[4096];
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;
	int rc;

	rc = expr_compile(src, &scope, &e, &err);
	if (rc < 0)
		fail_msg("compile '%s': %s (column %d)", src, error_msg(&err, LANG_EN), err.code);
	rc = expr_eval(e, &host, ctx, scratch, &v, &err);
	if (rc < 0)
		fail_msg("eval '%s': %s (column %d)", src, error_msg(&err, LANG_EN), err.code);
	snprintf(out, sizeof(out), "%s", expr_string(&v, &host, scratch, NULL));
	expr_free(e);
	error_clear(&err);
	return out;
}

static const char *ev(const char *src)
{
	return ev_in(src, 0);
}

static double evn(const char *src)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	double d = 0;

	if (expr_compile(src, &scope, &e, &err) < 0 ||
	    expr_eval_number(e, &host, 0, scratch, &d, &err) < 0)
		fail_msg("'%s': %s", src, error_msg(&err, LANG_EN));
	expr_free(e);
	error_clear(&err);
	return d;
}

static bool evb(const char *src)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	bool b = false;

	if (expr_compile(src, &scope, &e, &err) < 0 ||
	    expr_eval_bool(e, &host, 0, scratch, &b, &err) < 0)
		fail_msg("'%s': %s", src, error_msg(&err, LANG_EN));
	expr_free(e);
	error_clear(&err);
	return b;
}

/* compile error: checks message and column */
static void compile_err(const char *src, const char *msg, int col)
{
	struct expr *e = (struct expr *)1;
	struct error err = ERROR_INIT;

	assert_int_equal(expr_compile(src, &scope, &e, &err), -1);
	assert_null(e);
	assert_string_equal(error_msg(&err, LANG_EN), msg);
	assert_int_equal(err.code, col);
	assert_non_null(err.zh);
	assert_null(err.where);
	error_clear(&err);
}

static void eval_err(const char *src, const char *msg)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;

	assert_int_equal(expr_compile(src, &scope, &e, &err), 0);
	assert_int_equal(expr_eval(e, &host, 0, scratch, &v, &err), -1);
	assert_string_equal(error_msg(&err, LANG_EN), msg);
	expr_free(e);
	error_clear(&err);
}

static void test_arithmetic(void **state)
{
	assert_string_equal(ev("1 + 2 * 3"), "7");
	assert_string_equal(ev("(1 + 2) * 3"), "9");
	assert_string_equal(ev("7 mod 3"), "1");
	assert_string_equal(ev("-7 mod 3"), "-1");
	assert_string_equal(ev("7 div 2"), "3.5");
	assert_string_equal(ev("1 div 0"), "Infinity");
	assert_string_equal(ev("-1 div 0"), "-Infinity");
	assert_string_equal(ev("0 div 0"), "NaN");
	assert_string_equal(ev("--3"), "3");
	assert_string_equal(ev("0.1 + 0.2"), "0.30000000000000004");
	compile_err("1e3", "unexpected 'e3'", 2); /* XPath has no exponent literals */
}

static void test_empty_and_nan(void **state)
{
	assert_string_equal(ev("${empty} + 1"), "NaN");
	assert_true(isnan(evn("${empty}")));
	assert_false(evb("${empty} > 0"));
	assert_false(evb("${empty} < 0"));
	assert_true(evb("${empty} = ''"));
	assert_false(evb("'abc' < 'abd'"));
	assert_false(evb("'abc' > 'abd'"));
	assert_true(evb("'abc' != 'abd'"));
	assert_true(evb("${age} >= 6 and ${age} <= 15"));
	assert_true(evb("${age} = '12'"));
	assert_true(evb("${age} = 12.0"));
	assert_string_equal(ev("string(number('x'))"), "NaN");
	assert_false(evb("number('x') = number('x')"));
	assert_string_equal(ev("if(${empty} = '', 'none', 'some')"), "none");
	assert_string_equal(ev("coalesce(${empty}, 'dflt')"), "dflt");
	assert_string_equal(ev("coalesce(${age}, 'dflt')"), "12");
}

/* every function given an unanswered question */
static void test_empty_values(void **state)
{
	assert_string_equal(ev("round(${empty})"), "NaN");
	assert_string_equal(ev("int(${empty})"), "NaN");
	assert_string_equal(ev("abs(${empty}) + 1"), "NaN");
	assert_string_equal(ev("pow(${empty}, 2)"), "NaN");
	assert_string_equal(ev("string-length(${empty})"), "0");
	assert_string_equal(ev("concat(${empty}, 'a', ${empty})"), "a");
	assert_string_equal(ev("substr(${empty}, 0, 2)"), "");
	assert_string_equal(ev("translate(${empty}, 'a', 'b')"), "");
	assert_string_equal(ev("normalize-space(${empty})"), "");
	assert_false(evb("selected(${empty}, 'a')"));
	assert_string_equal(ev("selected-at(${empty}, 0)"), "");
	assert_string_equal(ev("date(${empty})"), "");
	assert_string_equal(ev("format-date(${empty}, '%Y')"), "");
	assert_string_equal(ev("decimal-date-time(${empty})"), "NaN");
	assert_string_equal(ev("decimal-time(${empty})"), "NaN");
	assert_string_equal(ev("distance(${empty})"), "NaN");
	assert_string_equal(ev("area(${empty})"), "0");
	assert_false(evb("regex(${empty}, '^[0-9]+$')"));
	assert_false(evb("contains(${empty}, 'a')"));
	assert_true(evb("starts-with('a', ${empty})"));
	assert_string_equal(ev("jr:choice-name(${empty}, '${x}')"), "");
	assert_string_equal(ev("boolean-from-string(${empty})"), "false");
	assert_string_equal(ev("digest(${empty}, 'MD5', 'hex')"), "d41d8cd98f00b204e9800998ecf8427e");
	assert_string_equal(ev("base64-decode(${empty})"), "");
	assert_string_equal(ev("count-selected(${empty})"), "0");
	assert_true(evb("geofence('0.5 0.5', '0 0;0 1;1 1;1 0;0 0')"));
	assert_false(evb("geofence('1.5 0.5', '0 0;0 1;1 1;1 0;0 0')"));
	assert_false(evb("geofence(${empty}, '0 0;0 1;1 1;1 0;0 0')"));
}

static void test_logic(void **state)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	bool b;

	assert_true(evb("true() or false()"));
	assert_false(evb("true() and false()"));
	assert_true(evb("not(false())"));
	assert_true(evb("boolean('x')"));
	assert_false(evb("boolean('')"));
	assert_true(evb("boolean-from-string('true')"));
	assert_true(evb("boolean-from-string('1')"));
	assert_false(evb("boolean-from-string('yes')"));
	assert_string_equal(ev("if(1 > 2, 'a', 'b')"), "b");
	/* short-circuit: the undefined function is never reached */
	assert_int_equal(expr_compile_flags("true() or nope()", &scope, EXPR_LENIENT_FUNCTIONS, &e,
					    &err), 0);
	assert_int_equal(expr_eval_bool(e, &host, 0, scratch, &b, &err), 0);
	assert_true(b);
	expr_free(e);
	assert_int_equal(expr_compile_flags("false() or nope()", &scope, EXPR_LENIENT_FUNCTIONS, &e,
					    &err), 0);
	assert_int_equal(expr_eval_bool(e, &host, 0, scratch, &b, &err), -1);
	assert_string_equal(error_msg(&err, LANG_EN), "unknown function 'nope'");
	assert_int_equal(err.code, 12);
	expr_free(e);
	error_clear(&err);
}

static void test_strings_cjk(void **state)
{
	assert_string_equal(ev("string-length('张三丰')"), "3");
	assert_string_equal(ev("string-length('')"), "0");
	assert_string_equal(ev("string-length(${name})"), "2"); /* all of hh from top: first node */
	assert_string_equal(ev("substr('张三丰', 1)"), "三丰");
	assert_string_equal(ev("substr('张三丰', 0, 2)"), "张三");
	assert_string_equal(ev("substr('张三丰', 1, 2)"), "三");
	assert_string_equal(ev("substr('张三丰', 5)"), "");
	assert_string_equal(ev("substring('张三丰', 2)"), "三丰");
	assert_string_equal(ev("substring('张三丰', 2, 1)"), "三");
	assert_string_equal(ev("substring('12345', 1.5, 2.6)"), "234");
	assert_string_equal(ev("substring('12345', 0 div 0, 3)"), "");
	assert_string_equal(ev("translate('张三丰', '三丰', '四')"), "张四");
	assert_string_equal(ev("translate('bar', 'abc', 'ABC')"), "BAr");
	assert_string_equal(ev("concat('张', 3, true())"), "张3true");
	assert_string_equal(ev("concat()"), "");
	assert_string_equal(ev("normalize-space('  张  三\t丰 ')"), "张 三 丰");
	assert_true(evb("contains('张三丰', '三')"));
	assert_false(evb("contains('张三丰', '四')"));
	assert_true(evb("starts-with('张三丰', '张')"));
	assert_true(evb("ends-with('张三丰', '丰')"));
	assert_true(evb("ends-with('abc', '')"));
	assert_string_equal(ev("substring-before('张三-丰', '-')"), "张三");
	assert_string_equal(ev("substring-after('张三-丰', '-')"), "丰");
	assert_string_equal(ev("substring-after('abc', 'x')"), "");
	assert_string_equal(ev("string(12)"), "12");
	assert_string_equal(ev("string(0.5)"), "0.5");
	assert_string_equal(ev("string(1 = 1)"), "true");
	assert_string_equal(ev("string(1000000000000000000000)"), "1e+21");
	assert_string_equal(ev("string(100000000000000000000)"), "100000000000000000000");
	assert_string_equal(ev("string(0.0000001)"), "1e-7");
	assert_string_equal(ev("string(0.000001)"), "0.000001");
}

static void test_regex(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	assert_true(evb("regex('13912345678', '^1[3-9][0-9]{9}$')"));
	assert_false(evb("regex('1391234567', '^1[3-9][0-9]{9}$')"));
	assert_true(evb("regex('张三', '^.{2}$')"));
	assert_true(evb("regex('张三', '^[一-龥]+$')"));
	assert_false(evb("regex('张3', '^[一-龥]+$')"));
	assert_true(evb("regex('abc', 'b')"));
	assert_true(evb("regex('a.c', '^a\\.c$')"));
	assert_false(evb("regex('abc', '^a\\.c$')"));
	assert_true(evb("regex('ab12', '^(ab|cd)\\d+$')"));
	assert_true(evb("regex('', '^$')"));
	assert_true(evb("regex('x y', '\\s')"));
	assert_true(evb("regex('aaa', '^a{2,3}$')"));
	assert_false(evb("regex('aaaa', '^a{2,3}$')"));
	assert_true(evb("regex('AZ', '^[^a-z]+$')"));
	/* no catastrophic backtracking: (a+)+b against 5000 a's */
	strbuf_addstr(&sb, "regex('");
	for (i = 0; i < 5000; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, "', '^(a+)+b$')");
	assert_false(evb(sb.buf));
	strbuf_release(&sb);
	/* a huge text with a large program hits the step budget instead of running long */
	{
		size_t big = 4u << 20;
		char *text = malloc(big);

		assert_non_null(text);
		memset(text, 'a', big);
		assert_int_equal(expr_regex_search("(a|aa|aaa){1,60}b", 17, text, big), -1);
		assert_int_equal(expr_regex_search("a", 1, text, big), 1);
		assert_int_equal(expr_regex_search("b", 1, text, 4096), 0);
		free(text);
	}
	/* issue 11 D5: a literal pattern is compiled with the expression, so a
	 * bad one is a compile error at the pattern's column (ruhu check
	 * reports it), not an error of every evaluation */
	compile_err("regex(., '[')", "invalid or too complex regular expression '['", 10);
	compile_err("regex('a', '(a')", "invalid or too complex regular expression '(a'", 12);
	compile_err("regex('a', '\\1')", "invalid or too complex regular expression '\\1'", 12);
	compile_err("regex('a', 'a{1000}{1000}')",
		    "invalid or too complex regular expression 'a{1000}{1000}'", 12);
	compile_err("if(true(), 1, regex(${name}, 'x('))",
		    "invalid or too complex regular expression 'x('", 30);
	/* a computed pattern can only fail when evaluated */
	eval_err("regex('a', concat('(', 'a'))", "invalid or too complex regular expression '(a'");
	eval_err("regex('a', concat('[', ''))", "invalid or too complex regular expression '['");
}

static void test_select(void **state)
{
	assert_true(evb("selected(${x}, 'a')"));
	assert_true(evb("selected(${x}, ' c ')"));
	assert_false(evb("selected(${x}, 'b')"));
	assert_false(evb("selected(${x}, '')"));
	assert_true(evb("selected('', '')"));
	assert_string_equal(ev("selected-at(${x}, 1)"), "c");
	assert_string_equal(ev("selected-at(${x}, 2)"), "");
	assert_string_equal(ev("selected-at(${x}, -1)"), "");
	assert_string_equal(ev("count-selected(${x})"), "2");
	assert_string_equal(ev("count-selected(${empty})"), "0");
	assert_string_equal(ev("jr:choice-name('a', '${x}')"), "苹果");
	assert_string_equal(ev("jr:choice-name(selected-at(${x}, 1), '${x}')"), "樱桃");
	assert_string_equal(ev("jr:choice-name('zz', '${x}')"), "");
	assert_true(evb("checklist(1, 2, 'true', 'false', 1)"));
	assert_false(evb("checklist(3, -1, 'true', 'false', 1)"));
	assert_true(evb("weighted-checklist(5, 10, 'true', 3, 'true', 4, 'false', 100)"));
	assert_false(evb("weighted-checklist(8, 10, 'true', 3, 'true', 4)"));
}

static void test_math(void **state)
{
	assert_string_equal(ev("round(1.5)"), "2");
	assert_string_equal(ev("round(-1.5)"), "-2");
	assert_string_equal(ev("round(2.345, 2)"), "2.35");
	assert_string_equal(ev("round(1234, -2)"), "1200");
	assert_string_equal(ev("int(-3.7)"), "-3");
	assert_string_equal(ev("int(3.7)"), "3");
	assert_string_equal(ev("floor(-1.5)"), "-2");
	assert_string_equal(ev("ceiling(-1.5)"), "-1");
	assert_string_equal(ev("abs(-2)"), "2");
	assert_string_equal(ev("pow(2, 10)"), "1024");
	assert_string_equal(ev("sqrt(16)"), "4");
	assert_string_equal(ev("sqrt(-1)"), "NaN");
	assert_string_equal(ev("log(1)"), "0");
	assert_string_equal(ev("log10(1000)"), "3");
	assert_string_equal(ev("exp(0)"), "1");
	assert_string_equal(ev("exp10(2)"), "100");
	assert_string_equal(ev("pi()"), "3.141592653589793");
	assert_string_equal(ev("sin(0)"), "0");
	assert_string_equal(ev("cos(0)"), "1");
	assert_string_equal(ev("tan(0)"), "0");
	assert_string_equal(ev("asin(1) * 2"), "3.141592653589793");
	assert_string_equal(ev("acos(1)"), "0");
	assert_string_equal(ev("atan(0)"), "0");
	assert_string_equal(ev("atan2(1, 1) * 4"), "3.141592653589793");
	assert_string_equal(ev("number(' 12.5 ')"), "12.5");
	assert_string_equal(ev("number('')"), "NaN");
	assert_string_equal(ev("number('1,5')"), "NaN");
	assert_string_equal(ev("number(true())"), "1");
	assert_string_equal(ev("int('')"), "NaN");
	assert_true(evb("random() >= 0 and random() < 1"));
}

static void test_repeats(void **state)
{
	/* from outside the repeat: every instance */
	assert_string_equal(ev("count(${name})"), "3");
	assert_string_equal(ev("count(${hh})"), "3");
	assert_string_equal(ev("sum(${income})"), "NaN"); /* an empty answer is NaN */
	assert_string_equal(ev("count-non-empty(${income})"), "2");
	assert_string_equal(ev("max(${income})"), "NaN");
	assert_string_equal(ev("max(1, 5, 3)"), "5");
	assert_string_equal(ev("min(1, 5, 3)"), "1");
	assert_string_equal(ev("min(${hh}[sex = 'f']/income)"), "NaN");
	assert_string_equal(ev("max(${hh}[income != '']/income)"), "250");
	assert_string_equal(ev("sum(${hh}[income != '']/income)"), "350");
	assert_string_equal(ev("join(', ', ${name})"), "张三, 李四, 王五");
	assert_string_equal(ev("concat(${name})"), "张三李四王五");
	/* predicates and paths */
	assert_string_equal(ev("count(${hh}[sex = 'f'])"), "2");
	assert_string_equal(ev("${hh}[sex = 'f']/name"), "李四");
	assert_string_equal(ev("${hh}[2]/name"), "李四");
	assert_string_equal(ev("${hh}[position() = last()]/name"), "王五");
	assert_string_equal(ev("${hh}[name = '王五']/sex"), "f");
	assert_string_equal(ev("count(${hh}[sex = 'x'])"), "0");
	assert_string_equal(ev("count(${hh}[sex = 'm'] | ${hh}[2])"), "2");
	/* indexed-repeat */
	assert_string_equal(ev("indexed-repeat(${name}, ${hh}, 3)"), "王五");
	assert_string_equal(ev("indexed-repeat(${name}, ${hh}, 4)"), "");
	assert_string_equal(ev("indexed-repeat(${name}, ${hh}, 1 + 1)"), "李四");
	/* inside instance 2: same-instance reference, ., .., position(..) */
	assert_string_equal(ev_in("${name}", NODE(2, F_SEX)), "李四");
	assert_string_equal(ev_in("position(..)", NODE(2, F_SEX)), "2");
	/* an index that leaves nodes on the evaluation stack must not shift the pick */
	assert_string_equal(ev_in("indexed-repeat(${name}, ${hh}, position(..))", NODE(2, F_SEX)),
			    "李四");
	assert_string_equal(ev_in("indexed-repeat(${name}, ${hh}, position(..) + 1)", NODE(1, F_SEX)),
			    "李四");
	assert_string_equal(ev_in(".", NODE(3, F_NAME)), "王五");
	assert_string_equal(ev_in("../income", NODE(3, F_NAME)), "250");
	assert_string_equal(ev_in("string-length(.)", NODE(3, F_NAME)), "2");
	assert_string_equal(ev_in("${age}", NODE(3, F_NAME)), "12");
	assert_string_equal(ev_in("current()/../sex", NODE(1, F_NAME)), "m");
	assert_string_equal(ev_in("../../age", NODE(1, F_NAME)), "12");
	/* area/distance over a repeat's geopoints */
	assert_string_equal(ev("round(distance(${gps}))"), "222638");
	assert_true(evn("area(${gps})") > 6e9);
}

static void test_instance(void **state)
{
	assert_string_equal(ev("instance('crops')/root/item[name = 'b']/label"), "香蕉");
	assert_string_equal(ev("count(instance('crops')/root/item)"), "3");
	assert_string_equal(ev("instance('crops')/root/item[name = selected-at(${x}, 1)]/label"),
			    "樱桃");
	assert_string_equal(ev("count(instance('crops')/root/item[selected(${x}, name)])"), "2");
	/* choice_filter style: the item is the context, ${x} is read from the select */
	{
		struct expr *e = NULL;
		struct error err = ERROR_INIT;
		bool b;
		int j, passed = 0;

		assert_int_equal(expr_compile("selected(${x}, name) and label != '苹果'", &scope, &e,
					      &err),
				 0);
		for (j = 0; j < 3; j++) {
			struct expr_value v;

			assert_int_equal(expr_eval_at(e, &host, NODE(0, F_X), ITEM(j), scratch, &v,
						      &err),
					 0);
			b = expr_boolean(&v);
			passed += b ? 1 << j : 0;
		}
		assert_int_equal(passed, 4); /* only 'c' (樱桃) */
		expr_free(e);
	}
	compile_err("instance('fruit')/root/item", "unknown choice list 'fruit'", 1);
	compile_err("instance('crops')/item", "instance('crops') must be followed by /root/item", 19);
}

static void test_once(void **state)
{
	ctx_value = "";
	assert_string_equal(ev_in("once(concat('x', ${age}))", 0xffff), "x12");
	ctx_value = "kept";
	assert_string_equal(ev_in("once(concat('x', ${age}))", 0xffff), "kept");
	ctx_value = "";
}

static void test_dates(void **state)
{
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	assert_string_equal(ev("today()"), "2024-03-15");
	assert_string_equal(ev("now()"), "2024-03-15T10:20:30.456+08:00");
	assert_string_equal(ev("format-date(now(), '%Y/%m/%d %H:%M:%S.%3 %a %b %e %n %y %h')"),
			    "2024/03/15 10:20:30.456 Fri Mar 15 3 24 10");
	assert_string_equal(ev("format-date-time('2024-01-05T08:09:10', '%H:%M:%S')"), "08:09:10");
	assert_string_equal(ev("format-date('', '%Y')"), "");
	/* local midnight in UTC+8 is 16:00 UTC of the previous day */
	assert_string_equal(ev("date('1970-01-02')"), "1970-01-02");
	assert_string_equal(ev("number(date('1970-01-02'))"), "0.6666666666666666");
	assert_string_equal(ev("date('2024-03-01') - date('2024-02-01')"), "29");
	assert_string_equal(ev("date(date('2024-02-28') + 1)"), "2024-02-29");
	assert_true(evb("today() > date('2024-03-14')"));
	assert_true(evb("date('2024-13-01') = ''") == false);
	assert_string_equal(ev("date('2024-02-30')"), "Invalid Date");
	assert_false(evb("boolean(date('2024-02-30'))"));
	assert_true(evb("boolean(date('1970-01-01T00:00:00Z'))")); /* valid, though 0 days */
	assert_string_equal(ev("int((today() - date('2000-03-15')) div 365.25)"), "24");
	assert_string_equal(ev("decimal-time('12:00:00+08:00')"), "0.5");
	assert_string_equal(ev("decimal-date-time('1970-01-01T00:00:00Z')"), "0");
	assert_string_equal(ev("date-time('2024-03-15T02:20:30.456Z')"),
			    "2024-03-15T10:20:30.456+08:00");
	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(ev("today()"), "2024-03-15");
	assert_string_equal(ev("number(today())"), "19797");
}

static void test_digest_uuid(void **state)
{
	const char *u;
	size_t i;

	assert_string_equal(ev("digest('abc', 'SHA-256', 'hex')"),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(ev("digest('abc', 'MD5', 'base64')"), "kAFQmDzST7DWlj99KOF/cg==");
	assert_string_equal(ev("digest('张三', 'SHA-1', 'hex')"),
			    "ced07fb42b05a2ed9efa330250e2bb9175f962ce");
	eval_err("digest('a', 'SHA-512')",
		 "digest() does not support 'SHA-512' (use MD5, SHA-1 or SHA-256)");
	assert_string_equal(ev("base64-decode('5byg5LiJ')"), "张三");
	assert_string_equal(ev("base64-decode('!!')"), "");
	u = ev("uuid()");
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(u[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", u[i]));
	assert_int_equal(strlen(ev("uuid(12)")), 12);
}

static void test_compile_errors(void **state)
{
	const int *refs;
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	int i;

	compile_err("concat('a', concatt(1))", "unknown function 'concatt'", 13);
	compile_err("'张三' + concatt(1)", "unknown function 'concatt'", 8);
	compile_err("${nosuch} + 1", "unknown field '${nosuch}'", 1);
	compile_err("1 +", "unexpected end of expression", 4);
	compile_err("(1 + 2", "missing ')'", 7);
	compile_err("'abc", "unterminated string", 1);
	compile_err("${age", "'${' without closing '}'", 1);
	compile_err("1 # 2", "unexpected character '#'", 3);
	compile_err("", "empty expression", 1);
	compile_err("round()", "function 'round' takes 1 to 2 arguments, not 0", 1);
	compile_err("if(1, 2)", "function 'if' takes 3 argument(s), not 2", 1);
	compile_err("max()", "function 'max' takes at least 1 argument(s), not 0", 1);
	compile_err("/data/age", "absolute paths are not supported; use ${name}", 1);
	compile_err("indexed-repeat('a', ${hh}, 1)",
		    "indexed-repeat() needs ${name} for the field and repeat arguments", 16);
	compile_err("1 2", "unexpected '2'", 3);
	/* limits: deep nesting and long chains */
	for (i = 0; i < 300; i++)
		strbuf_addch(&sb, '(');
	strbuf_addch(&sb, '1');
	for (i = 0; i < 300; i++)
		strbuf_addch(&sb, ')');
	assert_int_equal(expr_compile(sb.buf, &scope, &e, &err), -1);
	assert_string_equal(error_msg(&err, LANG_EN), "expression nested too deeply (at most 128 levels)");
	strbuf_reset(&sb);
	strbuf_addch(&sb, '1');
	for (i = 0; i < 1000; i++)
		strbuf_addstr(&sb, "+1");
	assert_int_equal(expr_compile(sb.buf, &scope, &e, &err), -1);
	assert_string_equal(error_msg(&err, LANG_EN),
			    "expression too complex (more than 256 levels)");
	strbuf_release(&sb);
	error_clear(&err);
	/* refs: distinct, first-use order */
	assert_int_equal(expr_compile("${x} + ${age} * ${x} + jr:choice-name(1, '${sex}')", &scope,
				      &e, &err),
			 0);
	assert_int_equal(expr_refs(e, &refs), 3);
	assert_int_equal(refs[0], F_X);
	assert_int_equal(refs[1], F_AGE);
	assert_int_equal(refs[2], F_SEX);
	assert_string_equal(expr_source(e), "${x} + ${age} * ${x} + jr:choice-name(1, '${sex}')");
	expr_free(e);
	expr_free(NULL);
	/* operator names as element names and vice versa */
	assert_string_equal(ev("count(${hh}[sex = 'f' and income != ''])"), "1");
	assert_string_equal(ev("6 div 2 mod 2"), "1");
}

static void test_eval_errors(void **state)
{
	eval_err("count(1)", "function 'count' needs a node-set argument");
	eval_err("sum('a')", "function 'sum' needs a node-set argument");
	eval_err("'a'/b", "a path step needs a node-set");
	eval_err("1 | 2", "'|' needs node-sets on both sides");
	eval_err("uuid(-1)", "uuid() length must be between 0 and 4096");
}

/* results never point into the host's values */
static void test_no_alias(void **state)
{
	static const char *const srcs[] = {"substring-after(${name}, '张')", "string(${name})",
					   "coalesce(${empty}, ${sex})", NULL};
	struct error err = ERROR_INIT;
	int k;

	for (k = 0; srcs[k]; k++) {
		struct expr *e = NULL;
		const char *out;
		struct expr_value v;

		assert_int_equal(expr_compile(srcs[k], &scope, &e, &err), 0);
		assert_int_equal(expr_eval_string(e, &host, NODE(1, F_SEX), scratch, &out, &err), 0);
		assert_true(out < names[1] || out > names[1] + strlen(names[1]));
		assert_true(out != sexes[1]);
		assert_int_equal(expr_eval(e, &host, NODE(1, F_SEX), scratch, &v, &err), 0);
		if (v.type == EXPR_STRING)
			assert_true(v.str < names[1] || v.str > names[1] + strlen(names[1]));
		expr_free(e);
	}
	assert_string_equal(ev_in("substring-after(${name}, '张')", NODE(1, F_SEX)), "三");
}

static void test_numbers_api(void **state)
{
	char buf[64];

	assert_string_equal(expr_format_number(NAN, buf, sizeof(buf)), "NaN");
	assert_string_equal(expr_format_number(-0.0, buf, sizeof(buf)), "0");
	assert_string_equal(expr_format_number(1e21, buf, sizeof(buf)), "1e+21");
	assert_string_equal(expr_format_number(123.456, buf, sizeof(buf)), "123.456");
	assert_string_equal(expr_format_number(-5e-7, buf, sizeof(buf)), "-5e-7");
	/* integers (their own path) and shortest round-trip decimals */
	assert_string_equal(expr_format_number(7, buf, sizeof(buf)), "7");
	assert_string_equal(expr_format_number(-42, buf, sizeof(buf)), "-42");
	assert_string_equal(expr_format_number(999999999999999, buf, sizeof(buf)),
			    "999999999999999");
	assert_string_equal(expr_format_number(1e15, buf, sizeof(buf)), "1000000000000000");
	assert_string_equal(expr_format_number(0.1 + 0.2, buf, sizeof(buf)), "0.30000000000000004");
	assert_string_equal(expr_format_number(6000.5, buf, sizeof(buf)), "6000.5");
	assert_string_equal(expr_format_number(1.0 / 3, buf, sizeof(buf)), "0.3333333333333333");
	assert_string_equal(expr_format_number(-1234, buf, 4), "-12");
	assert_true(expr_parse_number(" 42 ") == 42);
	assert_true(isnan(expr_parse_number("4 2")));
	assert_true(isnan(expr_parse_number("-")));
	assert_true(expr_parse_number("-.5") == -0.5);
	assert_true(expr_parse_number("12345678901234567890") == 12345678901234567890.0);
}

/* The registry is the parser's one source of truth: every registered name
 * is unique, compiles with its minimum and maximum argument counts to a call
 * of its own entry, and is refused with one argument too few or too many. */
static void test_registry(void **state)
{
	size_t k, j, n = expr_fn_count();

	assert_true(n >= 70);
	for (k = 0; k < n; k++) {
		const struct expr_fn *f = expr_fn_at(k);
		int counts[2] = {f->min, f->max >= 0 ? f->max : f->min + 3}, a, m;

		assert_non_null(f->impl);
		assert_ptr_equal(expr_fn_find(f->name, strlen(f->name)), f);
		for (j = 0; j < k; j++)
			assert_string_not_equal(expr_fn_at(j)->name, f->name);
		for (m = -1; m <= 2; m++) {
			int nargs = m < 0 ? f->min - 1 : m < 2 ? counts[m] : f->max + 1;
			bool ok = m >= 0 && m < 2;
			struct strbuf sb = STRBUF_INIT;
			struct error err = ERROR_INIT;
			struct expr *e = NULL;

			if ((m < 0 && f->min == 0) || (m == 2 && f->max < 0))
				continue;
			if ((f->flags & EXPR_FN_REFS) && ok && nargs % 2 == 0)
				continue; /* indexed-repeat's odd count is its own rule */
			strbuf_addf(&sb, "%s(", f->name);
			for (a = 0; a < nargs; a++)
				strbuf_addstr(&sb, a ? ", ${age}" : "${age}");
			strbuf_addch(&sb, ')');
			print_message("%s\n", sb.buf);
			assert_int_equal(expr_compile(sb.buf, &scope, &e, &err), ok ? 0 : -1);
			if (ok) {
				assert_int_equal(e->nodes[e->root].op, OP_CALL);
				assert_ptr_equal(e->nodes[e->root].fi, f);
			} else {
				assert_non_null(strstr(error_msg(&err, LANG_EN), "argument"));
			}
			expr_free(e);
			error_clear(&err);
			strbuf_release(&sb);
		}
	}
	assert_null(expr_fn_find("concatt", 7));
	assert_null(expr_fn_find("con", 3));
	assert_ptr_equal(expr_fn_find("concat(x)", 6), expr_fn_find("concat", 6));
}

static int setup(void **state)
{
	scratch = expr_scratch_new();
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static int teardown(void **state)
{
	expr_scratch_free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arithmetic),    cmocka_unit_test(test_empty_and_nan),
		cmocka_unit_test(test_logic),         cmocka_unit_test(test_strings_cjk),
		cmocka_unit_test(test_regex),         cmocka_unit_test(test_select),
		cmocka_unit_test(test_math),          cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_instance),      cmocka_unit_test(test_once),
		cmocka_unit_test(test_dates),         cmocka_unit_test(test_digest_uuid),
		cmocka_unit_test(test_compile_errors), cmocka_unit_test(test_eval_errors),
		cmocka_unit_test(test_numbers_api),   cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_no_alias),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
