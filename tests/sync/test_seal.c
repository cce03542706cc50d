/*
 * test_seal — the sealed-bundle envelope (sync/seal.c): a bundle sealed and
 * opened again gives back its exact bytes, signed only and encrypted (by the
 * team's key and by the escrow key); a stranger's key opens nothing; every
 * single-bit flip of the header, the signature or the encrypted content is
 * refused, and so is every truncation of the encrypted payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/bundle.h"
#include "ruhu/seal.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct keys {
	unsigned char sign_pk[32], sign_sk[64];
	unsigned char box_pk[32], box_sk[32];
	unsigned char esc_pk[32], esc_sk[32];
	unsigned char other_pk[32], other_sk[32];
};

static struct keys K;

static void make_bundle(char **out, size_t *len, size_t n_iv)
{
	struct bundle_writer *w =
		bundle_writer_new(BUNDLE_DEVICE, "laptop-1", NULL, 3, "2026-11-22T10:00:00Z");
	char uuid[40], note[65];
	unsigned char rnd[32];
	size_t i;

	for (i = 0; i < n_iv; i++) {
		const char *iv[11] = {uuid, "h", "HH1", "张敏", "laptop-1", "completed", "1",
				      "1", "2", NULL, note};

		snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012zu", i);
		randombytes_buf(rnd, sizeof(rnd)); /* incompressible: many chunks */
		sodium_bin2hex(note, sizeof(note), rnd, sizeof(rnd));
		bundle_writer_row(w, BS_INTERVIEWS, iv);
	}
	bundle_writer_write_mem(w, out, len);
	bundle_writer_free(w);
}

static const char *find(const char *h, size_t hn, const char *n, size_t nn)
{
	size_t i;

	for (i = 0; i + nn <= hn; i++)
		if (!memcmp(h + i, n, nn))
			return h + i;
	return NULL;
}

static char *seal(const char *in, size_t len, bool encrypt, bool escrow, size_t *out_len)
{
	struct seal_params p;
	struct error err = ERROR_INIT;
	char *out = NULL, hash[65];

	memset(&p, 0, sizeof(p));
	p.sign_pk = K.sign_pk;
	p.sign_sk = K.sign_sk;
	p.prev = "";
	p.team = "";
	p.enc_team = encrypt ? K.box_pk : NULL;
	p.enc_escrow = escrow ? K.esc_pk : NULL;
	assert_int_equal(seal_make(in, len, &p, &out, out_len, hash, &err), 0);
	assert_int_equal(strlen(hash), 64);
	return out;
}

/* 0 when the file parses and opens with (pk, sk) to exactly in[0..len) */
static int open_as(const char *f, size_t flen, const unsigned char *pk, const unsigned char *sk,
		   const char *in, size_t len)
{
	struct seal_header h;
	struct error err = ERROR_INIT;
	char *out = NULL;
	size_t n = 0;
	int ok;

	if (seal_parse("t", f, flen, &h, &err) < 0) {
		assert_true(error_isset(&err));
		error_clear(&err);
		return -1;
	}
	if (seal_open("t", f, flen, &h, pk, sk, &out, &n, &err) < 0) {
		assert_true(error_isset(&err));
		assert_null(out);
		error_clear(&err);
		return -2;
	}
	ok = n == len && !memcmp(out, in, len);
	free(out);
	return ok ? 0 : -3;
}

static void test_round_trip(void **state)
{
	char *in, *f;
	size_t len, flen;

	make_bundle(&in, &len, 3);
	f = seal(in, len, false, false, &flen);
	assert_true(seal_is_sealed(f, flen));
	assert_int_equal(open_as(f, flen, NULL, NULL, in, len), 0);
	free(f);
	f = seal(in, len, true, true, &flen);
	assert_int_equal(open_as(f, flen, NULL, NULL, in, len), -2); /* needs the key */
	assert_int_equal(open_as(f, flen, K.box_pk, K.box_sk, in, len), 0);
	assert_int_equal(open_as(f, flen, K.esc_pk, K.esc_sk, in, len), 0);
	assert_int_equal(open_as(f, flen, K.other_pk, K.other_sk, in, len), -2);
	/* the plaintext appears nowhere in the encrypted file */
	assert_null(find(f, flen, in + 48, 32));
	free(f);
	free(in);
}

static void test_bit_flips(void **state)
{
	char *in, *f;
	size_t len, flen, i, payload;
	int bit;

	make_bundle(&in, &len, 2);
	f = seal(in, len, true, false, &flen);
	payload = (size_t)(find(f, flen, "\nsignature,", 11) - f) + 1 + 10 + 128 + 1;
	for (i = 0; i < flen; i++)
		for (bit = 0; bit < 8; bit += (i < payload ? 1 : 3)) {
			f[i] ^= (char)(1 << bit);
			assert_int_not_equal(open_as(f, flen, K.box_pk, K.box_sk, in, len), 0);
			f[i] ^= (char)(1 << bit);
		}
	for (i = payload; i < flen; i++)
		assert_int_not_equal(open_as(f, i, K.box_pk, K.box_sk, in, len), 0);
	assert_int_equal(open_as(f, flen, K.box_pk, K.box_sk, in, len), 0);
	free(f);
	free(in);
}

static void test_large(void **state)
{
	char *in, *f;
	size_t len, flen;

	make_bundle(&in, &len, 8000); /* several 64 KiB chunks */
	assert_true(len > 3 * 65536);
	f = seal(in, len, true, false, &flen);
	assert_int_equal(open_as(f, flen, K.box_pk, K.box_sk, in, len), 0);
	free(f);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_large),
	};

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(K.sign_pk, K.sign_sk);
	crypto_box_keypair(K.box_pk, K.box_sk);
	crypto_box_keypair(K.esc_pk, K.esc_sk);
	crypto_box_keypair(K.other_pk, K.other_sk);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
