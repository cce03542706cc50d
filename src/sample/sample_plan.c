/*
 * sample_plan — reads a sampling plan workbook (docs/sampling.md) with the
 * form loader's CSV workbook reader. Sheets: settings (names, the stratum
 * column, the random method), params (name, value, source: every number
 * with the clause it comes from), strata (stratum, county, min_households,
 * source), households (household_type, per_village, phone, source) and
 * rank (column, order, source).
 *
 * Invariant: a plan is returned only when every sheet is well formed; each
 * fault is one diagnostic "FILE:SHEET:ROW: message", and as many are
 * reported as the sheets allow in one pass.
 */
#include "sample_impl.h"

#include "../form/workbook.h"
#include "../form/xlsform_csv.h"

#include "ruhu/infile.h"
#include "ruhu/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rd {
	struct sample_plan *p;
	struct workbook *wb;
	struct diag_list *dl;
};

static void perr(struct rd *r, const char *sheet, int row, const char *zh, const char *en, ...)
	RUHU_PRINTF2(4, 5, 6);
static void perr(struct rd *r, const char *sheet, int row, const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	if (row > 0)
		strbuf_addf(&w, "%s:%s:%d", r->p->file, sheet, row);
	else
		strbuf_addf(&w, "%s:%s", r->p->file, sheet);
	va_start(ap, en);
	diag_vadd(r->dl, DIAG_ERROR, w.buf, zh, en, ap);
	va_end(ap);
	strbuf_release(&w);
}

static bool parse_num(const char *s, double *out)
{
	char *end;
	double d;

	if (!*s)
		return false;
	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(d))
		return false;
	*out = d;
	return true;
}

static struct wb_sheet *need_sheet(struct rd *r, const char *name, const char *const *cols)
{
	struct wb_sheet *s = workbook_sheet(r->wb, name);
	bool ok = true;

	if (!s) {
		perr(r, name, 0, "缺少 '%s' 表", "missing sheet '%s'", name);
		return NULL;
	}
	for (; cols && *cols; cols++)
		if (workbook_col(s, *cols) < 0) {
			perr(r, name, s->header.line, "缺少 '%s' 列", "missing column '%s'", *cols);
			ok = false;
		}
	return ok ? s : NULL;
}

/* ---- params --------------------------------------------------------------- */

static const struct {
	const char *name;
	size_t off;
	double lo, hi; /* allowed range, inclusive */
	bool integer;
} known[] = {
#define P(f) offsetof(struct sample_plan, f)
	{"purposive_share", P(purposive_share), 0, 1, false},
	{"confidence", P(confidence), 0.5, 0.999999, false},
	{"phone_share", P(phone_share), 0, 1, false},
	{"phone_min", P(phone_min), 0, 1e9, true},
	{"phone_max", P(phone_max), 0, 1e9, true},
	{"households_per_enumerator_day", P(per_day), 1, 1e6, false},
	{"field_days", P(field_days), 1, 1e4, false},
	{"call_attempts", P(call_attempts), 1, 100, true},
#undef P
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int read_params(struct rd *r)
{
	static const char *const cols[] = {"name", "value", "source", NULL};
	struct wb_sheet *s = need_sheet(r, "params", cols);
	struct sample_plan *p = r->p;
	bool seen[NKNOWN] = {false};
	size_t i, k, errors = r->dl->errors;
	int cn, cv, cs;

	if (!s)
		return -1;
	cn = workbook_col(s, "name");
	cv = workbook_col(s, "value");
	cs = workbook_col(s, "source");
	p->pnames = xcalloc(s->n ? s->n : 1, sizeof(*p->pnames));
	p->pvalues = xcalloc(s->n ? s->n : 1, sizeof(*p->pvalues));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		const char *name = workbook_cell(row, cn);
		double v;

		if (!*name) {
			perr(r, "params", row->line, "参数没有名称", "param without a name");
			continue;
		}
		for (k = 0; k < p->n_params; k++)
			if (!strcmp(p->pnames[k], name))
				break;
		if (k < p->n_params) {
			perr(r, "params", row->line, "参数 '%s' 重复", "duplicate param '%s'", name);
			continue;
		}
		if (!parse_num(workbook_cell(row, cv), &v)) {
			perr(r, "params", row->line, "参数 '%s' 的值 '%s' 不是数字",
			     "param '%s': value '%s' is not a number", name, workbook_cell(row, cv));
			continue;
		}
		if (!*workbook_cell(row, cs)) {
			perr(r, "params", row->line,
			     "参数 '%s' 没有来源：写明依据的条款，或写 \"default: 理由\"",
			     "param '%s' has no source: name the seed clause or write \"default: why\"",
			     name);
			continue;
		}
		for (k = 0; k < NKNOWN; k++)
			if (!strcmp(known[k].name, name))
				break;
		if (k < NKNOWN) {
			if (v < known[k].lo || v > known[k].hi ||
			    (known[k].integer && v != floor(v))) {
				perr(r, "params", row->line,
				     "参数 '%s' 的值 %g 超出范围（%g 到 %g%s）",
				     "param '%s': value %g out of range (%g to %g%s)", name, v,
				     known[k].lo, known[k].hi, known[k].integer ? ", integer" : "");
				continue;
			}
			*(double *)((char *)p + known[k].off) = v;
			seen[k] = true;
		}
		p->pnames[p->n_params] = xstrdup(name);
		p->pvalues[p->n_params++] = v;
	}
	for (k = 0; k < NKNOWN; k++)
		if (!seen[k] && r->dl->errors == errors)
			perr(r, "params", 0, "缺少参数 '%s'", "missing param '%s'", known[k].name);
	if (r->dl->errors == errors && p->phone_min > p->phone_max)
		perr(r, "params", 0, "phone_min（%g）大于 phone_max（%g）",
		     "phone_min (%g) is greater than phone_max (%g)", p->phone_min, p->phone_max);
	return r->dl->errors == errors ? 0 : -1;
}

/* ---- settings ------------------------------------------------------------- */

static int read_settings(struct rd *r)
{
	struct wb_sheet *s = need_sheet(r, "settings", NULL);
	struct sample_plan *p = r->p;
	const struct wb_row *row;
	const char *m, *sc;

	if (!s)
		return -1;
	if (s->n != 1) {
		perr(r, "settings", s->header.line, "settings 表须恰有一行数据，现有 %zu 行",
		     "the settings sheet needs exactly one data row, it has %zu", s->n);
		return -1;
	}
	row = &s->rows[0];
	p->name_zh = xstrdup(workbook_cell(row, workbook_col_lang(s, "name", "zh")));
	p->name_en = xstrdup(workbook_cell(row, workbook_col_lang(s, "name", "en")));
	sc = workbook_cell(row, workbook_col(s, "stratum_column"));
	p->stratum_column = xstrdup(*sc ? sc : "stratum");
	m = workbook_cell(row, workbook_col(s, "random_method"));
	if (!strcasecmp(m, "pps"))
		p->method = PLAN_PPS;
	else if (!strcasecmp(m, "srs"))
		p->method = PLAN_SRS;
	else {
		perr(r, "settings", row->line, "random_method 须为 srs 或 pps，而不是 '%s'",
		     "random_method must be srs or pps, not '%s'", m);
		return -1;
	}
	{
		static const char *const fixed[] = {"household_key", "county",	 "township",
						    "village",	     "household_type", "head_name",
						    "enumerator",    "device",	 "phone",
						    "selection_reason", "inclusion_prob",
						    "design_weight"};
		size_t i;

		for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			if (!strcmp(fixed[i], p->stratum_column)) {
				perr(r, "settings", row->line, "stratum_column 不能是 '%s'（已有此输出列）",
				     "stratum_column cannot be '%s' (an output column already)",
				     p->stratum_column);
				return -1;
			}
	}
	return 0;
}

/* ---- households ------------------------------------------------------------ */

static int read_types(struct rd *r)
{
	static const char *const cols[] = {"household_type", "per_village", "phone", "source", NULL};
	struct wb_sheet *s = need_sheet(r, "households", cols);
	struct sample_plan *p = r->p;
	size_t i, k, errors = r->dl->errors;
	bool any_phone = false;

	if (!s)
		return -1;
	p->types = xcalloc(s->n ? s->n : 1, sizeof(*p->types));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		const char *t = workbook_cell(row, workbook_col(s, "household_type"));
		const char *pv = workbook_cell(row, workbook_col(s, "per_village"));
		const char *ph = workbook_cell(row, workbook_col(s, "phone"));
		struct plan_type *pt = &p->types[p->n_types];
		double v;

		if (!*t) {
			perr(r, "households", row->line, "household_type 为空", "empty household_type");
			continue;
		}
		for (k = 0; k < p->n_types; k++)
			if (!strcmp(p->types[k].type, t))
				break;
		if (k < p->n_types) {
			perr(r, "households", row->line, "户类型 '%s' 重复",
			     "household type '%s' repeated", t);
			continue;
		}
		if (!strcasecmp(pv, "all"))
			pt->per_village = -1;
		else if (parse_num(pv, &v) && v >= 0 && v == floor(v) && v <= 1e6)
			pt->per_village = (long)v;
		else {
			perr(r, "households", row->line,
			     "per_village 须为非负整数或 all，而不是 '%s'",
			     "per_village must be a whole number of at least 0 or all, not '%s'", pv);
			continue;
		}
		if (!strcasecmp(ph, "yes"))
			pt->phone = true;
		else if (strcasecmp(ph, "no") && *ph) {
			perr(r, "households", row->line, "phone 须为 yes 或 no，而不是 '%s'",
			     "phone must be yes or no, not '%s'", ph);
			continue;
		}
		if (!*workbook_cell(row, workbook_col(s, "source"))) {
			perr(r, "households", row->line, "户类型 '%s' 没有来源",
			     "household type '%s' has no source", t);
			continue;
		}
		any_phone |= pt->phone;
		pt->type = xstrdup(t);
		pt->line = row->line;
		p->n_types++;
	}
	if (r->dl->errors == errors && !p->n_types)
		perr(r, "households", 0, "没有户类型", "no household type");
	if (r->dl->errors == errors && !any_phone)
		perr(r, "households", 0, "电话调查没有对象（没有 phone = yes 的户类型）",
		     "the phone survey has no population (no household type with phone = yes)");
	return r->dl->errors == errors ? 0 : -1;
}

/* ---- strata ---------------------------------------------------------------- */

static int read_strata(struct rd *r)
{
	static const char *const cols[] = {"stratum", "county", "min_households", "source", NULL};
	struct wb_sheet *s = need_sheet(r, "strata", cols);
	struct sample_plan *p = r->p;
	size_t i, k, errors = r->dl->errors;

	if (!s)
		return -1;
	p->counties = xcalloc(s->n ? s->n : 1, sizeof(*p->counties));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		const char *st = workbook_cell(row, workbook_col(s, "stratum"));
		const char *c = workbook_cell(row, workbook_col(s, "county"));
		const char *mn = workbook_cell(row, workbook_col(s, "min_households"));
		double v;

		if (!*st || !*c) {
			perr(r, "strata", row->line, "stratum 和 county 都不能为空",
			     "stratum and county must both be given");
			continue;
		}
		for (k = 0; k < p->n_counties; k++)
			if (!strcmp(p->counties[k].county, c))
				break;
		if (k < p->n_counties) {
			perr(r, "strata", row->line, "县 '%s' 已在第 %d 行", "county '%s' already on row %d",
			     c, p->counties[k].line);
			continue;
		}
		if (!parse_num(mn, &v) || v < 1 || v != floor(v) || v > 1e7) {
			perr(r, "strata", row->line, "min_households 须为正整数，而不是 '%s'",
			     "min_households must be a whole number of at least 1, not '%s'", mn);
			continue;
		}
		if (!*workbook_cell(row, workbook_col(s, "source"))) {
			perr(r, "strata", row->line, "县 '%s' 的最低户数没有来源",
			     "the minimum of county '%s' has no source", c);
			continue;
		}
		p->counties[p->n_counties].county = xstrdup(c);
		p->counties[p->n_counties].stratum = xstrdup(st);
		p->counties[p->n_counties].min = v;
		p->counties[p->n_counties].line = row->line;
		p->n_counties++;
	}
	if (r->dl->errors == errors && !p->n_counties)
		perr(r, "strata", 0, "没有分层", "no stratum");
	return r->dl->errors == errors ? 0 : -1;
}

/* ---- rank ------------------------------------------------------------------ */

static int read_ranks(struct rd *r)
{
	static const char *const cols[] = {"column", "order", "source", NULL};
	struct wb_sheet *s = workbook_sheet(r->wb, "rank");
	struct sample_plan *p = r->p;
	size_t i, k, errors = r->dl->errors;

	if (!s) {
		if (p->purposive_share > 0)
			perr(r, "rank", 0, "purposive_share 大于 0 时须有 rank 表（重点村的排序）",
			     "a purposive_share above 0 needs a rank sheet (how villages are ranked)");
		return r->dl->errors == errors ? 0 : -1;
	}
	if (!need_sheet(r, "rank", cols))
		return -1;
	p->ranks = xcalloc(s->n ? s->n : 1, sizeof(*p->ranks));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		const char *c = workbook_cell(row, workbook_col(s, "column"));
		const char *o = workbook_cell(row, workbook_col(s, "order"));
		struct plan_rank *pr = &p->ranks[p->n_ranks];

		pr->type = -1;
		if (!*c) {
			perr(r, "rank", row->line, "column 为空", "empty column");
			continue;
		}
		if (!strncmp(c, "households:", 11)) {
			for (k = 0; k < p->n_types; k++)
				if (!strcmp(p->types[k].type, c + 11))
					break;
			if (k == p->n_types) {
				perr(r, "rank", row->line, "'%s'：households 表中没有这个户类型",
				     "'%s': no such household type in the households sheet", c);
				continue;
			}
			pr->type = (int)k;
		} else if (!strcmp(c, "household_key") || !strcmp(c, "county") ||
			   !strcmp(c, "village") || !strcmp(c, "township") ||
			   !strcmp(c, "household_type") || !strcmp(c, "head_name") ||
			   !strcmp(c, "phone")) {
			perr(r, "rank", row->line, "不能按 '%s' 列排序", "cannot rank by column '%s'", c);
			continue;
		}
		if (!strcasecmp(o, "desc"))
			pr->desc = true;
		else if (strcasecmp(o, "asc")) {
			perr(r, "rank", row->line, "order 须为 asc 或 desc，而不是 '%s'",
			     "order must be asc or desc, not '%s'", o);
			continue;
		}
		if (!*workbook_cell(row, workbook_col(s, "source"))) {
			perr(r, "rank", row->line, "排序列 '%s' 没有来源", "rank column '%s' has no source",
			     c);
			continue;
		}
		for (k = 0; k < p->n_ranks; k++)
			if (!strcmp(p->ranks[k].column, c))
				break;
		if (k < p->n_ranks) {
			perr(r, "rank", row->line, "排序列 '%s' 重复", "rank column '%s' repeated", c);
			continue;
		}
		pr->column = xstrdup(c);
		pr->line = row->line;
		p->n_ranks++;
	}
	if (r->dl->errors == errors && p->purposive_share > 0 && !p->n_ranks)
		perr(r, "rank", 0, "purposive_share 大于 0 时 rank 表不能为空",
		     "a purposive_share above 0 needs at least one rank column");
	return r->dl->errors == errors ? 0 : -1;
}

/* ---- public ---------------------------------------------------------------- */

int sample_plan_load_buffer(const char *name, const char *data, size_t len,
			    struct sample_plan **out, struct diag_list *dl)
{
	struct sample_plan *p = xcalloc(1, sizeof(*p));
	struct xlsform_csv *x = NULL;
	struct rd r = {p, NULL, dl};
	size_t errors = dl->errors;

	*out = NULL;
	p->file = xstrdup(name);
	if (workbook_check_text(name, data, len, dl) < 0)
		goto fail;
	x = xlsform_csv_new(name);
	xlsform_csv_feed(x, data, len);
	if (xlsform_csv_finish(x, &r.wb, dl) < 0)
		goto fail;
	read_settings(&r);
	read_params(&r);
	if (read_types(&r) == 0)
		read_ranks(&r);
	read_strata(&r);
	if (dl->errors > errors)
		goto fail;
	xlsform_csv_free(x);
	workbook_free(r.wb);
	*out = p;
	return 0;
fail:
	xlsform_csv_free(x);
	workbook_free(r.wb);
	sample_plan_free(p);
	return -1;
}

int sample_plan_load(const char *path, struct sample_plan **out, struct diag_list *dl)
{
	struct strbuf sb = STRBUF_INIT;
	struct error e = ERROR_INIT;
	int ret;

	*out = NULL;
	if (infile_read_all(path, INFILE_FORM, &sb, &e) < 0) {
		diag_add_error(dl, DIAG_ERROR, &e);
		error_clear(&e);
		strbuf_release(&sb);
		return -1;
	}
	ret = sample_plan_load_buffer(path, sb.buf, sb.len, out, dl);
	strbuf_release(&sb);
	return ret;
}

void sample_plan_free(struct sample_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_counties; i++) {
		free(p->counties[i].county);
		free(p->counties[i].stratum);
	}
	for (i = 0; i < p->n_types; i++)
		free(p->types[i].type);
	for (i = 0; i < p->n_ranks; i++)
		free(p->ranks[i].column);
	for (i = 0; i < p->n_params; i++)
		free(p->pnames[i]);
	free(p->pnames);
	free(p->pvalues);
	free(p->counties);
	free(p->types);
	free(p->ranks);
	free(p->name_zh);
	free(p->name_en);
	free(p->stratum_column);
	free(p->file);
	free(p);
}

const char *sample_plan_county(const struct sample_plan *p, size_t i)
{
	size_t k;

	for (k = 0; k < p->n_counties; k++)
		if (strcmp(p->counties[k].county, "*") && i-- == 0)
			return p->counties[k].county;
	return NULL;
}

const char *sample_plan_rank_column(const struct sample_plan *p, size_t i)
{
	size_t k;

	for (k = 0; k < p->n_ranks; k++)
		if (p->ranks[k].type < 0 && i-- == 0)
			return p->ranks[k].column;
	return NULL;
}

int sample_plan_param(const struct sample_plan *p, const char *name, double *value)
{
	size_t i;

	for (i = 0; i < p->n_params; i++)
		if (!strcmp(p->pnames[i], name)) {
			if (value)
				*value = p->pvalues[i];
			return 0;
		}
	return -1;
}

const char *sample_plan_type(const struct sample_plan *p, size_t i)
{
	return i < p->n_types ? p->types[i].type : NULL;
}
