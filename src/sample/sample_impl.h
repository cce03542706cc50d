/*
 * sample_impl — what the plan reader, the frame reader and the sampler of
 * `ruhu sample` share (include/ruhu/sample_plan.h). Private to src/sample.
 */
#ifndef RUHU_SAMPLE_IMPL_H
#define RUHU_SAMPLE_IMPL_H

#include "ruhu/sample_plan.h"

#include <stdbool.h>
#include <stddef.h>

enum { PLAN_SRS, PLAN_PPS };

struct plan_county {
	char *county;  /* a frame county, or "*": every county no other row names */
	char *stratum;
	double min;    /* minimum field households */
	int line;
};

struct plan_type {
	char *type;
	long per_village; /* households drawn per chosen village; -1: all */
	bool phone;       /* part of the phone survey's population */
	int line;
};

struct plan_rank {
	char *column;   /* a frame column, or NULL for a derived count */
	int type;       /* derived "households:TYPE": index in types, else -1 */
	bool desc;      /* larger values first */
	int line;
};

struct sample_plan {
	char *file;
	char *name_zh, *name_en;
	char *stratum_column; /* output column naming the stratum */
	int method;           /* PLAN_SRS or PLAN_PPS */
	double purposive_share, confidence, phone_share, phone_min, phone_max;
	double per_day, field_days, call_attempts;
	struct plan_county *counties;
	size_t n_counties;
	struct plan_type *types;
	size_t n_types;
	struct plan_rank *ranks;
	size_t n_ranks;
	/* every param as read, for sample_plan_param */
	char **pnames;
	double *pvalues;
	size_t n_params;
};

struct frame_village {
	size_t county;   /* index in frame->counties */
	const char *township, *village;
	double *attr;    /* one per plan rank column (derived counts included) */
	size_t *count;   /* households per plan type */
	size_t first;    /* first household (in f->hh_by_village order) */
	size_t n;        /* households */
};

struct frame_county {
	const char *name;
	size_t plan_row;      /* index in plan->counties */
	size_t *villages;     /* village indices in frame order */
	size_t n_villages;
	size_t households;
	size_t first_line;
};

struct frame_household {
	char *key, *head, *phone;
	size_t village;
	int type;     /* index in plan->types */
	size_t line;
};

struct sample_frame {
	char *file;
	struct frame_household *hh;
	size_t n;
	size_t *by_village;   /* household indices grouped by village, frame order within */
	struct frame_village *villages;
	size_t n_villages;
	struct frame_county *counties;
	size_t n_counties;
	char **strings;       /* interned county/township/village names */
	size_t n_strings;
	double *attr_store;
	size_t *count_store;
};

/* field.csv / phone.csv and workload.csv as text (sample_draw.c) */
void sample_draw_list(const struct sample_draw *d, enum sample_list w, struct strbuf *sb);
void sample_draw_workload(const struct sample_draw *d, struct strbuf *sb);

#endif
