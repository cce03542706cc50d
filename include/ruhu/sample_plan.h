/*
 * sample_plan — `ruhu sample`: a sampling plan (a CSV workbook, docs/sampling.md)
 * applied to a household frame (the province's register, a CSV file) draws
 * the field sample, the phone sample, the enumerators' workload and a
 * summary.
 *
 * Every policy number (minimums, shares, floor and ceiling, confidence,
 * workload) comes from the plan; the C holds only the method:
 *   - strata are groups of counties; each county has a minimum of field
 *     households;
 *   - in each county, villages are chosen on purpose (the top share by the
 *     plan's ranking columns) and at random among the others (simple random
 *     sampling, or systematic PPS on the village's household count); the
 *     number of villages is the smallest that meets the county's minimum
 *     whatever the random draw gives, so the design (and every household's
 *     inclusion probability) is fixed before any random number is used;
 *   - in each chosen village a fixed number of households of each type is
 *     drawn by simple random sampling (or all of a type, "take all");
 *   - the phone sample is a share of a population (household types) per
 *     county, within a floor and a ceiling, drawn among households not in
 *     the field sample;
 *   - design weights are 1/π calibrated to the frame's counts, so that they
 *     sum to every county's (hence every stratum's) frame total.
 * The same frame, plan and seed give the same bytes on any machine: one
 * portable generator (xoshiro256**), one stream per county derived from the
 * seed and the county's name, and no dependence on hash or sort order that
 * input order does not fix.
 *
 * Bad input never yields a partial result: every fault is a diagnostic
 * "FILE:ROW: message" (plan rows as "FILE:SHEET:ROW") and the call fails.
 */
#ifndef RUHU_SAMPLE_PLAN_H
#define RUHU_SAMPLE_PLAN_H

#include "ruhu/error.h"
#include "ruhu/strbuf.h"

#include <stddef.h>
#include <stdint.h>

struct sample_plan;
struct sample_frame;
struct sample_draw;

/*
 * Reads a plan workbook (opened with infile as a form-sized file). Returns
 * 0 with *out (free with sample_plan_free), or -1 with *out NULL and every
 * problem in `dl` as "FILE:SHEET:ROW: message".
 */
int sample_plan_load(const char *path, struct sample_plan **out, struct diag_list *dl);
int sample_plan_load_buffer(const char *name, const char *data, size_t len,
			    struct sample_plan **out, struct diag_list *dl);
void sample_plan_free(struct sample_plan *p);

/* The counties the plan names (not "*"), in plan order; NULL past the end. */
const char *sample_plan_county(const struct sample_plan *p, size_t i);
/* The frame columns the plan's ranking uses (not the derived counts
 * "households:TYPE"); NULL past the end. */
const char *sample_plan_rank_column(const struct sample_plan *p, size_t i);
/* A param of the plan, or -1 when it has none (0 on success). */
int sample_plan_param(const struct sample_plan *p, const char *name, double *value);
/* The household types of the plan's `households` sheet; NULL past the end. */
const char *sample_plan_type(const struct sample_plan *p, size_t i);

/*
 * Reads the frame: a CSV file with the columns household_key, county,
 * township, village, household_type, head_name, phone and every column the
 * plan ranks villages by (constant within a village). Every household type
 * must be one of the plan's; every county must belong to a stratum of the
 * plan, and every county the plan names must be in the frame with at least
 * its minimum of households. Returns 0 with *out, or -1 with every problem
 * in `dl` ("FILE:ROW: message", the physical line of the row).
 */
int sample_frame_load(const char *path, const struct sample_plan *p, struct sample_frame **out,
		      struct diag_list *dl);
int sample_frame_load_buffer(const char *name, const char *data, size_t len,
			     const struct sample_plan *p, struct sample_frame **out,
			     struct diag_list *dl);
void sample_frame_free(struct sample_frame *f);
/* Households of the frame. */
size_t sample_frame_count(const struct sample_frame *f);
/* The key of household i (frame order). */
const char *sample_frame_key(const struct sample_frame *f, size_t i);

/*
 * Draws the samples of `f` under `p` with `seed`. Returns 0 with *out, or
 * -1 with the problem in `dl` (a county where the plan cannot be met).
 * The plan and the frame must outlive the draw.
 */
int sample_draw(const struct sample_plan *p, const struct sample_frame *f, uint64_t seed,
		struct sample_draw **out, struct diag_list *dl);
void sample_draw_free(struct sample_draw *d);

enum sample_list { SAMPLE_FIELD, SAMPLE_PHONE };

/* One sampled household, as written to field.csv or phone.csv. */
struct sample_unit {
	size_t frame;           /* index in the frame */
	const char *stratum;
	const char *reason;     /* "purposive", "random", "phone" */
	const char *enumerator; /* field only; NULL for phone */
	double prob;            /* inclusion probability (docs/sampling.md) */
	double weight;          /* design weight */
};

size_t sample_draw_count(const struct sample_draw *d, enum sample_list which);
const struct sample_unit *sample_draw_unit(const struct sample_draw *d, enum sample_list which,
					   size_t i);
/* The field inclusion probability the design gives household i of the
 * frame (0 when it cannot be drawn), whether or not this draw took it. */
double sample_draw_field_prob(const struct sample_draw *d, size_t i);

/*
 * Writes DIR/field.csv, DIR/phone.csv (the format `ruhu assign` reads, plus
 * phone, the stratum column, selection_reason, inclusion_prob,
 * design_weight), DIR/workload.csv and DIR/summary.csv, each readable by
 * the user only (0600; DIR is created 0700 when missing). Each file is
 * written under a temporary name and renamed. Returns 0 or -1 with err.
 */
int sample_draw_write(const struct sample_draw *d, const char *dir, struct error *err);

/* Appends the summary table (CSV, as summary.csv) to sb. */
void sample_draw_summary(const struct sample_draw *d, struct strbuf *sb);

#endif
