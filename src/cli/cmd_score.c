/*
 * cmd_score — `ruhu score --db TEAM.db --profile FILE [--inputs FILE]
 * [--status approved|completed] [--format table|csv|html] [--out FILE]
 * [--explain UNIT [INDICATOR]]`: each unit's
 * field-assessment score and grade under a profile (src/score; the profile
 * format and the CSV contract are in docs/profiles.md).
 *
 * Every error (profile, database, names the profile uses) is reported before
 * anything is written; warnings (small samples, duplicates) go to stderr and
 * do not change the exit code. --out writes to a temporary file renamed into
 * place, so a failed run never leaves half a report.
 */
#include "cli.h"
#include "ruhu/utf8.h"
#include "commands.h"

#include "ruhu/expr.h"
#include "ruhu/i18n.h"
#include "ruhu/profile.h"
#include "ruhu/score.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* s (made safe) left-aligned in `cols` display columns, cut when longer. */
static void pad(FILE *out, const char *s, size_t cols)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	size_t w = 0;

	s = cli_safe(s);
	for (p = s; *p;) {
		const char *q = p + 1;
		char one[8];
		size_t cw;

		while ((*q & 0xc0) == 0x80)
			q++;
		memcpy(one, p, (size_t)(q - p));
		one[q - p] = '\0';
		cw = utf8_width(one);
		if (w + cw > cols)
			break;
		strbuf_add(&sb, p, (size_t)(q - p));
		w += cw;
		p = q;
	}
	fputs(sb.buf, out);
	while (w++ < cols)
		fputc(' ', out);
	strbuf_release(&sb);
}

/* s right-aligned in `cols` display columns (s is program text, not data). */
static void rpad(FILE *out, const char *s, size_t cols)
{
	size_t w = utf8_width(s);

	while (w++ < cols)
		fputc(' ', out);
	fputs(s, out);
}

static const char *label(const char *zh, const char *en)
{
	const char *s = T_(zh, en);

	return s && *s ? s : (zh && *zh ? zh : en);
}

/* ---- csv ---------------------------------------------------------------- */

/* A number as data: unrounded (shortest round-trip form), "" for NaN. */
static void csv_num(FILE *out, double d)
{
	char buf[40];

	fputc(',', out);
	if (!isnan(d))
		fputs(expr_format_number(d, buf, sizeof(buf)), out);
}

static void csv_row(FILE *out, const struct score_unit *u, const char *ind, double num,
		    double den, double value, double lo, double hi, double points)
{
	cli_csv_cell(out, u->unit);
	fputc(',', out);
	cli_csv_cell(out, u->group);
	fprintf(out, ",%zu,", u->n);
	cli_csv_cell(out, ind);
	csv_num(out, num);
	csv_num(out, den);
	csv_num(out, value);
	csv_num(out, lo);
	csv_num(out, hi);
	csv_num(out, points);
}

static void write_csv(FILE *out, const struct profile *p, const struct score_result *r)
{
	size_t i, j, d;

	fputs("unit,group,n,indicator,numerator,denominator,value,ci_low,ci_high,points,"
	      "composite,grade,veto,rank\n",
	      out);
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];

		for (j = 0; j < r->n_indicators; j++) {
			const struct profile_indicator *ind = profile_indicator(p, j);
			const struct score_cell *c = &u->cells[j];

			csv_row(out, u, ind->id, c->num, c->den, c->value, c->ci_low, c->ci_high,
				c->points);
			fputs(",,,,\n", out);
			if (ind->measure != PROFILE_AF)
				continue;
			{
				struct strbuf id = STRBUF_INIT;
				double lo, hi;

				strbuf_addf(&id, "%s.H", ind->id);
				score_wilson(c->num, c->den, SCORE_Z95, &lo, &hi);
				csv_row(out, u, id.buf, c->num, c->den, c->af.H, lo, hi, NAN);
				fputs(",,,,\n", out);
				strbuf_reset(&id);
				strbuf_addf(&id, "%s.A", ind->id);
				csv_row(out, u, id.buf, NAN, NAN, c->af.A, NAN, NAN, NAN);
				fputs(",,,,\n", out);
				for (d = 0; d < ind->n_dims; d++) {
					strbuf_reset(&id);
					strbuf_addf(&id, "%s.%s", ind->id, ind->dims[d].id);
					csv_row(out, u, id.buf, c->af.censored[d] * c->den,
						c->den, c->af.contrib[d], NAN, NAN, NAN);
					fputs(",,,,\n", out);
				}
				strbuf_release(&id);
			}
		}
		for (j = 0; j < u->n_flagged; j++) {
			const struct score_flagged *x = &u->flagged[j];
			struct strbuf id = STRBUF_INIT;

			strbuf_addf(&id, "_flag:%s:%s", profile_flag(p, x->flag)->id, x->level);
			csv_row(out, u, id.buf, x->num, x->den, x->num / x->den, NAN, NAN, NAN);
			fputs(",,,,\n", out);
			strbuf_release(&id);
		}
		csv_row(out, u, "_total", NAN, NAN, u->field, NAN, NAN, u->field);
		csv_num(out, u->composite);
		fputc(',', out);
		cli_csv_cell(out, profile_grade(p, u->grade)->name_zh);
		fputc(',', out);
		cli_csv_cell(out, u->veto ? u->veto : "");
		fprintf(out, ",%zu\n", u->rank);
	}
	for (i = 0; i < r->n_parents; i++) {
		const struct score_unit *u = &r->parents[i];

		csv_row(out, u, "_parent", NAN, NAN, u->field, NAN, NAN, NAN);
		csv_num(out, u->composite);
		fputc(',', out);
		cli_csv_cell(out, profile_grade(p, u->grade)->name_zh);
		fprintf(out, ",,%zu\n", u->rank);
	}
}

/* ---- table (80 columns) ------------------------------------------------- */

static void fmt_value(char *buf, size_t size, const struct profile_indicator *ind, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (ind->measure == PROFILE_MEAN || ind->measure == PROFILE_MEDIAN)
		snprintf(buf, size, "%.2f", v);
	else if (ind->measure == PROFILE_AF)
		snprintf(buf, size, "%.3f", v);
	else if (ind->measure == PROFILE_RATIO)
		snprintf(buf, size, "%.1f%%", v * 100);
	else
		snprintf(buf, size, "%.1f%%", v * 100);
}

static void write_table(FILE *out, const struct profile *p, const struct score_result *r)
{
	size_t i, j;
	const char *name = label(profile_setting(p, "name_zh"), profile_setting(p, "name_en"));

	fprintf(out, "%s\n", cli_safe(name ? name : ""));
	fprintf(out, T_("%zu 份访谈，%zu 个单位，满分 %g\n\n",
			"%zu interviews, %zu units, full score %g\n\n"),
		r->n_interviews, r->n_units, profile_max_points(p));
	pad(out, T_("单位", "unit"), 16);
	pad(out, T_("组", "group"), 12);
	rpad(out, "n", 6);
	rpad(out, T_("得分", "score"), 8);
	rpad(out, T_("综合", "comp."), 8);
	rpad(out, T_("名次", "rank"), 6);
	fputs("  ", out);
	pad(out, T_("等次", "grade"), 12);
	fputs(T_("否决", "veto"), out);
	fputc('\n', out);
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];
		const struct profile_grade *g = profile_grade(p, u->grade);

		pad(out, u->unit, 15);
		fputc(' ', out);
		pad(out, *u->group ? u->group : "-", 11);
		fprintf(out, " %5zu%s %7.2f ", u->n, u->small ? "!" : " ", u->field);
		if (isnan(u->composite))
			fprintf(out, "%7s", "-");
		else
			fprintf(out, "%7.2f", u->composite);
		fprintf(out, " %5zu  ", u->rank);
		pad(out, label(g->name_zh, g->name_en), 12);
		fprintf(out, "%s\n", cli_safe(u->veto ? u->veto : "-"));
	}
	for (i = 0; i < r->n_parents; i++) {
		const struct score_unit *u = &r->parents[i];
		const struct profile_grade *g = profile_grade(p, u->grade);

		if (!i)
			fprintf(out, "\n%s\n", T_("上级单位（所辖单位综合得分的平均参与计算）",
						   "parent units (with the mean composite of their units)"));
		pad(out, u->unit, 28);
		fprintf(out, " %5zu  %7.2f %7.2f %5zu  ", u->n, u->field, u->composite, u->rank);
		fprintf(out, "%s\n", label(g->name_zh, g->name_en));
	}
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];

		fputc('\n', out);
		pad(out, u->unit, 30);
		fprintf(out, "  n = %zu\n", u->n);
		fputs("  ", out);
		pad(out, T_("指标", "indicator"), 10);
		rpad(out, T_("分子", "num"), 8);
		rpad(out, T_("分母", "den"), 8);
		rpad(out, T_("值", "value"), 9);
		fputs("  ", out);
		pad(out, T_("95% 区间", "95% CI"), 17);
		rpad(out, T_("得分", "points"), 15);
		fputc('\n', out);
		for (j = 0; j < r->n_indicators; j++) {
			const struct profile_indicator *ind = profile_indicator(p, j);
			const struct score_cell *c = &u->cells[j];
			char v[32], lo[32], hi[32], ci[80], pts[40];

			fmt_value(v, sizeof(v), ind, c->value);
			fmt_value(lo, sizeof(lo), ind, c->ci_low);
			fmt_value(hi, sizeof(hi), ind, c->ci_high);
			if (isnan(c->ci_low))
				snprintf(ci, sizeof(ci), "-");
			else
				snprintf(ci, sizeof(ci), "%s-%s", lo, hi);
			if (isnan(c->points))
				snprintf(pts, sizeof(pts), "%s", T_("仅报告", "report"));
			else
				snprintf(pts, sizeof(pts), "%.2f/%g", c->points, ind->points);
			fputs("  ", out);
			pad(out, ind->id, 10);
			fprintf(out, " %7.*f %7g %8s  %-17s %14s\n",
				ind->measure == PROFILE_MEAN || ind->measure == PROFILE_MEDIAN ? 1 : 0,
				c->num, c->den, v, ci, pts);
		}
	}
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];

		for (j = 0; j < u->n_flagged; j++) {
			const struct score_flagged *x = &u->flagged[j];

			if (!i && !j)
				fputc('\n', out);
			fprintf(out, T_("待核实 %s %s %s：%g/%g 户（%.1f%%），不计入等次\n",
					"to confirm: %s %s %s: %g of %g households (%.1f%%), not in the grade\n"),
				cli_safe(u->unit), cli_safe(profile_flag(p, x->flag)->id),
				cli_safe(x->level), x->num, x->den, 100 * x->num / x->den);
		}
	}
	fprintf(out, "\n%s\n", T_("指标：", "indicators:"));
	for (j = 0; j < r->n_indicators; j++) {
		const struct profile_indicator *ind = profile_indicator(p, j);

		fputs("  ", out);
		pad(out, ind->id, 10);
		fputc(' ', out);
		fprintf(out, "%s\n", cli_safe(label(ind->label_zh, ind->label_en)));
	}
}

/* ---- explain ------------------------------------------------------------ */

static void explain_rule(FILE *out, const struct profile_indicator *ind,
			 const struct score_cell *c)
{
	char v[40];

	expr_format_number(c->value, v, sizeof(v));
	switch (ind->rule) {
	case PROFILE_RULE_REPORT:
		fputs(T_("仅报告，不计分", "report only, no points"), out);
		break;
	case PROFILE_RULE_LINEAR:
		if (isnan(c->value))
			fprintf(out, T_("总体为空：满分 %g", "empty population: full %g"), ind->points);
		else
			fprintf(out, "%g × clamp(1 − (%s − %g) / (%g − %g), 0, 1) = %.4g", ind->points,
				v, ind->full_at, ind->zero_at, ind->full_at, c->points);
		break;
	case PROFILE_RULE_STEP:
		if (isnan(c->value))
			fprintf(out, T_("总体为空：满分 %g", "empty population: full %g"), ind->points);
		else
			fprintf(out, "max(0, %g − %g × floor((%s − %g) / %g)) = %.4g", ind->points,
				ind->deduct, v, ind->full_at, ind->step, c->points);
		break;
	case PROFILE_RULE_BANDS:
		fprintf(out, T_("按区间：%s → %.4g", "by band: %s -> %.4g"), v, c->points);
		break;
	}
}

static int explain(FILE *out, const struct profile *p, const struct score_result *r,
		   const char *unit, const char *indicator)
{
	const struct score_unit *u = score_result_unit(r, unit);
	size_t i, j, k;

	if (!u) {
		cli_errorf("没有单位 '%s'（或它没有访谈）", "no unit '%s' (or it has no interviews)",
			   unit);
		return EXIT_FAIL;
	}
	if (!indicator) {
		const struct profile_grade *bg = profile_grade(p, u->band_grade);
		const struct profile_grade *g = profile_grade(p, u->grade);

		fprintf(out, "%s  n = %zu\n", cli_safe(u->unit), u->n);
		for (i = 0; i < r->n_indicators; i++) {
			const struct profile_indicator *ind = profile_indicator(p, i);
			const struct score_cell *c = &u->cells[i];

			fprintf(out, "  %s  %g / %g = %.4g: ", cli_safe(ind->id), c->num, c->den,
				c->value);
			explain_rule(out, ind, c);
			fputc('\n', out);
		}
		fprintf(out, T_("  得分 %.4g → 按分数区间为 %s", "  score %.4g -> %s by the bands"),
			u->field, label(bg->name_zh, bg->name_en));
		for (i = 0; i < profile_veto_count(p); i++) {
			const struct profile_veto *v = profile_veto(p, i);
			const char *hit = u->veto ? strstr(u->veto, v->id) : NULL;
			size_t l = strlen(v->id);

			if (hit && (hit[l] == ' ' || !hit[l]))
				fprintf(out, T_("；否决 %s（%s %s）", "; veto %s (%s %s)"),
					cli_safe(v->id),
					v->effect == PROFILE_VETO_FORBID ? T_("不得评为", "forbids")
									 : T_("直接评为", "forces"),
					label(profile_grade(p, v->grade)->name_zh,
					      profile_grade(p, v->grade)->name_en));
		}
		fprintf(out, T_(" → %s，组内第 %zu 名\n", " -> %s, rank %zu in its group\n"),
			label(g->name_zh, g->name_en), u->rank);
		return EXIT_OK;
	}
	for (i = 0; i < r->n_indicators; i++)
		if (!strcmp(profile_indicator(p, i)->id, indicator))
			break;
	if (i == r->n_indicators) {
		cli_errorf("没有指标 '%s'", "no indicator '%s'", indicator);
		return EXIT_FAIL;
	}
	{
		const struct profile_indicator *ind = profile_indicator(p, i);
		const size_t *vars;
		size_t nv = profile_indicator_vars(p, i, &vars);

		fprintf(out, "%s %s: %g / %g\n", cli_safe(u->unit), cli_safe(ind->id),
			u->cells[i].num, u->cells[i].den);
		for (k = 0; k < r->n_households; k++) {
			const struct score_household *h = &r->households[k];
			char v[40];

			if (!h->in_pop[i])
				continue;
			fprintf(out, "  %-20s ", cli_safe(h->household_key));
			if (ind->measure == PROFILE_MEAN || ind->measure == PROFILE_MEDIAN)
				fprintf(out, "%-8s", expr_format_number(h->value[i], v, sizeof(v)));
			else
				fprintf(out, "%-8s", h->problem[i] ? T_("计入", "counts") : "-");
			for (j = 0; j < nv; j++)
				fprintf(out, " %s=%s", cli_safe(profile_var_name(p, vars[j])),
					cli_safe(h->vals[vars[j]]));
			fputc('\n', out);
			/* a counting household: the answers behind each flag that is set
			 * (a calculation worth 1 resting on a few answers; sums such as
			 * income rest on many and are shown by value only) */
			for (j = 0; j < nv && h->problem[i]; j++) {
				const char *b = h->behind[vars[j]], *q;
				size_t words = *b ? 1 : 0;

				for (q = b; *q; q++)
					words += *q == ' ';
				if (strcmp(h->vals[vars[j]], "1") || !words || words > 8)
					continue;
				fprintf(out, "      %s=1 <- %s\n", cli_safe(profile_var_name(p, vars[j])),
					cli_safe(b));
			}
		}
	}
	return EXIT_OK;
}

/* ---- command ------------------------------------------------------------ */

int cmd_score(int argc, char **argv)
{
	const char *db = NULL, *prof = NULL, *status = NULL, *format = "table", *outpath = NULL;
	const char *ex_unit = NULL, *ex_ind = NULL, *inputs = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct profile *p = NULL;
	struct store *s = NULL;
	struct score_result *r = NULL;
	struct score_opts o = {0};
	struct error err = ERROR_INIT;
	struct strbuf tmp = STRBUF_INIT;
	FILE *out = stdout;
	int ret = EXIT_FAIL, i;

	for (i = 1; i < argc; i++) {
		const char **opt = NULL;

		if (!strcmp(argv[i], "--db"))
			opt = &db;
		else if (!strcmp(argv[i], "--profile"))
			opt = &prof;
		else if (!strcmp(argv[i], "--status"))
			opt = &status;
		else if (!strcmp(argv[i], "--format"))
			opt = &format;
		else if (!strcmp(argv[i], "--out"))
			opt = &outpath;
		else if (!strcmp(argv[i], "--inputs"))
			opt = &inputs;
		else if (!strcmp(argv[i], "--explain")) {
			if (i + 1 >= argc)
				return cli_usage("score");
			ex_unit = argv[++i];
			if (i + 1 < argc && argv[i + 1][0] != '-')
				ex_ind = argv[++i];
			continue;
		} else
			return cli_usage("score");
		if (i + 1 >= argc)
			return cli_usage("score");
		*opt = argv[++i];
	}
	if (!db || !prof)
		return cli_usage("score");
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "html"))
		return cli_usage("score");
	if (status && !strcmp(status, "approved"))
		o.statuses = STORE_STATUS_BIT(STORE_APPROVED);
	else if (status && !strcmp(status, "completed"))
		o.statuses = STORE_STATUS_BIT(STORE_COMPLETED) | STORE_STATUS_BIT(STORE_APPROVED);
	else if (status)
		return cli_usage("score");
	o.explain_unit = ex_unit;

	if (profile_load(prof, &p, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (inputs && score_inputs_load(inputs, p, &o.inputs, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (score_run(s, p, &o, &r, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	cli_diags(&dl); /* warnings */
	if (outpath) {
		strbuf_addf(&tmp, "%s.tmp", outpath);
		out = fopen(tmp.buf, "w");
		if (!out) {
			cli_errorf("无法写入 %s：%s", "cannot write %s: %s", tmp.buf, strerror(errno));
			out = stdout;
			goto done;
		}
	}
	if (ex_unit)
		ret = explain(out, p, r, ex_unit, ex_ind);
	else {
		if (!strcmp(format, "csv"))
			write_csv(out, p, r);
		else if (!strcmp(format, "html"))
			score_write_html(out, p, r);
		else
			write_table(out, p, r);
		ret = EXIT_OK;
	}
	if (fflush(out) != 0 || ferror(out)) {
		cli_errorf("写入失败：%s", "write failed: %s", strerror(errno));
		ret = EXIT_FAIL;
	}
	if (outpath) {
		if (fclose(out) != 0 && ret == EXIT_OK) {
			cli_errorf("无法写入 %s：%s", "cannot write %s: %s", tmp.buf, strerror(errno));
			ret = EXIT_FAIL;
		}
		out = stdout;
		if (ret == EXIT_OK && rename(tmp.buf, outpath) != 0) {
			cli_errorf("无法改名为 %s：%s", "cannot rename to %s: %s", outpath,
				   strerror(errno));
			ret = EXIT_FAIL;
		}
		if (ret != EXIT_OK)
			unlink(tmp.buf);
	}
done:
	if (out != stdout)
		fclose(out);
	score_result_free(r);
	score_inputs_free(o.inputs);
	store_close(s);
	profile_free(p);
	diag_list_free(&dl);
	error_clear(&err);
	strbuf_release(&tmp);
	return ret;
}
