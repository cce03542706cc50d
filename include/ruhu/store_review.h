/*
 * store_review — what `ruhu review` reads and writes on the team database:
 * the review list (interviews with their household, status and the findings
 * of the latest audit run), one interview's findings, and the review
 * actions, each ONE transaction made of the store's own events (`review`,
 * `comment`) so every action carries who (actor) and when (time) and
 * travels with the interview in bundles.
 */
#ifndef RUHU_STORE_REVIEW_H
#define RUHU_STORE_REVIEW_H

#include "ruhu/store.h"

#include <stddef.h>
#include <stdint.h>

struct store_review_row {
	char uuid[STORE_ID_LEN + 1];
	char *household_key;  /* NULL: not in the sample */
	char *county, *village, *head_name; /* from the sample, may be NULL */
	char *enumerator, *device;          /* may be NULL */
	enum store_istatus status;
	int64_t revision;
	int64_t created, updated; /* ms since epoch UTC */
	char *review_comment;     /* latest review comment, or NULL */
	size_t n_findings;        /* findings of the latest audit run */
	size_t n_errors;          /* of which severity "error" */
};

struct store_review_filter {
	int status;             /* -1: any, else an enum store_istatus */
	const char *enumerator; /* NULL: any */
	const char *village;    /* NULL: any (matches the village code) */
	const char *rule;       /* NULL: any; "*": with any finding; else that rule */
};
#define STORE_REVIEW_FILTER_ALL {-1, NULL, NULL, NULL}

/*
 * Interviews matching `f` (NULL = all), ordered by county, village,
 * household key, created. Findings are those of the latest audit run (none
 * when audit never ran). Free with store_review_rows_free().
 */
int store_review_list(struct store *s, const struct store_review_filter *f,
		      struct store_review_row **out, size_t *n, struct error *err);
void store_review_rows_free(struct store_review_row *v, size_t n);

/* One finding of the latest audit run about an interview. */
struct store_review_finding {
	const char *rule, *severity, *path, *detail; /* path "" = whole interview */
};
typedef int (*store_review_finding_cb)(void *ctx, const struct store_review_finding *f);

/* The findings of the latest audit run about `uuid`, by path then rule;
 * cb returns 0 to continue (else stops, returned). */
int store_review_findings_each(struct store *s, const char *uuid, store_review_finding_cb cb,
			       void *ctx, struct error *err);

/* A reviewer's comment on one question (path) of an interview. */
struct store_review_note {
	const char *path;
	const char *text;
};

/*
 * Approves every interview of uuids[0..n) in ONE transaction: all or none
 * (an unknown interview or one not completed/approved/rejected refuses the
 * whole call with nothing changed). `author` is the reviewer (the actor of
 * each `review` event; NULL = the store's enumerator).
 */
int store_review_approve(struct store *s, const char *const *uuids, size_t n,
			 const char *author, struct error *err);

/*
 * Rejects `uuid` with `reason` (required, non-empty) and the comments
 * notes[0..n) on its questions, in ONE transaction: a `comment` event and
 * comment row per note, then the `review` event (status rejected,
 * review_comment = reason). Paths are checked against nothing here (the
 * CLI checks them against the form); an empty path or text is refused.
 */
int store_review_reject(struct store *s, const char *uuid, const char *reason,
			const char *author, const struct store_review_note *notes, size_t n,
			struct error *err);

#endif
