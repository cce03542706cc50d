/*
 * synth_plan — what a plausible household answers (`ruhu synth`): a CSV
 * next to the form, DIR/synth/NAME for the form DIR/NAME
 * (forms/synth/household.csv), read by synth_plan_load. Without one, synth
 * answers at random. The plan's numbers (shares of households with a
 * problem, ranges of ages and incomes, the spread between counties) are
 * data, never C. Format: docs/bundle.md, "Plausible households".
 */
#ifndef RUHU_SYNTH_PLAN_H
#define RUHU_SYNTH_PLAN_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

enum synth_plan_kind {
	SYNTH_PLAN_CHOICE, /* a: the usual answer; b: the problem answer, with chance share */
	SYNTH_PLAN_NUMBER, /* a, b: ranges LO-HI (usual, problem with chance share) */
	SYNTH_PLAN_INCOME, /* a, b: ranges per unit of `base` (usual, low-income household) */
	SYNTH_PLAN_RATIO,  /* a, b: ranges of the ratio to `base` (usual, problem) */
	SYNTH_PLAN_AGE,    /* birth date: the age range b for relation a in field `base` */
	SYNTH_PLAN_COPY,   /* the value of `base` (an age that agrees with the birth date) */
	SYNTH_PLAN_SETTING /* share: the value of setting `name` */
};

struct synth_plan_row {
	enum synth_plan_kind kind;
	char *name, *base, *a, *b;
	double alo, ahi, blo, bhi; /* ranges of a and b when they are ranges */
	double share;
	size_t line;
};

struct synth_plan {
	struct synth_plan_row *rows;
	size_t n;
};

/*
 * The plan for the form at form_path: *out NULL (and 0) when there is none;
 * -1 with err naming FILE:LINE for a bad one (an unknown kind, a range that is
 * not LO-HI, a share not within 0..1, a missing name).
 */
int synth_plan_load(const char *form_path, struct synth_plan **out, struct error *err);
/* The same from the bytes of a plan (`name` for messages). */
int synth_plan_parse(const char *name, const char *data, size_t len, struct synth_plan **out,
		     struct error *err);
void synth_plan_free(struct synth_plan *p); /* accepts NULL */

/* The first row of `kind` for field `name` (for SYNTH_PLAN_AGE: and relation
 * `rel`), or NULL. */
const struct synth_plan_row *synth_plan_find(const struct synth_plan *p, enum synth_plan_kind kind,
					     const char *name, const char *rel);
/* Setting `name`, or dflt. */
double synth_plan_setting(const struct synth_plan *p, const char *name, double dflt);

#endif
