/*
 * cmd_data — `ruhu data --db DB --out DIR [--format csv|xlsx|dta|sav]...
 * [--form ID] [--status S]... [--lang zh|en] [--mask] [--long] [--paradata]
 * [--excel-bom] [--dk-code N] [--refused-code N] [--force]`: the analysis
 * files of the team database (src/data). Progress goes to stderr, and only
 * when stderr is a terminal.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/data.h"
#include "ruhu/i18n.h"
#include "ruhu/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct meter {
	struct timespec t0;
	double last;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress(void *ctx, const struct data_progress *p)
{
	struct meter *m = ctx;
	double t = since(&m->t0);

	if (t - m->last < 0.2)
		return;
	m->last = t;
	fprintf(stderr, T_("\r已读 %zu 个访谈，已写 %zu 行（%.0f 行/秒）   ",
			   "\r%zu interviews read, %zu rows written (%.0f rows/s)   "),
		p->interviews, p->rows, t > 0 ? (double)p->rows / t : 0.0);
	fflush(stderr);
}

/* A whole number for a special-value code (Stata and SPSS need numbers). */
static bool code_ok(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return *s && !*end && !errno && v > -1000000000 && v < 1000000000;
}

int cmd_data(int argc, char **argv)
{
	struct data_options o;
	struct data_result res;
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	struct meter meter;
	const char *db = NULL, *out = NULL;
	int i, ret = EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	memset(&meter, 0, sizeof(meter));
	/* the global --lang (taken by main) chooses the labels' language too */
	o.lang = i18n_lang() == LANG_EN ? "en" : "zh";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool val = i + 1 < argc;

		if (!strcmp(a, "--db") && val)
			db = argv[++i];
		else if (!strcmp(a, "--out") && val)
			out = argv[++i];
		else if (!strcmp(a, "--format") && val) {
			unsigned f = data_format_parse(argv[++i]);

			if (!f) {
				cli_errorf("未知格式 '%s'（可用 csv、xlsx、dta、sav）",
					   "unknown format '%s' (csv, xlsx, dta or sav)", argv[i]);
				return cli_usage("data");
			}
			o.formats |= f;
		} else if (!strcmp(a, "--form") && val)
			o.form_id = argv[++i];
		else if (!strcmp(a, "--status") && val) {
			int st = store_istatus_parse(argv[++i]);

			if (st < 0) {
				cli_errorf("未知状态 '%s'（可用 in_progress、completed、approved、rejected）",
					   "unknown status '%s' (in_progress, completed, approved or "
					   "rejected)",
					   argv[i]);
				return cli_usage("data");
			}
			o.statuses |= STORE_STATUS_BIT(st);
		} else if (!strcmp(a, "--dk-code") && val)
			o.dk_code = argv[++i];
		else if (!strcmp(a, "--refused-code") && val)
			o.refused_code = argv[++i];
		else if (!strcmp(a, "--mask"))
			o.mask = true;
		else if (!strcmp(a, "--long"))
			o.long_format = true;
		else if (!strcmp(a, "--paradata"))
			o.paradata = true;
		else if (!strcmp(a, "--excel-bom"))
			o.excel_bom = true;
		else if (!strcmp(a, "--force"))
			o.force = true;
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", a);
			return cli_usage("data");
		}
	}
	if (!db || !out)
		return cli_usage("data");
	if ((o.dk_code && !code_ok(o.dk_code)) || (o.refused_code && !code_ok(o.refused_code)) ||
	    (o.dk_code && o.refused_code && !strcmp(o.dk_code, o.refused_code))) {
		cli_errorf("--dk-code 和 --refused-code 须为两个不同的整数",
			   "--dk-code and --refused-code must be two different whole numbers");
		return cli_usage("data");
	}
	if (isatty(STDERR_FILENO)) {
		clock_gettime(CLOCK_MONOTONIC, &meter.t0);
		o.progress = progress;
		o.progress_ctx = &meter;
	}
	/* --mask may create the key in the database: only then open it writable */
	if (store_open(db, o.mask ? 0 : STORE_OPEN_READONLY, &s, &err) < 0)
		goto fail;
	if (data_export(s, out, &o, &res, &err) < 0)
		goto fail;
	if (o.progress)
		fputs("\r\033[K", stderr);
	printf(T_("%s：%zu 个访谈，%zu 张表，%zu 个文件\n",
		  "%s: %zu interviews, %zu tables, %zu files\n"),
	       cli_safe(out), res.interviews, res.tables, res.files);
	ret = EXIT_OK;
	goto done;
fail:
	if (o.progress)
		fputs("\r\033[K", stderr);
	cli_error(&err);
	error_clear(&err);
done:
	store_close(s);
	return ret;
}
