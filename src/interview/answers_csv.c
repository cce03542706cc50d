/*
 * answers_csv — the answers file of `ruhu fill` (include/ruhu/answers.h):
 * reading it (through csvread, which gives each record its physical line)
 * and applying it to an interview in form order.
 *
 * Invariants: every row holds a field and a value without NUL bytes and the
 * line its record starts on; the rows array is NULL exactly when n is 0 (and
 * nothing sorts or scans a NULL array). Problems are collected with the
 * order they were found in (seq) and sorted by line before they are handed
 * out, so the output does not depend on qsort's stability.
 */
#include "ruhu/answers.h"

#include "ruhu/csvread.h"
#include "ruhu/infile.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
	size_t line;
	char *field;
	char *value;
	int *key;    /* document-order key (pairs), see row_key */
	size_t nkey;
	bool failed; /* refused for good */
	bool retry;
};

struct answers {
	char *name;
	struct row *rows;
	size_t n, cap;
};

static int on_record(void *ud, struct csvread_record *rec, struct error *err)
{
	struct answers *a = ud;
	struct row *rw;
	char w[32];
	size_t i;

	if (rec->n == 1 && !rec->lens[0])
		return 0; /* a line holding only "" */
	snprintf(w, sizeof(w), "%zu", rec->line);
	if (rec->n != 2) {
		error_set(err, w, "应为两列：field,value", "expected two columns: field,value");
		goto fail;
	}
	for (i = 0; i < 2; i++)
		if (memchr(rec->cells[i], '\0', rec->lens[i])) {
			if (i)
				error_set(err, w, "值含有 NUL 字节（不是文本文件？）",
					  "value holds a NUL byte (not a text file?)");
			else
				error_set(err, w, "字段名含有 NUL 字节（不是文本文件？）",
					  "field holds a NUL byte (not a text file?)");
			goto fail;
		}
	if (rec->record == 1 && !strcmp(rec->cells[0], "field") && !strcmp(rec->cells[1], "value"))
		return 0;
	/* the store's one limit: what fill accepts can be stored, exported and
	 * merged (issue 11, D3) */
	if (rec->lens[1] > STORE_VALUE_MAX) {
		error_set(err, w, "'%s' 的值过长：%zu 字节（上限 %zu 字节）",
			  "value of '%s' too long: %zu bytes (limit %zu bytes)", rec->cells[0],
			  rec->lens[1], STORE_VALUE_MAX);
		goto fail;
	}
	XGROW(a->rows, a->cap, a->n + 1);
	rw = &a->rows[a->n++];
	memset(rw, 0, sizeof(*rw));
	rw->line = rec->line;
	rw->field = rec->cells[0];
	rw->value = rec->cells[1];
	rec->cells[0] = rec->cells[1] = NULL;
	return 0;
fail:
	error_prefix(err, a->name);
	csvread_note_record(err, rec);
	return -1;
}

int answers_parse(const char *name, const char *data, size_t len, struct answers **out,
		  struct error *err)
{
	struct csvread_opts o = {name, 0};
	struct answers *a = xcalloc(1, sizeof(*a));

	*out = NULL;
	a->name = xstrdup(name);
	if (csvread_buffer(&o, data, len, on_record, a, err) < 0) {
		answers_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

int answers_load(const char *path, struct answers **out, struct error *err)
{
	struct strbuf all = STRBUF_INIT;
	int ret = -1;

	*out = NULL;
	if (infile_read_all(path, INFILE_ANSWERS, &all, err) < 0)
		goto done;
	ret = answers_parse(path, all.buf ? all.buf : "", all.len, out, err);
done:
	strbuf_release(&all);
	return ret;
}

void answers_free(struct answers *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++) {
		free(a->rows[i].field);
		free(a->rows[i].value);
		free(a->rows[i].key);
	}
	free(a->rows);
	free(a->name);
	free(a);
}

size_t answers_count(const struct answers *a)
{
	return a ? a->n : 0;
}

const char *answers_field(const struct answers *a, size_t i)
{
	return a->rows[i].field;
}

const char *answers_value(const struct answers *a, size_t i)
{
	return a->rows[i].value;
}

size_t answers_line(const struct answers *a, size_t i)
{
	return a->rows[i].line;
}

/* Document-order key of a path: (node, instance) per segment, (node, sub)
 * for the field. Unknown names sort last. */
static void row_key(const struct form *f, struct row *rw)
{
	const char *p = rw->field;
	size_t cap = 0;

	for (;;) {
		const char *e = strchr(p, '/'), *br;
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *name;
		int k, idx = 0, sub = 0;
		br = memchr(p, '[', len);
		name = xstrndup(p, br ? (size_t)(br - p) : len);
		if (br)
			idx = atoi(br + 1);
		k = form_find(f, name);
		if (k < 0 && !e && strlen(name) > 6 && !strcmp(name + strlen(name) - 6, "_other")) {
			name[strlen(name) - 6] = '\0';
			k = form_find(f, name);
			sub = 1;
		}
		free(name);
		XGROW(rw->key, cap, rw->nkey + 2);
		rw->key[rw->nkey++] = k < 0 ? 1 << 30 : k;
		rw->key[rw->nkey++] = br ? idx : sub;
		if (!e)
			break;
		p = e + 1;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	size_t i;

	for (i = 0; i < x->nkey && i < y->nkey; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i] ? -1 : 1;
	if (x->nkey != y->nkey)
		return x->nkey < y->nkey ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct problem {
	size_t line; /* 0: no row */
	size_t seq;
	struct error e;
};

struct problems {
	struct problem *v;
	size_t n, cap;
};

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if ((x->line == 0) != (y->line == 0))
		return x->line == 0 ? 1 : -1; /* rowless problems last */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void add_problem(struct problems *ps, const char *file, size_t line, const char *field,
			const struct error *err)
{
	struct strbuf w = STRBUF_INIT;
	struct problem *p;

	if (line)
		strbuf_addf(&w, "%s:%zu", file, line);
	else
		strbuf_addstr(&w, file);
	XGROW(ps->v, ps->cap, ps->n + 1);
	p = &ps->v[ps->n];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->seq = ps->n;
	p->e.where = strbuf_detach(&w, NULL);
	strbuf_addf(&w, "%s: %s", field, error_msg(err, LANG_ZH));
	p->e.zh = strbuf_detach(&w, NULL);
	strbuf_addf(&w, "%s: %s", field, error_msg(err, LANG_EN));
	p->e.en = strbuf_detach(&w, NULL);
	ps->n++;
}

static int apply_row(struct interview *iv, struct row *rw, struct error *err)
{
	if (!strcmp(rw->value, ".d"))
		return interview_set_special(iv, rw->field, IV_DONT_KNOW, err);
	if (!strcmp(rw->value, ".r"))
		return interview_set_special(iv, rw->field, IV_REFUSED, err);
	return interview_set(iv, rw->field, rw->value, err);
}

size_t answers_apply(struct answers *a, const struct form *f, struct interview *iv,
		     struct diag_list *problems)
{
	struct diag_list blockers = DIAG_LIST_INIT;
	struct problems ps = {NULL, 0, 0};
	struct error err = ERROR_INIT;
	size_t r, b, n;

	for (r = 0; r < a->n; r++) {
		free(a->rows[r].key);
		a->rows[r].key = NULL;
		a->rows[r].nkey = 0;
		a->rows[r].failed = a->rows[r].retry = false;
		row_key(f, &a->rows[r]);
	}
	if (a->n)
		qsort(a->rows, a->n, sizeof(*a->rows), row_cmp);
	/* the same field twice */
	for (r = 0; r < a->n; r++) {
		size_t j;
		for (j = 0; j < r; j++) {
			if (!strcmp(a->rows[j].field, a->rows[r].field)) {
				error_set(&err, NULL, "字段重复（第 %zu 行已给出）",
					  "field given twice (also on row %zu)", a->rows[j].line);
				add_problem(&ps, a->name, a->rows[r].line, a->rows[r].field, &err);
				a->rows[r].failed = true;
				break;
			}
		}
	}
	for (r = 0; r < a->n; r++) {
		struct row *rw = &a->rows[r];
		if (rw->failed)
			continue;
		if (apply_row(iv, rw, &err) < 0) {
			if (err.code == IV_E_CONSTRAINT || err.code == IV_E_NOT_RELEVANT ||
			    err.code == IV_E_FILTER)
				rw->retry = true;
			else
				add_problem(&ps, a->name, rw->line, rw->field, &err);
			rw->failed = true;
		}
		error_clear(&err);
	}
	for (r = 0; r < a->n; r++) {
		struct row *rw = &a->rows[r];
		if (!rw->retry)
			continue;
		if (apply_row(iv, rw, &err) < 0)
			add_problem(&ps, a->name, rw->line, rw->field, &err);
		else
			rw->failed = false;
		error_clear(&err);
	}
	interview_blockers(iv, &blockers);
	for (b = 0; b < blockers.n; b++) {
		const struct error *e = &blockers.items[b].e;
		size_t line = 0;
		bool reported = false;
		for (r = 0; r < a->n; r++) {
			if (e->where && !strcmp(a->rows[r].field, e->where)) {
				line = a->rows[r].line;
				reported = a->rows[r].failed;
			}
		}
		if (!reported)
			add_problem(&ps, a->name, line, e->where ? e->where : "", e);
	}
	if (ps.n)
		qsort(ps.v, ps.n, sizeof(*ps.v), problem_cmp);
	for (r = 0; r < ps.n; r++) {
		diag_add_error(problems, DIAG_ERROR, &ps.v[r].e);
		error_clear(&ps.v[r].e);
	}
	n = ps.n;
	free(ps.v);
	diag_list_free(&blockers);
	error_clear(&err);
	return n;
}
