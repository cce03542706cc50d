/*
 * fuzz_plan — libFuzzer target for the readers of `ruhu sample`
 * (src/sample/sample_plan.c, sample_frame.c) and the draw over what they
 * accept. The first byte picks the input:
 *   0x00  the rest is a sampling plan (sample_plan_load_buffer);
 *   other the rest is a household frame read under a fixed small plan
 *         (sample_frame_load_buffer) and, when it loads, drawn with seed 1.
 * A refusal must come with an error and no result; a draw must give
 * probabilities in (0, 1], positive weights and disjoint field and phone
 * lists.
 */
#include "ruhu/sample_plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char plan_text[] =
	"settings\n"
	",name::中文 (zh),name::English (en),stratum_column,random_method\n"
	",模糊测试,fuzz,stratum,pps\n"
	"params\n"
	",name,value,source\n"
	",purposive_share,0.5,fuzz\n"
	",confidence,0.95,fuzz\n"
	",phone_share,0.1,fuzz\n"
	",phone_min,1,fuzz\n"
	",phone_max,5,fuzz\n"
	",households_per_enumerator_day,2,fuzz\n"
	",field_days,2,fuzz\n"
	",call_attempts,3,fuzz\n"
	"strata\n"
	",stratum,county,min_households,source\n"
	",a,c1,2,fuzz\n"
	",b,*,1,fuzz\n"
	"households\n"
	",household_type,per_village,phone,source\n"
	",tuopin,2,yes,fuzz\n"
	",jiance,all,yes,fuzz\n"
	",yiban,1,no,fuzz\n"
	"rank\n"
	",column,order,source\n"
	",lifted_2020,desc,fuzz\n"
	",households:jiance,desc,fuzz\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sample_plan *fixed;
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample_plan *p = NULL;
	struct sample_frame *f = NULL;
	struct sample_draw *d = NULL;
	size_t i;

	if (size < 1)
		return 0;
	if (data[0] == 0) {
		if (sample_plan_load_buffer("plan.csv", (const char *)data + 1, size - 1, &p, &dl) <
		    0) {
			if (!dl.errors || p)
				abort();
		}
		sample_plan_free(p);
		diag_list_free(&dl);
		return 0;
	}
	if (!fixed &&
	    sample_plan_load_buffer("plan.csv", plan_text, strlen(plan_text), &fixed, &dl) < 0)
		abort();
	if (sample_frame_load_buffer("frame.csv", (const char *)data + 1, size - 1, fixed, &f,
				     &dl) < 0) {
		if (!dl.errors || f)
			abort();
	} else if (sample_draw(fixed, f, 1, &d, &dl) == 0) {
		unsigned char *in = calloc(sample_frame_count(f) + 1, 1);

		for (i = 0; i < sample_draw_count(d, SAMPLE_FIELD); i++) {
			const struct sample_unit *u = sample_draw_unit(d, SAMPLE_FIELD, i);

			if (!(u->prob > 0 && u->prob <= 1) || !(u->weight > 0) || in[u->frame])
				abort();
			in[u->frame] = 1;
		}
		for (i = 0; i < sample_draw_count(d, SAMPLE_PHONE); i++) {
			const struct sample_unit *u = sample_draw_unit(d, SAMPLE_PHONE, i);

			if (!(u->prob > 0 && u->prob <= 1) || !(u->weight > 0) || in[u->frame])
				abort();
			in[u->frame] = 1;
		}
		free(in);
	} else if (!dl.errors)
		abort();
	sample_draw_free(d);
	sample_frame_free(f);
	diag_list_free(&dl);
	return 0;
}
