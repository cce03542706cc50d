/*
 * xlsform_csv — pyxform's single-file CSV workbook read with libcsv, streaming
 * (see xlsform_csv.h).
 *
 * Line numbers: libcsv is run with CSV_REPALL_NL so that every unquoted CR and
 * LF reaches the end-of-record callback, blank lines included. Only LF advances
 * the line counter (a CRLF ends a record at the CR and reports the LF as an
 * empty row); LFs inside quoted cells are counted when the record ends. The
 * first field callback of a record therefore always sees the record's first
 * line.
 */
#include "xlsform_csv.h"

#include "ruhu/csvbuf.h"
#include "ruhu/strbuf.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct xlsform_csv {
	struct csv_parser p;
	struct workbook *wb;
	int line;        /* 1-based line at the current position */
	int rec_line;    /* line where the current record started */
	int pending_nl;  /* LFs inside quoted cells of the current record */
	int rec_open;    /* a field of the current record has been seen */
	char **cells;
	size_t n, cap;
	unsigned char bom[3];
	size_t bom_len;  /* bytes of a possible BOM held back, while bom_done == 0 */
	int bom_done;
	int failed;
	int fail_line;   /* where a strict-mode parse error was met */
};

static void on_field(void *data, size_t len, void *ud)
{
	struct xlsform_csv *r = ud;
	const char *s = data ? data : "";
	size_t i;

	if (!r->rec_open) {
		r->rec_open = 1;
		r->rec_line = r->line;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			r->pending_nl++;
	XGROW(r->cells, r->cap, r->n + 1);
	r->cells[r->n++] = xstrndup(s, len);
}

static void on_record(int c, void *ud)
{
	struct xlsform_csv *r = ud;

	if (r->rec_open) {
		workbook_row(r->wb, r->rec_line, r->cells, r->n);
		r->cells = NULL;
		r->n = r->cap = 0;
		r->rec_open = 0;
		r->line += r->pending_nl;
		r->pending_nl = 0;
	}
	if (c == '\n')
		r->line++;
}

struct xlsform_csv *xlsform_csv_new(const char *file)
{
	struct xlsform_csv *r = xcalloc(1, sizeof(*r));

	if (csv_init(&r->p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		abort();
	csvbuf_install(&r->p); /* a long cell in linear time */
	r->wb = workbook_new(file);
	r->line = 1;
	return r;
}

static int parse(struct xlsform_csv *r, const void *data, size_t len)
{
	if (!len || r->failed)
		return r->failed ? -1 : 0;
	if (csv_parse(&r->p, data, len, on_field, on_record, r) != len) {
		r->failed = 1;
		r->fail_line = r->rec_open ? r->rec_line : r->line;
		return -1;
	}
	return 0;
}

int xlsform_csv_feed(struct xlsform_csv *r, const void *data, size_t len)
{
	static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
	const unsigned char *d = data;

	/* Hold back the first bytes until we know whether they are a BOM. */
	while (!r->bom_done && len) {
		if (*d != bom[r->bom_len]) {
			r->bom_done = 1;
			if (parse(r, r->bom, r->bom_len) < 0)
				return -1;
			break;
		}
		r->bom[r->bom_len++] = *d++;
		len--;
		if (r->bom_len == 3)
			r->bom_done = 1; /* a complete BOM: dropped */
	}
	return parse(r, d, len);
}

int xlsform_csv_finish(struct xlsform_csv *r, struct workbook **out, struct diag_list *diags)
{
	int ret = -1;

	*out = NULL;
	if (!r->bom_done) {
		r->bom_done = 1;
		if (parse(r, r->bom, r->bom_len) < 0)
			goto fail;
	}
	if (r->failed)
		goto fail;
	if (csv_fini(&r->p, on_field, on_record, r) != 0) {
		if (csv_error(&r->p) == CSV_EPARSE) {
			struct strbuf where = STRBUF_INIT;

			strbuf_addf(&where, "%s:%d", r->wb->file, r->rec_open ? r->rec_line : r->line);
			diag_add(diags, DIAG_ERROR, where.buf, "带引号的单元格没有结束引号",
				 "quoted cell is never closed");
			strbuf_release(&where);
			goto done;
		}
		goto fail;
	}
	*out = r->wb;
	r->wb = NULL;
	ret = 0;
	goto done;
fail:
	if (csv_error(&r->p) == CSV_EPARSE) {
		struct strbuf where = STRBUF_INIT;

		strbuf_addf(&where, "%s:%d", r->wb->file, r->fail_line);
		diag_add(diags, DIAG_ERROR, where.buf,
			 "引号用法错误：带引号的单元格里的引号要写两次（\"\"），结束引号后只能是逗号或换行",
			 "malformed quoted cell: a quote inside a quoted cell is written twice (\"\"), "
			 "and a closing quote is followed by a comma or a line end");
		strbuf_release(&where);
	} else {
		diag_add(diags, DIAG_ERROR, r->wb->file, "无法解析 CSV：%s", "cannot parse CSV: %s",
			 csv_strerror(csv_error(&r->p)));
	}
done:
	return ret;
}

void xlsform_csv_free(struct xlsform_csv *r)
{
	size_t i;

	if (!r)
		return;
	csv_free(&r->p);
	for (i = 0; i < r->n; i++)
		free(r->cells[i]);
	free(r->cells);
	workbook_free(r->wb);
	free(r);
}
