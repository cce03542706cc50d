/*
 * score — field-assessment scores per unit (county, district...) under a
 * profile (ruhu/profile.h), from the interviews of a team database.
 *
 * One pass over the store (store_records_answers_each: answers without the
 * paradata, filtered by the profile's form_id and the statuses asked for):
 * each interview is replayed through the form engine so that calculations
 * are what the form computes; each household's names are read from its
 * relevant top-level fields and calculations, then from its sample row
 * (assignment columns and preloads).
 * When a household has several selected interviews, the most recently
 * updated one counts (a warning names the household).
 *
 * Per unit and indicator: numerator, denominator, value with a 95% interval
 * (Wilson for rates, normal for means), points by the indicator's rule; field
 * score = sum of points; with inputs, the composite (weighted components on
 * 100, the field score scaled to 100) and each parent unit's composite (the
 * mean of its units' and its own inputs); grade from the bands on the
 * composite when there is one (else the field score), then the vetoes in
 * sheet order; rank by the same score within the unit's group (ties share the
 * better rank).
 *
 * Nothing here prints. Warnings (sample below the profile's minimum, a
 * household with no unit, a value outside every point band) go to the
 * caller's diag_list; errors make score_run return -1 before any result.
 */
#ifndef RUHU_SCORE_H
#define RUHU_SCORE_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

struct profile;
struct store;

/* The z of a two-sided 95% interval. */
#define SCORE_Z95 1.959963984540054

/*
 * Wilson score interval for x successes out of n at quantile z: *lo, *hi in
 * [0, 1]. n == 0 gives NaN for both.
 */
void score_wilson(double x, double n, double z, double *lo, double *hi);

/* Points of one indicator for `value` (NaN: empty population = full points).
 * *outside is set when the rule is bands and no band holds the value. */
double score_points(const struct profile *p, size_t indicator, double value, bool *outside);

struct score_af { /* the Alkire-Foster figures of one unit */
	double H, A, M0;
	double *contrib;  /* per dimension, shares of M0 summing to 1 (NaN when M0 = 0) */
	double *censored; /* per dimension, censored headcount ratio */
};

struct score_cell { /* one unit x indicator */
	double num, den;       /* rate: problem households / population; mean: sum / count */
	double value;          /* NaN when the population is empty */
	double ci_low, ci_high;
	double points;         /* NaN for report-only indicators */
	struct score_af af;    /* AF indicators only */
	bool band_outside;
};

struct score_flagged { /* a group of a unit that a profile flag holds for */
	size_t flag;  /* profile_flag index */
	char *level;  /* the group (village) */
	double num, den; /* problem households / population households of the group */
};

struct score_unit {
	char *unit, *group; /* group "" when the profile has no group column */
	size_t n;           /* households counted */
	bool small;         /* n below the profile's min_sample */
	struct score_cell *cells; /* one per indicator */
	double field;       /* sum of points (parents: the mean composite of their units) */
	double composite;   /* with inputs: the weighted components on 100, else NaN */
	char *parent;       /* the parent unit ("" when the profile has none) */
	size_t band_grade;  /* grade from the bands alone (on the composite when there is one) */
	size_t grade;       /* after vetoes */
	char *veto;         /* ids of the vetoes whose condition held, space-separated, or NULL */
	size_t rank;        /* 1-based within the group */
	struct score_flagged *flagged; /* reported for assessors, never applied */
	size_t n_flagged;
};

/* One household of the explained unit. */
struct score_household {
	char *household_key, *uuid;
	char **vals;   /* one per profile var (profile_var_name), "" when empty */
	char **behind; /* one per profile var: for a calculation, the answers it rests
			* on as "name=value name=value" (top-level questions), else "" */
	bool *in_pop;  /* per indicator */
	bool *problem; /* per indicator: counted in the numerator (AF: poor) */
	double *value; /* per indicator: the mean measure, or the AF deprivation score */
};

struct score_result {
	struct score_unit *units; /* ordered by group, then rank, then unit name */
	size_t n_units;
	/* parent units (composite level parent; cells NULL, no vetoes), by rank */
	struct score_unit *parents;
	size_t n_parents;
	size_t n_indicators;
	struct score_household *households; /* of opts.explain_unit, by household key */
	size_t n_households;
	size_t n_vars;         /* entries of each household's vals */
	size_t n_interviews;   /* interviews read */
};

/*
 * Scores from outside the survey (--inputs): a CSV file with the columns
 * unit, component, score (0..100), one row per unit and input component of
 * the profile's composite sheet. Errors name FILE:LINE: an unknown component,
 * a score that is not a number within 0..100, a unit given a component twice.
 * Units not scored (and missing scores) are errors of score_run.
 */
struct score_inputs;
int score_inputs_load(const char *path, const struct profile *p, struct score_inputs **out,
		      struct diag_list *dl);
void score_inputs_free(struct score_inputs *in); /* accepts NULL */

struct score_opts {
	struct score_inputs *inputs; /* NULL: no composite */
	unsigned statuses;       /* STORE_STATUS_BIT()s; 0: completed and approved */
	const char *explain_unit; /* keep the households of this unit (NULL: none) */
};

/*
 * Scores the database. Returns 0 and sets *out (free with
 * score_result_free), or -1 with *out = NULL and errors in `dl`: a stored
 * form of the profile's form_id that cannot be loaded, a profile name that
 * is neither a form field nor a sample column (profile_bind), an expression
 * that fails on a household (named by key), no interview at all, or a store
 * error.
 */
int score_run(struct store *s, const struct profile *p, const struct score_opts *o,
	      struct score_result **out, struct diag_list *dl);
void score_result_free(struct score_result *r); /* accepts NULL */

/* The unit named `unit`, or NULL. */
const struct score_unit *score_result_unit(const struct score_result *r, const char *unit);

#endif
