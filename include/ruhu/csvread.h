/*
 * csvread — strict CSV records from a buffer, each with the physical line it
 * starts on: the one reader under the answers file (`ruhu fill`) and the
 * household sample (`ruhu assign`).
 *
 * libcsv does the quoting (RFC 4180, strict: a stray or unclosed quote is an
 * error). This layer adds what every caller needs to report a row the way a
 * user sees the file in an editor:
 *   - line: the physical line (1-based) on which a record starts. Lines end
 *     at LF, CRLF or a lone CR; blank lines (only spaces, tabs and line
 *     breaks), which libcsv skips, are counted; a quoted cell holding line
 *     breaks makes the next record start that many lines later.
 *   - record: the record's number (1-based) among the records of the file,
 *     blank lines not counted. It differs from line only after a blank line
 *     or a multi-line cell; messages then name both (csvread_note_record).
 *   - a UTF-8 byte order mark at the start is skipped; a UTF-16 file (its
 *     byte order mark, or a NUL in one of the first two bytes but not both)
 *     is refused as a whole with a message saying to save it as UTF-8.
 *   - a record with more than max_cells cells is refused as soon as the cell
 *     past the limit is read (so a hostile file cannot make the caller's
 *     per-record work grow without bound).
 * Cells may hold any byte, NUL included (cell lengths are given): the caller
 * decides what its cells may contain.
 */
#ifndef RUHU_CSVREAD_H
#define RUHU_CSVREAD_H

#include "ruhu/error.h"

#include <stddef.h>

struct csvread_record {
	char **cells;  /* cells[0..n), each NUL-terminated after its len bytes */
	size_t *lens;
	size_t n;
	size_t line;   /* physical line the record starts on */
	size_t record; /* record number */
};

/*
 * Called once per record. The callback may take ownership of a cell by
 * setting rec->cells[i] to NULL (it then frees it with free()); the others
 * are freed by the reader. Returning a negative value stops the reading:
 * csvread_buffer then returns that value with whatever the callback put in
 * err.
 */
typedef int (*csvread_fn)(void *ud, struct csvread_record *rec, struct error *err);

/* err->code of the "more than max_cells columns" refusal */
enum { CSVREAD_E_COLUMNS = 1 };

struct csvread_opts {
	const char *name; /* the file name used in messages ("FILE:LINE") */
	size_t max_cells; /* per record; 0: no limit */
};

/*
 * Reads every record of data[0..len) and calls fn for each, in order.
 * Returns 0, or -1 with err set as "NAME:LINE" (the line the offending record
 * starts on; "NAME" alone for a UTF-16 file) and a message in both
 * languages, or the callback's negative value.
 */
int csvread_buffer(const struct csvread_opts *o, const char *data, size_t len, csvread_fn fn,
		   void *ud, struct error *err);


/*
 * Appends " (record N)" (and the Chinese equivalent) to both messages of err
 * when the record number differs from the line, so that "FILE:LINE: message"
 * names both. Accepts err == NULL.
 */
void csvread_note_record(struct error *err, const struct csvread_record *rec);

#endif
