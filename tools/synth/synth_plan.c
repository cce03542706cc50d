/*
 * synth_plan — the plausible-household plan of `ruhu synth` (synth_plan.h).
 */
#include "synth_plan.h"

#include "ruhu/csvread.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"choice", "number", "income", "ratio",
				    "age",    "copy",   "setting"};

struct load {
	struct synth_plan *p;
	const char *file;
	size_t cap;
	int col[6]; /* kind, name, base, a, b, share */
	bool header;
};

static int bad(struct error *err, const char *file, size_t line, const char *zh, const char *en,
	       const char *what)
{
	struct strbuf w = STRBUF_INIT;

	strbuf_addf(&w, "%s:%zu", file, line);
	error_set(err, w.buf, zh, en, what);
	strbuf_release(&w);
	return -1;
}

/* "LO-HI" (numbers, LO <= HI; a negative LO is not allowed) */
static bool range(const char *s, double *lo, double *hi)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*lo = strtod(s, &end);
	if (end == s || *end != '-' || errno)
		return false;
	s = end + 1;
	*hi = strtod(s, &end);
	return end != s && !*end && !errno && isfinite(*lo) && isfinite(*hi) && *lo <= *hi &&
	       *lo >= 0;
}

static const char *cell(const struct load *l, const struct csvread_record *rec, int k)
{
	int c = l->col[k];

	return c >= 0 && (size_t)c < rec->n && rec->cells[c] ? rec->cells[c] : "";
}

static int on_rec(void *ud, struct csvread_record *rec, struct error *err)
{
	static const char *const cols[6] = {"kind", "name", "base", "a", "b", "share"};
	struct load *l = ud;
	struct synth_plan_row r;
	const char *k, *sh;
	size_t i;
	char *end;

	if (!l->header) {
		for (i = 0; i < 6; i++) {
			size_t c;

			l->col[i] = -1;
			for (c = 0; c < rec->n; c++)
				if (!strcmp(rec->cells[c], cols[i]))
					l->col[i] = (int)c;
			if (l->col[i] < 0 && i != 2)
				return bad(err, l->file, rec->line, "缺少 '%s' 列", "missing column '%s'",
					   cols[i]);
		}
		l->header = true;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.line = rec->line;
	k = cell(l, rec, 0);
	if (!*k && !*cell(l, rec, 1))
		return 0; /* an empty line */
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(k, kinds[i]))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return bad(err, l->file, rec->line,
			   "未知的种类 '%s'（choice、number、income、ratio、age、copy 或 setting）",
			   "unknown kind '%s' (choice, number, income, ratio, age, copy or setting)", k);
	r.kind = (enum synth_plan_kind)i;
	if (!*cell(l, rec, 1))
		return bad(err, l->file, rec->line, "缺少 name%s", "missing name%s", "");
	if ((r.kind == SYNTH_PLAN_INCOME || r.kind == SYNTH_PLAN_RATIO || r.kind == SYNTH_PLAN_AGE ||
	     r.kind == SYNTH_PLAN_COPY) &&
	    !*cell(l, rec, 2))
		return bad(err, l->file, rec->line, "种类 '%s' 需要 base", "kind '%s' needs a base", k);
	sh = cell(l, rec, 5);
	r.share = 0;
	if (*sh) {
		errno = 0;
		r.share = strtod(sh, &end);
		if (end == sh || *end || errno || !isfinite(r.share) ||
		    (r.kind != SYNTH_PLAN_SETTING && (r.share < 0 || r.share > 1)))
			return bad(err, l->file, rec->line, "share '%s' 不是 0 到 1 之间的数",
				   "share '%s' is not a number within 0..1", sh);
	}
	if (r.kind == SYNTH_PLAN_NUMBER || r.kind == SYNTH_PLAN_INCOME || r.kind == SYNTH_PLAN_RATIO) {
		if (!range(cell(l, rec, 3), &r.alo, &r.ahi) || !range(cell(l, rec, 4), &r.blo, &r.bhi))
			return bad(err, l->file, rec->line, "a 和 b 须为范围 LO-HI（%s）",
				   "a and b must be ranges LO-HI (%s)", cell(l, rec, 1));
	}
	if (r.kind == SYNTH_PLAN_AGE && (!*cell(l, rec, 3) || !range(cell(l, rec, 4), &r.blo, &r.bhi)))
		return bad(err, l->file, rec->line, "年龄行须有关系 a 和年龄范围 b（LO-HI）：%s",
			   "an age row needs a relation a and an age range b (LO-HI): %s",
			   cell(l, rec, 1));
	r.name = xstrdup(cell(l, rec, 1));
	r.base = xstrdup(cell(l, rec, 2));
	r.a = xstrdup(cell(l, rec, 3));
	r.b = xstrdup(cell(l, rec, 4));
	XGROW(l->p->rows, l->cap, l->p->n + 1);
	l->p->rows[l->p->n++] = r;
	return 0;
}

int synth_plan_parse(const char *name, const char *data, size_t len, struct synth_plan **out,
		     struct error *err)
{
	struct csvread_opts o = {0};
	struct load l;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.p = xcalloc(1, sizeof(*l.p));
	l.file = name;
	o.name = name;
	o.max_cells = 64;
	if (csvread_buffer(&o, data, len, on_rec, &l, err) < 0) {
		synth_plan_free(l.p);
		return -1;
	}
	*out = l.p;
	return 0;
}

int synth_plan_load(const char *form_path, struct synth_plan **out, struct error *err)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	const char *slash = strrchr(form_path, '/');
	char buf[65536];
	size_t got;
	FILE *fp;
	int ret = 0;

	*out = NULL;
	if (slash)
		strbuf_add(&path, form_path, (size_t)(slash - form_path + 1));
	strbuf_addf(&path, "synth/%s", slash ? slash + 1 : form_path);
	fp = fopen(path.buf, "rb");
	if (!fp) {
		strbuf_release(&path);
		return 0; /* no plan: answers at random */
	}
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&data, buf, got);
	if (ferror(fp)) {
		error_set(err, path.buf, "无法读取：%s", "cannot read: %s", strerror(errno));
		ret = -1;
	}
	fclose(fp);
	if (!ret)
		ret = synth_plan_parse(path.buf, data.buf ? data.buf : "", data.len, out, err);
	strbuf_release(&path);
	strbuf_release(&data);
	return ret;
}

void synth_plan_free(struct synth_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->rows[i].name);
		free(p->rows[i].base);
		free(p->rows[i].a);
		free(p->rows[i].b);
	}
	free(p->rows);
	free(p);
}

const struct synth_plan_row *synth_plan_find(const struct synth_plan *p, enum synth_plan_kind kind,
					     const char *name, const char *rel)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (p->rows[i].kind == kind && !strcmp(p->rows[i].name, name) &&
		    (kind != SYNTH_PLAN_AGE || (rel && !strcmp(p->rows[i].a, rel))))
			return &p->rows[i];
	return NULL;
}

double synth_plan_setting(const struct synth_plan *p, const char *name, double dflt)
{
	const struct synth_plan_row *r = synth_plan_find(p, SYNTH_PLAN_SETTING, name, NULL);

	return r ? r->share : dflt;
}
