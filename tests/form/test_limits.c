/*
 * Regression tests for the form size limits (FORM_MAX_NODES, FORM_MAX_DEPTH,
 * FORM_MAX_BYTES, regular files only), the interview's IV_MAX_CELLS, and the
 * dependency graph's search on the largest form allowed (issue 11, D1, D12).
 *
 * The graph search must not recurse per node: it runs here on a chain of
 * FORM_MAX_NODES calculations inside a thread whose stack is far too small
 * for one C frame per node, so a recursive search crashes this test while
 * an iterative one passes. No timing is asserted anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Small enough that 20,000 nested C frames cannot fit, large enough for
 * sanitizer builds' own frames. */
#define SMALL_STACK (512u * 1024)

/* survey rows: c0 = ${c1}+1, ..., c(n-1) = 1 (or ${c0}+1 when `cycle`). */
static void chain_form(struct strbuf *sb, int n, int cycle)
{
	int i;

	strbuf_addstr(sb, "survey,type,name,label,calculation\n");
	for (i = 0; i < n - 1; i++)
		strbuf_addf(sb, ",calculate,c%d,,${c%d}+1\n", i, i + 1);
	if (cycle)
		strbuf_addf(sb, ",calculate,c%d,,${c0}+1\n", n - 1);
	else
		strbuf_addf(sb, ",calculate,c%d,,1\n", n - 1);
}

/* `levels` groups inside one another around one text question. */
static void nested_form(struct strbuf *sb, int levels)
{
	int i;

	strbuf_addstr(sb, "survey,type,name,label\n");
	for (i = 0; i < levels; i++)
		strbuf_addf(sb, ",begin group,g%d,G\n", i);
	strbuf_addstr(sb, ",text,t,T\n");
	for (i = 0; i < levels; i++)
		strbuf_addstr(sb, ",end group,,\n");
}

static struct form *load(const struct strbuf *sb, struct diag_list *dl)
{
	struct form *f = NULL;
	int rc = form_load_buffer("t.csv", sb->buf, sb->len, FORM_SYNTAX_CSV, &f, dl);

	assert_true((rc == 0) == (f != NULL));
	return f;
}

/* The only diagnostic is one error with this location and English text. */
static void assert_one_error(const struct diag_list *dl, const char *where, const char *en)
{
	if (dl->n != 1 || strcmp(dl->items[0].e.where, where) || strcmp(dl->items[0].e.en, en)) {
		size_t i;
		for (i = 0; i < dl->n; i++)
			fprintf(stderr, "  %s: %s\n", dl->items[i].e.where, dl->items[i].e.en);
	}
	assert_int_equal(dl->n, 1);
	assert_int_equal(dl->items[0].severity, DIAG_ERROR);
	assert_string_equal(dl->items[0].e.where, where);
	assert_string_equal(dl->items[0].e.en, en);
	assert_true(strlen(dl->items[0].e.zh) > 0);
}

struct check_job {
	const struct form *f;
	struct error err;
	int rc;
};

static void *check_thread(void *arg)
{
	struct check_job *j = arg;

	j->rc = interview_check_form(j->f, &j->err);
	return NULL;
}

/* interview_check_form on a small stack. */
static int check_small_stack(const struct form *f, struct error *err)
{
	struct check_job j = {f, ERROR_INIT, -2};
	pthread_attr_t attr;
	pthread_t t;

	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
	assert_int_equal(pthread_create(&t, &attr, check_thread, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
	error_move(err, &j.err);
	return j.rc;
}

static void test_longest_chain_on_small_stack(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct form *f;

	(void)state;
	chain_form(&sb, FORM_MAX_NODES, 0);
	f = load(&sb, &dl);
	assert_non_null(f);
	assert_int_equal(form_node_count(f), FORM_MAX_NODES);
	assert_int_equal(check_small_stack(f, &err), 0);
	assert_false(error_isset(&err));
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&sb);
}

static void test_longest_cycle_on_small_stack(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct form *f;
	char tail[64];

	(void)state;
	chain_form(&sb, FORM_MAX_NODES, 1);
	f = load(&sb, &dl);
	assert_non_null(f);
	assert_int_equal(check_small_stack(f, &err), -1);
	assert_int_equal(err.code, IV_E_CYCLE);
	/* the search starts from the last row: the cycle is reported where it
	 * closes, at c19999 (line 20001), and names every field of it */
	assert_string_equal(err.where, "t.csv:survey:20001");
	/* an edge goes from a field to the calculation that reads it */
	snprintf(tail, sizeof(tail), "dependency cycle between fields: 'c%d' -> 'c%d' -> ",
		 FORM_MAX_NODES - 1, FORM_MAX_NODES - 2);
	assert_non_null(strstr(err.en, tail));
	snprintf(tail, sizeof(tail), "'c1' -> 'c0' -> 'c%d'", FORM_MAX_NODES - 1);
	assert_non_null(strstr(err.en, tail));
	/* named by its two ends, not by 20,000 names */
	assert_non_null(strstr(err.en, "'c19992' -> … -> 'c7' -> "));
	assert_true(strlen(err.en) < 400);
	assert_int_equal(strlen(strstr(err.en, tail)), strlen(tail));
	error_clear(&err);
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&sb);
}

/* The case: 100,000 calculations were accepted (and crashed check). */
static void test_too_many_nodes(void **state)
{
	struct strbuf sb = STRBUF_INIT, where = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;

	(void)state;
	chain_form(&sb, 100000, 0);
	assert_null(load(&sb, &dl));
	/* header on line 1, node k on line k + 2 */
	strbuf_addf(&where, "t.csv:survey:%d", FORM_MAX_NODES + 2);
	assert_one_error(&dl, where.buf,
			 "form too large: at most 20000 questions, groups and repeats");
	diag_list_free(&dl);
	strbuf_reset(&sb);
	chain_form(&sb, FORM_MAX_NODES + 1, 0);
	assert_null(load(&sb, &dl));
	assert_one_error(&dl, where.buf,
			 "form too large: at most 20000 questions, groups and repeats");
	diag_list_free(&dl);
	strbuf_release(&where);
	strbuf_release(&sb);
}

static void test_nesting(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct form *f;

	(void)state;
	nested_form(&sb, FORM_MAX_DEPTH);
	f = load(&sb, &dl);
	assert_non_null(f);
	assert_int_equal(form_node(f, form_node_count(f) - 1)->depth, FORM_MAX_DEPTH);
	assert_int_equal(interview_check_form(f, &err), 0);
	form_free(f);
	diag_list_free(&dl);

	/* one level more, and the 100,000 levels: refused at the
	 * 33rd 'begin group' (line 34), with one error only */
	strbuf_reset(&sb);
	nested_form(&sb, FORM_MAX_DEPTH + 1);
	assert_null(load(&sb, &dl));
	assert_one_error(&dl, "t.csv:survey:34",
			 "'begin group' 'g32' nested too deeply: groups and repeats nest at most "
			 "32 levels");
	diag_list_free(&dl);
	strbuf_reset(&sb);
	nested_form(&sb, 100000);
	assert_null(load(&sb, &dl));
	assert_one_error(&dl, "t.csv:survey:34",
			 "'begin group' 'g32' nested too deeply: groups and repeats nest at most "
			 "32 levels");
	diag_list_free(&dl);
	strbuf_release(&sb);
}

static void test_too_many_bytes(void **state)
{
	size_t len = (size_t)FORM_MAX_BYTES + 1;
	char *big = malloc(len);
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', len);
	assert_int_equal(form_load_buffer("big.csv", big, len, FORM_SYNTAX_CSV, &f, &dl), -1);
	assert_null(f);
	assert_one_error(&dl, "big.csv", "form file too large (33554433 bytes, at most 33554432)");
	diag_list_free(&dl);
	free(big);
}

/* A FIFO with no writer and a device are refused at once, never read. */
static void test_not_regular(void **state)
{
	char dir[] = "/tmp/ruhu-limits-XXXXXX";
	struct strbuf fifo = STRBUF_INIT, zero = STRBUF_INIT, msg = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&fifo, "%s/fifo.csv", dir);
	strbuf_addf(&zero, "%s/zero.csv", dir);
	assert_int_equal(mkfifo(fifo.buf, 0600), 0);
	assert_int_equal(symlink("/dev/zero", zero.buf), 0);

	assert_int_equal(form_load(fifo.buf, &f, &dl), -1);
	assert_one_error(&dl, fifo.buf, "is a FIFO (pipe), not a regular file");
	diag_list_free(&dl);
	assert_int_equal(form_load(zero.buf, &f, &dl), -1);
	assert_one_error(&dl, zero.buf, "is a device or special file, not a regular file");
	diag_list_free(&dl);
	assert_int_equal(form_load(dir, &f, &dl), -1); /* no .csv: refused by name */
	diag_list_free(&dl);

	unlink(fifo.buf);
	unlink(zero.buf);
	rmdir(dir);
	strbuf_release(&fifo);
	strbuf_release(&zero);
	strbuf_release(&msg);
}

/* Nested rosters of 10,000 instances each (10^8 instances hung `fill`):
 * held back at IV_MAX_CELLS, and the interview cannot be completed. */
static void test_nested_repeat_counts(void **state)
{
	static const char src[] = "survey,type,name,label,repeat_count,calculation\n"
				  ",begin repeat,r1,R1,10000,\n"
				  ",begin repeat,r2,R2,10000,\n"
				  ",calculate,c,,,1\n"
				  ",end repeat,,,,\n"
				  ",end repeat,,,,\n";
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT, blockers = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct interview *iv = NULL;
	struct form *f;

	(void)state;
	strbuf_addstr(&sb, src);
	f = load(&sb, &dl);
	assert_non_null(f);
	assert_int_equal(interview_new(f, NULL, &iv, &err), 0);
	assert_int_equal(interview_complete(iv, &err), -1);
	assert_int_equal(err.code, IV_E_TOO_LARGE);
	assert_non_null(strstr(err.en, "repeat 'r2' has too many instances: one interview holds "
				       "at most 1000000 answer slots"));
	assert_true(interview_blockers(iv, &blockers) >= 1);
	assert_int_equal(blockers.items[0].e.code, IV_E_TOO_LARGE);
	error_clear(&err);
	interview_free(iv);
	diag_list_free(&blockers);
	diag_list_free(&dl);
	form_free(f);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_chain_on_small_stack),
		cmocka_unit_test(test_longest_cycle_on_small_stack),
		cmocka_unit_test(test_too_many_nodes),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_too_many_bytes),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_nested_repeat_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
