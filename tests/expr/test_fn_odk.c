/*
 * test_fn_odk — the ODK XForms functions that read the form or its attached
 * data, and randomize(): the cases published with the ODK specification's
 * reference evaluator (Enketo's openrosa-xpath-evaluator randomize tests:
 * the six nodes A..F shuffled with seeds 42, '42', -42, 1, 11111111,
 * int(1), floor(1.1)), plus pulldata(), jr:itext() and version().
 *
 * The host: list 0 'letters' has six items whose name is A..F; list 1
 * 'villages' has four items (name, label, county). Handles:
 * 0x100000 | list << 16 | j for item j, and 0x200000 + column << 20 for its
 * children (column 0 name, 1 label, 2 county).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/expr.h"

#include <stdio.h>
#include <string.h>

#define ITEM(l, j) ((expr_node)(0x100000 | (l) << 16 | (j)))
#define CHILD(col, l, j) ((expr_node)(0x200000 + ((expr_node)(col) << 20) + ((l) << 16) + (j)))

static const char *const letters[6] = {"A", "B", "C", "D", "E", "F"};
static const char *const villages[4][3] = {
	{"v1", "东村", "c1"}, {"v2", "西村", "c1"}, {"v3", "南村", "c2"}, {"v4", "北村", "c2"}};
static const char *const lists[2] = {"letters", "villages"};
static int version_null;

static int list_of(void *ud, const char *name)
{
	int l;

	for (l = 0; l < 2; l++)
		if (!strcmp(lists[l], name))
			return l;
	return -1;
}

static const struct expr_scope scope = {NULL, NULL, list_of};

static int h_instance(void *ud, int list, const char *name, expr_node *out, size_t cap)
{
	int n, j;

	if (list < 0)
		list = list_of(NULL, name);
	if (list < 0)
		return 0;
	n = list == 0 ? 6 : 4;
	for (j = 0; j < n && (size_t)j < cap; j++)
		out[j] = ITEM(list, j);
	return n;
}

static int h_child(void *ud, expr_node x, const char *name, expr_node *out, size_t cap)
{
	int l = (int)(x >> 16) & 0xf, j = (int)x & 0xffff, col;

	if ((x & 0xf00000) != 0x100000)
		return 0;
	col = !strcmp(name, "name") ? 0 : !strcmp(name, "label") ? 1 : !strcmp(name, "county") ? 2 : -1;
	if (col < 0 || (l == 0 && col > 0))
		return 0;
	if (cap)
		out[0] = CHILD(col, l, j);
	return 1;
}

static const char *h_value(void *ud, expr_node x)
{
	int col = (int)((x - 0x200000) >> 20), l = (int)(x >> 16) & 0xf, j = (int)x & 0xffff;

	if (x < 0x200000)
		return "";
	return l == 0 ? letters[j] : villages[j][col];
}

static const char *h_itext(void *ud, const char *id, expr_node ctx)
{
	if (!strcmp(id, "q1:label"))
		return "第一题";
	if (!strcmp(id, "/data/q1:hint"))
		return "提示";
	return NULL;
}

static const char *h_version(void *ud)
{
	return version_null ? NULL : "2024091201";
}

static const struct expr_host host = {
	.instance = h_instance, .child = h_child, .value = h_value,
	.itext = h_itext, .form_version = h_version,
};

static struct expr_scratch *scratch;

/* the string values of every node of the result, concatenated */
static const char *ev_nodes(const char *src)
{
	static char out[256];
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;
	size_t k, len = 0;

	if (expr_compile(src, &scope, &e, &err) < 0 ||
	    expr_eval(e, &host, 0, scratch, &v, &err) < 0)
		fail_msg("'%s': %s", src, error_msg(&err, LANG_EN));
	out[0] = '\0';
	if (v.type == EXPR_NODESET)
		for (k = 0; k < v.n; k++)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s",
						h_value(NULL, v.nodes[k]));
	else
		snprintf(out, sizeof(out), "%s", expr_string(&v, &host, scratch, NULL));
	expr_free(e);
	error_clear(&err);
	return out;
}

static void test_randomize_seeded(void **state)
{
	static const struct {
		const char *seed, *want;
	} cases[] = {
		{"42", "AFCBDE"},         {"'42'", "AFCBDE"},      {"-42", "EDAFBC"},
		{"1", "BFEACD"},          {"11111111", "ACDBFE"},  {"int(1)", "BFEACD"},
		{"floor(1.1)", "BFEACD"},
	};
	char src[128];
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(src, sizeof(src), "randomize(instance('letters')/root/item/name, %s)",
			 cases[k].seed);
		assert_string_equal(ev_nodes(src), cases[k].want);
	}
	/* the same seed, the same order: a choice list keeps its order per interview */
	assert_string_equal(ev_nodes("randomize(instance('letters')/root/item, 42)/name"),
			    "AFCBDE");
	/* a seed with a fraction drops it (decimal-date-time(now()) seeds) */
	assert_string_equal(ev_nodes("randomize(instance('letters')/root/item/name, 42.9)"),
			    "AFCBDE");
	assert_string_equal(ev_nodes("count(randomize(instance('letters')/root/item, 0))"), "6");
}

static void test_randomize_unseeded(void **state)
{
	int seen_other = 0, k;

	for (k = 0; k < 20; k++) {
		const char *r = ev_nodes("randomize(instance('letters')/root/item/name)");
		char sorted[7];
		int a, b;

		assert_int_equal(strlen(r), 6);
		memcpy(sorted, r, 7);
		for (a = 0; a < 6; a++)
			for (b = a + 1; b < 6; b++)
				if (sorted[b] < sorted[a]) {
					char t = sorted[a];
					sorted[a] = sorted[b];
					sorted[b] = t;
				}
		assert_string_equal(sorted, "ABCDEF"); /* a permutation */
		if (strcmp(r, "ABCDEF"))
			seen_other = 1;
	}
	assert_true(seen_other);
	assert_string_equal(ev_nodes("count(randomize(instance('letters')/root/item[name = 'Z']))"),
			    "0");
}

static void test_randomize_errors(void **state)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;

	assert_int_equal(expr_compile("randomize()", &scope, &e, &err), -1);
	error_clear(&err);
	assert_int_equal(expr_compile("randomize(instance('letters')/root/item, 1, 2)", &scope, &e,
				      &err),
			 -1);
	error_clear(&err);
	assert_int_equal(
		expr_compile("randomize(instance('letters')/root/item, 'a')", &scope, &e, &err), 0);
	assert_int_equal(expr_eval(e, &host, 0, scratch, &v, &err), -1);
	assert_non_null(strstr(error_msg(&err, LANG_EN), "seed"));
	expr_free(e);
	error_clear(&err);
	assert_int_equal(expr_compile("randomize('abc')", &scope, &e, &err), 0);
	assert_int_equal(expr_eval(e, &host, 0, scratch, &v, &err), -1);
	assert_non_null(strstr(error_msg(&err, LANG_EN), "node-set"));
	expr_free(e);
	error_clear(&err);
}

static void test_pulldata(void **state)
{
	struct expr *e = NULL;
	struct error err = ERROR_INIT;

	assert_string_equal(ev_nodes("pulldata('villages', 'label', 'name', 'v3')"), "南村");
	assert_string_equal(ev_nodes("pulldata('villages', 'county', 'name', 'v2')"), "c1");
	/* the first match, as instance(...)/root/item[county = 'c2']/name */
	assert_string_equal(ev_nodes("pulldata('villages', 'name', 'county', 'c2')"), "v3");
	assert_string_equal(ev_nodes("pulldata('villages', 'label', 'name', 'nowhere')"), "");
	assert_string_equal(ev_nodes("pulldata('villages', 'nosuchcol', 'name', 'v1')"), "");
	/* a computed list name is looked up when evaluated */
	assert_string_equal(ev_nodes("pulldata(concat('vill', 'ages'), 'label', 'name', 'v1')"),
			    "东村");
	assert_string_equal(ev_nodes("pulldata(concat('no', 'list'), 'label', 'name', 'v1')"), "");
	/* the same as the instance() path it abbreviates */
	assert_string_equal(ev_nodes("instance('villages')/root/item[name = 'v4']/label"), "北村");
	/* a literal list name is checked when compiled, at its column */
	assert_int_equal(expr_compile("1 + pulldata('vilages', 'label', 'name', 'v1')", &scope, &e,
				      &err),
			 -1);
	assert_string_equal(error_msg(&err, LANG_EN),
			    "unknown choice list or attached file 'vilages'");
	assert_int_equal(err.code, 14);
	error_clear(&err);
}

static void test_itext_version(void **state)
{
	assert_string_equal(ev_nodes("jr:itext('q1:label')"), "第一题");
	assert_string_equal(ev_nodes("jr:itext('/data/q1:hint')"), "提示");
	assert_string_equal(ev_nodes("jr:itext('nothing:label')"), "");
	assert_string_equal(ev_nodes("version()"), "2024091201");
	version_null = 1;
	assert_string_equal(ev_nodes("version()"), "");
	version_null = 0;
	assert_string_equal(ev_nodes("enclosed-area('0 0; 0 1; 1 1; 0 0') = area('0 0; 0 1; 1 1; 0 0')"),
			    "true");
}

static int setup(void **state)
{
	scratch = expr_scratch_new();
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
		cmocka_unit_test(test_randomize_seeded),
		cmocka_unit_test(test_randomize_unseeded),
		cmocka_unit_test(test_randomize_errors),
		cmocka_unit_test(test_pulldata),
		cmocka_unit_test(test_itext_version),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
