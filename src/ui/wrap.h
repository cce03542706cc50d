/*
 * wrap — display width and line wrapping of UTF-8 text for the terminal UI.
 *
 * Pure functions: no ncurses, no I/O, no global state beyond the C library's
 * LC_CTYPE (wcwidth needs a UTF-8 locale; the UI makes sure it has one).
 *
 * Width rules: a code point takes wcwidth() columns; a control character or a
 * byte that is not valid UTF-8 is shown as one replacement column ('?'), so
 * that width and drawing always agree. Combining marks take 0 columns and stay
 * with the character before them.
 *
 * Wrapping rules (wrap_text):
 *  - '\n' always ends a line;
 *  - a line breaks after a space, or before / after any double-width (CJK)
 *    character, which may break anywhere;
 *  - a word longer than the line is cut at a character boundary;
 *  - a double-width character is never split: if it does not fit in the last
 *    column it moves to the next line;
 *  - the spaces at a break are not part of either line;
 *  - a closing CJK punctuation mark (，。、；：！？）」』》) never starts a line
 *    when the character before it can be carried down with it.
 * Every line has a width <= the width asked for, except when the width is 1
 * and a character is double-width (it then gets a line of its own).
 */
#ifndef RUHU_UI_WRAP_H
#define RUHU_UI_WRAP_H

#include <stdbool.h>
#include <stddef.h>

/* One line of wrapped text: `len` bytes at `off` in the source, `width`
 * display columns. */
struct wrap_line {
	size_t off;
	size_t len;
	int width;
};

struct wrap_lines {
	struct wrap_line *v;
	size_t n;
	size_t cap;
};

#define WRAP_LINES_INIT {NULL, 0, 0}

/*
 * Decodes the code point at s[0..n) into *cp and returns its length in bytes
 * (1..4). An invalid or truncated sequence returns 1 and *cp = -1.
 * n must be >= 1.
 */
int wrap_decode(const char *s, size_t n, long *cp);

/* Display columns of one code point (0, 1 or 2); -1 (invalid) counts 1. */
int wrap_cp_width(long cp);

/* Whether the code point is drawn as itself (else as '?'; a tab as ' '). */
bool wrap_cp_printable(long cp);

/* Display columns of the first `n` bytes of `s`. */
int wrap_width(const char *s, size_t n);
/* Display columns of a NUL-terminated string (NULL counts 0). */
int wrap_strwidth(const char *s);

/*
 * Number of bytes of `s` (NUL-terminated) that fit in `cols` columns, never
 * splitting a character; *used (may be NULL) gets the columns they take.
 */
size_t wrap_fit(const char *s, int cols, int *used);

/*
 * Wraps `s` (NUL-terminated; NULL is empty) to lines of at most `width`
 * columns (width < 1 is treated as 1). Replaces the content of `out`; an
 * empty string gives one empty line. Returns the number of lines.
 */
size_t wrap_text(const char *s, int width, struct wrap_lines *out);

void wrap_lines_free(struct wrap_lines *wl);

#endif
