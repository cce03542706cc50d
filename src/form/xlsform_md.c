/*
 * xlsform_md — pyxform's markdown-table workbook (the syntax of pyxform's own
 * tests): every non-blank line is a table row `| c0 | c1 | ... |`, where c0
 * names a sheet or is empty; lines starting with `#` are comments; `\|` is a
 * literal pipe inside a cell. Rows then follow the workbook rules (workbook.h).
 */
#include "workbook.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Splits one table line (without its line end) into cells. */
static void split_row(struct workbook *wb, int line, const char *s, size_t len)
{
	struct strbuf cell = STRBUF_INIT;
	char **cells = NULL;
	size_t n = 0, cap = 0, i;

	/* s[0] is the opening '|' */
	for (i = 1; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len && s[i + 1] == '|') {
			strbuf_addch(&cell, '|');
			i++;
		} else if (s[i] == '|') {
			XGROW(cells, cap, n + 1);
			cells[n++] = strbuf_detach(&cell, NULL);
		} else {
			strbuf_addch(&cell, s[i]);
		}
	}
	/* text after the last '|' is not a cell unless the row lacks a closing pipe */
	for (i = 0; i < cell.len; i++)
		if (cell.buf[i] != ' ' && cell.buf[i] != '\t' && cell.buf[i] != '\r')
			break;
	if (i < cell.len) {
		XGROW(cells, cap, n + 1);
		cells[n++] = strbuf_detach(&cell, NULL);
	}
	strbuf_release(&cell);
	if (n)
		workbook_row(wb, line, cells, n);
	else
		free(cells);
}

int xlsform_md_parse(const char *file, const char *data, size_t len, struct workbook **out,
		     struct diag_list *diags)
{
	struct workbook *wb = workbook_new(file);
	size_t pos = 0, errors = diags->errors;
	int line = 0, bad_lines = 0;

	*out = NULL;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - s) : len - pos;

		pos += l + (nl ? 1 : 0);
		line++;
		while (l && (s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
			l--;
		while (l && (*s == ' ' || *s == '\t')) {
			s++;
			l--;
		}
		if (!l || *s == '#')
			continue;
		if (*s != '|') {
			struct strbuf where = STRBUF_INIT;

			/* a file that is not markdown at all: name the first lines only */
			if (++bad_lines <= 10) {
				strbuf_addf(&where, "%s:%d", file, line);
				diag_add(diags, DIAG_ERROR, where.buf,
					 "不是表格行（markdown 表格的每一行以 '|' 开头）",
					 "not a table row (every line of a markdown table starts with "
					 "'|')");
				strbuf_release(&where);
			}
			continue;
		}
		split_row(wb, line, s, l);
	}
	if (bad_lines > 10)
		diag_add(diags, DIAG_ERROR, file, "另有 %d 行不是表格行", "%d more lines are not table rows",
			 bad_lines - 10);
	if (diags->errors > errors) {
		workbook_free(wb);
		return -1;
	}
	*out = wb;
	return 0;
}
