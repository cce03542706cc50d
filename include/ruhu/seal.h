/*
 * seal — the envelope of a signed (and optionally encrypted) bundle
 * (docs/bundle.md, "Sealed bundles"). Only libsodium does cryptography here.
 *
 * A sealed file is text lines, then a payload:
 *
 *   ruhu-sealed-bundle,1
 *   kind,device | return
 *   device,DEVICE            the writer (the team's device id for a return)
 *   for_device,DEVICE        return bundles only
 *   sequence,N               the inner bundle's sequence
 *   created,TIME
 *   prev,HEX64|empty         hash of the writer's previous sealed bundle (same kind, target)
 *   content_sha256,HEX64     SHA-256 of the inner bundle bytes (the ruhu gzip bundle)
 *   content_length,N
 *   interviews,N / answers,N / events,N   counts of the inner manifest (readable without a key)
 *   team,HEX64|empty         fingerprint of the team the bundle is for (recipient)
 *   signer,HEX64             Ed25519 public key that signed
 *   team_box,HEX64           return bundles: the team's X25519 key (pinned by the device)
 *   escrow,HEX64             optional: the escrow X25519 key a device also seals to
 *   key,FP16,HEX             encrypted: the content key sealed (crypto_box_seal) to a recipient
 *   stream,HEX48             encrypted: the crypto_secretstream header
 *   end,header
 *   signature,HEX128         Ed25519 over every byte above (magic line to end,header)
 *
 * followed by the payload: the inner bundle bytes as they are, or, when
 * encrypted, crypto_secretstream chunks, each a 4-byte big-endian length and
 * the ciphertext, the last tagged FINAL and nothing after it.
 *
 * The bundle's hash (its identity in a device's chain) is the SHA-256 of the
 * header and signature lines: they fix the content hash and the sealed keys.
 */
#ifndef RUHU_SEAL_H
#define RUHU_SEAL_H

#include "ruhu/bundle.h"
#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

#define SEAL_MAGIC "ruhu-sealed-bundle,1\n"
#define SEAL_PK_BYTES 32
#define SEAL_SIGN_SK_BYTES 64
#define SEAL_MAX_KEYS 2
#define SEAL_HEADER_MAX 8192

/* true when the bytes start like a sealed bundle (the rest unchecked) */
bool seal_is_sealed(const void *data, size_t len);

struct seal_header {
	enum bundle_kind kind;
	char device[128];
	char for_device[128]; /* "" for a device bundle */
	long long sequence;
	char created[32];
	char prev[65];          /* "" for the first */
	char content_sha256[65];
	size_t content_length;
	size_t interviews, answers, events;
	char team[65];          /* "" when not addressed to a team */
	unsigned char signer[SEAL_PK_BYTES];
	bool has_team_box, has_escrow;
	unsigned char team_box[SEAL_PK_BYTES], escrow[SEAL_PK_BYTES];
	size_t n_keys;
	char key_fp[SEAL_MAX_KEYS][17];
	unsigned char key_box[SEAL_MAX_KEYS][32 + 48]; /* crypto_box_SEALBYTES + key */
	bool encrypted;
	unsigned char stream[24];
	char hash[65];          /* SHA-256 of header + signature lines */
	size_t payload_off;
};

/*
 * Parses the header of the sealed file data[0..len) and verifies its
 * signature by `signer`. Returns 0, or -1 with err where "NAME:header:LINE"
 * for a malformed line, "NAME" for a bad signature.
 */
int seal_parse(const char *name, const void *data, size_t len, struct seal_header *h,
	       struct error *err);

/*
 * The inner bundle of a parsed sealed file: a copy of the payload, or its
 * decryption with the X25519 pair (box_pk, box_sk) (NULL: refused as "needs
 * the team's key"). The plaintext's length and SHA-256 must be the header's.
 * *out malloc'd. Returns 0 or -1 with err (where = name).
 */
int seal_open(const char *name, const void *data, size_t len, const struct seal_header *h,
	      const unsigned char *box_pk, const unsigned char *box_sk, char **out,
	      size_t *out_len, struct error *err);

struct seal_params {
	const unsigned char *sign_pk;  /* SEAL_PK_BYTES */
	const unsigned char *sign_sk;  /* SEAL_SIGN_SK_BYTES */
	const char *prev;              /* previous bundle's hash or "" */
	const char *team;              /* recipient team fingerprint or "" */
	const unsigned char *enc_team; /* encrypt to this X25519 key (NULL: plain) */
	const unsigned char *enc_escrow; /* and seal the key to this one too (optional) */
	const unsigned char *announce_box;    /* return bundles: team_box line */
	const unsigned char *announce_escrow; /* escrow line */
};

/*
 * Seals the inner bundle in[0..len) (a bundle bundle_read_buffer accepts):
 * header from its manifest, signed with p->sign_sk, payload encrypted when
 * p->enc_team is set. *out malloc'd; *hash (65 bytes) gets the new bundle's
 * hash. Returns 0 or -1 with err.
 */
int seal_make(const void *in, size_t len, const struct seal_params *p, char **out,
	      size_t *out_len, char hash[65], struct error *err);

/* Fingerprint of a public key (or of two concatenated, b may be NULL):
 * SHA-256 hex, 64 digits. */
void seal_fingerprint(const unsigned char *a, const unsigned char *b, char out[65]);
/* The short form people read aloud: first 20 hex digits in groups of 4. */
void seal_fingerprint_short(const char *fp, char out[32]);

#endif
