/*
 * sample_frame — reads the household frame of `ruhu sample` (the province's
 * register: one row per household) with csvread, so every fault names the
 * physical line of its row.
 *
 * Required columns: household_key, county, township, village,
 * household_type, head_name, phone, and every frame column the plan ranks
 * villages by (a number, the same on every row of a village). A village is
 * named by (county, village). Other columns are ignored.
 *
 * Invariants of a loaded frame: keys are unique and valid identifiers;
 * households of a village are listed in frame order in by_village[first ..
 * first + n); counties and villages are numbered in order of first
 * appearance, so nothing depends on hashing. Cost: linear in the file, one
 * hash lookup per row (a cache hit when rows of a village are adjacent).
 */
#include "sample_impl.h"

#include "ruhu/csvread.h"
#include "ruhu/ident.h"
#include "ruhu/infile.h"
#include "ruhu/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many faults the frame is not read further: a wrong file would
 * otherwise give one message per row. */
#define FRAME_MAX_ERRORS 50

enum { C_KEY, C_COUNTY, C_TOWNSHIP, C_VILLAGE, C_TYPE, C_HEAD, C_PHONE, NREQ };
static const char *const required[NREQ] = {"household_key",  "county",    "township", "village",
					   "household_type", "head_name", "phone"};

struct table {
	size_t *slot; /* index + 1, 0 empty */
	size_t cap;   /* a power of two */
	size_t n;
};

struct fr {
	const struct sample_plan *p;
	struct sample_frame *f;
	struct diag_list *dl;
	size_t errors0;
	size_t records;
	size_t nh;
	int col[NREQ];
	int *rcol;         /* per plan rank: the frame column, -1 for derived */
	size_t cap_hh, cap_v, cap_c, cap_s, cap_attr;
	struct table keys, vill;
	size_t last_v;     /* the previous row's village + 1 (cache) */
	bool hdr_ok;
	size_t *vline;     /* line of each village's first row */
	struct strbuf sb;
};

static uint64_t fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0x1f) * 1099511628211ull;
	for (; b && *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

static void table_grow(struct table *t, uint64_t (*hash)(void *, size_t), void *ud)
{
	size_t *old = t->slot, oc = t->cap, i;

	t->cap = oc ? oc * 2 : 1024;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oc; i++)
		if (old[i]) {
			size_t j = hash(ud, old[i] - 1) & (t->cap - 1);

			while (t->slot[j])
				j = (j + 1) & (t->cap - 1);
			t->slot[j] = old[i];
		}
	free(old);
}

static uint64_t key_hash(void *ud, size_t i)
{
	struct sample_frame *f = ud;

	return fnv(f->hh[i].key, NULL);
}

static uint64_t vill_hash(void *ud, size_t i)
{
	struct sample_frame *f = ud;

	return fnv(f->counties[f->villages[i].county].name, f->villages[i].village);
}

static void ferr(struct fr *r, size_t line, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
static void ferr(struct fr *r, size_t line, const char *zh, const char *en, ...)
{
	char w[32];
	va_list ap;

	snprintf(w, sizeof(w), "%zu", line);
	va_start(ap, en);
	diag_vadd(r->dl, DIAG_ERROR, w, zh, en, ap);
	va_end(ap);
}

static char *intern(struct fr *r, char *s)
{
	struct sample_frame *f = r->f;

	XGROW(f->strings, r->cap_s, f->n_strings + 1);
	f->strings[f->n_strings++] = s;
	return s;
}

static void header(struct fr *r, struct csvread_record *rec)
{
	const struct sample_plan *p = r->p;
	size_t i, j;

	r->nh = rec->n;
	for (j = 0; j < NREQ; j++)
		r->col[j] = -1;
	r->rcol = xcalloc(p->n_ranks ? p->n_ranks : 1, sizeof(*r->rcol));
	for (j = 0; j < p->n_ranks; j++)
		r->rcol[j] = -1;
	for (i = 0; i < rec->n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(rec->cells[i], rec->cells[j]))
				break;
		if (j < i && *rec->cells[i]) {
			ferr(r, rec->line, "列名 '%s' 重复", "column '%s' repeated", rec->cells[i]);
			continue;
		}
		for (j = 0; j < NREQ; j++)
			if (!strcmp(rec->cells[i], required[j]))
				r->col[j] = (int)i;
		for (j = 0; j < p->n_ranks; j++)
			if (p->ranks[j].type < 0 && !strcmp(rec->cells[i], p->ranks[j].column))
				r->rcol[j] = (int)i;
	}
	for (j = 0; j < NREQ; j++)
		if (r->col[j] < 0)
			ferr(r, rec->line, "缺少列 '%s'", "missing column '%s'", required[j]);
	for (j = 0; j < p->n_ranks; j++)
		if (p->ranks[j].type < 0 && r->rcol[j] < 0)
			ferr(r, rec->line, "缺少列 '%s'（抽样方案按它给村排序）",
			     "missing column '%s' (the plan ranks villages by it)", p->ranks[j].column);
}

static size_t county_of(struct fr *r, const char *name, size_t line)
{
	struct sample_frame *f = r->f;
	const struct sample_plan *p = r->p;
	size_t i, row = (size_t)-1;

	if (r->last_v && !strcmp(f->counties[f->villages[r->last_v - 1].county].name, name))
		return f->villages[r->last_v - 1].county;
	for (i = f->n_counties; i-- > 0;)
		if (!strcmp(f->counties[i].name, name))
			return i;
	for (i = 0; i < p->n_counties; i++)
		if (!strcmp(p->counties[i].county, name))
			row = i;
	if (row == (size_t)-1)
		for (i = 0; i < p->n_counties; i++)
			if (!strcmp(p->counties[i].county, "*"))
				row = i;
	if (row == (size_t)-1) {
		ferr(r, line, "县 '%s' 不属于抽样方案的任何一层（strata 表）",
		     "county '%s' is in no stratum of the plan (strata sheet)", name);
		return (size_t)-1;
	}
	XGROW(f->counties, r->cap_c, f->n_counties + 1);
	memset(&f->counties[f->n_counties], 0, sizeof(f->counties[0]));
	f->counties[f->n_counties].name = intern(r, xstrdup(name));
	f->counties[f->n_counties].plan_row = row;
	f->counties[f->n_counties].first_line = line;
	return f->n_counties++;
}

static size_t village_of(struct fr *r, struct csvread_record *rec, size_t county)
{
	struct sample_frame *f = r->f;
	const char *v = rec->cells[r->col[C_VILLAGE]];
	const char *cn = f->counties[county].name;
	uint64_t h;
	size_t j, k, nr = r->p->n_ranks, nt = r->p->n_types;
	struct frame_village *fv;

	if (r->last_v) {
		fv = &f->villages[r->last_v - 1];
		if (fv->county == county && !strcmp(fv->village, v))
			return r->last_v - 1;
	}
	h = fnv(cn, v);
	if (r->vill.cap) {
		for (j = h & (r->vill.cap - 1); r->vill.slot[j]; j = (j + 1) & (r->vill.cap - 1)) {
			fv = &f->villages[r->vill.slot[j] - 1];
			if (fv->county == county && !strcmp(fv->village, v))
				return r->vill.slot[j] - 1;
		}
	}
	XGROW(f->villages, r->cap_v, f->n_villages + 1);
	XGROW(r->vline, r->cap_attr, f->n_villages + 1);
	fv = &f->villages[f->n_villages];
	memset(fv, 0, sizeof(*fv));
	fv->county = county;
	fv->village = intern(r, xstrdup(v));
	fv->township = intern(r, xstrdup(rec->cells[r->col[C_TOWNSHIP]]));
	fv->attr = xcalloc(nr ? nr : 1, sizeof(*fv->attr));
	fv->count = xcalloc(nt ? nt : 1, sizeof(*fv->count));
	for (k = 0; k < nr; k++)
		fv->attr[k] = NAN;
	r->vline[f->n_villages] = rec->line;
	f->n_villages++;
	if ((f->n_villages + 1) * 2 > r->vill.cap)
		table_grow(&r->vill, vill_hash, f);
	for (j = h & (r->vill.cap - 1); r->vill.slot[j]; j = (j + 1) & (r->vill.cap - 1))
		;
	r->vill.slot[j] = f->n_villages;
	return f->n_villages - 1;
}

static int key_seen(struct fr *r, const char *key, size_t *line)
{
	struct sample_frame *f = r->f;
	size_t j;

	if (!r->keys.cap)
		return 0;
	for (j = fnv(key, NULL) & (r->keys.cap - 1); r->keys.slot[j];
	     j = (j + 1) & (r->keys.cap - 1))
		if (!strcmp(f->hh[r->keys.slot[j] - 1].key, key)) {
			*line = f->hh[r->keys.slot[j] - 1].line;
			return 1;
		}
	return 0;
}

static void key_add(struct fr *r, size_t i)
{
	size_t j;

	if ((r->f->n + 1) * 2 > r->keys.cap)
		table_grow(&r->keys, key_hash, r->f);
	for (j = fnv(r->f->hh[i].key, NULL) & (r->keys.cap - 1); r->keys.slot[j];
	     j = (j + 1) & (r->keys.cap - 1))
		;
	r->keys.slot[j] = i + 1;
}

static void data_row(struct fr *r, struct csvread_record *rec)
{
	const struct sample_plan *p = r->p;
	struct sample_frame *f = r->f;
	struct frame_household *h;
	struct error e = ERROR_INIT;
	const char *key, *type;
	size_t i, county, v, prev;
	int t;

	if (rec->n != r->nh) {
		ferr(r, rec->line, "有 %zu 个字段，表头有 %zu 列", "%zu fields, the header has %zu columns",
		     rec->n, r->nh);
		return;
	}
	for (i = 0; i < rec->n; i++)
		if (strchr(rec->cells[i], '\n') || strchr(rec->cells[i], '\r')) {
			ferr(r, rec->line, "第 %zu 列的值含有换行", "column %zu holds a line break", i + 1);
			return;
		}
	key = rec->cells[r->col[C_KEY]];
	if (ident_check(key, IDENT_HOUSEHOLD, &e) != 0) {
		diag_add(r->dl, DIAG_ERROR, NULL, "%1$s%2$.0s", "%1$.0s%2$s", e.zh, e.en);
		free(r->dl->items[r->dl->n - 1].e.where);
		{
			char w[32];

			snprintf(w, sizeof(w), "%zu", rec->line);
			r->dl->items[r->dl->n - 1].e.where = xstrdup(w);
		}
		error_clear(&e);
		return;
	}
	for (i = C_COUNTY; i <= C_HEAD; i++)
		if (!*rec->cells[r->col[i]]) {
			ferr(r, rec->line, "'%s' 为空", "empty '%s'", required[i]);
			return;
		}
	type = rec->cells[r->col[C_TYPE]];
	for (t = 0; t < (int)p->n_types; t++)
		if (!strcmp(p->types[t].type, type))
			break;
	if (t == (int)p->n_types) {
		ferr(r, rec->line, "户类型 '%s' 不在抽样方案的 households 表中",
		     "household type '%s' is not in the plan's households sheet", type);
		return;
	}
	if (key_seen(r, key, &prev)) {
		ferr(r, rec->line, "户编号 '%s' 已在第 %zu 行", "household key '%s' already on line %zu",
		     key, prev);
		return;
	}
	county = county_of(r, rec->cells[r->col[C_COUNTY]], rec->line);
	if (county == (size_t)-1)
		return;
	v = village_of(r, rec, county);
	for (i = 0; i < p->n_ranks; i++) {
		struct frame_village *fv = &f->villages[v];
		const char *c;
		char *end;
		double d;

		if (p->ranks[i].type >= 0)
			continue;
		c = rec->cells[r->rcol[i]];
		errno = 0;
		d = strtod(c, &end);
		if (!*c || *end || errno || !isfinite(d)) {
			ferr(r, rec->line, "'%s' 列的值 '%s' 不是数字", "column '%s': '%s' is not a number",
			     p->ranks[i].column, c);
			return;
		}
		if (isnan(fv->attr[i]))
			fv->attr[i] = d;
		else if (fv->attr[i] != d) {
			ferr(r, rec->line, "村 '%s' 的 '%s' 与第 %zu 行不同（村的属性须每行相同）",
			     "village '%s': '%s' differs from line %zu (a village attribute must be the "
			     "same on every row)",
			     fv->village, p->ranks[i].column, r->vline[v]);
			return;
		}
	}
	if (strcmp(f->villages[v].township, rec->cells[r->col[C_TOWNSHIP]])) {
		ferr(r, rec->line, "村 '%s' 的乡镇 '%s' 与第 %zu 行不同",
		     "village '%s': township '%s' differs from line %zu", f->villages[v].village,
		     rec->cells[r->col[C_TOWNSHIP]], r->vline[v]);
		return;
	}
	XGROW(f->hh, r->cap_hh, f->n + 1);
	h = &f->hh[f->n];
	h->key = rec->cells[r->col[C_KEY]];
	h->head = rec->cells[r->col[C_HEAD]];
	h->phone = rec->cells[r->col[C_PHONE]];
	rec->cells[r->col[C_KEY]] = NULL;
	rec->cells[r->col[C_HEAD]] = NULL;
	rec->cells[r->col[C_PHONE]] = NULL;
	h->village = v;
	h->type = t;
	h->line = rec->line;
	f->villages[v].n++;
	f->villages[v].count[t]++;
	f->counties[county].households++;
	r->last_v = v + 1;
	key_add(r, f->n);
	f->n++;
}

static int on_record(void *ud, struct csvread_record *rec, struct error *err)
{
	struct fr *r = ud;
	size_t i, before = r->dl->n;

	r->records++;
	for (i = 0; i < rec->n; i++)
		if (!utf8_text_valid(rec->cells[i], rec->lens[i])) {
			ferr(r, rec->line, "第 %zu 列不是有效的 UTF-8 文本",
			     "column %zu is not valid UTF-8 text", i + 1);
			goto done;
		}
	if (r->records == 1) {
		header(r, rec);
		r->hdr_ok = r->dl->n == before;
	} else if (r->hdr_ok)
		data_row(r, rec);
done:
	for (i = before; i < r->dl->n; i++) {
		struct error *e = &r->dl->items[i].e;

		csvread_note_record(e, rec);
		error_prefix(e, r->f->file);
	}
	if (r->dl->errors - r->errors0 >= FRAME_MAX_ERRORS) {
		error_set(err, r->f->file, "错误太多，不再读下去", "too many errors, reading stopped");
		return -2;
	}
	return 0;
}

/* After the rows: counties the plan names but the frame lacks, minimums,
 * derived village counts, and the households grouped by village. */
static void finish(struct fr *r)
{
	const struct sample_plan *p = r->p;
	struct sample_frame *f = r->f;
	size_t i, j, k, *fill;

	for (i = 0; i < p->n_counties; i++) {
		if (!strcmp(p->counties[i].county, "*"))
			continue;
		for (j = 0; j < f->n_counties; j++)
			if (f->counties[j].plan_row == i)
				break;
		if (j == f->n_counties) {
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "%s:strata:%d", p->file, p->counties[i].line);
			diag_add(r->dl, DIAG_ERROR, w.buf, "县 '%s' 不在抽样框 '%s' 中",
				 "county '%s' is not in the frame '%s'", p->counties[i].county, f->file);
			strbuf_release(&w);
		}
	}
	for (j = 0; j < f->n_counties; j++) {
		const struct plan_county *pc = &p->counties[f->counties[j].plan_row];

		if ((double)f->counties[j].households < pc->min) {
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "%s:strata:%d", p->file, pc->line);
			diag_add(r->dl, DIAG_ERROR, w.buf,
				 "县 '%s' 在抽样框中只有 %zu 户，少于最低样本 %.0f 户",
				 "county '%s' has %zu households in the frame, fewer than its minimum "
				 "of %.0f",
				 f->counties[j].name, f->counties[j].households, pc->min);
			strbuf_release(&w);
		}
	}
	if (r->dl->errors > r->errors0)
		return;
	for (i = 0; i < f->n_villages; i++) {
		struct frame_village *fv = &f->villages[i];
		struct frame_county *fc = &f->counties[fv->county];
		size_t cap = fc->n_villages;

		/* cap is the count, so grow by hand: a county's list grows by one */
		fc->villages = xrealloc(fc->villages, (cap + 1) * sizeof(*fc->villages));
		fc->villages[fc->n_villages++] = i;
		for (k = 0; k < p->n_ranks; k++)
			if (p->ranks[k].type >= 0)
				fv->attr[k] = (double)fv->count[p->ranks[k].type];
	}
	f->by_village = xcalloc(f->n ? f->n : 1, sizeof(*f->by_village));
	fill = xcalloc(f->n_villages ? f->n_villages : 1, sizeof(*fill));
	for (i = 0, k = 0; i < f->n_villages; i++) {
		f->villages[i].first = k;
		fill[i] = k;
		k += f->villages[i].n;
	}
	for (i = 0; i < f->n; i++)
		f->by_village[fill[f->hh[i].village]++] = i;
	free(fill);
}

int sample_frame_load_buffer(const char *name, const char *data, size_t len,
			     const struct sample_plan *p, struct sample_frame **out,
			     struct diag_list *dl)
{
	struct csvread_opts o = {name, 10000};
	struct error err = ERROR_INIT;
	struct fr r;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.p = p;
	r.dl = dl;
	r.errors0 = dl->errors;
	r.f = xcalloc(1, sizeof(*r.f));
	r.f->file = xstrdup(name);
	rc = csvread_buffer(&o, data, len, on_record, &r, &err);
	if (rc < 0 && error_isset(&err))
		diag_add_error(dl, DIAG_ERROR, &err);
	error_clear(&err);
	if (rc == 0 && r.records < 2 && dl->errors == r.errors0)
		diag_add(dl, DIAG_ERROR, name, "抽样框没有任何户", "the frame has no household");
	if (dl->errors == r.errors0)
		finish(&r);
	free(r.rcol);
	free(r.vline);
	free(r.keys.slot);
	free(r.vill.slot);
	if (dl->errors > r.errors0) {
		sample_frame_free(r.f);
		return -1;
	}
	*out = r.f;
	return 0;
}

int sample_frame_load(const char *path, const struct sample_plan *p, struct sample_frame **out,
		      struct diag_list *dl)
{
	struct strbuf sb = STRBUF_INIT;
	struct error e = ERROR_INIT;
	int ret;

	*out = NULL;
	if (infile_read_all(path, INFILE_SAMPLE, &sb, &e) < 0) {
		diag_add_error(dl, DIAG_ERROR, &e);
		error_clear(&e);
		strbuf_release(&sb);
		return -1;
	}
	ret = sample_frame_load_buffer(path, sb.buf, sb.len, p, out, dl);
	strbuf_release(&sb);
	return ret;
}

void sample_frame_free(struct sample_frame *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->hh[i].key);
		free(f->hh[i].head);
		free(f->hh[i].phone);
	}
	for (i = 0; i < f->n_villages; i++) {
		free(f->villages[i].attr);
		free(f->villages[i].count);
	}
	for (i = 0; i < f->n_counties; i++)
		free(f->counties[i].villages);
	for (i = 0; i < f->n_strings; i++)
		free(f->strings[i]);
	free(f->strings);
	free(f->hh);
	free(f->by_village);
	free(f->villages);
	free(f->counties);
	free(f->file);
	free(f);
}

size_t sample_frame_count(const struct sample_frame *f)
{
	return f->n;
}

const char *sample_frame_key(const struct sample_frame *f, size_t i)
{
	return i < f->n ? f->hh[i].key : NULL;
}
