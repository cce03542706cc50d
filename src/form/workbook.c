/*
 * workbook — rows of cells grouped into sheets (see workbook.h), shared by the
 * CSV and markdown readers so that both syntaxes follow one set of rules.
 */
#include "workbook.h"

#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trims `s` in place (it was malloc'd by the reader). */
static void trim(char *s)
{
	size_t len = strlen(s), a = 0;

	while (len && is_blank((unsigned char)s[len - 1]))
		len--;
	while (a < len && is_blank((unsigned char)s[a]))
		a++;
	if (a)
		memmove(s, s + a, len - a);
	s[len - a] = '\0';
}

static void row_free(struct wb_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

struct workbook *workbook_new(const char *file)
{
	struct workbook *wb = xcalloc(1, sizeof(*wb));

	wb->file = xstrdup(file);
	return wb;
}

void workbook_free(struct workbook *wb)
{
	size_t i, j;

	if (!wb)
		return;
	for (i = 0; i < wb->n; i++) {
		struct wb_sheet *s = &wb->sheets[i];

		free(s->name);
		row_free(&s->header);
		for (j = 0; j < s->n; j++)
			row_free(&s->rows[j]);
		free(s->rows);
	}
	free(wb->sheets);
	free(wb->file);
	free(wb);
}

/* Drops the first cell and trailing empty cells of a row. */
static void row_take(struct wb_row *dst, int line, char **cells, size_t n)
{
	size_t i;

	free(cells[0]);
	while (n > 1 && !*cells[n - 1]) {
		free(cells[n - 1]);
		n--;
	}
	dst->line = line;
	dst->n = n - 1;
	dst->cells = xmalloc((n ? n : 1) * sizeof(char *));
	for (i = 1; i < n; i++)
		dst->cells[i - 1] = cells[i];
	free(cells);
}

void workbook_row(struct workbook *wb, int line, char **cells, size_t n)
{
	struct wb_sheet *s;
	size_t i;
	int blank = 1;

	for (i = 0; i < n; i++) {
		trim(cells[i]);
		if (*cells[i])
			blank = 0;
	}
	if (blank || n == 0) {
		for (i = 0; i < n; i++)
			free(cells[i]);
		free(cells);
		return;
	}
	if (*cells[0]) {
		XGROW(wb->sheets, wb->cap, wb->n + 1);
		s = &wb->sheets[wb->n++];
		memset(s, 0, sizeof(*s));
		s->name = cells[0];
		s->line = line;
		cells[0] = xstrdup("");
		for (i = 1; i < n; i++)
			if (*cells[i])
				break;
		if (i < n) {
			row_take(&s->header, line, cells, n);
		} else {
			for (i = 0; i < n; i++)
				free(cells[i]);
			free(cells);
		}
		return;
	}
	if (!wb->n) {
		if (!wb->orphan_line)
			wb->orphan_line = line;
		for (i = 0; i < n; i++)
			free(cells[i]);
		free(cells);
		return;
	}
	s = &wb->sheets[wb->n - 1];
	if (!s->header.cells) {
		row_take(&s->header, line, cells, n);
		return;
	}
	XGROW(s->rows, s->cap, s->n + 1);
	row_take(&s->rows[s->n++], line, cells, n);
}

struct wb_sheet *workbook_sheet(struct workbook *wb, const char *name)
{
	size_t i;

	for (i = 0; i < wb->n; i++)
		if (!strcasecmp(wb->sheets[i].name, name))
			return &wb->sheets[i];
	return NULL;
}

int workbook_col(const struct wb_sheet *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->header.n; i++)
		if (!strcasecmp(s->header.cells[i], name))
			return (int)i;
	return -1;
}

int workbook_col_lang(const struct wb_sheet *s, const char *name, const char *lang)
{
	size_t i, nl = strlen(name);
	char paren[16];

	snprintf(paren, sizeof(paren), "(%s)", lang);
	for (i = 0; i < s->header.n; i++) {
		const char *h = s->header.cells[i];

		if (strncasecmp(h, name, nl) || strncmp(h + nl, "::", 2))
			continue;
		if (strstr(h + nl + 2, paren) || !strcasecmp(h + nl + 2, lang))
			return (int)i;
	}
	return -1;
}

const char *workbook_cell(const struct wb_row *r, int c)
{
	return c >= 0 && (size_t)c < r->n ? r->cells[c] : "";
}

int workbook_check_text(const char *name, const char *data, size_t len, struct diag_list *diags)
{
	long bad = utf8_invalid_at(data, len);

	if (utf8_is_utf16(data, len)) {
		diag_add(diags, DIAG_ERROR, name, "文件是 UTF-16 编码：请另存为 UTF-8（CSV UTF-8）",
			 "the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)");
		return -1;
	}
	if (memchr(data, '\0', len)) {
		diag_add(diags, DIAG_ERROR, name, "文件含有 NUL 字节（字节偏移 %ld）：不是文本文件",
			 "file holds a NUL byte (at byte offset %ld): not a text file",
			 (long)((const char *)memchr(data, '\0', len) - data));
		return -1;
	}
	if (bad >= 0) {
		diag_add(diags, DIAG_ERROR, name, "字节偏移 %ld 处不是有效的 UTF-8：请把文件另存为 UTF-8",
			 "invalid UTF-8 at byte offset %ld: save the file as UTF-8", bad);
		return -1;
	}
	return 0;
}
