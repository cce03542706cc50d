/*
 * cmd_conflicts — `ruhu conflicts --db TEAM.db` lists the conflicts and
 * duplicates merges kept; `ruhu conflicts --db TEAM.db --resolve UUID HASH
 * [--author NAME]` chooses one version of a conflict (sync/conflicts.c):
 * recorded as an event, reversible by choosing again.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/merge.h"
#include "ruhu/store.h"

#include <stdio.h>
#include <string.h>

static void list(const struct conflict *c, size_t nc, const struct duplicate *d, size_t nd)
{
	size_t i, j, open = 0;

	for (i = 0; i < nc; i++)
		open += !c[i].resolved;
	printf(T_("冲突：%zu 个（未解决 %zu 个）\n", "conflicts: %zu (%zu unresolved)\n"), nc, open);
	for (i = 0; i < nc; i++) {
		printf("  %s %s %s %lld %s\n", c[i].uuid, c[i].household_key ? c[i].household_key : "-",
		       T_("版本", "revision"), (long long)c[i].revision,
		       c[i].resolved ? T_("已解决", "resolved") : T_("未解决", "unresolved"));
		for (j = 0; j < c[i].n; j++) {
			const struct conflict_version *v = &c[i].v[j];

			printf("    %c %.12s  %s %s  %s %s  %zu %s\n", v->current ? '*' : ' ',
			       v->content_sha256, T_("设备", "device"), v->device,
			       T_("状态", "status"), v->status, v->n_answers, T_("个答案", "answers"));
		}
	}
	printf(T_("重复：%zu 对\n", "duplicates: %zu pairs\n"), nd);
	for (i = 0; i < nd; i++)
		printf("  %s  %s (%s)  %s (%s)\n", d[i].household_key, d[i].uuid_a,
		       d[i].status_a ? d[i].status_a : "-", d[i].uuid_b,
		       d[i].status_b ? d[i].status_b : "-");
}

int cmd_conflicts(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	const char *db = NULL, *uuid = NULL, *hash = NULL, *author = NULL;
	int i, ret = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--resolve") && i + 2 < argc) {
			uuid = argv[++i];
			hash = argv[++i];
		} else if (!strcmp(argv[i], "--author") && i + 1 < argc)
			author = argv[++i];
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("conflicts");
		}
	}
	if (!db)
		return cli_usage("conflicts");
	if (store_open(db, 0, &s, &err) < 0)
		goto fail;
	if (uuid) {
		if (conflict_resolve(s, uuid, hash, author, &err) < 0)
			goto fail;
		printf(T_("%s：已选用版本 %s\n", "%s: version %s chosen\n"), uuid, hash);
	} else {
		struct conflict *c;
		struct duplicate *d;
		size_t nc, nd;

		if (conflicts_list(s, &c, &nc, &d, &nd, &err) < 0)
			goto fail;
		list(c, nc, d, nd);
		conflicts_free(c, nc, d, nd);
	}
	ret = EXIT_OK;
	goto done;
fail:
	cli_error(&err);
	error_clear(&err);
done:
	store_close(s);
	return ret;
}
