/*
 * cmd_backcheck — `ruhu backcheck draw --db TEAM.db --rate R[%]
 * [--min-per-enumerator N] [--seed S] --out FILE.csv`: the households a
 * back-check team re-interviews (audit_backcheck_draw), written as a sample
 * file `ruhu assign` reads, with the original interview and enumerator as
 * preload columns. The file is written under a temporary name and renamed,
 * so a half-written list never exists under FILE.
 *
 * `ruhu backcheck compare --db TEAM.db [--rules FILE] [--format table|csv]`:
 * every merged back-check against its original (audit_backcheck_compare):
 * discrepancy rates by type, enumerator and field, and the pairs that differ.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/audit.h"
#include "ruhu/i18n.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void field(FILE *out, const char *s, bool last)
{
	cli_csv_cell(out, s);
	putc(last ? '\n' : ',', out);
}

static int write_list(const char *path, const struct audit_backcheck *b)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *out;
	size_t i;
	int ret = -1;

	strbuf_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	out = fopen(tmp.buf, "w");
	if (!out) {
		cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", tmp.buf, strerror(errno));
		goto done;
	}
	fputs("household_key,county,township,village,household_type,head_name,enumerator,device,"
	      "original_interview,original_enumerator\n",
	      out);
	for (i = 0; i < b->n; i++) {
		const struct audit_backcheck_row *r = &b->rows[i];

		field(out, r->household_key, false);
		field(out, r->county, false);
		field(out, r->township, false);
		field(out, r->village, false);
		field(out, r->household_type, false);
		field(out, r->head_name, false);
		field(out, "", false); /* the back-check team assigns its own people */
		field(out, "", false);
		field(out, r->interview, false);
		field(out, r->enumerator, true);
	}
	if (fflush(out) != 0 || ferror(out) || fsync(fileno(out)) != 0) {
		cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", tmp.buf, strerror(errno));
		fclose(out);
		unlink(tmp.buf);
		goto done;
	}
	if (fclose(out) != 0 || rename(tmp.buf, path) != 0) {
		cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
		goto done;
	}
	ret = 0;
done:
	strbuf_release(&tmp);
	return ret;
}

/* "10%", "10" (both 10%), or "0.1" (a fraction below 1): the rate as a fraction. */
static int parse_rate(const char *s, double *rate)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno)
		return -1;
	if (*end == '%' && !end[1])
		v /= 100;
	else if (*end)
		return -1;
	else if (v >= 1)
		v /= 100;
	*rate = v;
	return v > 0 && v <= 1 ? 0 : -1;
}

static double pct(const struct audit_bc_rate *r)
{
	return r->compared ? 100.0 * (double)r->differ / (double)r->compared : 0;
}

static int compare(int argc, char **argv)
{
	static const char *const type_zh[] = {"类型1（不应变化）", "类型2（核查调查员）",
					       "类型3（可能变化）"};
	static const char *const type_en[] = {"type 1 (should not change)",
					      "type 2 (checks the enumerator)",
					      "type 3 (may change)"};
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct audit_rules *rules = NULL;
	struct audit_bc_report rep;
	struct store *s = NULL;
	const char *db = NULL, *rules_path = "forms/checks.csv", *format = "table";
	int a, ret = EXIT_FAIL;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	for (a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--db") && a + 1 < argc)
			db = argv[++a];
		else if (!strcmp(argv[a], "--rules") && a + 1 < argc)
			rules_path = argv[++a];
		else if (!strcmp(argv[a], "--format") && a + 1 < argc)
			format = argv[++a];
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[a]);
			return cli_usage("backcheck");
		}
	}
	if (!db || (strcmp(format, "table") && strcmp(format, "csv")))
		return cli_usage("backcheck");
	if (audit_rules_load(rules_path, &rules, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (audit_backcheck_compare(s, rules, &rep, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (!strcmp(format, "csv")) {
		fputs("household_key,original,backcheck,enumerator,checker,field,type,"
		      "original_value,backcheck_value,differs\n",
		      stdout);
		for (i = 0; i < rep.n_pairs; i++) {
			const struct audit_bc_pair *p = &rep.pairs[i];
			char t[4];

			snprintf(t, sizeof(t), "%d", p->type);
			field(stdout, p->household_key, false);
			field(stdout, p->original, false);
			field(stdout, p->backcheck, false);
			field(stdout, p->enumerator, false);
			field(stdout, p->checker, false);
			field(stdout, p->field, false);
			field(stdout, t, false);
			field(stdout, p->a, false);
			field(stdout, p->b, false);
			field(stdout, p->differs ? "1" : "0", true);
		}
	} else {
		printf(T_("回访比对：%zu 份回访与原访谈配对（%zu 份没有已合并的原访谈）\n\n",
			  "back-check compare: %zu back-checks matched to their originals (%zu "
			  "without a merged original)\n\n"),
		       rep.matched, rep.unmatched);
		printf("%s\n", T_("按类型的不一致率", "discrepancies by type"));
		for (i = 0; i < 3; i++)
			printf("  %-34s %5zu/%-5zu %5.1f%%\n", T_(type_zh[i], type_en[i]),
			       rep.by_type[i].differ, rep.by_type[i].compared, pct(&rep.by_type[i]));
		printf(T_("\n按调查员（类型1和2；! 表示超过 %.1f%%）\n",
			  "\nby enumerator (types 1 and 2; ! above %.1f%%)\n"),
		       rep.max_rate * 100);
		for (i = 0; i < rep.n_enumerators; i++)
			printf("%s %-20s %5zu/%-5zu %5.1f%%\n", rep.by_enumerator[i].flagged ? "!" : " ",
			       cli_safe(rep.by_enumerator[i].name), rep.by_enumerator[i].differ,
			       rep.by_enumerator[i].compared, pct(&rep.by_enumerator[i]));
		printf("\n%s\n", T_("按字段", "by field"));
		for (i = 0; i < rep.n_fields; i++)
			printf("  %-20s %5zu/%-5zu %5.1f%%\n", cli_safe(rep.by_field[i].name),
			       rep.by_field[i].differ, rep.by_field[i].compared, pct(&rep.by_field[i]));
		printf("\n%s\n", T_("不一致的答案（户、字段、类型：原访谈 → 回访，调查员 / 回访员）",
				     "answers that differ (household, field, type: original -> "
				     "back-check, enumerator / checker)"));
		for (i = 0; i < rep.n_pairs; i++) {
			const struct audit_bc_pair *p = &rep.pairs[i];

			if (!p->differs)
				continue;
			printf("  %s %s %d: %s -> ", cli_safe(p->household_key), cli_safe(p->field),
			       p->type, cli_safe(p->a));
			printf("%s  %s / ", cli_safe(p->b), cli_safe(p->enumerator));
			printf("%s\n", cli_safe(p->checker));
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_errorf("写入输出失败：%s", "cannot write the output: %s", strerror(errno));
		goto done;
	}
	ret = EXIT_OK;
done:
	audit_bc_report_release(&rep);
	audit_rules_free(rules);
	store_close(s);
	diag_list_free(&dl);
	error_clear(&err);
	return ret;
}

int cmd_backcheck(int argc, char **argv)
{
	struct audit_backcheck_opts o = {0, 1, 1};
	struct audit_backcheck b;
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	const char *db = NULL, *out = NULL, *rate = NULL;
	size_t i, enumerators = 0;
	int a, ret = EXIT_FAIL;

	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return compare(argc, argv);
	if (argc < 2 || strcmp(argv[1], "draw")) {
		if (argc >= 2)
			cli_errorf("未知的子命令 '%s'（draw 或 compare）",
				   "unknown subcommand '%s' (draw or compare)", argv[1]);
		return cli_usage("backcheck");
	}
	for (a = 2; a < argc; a++) {
		char *end;

		if (!strcmp(argv[a], "--db") && a + 1 < argc) {
			db = argv[++a];
		} else if (!strcmp(argv[a], "--out") && a + 1 < argc) {
			out = argv[++a];
		} else if (!strcmp(argv[a], "--rate") && a + 1 < argc) {
			rate = argv[++a];
		} else if (!strcmp(argv[a], "--min-per-enumerator") && a + 1 < argc) {
			errno = 0;
			o.min_per_enumerator = (size_t)strtoull(argv[++a], &end, 10);
			if (!*argv[a] || *end || errno || argv[a][0] == '-') {
				cli_errorf("--min-per-enumerator 需要一个非负整数，而不是 '%s'",
					   "--min-per-enumerator needs a whole number, not '%s'", argv[a]);
				return cli_usage("backcheck");
			}
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			errno = 0;
			o.seed = strtoull(argv[++a], &end, 10);
			if (!*argv[a] || *end || errno || argv[a][0] == '-') {
				cli_errorf("--seed 需要一个非负整数，而不是 '%s'",
					   "--seed needs a whole number, not '%s'", argv[a]);
				return cli_usage("backcheck");
			}
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[a]);
			return cli_usage("backcheck");
		}
	}
	if (!db || !out || !rate)
		return cli_usage("backcheck");
	if (parse_rate(rate, &o.rate) < 0) {
		cli_errorf("--rate 应为大于 0 且不超过 100%% 的比例（如 10%%），而不是 '%s'",
			   "--rate needs a share above 0 and at most 100%% (e.g. 10%%), not '%s'",
			   rate);
		return cli_usage("backcheck");
	}
	if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0 ||
	    audit_backcheck_draw(s, &o, &b, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (!b.eligible) {
		cli_errorf("'%s' 中没有可回访的已完成访谈（需有户编码）",
			   "'%s' has no completed interview of a sampled household to back-check", db);
		audit_backcheck_release(&b);
		goto done;
	}
	for (i = 0; i < b.n; i++)
		enumerators += i == 0 || strcmp(b.rows[i].enumerator, b.rows[i - 1].enumerator);
	if (write_list(out, &b) == 0) {
		if (i18n_lang() == LANG_ZH)
			printf("%s：从 %zu 户中抽取 %zu 户回访（%zu 名调查员，种子 %llu）",
			       cli_safe(out), b.eligible, b.n, enumerators,
			       (unsigned long long)o.seed);
		else
			printf("%s: %zu of %zu households drawn for back-checks (%zu enumerators, "
			       "seed %llu)",
			       cli_safe(out), b.n, b.eligible, enumerators, (unsigned long long)o.seed);
		if (b.skipped)
			printf(T_("；%zu 份访谈没有户编码，未参与抽样",
				  "; %zu interviews without a household key left out"),
			       b.skipped);
		putchar('\n');
		ret = EXIT_OK;
	}
	audit_backcheck_release(&b);
done:
	store_close(s);
	error_clear(&err);
	return ret;
}
