/*
 * Unit tests of csvbuf: libcsv's fixed-block requests cost one move per
 * doubling (counted, not timed), and a parser using it reads a long cell
 * exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/csvbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_doubling(void **state)
{
	void *p = NULL, *q;
	size_t n, moves = 0;

	(void)state;
	/* libcsv asks for 128 more bytes each time the buffer is full */
	for (n = 128; n <= 8u << 20; n += 128) {
		q = csvbuf_realloc(p, n);
		assert_non_null(q);
		if (q != p)
			moves++;
		((char *)q)[n - 1] = 'x'; /* the whole request is usable */
		p = q;
	}
	assert_true(moves <= 18); /* 64 B .. 8 MiB: one move per doubling */
	assert_null(csvbuf_realloc(p, SIZE_MAX));
	csvbuf_free(p);
	csvbuf_free(NULL);
}

struct seen {
	size_t len;
	int fields;
	int ok;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct seen *v = ud;
	size_t i;

	v->fields++;
	v->len = len;
	v->ok = 1;
	for (i = 0; i < len; i++)
		if (((const char *)s)[i] != 'x')
			v->ok = 0;
}

static void test_long_cell(void **state)
{
	size_t n = 3u << 20;
	char *data = malloc(n + 3);
	struct csv_parser p;
	struct seen v = {0, 0, 0};

	(void)state;
	assert_non_null(data);
	data[0] = '"';
	memset(data + 1, 'x', n);
	data[n + 1] = '"';
	data[n + 2] = '\n';
	assert_int_equal(csv_init(&p, CSV_STRICT), 0);
	csvbuf_install(&p);
	assert_int_equal(csv_parse(&p, data, n + 3, on_field, NULL, &v), n + 3);
	assert_int_equal(csv_fini(&p, on_field, NULL, &v), 0);
	csv_free(&p);
	assert_int_equal(v.fields, 1);
	assert_int_equal(v.len, n);
	assert_true(v.ok);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_long_cell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
