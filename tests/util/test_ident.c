/*
 * Unit tests of ident (issue 11, D8): the one identifier rule, table-driven,
 * and the exact messages in both languages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/ident.h"

#include <string.h>

static const struct {
	const char *in;
	enum ident_fault f;
} cases[] = {
	{"dev1", IDENT_OK},
	{"0f0e5c1a-9a3b-4c6e-8d2f-2b7c9e1d4a55", IDENT_OK},
	{"张三", IDENT_OK},
	{"王 村 v1.2", IDENT_OK},
	{".hidden", IDENT_OK},
	{"a.b", IDENT_OK},
	{"", IDENT_EMPTY},
	{NULL, IDENT_EMPTY},
	{"x/../../ESCAPED", IDENT_SEPARATOR},
	{"../evil", IDENT_SEPARATOR},
	{"a/b", IDENT_SEPARATOR},
	{"a\\b", IDENT_SEPARATOR},
	{"..", IDENT_DOTDOT},
	{"a..b", IDENT_DOTDOT},
	{"a\nb", IDENT_CONTROL},
	{"a\033]0;x\007", IDENT_CONTROL},
	{"a\177", IDENT_CONTROL},
	{"a\xc2\x9b" "2J", IDENT_CONTROL}, /* C1 CSI */
	{"\xc0\xaf", IDENT_BAD_UTF8},      /* overlong '/' */
	{"ok\xe5\xbc", IDENT_BAD_UTF8},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ident_fault(cases[i].in) != cases[i].f)
			fail_msg("case %zu '%s': fault %d, expected %d", i,
				 cases[i].in ? cases[i].in : "(null)", ident_fault(cases[i].in),
				 cases[i].f);
		assert_int_equal(ident_check(cases[i].in, IDENT_DEVICE, NULL),
				 cases[i].f == IDENT_OK ? 0 : -1);
	}
}

static void test_length(void **state)
{
	char buf[IDENT_MAX + 2];

	(void)state;
	memset(buf, 'a', IDENT_MAX);
	buf[IDENT_MAX] = 0;
	assert_int_equal(ident_fault(buf), IDENT_OK);
	buf[IDENT_MAX] = 'a';
	buf[IDENT_MAX + 1] = 0;
	assert_int_equal(ident_fault(buf), IDENT_TOO_LONG);
}

static void test_messages(void **state)
{
	struct error e = ERROR_INIT;

	(void)state;
	assert_int_equal(ident_check("x/../../ESCAPED", IDENT_DEVICE, &e), -1);
	assert_null(e.where);
	assert_string_equal(error_msg(&e, LANG_EN),
			    "invalid device id 'x/../../ESCAPED': holds a path separator '/'");
	assert_string_equal(error_msg(&e, LANG_ZH),
			    "设备编号 'x/../../ESCAPED' 无效：含有路径分隔符 '/'");
	assert_int_equal(ident_check("..", IDENT_HOUSEHOLD, &e), -1);
	assert_string_equal(error_msg(&e, LANG_EN), "invalid household key '..': holds '..'");
	assert_string_equal(error_msg(&e, LANG_ZH), "户编号 '..' 无效：含有 '..'");
	assert_int_equal(ident_check("", IDENT_ENUMERATOR, &e), -1);
	assert_string_equal(error_msg(&e, LANG_EN), "empty enumerator id");
	assert_string_equal(error_msg(&e, LANG_ZH), "调查员编号为空");
	assert_int_equal(ident_check("a\tb", IDENT_FORM, &e), -1);
	assert_string_equal(error_msg(&e, LANG_EN), "invalid form id 'a\tb': holds a control character");
	assert_int_equal(ident_check("ok", IDENT_FORM, &e), 0);
	error_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
