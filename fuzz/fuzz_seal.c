/*
 * fuzz_seal — libFuzzer target for the sealed-bundle reader (sync/seal.c).
 *
 * The first input byte picks the mode: even — the rest is a sealed file as
 * found on a USB stick, parsed (seal_parse: header lines, the signature) and,
 * when its signature holds, opened with a fixed X25519 pair (seal_open:
 * the payload, or its decryption); odd — the rest is header lines, a NUL,
 * and a payload: the harness adds the magic line, a signer line and
 * end,header, signs them with a fixed Ed25519 key and appends the payload,
 * so that mutations reach the header parser's checks and the payload checks
 * instead of stopping at the signature. Whatever opens is read as a bundle
 * (bundle_read_buffer). Seeds: `sealed:FORM` in run-fuzz.sh (synthetic
 * bundles behind a header whose content hash is theirs).
 */
#include "ruhu/bundle.h"
#include "ruhu/seal.h"
#include "ruhu/strbuf.h"

#include <sodium.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char sign_pk[32], sign_sk[64], box_pk[32], box_sk[32];
static int ready;

static void setup(void)
{
	unsigned char seed[32];

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	memset(seed, 7, sizeof(seed));
	crypto_sign_seed_keypair(sign_pk, sign_sk, seed);
	memset(seed, 9, sizeof(seed));
	crypto_box_seed_keypair(box_pk, box_sk, seed);
	ready = 1;
}

static void try_open(const char *buf, size_t len)
{
	struct seal_header h;
	struct error err = ERROR_INIT;
	char *inner = NULL;
	size_t n = 0;

	if (seal_parse("fuzz", buf, len, &h, &err) < 0) {
		if (!error_isset(&err))
			abort(); /* a refusal always says why */
		error_clear(&err);
		return;
	}
	if (h.payload_off > len || strlen(h.hash) != 64)
		abort();
	if (seal_open("fuzz", buf, len, &h, box_pk, box_sk, &inner, &n, &err) < 0) {
		if (!error_isset(&err) || inner)
			abort();
		error_clear(&err);
		return;
	}
	if (n != h.content_length)
		abort();
	if (bundle_read_buffer("fuzz", inner, n, NULL, NULL, NULL, &err) < 0)
		error_clear(&err);
	free(inner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		try_open((const char *)data + 1, size - 1);
		return 0;
	}
	{
		const char *rest = (const char *)data + 1;
		const char *nul = memchr(rest, 0, size - 1);
		size_t hl = nul ? (size_t)(nul - rest) : size - 1;
		struct strbuf sb = STRBUF_INIT;
		unsigned char sig[crypto_sign_BYTES];
		char hex[crypto_sign_BYTES * 2 + 1];

		strbuf_addstr(&sb, SEAL_MAGIC);
		strbuf_add(&sb, rest, hl);
		sodium_bin2hex(hex, sizeof(hex), sign_pk, sizeof(sign_pk));
		strbuf_addf(&sb, "signer,%s\nend,header\n", hex);
		crypto_sign_detached(sig, NULL, (const unsigned char *)sb.buf, sb.len, sign_sk);
		sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
		strbuf_addf(&sb, "signature,%s\n", hex);
		if (nul)
			strbuf_add(&sb, nul + 1, size - 1 - hl - 1);
		try_open(sb.buf, sb.len);
		strbuf_release(&sb);
	}
	return 0;
}
