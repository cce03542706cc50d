/*
 * store_preload — every household's preload fields in one scan, for readers
 * of the whole sample (score): one statement over assignment_field in its
 * key order, rather than one prepared query per household
 * (store_assignment_preload).
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

int store_assignment_preload_each(struct store *s, store_preload_cb cb, void *ctx,
				  struct error *err)
{
	sqlite3_stmt *q = NULL;
	struct store_field *v = NULL;
	size_t n = 0, cap = 0;
	char *key = NULL;
	int rc, ret;

	ret = store_prepare(s,
			    "SELECT household_key, name, value FROM assignment_field"
			    " ORDER BY household_key, name",
			    &q, err);
	if (ret < 0)
		return ret;
	for (;;) {
		const char *k;

		rc = sqlite3_step(q);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, err);
			break;
		}
		k = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
		/* one household's fields are complete when the key changes */
		if (key && (!k || strcmp(k, key))) {
			ret = cb(ctx, key, v, n);
			store_fields_free(v, n);
			v = NULL;
			n = cap = 0;
			free(key);
			key = NULL;
			if (ret)
				break;
		}
		if (rc == SQLITE_DONE)
			break;
		if (!key)
			key = xstrdup(k ? k : "");
		XGROW(v, cap, n + 1);
		v[n].name = store_col_dup(q, 1);
		v[n].value = store_col_dup(q, 2);
		n++;
	}
	store_fields_free(v, n);
	free(key);
	sqlite3_finalize(q);
	return ret;
}
