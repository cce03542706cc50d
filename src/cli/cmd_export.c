/*
 * cmd_export — `ruhu export --db DB --out DIR [--all]` writes one device
 * bundle of everything changed since the last export (`--again SEQ`: since
 * the export before bundle SEQ, which the team refused); `ruhu export --db
 * TEAM.db --for DEVICE --out DIR` writes a return bundle for DEVICE
 * (sync/export.c). Prints the path of the bundle written.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/keys.h"
#include "ruhu/merge.h"
#include "ruhu/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
	struct export_opts o;
	struct export_result res;
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	struct keys_ring *ring = NULL;
	const char *db = NULL;
	int i, ret = EXIT_FAIL;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			o.out_dir = argv[++i];
		else if (!strcmp(argv[i], "--for") && i + 1 < argc)
			o.for_device = argv[++i];
		else if (!strcmp(argv[i], "--all"))
			o.all = true;
		else if (!strcmp(argv[i], "--again") && i + 1 < argc) {
			char *end;

			errno = 0;
			o.again = strtoll(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end || o.again < 1) {
				cli_errorf("--again 需要一个正整数（数据包序号），不是 '%s'",
					   "--again takes a positive number (a bundle sequence), not '%s'",
					   argv[i]);
				return cli_usage("export");
			}
		}
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("export");
		}
	}
	if (!db || !o.out_dir)
		return cli_usage("export");
	if (store_open(db, 0, &s, &err) < 0)
		goto fail;
	ring = keys_ring_new(s, cli_passphrase, NULL);
	if (export_bundle_sealed(s, &o, keys_export_seal, ring, &res, &err) < 0)
		goto fail;
	if (res.stale_removed)
		printf(T_("已删除 %zu 个被中断的导出留下的临时文件\n",
			  "removed %zu temporary files left by interrupted exports\n"),
		       res.stale_removed);
	if (!res.path)
		printf("%s\n", T_("没有需要导出的内容", "nothing to export"));
	else if (o.for_device)
		printf(T_("%s：%zu 户样本，%zu 个退回的访谈\n",
			  "%s: %zu assignments, %zu interviews sent back\n"),
		       cli_safe(res.path), res.assignments, res.interviews);
	else
		printf(T_("%s：%zu 个访谈，%zu 个答案，%zu 个事件，%zu 条批注\n",
			  "%s: %zu interviews, %zu answers, %zu events, %zu comments\n"),
		       cli_safe(res.path), res.interviews, res.answers, res.events, res.comments);
	export_result_release(&res);
	ret = EXIT_OK;
	goto done;
fail:
	cli_error(&err);
	error_clear(&err);
done:
	keys_ring_free(ring);
	store_close(s);
	return ret;
}
