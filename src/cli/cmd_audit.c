/*
 * cmd_audit — `ruhu audit --db TEAM.db [--rules FILE] [--format table|csv]
 * [--out FILE] [--since RUN] [--no-save]`: quality-control checks over the
 * team database (src/audit). Prints one row per finding and, as a table,
 * the summaries per check, enumerator and county and the enumerator
 * dashboard. The run and its findings are recorded in the database unless
 * --no-save.
 */
#include "cli.h"
#include "ruhu/utf8.h"
#include "commands.h"

#include "ruhu/audit.h"
#include "ruhu/i18n.h"
#include "ruhu/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s (made safe) left-aligned in `cols` display columns, then a space. */
static void pad(FILE *out, const char *s, size_t cols)
{
	size_t w;

	s = cli_safe(s);
	w = utf8_width(s);
	fputs(s, out);
	while (w++ < cols)
		putc(' ', out);
	putc(' ', out);
}

static void csv_field(FILE *out, const char *s, bool last)
{
	cli_csv_cell(out, s);
	putc(last ? '\n' : ',', out);
}

static const char *kind_name(enum audit_kind k)
{
	return k == AUDIT_RULE ? "rule" : k == AUDIT_PARADATA ? "paradata" : "batch";
}

static void print_csv(FILE *out, const struct audit_rules *r, const struct audit_report *rep,
		      bool only_new)
{
	char run[32];
	size_t i;

	snprintf(run, sizeof(run), "%lld", (long long)rep->run);
	fputs("run,check,kind,severity,interview,household_key,county,village,enumerator,device,"
	      "path,detail,new\n",
	      out);
	for (i = 0; i < rep->n_findings; i++) {
		const struct audit_finding *f = &rep->findings[i];

		if (only_new && !f->is_new)
			continue;
		csv_field(out, run, false);
		csv_field(out, f->check, false);
		csv_field(out, kind_name(audit_check_get(r, f->check_index)->kind), false);
		csv_field(out, audit_severity_name(f->severity), false);
		csv_field(out, f->interview, false);
		csv_field(out, f->household_key, false);
		csv_field(out, f->county, false);
		csv_field(out, f->village, false);
		csv_field(out, f->enumerator, false);
		csv_field(out, f->device, false);
		csv_field(out, f->path, false);
		csv_field(out, f->detail, false);
		csv_field(out, f->is_new ? "1" : "0", true);
	}
}

static void sums(FILE *out, const char *title, const struct audit_sum *v, size_t n, bool since)
{
	size_t i;

	fprintf(out, "\n%s\n  ", title);
	pad(out, "", 24);
	fprintf(out, "%10s %8s %8s %8s", T_("访谈", "interviews"), T_("发现", "findings"),
		T_("错误", "errors"), T_("警告", "warnings"));
	if (since)
		fprintf(out, " %8s", T_("新增", "new"));
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		fputs("  ", out);
		pad(out, v[i].name, 24);
		fprintf(out, "%10zu %8zu %8zu %8zu", v[i].interviews, v[i].findings, v[i].errors,
			v[i].warnings);
		if (since)
			fprintf(out, " %8zu", v[i].shown);
		fputc('\n', out);
	}
}

static void print_table(FILE *out, const char *db, const struct audit_rules *r,
			const struct audit_report *rep)
{
	bool since = rep->since > 0;
	size_t i, shown = 0;

	if (rep->run)
		fprintf(out, T_("审核运行 %lld：%s\n", "audit run %lld of %s\n"), (long long)rep->run,
			cli_safe(db));
	else
		fprintf(out, T_("审核（未保存）：%s\n", "audit (not saved) of %s\n"), cli_safe(db));
	fprintf(out, T_("规则文件 %s：%zu 项检查；%zu 份访谈，%zu 项发现", "rules %s: %zu checks; %zu interviews, %zu findings"),
		cli_safe(audit_rules_file(r)), audit_check_count(r), rep->interviews,
		rep->n_findings);
	if (since && i18n_lang() == LANG_ZH)
		fprintf(out, "，其中自运行 %lld 以来新增 %zu 项", (long long)rep->since, rep->n_new);
	else if (since)
		fprintf(out, ", %zu new since run %lld", rep->n_new, (long long)rep->since);
	fputs("\n\n", out);
	fprintf(out, "%s\n", since ? T_("新发现", "new findings") : T_("发现", "findings"));
	for (i = 0; i < rep->n_findings; i++) {
		const struct audit_finding *f = &rep->findings[i];
		char where[256], iv[16];

		if (since && !f->is_new)
			continue;
		shown++;
		snprintf(where, sizeof(where), "%s/%s", *f->county ? f->county : "-",
			 *f->village ? f->village : "-");
		snprintf(iv, sizeof(iv), "%.8s", *f->interview ? f->interview : "-");
		fputs("  ", out);
		pad(out, f->severity == AUDIT_ERROR ? T_("错误", "error") : T_("警告", "warning"),
		    7);
		pad(out, f->check, 25);
		pad(out, where, 12);
		pad(out, *f->household_key ? f->household_key : "-", 12);
		pad(out, *f->enumerator ? f->enumerator : "-", 8);
		fprintf(out, "%s%s%s\n", iv, *f->path ? " " : "", cli_safe(f->path));
		if (*f->detail)
			fprintf(out, "          %s\n", cli_safe(f->detail));
	}
	if (!shown)
		fprintf(out, "  %s\n", T_("（无）", "(none)"));

	fprintf(out, "\n%s\n", T_("按检查", "by check"));
	for (i = 0; i < rep->n_checks; i++) {
		const struct audit_check *c = audit_check_get(r, i);
		const struct audit_sum *s = &rep->by_check[i];

		fputs("  ", out);
		pad(out, c->id, 25);
		pad(out, c->severity == AUDIT_ERROR ? T_("错误", "error") : T_("警告", "warning"), 7);
		fprintf(out, "%5zu/%-5zu", s->findings, s->interviews);
		if (since)
			fprintf(out, T_(" 新增 %-4zu", " new %-4zu"), s->shown);
		fprintf(out, " %s\n", cli_safe(T_(c->desc_zh, c->desc_en)));
	}
	sums(out, T_("按调查员", "by enumerator"), rep->by_enumerator, rep->n_enumerators, since);
	sums(out, T_("按县", "by county"), rep->by_county, rep->n_counties, since);

	fprintf(out, "\n%s\n  ", T_("调查员看板（! = 发现率偏离同伴）",
				     "enumerator dashboard (! = finding rate far from peers)"));
	pad(out, "", 12);
	fprintf(out, "%6s %5s %7s %8s %6s %6s %8s %6s\n", T_("访谈", "ivs"), T_("天", "days"),
		T_("日均", "per day"), T_("中位分钟", "med min"), "dk%", T_("拒答%", "ref%"),
		T_("发现/访", "find/iv"), "z");
	for (i = 0; i < rep->n_dashboard; i++) {
		const struct audit_enumerator *d = &rep->dashboard[i];
		char med[16];

		if (isnan(d->median_minutes))
			snprintf(med, sizeof(med), "-");
		else
			snprintf(med, sizeof(med), "%.1f", d->median_minutes);
		fputs(d->flagged ? "! " : "  ", out);
		pad(out, d->name, 12);
		fprintf(out, "%6zu %5zu %7.1f %8s %6.1f %6.1f %8.2f %6.1f\n", d->interviews, d->days,
			d->per_day, med, d->dk_rate * 100, d->refused_rate * 100, d->findings_per_iv,
			d->z);
	}
}

/* ---- html: one self-contained polyglot XHTML file (no script, no link) ---- */

static void h_esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		/* XML forbids most C0 controls even as references: shown as text */
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') {
			fprintf(out, "\\x%02x", (unsigned char)*s);
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: putc(*s, out);
		}
	}
}

/* A horizontal bar chart: one bar per label, values v[i]. */
static void svg_bars(FILE *out, const char *title, const char *const *labels,
		     const size_t *v, size_t n)
{
	size_t i, max = 1, h = 22 * n + 30;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%zu\" "
		     "role=\"img\" aria-label=\"",
		h);
	h_esc(out, title);
	fputs("\">\n", out);
	for (i = 0; i < n; i++) {
		double w = 440.0 * (double)v[i] / (double)max;

		fprintf(out, "<text x=\"236\" y=\"%zu\" text-anchor=\"end\" font-size=\"12\">",
			22 * i + 18);
		h_esc(out, labels[i]);
		fprintf(out,
			"</text><rect x=\"242\" y=\"%zu\" width=\"%.1f\" height=\"16\" "
			"fill=\"#4a78a8\"/><text x=\"%.1f\" y=\"%zu\" font-size=\"12\">%zu</text>\n",
			22 * i + 5, w, 246 + w, 22 * i + 18, v[i]);
	}
	fputs("</svg>\n", out);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Durations in 10-minute bins up to the longest (the last bin open). */
static void svg_hist(FILE *out, const double *d, size_t n)
{
	size_t bins[13] = {0}, i, max = 1;
	static const char *const lab[13] = {"0", "10", "20", "30", "40", "50", "60",
					    "70", "80", "90", "100", "110", "120+"};

	for (i = 0; i < n; i++) {
		size_t b = d[i] < 0 ? 0 : (size_t)(d[i] / 10.0);

		bins[b > 12 ? 12 : b]++;
	}
	for (i = 0; i < 13; i++)
		if (bins[i] > max)
			max = bins[i];
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"200\" role=\"img\" "
	      "aria-label=\"durations\">\n",
	      out);
	for (i = 0; i < 13; i++) {
		double hh = 150.0 * (double)bins[i] / (double)max;

		fprintf(out,
			"<rect x=\"%zu\" y=\"%.1f\" width=\"48\" height=\"%.1f\" fill=\"#7a9a3a\"/>"
			"<text x=\"%zu\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%zu</text>"
			"<text x=\"%zu\" y=\"190\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
			20 + 56 * i, 170 - hh, hh, 44 + 56 * i, 166 - hh, bins[i], 44 + 56 * i,
			lab[i]);
	}
	fputs("</svg>\n", out);
}

static void print_html(FILE *out, const char *db, const struct audit_rules *r,
		       const struct audit_report *rep)
{
	const char **labels = calloc(rep->n_checks + rep->n_enumerators + 1, sizeof(char *));
	size_t *v = calloc(rep->n_checks + rep->n_enumerators + 1, sizeof(size_t));
	double *dur = calloc(rep->n_durations + 1, sizeof(double));
	bool since = rep->since > 0;
	size_t i;

	if (!labels || !v || !dur) {
		free(labels);
		free(v);
		free(dur);
		return;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	      "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"zh\" xml:lang=\"zh\">\n<head>\n"
	      "<meta charset=\"UTF-8\"/>\n<title>ruhu audit</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:1.5em;font-size:13px}\n"
	      "table{border-collapse:collapse;margin-bottom:1em}\n"
	      "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}\n"
	      "th{background:#eee}tr.error td:first-child{color:#a00;font-weight:bold}\n"
	      "tr.flag td{background:#fde}\n"
	      "@media print{body{margin:0}h2{page-break-after:avoid}}\n"
	      "</style>\n</head>\n<body>\n",
	      out);
	fprintf(out, "<h1>质量控制审核 / Quality-control audit");
	if (rep->run)
		fprintf(out, " — %lld", (long long)rep->run);
	fputs("</h1>\n<p>", out);
	h_esc(out, db);
	fputs(" · ", out);
	h_esc(out, audit_rules_file(r));
	fprintf(out, " · %zu 份访谈 / interviews · %zu 项发现 / findings", rep->interviews,
		rep->n_findings);
	if (since)
		fprintf(out, " · %zu 项自运行 %lld 以来新增 / new since run %lld", rep->n_new,
			(long long)rep->since, (long long)rep->since);
	fputs("</p>\n", out);

	fputs("<h2>按检查 / Findings per check</h2>\n", out);
	for (i = 0; i < rep->n_checks; i++) {
		labels[i] = rep->by_check[i].name;
		v[i] = rep->by_check[i].findings;
	}
	svg_bars(out, "findings per check", labels, v, rep->n_checks);
	fputs("<table>\n<tr><th>检查 / check</th><th>严重程度 / severity</th><th>发现 / findings"
	      "</th><th>访谈 / interviews</th><th>说明</th><th>description</th></tr>\n",
	      out);
	for (i = 0; i < rep->n_checks; i++) {
		const struct audit_check *c = audit_check_get(r, i);

		fprintf(out, "<tr class=\"%s\"><td>", audit_severity_name(c->severity));
		h_esc(out, c->id);
		fprintf(out, "</td><td>%s</td><td>%zu</td><td>%zu</td><td>",
			audit_severity_name(c->severity), rep->by_check[i].findings,
			rep->by_check[i].interviews);
		h_esc(out, c->desc_zh);
		fputs("</td><td>", out);
		h_esc(out, c->desc_en);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n<h2>按调查员 / Findings per enumerator</h2>\n", out);
	for (i = 0; i < rep->n_enumerators; i++) {
		labels[i] = rep->by_enumerator[i].name;
		v[i] = rep->by_enumerator[i].findings;
	}
	svg_bars(out, "findings per enumerator", labels, v, rep->n_enumerators);
	fputs("<h2>访谈时长（分钟）/ Interview durations (minutes)</h2>\n", out);
	if (rep->n_durations) {
		memcpy(dur, rep->durations, rep->n_durations * sizeof(double));
		qsort(dur, rep->n_durations, sizeof(double), cmp_dbl);
	}
	svg_hist(out, dur, rep->n_durations);

	fputs("<h2>调查员看板 / Enumerator dashboard</h2>\n<table>\n<tr><th>调查员 / enumerator"
	      "</th><th>访谈 / interviews</th><th>天 / days</th><th>日均 / per day</th>"
	      "<th>时长中位数 / median minutes</th><th>不知道 / don't know %</th>"
	      "<th>拒答 / refused %</th><th>发现/访谈 / findings per interview</th><th>z</th>"
	      "</tr>\n",
	      out);
	for (i = 0; i < rep->n_dashboard; i++) {
		const struct audit_enumerator *d = &rep->dashboard[i];

		fprintf(out, "<tr%s><td>", d->flagged ? " class=\"flag\"" : "");
		h_esc(out, d->name);
		fprintf(out, "%s</td><td>%zu</td><td>%zu</td><td>%.1f</td><td>", d->flagged ? " !" : "",
			d->interviews, d->days, d->per_day);
		if (isnan(d->median_minutes))
			fputs("-", out);
		else
			fprintf(out, "%.1f", d->median_minutes);
		fprintf(out, "</td><td>%.1f</td><td>%.1f</td><td>%.2f</td><td>%.1f</td></tr>\n",
			d->dk_rate * 100, d->refused_rate * 100, d->findings_per_iv, d->z);
	}
	fputs("</table>\n<h2>按县 / Per county</h2>\n<table>\n<tr><th>县 / county</th>"
	      "<th>访谈 / interviews</th><th>发现 / findings</th><th>错误 / errors</th>"
	      "<th>警告 / warnings</th></tr>\n",
	      out);
	for (i = 0; i < rep->n_counties; i++) {
		const struct audit_sum *c = &rep->by_county[i];

		fputs("<tr><td>", out);
		h_esc(out, c->name);
		fprintf(out, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
			c->interviews, c->findings, c->errors, c->warnings);
	}
	fprintf(out, "</table>\n<h2>%s</h2>\n<table>\n<tr><th>严重程度 / severity</th>"
		     "<th>检查 / check</th><th>县/村 / county/village</th><th>户 / household</th>"
		     "<th>调查员 / enumerator</th><th>访谈 / interview</th><th>成员 / member</th>"
		     "<th>相关值 / values</th></tr>\n",
		since ? "新发现 / New findings" : "发现 / Findings");
	for (i = 0; i < rep->n_findings; i++) {
		const struct audit_finding *f = &rep->findings[i];

		if (since && !f->is_new)
			continue;
		fprintf(out, "<tr class=\"%s\"><td>%s</td><td>", audit_severity_name(f->severity),
			audit_severity_name(f->severity));
		h_esc(out, f->check);
		fputs("</td><td>", out);
		h_esc(out, f->county);
		fputs("/", out);
		h_esc(out, f->village);
		fputs("</td><td>", out);
		h_esc(out, f->household_key);
		fputs("</td><td>", out);
		h_esc(out, f->enumerator);
		fputs("</td><td>", out);
		h_esc(out, f->interview);
		fputs("</td><td>", out);
		h_esc(out, f->path);
		fputs("</td><td>", out);
		h_esc(out, f->detail);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</body>\n</html>\n", out);
	free(labels);
	free(v);
	free(dur);
}

int cmd_audit(int argc, char **argv)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct audit_rules *rules = NULL;
	struct audit_report rep;
	struct audit_opts o = {0, true, 0};
	struct store *s = NULL;
	const char *db = NULL, *rules_path = "forms/checks.csv", *format = "table", *out_path = NULL;
	FILE *out = stdout;
	int i, ret = EXIT_FAIL;
	bool have_rep = false;

	memset(&rep, 0, sizeof(rep));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			rules_path = argv[++i];
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = argv[++i];
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "--no-save")) {
			o.save = false;
		} else if (!strcmp(argv[i], "--since") && i + 1 < argc) {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(argv[++i], &end, 10);
			if (!*argv[i] || *end || errno || v < 1) {
				cli_errorf("--since 需要一个审核运行编号（正整数），而不是 '%s'",
					   "--since needs an audit run number (a positive integer), not "
					   "'%s'",
					   argv[i]);
				return cli_usage("audit");
			}
			o.since = v;
		} else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("audit");
		}
	}
	if (!db)
		return cli_usage("audit");
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "html")) {
		cli_errorf("未知格式 '%s'（table、csv 或 html）",
			   "unknown format '%s' (table, csv or html)",
			   format);
		return cli_usage("audit");
	}
	/* the rules first: a bad rules file is refused before the database is
	 * even opened */
	if (audit_rules_load(rules_path, &rules, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (store_open(db, o.save ? 0 : STORE_OPEN_READONLY, &s, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (audit_run(s, rules, &o, &rep, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	have_rep = true;
	cli_diags(&dl); /* warnings: rules whose form is not in the database, ... */
	if (out_path) {
		out = fopen(out_path, "w");
		if (!out) {
			cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", out_path,
				   strerror(errno));
			out = stdout;
			goto done;
		}
	}
	if (!strcmp(format, "csv"))
		print_csv(out, rules, &rep, o.since > 0);
	else if (!strcmp(format, "html"))
		print_html(out, db, rules, &rep);
	else
		print_table(out, db, rules, &rep);
	if (fflush(out) != 0 || ferror(out)) {
		cli_errorf("写入输出失败：%s", "cannot write the output: %s", strerror(errno));
		goto done;
	}
	ret = EXIT_OK;
done:
	if (out != stdout && fclose(out) != 0 && ret == EXIT_OK) {
		cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", out_path, strerror(errno));
		ret = EXIT_FAIL;
	}
	if (have_rep)
		audit_report_release(&rep);
	audit_rules_free(rules);
	store_close(s);
	diag_list_free(&dl);
	error_clear(&err);
	return ret;
}
