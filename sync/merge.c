/*
 * merge — applies a verified bundle to a database in one transaction.
 * The rules are in include/ruhu/merge.h; the format in docs/bundle.md.
 *
 * Two reads of the bundle: `check` (no writes; verifies the file and every
 * reference against the bundle and the database) and `apply` (inside
 * store_tx_begin; rolled back on any failure). Interviews are decided one at
 * a time when their group of answers ends, so memory holds the interview rows
 * of one bundle and the answers of one interview.
 */
#include "ruhu/merge.h"

#include "ruhu/digest.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a string -> index map (open addressing) -------------------------------- */

struct smap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t shash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void smap_free(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Index of key, or -1. */
static long smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return -1;
	for (i = shash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			return (long)m->vals[i];
	return -1;
}

/* Adds key -> val; returns 0, or -1 when key was present. */
static int smap_put(struct smap *m, const char *key, size_t val)
{
	size_t i;

	if (smap_get(m, key) >= 0)
		return -1;
	if ((m->n + 1) * 2 > m->cap) {
		struct smap b = {0};
		size_t j;

		b.cap = m->cap ? m->cap * 2 : 64;
		b.keys = xcalloc(b.cap, sizeof(char *));
		b.vals = xcalloc(b.cap, sizeof(size_t));
		for (j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			for (i = shash(m->keys[j]) & (b.cap - 1); b.keys[i]; i = (i + 1) & (b.cap - 1))
				;
			b.keys[i] = m->keys[j];
			b.vals[i] = m->vals[j];
		}
		b.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = b;
	}
	for (i = shash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
	return 0;
}

/* ---- bookkeeping schema ------------------------------------------------------- */

const char sync_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS sync_bundle (\n"
	"  device TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('device', 'return')),\n"
	"  for_device TEXT NOT NULL DEFAULT '',\n"
	"  sequence INTEGER NOT NULL,\n"
	"  content_sha256 TEXT NOT NULL,\n"
	"  created TEXT NOT NULL,\n"
	"  file TEXT NOT NULL,\n"
	"  merged INTEGER NOT NULL,\n"
	"  iv_new INTEGER NOT NULL, iv_updated INTEGER NOT NULL, iv_unchanged INTEGER NOT NULL,\n"
	"  conflicts INTEGER NOT NULL, duplicates INTEGER NOT NULL,\n"
	"  PRIMARY KEY (device, kind, for_device, sequence)\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS sync_export (\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('device', 'return')),\n"
	"  target TEXT NOT NULL DEFAULT '',\n"
	"  sequence INTEGER NOT NULL,\n"
	"  change_seq INTEGER NOT NULL,\n"
	"  file TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  interviews INTEGER NOT NULL,\n"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'done')),\n"
	"  PRIMARY KEY (kind, target, sequence)\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS sync_conflict (\n"
	"  uuid TEXT NOT NULL,\n"
	"  revision INTEGER NOT NULL,\n"
	"  content_sha256 TEXT NOT NULL,\n"
	"  form_hash TEXT NOT NULL,\n"
	"  household_key TEXT,\n"
	"  enumerator TEXT,\n"
	"  device TEXT NOT NULL,\n"
	"  status TEXT NOT NULL,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL,\n"
	"  position TEXT,\n"
	"  review_comment TEXT,\n"
	"  PRIMARY KEY (uuid, revision, content_sha256)\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS sync_conflict_answer (\n"
	"  uuid TEXT NOT NULL,\n"
	"  revision INTEGER NOT NULL,\n"
	"  content_sha256 TEXT NOT NULL,\n"
	"  path TEXT NOT NULL,\n"
	"  value TEXT,\n"
	"  special TEXT,\n"
	"  PRIMARY KEY (uuid, revision, content_sha256, path)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS sync_duplicate (\n"
	"  household_key TEXT NOT NULL,\n"
	"  uuid_a TEXT NOT NULL,\n"
	"  uuid_b TEXT NOT NULL CHECK (uuid_a < uuid_b),\n"
	"  PRIMARY KEY (household_key, uuid_a, uuid_b)\n"
	");\n";

static int sql_fail(struct store *s, struct error *err)
{
	sqlite3 *db = store_sqlite(s);

	error_set(err, store_path(s), "数据库错误：%s", "database error: %s", sqlite3_errmsg(db));
	return -1;
}

int sync_schema_ensure(struct store *s, struct error *err)
{
	if (sqlite3_exec(store_sqlite(s), sync_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(s, err);
	return 0;
}

/* Whether the bookkeeping tables exist (a read-only check). */
static bool sync_schema_present(struct store *s)
{
	sqlite3_stmt *q = NULL;
	bool yes = false;

	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT 1 FROM sqlite_master WHERE name = 'sync_bundle'", -1, &q,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		yes = true;
	sqlite3_finalize(q);
	return yes;
}

static int prep(struct store *s, const char *sql, sqlite3_stmt **q, struct error *err)
{
	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, q, NULL) != SQLITE_OK)
		return sql_fail(s, err);
	return 0;
}

static void bind_str(sqlite3_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

/* ---- field parsing -------------------------------------------------------------- */

static int parse_i64(const char *s, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;

	if (!s || !*s)
		return -1;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s || strlen(s) > 18)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

static int parse_status(const char *s)
{
	int i;

	for (i = 0; s && i < STORE_ISTATUS_COUNT; i++)
		if (!strcmp(s, store_istatus_name((enum store_istatus)i)))
			return i;
	return -1;
}

/* STORE_SPECIAL_* for NULL / "dont_know" / "refused", else -1 */
static int parse_special(const char *s)
{
	if (!s)
		return STORE_SPECIAL_NONE;
	if (!strcmp(s, "dont_know"))
		return STORE_SPECIAL_DONT_KNOW;
	if (!strcmp(s, "refused"))
		return STORE_SPECIAL_REFUSED;
	return -1;
}

/* ---- content hash of an interview version ------------------------------------ */

static int cmp_answer(const void *a, const void *b)
{
	const struct store_answer *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static void hash_str(struct digest *d, const char *v)
{
	if (v)
		digest_update(d, v, strlen(v) + 1);
	else
		digest_update(d, "\x01", 1); /* NULL differs from every string */
}

/*
 * SHA-256 over what makes two versions of one revision "the same content":
 * form, household, status, review comment and the answers sorted by path.
 * (Position and times are paradata, not content.) Sorts `a` in place.
 */
static void content_hash(const struct store_interview *iv, struct store_answer *a, size_t n,
			 char hex[65])
{
	struct digest d;
	unsigned char h[32];
	size_t i;

	qsort(a, n, sizeof(*a), cmp_answer);
	digest_init(&d, DIGEST_SHA256);
	hash_str(&d, iv->form_hash);
	hash_str(&d, iv->household_key);
	hash_str(&d, store_istatus_name(iv->status));
	hash_str(&d, iv->review_comment);
	for (i = 0; i < n; i++) {
		hash_str(&d, a[i].path);
		hash_str(&d, a[i].value);
		hash_str(&d, store_special_name(a[i].special));
	}
	digest_final(&d, h);
	digest_to_hex(h, 32, hex);
}

/* ---- the two passes ------------------------------------------------------------ */

struct mctx {
	struct store *s;
	bool import;
	bool apply;
	const char *path;
	struct merge_stats *st;
	merge_progress_cb progress;
	void *pctx;
	size_t total, done;

	sqlite3_stmt *q_form, *q_iv; /* existence checks */
	sqlite3_stmt *q_dup_sel, *q_dup_ins;

	struct smap forms;  /* hashes of the bundle's forms */
	struct smap ivs;    /* uuid -> index in iv[] */
	struct smap akeys;  /* assignment keys */
	long last_group;    /* index of the interview whose answers are being read */

	/* apply */
	struct store_interview *iv;
	size_t n_iv, cap_iv, next_iv;
	struct store_answer *ans;
	size_t n_ans, cap_ans;
	struct store_assignment *asg;
	size_t n_asg, cap_asg;
	struct store_field **pre; /* preload per assignment */
	size_t *n_pre;
	bool asg_done;
};

static int exists(sqlite3_stmt *q, const char *key)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_ROW;
}

static int bad(struct error *err, const char *zh, const char *en, ...)
	RUHU_PRINTF2(2, 3, 4);
static int bad(struct error *err, const char *zh, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, NULL, zh, en, ap);
	va_end(ap);
	return -1;
}

static int on_manifest(void *ctx, const struct bundle_manifest *m, struct error *err)
{
	struct mctx *c = ctx;

	c->total = 0;
	for (int i = 0; i < BS_COUNT; i++)
		c->total += m->rows[i];
	if (c->import && m->kind != BUNDLE_RETURN)
		return bad(err, "这是设备数据包，请用 `ruhu merge` 合并",
			   "this is a device bundle: merge it with `ruhu merge`");
	if (!c->import && m->kind != BUNDLE_DEVICE)
		return bad(err, "这是返回数据包，请在设备上用 `ruhu import` 导入",
			   "this is a return bundle: apply it on the device with `ruhu import`");
	if (c->import && strcmp(m->for_device, store_device_id(c->s)))
		return bad(err, "数据包是给设备 '%s' 的，不是本设备 '%s'",
			   "bundle is for device '%s', not this device '%s'", m->for_device,
			   store_device_id(c->s));
	if (!c->import && (m->rows[BS_ASSIGNMENTS] || m->rows[BS_PRELOAD]))
		return bad(err, "设备数据包不应含有样本分配", "a device bundle must not carry assignments");
	return 0;
}

static void free_answers(struct mctx *c)
{
	size_t i;

	for (i = 0; i < c->n_ans; i++) {
		free(c->ans[i].path);
		free(c->ans[i].value);
	}
	c->n_ans = 0;
}

/* Records one version of a conflicting interview (idempotent). Returns 1
 * when it was new, 0 when known, -1 on error. */
static int conflict_keep(struct mctx *c, const struct store_interview *iv,
			 const struct store_answer *a, size_t n, const char *hash,
			 struct error *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1, rc;
	size_t i;

	if (prep(c->s,
		 "INSERT OR IGNORE INTO sync_conflict (uuid, revision, content_sha256, form_hash, "
		 "household_key, enumerator, device, status, created, updated, position, "
		 "review_comment) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
		 &q, err) < 0)
		goto done;
	bind_str(q, 1, iv->uuid);
	sqlite3_bind_int64(q, 2, iv->revision);
	bind_str(q, 3, hash);
	bind_str(q, 4, iv->form_hash);
	bind_str(q, 5, iv->household_key);
	bind_str(q, 6, iv->enumerator);
	bind_str(q, 7, iv->device);
	bind_str(q, 8, store_istatus_name(iv->status));
	sqlite3_bind_int64(q, 9, iv->created);
	sqlite3_bind_int64(q, 10, iv->updated);
	bind_str(q, 11, iv->position);
	bind_str(q, 12, iv->review_comment);
	if (sqlite3_step(q) != SQLITE_DONE) {
		sql_fail(c->s, err);
		goto done;
	}
	if (sqlite3_changes(store_sqlite(c->s)) == 0) {
		ret = 0;
		goto done;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (prep(c->s,
		 "INSERT INTO sync_conflict_answer (uuid, revision, content_sha256, path, value, "
		 "special) VALUES (?1,?2,?3,?4,?5,?6)",
		 &q, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		sqlite3_reset(q);
		bind_str(q, 1, iv->uuid);
		sqlite3_bind_int64(q, 2, iv->revision);
		bind_str(q, 3, hash);
		bind_str(q, 4, a[i].path);
		bind_str(q, 5, a[i].value);
		bind_str(q, 6, store_special_name(a[i].special));
		rc = sqlite3_step(q);
		if (rc != SQLITE_DONE) {
			sql_fail(c->s, err);
			goto done;
		}
	}
	ret = 1;
done:
	sqlite3_finalize(q);
	return ret;
}

/* Flags every other interview of the same household as a duplicate pair. */
static int flag_duplicates(struct mctx *c, const char *uuid, const char *key, struct error *err)
{
	sqlite3_stmt *q, *ins;
	int rc;

	if (!key)
		return 0;
	if (!c->q_dup_sel &&
	    (prep(c->s, "SELECT uuid FROM interview WHERE household_key = ?1 AND uuid <> ?2",
		  &c->q_dup_sel, err) < 0 ||
	     prep(c->s,
		  "INSERT OR IGNORE INTO sync_duplicate (household_key, uuid_a, uuid_b) "
		  "VALUES (?1, min(?2, ?3), max(?2, ?3))",
		  &c->q_dup_ins, err) < 0))
		return -1;
	q = c->q_dup_sel;
	ins = c->q_dup_ins;
	sqlite3_reset(q);
	bind_str(q, 1, key);
	bind_str(q, 2, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite3_reset(ins);
		bind_str(ins, 1, key);
		bind_str(ins, 2, uuid);
		bind_str(ins, 3, (const char *)sqlite3_column_text(q, 0));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			sqlite3_reset(q);
			return sql_fail(c->s, err);
		}
		c->st->duplicates += (size_t)sqlite3_changes(store_sqlite(c->s));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sql_fail(c->s, err);
	return 0;
}

/* Decides and applies one incoming interview with its answers c->ans. */
static int apply_interview(struct mctx *c, const struct store_interview *in, struct error *err)
{
	struct store_interview row;
	struct store_loaded *cur = NULL;
	char h_in[65], h_cur[65];
	int rc, ret = -1;
	bool take = false, have_row = false;

	/* the row alone decides most cases; answers and hashes only matter
	 * for an equal revision */
	rc = store_interview_get(c->s, in->uuid, &row, err);
	if (rc < 0 && err && err->code == STORE_E_NOTFOUND) {
		error_clear(err);
		take = true;
		c->st->iv_new++;
	} else if (rc < 0) {
		goto done;
	} else if ((have_row = true, in->revision > row.revision)) {
		take = true;
		c->st->iv_updated++;
	} else if (in->revision < row.revision) {
		c->st->iv_unchanged++;
	} else {
		if (store_interview_load(c->s, in->uuid, &cur, err) < 0)
			goto done;
		content_hash(in, c->ans, c->n_ans, h_in);
		content_hash(&cur->iv, cur->answers, cur->n_answers, h_cur);
		if (!strcmp(h_in, h_cur)) {
			c->st->iv_unchanged++;
		} else {
			int k1 = conflict_keep(c, &cur->iv, cur->answers, cur->n_answers, h_cur, err);
			int k2 = k1 < 0 ? -1 : conflict_keep(c, in, c->ans, c->n_ans, h_in, err);

			if (k2 < 0)
				goto done;
			if (k2 > 0)
				c->st->conflicts++;
			/* the smallest hash holds the row: independent of merge order */
			if (strcmp(h_in, h_cur) < 0) {
				take = true;
				c->st->iv_updated++;
			} else {
				c->st->iv_unchanged++;
			}
		}
	}
	if (take) {
		static struct store_answer none[1];

		/* never NULL: an interview whose answers were all cleared must
		 * lose them here too */
		if (store_interview_import(c->s, in, c->ans ? c->ans : none, c->n_ans, err) < 0)
			goto done;
		if (flag_duplicates(c, in->uuid, in->household_key, err) < 0)
			goto done;
	}
	ret = 0;
done:
	if (have_row)
		store_interview_release(&row);
	store_loaded_free(cur);
	free_answers(c);
	return ret;
}

/* Applies the interviews up to (not including) index `upto` that are still
 * pending; the last of them gets the answers collected in c->ans. */
static int flush_interviews(struct mctx *c, size_t upto, struct error *err)
{
	while (c->next_iv < upto) {
		size_t i = c->next_iv++;

		if (c->last_group != (long)i)
			free_answers(c);
		if (apply_interview(c, &c->iv[i], err) < 0)
			return -1;
	}
	return 0;
}

static int flush_assignments(struct mctx *c, struct error *err)
{
	size_t i, bad_i = 0;

	if (c->asg_done)
		return 0;
	c->asg_done = true;
	if (!c->n_asg)
		return 0;
	for (i = 0; i < c->n_asg; i++) {
		c->asg[i].preload = c->pre[i];
		c->asg[i].n_preload = c->n_pre[i];
	}
	if (store_assignments_put(c->s, c->asg, c->n_asg, &bad_i, err) < 0)
		return -1;
	c->st->assignments += c->n_asg;
	return 0;
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int row_check(struct mctx *c, enum bundle_section sec, const char *const *f,
		     struct error *err)
{
	int64_t v = 0;
	long k;

	switch (sec) {
	case BS_FORMS: {
		char hex[65];
		const char *src = f[4];

		digest_sha256_hex(src, strlen(src), hex);
		if (strcmp(hex, f[2]))
			return bad(err, "表单 '%s' 的源文件与其哈希不符",
				   "form '%s' source does not match its hash", f[0]);
		smap_put(&c->forms, f[2], 0);
		return 0;
	}
	case BS_ASSIGNMENTS:
		if (!f[0] || !*f[0])
			return bad(err, "户编号为空", "empty household_key");
		if (smap_put(&c->akeys, f[0], 0) < 0)
			return bad(err, "户编号 '%s' 重复", "household_key '%s' repeated", f[0]);
		return 0;
	case BS_PRELOAD:
		if (!f[0] || smap_get(&c->akeys, f[0]) < 0)
			return bad(err, "预填字段属于未分配的户 '%s'",
				   "preload field for unassigned household '%s'", f[0] ? f[0] : "");
		if (!f[1] || !*f[1] || !f[2])
			return bad(err, "预填字段名或值为空", "empty preload field name or value");
		return 0;
	case BS_INTERVIEWS:
		if (!f[0] || !*f[0] || strlen(f[0]) > STORE_ID_LEN)
			return bad(err, "访谈 UUID '%s' 无效", "invalid interview uuid '%s'",
				   f[0] ? f[0] : "");
		if (!f[1] || (smap_get(&c->forms, f[1]) < 0 && !exists(c->q_form, f[1])))
			return bad(err, "访谈 '%s' 使用的表单 '%s' 不在数据包或数据库中",
				   "interview '%s' uses form '%s', which is neither in the bundle "
				   "nor in the database",
				   f[0], f[1] ? f[1] : "");
		if (!f[4] || !*f[4])
			return bad(err, "访谈 '%s' 缺少设备", "interview '%s' lacks its device", f[0]);
		if (parse_status(f[5]) < 0)
			return bad(err, "未知的访谈状态 '%s'", "unknown interview status '%s'",
				   f[5] ? f[5] : "");
		if (parse_i64(f[6], &v) < 0 || v < 1)
			return bad(err, "版本号 '%s' 无效", "invalid revision '%s'", f[6] ? f[6] : "");
		if (parse_i64(f[7], &v) < 0 || parse_i64(f[8], &v) < 0)
			return bad(err, "时间无效", "invalid time");
		if (smap_put(&c->ivs, f[0], c->ivs.n) < 0)
			return bad(err, "访谈 '%s' 重复", "interview '%s' repeated", f[0]);
		return 0;
	case BS_ANSWERS:
		k = f[0] ? smap_get(&c->ivs, f[0]) : -1;
		if (k < 0)
			return bad(err, "答案属于不在数据包中的访谈 '%s'",
				   "answer of interview '%s', which is not in the bundle",
				   f[0] ? f[0] : "");
		if (k < c->last_group)
			return bad(err, "访谈 '%s' 的答案未按访谈顺序连续排列",
				   "answers of interview '%s' are not grouped in interview order", f[0]);
		c->last_group = k;
		if (!f[1] || !*f[1])
			return bad(err, "答案路径为空", "empty answer path");
		if (parse_special(f[3]) < 0)
			return bad(err, "未知的特殊值 '%s'", "unknown special value '%s'", f[3]);
		if (f[3] && f[2])
			return bad(err, "答案 '%s' 同时有值和特殊值",
				   "answer '%s' has both a value and a special value", f[1]);
		return 0;
	case BS_EVENTS:
		if (!f[0] || !*f[0] || parse_i64(f[1], &v) < 0 || v < 1)
			return bad(err, "事件的设备或序号无效", "event has an invalid device or seq");
		if (parse_i64(f[3], &v) < 0)
			return bad(err, "事件时间无效", "invalid event time");
		if (!f[4] || !*f[4])
			return bad(err, "事件类型为空", "empty event kind");
		if (parse_special(f[9]) < 0 || parse_special(f[10]) < 0)
			return bad(err, "事件的特殊值无效", "invalid special value in event");
		if (f[2] && smap_get(&c->ivs, f[2]) < 0 && !exists(c->q_iv, f[2]))
			return bad(err, "事件属于未知的访谈 '%s'", "event of unknown interview '%s'",
				   f[2]);
		return 0;
	case BS_COMMENTS:
		if (!f[0] || !*f[0] || !f[4] || !f[6] || !*f[6])
			return bad(err, "批注缺少 uuid、文字或设备",
				   "comment lacks its uuid, text or device");
		if (parse_i64(f[5], &v) < 0)
			return bad(err, "批注时间无效", "invalid comment time");
		if (!f[1] || (smap_get(&c->ivs, f[1]) < 0 && !exists(c->q_iv, f[1])))
			return bad(err, "批注属于未知的访谈 '%s'", "comment on unknown interview '%s'",
				   f[1] ? f[1] : "");
		return 0;
	default:
		return 0;
	}
}

static int row_apply(struct mctx *c, enum bundle_section sec, const char *const *f,
		     struct error *err)
{
	int64_t v = 0;

	if (sec > BS_PRELOAD && flush_assignments(c, err) < 0)
		return -1;
	if (sec > BS_ANSWERS && flush_interviews(c, c->n_iv, err) < 0)
		return -1;
	switch (sec) {
	case BS_FORMS:
		return store_form_put_source(c->s, f[2], f[0], f[1], f[3], f[4], strlen(f[4]), err);
	case BS_ASSIGNMENTS: {
		struct store_assignment *a;

		XGROW(c->asg, c->cap_asg, c->n_asg + 1);
		c->pre = xrealloc(c->pre, c->cap_asg * sizeof(*c->pre));
		c->n_pre = xrealloc(c->n_pre, c->cap_asg * sizeof(*c->n_pre));
		a = &c->asg[c->n_asg];
		memset(a, 0, sizeof(*a));
		a->household_key = xstrdup(f[0]);
		a->county = dup0(f[1]);
		a->township = dup0(f[2]);
		a->village = dup0(f[3]);
		a->household_type = dup0(f[4]);
		a->head_name = dup0(f[5]);
		a->enumerator = dup0(f[6]);
		a->device = dup0(f[7]);
		c->pre[c->n_asg] = NULL;
		c->n_pre[c->n_asg] = 0;
		smap_put(&c->akeys, f[0], c->n_asg);
		c->n_asg++;
		return 0;
	}
	case BS_PRELOAD: {
		long k = smap_get(&c->akeys, f[0]);
		struct store_field *p;

		c->pre[k] = xrealloc(c->pre[k], (c->n_pre[k] + 1) * sizeof(struct store_field));
		p = &c->pre[k][c->n_pre[k]++];
		p->name = xstrdup(f[1]);
		p->value = xstrdup(f[2]);
		return 0;
	}
	case BS_INTERVIEWS: {
		struct store_interview *iv;

		XGROW(c->iv, c->cap_iv, c->n_iv + 1);
		iv = &c->iv[c->n_iv++];
		memset(iv, 0, sizeof(*iv));
		snprintf(iv->uuid, sizeof(iv->uuid), "%s", f[0]);
		iv->form_hash = xstrdup(f[1]);
		iv->household_key = dup0(f[2]);
		iv->enumerator = dup0(f[3]);
		iv->device = xstrdup(f[4]);
		iv->status = (enum store_istatus)parse_status(f[5]);
		parse_i64(f[6], &iv->revision);
		parse_i64(f[7], &iv->created);
		parse_i64(f[8], &iv->updated);
		iv->position = dup0(f[9]);
		iv->review_comment = dup0(f[10]);
		smap_put(&c->ivs, f[0], c->n_iv - 1);
		return 0;
	}
	case BS_ANSWERS: {
		long k = smap_get(&c->ivs, f[0]);
		struct store_answer *a;

		if (k != c->last_group) {
			/* interviews before k (without answers, or the previous
			 * group) are complete now */
			if (flush_interviews(c, (size_t)k, err) < 0)
				return -1;
			free_answers(c);
			c->last_group = k;
		}
		XGROW(c->ans, c->cap_ans, c->n_ans + 1);
		a = &c->ans[c->n_ans++];
		a->path = xstrdup(f[1]);
		a->value = dup0(f[2]);
		a->special = (enum store_special)parse_special(f[3]);
		c->st->answers++;
		return 0;
	}
	case BS_EVENTS: {
		struct store_event ev;
		int rc;

		memset(&ev, 0, sizeof(ev));
		ev.device = (char *)f[0];
		parse_i64(f[1], &ev.seq);
		ev.interview = (char *)f[2];
		parse_i64(f[3], &ev.time);
		ev.kind = (char *)f[4];
		ev.actor = (char *)f[5];
		ev.path = (char *)f[6];
		ev.old_value = (char *)f[7];
		ev.new_value = (char *)f[8];
		ev.old_special = (enum store_special)parse_special(f[9]);
		ev.new_special = (enum store_special)parse_special(f[10]);
		ev.extra = (char *)f[11];
		rc = store_event_insert(c->s, &ev, err);
		if (rc < 0)
			return -1;
		if (rc == 2)
			c->st->events_clash++;
		else if (rc > 0)
			c->st->events_new++;
		else
			c->st->events_known++;
		return 0;
	}
	case BS_COMMENTS: {
		struct store_comment cm;
		int rc;

		memset(&cm, 0, sizeof(cm));
		cm.uuid = (char *)f[0];
		cm.interview = (char *)f[1];
		cm.path = (char *)f[2];
		cm.author = (char *)f[3];
		cm.text = (char *)f[4];
		parse_i64(f[5], &v);
		cm.time = v;
		cm.device = (char *)f[6];
		rc = store_comment_insert(c->s, &cm, err);
		if (rc < 0)
			return -1;
		c->st->comments_new += (size_t)rc;
		return 0;
	}
	default:
		return 0;
	}
}

static int on_row(void *ctx, enum bundle_section sec, size_t row, const char *const *f,
		  size_t n, struct error *err)
{
	struct mctx *c = ctx;
	int rc = c->apply ? row_apply(c, sec, f, err) : row_check(c, sec, f, err);

	if (rc < 0)
		return -1;
	c->done++;
	if (c->apply)
		c->st->rows++;
	if (c->progress && c->done % 8192 == 0)
		c->progress(c->pctx, c->done, c->total);
	return 0;
}

static void mctx_release(struct mctx *c)
{
	size_t i, j;

	sqlite3_finalize(c->q_form);
	sqlite3_finalize(c->q_iv);
	sqlite3_finalize(c->q_dup_sel);
	sqlite3_finalize(c->q_dup_ins);
	c->q_form = c->q_iv = c->q_dup_sel = c->q_dup_ins = NULL;
	smap_free(&c->forms);
	smap_free(&c->ivs);
	smap_free(&c->akeys);
	free_answers(c);
	free(c->ans);
	c->ans = NULL;
	c->cap_ans = 0;
	for (i = 0; i < c->n_iv; i++)
		store_interview_release(&c->iv[i]);
	free(c->iv);
	c->iv = NULL;
	c->n_iv = c->cap_iv = c->next_iv = 0;
	for (i = 0; i < c->n_asg; i++) {
		struct store_assignment *a = &c->asg[i];

		free((char *)a->household_key);
		free((char *)a->county);
		free((char *)a->township);
		free((char *)a->village);
		free((char *)a->household_type);
		free((char *)a->head_name);
		free((char *)a->enumerator);
		free((char *)a->device);
		for (j = 0; j < c->n_pre[i]; j++) {
			free((char *)c->pre[i][j].name);
			free((char *)c->pre[i][j].value);
		}
		free(c->pre[i]);
	}
	free(c->asg);
	free(c->pre);
	free(c->n_pre);
	c->asg = NULL;
	c->pre = NULL;
	c->n_pre = NULL;
	c->n_asg = c->cap_asg = 0;
	c->last_group = -1;
	c->asg_done = false;
	c->done = 0;
}

/* 1 when the bundle is recorded with the same content, 0 when unknown, -1 when
 * recorded with different content (err set). */
static int already(struct store *s, const struct bundle_manifest *m, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int ret = 0;

	if (!sync_schema_present(s))
		return 0;
	if (prep(s,
		 "SELECT content_sha256 FROM sync_bundle WHERE device = ?1 AND kind = ?2 "
		 "AND for_device = ?3 AND sequence = ?4",
		 &q, err) < 0)
		return -1;
	bind_str(q, 1, m->device);
	bind_str(q, 2, m->kind == BUNDLE_RETURN ? "return" : "device");
	bind_str(q, 3, m->for_device ? m->for_device : "");
	sqlite3_bind_int64(q, 4, m->sequence);
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (!strcmp((const char *)sqlite3_column_text(q, 0), m->content_sha256)) {
			ret = 1;
		} else {
			error_set(err, NULL,
				  "设备 '%s' 的第 %lld 号数据包已合并过，但内容不同",
				  "bundle %2$lld of device '%1$s' was merged before with different "
				  "content",
				  m->device, m->sequence);
			ret = -1;
		}
	}
	sqlite3_finalize(q);
	return ret;
}

static int record_bundle(struct mctx *c, const struct bundle_manifest *m, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int ret = -1;

	if (prep(c->s,
		 "INSERT INTO sync_bundle (device, kind, for_device, sequence, content_sha256, "
		 "created, file, merged, iv_new, iv_updated, iv_unchanged, conflicts, duplicates) "
		 "VALUES (?1,?2,?3,?4,?5,?6,?7, CAST(strftime('%s','now') AS INTEGER) * 1000, "
		 "?8,?9,?10,?11,?12)",
		 &q, err) < 0)
		return -1;
	bind_str(q, 1, m->device);
	bind_str(q, 2, m->kind == BUNDLE_RETURN ? "return" : "device");
	bind_str(q, 3, m->for_device ? m->for_device : "");
	sqlite3_bind_int64(q, 4, m->sequence);
	bind_str(q, 5, m->content_sha256);
	bind_str(q, 6, m->created);
	bind_str(q, 7, c->path);
	sqlite3_bind_int64(q, 8, (int64_t)c->st->iv_new);
	sqlite3_bind_int64(q, 9, (int64_t)c->st->iv_updated);
	sqlite3_bind_int64(q, 10, (int64_t)c->st->iv_unchanged);
	sqlite3_bind_int64(q, 11, (int64_t)c->st->conflicts);
	sqlite3_bind_int64(q, 12, (int64_t)c->st->duplicates);
	if (sqlite3_step(q) != SQLITE_DONE)
		sql_fail(c->s, err);
	else
		ret = 0;
	sqlite3_finalize(q);
	return ret;
}

int merge_bundle(struct store *s, const char *path, bool import, struct merge_stats *st,
		 merge_progress_cb progress, void *pctx, struct error *err)
{
	static const struct bundle_visitor visitor = {on_manifest, on_row};
	struct bundle_manifest *m = NULL;
	struct mctx c;
	char *data = NULL;
	size_t len = 0;
	bool tx = false;
	int ret = -1, rc;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.import = import;
	c.path = path;
	c.st = st;
	c.progress = progress;
	c.pctx = pctx;
	c.last_group = -1;
	if (prep(s, "SELECT 1 FROM form WHERE hash = ?1", &c.q_form, err) < 0 ||
	    prep(s, "SELECT 1 FROM interview WHERE uuid = ?1", &c.q_iv, err) < 0)
		goto done;
	/* pass 1: verify everything, write nothing. The file is read once into
	 * memory, so pass 2 sees exactly the bytes pass 1 verified. */
	if (bundle_load_file(path, &data, &len, err) < 0 ||
	    bundle_read_buffer(path, data, len, &visitor, &c, &m, err) < 0)
		goto done;
	rc = already(s, m, err);
	if (rc < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (rc > 0) {
		ret = MERGE_ALREADY;
		goto done;
	}
	mctx_release(&c);
	bundle_manifest_free(m);
	m = NULL;
	/* pass 2: apply in one transaction. A bundle's pages stay in memory until
	 * COMMIT rather than spilling to the WAL half-way (64 MiB cache). */
	sqlite3_exec(store_sqlite(s), "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (store_tx_begin(s, err) < 0)
		goto done;
	tx = true;
	if (sync_schema_ensure(s, err) < 0)
		goto done;
	c.apply = true;
	if (prep(s, "SELECT 1 FROM form WHERE hash = ?1", &c.q_form, err) < 0 ||
	    prep(s, "SELECT 1 FROM interview WHERE uuid = ?1", &c.q_iv, err) < 0)
		goto done;
	if (bundle_reread_buffer(path, data, len, &visitor, &c, &m, err) < 0)
		goto done;
	if (flush_assignments(&c, err) < 0 || flush_interviews(&c, c.n_iv, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	rc = already(s, m, err); /* a concurrent merge of the same file */
	if (rc != 0) {
		if (rc > 0)
			error_set(err, path, "数据包已被同时合并", "bundle was merged concurrently");
		goto done;
	}
	if (record_bundle(&c, m, err) < 0)
		goto done;
	if (progress)
		progress(pctx, c.done, c.total);
	mctx_release(&c);
	if (store_tx_commit(s, err) < 0) {
		tx = false;
		goto done;
	}
	tx = false;
	ret = MERGE_APPLIED;
done:
	if (tx) {
		mctx_release(&c);
		store_tx_rollback(s, NULL);
	}
	mctx_release(&c);
	bundle_manifest_free(m);
	free(data);
	return ret;
}
