/*
 * bench_data — `ruhu data` at scale: synthetic households (ruhu synth,
 * forms/household.csv) merged into one team database with their sample,
 * then exported once per format (csv, xlsx, dta, sav), each into its own
 * folder; prints wall and CPU seconds, rows and the bytes written per
 * format. The goal is each format under 5 s for 20,000 households.
 *
 * Files go to a folder under the current directory (the build dir). Sizes:
 * RUHU_BENCH_HOUSEHOLDS (default 20000), RUHU_BENCH_DEVICES (default 4).
 * RUHU_BENCH_KEEP=1 keeps the folder; RUHU_BENCH_REUSE=FOLDER exports the
 * team database of a kept folder again (no synth, no merge);
 * RUHU_BENCH_FORMATS=xlsx,csv exports only those formats (paired runs).
 */
#include "ruhu/data.h"
#include "ruhu/form.h"
#include "ruhu/merge.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "synth.h"

#include <dirent.h>
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

static void check(int ret, struct error *err, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench_data: %s: %s: %s\n", what, err->where ? err->where : "",
			err->en ? err->en : "?");
		exit(1);
	}
}

/* Bytes and files in a folder (not recursive). */
static long long dir_size(const char *dir, size_t *files)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long n = 0;

	*files = 0;
	while (d && (de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		if (stat(p.buf, &st) == 0 && S_ISREG(st.st_mode)) {
			n += st.st_size;
			++*files;
		}
		strbuf_release(&p);
	}
	if (d)
		closedir(d);
	return n;
}

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v && atol(v) > 0 ? (size_t)atol(v) : def;
}

int main(void)
{
	static const char *const fmts[] = {"csv", "xlsx", "dta", "sav"};
	const char *src = getenv("RUHU_SOURCE"), *bin = getenv("RUHU_BIN");
	const char *reuse = getenv("RUHU_BENCH_REUSE"), *keep = getenv("RUHU_BENCH_KEEP");
	struct synth_opts so = {0};
	struct synth_result sr;
	struct error err = ERROR_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct strbuf dir = STRBUF_INIT, p = STRBUF_INIT;
	struct store *team = NULL;
	struct form *f = NULL;
	char tmpl[] = "bench-data-XXXXXX";
	size_t i;
	double t0;

	so.households = env_size("RUHU_BENCH_HOUSEHOLDS", 20000);
	so.devices = env_size("RUHU_BENCH_DEVICES", 4);
	so.seed = 1;
	if (reuse) {
		strbuf_addstr(&dir, reuse);
	} else {
		if (!mkdtemp(tmpl))
			return 1;
		strbuf_addstr(&dir, tmpl);
		strbuf_addf(&p, "%s/forms/household.csv", src ? src : ".");
		if (form_load(p.buf, &f, &dl) < 0) {
			fprintf(stderr, "bench_data: cannot load %s\n", p.buf);
			return 1;
		}
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/synth", dir.buf);
		mkdir(p.buf, 0755);
		so.out_dir = p.buf;
		t0 = now_s();
		check(synth_run(f, &so, &sr, &err), &err, "synth");
		printf("synth: %zu households, %zu answers, %zu events in %.1f s\n", sr.interviews,
		       sr.answers, sr.events, now_s() - t0);
		form_free(f);
		/* merge every bundle into the team database, with the sample (setup) */
		{
			struct strbuf db = STRBUF_INIT;
			DIR *d = opendir(p.buf);
			struct dirent *de;

			strbuf_addf(&db, "%s/team.db", dir.buf);
			check(store_open(db.buf, STORE_OPEN_CREATE, &team, &err), &err, "open team");
			t0 = now_s();
			while (d && (de = readdir(d))) {
				struct strbuf b = STRBUF_INIT;
				struct merge_stats st;

				if (!strstr(de->d_name, ".bundle.gz"))
					continue;
				strbuf_addf(&b, "%s/%s", p.buf, de->d_name);
				check(merge_bundle(team, b.buf, false, &st, NULL, NULL, &err), &err,
				      "merge");
				strbuf_release(&b);
			}
			if (d)
				closedir(d);
			store_close(team);
			team = NULL;
			printf("merge: %.1f s\n", now_s() - t0);
			if (bin) {
				struct strbuf cmd = STRBUF_INIT;

				strbuf_addf(&cmd, "'%s' --lang en assign --db '%s' '%s/sample.csv' >/dev/null",
					    bin, db.buf, p.buf);
				if (system(cmd.buf) != 0)
					fprintf(stderr, "bench_data: assign failed (sample columns empty)\n");
				strbuf_release(&cmd);
			}
			strbuf_release(&db);
		}
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/team.db", dir.buf);
	check(store_open(p.buf, STORE_OPEN_READONLY, &team, &err), &err, "open team");

	/* the database in the file cache, so the first format does not pay for it */
	{
		FILE *fp = fopen(p.buf, "rb");
		char buf[65536];

		while (fp && fread(buf, 1, sizeof(buf), fp) > 0)
			;
		if (fp)
			fclose(fp);
	}
	printf("%-6s %9s %9s %9s %12s %6s\n", "format", "wall s", "cpu s", "interviews", "bytes",
	       "files");
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct data_options o;
		struct data_result res;
		struct strbuf out = STRBUF_INIT, rm = STRBUF_INIT;
		const char *only = getenv("RUHU_BENCH_FORMATS");
		double c0;
		size_t files;
		long long bytes;

		if (only && *only) {
			/* a whole name of the comma-separated list */
			const char *hit = strstr(only, fmts[i]);
			size_t len = strlen(fmts[i]);

			if (!hit || (hit != only && hit[-1] != ',') || (hit[len] && hit[len] != ','))
				continue;
		}
		memset(&o, 0, sizeof(o));
		o.formats = data_format_parse(fmts[i]);
		o.lang = "zh";
		strbuf_addf(&out, "%s/out-%s", dir.buf, fmts[i]);
		strbuf_addf(&rm, "rm -rf '%s'", out.buf);
		if (system(rm.buf) != 0)
			return 1;
		t0 = now_s();
		c0 = cpu_s();
		check(data_export(team, out.buf, &o, &res, &err), &err, fmts[i]);
		bytes = dir_size(out.buf, &files);
		printf("%-6s %9.2f %9.2f %9zu %12lld %6zu\n", fmts[i], now_s() - t0, cpu_s() - c0,
		       res.interviews, bytes, files);
		fflush(stdout);
		strbuf_release(&out);
		strbuf_release(&rm);
	}
	store_close(team);
	if (!reuse && !(keep && *keep == '1')) {
		strbuf_reset(&p);
		strbuf_addf(&p, "rm -rf '%s'", dir.buf);
		if (system(p.buf) != 0)
			return 1;
	} else {
		printf("kept: %s\n", dir.buf);
	}
	strbuf_release(&dir);
	strbuf_release(&p);
	diag_list_free(&dl);
	return 0;
}
