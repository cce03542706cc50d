/*
 * cmd_synth_frame — `ruhu synth --frame --plan PLAN.csv --households N
 * [--villages N] [--counties N] [--seed S] --out FRAME.csv`: a synthetic
 * household frame for `ruhu sample` (tools/synth/synth_frame.c). The
 * counties are those the plan names; a plan whose strata say "*" gets
 * counties 县01.. up to --counties (default 4).
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/sample_plan.h"
#include "synth_frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_synth_frame(int argc, char **argv)
{
	struct synth_frame_opts o = {0, 0, NULL, 0, 1};
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct sample_plan *plan = NULL;
	const char *ppath = NULL, *out = NULL, **names = NULL;
	char **made = NULL;
	size_t counties = 0, n_made = 0, i;
	FILE *fp = NULL;
	int a, ret = EXIT_FAIL;

	for (a = 1; a < argc; a++) {
		const char *k = argv[a];

		if (!strcmp(k, "--plan") && a + 1 < argc)
			ppath = argv[++a];
		else if (!strcmp(k, "--out") && a + 1 < argc)
			out = argv[++a];
		else if ((!strcmp(k, "--households") || !strcmp(k, "--villages") ||
			  !strcmp(k, "--counties") || !strcmp(k, "--seed")) &&
			 a + 1 < argc) {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(argv[++a], &end, 10);
			if (errno || *end || !*argv[a] || argv[a][0] == '-') {
				cli_errorf("'%s' 的值 '%s' 无效", "invalid value '%2$s' for '%1$s'", k,
					   argv[a]);
				return cli_usage("synth");
			}
			if (!strcmp(k, "--households"))
				o.households = (size_t)v;
			else if (!strcmp(k, "--villages"))
				o.villages = (size_t)v;
			else if (!strcmp(k, "--counties"))
				counties = (size_t)v;
			else
				o.seed = v;
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", k);
			return cli_usage("synth");
		}
	}
	if (!ppath || !out || !o.households)
		return cli_usage("synth");
	if (sample_plan_load(ppath, &plan, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	while (sample_plan_county(plan, o.n_counties))
		o.n_counties++;
	if (!counties)
		counties = o.n_counties ? o.n_counties : 4;
	if (counties < o.n_counties)
		counties = o.n_counties;
	names = xcalloc(counties, sizeof(*names));
	made = xcalloc(counties, sizeof(*made));
	for (i = 0; i < o.n_counties; i++)
		names[i] = sample_plan_county(plan, i);
	for (; i < counties; i++) {
		char b[32];

		snprintf(b, sizeof(b), "县%02zu", i + 1);
		names[i] = made[n_made++] = xstrdup(b);
	}
	o.counties = names;
	o.n_counties = counties;
	if (!o.villages)
		o.villages = o.households / 300 > counties ? o.households / 300 : counties;
	fp = fopen(out, "w");
	if (!fp) {
		error_set(&err, out, "无法创建：%s", "cannot create: %s", strerror(errno));
		cli_error(&err);
		goto done;
	}
	if (synth_frame_write(&o, fp, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		error_set(&err, out, "无法写入：%s", "cannot write: %s", strerror(errno));
		cli_error(&err);
		goto done;
	}
	fp = NULL;
	ret = EXIT_OK;
done:
	if (fp)
		fclose(fp);
	error_clear(&err);
	diag_list_free(&dl);
	for (i = 0; i < n_made; i++)
		free(made[i]);
	free(made);
	free(names);
	sample_plan_free(plan);
	return ret;
}
