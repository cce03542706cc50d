/*
 * status — progress against the sample for `ruhu status`: counts by county,
 * village and enumerator, and the latest bundle merged from each device.
 * Read-only; works on device and team databases alike. A store report:
 * implemented in src/store/store_status.c (its SQL is the store's), errors
 * are the store's (STORE_E_*).
 */
#ifndef RUHU_STATUS_H
#define RUHU_STATUS_H

#include "ruhu/error.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum status_group { STATUS_COUNTY, STATUS_VILLAGE, STATUS_ENUMERATOR, STATUS_NGROUPS };

struct status_row {
	char *name;       /* county; "county/township/village"; enumerator ("-" when none) */
	size_t assigned;  /* households in the sample */
	size_t started;   /* with at least one interview */
	size_t completed; /* latest status completed or approved */
	size_t approved, rejected;
	size_t duplicates; /* households with more than one interview */
};

struct status_device {
	char *device;
	long long sequence;  /* latest bundle merged from it */
	char *created;       /* when that bundle was written */
	int64_t merged;      /* when it was merged (ms) */
	size_t bundles;      /* bundles merged from it */
};

struct status_report {
	struct status_row *rows[STATUS_NGROUPS];
	size_t n[STATUS_NGROUPS];
	struct status_row total;
	size_t outside;      /* interviews of households not in the sample */
	struct status_device *dev;
	size_t n_dev;
};

/* Fills *r (free with status_report_release). Returns 0 or -1 with err. */
int store_status_report(struct store *s, struct status_report *r, struct error *err);
void store_status_report_release(struct status_report *r);

#endif
