/*
 * screen_roster — the members of a roster: one row per member with its first
 * answered text / choice / number fields as key fields and its state
 * (complete, partly, problems), then "add a member" and "done, continue".
 * Enter opens the highlighted member (or adds / continues).
 *
 * Two kinds of roster share the screen:
 *  - a free roster (a repeat without repeat_count, arg NULL): Delete removes
 *    a member after a confirmation (default "no"), F6 / F7 (Esc 6 / Esc 7)
 *    move it up or down. The screen sits on top of the interview screen
 *    while the position is the roster item; every way out moves the
 *    position first and pops the screen.
 *  - a counted roster (repeat_count, e.g. the household members driven by
 *    hh_size; arg a struct roster_arg): the number of members comes from a
 *    question, so adding or deleting is refused with a message naming it,
 *    and Tab jumps to that question. The engine's position stays wherever
 *    the walk put it (a member's first question, or past the roster); the
 *    screen pops itself after every move it makes.
 */
#include "app.h"
#include "screens.h"

#include "wrap.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

enum { KEY_FIELDS = 4 };

struct roster {
	int sel;
	int top;
	char *repeat;   /* "members" or "rep[1]/rep2" */
	int del_index;  /* member waiting for the delete confirmation */
	const struct form_node *rep;   /* the repeat */
	const struct form_node *count; /* counted roster: the count question, or NULL */
	bool counted;
};

static void *init(struct ui *ui, void *arg)
{
	const struct roster_arg *ra = arg;
	struct interview_item it;
	struct roster *r;
	const char *name;
	int k;

	if (!ui->app->iv)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	if (ra) {
		name = strrchr(ra->repeat, '/');
		name = name ? name + 1 : ra->repeat;
		k = form_find(ui->app->form, name);
		if (k < 0 || form_node(ui->app->form, (size_t)k)->type != FORM_REPEAT) {
			free(r);
			return NULL;
		}
		r->counted = true;
		r->rep = form_node(ui->app->form, (size_t)k);
		r->count = app_count_question(ui->app, r->rep);
		r->repeat = xstrdup(ra->repeat);
		r->sel = ra->sel;
		if (r->sel < 0) /* "done, continue" */
			r->sel = interview_repeat_count(ui->app->iv, r->repeat) + 1;
		return r;
	}
	interview_current(ui->app->iv, &it);
	if (it.kind != IV_ITEM_ROSTER) {
		free(r);
		return NULL;
	}
	r->rep = it.node;
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

/* True while the interview still stands on this roster (a counted roster
 * stays until it pops itself). */
static bool still_here(struct ui *ui, struct roster *r)
{
	struct interview_item it;

	if (!ui->app->iv)
		return false;
	if (r->counted)
		return true;
	interview_current(ui->app->iv, &it);
	return it.kind == IV_ITEM_ROSTER && !strcmp(it.path, r->repeat);
}

static bool key_field(const struct form_node *n, int rep)
{
	if (n->repeat != rep)
		return false;
	switch (n->type) {
	case FORM_TEXT: case FORM_INTEGER: case FORM_DECIMAL: case FORM_SELECT_ONE:
	case FORM_RANGE:
		return true;
	default:
		return false;
	}
}

/* "张三 · 户主 · 男 · 45" from the member's first answered key fields. */
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

static const char *state_text(enum interview_section_state st)
{
	switch (st) {
	case IV_SECTION_UNTOUCHED: return T_("未开始", "not started");
	case IV_SECTION_PARTLY: return T_("部分", "partly");
	case IV_SECTION_COMPLETE: return T_("完成", "complete");
	case IV_SECTION_ERRORS: return T_("有问题", "problems");
	}
	return "";
}

/* A question the enumerator answers (what a member's state counts). */
static bool answerable(const struct form_node *n)
{
	switch (n->type) {
	case FORM_TEXT: case FORM_INTEGER: case FORM_DECIMAL: case FORM_SELECT_ONE:
	case FORM_RANGE: case FORM_SELECT_MULTIPLE: case FORM_DATE: case FORM_TIME:
	case FORM_DATETIME: case FORM_ACKNOWLEDGE: case FORM_GEOPOINT: case FORM_BARCODE:
		return true;
	default:
		return false;
	}
}

/*
 * A member's state for the list: not started (nothing answered), problems (a
 * failed constraint), partly (a relevant required question unanswered),
 * complete (every relevant required question answered: an optional one left
 * empty does not make a member "partly", unlike the section index's count).
 * Fields of nested repeats are left to their own roster.
 */
static enum interview_section_state member_state(struct ui *ui, const struct form_node *rep,
						 const char *repeat, int idx)
{
	struct ui_app *app = ui->app;
	const struct form *f = app->form;
	bool answered = false, missing = false, bad = false;
	int i;

	for (i = rep->index + 1; i < rep->end; i++) {
		const struct form_node *n = form_node(f, (size_t)i);
		struct strbuf path = STRBUF_INIT;
		struct error err = ERROR_INIT;
		const char *v = NULL;
		enum interview_special sp = IV_SPECIAL_NONE;

		if (n->repeat != rep->index || !answerable(n))
			continue;
		strbuf_addf(&path, "%s[%d]/%s", repeat, idx, n->name);
		if (interview_relevant(app->iv, path.buf)) {
			bool has = interview_get(app->iv, path.buf, &v, &sp) == 0 && ((v && *v) || sp);
			if (has)
				answered = true;
			if (interview_check(app->iv, path.buf, &err) < 0) {
				if (has)
					bad = true;
				else
					missing = true;
			}
		}
		error_clear(&err);
		strbuf_release(&path);
	}
	if (!answered)
		return IV_SECTION_UNTOUCHED;
	if (bad)
		return IV_SECTION_ERRORS;
	return missing ? IV_SECTION_PARTLY : IV_SECTION_COMPLETE;
}

/* The label of the count question in the current language ("家庭人口数"),
 * malloc'd. */
static char *count_label(struct ui *ui, struct roster *r)
{
	char *l;

	if (!r->count)
		return xstrdup("repeat_count");
	l = app_text(ui->app, r->count->label, r->repeat);
	if (!*l) {
		free(l);
		l = xstrdup(r->count->name);
	}
	return l;
}

/* Adding or deleting a member of a counted roster: say where the count is. */
static void refuse_count(struct ui *ui, struct roster *r)
{
	char *l = count_label(ui, r);

	ui_flash(ui, true, "成员数由「%s」决定：请修改该问题（Tab 转到该问题）",
		 "the number of members comes from '%s': change that question (Tab goes there)",
		 l);
	free(l);
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"},    {"Enter", "打开", "open"}, {"Del", "删除", "delete"},
		{"F6/F7", "上移/下移", "move up/down"},
		{"PgUp", "上一题", "back"}, {"F2", "章节", "sections"}, {"F3", "检查", "review"},
		{"F10", "离开", "leave"},
	};
	static const struct ui_footkey cfoot[] = {
		{"F1", "帮助", "help"},    {"Enter", "打开", "open"}, {"Tab", "改人数", "change count"},
		{"PgUp", "上一题", "back"}, {"F2", "章节", "sections"}, {"F3", "检查", "review"},
		{"F10", "离开", "leave"},
	};
	struct roster *r = st;
	struct ui_app *app = ui->app;
	const struct form_node *rep = r->rep;
	struct strbuf head = STRBUF_INIT;
	int count, rows, y, i, nrows;
	char *label;

	if (!still_here(ui, r))
		return;
	count = interview_repeat_count(app->iv, r->repeat);
	if (count < 0)
		count = 0;
	nrows = count + 2;
	if (r->sel >= nrows)
		r->sel = nrows - 1;
	label = app_text(app, rep->label, r->repeat);
	strbuf_addf(&head, "%s · %s", *label ? label : rep->name, T_("名单", "roster"));
	ui_header(ui, head.buf, app->household ? app->household : "");
	if (r->counted) {
		struct strbuf hint = STRBUF_INIT;
		char *cl = count_label(ui, r);
		strbuf_addf(&hint, T_("成员数（%d）由「%s」决定。Enter 打开，Tab 修改人数。",
				      "%d members, from '%s'. Enter opens, Tab changes the number."),
			    count, cl);
		ui_put(1, 1, ui->cols - 2, hint.buf, ui_attr(ui, R_HINT));
		strbuf_release(&hint);
		free(cl);
	} else {
		ui_put(1, 1, ui->cols - 2,
		       T_("每个成员一行。Enter 打开，Del 删除，最后选“完成，继续”。",
			  "One row per member. Enter opens, Del deletes; choose \"done, continue\" at the end."),
		       ui_attr(ui, R_HINT));
	}
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
			enum interview_section_state ms = member_state(ui, rep, r->repeat, i + 1);
			const char *stt = state_text(ms);
			int sw;

			strbuf_addf(&sb, "%2d. %s", i + 1, m);
			free(m);
			if (i == r->sel)
				ui_fill(y, 2, ui->cols - 4, a);
			sw = wrap_strwidth(stt);
			ui_put(y, 2, ui->cols - 4 - sw - 2, sb.buf, a);
			ui_put(y, ui->cols - 2 - sw, sw, stt,
			       i == r->sel ? a
					   : ui_attr(ui, ms == IV_SECTION_ERRORS ? R_ERROR : R_HINT));
			strbuf_release(&sb);
			continue;
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
	if (r->counted)
		ui_footer(ui, cfoot, sizeof(cfoot) / sizeof(cfoot[0]),
			  app->saved ? "已保存 / saved" : NULL, true);
	else
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
		ui_interview_flash_error(ui, &err);
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
		ui_interview_flash_error(ui, &err);
	strbuf_release(&sb);
	error_clear(&err);
}

/* Pops a counted roster after a move it made (or a way out). */
static void counted_pop(struct ui *ui, struct roster *r)
{
	if (ui->depth && ui->stack[ui->depth - 1].st == r) {
		ui_pop(ui);
		ui_interview_after_nav(ui);
	}
}

/* PgUp / ← on a counted roster: the question before the roster. */
static void counted_back(struct ui *ui, struct roster *r, int count)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;

	strbuf_addf(&sb, "%s[1]", r->repeat);
	if (count < 1 || app_jump(ui->app, sb.buf, &err) < 0 || app_prev(ui->app, &err) < 0)
		ui_interview_flash_error(ui, &err);
	strbuf_release(&sb);
	error_clear(&err);
	counted_pop(ui, r);
}

/* The keys both kinds of roster treat alike: the cursor over the members
 * (row 0 is the first member, count and count + 1 the rows after the list);
 * F6/F7 move the selected member up or down; don't know / refused do not
 * apply to a roster. */
static void shared_key(struct ui *ui, struct roster *r, const struct ui_key *k, int count,
		       struct error *err)
{
	int to;

	switch (k->code) {
	case UK_UP:
		if (r->sel > 0)
			r->sel--;
		return;
	case UK_DOWN:
		if (r->sel < count + 1)
			r->sel++;
		return;
	case UK_HOME:
		r->sel = 0;
		return;
	case UK_END:
		r->sel = count + 1;
		return;
	default:
		break;
	}
	if (k->code == UK_DONTKNOW || k->code == UK_REFUSED) {
		ui_flash(ui, true, "名单不能回答“不知道/拒答”", "a roster takes no don't know / refused");
		return;
	}
	if (r->sel >= count)
		return;
	to = r->sel + 1 + (k->code == UK_MOVEUP ? -1 : 1);
	if (to < 1 || to > count)
		return;
	if (app_repeat_move(ui->app, r->repeat, r->sel + 1, to, err) < 0)
		ui_interview_flash_error(ui, err);
	else
		r->sel = to - 1;
}

static void counted_key(struct ui *ui, struct roster *r, const struct ui_key *k, int count)
{
	struct ui_app *app = ui->app;
	struct error err = ERROR_INIT;

	switch (k->code) {
	case UK_UP: case UK_DOWN: case UK_HOME: case UK_END:
		shared_key(ui, r, k, count, NULL);
		break;
	case UK_LEFT: case UK_BACK: case UK_PGUP:
		counted_back(ui, r, count);
		break;
	case UK_DELETE: case UK_BACKSPACE:
		refuse_count(ui, r);
		break;
	case UK_TAB:
		if (r->count) {
			char *p = app_path_of(app, r->count, r->repeat);
			if (!p || app_jump(app, p, &err) < 0)
				ui_interview_flash_error(ui, &err);
			free(p);
			counted_pop(ui, r);
		}
		break;
	case UK_ENTER:
		if (r->sel < count) {
			open_member(ui, r, r->sel + 1);
			counted_pop(ui, r);
		} else if (r->sel == count) {
			refuse_count(ui, r);
		} else {
			struct strbuf pre = STRBUF_INIT;
			strbuf_addf(&pre, "%s[", r->repeat);
			/* already past the roster when its last member was done */
			if (!strncmp(interview_position(app->iv), pre.buf, pre.len) &&
			    app_repeat_leave(app, r->rep, interview_position(app->iv), &err) < 0)
				ui_interview_flash_error(ui, &err);
			strbuf_release(&pre);
			counted_pop(ui, r);
		}
		break;
	case UK_MOVEUP: case UK_MOVEDOWN:
	case UK_DONTKNOW: case UK_REFUSED:
		shared_key(ui, r, k, count, &err);
		break;
	default:
		ui_interview_common_key(ui, k);
		break;
	}
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
	if (r->counted) {
		counted_key(ui, r, k, count);
		return;
	}
	switch (k->code) {
	case UK_UP: case UK_DOWN: case UK_HOME: case UK_END:
		shared_key(ui, r, k, count, NULL);
		break;
	case UK_LEFT:
		ui_interview_common_key(ui, &(struct ui_key){UK_BACK, 0});
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
				ui_interview_flash_error(ui, &err);
			else
				open_member(ui, r, idx);
		} else if (app_roster_done(app, &err) < 0) {
			ui_interview_flash_error(ui, &err);
		}
		break;
	case UK_MOVEUP: case UK_MOVEDOWN:
	case UK_DONTKNOW: case UK_REFUSED:
		shared_key(ui, r, k, count, &err);
		break;
	default:
		ui_interview_common_key(ui, k);
		break;
	}
	error_clear(&err);
	/* moved away (or left): this screen goes; the interview screen shows
	 * the new position, or the next roster */
	if (ui->depth && ui->stack[ui->depth - 1].st == r && !still_here(ui, r)) {
		ui_pop(ui);
		ui_interview_after_nav(ui);
	}
}

const struct screen_ops screen_roster = {"roster", false, init, draw, key, fr};
