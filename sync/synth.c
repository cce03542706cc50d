/*
 * synth — synthetic interviews through the interview engine, written as
 * device bundles (include/ruhu/synth.h).
 *
 * For each household the form is walked in document order; each relevant
 * question gets candidate values for its type (a random choice of its list,
 * integers from several plausible ranges, dates, CJK names ...) until the
 * engine accepts one (types, choice_filter, constraint); a required question
 * nothing fits gets "don't know" when the form allows it. Rosters without
 * repeat_count get 1-6 instances; repeat_count rosters follow their count.
 * Paradata: open, one answer_set per stored answer with 5-40 s between them,
 * complete. Everything comes from one seeded PRNG, so output is a function of
 * (form, options).
 */
#include "ruhu/synth.h"

#include "ruhu/bundle.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

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
	for (k = 0; candidate(g, n, k); k++) {
		if (interview_set(g->iv, path.buf, g->val.buf, &err) == 0)
			goto done;
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

/* Collected answers and events of one interview. */
struct out {
	struct bundle_writer *w;
	const char *uuid, *device, *enumerator;
	size_t n;
	struct rng *r;
	int64_t *t;
	long long *seq;
	size_t *events;
};

static void event(struct out *o, const char *kind, const char *path, const char *nv,
		  const char *nsp)
{
	char seq[24], t[24];
	const char *f[12];

	(*o->seq)++;
	snprintf(seq, sizeof(seq), "%lld", *o->seq);
	snprintf(t, sizeof(t), "%" PRId64, *o->t);
	f[0] = o->device;
	f[1] = seq;
	f[2] = o->uuid;
	f[3] = t;
	f[4] = kind;
	f[5] = o->enumerator;
	f[6] = path;
	f[7] = NULL;
	f[8] = nv;
	f[9] = NULL;
	f[10] = nsp;
	f[11] = NULL;
	bundle_writer_row(o->w, BS_EVENTS, f);
	(*o->events)++;
}

static int take_answer(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct out *o = ud;
	const char *sps = sp == IV_DONT_KNOW ? "dont_know" : sp == IV_REFUSED ? "refused" : NULL;
	const char *f[4] = {o->uuid, path, sp ? NULL : value, sps};

	bundle_writer_row(o->w, BS_ANSWERS, f);
	*o->t += rnd(o->r, 5, 40) * 1000;
	event(o, value || sp ? "answer_set" : "repeat_add", path, sp ? NULL : value, sps);
	o->n++;
	return 0;
}

static int write_sample_header(FILE *fp)
{
	return fputs("household_key,county,township,village,household_type,head_name,enumerator,"
		     "device\n",
		     fp) < 0
		       ? -1
		       : 0;
}

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
	const char *src;
	size_t srclen, d, h;
	FILE *sample = NULL;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (!o->devices || !o->households) {
		error_set(err, NULL, "住户数和设备数须大于 0", "households and devices must be > 0");
		return -1;
	}
	src = form_source(f, &srclen);
	if (strlen(src) != srclen || !bundle_utf8_valid(src, srclen)) {
		error_set(err, form_path(f), "问卷文件须为 UTF-8 文本", "form file must be UTF-8 text");
		return -1;
	}
	strbuf_addf(&path, "%s/sample.csv", o->out_dir);
	sample = fopen(path.buf, "w");
	if (!sample || write_sample_header(sample) < 0) {
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
		for (h = d; h < o->households; h += o->devices) {
			struct gen g;
			struct interview_opts io;
			struct out ou;
			char uuid[37], key[32], rev[24], cr[24], up[24];
			int64_t t0, start;
			const char *ivf[11];
			bool done;

			snprintf(key, sizeof(key), "HH%06zu", h + 1);
			uuid_from(&r, uuid);
			memset(&g, 0, sizeof(g));
			g.f = f;
			g.r = &r;
			g.hh_key = key;
			g.enumerator = enumerator;
			g.now = t0 = start = BASE_MS + (int64_t)(h / o->devices / 12) * 86400000 +
				     (int64_t)rnd(&r, 8, 18) * 3600000;
			strbuf_init(&g.val);
			memset(&io, 0, sizeof(io));
			io.deviceid = device;
			io.username = enumerator;
			io.now_ms = gen_clock;
			io.now_ud = &g;
			if (interview_new(f, &io, &iv, err) < 0) {
				strbuf_release(&g.val);
				goto done;
			}
			g.iv = iv;
			fill_range(&g, 0, form_node_count(f), "");
			g.now += rnd(&r, 20, 50) * 60000;
			/* an interview the engine will not complete is kept in
			 * progress; the result counts both */
			done = interview_complete(iv, NULL) == 0;
			/* the interview row first, then its answers and events */
			snprintf(rev, sizeof(rev), "%d", 1);
			memset(&ou, 0, sizeof(ou));
			ou.w = w;
			ou.uuid = uuid;
			ou.device = device;
			ou.enumerator = enumerator;
			ou.r = &r;
			ou.t = &t0;
			ou.seq = &seq;
			ou.events = &res->events;
			event(&ou, "create", NULL, NULL, NULL);
			event(&ou, "open", NULL, NULL, NULL);
			if (interview_answers(iv, take_answer, &ou) != 0) {
				error_set(err, NULL, "无法列出答案", "cannot list the answers");
				strbuf_release(&g.val);
				goto done;
			}
			if (done)
				event(&ou, "complete", NULL, "completed", NULL);
			snprintf(rev, sizeof(rev), "%zu", ou.n + 1 + (done ? 1 : 0));
			snprintf(cr, sizeof(cr), "%" PRId64, start);
			snprintf(up, sizeof(up), "%" PRId64, t0 > g.now ? t0 : g.now);
			ivf[0] = uuid;
			ivf[1] = form_hash(f);
			ivf[2] = key;
			ivf[3] = enumerator;
			ivf[4] = device;
			ivf[5] = done ? "completed" : "in_progress";
			ivf[6] = rev;
			ivf[7] = cr;
			ivf[8] = up;
			ivf[9] = NULL;
			ivf[10] = NULL;
			bundle_writer_row(w, BS_INTERVIEWS, ivf);
			res->interviews++;
			res->completed += done;
			res->answers += ou.n;
			/* sample.csv row from what the interview says */
			strbuf_reset(&row);
			strbuf_addf(&row, "%s,", key);
			sample_field(&row, iv, "county");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "township");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "village");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "household_type");
			strbuf_addch(&row, ',');
			sample_field(&row, iv, "head_name");
			strbuf_addf(&row, ",%s,%s\n", enumerator, device);
			if (fwrite(row.buf, 1, row.len, sample) != row.len) {
				error_set(err, path.buf, "无法写入：%s", "cannot write: %s",
					  strerror(errno));
				strbuf_release(&g.val);
				goto done;
			}
			strbuf_release(&g.val);
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
	if (sample)
		fclose(sample);
	interview_free(iv);
	bundle_writer_free(w);
	strbuf_release(&path);
	strbuf_release(&row);
	return ret;
}
