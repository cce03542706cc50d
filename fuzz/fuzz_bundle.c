/*
 * fuzz_bundle — libFuzzer target for the bundle reader (sync/bundle.c).
 *
 * The first input byte picks the mode: even — the rest is a bundle file as
 * found on a USB stick; odd — the rest is the uncompressed content, which
 * the harness wraps in valid gzip framing (RH SHA-256, CRC-32, length) so
 * that mutations reach the magic line, manifest and CSV parsers instead of
 * stopping at the gzip checksums. Every field handed to the visitor is read
 * in full so ASan sees any overread. A read that succeeds must also yield a
 * manifest, and the trusted re-read of the same bytes (the merge's apply
 * pass, with its own CSV splitter) must succeed and yield the very same rows:
 * the harness aborts on any difference.
 */
#include "ruhu/bundle.h"
#include "ruhu/digest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over the bytes */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ull;
	return h;
}

static int touch_row(void *ctx, enum bundle_section s, size_t row, const char *const *f,
		     size_t n, struct error *err)
{
	size_t *sum = ctx, i;

	for (i = 0; i < n; i++)
		if (f[i])
			*sum += strlen(f[i]);
	return 0;
}

/* A fingerprint of every row: section, row number, field count, each field
 * (NULL differs from every text). */
static int hash_row(void *ctx, enum bundle_section s, size_t row, const char *const *f, size_t n,
		    struct error *err)
{
	uint64_t *h = ctx;
	size_t i;

	*h = fnv(*h, &s, sizeof(s));
	*h = fnv(*h, &row, sizeof(row));
	*h = fnv(*h, &n, sizeof(n));
	for (i = 0; i < n; i++)
		*h = f[i] ? fnv(*h, f[i], strlen(f[i]) + 1) : fnv(*h, "\x01", 1);
	return 0;
}

static int touch_manifest(void *ctx, const struct bundle_manifest *m, struct error *err)
{
	size_t *sum = ctx;

	*sum += strlen(m->device) + strlen(m->created) + m->n_forms;
	return 0;
}

static const struct bundle_visitor visitor = {touch_manifest, touch_row};
static const struct bundle_visitor hasher = {NULL, hash_row};

static unsigned char *wrap(const uint8_t *text, size_t n, size_t *olen)
{
	static const unsigned char hdr[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3,
					      36, 0, 'R', 'H', 32, 0};
	uLong bound = compressBound((uLong)n) + 64;
	unsigned char *buf = malloc(bound + 56);
	uLong crc = crc32(crc32(0, Z_NULL, 0), text, (uInt)n);
	struct digest d;
	z_stream z;
	int i;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	memcpy(buf, hdr, 16);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)n;
	z.next_out = buf + 48;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*olen = 48 + z.total_out;
	deflateEnd(&z);
	for (i = 0; i < 4; i++) {
		buf[*olen + i] = (unsigned char)(crc >> (8 * i));
		buf[*olen + 4 + i] = (unsigned char)(n >> (8 * i));
	}
	*olen += 8;
	digest_init(&d, DIGEST_SHA256);
	digest_update(&d, buf + 48, *olen - 48);
	digest_final(&d, buf + 16);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_manifest *m = NULL;
	struct error err = ERROR_INIT;
	unsigned char *wrapped = NULL;
	const void *in;
	size_t len, sum = 0;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		wrapped = wrap(data + 1, size - 1, &len);
		in = wrapped;
	} else {
		in = data + 1;
		len = size - 1;
	}
	rc = bundle_read_buffer("fuzz.bundle.gz", in, len, &visitor, &sum, &m, &err);
	if (rc == 0 && !m)
		abort();
	if (rc == 0) {
		uint64_t h1 = 1469598103934665603ull, h2 = h1;

		if (bundle_read_buffer("fuzz.bundle.gz", in, len, &hasher, &h1, NULL, &err) != 0 ||
		    bundle_reread_buffer("fuzz.bundle.gz", in, len, &hasher, &h2, NULL, &err) != 0 ||
		    h1 != h2)
			abort(); /* the trusted re-read differs from the verified read */
	}
	if (rc != 0 && (!err.en || !err.zh || !err.where))
		abort(); /* every refusal names where and why, in both languages */
	bundle_manifest_free(m);
	error_clear(&err);
	free(wrapped);
	return (int)(sum & 0);
}
