/*
 * synth_frame — a synthetic household frame (the province's register) for
 * `ruhu sample`: tests, benchmarks and demos (`ruhu synth --frame`).
 *
 * The output depends only on the options (a seeded PRNG, no clock), so the
 * same seed gives the same bytes. Columns: household_key, county, township,
 * village, household_type (tuopin / jiance / yiban), head_name, phone, and
 * the village columns the shipped plans rank by: lifted_2020 (people lifted
 * out of poverty in 2020) and collective_income (yuan a year).
 */
#ifndef RUHU_SYNTH_FRAME_H
#define RUHU_SYNTH_FRAME_H

#include "ruhu/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct synth_frame_opts {
	size_t households;          /* in total (>= villages) */
	size_t villages;            /* in total (>= counties) */
	const char *const *counties; /* names, n_counties of them (>= 1) */
	size_t n_counties;
	uint64_t seed;
};

/* Writes the frame to `out`. Returns 0, or -1 with err (bad options, a
 * write error). */
int synth_frame_write(const struct synth_frame_opts *o, FILE *out, struct error *err);

#endif
