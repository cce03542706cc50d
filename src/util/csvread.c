/*
 * csvread — strict CSV records with the physical line each starts on
 * (include/ruhu/csvread.h).
 *
 * The buffer is fed to libcsv one physical line at a time, so that when a
 * record ends (libcsv's record callback) the reader knows which line it
 * began on. Invariants: `line` is the number of the line being fed;
 * `in_record` is true from the first non-blank line after a record ended
 * until libcsv ends the next record, and `start` holds that line. libcsv
 * skips lines of only spaces, tabs and line breaks between records, and so
 * does the start detection, so the two agree. Cost: one pass over the bytes,
 * one copy of each cell.
 */
#include "ruhu/csvread.h"
#include "ruhu/csvbuf.h"
#include "ruhu/utf8.h"

#include "ruhu/strbuf.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const struct csvread_opts *o;
	csvread_fn fn;
	void *ud;
	struct error *err;
	char **cells;
	size_t *lens;
	size_t n, cap, lcap;
	size_t line, start, record;
	int in_record;
	int stop; /* negative: an error is set, ignore libcsv's further callbacks */
};

void csvread_note_record(struct error *err, const struct csvread_record *rec)
{
	struct strbuf sb = STRBUF_INIT;

	if (!err || rec->record == rec->line)
		return;
	strbuf_addf(&sb, "%s（第 %zu 条记录）", err->zh ? err->zh : "", rec->record);
	free(err->zh);
	err->zh = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s (record %zu)", err->en ? err->en : "", rec->record);
	free(err->en);
	err->en = strbuf_detach(&sb, NULL);
}

/* unclosed: at the end of the input, else a stray quote */
static void fail(struct reader *r, int unclosed)
{
	struct csvread_record rec = {NULL, NULL, 0, r->start, r->record + 1};
	struct strbuf w = STRBUF_INIT;

	strbuf_addf(&w, "%s:%zu", r->o->name, r->start);
	if (unclosed)
		error_set(r->err, w.buf, "CSV 格式错误（引号未闭合）", "malformed CSV (unclosed quote)");
	else
		error_set(r->err, w.buf, "CSV 格式错误（引号不配对）",
			  "malformed CSV (stray or unclosed quote)");
	csvread_note_record(r->err, &rec);
	strbuf_release(&w);
	r->stop = -1;
}

static void drop_cells(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->cells[i]);
	r->n = 0;
}

static void on_field(void *s, size_t len, void *ud)
{
	struct reader *r = ud;
	char *c;

	if (r->stop)
		return;
	if (r->o->max_cells && r->n >= r->o->max_cells) {
		struct csvread_record rec = {NULL, NULL, 0, r->start, r->record + 1};
		struct strbuf w = STRBUF_INIT;

		strbuf_addf(&w, "%s:%zu", r->o->name, r->start);
		error_set(r->err, w.buf, "这一行超过 %zu 列", "more than %zu columns in this row",
			  r->o->max_cells);
		if (r->err)
			r->err->code = CSVREAD_E_COLUMNS;
		csvread_note_record(r->err, &rec);
		strbuf_release(&w);
		r->stop = -1;
		drop_cells(r);
		return;
	}
	XGROW(r->cells, r->cap, r->n + 1);
	XGROW(r->lens, r->lcap, r->n + 1);
	c = xmalloc(len + 1);
	if (len)
		memcpy(c, s, len);
	c[len] = '\0';
	r->cells[r->n] = c;
	r->lens[r->n] = len;
	r->n++;
}

static void on_record(int term, void *ud)
{
	struct reader *r = ud;
	struct csvread_record rec;
	int rc;

	(void)term;
	r->in_record = 0;
	if (r->stop) {
		drop_cells(r);
		return;
	}
	rec.cells = r->cells;
	rec.lens = r->lens;
	rec.n = r->n;
	rec.line = r->start;
	rec.record = ++r->record;
	rc = r->fn(r->ud, &rec, r->err);
	if (rc < 0)
		r->stop = rc;
	drop_cells(r);
}

/* End of the line starting at data[pos]: after its LF, CRLF or lone CR. */
static size_t line_end(const char *data, size_t len, size_t pos)
{
	for (; pos < len; pos++) {
		if (data[pos] == '\n')
			return pos + 1;
		if (data[pos] == '\r')
			return pos + 1 < len && data[pos + 1] == '\n' ? pos + 2 : pos + 1;
	}
	return len;
}

static int blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]) || !s[i])
			return 0;
	return 1;
}

int csvread_buffer(const struct csvread_opts *o, const char *data, size_t len, csvread_fn fn,
		   void *ud, struct error *err)
{
	struct csv_parser p;
	struct reader r;
	size_t pos = 0;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.fn = fn;
	r.ud = ud;
	r.err = err;
	if (utf8_is_utf16(data, len)) {
		error_set(err, o->name, "文件是 UTF-16 编码：请另存为 UTF-8（CSV UTF-8）",
			  "the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)");
		return -1;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		error_set(err, o->name, "内存不足", "out of memory");
		return -1;
	}
	csvbuf_install(&p); /* a long cell in linear time */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		pos = 3;
	r.line = 1;
	while (pos < len) {
		size_t end = line_end(data, len, pos);

		if (!r.in_record && !blank(data + pos, end - pos)) {
			r.in_record = 1;
			r.start = r.line;
		}
		if (csv_parse(&p, data + pos, end - pos, on_field, on_record, &r) != end - pos &&
		    !r.stop)
			fail(&r, 0);
		if (r.stop) {
			ret = r.stop;
			goto done;
		}
		pos = end;
		r.line++;
	}
	if (csv_fini(&p, on_field, on_record, &r) != 0 && !r.stop)
		fail(&r, 1);
	ret = r.stop ? r.stop : 0;
done:
	csv_free(&p);
	drop_cells(&r);
	free(r.cells);
	free(r.lens);
	return ret;
}
