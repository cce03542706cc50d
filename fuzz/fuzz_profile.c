/*
 * fuzz_profile — libFuzzer target for the scoring profile reader
 * (src/score/profile.c, `ruhu score --profile`). The input is loaded from
 * memory; a refusal must come with at least one error, an acceptance with at
 * least one indicator and two grades whose bands touch (unless grades go by
 * shares), and every point of
 * every indicator at a few rates must lie within 0..points.
 */
#include "ruhu/profile.h"
#include "ruhu/score.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double rates[] = {0, 0.05, 0.1, 0.2, 0.5, 1, NAN};
	struct diag_list dl = DIAG_LIST_INIT;
	struct profile *p = NULL;
	size_t i, j;

	if (profile_load_buffer("fuzz.csv", (const char *)data, size, &p, &dl) < 0) {
		if (!dl.errors || p)
			abort();
	} else {
		if (!profile_indicator_count(p) || profile_grade_count(p) < 2)
			abort();
		/* score bands touch (grades by share have none) */
		for (i = 1; i < profile_grade_count(p) && !profile_grades_by_share(p); i++)
			if (profile_grade(p, i)->max != profile_grade(p, i - 1)->min)
				abort();
		for (i = 0; i < profile_indicator_count(p); i++) {
			const struct profile_indicator *ind = profile_indicator(p, i);

			for (j = 0; j < sizeof(rates) / sizeof(rates[0]); j++) {
				double pts = score_points(p, i, rates[j], NULL);

				if (ind->rule == PROFILE_RULE_REPORT ? !isnan(pts)
								     : !(pts >= 0 && pts <= ind->points))
					abort();
			}
		}
	}
	profile_free(p);
	diag_list_free(&dl);
	return 0;
}
