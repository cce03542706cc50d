/*
 * test_answers — the answers file reader of `ruhu fill` (answers_parse over
 * csvread), table-driven: each input is either accepted with its rows as
 * "LINE field=value" lines, or refused with one exact "WHERE: message" (in
 * English, and the Chinese message checked to be there). Covers the defects
 * of issue 11 in this reader: an empty or header-only file (D6), NUL bytes
 * (D7), physical lines after blank lines, CR line ends and quoted line
 * breaks with the record number named where it differs (D11), UTF-16 (D14).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/answers.h"
#include "ruhu/csvread.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tcase {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want; /* rows, or "! where: message" */
};

#define S(x) x, sizeof(x) - 1

static const struct tcase cases[] = {
	/* D6: nothing to read is no error */
	{S(""), ""},
	{S("field,value\n"), ""},
	{S("field,value\r\n\r\n"), ""},
	{S("\xef\xbb\xbf" "field,value\n"), ""},
	/* the header only counts as the first record */
	{S("a,1\nfield,value\n"), "1 a=1\n2 field=value\n"},
	{S("field,value\nname,\"李, 正华\"\nage,42"), "2 name=李, 正华\n3 age=42\n"},
	/* D11: physical lines, whatever ends them */
	{S("field,value\n\n\nname,x\n   \nage,1\n"), "4 name=x\n6 age=1\n"},
	{S("field,value\rname,x\r\rage,1\r"), "2 name=x\n4 age=1\n"},
	{S("field,value\r\nname,x\r\n\r\nage,1\r\n"), "2 name=x\n4 age=1\n"},
	{S("name,\"two\nlines\"\nage,1\n"), "1 name=two\nlines\n3 age=1\n"},
	{S("\"na\nme\",x\nage,1\n"), "1 na\nme=x\n3 age=1\n"},
	{S("field,value\n\nname,\"a\r\n\r\nb\"\nage,1,2\n"),
	 "! F:6: expected two columns: field,value (record 3)\n"},
	{S("field,value\nname\n"), "! F:2: expected two columns: field,value\n"},
	{S("field,value\n\nname,\"x\n"), "! F:3: malformed CSV (unclosed quote) (record 2)\n"},
	{S("field,value\nname,x\"y\n"), "! F:2: malformed CSV (stray or unclosed quote)\n"},
	/* D7: a NUL byte refuses the file instead of cutting the value short */
	{S("field,value\nname,李正华\0HIDDEN\n"),
	 "! F:2: value holds a NUL byte (not a text file?)\n"},
	{S("field,value\nna\0me,x\n"), "! F:2: field holds a NUL byte (not a text file?)\n"},
	/* D14: UTF-16, with or without its byte order mark */
	{S("\xff\xfe" "f\0i\0e\0l\0d\0"), "! F: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)\n"},
	{S("\xfe\xff\0f\0i\0e\0l\0d"), "! F: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)\n"},
	{S("f\0i\0e\0l\0d\0,\0v\0"), "! F: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)\n"},
};

static void test_cases(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct answers *a = NULL;
		struct error err = ERROR_INIT;
		struct strbuf got = STRBUF_INIT;

		if (answers_parse("F", cases[i].in, cases[i].len, &a, &err) < 0) {
			assert_null(a);
			assert_non_null(err.zh);
			assert_true(strlen(err.zh) > 0);
			strbuf_addf(&got, "! %s: %s\n", err.where ? err.where : "", err.en);
		} else {
			for (j = 0; j < answers_count(a); j++)
				strbuf_addf(&got, "%zu %s=%s\n", answers_line(a, j),
					    answers_field(a, j), answers_value(a, j));
		}
		if (strcmp(got.buf ? got.buf : "", cases[i].want)) {
			print_error("case %zu: got\n%s\nwant\n%s\n", i, got.buf ? got.buf : "",
				    cases[i].want);
			fail();
		}
		strbuf_release(&got);
		error_clear(&err);
		answers_free(a);
	}
}

/* The record note is added in both languages, only when it differs. */
static void test_note(void **state)
{
	struct error e = ERROR_INIT;
	struct csvread_record same = {NULL, NULL, 0, 4, 4}, other = {NULL, NULL, 0, 7, 5};

	(void)state;
	error_set(&e, "F:4", "坏", "bad");
	csvread_note_record(&e, &same);
	assert_string_equal(e.en, "bad");
	csvread_note_record(&e, &other);
	assert_string_equal(e.en, "bad (record 5)");
	assert_string_equal(e.zh, "坏（第 5 条记录）");
	error_clear(&e);
	csvread_note_record(NULL, &other);
}

/* answers_load reads a file; an unreadable one is an error without a line. */
static void test_load(void **state)
{
	char path[] = "/tmp/ruhu-answers-XXXXXX";
	struct answers *a = NULL;
	struct error err = ERROR_INIT;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "wb");
	assert_non_null(fp);
	fputs("field,value\nname,x\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(answers_load(path, &a, &err), 0);
	assert_int_equal(answers_count(a), 1);
	answers_free(a);
	unlink(path);
	assert_int_equal(answers_load(path, &a, &err), -1);
	assert_null(a);
	assert_string_equal(err.where, path);
	assert_non_null(strstr(err.en, "cannot open: "));
	error_clear(&err);
	/* a directory is refused, naming it */
	assert_int_equal(answers_load("/tmp", &a, &err), -1);
	assert_string_equal(err.where, "/tmp");
	assert_string_equal(err.en, "is a directory, not an answers file");
	error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
