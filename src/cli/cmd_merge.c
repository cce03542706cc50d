/*
 * cmd_merge — `ruhu merge --db TEAM.db BUNDLE...`: merges device bundles into
 * the team database, each verified completely and applied in one transaction
 * (sync/merge.c). A refused bundle does not stop the others; the exit code is
 * 1 when any was refused. Progress goes to stderr when it is a terminal; the
 * summary to stdout.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/keys.h"
#include "ruhu/merge.h"
#include "ruhu/merge_target.h"
#include "ruhu/pg.h"
#include "ruhu/seal.h"
#include "ruhu/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
	bool tty;
	int i, n;
	const char *name;
	struct timespec t0;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	double dt = since(&p->t0);

	if (!p->tty)
		return;
	fprintf(stderr, T_("\r数据包 %d/%d：%zu/%zu 行，%.0f 行/秒   ",
			   "\rbundle %d of %d: %zu/%zu rows, %.0f rows/s   "),
		p->i, p->n, done, total, dt > 0 ? (double)done / dt : 0.0);
	fflush(stderr);
}

/* Shared by merge and import: applies each bundle, prints one line per
 * bundle and a summary. Returns the exit code. */
/* Into PostgreSQL: the team keys live in a SQLite team database only (issue
 * 16), so a sealed bundle is refused with what to do instead of failing as
 * "not gzip" in the plain reader. */
static int merge_pg_bundle(const struct merge_target *tg, const char *path,
			   struct merge_stats *st, struct progress *p, struct error *err)
{
	struct seal_header h;

	if (keys_describe(path, &h, err) < 0)
		return -1;
	if (h.device[0]) {
		error_set(err, path,
			  "这是签名的数据包，团队密钥目前只在 SQLite 团队库中：先合并到 SQLite 团队库，"
			  "再用 ruhu db copy 复制到服务器",
			  "this is a sealed bundle and team keys live in a SQLite team database only "
			  "for now: merge it into a SQLite team database, then ruhu db copy it to the "
			  "server");
		return -1;
	}
	return merge_bundle_into(tg, path, false, st, on_progress, p, err);
}

int cli_apply_bundles(const char *db, char **bundles, int n, bool import)
{
	struct store *s = NULL;
	struct pg *pg = NULL;
	struct merge_target tg;
	struct error err = ERROR_INIT;
	struct merge_stats tot, st;
	struct progress p;
	struct keys_ring *ring;
	struct keys_verdict kv;
	int i, refused = 0, already = 0, merged = 0;

	memset(&tot, 0, sizeof(tot));
	if (pg_is_conninfo(db)) {
		/* a team database on PostgreSQL (issue 19); device databases
		 * (import) stay SQLite */
		if (import) {
			cli_errorf("设备数据库须是 SQLite 文件，不能是 PostgreSQL",
				   "a device database is a SQLite file, not PostgreSQL");
			return EXIT_FAIL;
		}
		if (pg_open(db, 0, &pg, &err) < 0) {
			cli_error(&err);
			error_clear(&err);
			return EXIT_FAIL;
		}
		tg = pg_merge_target(pg);
	} else {
		if (store_open(db, STORE_OPEN_CHECK | (import ? 0 : STORE_OPEN_CREATE), &s,
			       &err) < 0) {
			cli_error(&err);
			error_clear(&err);
			return EXIT_FAIL;
		}
		tg = store_merge_target(s);
	}
	ring = s ? keys_ring_new(s, cli_passphrase, NULL) : NULL;
	memset(&p, 0, sizeof(p));
	p.tty = isatty(2);
	p.n = n;
	for (i = 0; i < n; i++) {
		int rc;

		p.i = i + 1;
		p.name = bundles[i];
		clock_gettime(CLOCK_MONOTONIC, &p.t0);
		memset(&kv, 0, sizeof(kv));
		if (pg)
			rc = merge_pg_bundle(&tg, bundles[i], &st, &p, &err);
		else
			rc = keys_merge_bundle(ring, bundles[i], import, &kv, &st, on_progress, &p,
					       &err);
		if (p.tty)
			fprintf(stderr, "\r\033[K");
		if (rc < 0) {
			fflush(stdout);
			cli_error(&err);
			error_clear(&err);
			refused++;
			continue;
		}
		if (kv.enrolled_now)
			printf(T_("%s：警告：设备 '%s' 的签名密钥 %.20s 是首次出现，已登记（首次使用即登记）；"
				  "请与设备核对指纹\n",
				  "%s: warning: device '%s' signed with key %.20s seen for the first time, "
				  "enrolled on first use; compare the fingerprint with the device\n"),
			       cli_safe(bundles[i]), cli_safe(kv.device), kv.signer_fp);
		if (kv.gap_from)
			printf(T_("%s：警告：缺少设备 '%s' 的第 %lld 至 %lld 号数据包\n",
				  "%s: warning: device '%s' is missing bundles %lld to %lld\n"),
			       cli_safe(bundles[i]), cli_safe(kv.device), (long long)kv.gap_from,
			       (long long)kv.gap_to);
		if (kv.pinned_now)
			printf(T_("%s：已固定团队签名密钥 %.20s\n", "%s: team signing key %.20s pinned\n"),
			       cli_safe(bundles[i]), kv.signer_fp);
		if (rc == MERGE_ALREADY) {
			printf(T_("%s：已合并过，未做更改\n", "%s: already merged, nothing changed\n"),
			       cli_safe(bundles[i]));
			already++;
			continue;
		}
		merged++;
		printf(T_("%s：新访谈 %zu，更新 %zu，未变 %zu，冲突 %zu，重复 %zu，"
			  "新事件 %zu，%zu 个答案（%.2f 秒）\n",
			  "%s: %zu new, %zu updated, %zu unchanged interviews, %zu conflicts, "
			  "%zu duplicates, %zu new events, %zu answers (%.2f s)\n"),
		       cli_safe(bundles[i]), st.iv_new, st.iv_updated, st.iv_unchanged, st.conflicts,
		       st.duplicates, st.events_new, st.answers, since(&p.t0));
		if (st.events_clash)
			printf(T_("%s：警告：%zu 个事件与同一设备已合并的事件编号相同但内容不同，"
				  "两个版本都已保留；这台设备的数据库可能被复制到了另一台电脑上\n",
				  "%s: warning: %zu events have the number of a different event already "
				  "merged from the same device; both versions are kept; this device's "
				  "database may have been copied to another laptop\n"),
			       cli_safe(bundles[i]), st.events_clash);
		tot.iv_new += st.iv_new;
		tot.iv_updated += st.iv_updated;
		tot.iv_unchanged += st.iv_unchanged;
		tot.conflicts += st.conflicts;
		tot.duplicates += st.duplicates;
		tot.assignments += st.assignments;
	}
	printf(T_("合计：%d 个数据包已合并，%d 个已合并过，%d 个被拒绝；访谈 新 %zu / 更新 %zu / "
		  "未变 %zu；冲突 %zu；重复 %zu\n",
		  "total: %d bundles merged, %d already merged, %d refused; interviews new %zu / "
		  "updated %zu / unchanged %zu; conflicts %zu; duplicates %zu\n"),
	       merged, already, refused, tot.iv_new, tot.iv_updated, tot.iv_unchanged,
	       tot.conflicts, tot.duplicates);
	if (import && tot.assignments)
		printf(T_("样本分配：%zu 户\n", "assignments: %zu households\n"), tot.assignments);
	keys_ring_free(ring);
	store_close(s);
	pg_close(pg);
	return refused ? EXIT_FAIL : EXIT_OK;
}

int cmd_merge(int argc, char **argv)
{
	const char *db = NULL;
	int i, first = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--")) {
			first = i + 1;
			break;
		} else if (argv[i][0] == '-') {
			cli_errorf("未知选项 '%s'", "unknown option '%s'", argv[i]);
			return cli_usage("merge");
		} else {
			first = i;
			break;
		}
	}
	if (!db || first < 0 || first >= argc)
		return cli_usage("merge");
	for (i = first; i < argc; i++)
		if (!strcmp(argv[i], "--db")) {
			cli_errorf("选项 '--db' 须写在数据包之前", "option '--db' must come before the bundles");
			return cli_usage("merge");
		}
	return cli_apply_bundles(db, argv + first, argc - first, false);
}
