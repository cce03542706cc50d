/*
 * digest — MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4).
 *
 * Written from the specifications. All three use 64-byte blocks and the same
 * padding (0x80, zeros, 64-bit length), differing only in the byte order of
 * the length and of the output words (little-endian for MD5, big-endian for
 * the SHA family). Invariant: d->fill < 64 between calls.
 */
#include "ruhu/digest.h"

#include <stdlib.h>
#include <string.h>

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* MD5 per-round shift amounts and sine-derived constants (RFC 1321 3.4). */
static const int md5_s[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
	0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
	0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
	0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
	0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
	0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
	0xeb86d391,
};

static void md5_block(uint32_t *h, const unsigned char *p)
{
	uint32_t m[16], a = h[0], b = h[1], c = h[2], d = h[3];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = le32(p + 4 * i);
	for (i = 0; i < 64; i++) {
		uint32_t f;
		int g;

		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		f = f + a + md5_k[i] + m[g];
		a = d;
		d = c;
		c = b;
		b = b + rol(f, md5_s[i]);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

static void sha1_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static void sha256_block(uint32_t *h, const unsigned char *p)
{
	uint32_t w[64], v[8];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		uint32_t S1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + S1 + ch + sha256_k[i] + w[i];
		uint32_t S0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		uint32_t t2 = S0 + maj;

		v[7] = v[6];
		v[6] = v[5];
		v[5] = v[4];
		v[4] = v[3] + t1;
		v[3] = v[2];
		v[2] = v[1];
		v[1] = v[0];
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

static void block(struct digest *d, const unsigned char *p)
{
	switch (d->alg) {
	case DIGEST_MD5:
		md5_block(d->h, p);
		break;
	case DIGEST_SHA1:
		sha1_block(d->h, p);
		break;
	case DIGEST_SHA256:
		sha256_block(d->h, p);
		break;
	}
}

size_t digest_size(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_MD5:
		return 16;
	case DIGEST_SHA1:
		return 20;
	case DIGEST_SHA256:
		return 32;
	}
	return 0;
}

void digest_init(struct digest *d, enum digest_alg alg)
{
	static const uint32_t md5_h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
	static const uint32_t sha1_h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
					   0xc3d2e1f0};
	static const uint32_t sha256_h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memset(d, 0, sizeof(*d));
	d->alg = alg;
	if (alg == DIGEST_MD5)
		memcpy(d->h, md5_h, sizeof(md5_h));
	else if (alg == DIGEST_SHA1)
		memcpy(d->h, sha1_h, sizeof(sha1_h));
	else
		memcpy(d->h, sha256_h, sizeof(sha256_h));
}

void digest_update(struct digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;

	d->total += len;
	if (d->fill) {
		size_t take = 64 - d->fill;

		if (take > len)
			take = len;
		memcpy(d->block + d->fill, p, take);
		d->fill += take;
		p += take;
		len -= take;
		if (d->fill < 64)
			return;
		block(d, d->block);
		d->fill = 0;
	}
	while (len >= 64) {
		block(d, p);
		p += 64;
		len -= 64;
	}
	if (len) {
		memcpy(d->block, p, len);
		d->fill = len;
	}
}

void digest_final(struct digest *d, unsigned char *out)
{
	uint64_t bits = d->total * 8;
	unsigned char pad[72];
	size_t padlen = (d->fill < 56 ? 56 : 120) - d->fill, i, n;

	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++) {
		/* MD5 stores the length little-endian, SHA big-endian */
		int shift = d->alg == DIGEST_MD5 ? (int)(8 * i) : (int)(56 - 8 * i);
		pad[padlen + i] = (unsigned char)(bits >> shift);
	}
	digest_update(d, pad, padlen + 8);
	n = digest_size(d->alg) / 4;
	for (i = 0; i < n; i++) {
		uint32_t w = d->h[i];

		if (d->alg == DIGEST_MD5) {
			out[4 * i] = (unsigned char)w;
			out[4 * i + 1] = (unsigned char)(w >> 8);
			out[4 * i + 2] = (unsigned char)(w >> 16);
			out[4 * i + 3] = (unsigned char)(w >> 24);
		} else {
			out[4 * i] = (unsigned char)(w >> 24);
			out[4 * i + 1] = (unsigned char)(w >> 16);
			out[4 * i + 2] = (unsigned char)(w >> 8);
			out[4 * i + 3] = (unsigned char)w;
		}
	}
}

void digest_to_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[bytes[i] >> 4];
		out[2 * i + 1] = hx[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

char *digest_hex(enum digest_alg alg, const void *data, size_t len, char *hex)
{
	struct digest d;
	unsigned char out[DIGEST_MAX_SIZE];

	digest_init(&d, alg);
	digest_update(&d, data, len);
	digest_final(&d, out);
	digest_to_hex(out, digest_size(alg), hex);
	return hex;
}

char *digest_sha256_hex(const void *data, size_t len, char hex[65])
{
	return digest_hex(DIGEST_SHA256, data, len, hex);
}

static int named_cmp(const void *a, const void *b)
{
	const struct digest_named *x = *(const struct digest_named *const *)a;
	const struct digest_named *y = *(const struct digest_named *const *)b;

	return strcmp(x->name, y->name);
}

void digest_form_hash(const char *source_sha256_hex, const struct digest_named *files, size_t n,
		      char out[65])
{
	const struct digest_named **v;
	unsigned char raw[32];
	struct digest d;
	size_t i;

	if (!n) {
		memcpy(out, source_sha256_hex, 64);
		out[64] = '\0';
		return;
	}
	v = malloc(n * sizeof(*v));
	if (!v)
		abort();
	for (i = 0; i < n; i++)
		v[i] = &files[i];
	qsort(v, n, sizeof(*v), named_cmp);
	digest_init(&d, DIGEST_SHA256);
	digest_update(&d, "ruhu-form,1\nsource,", 19);
	digest_update(&d, source_sha256_hex, 64);
	digest_update(&d, "\n", 1);
	for (i = 0; i < n; i++) {
		digest_update(&d, "file,", 5);
		digest_update(&d, v[i]->sha256_hex, 64);
		digest_update(&d, ",", 1);
		digest_update(&d, v[i]->name, strlen(v[i]->name));
		digest_update(&d, "\n", 1);
	}
	free(v);
	digest_final(&d, raw);
	digest_to_hex(raw, 32, out);
}
