/*
 * cmd_db — `ruhu db init --db URL`: creates (or brings up to date) the ruhu
 * schema in a PostgreSQL database (src/pg); `ruhu db copy --from A --to B`:
 * a whole team database between SQLite and PostgreSQL, either way, into an
 * empty target, in one transaction (store_copy_out / pg_copy_out into the
 * other side's sink). The connection string goes to
 * libpq and is never printed: messages name the server as
 * postgresql:DBNAME@HOST.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/pg.h"
#include "ruhu/store.h"

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

/* one end of a copy: a PostgreSQL database or a SQLite file */
struct end {
	struct pg *pg;
	struct store *s;
	const char *name;
};

static int end_open(struct end *e, const char *db, bool target, struct error *err)
{
	memset(e, 0, sizeof(*e));
	if (pg_is_conninfo(db)) {
		if (pg_open(db, target ? PG_OPEN_INIT : 0, &e->pg, err) < 0)
			return -1;
		e->name = pg_name(e->pg);
		return 0;
	}
	if (store_open(db, target ? STORE_OPEN_CREATE : STORE_OPEN_CHECK, &e->s, err) < 0)
		return -1;
	e->name = db;
	return 0;
}

static void end_close(struct end *e)
{
	pg_close(e->pg);
	store_close(e->s);
}

static int db_copy(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	const char *from = NULL, *to = NULL;
	const struct store_copy_sink *k;
	struct end a, b;
	void *ctx;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc) {
			from = argv[++i];
		} else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[++i];
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("db");
		}
	}
	if (!from || !to)
		return cli_usage("db");
	if (end_open(&a, from, false, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		return EXIT_FAIL;
	}
	if (end_open(&b, to, true, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		end_close(&a);
		return EXIT_FAIL;
	}
	if (b.pg) {
		k = pg_copy_sink(b.pg, &ctx);
	} else {
		k = store_copy_sink();
		ctx = b.s;
	}
	rc = a.pg ? pg_copy_out(a.pg, k, ctx, &err) : store_copy_out(a.s, k, ctx, &err);
	if (rc < 0) {
		cli_error(&err);
		error_clear(&err);
	} else {
		printf(T_("已复制：%s → %s\n", "copied: %s -> %s\n"), cli_safe(a.name),
		       cli_safe(b.name));
	}
	end_close(&a);
	end_close(&b);
	return rc < 0 ? EXIT_FAIL : EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("db");
	if (!strcmp(argv[1], "init"))
		return db_init(argc - 2, argv + 2);
	if (!strcmp(argv[1], "copy"))
		return db_copy(argc - 2, argv + 2);
	cli_errorf("未知的 db 子命令 '%s'", "unknown db subcommand '%s'", argv[1]);
	return cli_usage("db");
}
