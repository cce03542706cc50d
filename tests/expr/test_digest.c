/*
 * test_digest — MD5, SHA-1 and SHA-256 against the standard test vectors
 * (RFC 1321 appendix A.5, FIPS 180 examples), fed whole and in every chunk
 * size so the streaming path is exercised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/digest.h"

#include <stdlib.h>
#include <string.h>

struct vec {
	enum digest_alg alg;
	const char *in;
	const char *hex;
};

static const struct vec vecs[] = {
	{DIGEST_MD5, "", "d41d8cd98f00b204e9800998ecf8427e"},
	{DIGEST_MD5, "a", "0cc175b9c0f1b6a831c399e269772661"},
	{DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
	{DIGEST_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{DIGEST_MD5, "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{DIGEST_MD5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	 "d174ab98d277d9f5a5611c2c9f419d9f"},
	{DIGEST_MD5,
	 "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	 "57edf4a22be3c955ac49da2e2107b67a"},
	{DIGEST_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{DIGEST_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{DIGEST_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{DIGEST_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{DIGEST_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{DIGEST_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{DIGEST_SHA256,
	 "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnop"
	 "qrlmnopqrsmnopqrstnopqrstu",
	 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_vectors(void **state)
{
	size_t i, chunk;
	char hex[2 * DIGEST_MAX_SIZE + 1];

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		size_t len = strlen(v->in);

		assert_string_equal(digest_hex(v->alg, v->in, len, hex), v->hex);
		for (chunk = 1; chunk <= len; chunk++) {
			struct digest d;
			unsigned char out[DIGEST_MAX_SIZE];
			size_t off;

			digest_init(&d, v->alg);
			for (off = 0; off < len; off += chunk)
				digest_update(&d, v->in + off, len - off < chunk ? len - off : chunk);
			digest_final(&d, out);
			digest_to_hex(out, digest_size(v->alg), hex);
			assert_string_equal(hex, v->hex);
		}
	}
}

/* One million 'a' (FIPS 180 long message). */
static void test_million_a(void **state)
{
	char *buf = malloc(1000000);
	char hex[65];

	assert_non_null(buf);
	memset(buf, 'a', 1000000);
	assert_string_equal(digest_hex(DIGEST_SHA1, buf, 1000000, hex),
			    "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	assert_string_equal(digest_sha256_hex(buf, 1000000, hex),
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

/* Lengths around the padding boundary (55, 56, 63, 64 bytes) hashed whole and
 * streamed must agree. */
static void test_boundaries(void **state)
{
	char buf[130], a[65], b[65];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	for (n = 50; n < sizeof(buf); n++) {
		struct digest d;
		unsigned char out[32];

		digest_sha256_hex(buf, n, a);
		digest_init(&d, DIGEST_SHA256);
		digest_update(&d, buf, n / 2);
		digest_update(&d, buf + n / 2, n - n / 2);
		digest_final(&d, out);
		digest_to_hex(out, 32, b);
		assert_string_equal(a, b);
	}
	assert_int_equal(digest_size(DIGEST_MD5), 16);
	assert_int_equal(digest_size(DIGEST_SHA1), 20);
	assert_int_equal(digest_size(DIGEST_SHA256), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
