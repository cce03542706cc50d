/*
 * screen_comment — a comment on the current question (or the whole
 * interview), typed in a box over the interview; Enter stores it (the team
 * leader sees it with the interview), Esc cancels. Chinese arrives through
 * the terminal's input method like any other text.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>

struct comment {
	char *path; /* NULL: the whole interview */
	struct ui_edit edit;
};

static void *init(struct ui *ui, void *arg)
{
	struct comment *c;

	if (!ui->app->iv)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(arg);
	ui_edit_set(&c->edit, "");
	return c;
}

static void fr(void *st)
{
	struct comment *c = st;

	if (!c)
		return;
	free(c->path);
	ui_edit_free(&c->edit);
	free(c);
}

static void draw(struct ui *ui, void *st)
{
	struct comment *c = st;
	int w = ui->cols > 74 ? 70 : ui->cols - 2, x = (ui->cols - w) / 2, y = ui->rows / 2 - 3, i, cx;
	int a = ui_attr(ui, R_TITLE);
	struct strbuf sb = STRBUF_INIT;

	if (y < 1)
		y = 1;
	for (i = 0; i < 6; i++)
		ui_fill(y + i, x, w, a);
	strbuf_addf(&sb, "%s %s", T_("备注：", "Comment on:"),
		    c->path ? c->path : T_("整个访问", "the whole interview"));
	ui_put(y + 1, x + 2, w - 4, sb.buf, a);
	cx = ui_edit_draw(&c->edit, y + 3, x + 2, w - 4, ui_attr(ui, R_INPUT));
	ui_cursor(ui, y + 3, cx);
	ui_put(y + 4, x + 2, w - 4, T_("Enter 保存   Esc 取消", "Enter saves   Esc cancels"), a);
	strbuf_release(&sb);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct comment *c = st;
	struct error err = ERROR_INIT;
	char *text;

	switch (k->code) {
	case UK_CANCEL: case UK_LEAVE: case UK_COMMENT:
		ui_pop(ui);
		return;
	case UK_ENTER:
		text = ui_edit_get(&c->edit);
		if (!*text) {
			ui_pop(ui);
		} else if (app_comment(ui->app, c->path, text, &err) < 0) {
			ui_interview_flash_error(ui, &err);
		} else {
			ui_pop(ui);
			ui_flash(ui, false, "备注已保存", "comment saved");
		}
		free(text);
		error_clear(&err);
		return;
	default:
		ui_edit_key(&c->edit, k, NULL);
		return;
	}
}

const struct screen_ops screen_comment = {"comment", true, init, draw, key, fr};
