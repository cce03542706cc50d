/*
 * bench_score — `ruhu score` at scale: synthetic households (ruhu synth,
 * forms/household.csv) merged into a team database, then scored with the
 * Gansu 2021 profile (timed: wall and CPU seconds, peak memory). The
 * yardstick is a hand-written SQL GROUP BY computing rates of the same kind
 * over the same answers in SQLite (the raw-answer conditions behind F1
 * 两不愁, F4 housing and F9 recognition, per county, over T∪J or everyone);
 * the score computes every calculation of the form as well, which SQL cannot.
 *
 * Sizes: RUHU_BENCH_HOUSEHOLDS (default 2000; the full size is
 * 200000), RUHU_BENCH_COUNTIES (default 100), RUHU_BENCH_DEVICES (default
 * households / 300, at least 4). Files go to a folder under the current
 * directory (the build dir); RUHU_BENCH_KEEP=1 keeps it and
 * RUHU_BENCH_REUSE=FOLDER scores a kept folder's team.db again.
 */
#include "ruhu/profile.h"
#include "ruhu/score.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

static long peak_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_score: failed: %s\n", cmd);
		exit(1);
	}
}

/* The yardstick: the raw-answer rates by county, one statement. */
static const char yardstick[] =
	"WITH hh AS ("
	"  SELECT i.uuid, a.county, a.household_type IN ('tuopin', 'jiance') AS tj"
	"  FROM interview i JOIN assignment a ON a.household_key = i.household_key"
	"  WHERE i.status IN ('completed', 'approved')),"
	" flags AS ("
	"  SELECT ans.interview,"
	"   MAX(ans.path IN ('food_grain', 'food_protein', 'food_water_drink', 'cloth_season',"
	"                    'cloth_bedding', 'cloth_self') AND ans.value = 'no') AS lbc,"
	"   MAX((ans.path = 'house_grade' AND ans.value IN ('C', 'D')) OR"
	"       (ans.path = 'house_live_unsafe' AND ans.value = 'yes')) AS house,"
	"   MAX(ans.path IN ('rec_policy', 'rec_cadre', 'rec_result', 'rec_decision')"
	"       AND ans.value = 'no') AS rec"
	"  FROM answer ans GROUP BY ans.interview)"
	" SELECT hh.county, SUM(hh.tj), SUM(hh.tj AND f.lbc), SUM(hh.tj AND f.house),"
	"  COUNT(*), SUM(f.rec)"
	" FROM hh JOIN flags f ON f.interview = hh.uuid GROUP BY hh.county ORDER BY hh.county";

int main(void)
{
	const char *hs = getenv("RUHU_BENCH_HOUSEHOLDS"), *ds = getenv("RUHU_BENCH_DEVICES");
	const char *src = getenv("RUHU_SOURCE"), *bin = getenv("RUHU_BIN");
	const char *reuse = getenv("RUHU_BENCH_REUSE"), *cs = getenv("RUHU_BENCH_COUNTIES");
	long households = hs ? atol(hs) : 2000;
	/* synth gives each device 12 interviews a day from 2026-07-01: enough
	 * devices that every interview is dated within a month (a date after
	 * the day the merge runs fails the form's survey_date check) */
	long devices = ds ? atol(ds) : households / 300 > 4 ? households / 300 : 4;
	long counties = cs ? atol(cs) : 100;
	char dir[] = "bench-score-XXXXXX";
	const char *folder = reuse ? reuse : dir;
	struct strbuf cmd = STRBUF_INIT, db = STRBUF_INIT, prof = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct profile *p = NULL;
	struct store *s = NULL;
	struct score_result *r = NULL;
	struct error err = ERROR_INIT;
	struct score_opts o = {0};
	double t0, c0, t_score, c_score, t_sql = 0, c_sql = 0;
	sqlite3 *sq;
	sqlite3_stmt *q;
	int rows = 0;
	long rss_before;

	if (!src || !bin) {
		fprintf(stderr, "bench_score: RUHU_SOURCE and RUHU_BIN must be set\n");
		return 1;
	}
	if (!reuse) {
		if (!mkdtemp(dir))
			return 1;
		/* --counties also gives the county_class and prefecture columns
		 * the Gansu profile groups by */
		strbuf_addf(&cmd, "'%s' synth '%s/forms/household.csv' --households %ld --devices %ld "
				  "--counties %ld --seed 7 --out %s >/dev/null",
			    bin, src, households, devices, counties, dir);
		run(cmd.buf);
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "'%s' assign --db %s/team.db %s/sample.csv >/dev/null && "
				  "'%s' merge --db %s/team.db %s/*.bundle.gz >/dev/null",
			    bin, dir, dir, bin, dir, dir);
		run(cmd.buf);
	}
	strbuf_addf(&db, "%s/team.db", folder);
	strbuf_addf(&prof, "%s/forms/profiles/gansu-2021.csv", src);
	if (profile_load(prof.buf, &p, &dl) < 0 ||
	    store_open(db.buf, STORE_OPEN_READONLY, &s, &err) < 0) {
		fprintf(stderr, "bench_score: cannot open the profile or %s\n", db.buf);
		return 1;
	}
	/* the yardstick once beforehand, so that both read a warm page cache
	 * (whichever runs first would pay the disk alone) */
	if (sqlite3_open_v2(db.buf, &sq, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sq, yardstick, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_score: yardstick: %s\n", sqlite3_errmsg(sq));
		return 1;
	}
	while (sqlite3_step(q) == SQLITE_ROW)
		;
	sqlite3_finalize(q);
	sqlite3_close(sq);
	rss_before = peak_kib();
	t0 = now_s();
	c0 = cpu_s();
	if (score_run(s, p, &o, &r, &dl) < 0) {
		fprintf(stderr, "bench_score: score_run failed: %s\n",
			dl.errors ? error_msg(&dl.items[dl.n - 1].e, LANG_EN) : "?");
		return 1;
	}
	t_score = now_s() - t0;
	c_score = cpu_s() - c0;

	if (sqlite3_open_v2(db.buf, &sq, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sq, yardstick, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_score: yardstick: %s\n", sqlite3_errmsg(sq));
		return 1;
	}
	t0 = now_s();
	c0 = cpu_s();
	while (sqlite3_step(q) == SQLITE_ROW)
		rows++;
	t_sql = now_s() - t0;
	c_sql = cpu_s() - c0;
	sqlite3_finalize(q);
	sqlite3_close(sq);

	printf("score: %zu interviews, %zu units, %zu indicators (Gansu 2021)\n", r->n_interviews,
	       r->n_units, r->n_indicators);
	printf("  score_run      %8.3f s wall  %8.3f s CPU  %7.1f us/interview  peak RSS %ld KiB "
	       "(%ld before)\n",
	       t_score, c_score, r->n_interviews ? 1e6 * t_score / (double)r->n_interviews : 0,
	       peak_kib(), rss_before);
	printf("  SQL GROUP BY   %8.3f s wall  %8.3f s CPU  (%d groups; 3 raw-answer rates, no "
	       "calculations)\n",
	       t_sql, c_sql, rows);
	/* the machine is shared: CPU time is the steadier ratio */
	printf("  ratio          %8.2f x wall  %8.2f x CPU\n", t_sql > 0 ? t_score / t_sql : 0,
	       c_sql > 0 ? c_score / c_sql : 0);
	score_result_free(r);
	store_close(s);
	profile_free(p);
	diag_list_free(&dl);
	if (!reuse && !getenv("RUHU_BENCH_KEEP")) {
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "rm -rf '%s'", dir);
		run(cmd.buf);
	}
	strbuf_release(&cmd);
	strbuf_release(&db);
	strbuf_release(&prof);
	return 0;
}
