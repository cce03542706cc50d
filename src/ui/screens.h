/*
 * screens — the screens of the UI (one file each) and the few helpers the
 * interview-side screens share (defined in screen_interview.c).
 */
#ifndef RUHU_UI_SCREENS_H
#define RUHU_UI_SCREENS_H

#include "ui.h"

extern const struct screen_ops screen_start;       /* enumerator, form, counts */
extern const struct screen_ops screen_assignments; /* the sample: start or resume */
extern const struct screen_ops screen_interview;   /* one question at a time */
extern const struct screen_ops screen_roster;      /* members of a repeat */

/* screen_roster's argument for a roster driven by repeat_count (NULL for a
 * free roster, taken from the position): the repeat path and the row to
 * highlight (-1: "done, continue"). */
struct roster_arg {
	const char *repeat;
	int sel;
};
extern const struct screen_ops screen_sections;    /* jump to a section */
extern const struct screen_ops screen_review;      /* every answer, complete */
extern const struct screen_ops screen_qc_list;     /* arg: a store_review_filter */
extern const struct screen_ops screen_comment;     /* arg: the question path or NULL */

/* "未开始" / "not started"... for an enum store_astatus. */
const char *ui_status_name(int st);

/* The review screens (screen_qc.c) from the list filtered by `f`, actions
 * recorded with `reviewer` as their actor; as ui_run. */
struct store_review_filter;
int ui_qc_run(struct ui *ui, const struct store_review_filter *f, const char *reviewer,
	      struct error *err);

/* After a move: puts the roster screen on top when the position is a roster. */
void ui_interview_after_nav(struct ui *ui);
/* Leaves the interview (everything is saved) back to the assignments. */
void ui_interview_leave(struct ui *ui);
/* Keys that mean the same on every interview screen (help, sections,
 * review, language, comment, leave, back); returns true when handled. */
bool ui_interview_common_key(struct ui *ui, const struct ui_key *k);
/* Shows an engine or store error's message (without its path). */
void ui_interview_flash_error(struct ui *ui, const struct error *err);

#endif
