/*
 * store — opening the device database, its error mapping, the statement
 * cache, transactions, device identity and forms (see ruhu/store.h).
 *
 * Opening checks everything it can BEFORE writing a byte: existence,
 * permissions, the SQLite header (not a database), application_id (not a
 * ruhu database) and user_version (newer schema). Only then does it switch
 * to WAL and migrate, so a refused file is left exactly as it was.
 */
#include "store_internal.h"
#include "store_sqlite.h"

#include "ruhu/digest.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BUSY_MS 5000

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT s",
	[ST_RELEASE] = "RELEASE s",
	[ST_ROLLBACK_TO] = "ROLLBACK TO s",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
			" ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_CHANGE_NEXT] = "UPDATE meta SET value = value + 1 WHERE key = 'change_seq'"
			   " RETURNING value",
	[ST_CHANGE_GET] = "SELECT value FROM meta WHERE key = 'change_seq'",
	/* events: ?1 the device's, ?3 the interview's, ?5 the kind's and ?7 the
	 * path's integer key (store_key_id) */
	[ST_EVENT_NEXT_SEQ] = "SELECT COALESCE(MAX(seq), 0) + 1 FROM event_row WHERE device = ?1",
	[ST_EVENT_ADD] = "INSERT INTO event_row(device, seq, interview, time, kind, actor, path,"
			 " old_value, new_value, old_special, new_special, extra)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_IV_STATE] = "SELECT status, position FROM interview WHERE uuid = ?1",
	[ST_IV_TOUCH] = "UPDATE interview SET revision = revision + ?2, change_seq = ?3,"
			" updated = ?4, position = COALESCE(?5, position) WHERE uuid = ?1",
	[ST_IV_POSITION] = "UPDATE interview SET position = ?2"
			   " WHERE uuid = ?1 AND position IS NOT ?2",
	[ST_IV_GET] = "SELECT uuid, form_hash, household_key, enumerator, device, status,"
		      " review_comment, revision, change_seq, created, updated, position"
		      " FROM interview WHERE uuid = ?1",
	[ST_IV_NEW] = "INSERT INTO interview(uuid, form_hash, household_key, enumerator, device,"
		      " status, revision, change_seq, created, updated)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, 'in_progress', 1, ?6, ?7, ?7)",
	[ST_IV_SET_STATUS] = "UPDATE interview SET status = ?2,"
			     " review_comment = CASE WHEN ?4 THEN ?3 ELSE review_comment END"
			     " WHERE uuid = ?1",
	[ST_ANS_GET] = "SELECT value, special FROM answer WHERE interview = ?1 AND path = ?2",
	[ST_ANS_PUT] = "INSERT INTO answer(interview, path, value, special) VALUES (?1, ?2, ?3, ?4)"
		       " ON CONFLICT(interview, path) DO UPDATE"
		       " SET value = excluded.value, special = excluded.special",
	[ST_ANS_DEL] = "DELETE FROM answer WHERE interview = ?1 AND path = ?2",
	[ST_ANS_ALL] = "SELECT path, value, special FROM answer WHERE interview = ?1"
		       " ORDER BY path",
	[ST_ANS_RANGE] = "SELECT path, value, special FROM answer"
			 " WHERE interview = ?1 AND path >= ?2 AND path < ?3 ORDER BY path",
	[ST_FORM_HAS] = "SELECT 1 FROM form WHERE hash = ?1",
	[ST_FORM_FILE_PUT] = "INSERT INTO form_file(form_hash, name, sha256, data)"
			     " VALUES (?1, ?2, ?3, ?4)",
	[ST_FORM_PUT] = "INSERT INTO form(hash, form_id, version, title, source, added)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(hash) DO NOTHING",
	[ST_COMMENT_ADD] = "INSERT INTO comment(uuid, interview, path, author, text, time, device)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(uuid) DO NOTHING",
	[ST_IV_UPSERT] = "INSERT INTO interview(uuid, form_hash, household_key, enumerator, device,"
			 " status, review_comment, revision, change_seq, created, updated, position)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
			 " ON CONFLICT(uuid) DO UPDATE SET form_hash = excluded.form_hash,"
			 " household_key = excluded.household_key, enumerator = excluded.enumerator,"
			 " device = excluded.device, status = excluded.status,"
			 " review_comment = excluded.review_comment, revision = excluded.revision,"
			 " change_seq = excluded.change_seq, created = excluded.created,"
			 " updated = excluded.updated, position = excluded.position",
	[ST_ANS_DEL_ALL] = "DELETE FROM answer WHERE interview = ?1",
	[ST_EVENT_INSERT] = "INSERT INTO event_row(device, seq, interview, time, kind, actor, path,"
			    " old_value, new_value, old_special, new_special, extra)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
			    " ON CONFLICT(device, seq) DO NOTHING",
	[ST_EVENT_GET] = "SELECT i.uuid, e.time, k.name, e.actor, p.name, e.old_value, e.new_value,"
			 " e.old_special, e.new_special, e.extra FROM event_row e"
			 " JOIN interview_key i ON i.id = e.interview"
			 " JOIN event_name k ON k.id = e.kind JOIN event_name p ON p.id = e.path"
			 " WHERE e.device = ?1 AND e.seq = ?2",
	[ST_EVENT_REPLACE] = "UPDATE event_row SET interview = ?3, time = ?4, kind = ?5, actor = ?6,"
			     " path = ?7, old_value = ?8, new_value = ?9, old_special = ?10,"
			     " new_special = ?11, extra = ?12 WHERE device = ?1 AND seq = ?2",
	[ST_EVENT_CLASH_ADD] = "INSERT INTO event_clash(device, seq, hash, interview, time, kind,"
			       " actor, path, old_value, new_value, old_special, new_special, extra)"
			       " VALUES (?1, ?2, ?13, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
			       " ON CONFLICT(device, seq, hash) DO NOTHING",
	[ST_BUNDLE_GET] = "SELECT content_sha256 FROM sync_bundle WHERE device = ?1 AND kind = ?2"
			  " AND for_device = ?3 AND sequence = ?4",
	[ST_BUNDLE_ADD] = "INSERT INTO sync_bundle (device, kind, for_device, sequence,"
			  " content_sha256, created, file, merged, iv_new, iv_updated, iv_unchanged,"
			  " conflicts, duplicates) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
			  " CAST(strftime('%s','now') AS INTEGER) * 1000, ?8, ?9, ?10, ?11, ?12)",
	/* parameters as store_iv_bind() binds them, ?13 the content hash */
	[ST_CONFLICT_ADD] = "INSERT OR IGNORE INTO sync_conflict (uuid, revision, content_sha256,"
			    " form_hash, household_key, enumerator, device, status, created, updated,"
			    " position, review_comment) VALUES (?1, ?8, ?13, ?2, ?3, ?4, ?5, ?6, ?10,"
			    " ?11, ?12, ?7)",
	[ST_CONFLICT_ANSWER_ADD] = "INSERT INTO sync_conflict_answer (uuid, revision,"
				   " content_sha256, path, value, special)"
				   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_DUP_OTHERS] = "SELECT uuid FROM interview WHERE household_key = ?1 AND uuid <> ?2",
	[ST_DUP_ADD] = "INSERT OR IGNORE INTO sync_duplicate (household_key, uuid_a, uuid_b)"
		       " VALUES (?1, min(?2, ?3), max(?2, ?3))",
	[ST_IV_EXISTS] = "SELECT 1 FROM interview WHERE uuid = ?1",
	[ST_IV_REVISION] = "SELECT revision FROM interview WHERE uuid = ?1",
	[ST_DEVKEY_GET] = "SELECT id FROM device_key WHERE uuid = ?1",
	[ST_DEVKEY_ADD] = "INSERT INTO device_key(uuid) VALUES (?1)",
	[ST_IVKEY_GET] = "SELECT id FROM interview_key WHERE uuid = ?1",
	[ST_IVKEY_ADD] = "INSERT INTO interview_key(uuid) VALUES (?1)",
	[ST_NAMEKEY_GET] = "SELECT id FROM event_name WHERE name = ?1",
	[ST_NAMEKEY_ADD] = "INSERT INTO event_name(name) VALUES (?1)",
};

int store_stmt_done(struct store *s, sqlite3_stmt *q, struct error *err)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
}

/* ---- errors --------------------------------------------------------------- */

static int fail(struct error *err, const char *where, int code, const char *zh, const char *en,
		...)
	RUHU_PRINTF2(4, 5, 6);
static int fail(struct error *err, const char *where, int code, const char *zh, const char *en,
		...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, where, zh, en, ap);
	va_end(ap);
	if (err)
		err->code = code;
	return -code;
}

int store_db_fail(struct store *s, int rc, struct error *err)
{
	const char *where = s ? s->path : NULL;
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int sys = s && s->db ? sqlite3_system_errno(s->db) : 0;
	int ms = s ? s->busy_ms : 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return fail(err, where, STORE_E_LOCKED,
			    "数据库被另一个程序锁定（已等待 %d 毫秒）：关闭另一个 ruhu 后重试",
			    "database is locked by another program (waited %d ms): close the "
			    "other ruhu and try again",
			    ms);
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return fail(err, where, STORE_E_READONLY, "数据库为只读：请检查文件和文件夹的权限",
			    "database is read-only: check the permissions of the file and its "
			    "folder");
	case SQLITE_FULL:
		return fail(err, where, STORE_E_FULL, "磁盘已满：本次没有写入任何内容",
			    "disk is full: nothing was written");
	case SQLITE_IOERR:
		if (sys == ENOSPC || sys == EDQUOT)
			return fail(err, where, STORE_E_FULL, "磁盘已满：本次没有写入任何内容",
				    "disk is full: nothing was written");
		if (sys == EROFS)
			return fail(err, where, STORE_E_READONLY, "磁盘为只读：本次没有写入任何内容",
				    "the disk is read-only: nothing was written");
		return fail(err, where, STORE_E_IO, "数据库读写失败：%s", "cannot read or write the "
			    "database: %s", sys ? strerror(sys) : msg);
	case SQLITE_CANTOPEN:
		return fail(err, where, STORE_E_IO, "无法打开数据库：%s", "cannot open the database: %s",
			    sys ? strerror(sys) : msg);
	case SQLITE_NOTADB:
		return fail(err, where, STORE_E_NOTDB, "文件不是数据库", "file is not a database");
	case SQLITE_CORRUPT:
		return fail(err, where, STORE_E_CORRUPT, "数据库已损坏：请保留此文件并联系技术支持",
			    "database is damaged: keep the file and ask for support");
	case SQLITE_CONSTRAINT:
		return fail(err, where, STORE_E_INVALID, "数据不符合数据库约束：%s",
			    "data violates a database constraint: %s", msg);
	default:
		return fail(err, where, STORE_E_INTERNAL, "数据库错误：%s", "database error: %s", msg);
	}
}

/* ---- statements and transactions ---------------------------------------- */

sqlite3_stmt *store_stmt(struct store *s, enum stmt_id id, struct error *err)
{
	sqlite3_stmt *q = s->st[id];
	int rc;

	if (q) {
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		return q;
	}
	rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &q, NULL);
	if (rc != SQLITE_OK) {
		store_db_fail(s, rc, err);
		sqlite3_finalize(q);
		return NULL;
	}
	s->st[id] = q;
	return q;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **q, struct error *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, q, NULL);

	if (rc != SQLITE_OK) {
		sqlite3_finalize(*q);
		*q = NULL;
		return store_db_fail(s, rc, err);
	}
	return 0;
}

/* Runs a cached statement that returns no rows. */
static int run(struct store *s, enum stmt_id id, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, id, err);
	int rc;

	if (!q)
		return -STORE_E_INTERNAL;
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(s, rc, err);
	return 0;
}

int store_tx_begin(struct store *s, struct error *err)
{
	int ret;

	if (s->depth == 0 && !sqlite3_get_autocommit(s->db))
		return fail(err, s->path, STORE_E_INTERNAL, "数据库中有未结束的事务",
			    "a transaction was left open on the database");
	if (s->depth == 0)
		store_key_forget(s);
	ret = run(s, s->depth == 0 ? ST_BEGIN : ST_SAVEPOINT, err);
	if (ret < 0)
		return ret;
	s->depth++;
	return 0;
}

int store_tx_commit(struct store *s, struct error *err)
{
	int ret;

	if (s->depth == 0)
		return fail(err, s->path, STORE_E_INTERNAL, "没有进行中的事务",
			    "no transaction is open");
	ret = run(s, s->depth == 1 ? ST_COMMIT : ST_RELEASE, err);
	if (ret < 0) {
		store_tx_abort(s);
		return ret;
	}
	s->depth--;
	return 0;
}

void store_key_forget(struct store *s)
{
	int i;

	size_t j;

	for (i = 0; i < 2; i++) {
		free(s->key_uuid[i]);
		s->key_uuid[i] = NULL;
		s->key_id[i] = 0;
	}
	for (j = 0; j < s->name_cap; j++)
		free(s->name_key[j]);
	free(s->name_key);
	free(s->name_id);
	s->name_key = NULL;
	s->name_id = NULL;
	s->name_n = s->name_cap = 0;
}

static size_t name_hash(const char *v)
{
	size_t h = 2166136261u;

	for (; *v; v++)
		h = (h ^ (unsigned char)*v) * 16777619u;
	return h;
}

/* The slot of `v` in the name table: where it is, or the empty one where it
 * goes. The table is never full (grown at half). */
static size_t name_slot(const struct store *s, const char *v)
{
	size_t i = name_hash(v) & (s->name_cap - 1);

	while (s->name_key[i] && strcmp(s->name_key[i], v) != 0)
		i = (i + 1) & (s->name_cap - 1);
	return i;
}

static void name_remember(struct store *s, const char *v, int64_t id)
{
	size_t i;

	if (2 * (s->name_n + 1) > s->name_cap) {
		char **ok = s->name_key;
		int64_t *oi = s->name_id;
		size_t oc = s->name_cap, j;

		s->name_cap = oc ? 2 * oc : 256;
		s->name_key = xcalloc(s->name_cap, sizeof(*s->name_key));
		s->name_id = xcalloc(s->name_cap, sizeof(*s->name_id));
		for (j = 0; j < oc; j++)
			if (ok[j]) {
				i = name_slot(s, ok[j]);
				s->name_key[i] = ok[j];
				s->name_id[i] = oi[j];
			}
		free(ok);
		free(oi);
	}
	i = name_slot(s, v);
	if (!s->name_key[i]) {
		s->name_key[i] = xstrdup(v);
		s->name_n++;
	}
	s->name_id[i] = id;
}

int store_key_id(struct store *s, enum store_key which, const char *uuid, bool create,
		 int64_t *id, struct error *err)
{
	static const enum stmt_id get[3] = {ST_DEVKEY_GET, ST_IVKEY_GET, ST_NAMEKEY_GET};
	static const enum stmt_id add[3] = {ST_DEVKEY_ADD, ST_IVKEY_ADD, ST_NAMEKEY_ADD};
	sqlite3_stmt *q;
	int rc;

	*id = 0;
	if (!uuid) {
		if (which != STORE_KEY_DEVICE)
			return 1;
		return store_fail(s, err, STORE_E_INVALID, "缺少设备编号", "missing device id");
	}
	if (which == STORE_KEY_NAME) {
		if (s->name_cap) {
			size_t i = name_slot(s, uuid);

			if (s->name_key[i]) {
				*id = s->name_id[i];
				return 1;
			}
		}
	} else if (s->key_uuid[which] && strcmp(s->key_uuid[which], uuid) == 0) {
		*id = s->key_id[which];
		return 1;
	}
	q = store_stmt(s, get[which], err);
	if (!q)
		return -STORE_E_INTERNAL;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	if (rc == SQLITE_DONE) {
		if (!create)
			return 0;
		q = store_stmt(s, add[which], err);
		if (!q)
			return -STORE_E_INTERNAL;
		sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
		rc = store_stmt_done(s, q, err);
		if (rc < 0)
			return rc;
		*id = sqlite3_last_insert_rowid(s->db);
	}
	if (which == STORE_KEY_NAME) {
		name_remember(s, uuid, *id);
		return 1;
	}
	free(s->key_uuid[which]);
	s->key_uuid[which] = xstrdup(uuid);
	s->key_id[which] = *id;
	return 1;
}

void store_tx_abort(struct store *s)
{
	store_key_forget(s);
	if (s->depth == 0)
		return;
	if (s->depth == 1) {
		/* a failed statement may already have rolled SQLite back */
		if (!sqlite3_get_autocommit(s->db))
			run(s, ST_ROLLBACK, NULL);
	} else {
		run(s, ST_ROLLBACK_TO, NULL);
		run(s, ST_RELEASE, NULL);
	}
	s->depth--;
}

int store_tx_rollback(struct store *s, struct error *err)
{
	if (s->depth == 0)
		return fail(err, s->path, STORE_E_INTERNAL, "没有进行中的事务",
			    "no transaction is open");
	store_tx_abort(s);
	return 0;
}

int store_snapshot_begin(struct store *s, struct error *err)
{
	int rc;

	if (s->depth != 0 || !sqlite3_get_autocommit(s->db))
		return fail(err, s->path, STORE_E_INTERNAL, "数据库中有未结束的事务",
			    "a transaction was left open on the database");
	rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_db_fail(s, rc, err);
}

void store_snapshot_end(struct store *s)
{
	if (s->depth == 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

/* ---- small helpers ------------------------------------------------------ */

int store_bind_text(sqlite3_stmt *q, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(q, i);
	return sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

char *store_col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *t;

	if (sqlite3_column_type(q, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(q, i);
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(q, i));
}

static int64_t real_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t store_now(struct store *s)
{
	return s->clock(s->clock_ctx);
}

void store_set_clock(struct store *s, int64_t (*now_ms)(void *ctx), void *ctx)
{
	s->clock = now_ms ? now_ms : real_clock;
	s->clock_ctx = now_ms ? ctx : NULL;
}

void store_busy_timeout(struct store *s, int ms)
{
	s->busy_ms = ms < 0 ? 0 : ms;
	sqlite3_busy_timeout(s->db, s->busy_ms);
}

sqlite3 *store_sqlite(struct store *s)
{
	return s->db;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

const char *store_device_id(const struct store *s)
{
	return s->device;
}

const char *store_enumerator_get(const struct store *s)
{
	return s->enumerator;
}

int store_uuid_new(char out[STORE_ID_LEN + 1], struct error *err)
{
	unsigned char b[16];
	size_t got = 0;
	int fd, i, k = 0;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "/dev/urandom", STORE_E_IO, "无法读取随机数：%s",
			    "cannot read random bytes: %s", strerror(errno));
	while (got < sizeof(b)) {
		ssize_t r = read(fd, b + got, sizeof(b) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(fd);
			return fail(err, "/dev/urandom", STORE_E_IO, "无法读取随机数：%s",
				    "cannot read random bytes: %s", strerror(e));
		}
		got += (size_t)r;
	}
	close(fd);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = "0123456789abcdef"[b[i] >> 4];
		out[k++] = "0123456789abcdef"[b[i] & 15];
	}
	out[k] = '\0';
	return 0;
}

static const char *const istatus_names[STORE_ISTATUS_COUNT] = {
	"in_progress", "completed", "approved", "rejected"};
static const char *const astatus_names[STORE_ASTATUS_COUNT] = {
	"not_started", "in_progress", "completed", "approved", "rejected"};

const char *store_istatus_name(enum store_istatus st)
{
	return (unsigned)st < STORE_ISTATUS_COUNT ? istatus_names[st] : NULL;
}

const char *store_astatus_name(enum store_astatus st)
{
	return (unsigned)st < STORE_ASTATUS_COUNT ? astatus_names[st] : NULL;
}

const char *store_special_name(enum store_special sp)
{
	switch (sp) {
	case STORE_SPECIAL_DONT_KNOW:
		return "dont_know";
	case STORE_SPECIAL_REFUSED:
		return "refused";
	default:
		return NULL;
	}
}

int store_istatus_parse(const char *name)
{
	int i;

	for (i = 0; name && i < STORE_ISTATUS_COUNT; i++)
		if (!strcmp(name, istatus_names[i]))
			return i;
	return -1;
}

int store_special_parse(const char *name)
{
	if (!name)
		return STORE_SPECIAL_NONE;
	if (!strcmp(name, "dont_know"))
		return STORE_SPECIAL_DONT_KNOW;
	if (!strcmp(name, "refused"))
		return STORE_SPECIAL_REFUSED;
	return -1;
}

int store_special_stored(const char *name)
{
	int sp = store_special_parse(name);

	/* a stored value is one the schema's CHECK allowed */
	return sp < 0 ? STORE_SPECIAL_NONE : sp;
}

/* ---- shared write steps ------------------------------------------------- */

int store_change_next(struct store *s, int64_t *out, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_CHANGE_NEXT, err);
	int rc;

	if (!q)
		return -STORE_E_INTERNAL;
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		int ret = store_db_fail(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, err);
		sqlite3_reset(q);
		return ret;
	}
	*out = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

int store_event_add(struct store *s, const struct event_in *ev, struct error *err)
{
	sqlite3_stmt *q;
	int64_t seq, dev, iv, kind, path;
	int rc;

	rc = store_key_id(s, STORE_KEY_DEVICE, s->device, true, &dev, err);
	if (rc < 0)
		return rc;
	rc = store_key_id(s, STORE_KEY_INTERVIEW, ev->interview, true, &iv, err);
	if (rc < 0)
		return rc;
	rc = store_key_id(s, STORE_KEY_NAME, ev->kind, true, &kind, err);
	if (rc < 0)
		return rc;
	rc = store_key_id(s, STORE_KEY_NAME, ev->path, true, &path, err);
	if (rc < 0)
		return rc;
	q = store_stmt(s, ST_EVENT_NEXT_SEQ, err);
	if (!q)
		return -STORE_E_INTERNAL;
	sqlite3_bind_int64(q, 1, dev);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		int ret = store_db_fail(s, rc, err);
		sqlite3_reset(q);
		return ret;
	}
	seq = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);

	q = store_stmt(s, ST_EVENT_ADD, err);
	if (!q)
		return -STORE_E_INTERNAL;
	sqlite3_bind_int64(q, 1, dev);
	sqlite3_bind_int64(q, 2, seq);
	sqlite3_bind_int64(q, 3, iv);
	sqlite3_bind_int64(q, 4, store_now(s));
	sqlite3_bind_int64(q, 5, kind);
	store_bind_text(q, 6, ev->actor ? ev->actor : s->enumerator);
	sqlite3_bind_int64(q, 7, path);
	store_bind_text(q, 8, ev->old_value);
	store_bind_text(q, 9, ev->new_value);
	store_bind_text(q, 10, store_special_name(ev->old_special));
	store_bind_text(q, 11, store_special_name(ev->new_special));
	store_bind_text(q, 12, ev->extra);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return 0;
}

int store_iv_status(struct store *s, const char *uuid, enum store_istatus *st, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_IV_STATE, err);
	int rc, v;

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		return fail(err, s->path, STORE_E_NOTFOUND, "没有访问 '%s'", "no interview '%s'",
			    uuid);
	}
	if (rc != SQLITE_ROW) {
		int ret = store_db_fail(s, rc, err);
		sqlite3_reset(q);
		return ret;
	}
	v = store_istatus_parse((const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	if (v < 0)
		return store_db_fail(s, SQLITE_CORRUPT, err);
	*st = (enum store_istatus)v;
	return 0;
}

int store_iv_touch(struct store *s, const char *uuid, bool content, const char *position,
	     struct error *err)
{
	sqlite3_stmt *q;
	int64_t cs;
	int ret, rc;

	ret = store_change_next(s, &cs, err);
	if (ret < 0)
		return ret;
	q = store_stmt(s, ST_IV_TOUCH, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	sqlite3_bind_int(q, 2, content ? 1 : 0);
	sqlite3_bind_int64(q, 3, cs);
	sqlite3_bind_int64(q, 4, store_now(s));
	store_bind_text(q, 5, position);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return 0;
}

/* ---- open / close ------------------------------------------------------- */

static int meta_get(struct store *s, const char *key, char **out, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_META_GET, err);
	int rc;

	*out = NULL;
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, key);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = store_col_dup(q, 0);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return 0;
}

/* Reads an integer PRAGMA; the first read of a file also checks its header. */
static int pragma_int(struct store *s, const char *sql, int *out, struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		int ret = store_db_fail(s, rc, err);
		sqlite3_finalize(q);
		return ret;
	}
	*out = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return 0;
}

static int exec(struct store *s, const char *sql, struct error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_db_fail(s, rc, err);
}

/* The folder of `path` ("." when it has none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* The refusals of a file that is not a ruhu database this build can open;
 * each is made from the file header (header_check) or from SQLite's answers
 * (store_open), with the same message either way. */
static int refuse_not_ruhu(struct store *s, struct error *err)
{
	return fail(err, s->path, STORE_E_NOTDB, "不是 ruhu 数据库", "not a ruhu database");
}

static int refuse_newer(struct store *s, int version, struct error *err)
{
	return fail(err, s->path, STORE_E_NEWER,
		    "数据库结构版本 %d 比本程序支持的版本 (%d) 新：请升级 ruhu",
		    "schema version %d is newer than this ruhu supports (%d): upgrade ruhu",
		    version, store_schema_version());
}

static int refuse_readonly_upgrade(struct store *s, int version, struct error *err)
{
	return fail(err, s->path, STORE_E_READONLY, "数据库结构版本 %d 需要升级，只读方式下无法升级",
		    "schema version %d needs an upgrade, which a read-only open cannot do",
		    version);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Refuses, before SQLite opens the file, what its 100-byte header already
 * shows: an empty file (unless STORE_OPEN_CREATE), another program's
 * database, a newer schema, or (read-only) an older one. Opening such a file
 * with SQLite would leave -wal and -shm files beside it when it is in WAL
 * mode, even read-only. The header is authoritative only when no -wal file
 * is beside it (then every commit is in the main file); otherwise this
 * returns 0 and SQLite's answers decide in store_open.
 */
static int header_check(struct store *s, unsigned flags, off_t size, struct error *err)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	struct stat st;
	char *wal;
	int fd, version, appid, waled;
	ssize_t n;

	if (size == 0) {
		if (flags & STORE_OPEN_CREATE)
			return 0;
		return fail(err, s->path, STORE_E_NOTDB, "空文件，不是 ruhu 数据库",
			    "empty file, not a ruhu database");
	}
	wal = xmalloc(strlen(s->path) + 5);
	strcpy(wal, s->path);
	strcat(wal, "-wal");
	waled = stat(wal, &st) == 0 || errno != ENOENT;
	free(wal);
	if (waled || size < (off_t)sizeof(h))
		return 0;
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* SQLite will say why */
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, magic, sizeof(magic)))
		return 0;
	version = (int)be32(h + 60);
	appid = (int)be32(h + 68);
	if (appid != STORE_APPLICATION_ID) {
		/* an application id of 0 and schema version 0 is a new SQLite
		 * file; it is another program's once it has a table (a root page
		 * beyond page 1), when the header's page count is valid */
		if (appid != 0 || version != 0 ||
		    (be32(h + 92) == be32(h + 24) && be32(h + 28) > 1))
			return refuse_not_ruhu(s, err);
		return 0;
	}
	if (version > store_schema_version())
		return refuse_newer(s, version, err);
	if ((flags & STORE_OPEN_READONLY) && version < store_schema_version())
		return refuse_readonly_upgrade(s, version, err);
	return 0;
}

/*
 * PRAGMA quick_check (STORE_OPEN_CHECK): the database's b-trees, pages and
 * records are consistent. The first problem SQLite names goes into the
 * message, on one line.
 */
static int quick_check(struct store *s, struct error *err)
{
	sqlite3_stmt *q = NULL;
	char *what = NULL;
	int rc, ret;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
		sqlite3_finalize(q);
		return ret;
	}
	if (!strcmp((const char *)sqlite3_column_text(q, 0), "ok")) {
		sqlite3_finalize(q);
		return 0;
	}
	{
		/* "*** in database main ***\nPage 6: ..." names the schema first */
		const char *t = (const char *)sqlite3_column_text(q, 0);
		const char *e = !strncmp(t, "*** ", 4) ? strstr(t + 4, "***") : NULL;

		if (e)
			for (t = e + 3; *t == '\n' || *t == ' '; t++)
				;
		what = xstrndup(t, strnlen(t, 200));
	}
	sqlite3_finalize(q);
	for (char *p = what; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	ret = fail(err, s->path, STORE_E_CORRUPT,
		   "数据库已损坏（完整性检查：%s）：请保留此文件并联系技术支持，不要写入",
		   "database is damaged (integrity check: %s): keep the file, write nothing to it "
		   "and ask for support",
		   what);
	free(what);
	return ret;
}

/* Checks the file before SQLite sees it: exists, permissions. */
static int precheck(struct store *s, unsigned flags, bool *exists, struct error *err)
{
	struct stat st;
	char *dir;
	int ret = 0;

	*exists = stat(s->path, &st) == 0;
	if (*exists && S_ISREG(st.st_mode)) {
		ret = header_check(s, flags, st.st_size, err);
		if (ret < 0)
			return ret;
	}
	if (!*exists) {
		if (errno != ENOENT)
			return fail(err, s->path, STORE_E_IO, "无法打开数据库：%s",
				    "cannot open the database: %s", strerror(errno));
		if (!(flags & STORE_OPEN_CREATE) || (flags & STORE_OPEN_READONLY))
			return fail(err, s->path, STORE_E_NOTFOUND, "数据库文件不存在",
				    "no such database file");
	} else if (!S_ISREG(st.st_mode)) {
		return fail(err, s->path, STORE_E_NOTDB, "不是普通文件", "not a regular file");
	}
	if (flags & STORE_OPEN_READONLY)
		return 0;
	/* Honour a read-only mark even for root, who could write anyway. */
	if (*exists && ((st.st_mode & 0222) == 0 || access(s->path, W_OK) != 0))
		return fail(err, s->path, STORE_E_READONLY,
			    "数据库文件为只读：请检查文件权限，或以只读方式打开",
			    "database file is read-only: check its permissions or open it "
			    "read-only");
	dir = dir_of(s->path);
	/* WAL needs to create the -wal and -shm files beside the database. */
	if (access(dir, W_OK | X_OK) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			ret = fail(err, s->path, STORE_E_NOTFOUND, "文件夹 '%s' 不存在",
				   "folder '%s' does not exist", dir);
		else
			ret = fail(err, s->path, STORE_E_READONLY, "文件夹 '%s' 不可写",
				   "folder '%s' is not writable", dir);
	}
	free(dir);
	return ret;
}

/*
 * Switches the database to WAL. Changing the journal mode needs an exclusive
 * lock, and SQLite does not run the busy handler for that upgrade (it could
 * deadlock), so wait here ourselves, up to the busy timeout, before calling
 * the database locked.
 */
static int switch_wal(struct store *s, struct error *err)
{
	int waited = 0, rc;

	for (;;) {
		sqlite3_stmt *q = NULL;
		bool wal = false;

		rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			wal = !strcmp((const char *)sqlite3_column_text(q, 0), "wal");
		sqlite3_finalize(q);
		if (wal)
			return 0;
		/* a refused change (old mode returned) may be a lock too */
		if (rc != SQLITE_ROW && (rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return store_db_fail(s, rc, err);
		if (waited >= s->busy_ms)
			break;
		sqlite3_sleep(20);
		waited += 20;
	}
	if (rc == SQLITE_ROW) {
		/* not a lock if we can take the write lock now */
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return fail(err, s->path, STORE_E_IO,
				    "无法启用预写日志 (WAL)：该文件系统可能不支持",
				    "cannot switch to write-ahead logging (WAL): the file system "
				    "may not support it");
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		rc = SQLITE_BUSY;
	}
	return store_db_fail(s, rc, err);
}

int store_open(const char *path, unsigned flags, struct store **out, struct error *err)
{
	struct store *s;
	bool exists;
	int ret, rc, version = 0, appid = 0, objects = 0;
	char *v = NULL;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->busy_ms = DEFAULT_BUSY_MS;
	s->clock = real_clock;

	ret = precheck(s, flags, &exists, err);
	if (ret < 0)
		goto done;
	/* NOMUTEX: a store is used by one thread at a time, so SQLite's own
	 * per-connection mutexes are pure cost (issue 18) */
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_NOMUTEX |
				     ((flags & STORE_OPEN_READONLY)
					      ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE |
							((flags & STORE_OPEN_CREATE) ? SQLITE_OPEN_CREATE
										     : 0)),
			     NULL);
	if (rc != SQLITE_OK) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_ms);

	/* Read-only checks first: the file must stay untouched when refused. */
	ret = pragma_int(s, "PRAGMA user_version", &version, err);
	if (ret < 0)
		goto done;
	ret = pragma_int(s, "PRAGMA application_id", &appid, err);
	if (ret < 0)
		goto done;
	ret = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects, err);
	if (ret < 0)
		goto done;
	if (appid != STORE_APPLICATION_ID && (appid != 0 || version != 0 || objects != 0)) {
		ret = refuse_not_ruhu(s, err);
		goto done;
	}
	if (version > store_schema_version()) {
		ret = refuse_newer(s, version, err);
		goto done;
	}
	/* before anything is written to it (WAL switch, migrations) */
	if (flags & STORE_OPEN_CHECK) {
		ret = quick_check(s, err);
		if (ret < 0)
			goto done;
	}

	if (!(flags & STORE_OPEN_READONLY)) {
		ret = switch_wal(s, err);
		if (ret < 0)
			goto done;
	}
	ret = exec(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", err);
	if (ret < 0)
		goto done;

	if (version < store_schema_version()) {
		if (flags & STORE_OPEN_READONLY) {
			ret = refuse_readonly_upgrade(s, version, err);
			goto done;
		}
		ret = store_schema_migrate(s, version, err);
		if (ret < 0)
			goto done;
	}

	ret = meta_get(s, "device_id", &v, err);
	if (ret < 0)
		goto done;
	if (!v || strlen(v) != STORE_ID_LEN) {
		ret = store_db_fail(s, SQLITE_CORRUPT, err);
		goto done;
	}
	memcpy(s->device, v, STORE_ID_LEN + 1);
	ret = meta_get(s, "enumerator", &s->enumerator, err);
	if (ret < 0)
		goto done;
	*out = s;
	s = NULL;
done:
	free(v);
	store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s->db);
	store_key_forget(s);
	free(s->enumerator);
	free(s->path);
	free(s);
}

/* ---- enumerator ----------------------------------------------------------- */

static bool has_control(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return true;
	return false;
}

int store_enumerator_set(struct store *s, const char *id, struct error *err)
{
	struct event_in ev = {0};
	sqlite3_stmt *q;
	int ret, rc;

	if (!id || !*id || has_control(id))
		return fail(err, s->path, STORE_E_INVALID, "调查员编号 '%s' 无效：不能为空或含控制字符",
			    "invalid enumerator id '%s': empty or has control characters",
			    id ? id : "");
	if (store_ident(s, id, IDENT_ENUMERATOR, false, err) < 0)
		return -STORE_E_INVALID;
	if (s->enumerator && !strcmp(s->enumerator, id))
		return 0;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	q = store_stmt(s, ST_META_SET, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto done;
	}
	store_bind_text(q, 1, "enumerator");
	store_bind_text(q, 2, id);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	ev.kind = "enumerator";
	ev.old_value = s->enumerator;
	ev.new_value = id;
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto done;
	ret = store_tx_commit(s, err);
	if (ret < 0)
		return ret;
	free(s->enumerator);
	s->enumerator = xstrdup(id);
	return 0;
done:
	store_tx_abort(s);
	return ret;
}

/* ---- forms ---------------------------------------------------------------- */

/* An attached file's name: the identifier rule, and a plain file name. */
static int file_name_check(struct store *s, const char *form_id, const char *name,
			   struct error *err)
{
	if (!name || ident_check(name, IDENT_FORM, NULL) != 0 || name[0] == '.')
		return fail(err, s->path, STORE_E_INVALID,
			    "表单 '%s' 的附带文件名 '%s' 无效",
			    "form '%s' attached file name '%s' is not a plain file name",
			    form_id ? form_id : "", name ? name : "");
	return 0;
}

/* Checks `hash` against the source and files; 0 when it is their identity. */
static int form_identity_check(struct store *s, const char *hash, const char *form_id,
			       const char *source, size_t len,
			       const struct store_form_file *files, size_t n, struct error *err)
{
	struct digest_named *v = NULL;
	char (*fh)[65] = NULL;
	char src[65], hex[65];
	size_t i, j;
	int ret = 0;

	if (n) {
		v = xcalloc(n, sizeof(*v));
		fh = xcalloc(n, sizeof(*fh));
	}
	for (i = 0; i < n; i++) {
		ret = file_name_check(s, form_id, files[i].name, err);
		if (ret < 0)
			goto done;
		for (j = 0; j < i; j++)
			if (!strcmp(files[j].name, files[i].name)) {
				ret = fail(err, s->path, STORE_E_INVALID,
					   "表单 '%s' 的附带文件 '%s' 出现两次",
					   "form '%s' attached file '%s' appears twice",
					   form_id ? form_id : "", files[i].name);
				goto done;
			}
		if (files[i].len > STORE_FILE_MAX || (!files[i].data && files[i].len)) {
			ret = fail(err, s->path, STORE_E_INVALID,
				   "表单 '%s' 的附带文件 '%s' 太大（%zu 字节，最多 %zu）",
				   "form '%s' attached file '%s' too large (%zu bytes, at most %zu)",
				   form_id ? form_id : "", files[i].name, files[i].len,
				   STORE_FILE_MAX);
			goto done;
		}
		digest_sha256_hex(files[i].data ? files[i].data : "", files[i].len, fh[i]);
		v[i].name = files[i].name;
		v[i].sha256_hex = fh[i];
	}
	digest_sha256_hex(source, len, src);
	digest_form_hash(src, v, n, hex);
	if (strcmp(hex, hash))
		ret = n ? fail(err, s->path, STORE_E_INVALID,
			       "表单 '%s' 的哈希 %s 与其源文件和附带文件不符 (%s)",
			       "form '%s' hash %s does not match its source and attached files (%s)",
			       form_id ? form_id : "", hash, hex)
			: fail(err, s->path, STORE_E_INVALID,
			       "表单 '%s' 的哈希 %s 与其源文件不符 (%s)",
			       "form '%s' hash %s does not match its source (%s)",
			       form_id ? form_id : "", hash, hex);
done:
	free(v);
	free(fh);
	return ret;
}

int store_form_put_source(struct store *s, const char *hash, const char *form_id,
			  const char *version, const char *title, const char *source, size_t len,
			  struct error *err)
{
	return store_form_put_files(s, hash, form_id, version, title, source, len, NULL, 0, err);
}

int store_form_put_files(struct store *s, const char *hash, const char *form_id,
			 const char *version, const char *title, const char *source, size_t len,
			 const struct store_form_file *files, size_t n_files, struct error *err)
{
	struct event_in ev = {0};
	sqlite3_stmt *q;
	size_t i;
	int ret, rc;

	if (!hash || !source)
		return fail(err, s->path, STORE_E_INVALID, "表单缺少哈希或源文件",
			    "form without hash or source");
	ret = form_identity_check(s, hash, form_id, source, len, files, n_files, err);
	if (ret < 0)
		return ret;
	/* a form may have no form_id; one it has follows the identifier rule */
	if (form_id && *form_id && store_ident(s, form_id, IDENT_FORM, false, err) < 0)
		return -STORE_E_INVALID;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	q = store_stmt(s, ST_FORM_PUT, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto done;
	}
	store_bind_text(q, 1, hash);
	store_bind_text(q, 2, form_id ? form_id : "");
	store_bind_text(q, 3, version ? version : "");
	store_bind_text(q, 4, title ? title : "");
	sqlite3_bind_blob64(q, 5, len ? source : "", len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, store_now(s));
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	if (sqlite3_changes(s->db) == 1) {
		/* the files belong to this new row: the hash covers them */
		q = store_stmt(s, ST_FORM_FILE_PUT, err);
		if (!q) {
			ret = -STORE_E_INTERNAL;
			goto done;
		}
		for (i = 0; i < n_files; i++) {
			char hex[65];

			digest_sha256_hex(files[i].data ? files[i].data : "", files[i].len, hex);
			store_bind_text(q, 1, hash);
			store_bind_text(q, 2, files[i].name);
			store_bind_text(q, 3, hex);
			sqlite3_bind_blob64(q, 4, files[i].len ? files[i].data : "", files[i].len,
					    SQLITE_STATIC);
			rc = sqlite3_step(q);
			sqlite3_reset(q);
			if (rc != SQLITE_DONE) {
				ret = store_db_fail(s, rc, err);
				goto done;
			}
		}
		ev.kind = "form_add";
		ev.new_value = hash;
		ev.extra = form_id;
		ret = store_event_add(s, &ev, err);
		if (ret < 0)
			goto done;
	}
	return store_tx_commit(s, err);
done:
	store_tx_abort(s);
	return ret;
}

int store_form_files(struct store *s, const char *hash, struct store_form_file **out, size_t *n,
		     struct error *err)
{
	sqlite3_stmt *q = NULL;
	struct store_form_file *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	q = store_stmt(s, ST_FORM_HAS, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, hash);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	q = NULL;
	if (rc == SQLITE_DONE)
		return fail(err, s->path, STORE_E_NOTFOUND, "没有哈希为 %s 的表单",
			    "no form with hash %s", hash ? hash : "");
	if (rc != SQLITE_ROW)
		return store_db_fail(s, rc, err);
	rc = sqlite3_prepare_v2(s->db,
				"SELECT name, data FROM form_file WHERE form_hash = ?1 ORDER BY name",
				-1, &q, NULL);
	if (rc == SQLITE_OK)
		store_bind_text(q, 1, hash);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		char *d = xmalloc(len + 1);

		if (len)
			memcpy(d, sqlite3_column_blob(q, 1), len);
		d[len] = '\0';
		XGROW(v, cap, cnt + 1);
		v[cnt].name = store_col_dup(q, 0);
		v[cnt].data = d;
		v[cnt].len = len;
		cnt++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		store_form_files_free(v, cnt);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	sqlite3_finalize(q);
	return ret;
}

void store_form_files_free(struct store_form_file *v, size_t n)
{
	size_t i;

	/* the array owns what its const pointers point to */
	for (i = 0; v && i < n; i++) {
		free((char *)v[i].name);
		free((char *)v[i].data);
	}
	free(v);
}

int store_form_list(struct store *s, struct store_form_info **out, size_t *n, struct error *err)
{
	sqlite3_stmt *q = NULL;
	struct store_form_info *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT hash, form_id, version, title, added, length(source)"
				" FROM form ORDER BY added, hash",
				-1, &q, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(v, cap, cnt + 1);
		v[cnt].hash = store_col_dup(q, 0);
		v[cnt].form_id = store_col_dup(q, 1);
		v[cnt].version = store_col_dup(q, 2);
		v[cnt].title = store_col_dup(q, 3);
		v[cnt].added = sqlite3_column_int64(q, 4);
		v[cnt].size = (size_t)sqlite3_column_int64(q, 5);
		cnt++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		store_form_info_free(v, cnt);
		goto done;
	}
	*out = v;
	*n = cnt;
done:
	sqlite3_finalize(q);
	return ret;
}

void store_form_info_free(struct store_form_info *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].hash);
		free(v[i].form_id);
		free(v[i].version);
		free(v[i].title);
	}
	free(v);
}

int store_form_source(struct store *s, const char *hash, char **src, size_t *len,
		      struct error *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = 0;
	size_t n;

	*src = NULL;
	*len = 0;
	rc = sqlite3_prepare_v2(s->db, "SELECT source FROM form WHERE hash = ?1", -1, &q, NULL);
	if (rc == SQLITE_OK) {
		store_bind_text(q, 1, hash);
		rc = sqlite3_step(q);
	}
	if (rc == SQLITE_DONE) {
		ret = fail(err, s->path, STORE_E_NOTFOUND, "没有哈希为 %s 的表单",
			   "no form with hash %s", hash ? hash : "");
		goto done;
	}
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
		goto done;
	}
	n = (size_t)sqlite3_column_bytes(q, 0);
	*src = xmalloc(n + 1);
	if (n)
		memcpy(*src, sqlite3_column_blob(q, 0), n);
	(*src)[n] = '\0';
	*len = n;
done:
	sqlite3_finalize(q);
	return ret;
}

/* Checks an identifier entering the store (ruhu/ident.h); NULL passes when
 * `optional`. STORE_E_INVALID with where = the database on a fault. */
int store_ident(struct store *s, const char *v, enum ident_kind kind, bool optional,
		struct error *err)
{
	if (optional && !v)
		return 0;
	if (ident_check(v, kind, err) == 0)
		return 0;
	if (err) {
		free(err->where);
		err->where = xstrdup(s->path);
		err->code = STORE_E_INVALID;
	}
	return -STORE_E_INVALID;
}

/* The one value limit (STORE_VALUE_MAX, ruhu/store.h): 0, or
 * STORE_E_INVALID naming the field `name` (an answer path, "comment" ...). */
int store_value_check(struct store *s, const char *name, const char *v, struct error *err)
{
	size_t n = v ? strlen(v) : 0;

	if (n <= STORE_VALUE_MAX)
		return 0;
	return store_fail(s, err, STORE_E_INVALID, "'%s' 的值过长：%zu 字节（上限 %zu 字节）",
			  "value of '%s' too long: %zu bytes (limit %zu bytes)", name ? name : "",
			  n, STORE_VALUE_MAX);
}

/* Used by the other files for their own messages. */
int store_fail(struct store *s, struct error *err, int code, const char *zh, const char *en,
	       ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, s->path, zh, en, ap);
	va_end(ap);
	if (err)
		err->code = code;
	return -code;
}
