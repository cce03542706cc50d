/*
 * sample — reading a household sample file (SAMPLE.csv) for `ruhu assign`.
 *
 * The file is CSV (UTF-8, optional BOM) with a header row naming at least the
 * columns household_key, county, township, village, household_type,
 * head_name, enumerator, device (in any order); every other column is a
 * preload field (its header is the field name a form can use), kept per
 * household when the cell is not empty. Invariant: a file with any bad row
 * yields no assignments at all (no partial load).
 */
#ifndef RUHU_SAMPLE_H
#define RUHU_SAMPLE_H

#include "ruhu/error.h"
#include "ruhu/store.h"

#include <stddef.h>

struct sample {
	struct store_assignment *a; /* a[0..n), strings owned by the sample */
	size_t n;
	size_t *row;                /* source row of a[i] (header = 1) */
	/* private storage */
	char **cells;
	size_t n_cells;
	struct store_field *fields;
	size_t n_fields;
};

/*
 * Reads `path`. Every problem is added to `dl` as "PATH:ROW: message" (or
 * "PATH: message" for the file) and the call returns -1 with *out NULL; on
 * success returns 0 and *out (free with sample_free). An empty sample (header
 * only) is an error too.
 */
int sample_load(const char *path, struct sample **out, struct diag_list *dl);
void sample_free(struct sample *s);

#endif
