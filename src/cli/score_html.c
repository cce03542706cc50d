/*
 * score_html — `ruhu score --format html`: the scores as one self-contained
 * file (no script, no fetch: inline CSS and SVG) that opens offline in any
 * browser and prints on A4. Written as polyglot XHTML (every element closed,
 * every attribute quoted, text escaped), so an XML parser can check it.
 *
 * Sections: a summary chart (each unit's score as a bar coloured by its
 * grade), the summary table, then per unit its indicators: a table of
 * numerator, denominator, value, interval and points, and a chart of the
 * problem rates with their 95% intervals.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/profile.h"
#include "ruhu/score.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Text for XML: &, <, >, " and ' escaped; control characters dropped. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c == '\'')
			fputs("&#39;", out);
		else if (c < 0x20 && c != '\t' && c != '\n')
			continue; /* not allowed in XML 1.0 */
		else
			fputc(c, out);
	}
}

static const char *pick(const char *zh, const char *en)
{
	const char *s = T_(zh, en);

	return s && *s ? s : (zh && *zh ? zh : en);
}

/* Grade colours from the best (green) to the worst (red). */
static const char *grade_colour(size_t g, size_t n)
{
	static const char *const c[] = {"#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"};
	size_t k = n > 1 ? g * 4 / (n - 1) : 0;

	return c[k > 4 ? 4 : k];
}

static void num(FILE *out, const char *fmt, double d)
{
	if (isnan(d))
		fputs("–", out);
	else
		fprintf(out, fmt, d);
}

static void rate(FILE *out, const struct profile_indicator *ind, double d)
{
	if (isnan(d))
		fputs("–", out);
	else if (ind->measure == PROFILE_RATE || ind->measure == PROFILE_RATIO)
		fprintf(out, "%.1f%%", d * 100);
	else
		fprintf(out, "%.3g", d);
}

static void summary_chart(FILE *out, const struct profile *p, const struct score_result *r)
{
	const double full = profile_max_points(p), W = 400, X0 = 110;
	size_t i, ng = profile_grade_count(p);
	double h = 22 * (double)r->n_units + 40;

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"660\" height=\"%.0f\" "
		     "viewBox=\"0 0 660 %.0f\" role=\"img\">\n", h, h);
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];
		double y = 10 + 22 * (double)i;
		double v = isnan(u->composite) ? u->field : u->composite;
		double w = full > 0 ? W * (v / (isnan(u->composite) ? full : 100)) : 0;

		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" font-size=\"12\">", X0 - 6,
			y + 14);
		esc(out, u->unit);
		fprintf(out, "</text><rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"16\" "
			     "fill=\"%s\"><title>",
			X0, y + 2, w < 0 ? 0 : w, grade_colour(u->grade, ng));
		esc(out, u->unit);
		fprintf(out, " %.2f ", v);
		esc(out, pick(profile_grade(p, u->grade)->name_zh, profile_grade(p, u->grade)->name_en));
		fprintf(out, "</title></rect><text x=\"%.1f\" y=\"%.0f\" font-size=\"11\">%.2f ",
			X0 + w + 4, y + 14, v);
		esc(out, pick(profile_grade(p, u->grade)->name_zh, profile_grade(p, u->grade)->name_en));
		fputs("</text>\n", out);
	}
	/* legend */
	for (i = 0; i < ng; i++) {
		double x = X0 + 90 * (double)i, y = h - 18;

		fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			     "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">",
			x, y, grade_colour(i, ng), x + 16, y + 10);
		esc(out, pick(profile_grade(p, i)->name_zh, profile_grade(p, i)->name_en));
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}

/* Problem rates of one unit with their intervals, on a 0-100% axis. */
static void rate_chart(FILE *out, const struct profile *p, const struct score_result *r,
		       const struct score_unit *u)
{
	const double X0 = 80, W = 400;
	size_t i, n = 0;

	for (i = 0; i < r->n_indicators; i++)
		if (profile_indicator(p, i)->measure == PROFILE_RATE)
			n++;
	if (!n)
		return;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" height=\"%zu\" "
		     "viewBox=\"0 0 560 %zu\" role=\"img\">\n",
		18 * n + 30, 18 * n + 30);
	for (i = 0; i <= 4; i++) {
		double x = X0 + W * (double)i / 4;

		fprintf(out, "<line x1=\"%.0f\" y1=\"4\" x2=\"%.0f\" y2=\"%zu\" stroke=\"#ccc\"/>"
			     "<text x=\"%.0f\" y=\"%zu\" font-size=\"10\" text-anchor=\"middle\">"
			     "%zu%%</text>\n",
			x, x, 18 * n + 8, x, 18 * n + 22, i * 25);
	}
	n = 0;
	for (i = 0; i < r->n_indicators; i++) {
		const struct profile_indicator *ind = profile_indicator(p, i);
		const struct score_cell *c = &u->cells[i];
		double y = 14 + 18 * (double)n;

		if (ind->measure != PROFILE_RATE)
			continue;
		n++;
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">",
			X0 - 6, y + 4);
		esc(out, ind->id);
		fputs("</text>", out);
		if (isnan(c->value)) {
			fputs("\n", out);
			continue;
		}
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#555\" "
			     "stroke-width=\"2\"/><circle cx=\"%.1f\" cy=\"%.0f\" r=\"4\" "
			     "fill=\"#08519c\"><title>",
			X0 + W * c->ci_low, y, X0 + W * c->ci_high, y, X0 + W * c->value, y);
		esc(out, ind->id);
		fprintf(out, " %.1f%% (%.1f%%–%.1f%%)</title></circle>\n", c->value * 100,
			c->ci_low * 100, c->ci_high * 100);
	}
	fputs("</svg>\n", out);
}

void score_write_html(FILE *out, const struct profile *p, const struct score_result *r)
{
	const char *title = pick(profile_setting(p, "name_zh"), profile_setting(p, "name_en"));
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"", out);
	fputs(i18n_lang() == LANG_ZH ? "zh" : "en", out);
	fputs("\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>", out);
	esc(out, title);
	fputs("</title>\n<style>\n"
	      "@page { size: A4; margin: 15mm; }\n"
	      "body { font-family: sans-serif; font-size: 10pt; max-width: 180mm; margin: auto; }\n"
	      "table { border-collapse: collapse; margin: 4pt 0 10pt; }\n"
	      "th, td { border: 1px solid #999; padding: 2pt 5pt; text-align: right; "
	      "white-space: nowrap; }\n"
	      "td:first-child { white-space: normal; }\n"
	      "th:first-child, td:first-child, td.t { text-align: left; }\n"
	      "section { page-break-inside: avoid; break-inside: avoid; }\n"
	      ".small { color: #b35806; }\n"
	      "</style>\n</head>\n<body>\n<h1>",
	      out);
	esc(out, title);
	fprintf(out, "</h1>\n<p>");
	fprintf(out, T_("%zu 份访谈，%zu 个单位，满分 %g。", "%zu interviews, %zu units, full score %g."),
		r->n_interviews, r->n_units, profile_max_points(p));
	fputs("</p>\n<section>\n<h2>", out);
	fputs(T_("得分与等次", "Scores and grades"), out);
	fputs("</h2>\n", out);
	summary_chart(out, p, r);
	fprintf(out, "<table>\n<tr><th>%s</th><th>%s</th><th>n</th><th>%s</th><th>%s</th>"
		     "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
		T_("单位", "unit"), T_("组", "group"), T_("得分", "score"), T_("综合", "composite"),
		T_("等次", "grade"), T_("否决", "veto"), T_("名次", "rank"));
	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];
		const struct profile_grade *g = profile_grade(p, u->grade);

		fputs("<tr><td>", out);
		esc(out, u->unit);
		fputs("</td><td class=\"t\">", out);
		esc(out, u->group);
		fprintf(out, "</td><td%s>%zu</td><td>%.2f</td><td>", u->small ? " class=\"small\"" : "",
			u->n, u->field);
		num(out, "%.2f", u->composite);
		fprintf(out, "</td><td style=\"background:%s\">",
			grade_colour(u->grade, profile_grade_count(p)));
		esc(out, pick(g->name_zh, g->name_en));
		fputs("</td><td>", out);
		esc(out, u->veto ? u->veto : "");
		fprintf(out, "</td><td>%zu</td></tr>\n", u->rank);
	}
	for (i = 0; i < r->n_parents; i++) {
		const struct score_unit *u = &r->parents[i];

		fputs("<tr><td>", out);
		esc(out, u->unit);
		fprintf(out, "</td><td>%s</td><td>%zu</td><td>%.2f</td><td>%.2f</td>"
			     "<td style=\"background:%s\">",
			T_("上级", "parent"), u->n, u->field, u->composite,
			grade_colour(u->grade, profile_grade_count(p)));
		esc(out, pick(profile_grade(p, u->grade)->name_zh,
			      profile_grade(p, u->grade)->name_en));
		fprintf(out, "</td><td></td><td>%zu</td></tr>\n", u->rank);
	}
	fputs("</table>\n</section>\n", out);

	for (i = 0; i < r->n_units; i++) {
		const struct score_unit *u = &r->units[i];

		fputs("<section>\n<h2>", out);
		esc(out, u->unit);
		fprintf(out, "</h2>\n<p>n = %zu · %s %.2f</p>\n", u->n, T_("得分", "score"), u->field);
		fprintf(out, "<table>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			     "<th>%s</th></tr>\n",
			T_("指标", "indicator"), T_("分子", "num."), T_("分母", "den."),
			T_("值", "value"), T_("95% 区间", "95% CI"), T_("得分", "points"));
		for (j = 0; j < r->n_indicators; j++) {
			const struct profile_indicator *ind = profile_indicator(p, j);
			const struct score_cell *c = &u->cells[j];

			fputs("<tr><td>", out);
			esc(out, ind->id);
			fputs(" ", out);
			esc(out, pick(ind->label_zh, ind->label_en));
			fprintf(out, "</td><td>%g</td><td>%g</td><td>", c->num, c->den);
			rate(out, ind, c->value);
			fputs("</td><td>", out);
			if (!isnan(c->ci_low)) {
				rate(out, ind, c->ci_low);
				fputs("–", out);
				rate(out, ind, c->ci_high);
			}
			fputs("</td><td>", out);
			if (isnan(c->points))
				fputs(T_("仅报告", "report"), out);
			else
				fprintf(out, "%.2f / %g", c->points, ind->points);
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
		for (j = 0; j < u->n_flagged; j++) {
			const struct score_flagged *x = &u->flagged[j];
			const struct profile_flag *fl = profile_flag(p, x->flag);

			fputs("<p class=\"small\">", out);
			fputs(T_("待评估组核实（不计入等次）：", "for the assessors to confirm (not in the grade): "),
			      out);
			esc(out, pick(fl->label_zh, fl->label_en));
			fputs(" · ", out);
			esc(out, x->level);
			fprintf(out, " · %g / %g (%.1f%%)</p>\n", x->num, x->den, 100 * x->num / x->den);
		}
		rate_chart(out, p, r, u);
		fputs("</section>\n", out);
	}
	fputs("</body>\n</html>\n", out);
}
