/*
 * store_query — assignments (the sample) and the read side of the store:
 * lists, counts, and callback iteration for exports (see ruhu/store.h).
 *
 * These run rarely compared with the answer hot path, so they prepare their
 * SQL per call instead of caching it. Reads that must be consistent across
 * several statements run inside one read transaction.
 */
#include "store_internal.h"

#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_control(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return true;
	return false;
}

/* ---- assignments ------------------------------------------------------------ */

static const struct store_assignment *sort_base;

static int cmp_key(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(sort_base[i].household_key, sort_base[j].household_key);

	if (c)
		return c;
	return i < j ? -1 : i > j;
}

/* Checks every row before anything is written; on a bad row sets *bad. */
static int validate_assignments(struct store *s, const struct store_assignment *a, size_t n,
				size_t *bad, struct error *err)
{
	size_t *idx = NULL, *first = NULL, i, j, k;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (!a[i].household_key || !*a[i].household_key ||
		    has_control(a[i].household_key)) {
			ret = store_fail(s, err, STORE_E_INVALID, "第 %zu 条样本户：户编码为空或无效",
					 "assignment %zu: empty or invalid household key", i + 1);
			goto bad_row;
		}
		if ((ret = store_ident(s, a[i].household_key, IDENT_HOUSEHOLD, false, err)) < 0 ||
		    (ret = store_ident(s, a[i].enumerator, IDENT_ENUMERATOR, true, err)) < 0 ||
		    (ret = store_ident(s, a[i].device, IDENT_DEVICE, true, err)) < 0)
			goto bad_row;
		{
			const struct store_assignment *r = &a[i];
			const char *name[] = {"county", "township", "village", "household_type",
					      "head_name"};
			const char *val[] = {r->county, r->township, r->village, r->household_type,
					     r->head_name};

			for (k = 0; k < 5; k++)
				if ((ret = store_value_check(s, name[k], val[k], err)) < 0)
					goto bad_row;
			for (j = 0; j < r->n_preload; j++)
				if ((ret = store_value_check(s, r->preload[j].name, r->preload[j].name,
							     err)) < 0 ||
				    (ret = store_value_check(s, r->preload[j].name, r->preload[j].value,
							     err)) < 0)
					goto bad_row;
		}
		for (j = 0; j < a[i].n_preload; j++) {
			const char *nm = a[i].preload[j].name;
			if (!nm || !*nm) {
				ret = store_fail(s, err, STORE_E_INVALID,
						 "样本户 '%s'：预填字段名为空",
						 "household '%s': empty preload field name",
						 a[i].household_key);
				goto bad_row;
			}
			for (k = 0; k < j; k++)
				if (!strcmp(a[i].preload[k].name, nm)) {
					ret = store_fail(s, err, STORE_E_INVALID,
							 "样本户 '%s'：预填字段 '%s' 重复",
							 "household '%s': preload field '%s' "
							 "given twice",
							 a[i].household_key, nm);
					goto bad_row;
				}
		}
	}
	/* duplicate keys: the first repeated occurrence in input order is bad */
	idx = xmalloc((n ? n : 1) * sizeof(*idx));
	first = xmalloc((n ? n : 1) * sizeof(*first));
	for (i = 0; i < n; i++) {
		idx[i] = i;
		first[i] = i;
	}
	sort_base = a;
	qsort(idx, n, sizeof(*idx), cmp_key);
	for (i = 1; i < n; i++)
		if (!strcmp(a[idx[i]].household_key, a[idx[i - 1]].household_key))
			first[idx[i]] = first[idx[i - 1]];
	for (i = 0; i < n; i++)
		if (first[i] != i) {
			ret = store_fail(s, err, STORE_E_INVALID,
					 "户编码 '%s' 重复（第 %zu 条和第 %zu 条）",
					 "household key '%s' appears twice (assignments %zu and %zu)",
					 a[i].household_key, first[i] + 1, i + 1);
			goto bad_row;
		}
	goto done;
bad_row:
	if (bad)
		*bad = i;
done:
	free(idx);
	free(first);
	return ret;
}

int store_assignments_put(struct store *s, const struct store_assignment *a, size_t n,
			  size_t *bad, struct error *err)
{
	sqlite3_stmt *ins = NULL, *del = NULL, *fld = NULL;
	struct event_in ev = {0};
	char count[32];
	int64_t now;
	size_t i, j;
	int ret, rc;

	ret = validate_assignments(s, a, n, bad, err);
	if (ret < 0)
		return ret;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_prepare(s,
		      "INSERT INTO assignment(household_key, county, township, village,"
		      " household_type, head_name, enumerator, device, updated)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		      " ON CONFLICT(household_key) DO UPDATE SET county = excluded.county,"
		      " township = excluded.township, village = excluded.village,"
		      " household_type = excluded.household_type, head_name = excluded.head_name,"
		      " enumerator = excluded.enumerator, device = excluded.device,"
		      " updated = excluded.updated",
		      &ins, err);
	if (ret == 0)
		ret = store_prepare(s, "DELETE FROM assignment_field WHERE household_key = ?1", &del, err);
	if (ret == 0)
		ret = store_prepare(s,
			      "INSERT INTO assignment_field(household_key, name, value)"
			      " VALUES (?1, ?2, ?3)",
			      &fld, err);
	if (ret < 0)
		goto fail;
	now = store_now(s);
	for (i = 0; i < n; i++) {
		const struct store_assignment *r = &a[i];

		sqlite3_reset(ins);
		store_bind_text(ins, 1, r->household_key);
		store_bind_text(ins, 2, r->county);
		store_bind_text(ins, 3, r->township);
		store_bind_text(ins, 4, r->village);
		store_bind_text(ins, 5, r->household_type);
		store_bind_text(ins, 6, r->head_name);
		store_bind_text(ins, 7, r->enumerator);
		store_bind_text(ins, 8, r->device);
		sqlite3_bind_int64(ins, 9, now);
		rc = sqlite3_step(ins);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(del);
			store_bind_text(del, 1, r->household_key);
			rc = sqlite3_step(del);
		}
		for (j = 0; rc == SQLITE_DONE && j < r->n_preload; j++) {
			sqlite3_reset(fld);
			store_bind_text(fld, 1, r->household_key);
			store_bind_text(fld, 2, r->preload[j].name);
			store_bind_text(fld, 3, r->preload[j].value ? r->preload[j].value : "");
			rc = sqlite3_step(fld);
		}
		if (rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, err);
			if (bad)
				*bad = i;
			goto fail;
		}
	}
	snprintf(count, sizeof(count), "%zu", n);
	ev.kind = "assign";
	ev.new_value = count;
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	sqlite3_finalize(fld);
	return store_tx_commit(s, err);
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	sqlite3_finalize(fld);
	store_tx_abort(s);
	return ret;
}

static const char assignment_sql[] =
	"SELECT a.household_key, a.county, a.township, a.village, a.household_type,"
	" a.head_name, a.enumerator, a.device, v.status, v.n_interviews,"
	" (SELECT j.uuid FROM interview j WHERE j.household_key = a.household_key"
	"  ORDER BY j.updated DESC, j.uuid LIMIT 1),"
	" (SELECT j.review_comment FROM interview j WHERE j.household_key = a.household_key"
	"  AND j.status = 'rejected' ORDER BY j.updated DESC, j.uuid LIMIT 1)"
	" FROM assignment a JOIN assignment_status v ON v.household_key = a.household_key"
	" WHERE (?1 IS NULL OR a.enumerator = ?1) AND (?2 IS NULL OR a.village = ?2)"
	" AND (?3 IS NULL OR v.status = ?3)"
	" AND (?4 IS NULL OR instr(a.head_name, ?4) > 0 OR instr(a.household_key, ?4) > 0)"
	" AND (?5 IS NULL OR a.household_key = ?5)"
	" ORDER BY a.county, a.township, a.village, a.household_key";

static int astatus_parse(const char *name)
{
	int i;

	for (i = 0; name && i < STORE_ASTATUS_COUNT; i++)
		if (!strcmp(name, store_astatus_name((enum store_astatus)i)))
			return i;
	return -1;
}

static int assignment_query(struct store *s, const struct store_assignment_filter *f,
			    const char *key, struct store_assignment_row **out, size_t *n,
			    struct error *err)
{
	struct store_assignment_row *v = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	*out = NULL;
	*n = 0;
	ret = store_prepare(s, assignment_sql, &q, err);
	if (ret < 0)
		return ret;
	if (f) {
		store_bind_text(q, 1, f->enumerator);
		store_bind_text(q, 2, f->village);
		if (f->status >= 0)
			store_bind_text(q, 3, store_astatus_name((enum store_astatus)f->status));
		store_bind_text(q, 4, f->search && *f->search ? f->search : NULL);
	}
	store_bind_text(q, 5, key);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_assignment_row *r;
		int st;

		XGROW(v, cap, cnt + 1);
		r = &v[cnt++];
		r->household_key = store_col_dup(q, 0);
		r->county = store_col_dup(q, 1);
		r->township = store_col_dup(q, 2);
		r->village = store_col_dup(q, 3);
		r->household_type = store_col_dup(q, 4);
		r->head_name = store_col_dup(q, 5);
		r->enumerator = store_col_dup(q, 6);
		r->device = store_col_dup(q, 7);
		st = astatus_parse((const char *)sqlite3_column_text(q, 8));
		r->status = st < 0 ? STORE_ASTATUS_NOT_STARTED : (enum store_astatus)st;
		r->n_interviews = (size_t)sqlite3_column_int64(q, 9);
		r->interview = store_col_dup(q, 10);
		r->review_comment = r->status == STORE_ASTATUS_REJECTED ? store_col_dup(q, 11) : NULL;
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		store_assignment_rows_free(v, cnt);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	sqlite3_finalize(q);
	return ret;
}

int store_assignment_list(struct store *s, const struct store_assignment_filter *f,
			  struct store_assignment_row **out, size_t *n, struct error *err)
{
	if (f && f->status >= STORE_ASTATUS_COUNT)
		return store_fail(s, err, STORE_E_INVALID, "状态 %d 无效", "invalid status %d",
				  f->status);
	return assignment_query(s, f, NULL, out, n, err);
}

int store_assignment_get(struct store *s, const char *household_key,
			 struct store_assignment_row **row, struct error *err)
{
	size_t n;
	int ret;

	*row = NULL;
	if (!household_key)
		return store_fail(s, err, STORE_E_INVALID, "户编码为空", "empty household key");
	ret = assignment_query(s, NULL, household_key, row, &n, err);
	if (ret < 0)
		return ret;
	if (n == 0)
		return store_fail(s, err, STORE_E_NOTFOUND, "样本中没有户 '%s'",
				  "no household '%s' in the sample", household_key);
	return 0;
}

void store_assignment_rows_free(struct store_assignment_row *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].household_key);
		free(v[i].county);
		free(v[i].township);
		free(v[i].village);
		free(v[i].household_type);
		free(v[i].head_name);
		free(v[i].enumerator);
		free(v[i].device);
		free(v[i].interview);
		free(v[i].review_comment);
	}
	free(v);
}

int store_assignment_preload(struct store *s, const char *household_key,
			     struct store_field **out, size_t *n, struct error *err)
{
	struct store_field *v = NULL;
	size_t cnt = 0, cap = 0;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	*out = NULL;
	*n = 0;
	ret = store_prepare(s,
		      "SELECT name, value FROM assignment_field WHERE household_key = ?1"
		      " ORDER BY name",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, household_key);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(v, cap, cnt + 1);
		v[cnt].name = store_col_dup(q, 0);
		v[cnt].value = store_col_dup(q, 1);
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		store_fields_free(v, cnt);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	sqlite3_finalize(q);
	return ret;
}

void store_fields_free(struct store_field *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free((char *)v[i].name);
		free((char *)v[i].value);
	}
	free(v);
}

int store_assignment_counts(struct store *s, const char *enumerator,
			    size_t counts[STORE_ASTATUS_COUNT], struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret, st;

	memset(counts, 0, STORE_ASTATUS_COUNT * sizeof(counts[0]));
	ret = store_prepare(s,
		      "SELECT v.status, count(*) FROM assignment a JOIN assignment_status v"
		      " ON v.household_key = a.household_key"
		      " WHERE ?1 IS NULL OR a.enumerator = ?1 GROUP BY v.status",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, enumerator);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		st = astatus_parse((const char *)sqlite3_column_text(q, 0));
		if (st >= 0)
			counts[st] = (size_t)sqlite3_column_int64(q, 1);
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
	sqlite3_finalize(q);
	return ret;
}

/* ---- interviews -------------------------------------------------------------- */

int store_interview_counts(struct store *s, const char *enumerator,
			   size_t counts[STORE_ISTATUS_COUNT], struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret, st;

	memset(counts, 0, STORE_ISTATUS_COUNT * sizeof(counts[0]));
	ret = store_prepare(s,
		      "SELECT status, count(*) FROM interview"
		      " WHERE ?1 IS NULL OR enumerator = ?1 GROUP BY status",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, enumerator);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		st = store_istatus_parse((const char *)sqlite3_column_text(q, 0));
		if (st >= 0)
			counts[st] = (size_t)sqlite3_column_int64(q, 1);
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
	sqlite3_finalize(q);
	return ret;
}

int store_change_seq(struct store *s, int64_t *out, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_CHANGE_GET, err);
	int rc;

	*out = 0;
	if (!q)
		return -STORE_E_INTERNAL;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return store_db_fail(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, err);
	return 0;
}

int store_interviews_changed_since(struct store *s, int64_t since, store_interview_cb cb,
				   void *ctx, struct error *err)
{
	struct store_interview iv;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT uuid, form_hash, household_key, enumerator, device, status,"
		      " review_comment, revision, change_seq, created, updated, position"
		      " FROM interview WHERE change_seq > ?1 ORDER BY change_seq",
		      &q, err);
	if (ret < 0)
		return ret;
	sqlite3_bind_int64(q, 1, since);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = store_iv_from_row(s, q, &iv, err);
		if (ret < 0)
			goto done;
		ret = cb(ctx, &iv);
		store_interview_release(&iv);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_interviews_of(struct store *s, const char *household_key, store_interview_cb cb,
			void *ctx, struct error *err)
{
	struct store_interview iv;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT uuid, form_hash, household_key, enumerator, device, status,"
		      " review_comment, revision, change_seq, created, updated, position"
		      " FROM interview WHERE household_key IS ?1 ORDER BY updated DESC, uuid",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, household_key);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ret = store_iv_from_row(s, q, &iv, err);
		if (ret < 0)
			goto done;
		ret = cb(ctx, &iv);
		store_interview_release(&iv);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_answers_each(struct store *s, const char *uuid, store_answer_cb cb, void *ctx,
		       struct error *err)
{
	struct store_answer a;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT path, value, special FROM answer WHERE interview = ?1 ORDER BY path",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* point into SQLite's row: valid during the callback only */
		a.path = (char *)sqlite3_column_text(q, 0);
		a.value = (char *)sqlite3_column_text(q, 1);
		a.special = (enum store_special)store_special_stored(
			(const char *)sqlite3_column_text(q, 2));
		ret = cb(ctx, &a);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_events_each(struct store *s, const char *uuid, store_event_cb cb, void *ctx,
		      struct error *err)
{
	struct store_event ev;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT d.uuid, e.seq, i.uuid, e.time, k.name, e.actor, p.name, e.old_value,"
		      " e.new_value, e.old_special, e.new_special, e.extra FROM interview_key i"
		      " CROSS JOIN event_row e ON e.interview = i.id JOIN device_key d ON d.id = e.device"
		      " JOIN event_name k ON k.id = e.kind JOIN event_name p ON p.id = e.path"
		      " WHERE i.uuid IS ?1 ORDER BY e.time, d.uuid, e.seq",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		ev.device = (char *)sqlite3_column_text(q, 0);
		ev.seq = sqlite3_column_int64(q, 1);
		ev.interview = (char *)sqlite3_column_text(q, 2);
		ev.time = sqlite3_column_int64(q, 3);
		ev.kind = (char *)sqlite3_column_text(q, 4);
		ev.actor = (char *)sqlite3_column_text(q, 5);
		ev.path = (char *)sqlite3_column_text(q, 6);
		ev.old_value = (char *)sqlite3_column_text(q, 7);
		ev.new_value = (char *)sqlite3_column_text(q, 8);
		ev.old_special = (enum store_special)store_special_stored(
			(const char *)sqlite3_column_text(q, 9));
		ev.new_special = (enum store_special)store_special_stored(
			(const char *)sqlite3_column_text(q, 10));
		ev.extra = (char *)sqlite3_column_text(q, 11);
		ret = cb(ctx, &ev);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}

int store_comments_each(struct store *s, const char *uuid, store_comment_cb cb, void *ctx,
			struct error *err)
{
	struct store_comment c;
	sqlite3_stmt *q = NULL;
	int rc, ret;

	ret = store_prepare(s,
		      "SELECT uuid, interview, path, author, text, time, device FROM comment"
		      " WHERE interview = ?1 ORDER BY time, uuid",
		      &q, err);
	if (ret < 0)
		return ret;
	store_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		c.uuid = (char *)sqlite3_column_text(q, 0);
		c.interview = (char *)sqlite3_column_text(q, 1);
		c.path = (char *)sqlite3_column_text(q, 2);
		c.author = (char *)sqlite3_column_text(q, 3);
		c.text = (char *)sqlite3_column_text(q, 4);
		c.time = sqlite3_column_int64(q, 5);
		c.device = (char *)sqlite3_column_text(q, 6);
		ret = cb(ctx, &c);
		if (ret)
			goto done;
	}
	if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, err);
done:
	sqlite3_finalize(q);
	return ret;
}
