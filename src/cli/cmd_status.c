/*
 * cmd_status — `ruhu status --db DB`: progress against the sample by county,
 * village and enumerator, and the latest bundle of each device (so a laptop
 * whose work is missing shows). Data from sync/status.c.
 */
#include "cli.h"
#include "ruhu/utf8.h"
#include "commands.h"

#include "ruhu/bundle.h"
#include "ruhu/i18n.h"
#include "ruhu/keys.h"
#include "ruhu/seal.h"
#include "ruhu/pg.h"
#include "ruhu/status.h"
#include "ruhu/store.h"

#include <stdio.h>
#include <string.h>

/* Prints s left-aligned in `cols` display columns. */
static void pad(const char *s, size_t cols)
{
	size_t w;

	s = cli_safe(s); /* names come from the sample and bundles */
	w = utf8_width(s);

	fputs(s, stdout);
	while (w++ < cols)
		putchar(' ');
}

static void header(const char *title)
{
	static const char *const zh[] = {"样本", "已开始", "已完成", "已通过", "已退回", "重复"};
	static const char *const en[] = {"assigned", "started", "completed", "approved",
					 "rejected", "dupl."};
	static const size_t cols[] = {8, 8, 9, 8, 8, 6};
	size_t i;

	printf("\n%s\n  ", title);
	pad("", 34);
	for (i = 0; i < 6; i++) {
		const char *h = T_(zh[i], en[i]);
		size_t w = utf8_width(h);

		putchar(' ');
		while (w++ < cols[i])
			putchar(' ');
		fputs(h, stdout);
	}
	putchar('\n');
}

static void row(const struct status_row *r)
{
	fputs("  ", stdout);
	pad(r->name, 34);
	printf(" %8zu %8zu %9zu %8zu %8zu %6zu\n", r->assigned, r->started, r->completed,
	       r->approved, r->rejected, r->duplicates);
}

/* `ruhu status --bundle FILE`: what a bundle file is, without any key */
static int describe_bundle(const char *path)
{
	struct error err = ERROR_INIT;
	struct seal_header h;
	int rc = keys_describe(path, &h, &err);

	if (rc < 0) {
		cli_error(&err);
		error_clear(&err);
		return EXIT_FAIL;
	}
	if (rc == 1) {
		char fp[65], sfp[32];

		seal_fingerprint(h.signer, NULL, fp);
		seal_fingerprint_short(fp, sfp);
		printf(T_("%s：签名的%s数据包（签名有效）\n", "%s: signed %s bundle (signature valid)\n"),
		       cli_safe(path),
		       h.kind == BUNDLE_RETURN ? T_("返回", "return") : T_("设备", "device"));
		printf(T_("  设备 %s，第 %lld 号，写于 %s\n", "  device %s, bundle %lld, written %s\n"),
		       cli_safe(h.device), h.sequence, cli_safe(h.created));
		if (*h.for_device)
			printf(T_("  给设备 %s\n", "  for device %s\n"), cli_safe(h.for_device));
		printf(T_("  %zu 个访谈，%zu 个答案，%zu 个事件\n",
			  "  %zu interviews, %zu answers, %zu events\n"),
		       h.interviews, h.answers, h.events);
		printf(T_("  签名密钥 %s\n", "  signing key %s\n"), sfp);
		if (h.encrypted) {
			seal_fingerprint_short(h.team, sfp);
			printf(T_("  已加密给团队 %s（%zu 个收件密钥）\n",
				  "  encrypted to team %s (%zu recipient keys)\n"),
			       sfp, h.n_keys);
		} else {
			printf("  %s\n", T_("未加密", "not encrypted"));
		}
		return EXIT_OK;
	}
	{
		struct bundle_manifest *m = NULL;

		if (bundle_read_file(path, NULL, NULL, &m, &err) < 0) {
			cli_error(&err);
			error_clear(&err);
			return EXIT_FAIL;
		}
		printf(T_("%s：未签名的%s数据包\n", "%s: unsigned %s bundle\n"), cli_safe(path),
		       m->kind == BUNDLE_RETURN ? T_("返回", "return") : T_("设备", "device"));
		printf(T_("  设备 %s，第 %lld 号，写于 %s\n", "  device %s, bundle %lld, written %s\n"),
		       cli_safe(m->device), m->sequence, cli_safe(m->created));
		printf(T_("  %zu 个访谈，%zu 个答案，%zu 个事件\n",
			  "  %zu interviews, %zu answers, %zu events\n"),
		       m->rows[BS_INTERVIEWS], m->rows[BS_ANSWERS], m->rows[BS_EVENTS]);
		bundle_manifest_free(m);
	}
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	static const char *const titles_zh[] = {"按县", "按村（县/乡/村）", "按调查员"};
	static const char *const titles_en[] = {"by county", "by village (county/township/village)",
						"by enumerator"};
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	struct pg *pg = NULL;
	struct status_report r;
	const char *db = NULL;
	int i, g;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			return describe_bundle(argv[i + 1]);
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("status");
		}
	}
	if (!db)
		return cli_usage("status");
	if (pg_is_conninfo(db)) {
		/* a team database on PostgreSQL: named without its connection
		 * string (which may hold a password) */
		if (pg_open(db, 0, &pg, &err) < 0 || pg_status_report(pg, &r, &err) < 0) {
			cli_error(&err);
			error_clear(&err);
			pg_close(pg);
			return EXIT_FAIL;
		}
		db = pg_name(pg);
	} else if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0 ||
		   store_status_report(s, &r, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		store_close(s);
		return EXIT_FAIL;
	}
	printf(T_("数据库 %s\n", "database %s\n"), cli_safe(db));
	header(T_("合计", "total"));
	{
		struct status_row t = r.total;

		t.name = (char *)T_("全部样本", "all households");
		row(&t);
	}
	for (g = 0; g < STATUS_NGROUPS; g++) {
		header(T_(titles_zh[g], titles_en[g]));
		for (k = 0; k < r.n[g]; k++)
			row(&r.rows[g][k]);
	}
	if (r.outside)
		printf(T_("\n样本外的访谈：%zu\n", "\ninterviews outside the sample: %zu\n"), r.outside);
	printf("\n%s\n", T_("各设备最近合并的数据包", "latest bundle merged per device"));
	if (!r.n_dev)
		printf("  %s\n", T_("（尚未合并任何数据包）", "(no bundle merged yet)"));
	for (k = 0; k < r.n_dev; k++)
		printf(T_("  %s  第 %lld 号（写于 %s），共 %zu 个数据包\n",
			  "  %s  bundle %lld (written %s), %zu bundles in all\n"),
		       cli_safe(r.dev[k].device), r.dev[k].sequence, cli_safe(r.dev[k].created),
		       r.dev[k].bundles);
	store_status_report_release(&r);
	store_close(s);
	pg_close(pg);
	return EXIT_OK;
}
