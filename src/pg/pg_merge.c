/*
 * pg_merge — a PostgreSQL team database as a merge target
 * (ruhu/merge_target.h). sync/merge.c decides; this file only writes, with
 * the SQLite store's semantics row for row (src/store/store_merge.c and the
 * store functions it calls), so both databases hold the same canonical
 * content after the same bundles.
 *
 * Invariants:
 * - One transaction per bundle. begin() takes the transaction-level advisory
 *   lock (PG_LOCK_CLASS, PG_LOCK_MERGE): the write phases of concurrent
 *   merges run one after the other, as SQLite's BEGIN IMMEDIATE makes them,
 *   so bundle_applied, the duplicate check (other interviews of a household,
 *   whichever device wrote them) and the event clash check always see every
 *   committed bundle. Reading, verifying and decompressing bundles (pass 1)
 *   runs in parallel. Waiting for the lock is not an error; nothing can
 *   deadlock (one lock, taken first). Unique keys back this up.
 * - Bulk rows go by COPY: answers straight into `answer` (buffered, sent
 *   before anything reads them), events and comments into temporary staging
 *   tables and from there with one INSERT ... SELECT ... ON CONFLICT per
 *   batch. A lost connection aborts the transaction on the server: nothing
 *   of the bundle stays.
 */
#include "pg_internal.h"

#include "ruhu/digest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANS_FLUSH ((size_t)8 << 20)

static const char *kind_name(enum store_bundle_kind k)
{
	return k == STORE_BUNDLE_RETURN ? "return" : "device";
}

static void i64(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
}

static char *col_dup(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

static const char *col(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* the interview row as text parameters $1..$11: uuid, form_hash,
 * household_key, enumerator, device, status, review_comment, revision,
 * created, updated, position (change_seq is this database's own) */
struct iv_params {
	char rev[24], created[24], updated[24];
	const char *v[12];
};

static void iv_params(struct iv_params *ip, const struct store_interview *iv)
{
	i64(ip->rev, iv->revision);
	i64(ip->created, iv->created);
	i64(ip->updated, iv->updated);
	ip->v[0] = iv->uuid;
	ip->v[1] = iv->form_hash;
	ip->v[2] = iv->household_key;
	ip->v[3] = iv->enumerator;
	ip->v[4] = iv->device;
	ip->v[5] = store_istatus_name(iv->status);
	ip->v[6] = iv->review_comment;
	ip->v[7] = ip->rev;
	ip->v[8] = ip->created;
	ip->v[9] = ip->updated;
	ip->v[10] = iv->position;
	ip->v[11] = NULL;
}

#define IV_UPSERT                                                                          \
	"INSERT INTO interview (uuid, form_hash, household_key, enumerator, device,"        \
	" status, review_comment, revision, change_seq, created, updated, position)"        \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, nextval('change_seq'),"           \
	" $9::bigint, $10::bigint, $11)"                                                    \
	" ON CONFLICT (uuid) DO UPDATE SET form_hash = excluded.form_hash,"                 \
	" household_key = excluded.household_key, enumerator = excluded.enumerator,"        \
	" device = excluded.device, status = excluded.status,"                              \
	" review_comment = excluded.review_comment, revision = excluded.revision,"          \
	" change_seq = excluded.change_seq, created = excluded.created,"                    \
	" updated = excluded.updated, position = excluded.position"

static void pend_drop(struct pg *pg)
{
	if (pg->has_pend)
		store_interview_release(&pg->pend);
	pg->has_pend = false;
}

/* Writes the pending interview row (replacing its answers: those buffered
 * for it go after it); with `dup_key`, in the same statement, flags it with
 * every other interview of that household (*added += new pairs), as
 * store_duplicates_flag: the statement's snapshot holds every interview but
 * this one, which the pair excludes anyway. */
static int pend_write(struct pg *pg, const char *dup_key, size_t *added, struct error *err)
{
	struct iv_params ip;
	PGresult *r;

	if (!pg->has_pend)
		return 0;
	iv_params(&ip, &pg->pend);
	ip.v[11] = dup_key;
	if (dup_key)
		r = pg_q(pg, PGRES_COMMAND_OK,
			 "WITH d AS (DELETE FROM answer WHERE interview = $1),"
			 " u AS (" IV_UPSERT " RETURNING 1)"
			 " INSERT INTO sync_duplicate (household_key, uuid_a, uuid_b)"
			 " SELECT $12, LEAST($1::text COLLATE \"C\", uuid),"
			 " GREATEST($1::text COLLATE \"C\", uuid)"
			 " FROM interview WHERE household_key = $12 AND uuid <> $1"
			 " ON CONFLICT DO NOTHING",
			 12, ip.v, err);
	else
		r = pg_q(pg, PGRES_COMMAND_OK,
			 "WITH d AS (DELETE FROM answer WHERE interview = $1) " IV_UPSERT, 11, ip.v,
			 err);
	pend_drop(pg);
	if (!r)
		return err ? -err->code : -STORE_E_INTERNAL;
	if (dup_key && added)
		*added += (size_t)atoll(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

static int flush_answers(struct pg *pg, struct error *err)
{
	int ret = pend_write(pg, NULL, NULL, err);

	if (ret < 0 || !pg->n_ans)
		return ret;
	ret = pg_copy(pg, "COPY answer (interview, path, value, special) FROM STDIN", &pg->ans,
		      err);
	strbuf_reset(&pg->ans);
	pg->n_ans = 0;
	return ret;
}

static int exists(struct pg *pg, const char *sql, const char *key, struct error *err)
{
	const char *p[1] = {key};
	PGresult *r = pg_q(pg, PGRES_TUPLES_OK, sql, 1, p, err);
	int n;

	if (!r)
		return -STORE_E_INTERNAL;
	n = PQntuples(r) > 0;
	PQclear(r);
	return n;
}

static const char *t_device_id(void *t)
{
	return pg_device_id(t);
}

static int t_form_known(void *t, const char *hash, struct error *err)
{
	return exists(t, "SELECT 1 FROM form WHERE hash = $1", hash, err);
}

static int t_interview_known(void *t, const char *uuid, struct error *err)
{
	return exists(t, "SELECT 1 FROM interview WHERE uuid = $1", uuid, err);
}

static int t_form_source(void *t, const char *hash, char **src, size_t *len,
			 struct error *err)
{
	struct pg *pg = t;
	const char *p[1] = {hash};
	PGresult *r = PQexecParams(pg->c, "SELECT source FROM form WHERE hash = $1", 1, NULL, p,
				   NULL, NULL, 1);
	size_t n;

	*src = NULL;
	*len = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int ret = pg_fail(pg, r, "form", err);

		PQclear(r);
		return ret;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		error_set(err, pg->name, "没有表单 %s", "no form %s", hash);
		if (err)
			err->code = STORE_E_NOTFOUND;
		return -STORE_E_NOTFOUND;
	}
	n = (size_t)PQgetlength(r, 0, 0);
	*src = xmalloc(n + 1);
	memcpy(*src, PQgetvalue(r, 0, 0), n);
	(*src)[n] = 0;
	*len = n;
	PQclear(r);
	return 0;
}

static int t_form_files(void *t, const char *hash, struct store_form_file **files, size_t *n,
			struct error *err)
{
	struct pg *pg = t;
	const char *p[1] = {hash};
	PGresult *r;
	int i, rows, known = t_form_known(t, hash, err);

	*files = NULL;
	*n = 0;
	if (known < 0)
		return known;
	if (!known) {
		error_set(err, pg->name, "没有表单 %s", "no form %s", hash);
		if (err)
			err->code = STORE_E_NOTFOUND;
		return -STORE_E_NOTFOUND;
	}
	r = PQexecParams(pg->c, "SELECT name, data FROM form_file WHERE form_hash = $1 ORDER BY name",
			 1, NULL, p, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int ret = pg_fail(pg, r, "form_file", err);

		PQclear(r);
		return ret;
	}
	rows = PQntuples(r);
	if (rows)
		*files = xcalloc((size_t)rows, sizeof(**files));
	for (i = 0; i < rows; i++) {
		size_t nl = (size_t)PQgetlength(r, i, 0), dl = (size_t)PQgetlength(r, i, 1);
		char *name = xmalloc(nl + 1), *data = xmalloc(dl + 1);

		memcpy(name, PQgetvalue(r, i, 0), nl);
		name[nl] = 0;
		memcpy(data, PQgetvalue(r, i, 1), dl);
		data[dl] = 0;
		(*files)[i].name = name;
		(*files)[i].data = data;
		(*files)[i].len = dl;
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

static int t_bundle_applied(void *t, const struct store_bundle_key *k, char **sha,
			    struct error *err)
{
	struct pg *pg = t;
	char seq[24];
	const char *p[4] = {k->device, kind_name(k->kind), k->for_device ? k->for_device : "", seq};
	PGresult *r;
	int ret;

	if (sha)
		*sha = NULL;
	i64(seq, k->sequence);
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT content_sha256 FROM sync_bundle WHERE device = $1 AND kind = $2"
		 " AND for_device = $3 AND sequence = $4::bigint",
		 4, p, err);
	if (!r)
		return -STORE_E_INTERNAL;
	ret = PQntuples(r) > 0;
	if (ret && sha)
		*sha = col_dup(r, 0, 0);
	PQclear(r);
	return ret;
}

static int t_begin(void *t, struct error *err)
{
	struct pg *pg = t;
	char sql[512];
	int ret;

	snprintf(sql, sizeof(sql),
		 "BEGIN; SELECT pg_advisory_xact_lock(%d, %d);"
		 " CREATE TEMP TABLE IF NOT EXISTS ev_stage (ord INTEGER, device TEXT COLLATE \"C\","
		 " seq BIGINT, interview TEXT, time BIGINT, kind TEXT, actor TEXT, path TEXT,"
		 " old_value TEXT, new_value TEXT, old_special TEXT, new_special TEXT, extra TEXT);"
		 " CREATE TEMP TABLE IF NOT EXISTS cm_stage (ord INTEGER, uuid TEXT, interview TEXT,"
		 " path TEXT, author TEXT, text TEXT, time BIGINT, device TEXT)",
		 PG_LOCK_CLASS, PG_LOCK_MERGE);
	{
		PGresult *r = PQexec(pg->c, sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			ret = pg_fail(pg, r, "begin", err);
			PQclear(r);
			PQclear(PQexec(pg->c, "ROLLBACK"));
			return ret;
		}
		PQclear(r);
	}
	pend_drop(pg);
	strbuf_reset(&pg->ans);
	pg->n_ans = 0;
	pg->tx = true;
	return 0;
}

static int t_commit(void *t, struct error *err)
{
	struct pg *pg = t;
	int ret = flush_answers(pg, err);

	if (ret == 0)
		ret = pg_x(pg, "COMMIT", 0, NULL, err);
	else
		PQclear(PQexec(pg->c, "ROLLBACK"));
	pg->tx = false;
	return ret;
}

static void t_rollback(void *t)
{
	struct pg *pg = t;

	pend_drop(pg);
	strbuf_reset(&pg->ans);
	pg->n_ans = 0;
	if (PQstatus(pg->c) == CONNECTION_OK)
		PQclear(PQexec(pg->c, "ROLLBACK"));
	pg->tx = false;
}

static int self_event(struct pg *pg, const char *kind, const char *new_value, const char *extra,
		      struct error *err)
{
	const char *p[4] = {pg->device, kind, new_value, extra};

	return pg_x(pg,
		    "INSERT INTO event (device, seq, time, kind, new_value, extra)"
		    " SELECT $1, COALESCE(MAX(seq), 0) + 1,"
		    " (extract(epoch FROM clock_timestamp()) * 1000)::bigint, $2, $3, $4"
		    " FROM event WHERE device = $1",
		    4, p, err);
}

static int t_put_form(void *t, const char *hash, const char *form_id, const char *version,
		      const char *title, const char *source, size_t len,
		      const struct store_form_file *files, size_t n_files, struct error *err)
{
	struct pg *pg = t;
	const char *p[5] = {hash, form_id ? form_id : "", version ? version : "", title ? title : "",
			    len ? source : ""};
	int lens[5] = {0, 0, 0, 0, (int)len};
	int fmts[5] = {0, 0, 0, 0, 1};
	PGresult *r;
	size_t i;
	int added, ret = pend_write(pg, NULL, NULL, err);

	if (ret < 0)
		return ret;
	r = PQexecParams(pg->c,
			 "INSERT INTO form (hash, form_id, version, title, source, added)"
			 " VALUES ($1, $2, $3, $4, $5,"
			 " (extract(epoch FROM clock_timestamp()) * 1000)::bigint)"
			 " ON CONFLICT (hash) DO NOTHING",
			 5, NULL, p, lens, fmts, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		ret = pg_fail(pg, r, "form", err);
		PQclear(r);
		return ret;
	}
	added = !strcmp(PQcmdTuples(r), "1");
	PQclear(r);
	if (!added)
		return 0;
	for (i = 0; i < n_files; i++) {
		char hex[65];
		const char *fp[4] = {hash, files[i].name, hex, files[i].len ? files[i].data : ""};
		int fl[4] = {0, 0, 0, (int)files[i].len};
		int ff[4] = {0, 0, 0, 1};

		digest_sha256_hex(files[i].data ? files[i].data : "", files[i].len, hex);
		r = PQexecParams(pg->c,
				 "INSERT INTO form_file (form_hash, name, sha256, data)"
				 " VALUES ($1, $2, $3, $4)",
				 4, NULL, fp, fl, ff, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			ret = pg_fail(pg, r, "form_file", err);
			PQclear(r);
			return ret;
		}
		PQclear(r);
	}
	return self_event(pg, "form_add", hash, form_id, err);
}

static int t_put_assignments(void *t, const struct store_assignment *a, size_t n,
			     struct error *err)
{
	struct pg *pg = t;

	error_set(err, pg->name, "PostgreSQL 上的团队数据库不接收返回数据包",
		  "a team database on PostgreSQL takes no return bundles");
	if (err)
		err->code = STORE_E_INVALID;
	return -STORE_E_INVALID;
}

/* a text[] literal of `v` */
static void array_lit(struct strbuf *sb, const char *const *v, size_t n)
{
	size_t i;
	const char *p;

	strbuf_addch(sb, '{');
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, '"');
		for (p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addch(sb, '\\');
			strbuf_addch(sb, *p);
		}
		strbuf_addch(sb, '"');
	}
	strbuf_addch(sb, '}');
}

static int t_revisions(void *t, const char *const *uuids, size_t n, int64_t *rev,
		       struct error *err)
{
	struct pg *pg = t;
	struct strbuf sb = STRBUF_INIT;
	const char *p[1];
	PGresult *r;
	int i, rows;

	for (i = 0; (size_t)i < n; i++)
		rev[i] = 0;
	if (pend_write(pg, NULL, NULL, err) < 0)
		return -STORE_E_INTERNAL;
	if (!n)
		return 0;
	array_lit(&sb, uuids, n);
	p[0] = sb.buf;
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT u.i, iv.revision FROM unnest($1::text[]) WITH ORDINALITY AS u(uuid, i)"
		 " JOIN interview iv ON iv.uuid = u.uuid",
		 1, p, err);
	strbuf_release(&sb);
	if (!r)
		return -STORE_E_INTERNAL;
	rows = PQntuples(r);
	for (i = 0; i < rows; i++) {
		long long k = atoll(PQgetvalue(r, i, 0));

		if (k >= 1 && (size_t)k <= n)
			rev[k - 1] = atoll(PQgetvalue(r, i, 1));
	}
	PQclear(r);
	return 0;
}

static enum store_special special_of(const PGresult *r, int row, int c)
{
	int sp = store_special_parse(col(r, row, c));

	return sp < 0 ? STORE_SPECIAL_NONE : (enum store_special)sp;
}

static int t_load(void *t, const char *uuid, struct store_loaded **out, struct error *err)
{
	struct pg *pg = t;
	const char *p[1] = {uuid};
	struct store_loaded *l;
	PGresult *r;
	int i, rows, st;

	*out = NULL;
	if (flush_answers(pg, err) < 0)
		return -STORE_E_INTERNAL;
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT uuid, form_hash, household_key, enumerator, device, status,"
		 " review_comment, revision, change_seq, created, updated, position"
		 " FROM interview WHERE uuid = $1",
		 1, p, err);
	if (!r)
		return -STORE_E_INTERNAL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		error_set(err, pg->name, "没有访问 %s", "no interview %s", uuid);
		if (err)
			err->code = STORE_E_NOTFOUND;
		return -STORE_E_NOTFOUND;
	}
	l = xcalloc(1, sizeof(*l));
	snprintf(l->iv.uuid, sizeof(l->iv.uuid), "%s", PQgetvalue(r, 0, 0));
	l->iv.form_hash = col_dup(r, 0, 1);
	l->iv.household_key = col_dup(r, 0, 2);
	l->iv.enumerator = col_dup(r, 0, 3);
	l->iv.device = col_dup(r, 0, 4);
	st = store_istatus_parse(PQgetvalue(r, 0, 5));
	l->iv.status = st < 0 ? STORE_IN_PROGRESS : (enum store_istatus)st;
	l->iv.review_comment = col_dup(r, 0, 6);
	l->iv.revision = atoll(PQgetvalue(r, 0, 7));
	l->iv.change_seq = atoll(PQgetvalue(r, 0, 8));
	l->iv.created = atoll(PQgetvalue(r, 0, 9));
	l->iv.updated = atoll(PQgetvalue(r, 0, 10));
	l->iv.position = col_dup(r, 0, 11);
	PQclear(r);
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT path, value, special FROM answer WHERE interview = $1 ORDER BY path", 1, p,
		 err);
	if (!r) {
		store_loaded_free(l);
		return -STORE_E_INTERNAL;
	}
	rows = PQntuples(r);
	if (rows)
		l->answers = xcalloc((size_t)rows, sizeof(*l->answers));
	for (i = 0; i < rows; i++) {
		l->answers[i].path = col_dup(r, i, 0);
		l->answers[i].value = col_dup(r, i, 1);
		l->answers[i].special = special_of(r, i, 2);
	}
	l->n_answers = (size_t)rows;
	PQclear(r);
	*out = l;
	return 0;
}

static int t_put_interview(void *t, const struct store_interview *iv, const struct store_answer *a,
			   size_t n, struct error *err)
{
	struct pg *pg = t;
	size_t i;
	int ret = pend_write(pg, NULL, NULL, err);

	if (ret < 0)
		return ret;
	/* the row waits for record_duplicates (one round trip for both) */
	pg->pend = *iv;
	pg->pend.form_hash = xstrdup(iv->form_hash);
	pg->pend.household_key = xstrdup(iv->household_key);
	pg->pend.enumerator = xstrdup(iv->enumerator);
	pg->pend.device = xstrdup(iv->device);
	pg->pend.review_comment = xstrdup(iv->review_comment);
	pg->pend.position = xstrdup(iv->position);
	pg->has_pend = true;
	for (i = 0; i < n; i++) {
		pg_copy_field(&pg->ans, iv->uuid, '\t');
		pg_copy_field(&pg->ans, a[i].path, '\t');
		pg_copy_field(&pg->ans, a[i].value, '\t');
		pg_copy_field(&pg->ans, store_special_name(a[i].special), '\n');
		pg->n_ans++;
	}
	if (pg->ans.len >= ANS_FLUSH)
		return flush_answers(pg, err);
	return 0;
}

/* ---- events ------------------------------------------------------------------ */

struct ev_params {
	char seq[24], time[24];
	const char *v[13];
};

static void ev_params(struct ev_params *ep, const struct store_event *ev, const char *hash)
{
	i64(ep->seq, ev->seq);
	i64(ep->time, ev->time);
	ep->v[0] = ev->device;
	ep->v[1] = ep->seq;
	ep->v[2] = ev->interview;
	ep->v[3] = ep->time;
	ep->v[4] = ev->kind;
	ep->v[5] = ev->actor;
	ep->v[6] = ev->path;
	ep->v[7] = ev->old_value;
	ep->v[8] = ev->new_value;
	ep->v[9] = store_special_name(ev->old_special);
	ep->v[10] = store_special_name(ev->new_special);
	ep->v[11] = ev->extra;
	ep->v[12] = hash;
}

static bool streq_null(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool event_same(const struct store_event *a, const struct store_event *b)
{
	return streq_null(a->interview, b->interview) && a->time == b->time &&
	       streq_null(a->kind, b->kind) && streq_null(a->actor, b->actor) &&
	       streq_null(a->path, b->path) && streq_null(a->old_value, b->old_value) &&
	       streq_null(a->new_value, b->new_value) && a->old_special == b->old_special &&
	       a->new_special == b->new_special && streq_null(a->extra, b->extra);
}

/* 1 when event ev was set aside in event_clash now, 0 when it was already */
static int clash_add(struct pg *pg, const struct store_event *ev, const char *hash,
		     struct error *err)
{
	struct ev_params ep;
	PGresult *r;
	int ret;

	ev_params(&ep, ev, hash);
	r = pg_q(pg, PGRES_COMMAND_OK,
		 "INSERT INTO event_clash (device, seq, hash, interview, time, kind, actor, path,"
		 " old_value, new_value, old_special, new_special, extra)"
		 " VALUES ($1, $2::bigint, $13, $3, $4::bigint, $5, $6, $7, $8, $9, $10, $11, $12)"
		 " ON CONFLICT (device, seq, hash) DO NOTHING",
		 13, ep.v, err);
	if (!r)
		return -STORE_E_INTERNAL;
	ret = !strcmp(PQcmdTuples(r), "1");
	PQclear(r);
	return ret;
}

/* The stored event `old` holds (device, seq) of `ev`: as store_event_insert,
 * MERGE_EVENT_KNOWN or MERGE_EVENT_CLASH (the version with the smaller hash
 * stays in `event`, the other goes to event_clash). */
static int collide(struct pg *pg, const struct store_event *ev, const struct store_event *old,
		   struct error *err)
{
	char h_old[65], h_new[65];
	struct ev_params ep;
	int ret;

	if (event_same(old, ev))
		return MERGE_EVENT_KNOWN;
	store_event_hash(old, h_old);
	store_event_hash(ev, h_new);
	if (strcmp(h_new, h_old) >= 0) {
		ret = clash_add(pg, ev, h_new, err);
		return ret < 0 ? ret : ret ? MERGE_EVENT_CLASH : MERGE_EVENT_KNOWN;
	}
	ret = clash_add(pg, old, h_old, err);
	if (ret < 0)
		return ret;
	ev_params(&ep, ev, NULL);
	ret = pg_x(pg,
		   "UPDATE event SET interview = $3, time = $4::bigint, kind = $5, actor = $6,"
		   " path = $7, old_value = $8, new_value = $9, old_special = $10,"
		   " new_special = $11, extra = $12 WHERE device = $1 AND seq = $2::bigint",
		   12, ep.v, err);
	return ret < 0 ? ret : MERGE_EVENT_CLASH;
}

#define EV_COLS "interview, time, kind, actor, path, old_value, new_value, old_special, new_special, extra"

/* row r of a result whose columns c0.. are EV_COLS, as an event of (device, seq) */
static void event_of(struct store_event *e, const PGresult *r, int row, int c0,
		     const struct store_event *key)
{
	memset(e, 0, sizeof(*e));
	e->device = key->device;
	e->seq = key->seq;
	e->interview = (char *)col(r, row, c0);
	e->time = atoll(PQgetvalue(r, row, c0 + 1));
	e->kind = (char *)col(r, row, c0 + 2);
	e->actor = (char *)col(r, row, c0 + 3);
	e->path = (char *)col(r, row, c0 + 4);
	e->old_value = (char *)col(r, row, c0 + 5);
	e->new_value = (char *)col(r, row, c0 + 6);
	e->old_special = special_of(r, row, c0 + 7);
	e->new_special = special_of(r, row, c0 + 8);
	e->extra = (char *)col(r, row, c0 + 9);
}

static int collide_stored(struct pg *pg, const struct store_event *ev, struct error *err)
{
	struct ev_params ep;
	struct store_event old;
	PGresult *r;
	int ret;

	ev_params(&ep, ev, NULL);
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "SELECT " EV_COLS " FROM event WHERE device = $1 AND seq = $2::bigint", 2, ep.v,
		 err);
	if (!r)
		return -STORE_E_INTERNAL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return MERGE_EVENT_NEW; /* cannot happen: it was inserted before */
	}
	event_of(&old, r, 0, 0, ev);
	ret = collide(pg, ev, &old, err);
	PQclear(r);
	return ret;
}

static int t_put_events(void *t, const struct store_event *ev, size_t n,
			size_t counts[MERGE_EVENT_NOUTCOMES], struct error *err)
{
	struct pg *pg = t;
	struct strbuf sb = STRBUF_INIT;
	PGresult *r;
	size_t i;
	int ret, rows, k;

	if (!n)
		return 0;
	ret = pend_write(pg, NULL, NULL, err);
	if (ret == 0)
		ret = pg_x(pg, "TRUNCATE ev_stage", 0, NULL, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		char num[24];

		snprintf(num, sizeof(num), "%zu", i);
		pg_copy_field(&sb, num, '\t');
		pg_copy_field(&sb, ev[i].device, '\t');
		i64(num, ev[i].seq);
		pg_copy_field(&sb, num, '\t');
		pg_copy_field(&sb, ev[i].interview, '\t');
		i64(num, ev[i].time);
		pg_copy_field(&sb, num, '\t');
		pg_copy_field(&sb, ev[i].kind, '\t');
		pg_copy_field(&sb, ev[i].actor, '\t');
		pg_copy_field(&sb, ev[i].path, '\t');
		pg_copy_field(&sb, ev[i].old_value, '\t');
		pg_copy_field(&sb, ev[i].new_value, '\t');
		pg_copy_field(&sb, store_special_name(ev[i].old_special), '\t');
		pg_copy_field(&sb, store_special_name(ev[i].new_special), '\t');
		pg_copy_field(&sb, ev[i].extra, '\n');
	}
	ret = pg_copy(pg, "COPY ev_stage FROM STDIN", &sb, err);
	strbuf_release(&sb);
	if (ret < 0)
		return ret;
	/* In one statement: every event whose (device, seq) is free goes in (of
	 * a key repeated in the batch, the first); the others come back, in
	 * order. The merge lock keeps every other writer out, so the anti-join
	 * on the statement's snapshot is exact (and cheaper than ON CONFLICT's
	 * speculative insertion). */
	r = pg_q(pg, PGRES_TUPLES_OK,
		 "WITH f AS (SELECT * FROM (SELECT DISTINCT ON (device, seq) * FROM ev_stage"
		 " ORDER BY device, seq, ord) d WHERE NOT EXISTS (SELECT 1 FROM event e"
		 " WHERE e.device = d.device AND e.seq = d.seq)),"
		 " ins AS (INSERT INTO event (device, seq, " EV_COLS ")"
		 " SELECT device, seq, " EV_COLS " FROM f ORDER BY ord RETURNING 1)"
		 " SELECT s.ord FROM ev_stage s WHERE NOT EXISTS (SELECT 1 FROM f WHERE f.ord = s.ord)"
		 " ORDER BY s.ord",
		 0, NULL, err);
	if (!r)
		return -STORE_E_INTERNAL;
	rows = PQntuples(r);
	counts[MERGE_EVENT_NEW] += n - (size_t)rows;
	/* the rest meet the stored event one at a time, as in the store (a
	 * clash may replace it before a later one of the same key) */
	for (k = 0; k < rows; k++) {
		size_t o = (size_t)atoll(PQgetvalue(r, k, 0));

		if (o >= n)
			continue;
		ret = collide_stored(pg, &ev[o], err);
		if (ret < 0) {
			PQclear(r);
			return ret;
		}
		counts[ret]++;
	}
	PQclear(r);
	return 0;
}

static int t_put_comments(void *t, const struct store_comment *c, size_t n, size_t *added,
			  struct error *err)
{
	struct pg *pg = t;
	struct strbuf sb = STRBUF_INIT;
	PGresult *r;
	size_t i;
	int ret;

	if (!n)
		return 0;
	ret = pend_write(pg, NULL, NULL, err);
	if (ret == 0)
		ret = pg_x(pg, "TRUNCATE cm_stage", 0, NULL, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		char num[24];

		snprintf(num, sizeof(num), "%zu", i);
		pg_copy_field(&sb, num, '\t');
		pg_copy_field(&sb, c[i].uuid, '\t');
		pg_copy_field(&sb, c[i].interview, '\t');
		pg_copy_field(&sb, c[i].path, '\t');
		pg_copy_field(&sb, c[i].author, '\t');
		pg_copy_field(&sb, c[i].text, '\t');
		i64(num, c[i].time);
		pg_copy_field(&sb, num, '\t');
		pg_copy_field(&sb, c[i].device, '\n');
	}
	ret = pg_copy(pg, "COPY cm_stage FROM STDIN", &sb, err);
	strbuf_release(&sb);
	if (ret < 0)
		return ret;
	r = pg_q(pg, PGRES_COMMAND_OK,
		 "INSERT INTO comment (uuid, interview, path, author, text, time, device)"
		 " SELECT uuid, interview, path, author, text, time, device FROM cm_stage"
		 " ORDER BY ord ON CONFLICT (uuid) DO NOTHING",
		 0, NULL, err);
	if (!r)
		return -STORE_E_INTERNAL;
	*added += (size_t)atoll(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

static int t_record_conflict(void *t, const struct store_interview *iv,
			     const struct store_answer *a, size_t n, const char *hash,
			     struct error *err)
{
	struct pg *pg = t;
	struct iv_params ip;
	PGresult *r;
	size_t i;
	int added, ret;

	if (pend_write(pg, NULL, NULL, err) < 0)
		return -STORE_E_INTERNAL;
	iv_params(&ip, iv);
	ip.v[11] = hash;
	r = pg_q(pg, PGRES_COMMAND_OK,
		 "INSERT INTO sync_conflict (uuid, revision, content_sha256, form_hash,"
		 " household_key, enumerator, device, status, created, updated, position,"
		 " review_comment) VALUES ($1, $8::bigint, $12, $2, $3, $4, $5, $6,"
		 " $9::bigint, $10::bigint, $11, $7) ON CONFLICT DO NOTHING",
		 12, ip.v, err);
	if (!r)
		return -STORE_E_INTERNAL;
	added = !strcmp(PQcmdTuples(r), "1");
	PQclear(r);
	if (!added)
		return 0;
	for (i = 0; i < n; i++) {
		const char *q[6] = {iv->uuid, ip.rev, hash, a[i].path, a[i].value,
				    store_special_name(a[i].special)};

		ret = pg_x(pg,
			   "INSERT INTO sync_conflict_answer (uuid, revision, content_sha256, path,"
			   " value, special) VALUES ($1, $2::bigint, $3, $4, $5, $6)",
			   6, q, err);
		if (ret < 0)
			return ret;
	}
	return 1;
}

static int t_record_duplicates(void *t, const char *uuid, const char *household_key,
			       size_t *added, struct error *err)
{
	struct pg *pg = t;
	const char *p[2] = {household_key, uuid};
	PGresult *r;

	if (pg->has_pend && !strcmp(pg->pend.uuid, uuid))
		return pend_write(pg, household_key, added, err);
	if (pend_write(pg, NULL, NULL, err) < 0)
		return -STORE_E_INTERNAL;
	if (!household_key)
		return 0;
	r = pg_q(pg, PGRES_COMMAND_OK,
		 "INSERT INTO sync_duplicate (household_key, uuid_a, uuid_b)"
		 " SELECT $1, LEAST($2::text COLLATE \"C\", uuid), GREATEST($2::text COLLATE \"C\", uuid)"
		 " FROM interview WHERE household_key = $1 AND uuid <> $2"
		 " ON CONFLICT DO NOTHING",
		 2, p, err);
	if (!r)
		return -STORE_E_INTERNAL;
	*added += (size_t)atoll(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

static int t_record_bundle(void *t, const struct store_bundle_record *rec, struct error *err)
{
	struct pg *pg = t;
	char seq[24], c[5][24];
	const char *p[12];
	int ret = flush_answers(pg, err);

	if (ret < 0)
		return ret;
	i64(seq, rec->key.sequence);
	i64(c[0], (int64_t)rec->iv_new);
	i64(c[1], (int64_t)rec->iv_updated);
	i64(c[2], (int64_t)rec->iv_unchanged);
	i64(c[3], (int64_t)rec->conflicts);
	i64(c[4], (int64_t)rec->duplicates);
	p[0] = rec->key.device;
	p[1] = kind_name(rec->key.kind);
	p[2] = rec->key.for_device ? rec->key.for_device : "";
	p[3] = seq;
	p[4] = rec->content_sha256;
	p[5] = rec->created;
	p[6] = rec->file;
	p[7] = c[0];
	p[8] = c[1];
	p[9] = c[2];
	p[10] = c[3];
	p[11] = c[4];
	return pg_x(pg,
		    "INSERT INTO sync_bundle (device, kind, for_device, sequence, content_sha256,"
		    " created, file, merged, iv_new, iv_updated, iv_unchanged, conflicts, duplicates)"
		    " VALUES ($1, $2, $3, $4::bigint, $5, $6, $7,"
		    " (extract(epoch FROM clock_timestamp()) * 1000)::bigint,"
		    " $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::bigint)",
		    12, p, err);
}

static const struct merge_target_ops pg_ops = {
	.device_id = t_device_id,
	.form_known = t_form_known,
	.interview_known = t_interview_known,
	.form_source = t_form_source,
	.form_files = t_form_files,
	.bundle_applied = t_bundle_applied,
	.begin = t_begin,
	.commit = t_commit,
	.rollback = t_rollback,
	.put_form = t_put_form,
	.put_assignments = t_put_assignments,
	.revisions = t_revisions,
	.load = t_load,
	.put_interview = t_put_interview,
	.put_events = t_put_events,
	.put_comments = t_put_comments,
	.record_conflict = t_record_conflict,
	.record_duplicates = t_record_duplicates,
	.record_bundle = t_record_bundle,
};

struct merge_target pg_merge_target(struct pg *pg)
{
	struct merge_target m = {&pg_ops, pg};

	return m;
}
