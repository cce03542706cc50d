/*
 * utf8 — RFC 3629 UTF-8 (ruhu/utf8.h).
 *
 * One decoder, seq(), decides what a valid sequence is; validation,
 * decoding and counting all go through it, so they can never disagree about
 * which bytes are valid. ASCII takes a fast path everywhere because almost
 * every answer and form cell is mostly ASCII.
 */
#include "ruhu/utf8.h"

#include <string.h>

/*
 * The valid sequence starting at s[0] (i < end): returns its length (1-4)
 * and sets *cp, or 0 when s[0] does not begin a valid sequence. The second
 * byte's range depends on the lead byte (Unicode table 3-7), which rules out
 * overlongs, surrogates and code points above U+10FFFF in one comparison.
 */
static size_t seq(const unsigned char *s, const unsigned char *end, uint32_t *cp)
{
	unsigned c = s[0];
	unsigned lo = 0x80, hi = 0xBF;
	size_t n, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* below: overlong */
		else if (c == 0xED)
			hi = 0x9F; /* above: surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* below: overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above: past U+10FFFF */
	} else {
		return 0; /* continuation byte, C0, C1, F5..FF */
	}
	if ((size_t)(end - s) < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3F);
	for (k = 2; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	*cp = v;
	return n;
}

long utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	uint32_t cp;

	if (!len)
		return -1; /* s may be NULL */
	end = p + len;
	while (p < end) {
		size_t n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		n = seq(p, end, &cp);
		if (!n)
			return (long)(p - (const unsigned char *)s);
		p += n;
	}
	return -1;
}

bool utf8_valid(const char *s, size_t len)
{
	return utf8_invalid_at(s, len) < 0;
}

uint32_t utf8_decode(const char **pp, const char *end)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint32_t cp;
	size_t n;

	if (*p < 0x80) {
		*pp += 1;
		return *p;
	}
	n = seq(p, (const unsigned char *)end, &cp);
	if (!n) {
		*pp += 1;
		return UTF8_BAD(*p);
	}
	*pp += n;
	return cp;
}

size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c >= 0xD800 && c <= 0xDFFF)
		return 0;
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	if (c > 0x10FFFF)
		return 0;
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

size_t utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t count = 0;
	uint32_t cp;

	if (!len)
		return 0; /* s may be NULL */
	end = p + len;
	while (p < end) {
		size_t n;

		if (*p < 0x80) {
			p++;
			count++;
			continue;
		}
		n = seq(p, end, &cp);
		p += n ? n : 1;
		count++;
	}
	return count;
}

size_t utf8_offset(const char *s, size_t len, size_t n)
{
	const char *p = s, *end = s + len;

	while (p < end && n) {
		utf8_decode(&p, end);
		n--;
	}
	return (size_t)(p - s);
}

bool utf8_text_valid(const char *s, size_t len)
{
	return !len || (!memchr(s, '\0', len) && utf8_valid(s, len));
}

bool utf8_is_utf16(const void *data, size_t len)
{
	const unsigned char *d = data;

	if (len < 2)
		return false;
	if ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))
		return true;
	return (d[0] == 0) != (d[1] == 0);
}

size_t utf8_width(const char *s)
{
	const char *end = s + strlen(s);
	size_t w = 0;

	while (s < end) {
		uint32_t cp = utf8_decode(&s, end);

		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
				     (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
				     (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
				     (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd)
			     ? 2
			     : 1;
	}
	return w;
}
