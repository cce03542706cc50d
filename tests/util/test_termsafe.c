/*
 * Unit tests of termsafe (issue 11, D9): every class of unsafe character is
 * escaped exactly as documented, safe text passes unchanged, and whatever the
 * input bytes the output is valid UTF-8 holding nothing a terminal obeys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in;
	unsigned flags;
	const char *out;
} cases[] = {
	{"", 0, ""},
	{"张三丰 household 3/4 'q' \\x", 0, "张三丰 household 3/4 'q' \\x"},
	/* the attacks: window title and clear screen */
	{"village\033]0;owned\007", 0, "village\\x1b]0;owned\\x07"},
	{"\033[2J\033[H", 0, "\\x1b[2J\\x1b[H"},
	{"a\nb\rc\td", 0, "a\\nb\\rc\\td"},
	{"a\nb\rc\td", TERMSAFE_LINES, "a\nb\\rc\td"},
	{"\001\037\177", 0, "\\x01\\x1f\\x7f"},
	/* C1 controls as UTF-8: CSI (U+009B) and NEL (U+0085); U+00A0 is safe */
	{"\xc2\x9b" "2J\xc2\x85\xc2\xa0", 0, "\\u009b2J\\u0085\xc2\xa0"},
	/* bidirectional override and isolates */
	{"abc\xe2\x80\xae" "fed\xe2\x81\xa6", 0, "abc\\u202efed\\u2066"},
	/* invalid UTF-8: stray continuation, overlong '/', surrogate, truncated */
	{"\x80", 0, "\\x80"},
	{"\xc0\xaf", 0, "\\xc0\\xaf"},
	{"\xed\xa0\x80", 0, "\\xed\\xa0\\x80"},
	{"ok\xe5\xbc", 0, "ok\\xe5\\xbc"},
	{"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"},
	{"\xff\xfe" "a", 0, "\\xff\\xfea"},
	/* four-byte characters pass */
	{"\xf0\xa0\x80\x80", 0, "\xf0\xa0\x80\x80"},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		size_t n = strlen(cases[i].in);

		termsafe_add(&sb, cases[i].in, n, cases[i].flags);
		if (strcmp(sb.buf, cases[i].out))
			fprintf(stderr, "case %zu: got '%s'\n", i, sb.buf);
		assert_string_equal(sb.buf, cases[i].out);
		assert_int_equal(termsafe_needed(cases[i].in, n, cases[i].flags),
				 strcmp(cases[i].in, cases[i].out) != 0);
		strbuf_release(&sb);
	}
}

static void test_str(void **state)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *safe = "县/乡/村 ok";

	(void)state;
	assert_ptr_equal(termsafe_str(safe, &tmp, 0), safe); /* no copy when safe */
	assert_string_equal(termsafe_str(NULL, &tmp, 0), "");
	assert_string_equal(termsafe_str("a\033b", &tmp, 0), "a\\x1bb");
	assert_string_equal(termsafe_str("c\007", &tmp, 0), "c\\x07"); /* tmp is reset */
	strbuf_release(&tmp);
}

/* An embedded NUL (n counts it) is escaped, not a terminator. */
static void test_nul(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	termsafe_add(&sb, "a\0b", 3, 0);
	assert_string_equal(sb.buf, "a\\x00b");
	strbuf_release(&sb);
}

/* Random bytes, weighted towards the dangerous ones: the output decodes as
 * valid UTF-8 with no unsafe code point, and escaping it again changes
 * nothing (it is already safe). */
static void test_random(void **state)
{
	static const unsigned char pick[] = {0x1b, 0x07, 0x0a, 0x0d, 0x7f, 0xc2, 0x9b, 0x85,
					     0xe2, 0x80, 0xae, 0xed, 0xa0, 0xf4, 0x90, 0xff,
					     'a', '[', 0xe5, 0xbc, 0xa0};
	uint32_t seed = 12345;
	unsigned char buf[64];
	int round;
	size_t i;

	(void)state;
	for (round = 0; round < 20000; round++) {
		struct strbuf sb = STRBUF_INIT;
		size_t n;
		long cp;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof(buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (seed >> 24) & 1 ? pick[(seed >> 16) % sizeof(pick)]
						  : (unsigned char)(seed >> 8);
		}
		termsafe_add(&sb, (const char *)buf, n, round & 1 ? TERMSAFE_LINES : 0);
		for (i = 0; i < sb.len;) {
			i += (size_t)termsafe_decode(sb.buf + i, sb.len - i, &cp);
			assert_true(cp >= 0);
			if (round & 1 && (cp == '\n' || cp == '\t'))
				continue;
			assert_false(termsafe_cp_unsafe(cp));
		}
		assert_false(termsafe_needed(sb.buf, sb.len, round & 1 ? TERMSAFE_LINES : 0));
		strbuf_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
