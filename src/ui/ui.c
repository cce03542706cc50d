/*
 * ui — the screen stack and the key loop (see ui.h).
 *
 * The loop is: read a key, give it to the top screen, free retired screens,
 * draw, update the terminal. Everything a key changes (answers saved to the
 * store included) is done before the terminal is updated, so the screen never
 * shows something that is not yet durable. With --trace-timing, the time from
 * the key's arrival to the end of the terminal update is written per key.
 */
#include "ui.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <curses.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int ui_push(struct ui *ui, const struct screen_ops *ops, void *arg)
{
	void *st = ops->init(ui, arg);

	if (!st)
		return -1;
	XGROW(ui->stack, ui->cap, ui->depth + 1);
	ui->stack[ui->depth].ops = ops;
	ui->stack[ui->depth].st = st;
	ui->depth++;
	return 0;
}

void ui_pop(struct ui *ui)
{
	if (!ui->depth)
		return;
	ui->depth--;
	XGROW(ui->dead, ui->capdead, ui->ndead + 1);
	ui->dead[ui->ndead++] = ui->stack[ui->depth];
}

bool ui_pop_to(struct ui *ui, const struct screen_ops *ops)
{
	size_t i;

	for (i = ui->depth; i > 0; i--)
		if (ui->stack[i - 1].ops == ops)
			break;
	if (!i)
		return false;
	while (ui->depth > i)
		ui_pop(ui);
	return true;
}

void *ui_find(struct ui *ui, const struct screen_ops *ops)
{
	size_t i;

	for (i = ui->depth; i > 0; i--)
		if (ui->stack[i - 1].ops == ops)
			return ui->stack[i - 1].st;
	return NULL;
}

static void reap(struct ui *ui)
{
	size_t i;

	for (i = 0; i < ui->ndead; i++)
		ui->dead[i].ops->free(ui->dead[i].st);
	ui->ndead = 0;
}

void ui_flash(struct ui *ui, bool error, const char *zh, const char *en, ...)
{
	struct error e = ERROR_INIT;
	va_list ap;

	va_start(ap, en);
	error_vset(&e, NULL, zh, en, ap);
	va_end(ap);
	free(ui->flash);
	ui->flash = xstrdup(error_msg(&e, i18n_lang()));
	ui->flash_error = error;
	error_clear(&e);
}

void ui_flash_err(struct ui *ui, const struct error *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (err->where && *err->where)
		strbuf_addf(&sb, "%s: ", err->where);
	strbuf_addstr(&sb, error_msg(err, i18n_lang()));
	free(ui->flash);
	ui->flash = strbuf_detach(&sb, NULL);
	ui->flash_error = true;
}

/* Follows the terminal's real size: two resizes in quick succession can
 * leave curses with the first size (one KEY_RESIZE for two signals). */
static void follow_size(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
}

static void draw(struct ui *ui)
{
	size_t base;

	follow_size();
	getmaxyx(stdscr, ui->rows, ui->cols);
	erase();
	ui->cur_on = false;
	if (!ui->depth)
		return;
	/* an overlay shows the screen below it */
	base = ui->depth - 1;
	while (base > 0 && ui->stack[base].ops->overlay)
		base--;
	for (; base < ui->depth; base++)
		ui->stack[base].ops->draw(ui, ui->stack[base].st);
	if (ui->cur_on)
		move(ui->cur_y, ui->cur_x);
	curs_set(ui->cur_on ? 1 : 0);
}

void ui_cursor(struct ui *ui, int y, int x)
{
	ui->cur_on = true;
	ui->cur_y = y;
	ui->cur_x = x;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int ui_run(struct ui *ui, const struct screen_ops *first, void *arg, struct error *err)
{
	struct ui_key k;
	SCREEN *scr;
	int ret = -1;

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		error_set(err, NULL, "无法初始化终端（TERM='%s'）", "cannot set up the terminal (TERM='%s')",
			  getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	ui_colors_init(ui);
	getmaxyx(stdscr, ui->rows, ui->cols);
	if (ui_push(ui, first, arg) < 0) {
		/* the first screen said why in the flash message */
		endwin();
		error_set(err, NULL, "%1$s%2$.0s", "%2$s%1$.0s", ui->flash ? ui->flash : "无法打开界面",
			  ui->flash ? ui->flash : "cannot open the interface");
		goto done;
	}
	draw(ui);
	refresh();
	while (ui->depth && !ui->quit) {
		double t0;

		if (!ui_key_read(ui, &k))
			break;
		t0 = now_us();
		if (k.code == UK_REDRAW)
			clearok(curscr, TRUE);
		free(ui->flash);
		ui->flash = NULL;
		if (k.code != UK_REDRAW && ui->depth)
			ui->stack[ui->depth - 1].ops->key(ui, ui->stack[ui->depth - 1].st, &k);
		reap(ui);
		if (ui->quit || !ui->depth)
			break;
		draw(ui);
		refresh();
		if (ui->trace) {
			fprintf(ui->trace, "%d %.1f\n", (int)k.code, now_us() - t0);
			fflush(ui->trace);
		}
	}
	endwin();
	ret = 0;
done:
	while (ui->depth)
		ui_pop(ui);
	reap(ui);
	free(ui->stack);
	free(ui->dead);
	free(ui->flash);
	ui->stack = ui->dead = NULL;
	ui->flash = NULL;
	delscreen(scr);
	return ret;
}
