/*
 * merge — applying bundles to a database (`ruhu merge`, `ruhu import`), the
 * team leader's conflicts and duplicates (`ruhu conflicts`), and exports
 * (`ruhu export`).
 *
 * Invariants:
 * - A bundle is verified completely (bundle.h) and its references checked
 *   (every interview's form in the bundle or the database; answers grouped by
 *   interview; events and comments naming interviews that exist) before the
 *   database is touched; it is then applied in ONE transaction, rolled back on
 *   any failure. A refused bundle leaves the database exactly as it was.
 * - A bundle applied once is recorded (sync_bundle) by (device, kind, target,
 *   sequence) with its content SHA-256; applying it again changes nothing.
 * - Interviews by UUID and revision: a higher revision replaces the answers of
 *   a lower one (events of both stay); a lower one is ignored; an equal one
 *   with different content is a conflict: every version is kept in
 *   sync_conflict and the interview row holds the version with the smallest
 *   content hash, so the result does not depend on the order of merges.
 * - The same household_key under two UUIDs is a duplicate (sync_duplicate);
 *   both interviews are kept.
 * - Events are inserted by (device, seq) and comments by uuid: never doubled.
 * Sync holds the rules, the store holds the data: every table (the
 * bookkeeping ones included: migration steps 3 and 4 of
 * src/store/store_schema.c, documented in docs/bundle.md) and every SQL
 * statement is the store's. A merge reads and writes only through a merge
 * target (ruhu/merge_target.h); export and conflicts use store functions.
 */
#ifndef RUHU_MERGE_H
#define RUHU_MERGE_H

#include "ruhu/bundle.h"
#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct merge_stats {
	size_t iv_new, iv_updated, iv_unchanged; /* interviews */
	size_t conflicts;  /* new conflicting versions recorded */
	size_t duplicates; /* new duplicate pairs flagged */
	size_t answers;    /* answer rows read */
	size_t events_new, events_known;
	/* events whose (device, seq) already held a different event: two
	 * databases wrote under one device id (see store_event_insert) */
	size_t events_clash;
	size_t comments_new;
	size_t assignments; /* import: assignments loaded */
	size_t rows;        /* all data rows applied */
};

/* Called every few thousand rows and at the end of each pass with the rows
 * done so far in this bundle and its total; may be NULL. */
typedef void (*merge_progress_cb)(void *ctx, size_t done, size_t total);

enum merge_outcome { MERGE_APPLIED = 0, MERGE_ALREADY = 1 };

/*
 * Merges the device bundle at `path` into `s` (import = false), or applies
 * the return bundle at `path` to the device database `s` (import = true:
 * the bundle must be a return bundle for this device). Returns MERGE_APPLIED
 * (stats filled), MERGE_ALREADY (the same bundle was applied before; nothing
 * changed), or -1 with `err` naming the bundle and the fault; then nothing
 * was written.
 */
int merge_bundle(struct store *s, const char *path, bool import, struct merge_stats *st,
		 merge_progress_cb progress, void *ctx, struct error *err);

struct merge_target;

/* The same into any merge target (ruhu/merge_target.h); merge_bundle is
 * merge_bundle_into(store_merge_target(s), ...). */
int merge_bundle_into(const struct merge_target *tg, const char *path, bool import,
		      struct merge_stats *st, merge_progress_cb progress, void *ctx,
		      struct error *err);

/*
 * The hooks of a merge through an envelope (ruhu/keys.h): data (non-NULL)
 * holds the bundle bytes to merge instead of reading `path` (the opened
 * content of a sealed file); manifest is called once the bundle is verified,
 * before anything is written; record inside the merge's transaction, after
 * the bundle's rows, before the commit. Any may be NULL; a failure of either
 * refuses the bundle with nothing written.
 */
struct merge_hook {
	const char *data;
	size_t len;
	int (*manifest)(void *ctx, const struct bundle_manifest *m, struct error *err);
	int (*record)(void *ctx, struct error *err);
	void *ctx;
};

int merge_bundle_hooked(const struct merge_target *tg, const char *path, bool import,
			const struct merge_hook *h, struct merge_stats *st,
			merge_progress_cb progress, void *pctx, struct error *err);

/* ---- export ---------------------------------------------------------------- */

struct export_opts {
	const char *out_dir;
	bool all;               /* everything, not only what changed since the last export */
	const char *for_device; /* non-NULL: a return bundle for that device */
	const char *created;    /* NULL: now; else "YYYY-MM-DDTHH:MM:SSZ" (tests, synth) */
	/* > 0: export again what device bundle `again` held, for a bundle the
	 * team refused: every interview changed since the export before it
	 * (store_export_since), in its current version, as a NEW bundle with
	 * the next sequence number (a number is never used twice). Device
	 * bundles only. */
	long long again;
};

/* Turns the bytes of a bundle being exported into a sealed file (*out
 * malloc'd), or leaves *out NULL for a plain one (ruhu/keys.h,
 * keys_export_seal); a failure writes nothing. */
typedef int (*export_seal_fn)(void *ctx, const char *in, size_t len, char **out,
			      size_t *out_len, struct error *err);

struct export_result {
	char *path;          /* the bundle written (caller frees), NULL when nothing to export */
	long long sequence;
	size_t interviews, answers, events, comments, assignments;
	size_t stale_removed; /* temporary files of killed exports removed from out_dir */
};

/*
 * Writes one bundle of `s` into o->out_dir: a device bundle of every
 * interview changed since the last device export (all with o->all), or a
 * return bundle for o->for_device (its assignments with preload fields and
 * its rejected interviews with their answers, events and comments). The
 * file is written durably under a temporary name and renamed (bundle.h);
 * only then is the export recorded in sync_export. First it removes the
 * temporary files that killed exports left in o->out_dir (bundle_tmp_clean:
 * a live export's file is locked and stays), counted in res->stale_removed.
 * With o->again, the interviews are those changed since the export before
 * bundle o->again (STORE_E_NOTFOUND when that bundle was never exported; an
 * error with o->for_device). Returns 0 (res->path NULL when there was nothing
 * to export) or -1 with err; on failure no bundle file is left and nothing is
 * recorded.
 */
int export_bundle(struct store *s, const struct export_opts *o, struct export_result *res,
		  struct error *err);
/* export_bundle with a seal hook (NULL: export_bundle). */
int export_bundle_sealed(struct store *s, const struct export_opts *o, export_seal_fn seal,
			 void *seal_ctx, struct export_result *res, struct error *err);
void export_result_release(struct export_result *res);

/* ---- conflicts and duplicates --------------------------------------------- */

struct conflict_version {
	char *content_sha256;
	char *device, *status, *enumerator;
	int64_t updated;
	size_t n_answers;
	bool current; /* the version the interview row holds now */
};

struct conflict {
	char *uuid;
	char *household_key;
	int64_t revision;
	bool resolved;      /* a version was chosen (the interview moved past this revision) */
	struct conflict_version *v;
	size_t n;
};

struct duplicate {
	char *household_key;
	char *uuid_a, *uuid_b; /* uuid_a < uuid_b */
	char *status_a, *status_b;
};

/* All conflicts (by uuid, revision) and duplicates. Free with conflicts_free. */
int conflicts_list(struct store *s, struct conflict **c, size_t *nc, struct duplicate **d,
		   size_t *nd, struct error *err);
void conflicts_free(struct conflict *c, size_t nc, struct duplicate *d, size_t nd);

/*
 * Resolves the conflict of interview `uuid` by choosing the version whose
 * content hash starts with `prefix` (at least 4 hex digits, unique among its
 * versions): in one transaction the interview gets that version's answers
 * and status with revision = current + 1 (so it wins over every version in
 * later merges and travels back to devices), and a `conflict_resolved`
 * event records the previous and chosen hashes by `author`. Choosing again
 * (another or the original version) reverses it the same way.
 */
int conflict_resolve(struct store *s, const char *uuid, const char *prefix, const char *author,
		     struct error *err);

#endif
