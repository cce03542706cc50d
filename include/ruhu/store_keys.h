/*
 * store_keys — the tables of keys and signed bundles (schema step 7,
 * docs/store.md): key_team (the team's key pairs, the secret halves sealed
 * under a passphrase), key_self (a device's own Ed25519 pair), key_pinned (the
 * team keys a device trusts), key_sent (hash of the last sealed bundle
 * written per kind and target), key_device (a team's devices, their keys and
 * enrolment) and key_bundle (every signed bundle merged). Keys are stored as
 * lowercase hex. Functions return 0 (or 1 = found) or a negative STORE_E_*
 * code with err set.
 */
#ifndef RUHU_STORE_KEYS_H
#define RUHU_STORE_KEYS_H

#include "ruhu/error.h"

#include <stdint.h>

struct store;

struct store_team_keys {
	char sign_pk[65], box_pk[65];
	char sealed_sk[256]; /* hex of secretbox(sign_sk || box_sk) */
	char salt[33], nonce[49];
	long long opslimit, memlimit;
	char escrow_pk[65]; /* "" when none */
	char policy[16];    /* "first-use" or "enrolled" */
	int64_t created;
};

int store_keys_team_get(struct store *s, struct store_team_keys *k, struct error *err);
/* replaces the team's keys (key_team holds one row) */
int store_keys_team_put(struct store *s, const struct store_team_keys *k, struct error *err);

struct store_key_self {
	char sign_pk[65], sign_sk[129];
};
int store_keys_self_get(struct store *s, struct store_key_self *k, struct error *err);
int store_keys_self_put(struct store *s, const struct store_key_self *k, struct error *err);

struct store_key_pin {
	char sign_pk[65], box_pk[65], escrow_pk[65];
	char source[256];
	int64_t pinned;
};
int store_keys_pin_get(struct store *s, struct store_key_pin *k, struct error *err);
/* replaces the pin; k NULL removes it */
int store_keys_pin_put(struct store *s, const struct store_key_pin *k, struct error *err);

/* the hash of the last sealed bundle written of (kind, target): "" when none */
int store_keys_sent_get(struct store *s, const char *kind, const char *target, char hash[65],
			struct error *err);
int store_keys_sent_put(struct store *s, const char *kind, const char *target, int64_t seq,
			const char *hash, struct error *err);

struct store_key_device {
	char device[128];
	char sign_pk[65];
	char status[16]; /* first-use, enrolled, revoked */
	int64_t first_seq, last_seq;
	char first_created[32], last_created[32]; /* the bundles' own times */
	int64_t changed; /* ms: when enrolled or revoked by a person, 0 for first use */
	char reason[256];
};
int store_keys_device_get(struct store *s, const char *device, struct store_key_device *d,
			  struct error *err);
int store_keys_device_put(struct store *s, const struct store_key_device *d, struct error *err);
int store_keys_device_each(struct store *s,
			   int (*fn)(void *ctx, const struct store_key_device *d), void *ctx,
			   struct error *err);

struct store_key_bundle {
	char device[128];
	char kind[8];
	int64_t sequence;
	char hash[65], prev[65], signer[65];
	int encrypted;
};
/* the record of (device, kind, sequence): 1 found, 0 none */
int store_keys_bundle_get(struct store *s, const char *device, const char *kind, int64_t seq,
			  struct store_key_bundle *b, struct error *err);
int store_keys_bundle_add(struct store *s, const struct store_key_bundle *b, struct error *err);
/* the highest recorded sequence of (device, kind) below `seq`, 0 when none */
int store_keys_bundle_below(struct store *s, const char *device, const char *kind, int64_t seq,
			    int64_t *below, struct error *err);

#endif
