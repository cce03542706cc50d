/* Unit tests of utf8: one table of byte strings, each with the offset of its
 * first invalid byte and what decoding yields, checked through every
 * function of the module so that validation and decoding agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/utf8.h"

#include <string.h>

struct utf8_case {
	const char *what;
	const char *s;
	size_t len;
	long bad;          /* utf8_invalid_at */
	size_t units;      /* utf8_length */
	uint32_t first;    /* utf8_decode of the first unit */
	size_t first_len;  /* bytes that decode consumed */
};

#define S(lit) lit, sizeof(lit) - 1

static const struct utf8_case cases[] = {
	{"empty", S(""), -1, 0, 0, 0},
	{"ascii", S("abc"), -1, 3, 'a', 1},
	{"NUL is a code point", "a\0b", 3, -1, 3, 'a', 1},
	{"two bytes", S("\xC3\xA9"), -1, 1, 0xE9, 2},
	{"CJK", S("张三丰"), -1, 3, 0x5F20, 3},
	{"four bytes", S("\xF0\x9F\x98\x80"), -1, 1, 0x1F600, 4},
	{"U+10FFFF is the last", S("\xF4\x8F\xBF\xBF"), -1, 1, 0x10FFFF, 4},
	{"U+FFFF", S("\xEF\xBF\xBF"), -1, 1, 0xFFFF, 3},
	{"U+D7FF before surrogates", S("\xED\x9F\xBF"), -1, 1, 0xD7FF, 3},
	{"U+E000 after surrogates", S("\xEE\x80\x80"), -1, 1, 0xE000, 3},
	/* overlongs */
	{"overlong NUL C0 80", S("\xC0\x80"), 0, 2, UTF8_BAD(0xC0), 1},
	{"overlong C1 BF", S("\xC1\xBF"), 0, 2, UTF8_BAD(0xC1), 1},
	{"overlong E0 80 80", S("\xE0\x80\x80"), 0, 3, UTF8_BAD(0xE0), 1},
	{"overlong E0 9F BF", S("\xE0\x9F\xBF"), 0, 3, UTF8_BAD(0xE0), 1},
	{"overlong F0 80 80 80", S("\xF0\x80\x80\x80"), 0, 4, UTF8_BAD(0xF0), 1},
	{"overlong F0 8F BF BF", S("\xF0\x8F\xBF\xBF"), 0, 4, UTF8_BAD(0xF0), 1},
	/* surrogates */
	{"surrogate U+D800", S("\xED\xA0\x80"), 0, 3, UTF8_BAD(0xED), 1},
	{"surrogate U+DFFF", S("\xED\xBF\xBF"), 0, 3, UTF8_BAD(0xED), 1},
	{"surrogate after text", S("ab\xED\xB0\x80"), 2, 5, 'a', 1},
	/* beyond U+10FFFF */
	{"U+110000", S("\xF4\x90\x80\x80"), 0, 4, UTF8_BAD(0xF4), 1},
	{"F5 lead", S("\xF5\x80\x80\x80"), 0, 4, UTF8_BAD(0xF5), 1},
	{"FF byte", S("\xFF"), 0, 1, UTF8_BAD(0xFF), 1},
	/* truncated sequences */
	{"truncated 2 of 3", S("\xE5\xBC"), 0, 2, UTF8_BAD(0xE5), 1},
	{"truncated 1 of 2", S("x\xC3"), 1, 2, 'x', 1},
	{"truncated 3 of 4", S("\xF0\x9F\x98"), 0, 3, UTF8_BAD(0xF0), 1},
	{"truncated then ASCII", S("\xE5\xBC" "a"), 0, 3, UTF8_BAD(0xE5), 1},
	/* stray continuation bytes */
	{"lone continuation", S("\x80"), 0, 1, UTF8_BAD(0x80), 1},
	{"continuation after CJK", S("张\xBF"), 3, 2, 0x5F20, 3},
	{"UTF-16LE text", "a\0\xFF\xFE", 4, 2, 4, 'a', 1},
};

static void test_utf8_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct utf8_case *c = &cases[i];
		const char *p = c->s;

		print_message("%s\n", c->what);
		assert_int_equal(utf8_invalid_at(c->s, c->len), c->bad);
		assert_int_equal(utf8_valid(c->s, c->len), c->bad < 0);
		assert_int_equal(utf8_length(c->s, c->len), c->units);
		assert_int_equal(utf8_offset(c->s, c->len, c->units), c->len);
		assert_int_equal(utf8_offset(c->s, c->len, c->units + 5), c->len);
		if (c->len) {
			assert_int_equal(utf8_decode(&p, c->s + c->len), c->first);
			assert_int_equal((size_t)(p - c->s), c->first_len);
		}
	}
}

/* Decoding a valid string unit by unit and encoding every code point gives
 * the same bytes back. */
static void test_utf8_round_trip(void **state)
{
	static const char text[] = "户主 Hu-zhu é \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
	const char *p = text, *end = text + sizeof(text) - 1;
	char out[sizeof(text)];
	size_t o = 0;

	while (p < end) {
		uint32_t c = utf8_decode(&p, end);

		assert_true(o + UTF8_MAX <= sizeof(out));
		o += utf8_encode(c, out + o);
	}
	assert_int_equal(o, sizeof(text) - 1);
	assert_memory_equal(out, text, o);
}

static void test_utf8_encode_refuses_non_scalars(void **state)
{
	char out[UTF8_MAX];

	assert_int_equal(utf8_encode(0xD800, out), 0);
	assert_int_equal(utf8_encode(0xDFFF, out), 0);
	assert_int_equal(utf8_encode(0x110000, out), 0);
	assert_int_equal(utf8_encode(0x7F, out), 1);
	assert_int_equal(utf8_encode(0x80, out), 2);
	assert_int_equal(utf8_encode(0x800, out), 3);
	assert_int_equal(utf8_encode(0x10000, out), 4);
}

static void test_utf8_offset_counts_units(void **state)
{
	static const char s[] = "a张\xFF" "b";

	assert_int_equal(utf8_offset(s, sizeof(s) - 1, 0), 0);
	assert_int_equal(utf8_offset(s, sizeof(s) - 1, 1), 1);
	assert_int_equal(utf8_offset(s, sizeof(s) - 1, 2), 4);
	assert_int_equal(utf8_offset(s, sizeof(s) - 1, 3), 5);
	assert_int_equal(utf8_length(s, sizeof(s) - 1), 4);
}

/* display columns: CJK and fullwidth forms take two, ASCII and Latin one,
 * an invalid byte one */
static void test_utf8_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("甘肃"), 4);
	assert_int_equal(utf8_width("A县１"), 5); /* ASCII, CJK, fullwidth digit */
	assert_int_equal(utf8_width("é"), 1);
	assert_int_equal(utf8_width("\xff中"), 3);
	assert_int_equal(utf8_width("한"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_table),
		cmocka_unit_test(test_utf8_round_trip),
		cmocka_unit_test(test_utf8_encode_refuses_non_scalars),
		cmocka_unit_test(test_utf8_offset_counts_units),
		cmocka_unit_test(test_utf8_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
