/*
 * profile — a province's scoring rules (a "profile") read from a CSV workbook
 * in the same single-file syntax as the forms (docs/profiles.md), so that an
 * assessment office edits it in a spreadsheet and nothing about a rule set
 * lives in C.
 *
 * Sheets: settings (one row), params (every policy number with its source),
 * indicators (who counts, what is measured, how points are given),
 * point_bands (points by band, for indicators with rule = bands), dimensions
 * (the deprivations of Alkire-Foster indicators), grades (names with score
 * bands or shares of a ranked group, best first), composite (how the field
 * score combines with scores from outside the survey, per unit and per parent
 * unit), vetoes (conditions that forbid or force a grade), flags (findings
 * below the unit, reported and never applied) and minimums (minimum samples
 * per group or unit). Sheets are read in that dependency order.
 *
 * Invariants of a loaded profile: every expression compiled; every number
 * cell resolved (a literal or a param name); indicator ids unique; grade bands
 * contiguous (no overlap, no gap) from the lowest grade's min (<= 0) up, or
 * grade shares adding up to 1; the point bands of each indicator contiguous;
 * the weights of each AF indicator and of each composite level adding up to
 * 1; every veto names a grade and reads only unit values. Names
 * used in household expressions (${name}) are collected but only checked
 * against a form and a sample by profile_bind(), since they live there.
 *
 * Errors are "FILE:SHEET:ROW: message" (row = line of the file).
 * The core never prints: every problem goes to the caller's diag_list.
 */
#ifndef RUHU_PROFILE_H
#define RUHU_PROFILE_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

struct profile;
struct form;
struct expr;

/* A profile file is at most this many bytes. */
#define PROFILE_MAX_BYTES (4u << 20)

enum profile_measure {
	PROFILE_RATE, /* share of the population for which `problem` holds */
	PROFILE_MEAN, /* mean of number(`value`) over the population (empty skipped) */
	PROFILE_AF,   /* Alkire-Foster: dimensions, weights, cutoff k; value = M0 */
	PROFILE_MEDIAN, /* median of number(`value`) over the population (empty skipped) */
	PROFILE_RATIO, /* sum of number(`value`) over sum of number(`base`): a member-level
			* rate from household counts (uninsured members / members) */
};

enum profile_rule {
	PROFILE_RULE_REPORT, /* reported, no points */
	PROFILE_RULE_LINEAR, /* full at or below full_at, zero at or above zero_at, linear */
	PROFILE_RULE_STEP,   /* deduct `deduct` per whole `step` beyond full_at, floor 0 */
	PROFILE_RULE_BANDS,  /* points of the band holding the value (point_bands sheet) */
};

struct profile_dimension { /* one deprivation of an AF indicator */
	const char *id;
	const char *label_zh, *label_en;
	struct expr *deprived;
	double weight;
	int row;
};

struct profile_band {
	double from, to; /* [from, to); to = +inf when the cell is empty */
	double points;
	int row;
};

struct profile_indicator {
	const char *id;
	const char *label_zh, *label_en;
	enum profile_measure measure;
	struct expr *population; /* NULL: every household */
	struct expr *problem;    /* rate */
	struct expr *value;      /* mean; ratio: the numerator */
	struct expr *base;       /* ratio: the denominator */
	enum profile_rule rule;
	double points;           /* the indicator's maximum points (0 for report) */
	double full_at, zero_at; /* linear; full_at also the start of step */
	double step, deduct;     /* step */
	struct profile_band *bands;
	size_t n_bands;
	struct profile_dimension *dims; /* AF */
	size_t n_dims;
	double cutoff;                  /* AF: k, as a share of the weights (0 < k <= 1) */
	int row;
};

struct profile_grade {
	const char *id;
	const char *name_zh, *name_en;
	double min, max; /* [min, max); max = +inf when empty (NaN when by share) */
	double share;    /* by share: the share of a ranked group that gets it */
	int row;
};

enum profile_veto_effect { PROFILE_VETO_FORBID, PROFILE_VETO_FORCE };

struct profile_veto {
	const char *id;
	const char *label_zh, *label_en;
	struct expr *when; /* over unit values: see docs/profiles.md */
	enum profile_veto_effect effect;
	size_t grade;      /* index into the grades */
	int row;
};

/* A component of the composite score (sheet composite). */
enum profile_source {
	PROFILE_SRC_FIELD, /* unit level: the field score on 100 (field / full score × 100) */
	PROFILE_SRC_INPUT, /* a score 0..100 given per unit in the --inputs file */
	PROFILE_SRC_MEAN,  /* parent level: the mean composite of its units */
	/* unit level: from rating sheets stored as interviews of other forms
	 * (Guangdong's 交叉考核考评表): per form, the mean of its `value` over
	 * the unit's sheets (its `unit_field` names the unit), then the mean
	 * over the forms that have any (levels weighted equally) */
	PROFILE_SRC_FORMS,
};

struct profile_component {
	const char *name;
	bool parent;       /* level parent (e.g. prefecture) rather than unit */
	enum profile_source source;
	double weight;     /* the weights of a level add up to 1 */
	int row;
	/* PROFILE_SRC_FORMS: the form ids (columns forms, space-separated),
	 * the calculation read (value) and the field naming the unit
	 * (unit_field) */
	char **forms;
	size_t n_forms;
	const char *value, *unit_field;
};

/* A finding below the unit, reported and never applied (sheet flags): a
 * `level` group (a village) is flagged when at least min_count and at least
 * min_share of its population households have the problem. */
struct profile_flag {
	const char *id;
	const char *label_zh, *label_en;
	size_t level_var;        /* household var naming the group (village) */
	struct expr *population; /* NULL: every household */
	struct expr *problem;
	double min_count, min_share;
	int row;
};

/*
 * Loads the profile at `path` (a regular file of at most PROFILE_MAX_BYTES,
 * UTF-8). Returns 0 and sets *out (free with profile_free), or -1 with
 * *out = NULL and every problem in `dl` (warnings may be added either way).
 */
int profile_load(const char *path, struct profile **out, struct diag_list *dl);
/* The same from memory; `name` is the FILE of error locations. */
int profile_load_buffer(const char *name, const char *data, size_t len, struct profile **out,
			struct diag_list *dl);
void profile_free(struct profile *p); /* accepts NULL */

/* settings: "name_zh", "name_en", "province", "year", "unit", "unit_column",
 * "group_column", "form_id", "parent_column", "weight_column" (NULL when
 * absent or empty). */
const char *profile_setting(const struct profile *p, const char *key);
double profile_min_sample(const struct profile *p); /* settings min_sample; 0 when empty */
/* The minimum sample of a unit: its row of sheet minimums, else its group's,
 * else settings min_sample. */
double profile_min_sample_of(const struct profile *p, const char *unit, const char *group);
const char *profile_file(const struct profile *p); /* the FILE of its error locations */

size_t profile_indicator_count(const struct profile *p);
const struct profile_indicator *profile_indicator(const struct profile *p, size_t i);
size_t profile_grade_count(const struct profile *p);
/* Whether grades go by shares of a ranked group (Chongqing's 按一定比例评定等次)
 * rather than by score bands. */
bool profile_grades_by_share(const struct profile *p);
const struct profile_grade *profile_grade(const struct profile *p, size_t i);
size_t profile_veto_count(const struct profile *p);
const struct profile_veto *profile_veto(const struct profile *p, size_t i);
/* Sum of the points of the scored indicators (the best field score). */
double profile_max_points(const struct profile *p);

/*
 * Household names: every ${name} the household expressions use that is not
 * a param, in first-use order; profile_var_name(p, i) for i < count. Their
 * values come from the interview (fields and calculations outside repeats)
 * or the sample (assignment columns and preloads).
 */
size_t profile_var_count(const struct profile *p);
const char *profile_var_name(const struct profile *p, size_t i);
/* The household names indicator i reads (its population, problem or value and
 * dimensions), as indexes for profile_var_name; *vars owned by the profile. */
size_t profile_indicator_vars(const struct profile *p, size_t i, const size_t **vars);

/*
 * Checks that every household name is a field outside repeats of form `f` (or
 * calculation), or one of the sample columns `columns[0..n)`. Each unknown
 * name is an error at the sheet and row that first uses it. Returns 0 or -1.
 */
int profile_bind(const struct profile *p, const struct form *f, const char *const *columns,
		 size_t n, struct diag_list *dl);

/* The index of param `name` (and its value in *value, which may be NULL), or
 * -1 when there is no such param. */
int profile_param(const struct profile *p, const char *name, double *value);
size_t profile_param_count(const struct profile *p);
/* Param i (in sheet order): its name, value and source. */
const char *profile_param_name(const struct profile *p, size_t i);
double profile_param_value(const struct profile *p, size_t i);

/* The household var holding the unit (settings unit_column) and the group
 * (settings group_column; -1 when the profile has none). */
int profile_unit_var(const struct profile *p);
int profile_group_var(const struct profile *p);
/* Whether the profile lists its groups itself (sheet groups: unit -> group),
 * and the group it gives a unit (NULL when the unit is not listed). */
bool profile_has_group_sheet(const struct profile *p);
const char *profile_unit_group(const struct profile *p, const char *unit);
/* The household var naming the unit's parent (settings parent_column, e.g.
 * the prefecture of a county), or -1. */
int profile_parent_var(const struct profile *p);
/* The household var holding the design weight (settings weight_column), or -1:
 * then every household weighs 1. */
int profile_weight_var(const struct profile *p);

/* Flags in sheet order. */
size_t profile_flag_count(const struct profile *p);
const struct profile_flag *profile_flag(const struct profile *p, size_t i);

/* Composite components in sheet order (none: the profile has no composite). */
size_t profile_component_count(const struct profile *p);
const struct profile_component *profile_component(const struct profile *p, size_t i);

#endif
