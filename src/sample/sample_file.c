/*
 * sample_file — parses a household sample CSV into store_assignment rows
 * (include/ruhu/sample.h). The whole file is read and checked before
 * anything is returned; the caller loads it with store_assignments_put(),
 * which is itself all-or-nothing.
 *
 * Records come from csvread, so every message names the physical line on
 * which the row starts (and its record number when that differs, after blank
 * lines or a quoted cell with line breaks); a UTF-16 file and a row of more
 * than SAMPLE_MAX_COLUMNS cells are refused by the reader. Cost: linear in
 * the file's bytes, plus one sort of the header names (duplicates) and one
 * of the household keys.
 *
 * Invariants: cells of accepted rows are owned by the sample (s->cells);
 * s->fields[].name points into the header names, which are handed to the
 * sample on success; a[i].preload holds an index into s->fields until the
 * end of the load (the array still moves while rows are added).
 */
#include "ruhu/sample.h"

#include "ruhu/csvread.h"
#include "ruhu/ident.h"
#include "ruhu/infile.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const required[] = {"household_key", "county",	  "township",
				       "village",	"household_type", "head_name",
				       "enumerator",	"device"};
#define NREQ (sizeof(required) / sizeof(required[0]))

struct sp {
	const char *path;
	struct diag_list *dl;
	char **hdr;            /* header names */
	size_t nh;
	int col[NREQ];         /* column of each required name */
	unsigned char *is_req; /* is_req[i]: column i is a required column */
	size_t records;        /* records read, the header included */
	struct sample *s;
	size_t cap_a, cap_cells, cap_fields, cap_row;
};

struct keyref {
	const char *key;
	size_t i;
};

/* by key, then by position: equal keys keep their order */
static int cmp_key(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void add_cell(struct sample *s, struct sp *p, char *c)
{
	XGROW(s->cells, p->cap_cells, s->n_cells + 1);
	s->cells[s->n_cells++] = c;
}

/* The header: names, repeated names (one sort, not a pairwise scan: a file
 * with tens of thousands of columns stays fast), required columns. */
static void header(struct sp *p, struct csvread_record *rec, const char *where)
{
	struct keyref *kr;
	size_t i, j;

	p->nh = rec->n;
	p->hdr = xcalloc(p->nh ? p->nh : 1, sizeof(*p->hdr));
	p->is_req = xcalloc(p->nh ? p->nh : 1, 1);
	for (i = 0; i < p->nh; i++) {
		p->hdr[i] = rec->cells[i];
		rec->cells[i] = NULL;
	}
	for (j = 0; j < NREQ; j++)
		p->col[j] = -1;
	for (i = 0; i < p->nh; i++) {
		if (!*p->hdr[i])
			diag_add(p->dl, DIAG_ERROR, where, "第 %zu 列没有列名", "column %zu has no name",
				 i + 1);
		for (j = 0; j < NREQ; j++)
			if (p->col[j] < 0 && !strcmp(p->hdr[i], required[j])) {
				p->col[j] = (int)i;
				p->is_req[i] = 1;
			}
	}
	kr = xcalloc(p->nh ? p->nh : 1, sizeof(*kr));
	for (i = 0; i < p->nh; i++) {
		kr[i].key = p->hdr[i];
		kr[i].i = i;
	}
	if (p->nh)
		qsort(kr, p->nh, sizeof(*kr), cmp_key);
	for (i = 1; i < p->nh; i++)
		if (*kr[i].key && !strcmp(kr[i].key, kr[i - 1].key))
			diag_add(p->dl, DIAG_ERROR, where, "列名 '%s' 重复", "column '%s' repeated",
				 kr[i].key);
	free(kr);
	for (j = 0; j < NREQ; j++)
		if (p->col[j] < 0)
			diag_add(p->dl, DIAG_ERROR, where, "缺少列 '%s'", "missing column '%s'",
				 required[j]);
}

/* A data row: checked, then kept (its cells taken over) or dropped. */
static void data_row(struct sp *p, struct csvread_record *rec, const char *where)
{
	struct sample *s = p->s;
	struct store_assignment *a;
	size_t first = s->n_fields, i;

	if (p->dl->errors && p->nh == 0)
		return;
	if (rec->n != p->nh) {
		diag_add(p->dl, DIAG_ERROR, where, "有 %zu 个字段，表头有 %zu 列",
			 "%zu fields, the header has %zu columns", rec->n, p->nh);
		return;
	}
	if (p->col[0] < 0)
		return;
	if (!*rec->cells[p->col[0]]) {
		diag_add(p->dl, DIAG_ERROR, where, "户编号（household_key）为空",
			 "empty household_key");
		return;
	}
	for (i = 0; i < rec->n; i++)
		if (rec->lens[i] > STORE_VALUE_MAX) {
			/* the store's one limit (issue 11, D3) */
			diag_add(p->dl, DIAG_ERROR, where, "列 '%s' 的值过长：%zu 字节（上限 %zu 字节）",
				 "value of column '%s' too long: %zu bytes (limit %zu bytes)", p->hdr[i],
				 rec->lens[i], STORE_VALUE_MAX);
			return;
		}
	for (i = 0; i < rec->n; i++)
		if (strchr(rec->cells[i], '\n') || strchr(rec->cells[i], '\r')) {
			diag_add(p->dl, DIAG_ERROR, where, "列 '%s' 的值含有换行",
				 "value of column '%s' holds a line break", p->hdr[i]);
			return;
		}
	/* identifiers that may name files: the one rule (ruhu/ident.h) */
	for (i = 0; i < 3; i++) {
		static const int col[3] = {0, 6, 7};
		static const enum ident_kind kind[3] = {IDENT_HOUSEHOLD, IDENT_ENUMERATOR,
							IDENT_DEVICE};
		const char *v = p->col[col[i]] >= 0 ? rec->cells[p->col[col[i]]] : NULL;
		struct error e = ERROR_INIT;

		if (!v || (i && !*v) || ident_check(v, kind[i], &e) == 0)
			continue;
		diag_add(p->dl, DIAG_ERROR, where, "%1$s%2$.0s", "%1$.0s%2$s", e.zh, e.en);
		error_clear(&e);
		return;
	}
	XGROW(s->a, p->cap_a, s->n + 1);
	XGROW(s->row, p->cap_row, s->n + 1);
	a = &s->a[s->n];
	memset(a, 0, sizeof(*a));
	s->row[s->n] = rec->line;
#define REQ(n) (p->col[n] >= 0 && *rec->cells[p->col[n]] ? rec->cells[p->col[n]] : NULL)
	a->household_key = rec->cells[p->col[0]];
	a->county = REQ(1);
	a->township = REQ(2);
	a->village = REQ(3);
	a->household_type = REQ(4);
	a->head_name = REQ(5);
	a->enumerator = REQ(6);
	a->device = REQ(7);
#undef REQ
	for (i = 0; i < rec->n; i++) {
		if (p->is_req[i] || !*rec->cells[i])
			continue;
		XGROW(s->fields, p->cap_fields, s->n_fields + 1);
		s->fields[s->n_fields].name = p->hdr[i];
		s->fields[s->n_fields].value = rec->cells[i];
		s->n_fields++;
	}
	/* preload points into s->fields, which may still move: store the
	 * offset now and fix the pointers at the end */
	a->preload = (const struct store_field *)(uintptr_t)first;
	a->n_preload = s->n_fields - first;
	s->n++;
	for (i = 0; i < rec->n; i++) {
		add_cell(s, p, rec->cells[i]);
		rec->cells[i] = NULL;
	}
}

static int on_record(void *ud, struct csvread_record *rec, struct error *err)
{
	struct sp *p = ud;
	char where[32];
	size_t i, before = p->dl->n;

	(void)err;
	p->records++;
	snprintf(where, sizeof(where), "%zu", rec->line);
	for (i = 0; i < rec->n; i++)
		if (!utf8_text_valid(rec->cells[i], rec->lens[i])) {
			diag_add(p->dl, DIAG_ERROR, where, "第 %zu 列不是有效的 UTF-8 文本",
				 "column %zu is not valid UTF-8 text", i + 1);
			goto done;
		}
	if (p->records == 1)
		header(p, rec, where);
	else
		data_row(p, rec, where);
done:
	for (i = before; i < p->dl->n; i++)
		csvread_note_record(&p->dl->items[i].e, rec);
	return 0;
}

void sample_free(struct sample *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_cells; i++)
		free(s->cells[i]);
	free(s->cells);
	free(s->fields);
	free(s->a);
	free(s->row);
	free(s);
}

int sample_load(const char *path, struct sample **out, struct diag_list *dl)
{
	struct csvread_opts o = {path, SAMPLE_MAX_COLUMNS};
	struct error err = ERROR_INIT;
	struct strbuf all = STRBUF_INIT;
	struct sp p;
	size_t i, errors0 = dl->errors;
	struct keyref *kr = NULL;
	int ret = -1, rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.dl = dl;
	p.s = xcalloc(1, sizeof(*p.s));
	if (infile_read_all(path, INFILE_SAMPLE, &all, &err) < 0) {
		diag_add_error(dl, DIAG_ERROR, &err);
		goto done;
	}
	rc = csvread_buffer(&o, all.buf ? all.buf : "", all.len, on_record, &p, &err);
	/* duplicate keys, reported at the later row */
	kr = xcalloc(p.s->n ? p.s->n : 1, sizeof(*kr));
	for (i = 0; rc == 0 && i < p.s->n; i++) {
		kr[i].key = p.s->a[i].household_key;
		kr[i].i = i;
	}
	if (rc == 0 && p.s->n)
		qsort(kr, p.s->n, sizeof(*kr), cmp_key);
	for (i = 1; rc == 0 && i < p.s->n; i++)
		if (!strcmp(kr[i].key, kr[i - 1].key)) {
			char w[64];

			snprintf(w, sizeof(w), "%zu", p.s->row[kr[i].i]);
			diag_add(dl, DIAG_ERROR, w, "户编号 '%s' 重复（第一次在第 %zu 行）",
				 "household_key '%s' repeated (first on row %zu)", kr[i].key,
				 p.s->row[kr[i - 1].i]);
		}
	/* every diagnostic of the rows gets the path in front */
	for (i = errors0; i < dl->n; i++)
		if (dl->items[i].e.where && strcmp(dl->items[i].e.where, path))
			error_prefix(&dl->items[i].e, path);
	/* the reader's own refusal (quotes, UTF-16, too many columns) names
	 * the file already */
	if (rc < 0)
		diag_add_error(dl, DIAG_ERROR, &err);
	if (dl->errors == errors0 && p.records <= 1)
		diag_add(dl, DIAG_ERROR, path, "样本文件没有数据行", "sample file has no rows");
	if (dl->errors > errors0)
		goto done;
	for (i = 0; i < p.s->n; i++)
		p.s->a[i].preload = p.s->a[i].n_preload
					    ? p.s->fields + (uintptr_t)p.s->a[i].preload
					    : NULL;
	*out = p.s;
	p.s = NULL;
	ret = 0;
done:
	strbuf_release(&all);
	error_clear(&err);
	if (p.hdr && ret == 0) {
		/* header names are referenced by preload fields: hand them over */
		for (i = 0; i < p.nh; i++)
			add_cell(*out, &p, p.hdr[i]);
	} else if (p.hdr) {
		for (i = 0; i < p.nh; i++)
			free(p.hdr[i]);
	}
	free(p.hdr);
	free(p.is_req);
	free(kr);
	sample_free(p.s);
	return ret;
}
