/*
 * termsafe — escaping of control characters and invalid UTF-8 for display
 * (see include/ruhu/termsafe.h for the rule and the escapes).
 *
 * Invariant: termsafe_add() output is valid UTF-8 holding no character for
 * which termsafe_cp_unsafe() is true (and, without TERMSAFE_LINES, no
 * newline or tab), whatever the input bytes; safe input is copied unchanged.
 */
#include "ruhu/termsafe.h"

#include <string.h>

int termsafe_decode(const char *s, size_t n, long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	long c;
	int len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		goto invalid;
	}
	if ((size_t)len > n)
		goto invalid;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto invalid;
	*cp = c;
	return len;
invalid:
	*cp = -1;
	return 1;
}

bool termsafe_cp_unsafe(long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static bool passes(long cp, unsigned flags)
{
	if (!termsafe_cp_unsafe(cp))
		return true;
	return (flags & TERMSAFE_LINES) && (cp == '\n' || cp == '\t');
}

bool termsafe_needed(const char *s, size_t n, unsigned flags)
{
	size_t i = 0;
	long cp;

	while (i < n) {
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			i++; /* the common case: printable ASCII */
			continue;
		}
		i += (size_t)termsafe_decode(s + i, n - i, &cp);
		if (!passes(cp, flags))
			return true;
	}
	return false;
}

void termsafe_add(struct strbuf *out, const char *s, size_t n, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;
	long cp;
	int len;

	while (i < n) {
		len = termsafe_decode(s + i, n - i, &cp);
		if (passes(cp, flags)) {
			i += (size_t)len;
			run += (size_t)len;
			continue;
		}
		strbuf_add(out, s + i - run, run);
		run = 0;
		if (cp == '\n') {
			strbuf_addstr(out, "\\n");
		} else if (cp == '\r') {
			strbuf_addstr(out, "\\r");
		} else if (cp == '\t') {
			strbuf_addstr(out, "\\t");
		} else if (cp < 0x80) {
			/* a C0 control, DEL, or an invalid byte (cp -1) */
			unsigned char b = (unsigned char)s[i];
			strbuf_addstr(out, "\\x");
			strbuf_addch(out, hex[b >> 4]);
			strbuf_addch(out, hex[b & 15]);
		} else {
			strbuf_addf(out, "\\u%04lx", (unsigned long)cp);
		}
		i += (size_t)len;
	}
	strbuf_add(out, s + i - run, run);
}

const char *termsafe_str(const char *s, struct strbuf *tmp, unsigned flags)
{
	size_t n;

	if (!s)
		return "";
	n = strlen(s);
	if (!termsafe_needed(s, n, flags))
		return s;
	strbuf_reset(tmp);
	termsafe_add(tmp, s, n, flags);
	return tmp->buf;
}
