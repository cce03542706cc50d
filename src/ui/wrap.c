/*
 * wrap — display width and line wrapping of UTF-8 text (see wrap.h for the
 * rules). Pure: the UI draws what these functions measured, so both must agree
 * on every code point, including invalid bytes and control characters.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth */
#endif
#include "wrap.h"

#include "ruhu/strbuf.h"
#include "ruhu/termsafe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int wrap_decode(const char *s, size_t n, long *cp)
{
	return termsafe_decode(s, n, cp);
}

int wrap_cp_width(long cp)
{
	int w;

	if (cp < 0 || cp == '\t' || termsafe_cp_unsafe(cp))
		return 1; /* drawn as ' ' or '?' */
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

bool wrap_cp_printable(long cp)
{
	if (termsafe_cp_unsafe(cp))
		return false;
	return wcwidth((wchar_t)cp) >= 0;
}

int wrap_width(const char *s, size_t n)
{
	size_t i = 0;
	int w = 0;
	long cp;

	while (i < n) {
		i += (size_t)wrap_decode(s + i, n - i, &cp);
		w += wrap_cp_width(cp);
	}
	return w;
}

int wrap_strwidth(const char *s)
{
	return s ? wrap_width(s, strlen(s)) : 0;
}

size_t wrap_fit(const char *s, int cols, int *used)
{
	size_t n = strlen(s), i = 0;
	int w = 0;

	while (i < n) {
		long cp;
		int len = wrap_decode(s + i, n - i, &cp);
		int cw = wrap_cp_width(cp);

		if (w + cw > cols)
			break;
		w += cw;
		i += (size_t)len;
	}
	if (used)
		*used = w;
	return i;
}

/* Closing punctuation that must not begin a line (a short kinsoku list). */
static bool closing_punct(long cp)
{
	static const long set[] = {0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff01,
				   0xff1f, 0xff09, 0x300d, 0x300f, 0x300b, 0x3009, 0x3011,
				   0x201d, 0x2019, 0x2026};
	size_t i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == cp)
			return true;
	return false;
}

static void push(struct wrap_lines *out, const char *s, size_t off, size_t end)
{
	struct wrap_line *l;

	/* the spaces at a break belong to neither line */
	while (end > off && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	XGROW(out->v, out->cap, out->n + 1);
	l = &out->v[out->n++];
	l->off = off;
	l->len = end - off;
	l->width = wrap_width(s + off, end - off);
}

size_t wrap_text(const char *s, int width, struct wrap_lines *out)
{
	size_t n, i = 0, ls = 0;
	size_t brk_end = 0, brk_next = 0; /* last break: line ends at brk_end, next starts at brk_next */
	bool have_brk = false, prev_wide = false, prev_space = false;
	int w = 0;

	out->n = 0;
	if (!s)
		s = "";
	if (width < 1)
		width = 1;
	n = strlen(s);
	while (i < n) {
		long cp;
		int len = wrap_decode(s + i, n - i, &cp);
		int cw = wrap_cp_width(cp);
		bool space = cp == ' ' || cp == '\t';

		if (cp == '\n') {
			push(out, s, ls, i);
			ls = i + 1;
			i = ls;
			w = 0;
			have_brk = prev_wide = prev_space = false;
			continue;
		}
		if (space) {
			if (!prev_space) {
				brk_end = i;
				have_brk = i > ls;
			}
			brk_next = i + (size_t)len;
			prev_space = true;
			prev_wide = false;
			w += cw;
			i += (size_t)len;
			continue;
		}
		/* a break before this character? after spaces (recorded above), or
		 * around a double-width character unless this closes a phrase */
		if (cw > 0 && !prev_space && (prev_wide || cw == 2) && !closing_punct(cp) && i > ls) {
			brk_end = brk_next = i;
			have_brk = true;
		}
		if (w + cw > width && i > ls) {
			if (have_brk && brk_next > ls) {
				push(out, s, ls, brk_end);
				ls = brk_next;
			} else {
				push(out, s, ls, i);
				ls = i;
			}
			have_brk = false;
			w = wrap_width(s + ls, i - ls);
			/* the carried-down tail may itself hold a break (CJK) */
			if (w + cw > width && i > ls) {
				push(out, s, ls, i);
				ls = i;
				w = 0;
			}
		}
		w += cw;
		if (cw > 0)
			prev_wide = cw == 2;
		prev_space = false;
		i += (size_t)len;
	}
	push(out, s, ls, n);
	return out->n;
}

void wrap_lines_free(struct wrap_lines *wl)
{
	if (!wl)
		return;
	free(wl->v);
	wl->v = NULL;
	wl->n = wl->cap = 0;
}
