/*
 * synth — synthetic interviews through the interview engine, written as
 * device bundles (tools/synth/synth.h).
 *
 * For each household the form is walked in document order; each relevant
 * question gets candidate values for its type (a random choice of its list,
 * integers from several plausible ranges, dates, CJK names ...) until the
 * engine accepts one (types, choice_filter, constraint); a required question
 * nothing fits gets "don't know" when the form allows it. Now and then a
 * question that allows it is answered "don't know" or "refused" on purpose,
 * and a number with a constraint is first mistyped (its first digit twice):
 * when the engine refuses the typo that is a real constraint failure, when
 * it accepts it the typo is a real answer changed back. Rosters without
 * repeat_count get 1-6 instances; repeat_count rosters follow their count.
 *
 * Paradata, in the order an enumerator produces it: create, open, then per
 * stored answer (document order) answer_set, or special, or repeat_add;
 * about 6% of answers first get another plausible value and then an
 * answer_changed (old and new); each typo above a constraint_failed before
 * the right value; about 3% of questions a look back (navigate to an earlier
 * question and back); about one interview in three a comment on a question
 * (a comments row and its event); then complete and close. Each event gets a
 * weight in seconds by question type (a choice 5-15 s, an amount 15-45 s,
 * a name 10-35 s ...); the weights are scaled so the interview lasts a
 * random 30-60 minutes (the scale kept within 0.5-2, so a short form stays
 * short). The interview's revision is 1 + its content events, as the store
 * counts them.
 *
 * Everything comes from one seeded PRNG, so output is a function of (form,
 * options). Cost: a few extra engine calls for the rare typos; events are
 * built in one arena per interview.
 */
#include "synth.h"
#include "synth_plan.h"

#include "ruhu/bundle.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE_MS INT64_C(1782864000000) /* 2026-07-01T00:00:00Z */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [lo, hi] */
static long rnd(struct rng *r, long lo, long hi)
{
	return lo + (long)(next(r) % (uint64_t)(hi - lo + 1));
}

static void uuid_from(struct rng *r, char out[37])
{
	uint64_t a = next(r), b = next(r);

	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012" PRIx64, (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
		 (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (uint64_t)(b & 0xffffffffffffull));
}

static const char *const surnames[] = {"李", "王", "张", "刘", "陈", "杨", "赵", "黄",
				       "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"};
static const char *const given[] = {"文", "华", "明", "国", "芳", "秀", "英", "志",
				    "建", "玉", "兰", "军", "德", "富", "强", "梅"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct gen {
	const struct form *f;
	struct interview *iv;
	struct rng *r;
	const char *hh_key;
	const char *enumerator;
	int64_t now;
	struct strbuf val;
	/* the plausible-household plan (NULL: random answers), this household's
	 * county factor on the plan's shares, and whether its income is low */
	const struct synth_plan *plan;
	double factor;
	bool low_income;
	/* typos tried while filling: path, typed value, and whether the
	 * engine refused it ('f': constraint_failed) or took it ('c': changed
	 * back); rare, looked up by path when the events are written */
	struct typo {
		char *path, *value;
		char kind;
	} *typos;
	size_t ntypos, captypos;
};

static void gen_release(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->ntypos; i++) {
		free(g->typos[i].path);
		free(g->typos[i].value);
	}
	free(g->typos);
	g->typos = NULL;
	g->ntypos = g->captypos = 0;
	strbuf_release(&g->val);
}

/* A number with a constraint, mistyped now and then: its first digit twice
 * ("45" -> "445"). The engine decides whether that is a constraint failure
 * (recorded, value unchanged) or a valid answer, which is then corrected
 * back to `good` (recorded as a change). */
static void try_typo(struct gen *g, const struct form_node *n, const char *path, const char *good)
{
	struct strbuf t = STRBUF_INIT;
	struct error err = ERROR_INIT;
	char kind = 0;

	if ((n->type != FORM_INTEGER && n->type != FORM_DECIMAL) || !n->constraint.e ||
	    good[0] < '1' || good[0] > '9' || rnd(g->r, 0, 99) >= 8)
		return;
	strbuf_addch(&t, good[0]);
	strbuf_addstr(&t, good);
	if (interview_set(g->iv, path, t.buf, &err) < 0) {
		if (err.code == IV_E_CONSTRAINT)
			kind = 'f';
	} else if (interview_set(g->iv, path, good, &err) == 0) {
		kind = 'c';
	}
	error_clear(&err);
	if (kind) {
		XGROW(g->typos, g->captypos, g->ntypos + 1);
		g->typos[g->ntypos].path = xstrdup(path);
		g->typos[g->ntypos].value = strbuf_detach(&t, NULL);
		g->typos[g->ntypos].kind = kind;
		g->ntypos++;
	}
	strbuf_release(&t);
}

static void cjk_name(struct gen *g, struct strbuf *sb)
{
	strbuf_addstr(sb, surnames[rnd(g->r, 0, N(surnames) - 1)]);
	strbuf_addstr(sb, given[rnd(g->r, 0, N(given) - 1)]);
	if (rnd(g->r, 0, 1))
		strbuf_addstr(sb, given[rnd(g->r, 0, N(given) - 1)]);
}

/* Candidate number k (0-based) for node n into g->val; 0 when there is
 * none left. */
static int candidate(struct gen *g, const struct form_node *n, int k)
{
	struct strbuf *v = &g->val;

	strbuf_reset(v);
	switch (n->type) {
	case FORM_INTEGER: {
		static const long lo[] = {1, 0, 2010, 1000, 0, 18, 0};
		static const long hi[] = {6, 100, 2025, 60000, 10, 70, 1};

		int sweep = k - (int)N(lo) - 4;

		/* random tries first; then a sweep finds the one value a
		 * constraint may demand (an age that agrees with a birth date) */
		if (sweep < 0)
			strbuf_addf(v, "%ld", rnd(g->r, lo[k % N(lo)], hi[k % N(lo)]));
		else if (sweep <= 130)
			strbuf_addf(v, "%d", sweep);
		else if (sweep <= 161)
			strbuf_addf(v, "%d", 2000 + sweep - 131);
		else
			return 0;
		return 1;
	}
	case FORM_DECIMAL:
		if (k >= 8)
			return 0;
		strbuf_addf(v, "%ld.%02ld", rnd(g->r, 0, k < 3 ? 100 : 50000), rnd(g->r, 0, 99));
		return 1;
	case FORM_RANGE: {
		long steps = (long)((n->range_end - n->range_start) / (n->range_step ? n->range_step : 1));

		if (k >= 6 || steps < 0)
			return 0;
		strbuf_addf(v, "%g", n->range_start + (double)rnd(g->r, 0, steps) * n->range_step);
		return 1;
	}
	case FORM_TEXT:
	case FORM_BARCODE:
		if (!strcmp(n->name, "household_key") && k == 0)
			strbuf_addstr(v, g->hh_key);
		else if (strstr(n->name, "enumerator") && k == 0)
			strbuf_addstr(v, g->enumerator);
		else if (k < 3)
			cjk_name(g, v);
		else if (k == 3)
			strbuf_addf(v, "13%09ld", rnd(g->r, 0, 999999999));
		else if (k == 4)
			strbuf_addf(v, "%ld", rnd(g->r, 1, 9999));
		else if (k == 5)
			strbuf_addstr(v, "无");
		else
			return 0;
		return 1;
	case FORM_DATE: {
		static const long ylo[] = {1945, 2026, 1950, 2020, 1960, 2023, 2005, 2025, 2024, 2021};
		static const long yhi[] = {2000, 2026, 1990, 2026, 1995, 2026, 2020, 2026, 2025, 2023};

		if (k >= (int)N(ylo))
			return 0;
		if (ylo[k] == 2026)
			strbuf_addf(v, "2026-%02ld-%02ld", rnd(g->r, 6, 7), rnd(g->r, 1, 28));
		else
			strbuf_addf(v, "%ld-%02ld-%02ld", rnd(g->r, ylo[k], yhi[k]), rnd(g->r, 1, 6),
				    rnd(g->r, 1, 28));
		return 1;
	}
	case FORM_TIME:
		if (k >= 3)
			return 0;
		strbuf_addf(v, "%02ld:%02ld", rnd(g->r, 7, 19), rnd(g->r, 0, 59));
		return 1;
	case FORM_DATETIME:
		if (k >= 3)
			return 0;
		strbuf_addf(v, "2026-07-%02ldT%02ld:%02ld:00", rnd(g->r, 1, 28), rnd(g->r, 7, 19),
			    rnd(g->r, 0, 59));
		return 1;
	case FORM_GEOPOINT:
		if (k >= 1)
			return 0;
		strbuf_addf(v, "%.5f %.5f %ld 5", 25.0 + (double)rnd(g->r, 0, 99999) / 1e5,
			    102.0 + (double)rnd(g->r, 0, 99999) / 1e5, rnd(g->r, 1200, 2600));
		return 1;
	case FORM_ACKNOWLEDGE:
		if (k >= 1)
			return 0;
		strbuf_addstr(v, "OK");
		return 1;
	case FORM_SELECT_ONE:
	case FORM_SELECT_MULTIPLE: {
		const struct form_list *l = n->list >= 0 ? form_list(g->f, (size_t)n->list) : NULL;
		size_t m, start, i, cnt;

		if (!l || !l->n || k >= (int)l->n + 2)
			return 0;
		m = l->n;
		/* the first tries are random; then every choice in turn */
		start = k < 2 ? (size_t)rnd(g->r, 0, (long)m - 1) : (size_t)(k - 2);
		strbuf_addstr(v, l->choices[start].name);
		if (n->type == FORM_SELECT_MULTIPLE && k < 2) {
			cnt = (size_t)rnd(g->r, 0, 2);
			for (i = 1; i <= cnt && i < m; i++) {
				strbuf_addch(v, ' ');
				strbuf_addstr(v, l->choices[(start + i) % m].name);
			}
		}
		return 1;
	}
	default:
		return 0;
	}
}

/* ---- plausible households (synth_plan) ------------------------------------ */

static double unif(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * (double)(next(r) >> 11) / 9007199254740992.0;
}

/* Whether a problem of base share `share` happens to this household. */
static bool chance(struct gen *g, double share)
{
	double p = share * g->factor;

	return unif(g->r, 0, 1) < (p > 1 ? 1 : p);
}

static double field_number(struct gen *g, const char *prefix, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	const char *v = NULL;
	double d;

	/* in the member's instance first, then at the top */
	strbuf_addf(&p, "%s%s", prefix, name);
	if (interview_get(g->iv, p.buf, &v, NULL) < 0 || !v)
		if (interview_get(g->iv, name, &v, NULL) < 0)
			v = NULL;
	strbuf_release(&p);
	if (!v || !*v)
		return NAN;
	d = strtod(v, NULL);
	return d;
}

static const char *field_text(struct gen *g, const char *prefix, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	const char *v = NULL;

	strbuf_addf(&p, "%s%s", prefix, name);
	if (interview_get(g->iv, p.buf, &v, NULL) < 0)
		v = NULL;
	strbuf_release(&p);
	return v;
}

/* The plan's answer for node n into g->val: 1, or 0 when the plan has none. */
static int plan_value(struct gen *g, const struct form_node *n, const char *prefix)
{
	const struct synth_plan_row *w;
	struct strbuf *v = &g->val;
	double d;

	strbuf_reset(v);
	if (!g->plan)
		return 0;
	if ((w = synth_plan_find(g->plan, SYNTH_PLAN_CHOICE, n->name, NULL))) {
		strbuf_addstr(v, chance(g, w->share) ? w->b : w->a);
		return v->len > 0;
	}
	if ((w = synth_plan_find(g->plan, SYNTH_PLAN_NUMBER, n->name, NULL))) {
		d = chance(g, w->share) ? unif(g->r, w->blo, w->bhi) : unif(g->r, w->alo, w->ahi);
		strbuf_addf(v, "%.0f", floor(d));
		return 1;
	}
	if ((w = synth_plan_find(g->plan, SYNTH_PLAN_INCOME, n->name, NULL))) {
		double per = field_number(g, prefix, w->base);

		if (!(per >= 0))
			return 0;
		d = g->low_income ? unif(g->r, w->blo, w->bhi) : unif(g->r, w->alo, w->ahi);
		strbuf_addf(v, "%.0f", floor(d * per));
		return 1;
	}
	if ((w = synth_plan_find(g->plan, SYNTH_PLAN_RATIO, n->name, NULL))) {
		double base = field_number(g, prefix, w->base);

		if (!(base > 0))
			return 0;
		d = chance(g, w->share) ? unif(g->r, w->blo, w->bhi) : unif(g->r, w->alo, w->ahi);
		strbuf_addf(v, "%.0f", floor(d * base));
		return 1;
	}
	if ((w = synth_plan_find(g->plan, SYNTH_PLAN_COPY, n->name, NULL))) {
		const char *c = field_text(g, prefix, w->base);

		if (!c || !*c)
			return 0;
		strbuf_addstr(v, c);
		return 1;
	}
	{
		size_t i;

		for (i = 0; i < g->plan->n; i++)
			if (g->plan->rows[i].kind == SYNTH_PLAN_AGE &&
			    !strcmp(g->plan->rows[i].name, n->name))
				break;
		if (i < g->plan->n) {
			const char *rel = field_text(g, prefix, g->plan->rows[i].base);
			time_t t = (time_t)(g->now / 1000);
			struct tm tm;
			long age;

			w = synth_plan_find(g->plan, SYNTH_PLAN_AGE, n->name, rel ? rel : "");
			if (!w || !gmtime_r(&t, &tm))
				return 0;
			/* born in January of the year that makes the age completed
			 * at the interview (dated today, from July on) */
			age = (long)floor(unif(g->r, w->blo, w->bhi + 1));
			if (age > (long)w->bhi)
				age = (long)w->bhi;
			strbuf_addf(v, "%ld-01-%02ld", (long)tm.tm_year + 1900 - age, rnd(g->r, 1, 28));
			return 1;
		}
	}
	return 0;
}

static bool answerable(enum form_type t)
{
	switch (t) {
	case FORM_INTEGER: case FORM_DECIMAL: case FORM_RANGE: case FORM_TEXT: case FORM_DATE:
	case FORM_TIME: case FORM_DATETIME: case FORM_SELECT_ONE: case FORM_SELECT_MULTIPLE:
	case FORM_ACKNOWLEDGE: case FORM_GEOPOINT: case FORM_BARCODE:
		return true;
	default:
		return false;
	}
}

static void fill_range(struct gen *g, size_t from, size_t to, const char *prefix);

static void fill_node(struct gen *g, const struct form_node *n, const char *prefix)
{
	struct strbuf path = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int k;

	strbuf_addf(&path, "%s%s", prefix, n->name);
	if (n->read_only_flag || !interview_relevant(g->iv, path.buf))
		goto done;
	{
		const char *cur = NULL;
		enum interview_special sp = IV_SPECIAL_NONE;

		/* a default (today's date, a preload) is what an enumerator keeps */
		if (interview_get(g->iv, path.buf, &cur, &sp) == 0 && (cur || sp) &&
		    interview_check(g->iv, path.buf, &err) == 0)
			goto done;
		error_clear(&err);
	}
	{
		unsigned allow = interview_specials_allowed(g->iv, n->index);

		/* now and then "don't know" or "refused" where the question allows it */
		if (allow && rnd(g->r, 0, 999) < 15) {
			enum interview_special sp =
				(allow & IV_ALLOW_REFUSED) && (!(allow & IV_ALLOW_DONT_KNOW) ||
							       rnd(g->r, 0, 2) == 0)
					? IV_REFUSED
					: IV_DONT_KNOW;

			if (interview_set_special(g->iv, path.buf, sp, &err) == 0)
				goto done;
			error_clear(&err);
		}
	}
	/* a plausible household's answer (after the odd "don't know" above);
	 * a problem it may have comes from the plan's shares, not from random
	 * answers */
	if (plan_value(g, n, prefix)) {
		if (interview_set(g->iv, path.buf, g->val.buf, &err) == 0)
			goto done;
		error_clear(&err);
	}
	for (k = 0; candidate(g, n, k); k++) {
		if (interview_set(g->iv, path.buf, g->val.buf, &err) == 0) {
			char *good = xstrdup(g->val.buf);

			try_typo(g, n, path.buf, good);
			free(good);
			goto done;
		}
		error_clear(&err);
	}
	if (interview_check(g->iv, path.buf, &err) < 0) {
		error_clear(&err);
		if (interview_set_special(g->iv, path.buf, IV_DONT_KNOW, &err) < 0)
			error_clear(&err);
	}
done:
	error_clear(&err);
	strbuf_release(&path);
}

/* Whether every direct (non-repeat) question of an instance passes. */
static bool instance_ok(struct gen *g, size_t from, size_t to, const char *prefix)
{
	struct strbuf p = STRBUF_INIT;
	struct error err = ERROR_INIT;
	bool ok = true;
	size_t i;

	for (i = from; i < to && ok; i++) {
		const struct form_node *n = form_node(g->f, i);

		if (n->type == FORM_REPEAT) {
			i = (size_t)n->end - 1;
			continue;
		}
		if (!answerable(n->type))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%s", prefix, n->name);
		if (interview_check(g->iv, p.buf, &err) < 0) {
			ok = false;
			error_clear(&err);
		}
	}
	strbuf_release(&p);
	return ok;
}

static void clear_range(struct gen *g, size_t from, size_t to, const char *prefix)
{
	struct strbuf p = STRBUF_INIT;
	struct error err = ERROR_INIT;
	size_t i;

	for (i = to; i-- > from;) {
		const struct form_node *n = form_node(g->f, i);

		if (!answerable(n->type) || n->repeat != form_node(g->f, from)->repeat)
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%s", prefix, n->name);
		if (interview_set(g->iv, p.buf, NULL, &err) < 0)
			error_clear(&err);
	}
	strbuf_release(&p);
}

static void fill_repeat(struct gen *g, const struct form_node *n, const char *prefix)
{
	struct strbuf path = STRBUF_INIT, inner = STRBUF_INIT;
	struct error err = ERROR_INIT;
	int count, i;

	strbuf_addf(&path, "%s%s", prefix, n->name);
	if (!interview_relevant(g->iv, path.buf))
		goto done;
	if (n->repeat_count.e) {
		count = interview_repeat_count(g->iv, path.buf);
	} else {
		count = (int)rnd(g->r, 1, 6);
		for (i = interview_repeat_count(g->iv, path.buf); i < count; i++)
			if (interview_repeat_add(g->iv, path.buf, NULL, &err) < 0) {
				error_clear(&err);
				break;
			}
		count = interview_repeat_count(g->iv, path.buf);
	}
	for (i = 1; i <= count; i++) {
		int attempt;

		strbuf_reset(&inner);
		strbuf_addf(&inner, "%s[%d]/", path.buf, i);
		/* an early answer can leave a later required one no valid value
		 * (a birth date making the head a child): clear and refill */
		for (attempt = 0; attempt < 4; attempt++) {
			fill_range(g, (size_t)n->index + 1, (size_t)n->end, inner.buf);
			if (instance_ok(g, (size_t)n->index + 1, (size_t)n->end, inner.buf))
				break;
			clear_range(g, (size_t)n->index + 1, (size_t)n->end, inner.buf);
		}
	}
done:
	strbuf_release(&path);
	strbuf_release(&inner);
}

static void fill_range(struct gen *g, size_t from, size_t to, const char *prefix)
{
	size_t i = from;

	while (i < to) {
		const struct form_node *n = form_node(g->f, i);

		if (n->type == FORM_REPEAT) {
			fill_repeat(g, n, prefix);
			i = (size_t)n->end;
			continue;
		}
		if (answerable(n->type))
			fill_node(g, n, prefix);
		i++;
	}
}

static int64_t gen_clock(void *ud)
{
	return ((struct gen *)ud)->now;
}

/* ---- paradata ------------------------------------------------------------- */

#define NIL SIZE_MAX /* an arena offset meaning SQL NULL */

/* One event before its time is known: strings are offsets into the
 * interview's arena; `w` is its weight in seconds. */
struct ev {
	const char *kind;
	size_t path, oldv, newv, extra;
	const char *oldsp, *newsp;
	long w;
	bool content; /* bumps the revision, as in the store */
};

/* One stored answer, copied from interview_answers. */
struct ans {
	size_t path, value; /* value NIL: a special value or an instance marker */
	const char *sp;
};

struct out {
	struct bundle_writer *w;
	const struct form *f;
	const char *uuid, *device, *enumerator;
	struct rng *r;
	struct strbuf arena;
	struct strbuf name; /* scratch for node_of */
	struct ans *a;
	size_t na, capa;
	struct ev *e;
	size_t ne, cape;
};

static size_t put(struct out *o, const char *s)
{
	size_t at = o->arena.len;

	if (!s)
		return NIL;
	strbuf_add(&o->arena, s, strlen(s) + 1);
	return at;
}

static const char *at(const struct out *o, size_t off)
{
	return off == NIL ? NULL : o->arena.buf + off;
}

static struct ev *ev_add(struct out *o, const char *kind, size_t path, long w, bool content)
{
	struct ev *e;

	XGROW(o->e, o->cape, o->ne + 1);
	e = &o->e[o->ne++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->path = path;
	e->oldv = e->newv = e->extra = NIL;
	e->w = w;
	e->content = content;
	return e;
}

static int take_answer(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct out *o = ud;
	const char *sps = sp == IV_DONT_KNOW ? "dont_know" : sp == IV_REFUSED ? "refused" : NULL;
	const char *f[4] = {o->uuid, path, sp ? NULL : value, sps};

	bundle_writer_row(o->w, BS_ANSWERS, f);
	XGROW(o->a, o->capa, o->na + 1);
	o->a[o->na].path = put(o, path);
	o->a[o->na].value = sp ? NIL : put(o, value);
	o->a[o->na].sp = sps;
	o->na++;
	return 0;
}

/* The form node of an answer path ("members[2]/m_age" -> m_age), or NULL. */
static const struct form_node *node_of(struct out *o, const char *path)
{
	const char *s = strrchr(path, '/');
	int k;

	s = s ? s + 1 : path;
	strbuf_reset(&o->name);
	strbuf_add(&o->name, s, strcspn(s, "["));
	k = form_find(o->f, o->name.buf);
	return k < 0 ? NULL : form_node(o->f, (size_t)k);
}

/* Seconds an enumerator spends on a question of type t: asking, listening,
 * typing. 0 for what the program fills itself (start, today, deviceid ...). */
static long seconds(struct rng *r, const struct form_node *n)
{
	switch (n ? n->type : FORM_NOTE) {
	case FORM_SELECT_ONE: return rnd(r, 5, 15);
	case FORM_SELECT_MULTIPLE: return rnd(r, 10, 30);
	case FORM_INTEGER: return rnd(r, 6, 20);
	case FORM_DECIMAL: return rnd(r, 15, 45);
	case FORM_TEXT: return rnd(r, 10, 35);
	case FORM_DATE: return rnd(r, 10, 25);
	case FORM_TIME: case FORM_RANGE: return rnd(r, 4, 12);
	case FORM_DATETIME: case FORM_BARCODE: return rnd(r, 8, 20);
	case FORM_GEOPOINT: return rnd(r, 20, 60);
	case FORM_ACKNOWLEDGE: return rnd(r, 2, 6);
	default: return 0;
	}
}

/* Another plausible value of node n than `v` into sb (what the enumerator
 * entered first); 0 when there is none worth showing. */
static int other_value(struct out *o, const struct form_node *n, const char *v, struct strbuf *sb)
{
	char *end;

	strbuf_reset(sb);
	if (!n || !v || !*v || !strcmp(n->name, "household_key") || strstr(n->name, "enumerator"))
		return 0;
	switch (n->type) {
	case FORM_SELECT_ONE:
	case FORM_SELECT_MULTIPLE: {
		const struct form_list *l = n->list >= 0 ? form_list(o->f, (size_t)n->list) : NULL;
		size_t i;

		if (!l || l->n < 2)
			return 0;
		i = (size_t)rnd(o->r, 0, (long)l->n - 1);
		if (!strcmp(l->choices[i].name, v))
			i = (i + 1) % l->n;
		strbuf_addstr(sb, l->choices[i].name);
		return 1;
	}
	case FORM_INTEGER: {
		long x = strtol(v, &end, 10);

		if (*end)
			return 0;
		x += rnd(o->r, 0, 1) ? rnd(o->r, 1, 5) : -rnd(o->r, 1, 5);
		strbuf_addf(sb, "%ld", x < 0 ? x + 10 : x);
		return 1;
	}
	case FORM_DECIMAL: {
		double x = strtod(v, &end);

		if (*end)
			return 0;
		strbuf_addf(sb, "%.2f", x * (double)rnd(o->r, 80, 120) / 100.0 + 1.0);
		return 1;
	}
	case FORM_TEXT: {
		struct gen g;

		memset(&g, 0, sizeof(g));
		g.r = o->r;
		cjk_name(&g, sb);
		return strcmp(sb->buf, v) != 0;
	}
	default:
		return 0;
	}
}

static const char *const comment_texts[] = {
	"受访者不确定，按估计填写", "户主外出务工，由配偶回答", "收入按去年账本估算",
	"受访者要求之后再核实", "家中有人住院，访谈中断过一次", "答案与村干部提供的情况不一致",
};

/* The events of one interview from its stored answers and the typos tried
 * while filling, then their times. Returns the number of content events. */
static size_t build_events(struct out *o, const struct gen *g, const char *form_hash,
			   const char *key, bool done)
{
	struct strbuf alt = STRBUF_INIT;
	size_t i, j, content = 0, comment_at = NIL, last_q = NIL;
	struct ev *e;

	if (o->na && rnd(o->r, 0, 2) == 0)
		comment_at = (size_t)rnd(o->r, 0, (long)o->na - 1);
	e = ev_add(o, "create", NIL, 0, false);
	e->newv = put(o, form_hash);
	e->extra = put(o, key);
	ev_add(o, "open", NIL, rnd(o->r, 20, 90), false);
	for (i = 0; i < o->na; i++) {
		const struct ans *a = &o->a[i];
		const char *path = at(o, a->path), *v = at(o, a->value);
		const struct form_node *n = node_of(o, path);
		const struct typo *t = NULL;
		long w = seconds(o->r, n);

		for (j = 0; j < g->ntypos && !t; j++)
			if (!strcmp(g->typos[j].path, path))
				t = &g->typos[j];
		if (!v && !a->sp) {
			ev_add(o, "repeat_add", a->path, rnd(o->r, 3, 8), true);
			continue;
		}
		if (a->sp) {
			/* hesitation before "don't know" / "refused" */
			e = ev_add(o, "special", a->path, w + rnd(o->r, 5, 20), true);
			e->newsp = a->sp;
		} else if (t && t->kind == 'f') {
			e = ev_add(o, "constraint_failed", a->path, w, false);
			e->newv = put(o, t->value);
			e = ev_add(o, "answer_set", a->path, rnd(o->r, 4, 12), true);
			e->newv = a->value;
		} else if ((t && t->kind == 'c') ||
			   (w && rnd(o->r, 0, 99) < 6 && other_value(o, n, v, &alt))) {
			size_t first = t ? put(o, t->value) : put(o, alt.buf);

			e = ev_add(o, "answer_set", a->path, w, true);
			e->newv = first;
			e = ev_add(o, "answer_changed", a->path, rnd(o->r, 4, 15), true);
			e->oldv = first;
			e->newv = a->value;
		} else {
			e = ev_add(o, "answer_set", a->path, w, true);
			e->newv = a->value;
		}
		if (w && last_q != NIL && rnd(o->r, 0, 99) < 3) {
			/* a look back at an earlier question, and on */
			ev_add(o, "navigate", o->a[(size_t)rnd(o->r, 0, (long)last_q)].path,
			       rnd(o->r, 3, 8), false);
			ev_add(o, "navigate", a->path, rnd(o->r, 5, 20), false);
		}
		if (w)
			last_q = i;
		if (w && comment_at != NIL && i >= comment_at) {
			char cuuid[37];

			uuid_from(o->r, cuuid);
			e = ev_add(o, "comment", a->path, rnd(o->r, 20, 60), true);
			e->newv = put(o, comment_texts[rnd(o->r, 0, N(comment_texts) - 1)]);
			e->extra = put(o, cuuid);
			comment_at = NIL;
		}
	}
	if (done) {
		e = ev_add(o, "complete", NIL, rnd(o->r, 10, 40), true);
		e->oldv = put(o, "in_progress");
		e->newv = put(o, "completed");
	}
	ev_add(o, "close", last_q == NIL ? NIL : o->a[last_q].path, rnd(o->r, 2, 10), false);
	for (i = 0; i < o->ne; i++)
		content += o->e[i].content;
	strbuf_release(&alt);
	return content;
}

/* Writes the events (and comment rows) with times from `start`: the weights
 * scaled so the whole lasts `target` ms, within 0.5-2x of the weights' sum.
 * Returns the time of the last content event. */
static int64_t write_events(struct out *o, int64_t start, int64_t target, long long *seq,
			    size_t *events)
{
	int64_t total = 0, cum = 0, t = start, last = start;
	size_t i;

	for (i = 0; i < o->ne; i++)
		total += o->e[i].w;
	total *= 1000;
	if (target > 2 * total)
		target = 2 * total;
	if (target < total / 2)
		target = total / 2;
	for (i = 0; i < o->ne; i++) {
		const struct ev *e = &o->e[i];
		char sq[24], ts[24];
		const char *f[12];

		cum += e->w * 1000;
		if (total)
			t = start + cum * target / total;
		(*seq)++;
		snprintf(sq, sizeof(sq), "%lld", *seq);
		snprintf(ts, sizeof(ts), "%" PRId64, t);
		f[0] = o->device;
		f[1] = sq;
		f[2] = o->uuid;
		f[3] = ts;
		f[4] = e->kind;
		f[5] = o->enumerator;
		f[6] = at(o, e->path);
		f[7] = at(o, e->oldv);
		f[8] = at(o, e->newv);
		f[9] = e->oldsp;
		f[10] = e->newsp;
		f[11] = at(o, e->extra);
		bundle_writer_row(o->w, BS_EVENTS, f);
		(*events)++;
		if (e->content)
			last = t;
		if (!strcmp(e->kind, "comment")) {
			const char *c[7] = {f[11], o->uuid, f[6], o->enumerator, f[8], ts, o->device};

			bundle_writer_row(o->w, BS_COMMENTS, c);
		}
	}
	return last;
}

static void out_reset(struct out *o)
{
	strbuf_reset(&o->arena);
	o->na = o->ne = 0;
}

static void out_release(struct out *o)
{
	strbuf_release(&o->arena);
	strbuf_release(&o->name);
	free(o->a);
	free(o->e);
}

static int write_sample_header(FILE *fp, size_t counties)
{
	return fputs("household_key,county,township,village,household_type,head_name,enumerator,"
		     "device",
		     fp) < 0 ||
			       fputs(counties ? ",county_class,prefecture\n" : "\n", fp) < 0
		       ? -1
		       : 0;
}

/* With --counties: county k of n (1-based) in the sample, its class (three,
 * as Gansu's) and its prefecture (ten counties each). */
static const char *const county_classes[] = {"national", "other", "scattered"};

static void sample_field(struct strbuf *sb, struct interview *iv, const char *name)
{
	const char *v = NULL;
	const char *one[1];

	if (interview_get(iv, name, &v, NULL) < 0 || !v)
		v = "";
	one[0] = v;
	bundle_csv_row(sb, one, 1);
	strbuf_setlen(sb, sb->len - 1); /* drop the record's newline */
}

int synth_run(const struct form *f, const struct synth_opts *o, struct synth_result *res,
	      struct error *err)
{
	struct rng r = {o->seed * 0x2545f4914f6cdd1dull + 1};
	struct strbuf path = STRBUF_INIT, row = STRBUF_INIT;
	struct bundle_writer *w = NULL;
	struct interview *iv = NULL;
	struct out ou;
	const char *src;
	size_t srclen, d, h;
	FILE *sample = NULL;
	struct synth_plan *plan = NULL;
	double *factors = NULL;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&ou, 0, sizeof(ou));
	strbuf_init(&ou.arena);
	strbuf_init(&ou.name);
	if (!o->devices || !o->households) {
		error_set(err, NULL, "住户数和设备数须大于 0", "households and devices must be > 0");
		return -1;
	}
	src = form_source(f, &srclen);
	if (strlen(src) != srclen || !utf8_text_valid(src, srclen)) {
		error_set(err, form_path(f), "问卷文件须为 UTF-8 文本", "form file must be UTF-8 text");
		return -1;
	}
	if (synth_plan_load(form_path(f), &plan, err) < 0)
		goto done;
	/* each county's factor on the plan's shares: problem rates vary by
	 * county, from its own stream so that the answers' stream is the same
	 * for any number of counties */
	factors = xmalloc((o->counties ? o->counties : 1) * sizeof(double));
	{
		struct rng cr = {o->seed * 0x9e3779b97f4a7c15ull + 7};
		double lo = synth_plan_setting(plan, "county_factor_min", 1);
		double hi = synth_plan_setting(plan, "county_factor_max", 1);

		for (d = 0; d < (o->counties ? o->counties : 1); d++)
			factors[d] = unif(&cr, lo, hi);
	}
	strbuf_addf(&path, "%s/sample.csv", o->out_dir);
	sample = fopen(path.buf, "w");
	if (!sample || write_sample_header(sample, o->counties) < 0) {
		error_set(err, path.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
		goto done;
	}
	for (d = 0; d < o->devices; d++) {
		char device[37], enumerator[64], created[32];
		long long seq = 0;
		char *name;
		const char *fr[5] = {form_id(f), form_version(f), form_hash(f), form_title(f), src};

		uuid_from(&r, device);
		snprintf(enumerator, sizeof(enumerator), "%s%s", surnames[d % N(surnames)],
			 d / N(surnames) ? given[(d / N(surnames)) % N(given)] : "敏");
		snprintf(created, sizeof(created), "2026-07-%02zuT20:00:00Z", 1 + d % 28);
		w = bundle_writer_new(BUNDLE_DEVICE, device, NULL, 1, created);
		bundle_writer_add_enumerator(w, enumerator);
		bundle_writer_row(w, BS_FORMS, fr);
		/* the form's attached files travel with it (a format 2 bundle): its
		 * hash covers them, so a merge refuses the form without them */
		for (h = 0; h < form_attachment_count(f); h++) {
			struct form_attachment a;
			const char *sha = NULL;

			if (form_attachment_get(f, h, &a, &sha) == 0) {
				const char *ff[4] = {form_hash(f), a.name, sha, a.data};

				bundle_writer_row(w, BS_FORM_FILES, ff);
			}
		}
		for (h = d; h < o->households; h += o->devices) {
			struct gen g;
			struct interview_opts io;
			char uuid[37], key[32], rev[24], cr[24], up[24];
			int64_t start, target, last;
			const char *ivf[11];
			size_t content;
			bool done;

			snprintf(key, sizeof(key), "HH%06zu", h + 1);
			uuid_from(&r, uuid);
			memset(&g, 0, sizeof(g));
			g.f = f;
			g.r = &r;
			g.hh_key = key;
			g.enumerator = enumerator;
			g.plan = plan;
			g.factor = factors[o->counties ? h % o->counties : 0];
			g.low_income = plan && chance(&g, synth_plan_setting(plan, "low_income_share", 0));
			g.now = start = BASE_MS + (int64_t)(h / o->devices / 12) * 86400000 +
					(int64_t)rnd(&r, 8, 17) * 3600000 + (int64_t)rnd(&r, 0, 59) * 60000;
			/* 30-60 minutes from open to complete (a minute inside each
			 * end: the close event's share of the time comes after the
			 * last answer) */
			target = (int64_t)rnd(&r, 31 * 60, 59 * 60) * 1000;
			strbuf_init(&g.val);
			memset(&io, 0, sizeof(io));
			io.deviceid = device;
			io.username = enumerator;
			io.now_ms = gen_clock;
			io.now_ud = &g;
			if (interview_new(f, &io, &iv, err) < 0) {
				gen_release(&g);
				goto done;
			}
			g.iv = iv;
			fill_range(&g, 0, form_node_count(f), "");
			g.now = start + target;
			/* an interview the engine will not complete is kept in
			 * progress; the result counts both */
			done = interview_complete(iv, NULL) == 0;
			/* answers, then the events and comments they imply, then
			 * the interview row with the revision they add up to */
			out_reset(&ou);
			ou.w = w;
			ou.f = f;
			ou.uuid = uuid;
			ou.device = device;
			ou.enumerator = enumerator;
			ou.r = &r;
			if (interview_answers(iv, take_answer, &ou) != 0) {
				error_set(err, NULL, "无法列出答案", "cannot list the answers");
				gen_release(&g);
				goto done;
			}
			content = build_events(&ou, &g, form_hash(f), key, done);
			last = write_events(&ou, start, target, &seq, &res->events);
			snprintf(rev, sizeof(rev), "%zu", 1 + content);
			snprintf(cr, sizeof(cr), "%" PRId64, start);
			snprintf(up, sizeof(up), "%" PRId64, last);
			ivf[0] = uuid;
			ivf[1] = form_hash(f);
			ivf[2] = key;
			ivf[3] = enumerator;
			ivf[4] = device;
			ivf[5] = done ? "completed" : "in_progress";
			ivf[6] = rev;
			ivf[7] = cr;
			ivf[8] = up;
			ivf[9] = ou.na ? at(&ou, ou.a[ou.na - 1].path) : NULL;
			ivf[10] = NULL;
			bundle_writer_row(w, BS_INTERVIEWS, ivf);
			res->interviews++;
			res->completed += done;
			res->answers += ou.na;
			/* sample.csv row from what the interview says */
			strbuf_reset(&row);
			strbuf_addf(&row, "%s,", key);
			if (o->counties)
				strbuf_addf(&row, "C%03zu", h % o->counties + 1);
			else
				sample_field(&row, iv, "county");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "township");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "village");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "household_type");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "head_name");
			strbuf_addf(&row, ",%s,%s", enumerator, device);
			if (o->counties)
				strbuf_addf(&row, ",%s,P%02zu",
					    county_classes[(h % o->counties) % N(county_classes)],
					    (h % o->counties) / 10 + 1);
			strbuf_addch(&row, '\n');
			if (fwrite(row.buf, 1, row.len, sample) != row.len) {
				error_set(err, path.buf, "无法写入：%s", "cannot write: %s",
					  strerror(errno));
				gen_release(&g);
				goto done;
			}
			gen_release(&g);
			interview_free(iv);
			iv = NULL;
		}
		name = bundle_file_name(BUNDLE_DEVICE, device, 1);
		if (bundle_writer_save(w, o->out_dir, name, err) < 0) {
			free(name);
			goto done;
		}
		free(name);
		bundle_writer_free(w);
		w = NULL;
		res->bundles++;
	}
	if (fclose(sample) != 0) {
		sample = NULL;
		error_set(err, path.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
		goto done;
	}
	sample = NULL;
	ret = 0;
done:
	synth_plan_free(plan);
	free(factors);
	if (sample)
		fclose(sample);
	interview_free(iv);
	bundle_writer_free(w);
	out_release(&ou);
	strbuf_release(&path);
	strbuf_release(&row);
	return ret;
}
