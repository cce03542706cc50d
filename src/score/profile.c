/*
 * profile — scoring rules read from a CSV workbook (see ruhu/profile.h and
 * docs/profiles.md).
 *
 * The workbook is read by the form loader's machinery (src/form/workbook.h,
 * xlsform_csv.h): the same sheet/header/row rules, the same strict quoting and
 * the same line numbers, so an office that can write a form can write a
 * profile. Sheets are read in dependency order: params first (numbers of other
 * sheets may name them), then settings, indicators, point_bands, dimensions,
 * grades, vetoes (which see indicator ids).
 *
 * Expression scopes. Household expressions (population, problem, value,
 * deprived) resolve ${name} to a param (index < n_params) or to a household
 * var (index n_params + var), every unknown name becoming a new var: whether
 * it exists is only known against a form and a sample (profile_bind). Veto
 * expressions are unit-level and resolved here completely: params, then n,
 * score, and for each indicator ID: ID (value), ID_num, ID_den, ID_points.
 */
#include "ruhu/profile.h"
#include "score_internal.h"

#include "../form/workbook.h"
#include "../form/xlsform_csv.h"

#include "ruhu/expr.h"
#include "ruhu/form.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_SETTINGS 10

struct minimum {
	const char *unit, *group; /* exactly one non-empty */
	double min;
};

struct unit_group {
	const char *unit, *group;
	int line;
};

struct param {
	char *name;
	double value;
	int row;
};

struct var {
	char *name;
	const char *sheet;
	int row; /* first use */
};

struct ind_priv {
	size_t *vars; /* distinct var indexes read */
	size_t n_vars;
};

struct profile {
	char *file;
	struct workbook *wb; /* owns every cell string the public structs point to */
	struct param *params;
	size_t n_params, cap_params;
	struct var *vars;
	size_t n_vars, cap_vars;
	char *settings[N_SETTINGS];
	double min_sample;
	int unit_var, group_var, parent_var, weight_var; /* household vars, -1 when none */
	bool by_share; /* grades by shares of a ranked group, not by bands */
	struct profile_component *comps;
	size_t n_comps;
	struct profile_flag *flags;
	size_t n_flags;
	struct minimum *mins;
	size_t n_mins;
	struct unit_group *ugroups; /* sheet groups */
	size_t n_ugroups;
	bool has_ugroups;
	struct profile_indicator *ind;
	struct ind_priv *ipriv;
	size_t n_ind, cap_ind;
	struct profile_grade *grades;
	size_t n_grades, cap_grades;
	struct profile_veto *vetoes;
	size_t n_vetoes, cap_vetoes;
	/* while loading */
	const char *cur_sheet;
	int cur_row;
};

static const char *const setting_keys[N_SETTINGS] = {
	"name_zh",	"name_en",	"province", "year",	     "unit",
	"unit_column", "group_column", "form_id",  "parent_column", "weight_column"};

/* ---- small helpers ------------------------------------------------------ */

static void where(struct strbuf *sb, const struct profile *p, const char *sheet, int row)
{
	strbuf_reset(sb);
	if (row > 0)
		strbuf_addf(sb, "%s:%s:%d", p->file, sheet, row);
	else
		strbuf_addf(sb, "%s:%s", p->file, sheet);
}

static void perr(struct diag_list *dl, const struct profile *p, const char *sheet, int row,
		 const char *zh, const char *en, ...) RUHU_PRINTF2(5, 6, 7);
static void perr(struct diag_list *dl, const struct profile *p, const char *sheet, int row,
		 const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	where(&w, p, sheet, row);
	va_start(ap, en);
	diag_vadd(dl, DIAG_ERROR, w.buf, zh, en, ap);
	va_end(ap);
	strbuf_release(&w);
}

static bool valid_name(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static bool parse_double(const char *s, double *out)
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

int profile_param(const struct profile *p, const char *name, double *value)
{
	size_t i;

	for (i = 0; i < p->n_params; i++)
		if (!strcmp(p->params[i].name, name)) {
			if (value)
				*value = p->params[i].value;
			return (int)i;
		}
	return -1;
}

/*
 * A number cell: a literal or a param name. Empty: *out = dflt and 0 when
 * `dflt` is allowed (not NaN), else an error. Returns 0 or -1 (error added).
 */
static int num_cell(struct profile *p, struct diag_list *dl, const char *sheet,
		    const struct wb_row *r, int c, const char *colname, double dflt, double *out)
{
	const char *s = workbook_cell(r, c);

	if (!*s) {
		if (isnan(dflt)) {
			perr(dl, p, sheet, r->line, "缺少 '%s'", "missing '%s'", colname);
			return -1;
		}
		*out = dflt;
		return 0;
	}
	if (parse_double(s, out) || profile_param(p, s, out) >= 0)
		return 0;
	perr(dl, p, sheet, r->line, "'%s' 列的 '%s' 既不是数字也不是参数（params 表）",
	     "'%s' is neither a number nor a param (params sheet): '%s'", colname, s);
	return -1;
}

/* ---- household scope ---------------------------------------------------- */

static int hh_field(void *ud, const char *name)
{
	struct profile *p = ud;
	size_t i;
	int k = profile_param(p, name, NULL);

	if (k >= 0)
		return k;
	for (i = 0; i < p->n_vars; i++)
		if (!strcmp(p->vars[i].name, name))
			return (int)(p->n_params + i);
	XGROW(p->vars, p->cap_vars, p->n_vars + 1);
	p->vars[p->n_vars].name = xstrdup(name);
	p->vars[p->n_vars].sheet = p->cur_sheet;
	p->vars[p->n_vars].row = p->cur_row;
	return (int)(p->n_params + p->n_vars++);
}

/* Unit scope: params, then n, score, then ID, ID_num, ID_den, ID_points per
 * indicator, then input_NAME per composite component (unit level). */
static int unit_field(void *ud, const char *name)
{
	struct profile *p = ud;
	size_t i, base;
	int k = profile_param(p, name, NULL);
	static const char *const suf[4] = {"", "_num", "_den", "_points"};

	if (k >= 0)
		return k;
	base = p->n_params;
	if (!strcmp(name, "n"))
		return (int)base;
	if (!strcmp(name, "score"))
		return (int)base + 1;
	for (i = 0; i < p->n_ind; i++) {
		size_t il = strlen(p->ind[i].id), j;

		if (strncmp(name, p->ind[i].id, il))
			continue;
		for (j = 0; j < 4; j++)
			if (!strcmp(name + il, suf[j]))
				return (int)(base + 2 + 4 * i + j);
	}
	if (!strncmp(name, "input_", 6))
		for (i = 0; i < p->n_comps; i++)
			if (!p->comps[i].parent && p->comps[i].source == PROFILE_SRC_INPUT &&
			    !strcmp(p->comps[i].name, name + 6))
				return (int)(base + 2 + 4 * p->n_ind + i);
	return -1;
}

/* Compiles an expression cell (empty: *out NULL, ok unless required). */
static int compile(struct profile *p, struct diag_list *dl, const char *sheet,
		   const struct wb_row *r, int c, const char *colname, bool unit, bool required,
		   struct expr **out)
{
	struct expr_scope sc = {p, unit ? unit_field : hh_field, NULL};
	struct error e = ERROR_INIT;
	const char *src = workbook_cell(r, c);
	struct strbuf w = STRBUF_INIT;

	*out = NULL;
	if (!*src) {
		if (!required)
			return 0;
		perr(dl, p, sheet, r->line, "缺少 '%s'", "missing '%s'", colname);
		return -1;
	}
	p->cur_sheet = sheet;
	p->cur_row = r->line;
	if (expr_compile(src, &sc, out, &e) == 0)
		return 0;
	{
		/* the engine's message, in each language, after the column */
		struct error msg = ERROR_INIT;
		struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

		where(&w, p, sheet, r->line);
		strbuf_addf(&zh, "'%s' 列第 %d 字符：%s", colname, e.code, error_msg(&e, LANG_ZH));
		strbuf_addf(&en, "'%s' column %d: %s", colname, e.code, error_msg(&e, LANG_EN));
		msg.where = strbuf_detach(&w, NULL);
		msg.zh = strbuf_detach(&zh, NULL);
		msg.en = strbuf_detach(&en, NULL);
		diag_add_error(dl, DIAG_ERROR, &msg);
		error_clear(&msg);
	}
	strbuf_release(&w);
	error_clear(&e);
	return -1;
}

/* ---- sheets ------------------------------------------------------------- */

static struct wb_sheet *need_sheet(struct profile *p, struct diag_list *dl, const char *name)
{
	struct wb_sheet *s = workbook_sheet(p->wb, name);

	if (!s)
		perr(dl, p, name, 0, "缺少 '%s' 表", "missing sheet '%s'", name);
	return s;
}

static int need_cols(struct profile *p, struct diag_list *dl, const struct wb_sheet *s,
		     const char *const *names)
{
	int ret = 0;

	for (; *names; names++)
		if (workbook_col(s, *names) < 0) {
			perr(dl, p, s->name, s->header.line, "缺少 '%s' 列", "missing column '%s'",
			     *names);
			ret = -1;
		}
	return ret;
}

static int read_params(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"name", "value", "source", NULL};
	struct wb_sheet *s = need_sheet(p, dl, "params");
	int cn, cv, cs, ret = 0;
	size_t i;

	if (!s || need_cols(p, dl, s, need) < 0)
		return -1;
	cn = workbook_col(s, "name");
	cv = workbook_col(s, "value");
	cs = workbook_col(s, "source");
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		const char *name = workbook_cell(r, cn);
		double v;

		if (!valid_name(name)) {
			perr(dl, p, "params", r->line, "参数名 '%s' 无效（字母、数字、下划线）",
			     "invalid param name '%s' (letters, digits, underscore)", name);
			ret = -1;
			continue;
		}
		if (profile_param(p, name, NULL) >= 0) {
			perr(dl, p, "params", r->line, "参数 '%s' 重复", "duplicate param '%s'", name);
			ret = -1;
			continue;
		}
		if (!parse_double(workbook_cell(r, cv), &v)) {
			perr(dl, p, "params", r->line, "参数 '%s' 的值 '%s' 不是数字",
			     "param '%s': value '%s' is not a number", name, workbook_cell(r, cv));
			ret = -1;
			continue;
		}
		if (!*workbook_cell(r, cs)) {
			perr(dl, p, "params", r->line,
			     "参数 '%s' 没有来源：写明依据的条款，或写 \"default: 理由\"",
			     "param '%s' has no source: name the seed clause or write \"default: why\"",
			     name);
			ret = -1;
			continue;
		}
		XGROW(p->params, p->cap_params, p->n_params + 1);
		p->params[p->n_params].name = xstrdup(name);
		p->params[p->n_params].value = v;
		p->params[p->n_params].row = r->line;
		p->n_params++;
	}
	return ret;
}

static int read_settings(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"unit_column", "form_id", NULL};
	struct wb_sheet *s = need_sheet(p, dl, "settings");
	const struct wb_row *r;
	size_t k;

	if (!s || need_cols(p, dl, s, need) < 0)
		return -1;
	if (s->n != 1) {
		perr(dl, p, "settings", s->line, "'settings' 表要有且只有一行数据",
		     "sheet 'settings' needs exactly one data row");
		return -1;
	}
	r = &s->rows[0];
	for (k = 0; k < N_SETTINGS; k++) {
		const char *v;

		if (k < 2)
			v = workbook_cell(r, workbook_col_lang(s, "name", k == 0 ? "zh" : "en"));
		else
			v = workbook_cell(r, workbook_col(s, setting_keys[k]));
		p->settings[k] = *v ? xstrdup(v) : NULL;
	}
	if (!p->settings[5] || !p->settings[7]) {
		perr(dl, p, "settings", r->line, "缺少 unit_column 或 form_id",
		     "missing unit_column or form_id");
		return -1;
	}
	/* the unit and group are household names too, checked by profile_bind */
	p->cur_sheet = "settings";
	p->cur_row = r->line;
	if (!valid_name(p->settings[5]) ||
	    (p->settings[6] && !valid_name(p->settings[6]))) {
		perr(dl, p, "settings", r->line, "unit_column 或 group_column 不是有效的名称",
		     "unit_column or group_column is not a valid name");
		return -1;
	}
	if (profile_param(p, p->settings[5], NULL) >= 0 ||
	    (p->settings[6] && profile_param(p, p->settings[6], NULL) >= 0)) {
		perr(dl, p, "settings", r->line, "unit_column 或 group_column 是一个参数名",
		     "unit_column or group_column names a param");
		return -1;
	}
	p->unit_var = hh_field(p, p->settings[5]) - (int)p->n_params;
	p->group_var = p->settings[6] ? hh_field(p, p->settings[6]) - (int)p->n_params : -1;
	if (p->settings[8] && (!valid_name(p->settings[8]) ||
			       profile_param(p, p->settings[8], NULL) >= 0)) {
		perr(dl, p, "settings", r->line, "parent_column 不是有效的名称",
		     "parent_column is not a valid name");
		return -1;
	}
	p->parent_var = p->settings[8] ? hh_field(p, p->settings[8]) - (int)p->n_params : -1;
	if (p->settings[9] && (!valid_name(p->settings[9]) ||
			       profile_param(p, p->settings[9], NULL) >= 0)) {
		perr(dl, p, "settings", r->line, "weight_column 不是有效的名称",
		     "weight_column is not a valid name");
		return -1;
	}
	p->weight_var = p->settings[9] ? hh_field(p, p->settings[9]) - (int)p->n_params : -1;
	return num_cell(p, dl, "settings", r, workbook_col(s, "min_sample"), "min_sample", 0,
			&p->min_sample);
}

static int parse_measure(const char *s, enum profile_measure *m)
{
	if (!strcmp(s, "rate"))
		*m = PROFILE_RATE;
	else if (!strcmp(s, "mean"))
		*m = PROFILE_MEAN;
	else if (!strcmp(s, "af"))
		*m = PROFILE_AF;
	else if (!strcmp(s, "ratio"))
		*m = PROFILE_RATIO;
	else if (!strcmp(s, "median"))
		*m = PROFILE_MEDIAN;
	else
		return -1;
	return 0;
}

static int parse_rule(const char *s, enum profile_rule *r)
{
	if (!strcmp(s, "report") || !*s)
		*r = PROFILE_RULE_REPORT;
	else if (!strcmp(s, "linear"))
		*r = PROFILE_RULE_LINEAR;
	else if (!strcmp(s, "step"))
		*r = PROFILE_RULE_STEP;
	else if (!strcmp(s, "bands"))
		*r = PROFILE_RULE_BANDS;
	else
		return -1;
	return 0;
}

static void add_var(struct ind_priv *ip, const struct profile *p, const struct expr *e)
{
	const int *refs;
	size_t n, i, j;

	if (!e)
		return;
	n = expr_refs(e, &refs);
	for (i = 0; i < n; i++) {
		size_t v;

		if (refs[i] < (int)p->n_params)
			continue;
		v = (size_t)refs[i] - p->n_params;
		for (j = 0; j < ip->n_vars; j++)
			if (ip->vars[j] == v)
				break;
		if (j < ip->n_vars)
			continue;
		ip->vars = xrealloc(ip->vars, (ip->n_vars + 1) * sizeof(*ip->vars));
		ip->vars[ip->n_vars++] = v;
	}
}

static int read_indicators(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"id", "measure", "rule", NULL};
	struct wb_sheet *s = need_sheet(p, dl, "indicators");
	int c_id, c_lz, c_le, c_pop, c_meas, c_prob, c_val, c_base, c_pts, c_rule, c_full, c_zero,
		c_step, c_ded, c_cut, ret = 0;
	size_t i, j;

	if (!s || need_cols(p, dl, s, need) < 0)
		return -1;
	c_id = workbook_col(s, "id");
	c_lz = workbook_col_lang(s, "label", "zh");
	c_le = workbook_col_lang(s, "label", "en");
	c_pop = workbook_col(s, "population");
	c_meas = workbook_col(s, "measure");
	c_prob = workbook_col(s, "problem");
	c_val = workbook_col(s, "value");
	c_base = workbook_col(s, "base");
	c_pts = workbook_col(s, "points");
	c_rule = workbook_col(s, "rule");
	c_full = workbook_col(s, "full_at");
	c_zero = workbook_col(s, "zero_at");
	c_step = workbook_col(s, "step");
	c_ded = workbook_col(s, "deduct");
	c_cut = workbook_col(s, "cutoff");
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct profile_indicator ind;
		const char *id = workbook_cell(r, c_id);
		int bad = 0;

		memset(&ind, 0, sizeof(ind));
		ind.row = r->line;
		if (!valid_name(id) || !strcmp(id, "n") || !strcmp(id, "score")) {
			perr(dl, p, "indicators", r->line, "指标 id '%s' 无效",
			     "invalid indicator id '%s'", id);
			ret = -1;
			continue;
		}
		for (j = 0; j < p->n_ind; j++)
			if (!strcmp(p->ind[j].id, id))
				break;
		if (j < p->n_ind) {
			perr(dl, p, "indicators", r->line, "指标 '%s' 重复",
			     "duplicate indicator '%s'", id);
			ret = -1;
			continue;
		}
		ind.id = id;
		ind.label_zh = workbook_cell(r, c_lz);
		ind.label_en = workbook_cell(r, c_le);
		if (parse_measure(workbook_cell(r, c_meas), &ind.measure) < 0) {
			perr(dl, p, "indicators", r->line,
			     "指标 '%s'：未知的 measure '%s'（rate、mean、median、ratio 或 af）",
			     "indicator '%s': unknown measure '%s' (rate, mean, median, ratio or af)", id,
			     workbook_cell(r, c_meas));
			bad = 1;
		}
		if (parse_rule(workbook_cell(r, c_rule), &ind.rule) < 0) {
			perr(dl, p, "indicators", r->line,
			     "指标 '%s'：未知的 rule '%s'（linear、step、bands 或 report）",
			     "indicator '%s': unknown rule '%s' (linear, step, bands or report)", id,
			     workbook_cell(r, c_rule));
			bad = 1;
		}
		if (compile(p, dl, "indicators", r, c_pop, "population", false, false,
			    &ind.population) < 0)
			bad = 1;
		if (!bad && ind.measure == PROFILE_RATE &&
		    compile(p, dl, "indicators", r, c_prob, "problem", false, true, &ind.problem) < 0)
			bad = 1;
		if (!bad &&
		    (ind.measure == PROFILE_MEAN || ind.measure == PROFILE_MEDIAN ||
		     ind.measure == PROFILE_RATIO) &&
		    compile(p, dl, "indicators", r, c_val, "value", false, true, &ind.value) < 0)
			bad = 1;
		if (!bad && ind.measure == PROFILE_RATIO &&
		    compile(p, dl, "indicators", r, c_base, "base", false, true, &ind.base) < 0)
			bad = 1;
		if (!bad && ind.measure == PROFILE_AF &&
		    num_cell(p, dl, "indicators", r, c_cut, "cutoff", NAN, &ind.cutoff) < 0)
			bad = 1;
		if (!bad && ind.measure == PROFILE_AF && (ind.cutoff <= 0 || ind.cutoff > 1)) {
			perr(dl, p, "indicators", r->line, "指标 '%s'：cutoff 要在 (0, 1] 之内",
			     "indicator '%s': cutoff must be in (0, 1]", id);
			bad = 1;
		}
		if (!bad && ind.rule != PROFILE_RULE_REPORT) {
			if (num_cell(p, dl, "indicators", r, c_pts, "points", NAN, &ind.points) < 0)
				bad = 1;
			else if (ind.points <= 0) {
				perr(dl, p, "indicators", r->line, "指标 '%s'：points 要大于 0",
				     "indicator '%s': points must be above 0", id);
				bad = 1;
			}
		}
		if (!bad && ind.rule == PROFILE_RULE_LINEAR) {
			if (num_cell(p, dl, "indicators", r, c_full, "full_at", NAN, &ind.full_at) < 0 ||
			    num_cell(p, dl, "indicators", r, c_zero, "zero_at", NAN, &ind.zero_at) < 0)
				bad = 1;
			else if (ind.full_at == ind.zero_at) {
				perr(dl, p, "indicators", r->line,
				     "指标 '%s'：full_at 与 zero_at 不能相等",
				     "indicator '%s': full_at and zero_at must differ", id);
				bad = 1;
			}
		}
		if (!bad && ind.rule == PROFILE_RULE_STEP) {
			if (num_cell(p, dl, "indicators", r, c_full, "full_at", NAN, &ind.full_at) < 0 ||
			    num_cell(p, dl, "indicators", r, c_step, "step", NAN, &ind.step) < 0 ||
			    num_cell(p, dl, "indicators", r, c_ded, "deduct", NAN, &ind.deduct) < 0)
				bad = 1;
			else if (ind.step <= 0 || ind.deduct <= 0) {
				perr(dl, p, "indicators", r->line, "指标 '%s'：step 和 deduct 要大于 0",
				     "indicator '%s': step and deduct must be above 0", id);
				bad = 1;
			}
		}
		if (bad) {
			expr_free(ind.population);
			expr_free(ind.problem);
			expr_free(ind.value);
			expr_free(ind.base);
			ret = -1;
			continue;
		}
		XGROW(p->ind, p->cap_ind, p->n_ind + 1);
		p->ipriv = xrealloc(p->ipriv, p->cap_ind * sizeof(*p->ipriv));
		memset(&p->ipriv[p->n_ind], 0, sizeof(*p->ipriv));
		p->ind[p->n_ind++] = ind;
	}
	if (!ret && !p->n_ind) {
		perr(dl, p, "indicators", s->line, "没有指标", "no indicators");
		ret = -1;
	}
	return ret;
}

static struct profile_indicator *find_ind(struct profile *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->n_ind; i++)
		if (!strcmp(p->ind[i].id, id))
			return &p->ind[i];
	return NULL;
}

static int cmp_band(const void *a, const void *b)
{
	const struct profile_band *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from ? 1 : x->row - y->row;
}

/* Bands sorted by `from` must tile [first.from, last.to): each next from equals
 * the previous to. Reports the first overlap or gap at its row. */
static int check_tiling(struct profile *p, struct diag_list *dl, const char *sheet,
			const char *what, const struct profile_band *b, size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 1; i < n; i++) {
		if (b[i].from < b[i - 1].to) {
			perr(dl, p, sheet, b[i].row, "%s：区间 [%g, %g) 与第 %d 行的区间重叠",
			     "%s: band [%g, %g) overlaps the band of row %d", what, b[i].from,
			     b[i].to, b[i - 1].row);
			ret = -1;
		} else if (b[i].from > b[i - 1].to) {
			perr(dl, p, sheet, b[i].row, "%s：区间 [%g, %g) 与第 %d 行的区间之间有空缺",
			     "%s: band [%g, %g) leaves a gap after the band of row %d", what,
			     b[i].from, b[i].to, b[i - 1].row);
			ret = -1;
		}
	}
	return ret;
}

static int read_point_bands(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"indicator", "from", "to", "points", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "point_bands");
	int ci, cf, ct, cp, ret = 0;
	size_t i;

	if (s) {
		if (need_cols(p, dl, s, need) < 0)
			return -1;
		ci = workbook_col(s, "indicator");
		cf = workbook_col(s, "from");
		ct = workbook_col(s, "to");
		cp = workbook_col(s, "points");
		for (i = 0; i < s->n; i++) {
			const struct wb_row *r = &s->rows[i];
			struct profile_indicator *ind = find_ind(p, workbook_cell(r, ci));
			struct profile_band b;

			if (!ind || ind->rule != PROFILE_RULE_BANDS) {
				perr(dl, p, "point_bands", r->line,
				     "'%s' 不是 rule 为 bands 的指标",
				     "'%s' is not an indicator with rule bands", workbook_cell(r, ci));
				ret = -1;
				continue;
			}
			b.row = r->line;
			if (num_cell(p, dl, "point_bands", r, cf, "from", NAN, &b.from) < 0 ||
			    num_cell(p, dl, "point_bands", r, ct, "to", INFINITY, &b.to) < 0 ||
			    num_cell(p, dl, "point_bands", r, cp, "points", NAN, &b.points) < 0) {
				ret = -1;
				continue;
			}
			if (b.to <= b.from || b.points < 0 || b.points > ind->points) {
				perr(dl, p, "point_bands", r->line,
				     "区间 [%g, %g) 为空，或分数 %g 不在 0 到 %g 之间",
				     "band [%g, %g) is empty or its points %g are not within 0..%g",
				     b.from, b.to, b.points, ind->points);
				ret = -1;
				continue;
			}
			ind->bands = xrealloc(ind->bands, (ind->n_bands + 1) * sizeof(b));
			ind->bands[ind->n_bands++] = b;
		}
	}
	for (i = 0; i < p->n_ind; i++) {
		struct profile_indicator *ind = &p->ind[i];
		struct strbuf w = STRBUF_INIT;

		if (ind->rule != PROFILE_RULE_BANDS)
			continue;
		if (!ind->n_bands) {
			perr(dl, p, "indicators", ind->row,
			     "指标 '%s' 的 rule 是 bands，但 point_bands 表里没有它的区间",
			     "indicator '%s' has rule bands but no rows in sheet point_bands", ind->id);
			ret = -1;
			continue;
		}
		qsort(ind->bands, ind->n_bands, sizeof(*ind->bands), cmp_band);
		strbuf_addf(&w, "indicator '%s'", ind->id);
		if (check_tiling(p, dl, "point_bands", w.buf, ind->bands, ind->n_bands) < 0)
			ret = -1;
		strbuf_release(&w);
	}
	return ret;
}

static int read_dimensions(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"indicator", "id", "deprived", "weight", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "dimensions");
	int ci, cid, cz, ce, cd, cw, ret = 0;
	size_t i;

	if (s) {
		if (need_cols(p, dl, s, need) < 0)
			return -1;
		ci = workbook_col(s, "indicator");
		cid = workbook_col(s, "id");
		cz = workbook_col_lang(s, "label", "zh");
		ce = workbook_col_lang(s, "label", "en");
		cd = workbook_col(s, "deprived");
		cw = workbook_col(s, "weight");
		for (i = 0; i < s->n; i++) {
			const struct wb_row *r = &s->rows[i];
			struct profile_indicator *ind = find_ind(p, workbook_cell(r, ci));
			struct profile_dimension d;

			if (!ind || ind->measure != PROFILE_AF) {
				perr(dl, p, "dimensions", r->line, "'%s' 不是 measure 为 af 的指标",
				     "'%s' is not an indicator with measure af", workbook_cell(r, ci));
				ret = -1;
				continue;
			}
			memset(&d, 0, sizeof(d));
			d.id = workbook_cell(r, cid);
			d.label_zh = workbook_cell(r, cz);
			d.label_en = workbook_cell(r, ce);
			d.row = r->line;
			if (num_cell(p, dl, "dimensions", r, cw, "weight", NAN, &d.weight) < 0 ||
			    compile(p, dl, "dimensions", r, cd, "deprived", false, true,
				    &d.deprived) < 0) {
				ret = -1;
				continue;
			}
			if (d.weight <= 0) {
				perr(dl, p, "dimensions", r->line, "维度 '%s' 的权重要大于 0",
				     "dimension '%s': weight must be above 0", d.id);
				expr_free(d.deprived);
				ret = -1;
				continue;
			}
			ind->dims = xrealloc(ind->dims, (ind->n_dims + 1) * sizeof(d));
			ind->dims[ind->n_dims++] = d;
		}
	}
	for (i = 0; i < p->n_ind; i++) {
		struct profile_indicator *ind = &p->ind[i];
		double sum = 0;
		size_t j;

		if (ind->measure != PROFILE_AF)
			continue;
		if (!ind->n_dims) {
			perr(dl, p, "indicators", ind->row,
			     "指标 '%s' 的 measure 是 af，但 dimensions 表里没有它的维度",
			     "indicator '%s' has measure af but no rows in sheet dimensions", ind->id);
			ret = -1;
			continue;
		}
		for (j = 0; j < ind->n_dims; j++)
			sum += ind->dims[j].weight;
		if (fabs(sum - 1) > 1e-9) {
			perr(dl, p, "dimensions", ind->dims[0].row,
			     "指标 '%s' 各维度的权重之和是 %g，应为 1",
			     "indicator '%s': the dimension weights add up to %g, not 1", ind->id, sum);
			ret = -1;
		}
	}
	return ret;
}

static int read_grades(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"id", NULL};
	struct wb_sheet *s = need_sheet(p, dl, "grades");
	int cid, cz, ce, cmin, cmax, csh, ret = 0;
	size_t i, j;
	struct profile_band *b;
	double shares = 0;

	if (!s || need_cols(p, dl, s, need) < 0)
		return -1;
	cid = workbook_col(s, "id");
	cz = workbook_col_lang(s, "name", "zh");
	ce = workbook_col_lang(s, "name", "en");
	cmin = workbook_col(s, "min");
	cmax = workbook_col(s, "max");
	csh = workbook_col(s, "share");
	if ((cmin < 0) == (csh < 0)) {
		perr(dl, p, "grades", s->header.line,
		     "等次要么用分数区间（min、max 列），要么按比例（share 列），不能都有或都没有",
		     "grades need either score bands (columns min, max) or shares of a ranked group "
		     "(column share), not both or neither");
		return -1;
	}
	p->by_share = csh >= 0;
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct profile_grade g;

		memset(&g, 0, sizeof(g));
		g.id = workbook_cell(r, cid);
		g.name_zh = *workbook_cell(r, cz) ? workbook_cell(r, cz) : g.id;
		g.name_en = *workbook_cell(r, ce) ? workbook_cell(r, ce) : g.id;
		g.row = r->line;
		if (!*g.id) {
			perr(dl, p, "grades", r->line, "缺少 'id'", "missing 'id'");
			ret = -1;
			continue;
		}
		for (j = 0; j < p->n_grades; j++)
			if (!strcmp(p->grades[j].id, g.id))
				break;
		if (j < p->n_grades) {
			perr(dl, p, "grades", r->line, "等次 '%s' 重复", "duplicate grade '%s'", g.id);
			ret = -1;
			continue;
		}
		if (p->by_share) {
			g.min = g.max = NAN;
			if (num_cell(p, dl, "grades", r, csh, "share", NAN, &g.share) < 0) {
				ret = -1;
				continue;
			}
			if (g.share < 0 || g.share > 1) {
				perr(dl, p, "grades", r->line, "等次 '%s' 的比例 %g 不在 0 到 1 之间",
				     "grade '%s': share %g is not within 0..1", g.id, g.share);
				ret = -1;
				continue;
			}
			shares += g.share;
			XGROW(p->grades, p->cap_grades, p->n_grades + 1);
			p->grades[p->n_grades++] = g;
			continue;
		}
		if (num_cell(p, dl, "grades", r, cmin, "min", NAN, &g.min) < 0 ||
		    num_cell(p, dl, "grades", r, cmax, "max", INFINITY, &g.max) < 0) {
			ret = -1;
			continue;
		}
		if (g.max <= g.min) {
			perr(dl, p, "grades", r->line, "等次 '%s' 的区间 [%g, %g) 为空",
			     "grade '%s': band [%g, %g) is empty", g.id, g.min, g.max);
			ret = -1;
			continue;
		}
		XGROW(p->grades, p->cap_grades, p->n_grades + 1);
		p->grades[p->n_grades++] = g;
	}
	if (ret)
		return ret;
	if (p->n_grades < 2) {
		perr(dl, p, "grades", s->line, "至少要两个等次", "at least two grades are needed");
		return -1;
	}
	if (p->by_share) {
		if (fabs(shares - 1) > 1e-9) {
			perr(dl, p, "grades", p->grades[0].row, "各等次的比例之和是 %g，应为 1",
			     "the grade shares add up to %g, not 1", shares);
			return -1;
		}
		if (p->grades[0].share <= 0) {
			perr(dl, p, "grades", p->grades[0].row, "最好的等次 '%s' 的比例要大于 0",
			     "the best grade '%s' needs a share above 0", p->grades[0].id);
			return -1;
		}
		return 0;
	}
	/* listed best first: check the bands from the worst up */
	b = xcalloc(p->n_grades, sizeof(*b));
	for (i = 0; i < p->n_grades; i++) {
		const struct profile_grade *g = &p->grades[p->n_grades - 1 - i];

		b[i].from = g->min;
		b[i].to = g->max;
		b[i].row = g->row;
		if (i && g->min < p->grades[p->n_grades - i].min) {
			perr(dl, p, "grades", g->row,
			     "等次要从好到差排列：'%s' 的下限低于下一行的等次",
			     "grades are listed best first: '%s' starts below the grade after it",
			     g->id);
			ret = -1;
		}
	}
	if (!ret)
		ret = check_tiling(p, dl, "grades", "grades", b, p->n_grades);
	if (!ret && b[0].from > 0) {
		perr(dl, p, "grades", b[0].row, "最低等次的下限 %g 高于 0：低于它的得分没有等次",
		     "the lowest grade starts at %g, above 0: lower scores get no grade", b[0].from);
		ret = -1;
	}
	if (!ret && b[p->n_grades - 1].to <= profile_max_points(p)) {
		perr(dl, p, "grades", b[p->n_grades - 1].row,
		     "最高等次的上限 %g 不高于满分 %g（上限留空表示不设上限）",
		     "the best grade ends at %g, not above the full score %g (leave max empty)",
		     b[p->n_grades - 1].to, profile_max_points(p));
		ret = -1;
	}
	free(b);
	return ret;
}


/* Sheet flags: findings below the unit (规模性返贫 risk by village) that are
 * reported for assessors to confirm and never change a grade. */
static int read_flags(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"id", "level", "problem", "min_count", "min_share",
					   NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "flags");
	int cid, cz, ce, cl, cp, cpr, cc, cs, ret = 0;
	size_t i;

	if (!s)
		return 0;
	if (need_cols(p, dl, s, need) < 0)
		return -1;
	cid = workbook_col(s, "id");
	cz = workbook_col_lang(s, "label", "zh");
	ce = workbook_col_lang(s, "label", "en");
	cl = workbook_col(s, "level");
	cp = workbook_col(s, "population");
	cpr = workbook_col(s, "problem");
	cc = workbook_col(s, "min_count");
	cs = workbook_col(s, "min_share");
	p->flags = xcalloc(s->n ? s->n : 1, sizeof(*p->flags));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct profile_flag f;
		const char *level = workbook_cell(r, cl);

		memset(&f, 0, sizeof(f));
		f.id = workbook_cell(r, cid);
		f.label_zh = workbook_cell(r, cz);
		f.label_en = workbook_cell(r, ce);
		f.row = r->line;
		if (!valid_name(f.id) || !valid_name(level)) {
			perr(dl, p, "flags", r->line, "id '%s' 或 level '%s' 不是有效的名称",
			     "id '%s' or level '%s' is not a valid name", f.id, level);
			ret = -1;
			continue;
		}
		p->cur_sheet = "flags";
		p->cur_row = r->line;
		f.level_var = (size_t)(hh_field(p, level) - (int)p->n_params);
		if (num_cell(p, dl, "flags", r, cc, "min_count", NAN, &f.min_count) < 0 ||
		    num_cell(p, dl, "flags", r, cs, "min_share", NAN, &f.min_share) < 0 ||
		    compile(p, dl, "flags", r, cp, "population", false, false, &f.population) < 0 ||
		    compile(p, dl, "flags", r, cpr, "problem", false, true, &f.problem) < 0) {
			expr_free(f.population);
			ret = -1;
			continue;
		}
		p->flags[p->n_flags++] = f;
	}
	return ret;
}

/* Sheet minimums: the minimum sample of one unit or of a group's units, where
 * a seed sets them apart (Gansu's 重点帮扶县, Chongqing's districts). */
static int read_minimums(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"min_sample", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "minimums");
	int cu, cg, cm, ret = 0;
	size_t i;

	if (!s)
		return 0;
	if (need_cols(p, dl, s, need) < 0)
		return -1;
	cu = workbook_col(s, "unit");
	cg = workbook_col(s, "group");
	cm = workbook_col(s, "min_sample");
	p->mins = xcalloc(s->n ? s->n : 1, sizeof(*p->mins));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct minimum m;

		m.unit = workbook_cell(r, cu);
		m.group = workbook_cell(r, cg);
		if (!*m.unit == !*m.group) {
			perr(dl, p, "minimums", r->line, "要有 unit 或 group 之一（不能都有或都没有）",
			     "give either a unit or a group (not both, not neither)");
			ret = -1;
			continue;
		}
		if (num_cell(p, dl, "minimums", r, cm, "min_sample", NAN, &m.min) < 0) {
			ret = -1;
			continue;
		}
		p->mins[p->n_mins++] = m;
	}
	return ret;
}

/* Sheet groups: the units ranked together, listed in the profile (unit ->
 * group; Chongqing's two groups of districts) rather than read from a sample
 * column (settings group_column). */
static int read_groups(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"unit", "group", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "groups");
	int cu, cg, ret = 0;
	size_t i, j;

	if (!s)
		return 0;
	if (need_cols(p, dl, s, need) < 0)
		return -1;
	if (p->settings[6]) {
		perr(dl, p, "groups", s->n ? s->rows[0].line : 0,
		     "settings 已有 group_column '%s'：分组要么来自样本列，要么列在 groups 表中，不能两者都有",
		     "settings already has group_column '%s': groups come either from a sample column "
		     "or from sheet groups, not both",
		     p->settings[6]);
		return -1;
	}
	p->has_ugroups = true;
	cu = workbook_col(s, "unit");
	cg = workbook_col(s, "group");
	p->ugroups = xcalloc(s->n ? s->n : 1, sizeof(*p->ugroups));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct unit_group g;

		g.unit = workbook_cell(r, cu);
		g.group = workbook_cell(r, cg);
		g.line = r->line;
		if (!*g.unit || !*g.group) {
			perr(dl, p, "groups", r->line, "unit 和 group 都要填写",
			     "give both a unit and a group");
			ret = -1;
			continue;
		}
		for (j = 0; j < p->n_ugroups; j++)
			if (!strcmp(p->ugroups[j].unit, g.unit))
				break;
		if (j < p->n_ugroups) {
			perr(dl, p, "groups", r->line, "单位 '%s' 已在第 %d 行分组",
			     "unit '%s' is already grouped at row %d", g.unit, p->ugroups[j].line);
			ret = -1;
			continue;
		}
		p->ugroups[p->n_ugroups++] = g;
	}
	if (!ret && !p->n_ugroups) {
		perr(dl, p, "groups", 0, "groups 表没有任何单位", "sheet groups lists no unit");
		ret = -1;
	}
	return ret;
}

static int read_vetoes(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"id", "when", "effect", "grade", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "vetoes");
	int cid, cz, ce, cw, cef, cg, ret = 0;
	size_t i, j;

	if (!s)
		return 0;
	if (need_cols(p, dl, s, need) < 0)
		return -1;
	cid = workbook_col(s, "id");
	cz = workbook_col_lang(s, "label", "zh");
	ce = workbook_col_lang(s, "label", "en");
	cw = workbook_col(s, "when");
	cef = workbook_col(s, "effect");
	cg = workbook_col(s, "grade");
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct profile_veto v;
		const char *eff = workbook_cell(r, cef), *g = workbook_cell(r, cg);

		memset(&v, 0, sizeof(v));
		v.id = workbook_cell(r, cid);
		v.label_zh = workbook_cell(r, cz);
		v.label_en = workbook_cell(r, ce);
		v.row = r->line;
		if (!valid_name(v.id)) {
			perr(dl, p, "vetoes", r->line, "否决条件 id '%s' 无效", "invalid veto id '%s'",
			     v.id);
			ret = -1;
			continue;
		}
		if (!strcmp(eff, "forbid"))
			v.effect = PROFILE_VETO_FORBID;
		else if (!strcmp(eff, "force"))
			v.effect = PROFILE_VETO_FORCE;
		else {
			perr(dl, p, "vetoes", r->line, "未知的 effect '%s'（forbid 或 force）",
			     "unknown effect '%s' (forbid or force)", eff);
			ret = -1;
			continue;
		}
		for (j = 0; j < p->n_grades; j++)
			if (!strcmp(p->grades[j].id, g) || !strcmp(p->grades[j].name_zh, g))
				break;
		if (j == p->n_grades) {
			perr(dl, p, "vetoes", r->line, "未知的等次 '%s'", "unknown grade '%s'", g);
			ret = -1;
			continue;
		}
		if (v.effect == PROFILE_VETO_FORBID && j + 1 == p->n_grades) {
			perr(dl, p, "vetoes", r->line, "不能禁止最低等次 '%s'",
			     "cannot forbid the lowest grade '%s'", g);
			ret = -1;
			continue;
		}
		v.grade = j;
		if (compile(p, dl, "vetoes", r, cw, "when", true, true, &v.when) < 0) {
			ret = -1;
			continue;
		}
		XGROW(p->vetoes, p->cap_vetoes, p->n_vetoes + 1);
		p->vetoes[p->n_vetoes++] = v;
	}
	return ret;
}


static int read_composite(struct profile *p, struct diag_list *dl)
{
	static const char *const need[] = {"level", "component", "weight", "source", NULL};
	struct wb_sheet *s = workbook_sheet(p->wb, "composite");
	int cl, cc, cw, cs, cf, cv, cu, ret = 0;
	size_t i, j, lv;

	if (!s)
		return 0;
	if (need_cols(p, dl, s, need) < 0)
		return -1;
	cl = workbook_col(s, "level");
	cc = workbook_col(s, "component");
	cw = workbook_col(s, "weight");
	cs = workbook_col(s, "source");
	cf = workbook_col(s, "forms");
	cv = workbook_col(s, "value");
	cu = workbook_col(s, "unit_field");
	p->comps = xcalloc(s->n ? s->n : 1, sizeof(*p->comps));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		struct profile_component c;
		const char *level = workbook_cell(r, cl), *src = workbook_cell(r, cs);

		memset(&c, 0, sizeof(c));
		c.name = workbook_cell(r, cc);
		c.row = r->line;
		if (!strcmp(level, "unit"))
			c.parent = false;
		else if (!strcmp(level, "parent"))
			c.parent = true;
		else {
			perr(dl, p, "composite", r->line, "未知的 level '%s'（unit 或 parent）",
			     "unknown level '%s' (unit or parent)", level);
			ret = -1;
			continue;
		}
		if (!strcmp(src, "field") && !c.parent)
			c.source = PROFILE_SRC_FIELD;
		else if (!strcmp(src, "input"))
			c.source = PROFILE_SRC_INPUT;
		else if (!strcmp(src, "mean") && c.parent)
			c.source = PROFILE_SRC_MEAN;
		else if (!strcmp(src, "forms") && !c.parent)
			c.source = PROFILE_SRC_FORMS;
		else {
			perr(dl, p, "composite", r->line,
			     "source '%s' 不适用于 level '%s'（unit：field、input 或 forms；parent：mean "
			     "或 input）",
			     "source '%s' does not fit level '%s' (unit: field, input or forms; parent: "
			     "mean or input)",
			     src, level);
			ret = -1;
			continue;
		}
		if (!valid_name(c.name)) {
			perr(dl, p, "composite", r->line, "组成部分名称 '%s' 无效",
			     "invalid component name '%s'", c.name);
			ret = -1;
			continue;
		}
		for (j = 0; j < p->n_comps; j++)
			if (!strcmp(p->comps[j].name, c.name) && p->comps[j].parent == c.parent)
				break;
		if (j < p->n_comps) {
			perr(dl, p, "composite", r->line, "组成部分 '%s' 重复",
			     "duplicate component '%s'", c.name);
			ret = -1;
			continue;
		}
		if (num_cell(p, dl, "composite", r, cw, "weight", NAN, &c.weight) < 0) {
			ret = -1;
			continue;
		}
		if (c.weight < 0 || (c.weight == 0 && c.source != PROFILE_SRC_INPUT)) {
			perr(dl, p, "composite", r->line,
			     "组成部分 '%s' 的权重要大于 0（只有 input 可以为 0：只供否决条件读取）",
			     "component '%s': weight must be above 0 (0 only for an input that vetoes "
			     "read)",
			     c.name);
			ret = -1;
			continue;
		}
		if (c.source == PROFILE_SRC_FORMS) {
			const char *fs = cf >= 0 ? workbook_cell(r, cf) : "";

			c.value = cv >= 0 ? workbook_cell(r, cv) : "";
			c.unit_field = cu >= 0 ? workbook_cell(r, cu) : "";
			while (*fs) {
				size_t len = strcspn(fs, " ");

				if (len) {
					c.forms = xrealloc(c.forms, (c.n_forms + 1) * sizeof(char *));
					c.forms[c.n_forms] = xmalloc(len + 1);
					memcpy(c.forms[c.n_forms], fs, len);
					c.forms[c.n_forms++][len] = '\0';
				}
				fs += len;
				fs += strspn(fs, " ");
			}
			if (!c.n_forms || !valid_name(c.value) || !valid_name(c.unit_field)) {
				perr(dl, p, "composite", r->line,
				     "组成部分 '%s'（source forms）需要 forms（问卷 ID）、value 和 "
				     "unit_field（名称）",
				     "component '%s' (source forms) needs forms (form ids), a value and a "
				     "unit_field (names)",
				     c.name);
				for (j = 0; j < c.n_forms; j++)
					free(c.forms[j]);
				free(c.forms);
				ret = -1;
				continue;
			}
		}
		p->comps[p->n_comps++] = c;
	}
	if (ret)
		return ret;
	for (lv = 0; lv < 2; lv++) {
		double sum = 0;
		size_t n = 0, nsrc = 0, first = 0;

		for (j = 0; j < p->n_comps; j++)
			if (p->comps[j].parent == (lv == 1)) {
				if (!n++)
					first = j;
				sum += p->comps[j].weight;
				if (p->comps[j].source == PROFILE_SRC_FIELD ||
				    p->comps[j].source == PROFILE_SRC_MEAN)
					nsrc++;
			}
		if (!n)
			continue;
		if (fabs(sum - 1) > 1e-9) {
			perr(dl, p, "composite", p->comps[first].row,
			     "level '%s' 的权重之和是 %g，应为 1",
			     "level '%s': the weights add up to %g, not 1", lv ? "parent" : "unit", sum);
			ret = -1;
		}
		if (nsrc != 1) {
			perr(dl, p, "composite", p->comps[first].row,
			     "level '%s' 要有且只有一个 %s 组成部分",
			     "level '%s' needs exactly one '%s' component", lv ? "parent" : "unit",
			     lv ? "mean" : "field");
			ret = -1;
		}
		if (lv == 1 && !p->settings[8]) {
			perr(dl, p, "composite", p->comps[first].row,
			     "level 'parent' 需要 settings 的 parent_column",
			     "level 'parent' needs settings parent_column");
			ret = -1;
		}
	}
	return ret;
}

/* ---- public ------------------------------------------------------------- */

int profile_load_buffer(const char *name, const char *data, size_t len, struct profile **out,
			struct diag_list *dl)
{
	struct xlsform_csv *rd = NULL;
	struct profile *p = xcalloc(1, sizeof(*p));
	size_t errors = dl->errors, i;

	*out = NULL;
	p->file = xstrdup(name);
	p->unit_var = p->group_var = p->parent_var = p->weight_var = -1;
	/* the form loader's byte rules and wording (src/form/form.c) */
	if (workbook_check_text(name, data, len, dl) < 0)
		goto fail;
	rd = xlsform_csv_new(name);
	xlsform_csv_feed(rd, data, len);
	if (xlsform_csv_finish(rd, &p->wb, dl) < 0)
		goto fail;
	/* each reader reports what it can; later sheets need the earlier ones */
	if (read_params(p, dl) < 0 || read_settings(p, dl) < 0)
		goto fail;
	if (read_indicators(p, dl) < 0)
		goto fail;
	read_point_bands(p, dl);
	read_dimensions(p, dl);
	if (dl->errors > errors)
		goto fail;
	if (read_grades(p, dl) < 0 || read_composite(p, dl) < 0 || read_vetoes(p, dl) < 0 ||
	    read_flags(p, dl) < 0 || read_minimums(p, dl) < 0 || read_groups(p, dl) < 0)
		goto fail;
	for (i = 0; i < p->n_ind; i++) {
		const struct profile_indicator *ind = &p->ind[i];
		size_t j;

		add_var(&p->ipriv[i], p, ind->population);
		add_var(&p->ipriv[i], p, ind->problem);
		add_var(&p->ipriv[i], p, ind->value);
		add_var(&p->ipriv[i], p, ind->base);
		for (j = 0; j < ind->n_dims; j++)
			add_var(&p->ipriv[i], p, ind->dims[j].deprived);
	}
	xlsform_csv_free(rd);
	*out = p;
	return 0;
fail:
	xlsform_csv_free(rd);
	profile_free(p);
	return -1;
}

int score_read_file(const char *path, char **buf, size_t *len, struct diag_list *dl)
{
	struct stat st;
	size_t got = 0;
	int fd, ret = -1;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		diag_add(dl, DIAG_ERROR, path, "无法打开：%s", "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		diag_add(dl, DIAG_ERROR, path, "无法读取：%s", "cannot read: %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			diag_add(dl, DIAG_ERROR, path, "是目录，不是普通文件",
				 "is a directory, not a regular file");
		else if (S_ISFIFO(st.st_mode))
			diag_add(dl, DIAG_ERROR, path, "是 FIFO（管道），不是普通文件",
				 "is a FIFO (pipe), not a regular file");
		else
			diag_add(dl, DIAG_ERROR, path, "是设备或特殊文件，不是普通文件",
				 "is a device or special file, not a regular file");
		goto done;
	}
	if ((size_t)st.st_size > PROFILE_MAX_BYTES) {
		diag_add(dl, DIAG_ERROR, path, "文件太大（%lld 字节，最多 %u 字节）",
			 "file too large (%lld bytes, at most %u)", (long long)st.st_size,
			 PROFILE_MAX_BYTES);
		goto done;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag_add(dl, DIAG_ERROR, path, "读取失败：%s", "cannot read: %s",
				 strerror(errno));
			free(*buf);
			*buf = NULL;
			goto done;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	(*buf)[got] = '\0';
	*len = got;
	ret = 0;
done:
	close(fd);
	return ret;
}

int profile_load(const char *path, struct profile **out, struct diag_list *dl)
{
	char *buf;
	size_t len;
	int ret;

	*out = NULL;
	if (score_read_file(path, &buf, &len, dl) < 0)
		return -1;
	ret = profile_load_buffer(path, buf, len, out, dl);
	free(buf);
	return ret;
}

void profile_free(struct profile *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->n_params; i++)
		free(p->params[i].name);
	free(p->params);
	for (i = 0; i < p->n_vars; i++)
		free(p->vars[i].name);
	free(p->vars);
	for (i = 0; i < N_SETTINGS; i++)
		free(p->settings[i]);
	for (i = 0; i < p->n_comps; i++) {
		for (j = 0; j < p->comps[i].n_forms; j++)
			free(p->comps[i].forms[j]);
		free(p->comps[i].forms);
	}
	free(p->comps);
	free(p->mins);
	free(p->ugroups);
	for (i = 0; i < p->n_flags; i++) {
		expr_free(p->flags[i].population);
		expr_free(p->flags[i].problem);
	}
	free(p->flags);
	for (i = 0; i < p->n_ind; i++) {
		struct profile_indicator *ind = &p->ind[i];

		expr_free(ind->population);
		expr_free(ind->problem);
		expr_free(ind->value);
		expr_free(ind->base);
		for (j = 0; j < ind->n_dims; j++)
			expr_free(ind->dims[j].deprived);
		free(ind->dims);
		free(ind->bands);
		free(p->ipriv[i].vars);
	}
	free(p->ind);
	free(p->ipriv);
	free(p->grades);
	for (i = 0; i < p->n_vetoes; i++)
		expr_free(p->vetoes[i].when);
	free(p->vetoes);
	workbook_free(p->wb);
	free(p->file);
	free(p);
}

const char *profile_setting(const struct profile *p, const char *key)
{
	size_t k;

	for (k = 0; k < N_SETTINGS; k++)
		if (!strcmp(key, setting_keys[k]))
			return p->settings[k];
	return NULL;
}

const char *profile_file(const struct profile *p)
{
	return p->file;
}

double profile_min_sample(const struct profile *p)
{
	return p->min_sample;
}

bool profile_has_group_sheet(const struct profile *p)
{
	return p->has_ugroups;
}

const char *profile_unit_group(const struct profile *p, const char *unit)
{
	size_t i;

	for (i = 0; unit && i < p->n_ugroups; i++)
		if (!strcmp(p->ugroups[i].unit, unit))
			return p->ugroups[i].group;
	return NULL;
}

double profile_min_sample_of(const struct profile *p, const char *unit, const char *group)
{
	size_t i;

	for (i = 0; i < p->n_mins; i++)
		if (*p->mins[i].unit && unit && !strcmp(p->mins[i].unit, unit))
			return p->mins[i].min;
	for (i = 0; i < p->n_mins; i++)
		if (*p->mins[i].group && group && !strcmp(p->mins[i].group, group))
			return p->mins[i].min;
	return p->min_sample;
}

size_t profile_indicator_count(const struct profile *p)
{
	return p->n_ind;
}

const struct profile_indicator *profile_indicator(const struct profile *p, size_t i)
{
	return i < p->n_ind ? &p->ind[i] : NULL;
}

size_t profile_grade_count(const struct profile *p)
{
	return p->n_grades;
}

const struct profile_grade *profile_grade(const struct profile *p, size_t i)
{
	return i < p->n_grades ? &p->grades[i] : NULL;
}

size_t profile_veto_count(const struct profile *p)
{
	return p->n_vetoes;
}

const struct profile_veto *profile_veto(const struct profile *p, size_t i)
{
	return i < p->n_vetoes ? &p->vetoes[i] : NULL;
}

double profile_max_points(const struct profile *p)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < p->n_ind; i++)
		if (p->ind[i].rule != PROFILE_RULE_REPORT)
			sum += p->ind[i].points;
	return sum;
}

size_t profile_var_count(const struct profile *p)
{
	return p->n_vars;
}

const char *profile_var_name(const struct profile *p, size_t i)
{
	return i < p->n_vars ? p->vars[i].name : NULL;
}

size_t profile_indicator_vars(const struct profile *p, size_t i, const size_t **vars)
{
	*vars = p->ipriv[i].vars;
	return p->ipriv[i].n_vars;
}

size_t profile_param_count(const struct profile *p)
{
	return p->n_params;
}

const char *profile_param_name(const struct profile *p, size_t i)
{
	return i < p->n_params ? p->params[i].name : NULL;
}

double profile_param_value(const struct profile *p, size_t i)
{
	return i < p->n_params ? p->params[i].value : NAN;
}

int profile_unit_var(const struct profile *p)
{
	return p->unit_var;
}

int profile_group_var(const struct profile *p)
{
	return p->group_var;
}

bool profile_grades_by_share(const struct profile *p)
{
	return p->by_share;
}

int profile_weight_var(const struct profile *p)
{
	return p->weight_var;
}

int profile_parent_var(const struct profile *p)
{
	return p->parent_var;
}

size_t profile_flag_count(const struct profile *p)
{
	return p->n_flags;
}

const struct profile_flag *profile_flag(const struct profile *p, size_t i)
{
	return i < p->n_flags ? &p->flags[i] : NULL;
}

size_t profile_component_count(const struct profile *p)
{
	return p->n_comps;
}

const struct profile_component *profile_component(const struct profile *p, size_t i)
{
	return i < p->n_comps ? &p->comps[i] : NULL;
}

int profile_bind(const struct profile *p, const struct form *f, const char *const *columns,
		 size_t n, struct diag_list *dl)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < p->n_vars; i++) {
		const struct var *v = &p->vars[i];
		int k = f ? form_find(f, v->name) : -1;

		if (k >= 0) {
			const struct form_node *nd = form_node(f, (size_t)k);

			if (nd->repeat >= 0) {
				perr(dl, p, v->sheet, v->row,
				     "'%s' 在重复组 '%s' 里：请用户一级的计算字段（如 n_... 计数）",
				     "'%s' is inside repeat '%s': use a household-level calculation "
				     "(such as an n_... count)",
				     v->name, form_node(f, (size_t)nd->repeat)->name);
				ret = -1;
			}
			continue;
		}
		for (j = 0; j < n; j++)
			if (!strcmp(columns[j], v->name))
				break;
		if (j < n)
			continue;
		perr(dl, p, v->sheet, v->row, "未知的字段 '%s'：问卷 '%s' 里没有，样本里也没有这一列",
		     "unknown field '%s': not in form '%s' nor a column of the sample", v->name,
		     f ? form_id(f) : "");
		ret = -1;
	}
	return ret;
}
