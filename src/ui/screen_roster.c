/*
 * screen_roster — the members of a roster (a repeat without repeat_count):
 * one row per member with its first answers as key fields, then "add a
 * member" and "done, continue". Enter opens the highlighted member (or adds /
 * continues), Delete removes a member after a confirmation (default "no"),
 * F6 / F7 (Esc 6 / Esc 7) move it up or down.
 *
 * The screen sits on top of the interview screen while the position is the
 * roster item; every way out moves the position first and pops the screen.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { KEY_FIELDS = 3 };

struct roster {
	int sel;
	int top;
	char *repeat;   /* "members" or "rep[1]/rep2" */
	int del_index;  /* member waiting for the delete confirmation */
};

static void *init(struct ui *ui, void *arg)
{
	struct interview_item it;
	struct roster *r;

	if (!ui->app->iv)
		return NULL;
	interview_current(ui->app->iv, &it);
	if (it.kind != IV_ITEM_ROSTER)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->repeat = xstrdup(it.path);
	return r;
}

static void fr(void *st)
{
	struct roster *r = st;

	if (!r)
		return;
	free(r->repeat);
	free(r);
}

/* True while the interview still stands on this roster. */
static bool still_here(struct ui *ui, struct roster *r)
{
	struct interview_item it;

	if (!ui->app->iv)
		return false;
	interview_current(ui->app->iv, &it);
	return it.kind == IV_ITEM_ROSTER && !strcmp(it.path, r->repeat);
}

static bool key_field(const struct form_node *n, int rep)
{
	if (n->repeat != rep)
		return false;
	switch (n->type) {
	case FORM_TEXT: case FORM_INTEGER: case FORM_DECIMAL: case FORM_SELECT_ONE:
	case FORM_DATE: case FORM_RANGE:
		return true;
	default:
		return false;
	}
}

/* "张三 · 户主 · 45" from the member's first answered key fields. */
static char *member_line(struct ui *ui, const struct form_node *rep, const char *repeat, int idx)
{
	struct ui_app *app = ui->app;
	const struct form *f = app->form;
	struct strbuf sb = STRBUF_INIT;
	int i, shown = 0;

	for (i = rep->index + 1; i < rep->end && shown < KEY_FIELDS; i++) {
		const struct form_node *n = form_node(f, (size_t)i);
		struct strbuf path = STRBUF_INIT;
		const char *v = NULL;
		enum interview_special sp = IV_SPECIAL_NONE;

		if (!key_field(n, rep->index))
			continue;
		strbuf_addf(&path, "%s[%d]/%s", repeat, idx, n->name);
		if (interview_get(app->iv, path.buf, &v, &sp) == 0 && (v || sp)) {
			char *t = app_value_text(app, n, v, sp);
			if (sb.len)
				strbuf_addstr(&sb, " · ");
			strbuf_addstr(&sb, t);
			free(t);
			shown++;
		} else if (!sb.len && !shown) {
			shown++; /* the first key field unanswered: keep the order */
		}
		strbuf_release(&path);
	}
	if (!sb.len)
		strbuf_addstr(&sb, T_("（未填）", "(empty)"));
	return strbuf_detach(&sb, NULL);
}

static const struct form_node *repeat_node(struct ui *ui, struct roster *r)
{
	struct interview_item it;

	interview_current(ui->app->iv, &it);
	return it.node;
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"},    {"Enter", "打开", "open"}, {"Del", "删除", "delete"},
		{"F6/F7", "上移/下移", "move up/down"},
		{"PgUp", "上一题", "back"}, {"F2", "章节", "sections"}, {"F3", "检查", "review"},
		{"F10", "离开", "leave"},
	};
	struct roster *r = st;
	struct ui_app *app = ui->app;
	const struct form_node *rep;
	struct strbuf head = STRBUF_INIT;
	int count, rows, y, i, nrows;
	char *label;

	if (!still_here(ui, r))
		return;
	rep = repeat_node(ui, r);
	count = interview_repeat_count(app->iv, r->repeat);
	if (count < 0)
		count = 0;
	nrows = count + 2;
	if (r->sel >= nrows)
		r->sel = nrows - 1;
	label = app_text(app, rep->label, r->repeat);
	strbuf_addf(&head, "%s · %s", *label ? label : rep->name, T_("名单", "roster"));
	ui_header(ui, head.buf, app->household ? app->household : "");
	ui_put(1, 1, ui->cols - 2,
	       T_("每个成员一行。Enter 打开，Del 删除，最后选“完成，继续”。",
		  "One row per member. Enter opens, Del deletes; choose \"done, continue\" at the end."),
	       ui_attr(ui, R_HINT));
	rows = ui_body_rows(ui) - 2;
	if (r->sel < r->top)
		r->top = r->sel;
	if (r->sel >= r->top + rows)
		r->top = r->sel - rows + 1;
	for (i = r->top, y = 3; i < nrows && y < 3 + rows; i++, y++) {
		struct strbuf sb = STRBUF_INIT;
		int a = i == r->sel ? ui_attr(ui, R_SEL) : ui_attr(ui, R_NORMAL);

		if (i < count) {
			char *m = member_line(ui, rep, r->repeat, i + 1);
			strbuf_addf(&sb, "%2d. %s", i + 1, m);
			free(m);
		} else if (i == count) {
			strbuf_addf(&sb, "  + %s", T_("添加成员", "add a member"));
		} else {
			strbuf_addf(&sb, "  → %s", T_("完成，继续", "done, continue"));
		}
		if (i == r->sel)
			ui_fill(y, 2, ui->cols - 4, a);
		ui_put(y, 2, ui->cols - 4, sb.buf, a);
		strbuf_release(&sb);
	}
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]),
		  app->saved ? "已保存 / saved" : NULL, true);
	free(label);
	strbuf_release(&head);
}

static void do_delete(struct ui *ui, void *ud)
{
	struct roster *r = ud;
	struct error err = ERROR_INIT;

	if (app_repeat_delete(ui->app, r->repeat, r->del_index, &err) < 0)
		iv_flash_error(ui, &err);
	else
		ui_flash(ui, false, "已删除第 %d 个成员", "member %d deleted", r->del_index);
	error_clear(&err);
}

static void open_member(struct ui *ui, struct roster *r, int idx)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;

	strbuf_addf(&sb, "%s[%d]", r->repeat, idx);
	if (app_jump(ui->app, sb.buf, &err) < 0)
		iv_flash_error(ui, &err);
	strbuf_release(&sb);
	error_clear(&err);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct roster *r = st;
	struct ui_app *app = ui->app;
	struct error err = ERROR_INIT;
	int count = interview_repeat_count(app->iv, r->repeat);
	static struct confirm_arg ca;

	if (count < 0)
		count = 0;
	switch (k->code) {
	case UK_UP:
		if (r->sel > 0)
			r->sel--;
		break;
	case UK_DOWN:
		if (r->sel < count + 1)
			r->sel++;
		break;
	case UK_HOME:
		r->sel = 0;
		break;
	case UK_END:
		r->sel = count + 1;
		break;
	case UK_LEFT:
		iv_common_key(ui, &(struct ui_key){UK_BACK, 0});
		break;
	case UK_DELETE: case UK_BACKSPACE:
		if (r->sel < count) {
			r->del_index = r->sel + 1;
			ca.zh = "删除这个成员和他/她的全部答案吗？";
			ca.en = "delete this member and all of their answers?";
			ca.yes = do_delete;
			ca.ud = r;
			ui_push(ui, &screen_confirm, &ca);
		}
		break;
	case UK_ENTER:
		if (r->sel < count) {
			open_member(ui, r, r->sel + 1);
		} else if (r->sel == count) {
			int idx = 0;
			if (app_repeat_add(app, r->repeat, &idx, &err) < 0)
				iv_flash_error(ui, &err);
			else
				open_member(ui, r, idx);
		} else if (app_roster_done(app, &err) < 0) {
			iv_flash_error(ui, &err);
		}
		break;
	case UK_MOVEUP: case UK_MOVEDOWN:
		if (r->sel < count) {
			int to = r->sel + 1 + (k->code == UK_MOVEUP ? -1 : 1);
			if (to < 1 || to > count)
				break;
			if (app_repeat_move(app, r->repeat, r->sel + 1, to, &err) < 0)
				iv_flash_error(ui, &err);
			else
				r->sel = to - 1;
		}
		break;
	case UK_DONTKNOW: case UK_REFUSED:
		ui_flash(ui, true, "名单不能回答“不知道/拒答”", "a roster takes no don't know / refused");
		break;
	default:
		iv_common_key(ui, k);
		break;
	}
	error_clear(&err);
	/* moved away (or left): this screen goes; the interview screen shows
	 * the new position, or the next roster */
	if (ui->depth && ui->stack[ui->depth - 1].st == r && !still_here(ui, r)) {
		ui_pop(ui);
		iv_after_nav(ui);
	}
}

const struct screen_ops screen_roster = {"roster", false, init, draw, key, fr};
