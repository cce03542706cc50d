/*
 * pg_copy — a PostgreSQL team database table by table, for `ruhu db copy`
 * (the list of tables and columns is the store's: store_copy_tables()).
 *
 * Invariants: reading is one REPEATABLE READ READ ONLY transaction (a
 * consistent snapshot while merges go on), rows streamed one at a time
 * (single-row mode); writing is one transaction holding the merge lock
 * (no merge interleaves), rows sent by COPY, into an empty database only.
 */
#include "pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_FLUSH ((size_t)8 << 20)

static void select_sql(struct strbuf *sb, const struct store_copy_table *t)
{
	size_t i;

	strbuf_addstr(sb, "SELECT ");
	for (i = 0; i < t->n_cols; i++)
		strbuf_addf(sb, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	strbuf_addf(sb, " FROM \"%s\" ORDER BY %s", t->name, t->order);
}

static int copy_table(struct pg *pg, const struct store_copy_table *t,
		      const struct store_copy_sink *k, void *ctx, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct store_copy_val v[16];
	unsigned char *blobs[16];
	PGresult *r;
	size_t i;
	int ret = 0, sent;

	select_sql(&sb, t);
	sent = PQsendQuery(pg->c, sb.buf);
	strbuf_release(&sb);
	if (!sent || !PQsetSingleRowMode(pg->c))
		return pg_fail(pg, NULL, t->name, err);
	ret = k->table(ctx, t, err);
	while ((r = PQgetResult(pg->c))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE && ret == 0) {
			for (i = 0; i < t->n_cols && i < 16; i++) {
				int c = (int)i;

				blobs[i] = NULL;
				if (PQgetisnull(r, 0, c)) {
					v[i].p = NULL;
					v[i].len = 0;
				} else if (t->cols[i].type == STORE_COPY_BLOB) {
					size_t n = 0;

					blobs[i] = PQunescapeBytea(
						(const unsigned char *)PQgetvalue(r, 0, c), &n);
					v[i].p = blobs[i] ? (const char *)blobs[i] : "";
					v[i].len = n;
				} else {
					v[i].p = PQgetvalue(r, 0, c);
					v[i].len = (size_t)PQgetlength(r, 0, c);
				}
			}
			ret = k->row(ctx, t, v, err);
			for (i = 0; i < t->n_cols && i < 16; i++)
				if (blobs[i])
					PQfreemem(blobs[i]);
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && ret == 0) {
			ret = pg_fail(pg, r, t->name, err);
		}
		PQclear(r);
	}
	if (ret == 0)
		ret = k->table_end(ctx, t, err);
	return ret;
}

int pg_copy_out(struct pg *pg, const struct store_copy_sink *k, void *ctx, struct error *err)
{
	const struct store_copy_table *t;
	size_t i, n;
	int ret;

	t = store_copy_tables(&n);
	ret = pg_x(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err);
	if (ret < 0)
		return ret;
	ret = k->begin(ctx, err);
	for (i = 0; ret == 0 && i < n; i++)
		ret = copy_table(pg, &t[i], k, ctx, err);
	pg_x(pg, "ROLLBACK", 0, NULL, NULL);
	if (ret < 0) {
		k->finish(ctx, false, NULL);
		return ret;
	}
	return k->finish(ctx, true, err);
}

/* ---- PostgreSQL as the sink --------------------------------------------------- */

struct sink {
	struct pg *pg;
	const struct store_copy_table *t;
	struct strbuf rows;
};

static struct sink the_sink; /* one copy at a time */

static int flush_rows(struct sink *s, struct error *err)
{
	struct strbuf sql = STRBUF_INIT;
	size_t i;
	int ret;

	if (!s->rows.len)
		return 0;
	strbuf_addf(&sql, "COPY \"%s\" (", s->t->name);
	for (i = 0; i < s->t->n_cols; i++)
		strbuf_addf(&sql, "%s\"%s\"", i ? ", " : "", s->t->cols[i].name);
	strbuf_addstr(&sql, ") FROM STDIN");
	ret = pg_copy(s->pg, sql.buf, &s->rows, err);
	strbuf_release(&sql);
	strbuf_reset(&s->rows);
	return ret;
}

static int k_begin(void *ctx, struct error *err)
{
	struct sink *s = ctx;
	char sql[128];
	PGresult *r;
	int ret;

	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d, %d)", PG_LOCK_CLASS,
		 PG_LOCK_MERGE);
	r = PQexec(s->pg->c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ret = pg_fail(s->pg, r, "begin", err);
		PQclear(r);
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return ret;
	}
	PQclear(r);
	r = pg_q(s->pg, PGRES_TUPLES_OK,
		 "SELECT EXISTS (SELECT 1 FROM form) OR EXISTS (SELECT 1 FROM interview)"
		 " OR EXISTS (SELECT 1 FROM sync_bundle)",
		 0, NULL, err);
	if (!r) {
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return -STORE_E_INTERNAL;
	}
	ret = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (ret) {
		error_set(err, s->pg->name, "目标数据库已有数据：只能复制到新的或空的数据库",
			  "the target database holds data: copy only into a new or empty one");
		if (err)
			err->code = STORE_E_EXISTS;
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return -STORE_E_EXISTS;
	}
	ret = pg_x(s->pg, "DELETE FROM event; DELETE FROM meta", 0, NULL, err);
	if (ret < 0)
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
	return ret;
}

static int k_table(void *ctx, const struct store_copy_table *t, struct error *err)
{
	struct sink *s = ctx;

	s->t = t;
	strbuf_reset(&s->rows);
	return 0;
}

static int k_row(void *ctx, const struct store_copy_table *t, const struct store_copy_val *v,
		 struct error *err)
{
	static const char hex[] = "0123456789abcdef";
	struct sink *s = ctx;
	size_t i, j;

	for (i = 0; i < t->n_cols; i++) {
		int end = i + 1 < t->n_cols ? '\t' : '\n';

		if (v[i].p && t->cols[i].type == STORE_COPY_BLOB) {
			strbuf_add(&s->rows, "\\\\x", 3);
			for (j = 0; j < v[i].len; j++) {
				unsigned char b = (unsigned char)v[i].p[j];

				strbuf_addch(&s->rows, hex[b >> 4]);
				strbuf_addch(&s->rows, hex[b & 15]);
			}
			strbuf_addch(&s->rows, end);
		} else if (v[i].p && memchr(v[i].p, 0, v[i].len)) {
			error_set(err, s->pg->name, "表 %s 中有含 NUL 字节的文本", "table %s holds text with a NUL byte",
				  t->name);
			return -STORE_E_INVALID;
		} else {
			char *z = v[i].p ? xstrndup(v[i].p, v[i].len) : NULL;

			pg_copy_field(&s->rows, z, end);
			free(z);
		}
	}
	return s->rows.len >= COPY_FLUSH ? flush_rows(s, err) : 0;
}

static int k_table_end(void *ctx, const struct store_copy_table *t, struct error *err)
{
	return flush_rows(ctx, err);
}

static int k_finish(void *ctx, bool commit, struct error *err)
{
	struct sink *s = ctx;
	PGresult *r;

	strbuf_release(&s->rows);
	if (!commit) {
		if (PQstatus(s->pg->c) == CONNECTION_OK)
			PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return 0;
	}
	/* the change counter continues after the copied interviews' and exports' */
	r = pg_q(s->pg, PGRES_TUPLES_OK,
		 "SELECT setval('change_seq', GREATEST(1, (SELECT MAX(change_seq) FROM interview),"
		 " (SELECT MAX(change_seq) FROM sync_export)))",
		 0, NULL, err);
	if (!r) {
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return -STORE_E_INTERNAL;
	}
	PQclear(r);
	r = pg_q(s->pg, PGRES_TUPLES_OK, "SELECT value FROM meta WHERE key = 'device_id'", 0, NULL,
		 err);
	if (!r || PQntuples(r) != 1) {
		if (r)
			error_set(err, s->pg->name, "复制来的数据库缺少设备编号",
				  "the copied database has no device id");
		PQclear(r);
		PQclear(PQexec(s->pg->c, "ROLLBACK"));
		return -STORE_E_INVALID;
	}
	free(s->pg->device);
	s->pg->device = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return pg_x(s->pg, "COMMIT", 0, NULL, err);
}

static const struct store_copy_sink sink_ops = {k_begin, k_table, k_row, k_table_end, k_finish};

const struct store_copy_sink *pg_copy_sink(struct pg *pg, void **ctx)
{
	memset(&the_sink, 0, sizeof(the_sink));
	the_sink.pg = pg;
	strbuf_init(&the_sink.rows);
	*ctx = &the_sink;
	return &sink_ops;
}
