/*
 * merge_target — where a merge writes: a small table of operations between
 * the merge's decisions (sync/merge.c: what is new, updated, unchanged, a
 * conflict, a duplicate) and a database, in the style of ncdu's
 * `struct dir_output`. The SQLite store is the first implementation
 * (store_merge_target(), src/store/store_merge.c); a PostgreSQL team database
 * is meant to be the second.
 *
 * The protocol for one bundle, as merge_bundle() drives it:
 *   1. verification, outside any transaction: device_id, form_known,
 *      interview_known, form_source, form_files, bundle_applied (read-only; may be
 *      called many times);
 *   2. begin — opens the bundle's ONE transaction, holding the write lock
 *      from the start (a second merge waits here); then bundle_applied
 *      again: a bundle that a concurrent merge applied in the meantime ends
 *      here as MERGE_ALREADY (rollback), exactly like a later re-merge;
 *   3. in the bundle's section order: put_form (each form with its files, once the
 *      form_files section is read); put_assignments (once, all
 *      of them); revisions (once, every interview of the bundle); for each
 *      interview, load (only when the revisions are equal), record_conflict,
 *      put_interview, record_duplicates; put_events and put_comments in
 *      batches of up to MERGE_BATCH rows, in bundle order;
 *   4. record_bundle, commit.
 *   On any failure after begin: rollback, and nothing of the bundle stays.
 * Operations take arrays where a bundle has many rows, so a server target
 * can load them in bulk (COPY into a staging table, one INSERT ... SELECT)
 * and keep one transaction per bundle; pointers passed in are valid only
 * during the call (copy what you keep). A target that buffers writes must
 * make them visible to its own later operations of the same bundle:
 * record_duplicates sees the interviews put before it, and the events'
 * and comments' interviews must exist by commit (the store's foreign keys
 * are checked there).
 * tests/sync/test_target.c checks this protocol with a recording target.
 *
 * Every operation returns 0 (or the count/flag documented) or < 0 with `err`
 * set the target's way (for the store: its error codes and messages, so a
 * locked database reads the same in a merge as anywhere else).
 */
#ifndef RUHU_MERGE_TARGET_H
#define RUHU_MERGE_TARGET_H

#include "ruhu/error.h"
#include "ruhu/store.h"

#include <stddef.h>
#include <stdint.h>

/* The largest batch merge passes to put_events / put_comments. */
#define MERGE_BATCH 2048

/* Outcomes of put_events, counted into counts[] by the target. */
enum merge_event_outcome {
	MERGE_EVENT_KNOWN, /* the same (device, seq) with the same content was there */
	MERGE_EVENT_NEW,
	MERGE_EVENT_CLASH, /* (device, seq) held a different event: both kept */
	MERGE_EVENT_NOUTCOMES
};

struct merge_target_ops {
	/* ---- reads (verification; also valid inside the transaction) ---- */
	/* The target database's own device id (an import checks the bundle is
	 * for it); owned by the target. */
	const char *(*device_id)(void *t);
	/* 1 when a form with this hash / an interview with this uuid is stored,
	 * 0 when not, < 0 on error. */
	int (*form_known)(void *t, const char *hash, struct error *err);
	int (*interview_known)(void *t, const char *uuid, struct error *err);
	/* The exact source bytes of the stored form `hash` in a malloc'd buffer
	 * (NUL appended, not counted in *len) the caller frees, as
	 * store_form_source(): 0, or < 0 (STORE_E_NOTFOUND when absent). A merge
	 * loads each form its interviews use once per bundle to validate them
	 * (interview_validate) before anything is written. */
	int (*form_source)(void *t, const char *hash, char **src, size_t *len,
			   struct error *err);
	/* The attached files of the stored form `hash`, as store_form_files()
	 * (free with store_form_files_free); 0 files for a form without any. */
	int (*form_files)(void *t, const char *hash, struct store_form_file **files, size_t *n,
			  struct error *err);
	/* As store_bundle_applied(): 1 (+ its recorded content hash, malloc'd)
	 * or 0. */
	int (*bundle_applied)(void *t, const struct store_bundle_key *k, char **content_sha256,
			      struct error *err);

	/* ---- the bundle's transaction ---- */
	/* Opens it with the write lock taken (the store: BEGIN IMMEDIATE), so
	 * that what bundle_applied answers inside it stays true until commit. */
	int (*begin)(void *t, struct error *err);
	/* Makes everything since begin durable (returns after it is). */
	int (*commit)(void *t, struct error *err);
	/* Undoes everything since begin. */
	void (*rollback)(void *t);

	/* ---- writes and the reads decisions need (between begin and commit) ---- */
	/* Stores a form's exact source with its attached files (n_files may be
	 * 0), as store_form_put_files (hash checked by the caller); idempotent. */
	int (*put_form)(void *t, const char *hash, const char *form_id, const char *version,
			const char *title, const char *source, size_t len,
			const struct store_form_file *files, size_t n_files, struct error *err);
	/* Inserts or replaces n assignments with their preload fields. */
	int (*put_assignments)(void *t, const struct store_assignment *a, size_t n,
			       struct error *err);
	/* rev[i] = the stored revision of interview uuids[i], 0 when absent. */
	int (*revisions)(void *t, const char *const *uuids, size_t n, int64_t *rev,
			 struct error *err);
	/* The stored interview row and all its answers (path order); free with
	 * store_loaded_free. */
	int (*load)(void *t, const char *uuid, struct store_loaded **out, struct error *err);
	/* Writes the interview row exactly as given and replaces all its answers
	 * with a[0..n) (n may be 0: no answers). */
	int (*put_interview)(void *t, const struct store_interview *iv, const struct store_answer *a,
			     size_t n, struct error *err);
	/* Inserts events as given (never doubled; see store_event_insert);
	 * counts[outcome] += 1 for each. */
	int (*put_events)(void *t, const struct store_event *ev, size_t n,
			  size_t counts[MERGE_EVENT_NOUTCOMES], struct error *err);
	/* Inserts comments by uuid (never doubled); *added += the new ones. */
	int (*put_comments)(void *t, const struct store_comment *c, size_t n, size_t *added,
			    struct error *err);
	/* Keeps a version of a conflicting revision: 1 new, 0 kept already. */
	int (*record_conflict)(void *t, const struct store_interview *iv,
			       const struct store_answer *a, size_t n, const char *hash,
			       struct error *err);
	/* Flags uuid with every other interview of household_key; *added += new
	 * pairs. */
	int (*record_duplicates)(void *t, const char *uuid, const char *household_key,
				 size_t *added, struct error *err);
	/* Records the bundle as applied (inside the transaction, last). */
	int (*record_bundle)(void *t, const struct store_bundle_record *r, struct error *err);
};

struct merge_target {
	const struct merge_target_ops *ops;
	void *t; /* the implementation's handle, passed to every operation */
};

/* The SQLite store `s` as a merge target (src/store/store_merge.c); valid as
 * long as `s` is open. */
struct merge_target store_merge_target(struct store *s);

#endif
