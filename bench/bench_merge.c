/*
 * bench_merge — the nightly merge at scale: synthetic households from 20
 * devices (ruhu synth, forms/household.csv), each loaded into its own device
 * database, then exported (`--all`, timed) and merged into one team database
 * (timed). In the same run, sqlite3's own `.import` of the same answers as a
 * plain CSV into an equivalent table (same schema as `answer`, WAL,
 * synchronous=FULL) gives the yardstick, once in primary-key order and once
 * in the order the merge met them; the events likewise (same table as
 * `event`, both indexes), since a merge writes both; and each bundle's size is compared
 * with `gzip -6` of its own CSV content (zcat | gzip -6). After the merge (issue 18): peak
 * memory, the team database's bytes per household with its largest tables
 * (dbstat), the audit-style queries over events (each interview's events in
 * time order; every device's events in sequence order, gaps counted), and a
 * re-merge of the same bundles (all already merged: pass 1 alone) against zcat.
 *
 * Files go to a folder under the current directory (the build dir). Sizes:
 * RUHU_BENCH_HOUSEHOLDS (default 2000; the full size is 20000),
 * RUHU_BENCH_DEVICES (default 20). RUHU_BENCH_KEEP=1 keeps the folder;
 * RUHU_BENCH_REUSE=FOLDER merges the bundles of a kept folder's export/ again
 * (no synth, no export: for measuring the merge alone, over and over).
 */
#include "ruhu/bundle.h"
#include "ruhu/form.h"
#include "ruhu/merge.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "synth.h"

#include <dirent.h>
#include "store_sqlite.h" /* the SQLite handle: this file inspects databases */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of this process, or of its waited-for
 * children: figures that a machine shared with other work disturbs less
 * than wall time. */
static double cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void check(int ret, struct error *err, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench_merge: %s: %s: %s\n", what, err->where ? err->where : "",
			err->en ? err->en : "?");
		exit(1);
	}
}

/* Bundle files (*.bundle.gz) of a folder, sorted. */
static char **list_bundles(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0, i, j;

	*n = 0;
	if (!d)
		exit(1);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct strbuf p = STRBUF_INIT;

		if (l < 10 || strcmp(de->d_name + l - 10, ".bundle.gz") || de->d_name[0] == '.')
			continue;
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		XGROW(v, cap, *n + 1);
		v[(*n)++] = strbuf_detach(&p, NULL);
	}
	closedir(d);
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static long long gzip6_size(const char *bundle)
{
	struct strbuf cmd = STRBUF_INIT;
	long long n = -1;
	FILE *fp;

	strbuf_addf(&cmd, "zcat '%s' | gzip -6 | wc -c", bundle);
	fp = popen(cmd.buf, "r");
	if (fp && fscanf(fp, "%lld", &n) != 1)
		n = -1;
	if (fp)
		pclose(fp);
	strbuf_release(&cmd);
	return n;
}

/* Writes one table of the team database as headerless CSV. */
static size_t dump_csv(sqlite3 *db, const char *sql, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *q;
	FILE *fp = fopen(path, "w");
	size_t rows = 0;
	int nc, i;

	if (!fp || sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		exit(1);
	nc = sqlite3_column_count(q);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *f[16];

		for (i = 0; i < nc; i++)
			f[i] = (const char *)sqlite3_column_text(q, i);
		strbuf_reset(&sb);
		bundle_csv_row(&sb, f, (size_t)nc);
		if (fwrite(sb.buf, 1, sb.len, fp) != sb.len)
			exit(1);
		rows++;
	}
	sqlite3_finalize(q);
	if (fclose(fp) != 0)
		exit(1);
	strbuf_release(&sb);
	return rows;
}

/* Runs sqlite3's .import of csv into a fresh database with `schema`. */
static double sqlite_import(const char *dir, const char *name, const char *schema,
			    const char *csv, const char *table, double *cpu)
{
	struct strbuf cmd = STRBUF_INIT;
	double t0, t, c0;

	FILE *fp;

	/* the schema goes through a file: it holds quotes */
	strbuf_addf(&cmd, "%s/%s.sql", dir, name);
	fp = fopen(cmd.buf, "w");
	if (!fp || fputs(schema, fp) < 0 || fclose(fp) != 0)
		exit(1);
	strbuf_reset(&cmd);
	strbuf_addf(&cmd, "rm -f %s/%s.db* && sqlite3 %s/%s.db 'PRAGMA journal_mode=WAL;' "
		    "'.read %s/%s.sql' >/dev/null", dir, name, dir, name, dir, name);
	if (system(cmd.buf) != 0)
		exit(1);
	strbuf_reset(&cmd);
	strbuf_addf(&cmd, "sqlite3 %s/%s.db 'PRAGMA synchronous=FULL;' '.import --csv %s %s'", dir,
		    name, csv, table);
	t0 = now_s();
	c0 = cpu_s(RUSAGE_CHILDREN);
	if (system(cmd.buf) != 0)
		exit(1);
	t = now_s() - t0;
	*cpu = cpu_s(RUSAGE_CHILDREN) - c0;
	strbuf_release(&cmd);
	return t;
}

/* The yardstick tables: the store's `answer` and `event` (src/store/store_schema.c):
 * the same columns, keys and indexes, without the foreign keys (the import database
 * has no interview table) and without the CHECKs (`.import` reads an empty field as
 * '', never NULL; and with them the import took twice as long, flattering the
 * merge: this is the harder yardstick). */
static const char answer_sql[] =
	"CREATE TABLE answer (interview TEXT NOT NULL, path TEXT NOT NULL, value TEXT, "
	"special TEXT, PRIMARY KEY (interview, path)) WITHOUT ROWID;";
static const char event_sql[] =
	"CREATE TABLE event (id INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL, "
	"interview TEXT, time INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT, path TEXT, "
	"old_value TEXT, new_value TEXT, old_special TEXT, new_special TEXT, extra TEXT, "
	"UNIQUE (device, seq)); CREATE INDEX event_interview ON event(interview, time);";

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int count_event(void *ctx, const struct store_event *ev)
{
	(void)ev;
	(*(size_t *)ctx)++;
	return 0;
}

/* What a device's events look like to audit's sequence-gap check: the
 * largest gap in seq, counted by the callback over all events. */
struct gaps {
	char device[64];
	int64_t last;
	size_t n, gaps;
};

static int gap_event(void *ctx, const struct store_event *ev)
{
	struct gaps *g = ctx;

	if (strcmp(g->device, ev->device) != 0) {
		snprintf(g->device, sizeof(g->device), "%s", ev->device);
		g->last = ev->seq;
	} else {
		if (ev->seq != g->last + 1)
			g->gaps++;
		g->last = ev->seq;
	}
	g->n++;
	return 0;
}

/* Size, memory, the audit-style queries over events, and re-merging the
 * same bundles (all already merged: the verifying pass alone) against zcat. */
static void after_merge(struct store *team, const char *dir, char **exp, size_t ne)
{
	struct error err = ERROR_INIT;
	struct strbuf p = STRBUF_INIT;
	struct merge_stats st;
	sqlite3_stmt *q;
	char **uuids = NULL;
	size_t n_iv = 0, cap = 0, i, n_ev = 0;
	long long dbsize;
	double t0, t_one, t_dev, t_re = 0, t_zcat;
	struct gaps g = {"", 0, 0, 0};

	printf("peak memory after the merge: %ld KiB (max RSS of this process)\n", peak_rss_kib());
	if (sqlite3_exec(store_sqlite(team), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
			 NULL) != SQLITE_OK)
		exit(1);
	if (sqlite3_prepare_v2(store_sqlite(team), "SELECT uuid FROM interview ORDER BY uuid", -1,
			       &q, NULL) != SQLITE_OK)
		exit(1);
	while (sqlite3_step(q) == SQLITE_ROW) {
		XGROW(uuids, cap, n_iv + 1);
		uuids[n_iv++] = xstrdup((const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	strbuf_addf(&p, "%s/team.db", dir);
	dbsize = file_size(p.buf);
	printf("team database: %lld bytes, %zu interviews: %.1f KB per household\n", dbsize, n_iv,
	       (double)dbsize / 1000.0 / (double)(n_iv ? n_iv : 1));
	if (sqlite3_prepare_v2(store_sqlite(team),
			       "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC "
			       "LIMIT 8",
			       -1, &q, NULL) == SQLITE_OK) {
		printf("  largest tables and indexes:");
		while (sqlite3_step(q) == SQLITE_ROW)
			printf(" %s %.1f KB/hh;", (const char *)sqlite3_column_text(q, 0),
			       (double)sqlite3_column_int64(q, 1) / 1000.0 /
				       (double)(n_iv ? n_iv : 1));
		printf("\n");
		sqlite3_finalize(q);
	}
	/* audit: one interview's events in time order, for every interview */
	t0 = now_s();
	for (i = 0; i < n_iv; i++)
		check(store_events_each(team, uuids[i], count_event, &n_ev, &err), &err, "events");
	t_one = now_s() - t0;
	printf("audit query: each interview's events in time order (%zu interviews, %zu events): "
	       "%.2f s, %.0f us per interview\n",
	       n_iv, n_ev, t_one, t_one * 1e6 / (double)(n_iv ? n_iv : 1));
	t0 = now_s();
	check(store_events_by_device_each(team, gap_event, &g, &err), &err, "events by device");
	t_dev = now_s() - t0;
	printf("audit query: every device's events in sequence order, gaps counted (%zu events, "
	       "%zu gaps): %.2f s\n",
	       g.n, g.gaps, t_dev);
	for (i = 0; i < n_iv; i++)
		free(uuids[i]);
	free(uuids);
	/* re-merge: every bundle is already merged */
	for (i = 0; i < ne; i++) {
		t0 = now_s();
		check(merge_bundle(team, exp[i], false, &st, NULL, NULL, &err), &err, "re-merge");
		t_re += now_s() - t0;
	}
	strbuf_reset(&p);
	strbuf_addstr(&p, "zcat");
	for (i = 0; i < ne; i++)
		strbuf_addf(&p, " '%s'", exp[i]);
	strbuf_addstr(&p, " >/dev/null");
	t0 = now_s();
	if (system(p.buf) != 0)
		exit(1);
	t_zcat = now_s() - t0;
	printf("re-merge of the same %zu bundles (already merged): %.2f s; zcat of them: %.2f s: "
	       "%.2fx (target <= 1.5x)\n",
	       ne, t_re, t_zcat, t_re / t_zcat);
	strbuf_release(&p);
}

int main(void)
{
	const char *hs = getenv("RUHU_BENCH_HOUSEHOLDS"), *ds = getenv("RUHU_BENCH_DEVICES");
	const char *src = getenv("RUHU_SOURCE"), *reuse = getenv("RUHU_BENCH_REUSE");
	struct synth_opts so = {hs ? strtoul(hs, NULL, 10) : 2000, ds ? strtoul(ds, NULL, 10) : 20,
				42, NULL, 0};
	struct synth_result sr;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct form *f = NULL;
	struct strbuf p = STRBUF_INIT, dir = STRBUF_INIT;
	char **syn, **exp;
	size_t ns, ne, i, answers = 0, events = 0, n_ans_csv, n_ev_csv;
	long long bsize = 0, gsize = 0;
	double t0, t_synth, t_export = 0, t_merge = 0, t_imp_a, t_imp_e, t_imp_r;
	double c0, c_merge = 0, c_imp_a, c_imp_e, c_imp_r;
	struct store *team;
	struct merge_stats st;
	char cwd_dir[] = "bench-merge-XXXXXX";

	if (reuse) {
		strbuf_addstr(&dir, reuse);
		strbuf_addf(&p, "rm -f %s/team.db*", dir.buf);
		if (system(p.buf) != 0)
			return 1;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/export", dir.buf);
		syn = list_bundles(p.buf, &ns);
		goto merge;
	}
	if (!mkdtemp(cwd_dir))
		return 1;
	strbuf_addstr(&dir, cwd_dir);
	strbuf_addf(&p, "%s/forms/household.csv", src ? src : ".");
	if (form_load(p.buf, &f, &dl) < 0) {
		fprintf(stderr, "bench_merge: cannot load %s\n", p.buf);
		return 1;
	}
	/* synth */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/synth", dir.buf);
	mkdir(p.buf, 0755);
	so.out_dir = p.buf;
	t0 = now_s();
	check(synth_run(f, &so, &sr, &err), &err, "synth");
	t_synth = now_s() - t0;
	printf("synth: %zu households, %zu devices, %zu answers, %zu events in %.2f s\n",
	       sr.interviews, so.devices, sr.answers, sr.events, t_synth);
	syn = list_bundles(p.buf, &ns);
	/* one device database per bundle (setup, not timed) */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/export", dir.buf);
	mkdir(p.buf, 0755);
	for (i = 0; i < ns; i++) {
		struct strbuf db = STRBUF_INIT;
		struct store *s = NULL;
		struct export_opts o = {p.buf, true, NULL, "2026-07-31T20:00:00Z", 0};
		struct export_result r;

		strbuf_addf(&db, "%s/dev%02zu.db", dir.buf, i);
		check(store_open(db.buf, STORE_OPEN_CREATE, &s, &err), &err, "open device");
		check(merge_bundle(s, syn[i], false, &st, NULL, NULL, &err), &err, "load device");
		t0 = now_s();
		check(export_bundle(s, &o, &r, &err), &err, "export");
		t_export += now_s() - t0;
		answers += r.answers;
		events += r.events;
		export_result_release(&r);
		store_close(s);
		strbuf_release(&db);
	}
	printf("export: %zu bundles, %zu answers, %zu events in %.2f s: %.0f answers/s\n", ns,
	       answers, events, t_export, (double)answers / t_export);
merge:
	exp = list_bundles(p.buf, &ne);
	/* merge */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/team.db", dir.buf);
	check(store_open(p.buf, STORE_OPEN_CREATE, &team, &err), &err, "open team");
	for (i = 0; i < ne; i++) {
		t0 = now_s();
		c0 = cpu_s(RUSAGE_SELF);
		check(merge_bundle(team, exp[i], false, &st, NULL, NULL, &err), &err, "merge");
		t_merge += now_s() - t0;
		c_merge += cpu_s(RUSAGE_SELF) - c0;
		if (reuse) {
			answers += st.answers;
			events += st.events_new;
		}
		bsize += file_size(exp[i]);
		gsize += gzip6_size(exp[i]);
	}
	printf("merge: %zu bundles into one team database in %.2f s: %.0f answers/s, %.0f rows/s "
	       "(answers + events)\n",
	       ne, t_merge, (double)answers / t_merge, (double)(answers + events) / t_merge);
	after_merge(team, dir.buf, exp, ne);
	/* the yardstick: sqlite3 .import of the same answers */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/answers.csv", dir.buf);
	n_ans_csv = dump_csv(store_sqlite(team),
			     "SELECT interview, path, value, special FROM answer", p.buf);
	t_imp_a = sqlite_import(dir.buf, "import_answers", answer_sql, p.buf, "answer", &c_imp_a);
	/* the same rows in the order the merge met them (interviews in bundle
	 * order, random UUIDs): no longer an append at the end of the tree */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/answers-arrival.csv", dir.buf);
	dump_csv(store_sqlite(team),
		 "SELECT a.interview, a.path, a.value, a.special FROM interview i "
		 "JOIN answer a ON a.interview = i.uuid ORDER BY i.rowid, a.path",
		 p.buf);
	t_imp_r = sqlite_import(dir.buf, "import_answers_arrival", answer_sql, p.buf, "answer",
				&c_imp_r);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/events.csv", dir.buf);
	n_ev_csv = dump_csv(store_sqlite(team),
			    "SELECT row_number() OVER (ORDER BY device, seq), device, seq, interview, "
			    "time, kind, actor, path, old_value, new_value, old_special, new_special, "
			    "extra FROM event ORDER BY device, seq",
			    p.buf);
	t_imp_e = sqlite_import(dir.buf, "import_events", event_sql, p.buf, "event", &c_imp_e);
	printf("sqlite3 .import of the same %zu answers (plain CSV, same table as `answer`), "
	       "in primary-key order: %.2f s (cpu %.2f s): %.0f answers/s\n",
	       n_ans_csv, t_imp_a, c_imp_a, (double)n_ans_csv / t_imp_a);
	printf("  the same answers in the merge's arrival order: %.2f s (cpu %.2f s)\n", t_imp_r,
	       c_imp_r);
	printf("sqlite3 .import of the %zu events (same table as `event`, both indexes): %.2f s "
	       "(cpu %.2f s)\n",
	       n_ev_csv, t_imp_e, c_imp_e);
	printf("merge / import of answers: %.2fx wall, %.2fx cpu (target <= 2.0x); arrival "
	       "order: %.2fx wall, %.2fx cpu\n",
	       t_merge / t_imp_a, c_merge / c_imp_a, t_merge / t_imp_r, c_merge / c_imp_r);
	printf("merge / import of answers + events (what a merge writes): %.2fx wall, %.2fx cpu "
	       "(target <= 1.0x); "
	       "arrival order: %.2fx wall, %.2fx cpu\n",
	       t_merge / (t_imp_a + t_imp_e), c_merge / (c_imp_a + c_imp_e),
	       t_merge / (t_imp_r + t_imp_e), c_merge / (c_imp_r + c_imp_e));
	printf("cpu time: merge %.2f s\n", c_merge);
	printf("bundle size: %lld bytes; gzip -6 of the same CSV content: %lld bytes: %.3fx "
	       "(target within 10%%)\n",
	       bsize, gsize, (double)bsize / (double)gsize);
	store_close(team);
	for (i = 0; i < ns; i++)
		free(syn[i]);
	for (i = 0; i < ne; i++)
		free(exp[i]);
	free(syn);
	free(exp);
	form_free(f);
	diag_list_free(&dl);
	strbuf_reset(&p);
	strbuf_addf(&p, "rm -rf %s", dir.buf);
	if (!reuse && !getenv("RUHU_BENCH_KEEP") && system(p.buf) != 0)
		return 1;
	strbuf_release(&p);
	strbuf_release(&dir);
	return 0;
}
