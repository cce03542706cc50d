/*
 * screen_review — every answer of the interview on one scrollable page, in
 * form order, roster members included; unanswered required questions and
 * failed constraints (everything that blocks completion) are highlighted with
 * their message. Enter on a question jumps to it; Enter on "complete" asks
 * for a confirmation and completes the interview when nothing blocks it.
 *
 * The page is rebuilt from the engine on every draw, so it is never stale.
 */
#include "app.h"
#include "screens.h"
#include "wrap.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

struct rrow {
	char *path;  /* NULL: a heading or the complete row */
	char *text;
	char *problem;
	int role;
	bool complete; /* the "complete the interview" row */
};

struct review {
	struct rrow *v;
	size_t n, cap;
	size_t problems;
	int sel, top;
};

static void clear(struct review *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].text);
		free(r->v[i].problem);
	}
	r->n = 0;
}

static struct rrow *add(struct review *r, char *path, char *text, int role)
{
	struct rrow *row;

	XGROW(r->v, r->cap, r->n + 1);
	row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	row->path = path;
	row->text = text;
	row->role = role;
	return row;
}

static bool listed(const struct form_node *n)
{
	switch (n->type) {
	case FORM_GROUP: case FORM_REPEAT: case FORM_CALCULATE: case FORM_HIDDEN: case FORM_NOTE:
	case FORM_START: case FORM_END: case FORM_TODAY: case FORM_DEVICEID: case FORM_USERNAME:
	case FORM_AUDIT: case FORM_UNSUPPORTED:
		return false;
	default:
		return true;
	}
}

static void walk(struct ui *ui, struct review *r, int from, int to, const char *prefix)
{
	struct ui_app *app = ui->app;
	const struct form *f = app->form;
	int i = from;

	while (i < to) {
		const struct form_node *n = form_node(f, (size_t)i);
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s%s", prefix, n->name);
		if (n->type == FORM_REPEAT) {
			int count = interview_repeat_count(app->iv, path.buf), k;
			char *label = app_text(app, n->label, path.buf);
			for (k = 1; k <= count; k++) {
				struct strbuf h = STRBUF_INIT, p2 = STRBUF_INIT;
				size_t before;
				strbuf_addf(&h, "%s #%d", *label ? label : n->name, k);
				strbuf_addf(&p2, "%s[%d]/", path.buf, k);
				before = r->n;
				add(r, NULL, strbuf_detach(&h, NULL), R_TITLE);
				walk(ui, r, i + 1, n->end, p2.buf);
				(void)before;
				strbuf_release(&p2);
			}
			free(label);
			i = n->end;
		} else if (n->type == FORM_GROUP) {
			char *label = app_text(app, n->label, path.buf);
			size_t before = r->n;
			add(r, NULL, xstrdup(*label ? label : n->name), R_HINT);
			walk(ui, r, i + 1, n->end, prefix);
			if (r->n == before + 1) { /* nothing relevant inside */
				r->n--;
				free(r->v[r->n].text);
			}
			free(label);
			i = n->end;
		} else {
			if (listed(n) && interview_relevant(app->iv, path.buf)) {
				const char *v = NULL;
				enum interview_special sp = IV_SPECIAL_NONE;
				char *label = app_text(app, n->label, path.buf), *val;
				struct strbuf t = STRBUF_INIT;

				interview_get(app->iv, path.buf, &v, &sp);
				val = app_value_text(app, n, v, sp);
				strbuf_addf(&t, "%s%s%s", *label ? label : n->name, T_("：", ": "), *val ? val : "—");
				add(r, strbuf_detach(&path, NULL), strbuf_detach(&t, NULL),
				    sp ? R_SPECIAL : R_NORMAL);
				free(label);
				free(val);
			}
			i++;
		}
		strbuf_release(&path);
	}
}

static void rebuild(struct ui *ui, struct review *r)
{
	struct diag_list dl = DIAG_LIST_INIT;
	size_t i, k;
	struct strbuf sb = STRBUF_INIT;

	clear(r);
	r->problems = interview_blockers(ui->app->iv, &dl);
	if (r->problems)
		strbuf_addf(&sb, T_("还有 %zu 个问题，改好后才能完成（红色标出）",
				    "problems that block completion: %zu (marked in red)"),
			    r->problems);
	else
		strbuf_addstr(&sb, T_("没有问题，可以完成访问", "no problems: the interview can be completed"));
	add(r, NULL, strbuf_detach(&sb, NULL), r->problems ? R_ERROR : R_OK);
	add(r, NULL, xstrdup(T_("▶ 完成访问", "▶ complete the interview")), R_LABEL)->complete =
		true;
	walk(ui, r, 0, (int)form_node_count(ui->app->form), "");
	for (k = 0; k < dl.n; k++) {
		const char *where = dl.items[k].e.where ? dl.items[k].e.where : "";
		const char *msg = error_msg(&dl.items[k].e, i18n_lang());
		bool found = false;
		for (i = 0; i < r->n; i++) {
			if (r->v[i].path && !strcmp(r->v[i].path, where)) {
				struct strbuf p = STRBUF_INIT;
				if (r->v[i].problem)
					strbuf_addf(&p, "%s; ", r->v[i].problem);
				strbuf_addstr(&p, msg);
				free(r->v[i].problem);
				r->v[i].problem = strbuf_detach(&p, NULL);
				r->v[i].role = R_ERROR;
				found = true;
			}
		}
		if (!found) {
			struct strbuf p = STRBUF_INIT;
			strbuf_addf(&p, "%s: %s", where, msg);
			struct rrow *row = add(r, xstrdup(where), strbuf_detach(&p, NULL), R_ERROR);
			row->problem = NULL;
		}
	}
	diag_list_free(&dl);
	if (r->sel >= (int)r->n)
		r->sel = (int)r->n - 1;
}

static bool selectable(const struct rrow *row)
{
	return row->path || row->complete;
}

static void *init(struct ui *ui, void *arg)
{
	struct review *r;

	if (!ui->app->iv)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	rebuild(ui, r);
	r->sel = 1;
	return r;
}

static void fr(void *st)
{
	struct review *r = st;

	if (!r)
		return;
	clear(r);
	free(r->v);
	free(r);
}

static int row_height(const struct rrow *row, int w)
{
	return ui_wrapped_height(row->text, w) + (row->problem ? ui_wrapped_height(row->problem, w - 2) : 0);
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"}, {"Enter", "跳到/完成", "jump/complete"}, {"Esc", "返回", "back"},
		{"F4", "English", "中文"}, {"F10", "离开", "leave"},
	};
	struct review *r = st;
	int rows = ui_body_rows(ui), w = ui->cols - 4, y, i, used;

	if (!ui->app->iv)
		return;
	rebuild(ui, r);
	ui_header(ui, T_("检查全部答案", "Review"), ui->app->household ? ui->app->household : "");
	/* scroll so the selected row is whole on screen */
	if (r->sel < r->top)
		r->top = r->sel;
	for (;;) {
		used = 0;
		for (i = r->top; i <= r->sel && i < (int)r->n; i++)
			used += row_height(&r->v[i], w);
		if (used <= rows || r->top >= r->sel)
			break;
		r->top++;
	}
	for (i = r->top, y = 1; i < (int)r->n && y < 1 + rows; i++) {
		const struct rrow *row = &r->v[i];
		int a = ui_attr(ui, (enum ui_role)row->role);
		int h;
		if (i == r->sel) {
			a = ui_attr(ui, R_SEL);
			for (h = 0; h < row_height(row, w) && y + h < 1 + rows; h++)
				ui_fill(y + h, 1, ui->cols - 2, a);
		}
		y += ui_put_wrapped(y, 2, w, 1 + rows - y, 0, row->text,
				    row->role == R_TITLE && i != r->sel ? ui_attr(ui, R_LABEL) : a);
		if (row->problem && y < 1 + rows)
			y += ui_put_wrapped(y, 4, w - 2, 1 + rows - y, 0, row->problem,
					    i == r->sel ? a : ui_attr(ui, R_ERROR));
	}
	if (r->top > 0)
		ui_put(1, ui->cols - 2, 1, "▲", ui_attr(ui, R_HINT));
	if (y >= 1 + rows && i < (int)r->n)
		ui_put(rows, ui->cols - 2, 1, "▼", ui_attr(ui, R_HINT));
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]), NULL, false);
}

static void do_complete(struct ui *ui, void *ud)
{
	struct error err = ERROR_INIT;

	if (app_complete(ui->app, &err) < 0) {
		ui_interview_flash_error(ui, &err);
		error_clear(&err);
		return;
	}
	ui_interview_leave(ui);
	ui_flash(ui, false, "访问已完成并保存", "the interview is completed and saved");
}

static void move_sel(struct review *r, int d)
{
	int i = r->sel + d;

	while (i >= 0 && i < (int)r->n && !selectable(&r->v[i]))
		i += d > 0 ? 1 : -1;
	if (i >= 0 && i < (int)r->n)
		r->sel = i;
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	static struct confirm_arg ca = {"确定完成这次访问吗？完成后组长可以审核。",
					"complete this interview? the team leader can then review it.",
					do_complete, NULL};
	struct review *r = st;
	struct error err = ERROR_INIT;
	int i;

	switch (k->code) {
	case UK_UP: move_sel(r, -1); break;
	case UK_DOWN: move_sel(r, 1); break;
	case UK_PGDN: for (i = 0; i < ui_body_rows(ui) / 2; i++) move_sel(r, 1); break;
	case UK_PGUP: for (i = 0; i < ui_body_rows(ui) / 2; i++) move_sel(r, -1); break;
	case UK_HOME: r->sel = 1; break;
	case UK_END: r->sel = (int)r->n; move_sel(r, -1); break;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); break;
	case UK_HELP: ui_push(ui, &screen_help, NULL); break;
	case UK_LEAVE: ui_interview_leave(ui); break;
	case UK_CANCEL: case UK_REVIEW: case UK_LEFT: case UK_BACK: ui_pop(ui); break;
	case UK_ENTER:
		if (r->sel < 0 || r->sel >= (int)r->n)
			break;
		if (r->v[r->sel].complete) {
			if (r->problems) {
				ui_flash(ui, true, "还有 %zu 个问题，不能完成", "cannot complete yet: %zu problems left",
					 r->problems);
				break;
			}
			ui_push(ui, &screen_confirm, &ca);
			break;
		}
		if (!r->v[r->sel].path)
			break;
		if (app_jump(ui->app, r->v[r->sel].path, &err) < 0) {
			ui_interview_flash_error(ui, &err);
			break;
		}
		ui_pop_to(ui, &screen_interview);
		ui_interview_after_nav(ui);
		break;
	default: break;
	}
	error_clear(&err);
}

const struct screen_ops screen_review = {"review", false, init, draw, key, fr};
