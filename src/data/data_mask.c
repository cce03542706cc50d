/*
 * data_mask — stable pseudonyms for personal fields (`ruhu data --mask`).
 *
 * A pseudonym is "p" + the first 16 hex digits (64 bits) of
 * HMAC-SHA256(key, value) (RFC 2104). The key is a random secret kept in the
 * team database (store_data_secret), never written to an export: without it
 * a pseudonym cannot be recomputed from a guessed name or ID number, with it
 * the same value always gives the same pseudonym, so masked files of
 * several exports still join. 64 bits make a collision among a few million
 * values improbable (about 1e-7).
 */
#include "data_impl.h"

#include "ruhu/digest.h"

#include <string.h>

void data_pseudonym(const unsigned char *key, size_t key_len, const char *value, char out[18])
{
	unsigned char k[64], pad[64], inner[32], mac[32];
	struct digest d;
	size_t i;

	memset(k, 0, sizeof(k));
	if (key_len > sizeof(k)) {
		digest_init(&d, DIGEST_SHA256);
		digest_update(&d, key, key_len);
		digest_final(&d, k);
	} else if (key_len) {
		memcpy(k, key, key_len);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	digest_init(&d, DIGEST_SHA256);
	digest_update(&d, pad, 64);
	digest_update(&d, value, strlen(value));
	digest_final(&d, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	digest_init(&d, DIGEST_SHA256);
	digest_update(&d, pad, 64);
	digest_update(&d, inner, sizeof(inner));
	digest_final(&d, mac);
	out[0] = 'p';
	digest_to_hex(mac, 8, out + 1);
}
