/*
 * sample — parses a household sample CSV into store_assignment rows
 * (include/ruhu/sample.h). The whole file is read and checked before
 * anything is returned; the caller loads it with store_assignments_put(),
 * which is itself all-or-nothing.
 */
#include "ruhu/sample.h"

#include "ruhu/bundle.h"
#include "ruhu/strbuf.h"

#include <csv.h>
#include <stdint.h>
#include <errno.h>
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
	size_t row;            /* records completed */
	char **f;              /* the record being read */
	size_t nf, cap;
	char **hdr;            /* header names */
	size_t nh;
	int col[NREQ];         /* column of each required name */
	struct sample *s;
	size_t cap_a, cap_cells, cap_fields, cap_row;
};

static void cb_field(void *data, size_t len, void *ctx)
{
	struct sp *p = ctx;
	const unsigned char *d = data;

	if (p->row == 0 && p->nf == 0 && len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
		d += 3; /* byte order mark */
		len -= 3;
	}
	XGROW(p->f, p->cap, p->nf + 1);
	if (!bundle_utf8_valid(d, len)) {
		p->f[p->nf++] = NULL; /* reported at the end of the record */
		return;
	}
	p->f[p->nf++] = xstrndup((const char *)d, len);
}

static void add_cell(struct sample *s, struct sp *p, char *c)
{
	XGROW(s->cells, p->cap_cells, s->n_cells + 1);
	s->cells[s->n_cells++] = c;
}

static void cb_row(int c, void *ctx)
{
	struct sp *p = ctx;
	struct sample *s = p->s;
	char where[64];
	size_t i, j;

	p->row++;
	snprintf(where, sizeof(where), "%zu", p->row);
	for (i = 0; i < p->nf; i++)
		if (!p->f[i]) {
			diag_add(p->dl, DIAG_ERROR, where, "第 %zu 列不是有效的 UTF-8 文本",
				 "column %zu is not valid UTF-8 text", i + 1);
			goto done;
		}
	if (p->row == 1) {
		p->hdr = p->f;
		p->nh = p->nf;
		p->f = NULL;
		p->nf = p->cap = 0;
		for (i = 0; i < NREQ; i++)
			p->col[i] = -1;
		for (i = 0; i < p->nh; i++) {
			if (!*p->hdr[i])
				diag_add(p->dl, DIAG_ERROR, where, "第 %zu 列没有列名",
					 "column %zu has no name", i + 1);
			for (j = 0; j < i; j++)
				if (!strcmp(p->hdr[i], p->hdr[j]))
					diag_add(p->dl, DIAG_ERROR, where, "列名 '%s' 重复",
						 "column '%s' repeated", p->hdr[i]);
			for (j = 0; j < NREQ; j++)
				if (!strcmp(p->hdr[i], required[j]))
					p->col[j] = (int)i;
		}
		for (j = 0; j < NREQ; j++)
			if (p->col[j] < 0)
				diag_add(p->dl, DIAG_ERROR, where, "缺少列 '%s'",
					 "missing column '%s'", required[j]);
		return;
	}
	if (p->dl->errors && p->nh == 0)
		goto done;
	if (p->nf != p->nh) {
		diag_add(p->dl, DIAG_ERROR, where, "有 %zu 个字段，表头有 %zu 列",
			 "%zu fields, the header has %zu columns", p->nf, p->nh);
		goto done;
	}
	if (p->col[0] < 0)
		goto done;
	if (!*p->f[p->col[0]]) {
		diag_add(p->dl, DIAG_ERROR, where, "户编号（household_key）为空",
			 "empty household_key");
		goto done;
	}
	for (i = 0; i < p->nf; i++)
		if (strchr(p->f[i], '\n') || strchr(p->f[i], '\r')) {
			diag_add(p->dl, DIAG_ERROR, where, "列 '%s' 的值含有换行",
				 "value of column '%s' holds a line break", p->hdr[i]);
			goto done;
		}
	{
		struct store_assignment *a;
		size_t first = s->n_fields;
		int k;

		XGROW(s->a, p->cap_a, s->n + 1);
		XGROW(s->row, p->cap_row, s->n + 1);
		a = &s->a[s->n];
		memset(a, 0, sizeof(*a));
		s->row[s->n] = p->row;
#define REQ(n) (p->col[n] >= 0 && *p->f[p->col[n]] ? p->f[p->col[n]] : NULL)
		a->household_key = p->f[p->col[0]];
		a->county = REQ(1);
		a->township = REQ(2);
		a->village = REQ(3);
		a->household_type = REQ(4);
		a->head_name = REQ(5);
		a->enumerator = REQ(6);
		a->device = REQ(7);
#undef REQ
		for (i = 0; i < p->nf; i++) {
			bool req = false;

			for (k = 0; k < (int)NREQ; k++)
				req |= p->col[k] == (int)i;
			if (req || !*p->f[i])
				continue;
			XGROW(s->fields, p->cap_fields, s->n_fields + 1);
			s->fields[s->n_fields].name = p->hdr[i];
			s->fields[s->n_fields].value = p->f[i];
			s->n_fields++;
		}
		/* preload points into s->fields, which may still move: store the
		 * offset now and fix the pointers at the end */
		a->preload = (const struct store_field *)(uintptr_t)first;
		a->n_preload = s->n_fields - first;
		s->n++;
		for (i = 0; i < p->nf; i++)
			add_cell(s, p, p->f[i]);
		p->nf = 0;
		return;
	}
done:
	for (i = 0; i < p->nf; i++)
		free(p->f[i]);
	p->nf = 0;
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

struct keyref {
	const char *key;
	size_t i;
};

static int cmp_key(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

int sample_load(const char *path, struct sample **out, struct diag_list *dl)
{
	struct csv_parser csv;
	struct sp p;
	FILE *fp = NULL;
	char buf[65536];
	size_t n, i, errors0 = dl->errors;
	struct keyref *kr = NULL;
	int ret = -1;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.dl = dl;
	p.s = xcalloc(1, sizeof(*p.s));
	if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		abort();
	fp = fopen(path, "rb");
	if (!fp) {
		diag_add(dl, DIAG_ERROR, path, "无法打开：%s", "cannot open: %s", strerror(errno));
		goto done;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (csv_parse(&csv, buf, n, cb_field, cb_row, &p) != n) {
			char w[64];

			snprintf(w, sizeof(w), "%zu", p.row + 1);
			diag_add(dl, DIAG_ERROR, w, "CSV 格式错误（引号不配对）",
				 "malformed CSV (stray or unclosed quote)");
			goto prefix;
		}
	}
	if (ferror(fp)) {
		diag_add(dl, DIAG_ERROR, path, "读取失败：%s", "read error: %s", strerror(errno));
		goto done;
	}
	if (csv_fini(&csv, cb_field, cb_row, &p) != 0) {
		char w[64];

		snprintf(w, sizeof(w), "%zu", p.row + 1);
		diag_add(dl, DIAG_ERROR, w, "CSV 格式错误（引号未闭合）",
			 "malformed CSV (unclosed quote)");
	}
	/* duplicate keys, reported at the later row */
	kr = xcalloc(p.s->n ? p.s->n : 1, sizeof(*kr));
	for (i = 0; i < p.s->n; i++) {
		kr[i].key = p.s->a[i].household_key;
		kr[i].i = i;
	}
	qsort(kr, p.s->n, sizeof(*kr), cmp_key);
	for (i = 1; i < p.s->n; i++)
		if (!strcmp(kr[i].key, kr[i - 1].key)) {
			char w[64];

			snprintf(w, sizeof(w), "%zu", p.s->row[kr[i].i]);
			diag_add(dl, DIAG_ERROR, w, "户编号 '%s' 重复（第一次在第 %zu 行）",
				 "household_key '%s' repeated (first on row %zu)", kr[i].key,
				 p.s->row[kr[i - 1].i]);
		}
prefix:
	/* every diagnostic of this file gets the path in front */
	for (i = errors0; i < dl->n; i++)
		if (dl->items[i].e.where && strcmp(dl->items[i].e.where, path))
			error_prefix(&dl->items[i].e, path);
	if (dl->errors == errors0 && p.row <= 1)
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
	if (fp)
		fclose(fp);
	csv_free(&csv);
	for (i = 0; i < p.nf; i++)
		free(p.f[i]);
	free(p.f);
	if (p.hdr && ret == 0) {
		/* header names are referenced by preload fields: hand them over */
		for (i = 0; i < p.nh; i++)
			add_cell(*out, &p, p.hdr[i]);
	} else if (p.hdr) {
		for (i = 0; i < p.nh; i++)
			free(p.hdr[i]);
	}
	free(p.hdr);
	free(kr);
	sample_free(p.s);
	return ret;
}
