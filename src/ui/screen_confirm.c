/*
 * screen_confirm — a yes/no dialog drawn over the screen below it. "y" or
 * Enter on "yes" confirms; "n", Esc or Enter on "no" cancels. The default
 * is "no", so a stray Enter never deletes anything.
 */
#include "ui.h"
#include "wrap.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>

struct confirm {
	struct confirm_arg a;
	bool yes_sel;
};

static void *init(struct ui *ui, void *arg)
{
	struct confirm *c = xcalloc(1, sizeof(*c));

	c->a = *(struct confirm_arg *)arg;
	return c;
}

static void draw(struct ui *ui, void *st)
{
	struct confirm *c = st;
	const char *q = T_(c->a.zh, c->a.en);
	int w = ui->cols > 64 ? 60 : ui->cols - 4, h, y, x, i;
	int a = ui_attr(ui, R_TITLE);
	const char *yes = T_("是(y)", "yes (y)"), *no = T_("否(n)", "no (n)");

	if (w < 10)
		w = ui->cols;
	h = ui_wrapped_height(q, w - 4) + 4;
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	if (y < 0)
		y = 0;
	for (i = 0; i < h; i++)
		ui_fill(y + i, x, w, a);
	ui_put_wrapped(y + 1, x + 2, w - 4, h - 3, 0, q, a);
	ui_put(y + h - 2, x + 2, w / 2 - 2, yes, c->yes_sel ? ui_attr(ui, R_SEL) : a);
	ui_put(y + h - 2, x + w / 2, w / 2 - 2, no, c->yes_sel ? a : ui_attr(ui, R_SEL));
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct confirm *c = st;
	struct confirm_arg a = c->a;

	switch (k->code) {
	case UK_LEFT: case UK_RIGHT: case UK_TAB: case UK_UP: case UK_DOWN:
		c->yes_sel = !c->yes_sel;
		return;
	case UK_CHAR:
		if (k->ch == L'y' || k->ch == L'Y') {
			ui_pop(ui);
			a.yes(ui, a.ud);
		} else if (k->ch == L'n' || k->ch == L'N') {
			ui_pop(ui);
		}
		return;
	case UK_ENTER:
		ui_pop(ui);
		if (c->yes_sel)
			a.yes(ui, a.ud);
		return;
	case UK_CANCEL: case UK_LEAVE: case UK_BACK:
		ui_pop(ui);
		return;
	default:
		return;
	}
}

static void fr(void *st)
{
	free(st);
}

const struct screen_ops screen_confirm = {"confirm", true, init, draw, key, fr};
