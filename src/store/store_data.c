/*
 * store_data — what data export (src/data) keeps in the team database: the
 * secret key of the masking pseudonyms, in meta under 'data_mask_key'.
 *
 * The key is created once, at the first masked export, from two random
 * (version 4) UUIDs — 244 random bits — and never changes, so pseudonyms
 * stay the same from one export to the next. It is not an event and does not
 * travel in bundles: it stays in the database it was created in.
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_get(struct store *s, char **out, struct error *err)
{
	sqlite3_stmt *q = stmt(s, ST_META_GET, err);
	int rc;

	*out = NULL;
	if (!q)
		return -STORE_E_INTERNAL;
	bind_text(q, 1, "data_mask_key");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = col_dup(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(s, rc, err);
	return 0;
}

int store_data_mask_key(struct store *s, char **key, struct error *err)
{
	char a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1], both[2 * STORE_ID_LEN + 2];
	sqlite3_stmt *q;
	int ret;

	*key = NULL;
	ret = key_get(s, key, err);
	if (ret < 0 || *key)
		return ret;
	if (store_uuid_new(a, err) < 0 || store_uuid_new(b, err) < 0)
		return -STORE_E_IO;
	snprintf(both, sizeof(both), "%s%s", a, b);
	ret = tx_begin(s, err);
	if (ret < 0)
		return ret;
	/* another program may have created it meanwhile: keep the first */
	q = NULL;
	ret = store_prepare(s, "INSERT OR IGNORE INTO meta(key, value) VALUES ('data_mask_key', ?1)",
			    &q, err);
	if (ret == 0) {
		bind_text(q, 1, both);
		ret = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(s, sqlite3_errcode(s->db), err);
		sqlite3_finalize(q);
	}
	if (ret == 0)
		ret = tx_commit(s, err);
	else
		tx_rollback(s);
	if (ret < 0)
		return ret;
	return key_get(s, key, err);
}
