/*
 * edit — a one-line text field of wide characters with a cursor, shared by
 * the text, number and date widgets, the search box and the comment box.
 *
 * Characters come from get_wch(), so text typed through the terminal's input
 * method (Chinese pinyin, for example) arrives as whole wide characters.
 * Invariant: 0 <= cur <= n < cap (when cap > 0), v[n] == 0.
 */
#include "ui.h"
#include "wrap.h"

#include "ruhu/strbuf.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

static void ins(struct ui_edit *e, wchar_t c)
{
	XGROW(e->v, e->cap, e->n + 2);
	memmove(e->v + e->cur + 1, e->v + e->cur, (e->n - e->cur) * sizeof(wchar_t));
	e->v[e->cur++] = c;
	e->v[++e->n] = 0;
}

void ui_edit_set(struct ui_edit *e, const char *s)
{
	size_t i = 0, n = s ? strlen(s) : 0;

	e->n = e->cur = 0;
	XGROW(e->v, e->cap, 1);
	e->v[0] = 0;
	while (i < n) {
		long cp;
		i += (size_t)wrap_decode(s + i, n - i, &cp);
		ins(e, cp < 0 ? L'?' : (wchar_t)cp);
	}
}

static void put_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addch(sb, (int)c);
	} else if (c < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (c >> 6)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (c >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (c >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
}

char *ui_edit_get(const struct ui_edit *e)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < e->n; i++)
		put_utf8(&sb, (unsigned long)e->v[i]);
	return strbuf_detach(&sb, NULL);
}

bool ui_edit_key(struct ui_edit *e, const struct ui_key *k, bool (*accept)(wchar_t c))
{
	switch (k->code) {
	case UK_CHAR:
		if (accept && !accept(k->ch))
			return false;
		if (e->max && e->n >= e->max)
			return false;
		ins(e, k->ch);
		return true;
	case UK_BACKSPACE:
		if (!e->cur)
			return false;
		memmove(e->v + e->cur - 1, e->v + e->cur, (e->n - e->cur + 1) * sizeof(wchar_t));
		e->cur--;
		e->n--;
		return true;
	case UK_DELETE:
		if (e->cur >= e->n)
			return false;
		memmove(e->v + e->cur, e->v + e->cur + 1, (e->n - e->cur) * sizeof(wchar_t));
		e->n--;
		return true;
	case UK_KILL:
		e->n = e->cur = 0;
		if (e->cap)
			e->v[0] = 0;
		return true;
	case UK_LEFT:
		if (!e->cur)
			return false;
		e->cur--;
		return true;
	case UK_RIGHT:
		if (e->cur >= e->n)
			return false;
		e->cur++;
		return true;
	case UK_HOME:
		e->cur = 0;
		return true;
	case UK_END:
		e->cur = e->n;
		return true;
	default:
		return false;
	}
}

static int cw(wchar_t c)
{
	return wrap_cp_width((long)c);
}

int ui_edit_draw(const struct ui_edit *e, int y, int x, int w, int attr)
{
	size_t first = 0, i;
	int before = 0, col = 0;

	if (w < 2)
		return x;
	/* scroll so that the cursor is visible, keeping one column for it */
	for (i = 0; i < e->cur; i++)
		before += cw(e->v[i]);
	while (before > w - 1 && first < e->cur)
		before -= cw(e->v[first++]);
	ui_fill(y, x, w, attr);
	attrset(attr);
	move(y, x);
	for (i = first; i < e->n; i++) {
		int c = cw(e->v[i]);
		wchar_t wc = wrap_cp_printable((long)e->v[i]) ? e->v[i] : L'?';
		if (col + c > w)
			break;
		addnwstr(&wc, 1);
		col += c;
	}
	attrset(A_NORMAL);
	return x + before;
}

void ui_edit_free(struct ui_edit *e)
{
	if (!e)
		return;
	free(e->v);
	e->v = NULL;
	e->n = e->cap = e->cur = 0;
}
