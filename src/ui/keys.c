/*
 * keys — one key map for every screen (docs/ui.md has the table).
 *
 * A command can be given three ways, so that it works on any terminal:
 *  - the function key (F1..F10), PgUp/PgDn and arrows;
 *  - Esc then a letter or digit: Alt+letter sends exactly that, and a user
 *    without Alt presses Esc and then the letter within ESC_WAIT_MS
 *    (Esc 1..0 = F1..F10, as in Midnight Commander);
 *  - a Ctrl key: never a text character, so it cannot collide with typing.
 * Plain letters and digits are always text: they never trigger a command.
 * Esc alone cancels (at once when pressed twice, else after ESC_WAIT_MS).
 */
#include "ui.h"

#include <curses.h>
#include <wctype.h>

enum { ESC_WAIT_MS = 600 };

#define CTRL(c) ((c) & 0x1f)

/* Esc-prefixed (Alt) letters and digits. */
static enum ui_keycode esc_letter(wint_t c)
{
	switch (c) {
	case 'h': case 'H': case '1': return UK_HELP;
	case 's': case 'S': case '2': return UK_SECTIONS;
	case 'r': case 'R': case '3': return UK_REVIEW;
	case 'l': case 'L': case '4': return UK_LANG;
	case 'c': case 'C': case '5': return UK_COMMENT;
	case '6': return UK_MOVEUP;
	case '7': return UK_MOVEDOWN;
	case 'd': case 'D': case '8': return UK_DONTKNOW;
	case 'f': case 'F': case '9': return UK_REFUSED;
	case 'q': case 'Q': case '0': return UK_LEAVE;
	case 'b': case 'B': return UK_BACK;
	case 'n': case 'N': return UK_ENTER;
	case 27: return UK_CANCEL;
	default: return UK_NONE;
	}
}

static enum ui_keycode fkey(int c)
{
	switch (c) {
	case KEY_F(1): return UK_HELP;
	case KEY_F(2): return UK_SECTIONS;
	case KEY_F(3): return UK_REVIEW;
	case KEY_F(4): return UK_LANG;
	case KEY_F(5): return UK_COMMENT;
	case KEY_F(6): return UK_MOVEUP;
	case KEY_F(7): return UK_MOVEDOWN;
	case KEY_F(8): return UK_DONTKNOW;
	case KEY_F(9): return UK_REFUSED;
	case KEY_F(10): return UK_LEAVE;
	case KEY_UP: return UK_UP;
	case KEY_DOWN: return UK_DOWN;
	case KEY_LEFT: return UK_LEFT;
	case KEY_RIGHT: return UK_RIGHT;
	case KEY_HOME: return UK_HOME;
	case KEY_END: return UK_END;
	case KEY_PPAGE: return UK_PGUP;
	case KEY_NPAGE: return UK_PGDN;
	case KEY_ENTER: return UK_ENTER;
	case KEY_BACKSPACE: return UK_BACKSPACE;
	case KEY_DC: return UK_DELETE;
	case KEY_BTAB: return UK_UP;
	case KEY_RESIZE: return UK_RESIZE;
	default: return UK_NONE;
	}
}

static enum ui_keycode ctrl(wint_t c)
{
	switch (c) {
	case '\r': case '\n': return UK_ENTER;
	case '\t': return UK_TAB;
	case 127: case CTRL('H'): return UK_BACKSPACE;
	case CTRL('G'): return UK_HELP;
	case CTRL('T'): return UK_SECTIONS;
	case CTRL('R'): return UK_REVIEW;
	case CTRL('E'): return UK_LANG;
	case CTRL('O'): return UK_COMMENT;
	case CTRL('D'): return UK_DONTKNOW;
	case CTRL('F'): return UK_REFUSED;
	case CTRL('X'): case CTRL('C'): return UK_LEAVE;
	case CTRL('B'): return UK_BACK;
	case CTRL('N'): return UK_ENTER;
	case CTRL('U'): return UK_KILL;
	case CTRL('L'): return UK_REDRAW;
	default: return UK_NONE;
	}
}

bool ui_key_read(struct ui *ui, struct ui_key *k)
{
	wint_t c;
	int r;

	k->code = UK_NONE;
	k->ch = 0;
	while (k->code == UK_NONE) {
		r = get_wch(&c);
		if (r == ERR)
			return false;
		if (r == KEY_CODE_YES) {
			k->code = fkey((int)c);
			continue;
		}
		if (c == 27) {
			/* Esc: a prefix when another key follows soon; say so
			 * in the corner while waiting */
			if (ui->cols > 6) {
				attrset(A_REVERSE);
				mvaddstr(ui->rows - 1, ui->cols - 5, "Esc-");
				attrset(A_NORMAL);
				refresh();
			}
			timeout(ESC_WAIT_MS);
			r = get_wch(&c);
			timeout(-1);
			if (r == ERR) {
				k->code = UK_CANCEL;
			} else if (r == KEY_CODE_YES) {
				/* Esc then a function key: the function key */
				k->code = fkey((int)c);
			} else {
				k->code = esc_letter(c);
			}
			continue;
		}
		if (c < 32 || c == 127) {
			k->code = ctrl(c);
			continue;
		}
		if (iswprint(c)) {
			k->code = UK_CHAR;
			k->ch = (wchar_t)c;
		}
	}
	return true;
}
