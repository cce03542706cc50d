/*
 * cmd_import — `ruhu import --db DB BUNDLE...`: applies return bundles (the
 * team leader's assignments and sent-back interviews) to this device's
 * database, with the same guarantees as `ruhu merge` (cmd_merge.c).
 */
#include "cli.h"
#include "commands.h"

#include <string.h>

int cmd_import(int argc, char **argv)
{
	const char *db = NULL;
	int i, first = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] == '-') {
			cli_errorf("未知选项 '%s'", "unknown option '%s'", argv[i]);
			return cli_usage("import");
		} else {
			first = i;
			break;
		}
	}
	if (!db || first < 0)
		return cli_usage("import");
	return cli_apply_bundles(db, argv + first, argc - first, true);
}
