/*
 * cmd_sample — `ruhu sample --frame FRAME.csv --plan PLAN.csv [--seed S]
 * --out DIR [--summary]`: draws the field and phone samples of a plan from a
 * household frame (src/sample/sample_plan.c, sample_frame.c, sample_draw.c;
 * docs/sampling.md). The sample is secret: the files are written 0600 and
 * nothing of it goes to stdout unless --summary asks for the summary table.
 * A bad plan or frame is reported row by row and nothing is written.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/sample_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_sample(int argc, char **argv)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct sample_plan *plan = NULL;
	struct sample_frame *frame = NULL;
	struct sample_draw *draw = NULL;
	const char *fpath = NULL, *ppath = NULL, *out = NULL;
	unsigned long long seed = 1;
	int i, summary = 0, ret = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--frame") && i + 1 < argc)
			fpath = argv[++i];
		else if (!strcmp(a, "--plan") && i + 1 < argc)
			ppath = argv[++i];
		else if (!strcmp(a, "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--summary"))
			summary = 1;
		else if (!strcmp(a, "--seed") && i + 1 < argc) {
			char *end;

			errno = 0;
			seed = strtoull(argv[++i], &end, 10);
			if (errno || *end || !*argv[i] || argv[i][0] == '-') {
				cli_errorf("'%s' 的值 '%s' 无效", "invalid value '%2$s' for '%1$s'", a,
					   argv[i]);
				return cli_usage("sample");
			}
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", a);
			return cli_usage("sample");
		}
	}
	if (!fpath || !ppath || !out)
		return cli_usage("sample");
	if (sample_plan_load(ppath, &plan, &dl) < 0) {
		cli_diags(&dl);
		cli_errorf("%s：有错误，未抽样", "%s: has errors; nothing drawn", ppath);
		goto done;
	}
	if (sample_frame_load(fpath, plan, &frame, &dl) < 0) {
		cli_diags(&dl);
		cli_errorf("%s：有错误，未抽样", "%s: has errors; nothing drawn", fpath);
		goto done;
	}
	if (sample_draw(plan, frame, (uint64_t)seed, &draw, &dl) < 0) {
		cli_diags(&dl);
		cli_errorf("无法按方案抽样，未写出任何文件", "the plan cannot be met; nothing written");
		goto done;
	}
	if (sample_draw_write(draw, out, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		goto done;
	}
	if (summary) {
		struct strbuf sb = STRBUF_INIT;

		sample_draw_summary(draw, &sb);
		fputs(cli_safe_data(sb.buf, stdout), stdout);
		strbuf_release(&sb);
	}
	ret = EXIT_OK;
done:
	diag_list_free(&dl);
	sample_draw_free(draw);
	sample_frame_free(frame);
	sample_plan_free(plan);
	return ret;
}
