/*
 * answers — the answers file of `ruhu fill`: a two-column `field,value` CSV
 * that fills a form headless (paper-form entry, a form author's test tool),
 * and applying it to an interview. Format and rules: docs/interview.md.
 *
 * Reading (answers_parse / answers_load) refuses the whole file at its first
 * problem, with "FILE:LINE" (the physical line the record starts on, and the
 * record number when it differs): malformed or unclosed quotes, a record
 * without exactly two cells, a NUL byte in a cell (it would silently cut the
 * value short), a UTF-16 file. Blank lines are skipped; a first record
 * `field,value` is a header. An empty or header-only file is valid and holds
 * no rows.
 *
 * Applying (answers_apply) sets every row through the interview engine in
 * form order (document order of the paths, not file order), retries once the
 * rows refused for relevance, constraint or choice filter (their condition
 * may read a later answer), and then adds the completion blockers no row
 * explains. Invariant: the interview holds exactly the rows that stand; the
 * caller completes and stores it only when there are no problems.
 */
#ifndef RUHU_ANSWERS_H
#define RUHU_ANSWERS_H

#include "ruhu/error.h"

#include <stddef.h>

struct answers;
struct interview;
struct form;

/*
 * Parses data[0..len) as an answers file named `name` in messages. Returns 0
 * with *out (free with answers_free), or -1 with *out NULL and err set
 * (where = "NAME:LINE" or "NAME").
 */
int answers_parse(const char *name, const char *data, size_t len, struct answers **out,
		  struct error *err);

/* Reads and parses the file at `path` (a FIFO or /dev/stdin works too) through
 * infile (ruhu/infile.h): a directory or a non-character device is refused,
 * and at most INFILE_ANSWERS_MAX bytes are read. Same contract as
 * answers_parse; a file that cannot be read is an error too (where = path). */
int answers_load(const char *path, struct answers **out, struct error *err);

/* Accepts NULL. */
void answers_free(struct answers *a);

/* Rows, in file order until answers_apply sorts them; i < answers_count(). */
size_t answers_count(const struct answers *a);
const char *answers_field(const struct answers *a, size_t i);
const char *answers_value(const struct answers *a, size_t i);
size_t answers_line(const struct answers *a, size_t i);

/*
 * Applies every row to `iv` (a new interview of form `f`), as described
 * above. Each problem is appended to `problems` as an error with where =
 * "NAME:LINE" (or "NAME" for a blocker no row gave) and the message
 * "field: message" in both languages, sorted by line (rowless ones last).
 * Returns the number of problems added.
 */
size_t answers_apply(struct answers *a, const struct form *f, struct interview *iv,
		     struct diag_list *problems);

#endif
