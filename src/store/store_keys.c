/*
 * store_keys — the key tables of schema step 7 (ruhu/store_keys.h).
 */
#include "store_internal.h"

#include "ruhu/store_keys.h"

#include <stdio.h>
#include <string.h>

static void col_copy(sqlite3_stmt *q, int i, char *dst, size_t cap)
{
	const unsigned char *v = sqlite3_column_text(q, i);

	snprintf(dst, cap, "%s", v ? (const char *)v : "");
}

/* runs a prepared one-shot statement that returns no rows, finalizes it */
static int run(struct store *s, sqlite3_stmt *q, struct error *err)
{
	int rc = sqlite3_step(q);

	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

/* steps once: 1 with a row (the caller reads it, then finalizes), 0 none */
static int one(struct store *s, sqlite3_stmt *q, struct error *err)
{
	int rc = sqlite3_step(q);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(s, rc, err);
}

int store_keys_team_get(struct store *s, struct store_team_keys *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = store_prepare(s,
			   "SELECT sign_pk, box_pk, sealed_sk, salt, nonce, opslimit, memlimit, "
			   "escrow_pk, policy, created FROM key_team WHERE id = 1",
			   &q, err);
	if (rc < 0)
		return rc;
	rc = one(s, q, err);
	if (rc == 1) {
		col_copy(q, 0, k->sign_pk, sizeof(k->sign_pk));
		col_copy(q, 1, k->box_pk, sizeof(k->box_pk));
		col_copy(q, 2, k->sealed_sk, sizeof(k->sealed_sk));
		col_copy(q, 3, k->salt, sizeof(k->salt));
		col_copy(q, 4, k->nonce, sizeof(k->nonce));
		k->opslimit = sqlite3_column_int64(q, 5);
		k->memlimit = sqlite3_column_int64(q, 6);
		col_copy(q, 7, k->escrow_pk, sizeof(k->escrow_pk));
		col_copy(q, 8, k->policy, sizeof(k->policy));
		k->created = sqlite3_column_int64(q, 9);
	}
	sqlite3_finalize(q);
	return rc;
}

int store_keys_team_put(struct store *s, const struct store_team_keys *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc = store_prepare(s,
			       "INSERT OR REPLACE INTO key_team(id, sign_pk, box_pk, sealed_sk, salt, "
			       "nonce, opslimit, memlimit, escrow_pk, policy, created) "
			       "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       &q, err);

	if (rc < 0)
		return rc;
	store_bind_text(q, 1, k->sign_pk);
	store_bind_text(q, 2, k->box_pk);
	store_bind_text(q, 3, k->sealed_sk);
	store_bind_text(q, 4, k->salt);
	store_bind_text(q, 5, k->nonce);
	sqlite3_bind_int64(q, 6, k->opslimit);
	sqlite3_bind_int64(q, 7, k->memlimit);
	store_bind_text(q, 8, k->escrow_pk);
	store_bind_text(q, 9, *k->policy ? k->policy : "first-use");
	sqlite3_bind_int64(q, 10, k->created ? k->created : store_now(s));
	return run(s, q, err);
}

int store_keys_self_get(struct store *s, struct store_key_self *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = store_prepare(s, "SELECT sign_pk, sign_sk FROM key_self WHERE id = 1", &q, err);
	if (rc < 0)
		return rc;
	rc = one(s, q, err);
	if (rc == 1) {
		col_copy(q, 0, k->sign_pk, sizeof(k->sign_pk));
		col_copy(q, 1, k->sign_sk, sizeof(k->sign_sk));
	}
	sqlite3_finalize(q);
	return rc;
}

int store_keys_self_put(struct store *s, const struct store_key_self *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc = store_prepare(s,
			       "INSERT OR REPLACE INTO key_self(id, sign_pk, sign_sk, created) "
			       "VALUES (1, ?, ?, ?)",
			       &q, err);

	if (rc < 0)
		return rc;
	store_bind_text(q, 1, k->sign_pk);
	store_bind_text(q, 2, k->sign_sk);
	sqlite3_bind_int64(q, 3, store_now(s));
	return run(s, q, err);
}

int store_keys_pin_get(struct store *s, struct store_key_pin *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(k, 0, sizeof(*k));
	rc = store_prepare(s,
			   "SELECT sign_pk, box_pk, escrow_pk, source, pinned FROM key_pinned "
			   "WHERE id = 1",
			   &q, err);
	if (rc < 0)
		return rc;
	rc = one(s, q, err);
	if (rc == 1) {
		col_copy(q, 0, k->sign_pk, sizeof(k->sign_pk));
		col_copy(q, 1, k->box_pk, sizeof(k->box_pk));
		col_copy(q, 2, k->escrow_pk, sizeof(k->escrow_pk));
		col_copy(q, 3, k->source, sizeof(k->source));
		k->pinned = sqlite3_column_int64(q, 4);
	}
	sqlite3_finalize(q);
	return rc;
}

int store_keys_pin_put(struct store *s, const struct store_key_pin *k, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	if (!k) {
		rc = store_prepare(s, "DELETE FROM key_pinned", &q, err);
		return rc < 0 ? rc : run(s, q, err);
	}
	rc = store_prepare(s,
			   "INSERT OR REPLACE INTO key_pinned(id, sign_pk, box_pk, escrow_pk, source, "
			   "pinned) VALUES (1, ?, ?, ?, ?, ?)",
			   &q, err);
	if (rc < 0)
		return rc;
	store_bind_text(q, 1, k->sign_pk);
	store_bind_text(q, 2, k->box_pk);
	store_bind_text(q, 3, k->escrow_pk);
	store_bind_text(q, 4, k->source);
	sqlite3_bind_int64(q, 5, store_now(s));
	return run(s, q, err);
}

int store_keys_sent_get(struct store *s, const char *kind, const char *target, char hash[65],
			struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	*hash = 0;
	rc = store_prepare(s, "SELECT hash FROM key_sent WHERE kind = ? AND target = ?", &q, err);
	if (rc < 0)
		return rc;
	store_bind_text(q, 1, kind);
	store_bind_text(q, 2, target);
	rc = one(s, q, err);
	if (rc == 1)
		col_copy(q, 0, hash, 65);
	sqlite3_finalize(q);
	return rc;
}

int store_keys_sent_put(struct store *s, const char *kind, const char *target, int64_t seq,
			const char *hash, struct error *err)
{
	sqlite3_stmt *q;
	int rc = store_prepare(s,
			       "INSERT OR REPLACE INTO key_sent(kind, target, sequence, hash) "
			       "VALUES (?, ?, ?, ?)",
			       &q, err);

	if (rc < 0)
		return rc;
	store_bind_text(q, 1, kind);
	store_bind_text(q, 2, target);
	sqlite3_bind_int64(q, 3, seq);
	store_bind_text(q, 4, hash);
	return run(s, q, err);
}

#define DEVICE_COLS "device, sign_pk, status, first_seq, last_seq, first_created, last_created, changed, reason"

static void device_row(sqlite3_stmt *q, struct store_key_device *d)
{
	memset(d, 0, sizeof(*d));
	col_copy(q, 0, d->device, sizeof(d->device));
	col_copy(q, 1, d->sign_pk, sizeof(d->sign_pk));
	col_copy(q, 2, d->status, sizeof(d->status));
	d->first_seq = sqlite3_column_int64(q, 3);
	d->last_seq = sqlite3_column_int64(q, 4);
	col_copy(q, 5, d->first_created, sizeof(d->first_created));
	col_copy(q, 6, d->last_created, sizeof(d->last_created));
	d->changed = sqlite3_column_int64(q, 7);
	col_copy(q, 8, d->reason, sizeof(d->reason));
}

int store_keys_device_get(struct store *s, const char *device, struct store_key_device *d,
			  struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = store_prepare(s, "SELECT " DEVICE_COLS " FROM key_device WHERE device = ?", &q, err);
	if (rc < 0)
		return rc;
	store_bind_text(q, 1, device);
	rc = one(s, q, err);
	if (rc == 1)
		device_row(q, d);
	sqlite3_finalize(q);
	return rc;
}

int store_keys_device_put(struct store *s, const struct store_key_device *d, struct error *err)
{
	sqlite3_stmt *q;
	int rc = store_prepare(s,
			       "INSERT OR REPLACE INTO key_device(" DEVICE_COLS
			       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       &q, err);

	if (rc < 0)
		return rc;
	store_bind_text(q, 1, d->device);
	store_bind_text(q, 2, d->sign_pk);
	store_bind_text(q, 3, d->status);
	sqlite3_bind_int64(q, 4, d->first_seq);
	sqlite3_bind_int64(q, 5, d->last_seq);
	store_bind_text(q, 6, d->first_created);
	store_bind_text(q, 7, d->last_created);
	sqlite3_bind_int64(q, 8, d->changed);
	store_bind_text(q, 9, d->reason);
	return run(s, q, err);
}

int store_keys_device_each(struct store *s,
			   int (*fn)(void *ctx, const struct store_key_device *d), void *ctx,
			   struct error *err)
{
	sqlite3_stmt *q;
	struct store_key_device d;
	int rc = store_prepare(s, "SELECT " DEVICE_COLS " FROM key_device ORDER BY device", &q,
			       err);

	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		device_row(q, &d);
		if (fn(ctx, &d)) {
			sqlite3_finalize(q);
			return 0;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

int store_keys_bundle_get(struct store *s, const char *device, const char *kind, int64_t seq,
			  struct store_key_bundle *b, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = store_prepare(s,
			   "SELECT hash, prev, signer, encrypted FROM key_bundle "
			   "WHERE device = ? AND kind = ? AND sequence = ?",
			   &q, err);
	if (rc < 0)
		return rc;
	store_bind_text(q, 1, device);
	store_bind_text(q, 2, kind);
	sqlite3_bind_int64(q, 3, seq);
	rc = one(s, q, err);
	if (rc == 1) {
		snprintf(b->device, sizeof(b->device), "%s", device);
		snprintf(b->kind, sizeof(b->kind), "%s", kind);
		b->sequence = seq;
		col_copy(q, 0, b->hash, sizeof(b->hash));
		col_copy(q, 1, b->prev, sizeof(b->prev));
		col_copy(q, 2, b->signer, sizeof(b->signer));
		b->encrypted = sqlite3_column_int(q, 3);
	}
	sqlite3_finalize(q);
	return rc;
}

int store_keys_bundle_add(struct store *s, const struct store_key_bundle *b, struct error *err)
{
	sqlite3_stmt *q;
	int rc = store_prepare(s,
			       "INSERT OR IGNORE INTO key_bundle(device, kind, sequence, hash, prev, "
			       "signer, encrypted) VALUES (?, ?, ?, ?, ?, ?, ?)",
			       &q, err);

	if (rc < 0)
		return rc;
	store_bind_text(q, 1, b->device);
	store_bind_text(q, 2, b->kind);
	sqlite3_bind_int64(q, 3, b->sequence);
	store_bind_text(q, 4, b->hash);
	store_bind_text(q, 5, b->prev);
	store_bind_text(q, 6, b->signer);
	sqlite3_bind_int(q, 7, b->encrypted);
	return run(s, q, err);
}

int store_keys_bundle_below(struct store *s, const char *device, const char *kind, int64_t seq,
			    int64_t *below, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	*below = 0;
	rc = store_prepare(s,
			   "SELECT max(sequence) FROM key_bundle WHERE device = ? AND kind = ? "
			   "AND sequence < ?",
			   &q, err);
	if (rc < 0)
		return rc;
	store_bind_text(q, 1, device);
	store_bind_text(q, 2, kind);
	sqlite3_bind_int64(q, 3, seq);
	rc = one(s, q, err);
	if (rc == 1) {
		*below = sqlite3_column_int64(q, 0);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}
