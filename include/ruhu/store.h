/*
 * store — the device database: one SQLite file per laptop (and the same
 * schema for the team leader's database) that must never lose an answer.
 *
 * What it keeps (the schema is documented table by table in docs/store.md and
 * is meant to be read with the plain `sqlite3` shell):
 *   meta        key/value: device id, enumerator, change counter
 *   form        every form ever used, with its exact source bytes and SHA-256
 *   form_file   the attached files of a form (village lists), with their bytes
 *   assignment  the household sample (+ assignment_field: preload values)
 *   interview   one row per interview (UUID), its status, revision, position
 *   answer      the current answers, keyed by (interview, path)
 *   event       the append-only event log (paradata), UNIQUE(device, seq)
 *   comment     comments on an interview or a question (review travels too)
 *
 * Invariants and promises:
 * - Durability: every mutating call runs in ONE transaction (BEGIN IMMEDIATE
 *   ... COMMIT) with journal_mode=WAL and synchronous=FULL, and returns only
 *   after COMMIT has returned. When it returns 0 the change survives kill -9
 *   and power loss; when it returns < 0 nothing of it was written.
 *   Inside an explicit store_tx_begin() ... store_tx_commit() the calls nest
 *   (as savepoints) and the whole group becomes durable at store_tx_commit().
 * - Every change of an interview's content (answers, status, comments,
 *   review) increments interview.revision by one; every change at all
 *   (content or paradata) gives the interview a new store-wide change_seq
 *   (strictly increasing within one database). Exports select by change_seq
 *   (store_interviews_changed_since); merges compare revisions of one UUID.
 * - Every change appends events; events are never updated or deleted. Events
 *   written by this database carry its device id and a per-device sequence
 *   number 1, 2, 3, ... (gap-free, never reused); UNIQUE(device, seq) lets a
 *   merge insert foreign events without ever doubling them.
 * - A cleared answer is deleted from `answer`; its old value stays in the
 *   event log. A special value (don't know / refused) is stored in the
 *   `special` column with value NULL, never as a magic string in `value`.
 * - Nothing here prints; errors come back as a negative status and a
 *   bilingual `struct error` whose `code` is one of enum store_errcode.
 *
 * Not thread-safe: one `struct store` per thread. Several processes may open
 * the same file (SQLite locking; writers wait up to the busy timeout, then
 * fail with STORE_E_LOCKED).
 *
 * The store owns every table and every SQL statement of ruhu: nothing
 * outside src/store includes sqlite3.h (tests/store/grep-sql.sh checks it).
 * The merge bookkeeping of sync/ (sync_bundle, sync_export, sync_conflict,
 * sync_conflict_answer, sync_duplicate, event_clash) is store tables too,
 * written through the functions of "merge bookkeeping" below
 * (store_ledger.c), and the merge writes through the target interface of
 * ruhu/merge_target.h, whose SQLite implementation is store_merge_target().
 *
 * Schema versions and migrations: src/store/store_schema.c holds the
 * append-only list of migration steps (its file comment says how to add
 * one); the schema version is the number of steps and lives in PRAGMA
 * user_version.
 *
 * Times are milliseconds since 1970-01-01 UTC (int64).
 * Paths name a question inside an interview: `name` at top level,
 * `members[2]/m_age` inside a repeat (1-based instance index, the form's
 * repeat name), nested as `plots[1]/crops[3]/crop_area`. A repeat instance
 * itself is `members[2]`. The store treats paths as opaque text except in the
 * repeat operations (store_repeat_delete / store_repeat_move).
 */
#ifndef RUHU_STORE_H
#define RUHU_STORE_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct form;
struct diag_list;
struct store;

/* The schema version this build writes (PRAGMA user_version). */
int store_schema_version(void);

/* err->code values; functions return the negated code (e.g. -STORE_E_LOCKED). */
enum store_errcode {
	STORE_OK = 0,
	STORE_E_IO = 100,    /* cannot open/read/write the file (errno in the message) */
	STORE_E_LOCKED,      /* another program holds the database (after the busy timeout) */
	STORE_E_READONLY,    /* the file or its folder is not writable */
	STORE_E_FULL,        /* disk (or quota) full */
	STORE_E_NOTDB,       /* the file is not a SQLite database, or not a ruhu one */
	STORE_E_CORRUPT,     /* the database is damaged */
	STORE_E_NEWER,       /* schema version newer than this build understands */
	STORE_E_NOTFOUND,    /* no such interview, form, assignment, file */
	STORE_E_INVALID,     /* bad argument (empty key, bad path, unknown form ...) */
	STORE_E_STATE,       /* not allowed in the interview's current status */
	STORE_E_EXISTS,      /* a unique key already exists */
	STORE_E_INTERNAL,    /* any other SQLite failure (message has SQLite's text) */
};

/* ---- opening -------------------------------------------------------------- */

enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0,   /* create the file when it does not exist */
	STORE_OPEN_READONLY = 1 << 1, /* never write (no migration: an old schema is an error) */
	/* run PRAGMA quick_check before anything is written, and refuse a
	 * damaged database (STORE_E_CORRUPT): for the commands that write team
	 * data (merge, import, assign, fill --db), so that nothing is added to
	 * a file that only export would otherwise notice is broken. Costs one
	 * read of the whole file (docs/store.md gives a measured figure). */
	STORE_OPEN_CHECK = 1 << 2,
};

/*
 * Opens (and with STORE_OPEN_CREATE creates) the database at `path`, then
 * brings its schema up to store_schema_version() by running the pending
 * migrations in one transaction (all or none). Sets WAL, synchronous=FULL,
 * foreign_keys=ON and a busy timeout (5 s; see store_busy_timeout).
 * A new database gets a random device id (128 bits from /dev/urandom).
 *
 * Fails (returns < 0, *out = NULL, the file untouched) with err->where =
 * `path` and (English shown; every message also exists in Chinese):
 *   STORE_E_NOTFOUND  "no such database file" (and no STORE_OPEN_CREATE)
 *   STORE_E_NOTDB     "file is not a database" / "not a ruhu database" /
 *                     "empty file, not a ruhu database" (a 0-byte file
 *                     without STORE_OPEN_CREATE)
 *   STORE_E_NEWER     "schema version N is newer than this ruhu supports (M):
 *                     upgrade ruhu"
 *   STORE_E_READONLY  "database file is read-only: check its permissions or
 *                     open it read-only" (a file without any write permission
 *                     bit counts as read-only even for root)
 *   STORE_E_LOCKED    "database is locked by another program (waited 5000 ms):
 *                     close the other ruhu and try again"
 *   STORE_E_CORRUPT   "database is damaged (integrity check: WHAT): keep the
 *                     file, write nothing to it and ask for support"
 *                     (STORE_OPEN_CHECK)
 *   STORE_E_FULL, STORE_E_IO as named.
 * The refusals the file's header already shows (empty, not ruhu, newer, an
 * upgrade a read-only open cannot do) are made before SQLite opens the file,
 * so a refused database gets no -wal or -shm file beside it.
 * docs/store.md lists them all.
 * The caller owns *out and closes it with store_close().
 */
int store_open(const char *path, unsigned flags, struct store **out, struct error *err);

/* Finalizes statements and closes the database. Accepts NULL. */
void store_close(struct store *s);

/* The path given to store_open (owned by the store). */
const char *store_path(const struct store *s);

/* Sets how long a writer waits for another program's lock (ms, >= 0). */
void store_busy_timeout(struct store *s, int ms);

/*
 * Replaces the clock (ms since epoch UTC) used for every time the store
 * writes; NULL restores the real clock. For deterministic tests and synth.
 */
void store_set_clock(struct store *s, int64_t (*now_ms)(void *ctx), void *ctx);

/* ---- explicit transactions -------------------------------------------------- */

/*
 * A consistent read snapshot over several calls (an export reads the change
 * counter, then every interview): store_snapshot_begin opens a read
 * transaction (no lock is taken until the first read; writers are not
 * blocked in WAL mode), store_snapshot_end closes it. Not inside
 * store_tx_begin. Returns 0 or < 0 with err; store_snapshot_end accepts a
 * store without an open snapshot.
 */
int store_snapshot_begin(struct store *s, struct error *err);
void store_snapshot_end(struct store *s);

/*
 * Groups several calls into one all-or-nothing transaction (a merge of one
 * bundle, a roster operation the engine composes). Nests: an inner begin is
 * a savepoint. store_tx_commit() of the outermost level returns after COMMIT
 * (durable). store_tx_rollback() undoes the innermost level; call it after
 * any failure inside the group. All return 0 or < 0 with `err` set.
 */
int store_tx_begin(struct store *s, struct error *err);
int store_tx_commit(struct store *s, struct error *err);
int store_tx_rollback(struct store *s, struct error *err);

/* ---- limits --------------------------------------------------------------- */

/*
 * The largest value the store keeps, in bytes: an answer, a preload field, a
 * comment, a review comment, an event's old/new value and extra, a position.
 * Enforced by the store wherever a value enters (STORE_E_INVALID "value of
 * 'PATH' too long: N bytes (limit 1048576 bytes)"), so everything stored can
 * be exported and merged: the bundle reader accepts fields of at least this
 * size (sync/bundle.c FIELD_MAX), and a merge refuses a bundle holding a
 * larger value before it writes anything (issue 11, D3). Form sources have
 * their own limit (FORM_MAX_BYTES).
 */
#define STORE_VALUE_MAX ((size_t)1 << 20)

/* ---- identity ------------------------------------------------------------- */

#define STORE_ID_LEN 36 /* device ids and UUIDs: 8-4-4-4-12 lowercase hex */

/* This database's device id (a random UUID created once); owned by the store. */
const char *store_device_id(const struct store *s);

/*
 * The enumerator id set on this database, or NULL before the first
 * store_enumerator_set() (owned by the store, valid until the next set).
 */
const char *store_enumerator_get(const struct store *s);

/* Sets the enumerator id (non-empty, no control characters); recorded as an
 * `enumerator` event. New interviews and events carry it. */
int store_enumerator_set(struct store *s, const char *id, struct error *err);

/* Writes a fresh random (version 4) UUID, NUL-terminated, into `out`. */
int store_uuid_new(char out[STORE_ID_LEN + 1], struct error *err);

/* ---- forms ---------------------------------------------------------------- */

struct store_form_info {
	char *hash;    /* the form's identity, 64 lowercase hex: the SHA-256 of the source,
			* or digest_form_hash() when it has attached files */
	char *form_id; /* settings form_id (may be "") */
	char *version; /* settings version (may be "") */
	char *title;   /* settings form_title (may be "") */
	int64_t added; /* when this database first saw it */
	size_t size;   /* source bytes */
};

/*
 * Stores a loaded form (its source bytes, hash, form_id, version, title) with
 * its attached files (form_attachment_get), as store_form_put_files().
 * Idempotent: a form whose hash is already stored is left as it is (0).
 * (Defined in store_form.c so that programs not using forms need not link the
 * form loader.)
 */
int store_form_put(struct store *s, const struct form *f, struct error *err);

/*
 * The same from raw parts (for merge/import, where the form arrives as bytes):
 * `hash` must be the SHA-256 of `source` in lowercase hex (checked here:
 * STORE_E_INVALID "form 'ID' hash H does not match its source (H2)");
 * form_id/version/title may be NULL. Idempotent by hash. A newly stored form
 * is recorded as a `form_add` event.
 */
int store_form_put_source(struct store *s, const char *hash, const char *form_id,
			  const char *version, const char *title, const char *source, size_t len,
			  struct error *err);

/*
 * An attached file of a form (a village list a select_one_from_file question
 * reads): the name the form gives it ("villages.csv") and its exact bytes.
 * Stored in table form_file with the form; a form's hash covers its files
 * (digest_form_hash in ruhu/digest.h), so (form hash, name) has one content.
 */
struct store_form_file {
	const char *name;
	const char *data;
	size_t len;
};

/* Bytes of one attached file at most: the form loader's cap for it. */
#define STORE_FILE_MAX ((size_t)32 << 20)

/*
 * store_form_put_source() with the form's attached files (n_files may be 0).
 * `hash` must be digest_form_hash() of the source's and the files' SHA-256
 * (STORE_E_INVALID "form 'ID' hash H does not match its source and attached
 * files (H2)"); a name must be a plain file name (the identifier rule of
 * ruhu/ident.h, not starting with '.'), unique within the form, and a file
 * at most STORE_FILE_MAX bytes (STORE_E_INVALID). Idempotent by hash: the
 * form and its files are written together, once.
 */
int store_form_put_files(struct store *s, const char *hash, const char *form_id,
			 const char *version, const char *title, const char *source, size_t len,
			 const struct store_form_file *files, size_t n_files, struct error *err);

/*
 * The attached files of the stored form `hash`, sorted by name, in a malloc'd
 * array whose names and bytes (NUL appended, not counted in len) the array
 * owns; free with store_form_files_free(). 0 files for a form without any;
 * STORE_E_NOTFOUND when no such form is stored.
 */
int store_form_files(struct store *s, const char *hash, struct store_form_file **out, size_t *n,
		     struct error *err);
void store_form_files_free(struct store_form_file *v, size_t n);

/*
 * Loads the stored form `hash` with its attached files (form_load_buffer_files
 * over the stored source, the files given in memory; a form stored without
 * files loads with none, as form_load_buffer() does). `name` names the form in
 * diagnostics (NULL: "form-HASH12"). Returns 0 with *out set (free with
 * form_free); STORE_E_* with err set when the store fails; -STORE_E_INVALID
 * with the loader's messages in `diags` when the stored form no longer loads.
 * (In store_form.c with store_form_put: it links the form loader.)
 */
int store_form_load(struct store *s, const char *hash, const char *name, struct form **out,
		    struct diag_list *diags, struct error *err);

/* All stored forms, oldest first. Free with store_form_info_free(). */
int store_form_list(struct store *s, struct store_form_info **out, size_t *n, struct error *err);
void store_form_info_free(struct store_form_info *v, size_t n);

/*
 * The exact source bytes of the form with `hash` in a malloc'd buffer (NUL
 * appended, not counted in *len); the caller frees it. STORE_E_NOTFOUND when
 * absent. To reload the form, use store_form_load(), which adds its attached
 * files.
 */
int store_form_source(struct store *s, const char *hash, char **src, size_t *len,
		      struct error *err);

/* ---- assignments (the sample) ------------------------------------------- */

struct store_field {
	const char *name;
	const char *value;
};

struct store_assignment {
	const char *household_key; /* required, non-empty; primary key */
	const char *county, *township, *village;
	const char *household_type; /* 脱贫户 / 监测户 / 一般农户 ... as given */
	const char *head_name;
	const char *enumerator; /* assigned enumerator id, may be NULL */
	const char *device;     /* assigned device id, may be NULL */
	const struct store_field *preload; /* extra fields usable in forms */
	size_t n_preload;
};

/*
 * Inserts or replaces `n` assignments (a replaced one gets exactly the new
 * preload fields) in ONE transaction: all or nothing. A bad row (empty key,
 * the same key twice in `a`, empty or duplicate preload field name) fails the
 * whole call with STORE_E_INVALID, a message naming the household key, and
 * *bad (if non-NULL) set to its 0-based index in `a`; nothing is written.
 * Records one `assign` event with the count.
 */
int store_assignments_put(struct store *s, const struct store_assignment *a, size_t n,
			  size_t *bad, struct error *err);

/* Assignment status, derived from its interviews (see docs/store.md):
 * any rejected > any in progress > any completed > any approved > none. */
enum store_astatus {
	STORE_ASTATUS_NOT_STARTED,
	STORE_ASTATUS_IN_PROGRESS,
	STORE_ASTATUS_COMPLETED,
	STORE_ASTATUS_APPROVED,
	STORE_ASTATUS_REJECTED,
	STORE_ASTATUS_COUNT
};
/* "not_started", "in_progress", ... ; NULL when out of range */
const char *store_astatus_name(enum store_astatus st);

struct store_assignment_row {
	char *household_key, *county, *township, *village, *household_type, *head_name;
	char *enumerator, *device;
	enum store_astatus status;
	char *interview;      /* UUID of its latest interview, or NULL */
	char *review_comment; /* the team leader's comment when rejected, else NULL */
	size_t n_interviews;  /* > 1 means a duplicate */
};

struct store_assignment_filter {
	const char *enumerator; /* NULL: any */
	const char *village;    /* NULL: any */
	int status;             /* -1: any, else an enum store_astatus */
	const char *search;     /* NULL or substring of head_name or household_key */
};
#define STORE_ASSIGNMENT_FILTER_ALL {NULL, NULL, -1, NULL}

/*
 * Assignments matching `f` (NULL = all), ordered by county, township,
 * village, household_key. Free with store_assignment_rows_free().
 */
int store_assignment_list(struct store *s, const struct store_assignment_filter *f,
			  struct store_assignment_row **out, size_t *n, struct error *err);
void store_assignment_rows_free(struct store_assignment_row *v, size_t n);

/* One assignment by key (STORE_E_NOTFOUND when absent); free with
 * store_assignment_rows_free(row, 1). */
int store_assignment_get(struct store *s, const char *household_key,
			 struct store_assignment_row **row, struct error *err);

/* The preload fields of a household (name order); free with store_fields_free. */
int store_assignment_preload(struct store *s, const char *household_key,
			     struct store_field **out, size_t *n, struct error *err);
void store_fields_free(struct store_field *v, size_t n);

/*
 * Every household's preload fields in one scan, in household key order:
 * cb(ctx, key, fields, n) once per household that has any (name order; the
 * fields are valid during the call only). A non-zero return from cb stops
 * the scan and is returned.
 */
typedef int (*store_preload_cb)(void *ctx, const char *household_key,
				const struct store_field *fields, size_t n);
int store_assignment_preload_each(struct store *s, store_preload_cb cb, void *ctx,
				  struct error *err);

/* Counts of assignments by status (enumerator NULL = all), counts[i] for
 * status i. */
int store_assignment_counts(struct store *s, const char *enumerator,
			    size_t counts[STORE_ASTATUS_COUNT], struct error *err);

/* ---- interviews ----------------------------------------------------------- */

enum store_istatus {
	STORE_IN_PROGRESS,
	STORE_COMPLETED,
	STORE_APPROVED,
	STORE_REJECTED,
	STORE_ISTATUS_COUNT
};
/* "in_progress", "completed", "approved", "rejected"; NULL when out of range */
const char *store_istatus_name(enum store_istatus st);

enum store_special {
	STORE_SPECIAL_NONE = 0,
	STORE_SPECIAL_DONT_KNOW, /* stored as 'dont_know' */
	STORE_SPECIAL_REFUSED,   /* stored as 'refused' */
};
/* NULL for NONE, else "dont_know" / "refused" */
const char *store_special_name(enum store_special sp);

/* The inverses, for reading outside input (a bundle): the enum value, or -1
 * for an unknown name. store_istatus_parse(NULL) is -1;
 * store_special_parse(NULL) is STORE_SPECIAL_NONE. */
int store_istatus_parse(const char *name);
int store_special_parse(const char *name);

struct store_interview {
	char uuid[STORE_ID_LEN + 1];
	char *form_hash;
	char *household_key;  /* NULL: a new interview not in the sample */
	char *enumerator;     /* may be NULL */
	char *device;         /* device that created it */
	enum store_istatus status;
	char *review_comment; /* latest review comment, or NULL */
	int64_t revision;     /* 1 at creation, +1 on every content change */
	int64_t change_seq;   /* store-wide order of the last change of any kind */
	int64_t created, updated; /* ms since epoch UTC */
	char *position;       /* path of the current question, NULL at the start */
};
/* Frees the strings of *iv (not iv itself) and zeroes it. Accepts NULL. */
void store_interview_release(struct store_interview *iv);

/*
 * Creates an interview (status in_progress, revision 1) with a new UUID
 * written to `uuid_out`, taken with the stored form `form_hash`
 * (STORE_E_INVALID if that form is not stored) for `household_key` (NULL
 * for a new household not in the sample; a key not in the sample is
 * allowed and kept). enumerator and device come from the store. Records a
 * `create` event.
 */
int store_interview_new(struct store *s, const char *form_hash, const char *household_key,
			char uuid_out[STORE_ID_LEN + 1], struct error *err);

/* The interview row (STORE_E_NOTFOUND when absent); release *out after. */
int store_interview_get(struct store *s, const char *uuid, struct store_interview *out,
			struct error *err);

struct store_answer {
	char *path;
	char *value; /* NULL when special != NONE, or for a repeat instance marker */
	enum store_special special;
};

/*
 * Everything needed to resume: the interview row plus all its answers in
 * path order (out->answers[0..n_answers)). Free with store_loaded_free().
 */
struct store_loaded {
	struct store_interview iv;
	struct store_answer *answers;
	size_t n_answers;
};
int store_interview_load(struct store *s, const char *uuid, struct store_loaded **out,
			 struct error *err);
void store_loaded_free(struct store_loaded *l);

/*
 * THE hot path. In ONE transaction: sets the answer at `path` to `value`
 * (special == STORE_SPECIAL_NONE; value non-NULL, may be "") or to the
 * special value (value must be NULL), sets the interview's position to
 * `position` (NULL leaves it), bumps revision and change_seq, and appends
 * one event: `answer_set` (no previous answer), `answer_changed` (old and
 * new recorded) or `special`. A repeat instance marker (path ending in
 * `]`, e.g. `members[3]`, value NULL, special NONE) records that the
 * instance exists even with no answers yet (event `repeat_add`). Returns 0 only after COMMIT: the UI may then
 * show "已保存 / saved". Putting the same value and special again writes no
 * answer and no event (only the position, if different).
 * STORE_E_NOTFOUND: no such interview; STORE_E_STATE: the interview is not
 * in progress (complete/approved/rejected: reopen first); STORE_E_INVALID:
 * empty path or value/special mismatch.
 */
int store_answer_put(struct store *s, const char *uuid, const char *path, const char *value,
		     enum store_special special, const char *position, struct error *err);

/*
 * Deletes the answer at `path` (one transaction; `answer_cleared` event
 * with the old value; revision bump). Clearing an absent answer is a no-op
 * returning 0 (position still updated when given).
 */
int store_answer_clear(struct store *s, const char *uuid, const char *path,
		       const char *position, struct error *err);

/*
 * Records that the enumerator moved to `position` (a `navigate` event,
 * position saved; change_seq bumped, revision not: navigation is paradata).
 */
int store_interview_navigate(struct store *s, const char *uuid, const char *position,
			     struct error *err);

/*
 * Appends an event of `kind` (e.g. "open", "close", "repeat_add",
 * "constraint_failed" — lowercase letters and '_') with optional path,
 * old/new value and extra, for paradata the other calls do not record.
 * Bumps change_seq, not revision. uuid may be NULL for a device-level event
 * (then the store's change_seq is bumped, so the next device bundle carries it).
 */
int store_event_log(struct store *s, const char *uuid, const char *kind, const char *path,
		    const char *old_value, const char *new_value, const char *extra,
		    struct error *err);

/*
 * Roster operations, each ONE transaction, with `repeat` the path of the
 * repeat without index ("members", "plots[1]/crops") and 1-based indexes:
 * store_repeat_delete removes every answer under `repeat[index]/` (each
 * logged as `answer_cleared`) and renumbers the later instances down by one
 * (a `repeat_delete` event); store_repeat_move moves instance `from` to
 * position `to`, shifting those between (a `repeat_move` event). Both bump
 * the revision. Adding an instance writes no answer: log it with
 * store_event_log(..., "repeat_add", "members[3]", ...).
 */
int store_repeat_delete(struct store *s, const char *uuid, const char *repeat, int index,
			const char *position, struct error *err);
int store_repeat_move(struct store *s, const char *uuid, const char *repeat, int from, int to,
		      const char *position, struct error *err);

/*
 * Status changes, each one transaction with its event and a revision bump:
 * complete: in_progress -> completed (`complete`)
 * reopen:   completed or rejected -> in_progress (`reopen`)
 * review:   completed, approved or rejected -> approved or rejected
 *           (`review`, new value = status, extra = comment); `comment` may be
 *           NULL for approve, and is required (non-empty) for reject; it
 *           becomes review_comment and a comment row by `author`.
 * Any other transition fails with STORE_E_STATE and a message naming both
 * statuses.
 */
int store_interview_complete(struct store *s, const char *uuid, struct error *err);
int store_interview_reopen(struct store *s, const char *uuid, struct error *err);
int store_interview_review(struct store *s, const char *uuid, bool approve,
			   const char *comment, const char *author, struct error *err);

/*
 * Adds a comment on the interview (path NULL) or on one question, by
 * `author` (NULL = the enumerator). One transaction, `comment` event,
 * revision bump. Each comment has its own UUID so merges never double it.
 */
int store_comment_add(struct store *s, const char *uuid, const char *path, const char *author,
		      const char *text, struct error *err);

/* ---- queries ------------------------------------------------------------- */

/* Interview counts by status (enumerator NULL = all). */
int store_interview_counts(struct store *s, const char *enumerator,
			   size_t counts[STORE_ISTATUS_COUNT], struct error *err);

/* The store-wide change counter now: the change_seq of the latest change
 * (0 in an empty database). An export remembers it. */
int store_change_seq(struct store *s, int64_t *out, struct error *err);

/*
 * Callback iteration. The pointers passed to `cb` are valid only during the
 * call. `cb` returns 0 to continue; any other value stops the iteration and
 * is returned by the iterating function (so return a negative value for an
 * error, a positive one for "stop, found").
 */
typedef int (*store_interview_cb)(void *ctx, const struct store_interview *iv);
typedef int (*store_answer_cb)(void *ctx, const struct store_answer *a);

struct store_event {
	char *device;
	int64_t seq;
	char *interview; /* UUID or NULL */
	int64_t time;
	char *kind;
	char *actor;     /* enumerator (or reviewer) at the time, may be NULL */
	char *path, *old_value, *new_value; /* may be NULL */
	enum store_special old_special, new_special;
	char *extra;     /* may be NULL */
};
typedef int (*store_event_cb)(void *ctx, const struct store_event *ev);

struct store_comment {
	char *uuid;
	char *interview;
	char *path;   /* NULL: on the whole interview */
	char *author; /* may be NULL */
	char *text;
	int64_t time;
	char *device;
};
typedef int (*store_comment_cb)(void *ctx, const struct store_comment *c);

/* Interviews whose change_seq > since, in change_seq order (since = 0: all). */
int store_interviews_changed_since(struct store *s, int64_t since, store_interview_cb cb,
				   void *ctx, struct error *err);
/* Interviews of one household (newest first); household_key NULL lists the
 * interviews of households not in the sample. */
int store_interviews_of(struct store *s, const char *household_key, store_interview_cb cb,
			void *ctx, struct error *err);
/* Answers of one interview in path order. */
int store_answers_each(struct store *s, const char *uuid, store_answer_cb cb, void *ctx,
		       struct error *err);
/* Events of one interview (uuid NULL: the device-level events) in
 * (time, device, seq) order. */
int store_events_each(struct store *s, const char *uuid, store_event_cb cb, void *ctx,
		      struct error *err);
/* Comments of one interview in time order. */
int store_comments_each(struct store *s, const char *uuid, store_comment_cb cb, void *ctx,
			struct error *err);

/*
 * Readers for audit, scoring and data export: every interview that passes
 * `f` (NULL: all) with all its answers, events and comments, in ONE pass
 * (four ordered scans read in step, not one query per interview), from one
 * consistent snapshot.
 *
 * Order: interviews by uuid; a record's answers by path, events by (time,
 * device, seq), comments by (time, uuid). Device-level events (no interview)
 * are not included. The record and everything it points to is valid only
 * during the call to `cb`; `cb` returns 0 to continue, anything else stops
 * and is returned. Returns 0 or < 0 with err.
 */
struct store_record_filter {
	const char *form_id;   /* NULL: any; else the form's settings form_id */
	const char *form_hash; /* NULL: any; else exactly this form version */
	unsigned statuses;     /* 0: any; else bits STORE_STATUS_BIT(st) */
};
#define STORE_STATUS_BIT(st) (1u << (st))

struct store_record {
	struct store_interview iv;
	struct store_answer *answers;
	size_t n_answers;
	struct store_event *events;
	size_t n_events;
	struct store_comment *comments;
	size_t n_comments;
};
typedef int (*store_record_cb)(void *ctx, const struct store_record *r);

int store_records_each(struct store *s, const struct store_record_filter *f,
		       store_record_cb cb, void *ctx, struct error *err);

/* ---- merge primitives (for sync/) ---------------------------------------- */

/*
 * Insert an event exactly as given (a foreign device's, from a bundle).
 * Returns 1 when inserted; 0 when the same event (device, seq and content) was
 * already there; 2 when (device, seq) was taken by an event with different
 * content — two databases wrote under one device id, e.g. a copied laptop
 * database — and the new version was kept in table event_clash (the version
 * with the smaller content hash stays in `event`, so merge order does not
 * matter; nothing is dropped); < 0 on error. Does not touch interviews.
 */
int store_event_insert(struct store *s, const struct store_event *ev, struct error *err);
/* The SHA-256 (hex) of an event's content (every field but device and seq,
 * NULL told apart from ""): of two clashing versions the one with the
 * smaller hash stays in `event`. Shared with the PostgreSQL target (src/pg)
 * so both databases keep the same version. */
void store_event_hash(const struct store_event *ev, char hex[65]);

/* Whether `kind` is an event kind the store accepts (non-empty, lowercase
 * letters and '_'): a merge checks it before writing anything. */
bool store_event_kind_valid(const char *kind);

/* Insert a comment as given; 1 inserted, 0 when its uuid exists, < 0 error. */
int store_comment_insert(struct store *s, const struct store_comment *c, struct error *err);

/*
 * Writes the interview row exactly as given (insert or replace every field,
 * revision included; change_seq is assigned anew by this store) and, when
 * `answers` is non-NULL, replaces all its answers with answers[0..n). No
 * event is written: the events travel separately. The caller decides
 * (by revision) whether to call it; wrap it with the events of the same
 * bundle in store_tx_begin/commit.
 */
int store_interview_import(struct store *s, const struct store_interview *iv,
			   const struct store_answer *answers, size_t n, struct error *err);

/* ---- copying a team database (`ruhu db copy`, store_copy.c) -------------- */
/*
 * Every table a team database holds, with its columns, in an order where
 * each row's references come first: the copy between SQLite and PostgreSQL
 * (src/pg) walks this one list on both sides. Left out: audit_run and
 * audit_finding (results of `ruhu audit`, which runs again on the copy),
 * event.id (rows go in id order; the target numbers them again).
 */
enum store_copy_type { STORE_COPY_TEXT, STORE_COPY_INT, STORE_COPY_BLOB };
struct store_copy_col {
	const char *name;
	enum store_copy_type type;
};
struct store_copy_table {
	const char *name;
	const struct store_copy_col *cols;
	size_t n_cols;
	const char *order; /* ORDER BY (the key; event: id) */
};
const struct store_copy_table *store_copy_tables(size_t *n);

/* A value: p NULL for SQL NULL; an INT as decimal text; a BLOB as bytes. */
struct store_copy_val {
	const char *p;
	size_t len;
};

/* Where a copy writes. begin refuses a target that holds data (STORE_E_EXISTS)
 * and opens its one transaction; finish commits it (commit true) or undoes
 * it: a failed copy leaves the target as it was. A meta row device_id makes
 * the target the same database as the source (a copy, not another device). */
struct store_copy_sink {
	int (*begin)(void *ctx, struct error *err);
	int (*table)(void *ctx, const struct store_copy_table *t, struct error *err);
	int (*row)(void *ctx, const struct store_copy_table *t, const struct store_copy_val *v,
		   struct error *err);
	int (*table_end)(void *ctx, const struct store_copy_table *t, struct error *err);
	int (*finish)(void *ctx, bool commit, struct error *err);
};

/* Reads every table of `s` (in one read transaction) into `k`: begin, each
 * table's rows in key order, finish(true); on any error finish(false). */
int store_copy_out(struct store *s, const struct store_copy_sink *k, void *ctx,
		   struct error *err);
/* The store `s` as a sink (ctx = s). */
const struct store_copy_sink *store_copy_sink(void);

/* ---- merge bookkeeping (store_ledger.c; tables in docs/bundle.md) --------- */

/* A bundle as the ledger knows it: (device, kind, for_device, sequence). */
enum store_bundle_kind { STORE_BUNDLE_DEVICE, STORE_BUNDLE_RETURN };

struct store_bundle_key {
	const char *device;         /* the device that wrote the bundle */
	enum store_bundle_kind kind;
	const char *for_device;     /* return bundles: the device it is for; else NULL or "" */
	int64_t sequence;
};

/*
 * Whether the bundle `k` was applied to this database: 1 (and, when
 * `content_sha256` is non-NULL, its recorded content hash in a malloc'd
 * string the caller frees), 0 when not, < 0 on error.
 */
int store_bundle_applied(struct store *s, const struct store_bundle_key *k,
			 char **content_sha256, struct error *err);

struct store_bundle_record {
	struct store_bundle_key key;
	const char *content_sha256, *created; /* as the manifest says */
	const char *file;                     /* the path it was merged from */
	size_t iv_new, iv_updated, iv_unchanged, conflicts, duplicates;
};

/* Records a bundle as applied (merged = now). Run it inside the bundle's
 * transaction; STORE_E_INVALID (a constraint) when it was recorded already. */
int store_bundle_record(struct store *s, const struct store_bundle_record *r,
			struct error *err);

/*
 * Exports of this database by (kind, target) — kind "device" with target ""
 * or "return" with the device it is for: *seq = the last sequence number
 * used (reserved or done), *change = the change counter of the last export
 * that completed; zeros when none.
 */
int store_export_last(struct store *s, const char *kind, const char *target, int64_t *seq,
		      int64_t *change, struct error *err);
/*
 * Where a re-export of device export `seq` starts (`ruhu export --again
 * SEQ`, for a bundle the team refused): *since = the change counter of the
 * last completed export of (kind, target) before `seq`, 0 when there is none;
 * everything changed after it (all that bundle `seq` held, in its current
 * version, and what changed since) goes into the new bundle. STORE_E_NOTFOUND
 * "no completed export N" when export `seq` of (kind, target) never
 * completed.
 */
int store_export_since(struct store *s, const char *kind, const char *target, int64_t seq,
		       int64_t *since, struct error *err);
/* Reserves sequence `seq` (state 'pending') before the file is written, so a
 * number is never used twice; one transaction. */
int store_export_reserve(struct store *s, const char *kind, const char *target, int64_t seq,
			 int64_t change, const char *file, size_t interviews, struct error *err);
/* Marks a reserved export done once its file is on disk; one transaction. */
int store_export_done(struct store *s, const char *kind, const char *target, int64_t seq,
		      struct error *err);

/*
 * Keeps one version of a conflicting interview revision — the row `iv` and
 * its answers a[0..n) under content hash `hash` — in sync_conflict and
 * sync_conflict_answer. Idempotent: 1 when the version was new, 0 when it
 * was kept already, < 0 on error. Run it inside a transaction.
 */
int store_conflict_keep(struct store *s, const struct store_interview *iv,
			const struct store_answer *a, size_t n, const char *hash,
			struct error *err);

/* Flags `uuid` and every other interview of `household_key` as duplicate
 * pairs (sync_duplicate, idempotent); *added += the new pairs. A NULL key
 * flags nothing. Run it inside a transaction. */
int store_duplicates_flag(struct store *s, const char *uuid, const char *household_key,
			  size_t *added, struct error *err);

/* One kept version of a conflict, with what the listing needs. */
struct store_conflict_row {
	const char *uuid;
	int64_t revision;
	const char *content_sha256;
	const char *household_key, *device, *status, *enumerator; /* may be NULL */
	int64_t updated;
	size_t n_answers;
	int64_t current_revision; /* the interview's revision now (0: no row) */
};
typedef int (*store_conflict_cb)(void *ctx, const struct store_conflict_row *r);

/* Every kept version in (uuid, revision, content_sha256) order; `cb` as for
 * the other iterations (a non-zero return stops and is returned). */
int store_conflicts_each(struct store *s, store_conflict_cb cb, void *ctx, struct error *err);

struct store_duplicate_row {
	const char *household_key, *uuid_a, *uuid_b; /* uuid_a < uuid_b */
	const char *status_a, *status_b;             /* NULL when the row is gone */
};
typedef int (*store_duplicate_cb)(void *ctx, const struct store_duplicate_row *r);

/* Every duplicate pair in (household_key, uuid_a, uuid_b) order. */
int store_duplicates_each(struct store *s, store_duplicate_cb cb, void *ctx, struct error *err);

/*
 * The latest conflicting revision of interview `uuid`: *rev (0 when it has
 * no conflict) and the content hashes of its versions in *hashes[0..*n)
 * (sorted; free each and the array).
 */
int store_conflict_latest(struct store *s, const char *uuid, int64_t *rev, char ***hashes,
			  size_t *n, struct error *err);

/* The kept version (uuid, rev, hash) as a loaded interview (row and answers
 * in path order); STORE_E_NOTFOUND when absent. Free with store_loaded_free. */
int store_conflict_version(struct store *s, const char *uuid, int64_t rev, const char *hash,
			   struct store_loaded **out, struct error *err);

/*
 * For scoring: store_records_each without the paradata — each record has
 * its interview row and answers only (n_events = n_comments = 0), valid only
 * during `cb`. Same filter, order and snapshot rules. The same scan as
 * store_data_each (src/store/store_data.c) without the completion times.
 */
int store_records_answers_each(struct store *s, const struct store_record_filter *f,
			       store_record_cb cb, void *ctx, struct error *err);

/* ---- data export (store_data.c) ---------------------------------------- */

/*
 * The secret key of `ruhu data --mask` pseudonyms (meta 'data_mask_key'),
 * created at the first call (one transaction; the database must then be
 * writable: STORE_E_READONLY otherwise) and the same ever after. *key is a
 * malloc'd string the caller frees.
 */
int store_data_mask_key(struct store *s, char **key, struct error *err);

/*
 * The reader of data export: like store_records_each (same filter, same
 * order, one snapshot) but with the answers only — no events, no comments —
 * and, for each interview, the time of its latest `complete` event
 * (`completed`, 0 when it has none). Three ordered scans read in step; the
 * record (r->events and r->comments empty) is valid only during `cb`.
 */
typedef int (*store_data_cb)(void *ctx, const struct store_record *r, int64_t completed);
int store_data_each(struct store *s, const struct store_record_filter *f, store_data_cb cb,
		    void *ctx, struct error *err);

/* ---- audit runs and findings (store_audit.c; tables in docs/audit.md) ---- */

/*
 * One finding of `ruhu audit`, as stored in table audit_finding. Its key in
 * a run is (rule, interview, path): interview is "" for a finding about the
 * whole batch (an enumerator, a duplicate ID shared by households is still
 * per interview), path "" for a finding about the whole interview, else the
 * roster instance ("members[2]") or the field concerned. Other fields may be
 * NULL (stored as NULL; detail as "").
 */
struct store_audit_finding {
	const char *rule, *severity; /* severity "error" or "warning" */
	const char *interview, *path;
	const char *household_key, *county, *village, *enumerator, *device;
	const char *detail; /* the values involved, "name=value ..." */
};

/*
 * Records one audit run and its findings f[0..n) in ONE transaction (all or
 * nothing): a new audit_run row (started = now, the rules file as named and
 * the SHA-256 of its bytes, the number of interviews audited) and one
 * audit_finding row per finding. A second finding with the key of an earlier
 * one in f is ignored (the first is kept). Sets *run to the new run id
 * (1, 2, 3, ... in this database). Returns 0 or < 0 with err.
 */
int store_audit_save(struct store *s, const char *rules_file, const char *rules_sha256,
		     size_t interviews, const struct store_audit_finding *f, size_t n,
		     int64_t *run, struct error *err);

/* Whether audit run `run` exists: 1, 0, or < 0 on error. */
int store_audit_run_exists(struct store *s, int64_t run, struct error *err);

/* The latest audit run id (0 when none). */
int store_audit_run_last(struct store *s, int64_t *run, struct error *err);

/*
 * The findings per interview of the latest audit run, for data export's
 * QC column: *run is that run's id (0 when no audit has run: cb is never
 * called) and *started its start time (ms since epoch UTC); then
 * cb(ctx, interview, findings) once for each interview that run recorded at
 * least one finding about (findings about a batch, whose interview is "",
 * are not counted), in interview order (bytewise). The string is valid
 * during the call only; cb returns 0 to continue, anything else stops and
 * is returned.
 */
typedef int (*store_audit_count_cb)(void *ctx, const char *interview, int64_t findings);
int store_audit_latest_counts(struct store *s, int64_t *run, int64_t *started,
			      store_audit_count_cb cb, void *ctx, struct error *err);

/*
 * Calls cb(ctx, rule, interview, path) once for every distinct finding key
 * recorded by runs 1..upto (in key order); the strings are valid during the
 * call only. `cb` returns 0 to continue, anything else stops and is returned.
 */
typedef int (*store_audit_key_cb)(void *ctx, const char *rule, const char *interview,
				  const char *path);
int store_audit_keys_each(struct store *s, int64_t upto, store_audit_key_cb cb, void *ctx,
			  struct error *err);

/*
 * Every event of the database (device-level ones included) in (device, seq)
 * order, the order each device wrote them, for paradata that spans
 * interviews (a device's clock going backwards). Only device, seq,
 * interview, time, kind and actor are filled; the other pointers are NULL.
 */
int store_events_by_device_each(struct store *s, store_event_cb cb, void *ctx,
				struct error *err);

#endif
