/*
 * keys — a team's keys and its devices' keys (`ruhu keys`), and the checks a
 * signed bundle passes before a merge or an import writes anything
 * (docs/bundle.md, "Keys"). Cryptography is libsodium's (sync/seal.c); the
 * tables are the store's (ruhu/store_keys.h).
 *
 * - A team database holds the team's X25519 (receive) and Ed25519 (sign)
 *   pairs; the secret halves are sealed with crypto_secretbox under a key
 *   derived from a passphrase with Argon2id (crypto_pwhash). The team's
 *   fingerprint is SHA-256(sign_pk || box_pk).
 * - A device makes its Ed25519 pair on first use (when it first trusts a
 *   team key, or `ruhu keys show` on it) and signs every bundle from then on;
 *   when it trusts a team key it also encrypts to it (and to the escrow key).
 * - A device pins the team key from `ruhu keys trust FILE` or its first
 *   signed return bundle; a return bundle signed by another key, or unsigned
 *   once a key is pinned, is refused. `ruhu keys trust --replace` re-pins.
 * - The team database lists devices (key_device): policy first-use (the
 *   default: an unknown device's first signed bundle enrols its key, with a
 *   warning) or enrolled (only devices enrolled by `ruhu keys devices
 *   --enrol`); a revoked device's bundles are refused with the reason.
 */
#ifndef RUHU_KEYS_H
#define RUHU_KEYS_H

#include "ruhu/bundle.h"
#include "ruhu/error.h"
#include "ruhu/merge.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Asks for the passphrase (confirm: ask twice, for a new one) into buf;
 * returns 0 or -1 with err. The CLI reads RUHU_PASSPHRASE or the terminal. */
typedef int (*keys_passphrase_fn)(void *ctx, char *buf, size_t cap, bool confirm,
				  struct error *err);

/* The keys of one open database, the team's secrets unlocked at most once. */
struct keys_ring;
struct keys_ring *keys_ring_new(struct store *s, keys_passphrase_fn pass, void *ctx);
void keys_ring_free(struct keys_ring *r);

/* Makes the team's keys (refused when it has some, unless `replace`: a new
 * team key, which every device must trust again). escrow_file: a public key
 * file (keys_export_public of another team database) whose box key becomes
 * the escrow key, or NULL. fp gets the team fingerprint. */
int keys_init(struct keys_ring *r, bool replace, const char *escrow_file, char fp[65],
	      struct error *err);

struct keys_info {
	bool team;
	char team_fp[65], policy[16], escrow_fp[65];
	bool self;
	char self_fp[65];
	bool pinned;
	char pin_fp[65], pin_source[256];
	int64_t pinned_at;
};
/* What the database holds; make_self: create the device key when missing. */
int keys_show(struct keys_ring *r, bool make_self, struct keys_info *i, struct error *err);

/* The public key file of the team (team = true) or of this device: text
 * lines "ruhu-public-key,1", "kind,team|device", "device,ID", "sign,HEX",
 * "box,HEX", "escrow,HEX", "fingerprint,HEX". *text malloc'd. */
int keys_export_public(struct keys_ring *r, bool team, char **text, struct error *err);

struct keys_public {
	bool team;
	char device[128];
	unsigned char sign[32], box[32], escrow[32];
	bool has_box, has_escrow;
	char fp[65];
};
/* Reads a public key file; errors name FILE:LINE. */
int keys_read_public(const char *path, struct keys_public *pub, struct error *err);

/* Pins a team public key on this device (refused when another is pinned,
 * unless replace), making the device key if missing. */
int keys_trust(struct keys_ring *r, const struct keys_public *pub, const char *source,
	       bool replace, struct error *err);

/* Team database: set the policy ("first-use" or "enrolled"). */
int keys_policy(struct keys_ring *r, const char *policy, struct error *err);
/* Enrols a device: with pub (its public key file) its key is set; without,
 * a device first seen by a signed bundle (first-use) becomes enrolled. */
int keys_enrol(struct keys_ring *r, const char *device, const struct keys_public *pub,
	       struct error *err);
int keys_revoke(struct keys_ring *r, const char *device, const char *reason,
		struct error *err);

/* What a merge or import learned from a bundle's envelope. */
struct keys_verdict {
	bool sealed, encrypted;
	bool enrolled_now;  /* a first-use enrolment (warned) */
	bool pinned_now;    /* import: the team key was pinned from this bundle */
	int64_t gap_from, gap_to; /* a device's missing bundles before this one (0: none) */
	char device[128];
	long long sequence;
	char signer_fp[65];
};

/*
 * Merges (import = false) or imports one bundle file like merge_bundle, after
 * the envelope checks: signature, team, enrolment, revocation, fork, then
 * decryption; nothing is written when any fails. The key records
 * (key_device, key_bundle, key_pinned) are written in the merge's
 * transaction.
 */
int keys_merge_bundle(struct keys_ring *r, const char *path, bool import, struct keys_verdict *v,
		      struct merge_stats *st, merge_progress_cb progress, void *pctx,
		      struct error *err);

/* The export_opts.seal hook (ctx = the ring): seals a bundle being exported
 * when the database has keys; *out NULL leaves it plain. */
int keys_export_seal(void *ctx, const char *in, size_t len, char **out, size_t *out_len,
		     struct error *err);

/* The fingerprint of a hex public key (key_device.sign_pk): 0, or -1 when
 * it is not 64 hex digits. */
int keys_fingerprint_hex(const char *pk_hex, char fp[65]);

/* Describes a sealed file without any key (ruhu status FILE): header read,
 * signature checked. Returns 1 (sealed, h filled), 0 (not sealed), -1. */
struct seal_header;
int keys_describe(const char *path, struct seal_header *h, struct error *err);

#endif
