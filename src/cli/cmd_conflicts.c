/*
 * cmd_conflicts — `ruhu conflicts --db TEAM.db` lists the conflicts and
 * duplicates merges kept; `ruhu conflicts --db TEAM.db --resolve UUID HASH
 * [--author NAME]` chooses one version of a conflict (sync/conflicts.c):
 * recorded as an event, reversible by choosing again. The listing marks the
 * version in use with '*': while unresolved the one the interview row holds
 * (conflicts_list), once resolved the one the latest `conflict_resolved`
 * event chose (read with store_events_each), with who chose it.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/merge.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The latest choice among the versions of one conflicting revision. */
struct choice {
	char note[48]; /* old value of the event: "revision N" */
	char *hash;    /* new value: the chosen content hash */
	char *author;  /* extra: who chose */
};

static int on_event(void *ctx, const struct store_event *ev)
{
	struct choice *ch = ctx;

	if (strcmp(ev->kind, "conflict_resolved") || !ev->old_value || !ev->new_value ||
	    strcmp(ev->old_value, ch->note))
		return 0;
	free(ch->hash);
	free(ch->author);
	ch->hash = xstrdup(ev->new_value);
	ch->author = xstrdup(ev->extra);
	return 0;
}

/* Marks the chosen version of a resolved conflict as current; *author gets
 * who chose it (malloc'd, may be NULL). */
static int mark_choice(struct store *s, struct conflict *c, char **author, struct error *err)
{
	struct choice ch;
	size_t j;

	*author = NULL;
	memset(&ch, 0, sizeof(ch));
	snprintf(ch.note, sizeof(ch.note), "revision %lld", (long long)c->revision);
	if (store_events_each(s, c->uuid, on_event, &ch, err) < 0)
		return -1;
	for (j = 0; j < c->n; j++)
		c->v[j].current = ch.hash && !strcmp(ch.hash, c->v[j].content_sha256);
	free(ch.hash);
	*author = ch.author;
	return 0;
}

static int list(struct store *s, struct conflict *c, size_t nc, const struct duplicate *d,
		size_t nd, struct error *err)
{
	size_t i, j, open = 0;

	for (i = 0; i < nc; i++)
		open += !c[i].resolved;
	printf(T_("冲突：%zu 个（未解决 %zu 个）\n", "conflicts: %zu (%zu unresolved)\n"), nc, open);
	for (i = 0; i < nc; i++) {
		char *author = NULL;

		if (c[i].resolved && mark_choice(s, &c[i], &author, err) < 0)
			return -1;
		printf("  %s %s %s %lld %s", cli_safe(c[i].uuid),
		       c[i].household_key ? cli_safe(c[i].household_key) : "-",
		       T_("版本", "revision"), (long long)c[i].revision,
		       c[i].resolved ? T_("已解决", "resolved") : T_("未解决", "unresolved"));
		if (author && *author)
			printf(T_("（%s 选定）", " (chosen by %s)"), cli_safe(author));
		putchar('\n');
		free(author);
		for (j = 0; j < c[i].n; j++) {
			const struct conflict_version *v = &c[i].v[j];

			printf("    %c %.12s  %s %s  %s %s  %zu %s\n", v->current ? '*' : ' ',
			       cli_safe(v->content_sha256), T_("设备", "device"), cli_safe(v->device),
			       T_("状态", "status"), cli_safe(v->status), v->n_answers, T_("个答案", "answers"));
		}
	}
	printf(T_("重复：%zu 对\n", "duplicates: %zu pairs\n"), nd);
	for (i = 0; i < nd; i++)
		printf("  %s  %s (%s)  %s (%s)\n", cli_safe(d[i].household_key),
		       cli_safe(d[i].uuid_a), d[i].status_a ? cli_safe(d[i].status_a) : "-",
		       cli_safe(d[i].uuid_b), d[i].status_b ? cli_safe(d[i].status_b) : "-");
	return 0;
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
		printf(T_("%s：已选用版本 %s\n", "%s: version %s chosen\n"), cli_safe(uuid), cli_safe(hash));
	} else {
		struct conflict *c;
		struct duplicate *d;
		size_t nc, nd;
		int rc;

		if (conflicts_list(s, &c, &nc, &d, &nd, &err) < 0)
			goto fail;
		rc = list(s, c, nc, d, nd, &err);
		conflicts_free(c, nc, d, nd);
		if (rc < 0)
			goto fail;
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
