/*
 * fuzz_inputs — libFuzzer target for the --inputs reader of `ruhu score`
 * (score_inputs_load in src/score/score.c), against a fixed profile with a
 * composite of two input components. The input is written to a temporary
 * file (the reader takes a path); a refusal must come with at least one
 * error, an acceptance with none.
 */
#include "ruhu/profile.h"
#include "ruhu/score.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char profile[] =
	"settings\n,unit_column,form_id\n,county,f\n"
	"params\n,name,value,source\n"
	"indicators\n,id,measure,problem,points,rule,full_at,zero_at\n"
	",I,rate,${x} = 1,10,linear,0,0.2\n"
	"grades\n,id,min,max\n,a,5,\n,b,0,5\n"
	"composite\n,level,component,weight,source\n,unit,field,0.5,field\n"
	",unit,dept,0.5,input\n,unit,flag,0,input\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static struct profile *p;
	struct diag_list dl = DIAG_LIST_INIT;
	struct score_inputs *in = NULL;
	FILE *fp;

	if (!p && profile_load_buffer("p.csv", profile, strlen(profile), &p, &dl) < 0)
		abort();
	diag_list_free(&dl);
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-inputs-%ld.csv", (long)getpid());
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if (score_inputs_load(path, p, &in, &dl) < 0) {
		if (!dl.errors || in)
			abort();
	} else if (dl.errors || !in) {
		abort();
	}
	score_inputs_free(in);
	diag_list_free(&dl);
	return 0;
}
