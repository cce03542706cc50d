/*
 * audit_rules — the rules file of `ruhu audit` (default forms/checks.csv),
 * read by the form loader's machinery (src/form/workbook.h, xlsform_csv.h):
 * the same sheet/header/row rules, strict quoting and line numbers, so a QC
 * officer who can edit a form in a spreadsheet can edit the checks.
 *
 * Sheets (docs/audit.md): params (name, value, description::LANG, source),
 * rules (id, description::zh, description::en, severity, scope, form,
 * expression, protects), and the optional paradata (id, description..,
 * severity, check, threshold, form) and batch (id, description..,
 * severity, check, form, field, group, threshold).
 *
 * Everything a rule can be checked for without a form is checked here, the
 * expressions' syntax included (compiled with an empty scope); names are
 * checked when audit_run() compiles them against each form.
 */
#include "audit_impl.h"

#include "../form/workbook.h"
#include "../form/xlsform_csv.h"

#include "ruhu/digest.h"
#include "ruhu/expr.h"
#include "ruhu/infile.h"
#include "ruhu/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct audit_builtin_info audit_builtins[AUDIT_BUILTIN_COUNT] = {
	[PD_DURATION_SHORT] = {"duration_short", AUDIT_PARADATA, 1, false},
	[PD_DURATION_LONG] = {"duration_long", AUDIT_PARADATA, 1, false},
	[PD_FAST] = {"fast_answers", AUDIT_PARADATA, 1, false},
	[PD_MANY_CHANGES] = {"many_changes", AUDIT_PARADATA, 1, false},
	[PD_ODD_HOURS] = {"odd_hours", AUDIT_PARADATA, 2, false},
	[PD_OVERLAP] = {"overlap", AUDIT_PARADATA, 1, false},
	[PD_CLOCK_BACK] = {"clock_back", AUDIT_PARADATA, 1, false},
	[PD_LONG_GAP] = {"long_gap", AUDIT_PARADATA, 1, false},
	[BT_DUPLICATE_KEY] = {"duplicate_key", AUDIT_BATCH, 0, false},
	[BT_DUPLICATE_VALUE] = {"duplicate_value", AUDIT_BATCH, 0, true},
	[BT_OUTLIER_IQR] = {"outlier_iqr", AUDIT_BATCH, 1, true},
	[BT_ENUMERATOR_SD] = {"enumerator_sd", AUDIT_BATCH, 1, false},
};

void audit_diag_wrap(struct diag_list *dl, enum diag_severity sev, const char *where,
		     const char *zh_prefix, const char *en_prefix, const struct error *e)
{
	struct error w = ERROR_INIT;
	struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

	strbuf_addstr(&zh, zh_prefix);
	strbuf_addstr(&zh, error_msg(e, LANG_ZH));
	strbuf_addstr(&en, en_prefix);
	strbuf_addstr(&en, error_msg(e, LANG_EN));
	w.where = xstrdup(where);
	w.zh = strbuf_detach(&zh, NULL);
	w.en = strbuf_detach(&en, NULL);
	w.code = e->code;
	diag_add_error(dl, sev, &w);
	error_clear(&w);
}

const char *audit_severity_name(enum audit_severity sev)
{
	return sev == AUDIT_ERROR ? "error" : "warning";
}

/* "FILE:SHEET:ROW" */
static void rerr(struct diag_list *dl, const struct audit_rules *r, const char *sheet, int row,
		 const char *zh, const char *en, ...) RUHU_PRINTF2(5, 6, 7);
static void rerr(struct diag_list *dl, const struct audit_rules *r, const char *sheet, int row,
		 const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	strbuf_addstr(&w, r->file);
	if (sheet)
		strbuf_addf(&w, ":%s", sheet);
	if (row > 0)
		strbuf_addf(&w, ":%d", row);
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
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

int audit_param(const struct audit_rules *r, const char *name, double *value)
{
	size_t i;

	for (i = 0; i < r->n_params; i++)
		if (!strcmp(r->params[i].name, name)) {
			if (value)
				*value = r->params[i].value;
			return (int)i;
		}
	return -1;
}

static int need_cols(struct audit_rules *r, struct diag_list *dl, const struct wb_sheet *s,
		     const char *const *names)
{
	int ret = 0;

	for (; *names; names++)
		if (workbook_col(s, *names) < 0) {
			rerr(dl, r, s->name, s->line, "表 '%s' 缺少列 '%s'",
			     "sheet '%s' has no column '%s'", s->name, *names);
			ret = -1;
		}
	return ret;
}

static int read_params(struct audit_rules *r, struct diag_list *dl)
{
	static const char *const cols[] = {"name", "value", NULL};
	struct wb_sheet *s = workbook_sheet(r->wb, "params");
	int cn, cv;
	size_t i, j;

	if (!s)
		return 0; /* a file may have no policy numbers at all */
	if (need_cols(r, dl, s, cols) < 0)
		return -1;
	cn = workbook_col(s, "name");
	cv = workbook_col(s, "value");
	r->params = xcalloc(s->n ? s->n : 1, sizeof(*r->params));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		const char *name = workbook_cell(row, cn), *v = workbook_cell(row, cv);
		struct audit_param *p = &r->params[r->n_params];
		char *end;

		if (!valid_name(name) || strchr(name, '-') || strchr(name, '.')) {
			rerr(dl, r, s->name, row->line, "参数名 '%s' 无效（字母、数字、下划线）",
			     "invalid param name '%s' (letters, digits, '_')", name);
			continue;
		}
		for (j = 0; j < r->n_params; j++)
			if (!strcmp(r->params[j].name, name))
				break;
		if (j < r->n_params) {
			rerr(dl, r, s->name, row->line, "参数 '%s' 重复（第 %d 行已定义）",
			     "param '%s' defined twice (first at row %d)", name, r->params[j].row);
			continue;
		}
		errno = 0;
		p->value = *v ? strtod(v, &end) : NAN;
		if (!*v || *end || errno || !isfinite(p->value)) {
			rerr(dl, r, s->name, row->line, "参数 '%s' 的值 '%s' 不是数字",
			     "param '%s' has value '%s', not a number", name, v);
			continue;
		}
		p->name = name;
		p->row = row->line;
		expr_format_number(p->value, p->str, sizeof(p->str));
		r->n_params++;
	}
	return 0;
}

static int check_id(struct audit_rules *r, struct diag_list *dl, const struct wb_sheet *s,
		    const struct wb_row *row, const char *id)
{
	size_t j;

	if (!valid_name(id)) {
		rerr(dl, r, s->name, row->line, "检查 id '%s' 无效（字母、数字、_ - .）",
		     "invalid check id '%s' (letters, digits, '_', '-', '.')", id);
		return -1;
	}
	for (j = 0; j < r->n_checks; j++)
		if (!strcmp(r->checks[j].pub.id, id)) {
			rerr(dl, r, s->name, row->line, "检查 id '%s' 重复（第 %d 行已使用）",
			     "check id '%s' used twice (first at row %d)", id,
			     r->checks[j].pub.row);
			return -1;
		}
	return 0;
}

static int severity_cell(struct audit_rules *r, struct diag_list *dl, const struct wb_sheet *s,
			 const struct wb_row *row, const char *v, enum audit_severity *out)
{
	if (!strcasecmp(v, "error"))
		*out = AUDIT_ERROR;
	else if (!strcasecmp(v, "warning"))
		*out = AUDIT_WARNING;
	else {
		rerr(dl, r, s->name, row->line, "严重程度 '%s' 无效：应为 error 或 warning",
		     "bad severity '%s': use error or warning", v);
		return -1;
	}
	return 0;
}

/* The common columns of every check sheet into *c; 0 or -1 (reported). */
static int common(struct audit_rules *r, struct diag_list *dl, const struct wb_sheet *s,
		  const struct wb_row *row, enum audit_kind kind, struct audit_check_priv *c)
{
	int bad = 0;

	memset(c, 0, sizeof(*c));
	c->builtin = -1;
	c->field = c->group = "";
	c->pub.kind = kind;
	c->pub.row = row->line;
	c->pub.id = workbook_cell(row, workbook_col(s, "id"));
	c->pub.desc_zh = workbook_cell(row, workbook_col_lang(s, "description", "zh"));
	c->pub.desc_en = workbook_cell(row, workbook_col_lang(s, "description", "en"));
	c->pub.protects = workbook_cell(row, workbook_col(s, "protects"));
	c->pub.form = workbook_cell(row, workbook_col(s, "form"));
	c->pub.scope = "";
	c->pub.what = "";
	if (check_id(r, dl, s, row, c->pub.id) < 0)
		bad = -1;
	if (severity_cell(r, dl, s, row, workbook_cell(row, workbook_col(s, "severity")), &c->pub.severity) < 0)
		bad = -1;
	if (!*c->pub.desc_zh || !*c->pub.desc_en) {
		rerr(dl, r, s->name, row->line, "检查 '%s' 缺少中文或英文说明",
		     "check '%s' lacks its Chinese or English description", c->pub.id);
		bad = -1;
	}
	return bad;
}

static int read_rules(struct audit_rules *r, struct diag_list *dl)
{
	static const char *const cols[] = {"id", "severity", "scope", "form", "expression", NULL};
	struct wb_sheet *s = workbook_sheet(r->wb, "rules");
	size_t i;

	if (!s) {
		rerr(dl, r, NULL, 0, "缺少 rules 表", "no rules sheet");
		return -1;
	}
	if (need_cols(r, dl, s, cols) < 0)
		return -1;
	if (workbook_col_lang(s, "description", "zh") < 0 || workbook_col_lang(s, "description", "en") < 0) {
		rerr(dl, r, s->name, s->line, "rules 表须有 description::中文 (zh) 和 description::English (en) 列",
		     "the rules sheet needs description::中文 (zh) and description::English (en) columns");
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		struct audit_check_priv c;
		struct error e = ERROR_INIT;
		struct expr *x = NULL;
		int bad = common(r, dl, s, row, AUDIT_RULE, &c);

		c.pub.scope = workbook_cell(row, workbook_col(s, "scope"));
		c.pub.what = workbook_cell(row, workbook_col(s, "expression"));
		if (!valid_name(c.pub.scope) || strchr(c.pub.scope, '-') ||
		    strchr(c.pub.scope, '.')) {
			rerr(dl, r, s->name, row->line,
			     "范围 '%s' 无效：应为 interview 或一个重复组（花名册）的名称",
			     "bad scope '%s': use interview or the name of a repeat (roster)",
			     c.pub.scope);
			bad = -1;
		}
		if (!*c.pub.form) {
			rerr(dl, r, s->name, row->line, "规则 '%s' 没有指定问卷（form 列）",
			     "rule '%s' names no form (column form)", c.pub.id);
			bad = -1;
		}
		if (!*c.pub.what) {
			rerr(dl, r, s->name, row->line, "规则 '%s' 没有表达式",
			     "rule '%s' has no expression", c.pub.id);
			bad = -1;
		} else if (expr_compile(c.pub.what, NULL, &x, &e) < 0) {
			struct strbuf w = STRBUF_INIT;
			char zh[64], en[64];

			strbuf_addf(&w, "%s:%s:%d", r->file, s->name, row->line);
			snprintf(zh, sizeof(zh), "表达式第 %d 列：", e.code);
			snprintf(en, sizeof(en), "expression column %d: ", e.code);
			audit_diag_wrap(dl, DIAG_ERROR, w.buf, zh, en, &e);
			strbuf_release(&w);
			bad = -1;
		}
		expr_free(x);
		error_clear(&e);
		if (bad)
			continue;
		r->checks[r->n_checks++] = c;
	}
	return 0;
}

static int builtin_find(const char *name, enum audit_kind kind)
{
	int i;

	for (i = 0; i < AUDIT_BUILTIN_COUNT; i++)
		if (audit_builtins[i].kind == kind && !strcmp(audit_builtins[i].name, name))
			return i;
	return -1;
}

/* The threshold cell: exactly the builtin's number of param names. */
static int thresholds(struct audit_rules *r, struct diag_list *dl, const struct wb_sheet *s,
		      const struct wb_row *row, struct audit_check_priv *c)
{
	const char *t = workbook_cell(row, workbook_col(s, "threshold"));
	size_t want = audit_builtins[c->builtin].n_params, got = 0;
	int bad = 0;

	while (*t) {
		char name[128];
		size_t n = strcspn(t, " \t");

		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, t, n);
		name[n] = '\0';
		t += strcspn(t, " \t");
		t += strspn(t, " \t");
		if (!*name)
			continue;
		if (got < 2 && audit_param(r, name, &c->p[got]) < 0) {
			rerr(dl, r, s->name, row->line, "检查 '%s' 的阈值参数 '%s' 不在 params 表中",
			     "check '%s': threshold param '%s' is not in the params sheet",
			     c->pub.id, name);
			bad = -1;
		}
		got++;
	}
	if (got != want) {
		rerr(dl, r, s->name, row->line,
		     "检查 '%s'（%s）需要 %zu 个阈值参数（threshold 列写参数名），给了 %zu 个",
		     "check '%s' (%s) needs %zu threshold params (param names in column threshold), "
		     "got %zu",
		     c->pub.id, c->pub.what, want, got);
		bad = -1;
	}
	return bad;
}

static int read_builtins(struct audit_rules *r, struct diag_list *dl, const char *sheet,
			 enum audit_kind kind)
{
	static const char *const cols[] = {"id", "severity", "check", NULL};
	struct wb_sheet *s = workbook_sheet(r->wb, sheet);
	size_t i;

	if (!s)
		return 0;
	if (need_cols(r, dl, s, cols) < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		struct audit_check_priv c;
		int bad = common(r, dl, s, row, kind, &c);

		c.pub.what = workbook_cell(row, workbook_col(s, "check"));
		c.builtin = builtin_find(c.pub.what, kind);
		if (c.builtin < 0) {
			struct strbuf names = STRBUF_INIT;
			int k;

			for (k = 0; k < AUDIT_BUILTIN_COUNT; k++)
				if (audit_builtins[k].kind == kind)
					strbuf_addf(&names, "%s%s", names.len ? ", " : "",
						    audit_builtins[k].name);
			rerr(dl, r, s->name, row->line, "未知的检查 '%s'（可用：%s）",
			     "unknown check '%s' (one of: %s)", c.pub.what, names.buf);
			strbuf_release(&names);
			continue;
		}
		c.field = workbook_cell(row, workbook_col(s, "field"));
		c.group = workbook_cell(row, workbook_col(s, "group"));
		if (audit_builtins[c.builtin].field && !*c.field) {
			rerr(dl, r, s->name, row->line, "检查 '%s'（%s）需要 field 列",
			     "check '%s' (%s) needs the field column", c.pub.id, c.pub.what);
			bad = -1;
		}
		if (thresholds(r, dl, s, row, &c) < 0)
			bad = -1;
		if (bad)
			continue;
		r->checks[r->n_checks++] = c;
	}
	return 0;
}

/* The backcheck sheet: field, type (1-3), tolerance (a param, optional),
 * form and backcheck_form (the same on every row). */
static int read_backcheck(struct audit_rules *r, struct diag_list *dl)
{
	static const char *const cols[] = {"field", "type", "form", "backcheck_form", NULL};
	struct wb_sheet *s = workbook_sheet(r->wb, "backcheck");
	size_t i, j;

	if (!s)
		return 0;
	if (need_cols(r, dl, s, cols) < 0)
		return -1;
	if (audit_param(r, "backcheck_max_rate", &r->bc_max_rate) < 0) {
		rerr(dl, r, s->name, s->line, "有 backcheck 表时 params 表须有 backcheck_max_rate",
		     "a backcheck sheet needs the param backcheck_max_rate");
		return -1;
	}
	r->bc = xcalloc(s->n + 1, sizeof(*r->bc));
	for (i = 0; i < s->n; i++) {
		const struct wb_row *row = &s->rows[i];
		struct audit_bc_field *f = &r->bc[r->n_bc];
		const char *type = workbook_cell(row, workbook_col(s, "type")), *tol = workbook_cell(row, workbook_col(s, "tolerance"));
		const char *form = workbook_cell(row, workbook_col(s, "form")), *bform = workbook_cell(row, workbook_col(s, "backcheck_form"));
		int bad = 0;

		f->field = workbook_cell(row, workbook_col(s, "field"));
		f->row = row->line;
		f->tol = NAN;
		if (!valid_name(f->field)) {
			rerr(dl, r, s->name, row->line, "字段名 '%s' 无效", "invalid field name '%s'",
			     f->field);
			bad = 1;
		}
		for (j = 0; j < r->n_bc; j++)
			if (!strcmp(r->bc[j].field, f->field)) {
				rerr(dl, r, s->name, row->line, "字段 '%s' 重复", "field '%s' listed twice",
				     f->field);
				bad = 1;
			}
		if (strlen(type) != 1 || type[0] < '1' || type[0] > '3') {
			rerr(dl, r, s->name, row->line, "类型 '%s' 无效：应为 1、2 或 3",
			     "bad type '%s': use 1, 2 or 3", type);
			bad = 1;
		}
		f->type = type[0] - '0';
		if (*tol && audit_param(r, tol, &f->tol) < 0) {
			rerr(dl, r, s->name, row->line, "容差参数 '%s' 不在 params 表中",
			     "tolerance param '%s' is not in the params sheet", tol);
			bad = 1;
		}
		if (!*form || !*bform) {
			rerr(dl, r, s->name, row->line, "须写明 form 和 backcheck_form",
			     "form and backcheck_form are required");
			bad = 1;
		} else if (!r->bc_form) {
			r->bc_form = form;
			r->bc_backcheck_form = bform;
		} else if (strcmp(form, r->bc_form) || strcmp(bform, r->bc_backcheck_form)) {
			rerr(dl, r, s->name, row->line,
			     "每行的 form 和 backcheck_form 须相同（'%s'、'%s'）",
			     "every row needs the same form and backcheck_form ('%s', '%s')",
			     r->bc_form, r->bc_backcheck_form);
			bad = 1;
		}
		if (!bad)
			r->n_bc++;
	}
	return 0;
}

int audit_rules_load_buffer(const char *name, const char *data, size_t len,
			    struct audit_rules **out, struct diag_list *dl)
{
	struct audit_rules *r = xcalloc(1, sizeof(*r));
	struct xlsform_csv *rd = NULL;
	size_t errors = dl->errors, rows = 0, i;
	static const char *const sheets[] = {"rules", "paradata", "batch"};

	*out = NULL;
	r->file = xstrdup(name);
	digest_sha256_hex(data, len, r->sha256);
	if (workbook_check_text(name, data, len, dl) < 0)
		goto fail;
	rd = xlsform_csv_new(name);
	xlsform_csv_feed(rd, data, len);
	if (xlsform_csv_finish(rd, &r->wb, dl) < 0)
		goto fail;
	for (i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++) {
		struct wb_sheet *s = workbook_sheet(r->wb, sheets[i]);

		rows += s ? s->n : 0;
	}
	r->checks = xcalloc(rows ? rows : 1, sizeof(*r->checks));
	if (read_params(r, dl) < 0)
		goto fail;
	read_rules(r, dl);
	read_builtins(r, dl, "paradata", AUDIT_PARADATA);
	read_builtins(r, dl, "batch", AUDIT_BATCH);
	read_backcheck(r, dl);
	if (dl->errors > errors)
		goto fail;
	xlsform_csv_free(rd);
	*out = r;
	return 0;
fail:
	xlsform_csv_free(rd);
	audit_rules_free(r);
	return -1;
}

int audit_rules_load(const char *path, struct audit_rules **out, struct diag_list *dl)
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
	ret = audit_rules_load_buffer(path, sb.buf, sb.len, out, dl);
	strbuf_release(&sb);
	return ret;
}

void audit_rules_free(struct audit_rules *r)
{
	if (!r)
		return;
	workbook_free(r->wb);
	free(r->params);
	free(r->checks);
	free(r->bc);
	free(r->file);
	free(r);
}

const char *audit_rules_file(const struct audit_rules *r)
{
	return r->file;
}

const char *audit_rules_sha256(const struct audit_rules *r)
{
	return r->sha256;
}

size_t audit_check_count(const struct audit_rules *r)
{
	return r->n_checks;
}

const struct audit_check *audit_check_get(const struct audit_rules *r, size_t i)
{
	return i < r->n_checks ? &r->checks[i].pub : NULL;
}
