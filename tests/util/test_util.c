/* Unit tests of strbuf, error and i18n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/error.h"
#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_strbuf_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	assert_string_equal(sb.buf, "");
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i % 10);
	assert_int_equal(sb.len, 2000);
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	strbuf_setlen(&sb, 3);
	assert_string_equal(sb.buf, "0,1");
	strbuf_addstr(&sb, "张三");
	assert_string_equal(sb.buf, "0,1张三");
	strbuf_release(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
}

static void test_strbuf_detach_empty(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s = strbuf_detach(&sb, &len);

	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
}

static void test_error_bilingual(void **state)
{
	struct error e = ERROR_INIT;

	assert_false(error_isset(&e));
	error_set(&e, "survey:14", "未知的选项列表 '%s'", "unknown choice list '%s'", "watr_src");
	assert_true(error_isset(&e));
	assert_string_equal(error_msg(&e, LANG_ZH), "未知的选项列表 'watr_src'");
	assert_string_equal(error_msg(&e, LANG_EN), "unknown choice list 'watr_src'");
	error_prefix(&e, "household.csv");
	assert_string_equal(e.where, "household.csv:survey:14");
	error_clear(&e);
	assert_false(error_isset(&e));
	assert_null(e.where);
}

static void test_error_positional(void **state)
{
	struct error e = ERROR_INIT;

	error_set(&e, NULL, "%2$s 的 %1$s", "%1$s of %2$s", "age", "member");
	assert_string_equal(error_msg(&e, LANG_ZH), "member 的 age");
	assert_string_equal(error_msg(&e, LANG_EN), "age of member");
	error_clear(&e);
}

static void test_diag_counts(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct error e = ERROR_INIT;

	diag_add(&dl, DIAG_ERROR, "f:survey:2", "错 %d", "bad %d", 1);
	diag_add(&dl, DIAG_WARNING, "f:survey:3", "警 %d", "warn %d", 2);
	error_set(&e, "f:choices:4", "空列表", "empty list");
	diag_add_error(&dl, DIAG_ERROR, &e);
	assert_int_equal(dl.n, 3);
	assert_int_equal(dl.errors, 2);
	assert_int_equal(dl.warnings, 1);
	assert_string_equal(dl.items[2].e.where, "f:choices:4");
	assert_string_equal(error_msg(&dl.items[2].e, LANG_ZH), "空列表");
	assert_string_equal(error_msg(&dl.items[1].e, LANG_EN), "warn 2");
	error_clear(&e);
	diag_list_free(&dl);
	assert_int_equal(dl.n, 0);
}

static void test_i18n_parse(void **state)
{
	enum lang l = LANG_EN;

	assert_int_equal(i18n_parse("zh_CN.UTF-8", &l), 0);
	assert_int_equal(l, LANG_ZH);
	assert_int_equal(i18n_parse("en", &l), 0);
	assert_int_equal(l, LANG_EN);
	assert_int_equal(i18n_parse("fr", &l), -1);
	i18n_set(LANG_ZH);
	assert_string_equal(T_("中", "en"), "中");
	i18n_set(LANG_EN);
	assert_string_equal(T_("中", "en"), "en");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows),
		cmocka_unit_test(test_strbuf_detach_empty),
		cmocka_unit_test(test_error_bilingual),
		cmocka_unit_test(test_error_positional),
		cmocka_unit_test(test_diag_counts),
		cmocka_unit_test(test_i18n_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
