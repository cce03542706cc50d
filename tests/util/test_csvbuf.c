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
#include "ruhu/csvread.h"

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

static int on_record(void *ud, struct csvread_record *rec, struct error *err)
{
	struct seen *v = ud;

	(void)err;
	if (rec->n == 2) {
		v->len = rec->lens[1];
		v->ok = rec->cells[1][0] == 'x' && rec->cells[1][rec->lens[1] - 1] == 'x';
	}
	v->fields += (int)rec->n;
	return 0;
}

/* csvread (samples, answers files) uses csvbuf too: an 8 MiB cell is read
 * exactly and in linear time. With libcsv's 128-byte steps the copies summed
 * to ~260 GB under AddressSanitizer (the test timed out there). */
static void test_csvread_long_cell(void **state)
{
	size_t n = 8u << 20, len;
	char *data = malloc(n + 16);
	struct csvread_opts o = {"long.csv", 0};
	struct error err = ERROR_INIT;
	struct seen v = {0, 0, 0};

	(void)state;
	assert_non_null(data);
	memcpy(data, "a,b\n1,\"", 7);
	memset(data + 7, 'x', n);
	memcpy(data + 7 + n, "\"\n", 2);
	len = n + 9;
	assert_int_equal(csvread_buffer(&o, data, len, on_record, &v, &err), 0);
	assert_int_equal(v.fields, 4);
	assert_int_equal(v.len, n);
	assert_true(v.ok);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_long_cell),
		cmocka_unit_test(test_csvread_long_cell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
