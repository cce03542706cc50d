/*
 * bench_store — what an enumerator waits for: the durable commit of one
 * answer (store_answer_put with WAL + synchronous=FULL, one transaction per
 * answer, returning after COMMIT), measured one by one on the real disk in
 * a folder under the current directory (the build dir; figures taken on
 * tmpfs are flagged). Also: the same answers batched in one transaction (the
 * fsync share), resuming an interview of as many answers, and loading a 20,000
 * household sample.
 *
 * RUHU_BENCH_COMMITS sets the number of single commits (default 2000).
 */
#include "ruhu/digest.h"
#include "ruhu/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#define TMPFS_MAGIC_ 0x01021994

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

static void check(int ret, const struct error *err, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench_store: %s: %s\n", what, error_msg(err, LANG_EN));
		exit(1);
	}
}

int main(void)
{
	static const char form_src[] = "type,name,label\ninteger,q,Q\n";
	const char *e = getenv("RUHU_BENCH_COMMITS");
	int n = e ? atoi(e) : 2000;
	struct error err = ERROR_INIT;
	char dir[] = "bench-store-XXXXXX", path[64], form[65], uuid[STORE_ID_LEN + 1], p[64],
	     v[32], cmd[96];
	struct store_assignment *a;
	struct store_loaded *l;
	struct store *s;
	struct statfs fs;
	double *lat, t0, t1, total = 0;
	int i;

	if (n < 10)
		n = 10;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if (statfs(dir, &fs) == 0 && fs.f_type == TMPFS_MAGIC_)
		printf("WARNING: %s is on tmpfs: commit figures do not measure a disk\n", dir);
	digest_sha256_hex(form_src, strlen(form_src), form);
	check(store_open(path, STORE_OPEN_CREATE, &s, &err), &err, "open");
	check(store_form_put_source(s, form, "b", "1", "B", form_src, strlen(form_src), &err), &err,
	      "form");
	check(store_enumerator_set(s, "E01", &err), &err, "enumerator");
	check(store_interview_new(s, form, NULL, uuid, &err), &err, "interview");

	/* 1. one durable commit per answer, as the UI does */
	lat = malloc((size_t)n * sizeof(*lat));
	if (!lat)
		return 1;
	for (i = 0; i < n; i++) {
		/* mostly new answers, some changes of earlier ones (answer_changed) */
		snprintf(p, sizeof(p), "members[%d]/q%d", i % 20 + 1, i % 5 == 4 ? i / 10 : i);
		snprintf(v, sizeof(v), "%d", i * 7);
		t0 = now_ms();
		check(store_answer_put(s, uuid, p, v, STORE_SPECIAL_NONE, p, &err), &err, "put");
		t1 = now_ms();
		lat[i] = t1 - t0;
		total += lat[i];
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("store answer commit (WAL, synchronous=FULL, one transaction each, %d commits):\n"
	       "  median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, mean %.3f ms\n"
	       "  throughput %.0f durable commits/s\n",
	       n, lat[n / 2], lat[n * 90 / 100], lat[n * 99 / 100], lat[n - 1], total / n,
	       n / (total / 1e3));
	free(lat);

	/* 2. the same number of answers in one transaction: what fsync costs */
	{
		char u2[STORE_ID_LEN + 1];
		check(store_interview_new(s, form, NULL, u2, &err), &err, "interview");
		t0 = now_ms();
		check(store_tx_begin(s, &err), &err, "begin");
		for (i = 0; i < n; i++) {
			snprintf(p, sizeof(p), "q%d", i);
			snprintf(v, sizeof(v), "%d", i);
			check(store_answer_put(s, u2, p, v, STORE_SPECIAL_NONE, p, &err), &err,
			      "put");
		}
		check(store_tx_commit(s, &err), &err, "commit");
		t1 = now_ms();
		printf("batched (one transaction, %d answers with events): %.1f ms, %.0f answers/s\n",
		       n, t1 - t0, n / ((t1 - t0) / 1e3));

		/* 3. resume: load an interview of 600 answers */
		t0 = now_ms();
		for (i = 0; i < 20; i++) {
			check(store_interview_load(s, u2, &l, &err), &err, "load");
			store_loaded_free(l);
		}
		t1 = now_ms();
		printf("resume (store_interview_load of %d answers): %.3f ms\n", n,
		       (t1 - t0) / 20);
	}

	/* 4. a 20,000 household sample, all or nothing */
	{
		enum { NA = 20000 };
		static char keys[NA][16], inc[NA][16];
		static struct store_field pre[NA];
		a = calloc(NA, sizeof(*a));
		if (!a)
			return 1;
		for (i = 0; i < NA; i++) {
			snprintf(keys[i], sizeof(keys[i]), "H%06d", i);
			snprintf(inc[i], sizeof(inc[i]), "%d", 5000 + i % 9000);
			pre[i].name = "income_last_year";
			pre[i].value = inc[i];
			a[i] = (struct store_assignment){keys[i], "文山县", "东山乡", "东山村",
							 "脱贫户", "王大", "E01", NULL, &pre[i], 1};
		}
		t0 = now_ms();
		check(store_assignments_put(s, a, NA, NULL, &err), &err, "assign");
		t1 = now_ms();
		printf("assignments: %d households with preload in %.1f ms (%.0f/s)\n", NA, t1 - t0,
		       NA / ((t1 - t0) / 1e3));
		{
			size_t counts[STORE_ASTATUS_COUNT];
			t0 = now_ms();
			check(store_assignment_counts(s, NULL, counts, &err), &err, "counts");
			t1 = now_ms();
			printf("assignment counts by status over %d households: %.1f ms\n", NA,
			       t1 - t0);
		}
		free(a);
	}
	store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
