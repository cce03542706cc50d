/*
 * cmd_synth — `ruhu synth FORM --households N [--devices K] [--seed S] --out
 * DIR`: K device bundles of N synthetic interviews made by the interview
 * engine, plus DIR/sample.csv for `ruhu assign` (tools/synth/synth.c, linked
 * from libruhu_synth.a: not part of the core library).
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "synth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int cmd_synth(int argc, char **argv)
{
	struct synth_opts o = {0, 1, 1, NULL, 0};
	struct synth_result res;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct form *f = NULL;
	const char *form = NULL;
	unsigned long long v;
	int i, ret = EXIT_FAIL;

	/* a household frame for `ruhu sample` (cmd_synth_frame.c) */
	if (argc > 1 && !strcmp(argv[1], "--frame"))
		return cmd_synth_frame(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "--households") || !strcmp(a, "--devices") || !strcmp(a, "--seed") ||
		     !strcmp(a, "--counties")) &&
		    i + 1 < argc) {
			if (parse_size(argv[++i], &v) < 0 || (strcmp(a, "--seed") && v == 0)) {
				cli_errorf("'%s' 的值 '%s' 无效", "invalid value '%2$s' for '%1$s'", a,
					   argv[i]);
				return cli_usage("synth");
			}
			if (!strcmp(a, "--households"))
				o.households = (size_t)v;
			else if (!strcmp(a, "--devices"))
				o.devices = (size_t)v;
			else if (!strcmp(a, "--counties"))
				o.counties = (size_t)v;
			else
				o.seed = v;
		} else if (!strcmp(a, "--out") && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (a[0] == '-' || form) {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", a);
			return cli_usage("synth");
		} else {
			form = a;
		}
	}
	if (!form || !o.households || !o.out_dir)
		return cli_usage("synth");
	if (mkdir(o.out_dir, 0755) < 0 && errno != EEXIST) {
		cli_errorf("%s：无法创建目录：%s", "%s: cannot create the folder: %s", o.out_dir,
			   strerror(errno));
		return EXIT_FAIL;
	}
	if (form_load(form, &f, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (synth_run(f, &o, &res, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		goto done;
	}
	printf(T_("%zu 个数据包：%zu 个访谈（%zu 个已完成），%zu 个答案，%zu 个事件\n",
		  "%zu bundles: %zu interviews (%zu completed), %zu answers, %zu events\n"),
	       res.bundles, res.interviews, res.completed, res.answers, res.events);
	ret = EXIT_OK;
done:
	diag_list_free(&dl);
	form_free(f);
	return ret;
}
