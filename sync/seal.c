/*
 * seal — signed and encrypted envelope around a bundle (ruhu/seal.h).
 * Every cryptographic operation is libsodium's: Ed25519 (crypto_sign_*),
 * crypto_box_seal, crypto_secretstream_xchacha20poly1305, SHA-256.
 */
#include "ruhu/seal.h"
#include "ruhu/ident.h"
#include "ruhu/strbuf.h"

#include <sodium.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536
#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES

bool seal_is_sealed(const void *data, size_t len)
{
	return len >= sizeof(SEAL_MAGIC) - 1 && !memcmp(data, SEAL_MAGIC, sizeof(SEAL_MAGIC) - 1);
}

static void hexs(char *out, const unsigned char *b, size_t n)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

void seal_fingerprint(const unsigned char *a, const unsigned char *b, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[32];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, a, SEAL_PK_BYTES);
	if (b)
		crypto_hash_sha256_update(&st, b, SEAL_PK_BYTES);
	crypto_hash_sha256_final(&st, h);
	hexs(out, h, 32);
}

void seal_fingerprint_short(const char *fp, char out[32])
{
	size_t i, o = 0;

	for (i = 0; i < 20 && fp[i]; i++) {
		if (i && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = fp[i];
	}
	out[o] = 0;
}

static void sha_hex(const void *d, size_t n, char out[65])
{
	unsigned char h[32];

	crypto_hash_sha256(h, d, n);
	hexs(out, h, 32);
}

/* exactly n bytes of lowercase hex into b */
static int unhex(const char *v, unsigned char *b, size_t n)
{
	size_t got = 0;
	size_t i;

	if (strlen(v) != n * 2)
		return -1;
	for (i = 0; i < n * 2; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return -1;
	if (sodium_hex2bin(b, n, v, n * 2, NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

static int is_hex64(const char *v)
{
	unsigned char b[32];

	return unhex(v, b, 32) == 0;
}

static int parse_count(const char *v, long long max, long long *out)
{
	char *end;
	long long x;

	if (!*v || *v == '-' || *v == '+' || *v == ' ')
		return -1;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || x < 0 || x > max)
		return -1;
	*out = x;
	return 0;
}

static int copy_str(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* one header line "key,value": 0 ok, -1 bad value, -2 unknown or repeated key */
static int header_line(struct seal_header *h, char *key, char *val, unsigned *seen)
{
	static const char *const keys[] = {"kind", "device", "for_device", "sequence", "created",
					   "prev", "content_sha256", "content_length", "interviews",
					   "answers", "events", "team", "signer", "team_box",
					   "escrow", "stream"};
	long long n;
	size_t i;

	if (!strcmp(key, "key")) {
		char *comma = strchr(val, ',');

		if (h->n_keys >= SEAL_MAX_KEYS)
			return -2;
		if (!comma || comma - val != 16)
			return -1;
		*comma = 0;
		if (unhex(val, (unsigned char[8]){0}, 8) < 0)
			return -1;
		memcpy(h->key_fp[h->n_keys], val, 17);
		if (unhex(comma + 1, h->key_box[h->n_keys], sizeof(h->key_box[0])) < 0)
			return -1;
		h->n_keys++;
		return 0;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]) || (*seen & (1u << i)))
		return -2;
	*seen |= 1u << i;
	switch (i) {
	case 0:
		if (!strcmp(val, "device"))
			h->kind = BUNDLE_DEVICE;
		else if (!strcmp(val, "return"))
			h->kind = BUNDLE_RETURN;
		else
			return -1;
		return 0;
	case 1:
		return ident_check(val, IDENT_DEVICE, NULL) < 0 ? -1
								: copy_str(h->device, sizeof(h->device), val);
	case 2:
		return ident_check(val, IDENT_DEVICE, NULL) < 0
			       ? -1
			       : copy_str(h->for_device, sizeof(h->for_device), val);
	case 3:
		if (parse_count(val, (long long)1 << 53, &n) < 0 || n < 1)
			return -1;
		h->sequence = n;
		return 0;
	case 4:
		return strlen(val) > 24 ? -1 : copy_str(h->created, sizeof(h->created), val);
	case 5:
		return *val && !is_hex64(val) ? -1 : copy_str(h->prev, sizeof(h->prev), val);
	case 6:
		return !is_hex64(val) ? -1 : copy_str(h->content_sha256, 65, val);
	case 7:
	case 8:
	case 9:
	case 10:
		if (parse_count(val, (long long)1 << 40, &n) < 0)
			return -1;
		*(i == 7 ? &h->content_length : i == 8 ? &h->interviews
						: i == 9 ? &h->answers : &h->events) = (size_t)n;
		return 0;
	case 11:
		return *val && !is_hex64(val) ? -1 : copy_str(h->team, sizeof(h->team), val);
	case 12:
		return unhex(val, h->signer, SEAL_PK_BYTES);
	case 13:
		h->has_team_box = true;
		return unhex(val, h->team_box, SEAL_PK_BYTES);
	case 14:
		h->has_escrow = true;
		return unhex(val, h->escrow, SEAL_PK_BYTES);
	default:
		h->encrypted = true;
		return unhex(val, h->stream, sizeof(h->stream));
	}
}

int seal_parse(const char *name, const void *data, size_t len, struct seal_header *h,
	       struct error *err)
{
	const char *p = data, *end, *nl;
	unsigned seen = 0;
	size_t lineno = 1, hdr_len;
	unsigned char sig[crypto_sign_BYTES];
	char where[64];
	bool ended = false;

	memset(h, 0, sizeof(*h));
	if (!seal_is_sealed(data, len)) {
		error_set(err, name, "不是签名数据包", "not a sealed bundle");
		return -1;
	}
	end = p + (len < SEAL_HEADER_MAX ? len : SEAL_HEADER_MAX);
	p += sizeof(SEAL_MAGIC) - 1;
	while (p < end) {
		char line[SEAL_HEADER_MAX], *comma;
		int rc;

		lineno++;
		snprintf(where, sizeof(where), "header:%zu", lineno);
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (memchr(p, 0, (size_t)(nl - p))) {
			error_set(err, where, "头部含有 NUL 字节", "the header holds a NUL byte");
			goto bad;
		}
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = 0;
		p = nl + 1;
		if (!strcmp(line, "end,header")) {
			ended = true;
			break;
		}
		comma = strchr(line, ',');
		if (!comma) {
			error_set(err, where, "头部行应为 键,值", "a header line must be key,value");
			goto bad;
		}
		*comma = 0;
		rc = header_line(h, line, comma + 1, &seen);
		if (rc == -2) {
			error_set(err, where, "未知或重复的头部键 '%s'", "unknown or repeated header key '%s'",
				  line);
			goto bad;
		}
		if (rc < 0) {
			error_set(err, where, "头部键 '%s' 的值无效", "invalid value of header key '%s'",
				  line);
			goto bad;
		}
	}
	if (!ended) {
		error_set(err, "header", "头部没有以 end,header 结束",
			  "the header does not end with end,header");
		goto bad;
	}
	/* required: kind device sequence content_sha256 content_length signer */
	if ((seen & ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 6) | (1u << 7) | (1u << 12))) !=
	    ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 6) | (1u << 7) | (1u << 12))) {
		error_set(err, "header", "头部缺少必需的键", "the header lacks a required key");
		goto bad;
	}
	if ((h->kind == BUNDLE_RETURN) != (*h->for_device != 0) ||
	    (h->encrypted != (h->n_keys > 0))) {
		error_set(err, "header", "头部的键互相矛盾", "the header's keys contradict each other");
		goto bad;
	}
	hdr_len = (size_t)(p - (const char *)data);
	if (len - hdr_len < 10 + crypto_sign_BYTES * 2 + 1 || memcmp(p, "signature,", 10) ||
	    p[10 + crypto_sign_BYTES * 2] != '\n') {
		error_set(err, name, "签名数据包没有签名行", "the sealed bundle has no signature line");
		return -1;
	}
	{
		char hx[crypto_sign_BYTES * 2 + 1];

		memcpy(hx, p + 10, sizeof(hx) - 1);
		hx[sizeof(hx) - 1] = 0;
		if (unhex(hx, sig, sizeof(sig)) < 0) {
			error_set(err, name, "签名无效（格式）", "bad signature (not hex)");
			return -1;
		}
	}
	if (crypto_sign_verify_detached(sig, data, hdr_len, h->signer) != 0) {
		error_set(err, name, "签名无效：头部被改动或签名不是该密钥的",
			  "bad signature: the header was altered or was not signed by its key");
		return -1;
	}
	h->payload_off = hdr_len + 10 + crypto_sign_BYTES * 2 + 1;
	sha_hex(data, h->payload_off, h->hash);
	return 0;
bad:
	error_prefix(err, name);
	return -1;
}

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int seal_open(const char *name, const void *data, size_t len, const struct seal_header *h,
	      const unsigned char *box_pk, const unsigned char *box_sk, char **out,
	      size_t *out_len, struct error *err)
{
	const unsigned char *p = (const unsigned char *)data + h->payload_off;
	size_t left = len - h->payload_off, got = 0;
	char sha[65];
	unsigned char *buf = NULL;

	*out = NULL;
	*out_len = 0;
	if (!h->encrypted) {
		if (left != h->content_length) {
			error_set(err, name, "内容长度 %zu 与头部的 %zu 不符",
				  "content length %zu differs from the header's %zu", left,
				  h->content_length);
			return -1;
		}
		buf = xmalloc(left ? left : 1);
		memcpy(buf, p, left);
		got = left;
	} else {
		crypto_secretstream_xchacha20poly1305_state st;
		unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
		char fp[65];
		size_t i;
		bool final = false, opened = false;

		if (!box_pk || !box_sk) {
			error_set(err, name, "数据包已加密：需要团队密钥（口令）",
				  "the bundle is encrypted: it needs the team's key (passphrase)");
			return -1;
		}
		seal_fingerprint(box_pk, NULL, fp);
		for (i = 0; i < h->n_keys && !opened; i++)
			if (!strncmp(h->key_fp[i], fp, 16) &&
			    crypto_box_seal_open(key, h->key_box[i], sizeof(h->key_box[i]), box_pk,
						 box_sk) == 0)
				opened = true;
		if (!opened) {
			error_set(err, name, "数据包不是加密给本团队的", "the bundle is not encrypted for this team");
			return -1;
		}
		if (h->content_length > ((size_t)1 << 31)) {
			error_set(err, name, "内容过大", "content too large");
			return -1;
		}
		if (crypto_secretstream_xchacha20poly1305_init_pull(&st, h->stream, key) != 0) {
			sodium_memzero(key, sizeof(key));
			error_set(err, name, "加密流头部无效", "bad encryption stream header");
			return -1;
		}
		sodium_memzero(key, sizeof(key));
		buf = xmalloc(h->content_length ? h->content_length : 1);
		while (left && !final) {
			unsigned long long mlen;
			unsigned char tag;
			uint32_t clen;

			if (left < 4 || (clen = be32(p)) < SS_ABYTES || clen > CHUNK + SS_ABYTES ||
			    clen > left - 4 || got + (clen - SS_ABYTES) > h->content_length) {
				error_set(err, name, "加密内容被截断或损坏",
					  "the encrypted content is truncated or damaged");
				goto fail;
			}
			if (crypto_secretstream_xchacha20poly1305_pull(&st, buf + got, &mlen, &tag,
								       p + 4, clen, NULL, 0) != 0) {
				error_set(err, name, "加密内容被改动（解密校验失败）",
					  "the encrypted content was altered (decryption check failed)");
				goto fail;
			}
			got += mlen;
			p += 4 + clen;
			left -= 4 + clen;
			final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
		}
		if (!final || left) {
			error_set(err, name, "加密内容被截断或后面有多余数据",
				  "the encrypted content is truncated or followed by extra bytes");
			goto fail;
		}
	}
	sha_hex(buf, got, sha);
	if (got != h->content_length || strcmp(sha, h->content_sha256)) {
		error_set(err, name, "内容与签名的头部不符（SHA-256）",
			  "the content does not match the signed header (SHA-256)");
		goto fail;
	}
	*out = (char *)buf;
	*out_len = got;
	return 0;
fail:
	free(buf);
	return -1;
}

int seal_make(const void *in, size_t len, const struct seal_params *p, char **out,
	      size_t *out_len, char hash[65], struct error *err)
{
	struct bundle_manifest *m = NULL;
	struct strbuf sb = STRBUF_INIT;
	unsigned char sig[crypto_sign_BYTES];
	char hx[crypto_sign_BYTES * 2 + 1], sha[65];
	size_t hdr;

	if (bundle_read_buffer("bundle", in, len, NULL, NULL, &m, err) < 0)
		return -1;
	sha_hex(in, len, sha);
	strbuf_addstr(&sb, SEAL_MAGIC);
	strbuf_addf(&sb, "kind,%s\n", m->kind == BUNDLE_RETURN ? "return" : "device");
	strbuf_addf(&sb, "device,%s\n", m->device);
	if (m->for_device)
		strbuf_addf(&sb, "for_device,%s\n", m->for_device);
	strbuf_addf(&sb, "sequence,%lld\n", m->sequence);
	strbuf_addf(&sb, "created,%s\n", m->created);
	strbuf_addf(&sb, "prev,%s\n", p->prev ? p->prev : "");
	strbuf_addf(&sb, "content_sha256,%s\n", sha);
	strbuf_addf(&sb, "content_length,%zu\n", len);
	strbuf_addf(&sb, "interviews,%zu\nanswers,%zu\nevents,%zu\n", m->rows[BS_INTERVIEWS],
		    m->rows[BS_ANSWERS], m->rows[BS_EVENTS]);
	strbuf_addf(&sb, "team,%s\n", p->team ? p->team : "");
	hexs(hx, p->sign_pk, SEAL_PK_BYTES);
	strbuf_addf(&sb, "signer,%s\n", hx);
	if (p->announce_box) {
		hexs(hx, p->announce_box, SEAL_PK_BYTES);
		strbuf_addf(&sb, "team_box,%s\n", hx);
	}
	if (p->announce_escrow) {
		hexs(hx, p->announce_escrow, SEAL_PK_BYTES);
		strbuf_addf(&sb, "escrow,%s\n", hx);
	}
	bundle_manifest_free(m);
	if (p->enc_team) {
		crypto_secretstream_xchacha20poly1305_state st;
		unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
		unsigned char sh[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
		unsigned char box[32 + crypto_box_SEALBYTES];
		char bx[sizeof(box) * 2 + 1], fp[65];
		const unsigned char *rcpt[2] = {p->enc_team, p->enc_escrow};
		struct strbuf body = STRBUF_INIT;
		size_t off = 0;
		int r;

		crypto_secretstream_xchacha20poly1305_keygen(key);
		crypto_secretstream_xchacha20poly1305_init_push(&st, sh, key);
		for (r = 0; r < 2; r++) {
			if (!rcpt[r])
				continue;
			crypto_box_seal(box, key, sizeof(key), rcpt[r]);
			seal_fingerprint(rcpt[r], NULL, fp);
			fp[16] = 0;
			hexs(bx, box, sizeof(box));
			strbuf_addf(&sb, "key,%s,%s\n", fp, bx);
		}
		sodium_memzero(key, sizeof(key));
		hexs(bx, sh, sizeof(sh));
		strbuf_addf(&sb, "stream,%s\nend,header\n", bx);
		do {
			size_t n = len - off > CHUNK ? CHUNK : len - off;
			unsigned char tag = off + n == len ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
							   : 0;
			unsigned char *c;
			unsigned long long clen;

			strbuf_grow(&body, 4 + n + SS_ABYTES);
			c = (unsigned char *)body.buf + body.len + 4;
			crypto_secretstream_xchacha20poly1305_push(&st, c, &clen,
								   (const unsigned char *)in + off,
								   n, NULL, 0, tag);
			c[-4] = (unsigned char)(clen >> 24);
			c[-3] = (unsigned char)(clen >> 16);
			c[-2] = (unsigned char)(clen >> 8);
			c[-1] = (unsigned char)clen;
			strbuf_setlen(&body, body.len + 4 + (size_t)clen);
			off += n;
		} while (off < len);
		hdr = sb.len;
		crypto_sign_detached(sig, NULL, (const unsigned char *)sb.buf, hdr, p->sign_sk);
		hexs(hx, sig, sizeof(sig));
		strbuf_addf(&sb, "signature,%s\n", hx);
		sha_hex(sb.buf, sb.len, hash);
		strbuf_add(&sb, body.buf, body.len);
		strbuf_release(&body);
	} else {
		strbuf_addstr(&sb, "end,header\n");
		hdr = sb.len;
		crypto_sign_detached(sig, NULL, (const unsigned char *)sb.buf, hdr, p->sign_sk);
		hexs(hx, sig, sizeof(sig));
		strbuf_addf(&sb, "signature,%s\n", hx);
		sha_hex(sb.buf, sb.len, hash);
		strbuf_add(&sb, in, len);
	}
	*out = strbuf_detach(&sb, out_len);
	return 0;
}
