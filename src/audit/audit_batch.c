/*
 * audit_batch — checks over the whole batch of audited interviews, in the
 * manner of IPA's high-frequency checks: one household key with several
 * interviews, one value (an ID number, a phone) shared by several
 * households, IQR outliers of a numeric field within a group (county,
 * household type), and the enumerator dashboard with whoever stands out
 * from peers by findings per interview.
 *
 * Runs after the rules and paradata, so the enumerator dashboard counts
 * their findings (and not its own).
 */
#include "audit_impl.h"

#include "ruhu/expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool applies(const struct audit_check_priv *c, const struct audit_iv *iv)
{
	return !*c->pub.form || !strcmp(c->pub.form, iv->form_id);
}

struct item {
	const char *key;
	const char *grp;
	size_t iv;
	double x;
};

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->iv < y->iv ? -1 : x->iv > y->iv);
}

/* Duplicate household keys (field NULL) or values of the check's field. */
static void duplicates(struct audit_ctx *c, size_t ci, bool by_value)
{
	const struct audit_check_priv *k = &c->r->checks[ci];
	struct item *it = xcalloc(c->n_ivs + 1, sizeof(*it));
	size_t n = 0, i, j, m;

	for (i = 0; i < c->n_ivs; i++) {
		const char *key = by_value ? c->ivs[i].vals[ci] : c->ivs[i].household_key;

		if (!applies(k, &c->ivs[i]) || !key || !*key)
			continue;
		it[n].key = key;
		it[n].iv = i;
		n++;
	}
	audit_qsort(it, n, sizeof(*it), cmp_item);
	for (i = 0; i < n; i = j) {
		size_t households = 1;

		for (j = i + 1; j < n && !strcmp(it[j].key, it[i].key); j++)
			if (by_value) {
				/* distinct households among the group */
				for (m = i; m < j; m++)
					if (!strcmp(c->ivs[it[m].iv].household_key,
						    c->ivs[it[j].iv].household_key))
						break;
				households += m == j;
			}
		if (j - i < 2 || (by_value && households < 2))
			continue;
		for (m = i; m < j; m++) {
			if (by_value)
				audit_add(c, ci, &c->ivs[it[m].iv], "", "%s=%s households=%zu",
					  k->field, it[m].key, households);
			else
				audit_add(c, ci, &c->ivs[it[m].iv], "",
					  "household_key=%s interviews=%zu", it[m].key, j - i);
		}
	}
	free(it);
}

static int cmp_grp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->grp, y->grp);

	return c ? c : (x->x < y->x ? -1 : x->x > y->x);
}

/* Below 4 values a group has no meaningful quartiles. */
#define IQR_MIN_N 4

static void outliers(struct audit_ctx *c, size_t ci)
{
	const struct audit_check_priv *k = &c->r->checks[ci];
	struct item *it = xcalloc(c->n_ivs + 1, sizeof(*it));
	double *v = xcalloc(c->n_ivs + 1, sizeof(*v));
	size_t n = 0, i, j, m;

	for (i = 0; i < c->n_ivs; i++) {
		const struct audit_iv *iv = &c->ivs[i];
		double x;

		if (!applies(k, iv) || !iv->vals[ci] || !*iv->vals[ci])
			continue;
		x = expr_parse_number(iv->vals[ci]);
		if (isnan(x))
			continue;
		it[n].grp = iv->grps[ci] ? iv->grps[ci] : "";
		it[n].iv = i;
		it[n].x = x;
		n++;
	}
	audit_qsort(it, n, sizeof(*it), cmp_grp);
	for (i = 0; i < n; i = j) {
		double q1, q3, lo, hi;

		for (j = i; j < n && !strcmp(it[j].grp, it[i].grp); j++)
			v[j - i] = it[j].x;
		if (j - i < IQR_MIN_N)
			continue;
		q1 = audit_quantile(v, j - i, 0.25);
		q3 = audit_quantile(v, j - i, 0.75);
		/* a group whose middle half is one value has no spread to judge
		 * by: every other value would be "outside" */
		if (!(q3 > q1))
			continue;
		lo = q1 - k->p[0] * (q3 - q1);
		hi = q3 + k->p[0] * (q3 - q1);
		for (m = i; m < j; m++) {
			if (it[m].x >= lo && it[m].x <= hi)
				continue;
			if (*k->group)
				audit_add(c, ci, &c->ivs[it[m].iv], "",
					  "%s=%s %s=%s q1=%g q3=%g n=%zu", k->field,
					  c->ivs[it[m].iv].vals[ci], k->group, it[m].grp, q1, q3,
					  j - i);
			else
				audit_add(c, ci, &c->ivs[it[m].iv], "", "%s=%s q1=%g q3=%g n=%zu",
					  k->field, c->ivs[it[m].iv].vals[ci], q1, q3, j - i);
		}
	}
	free(v);
	free(it);
}

static int cmp_dash(const void *a, const void *b)
{
	return strcmp(((const struct audit_enumerator *)a)->name,
		      ((const struct audit_enumerator *)b)->name);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* The dashboard over c->ivs; then flags by check `ci` (or none when ci is
 * (size_t)-1). */
static void dashboard(struct audit_ctx *c, size_t ci)
{
	size_t i, j, cap = 0;
	double mean = 0, sd = 0, k = 0;

	for (i = 0; i < c->n_ivs; i++) {
		const char *name = *c->ivs[i].enumerator ? c->ivs[i].enumerator : "-";

		for (j = 0; j < c->n_dash; j++)
			if (!strcmp(c->dash[j].name, name))
				break;
		if (j == c->n_dash) {
			XGROW(c->dash, cap, c->n_dash + 1);
			memset(&c->dash[j], 0, sizeof(c->dash[j]));
			c->dash[j].name = xstrdup(name);
			c->n_dash++;
		}
	}
	audit_qsort(c->dash, c->n_dash, sizeof(*c->dash), cmp_dash);
	for (j = 0; j < c->n_dash; j++) {
		struct audit_enumerator *d = &c->dash[j];
		double *mins = xcalloc(c->n_ivs + 1, sizeof(double));
		long *days = xcalloc(c->n_ivs + 1, sizeof(long));
		size_t n_min = 0, n_days = 0, answers = 0, dk = 0, refused = 0, findings = 0;

		for (i = 0; i < c->n_ivs; i++) {
			const struct audit_iv *iv = &c->ivs[i];
			time_t t;
			struct tm tm;

			if (strcmp(*iv->enumerator ? iv->enumerator : "-", d->name))
				continue;
			d->interviews++;
			answers += iv->answers;
			dk += iv->dk;
			refused += iv->refused;
			findings += iv->findings;
			if (!isnan(iv->minutes))
				mins[n_min++] = iv->minutes;
			t = (time_t)(iv->first / 1000);
			if (localtime_r(&t, &tm))
				days[n_days++] = (long)(tm.tm_year * 400 + tm.tm_yday);
		}
		audit_qsort(days, n_days, sizeof(*days), cmp_long);
		for (i = 0; i < n_days; i++)
			d->days += i == 0 || days[i] != days[i - 1];
		d->per_day = d->days ? (double)d->interviews / (double)d->days : 0;
		d->median_minutes = audit_median(mins, n_min);
		d->dk_rate = answers ? (double)dk / (double)answers : 0;
		d->refused_rate = answers ? (double)refused / (double)answers : 0;
		d->findings_per_iv = d->interviews ? (double)findings / (double)d->interviews : 0;
		mean += d->findings_per_iv;
		free(mins);
		free(days);
	}
	if (!c->n_dash)
		return;
	mean /= (double)c->n_dash;
	for (j = 0; j < c->n_dash; j++)
		sd += (c->dash[j].findings_per_iv - mean) * (c->dash[j].findings_per_iv - mean);
	sd = sqrt(sd / (double)c->n_dash);
	if (ci != (size_t)-1)
		k = c->r->checks[ci].p[0];
	for (j = 0; j < c->n_dash; j++) {
		struct audit_enumerator *d = &c->dash[j];

		d->z = sd > 0 ? (d->findings_per_iv - mean) / sd : 0;
		if (ci != (size_t)-1 && fabs(d->z) > k) {
			d->flagged = true;
			audit_add(c, ci, NULL, d->name,
				  "findings_per_interview=%.2f mean=%.2f sd=%.2f z=%.1f interviews=%zu",
				  d->findings_per_iv, mean, sd, d->z, d->interviews);
		}
	}
}

void audit_batch(struct audit_ctx *c)
{
	size_t i, sd_check = (size_t)-1;

	for (i = 0; i < c->r->n_checks; i++) {
		const struct audit_check_priv *k = &c->r->checks[i];

		if (k->pub.kind != AUDIT_BATCH)
			continue;
		switch (k->builtin) {
		case BT_DUPLICATE_KEY:
			duplicates(c, i, false);
			break;
		case BT_DUPLICATE_VALUE:
			duplicates(c, i, true);
			break;
		case BT_OUTLIER_IQR:
			outliers(c, i);
			break;
		case BT_ENUMERATOR_SD:
			sd_check = i;
			break;
		default:
			break;
		}
	}
	/* last: the dashboard counts every other finding */
	dashboard(c, sd_check);
}
