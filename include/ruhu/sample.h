/*
 * sample — reading a household sample file (SAMPLE.csv) for `ruhu assign`.
 *
 * The file is CSV (UTF-8, optional BOM) with a header row naming at least the
 * columns household_key, county, township, village, household_type,
 * head_name, enumerator, device (in any order); every other column is a
 * preload field (its header is the field name a form can use), kept per
 * household when the cell is not empty. Invariant: a file with any bad row
 * yields no assignments at all (no partial load).
 *
 * Rows are named by the physical line of the file on which they start (the
 * header is line 1; blank lines and line breaks inside quoted cells count),
 * with the record number added to the message when it differs. A UTF-16
 * file is refused as a whole (save it as UTF-8), and so is a row of more
 * than SAMPLE_MAX_COLUMNS cells.
 */
#ifndef RUHU_SAMPLE_H
#define RUHU_SAMPLE_H

#include "ruhu/error.h"
#include "ruhu/store.h"

#include <stddef.h>

/* Columns of a sample file at most: the 8 required ones and up to 1992
 * preload fields (a household form has a few hundred fields; the store
 * checks each household's preload names pairwise, so the limit also bounds
 * that work). */
#define SAMPLE_MAX_COLUMNS 2000

struct sample {
	struct store_assignment *a; /* a[0..n), strings owned by the sample */
	size_t n;
	size_t *row;                /* line a[i]'s row starts on (header = 1) */
	/* private storage */
	char **cells;
	size_t n_cells;
	struct store_field *fields;
	size_t n_fields;
};

/*
 * Reads `path`. Every problem is added to `dl` as "PATH:LINE: message" (or
 * "PATH: message" for the file) and the call returns -1 with *out NULL; on
 * success returns 0 and *out (free with sample_free). An empty sample (header
 * only) is an error too. The file is opened through infile (ruhu/infile.h):
 * only a regular file of at most INFILE_SAMPLE_MAX bytes is read; a FIFO, a
 * device or a directory is refused at once.
 */
int sample_load(const char *path, struct sample **out, struct diag_list *dl);
void sample_free(struct sample *s);

#endif
