/*
 * bench_interview — time to take one answer (validate, recompute what depends
 * on it, check its constraint) on a generated 600-question form with a
 * 20-member roster, plus the cost of the first full computation and of one
 * navigation step. Prints median, p99 and max per kind of answer.
 *
 * The generated form (markdown workbook, built in memory):
 *  - n_members (integer) and 19 groups of 30 integer questions (570), each
 *    group relevant on the previous group's first answer, every question
 *    with a range constraint, and a calculation per question pair (285);
 *  - roster `members` with repeat_count ${n_members} = 20 and 30 questions
 *    (20 x 30 = 600 answers), later questions relevant on the first, a
 *    calculation per member;
 *  - aggregates outside the roster: sum() and count() over it.
 */
#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { GROUPS = 19, PER_GROUP = 30, ROSTER_Q = 30, MEMBERS = 20, ROUNDS = 2000 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void build_form(struct strbuf *md)
{
	int g, q, n = 0;

	strbuf_addstr(md, "| survey |\n| | type | name | label | relevant | constraint | "
			  "calculation | repeat_count |\n");
	strbuf_addstr(md, "| | integer | n_members | Members | | . >= 0 and . <= 20 | | |\n");
	for (g = 0; g < GROUPS; g++) {
		if (g == 0)
			strbuf_addf(md, "| | begin group | g%d | G | | | | |\n", g);
		else
			strbuf_addf(md, "| | begin group | g%d | G | ${q%d} != 99 | | | |\n", g,
				    (g - 1) * PER_GROUP);
		for (q = 0; q < PER_GROUP; q++, n++) {
			strbuf_addf(md, "| | integer | q%d | Q | | . >= 0 and . <= 100000 | | |\n", n);
			if (q % 2 == 1)
				strbuf_addf(md, "| | calculate | c%d | | | | ${q%d} + ${q%d} | |\n", n,
					    n - 1, n);
		}
		strbuf_addstr(md, "| | end group | | | | | | |\n");
	}
	strbuf_addstr(md, "| | begin repeat | members | M | | | | ${n_members} |\n");
	for (q = 0; q < ROSTER_Q; q++) {
		if (q == 0)
			strbuf_addstr(md, "| | integer | m0 | Age | | . >= 0 and . <= 120 | | |\n");
		else
			strbuf_addf(md, "| | integer | m%d | Q | ${m0} >= 6 | . >= 0 | | |\n", q);
	}
	strbuf_addstr(md, "| | calculate | m_calc | | | | ${m0} * 2 + ${m1} | |\n");
	strbuf_addstr(md, "| | end repeat | | | | | | |\n");
	strbuf_addstr(md, "| | calculate | total_age | | | | sum(${m0}) | |\n");
	strbuf_addstr(md, "| | calculate | n_adults | | | | count(${m0}[. >= 18]) | |\n");
	strbuf_addstr(md, "| | calculate | n_rows | | | | count(${members}) | |\n");
}

static void report(const char *what, double *t, int n, size_t evals)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("%-44s median %7.2f us  p99 %7.2f us  max %7.2f us  (%.1f evaluations/answer)\n",
	       what, t[n / 2], t[(n * 99) / 100], t[n - 1], (double)evals / n);
}

static int set(struct interview *iv, const char *path, const char *v)
{
	struct error err = ERROR_INIT;

	if (interview_set(iv, path, v, &err) < 0) {
		fprintf(stderr, "bench_interview: %s: %s\n", path, err.en);
		error_clear(&err);
		return -1;
	}
	return 0;
}

int main(void)
{
	struct strbuf md = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	struct interview *iv = NULL;
	struct form_stats st;
	double *t = calloc(ROUNDS, sizeof(double)), t0;
	char path[64], val[32];
	uint64_t e0;
	int i, ret = 1;
	size_t n, m;

	build_form(&md);
	if (form_load_buffer("bench.md", md.buf, md.len, FORM_SYNTAX_MD, &f, &dl) < 0) {
		fprintf(stderr, "bench_interview: generated form does not load (%zu errors): %s\n",
			dl.errors, dl.n ? dl.items[0].e.en : "");
		goto done;
	}
	form_stats(f, &st);
	t0 = now_us();
	if (interview_new(f, NULL, &iv, NULL) < 0)
		goto done;
	printf("form: %zu questions, %zu nodes; interview_new %.1f us\n", st.questions,
	       form_node_count(f), now_us() - t0);
	t0 = now_us();
	if (set(iv, "n_members", "20") < 0)
		goto done;
	printf("%-44s %7.2f us\n", "n_members=20 (creates 20 members)", now_us() - t0);
	for (i = 0; i < MEMBERS; i++) {
		snprintf(path, sizeof(path), "members[%d]/m0", i + 1);
		if (set(iv, path, "30") < 0)
			goto done;
	}

	/* a top-level answer with one calculation depending on it */
	e0 = interview_eval_count(iv);
	for (i = 0; i < ROUNDS; i++) {
		snprintf(val, sizeof(val), "%d", i);
		t0 = now_us();
		if (set(iv, "q301", val) < 0)
			goto done;
		t[i] = now_us() - t0;
	}
	report("answer q301 (1 calculation)", t, ROUNDS, interview_eval_count(iv) - e0);

	/* a group's first answer: the next group's relevance reads it */
	e0 = interview_eval_count(iv);
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_us();
		if (set(iv, "q300", i % 2 ? "99" : "1") < 0)
			goto done;
		t[i] = now_us() - t0;
	}
	report("answer q300 (flips a 30-question group)", t, ROUNDS, interview_eval_count(iv) - e0);

	/* a roster answer: 29 relevances in its member, sum/count outside */
	e0 = interview_eval_count(iv);
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_us();
		if (set(iv, "members[7]/m0", i % 2 ? "3" : "40") < 0)
			goto done;
		t[i] = now_us() - t0;
	}
	report("answer members[7]/m0 (relevance + aggregates)", t, ROUNDS,
	       interview_eval_count(iv) - e0);

	/* a roster answer nothing depends on */
	if (set(iv, "members[7]/m0", "40") < 0)
		goto done;
	e0 = interview_eval_count(iv);
	for (i = 0; i < ROUNDS; i++) {
		snprintf(val, sizeof(val), "%d", i);
		t0 = now_us();
		if (set(iv, "members[7]/m9", val) < 0)
			goto done;
		t[i] = now_us() - t0;
	}
	report("answer members[7]/m9 (no dependents)", t, ROUNDS, interview_eval_count(iv) - e0);

	/* navigation over the whole interview */
	for (i = 0; i < 200; i++) {
		t0 = now_us();
		if (interview_next(iv, NULL) < 0)
			interview_jump(iv, "q0", NULL);
		t[i] = now_us() - t0;
	}
	report("interview_next", t, 200, 0);
	interview_progress(iv, &n, &m);
	printf("relevant stops: %zu\n", m);
	ret = 0;
done:
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&md);
	free(t);
	return ret;
}
