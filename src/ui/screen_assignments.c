/*
 * screen_assignments — the household sample of this device: status,
 * village, household code, head of household and household type, one row
 * each; the team leader's comment under a rejected one. Typing searches by
 * name or code, Tab cycles the status filter, ←/→ the village filter. Enter
 * starts or resumes the interview of the highlighted household; the first
 * row starts a new interview of a household not in the sample.
 *
 * Codes (village, household type) are shown with their label when the form
 * has a choice of that name, so the sample can hold codes.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct assignments {
	struct store_assignment_row *rows;
	size_t n;
	char **villages; /* distinct villages of the whole sample */
	size_t nvillages;
	int village;     /* -1: all */
	int status;      /* -1: all */
	struct ui_edit search;
	int sel, top;    /* sel 0 = the "new interview" row */
	char *open_uuid; /* interview waiting for the reopen confirmation */
};

static void free_rows(struct assignments *a)
{
	store_assignment_rows_free(a->rows, a->n);
	a->rows = NULL;
	a->n = 0;
}

struct extra_ctx {
	struct ui_app *app;
	struct assignments *a;
	int status;
	size_t cap;
};

static int add_unsampled(void *ud, const struct store_interview *iv)
{
	static const enum store_astatus map[STORE_ISTATUS_COUNT] = {
		[STORE_IN_PROGRESS] = STORE_ASTATUS_IN_PROGRESS,
		[STORE_COMPLETED] = STORE_ASTATUS_COMPLETED,
		[STORE_APPROVED] = STORE_ASTATUS_APPROVED,
		[STORE_REJECTED] = STORE_ASTATUS_REJECTED,
	};
	struct extra_ctx *c = ud;
	struct store_assignment_row *r;
	char label[32];

	if (iv->household_key || (unsigned)iv->status >= STORE_ISTATUS_COUNT)
		return 0;
	if (c->status >= 0 && (int)map[iv->status] != c->status)
		return 0;
	XGROW(c->a->rows, c->cap, c->a->n + 1);
	r = &c->a->rows[c->a->n++];
	memset(r, 0, sizeof(*r));
	/* named by the form's instance_name, else by the start of the UUID */
	{
		const struct form *f = app_form_by_hash(c->app, iv->form_hash);
		char *name = f ? app_instance_name(c->app, f, iv->uuid) : NULL;
		if (name) {
			r->household_key = name;
		} else {
			snprintf(label, sizeof(label), "(%.8s)", iv->uuid);
			r->household_key = xstrdup(label);
		}
	}
	r->head_name = xstrdup(T_("样本外", "not sampled"));
	r->status = map[iv->status];
	r->interview = xstrdup(iv->uuid);
	r->review_comment = xstrdup(iv->review_comment);
	r->n_interviews = 1;
	return 0;
}

static void reload(struct ui *ui, struct assignments *a)
{
	struct store_assignment_filter f = STORE_ASSIGNMENT_FILTER_ALL;
	struct error err = ERROR_INIT;
	char *q = ui_edit_get(&a->search);

	free_rows(a);
	f.status = a->status;
	f.village = a->village >= 0 ? a->villages[a->village] : NULL;
	f.search = *q ? q : NULL;
	if (store_assignment_list(ui->app->store, &f, &a->rows, &a->n, &err) < 0) {
		ui_flash_err(ui, &err);
		error_clear(&err);
	}
	/* interviews of households not in the sample, when no village or
	 * search narrows the list */
	if (!*q && a->village < 0) {
		struct extra_ctx c = {ui->app, a, a->status, 0};
		c.cap = a->n;
		store_interviews_changed_since(ui->app->store, 0, add_unsampled, &c, NULL);
	}
	free(q);
	if (a->sel > (int)a->n)
		a->sel = (int)a->n;
}

static void *init(struct ui *ui, void *arg)
{
	struct assignments *a = xcalloc(1, sizeof(*a));
	size_t i, k, cap = 0;

	a->village = a->status = -1;
	ui_edit_set(&a->search, "");
	reload(ui, a);
	for (i = 0; i < a->n; i++) {
		const char *v = a->rows[i].village ? a->rows[i].village : "";
		for (k = 0; k < a->nvillages && strcmp(a->villages[k], v); k++)
			;
		if (k == a->nvillages && *v) {
			XGROW(a->villages, cap, a->nvillages + 1);
			a->villages[a->nvillages++] = xstrdup(v);
		}
	}
	a->sel = a->n ? 1 : 0;
	return a;
}

static void fr(void *st)
{
	struct assignments *a = st;
	size_t i;

	if (!a)
		return;
	free_rows(a);
	for (i = 0; i < a->nvillages; i++)
		free(a->villages[i]);
	free(a->villages);
	ui_edit_free(&a->search);
	free(a->open_uuid);
	free(a);
}

/* The label of a code in any choice list of the current form, else the code. */
static const char *code_label(struct ui_app *app, const char *code)
{
	const struct form *f;
	size_t l, c;

	if (!code || !*code || !app->nforms)
		return code ? code : "";
	f = app->forms[app->cur_form].form;
	for (l = 0; l < form_list_count(f); l++) {
		const struct form_list *fl = form_list(f, l);
		for (c = 0; c < fl->n; c++)
			if (!strcmp(fl->choices[c].name, code)) {
				const char *t = form_text(f, fl->choices[c].label, app_form_lang(app, f));
				return t ? t : code;
			}
	}
	return code;
}

/* Draws one cell cut to `w` columns; returns the next column. */
static int cell(int y, int x, int w, const char *s, int attr)
{
	ui_put(y, x, w - 1, s ? s : "", attr);
	return x + w;
}

static int status_role(enum store_astatus st)
{
	switch (st) {
	case STORE_ASTATUS_COMPLETED: case STORE_ASTATUS_APPROVED: return R_OK;
	case STORE_ASTATUS_REJECTED: return R_ERROR;
	case STORE_ASTATUS_IN_PROGRESS: return R_SPECIAL;
	default: return R_NORMAL;
	}
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"},     {"Enter", "开始/继续", "start/resume"},
		{"Tab", "状态", "status"},  {"←→", "村", "village"}, {"Esc", "返回", "back"},
		{"F4", "English", "中文"},  {"F10", "退出", "quit"},
	};
	struct assignments *a = st;
	struct ui_app *app = ui->app;
	struct strbuf sb = STRBUF_INIT;
	char *q;
	int rows, y, i, x, wst, wv, wk, wh, wt;
	const struct store_assignment_row *cur = NULL;

	reload(ui, a);
	strbuf_addf(&sb, "%s · %s", T_("样本户", "Assignments"),
		    store_enumerator_get(app->store) ? store_enumerator_get(app->store) : "");
	ui_header(ui, sb.buf, "");
	/* filter line */
	strbuf_reset(&sb);
	q = ui_edit_get(&a->search);
	strbuf_addf(&sb, "%s %s  %s %s  %s %s", T_("状态:", "status:"),
		    a->status < 0 ? T_("全部", "all") : ui_status_name(a->status), T_("村:", "village:"),
		    a->village < 0 ? T_("全部", "all") : code_label(app, a->villages[a->village]),
		    T_("搜索:", "search:"), *q ? q : T_("（打字搜索姓名或编号）", "(type a name or code)"));
	free(q);
	ui_put(1, 1, ui->cols - 2, sb.buf, ui_attr(ui, R_HINT));
	/* column widths */
	wst = 12;
	wv = ui->cols >= 100 ? 22 : 17;
	wk = ui->cols >= 100 ? 18 : 13;
	wh = ui->cols >= 100 ? 16 : 8;
	wt = ui->cols - 2 - wst - wv - wk - wh;
	if (wt < 6)
		wt = 6;
	x = 1;
	x = cell(2, x, wst, T_("状态", "status"), ui_attr(ui, R_LABEL));
	x = cell(2, x, wv, T_("村", "village"), ui_attr(ui, R_LABEL));
	x = cell(2, x, wk, T_("户编号", "household"), ui_attr(ui, R_LABEL));
	x = cell(2, x, wh, T_("户主", "head"), ui_attr(ui, R_LABEL));
	cell(2, x, wt, T_("类型", "type"), ui_attr(ui, R_LABEL));
	rows = ui_body_rows(ui) - 3; /* filter, heading, detail line */
	if (rows < 1)
		rows = 1;
	if (a->sel < a->top)
		a->top = a->sel;
	if (a->sel >= a->top + rows)
		a->top = a->sel - rows + 1;
	for (i = a->top, y = 3; i <= (int)a->n && y < 3 + rows; i++, y++) {
		int sel = i == a->sel, attr;
		if (sel)
			ui_fill(y, 1, ui->cols - 2, ui_attr(ui, R_SEL));
		if (i == 0) {
			ui_put(y, 2, ui->cols - 4,
			       T_("+ 新访问（样本外的户）", "+ new interview (a household not in the sample)"),
			       sel ? ui_attr(ui, R_SEL) : ui_attr(ui, R_HINT));
			continue;
		}
		cur = &a->rows[i - 1];
		attr = sel ? ui_attr(ui, R_SEL) : ui_attr(ui, R_NORMAL);
		x = 1;
		x = cell(y, x, wst, ui_status_name((int)cur->status),
			 sel ? attr : ui_attr(ui, (enum ui_role)status_role(cur->status)));
		x = cell(y, x, wv, code_label(app, cur->village), attr);
		x = cell(y, x, wk, cur->household_key, attr);
		x = cell(y, x, wh, cur->head_name, attr);
		cell(y, x, wt, code_label(app, cur->household_type), attr);
	}
	if (!a->n)
		ui_put(4, 2, ui->cols - 4, T_("（没有符合条件的样本户）", "(no household matches)"),
		       ui_attr(ui, R_HINT));
	/* detail of the highlighted household: the team leader's comment */
	if (a->sel > 0 && a->sel <= (int)a->n) {
		cur = &a->rows[a->sel - 1];
		strbuf_reset(&sb);
		if (cur->status == STORE_ASTATUS_REJECTED && cur->review_comment)
			strbuf_addf(&sb, "%s %s", T_("组长意见：", "team leader:"), cur->review_comment);
		else if (cur->n_interviews > 1)
			strbuf_addf(&sb, T_("注意：这户有 %zu 次访问", "note: %zu interviews of this household"),
				    cur->n_interviews);
		if (sb.len)
			ui_put(ui->rows - 4, 1, ui->cols - 2, sb.buf,
			       ui_attr(ui, cur->status == STORE_ASTATUS_REJECTED ? R_ERROR : R_HINT));
	}
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]), NULL, false);
	strbuf_release(&sb);
}

static void open_interview(struct ui *ui, const char *uuid, const char *household)
{
	struct error err = ERROR_INIT;
	int r = uuid ? app_session_open(ui->app, uuid, &err)
		     : app_session_new(ui->app, household, &err);

	if (r < 0) {
		ui_flash_err(ui, &err);
		error_clear(&err);
		return;
	}
	if (ui_push(ui, &screen_interview, NULL) == 0)
		ui_interview_after_nav(ui);
}

static void do_reopen(struct ui *ui, void *ud)
{
	struct assignments *a = ud;

	open_interview(ui, a->open_uuid, NULL);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	static struct confirm_arg ca = {"这次访问已完成。重新打开修改吗？（会记录下来）",
					"this interview is completed. reopen it to change it? (this is recorded)",
					do_reopen, NULL};
	struct assignments *a = st;
	const struct store_assignment_row *cur;

	switch (k->code) {
	case UK_UP: if (a->sel > 0) a->sel--; return;
	case UK_DOWN: if (a->sel < (int)a->n) a->sel++; return;
	case UK_PGUP: a->sel -= ui_body_rows(ui) - 3; if (a->sel < 0) a->sel = 0; return;
	case UK_PGDN: a->sel += ui_body_rows(ui) - 3; if (a->sel > (int)a->n) a->sel = (int)a->n; return;
	case UK_HOME: a->sel = 0; return;
	case UK_END: a->sel = (int)a->n; return;
	case UK_TAB:
		a->status = a->status + 1 >= STORE_ASTATUS_COUNT ? -1 : a->status + 1;
		a->sel = 0;
		return;
	case UK_RIGHT:
		a->village = a->village + 1 >= (int)a->nvillages ? -1 : a->village + 1;
		a->sel = 0;
		return;
	case UK_LEFT:
		a->village = a->village < 0 ? (int)a->nvillages - 1 : a->village - 1;
		a->sel = 0;
		return;
	case UK_HELP: ui_push(ui, &screen_help, NULL); return;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); return;
	case UK_LEAVE: ui->quit = true; return;
	case UK_CANCEL:
		if (a->search.n)
			ui_edit_set(&a->search, "");
		else if (a->status >= 0 || a->village >= 0)
			a->status = a->village = -1;
		else
			ui_pop(ui);
		a->sel = 0;
		return;
	case UK_ENTER:
		reload(ui, a);
		if (a->sel == 0) {
			open_interview(ui, NULL, NULL);
			return;
		}
		if (a->sel > (int)a->n)
			return;
		cur = &a->rows[a->sel - 1];
		if (cur->status == STORE_ASTATUS_APPROVED) {
			ui_flash(ui, true, "这次访问已审核通过，不能再改", "this interview is approved and cannot change");
			return;
		}
		if (cur->status == STORE_ASTATUS_COMPLETED && cur->interview) {
			free(a->open_uuid);
			a->open_uuid = xstrdup(cur->interview);
			ca.ud = a;
			ui_push(ui, &screen_confirm, &ca);
			return;
		}
		open_interview(ui, cur->interview, cur->household_key);
		return;
		return;
	default:
		if (ui_edit_key(&a->search, k, NULL))
			a->sel = a->n ? 1 : 0;
		return;
	}
}

const struct screen_ops screen_assignments = {"assignments", false, init, draw, key, fr};
