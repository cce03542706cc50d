/*
 * test_wrap — display widths and line wrapping of the UI (src/ui/wrap.c):
 * ASCII words, CJK, mixed text, hard breaks, long words, invalid UTF-8, and
 * the invariant that no line is wider than asked and no character is split.
 */
#include "wrap.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_widths(void **state)
{
	assert_int_equal(wrap_strwidth("abc"), 3);
	assert_int_equal(wrap_strwidth("户主"), 4);
	assert_int_equal(wrap_strwidth("a户b"), 4);
	assert_int_equal(wrap_strwidth(""), 0);
	assert_int_equal(wrap_strwidth(NULL), 0);
	/* invalid bytes and control characters take one column each */
	assert_int_equal(wrap_strwidth("\xff\x01"), 2);
	/* a combining acute accent adds nothing */
	assert_int_equal(wrap_strwidth("e\xcc\x81"), 1);
	/* a truncated sequence is one invalid byte per byte */
	assert_int_equal(wrap_width("\xe6\x88", 2), 2);
}

static void test_fit(void **state)
{
	int used;

	assert_int_equal(wrap_fit("户主姓名", 5, &used), 6);
	assert_int_equal(used, 4);
	assert_int_equal(wrap_fit("abc", 10, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(wrap_fit("户", 1, &used), 0);
	assert_int_equal(used, 0);
}

struct wcase {
	const char *in;
	int width;
	const char *want; /* lines joined with '|' */
};

static const struct wcase cases[] = {
	{"", 10, ""},
	{"hello world", 20, "hello world"},
	{"hello world", 5, "hello|world"},
	{"hello world", 7, "hello|world"},
	{"hello  big world", 9, "hello|big world"},
	{"abcdefghij", 4, "abcd|efgh|ij"},
	{"the household head", 10, "the|household|head"},
	{"你好世界", 5, "你好|世界"},
	{"你好世界", 4, "你好|世界"},
	{"你好世界", 3, "你|好|世|界"},
	{"户主的姓名是什么", 6, "户主的|姓名是|什么"},
	{"你好。", 4, "你|好。"},
	{"家庭人口：3人", 8, "家庭人|口：3人"},
	{"年龄 age", 6, "年龄|age"},
	{"age年龄", 4, "age|年龄"},
	{"abc户", 4, "abc|户"},
	{"line one\nline two", 20, "line one|line two"},
	{"a\n\nb", 5, "a||b"},
	{"户", 1, "户"},
	{"ab户", 1, "a|b|户"},
	{"trailing   ", 8, "trailing"},
	{"  indented text", 20, "  indented text"},
};

static void join(const char *s, const struct wrap_lines *wl, char *buf, size_t cap)
{
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < wl->n; i++) {
		if (i)
			o += (size_t)snprintf(buf + o, cap - o, "|");
		o += (size_t)snprintf(buf + o, cap - o, "%.*s", (int)wl->v[i].len, s + wl->v[i].off);
	}
}

static void test_table(void **state)
{
	struct wrap_lines wl = WRAP_LINES_INIT;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wrap_text(cases[i].in, cases[i].width, &wl);
		join(cases[i].in, &wl, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want))
			fail_msg("case %zu '%s' width %d: got '%s', want '%s'", i, cases[i].in,
				 cases[i].width, buf, cases[i].want);
	}
	wrap_lines_free(&wl);
}

/* For every width from 1 to 40: no line wider than the width (except a lone
 * double-width character at width 1), every line starts and ends on a
 * character boundary, the lines cover the text in order, and only spaces and
 * newlines are dropped between them. */
static void test_invariants(void **state)
{
	static const char *texts[] = {
		"过去12个月，您家是否有家庭成员因病、因学、因灾等原因产生大额支出？"
		" Did anyone in the household have a large expense in the past 12 months "
		"(illness, schooling, disaster)?",
		"请记录户主姓名 Please write the name of the household head 张三丰",
		"supercalifragilisticexpialidocious 字",
		"a\tb\nc  d\xff\xfe e",
	};
	struct wrap_lines wl = WRAP_LINES_INIT;
	size_t t, i;
	int width;

	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		const char *s = texts[t];
		for (width = 1; width <= 40; width++) {
			size_t pos = 0;
			wrap_text(s, width, &wl);
			for (i = 0; i < wl.n; i++) {
				const struct wrap_line *l = &wl.v[i];
				long cp;
				assert_true(l->off >= pos);
				while (pos < l->off) {
					/* only separators are dropped */
					assert_true(s[pos] == ' ' || s[pos] == '\n' ||
						    s[pos] == '\t');
					pos++;
				}
				assert_int_equal(l->width, wrap_width(s + l->off, l->len));
				if (l->width > width) {
					assert_int_equal(width, 1);
					assert_int_equal(l->width, 2);
				}
				if (l->len) {
					/* starts on a character boundary */
					assert_true(((unsigned char)s[l->off] & 0xc0) != 0x80);
					wrap_decode(s + l->off, l->len, &cp);
				}
				/* ends on a character boundary */
				if (l->off + l->len < strlen(s))
					assert_true(((unsigned char)s[l->off + l->len] & 0xc0) !=
						    0x80);
				pos = l->off + l->len;
			}
			while (s[pos]) {
				assert_true(s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\t');
				pos++;
			}
		}
	}
	wrap_lines_free(&wl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_invariants),
	};

	if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "C.utf8")) {
		fprintf(stderr, "no C.UTF-8 locale: skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
