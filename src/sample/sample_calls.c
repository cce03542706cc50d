/*
 * sample_calls — call attempts as store events, and the AAPOR disposition
 * report (include/ruhu/sample_calls.h). No SQL here: attempts are written
 * with store_event_log and read with store_events_each (device-level
 * events), households and their counties come from store_assignment_list.
 */
#include "ruhu/sample_calls.h"

#include "ruhu/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[SAMPLE_CALL_COUNT] = {
	"answered",	 "no_answer",	"busy",	    "refused",
	"wrong_number", "dead_number", "callback", "language",
};

const char *sample_call_outcome_name(enum sample_call_outcome o)
{
	return (unsigned)o < SAMPLE_CALL_COUNT ? names[o] : NULL;
}

int sample_call_outcome_parse(const char *s, enum sample_call_outcome *out)
{
	int i;

	for (i = 0; s && i < SAMPLE_CALL_COUNT; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum sample_call_outcome)i;
			return 0;
		}
	return -1;
}

int sample_call_log(struct store *s, const char *household_key, enum sample_call_outcome o,
		    int64_t callback_at, struct error *err)
{
	struct store_assignment_row *row = NULL;
	char extra[48];
	int ret;

	if ((unsigned)o >= SAMPLE_CALL_COUNT) {
		error_set(err, NULL, "未知的通话结果", "unknown call outcome");
		if (err)
			err->code = STORE_E_INVALID;
		return -STORE_E_INVALID;
	}
	/* only a household of the sample (STORE_E_NOTFOUND otherwise) */
	ret = store_assignment_get(s, household_key, &row, err);
	if (ret < 0)
		return ret;
	store_assignment_rows_free(row, 1);
	if (o == SAMPLE_CALL_CALLBACK && callback_at > 0)
		snprintf(extra, sizeof(extra), "callback=%lld", (long long)callback_at);
	return store_event_log(s, NULL, "call_attempt", household_key, NULL, names[o],
			       o == SAMPLE_CALL_CALLBACK && callback_at > 0 ? extra : NULL, err);
}

/* ---- report ------------------------------------------------------------------- */

enum disp { D_I, D_P, D_R, D_NC, D_O, D_UH, D_NE, D_COUNT };

struct hh {
	char *key;
	const char *county; /* points into the assignment rows, or "" */
	bool phone, completed;
	unsigned seen[SAMPLE_CALL_COUNT];
	size_t attempts;
};

struct rctx {
	struct hh *h;
	size_t n, cap;
	struct store_assignment_row *rows;
	size_t n_rows;
};

static int cmp_hh(const void *a, const void *b)
{
	return strcmp(((const struct hh *)a)->key, ((const struct hh *)b)->key);
}

static struct hh *find(struct rctx *c, const char *key)
{
	struct hh k = {(char *)key, NULL, false, false, {0}, 0};

	return c->n ? bsearch(&k, c->h, c->n, sizeof(*c->h), cmp_hh) : NULL;
}

static int on_event(void *ud, const struct store_event *ev)
{
	struct rctx *c = ud;
	struct hh *h;
	enum sample_call_outcome o;

	if (strcmp(ev->kind, "call_attempt") || !ev->path ||
	    sample_call_outcome_parse(ev->new_value, &o) < 0)
		return 0;
	h = find(c, ev->path);
	if (!h) {
		/* a household no longer in the sample: kept, county unknown; the
		 * array is re-sorted after the pass */
		XGROW(c->h, c->cap, c->n + 1);
		memset(&c->h[c->n], 0, sizeof(c->h[0]));
		c->h[c->n].key = xstrdup(ev->path);
		c->h[c->n].county = "";
		h = &c->h[c->n++];
		qsort(c->h, c->n, sizeof(*c->h), cmp_hh);
		h = find(c, ev->path);
	}
	h->seen[o]++;
	h->attempts++;
	return 0;
}

static enum disp disposition(const struct hh *h)
{
	if (h->seen[SAMPLE_CALL_ANSWERED])
		return h->completed ? D_I : D_P;
	if (h->seen[SAMPLE_CALL_REFUSED])
		return D_R;
	if (h->seen[SAMPLE_CALL_LANGUAGE])
		return D_O;
	if (h->seen[SAMPLE_CALL_CALLBACK])
		return D_NC;
	if (h->seen[SAMPLE_CALL_WRONG_NUMBER] || h->seen[SAMPLE_CALL_DEAD_NUMBER])
		return D_NE;
	return D_UH;
}

static void rate(struct strbuf *sb, double num, double den)
{
	if (den > 0)
		strbuf_addf(sb, ",%.4f", num / den);
	else
		strbuf_addch(sb, ',');
}

static void row_out(struct strbuf *sb, const char *county, const size_t *d, size_t households,
		    size_t attempts)
{
	double I = (double)d[D_I], P = (double)d[D_P], R = (double)d[D_R], NC = (double)d[D_NC];
	double O = (double)d[D_O], UH = (double)d[D_UH], NE = (double)d[D_NE];
	double known = I + P + R + NC + O, e = known + NE > 0 ? known / (known + NE) : 0;
	const char *p;
	int k;

	if (strpbrk(county, ",\"\r\n")) {
		strbuf_addch(sb, '"');
		for (p = county; *p; p++) {
			if (*p == '"')
				strbuf_addch(sb, '"');
			strbuf_addch(sb, *p);
		}
		strbuf_addch(sb, '"');
	} else
		strbuf_addstr(sb, county);
	strbuf_addf(sb, ",%zu,%zu", households, attempts);
	for (k = 0; k < D_COUNT; k++)
		strbuf_addf(sb, ",%zu", d[k]);
	if (known + NE > 0)
		strbuf_addf(sb, ",%.4f", e);
	else
		strbuf_addch(sb, ',');
	rate(sb, I, I + P + R + NC + O + UH);
	rate(sb, I, I + P + R + NC + O + e * UH);
	rate(sb, I, I + P + R + O);
	rate(sb, R, I + P + R + NC + O + UH);
	rate(sb, I + P + R + O, I + P + R + O + NC + UH);
	strbuf_addch(sb, '\n');
}

static int cmp_county(const void *a, const void *b)
{
	const struct hh *x = a, *y = b;
	int c = strcmp(x->county, y->county);

	return c ? c : strcmp(x->key, y->key);
}

int sample_calls_report(struct store *s, struct strbuf *out, struct error *err)
{
	struct store_assignment_filter all = STORE_ASSIGNMENT_FILTER_ALL;
	struct rctx c;
	size_t i, tot[D_COUNT] = {0}, cd[D_COUNT] = {0}, ch = 0, ca = 0, th = 0, ta = 0;
	const char *cur = NULL;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = store_assignment_list(s, &all, &c.rows, &c.n_rows, err);
	if (ret < 0)
		return ret;
	c.h = xcalloc(c.n_rows ? c.n_rows : 1, sizeof(*c.h));
	c.cap = c.n_rows ? c.n_rows : 1;
	for (i = 0; i < c.n_rows; i++) {
		struct store_field *f = NULL;
		size_t nf = 0, j;
		struct hh *h = &c.h[c.n++];

		h->key = xstrdup(c.rows[i].household_key);
		h->county = c.rows[i].county ? c.rows[i].county : "";
		h->completed = c.rows[i].status == STORE_ASTATUS_COMPLETED ||
			       c.rows[i].status == STORE_ASTATUS_APPROVED;
		ret = store_assignment_preload(s, c.rows[i].household_key, &f, &nf, err);
		if (ret < 0)
			goto done;
		for (j = 0; j < nf; j++)
			if (!strcmp(f[j].name, "selection_reason") && !strcmp(f[j].value, "phone"))
				h->phone = true;
		store_fields_free(f, nf);
	}
	qsort(c.h, c.n, sizeof(*c.h), cmp_hh);
	ret = store_events_each(s, NULL, on_event, &c, err);
	if (ret < 0)
		goto done;
	qsort(c.h, c.n, sizeof(*c.h), cmp_county);
	strbuf_addstr(out, "county,households,attempts,I,P,R,NC,O,UH,NE,e,RR1,RR3,COOP1,REF1,CON1\n");
	for (i = 0; i < c.n; i++) {
		const struct hh *h = &c.h[i];
		enum disp d;

		if (!h->phone && !h->attempts)
			continue; /* a field household nobody called */
		if (cur && strcmp(cur, h->county)) {
			row_out(out, cur, cd, ch, ca);
			memset(cd, 0, sizeof(cd));
			ch = ca = 0;
		}
		cur = h->county;
		d = disposition(h);
		cd[d]++;
		tot[d]++;
		ch++;
		th++;
		ca += h->attempts;
		ta += h->attempts;
	}
	if (cur)
		row_out(out, cur, cd, ch, ca);
	row_out(out, "*", tot, th, ta);
	ret = 0;
done:
	for (i = 0; i < c.n; i++)
		free(c.h[i].key);
	free(c.h);
	store_assignment_rows_free(c.rows, c.n_rows);
	return ret;
}
