/*
 * audit_paradata — checks over the event log (the paradata every change of
 * an interview leaves): per interview (duration, seconds per answer,
 * changed answers, hour of the day, long pauses) and across interviews
 * (two interviews of one enumerator or one device overlapping in time; a
 * device's clock going backwards between events it wrote in sequence).
 *
 * Timing rules apply only to interviews whose events span at least one
 * second: an interview entered from paper with `ruhu fill --db` is written
 * in one transaction, so it has no interview time to judge (its duration is
 * unknown, not zero).
 */
#include "audit_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMED_MIN_MS 1000

static bool applies(const struct audit_check_priv *c, const struct audit_iv *iv)
{
	return !*c->pub.form || !strcmp(c->pub.form, iv->form_id);
}

static bool timed(const struct audit_iv *iv)
{
	return iv->last - iv->first >= TIMED_MIN_MS;
}

static void local_time(int64_t ms, char *buf, size_t size, int *hour)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		*hour = -1;
		return;
	}
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
	*hour = tm.tm_hour;
}

void audit_paradata_record(struct audit_ctx *c, struct audit_iv *iv,
			   const struct store_record *rec)
{
	const struct audit_rules *r = c->r;
	struct strbuf changed = STRBUF_INIT;
	size_t i, n_changes = 0, n_set = 0;
	int64_t gap = 0, prev = 0;

	iv->minutes = NAN;
	for (i = 0; i < rec->n_events; i++) {
		const struct store_event *ev = &rec->events[i];

		if (i == 0)
			iv->first = ev->time;
		if (ev->time > iv->last || i == 0)
			iv->last = ev->time;
		if (!strcmp(ev->kind, "complete") && !iv->completed)
			iv->completed = ev->time;
		if (!iv->completed) {
			if (i > 0 && ev->time - prev > gap)
				gap = ev->time - prev;
			prev = ev->time;
			if (!strcmp(ev->kind, "answer_set") || !strcmp(ev->kind, "special"))
				n_set++;
		}
		if (!strcmp(ev->kind, "answer_changed") || !strcmp(ev->kind, "answer_cleared")) {
			n_changes++;
			if (ev->path && changed.len < 200)
				strbuf_addf(&changed, "%s%s", changed.len ? " " : "", ev->path);
		}
		if (i == 0)
			prev = ev->time;
	}
	if (timed(iv) && iv->completed)
		iv->minutes = (double)(iv->completed - iv->first) / 60000.0;
	for (i = 0; i < r->n_checks; i++) {
		const struct audit_check_priv *k = &r->checks[i];
		char when[32];
		int hour;

		if (k->pub.kind != AUDIT_PARADATA || !applies(k, iv))
			continue;
		switch (k->builtin) {
		case PD_DURATION_SHORT:
			if (!isnan(iv->minutes) && iv->minutes < k->p[0])
				audit_add(c, i, iv, "", "minutes=%.1f", iv->minutes);
			break;
		case PD_DURATION_LONG:
			if (!isnan(iv->minutes) && iv->minutes > k->p[0])
				audit_add(c, i, iv, "", "minutes=%.1f", iv->minutes);
			break;
		case PD_FAST:
			if (!isnan(iv->minutes) && n_set > 0 &&
			    iv->minutes * 60.0 / (double)n_set < k->p[0])
				audit_add(c, i, iv, "", "seconds_per_answer=%.1f answers=%zu",
					  iv->minutes * 60.0 / (double)n_set, n_set);
			break;
		case PD_MANY_CHANGES:
			if ((double)n_changes > k->p[0])
				audit_add(c, i, iv, "", "changes=%zu paths=%s%s", n_changes,
					  changed.buf, changed.len >= 200 ? " ..." : "");
			break;
		case PD_ODD_HOURS:
			if (!timed(iv))
				break;
			local_time(iv->first, when, sizeof(when), &hour);
			if (hour >= 0 && (hour < k->p[0] || hour >= k->p[1]))
				audit_add(c, i, iv, "", "start=%s", when);
			break;
		case PD_LONG_GAP:
			if (timed(iv) && (double)gap / 60000.0 > k->p[0])
				audit_add(c, i, iv, "", "gap_minutes=%.1f", (double)gap / 60000.0);
			break;
		default:
			break;
		}
	}
	strbuf_release(&changed);
}

/* ---- across interviews ---------------------------------------------------- */

struct span {
	size_t iv;
	const char *who;
	int64_t start, end;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c = strcmp(x->who, y->who);

	if (c)
		return c;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Flags every interview that overlaps an earlier one of the same `who`
 * (enumerator, then device) by more than the tolerance, and that earlier one. */
static void overlaps(struct audit_ctx *c, size_t ci, bool by_device, bool *flagged)
{
	const struct audit_check_priv *k = &c->r->checks[ci];
	int64_t tol = (int64_t)(k->p[0] * 60000.0);
	struct span *sp = xcalloc(c->n_ivs + 1, sizeof(*sp));
	size_t n = 0, i, top = 0;

	for (i = 0; i < c->n_ivs; i++) {
		const struct audit_iv *iv = &c->ivs[i];
		const char *who = by_device ? iv->device : iv->enumerator;

		if (!*who || !timed(iv) || !applies(k, iv))
			continue;
		sp[n].iv = i;
		sp[n].who = who;
		sp[n].start = iv->first;
		sp[n].end = iv->completed ? iv->completed : iv->last;
		n++;
	}
	audit_qsort(sp, n, sizeof(*sp), cmp_span);
	for (i = 0; i < n; i++) {
		/* `top`: the interview of this person that ends last so far */
		if (i == 0 || strcmp(sp[i].who, sp[i - 1].who)) {
			top = i;
			continue;
		}
		if (sp[i].start < sp[top].end - tol) {
			size_t a = sp[top].iv, b = sp[i].iv;
			double mins = (double)((sp[i].end < sp[top].end ? sp[i].end : sp[top].end) -
					       sp[i].start) /
				      60000.0;

			if (!flagged[a]) {
				flagged[a] = true;
				audit_add(c, ci, &c->ivs[a], "", "%s=%s overlaps=%s minutes=%.1f",
					  by_device ? "device" : "enumerator", sp[i].who,
					  c->ivs[b].uuid, mins);
			}
			if (!flagged[b]) {
				flagged[b] = true;
				audit_add(c, ci, &c->ivs[b], "", "%s=%s overlaps=%s minutes=%.1f",
					  by_device ? "device" : "enumerator", sp[i].who,
					  c->ivs[a].uuid, mins);
			}
		}
		if (sp[i].end > sp[top].end)
			top = i;
	}
	free(sp);
}

struct clock_state {
	struct audit_ctx *c;
	size_t ci;
	int64_t tol;
	char *device;
	int64_t max_time, max_seq;
	bool *flagged;
};

static int cmp_uuid(const void *key, const void *elt)
{
	return strcmp(key, ((const struct audit_iv *)elt)->uuid);
}

static int on_event(void *ctx, const struct store_event *ev)
{
	struct clock_state *st = ctx;

	if (!st->device || strcmp(st->device, ev->device)) {
		free(st->device);
		st->device = xstrdup(ev->device);
		st->max_time = ev->time;
		st->max_seq = ev->seq;
		return 0;
	}
	if (ev->time < st->max_time - st->tol && ev->interview && st->c->n_ivs) {
		/* records came in uuid order, so the interviews are sorted */
		struct audit_iv *iv = bsearch(ev->interview, st->c->ivs, st->c->n_ivs,
					      sizeof(*st->c->ivs), cmp_uuid);

		if (iv && !st->flagged[iv - st->c->ivs] && applies(&st->c->r->checks[st->ci], iv)) {
			st->flagged[iv - st->c->ivs] = true;
			audit_add(st->c, st->ci, iv, "",
				  "device=%s seq=%lld back_seconds=%.0f after_seq=%lld", ev->device,
				  (long long)ev->seq, (double)(st->max_time - ev->time) / 1000.0,
				  (long long)st->max_seq);
		}
	}
	if (ev->time > st->max_time) {
		st->max_time = ev->time;
		st->max_seq = ev->seq;
	}
	return 0;
}

int audit_paradata_batch(struct audit_ctx *c, struct error *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < c->r->n_checks && !ret; i++) {
		const struct audit_check_priv *k = &c->r->checks[i];
		bool *flagged;

		if (k->pub.kind != AUDIT_PARADATA ||
		    (k->builtin != PD_OVERLAP && k->builtin != PD_CLOCK_BACK))
			continue;
		flagged = xcalloc(c->n_ivs + 1, sizeof(*flagged));
		if (k->builtin == PD_OVERLAP) {
			overlaps(c, i, false, flagged);
			overlaps(c, i, true, flagged);
		} else {
			struct clock_state st = {c, i, (int64_t)(k->p[0] * 1000.0), NULL, 0, 0,
						 flagged};

			ret = store_events_by_device_each(c->s, on_event, &st, err);
			free(st.device);
		}
		free(flagged);
	}
	return ret < 0 ? -1 : 0;
}
