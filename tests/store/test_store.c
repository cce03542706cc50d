/*
 * test_store — unit tests of the device database (ruhu/store.h): opening,
 * migration, refusals with their exact messages, the answer hot path and the
 * events it writes, revisions, rosters, status changes, assignments and the
 * merge primitives. Every test works in its own fresh folder under the
 * current directory (the build dir, a real disk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/digest.h"
#include "ruhu/form.h"
#include "ruhu/store.h"
#include "ruhu/store_review.h"
#include "ruhu/strbuf.h"
#include "testutil.h"

#include "store_sqlite.h" /* the SQLite handle: this file inspects databases */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct error err;
	char form[65];
};

static const char form_src[] = "type,name,label\ninteger,age,Age\n";

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	strcpy(f->dir, "store-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dev.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	store_close(f->s);
	error_clear(&f->err);
	chmod(f->path, 0644);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Opens (creating) the fixture database and stores one form. */
static void open_with_form(struct fx *f)
{
	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	digest_sha256_hex(form_src, strlen(form_src), f->form);
	assert_int_equal(store_form_put_source(f->s, f->form, "hh", "2024", "Household", form_src,
					       strlen(form_src), &f->err),
			 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

/* One integer from SQL on the store's connection. */
static long long q1(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Collects the events of an interview as "kind path old new" lines. */
static int ev_line(void *ctx, const struct store_event *ev)
{
	struct strbuf *sb = ctx;

	strbuf_addf(sb, "%s %s %s%s|%s%s\n", ev->kind, ev->path ? ev->path : "-",
		    ev->old_value ? ev->old_value : "", ev->old_special ?
		    store_special_name(ev->old_special) : "",
		    ev->new_value ? ev->new_value : "",
		    ev->new_special ? store_special_name(ev->new_special) : "");
	return 0;
}

static char *events_of(struct store *s, const char *uuid)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(store_events_each(s, uuid, ev_line, &sb, &err), 0);
	return strbuf_detach(&sb, NULL);
}

/* ---- open / reopen ---------------------------------------------------------- */

static void test_create_reopen(void **state)
{
	struct fx *f = *state;
	char dev[STORE_ID_LEN + 1];

	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	assert_int_equal(strlen(store_device_id(f->s)), STORE_ID_LEN);
	assert_int_equal(store_device_id(f->s)[14], '4'); /* UUID version 4 */
	assert_null(store_enumerator_get(f->s));
	strcpy(dev, store_device_id(f->s));
	assert_int_equal(q1(f->s, "PRAGMA user_version"), store_schema_version());
	assert_true(store_schema_version() >= 2);
	assert_int_equal(q1(f->s, "PRAGMA application_id"), 0x72756875);
	assert_int_equal(q1(f->s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q1(f->s, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(q1(f->s, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

	assert_int_equal(store_enumerator_set(f->s, "E07", &f->err), 0);
	assert_int_equal(store_enumerator_set(f->s, "", &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid enumerator id '': empty or has control characters");
	store_close(f->s);
	f->s = NULL;

	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), 0);
	assert_string_equal(store_device_id(f->s), dev);
	assert_string_equal(store_enumerator_get(f->s), "E07");
	/* the enumerator change is an event of this device */
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind = 'enumerator'"
				  " AND new_value = 'E07' AND seq = 1"),
			 1);
	store_close(f->s);
	f->s = NULL;

	/* a second database gets another device id */
	{
		char p2[160];
		struct store *s2;

		snprintf(p2, sizeof(p2), "%s/other.db", f->dir);
		assert_int_equal(store_open(p2, STORE_OPEN_CREATE, &s2, &f->err), 0);
		assert_string_not_equal(store_device_id(s2), dev);
		store_close(s2);
	}
}

static void test_missing_file(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_NOTFOUND);
	assert_null(f->s);
	assert_int_equal(f->err.code, STORE_E_NOTFOUND);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en, "no such database file");
	assert_string_equal(f->err.zh, "数据库文件不存在");
	assert_int_equal(access(f->path, F_OK), -1);
	{
		char p2[160];
		snprintf(p2, sizeof(p2), "%s/no/such/dev.db", f->dir);
		assert_int_equal(store_open(p2, STORE_OPEN_CREATE, &f->s, &f->err),
				 -STORE_E_NOTFOUND);
		assert_string_equal(f->err.where, p2);
		snprintf(p2, sizeof(p2), "folder '%s/no/such' does not exist", f->dir);
		assert_string_equal(f->err.en, p2);
	}
}

/* The v1 schema exactly as ruhu 0.1's first step wrote it (a fixture: an
 * older database in the field). */
static const char v1_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
	"CREATE TABLE form (hash TEXT PRIMARY KEY, form_id TEXT NOT NULL DEFAULT '',"
	" version TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',"
	" source BLOB NOT NULL, added INTEGER NOT NULL);"
	"CREATE TABLE assignment (household_key TEXT PRIMARY KEY CHECK (household_key <> ''),"
	" county TEXT, township TEXT, village TEXT, household_type TEXT, head_name TEXT,"
	" enumerator TEXT, device TEXT, updated INTEGER NOT NULL);"
	"CREATE TABLE assignment_field (household_key TEXT NOT NULL"
	" REFERENCES assignment(household_key) ON DELETE CASCADE,"
	" name TEXT NOT NULL CHECK (name <> ''), value TEXT NOT NULL,"
	" PRIMARY KEY (household_key, name));"
	"CREATE TABLE interview (uuid TEXT PRIMARY KEY, form_hash TEXT NOT NULL REFERENCES"
	" form(hash), household_key TEXT, enumerator TEXT, device TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'approved',"
	" 'rejected')), review_comment TEXT, revision INTEGER NOT NULL,"
	" change_seq INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
	" position TEXT);"
	"CREATE INDEX interview_household ON interview(household_key);"
	"CREATE INDEX interview_change ON interview(change_seq);"
	"CREATE TABLE answer (interview TEXT NOT NULL REFERENCES interview(uuid)"
	" ON DELETE CASCADE, path TEXT NOT NULL CHECK (path <> ''), value TEXT,"
	" special TEXT CHECK (special IN ('dont_know', 'refused')),"
	" CHECK (value IS NULL OR special IS NULL), PRIMARY KEY (interview, path))"
	" WITHOUT ROWID;"
	"CREATE TABLE event (id INTEGER PRIMARY KEY, device TEXT NOT NULL,"
	" seq INTEGER NOT NULL, interview TEXT REFERENCES interview(uuid)"
	" DEFERRABLE INITIALLY DEFERRED, time INTEGER NOT NULL, kind TEXT NOT NULL,"
	" actor TEXT, path TEXT, old_value TEXT, new_value TEXT,"
	" old_special TEXT CHECK (old_special IN ('dont_know', 'refused')),"
	" new_special TEXT CHECK (new_special IN ('dont_know', 'refused')), extra TEXT,"
	" UNIQUE (device, seq));"
	"CREATE INDEX event_interview ON event(interview, time);"
	"INSERT INTO meta VALUES ('device_id', '11111111-2222-4333-8444-555555555555');"
	"INSERT INTO meta VALUES ('change_seq', 7);"
	"INSERT INTO meta VALUES ('enumerator', 'E01');"
	"INSERT INTO form VALUES ('abc', 'hh', '1', 'Household', 'type,name', 1000);"
	"INSERT INTO interview VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'abc', 'H01',"
	" 'E01', '11111111-2222-4333-8444-555555555555', 'in_progress', NULL, 3, 7, 1000,"
	" 2000, 'age');"
	"INSERT INTO answer VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'age', '41', NULL);"
	"INSERT INTO answer VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'name', NULL,"
	" 'refused');"
	"INSERT INTO event(device, seq, interview, time, kind, path, new_value) VALUES"
	" ('11111111-2222-4333-8444-555555555555', 1, 'aaaaaaaa-0000-4000-8000-000000000001',"
	" 1500, 'answer_set', 'age', '41');"
	"PRAGMA application_id = 1920297077;"
	"PRAGMA user_version = 1;";

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_migrate_v1(void **state)
{
	struct fx *f = *state;
	const char *uuid = "aaaaaaaa-0000-4000-8000-000000000001";
	struct store_loaded *l;
	char *evs;

	make_db(f->path, v1_sql);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), 0);
	assert_int_equal(q1(f->s, "PRAGMA user_version"), store_schema_version());
	/* identity and data survive the migration */
	assert_string_equal(store_device_id(f->s), "11111111-2222-4333-8444-555555555555");
	assert_string_equal(store_enumerator_get(f->s), "E01");
	assert_int_equal(store_interview_load(f->s, uuid, &l, &f->err), 0);
	assert_int_equal(l->iv.revision, 3);
	assert_string_equal(l->iv.position, "age");
	assert_int_equal(l->n_answers, 2);
	assert_string_equal(l->answers[0].path, "age");
	assert_string_equal(l->answers[0].value, "41");
	assert_string_equal(l->answers[1].path, "name");
	assert_null(l->answers[1].value);
	assert_int_equal(l->answers[1].special, STORE_SPECIAL_REFUSED);
	store_loaded_free(l);
	/* the v2 table works, and the device sequence continues after 1 */
	assert_int_equal(store_comment_add(f->s, uuid, "age", NULL, "check age", &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM comment"), 1);
	assert_int_equal(q1(f->s, "SELECT max(seq) FROM event"), 2);
	assert_int_equal(q1(f->s, "SELECT change_seq FROM interview"), 8);
	evs = events_of(f->s, uuid);
	assert_string_equal(evs, "answer_set age |41\ncomment age |check age\n");
	free(evs);
	store_close(f->s);
	f->s = NULL;
	/* opening again does nothing more */
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM comment"), 1);
}

static void test_newer_version(void **state)
{
	struct fx *f = *state;
	char *before, *after;
	size_t nb, na;

	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	store_close(f->s);
	f->s = NULL;
	make_db(f->path, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;");
	before = read_file(f->path, &nb);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_NEWER);
	assert_null(f->s);
	assert_int_equal(f->err.code, STORE_E_NEWER);
	assert_string_equal(f->err.where, f->path);
	{
		char en[128], zh[160];
		snprintf(en, sizeof(en),
			 "schema version 99 is newer than this ruhu supports (%d): upgrade ruhu",
			 store_schema_version());
		snprintf(zh, sizeof(zh), "数据库结构版本 99 比本程序支持的版本 (%d) 新：请升级 ruhu",
			 store_schema_version());
		assert_string_equal(f->err.en, en);
		assert_string_equal(f->err.zh, zh);
	}
	after = read_file(f->path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
}

static void test_read_only(void **state)
{
	struct fx *f = *state;
	struct store_form_info *forms;
	size_t n;

	open_with_form(f);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(chmod(f->path, 0444), 0);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_READONLY);
	assert_null(f->s);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en,
			    "database file is read-only: check its permissions or open it read-only");
	assert_string_equal(f->err.zh, "数据库文件为只读：请检查文件权限，或以只读方式打开");
	/* read-only opening works and reads */
	assert_int_equal(store_open(f->path, STORE_OPEN_READONLY, &f->s, &f->err), 0);
	assert_int_equal(store_form_list(f->s, &forms, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(forms[0].form_id, "hh");
	store_form_info_free(forms, n);
}

static void test_not_a_database(void **state)
{
	struct fx *f = *state;
	char wal[160], *after;
	size_t i, na;
	struct strbuf text = STRBUF_INIT;
	FILE *fp;

	for (i = 0; i < 200; i++)
		strbuf_addstr(&text, "household_key,county,village\nH001,Wenshan,Dongshan\n");
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text.buf, 1, text.len, fp), text.len);
	assert_int_equal(fclose(fp), 0);

	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_NOTDB);
	assert_null(f->s);
	assert_int_equal(f->err.code, STORE_E_NOTDB);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en, "file is not a database");
	assert_string_equal(f->err.zh, "文件不是数据库");
	after = read_file(f->path, &na);
	assert_int_equal(na, text.len);
	assert_memory_equal(after, text.buf, na);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(access(wal, F_OK), -1);
	free(after);
	strbuf_release(&text);

	/* a SQLite database of some other program */
	assert_int_equal(unlink(f->path), 0);
	make_db(f->path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_NOTDB);
	assert_string_equal(f->err.en, "not a ruhu database");
	assert_string_equal(f->err.zh, "不是 ruhu 数据库");
}

/* Pages after the first overwritten with garbage: a damaged database. */
static void test_corrupt(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	char *data;
	size_t len, i;
	FILE *fp;

	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "40", 0, NULL, &f->err), 0);
	store_close(f->s); /* checkpoints the WAL into the file */
	f->s = NULL;
	data = read_file(f->path, &len);
	assert_true(len > 8192);
	for (i = 4096; i < len; i++)
		data[i] = (char)(0xA5 ^ (i * 131));
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(data);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_CORRUPT);
	assert_null(f->s);
	assert_int_equal(f->err.code, STORE_E_CORRUPT);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en, "database is damaged: keep the file and ask for support");
	assert_string_equal(f->err.zh, "数据库已损坏：请保留此文件并联系技术支持");
}

/*
 * Issue 11 D14/D15: a 0-byte file is "empty file, not a ruhu database"
 * (not schema-upgrade talk) unless STORE_OPEN_CREATE; a refused WAL-mode
 * database gets no -wal/-shm beside it, even read-only; STORE_OPEN_CHECK
 * refuses a database that PRAGMA quick_check faults, before writing to it,
 * and opens a sound one.
 */
static void test_refused_untouched(void **state)
{
	struct fx *f = *state;
	char wal[160], shm[160], uuid[STORE_ID_LEN + 1];
	unsigned flags[] = {STORE_OPEN_READONLY, 0};
	FILE *fp;
	int fd;
	long long page;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	snprintf(shm, sizeof(shm), "%s-shm", f->path);
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(store_open(f->path, flags[i], &f->s, &f->err), -STORE_E_NOTDB);
		assert_string_equal(f->err.where, f->path);
		assert_string_equal(f->err.en, "empty file, not a ruhu database");
		assert_string_equal(f->err.zh, "空文件，不是 ruhu 数据库");
		error_clear(&f->err);
		assert_int_equal(access(wal, F_OK), -1);
		assert_int_equal(access(shm, F_OK), -1);
	}
	/* another program's database in WAL mode, and a newer ruhu schema */
	assert_int_equal(unlink(f->path), 0);
	make_db(f->path, "PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);");
	assert_int_equal(access(wal, F_OK), -1);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(store_open(f->path, flags[i], &f->s, &f->err), -STORE_E_NOTDB);
		assert_string_equal(f->err.en, "not a ruhu database");
		error_clear(&f->err);
		assert_int_equal(access(wal, F_OK), -1);
		assert_int_equal(access(shm, F_OK), -1);
	}
	assert_int_equal(unlink(f->path), 0);
	open_with_form(f);
	store_close(f->s);
	f->s = NULL;
	make_db(f->path, "PRAGMA user_version = 99");
	assert_int_equal(access(wal, F_OK), -1);
	assert_int_equal(store_open(f->path, STORE_OPEN_READONLY, &f->s, &f->err), -STORE_E_NEWER);
	error_clear(&f->err);
	assert_int_equal(access(wal, F_OK), -1);
	assert_int_equal(access(shm, F_OK), -1);

	/* STORE_OPEN_CHECK: a sound database opens */
	assert_int_equal(unlink(f->path), 0);
	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	page = q1(f->s, "SELECT rootpage FROM sqlite_schema WHERE name = 'answer'");
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN_CHECK, &f->s, &f->err), 0);
	store_close(f->s);
	f->s = NULL;
	/* one b-tree page's header overwritten: the open itself still works,
	 * quick_check does not */
	fd = open(f->path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\377\377\377\377\377\377\377\377", 8, (page - 1) * 4096), 8);
	close(fd);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), 0);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(f->path, STORE_OPEN_CHECK, &f->s, &f->err), -STORE_E_CORRUPT);
	assert_null(f->s);
	assert_string_equal(f->err.where, f->path);
	{
		char want[200];

		snprintf(want, sizeof(want),
			 "database is damaged (integrity check: Page %lld: btreeInitPage() returns "
			 "error code 11): keep the file, write nothing to it and ask for support",
			 page);
		assert_string_equal(f->err.en, want);
	}
}

static void test_locked(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	sqlite3 *other;
	int64_t rev;
	struct store_interview iv;

	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	assert_int_equal(store_interview_get(f->s, uuid, &iv, &f->err), 0);
	rev = iv.revision;
	store_interview_release(&iv);

	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('x', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store_busy_timeout(f->s, 50);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "40", STORE_SPECIAL_NONE, "age",
					  &f->err),
			 -STORE_E_LOCKED);
	assert_int_equal(f->err.code, STORE_E_LOCKED);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en, "database is locked by another program (waited 50 ms): "
				       "close the other ruhu and try again");
	assert_string_equal(f->err.zh,
			    "数据库被另一个程序锁定（已等待 50 毫秒）：关闭另一个 ruhu 后重试");
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(other), SQLITE_OK);

	/* nothing of the refused answer was written; then it works */
	assert_int_equal(q1(f->s, "SELECT count(*) FROM answer"), 0);
	assert_int_equal(store_interview_get(f->s, uuid, &iv, &f->err), 0);
	assert_int_equal(iv.revision, rev);
	store_interview_release(&iv);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "40", STORE_SPECIAL_NONE, "age",
					  &f->err),
			 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM answer"), 1);
}

/* A database that needs a migration while another program writes to it:
 * refused after the busy timeout (5 s), the file untouched. */
static void test_locked_at_open(void **state)
{
	struct fx *f = *state;
	char *before, *after;
	size_t nb, na;
	sqlite3 *other;

	make_db(f->path, v1_sql);
	before = read_file(f->path, &nb);
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('x', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_open(f->path, 0, &f->s, &f->err), -STORE_E_LOCKED);
	assert_null(f->s);
	assert_string_equal(f->err.where, f->path);
	assert_string_equal(f->err.en, "database is locked by another program (waited 5000 ms): "
				       "close the other ruhu and try again");
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(other), SQLITE_OK);
	after = read_file(f->path, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
	/* a directory is not a database */
	assert_int_equal(store_open(f->dir, 0, &f->s, &f->err), -STORE_E_NOTDB);
	assert_string_equal(f->err.en, "not a regular file");
}

static void test_disk_full(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	char *big;
	long long pages;
	char sql[64];

	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	/* pretend the disk is full: no page may be added */
	pages = q1(f->s, "PRAGMA page_count");
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", pages);
	assert_int_equal(q1(f->s, sql), pages);
	big = xmalloc(64 * 1024);
	memset(big, 'x', 64 * 1024 - 1);
	big[64 * 1024 - 1] = '\0';
	assert_int_equal(store_answer_put(f->s, uuid, "note", big, STORE_SPECIAL_NONE, NULL,
					  &f->err),
			 -STORE_E_FULL);
	assert_string_equal(f->err.en, "disk is full: nothing was written");
	assert_string_equal(f->err.zh, "磁盘已满：本次没有写入任何内容");
	free(big);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM answer"), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind = 'answer_set'"), 0);
	assert_int_equal(q1(f->s, "SELECT revision FROM interview"), 1);
	/* and the store keeps working for small writes */
	assert_int_equal(store_answer_put(f->s, uuid, "age", "3", STORE_SPECIAL_NONE, NULL,
					  &f->err),
			 0);
}

/* ---- answers and events ------------------------------------------------------ */

static int64_t rev_of(struct fx *f, const char *uuid, int64_t *cs)
{
	struct store_interview iv;
	int64_t r;

	assert_int_equal(store_interview_get(f->s, uuid, &iv, &f->err), 0);
	r = iv.revision;
	if (cs)
		*cs = iv.change_seq;
	store_interview_release(&iv);
	return r;
}

static void test_answers_events(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	struct store_loaded *l;
	int64_t cs0, cs1, cs2;
	char *evs;

	open_with_form(f);
	assert_int_equal(store_enumerator_set(f->s, "E02", &f->err), 0);
	assert_int_equal(store_interview_new(f->s, f->form, "H9", uuid, &f->err), 0);
	assert_int_equal(strlen(uuid), STORE_ID_LEN);
	assert_int_equal(rev_of(f, uuid, &cs0), 1);

	assert_int_equal(store_answer_put(f->s, uuid, "age", "41", 0, "age", &f->err), 0);
	assert_int_equal(rev_of(f, uuid, &cs1), 2);
	assert_true(cs1 > cs0);
	/* the same again: no write, no event */
	assert_int_equal(store_answer_put(f->s, uuid, "age", "41", 0, "name", &f->err), 0);
	assert_int_equal(rev_of(f, uuid, &cs2), 2);
	assert_int_equal(cs2, cs1);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "42", 0, "age", &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "age", NULL, STORE_SPECIAL_DONT_KNOW, NULL,
					  &f->err),
			 0);
	assert_int_equal(q1(f->s, "SELECT value IS NULL AND special = 'dont_know' FROM answer"
				  " WHERE path = 'age'"),
			 1);
	assert_int_equal(store_answer_put(f->s, uuid, "members[1]", NULL, 0, NULL, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "members[1]/m_name", "张三", 0,
					  "members[1]/m_name", &f->err),
			 0);
	assert_int_equal(store_answer_clear(f->s, uuid, "age", NULL, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM answer WHERE path = 'age'"), 0);
	/* clearing again is a no-op */
	assert_int_equal(store_answer_clear(f->s, uuid, "age", NULL, &f->err), 0);
	assert_int_equal(rev_of(f, uuid, NULL), 7);

	{
		struct strbuf want = STRBUF_INIT;
		strbuf_addf(&want, "create - |%s\n", f->form);
		strbuf_addstr(&want, "answer_set age |41\n"
				     "answer_changed age 41|42\n"
				     "special age 42|dont_know\n"
				     "repeat_add members[1] |\n"
				     "answer_set members[1]/m_name |张三\n"
				     "answer_cleared age dont_know|\n");
		evs = events_of(f->s, uuid);
		assert_string_equal(evs, want.buf);
		free(evs);
		strbuf_release(&want);
	}
	/* gap-free per-device sequence, the enumerator as actor */
	assert_int_equal(q1(f->s, "SELECT max(seq) - min(seq) + 1 = count(*) FROM event"), 1);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE interview IS NOT NULL"
				  " AND actor = 'E02'"),
			 7);

	/* resume data */
	assert_int_equal(store_interview_load(f->s, uuid, &l, &f->err), 0);
	assert_string_equal(l->iv.position, "members[1]/m_name");
	assert_string_equal(l->iv.household_key, "H9");
	assert_string_equal(l->iv.form_hash, f->form);
	assert_string_equal(l->iv.enumerator, "E02");
	assert_string_equal(l->iv.device, store_device_id(f->s));
	assert_int_equal(l->iv.status, STORE_IN_PROGRESS);
	assert_int_equal(l->n_answers, 2);
	assert_string_equal(l->answers[0].path, "members[1]");
	assert_null(l->answers[0].value);
	assert_int_equal(l->answers[0].special, STORE_SPECIAL_NONE);
	assert_string_equal(l->answers[1].value, "张三");
	store_loaded_free(l);

	/* bad arguments are refused before anything is written */
	assert_int_equal(store_answer_put(f->s, uuid, "age", "1", STORE_SPECIAL_REFUSED, NULL,
					  &f->err),
			 -STORE_E_INVALID);
	assert_string_equal(f->err.en, "'age' cannot have both a value and a special value");
	assert_int_equal(store_answer_put(f->s, uuid, "age", NULL, 0, NULL, &f->err),
			 -STORE_E_INVALID);
	assert_string_equal(f->err.en, "missing value for 'age'");
	assert_int_equal(store_answer_put(f->s, uuid, "", "1", 0, NULL, &f->err), -STORE_E_INVALID);
	assert_int_equal(store_answer_put(f->s, "nope", "age", "1", 0, NULL, &f->err),
			 -STORE_E_NOTFOUND);
	assert_string_equal(f->err.en, "no interview 'nope'");
	assert_int_equal(rev_of(f, uuid, NULL), 7);
	/* unknown form */
	assert_int_equal(store_interview_new(f->s, "00", NULL, uuid, &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en, "no form with hash 00 in the database");
}

static int64_t fixed_clock(void *ctx)
{
	return (*(int64_t *)ctx)++;
}

static void test_navigate_paradata(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	int64_t cs1, cs2, t = 1700000000000;

	open_with_form(f);
	store_set_clock(f->s, fixed_clock, &t);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	assert_int_equal(rev_of(f, uuid, &cs1), 1);
	assert_int_equal(store_interview_navigate(f->s, uuid, "sec_b", &f->err), 0);
	assert_int_equal(rev_of(f, uuid, &cs2), 1); /* navigation is not content */
	assert_true(cs2 > cs1);
	assert_int_equal(store_event_log(f->s, uuid, "open", NULL, NULL, NULL, "resume", &f->err), 0);
	assert_int_equal(store_event_log(f->s, uuid, "Bad-Kind", NULL, NULL, NULL, NULL, &f->err),
			 -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid event kind 'Bad-Kind': use lowercase letters and '_'");
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind IN ('navigate', 'open')"),
			 2);
	assert_int_equal(q1(f->s, "SELECT position = 'sec_b' FROM interview"), 1);
	/* every time written came from the injected clock, in order */
	assert_int_equal(q1(f->s, "SELECT created FROM interview"), 1700000000000);
	assert_int_equal(q1(f->s, "SELECT time FROM event WHERE kind = 'create'"), 1700000000001);
	assert_int_equal(q1(f->s, "SELECT time FROM event WHERE kind = 'navigate'"), 1700000000002);
	assert_int_equal(q1(f->s, "SELECT updated FROM interview"), 1700000000005);
	store_set_clock(f->s, NULL, NULL);
	assert_int_equal(store_interview_navigate(f->s, uuid, "sec_c", &f->err), 0);
	assert_true(q1(f->s, "SELECT max(time) FROM event") > 1700000100000);
}

static void test_status_review(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	struct store_interview iv;
	struct store_assignment a = {.household_key = "H1", .village = "Dongshan"};
	struct store_assignment_row *rows;
	size_t n, counts[STORE_ASTATUS_COUNT], ic[STORE_ISTATUS_COUNT];
	char *evs;

	open_with_form(f);
	assert_int_equal(store_assignments_put(f->s, &a, 1, NULL, &f->err), 0);
	assert_int_equal(store_assignment_counts(f->s, NULL, counts, &f->err), 0);
	assert_int_equal(counts[STORE_ASTATUS_NOT_STARTED], 1);
	assert_int_equal(store_interview_new(f->s, f->form, "H1", uuid, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "30", 0, NULL, &f->err), 0);
	assert_int_equal(store_assignment_counts(f->s, NULL, counts, &f->err), 0);
	assert_int_equal(counts[STORE_ASTATUS_IN_PROGRESS], 1);

	assert_int_equal(store_interview_reopen(f->s, uuid, &f->err), -STORE_E_STATE);
	{
		char want[128];
		snprintf(want, sizeof(want),
			 "interview '%s' is in_progress and cannot become in_progress", uuid);
		assert_string_equal(f->err.en, want);
		snprintf(want, sizeof(want), "访问 '%s' 的状态为进行中，不能改为进行中", uuid);
		assert_string_equal(f->err.zh, want);
	}
	assert_int_equal(store_interview_complete(f->s, uuid, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "31", 0, NULL, &f->err),
			 -STORE_E_STATE);
	{
		char want[128];
		snprintf(want, sizeof(want), "interview '%s' is completed: reopen it first", uuid);
		assert_string_equal(f->err.en, want);
		snprintf(want, sizeof(want), "访问 '%s' 的状态为已完成：请先重新打开", uuid);
		assert_string_equal(f->err.zh, want);
	}
	assert_int_equal(store_interview_complete(f->s, uuid, &f->err), -STORE_E_STATE);
	{
		char want[128];
		snprintf(want, sizeof(want), "interview '%s' is completed and cannot become completed",
			 uuid);
		assert_string_equal(f->err.en, want);
	}
	assert_int_equal(store_interview_review(f->s, uuid, false, "", "TL1", &f->err),
			 -STORE_E_INVALID);
	assert_int_equal(store_interview_review(f->s, uuid, false, "收入核实有误", "TL1", &f->err), 0);
	assert_int_equal(store_interview_get(f->s, uuid, &iv, &f->err), 0);
	assert_int_equal(iv.status, STORE_REJECTED);
	assert_string_equal(iv.review_comment, "收入核实有误");
	assert_int_equal(iv.revision, 4); /* create 1, answer 2, complete 3, reject 4 */
	store_interview_release(&iv);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM comment WHERE author = 'TL1'"), 1);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind = 'review'"
				  " AND actor = 'TL1' AND new_value = 'rejected'"),
			 1);

	assert_int_equal(store_assignment_list(f->s, NULL, &rows, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].status, STORE_ASTATUS_REJECTED);
	assert_string_equal(rows[0].review_comment, "收入核实有误");
	assert_string_equal(rows[0].interview, uuid);
	assert_int_equal(rows[0].n_interviews, 1);
	store_assignment_rows_free(rows, n);

	assert_int_equal(store_interview_reopen(f->s, uuid, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "age", "31", 0, NULL, &f->err), 0);
	assert_int_equal(store_interview_complete(f->s, uuid, &f->err), 0);
	assert_int_equal(store_interview_review(f->s, uuid, true, NULL, "TL1", &f->err), 0);
	assert_int_equal(store_assignment_counts(f->s, NULL, counts, &f->err), 0);
	assert_int_equal(counts[STORE_ASTATUS_APPROVED], 1);
	assert_int_equal(store_interview_counts(f->s, NULL, ic, &f->err), 0);
	assert_int_equal(ic[STORE_APPROVED], 1);
	assert_int_equal(store_interview_reopen(f->s, uuid, &f->err), -STORE_E_STATE);
	evs = events_of(f->s, uuid);
	assert_non_null(strstr(evs, "complete - in_progress|completed\n"
				    "review - completed|rejected\n"
				    "reopen - rejected|in_progress\n"));
	free(evs);
}

/* store_review: the list and its filters, findings of the latest run only,
 * and actions that are all or nothing. */
static void test_review_actions(void **state)
{
	struct fx *f = *state;
	char u1[STORE_ID_LEN + 1], u2[STORE_ID_LEN + 1];
	struct store_assignment a[2] = {{.household_key = "H1", .village = "V1", .enumerator = "E1"},
					{.household_key = "H2", .village = "V2", .enumerator = "E2"}};
	struct store_review_filter flt = STORE_REVIEW_FILTER_ALL;
	struct store_review_row *rows;
	struct store_audit_finding fd = {.rule = "r1", .severity = "error", .path = "age"};
	struct store_review_note notes[2] = {{"age", "check the age"}, {"age", ""}};
	const char *ids[2];
	int64_t run;
	size_t n;

	open_with_form(f);
	assert_int_equal(store_assignments_put(f->s, a, 2, NULL, &f->err), 0);
	assert_int_equal(store_interview_new(f->s, f->form, "H1", u1, &f->err), 0);
	assert_int_equal(store_interview_new(f->s, f->form, "H2", u2, &f->err), 0);
	assert_int_equal(store_interview_complete(f->s, u1, &f->err), 0);
	assert_int_equal(store_interview_complete(f->s, u2, &f->err), 0);
	fd.interview = u2;
	assert_int_equal(store_audit_save(f->s, "c.csv", "x", 2, &fd, 1, &run, &f->err), 0);

	assert_int_equal(store_review_list(f->s, NULL, &rows, &n, &f->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].uuid, u1);
	assert_string_equal(rows[0].enumerator, "E1");
	assert_string_equal(rows[1].village, "V2");
	assert_int_equal(rows[1].n_findings, 1);
	assert_int_equal(rows[1].n_errors, 1);
	store_review_rows_free(rows, n);
	flt.rule = "*";
	assert_int_equal(store_review_list(f->s, &flt, &rows, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].uuid, u2);
	store_review_rows_free(rows, n);
	flt.rule = "r2";
	assert_int_equal(store_review_list(f->s, &flt, &rows, &n, &f->err), 0);
	assert_int_equal(n, 0);
	store_review_rows_free(rows, n);
	flt.rule = NULL;
	flt.enumerator = "E1";
	assert_int_equal(store_review_list(f->s, &flt, &rows, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].uuid, u1);
	store_review_rows_free(rows, n);
	/* a new run without findings: the old one no longer counts */
	assert_int_equal(store_audit_save(f->s, "c.csv", "x", 2, NULL, 0, &run, &f->err), 0);
	flt.enumerator = NULL;
	flt.rule = "*";
	assert_int_equal(store_review_list(f->s, &flt, &rows, &n, &f->err), 0);
	assert_int_equal(n, 0);
	store_review_rows_free(rows, n);

	/* a bad second note: nothing of the rejection is written */
	assert_true(store_review_reject(f->s, u1, "why", "R", notes, 2, &f->err) < 0);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM comment"), 0);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM interview WHERE status = 'completed'"), 2);
	assert_true(store_review_reject(f->s, u1, "", "R", notes, 1, &f->err) < 0);
	assert_int_equal(store_review_reject(f->s, u1, "why", "R", notes, 1, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM comment WHERE author = 'R'"), 2);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM event WHERE actor = 'R' AND kind = 'review'"), 1);
	/* approving an unknown interview with a good one: neither changes */
	ids[0] = u2;
	ids[1] = "00000000-0000-4000-8000-000000000000";
	assert_true(store_review_approve(f->s, ids, 2, "R", &f->err) < 0);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM interview WHERE status = 'approved'"), 0);
	ids[1] = u1;
	assert_int_equal(store_review_approve(f->s, ids, 2, "R", &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT COUNT(*) FROM interview WHERE status = 'approved'"), 2);
}

static void test_repeats(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1];
	struct store_loaded *l;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int k;

	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, uuid, &f->err), 0);
	for (k = 1; k <= 11; k++) {
		char p[64], v[16];
		snprintf(p, sizeof(p), "members[%d]", k);
		assert_int_equal(store_answer_put(f->s, uuid, p, NULL, 0, NULL, &f->err), 0);
		snprintf(p, sizeof(p), "members[%d]/m_age", k);
		snprintf(v, sizeof(v), "%d", 10 + k);
		assert_int_equal(store_answer_put(f->s, uuid, p, v, 0, NULL, &f->err), 0);
	}
	assert_int_equal(store_answer_put(f->s, uuid, "members_note", "x", 0, NULL, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, uuid, "members[2]/plots[1]/area", "3.5", 0, NULL,
					  &f->err),
			 0);
	/* delete the 2nd member: 3..11 become 2..10, nested paths follow */
	assert_int_equal(store_repeat_delete(f->s, uuid, "members", 2, "members[2]/m_age",
					     &f->err),
			 0);
	assert_int_equal(store_interview_load(f->s, uuid, &l, &f->err), 0);
	for (i = 0; i < l->n_answers; i++)
		strbuf_addf(&sb, "%s=%s;", l->answers[i].path,
			    l->answers[i].value ? l->answers[i].value : "");
	assert_string_equal(sb.buf, "members[10]=;members[10]/m_age=21;members[1]=;"
				    "members[1]/m_age=11;members[2]=;members[2]/m_age=13;"
				    "members[3]=;members[3]/m_age=14;members[4]=;members[4]/m_age=15;"
				    "members[5]=;members[5]/m_age=16;members[6]=;members[6]/m_age=17;"
				    "members[7]=;members[7]/m_age=18;members[8]=;members[8]/m_age=19;"
				    "members[9]=;members[9]/m_age=20;members_note=x;");
	assert_string_equal(l->iv.position, "members[2]/m_age");
	store_loaded_free(l);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind = 'answer_cleared'"
				  " AND path IN ('members[2]/m_age', 'members[2]/plots[1]/area')"),
			 2);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE kind = 'repeat_delete'"
				  " AND path = 'members[2]'"),
			 1);
	/* move the 1st member to 3rd place: 2, 3 shift up */
	assert_int_equal(store_repeat_move(f->s, uuid, "members", 1, 3, NULL, &f->err), 0);
	{
		sqlite3_stmt *q;
		assert_int_equal(sqlite3_prepare_v2(store_sqlite(f->s),
						    "SELECT group_concat(value, ',') FROM (SELECT"
						    " value FROM answer WHERE path LIKE"
						    " 'members[_]/m_age' ORDER BY path)",
						    -1, &q, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0),
				    "13,14,11,15,16,17,18,19,20");
		sqlite3_finalize(q);
	}
	assert_int_equal(store_repeat_delete(f->s, uuid, "members", 0, NULL, &f->err),
			 -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid instance index for 'members' (they start at 1)");
	strbuf_release(&sb);
}

/* ---- assignments ----------------------------------------------------------- */

static void test_assignments(void **state)
{
	struct fx *f = *state;
	struct store_field pre1[] = {{"income_2023", "8650.5"}, {"members_2023", "4"}};
	struct store_field predup[] = {{"x", "1"}, {"x", "2"}};
	struct store_assignment a[4] = {
		{"H001", "文山县", "东山乡", "东山村", "脱贫户", "王大", "E01", NULL, pre1, 2},
		{"H002", "文山县", "东山乡", "西山村", "监测户", "李二", "E01", NULL, NULL, 0},
		{"H003", "文山县", "东山乡", "东山村", "一般农户", "张三", "E02", NULL, NULL, 0},
		{"H004", "文山县", "东山乡", "东山村", "一般农户", "赵四", "E02", NULL, NULL, 0},
	};
	struct store_assignment bad[4];
	struct store_assignment_row *rows;
	struct store_assignment_filter flt = STORE_ASSIGNMENT_FILTER_ALL;
	struct store_field *fields;
	size_t n, badi = 99;

	open_with_form(f);
	/* a duplicate key in the middle: nothing is written */
	memcpy(bad, a, sizeof(a));
	bad[2].household_key = "H001";
	assert_int_equal(store_assignments_put(f->s, bad, 4, &badi, &f->err), -STORE_E_INVALID);
	assert_int_equal(badi, 2);
	assert_string_equal(f->err.en, "household key 'H001' appears twice (assignments 1 and 3)");
	assert_string_equal(f->err.zh, "户编码 'H001' 重复（第 1 条和第 3 条）");
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment"), 0);
	/* an empty key */
	memcpy(bad, a, sizeof(a));
	bad[1].household_key = "";
	assert_int_equal(store_assignments_put(f->s, bad, 4, &badi, &f->err), -STORE_E_INVALID);
	assert_int_equal(badi, 1);
	assert_string_equal(f->err.en, "assignment 2: empty or invalid household key");
	/* a duplicate preload field */
	memcpy(bad, a, sizeof(a));
	bad[3].preload = predup;
	bad[3].n_preload = 2;
	assert_int_equal(store_assignments_put(f->s, bad, 4, &badi, &f->err), -STORE_E_INVALID);
	assert_int_equal(badi, 3);
	assert_string_equal(f->err.en, "household 'H004': preload field 'x' given twice");
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment"), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment_field"), 0);

	/* a failure inside the transaction (the disk fills mid-way) leaves nothing */
	{
		struct store_assignment *many = xcalloc(3000, sizeof(*many));
		char (*keys)[16] = xcalloc(3000, 16);
		char sql[64];
		long long pages = q1(f->s, "PRAGMA page_count");
		size_t i;

		for (i = 0; i < 3000; i++) {
			snprintf(keys[i], 16, "K%05zu", i);
			many[i] = a[0];
			many[i].household_key = keys[i];
		}
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", pages + 5);
		q1(f->s, sql);
		assert_int_equal(store_assignments_put(f->s, many, 3000, &badi, &f->err),
				 -STORE_E_FULL);
		assert_true(badi > 0 && badi < 3000);
		assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment"), 0);
		assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment_field"), 0);
		q1(f->s, "PRAGMA max_page_count = 1073741823");
		free(many);
		free(keys);
	}

	assert_int_equal(store_assignments_put(f->s, a, 4, &badi, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment"), 4);
	assert_int_equal(store_assignment_list(f->s, NULL, &rows, &n, &f->err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].household_key, "H001");
	assert_string_equal(rows[0].head_name, "王大");
	assert_string_equal(rows[3].village, "西山村");
	assert_int_equal(rows[0].status, STORE_ASTATUS_NOT_STARTED);
	assert_null(rows[0].interview);
	store_assignment_rows_free(rows, n);

	flt.enumerator = "E02";
	flt.search = "赵";
	assert_int_equal(store_assignment_list(f->s, &flt, &rows, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].household_key, "H004");
	store_assignment_rows_free(rows, n);

	assert_int_equal(store_assignment_preload(f->s, "H001", &fields, &n, &f->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(fields[0].name, "income_2023");
	assert_string_equal(fields[0].value, "8650.5");
	store_fields_free(fields, n);

	/* replacing an assignment replaces its preload fields */
	a[0].n_preload = 1;
	a[0].head_name = "王大明";
	assert_int_equal(store_assignments_put(f->s, a, 1, NULL, &f->err), 0);
	assert_int_equal(store_assignment_get(f->s, "H001", &rows, &f->err), 0);
	assert_string_equal(rows[0].head_name, "王大明");
	store_assignment_rows_free(rows, 1);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment_field"), 1);
	assert_int_equal(store_assignment_get(f->s, "H999", &rows, &f->err), -STORE_E_NOTFOUND);
	assert_string_equal(f->err.en, "no household 'H999' in the sample");
}

/* ---- forms, export, merge primitives ---------------------------------------- */

static int collect_uuid(void *ctx, const struct store_interview *iv)
{
	strbuf_addf(ctx, "%s:%lld;", iv->uuid, (long long)iv->revision);
	return 0;
}

/* A form with an attached village list is stored with it, read back by name,
 * and loads from the database with its list; its hash covers the files. */
static void test_form_files(void **state)
{
	static const char src[] =
		"survey,type,name,label,choice_filter\n"
		",text,county,County,\n"
		",select_one_from_file villages.csv,village,Village,county = ${county}\n";
	static const char vil[] = "name,label,county\nqs01,Shimen,qs\nbs01,Hekou,bs\n";
	static const char plain[] = "survey,type,name,label\n,integer,age,Age\n";
	struct fx *f = *state;
	struct store_form_file files[2] = {{"villages.csv", vil, sizeof(vil) - 1},
					   {"z.csv", "name,label\na,A\n", 15}};
	struct digest_named dn[1];
	struct store_form_file *got;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *fm = NULL;
	char sh[65], vh[65], hash[65], bad[65];
	size_t n;
	int li;

	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM form_file"), 0);
	digest_sha256_hex(src, strlen(src), sh);
	digest_sha256_hex(vil, strlen(vil), vh);
	dn[0].name = "villages.csv";
	dn[0].sha256_hex = vh;
	digest_form_hash(sh, dn, 1, hash);
	assert_string_not_equal(hash, sh);
	/* the source's hash alone, or the files' with other bytes, is refused */
	assert_int_equal(store_form_put_files(f->s, sh, "v", NULL, NULL, src, strlen(src), files, 1,
					      &f->err),
			 -STORE_E_INVALID);
	assert_non_null(strstr(f->err.en, "does not match its source and attached files"));
	files[0].len--;
	assert_int_equal(store_form_put_files(f->s, hash, "v", NULL, NULL, src, strlen(src), files,
					      1, &f->err),
			 -STORE_E_INVALID);
	files[0].len++;
	/* names: plain, once */
	files[1].name = "../x.csv";
	assert_int_equal(store_form_put_files(f->s, hash, "v", NULL, NULL, src, strlen(src), files,
					      2, &f->err),
			 -STORE_E_INVALID);
	files[1].name = "villages.csv";
	assert_int_equal(store_form_put_files(f->s, hash, "v", NULL, NULL, src, strlen(src), files,
					      2, &f->err),
			 -STORE_E_INVALID);
	assert_non_null(strstr(f->err.en, "appears twice"));
	assert_int_equal(q1(f->s, "SELECT count(*) FROM form"), 0);

	assert_int_equal(store_form_put_files(f->s, hash, "v", NULL, NULL, src, strlen(src), files,
					      1, &f->err),
			 0);
	/* idempotent by hash */
	assert_int_equal(store_form_put_files(f->s, hash, "v", NULL, NULL, src, strlen(src), files,
					      1, &f->err),
			 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM form_file"), 1);
	assert_int_equal(store_form_files(f->s, hash, &got, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "villages.csv");
	assert_int_equal(got[0].len, strlen(vil));
	assert_memory_equal(got[0].data, vil, strlen(vil));
	store_form_files_free(got, n);
	memset(bad, 'f', 64);
	bad[64] = '\0';
	assert_int_equal(store_form_files(f->s, bad, &got, &n, &f->err), -STORE_E_NOTFOUND);

	/* loaded back with its list, to the same identity */
	if (store_form_load(f->s, hash, NULL, &fm, &dl, &f->err) < 0)
		fail_msg("%s", f->err.en);
	assert_string_equal(form_hash(fm), hash);
	li = form_find_list(fm, "villages");
	assert_true(li >= 0);
	assert_int_equal(form_list(fm, (size_t)li)->n, 2);
	assert_int_equal(form_attachment_count(fm), 1);
	form_free(fm);
	diag_list_free(&dl);

	/* a form without files keeps the source's hash and loads without any */
	digest_sha256_hex(plain, strlen(plain), sh);
	assert_int_equal(store_form_put_source(f->s, sh, "hh", NULL, NULL, plain, strlen(plain),
					       &f->err),
			 0);
	assert_int_equal(store_form_files(f->s, sh, &got, &n, &f->err), 0);
	assert_int_equal(n, 0);
	store_form_files_free(got, n);
	assert_int_equal(store_form_load(f->s, sh, "hh", &fm, &dl, &f->err), 0);
	assert_string_equal(form_hash(fm), sh);
	form_free(fm);
	diag_list_free(&dl);
}

static void test_forms_export_import(void **state)
{
	struct fx *f = *state;
	char u1[STORE_ID_LEN + 1], u2[STORE_ID_LEN + 1];
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	struct store_form_info *forms;
	char *src;
	size_t len, n;
	int64_t mark;

	open_with_form(f);
	/* idempotent by hash */
	assert_int_equal(store_form_put_source(f->s, f->form, "hh", "2024", "Household", form_src,
					       strlen(form_src), &f->err),
			 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM form"), 1);
	assert_int_equal(store_form_put_source(f->s, f->form, "hh", "2024", "H", "other", 5,
					       &f->err),
			 -STORE_E_INVALID);
	assert_non_null(strstr(f->err.en, "does not match its source"));
	assert_int_equal(store_form_list(f->s, &forms, &n, &f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(forms[0].hash, f->form);
	assert_int_equal(forms[0].size, strlen(form_src));
	store_form_info_free(forms, n);
	assert_int_equal(store_form_source(f->s, f->form, &src, &len, &f->err), 0);
	assert_int_equal(len, strlen(form_src));
	assert_string_equal(src, form_src);
	free(src);
	assert_int_equal(store_form_source(f->s, "ff", &src, &len, &f->err), -STORE_E_NOTFOUND);

	assert_int_equal(store_interview_new(f->s, f->form, NULL, u1, &f->err), 0);
	assert_int_equal(store_interview_new(f->s, f->form, NULL, u2, &f->err), 0);
	assert_int_equal(store_change_seq(f->s, &mark, &f->err), 0);
	assert_int_equal(store_answer_put(f->s, u1, "age", "5", 0, NULL, &f->err), 0);
	assert_int_equal(store_interviews_changed_since(f->s, mark, collect_uuid, &sb, &f->err), 0);
	strbuf_addf(&want, "%s:2;", u1);
	assert_string_equal(sb.buf, want.buf);
	strbuf_reset(&sb);
	assert_int_equal(store_interviews_changed_since(f->s, 0, collect_uuid, &sb, &f->err), 0);
	strbuf_reset(&want);
	strbuf_addf(&want, "%s:1;%s:2;", u2, u1);
	assert_string_equal(sb.buf, want.buf);
	/* interviews not in the sample: both; of household H1: none */
	strbuf_reset(&sb);
	assert_int_equal(store_interviews_of(f->s, NULL, collect_uuid, &sb, &f->err), 0);
	assert_non_null(strstr(sb.buf, u1));
	assert_non_null(strstr(sb.buf, u2));
	strbuf_reset(&sb);
	assert_int_equal(store_interviews_of(f->s, "H1", collect_uuid, &sb, &f->err), 0);
	assert_string_equal(sb.buf, "");

	/* merge primitives: a foreign event once, an interview replaced whole */
	{
		struct store_event ev = {.device = "dddddddd-0000-4000-8000-000000000000",
					 .seq = 5, .interview = u2, .time = 1, .kind = "answer_set",
					 .path = "age", .new_value = "9"};
		struct store_interview iv;
		struct store_answer ans[] = {{"age", "9", 0}, {"name", NULL,
							       STORE_SPECIAL_REFUSED}};
		struct store_comment c = {.uuid = "cccccccc-0000-4000-8000-000000000000",
					  .interview = u2, .text = "ok", .time = 2,
					  .device = "dddddddd-0000-4000-8000-000000000000"};

		assert_int_equal(store_tx_begin(f->s, &f->err), 0);
		assert_int_equal(store_event_insert(f->s, &ev, &f->err), 1);
		assert_int_equal(store_event_insert(f->s, &ev, &f->err), 0);
		assert_int_equal(store_comment_insert(f->s, &c, &f->err), 1);
		assert_int_equal(store_comment_insert(f->s, &c, &f->err), 0);
		assert_int_equal(store_interview_get(f->s, u2, &iv, &f->err), 0);
		iv.revision = 9;
		iv.status = STORE_COMPLETED;
		assert_int_equal(store_interview_import(f->s, &iv, ans, 2, &f->err), 0);
		store_interview_release(&iv);
		assert_int_equal(store_tx_commit(f->s, &f->err), 0);
		assert_int_equal(q1(f->s, "SELECT count(*) FROM answer"), 3);
		assert_int_equal(rev_of(f, u2, NULL), 9);

		/* a rolled-back group leaves nothing */
		ev.seq = 6;
		assert_int_equal(store_tx_begin(f->s, &f->err), 0);
		assert_int_equal(store_event_insert(f->s, &ev, &f->err), 1);
		assert_int_equal(store_tx_rollback(f->s, &f->err), 0);
		assert_int_equal(q1(f->s, "SELECT count(*) FROM event WHERE seq = 6"), 0);
		/* a nested call inside a group is part of it */
		assert_int_equal(store_tx_begin(f->s, &f->err), 0);
		assert_int_equal(store_answer_put(f->s, u1, "age", "6", 0, NULL, &f->err), 0);
		assert_int_equal(store_tx_rollback(f->s, &f->err), 0);
		assert_int_equal(q1(f->s, "SELECT value FROM answer WHERE interview = (SELECT uuid"
					  " FROM interview WHERE revision = 2)"),
				 5);
	}
	strbuf_release(&sb);
	strbuf_release(&want);
}

/* One text cell of a query, copied ("" for NULL). */
static char *qs(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	char *v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = xstrdup(sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
	sqlite3_finalize(q);
	return v;
}

static const char event_dump[] =
	"SELECT (SELECT group_concat(device || ':' || seq || ':' || new_value, ';') FROM"
	" (SELECT * FROM event ORDER BY device, seq)) || ' / ' ||"
	" (SELECT group_concat(device || ':' || seq || ':' || new_value, ';') FROM"
	" (SELECT * FROM event_clash ORDER BY device, seq, hash))";

/* Two databases that wrote under one device id (a copied laptop database):
 * a second version of (device, seq) is kept, never dropped, and which
 * version sits where does not depend on the order the two arrive in. */
static void test_event_clash(void **state)
{
	struct fx *f = *state;
	struct store_event a = {.device = "dddddddd-0000-4000-8000-000000000000",
				.seq = 7, .time = 1000, .kind = "answer_set",
				.path = "age", .new_value = "40"};
	struct store_event b = a;
	struct store *t = NULL;
	char path2[160];
	char *d1, *d2;

	b.new_value = "41";
	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	snprintf(path2, sizeof(path2), "%s/other.db", f->dir);
	assert_int_equal(store_open(path2, STORE_OPEN_CREATE, &t, &f->err), 0);

	assert_int_equal(store_event_insert(f->s, &a, &f->err), 1);
	assert_int_equal(store_event_insert(f->s, &b, &f->err), 2);
	/* the same clash again changes nothing; the same event again neither */
	assert_int_equal(store_event_insert(f->s, &b, &f->err), 0);
	assert_int_equal(store_event_insert(f->s, &a, &f->err), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event"), 1);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event_clash"), 1);

	assert_int_equal(store_event_insert(t, &b, &f->err), 1);
	assert_int_equal(store_event_insert(t, &a, &f->err), 2);
	assert_int_equal(store_event_insert(t, &a, &f->err), 0);

	d1 = qs(f->s, event_dump);
	d2 = qs(t, event_dump);
	assert_string_equal(d1, d2);
	/* both values are there, one in each table */
	assert_non_null(strstr(d1, ":7:40"));
	assert_non_null(strstr(d1, ":7:41"));
	free(d1);
	free(d2);
	store_close(t);
}

/* D3: one value limit, enforced by the store wherever a value enters, and
 * identifiers by the one rule (D8); nothing is written when refused. */
static void test_value_limit(void **state)
{
	struct fx *f = *state;
	char uuid[STORE_ID_LEN + 1], *big;
	struct store_field pre = {"note", NULL};
	struct store_assignment a = {.household_key = "HH1", .preload = &pre, .n_preload = 1};
	struct store_event ev = {.device = "dddddddd-0000-4000-8000-000000000000", .seq = 1,
				 .time = 1000, .kind = "answer_set", .path = "age"};
	size_t bad = 99;
	long long changes;

	open_with_form(f);
	assert_int_equal(store_interview_new(f->s, f->form, "HH1", uuid, &f->err), 0);
	big = xmalloc(STORE_VALUE_MAX + 2);
	memset(big, '7', STORE_VALUE_MAX + 1);
	big[STORE_VALUE_MAX + 1] = 0;
	changes = q1(f->s, "SELECT count(*) FROM event");
	/* past the limit: refused, naming the field */
	assert_int_equal(store_answer_put(f->s, uuid, "age", big, STORE_SPECIAL_NONE, NULL, &f->err),
			 -STORE_E_INVALID);
	assert_string_equal(f->err.en, "value of 'age' too long: 1048577 bytes (limit 1048576 bytes)");
	assert_string_equal(f->err.zh, "'age' 的值过长：1048577 字节（上限 1048576 字节）");
	assert_int_equal(f->err.code, STORE_E_INVALID);
	assert_int_equal(store_comment_add(f->s, uuid, NULL, NULL, big, &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en,
			    "value of 'comment' too long: 1048577 bytes (limit 1048576 bytes)");
	assert_int_equal(store_event_log(f->s, uuid, "note", NULL, NULL, big, NULL, &f->err),
			 -STORE_E_INVALID);
	ev.new_value = big;
	assert_int_equal(store_event_insert(f->s, &ev, &f->err), -STORE_E_INVALID);
	pre.value = big;
	assert_int_equal(store_assignments_put(f->s, &a, 1, &bad, &f->err), -STORE_E_INVALID);
	assert_int_equal(bad, 0);
	assert_string_equal(f->err.en, "value of 'note' too long: 1048577 bytes (limit 1048576 bytes)");
	assert_int_equal(q1(f->s, "SELECT count(*) FROM event"), changes);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM answer"), 0);
	assert_int_equal(q1(f->s, "SELECT count(*) FROM assignment"), 0);
	/* at the limit: kept */
	big[STORE_VALUE_MAX] = 0;
	assert_int_equal(store_answer_put(f->s, uuid, "age", big, STORE_SPECIAL_NONE, NULL, &f->err), 0);
	/* identifiers: the one rule */
	a.household_key = "../HH2";
	pre.value = "x";
	assert_int_equal(store_assignments_put(f->s, &a, 1, &bad, &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid household key '../HH2': holds a path separator '/'");
	a.household_key = "HH2";
	a.device = "dev/1";
	assert_int_equal(store_assignments_put(f->s, &a, 1, &bad, &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid device id 'dev/1': holds a path separator '/'");
	assert_int_equal(store_enumerator_set(f->s, "e..1", &f->err), -STORE_E_INVALID);
	assert_string_equal(f->err.en, "invalid enumerator id 'e..1': holds '..'");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_navigate_paradata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_review, setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_clash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_assignments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forms_export_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
