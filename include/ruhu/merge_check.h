/*
 * merge_check — what a merge checks in a bundle's content before it writes
 * anything (issue 11, D3, D4): every bundled form loads as `ruhu check`
 * loads it, every interview fits its form (interview_validate), and no value
 * is over the store's limit. A team database only ever holds what a form
 * allows. Used by the verification pass of sync/merge.c; the rules are in
 * docs/bundle.md ("What the first read checks in the content").
 *
 * Each form is loaded once per bundle: from the bundle's forms section
 * (merge_check_form) or, for a form the bundle does not carry, from the
 * target's stored source (merge_target_ops.form_source). Interviews are
 * validated when their group of answers ends, so memory holds the answers
 * of one interview; the first invalid interview is reported by
 * merge_check_finish, naming the interview, the field and the reason.
 * Never prints; not thread-safe (one per merge).
 */
#ifndef RUHU_MERGE_CHECK_H
#define RUHU_MERGE_CHECK_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

struct merge_check;
struct merge_target;

/* A checker reading stored forms from `tg` (which must outlive it). Free
 * with merge_check_free(), which accepts NULL. */
struct merge_check *merge_check_new(const struct merge_target *tg);
void merge_check_free(struct merge_check *mc);

/*
 * A form of the bundle's forms section (its hash already checked against
 * src[0..len) and its attached files, n_files of them, maybe 0): loaded with
 * those files as `ruhu check` loads it. A hash seen before is not
 * loaded again. Returns 0, or -1 with err "form 'ID' does not pass `ruhu
 * check`: WHERE: MESSAGE" (where NULL: the caller locates it).
 */
struct store_form_file;
int merge_check_form(struct merge_check *mc, const char *hash, const char *form_id,
		     const char *src, size_t len, const struct store_form_file *files,
		     size_t n_files, struct error *err);

/*
 * Interview number `i` of the bundle (0, 1, 2 ... in bundle order), of form
 * `form_hash` (from the bundle, or loaded from the target now); `completed`
 * when its status is completed, approved or rejected. Returns 0; -1 with err
 * when its stored form does not load; -2 when the target failed (err is the
 * target's).
 */
int merge_check_interview(struct merge_check *mc, size_t i, const char *uuid,
			  const char *form_hash, bool completed, struct error *err);

/* One answer of interview `i` (answers come grouped in interview order; a
 * new i validates the interviews before it). Copies what it keeps. */
void merge_check_answer(struct merge_check *mc, size_t i, const char *path, const char *value,
			int special);

/* After the last row: validates the interviews not validated yet. Returns
 * 0, or -1 with the first invalid interview in err (where NULL): "interview
 * 'UUID', field 'PATH': MESSAGE" (the engine's message). */
int merge_check_finish(struct merge_check *mc, struct error *err);

/* The store's one value limit (STORE_VALUE_MAX): 0, or -1 with err "value
 * of 'NAME' too long: N bytes (limit 1048576 bytes)" (where NULL). */
int merge_check_value(const char *name, const char *v, struct error *err);

#endif
