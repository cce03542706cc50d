/*
 * audit_impl — what the files of src/audit share: the loaded rules file
 * (audit_rules.c), the run's collected state (audit_run.c) and the paradata
 * and batch passes over it (audit_paradata.c, audit_batch.c). Private to
 * src/audit.
 *
 * Invariants: every string of a struct audit_check points into the workbook
 * the rules own; params are finite numbers; a paradata or batch check has
 * exactly the params its built-in needs (resolved to values at load).
 */
#ifndef RUHU_AUDIT_IMPL_H
#define RUHU_AUDIT_IMPL_H

#include "ruhu/audit.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct workbook;

/* qsort() that accepts an empty (NULL) array: C leaves qsort(NULL, 0, ...)
 * undefined and UBSan reports it. */
static inline void audit_qsort(void *base, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* The built-in paradata and batch checks. */
enum audit_builtin {
	PD_DURATION_SHORT, /* minutes from the first event to completion < p0 */
	PD_DURATION_LONG,  /* ... > p0 */
	PD_FAST,           /* seconds per answered question < p0 */
	PD_MANY_CHANGES,   /* answers changed or cleared > p0 */
	PD_ODD_HOURS,      /* started before hour p0 or at/after hour p1 (local time) */
	PD_OVERLAP,        /* two interviews of one enumerator or device overlap by > p0 minutes */
	PD_CLOCK_BACK,     /* a device's event time goes back by > p0 seconds */
	PD_LONG_GAP,       /* a pause between two events of one interview > p0 minutes */
	BT_DUPLICATE_KEY,  /* one household key, several interviews */
	BT_DUPLICATE_VALUE, /* one value of `field`, several households */
	BT_OUTLIER_IQR,    /* `field` outside [Q1 - p0*IQR, Q3 + p0*IQR] within `group` */
	BT_ENUMERATOR_SD,  /* enumerator's findings per interview beyond p0 SD of peers */
	AUDIT_BUILTIN_COUNT
};

struct audit_builtin_info {
	const char *name;
	enum audit_kind kind;
	size_t n_params;
	bool field; /* needs the `field` column */
};
extern const struct audit_builtin_info audit_builtins[AUDIT_BUILTIN_COUNT];

struct audit_param {
	const char *name;
	double value;
	char str[40]; /* the value as string() of the expression language */
	int row;
};

/* A check with what only the core needs. */
struct audit_check_priv {
	struct audit_check pub;
	int builtin;     /* enum audit_builtin, -1 for rules */
	double p[2];     /* the builtin's params' values */
	const char *field, *group; /* batch: field and group names ("" when none) */
};

/* A row of the backcheck sheet. */
struct audit_bc_field {
	const char *field;
	int type;        /* 1, 2, 3 */
	double tol;      /* NAN: compare exactly */
	int row;
};

struct audit_rules {
	char *file;
	char sha256[65];
	struct workbook *wb;
	struct audit_param *params;
	size_t n_params;
	struct audit_check_priv *checks;
	size_t n_checks;
	struct audit_bc_field *bc; /* the backcheck sheet */
	size_t n_bc;
	const char *bc_form, *bc_backcheck_form; /* its form and backcheck_form */
	double bc_max_rate;
};

/* What the interview pass keeps of each audited interview for the paradata
 * and batch passes. */
struct audit_iv {
	char *uuid, *household_key, *county, *village, *enumerator, *device, *form_id;
	int64_t first, last, completed; /* event times (ms); completed 0 when never */
	double minutes;                 /* completed - first, NaN when unknown */
	size_t answers, dk, refused;
	size_t findings;
	char **vals; /* per batch check: the field's value ("" none) */
	char **grps; /* per batch check: the group's value */
};

struct audit_ctx {
	struct store *s;
	const struct audit_rules *r;
	struct diag_list *dl;
	struct audit_iv *ivs;
	size_t n_ivs, cap_ivs;
	struct audit_finding *f;
	size_t n_f, cap_f;
	struct audit_enumerator *dash; /* built by audit_batch(), sorted by name */
	size_t n_dash;
};

/* Appends a finding of check `ci` about interview `iv` (NULL for one about an
 * enumerator: then `path` names the enumerator). `detail` is printf-style. */
void audit_add(struct audit_ctx *c, size_t ci, struct audit_iv *iv, const char *path,
	       const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Paradata over one record (audit_paradata.c): per-interview checks. */
void audit_paradata_record(struct audit_ctx *c, struct audit_iv *iv,
			   const struct store_record *rec);
/* Paradata over all interviews (overlaps) and devices (clock). */
int audit_paradata_batch(struct audit_ctx *c, struct error *err);
/* Batch checks (audit_batch.c), after every other finding is in. */
void audit_batch(struct audit_ctx *c);

/* Adds `e` to `dl` at `where` with a prefix in each language before its
 * message ("expression column 3: " + "unknown field '${x}'"). */
void audit_diag_wrap(struct diag_list *dl, enum diag_severity sev, const char *where,
		     const char *zh_prefix, const char *en_prefix, const struct error *e);

/* Median of v[0..n) (sorts v); NaN when n == 0. */
double audit_median(double *v, size_t n);
/* Quantile q (0..1) of sorted v[0..n), linear interpolation. */
double audit_quantile(const double *v, size_t n, double q);

#endif
