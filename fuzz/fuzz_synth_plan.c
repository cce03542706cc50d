/*
 * fuzz_synth_plan — libFuzzer target for the plausible-household plan of
 * `ruhu synth` (synth_plan_parse in tools/synth/synth_plan.c). A refusal must
 * come with an error naming the file; an acceptance gives rows whose ranges
 * are ordered and whose shares lie within 0..1, and lookups of every row.
 */
#include "synth_plan.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct synth_plan *p = NULL;
	struct error err = ERROR_INIT;
	size_t i;

	if (synth_plan_parse("plan.csv", (const char *)data, size, &p, &err) < 0) {
		if (!error_isset(&err) || !err.where || strncmp(err.where, "plan.csv", 8))
			abort();
		error_clear(&err);
		return 0;
	}
	for (i = 0; i < p->n; i++) {
		const struct synth_plan_row *r = &p->rows[i];

		if (r->kind != SYNTH_PLAN_SETTING && (r->share < 0 || r->share > 1))
			abort();
		if ((r->kind == SYNTH_PLAN_NUMBER || r->kind == SYNTH_PLAN_INCOME ||
		     r->kind == SYNTH_PLAN_RATIO) &&
		    (!(r->alo <= r->ahi) || !(r->blo <= r->bhi)))
			abort();
		if (!synth_plan_find(p, r->kind, r->name, r->a))
			abort();
	}
	(void)synth_plan_setting(p, "county_factor_min", 1);
	synth_plan_free(p);
	return 0;
}
