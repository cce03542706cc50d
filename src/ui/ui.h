/*
 * ui — the enumerator's terminal UI (ncursesw): a stack of screens over the
 * interview engine and the store.
 *
 * Each screen is one file (screen_*.c) exporting a `struct screen_ops`
 * (init/draw/key/free, as ncdu's browse_* or tmux's window modes). The top of
 * the stack gets every key and draws the whole terminal; an overlay screen
 * (a dialog) is drawn over the screen below it.
 *
 * Invariants:
 *  - every screen draws from the model (store + interview session) on each
 *    draw, so a screen below that comes back to the top is never stale;
 *  - a key handler never frees its own state: ui_pop() retires a screen and
 *    the loop frees it after the handler returns;
 *  - the terminal is redrawn only after a key has been fully handled, so an
 *    answer is committed to the store before the screen shows it as saved;
 *  - nothing here is used by the core library; only the program links it.
 */
#ifndef RUHU_UI_H
#define RUHU_UI_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <wchar.h>

struct ui;

/* What a key means. Text characters arrive as UK_CHAR with `ch` set; every
 * command arrives the same way whether it came from a function key, an
 * Esc/Alt-prefixed letter or a Ctrl key (see keys.c and docs/ui.md). */
enum ui_keycode {
	UK_NONE,
	UK_CHAR,      /* printable character in k.ch (space included) */
	UK_ENTER,     /* confirm and next */
	UK_BACK,      /* PgUp / Alt-b / Ctrl-B: previous question */
	UK_LEFT,
	UK_RIGHT,
	UK_UP,
	UK_DOWN,
	UK_HOME,
	UK_END,
	UK_PGDN,
	UK_PGUP,      /* screens that scroll use it as page up; the interview as back */
	UK_TAB,
	UK_BACKSPACE,
	UK_DELETE,
	UK_KILL,      /* Ctrl-U: clear the field */
	UK_HELP,      /* F1 */
	UK_SECTIONS,  /* F2 */
	UK_REVIEW,    /* F3 */
	UK_LANG,      /* F4 */
	UK_COMMENT,   /* F5 */
	UK_MOVEUP,    /* F6: roster, move the member up */
	UK_MOVEDOWN,  /* F7: roster, move the member down */
	UK_DONTKNOW,  /* F8 */
	UK_REFUSED,   /* F9 */
	UK_LEAVE,     /* F10 */
	UK_CANCEL,    /* Esc */
	UK_RESIZE,
	UK_REDRAW,    /* Ctrl-L */
};

struct ui_key {
	enum ui_keycode code;
	wchar_t ch; /* UK_CHAR only */
};

struct screen_ops {
	const char *name;
	bool overlay; /* drawn over the screen below it */
	/* Builds the screen's state from `arg`; NULL on failure (with ui_flash
	 * already called to say why). */
	void *(*init)(struct ui *ui, void *arg);
	void (*draw)(struct ui *ui, void *st);
	void (*key)(struct ui *ui, void *st, const struct ui_key *k);
	void (*free)(void *st);
};

/* Colour roles; each has a monochrome fallback (bold / reverse / underline). */
enum ui_role {
	R_NORMAL,
	R_TITLE,    /* header bar */
	R_KEY,      /* key name in the footer */
	R_KEYTEXT,  /* what the key does */
	R_SEL,      /* selected row */
	R_ERROR,    /* constraint / required message, problems */
	R_OK,       /* saved, completed */
	R_HINT,     /* hints, secondary text */
	R_LABEL,    /* the question label */
	R_INPUT,    /* the input field */
	R_SPECIAL,  /* don't know / refused */
	R_COUNT
};

struct ui_app; /* the data the screens work on: see app.h */

struct ui {
	struct ui_app *app;
	int rows, cols;
	bool quit;
	bool mono;
	/* one-line message shown above the footer until the next key */
	char *flash;
	bool flash_error;
	/* per-key timing trace (--trace-timing), or NULL */
	FILE *trace;
	/* the screen stack, top last */
	struct ui_frame {
		const struct screen_ops *ops;
		void *st;
	} *stack;
	size_t depth, cap;
	struct ui_frame *dead;
	size_t ndead, capdead;
	/* where the terminal cursor goes after drawing (text input) */
	bool cur_on;
	int cur_y, cur_x;
};

/* ---- the screen stack (ui.c) ---- */

/* Creates the screen and puts it on top; returns 0, or -1 when its init
 * failed (nothing pushed). */
int ui_push(struct ui *ui, const struct screen_ops *ops, void *arg);
/* Retires the top screen (freed after the current key is handled). */
void ui_pop(struct ui *ui);
/* Pops screens until `ops` is on top; returns false when it is not on the stack. */
bool ui_pop_to(struct ui *ui, const struct screen_ops *ops);
/* The state of the nearest screen of that kind on the stack, or NULL. */
void *ui_find(struct ui *ui, const struct screen_ops *ops);

/* Shows the terminal cursor at (y, x) once the frame is drawn. */
void ui_cursor(struct ui *ui, int y, int x);

/* Shows a one-line message until the next key (formats in both languages). */
void ui_flash(struct ui *ui, bool error, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
void ui_flash_err(struct ui *ui, const struct error *err);

/*
 * Runs the UI: initialises the terminal, pushes `first` with `arg`, and
 * handles keys until the stack is empty or ui->quit. Returns 0, or -1 when
 * the terminal could not be set up (message in err).
 */
int ui_run(struct ui *ui, const struct screen_ops *first, void *arg, struct error *err);

/* ---- keys (keys.c) ---- */

/* Waits for a key and translates it; returns false on end of input. */
bool ui_key_read(struct ui *ui, struct ui_key *k);

/* ---- drawing (draw.c) ---- */

int ui_attr(const struct ui *ui, enum ui_role role);
void ui_colors_init(struct ui *ui);
/* Draws `s` at (y, x) in at most `maxw` columns, cut at a character boundary;
 * returns the columns used. Invalid bytes and controls are drawn as '?'. */
int ui_put(int y, int x, int maxw, const char *s, int attr);
/* Like ui_put for the first `n` bytes of `s`. */
int ui_putn(int y, int x, int maxw, const char *s, size_t n, int attr);
/* Fills columns x .. x+w-1 of row y with spaces in `attr`. */
void ui_fill(int y, int x, int w, int attr);
/* Draws `s` wrapped to `w` columns from row y, skipping the first `skip`
 * lines and drawing at most `maxh`; returns the number of lines the whole
 * text takes. */
int ui_put_wrapped(int y, int x, int w, int maxh, int skip, const char *s, int attr);
/* Lines `s` takes when wrapped to `w` columns. */
int ui_wrapped_height(const char *s, int w);

/* The title bar on row 0: `left` (cut to fit) and `right` (kept whole). */
void ui_header(struct ui *ui, const char *left, const char *right);

/* One key of the footer: `key` is shown highlighted, then `what`. */
struct ui_footkey {
	const char *key;
	const char *zh;
	const char *en;
};
/*
 * Draws the footer on the last two rows (keys in order, wrapped between
 * items) and the flash message, or `status` (e.g. "已保存 / saved"), on the
 * row above them. Returns the number of rows the footer takes (3).
 */
int ui_footer(struct ui *ui, const struct ui_footkey *keys, size_t n, const char *status,
	      bool status_ok);

/* Rows available between the header (row 0) and the footer (last three rows). */
static inline int ui_body_top(const struct ui *ui)
{
	(void)ui;
	return 1;
}
static inline int ui_body_rows(const struct ui *ui)
{
	return ui->rows - 4 > 0 ? ui->rows - 4 : 0;
}

/* ---- text input shared by widgets and screens (edit.c) ---- */

/* A single-line editable text of wide characters with a cursor. */
struct ui_edit {
	wchar_t *v;
	size_t n, cap;
	size_t cur;  /* cursor, 0..n */
	size_t max;  /* 0 = no limit */
};
void ui_edit_set(struct ui_edit *e, const char *utf8);
/* The content as UTF-8 (malloc'd). */
char *ui_edit_get(const struct ui_edit *e);
/* Applies an editing key; returns true when the key was used. `accept` (may
 * be NULL) decides which characters are allowed. */
bool ui_edit_key(struct ui_edit *e, const struct ui_key *k, bool (*accept)(wchar_t c));
/* Draws the field at (y, x) in `w` columns (scrolled so the cursor shows)
 * and places the terminal cursor; returns the cursor's column. */
int ui_edit_draw(const struct ui_edit *e, int y, int x, int w, int attr);
void ui_edit_free(struct ui_edit *e);

/* ---- screens ---- */
extern const struct screen_ops screen_help;
extern const struct screen_ops screen_confirm;

/* The confirm dialog's argument: a question in both languages; on "yes"
 * `yes` is called with `ud` (after the dialog is gone). */
struct confirm_arg {
	const char *zh;
	const char *en;
	void (*yes)(struct ui *ui, void *ud);
	void *ud;
};

#endif
