/*
 * fuzz_sample — libFuzzer target for the sample file reader behind
 * `ruhu assign` (src/sample/sample_file.c). The input is written to a
 * temporary file (sample_load reads a path) and loaded; a refusal must come
 * with at least one error, an acceptance with at least one household whose
 * key is not empty and whose preload fields all have names.
 */
#include "ruhu/sample.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = NULL;
	FILE *fp;
	size_t i, j;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-sample-%ld.csv", (long)getpid());
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if (sample_load(path, &s, &dl) < 0) {
		if (!dl.errors || s)
			abort();
	} else {
		if (!s->n)
			abort();
		for (i = 0; i < s->n; i++) {
			if (!s->a[i].household_key[0])
				abort();
			for (j = 0; j < s->a[i].n_preload; j++)
				if (!s->a[i].preload[j].name[0] || !s->a[i].preload[j].value)
					abort();
		}
	}
	sample_free(s);
	diag_list_free(&dl);
	return 0;
}
