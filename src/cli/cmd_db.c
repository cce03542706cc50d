/*
 * cmd_db — `ruhu db init --db URL`: creates (or brings up to date) the ruhu
 * schema in a PostgreSQL database (src/pg). The connection string goes to
 * libpq and is never printed: messages name the server as
 * postgresql:DBNAME@HOST.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/pg.h"

#include <stdio.h>
#include <string.h>

static int db_init(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	const char *db = NULL;
	struct pg *pg = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("db");
		}
	}
	if (!db)
		return cli_usage("db");
	if (!pg_is_conninfo(db)) {
		cli_errorf("db init 只用于 PostgreSQL（postgresql://… 或 host=… dbname=…）；"
			   "SQLite 数据库在第一次使用时自动创建",
			   "db init is for PostgreSQL (postgresql://... or host=... dbname=...); a "
			   "SQLite database is created when first used");
		return EXIT_USAGE;
	}
	if (pg_open(db, PG_OPEN_INIT, &pg, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		return EXIT_FAIL;
	}
	printf(T_("%s：数据库已就绪，结构版本 %d\n", "%s: database ready, schema version %d\n"),
	       cli_safe(pg_name(pg)), pg_schema_version());
	pg_close(pg);
	return EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("db");
	if (!strcmp(argv[1], "init"))
		return db_init(argc - 2, argv + 2);
	cli_errorf("未知的 db 子命令 '%s'", "unknown db subcommand '%s'", argv[1]);
	return cli_usage("db");
}
