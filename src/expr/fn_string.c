/*
 * fn_string — the string functions: regex, string, concat, join, substr,
 * substring, substring-before, substring-after, translate, string-length,
 * normalize-space, contains, starts-with, ends-with, uuid, digest,
 * base64-decode.
 *
 * Positions and lengths count Unicode code points (ruhu/utf8.h: an invalid
 * byte counts as one), so string-length('张三丰') is 3. Built strings go to
 * the scratch arena through expr_sbuild, which enforces EXPR_MAX_STRING.
 */
#include "fn.h"

#include "ruhu/digest.h"
#include "ruhu/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *find(const char *h, size_t hl, const char *nd, size_t nl)
{
	size_t i;

	if (!nl)
		return h;
	if (nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == nd[0] && !memcmp(h + i, nd, nl))
			return h + i;
	return NULL;
}

/* the string argument, or the context node's value when there is none */
static int str_or_context(struct ev *E, int i, const struct cx *c, const char **s, size_t *sl)
{
	const struct enode *n = &E->e->nodes[i];

	if (!n->n) {
		*s = expr_ev_value(E, c->node);
		*sl = strlen(*s);
		return 0;
	}
	return expr_ev_str(E, ARG(0), c, s, sl);
}

static int fn_regex(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *t;
	size_t sl, tl;
	int r;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	r = expr_ev_regex(E, t, tl, s, sl);
	if (r < 0)
		return expr_ev_fail(E, ARG(1), "无效或过于复杂的正则表达式 '%.*s'",
				    "invalid or too complex regular expression '%.*s'", (int)tl, t);
	set_bool(out, r == 1);
	return 0;
}

static int fn_string(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const char *s;
	size_t sl;

	if (str_or_context(E, i, c, &s, &sl) < 0)
		return -1;
	set_str(out, s, sl);
	return 0;
}

struct join {
	struct expr_sbuild sb;
	const char *sep;
	size_t seplen, count;
};

static int join_one(struct ev *E, void *st, const char *s, size_t len, const struct val *v)
{
	struct join *j = st;

	if (j->count++)
		expr_sb_add(&j->sb, j->sep, j->seplen);
	expr_sb_add(&j->sb, s, len);
	return 0;
}

/* concat(...) (arg 0) and join(sep, ...) (arg 1: the separator first) */
static int fn_join(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct join j = {.sep = ""};

	if (n->fi->arg && expr_ev_str(E, ARG(0), c, &j.sep, &j.seplen) < 0)
		return -1;
	expr_sb_init(&j.sb, E);
	if (expr_ev_each(E, i, n->fi->arg, c, join_one, &j) < 0)
		return -1;
	return expr_sb_done(&j.sb, i, out);
}

enum { SUB_ODK, SUB_XPATH };

/* substr(s, start[, end]) (SUB_ODK: 0-based, end exclusive, negative from
 * the end) and substring(s, start[, length]) (SUB_XPATH: 1-based, rounded) */
static int fn_substring(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	double start, end = INFINITY;
	size_t cps, from, to, bo1, bo2;
	const char *s;
	size_t sl;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_num(E, ARG(1), c, &start) < 0)
		return -1;
	if (n->n > 2 && expr_ev_num(E, ARG(2), c, &end) < 0)
		return -1;
	cps = utf8_length(s, sl);
	if (n->fi->arg == SUB_ODK) {
		double st = start, en = n->n > 2 ? end : (double)cps;

		if (isnan(st) || isnan(en)) {
			set_str(out, "", 0);
			return 0;
		}
		st = trunc(st);
		en = trunc(en);
		if (st < 0)
			st += (double)cps;
		if (en < 0)
			en += (double)cps;
		if (st < 0)
			st = 0;
		if (en > (double)cps)
			en = (double)cps;
		if (st >= en) {
			set_str(out, "", 0);
			return 0;
		}
		from = (size_t)st;
		to = (size_t)en;
	} else {
		double rs = expr_round_half_away(start), first, last;

		if (n->n > 2) {
			double rl = expr_round_half_away(end);
			last = rs + rl;
		} else {
			last = INFINITY;
		}
		first = rs;
		if (isnan(first) || isnan(last) || last <= first || first > (double)cps) {
			set_str(out, "", 0);
			return 0;
		}
		if (first < 1)
			first = 1;
		if (last > (double)cps + 1)
			last = (double)cps + 1;
		if (last <= first) {
			set_str(out, "", 0);
			return 0;
		}
		from = (size_t)first - 1;
		to = (size_t)last - 1;
	}
	bo1 = utf8_offset(s, sl, from);
	bo2 = bo1 + utf8_offset(s + bo1, sl - bo1, to - from);
	set_str(out, expr_ev_copy(E, s + bo1, bo2 - bo1), bo2 - bo1);
	return 0;
}

enum { SUB_BEFORE, SUB_AFTER };

static int fn_substring_around(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *t, *f;
	size_t sl, tl;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	f = find(s, sl, t, tl);
	if (!f) {
		set_str(out, "", 0);
		return 0;
	}
	if (n->fi->arg == SUB_BEFORE)
		set_str(out, expr_ev_copy(E, s, (size_t)(f - s)), (size_t)(f - s));
	else
		set_str(out, f + tl, sl - (size_t)(f - s) - tl);
	if (n->fi->arg == SUB_AFTER && out->s[out->len] != '\0')
		out->s = expr_ev_copy(E, out->s, out->len);
	return 0;
}

static int fn_translate(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *t, *u, *p, *end;
	size_t sl, tl, ul;
	struct expr_sbuild sb;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0 ||
	    expr_ev_str(E, ARG(2), c, &u, &ul) < 0)
		return -1;
	expr_sb_init(&sb, E);
	p = s;
	end = s + sl;
	while (p < end) {
		const char *cs = p;
		uint32_t ch = utf8_decode(&p, end);
		const char *q = t, *qend = t + tl;
		size_t idx = 0;
		bool found = false;

		while (q < qend) {
			if (utf8_decode(&q, qend) == ch) {
				found = true;
				break;
			}
			idx++;
		}
		if (!found) {
			expr_sb_add(&sb, cs, (size_t)(p - cs));
		} else {
			size_t o = utf8_offset(u, ul, idx);

			if (o < ul) {
				const char *r = u + o, *rs = r;

				utf8_decode(&r, u + ul);
				expr_sb_add(&sb, rs, (size_t)(r - rs));
			}
		}
	}
	return expr_sb_done(&sb, i, out);
}

static int fn_string_length(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const char *s;
	size_t sl;

	if (str_or_context(E, i, c, &s, &sl) < 0)
		return -1;
	set_num(out, (double)utf8_length(s, sl));
	return 0;
}

static int fn_normalize_space(struct ev *E, int i, const struct cx *c, struct val *out)
{
	struct expr_sbuild sb;
	const char *s, *p, *end, *tok;
	size_t sl, tlen;
	bool firsttok = true;

	if (str_or_context(E, i, c, &s, &sl) < 0)
		return -1;
	expr_sb_init(&sb, E);
	p = s;
	end = s + sl;
	while (expr_next_token(&p, end, &tok, &tlen)) {
		if (!firsttok)
			expr_sb_add(&sb, " ", 1);
		expr_sb_add(&sb, tok, tlen);
		firsttok = false;
	}
	return expr_sb_done(&sb, i, out);
}

enum { HAS_CONTAINS, HAS_STARTS, HAS_ENDS };

static int fn_contains(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *t;
	size_t sl, tl;
	bool bo;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	if (n->fi->arg == HAS_CONTAINS)
		bo = find(s, sl, t, tl) != NULL;
	else if (n->fi->arg == HAS_STARTS)
		bo = tl <= sl && !memcmp(s, t, tl);
	else
		bo = tl <= sl && !memcmp(s + sl - tl, t, tl);
	set_bool(out, bo);
	return 0;
}

static int fn_uuid(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	unsigned char r[16];
	uint64_t r1, r2;
	char *u;
	int k;

	if (n->n) {
		static const char an[] =
			"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
		size_t len, j;
		double x;

		if (expr_ev_num(E, ARG(0), c, &x) < 0)
			return -1;
		if (!(x >= 0 && x <= 4096))
			return expr_ev_fail(E, i, "uuid() 的长度必须在 0 到 4096 之间",
					    "uuid() length must be between 0 and 4096");
		len = (size_t)x;
		u = expr_ev_alloc(E, len + 1);
		for (j = 0; j < len; j++)
			u[j] = an[expr_ev_random(E) % 62];
		u[len] = '\0';
		set_str(out, u, len);
		return 0;
	}
	r1 = expr_ev_random(E);
	r2 = expr_ev_random(E);
	for (k = 0; k < 8; k++) {
		r[k] = (unsigned char)(r1 >> (8 * k));
		r[8 + k] = (unsigned char)(r2 >> (8 * k));
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	u = expr_ev_alloc(E, 37);
	snprintf(u, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
		 r[13], r[14], r[15]);
	set_str(out, u, 36);
	return 0;
}

/* ---- base64 ---------------------------------------------------------------- */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* decodes into out (>= 3*len/4+3 bytes); -1 on an invalid character */
static long b64_decode(const char *s, size_t len, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;
	long o = 0;

	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == '=')
			break;
		if (expr_is_ws(s[i]))
			continue;
		v = b64_val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static int fn_digest(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	enum digest_alg alg;
	const char *s, *t, *enc = "base64";
	size_t sl, tl, encl = 6;
	unsigned char md[DIGEST_MAX_SIZE];
	struct digest d;
	char *o;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	if (n->n > 2 && expr_ev_str(E, ARG(2), c, &enc, &encl) < 0)
		return -1;
	if (tl == 3 && !strncasecmp(t, "MD5", 3))
		alg = DIGEST_MD5;
	else if (tl == 5 && !strncasecmp(t, "SHA-1", 5))
		alg = DIGEST_SHA1;
	else if (tl == 7 && !strncasecmp(t, "SHA-256", 7))
		alg = DIGEST_SHA256;
	else
		return expr_ev_fail(E, ARG(1), "digest() 不支持算法 '%.*s'（可用 MD5、SHA-1、SHA-256）",
				    "digest() does not support '%.*s' (use MD5, SHA-1 or SHA-256)",
				    (int)tl, t);
	digest_init(&d, alg);
	digest_update(&d, s, sl);
	digest_final(&d, md);
	o = expr_ev_alloc(E, 2 * DIGEST_MAX_SIZE + 1);
	if (encl == 3 && !strncasecmp(enc, "hex", 3))
		digest_to_hex(md, digest_size(alg), o);
	else if (encl == 6 && !strncasecmp(enc, "base64", 6))
		b64_encode(md, digest_size(alg), o);
	else
		return expr_ev_fail(E, ARG(2), "digest() 不支持编码 '%.*s'（可用 hex、base64）",
				    "digest() does not support encoding '%.*s' (use hex or base64)",
				    (int)encl, enc);
	set_str(out, o, strlen(o));
	return 0;
}

static int fn_base64_decode(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	unsigned char *o;
	const char *s;
	size_t sl;
	long len;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0)
		return -1;
	o = (unsigned char *)expr_ev_alloc(E, sl / 4 * 3 + 4);
	len = b64_decode(s, sl, o);
	if (len < 0)
		len = 0;
	o[len] = '\0';
	set_str(out, (const char *)o, (size_t)len);
	return 0;
}

const struct expr_fn expr_fn_string[] = {
	{"regex", 2, 2, EXPR_FN_REGEX_ARG2, 0, fn_regex},
	{"string", 0, 1, 0, 0, fn_string},
	{"concat", 0, -1, 0, 0, fn_join},
	{"join", 1, -1, 0, 1, fn_join},
	{"substr", 2, 3, 0, SUB_ODK, fn_substring},
	{"substring", 2, 3, 0, SUB_XPATH, fn_substring},
	{"substring-before", 2, 2, 0, SUB_BEFORE, fn_substring_around},
	{"substring-after", 2, 2, 0, SUB_AFTER, fn_substring_around},
	{"translate", 3, 3, 0, 0, fn_translate},
	{"string-length", 0, 1, 0, 0, fn_string_length},
	{"normalize-space", 0, 1, 0, 0, fn_normalize_space},
	{"contains", 2, 2, 0, HAS_CONTAINS, fn_contains},
	{"starts-with", 2, 2, 0, HAS_STARTS, fn_contains},
	{"ends-with", 2, 2, 0, HAS_ENDS, fn_contains},
	{"uuid", 0, 1, 0, 0, fn_uuid},
	{"digest", 2, 3, 0, 0, fn_digest},
	{"base64-decode", 1, 1, 0, 0, fn_base64_decode},
};
const size_t expr_fn_string_n = sizeof(expr_fn_string) / sizeof(expr_fn_string[0]);
