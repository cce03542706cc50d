/*
 * bench_attach — a form with an attached village list of 5,000 and 50,000
 * rows (generated in memory: name, label, county; 50 counties): the time to
 * load the form with its file, and the time one choice_filter by county takes
 * over the whole list through the interview engine (what each screen redraw
 * of the village question costs), and answering the village when a
 * calculation pulls its population with pulldata() (a scan of the list).
 * Prints best and median of repeated runs.
 */
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 31

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("%-44s best %8.3f ms  median %8.3f ms\n", what, t[0], t[n / 2]);
}

static int run(size_t rows)
{
	struct strbuf csv = STRBUF_INIT, form = STRBUF_INIT, what = STRBUF_INIT;
	struct form_attachment a;
	struct form_files files = {NULL, &a, 1};
	double load[REPS], filt[REPS], pull[REPS];
	struct error err = ERROR_INIT;
	struct interview *iv = NULL;
	struct form *f = NULL;
	size_t *ch = NULL, n = 0, i;
	int k, rc = -1;

	strbuf_addstr(&csv, "name,label::中文 (zh),county,pop\n");
	for (i = 0; i < rows; i++)
		strbuf_addf(&csv, "v%zu,第%zu村,c%zu,%zu\n", i, i, i % 50, i * 7 % 1000);
	strbuf_addstr(&form, "survey,type,name,label::中文 (zh),choice_filter,calculation\n"
			     ",select_one counties,county,县,,\n"
			     ",select_one_from_file villages.csv,village,村,county = ${county},\n"
			     ",calculate,pop,,,\"pulldata('villages', 'pop', 'name', ${village})\"\n"
			     "choices,list_name,name,label::中文 (zh)\n");
	for (k = 0; k < 50; k++)
		strbuf_addf(&form, ",counties,c%d,%d县\n", k, k);
	a.name = "villages.csv";
	a.data = csv.buf;
	a.len = csv.len;
	for (k = 0; k < REPS; k++) {
		struct diag_list dl = DIAG_LIST_INIT;
		double t0 = now_ms();

		form_free(f);
		f = NULL;
		if (form_load_buffer_files("bench.csv", form.buf, form.len, FORM_SYNTAX_CSV, &files,
					   &f, &dl) < 0) {
			fprintf(stderr, "bench_attach: the form does not load\n");
			diag_list_free(&dl);
			goto done;
		}
		load[k] = now_ms() - t0;
		diag_list_free(&dl);
	}
	if (interview_new(f, NULL, &iv, &err) < 0 || interview_set(iv, "county", "c7", &err) < 0) {
		fprintf(stderr, "bench_attach: %s\n", error_msg(&err, LANG_EN));
		goto done;
	}
	for (k = 0; k < REPS; k++) {
		double t0 = now_ms();

		free(ch);
		ch = NULL;
		if (interview_choices(iv, "village", &ch, &n) < 0)
			goto done;
		filt[k] = now_ms() - t0;
	}
	for (k = 0; k < REPS; k++) {
		/* the last villages of county c7, alternately: pulldata() scans
		 * nearly the whole list each time */
		char name[32];
		double t0;

		snprintf(name, sizeof(name), "v%zu", rows - 50 + 7 - (size_t)(k % 2) * 50);
		t0 = now_ms();
		if (interview_set(iv, "village", name, &err) < 0) {
			fprintf(stderr, "bench_attach: %s\n", error_msg(&err, LANG_EN));
			goto done;
		}
		pull[k] = now_ms() - t0;
	}
	strbuf_addf(&what, "load form + %zu-row villages.csv", rows);
	report(what.buf, load, REPS);
	strbuf_reset(&what);
	strbuf_addf(&what, "choice_filter by county (%zu of %zu)", n, rows);
	report(what.buf, filt, REPS);
	strbuf_reset(&what);
	strbuf_addf(&what, "answer village, pulldata() over %zu rows", rows);
	report(what.buf, pull, REPS);
	rc = 0;
done:
	free(ch);
	error_clear(&err);
	interview_free(iv);
	form_free(f);
	strbuf_release(&csv);
	strbuf_release(&form);
	strbuf_release(&what);
	return rc;
}

int main(void)
{
	return run(5000) < 0 || run(50000) < 0;
}
