/*
 * cmd_import — `ruhu import --db DB BUNDLE...`: applies return bundles (the
 * team leader's assignments and sent-back interviews) to this device's
 * database, with the same guarantees as `ruhu merge` (cmd_merge.c). Then
 * lists the interviews waiting to be redone (status rejected) with the team
 * leader's comment, so the enumerator sees what came back.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/store.h"

#include <stdio.h>
#include <string.h>

static int count_rejected(void *ctx, const struct store_interview *iv)
{
	if (iv->status == STORE_REJECTED)
		++*(size_t *)ctx;
	return 0;
}

/* a reviewer's comment on one question: made on another device (the team
 * leader's), printed under its interview */
static int print_note(void *ctx, const struct store_comment *c)
{
	struct store *s = ctx;

	if (c->path && c->device && strcmp(c->device, store_device_id(s)) != 0) {
		printf("    %s: ", cli_safe(c->path));
		printf("%s", cli_safe(c->text));
		if (c->author)
			printf(" (%s)", cli_safe(c->author));
		printf("\n");
	}
	return 0;
}

struct rejected_ctx {
	struct store *s;
	struct error *err;
};

static int print_rejected(void *ctx, const struct store_interview *iv)
{
	struct rejected_ctx *rc = ctx;

	if (iv->status != STORE_REJECTED)
		return 0;
	printf("  %s  %s  %s\n", iv->household_key ? cli_safe(iv->household_key) : "-",
	       cli_safe(iv->uuid), cli_safe(iv->review_comment));
	return store_comments_each(rc->s, iv->uuid, print_note, rc->s, rc->err);
}

/* Prints the rejected interviews of `db`; 0, or -1 with the message printed. */
static int list_rejected(const char *db)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	size_t n = 0;
	int ret = -1;

	/* a database that does not open was already reported by the apply */
	if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0) {
		error_clear(&err);
		return 0;
	}
	if (store_interviews_changed_since(s, 0, count_rejected, &n, &err) < 0)
		goto done;
	if (n) {
		printf(T_("退回待修改的访谈：%zu 个\n", "interviews sent back to redo: %zu\n"), n);
		struct rejected_ctx rc = {s, &err};

		if (store_interviews_changed_since(s, 0, print_rejected, &rc, &err) < 0)
			goto done;
	}
	ret = 0;
done:
	if (ret < 0)
		cli_error(&err);
	error_clear(&err);
	store_close(s);
	return ret;
}

int cmd_import(int argc, char **argv)
{
	const char *db = NULL;
	int i, first = -1, rc;

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
	rc = cli_apply_bundles(db, argv + first, argc - first, true);
	if (rc != EXIT_USAGE && list_rejected(db) < 0 && rc == EXIT_OK)
		rc = EXIT_FAIL;
	return rc;
}
