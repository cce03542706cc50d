/*
 * app — what the screens work on: the device database, the forms stored in
 * it, and the open interview session (engine + store kept in step).
 *
 * Invariant of a session: the store holds every answer the engine holds.
 * Each change goes through interview_session_* (engine first, which
 * validates it; then one durable store transaction; the engine is put back
 * when the store refuses). Only after that returned may a screen show
 * "已保存 / saved".
 */
#ifndef RUHU_UI_APP_H
#define RUHU_UI_APP_H

#include "ui.h"

#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"

struct app_form {
	char *hash;
	struct form *form;
};

struct ui_app {
	struct store *store;
	struct app_form *forms;
	size_t nforms, capforms;
	size_t cur_form; /* the form new interviews use */
	/* the open interview, or ss == iv == NULL */
	struct interview_session *ss;
	struct interview *iv; /* interview_session_interview(ss) */
	char uuid[STORE_ID_LEN + 1];
	char *household; /* NULL for an interview outside the sample */
	const struct form *form;
	bool saved;      /* the last change was committed: footer shows it */
	/* a forward move entered or left a member of a roster driven by
	 * repeat_count: the roster list of that repeat ("members") should show,
	 * with row `counted_sel` highlighted (-1: "done, continue"); taken (and
	 * freed) by iv_after_nav */
	char *counted_pending;
	int counted_sel;
	/* the team leader's comments on questions of the open interview (made
	 * on another device, e.g. with a rejection), shown on those questions */
	struct app_note {
		char *path, *text, *author;
	} *notes;
	size_t nnotes, capnotes;
};

/* Loads every form stored in the database (err names a form that does not
 * load). Returns 0 or -1. */
int app_load_forms(struct ui_app *app, struct error *err);
/* Closes the session and frees the forms (not the store). */
void app_free(struct ui_app *app);
/* The form language index for the UI language. */
size_t app_form_lang(const struct ui_app *app, const struct form *f);
/* The loaded form with this hash, or NULL. */
const struct form *app_form_by_hash(const struct ui_app *app, const char *hash);

/* Opens the interview `uuid` (resume: answers replayed, position restored). */
int app_session_open(struct ui_app *app, const char *uuid, struct error *err);
/* Creates an interview of the current form for `household` (NULL: not in the
 * sample), preloads the household's fields and opens it. */
int app_session_new(struct ui_app *app, const char *household, struct error *err);
void app_session_close(struct ui_app *app);

/* Answers the current question with `value` ("" clears) and moves on.
 * Returns 0 (saved), or -1 with the validation or store error in err. */
int app_answer(struct ui_app *app, const char *value, struct error *err);
/* Sets a special value on the current question and moves on. */
int app_special(struct ui_app *app, enum interview_special sp, struct error *err);
/* Moves on without answering (notes, unchanged answers, end of roster). */
int app_next(struct ui_app *app, struct error *err);
/* From a roster item: on to the first question after the roster. */
int app_roster_done(struct ui_app *app, struct error *err);
/* On to the first question after the repeat `rep` whose instances `from`
 * (a path inside or at the repeat) lies in. */
int app_repeat_leave(struct ui_app *app, const struct form_node *rep, const char *from,
		     struct error *err);
/*
 * The question a repeat_count roster's size comes from: the first field named
 * in its repeat_count (through calculations), or NULL.
 */
const struct form_node *app_count_question(struct ui_app *app, const struct form_node *rep);
/*
 * Splits `path` at its innermost repeat instance: "members[2]/m_age" gives
 * rep "members" and index 2 (rep "rep[1]/rep2" for nested ones). Returns the
 * form's repeat node, or NULL when the path is inside no repeat instance.
 */
const struct form_node *app_path_instance(struct ui_app *app, const char *path,
					  struct strbuf *rep, int *index);
int app_prev(struct ui_app *app, struct error *err);
int app_jump(struct ui_app *app, const char *path, struct error *err);
/* Roster operations on the repeat at `repeat` ("members"). */
int app_repeat_add(struct ui_app *app, const char *repeat, int *index, struct error *err);
int app_repeat_delete(struct ui_app *app, const char *repeat, int index, struct error *err);
/* Moves member `index` of the roster to position `to` (1-based). */
int app_repeat_move(struct ui_app *app, const char *repeat, int index, int to,
		    struct error *err);
/* "组长批注：TEXT (AUTHOR)" for a note of app->notes, malloc'd. */
char *app_note_text(const struct app_note *n);
int app_comment(struct ui_app *app, const char *path, const char *text, struct error *err);
int app_complete(struct ui_app *app, struct error *err);

/*
 * The text `t` of the node seen from `path` in the current language with
 * every ${name} replaced by its current value (a choice's label for selects);
 * malloc'd, never NULL.
 */
char *app_text(struct ui_app *app, struct form_text t, const char *path);
/* The display form of a value of node `n` (choice labels, special values);
 * malloc'd. */
char *app_value_text(struct ui_app *app, const struct form_node *n, const char *value,
		     enum interview_special sp);
/*
 * The form's instance_name (settings) for the stored interview `uuid` taken
 * with form `f`, evaluated over its stored answers: malloc'd, or NULL when
 * the form has none, it fails or it comes out empty. Only fields outside
 * every repeat are seen (a repeated field reads as nothing).
 */
char *app_instance_name(struct ui_app *app, const struct form *f, const char *uuid);
/* The path of node `n` as seen from `from` (same repeat instances), malloc'd. */
char *app_path_of(struct ui_app *app, const struct form_node *n, const char *from);

#endif
