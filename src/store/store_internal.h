/*
 * store_internal — what the files of src/store share: the struct store, the
 * cache of prepared statements, transaction nesting and SQLite error mapping.
 *
 * Invariants: every statement in the cache is prepared once (persistent) and
 * is reset before each use by store_stmt(); `depth` counts the open transaction
 * levels (0 = autocommit; 1 = BEGIN IMMEDIATE; > 1 = savepoints).
 */
#ifndef RUHU_STORE_INTERNAL_H
#define RUHU_STORE_INTERNAL_H

#include "ruhu/ident.h"
#include "ruhu/store.h"

#include <sqlite3.h>

/* PRAGMA application_id of a ruhu database: 'ruhu' in ASCII. */
#define STORE_APPLICATION_ID 0x72756875

/* Every cached statement. The SQL is in store.c (stmt_sql[]). */
enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_META_GET,
	ST_META_SET,
	ST_CHANGE_NEXT,
	ST_CHANGE_GET,
	ST_EVENT_NEXT_SEQ,
	ST_EVENT_ADD,
	ST_IV_STATE,
	ST_IV_TOUCH,
	ST_IV_POSITION,
	ST_IV_GET,
	ST_IV_NEW,
	ST_IV_SET_STATUS,
	ST_ANS_GET,
	ST_ANS_PUT,
	ST_ANS_DEL,
	ST_ANS_ALL,
	ST_ANS_RANGE,
	ST_FORM_HAS,
	ST_FORM_FILE_PUT,
	ST_FORM_PUT,
	ST_COMMENT_ADD,
	ST_IV_UPSERT,
	ST_ANS_DEL_ALL,
	ST_EVENT_INSERT,
	ST_EVENT_GET,
	ST_EVENT_REPLACE,
	ST_EVENT_CLASH_ADD,
	/* the merge bookkeeping (store_ledger.c) */
	ST_BUNDLE_GET,
	ST_BUNDLE_ADD,
	ST_CONFLICT_ADD,
	ST_CONFLICT_ANSWER_ADD,
	ST_DUP_OTHERS,
	ST_DUP_ADD,
	ST_IV_EXISTS,
	ST_IV_REVISION,
	ST_DEVKEY_GET,
	ST_DEVKEY_ADD,
	ST_IVKEY_GET,
	ST_IVKEY_ADD,
	ST_NAMEKEY_GET,
	ST_NAMEKEY_ADD,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	int depth;
	int busy_ms;
	char device[STORE_ID_LEN + 1];
	char *enumerator;
	int64_t (*clock)(void *ctx);
	void *clock_ctx;
	/* the last device and interview UUID turned into their integer keys
	 * (store_key_id), forgotten whenever a transaction level is undone */
	char *key_uuid[2];
	int64_t key_id[2];
	/* event kinds and paths turned into their event_name keys: an open
	 * addressing table (name_cap a power of two), forgotten likewise */
	char **name_key;
	int64_t *name_id;
	size_t name_n, name_cap;
};

/* The integer keys of the compact event table (schema step 8): UUIDs are
 * stored once, in device_key and interview_key. */
enum store_key { STORE_KEY_DEVICE, STORE_KEY_INTERVIEW, STORE_KEY_NAME };
/* *id = the key of `uuid` (interview, name: NULL is key 0; STORE_KEY_NAME:
 * an event's kind or path, in event_name). create: adds it when
 * absent (inside the caller's transaction). Returns 1 when known (or
 * created), 0 when absent and not created, < 0 on error. */
int store_key_id(struct store *s, enum store_key which, const char *uuid, bool create,
		 int64_t *id, struct error *err);
/* Forgets the cached keys (a rollback may have undone them). */
void store_key_forget(struct store *s);

/* The cached statement `id`, reset with cleared bindings; NULL with `err` set
 * when it cannot be prepared. */
sqlite3_stmt *store_stmt(struct store *s, enum stmt_id id, struct error *err);

/* Prepares a statement used once (not cached) into *q: 0, or the mapped
 * error with *q NULL. The caller finalizes *q. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **q, struct error *err);

/* Sets err (where = the store's path, code) and returns -code. */
int store_ident(struct store *s, const char *v, enum ident_kind kind, bool optional,
		struct error *err);
int store_value_check(struct store *s, const char *name, const char *v, struct error *err);
int store_fail(struct store *s, struct error *err, int code, const char *zh, const char *en,
	       ...) RUHU_PRINTF2(4, 5, 6);

/* Maps a SQLite failure to a store error (sets err, returns -code). */
int store_db_fail(struct store *s, int rc, struct error *err);
/* Steps a cached statement that returns no rows and resets it: 0, or the
 * mapped error. */
int store_stmt_done(struct store *s, sqlite3_stmt *q, struct error *err);

/* store_tx_begin (store.h) opens a level (BEGIN IMMEDIATE or SAVEPOINT);
 * store_tx_commit closes it; store_tx_abort undoes the innermost level
 * without checking one is open. After a failed commit the level is gone. */
void store_tx_abort(struct store *s);

int64_t store_now(struct store *s);

/* Binds text or NULL. */
int store_bind_text(sqlite3_stmt *q, int i, const char *v);
/* Malloc'd copy of a column, NULL when the column is NULL. */
char *store_col_dup(sqlite3_stmt *q, int i);

/* Next store-wide change_seq (inside a transaction). */
int store_change_next(struct store *s, int64_t *out, struct error *err);

/*
 * Appends one event by this device (inside a transaction) with the next
 * sequence number, the current time and enumerator.
 */
struct event_in {
	const char *interview, *kind, *path;
	const char *actor; /* NULL: the store's enumerator */
	const char *old_value, *new_value;
	enum store_special old_special, new_special;
	const char *extra;
};
int store_event_add(struct store *s, const struct event_in *ev, struct error *err);

/*
 * Reads the interview's status (inside a transaction): STORE_E_NOTFOUND when
 * absent.
 */
int store_iv_status(struct store *s, const char *uuid, enum store_istatus *st, struct error *err);

/* Bumps revision (when `content`), change_seq and updated, and sets the
 * position when non-NULL. */
int store_iv_touch(struct store *s, const char *uuid, bool content, const char *position,
	     struct error *err);

/*
 * Binds the interview row: ?1 uuid, ?2 form_hash, ?3 household_key,
 * ?4 enumerator, ?5 device, ?6 status, ?7 review_comment, ?8 revision,
 * ?10 created, ?11 updated, ?12 position (?9 is change_seq, which only the
 * interview table has: the caller binds it). The one place that maps a
 * struct store_interview to SQL parameters (interview and sync_conflict).
 */
void store_iv_bind(sqlite3_stmt *q, const struct store_interview *iv);

/* Fills *iv from a row with the columns of ST_IV_GET (uuid, form_hash,
 * household_key, enumerator, device, status, review_comment, revision,
 * change_seq, created, updated, position). */
int store_iv_from_row(struct store *s, sqlite3_stmt *q, struct store_interview *iv, struct error *err);

int store_special_stored(const char *name);

/* Schema: runs pending migrations (store_schema.c). `version` is the
 * database's user_version read at open. */
int store_schema_migrate(struct store *s, int version, struct error *err);

/*
 * The WHERE clause of struct store_record_filter over rows `x` that have an
 * `interview` column (store_records_each, store_records_answers_each): ?1
 * form_id or NULL, ?2 form hash or NULL, ?3 STORE_STATUS_BIT()s or 0.
 */
#define STORE_RECORD_FILTER_SQL                                                           \
	" JOIN interview i ON i.uuid = x.interview"                                       \
	" WHERE (?1 IS NULL OR i.form_hash IN (SELECT hash FROM form WHERE form_id = ?1))" \
	" AND (?2 IS NULL OR i.form_hash = ?2)"                                           \
	" AND (?3 = 0 OR (?3 & CASE i.status WHEN 'in_progress' THEN 1 WHEN 'completed'"   \
	" THEN 2 WHEN 'approved' THEN 4 WHEN 'rejected' THEN 8 ELSE 0 END) <> 0)"

#endif
