/*
 * interview — the interview engine: one household's answers to a loaded form,
 * walked question by question. No terminal code, no store, never prints.
 *
 * Model. An interview holds an instance tree: the root instance holds the
 * answers of the fields outside every repeat; each repeat instance (roster
 * member) holds the answers of the fields directly inside that repeat and the
 * instances of the repeats nested in it. Every answer is a string (or a
 * special value: don't know / refused) addressed by a path:
 *
 *     village                  a field outside every repeat
 *     members[2]/m_age         a field of the 2nd instance of repeat members
 *     rep[1]/rep2[3]/crop      nested repeats, every level indexed (1-based)
 *     members[2]               a repeat instance itself
 *     members                  a top-level repeat (rep[1]/rep2 when nested)
 *     sex_other                the "specify other" text of `select ... or_other`
 *
 * Groups never appear in paths (field names are unique in a form).
 *
 * Invariants kept after every successful call:
 *  - calculations, relevance, repeat_count instances and dynamic defaults are
 *    up to date (recomputed only where the change reaches, along a dependency
 *    graph built from the form's ${} references when the interview is made);
 *  - a non-relevant field keeps its value (history) but reads as empty in
 *    every expression and is left out of the record (interview_record);
 *  - a rejected answer (bad type, failed constraint, ...) leaves the
 *    interview exactly as it was.
 *
 * Errors are `struct error`s with the path as `where`, ruhu's own message in
 * Chinese and English, or the form's constraint/required message in the form's
 * zh and en languages where the form gives one; err->code is an
 * `enum interview_code`.
 */
#ifndef RUHU_INTERVIEW_H
#define RUHU_INTERVIEW_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct form;
struct form_node;
struct interview;
struct strbuf;

/* err->code of the errors the engine reports. */
enum interview_code {
	IV_OK = 0,
	IV_E_UNKNOWN_FIELD = 1, /* no field with that name / malformed path */
	IV_E_NOT_ANSWERABLE,    /* note, group, calculate, metadata, unsupported type */
	IV_E_TYPE,              /* value does not parse as the field's type */
	IV_E_RANGE,             /* range question out of start..end or off step */
	IV_E_CHOICE,            /* no such choice in the list */
	IV_E_FILTER,            /* choice exists but choice_filter excludes it */
	IV_E_CONSTRAINT,        /* constraint false */
	IV_E_REQUIRED,          /* required and unanswered */
	IV_E_READ_ONLY,         /* read_only field */
	IV_E_NOT_RELEVANT,      /* answer to a non-relevant field */
	IV_E_REPEAT_INDEX,      /* instance index beyond the next one to add */
	IV_E_REPEAT_COUNT,      /* more answered instances than repeat_count asks */
	IV_E_SPECIAL,           /* special value not allowed on this question */
	IV_E_COMPLETED,         /* interview is completed: reopen first */
	IV_E_CYCLE,             /* dependency cycle between fields (form error) */
	IV_E_EVAL,              /* an expression failed to evaluate */
	IV_E_TOO_LARGE,         /* repeat instances past IV_MAX_CELLS */
};

/*
 * Answer slots (one per field, group and repeat of every instance) that one
 * interview may hold. repeat_count is clamped to 10,000 per roster, but
 * nested rosters multiply (10,000 x 10,000 hung `fill`): past this limit no
 * instance is added, and the interview cannot be completed (IV_E_TOO_LARGE,
 * listed by interview_blockers) rather than silently holding fewer.
 */
#define IV_MAX_CELLS 1000000

enum interview_special {
	IV_SPECIAL_NONE = 0,
	IV_DONT_KNOW = 1,       /* spelled ".d" in answer files and the record */
	IV_REFUSED = 2,         /* spelled ".r" */
};

/* Bits of the allowed special values (see docs/interview.md). */
enum { IV_ALLOW_DONT_KNOW = 1, IV_ALLOW_REFUSED = 2 };

struct interview_opts {
	const char *deviceid;   /* for `deviceid` fields; may be NULL */
	const char *username;   /* the enumerator, for `username` fields; may be NULL */
	const char *lang;       /* UI language code for labels ("zh", "en"); NULL = form default */
	/* Clock for start/end/today and now(): ms since the epoch; NULL = system clock. */
	int64_t (*now_ms)(void *ud);
	void *now_ud;
	/* For a reader that needs a few values (score): per form node, whether
	 * to compute it; NULL = every node. It must hold every node that a
	 * computed node's calculation, relevance, repeat_count or default
	 * reads, and the groups and repeats around them; the others keep no
	 * computed value. The array must outlive the interview. */
	const unsigned char *only;
};

/*
 * Makes an interview of `f` (which must outlive it): builds the dependency
 * graph (a cycle between calculations / relevance is an IV_E_CYCLE error
 * naming the fields), creates repeat_count instances, applies defaults and
 * fills start/today/deviceid/username/audit. The position is the first
 * question. Returns 0 and sets *out (free with interview_free), or -1.
 */
int interview_new(const struct form *f, const struct interview_opts *opts,
		  struct interview **out, struct error *err);
void interview_free(struct interview *iv); /* accepts NULL */

const struct form *interview_form(const struct interview *iv);

/*
 * Checks the form's dependency graph alone (what interview_new does first).
 * Returns 0, or -1 with an IV_E_CYCLE error naming the fields of one cycle.
 */
int interview_check_form(const struct form *f, struct error *err);

/* ---- answers ---------------------------------------------------------- */

/*
 * Sets the answer at `path` to `value` (NULL or "" clears it). Validates the
 * type (integer, decimal, range, date YYYY-MM-DD, time HH:MM[:SS], dateTime,
 * select_one choice + choice_filter, select_multiple space-separated names,
 * acknowledge "OK", geopoint "lat lon [alt [acc]]"), read_only, relevance and
 * the constraint; then recomputes what depends on it. Writing `members[3]/x`
 * when members has 2 instances adds the 3rd; an index further ahead is an
 * IV_E_REPEAT_INDEX error. On error nothing changes and -1 is returned.
 * Required is not checked here (see interview_check / interview_blockers).
 */
int interview_set(struct interview *iv, const char *path, const char *value, struct error *err);

/* Sets a special value (IV_DONT_KNOW / IV_REFUSED) at `path`, if the form and
 * the question allow it (IV_E_SPECIAL otherwise). */
int interview_set_special(struct interview *iv, const char *path, enum interview_special sp,
			  struct error *err);

/*
 * Puts a stored answer back without validation (replay after a crash: the
 * answer was valid when it was saved). Creates repeat instances up to the
 * index. `value` may be NULL for a repeat instance path ("members[3]").
 */
int interview_restore(struct interview *iv, const char *path, const char *value,
		      enum interview_special sp, struct error *err);

struct interview_answer_in;

/*
 * interview_new, then interview_restore of each answer a[0..n), in one
 * computation of the form: the answers go in before the first pass, so each
 * calculation and relevance is computed once with them (a field cleared in
 * a[] still ends empty, not at its default, as after interview_restore). An
 * answer that no longer fits the form is left out, as a resumed session
 * does; *skipped: how many were. Returns 0 and sets *out, or -1 as interview_new.
 */
int interview_new_restored(const struct form *f, const struct interview_opts *opts,
			   const struct interview_answer_in *a, size_t n, size_t *skipped,
			   struct interview **out, struct error *err);

/*
 * The current answer at `path`: returns 0 and sets *value (owned by the
 * interview, valid until the next change; NULL when unanswered) and *sp
 * (either may be NULL), or -1 when the path names no field. A non-relevant
 * field still reports its kept value here.
 */
int interview_get(const struct interview *iv, const char *path, const char **value,
		  enum interview_special *sp);

/* Whether the field (or group/repeat instance) at `path` is relevant now. */
bool interview_relevant(struct interview *iv, const char *path);

/* Which special values the question at node `node` accepts (IV_ALLOW_* bits). */
unsigned interview_specials_allowed(const struct interview *iv, int node);

/*
 * Checks the answer at `path` as completion would: required (with the form's
 * required_message), constraint, choice still passing choice_filter, type.
 * Returns 0 when fine (or not relevant), -1 with the problem in `err`.
 */
int interview_check(struct interview *iv, const char *path, struct error *err);

/*
 * The choices the select at `path` offers now: indexes into its list
 * (form_list(f, node->list)) of the choices passing its choice_filter in the
 * field's instance, in list order — shuffled when the select's parameters say
 * randomize=true (by its seed as ODK's randomize() shuffles, else by one seed
 * drawn per interview, so the order holds still while the interview lasts).
 * *out is malloc'd (free it); for an or_other
 * select the caller adds "other" itself. Returns 0, or -1 when the path is
 * not a select.
 */
int interview_choices(struct interview *iv, const char *path, size_t **out, size_t *n);

/*
 * Appends `text` (a label, hint or message of the form) to `out` with every
 * ${name} replaced by that field's current value as seen from `path` (the
 * same repeat instance; a roster field seen from outside gives its values
 * joined by ", "). Unknown names are left as written. `path` may be NULL
 * (the root).
 */
void interview_fill_text(struct interview *iv, const char *path, const char *text,
			 struct strbuf *out);

/*
 * Appends the form's settings instance_name evaluated over the interview (the
 * name ODK gives a filled form, e.g. concat(${village}, '-', ${head_name})) to
 * `out`. Returns 1 when a non-empty name was appended, 0 when the form has no
 * instance_name or it evaluates to "", -1 (with `err`) when evaluation fails.
 */
int interview_instance_name(struct interview *iv, struct strbuf *out, struct error *err);

/* The first expression evaluation failure since the interview was made (a
 * form bug: e.g. a function given a wrong argument), or NULL. */
const struct error *interview_eval_error(const struct interview *iv);

/* ---- navigation ------------------------------------------------------- */

enum interview_item_kind {
	IV_ITEM_QUESTION,    /* a question the enumerator answers (or a note) */
	IV_ITEM_UNSUPPORTED, /* shown as a note: "cannot be captured in a terminal" */
	IV_ITEM_OTHER,       /* the "specify other" text of an or_other select */
	IV_ITEM_ROSTER,      /* a repeat without repeat_count: add / open members */
	IV_ITEM_END,         /* past the last question */
};

struct interview_item {
	enum interview_item_kind kind;
	const struct form_node *node; /* NULL for IV_ITEM_END */
	const char *path;             /* owned by the interview, valid until the next call */
	const char *value;            /* NULL when unanswered */
	enum interview_special special;
	bool required;                /* evaluated now */
	bool read_only;
	size_t instances;             /* IV_ITEM_ROSTER: how many instances */
};

/* The current position (IV_ITEM_END once past the last question). */
void interview_current(struct interview *iv, struct interview_item *out);
/*
 * Moves to the next relevant question, skipping non-relevant questions and
 * groups, calculations, hidden and metadata fields. Refuses (-1, IV_E_REQUIRED
 * or IV_E_CONSTRAINT with the form's message) while the current question is
 * required and unanswered or fails its constraint.
 */
int interview_next(struct interview *iv, struct error *err);
/* Moves to the previous relevant question; returns -1 at the first one. */
int interview_prev(struct interview *iv);
/*
 * Jumps to the question, group or repeat instance at `path` (a group or an
 * instance jumps to its first relevant question; a top-level repeat to its
 * roster item). Refuses a non-relevant target (IV_E_NOT_RELEVANT).
 */
int interview_jump(struct interview *iv, const char *path, struct error *err);
/* Path of the current position (owned by the interview), "" at the end. */
const char *interview_position(struct interview *iv);

/* Question n (1-based, 0 at the end) of m relevant ones. */
void interview_progress(struct interview *iv, size_t *n, size_t *m);

/* ---- sections --------------------------------------------------------- */

enum interview_section_state {
	IV_SECTION_UNTOUCHED, /* no relevant question answered */
	IV_SECTION_PARTLY,    /* some answered */
	IV_SECTION_COMPLETE,  /* every relevant question answered (notes excluded) */
	IV_SECTION_ERRORS,    /* a failed constraint, or a required question left
				 unanswered before an answered one */
};

struct interview_section {
	const struct form_node *node; /* a group or a repeat */
	char *path;                   /* group name, "members", or "members[2]" */
	int depth;                    /* 0 = top level */
	bool relevant;
	enum interview_section_state state;
	size_t answered, questions;   /* relevant questions answered / total */
};

/*
 * Lists every group, repeat and repeat instance (nested ones too) in form
 * order with its state. *out is malloc'd; free with interview_sections_free.
 */
int interview_sections(struct interview *iv, struct interview_section **out, size_t *n);
void interview_sections_free(struct interview_section *s, size_t n);

/* ---- repeats ---------------------------------------------------------- */

/* Number of instances of the repeat at `repeat_path` ("members",
 * "rep[1]/rep2"), or -1 when no such repeat. */
int interview_repeat_count(struct interview *iv, const char *repeat_path);
/* Appends an instance; sets *index (1-based) when not NULL. */
int interview_repeat_add(struct interview *iv, const char *repeat_path, int *index,
			 struct error *err);
/* Deletes the instance `instance_path` ("members[2]"); later ones move up. */
int interview_repeat_delete(struct interview *iv, const char *instance_path, struct error *err);
/* Moves instance `instance_path` to 1-based position `to`. */
int interview_repeat_move(struct interview *iv, const char *instance_path, int to,
			  struct error *err);

/* ---- record, completion ----------------------------------------------- */

/*
 * Calls `fn` for every field of the record in form order, instance by
 * instance: answers, calculations and metadata of relevant fields (notes,
 * groups and non-relevant fields are left out). `value` is "" when empty,
 * ".d" / ".r" for special values. Stops and returns fn's value when non-zero.
 */
int interview_record(struct interview *iv,
		     int (*fn)(void *ud, const char *path, const char *value), void *ud);

/*
 * Calls `fn` for every stored answer: what the enumerator entered, preloads
 * and the automatic metadata (start, today, deviceid, username, audit, end),
 * relevant or not, plus one entry with value NULL and no special value per
 * repeat instance ("members[2]"). A field with a default that was cleared
 * comes with value "" (so a replay does not bring the default back). What a
 * store keeps.
 */
int interview_answers(struct interview *iv,
		      int (*fn)(void *ud, const char *path, const char *value,
				enum interview_special sp),
		      void *ud);

/*
 * Everything that blocks completion: each unanswered relevant required
 * question (the form's required_message or ruhu's), each failed constraint,
 * each select whose answer no longer passes choice_filter, each roster with
 * more answered instances than repeat_count, in form order, and first a
 * roster held back by IV_MAX_CELLS. Appended to `dl` as errors (where =
 * path). Returns the number of blockers.
 */
size_t interview_blockers(struct interview *iv, struct diag_list *dl);

/* Completes the interview (fills `end`) when nothing blocks; otherwise -1 with
 * the first blocker in `err`. A completed interview refuses changes. */
int interview_complete(struct interview *iv, struct error *err);
/* Reopens a completed interview; the caller records the reopening. */
int interview_reopen(struct interview *iv, struct error *err);
bool interview_completed(const struct interview *iv);

/*
 * Preload from a sample assignment: every field outside repeats whose name
 * equals one of `names` gets the value as its initial answer (validated as an
 * answer; a value that does not fit is an error naming the column). Names
 * that are not form fields are ignored.
 */
int interview_preload(struct interview *iv, const char *const *names,
		      const char *const *values, size_t n, struct error *err);

/* ---- validation of answers from outside -------------------------------- */

/* One stored answer as a store or a bundle holds it. */
struct interview_answer_in {
	const char *path;
	const char *value; /* NULL: special value, or a repeat instance ("members[2]") */
	enum interview_special special;
};

/*
 * Checks the answers a[0..n) of one interview of form `f` that arrive from
 * outside (a bundle, before a merge writes them), as the engine checked
 * them when they were entered:
 *  - every path names a field that can hold an answer (no unknown names, no
 *    "../x", no calculation, no repeat instance with a value);
 *  - every value has its field's type (integer, date, ...), a select's
 *    value names choices of its list, a range value is in range;
 *  - when `completed` (the interview says it is completed, approved or
 *    rejected), nothing blocks completion (interview_blockers: constraints,
 *    choice filters, required questions, roster counts), because completion
 *    checked exactly that on the same answers and form;
 *  - every relevant answer passes its constraint when the constraint reads
 *    no other field (`. >= 1 and . <= 20`): true when entered, true forever.
 * An interview in progress is not held to constraints that read other
 * fields, nor to required questions: a later answer may turn such a
 * constraint false, and the interview is legitimate until it is completed.
 * Special values are not checked against the question's allowed ones.
 * Pure: nothing is kept; the clock is the system's (today() in a constraint
 * reads the day of the check). Returns 0, or -1 with `err` where = the
 * answer's path (NULL for the whole interview), err->code an enum
 * interview_code, the engine's message.
 */
int interview_validate(const struct form *f, const struct interview_answer_in *a, size_t n,
		       bool completed, struct error *err);

/* ---- sessions: the engine bound to the store -------------------------- */

struct store;
struct interview_session;

/*
 * Starts a new interview of `f` in the store (form stored if needed) for
 * `household_key` (NULL: a household not in the sample). Preload: the
 * assignment's columns (household_key, county, township, village,
 * household_type, head_name) and its extra preload fields go to the form
 * fields of the same name (see interview_preload); a value that does not fit
 * its field is skipped and logged as a `preload_rejected` event. The metadata
 * and preloads are committed with the new interview in one transaction.
 * opts->deviceid / username default to the store's device id and enumerator.
 */
int interview_session_start(struct store *s, const struct form *f, const char *household_key,
			    const struct interview_opts *opts, struct interview_session **out,
			    struct error *err);

/*
 * Opens the stored interview `uuid` (taken with form `f`: its hash must be
 * the interview's form hash), replays its answers and resumes at the saved
 * position; logs an `open` event.
 */
int interview_session_open(struct store *s, const struct form *f, const char *uuid,
			   const struct interview_opts *opts, struct interview_session **out,
			   struct error *err);
/*
 * Builds the engine interview of the stored interview `uuid` exactly as
 * interview_session_open() does, but read-only: no session, no event, nothing
 * written (for lists and reports). The caller frees *out with interview_free().
 */
int interview_load(struct store *s, const struct form *f, const char *uuid,
		   const struct interview_opts *opts, struct interview **out, struct error *err);
/* Frees the session (the store stays open). Accepts NULL. */
void interview_session_close(struct interview_session *ss);

struct interview *interview_session_interview(struct interview_session *ss);
const char *interview_session_uuid(const struct interview_session *ss);

/*
 * The session forms of the engine calls. Each change is committed to the
 * store (one transaction, with its event and the new position) BEFORE the call
 * returns 0: the UI may then show "已保存 / saved". When the store fails, the
 * engine is put back as it was and the store's error (code >= 100) returned.
 */
int interview_session_set(struct interview_session *ss, const char *path, const char *value,
			  struct error *err);
int interview_session_set_special(struct interview_session *ss, const char *path,
				  enum interview_special sp, struct error *err);
int interview_session_next(struct interview_session *ss, struct error *err);
int interview_session_prev(struct interview_session *ss, struct error *err);
int interview_session_jump(struct interview_session *ss, const char *path, struct error *err);
int interview_session_repeat_add(struct interview_session *ss, const char *repeat_path,
				 int *index, struct error *err);
int interview_session_repeat_delete(struct interview_session *ss, const char *instance_path,
				    struct error *err);
int interview_session_repeat_move(struct interview_session *ss, const char *instance_path,
				  int to, struct error *err);
/* Completes (engine + store status, `end` stored) or reopens; recorded. */
int interview_session_complete(struct interview_session *ss, struct error *err);
int interview_session_reopen(struct interview_session *ss, struct error *err);

/* Number of expression evaluations done so far (for benchmarks and tests
 * that check that recomputation stays local). */
uint64_t interview_eval_count(const struct interview *iv);

#endif
