/*
 * termsafe — outside text made harmless to show on a terminal.
 *
 * Data from forms, samples, bundles and databases may hold bytes a terminal
 * obeys rather than shows: ESC ] 0 ; ... BEL retitles the window, ESC [ 2 J
 * clears it, a C1 control (U+0080–U+009F, two bytes in UTF-8) can start the
 * same sequences on some terminals, and a bidirectional override (U+202E)
 * reorders what follows it. Every place that shows outside text decides
 * "unsafe" by termsafe_cp_unsafe(), the one rule:
 *   - the CLI prints outside text through termsafe_add(), which writes each
 *     unsafe character as a visible escape: \n \r \t for those three,
 *     \xHH for other C0 controls and DEL, \u00HH for C1 controls, \uHHHH for
 *     bidirectional controls, and \xHH for each byte that is not valid UTF-8
 *     (overlong forms, surrogates and values past U+10FFFF are invalid);
 *   - the terminal UI draws an unsafe character as '?' (src/ui/draw.c).
 * A backslash is not itself escaped: the escapes are for the eye and are
 * never parsed back. Escaping is for display only and never changes stored
 * data. Pure functions: no I/O, no terminal.
 */
#ifndef RUHU_TERMSAFE_H
#define RUHU_TERMSAFE_H

#include "ruhu/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

enum termsafe_flags {
	/* newline and tab pass unchanged (multi-line output such as the quoted
	 * CSV cells of `ruhu fill`); carriage return is still escaped */
	TERMSAFE_LINES = 1,
};

/*
 * Decodes the UTF-8 sequence at s (n > 0 bytes available): returns its length
 * and sets *cp to the code point, or returns 1 and sets *cp to -1 when the
 * byte at s does not start a valid sequence.
 */
int termsafe_decode(const char *s, size_t n, long *cp);

/* Whether code point cp must not reach a terminal as is (cp < 0: an invalid
 * byte, which is unsafe too). */
bool termsafe_cp_unsafe(long cp);

/* Whether s[0..n) holds anything termsafe_add() would escape. */
bool termsafe_needed(const char *s, size_t n, unsigned flags);

/* Appends s[0..n) to out with every unsafe character escaped (see above). */
void termsafe_add(struct strbuf *out, const char *s, size_t n, unsigned flags);

/*
 * The text to show for the NUL-terminated s: s itself when nothing needs
 * escaping, else the escaped text built in *tmp (reset first). NULL gives "".
 * The result lives until s or *tmp changes; the caller releases *tmp.
 */
const char *termsafe_str(const char *s, struct strbuf *tmp, unsigned flags);

#endif
