/*
 * workbook — the sheets of an XLSForm as rows of text cells, before any
 * meaning is given to them. Private to src/form.
 *
 * Both file syntaxes (pyxform's single-file CSV workbook and its markdown
 * tables) are reduced to the same rows by the same rules (wb_row): a row whose
 * first cell is non-empty names a sheet and may carry that sheet's header in
 * its other cells; otherwise the first non-blank row of a sheet is its header
 * and later rows are data; blank rows are skipped. The first cell (the sheet
 * column) is dropped from headers and data rows, so cell k of a data row sits
 * under header cell k.
 *
 * Invariants: every cell is a NUL-terminated string owned by the workbook,
 * trimmed of surrounding ASCII blanks; `line` is the 1-based line of the file
 * where the row starts. Sheets keep the order of the file.
 */
#ifndef RUHU_FORM_WORKBOOK_H
#define RUHU_FORM_WORKBOOK_H

#include "ruhu/error.h"

#include <stddef.h>

struct wb_row {
	int line;
	char **cells;
	size_t n;
};

struct wb_sheet {
	char *name;    /* as written (trimmed) */
	int line;      /* line of the row naming the sheet */
	struct wb_row header; /* n == 0 when the sheet has no header row */
	struct wb_row *rows;
	size_t n, cap;
};

struct workbook {
	char *file; /* the name used in error locations */
	struct wb_sheet *sheets;
	size_t n, cap;
	int orphan_line; /* first data row before any sheet name, or 0 */
};

struct workbook *workbook_new(const char *file);
void workbook_free(struct workbook *wb);

/*
 * Adds one row read from the file (cells[0] is the sheet column). Takes
 * ownership of `cells` and every string in it; they are trimmed in place.
 */
void workbook_row(struct workbook *wb, int line, char **cells, size_t n);

/* The sheet whose name equals `name` ignoring case, or NULL. */
struct wb_sheet *workbook_sheet(struct workbook *wb, const char *name);

/*
 * The byte rules every CSV workbook (form, attached file, scoring profile,
 * audit rules) is held to, with the form loader's wording: not UTF-16, no NUL
 * byte, valid UTF-8. Returns 0, or -1 with the fault appended to `diags` at
 * `name`.
 */
int workbook_check_text(const char *name, const char *data, size_t len, struct diag_list *diags);

/* The column of `name` in the sheet's header (ignoring case), or -1. */
int workbook_col(const struct wb_sheet *s, const char *name);

/* A translated column: "NAME::... (LANG)" or "NAME::LANG", or -1. */
int workbook_col_lang(const struct wb_sheet *s, const char *name, const char *lang);

/* Cell `c` of a row: "" when the row is shorter or c < 0 (column absent). */
const char *workbook_cell(const struct wb_row *r, int c);

/*
 * Parses pyxform markdown tables. Returns 0 and sets *out, or -1 with every
 * problem appended to `diags` (locations "FILE:LINE").
 */
int xlsform_md_parse(const char *file, const char *data, size_t len, struct workbook **out,
		     struct diag_list *diags);

#endif
