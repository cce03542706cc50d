/*
 * Unit tests of infile: every kind of input refuses a directory, a FIFO (at
 * once, without waiting for a writer) and /dev/zero, and a file past its cap
 * before reading it (a sparse file: nothing is written to disk); the messages
 * name the file and the kind, in both languages. The answers file alone may
 * be a pipe, and then its cap holds while reading (infile_check_read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/infile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	enum infile_kind kind;
	unsigned max;
	const char *dir_en, *dir_zh, *big_en;
} kinds[] = {
	{INFILE_FORM, 32u << 20, "is a directory, not a form file", "是目录，不是问卷文件",
	 "form file too large (%llu bytes, at most 33554432)"},
	{INFILE_SAMPLE, 256u << 20, "is a directory, not a sample file", "是目录，不是样本文件",
	 "sample file too large (%llu bytes, at most 268435456)"},
	{INFILE_ANSWERS, 256u << 20, "is a directory, not an answers file",
	 "是目录，不是答案文件", "answers file too large (%llu bytes, at most 268435456)"},
	{INFILE_BUNDLE, 1u << 30, "is a directory, not a bundle", "是目录，不是数据包",
	 "bundle too large (%llu bytes, at most 1073741824)"},
};

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ruhu-infile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void test_regular(void **state)
{
	char p[128];
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;
	FILE *fp;

	(void)state;
	path_of(p, sizeof(p), "ok.csv");
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("a,b\n1,2\n", fp);
	assert_int_equal(fclose(fp), 0);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		unsigned long long size = 0;

		assert_int_equal(infile_max(kinds[k].kind), kinds[k].max);
		assert_int_equal(infile_open(p, kinds[k].kind, &fp, &size, &err), 0);
		assert_int_equal(size, 8);
		fclose(fp);
		strbuf_reset(&sb);
		assert_int_equal(infile_read_all(p, kinds[k].kind, &sb, &err), 0);
		assert_int_equal(sb.len, 8);
		assert_memory_equal(sb.buf, "a,b\n1,2\n", 8);
	}
	strbuf_release(&sb);
	assert_false(error_isset(&err));
}

static void test_directory(void **state)
{
	struct error err = ERROR_INIT;
	FILE *fp = (FILE *)1;

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		assert_int_equal(infile_open(dir, kinds[k].kind, &fp, NULL, &err), -1);
		assert_null(fp);
		assert_string_equal(err.where, dir);
		assert_string_equal(error_msg(&err, LANG_EN), kinds[k].dir_en);
		assert_string_equal(error_msg(&err, LANG_ZH), kinds[k].dir_zh);
		error_clear(&err);
	}
}

static void test_fifo(void **state)
{
	struct error err = ERROR_INIT;
	char p[128];
	FILE *fp;

	(void)state;
	path_of(p, sizeof(p), "pipe.gz");
	assert_int_equal(mkfifo(p, 0600), 0);
	/* no writer: a blocking open would hang this test */
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (kinds[k].kind == INFILE_ANSWERS)
			continue;
		assert_int_equal(infile_open(p, kinds[k].kind, &fp, NULL, &err), -1);
		assert_string_equal(err.where, p);
		assert_string_equal(error_msg(&err, LANG_EN), "is a FIFO (pipe), not a regular file");
		assert_string_equal(error_msg(&err, LANG_ZH), "是 FIFO（管道），不是普通文件");
		error_clear(&err);
	}
}

static void test_dev_zero(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;
	FILE *fp;

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (kinds[k].kind == INFILE_ANSWERS)
			continue;
		assert_int_equal(infile_open("/dev/zero", kinds[k].kind, &fp, NULL, &err), -1);
		assert_string_equal(err.where, "/dev/zero");
		assert_string_equal(error_msg(&err, LANG_EN),
				    "is a device or special file, not a regular file");
		error_clear(&err);
		assert_int_equal(infile_read_all("/dev/zero", kinds[k].kind, &sb, &err), -1);
		assert_int_equal(sb.len, 0);
		error_clear(&err);
	}
	/* the answers file may be a pipe (or /dev/zero): then the cap holds
	 * while reading (infile_check_read, below; reading 256 MiB here would
	 * cost the shared test machine too much) */
	assert_int_equal(infile_open("/dev/zero", INFILE_ANSWERS, &fp, NULL, &err), 0);
	fclose(fp);
	strbuf_release(&sb);
}

static void test_too_large(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;
	char p[128], want[128];
	FILE *fp;

	(void)state;
	path_of(p, sizeof(p), "big");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		unsigned long long n = (unsigned long long)kinds[k].max + 1;
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, (off_t)kinds[k].max), 0); /* sparse */
		close(fd);
		/* exactly the cap is accepted */
		assert_int_equal(infile_open(p, kinds[k].kind, &fp, NULL, &err), 0);
		fclose(fp);
		assert_int_equal(truncate(p, (off_t)n), 0);
		assert_int_equal(infile_open(p, kinds[k].kind, &fp, NULL, &err), -1);
		assert_string_equal(err.where, p);
		snprintf(want, sizeof(want), kinds[k].big_en, n);
		assert_string_equal(error_msg(&err, LANG_EN), want);
		error_clear(&err);
		/* refused before a byte is read */
		assert_int_equal(infile_read_all(p, kinds[k].kind, &sb, &err), -1);
		assert_int_equal(sb.len, 0);
		error_clear(&err);
	}
	assert_int_equal(infile_check_read("f", INFILE_FORM, 32u << 20, &err), 0);
	assert_int_equal(infile_check_read("f", INFILE_FORM, (32u << 20) + 1, &err), -1);
	assert_string_equal(error_msg(&err, LANG_EN), "form file too large (more than 33554432 bytes)");
	assert_string_equal(error_msg(&err, LANG_ZH), "问卷文件太大（超过 33554432 字节）");
	error_clear(&err);
	unlink(p);
	strbuf_release(&sb);
}

static void test_missing(void **state)
{
	struct error err = ERROR_INIT;
	FILE *fp;

	(void)state;
	assert_int_equal(infile_open("/nonexistent/x.csv", INFILE_FORM, &fp, NULL, &err), -1);
	assert_string_equal(err.where, "/nonexistent/x.csv");
	assert_string_equal(error_msg(&err, LANG_EN), "cannot open: No such file or directory");
	error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),	  cmocka_unit_test(test_directory),
		cmocka_unit_test(test_fifo),	  cmocka_unit_test(test_dev_zero),
		cmocka_unit_test(test_too_large), cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
