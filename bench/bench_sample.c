/*
 * bench_sample — `ruhu sample` at the size: the Chongqing 2021 plan
 * on a synthetic province of 33 districts, 2,000 villages and 600,000
 * households (tools/synth/synth_frame.c, written to a file first, untimed).
 * Timed, five runs each, wall and CPU seconds (median wall reported):
 *   read   the frame file and the plan (read, parse, check every row)
 *   draw   villages, households, phone list, weights, workload
 *   write  field.csv, phone.csv, workload.csv, summary.csv (fsync'd)
 *   total  what `ruhu sample` does end to end (goal: under 2 s)
 * Size: RUHU_BENCH_HOUSEHOLDS (default 600000). Files go to a folder under
 * the current directory (the build dir), removed at the end.
 */
#include "ruhu/sample_plan.h"
#include "synth_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define RUNS 5

int main(void)
{
	const char *src = getenv("RUHU_SOURCE"), *hs = getenv("RUHU_BENCH_HOUSEHOLDS");
	size_t households = hs ? strtoul(hs, NULL, 10) : 600000, i, nc = 0;
	char plan_path[1024], dir[] = "bench-sample-XXXXXX", frame[64];
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample_plan *p = NULL;
	const char *names[64];
	double t_read[RUNS], t_draw[RUNS], t_write[RUNS], t_total[RUNS], c_total[RUNS];
	size_t nfield = 0, nphone = 0;
	FILE *fp;
	int r;

	snprintf(plan_path, sizeof(plan_path), "%s/forms/plans/chongqing_2021.csv",
		 src ? src : ".");
	if (sample_plan_load(plan_path, &p, &dl) < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "bench_sample: cannot load %s\n", plan_path);
		return 1;
	}
	while (nc < 64 && sample_plan_county(p, nc)) {
		names[nc] = sample_plan_county(p, nc);
		nc++;
	}
	snprintf(frame, sizeof(frame), "%s/frame.csv", dir);
	fp = fopen(frame, "w");
	{
		struct synth_frame_opts o = {households, households / 300, names, nc, 2021};
		struct error e = ERROR_INIT;

		if (!fp || synth_frame_write(&o, fp, &e) < 0 || fclose(fp) != 0) {
			fprintf(stderr, "bench_sample: cannot write the frame\n");
			return 1;
		}
	}
	sample_plan_free(p);
	for (r = 0; r < RUNS; r++) {
		struct sample_frame *f = NULL;
		struct sample_draw *d = NULL;
		struct error e = ERROR_INIT;
		char out[96];
		double t0 = now_s(), c0 = cpu_s(), t1, t2, t3;

		snprintf(out, sizeof(out), "%s/out%d", dir, r);
		if (sample_plan_load(plan_path, &p, &dl) < 0 ||
		    sample_frame_load(frame, p, &f, &dl) < 0) {
			fprintf(stderr, "bench_sample: cannot read the frame\n");
			return 1;
		}
		t1 = now_s();
		if (sample_draw(p, f, 17 + (uint64_t)r, &d, &dl) < 0) {
			fprintf(stderr, "bench_sample: draw failed\n");
			return 1;
		}
		t2 = now_s();
		if (sample_draw_write(d, out, &e) < 0) {
			fprintf(stderr, "bench_sample: write failed\n");
			return 1;
		}
		t3 = now_s();
		nfield = sample_draw_count(d, SAMPLE_FIELD);
		nphone = sample_draw_count(d, SAMPLE_PHONE);
		sample_draw_free(d);
		sample_frame_free(f);
		sample_plan_free(p);
		t_read[r] = t1 - t0;
		t_draw[r] = t2 - t1;
		t_write[r] = t3 - t2;
		t_total[r] = now_s() - t0;
		c_total[r] = cpu_s() - c0;
	}
	qsort(t_read, RUNS, sizeof(double), cmp_d);
	qsort(t_draw, RUNS, sizeof(double), cmp_d);
	qsort(t_write, RUNS, sizeof(double), cmp_d);
	qsort(t_total, RUNS, sizeof(double), cmp_d);
	qsort(c_total, RUNS, sizeof(double), cmp_d);
	printf("ruhu sample, Chongqing 2021 plan, %zu households (%zu villages, %zu districts): "
	       "%zu field + %zu phone households\n",
	       households, households / 300, nc, nfield, nphone);
	printf("median of %d runs: read %.3f s, draw %.3f s, write %.3f s, total %.3f s wall "
	       "(%.3f s CPU); fastest total %.3f s, slowest %.3f s (goal < 2 s)\n",
	       RUNS, t_read[RUNS / 2], t_draw[RUNS / 2], t_write[RUNS / 2], t_total[RUNS / 2],
	       c_total[RUNS / 2], t_total[0], t_total[RUNS - 1]);
	for (r = 0; r < RUNS; r++) {
		static const char *const fl[] = {"field.csv", "phone.csv", "workload.csv",
						 "summary.csv"};
		char x[160];

		for (i = 0; i < 4; i++) {
			snprintf(x, sizeof(x), "%s/out%d/%s", dir, r, fl[i]);
			unlink(x);
		}
		snprintf(x, sizeof(x), "%s/out%d", dir, r);
		rmdir(x);
	}
	unlink(frame);
	rmdir(dir);
	diag_list_free(&dl);
	return 0;
}
