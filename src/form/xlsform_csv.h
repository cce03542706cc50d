/*
 * xlsform_csv — streaming reader of pyxform's single-file CSV workbook.
 * Private to src/form (and its tests).
 *
 * Input may arrive in chunks of any size (csv_parse is fed as data comes);
 * the resulting workbook does not depend on how the input was cut. A UTF-8
 * byte-order mark at the start of the input is skipped, CRLF and LF line ends
 * are both accepted, and quoted cells may hold commas, quotes and newlines.
 * Quoting is strict (libcsv's CSV_STRICT): a stray quote in an unquoted cell,
 * text after a closing quote or a quote never closed is an error, never a
 * guess. Rows are numbered by the line where they start (LF counts lines, so
 * a quoted cell spanning lines moves the following rows down as an editor
 * shows; files with bare CR line ends are numbered as one line).
 */
#ifndef RUHU_FORM_XLSFORM_CSV_H
#define RUHU_FORM_XLSFORM_CSV_H

#include "workbook.h"

#include <stddef.h>

struct xlsform_csv;

/* A new reader; `file` names the input in error locations. Never NULL. */
struct xlsform_csv *xlsform_csv_new(const char *file);
/* Feeds the next `len` bytes. Returns 0, or -1 after a fatal libcsv error
 * (out of memory); the error is then reported by xlsform_csv_finish(). */
int xlsform_csv_feed(struct xlsform_csv *r, const void *data, size_t len);
/*
 * Ends the input. Returns 0 and moves the workbook to *out (the caller frees it
 * with workbook_free), or -1 with *out = NULL and the problem appended to `diags`
 * (e.g. a quoted cell that is never closed). The reader must still be freed.
 */
int xlsform_csv_finish(struct xlsform_csv *r, struct workbook **out, struct diag_list *diags);
void xlsform_csv_free(struct xlsform_csv *r);

#endif
