/*
 * draw — colours, clipped UTF-8 text, wrapped text, the header and footer.
 *
 * Text is measured with wrap.c and drawn one code point at a time with the
 * same rules, so what was measured is what appears: an invalid byte or a
 * control character is drawn as '?', a tab as a space, and a double-width
 * character that would not fit whole in the space left is not drawn.
 *
 * Colours: with a colour terminal each role has a pair; on a monochrome
 * terminal (or with NO_COLOR set) roles fall back to bold, reverse and
 * underline, so a selected row or an error is still visible.
 */
#include "ui.h"
#include "wrap.h"

#include "ruhu/i18n.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static int role_attr[R_COUNT];

void ui_colors_init(struct ui *ui)
{
	static const struct {
		short fg, bg;
		int extra;
	} pal[R_COUNT] = {
		[R_NORMAL] = {-1, -1, 0},
		[R_TITLE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
		[R_KEY] = {COLOR_BLACK, COLOR_CYAN, 0},
		[R_KEYTEXT] = {-1, -1, 0},
		[R_SEL] = {COLOR_BLACK, COLOR_YELLOW, 0},
		[R_ERROR] = {COLOR_RED, -1, A_BOLD},
		[R_OK] = {COLOR_GREEN, -1, A_BOLD},
		[R_HINT] = {COLOR_CYAN, -1, 0},
		[R_LABEL] = {-1, -1, A_BOLD},
		[R_INPUT] = {-1, -1, A_UNDERLINE},
		[R_SPECIAL] = {COLOR_MAGENTA, -1, A_BOLD},
	};
	static const int mono[R_COUNT] = {
		[R_NORMAL] = A_NORMAL,   [R_TITLE] = A_REVERSE,   [R_KEY] = A_REVERSE,
		[R_KEYTEXT] = A_NORMAL,  [R_SEL] = A_REVERSE,     [R_ERROR] = A_BOLD | A_UNDERLINE,
		[R_OK] = A_BOLD,         [R_HINT] = A_NORMAL,     [R_LABEL] = A_BOLD,
		[R_INPUT] = A_UNDERLINE, [R_SPECIAL] = A_BOLD,
	};
	const char *nc = getenv("NO_COLOR");
	int i;

	ui->mono = !has_colors() || (nc && *nc);
	if (!ui->mono && start_color() == ERR)
		ui->mono = true;
	for (i = 0; i < R_COUNT; i++)
		role_attr[i] = mono[i];
	if (ui->mono)
		return;
	use_default_colors();
	for (i = 1; i < R_COUNT; i++) {
		if (init_pair((short)i, pal[i].fg, pal[i].bg) == ERR)
			continue;
		role_attr[i] = (int)COLOR_PAIR(i) | pal[i].extra;
	}
	/* a selection must stand out even where yellow is dim */
	role_attr[R_SEL] |= A_BOLD;
}

int ui_attr(const struct ui *ui, enum ui_role role)
{
	(void)ui;
	return role_attr[role];
}

int ui_putn(int y, int x, int maxw, const char *s, size_t n, int attr)
{
	size_t i = 0;
	int used = 0;

	if (!s || maxw <= 0)
		return 0;
	attrset(attr);
	move(y, x);
	while (i < n && s[i]) {
		long cp;
		int len = wrap_decode(s + i, n - i, &cp);
		int cw = wrap_cp_width(cp);
		wchar_t wc[2] = {0, 0};

		if (used + cw > maxw)
			break;
		if (cp == '\t')
			wc[0] = L' ';
		else if (!wrap_cp_printable(cp))
			wc[0] = L'?';
		else
			wc[0] = (wchar_t)cp;
		if (cw == 0) {
			/* a combining mark goes with the character before it */
			if (used > 0 && cp > 0)
				addnwstr(wc, 1);
		} else {
			addnwstr(wc, 1);
		}
		used += cw;
		i += (size_t)len;
	}
	attrset(A_NORMAL);
	return used;
}

int ui_put(int y, int x, int maxw, const char *s, int attr)
{
	return s ? ui_putn(y, x, maxw, s, strlen(s), attr) : 0;
}

void ui_fill(int y, int x, int w, int attr)
{
	attrset(attr);
	if (w > 0)
		mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

int ui_put_wrapped(int y, int x, int w, int maxh, int skip, const char *s, int attr)
{
	struct wrap_lines wl = WRAP_LINES_INIT;
	size_t i;
	int row = 0;

	wrap_text(s, w, &wl);
	for (i = (size_t)(skip > 0 ? skip : 0); i < wl.n && row < maxh; i++, row++)
		ui_putn(y + row, x, w, s + wl.v[i].off, wl.v[i].len, attr);
	i = wl.n;
	wrap_lines_free(&wl);
	return (int)i;
}

int ui_wrapped_height(const char *s, int w)
{
	struct wrap_lines wl = WRAP_LINES_INIT;
	int n = (int)wrap_text(s, w, &wl);

	wrap_lines_free(&wl);
	return n;
}

void ui_header(struct ui *ui, const char *left, const char *right)
{
	int a = ui_attr(ui, R_TITLE);
	int rw = wrap_strwidth(right);

	ui_fill(0, 0, ui->cols, a);
	if (rw > ui->cols - 4)
		rw = 0;
	ui_put(0, 1, ui->cols - 2 - (rw ? rw + 2 : 0), left, a);
	if (rw)
		ui_put(0, ui->cols - 1 - rw, rw, right, a);
}

int ui_footer(struct ui *ui, const struct ui_footkey *keys, size_t n, const char *status,
	      bool status_ok)
{
	int y = ui->rows - 2, x = 0;
	size_t i;

	if (ui->rows < 4)
		return 0;
	/* message row */
	if (ui->flash)
		ui_put(y - 1, 1, ui->cols - 2, ui->flash,
		       ui_attr(ui, ui->flash_error ? R_ERROR : R_OK));
	else if (status)
		ui_put(y - 1, 1, ui->cols - 2, status, ui_attr(ui, status_ok ? R_OK : R_HINT));
	/* keys on two rows, an item never cut */
	for (i = 0; i < n; i++) {
		const char *what = T_(keys[i].zh, keys[i].en);
		int kw = wrap_strwidth(keys[i].key), ww = wrap_strwidth(what);

		if (x + kw + 1 + ww > ui->cols) {
			if (y == ui->rows - 1)
				break;
			y++;
			x = 0;
		}
		ui_put(y, x, kw, keys[i].key, ui_attr(ui, R_KEY));
		x += kw;
		ui_put(y, x + 1, ww, what, ui_attr(ui, R_KEYTEXT));
		x += 1 + ww + 1;
	}
	return 3;
}
