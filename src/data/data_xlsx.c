/*
 * data_xlsx — the Excel output of `ruhu data`: one workbook (FORMID.xlsx,
 * or data.xlsx when several forms are exported) with a sheet per table and
 * a "codebook" sheet, written with libxlsxwriter in constant-memory mode
 * (rows go to disk as they are written).
 *
 * Cells: numbers as numbers; dates and datetimes as Excel dates with a date
 * format; choices (select_one) as their label in the chosen language (the
 * codes are in the codebook sheet); 0/1 split columns as numbers; don't
 * know and refused as the text 不知道 / 拒绝回答 (don't know / refused), so
 * Excel's SUM and AVERAGE skip them.
 *
 * Limits (Excel's): a sheet name has at most 31 characters (a longer table
 * name is cut and numbered, the codebook sheet names the table in full); a
 * cell holds at most 32,767 characters (a longer text is cut with "…"; the
 * CSV output has it whole); a sheet holds 1,048,576 rows and 16,384 columns
 * (a larger table is an error naming it: use csv, dta or sav).
 */
#include "data_impl.h"

#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define XLSX_MAX_ROWS 1048576u
#define XLSX_MAX_COLS 16384u
#define XLSX_MAX_CELL 32767u

struct wb {
	lxw_workbook *wb;
	lxw_format *head, *date, *datetime;
	const char *name; /* the file name, for messages */
	char *cut;        /* scratch for cut cells */
	bool zh;
};

static int lxw_fail(struct error *err, const char *name, lxw_error e)
{
	error_set(err, name, "Excel 文件写入失败：%s", "cannot write the Excel file: %s",
		  lxw_strerror(e));
	return -1;
}

static const char *cut(struct wb *w, const char *s)
{
	size_t len = strlen(s);

	if (len <= XLSX_MAX_CELL || utf8_length(s, len) <= XLSX_MAX_CELL)
		return s;
	return data_truncate(s, len, XLSX_MAX_CELL, w->cut);
}

static const char *code_label(const struct data_model *m, const struct data_column *c,
			      const char *v)
{
	const struct data_vlabels *vl = data_model_vlabels(m, (size_t)c->vlabels);
	long code = strtol(v, NULL, 10);
	size_t i;

	for (i = 0; vl && i < vl->n; i++)
		if (vl->codes[i] == code)
			return vl->labels[i][0] ? vl->labels[i] : vl->names[i];
	return v;
}

static lxw_error put(struct wb *w, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
		     const struct data_model *m, const struct data_column *col, const char *v)
{
	double d;
	int64_t days;

	if (!v)
		return LXW_NO_ERROR;
	if (v == data_cell_dont_know || v == data_cell_refused)
		return worksheet_write_string(ws, r, c,
					      v == data_cell_dont_know ? (w->zh ? "不知道" : "don't know")
								  : (w->zh ? "拒绝回答" : "refused"),
					      NULL);
	switch (col->kind) {
	case DATA_NUMBER:
	case DATA_FLAG:
		if (data_parse_number(v, &d) == 0)
			return worksheet_write_number(ws, r, c, d, NULL);
		break;
	case DATA_CODE:
		if (m && col->vlabels >= 0)
			return worksheet_write_string(ws, r, c, cut(w, code_label(m, col, v)), NULL);
		break;
	case DATA_DATE:
		if (data_parse_date(v, &days) == 0)
			return worksheet_write_number(ws, r, c, (double)days + 25569.0, w->date);
		break;
	case DATA_DATETIME:
		if (data_parse_datetime(v, &d) == 0)
			return worksheet_write_number(ws, r, c, d / 86400.0 + 25569.0, w->datetime);
		break;
	case DATA_STRING:
		break;
	}
	return worksheet_write_string(ws, r, c, cut(w, v), NULL);
}

/* A unique sheet name of at most 31 characters. */
static void sheet_name(const char *want, size_t k, struct strbuf *out)
{
	strbuf_reset(out);
	if (strlen(want) <= 31) {
		strbuf_addstr(out, want);
		return;
	}
	strbuf_add(out, want, 24);
	strbuf_addf(out, "~%zu", k + 1);
}

static int write_sheet(struct data_job *j, struct wb *w, const struct data_table *t,
		       const struct data_model *m, size_t k, struct error *err)
{
	struct strbuf sn = STRBUF_INIT;
	lxw_worksheet *ws;
	size_t r, c;
	lxw_error e = LXW_NO_ERROR;

	if (t->n_rows + 1 > XLSX_MAX_ROWS || t->n_cols > XLSX_MAX_COLS) {
		error_set(err, w->name,
			  "表 '%s' 有 %zu 行、%zu 列，超出 Excel 工作表的上限（1048575 行、16384 "
			  "列）：请用 csv、dta 或 sav 格式",
			  "table '%s' has %zu rows and %zu columns, more than an Excel sheet holds "
			  "(1048575 rows, 16384 columns): use csv, dta or sav",
			  t->name, t->n_rows, t->n_cols);
		return -1;
	}
	sheet_name(t->name, k, &sn);
	ws = workbook_add_worksheet(w->wb, sn.buf);
	strbuf_release(&sn);
	if (!ws)
		return lxw_fail(err, w->name, LXW_ERROR_MEMORY_MALLOC_FAILED);
	for (c = 0; c < t->n_cols && !e; c++)
		e = worksheet_write_string(ws, 0, (lxw_col_t)c, t->cols[c].name, w->head);
	worksheet_freeze_panes(ws, 1, 0);
	for (r = 0; r < t->n_rows && !e; r++) {
		const char *const *row = t->cells + r * t->n_cols;

		for (c = 0; c < t->n_cols && !e; c++)
			e = put(w, ws, (lxw_row_t)(r + 1), (lxw_col_t)c, m, &t->cols[c], row[c]);
		if ((r & 1023) == 1023)
			data_job_tick(j, 1024);
	}
	data_job_tick(j, t->n_rows & 1023);
	return e ? lxw_fail(err, w->name, e) : 0;
}

static int write_codebook(struct data_job *j, struct wb *w, struct error *err)
{
	static const char *const head[] = {"sheet", "table", "variable", "label", "kind",
					   "type", "field", "choices", "relevant", "constraint",
					   "personal"};
	lxw_worksheet *ws = workbook_add_worksheet(w->wb, "codebook");
	struct strbuf sb = STRBUF_INIT, sn = STRBUF_INIT;
	lxw_row_t r = 1;
	size_t ti, c, i;
	lxw_error e = LXW_NO_ERROR;

	if (!ws)
		return lxw_fail(err, w->name, LXW_ERROR_MEMORY_MALLOC_FAILED);
	for (i = 0; i < sizeof(head) / sizeof(head[0]) && !e; i++)
		e = worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], w->head);
	worksheet_freeze_panes(ws, 1, 0);
	for (ti = 0; ti < data_job_table_count(j) && !e; ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		sheet_name(t->name, ti, &sn);
		for (c = 0; c < t->n_cols && !e; c++, r++) {
			const struct data_column *col = &t->cols[c];
			const char *v[11];

			strbuf_reset(&sb);
			if (m && col->kind == DATA_CODE && col->vlabels >= 0) {
				const struct data_vlabels *vl =
					data_model_vlabels(m, (size_t)col->vlabels);

				for (i = 0; i < vl->n; i++)
					strbuf_addf(&sb, "%s%d=%s=%s", i ? "\n" : "", (int)vl->codes[i],
						    vl->names[i], vl->labels[i]);
			}
			v[0] = sn.buf;
			v[1] = t->name;
			v[2] = col->name;
			v[3] = col->label;
			v[4] = data_kind_name(col->kind);
			v[5] = col->type_name;
			v[6] = col->choice ? col->choice : col->source;
			v[7] = sb.buf;
			v[8] = col->relevant;
			v[9] = col->constraint;
			v[10] = col->masked ? "masked" : col->personal ? "yes" : "";
			for (i = 0; i < 11 && !e; i++)
				if (v[i] && *v[i])
					e = worksheet_write_string(ws, r, (lxw_col_t)i, cut(w, v[i]),
								   NULL);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&sn);
	return e ? lxw_fail(err, w->name, e) : 0;
}

int data_write_xlsx(struct data_job *j, struct error *err)
{
	struct strbuf name = STRBUF_INIT;
	lxw_workbook_options opt;
	struct wb w;
	const char *tmp;
	size_t ti;
	lxw_error e;
	int ret = -1;

	memset(&w, 0, sizeof(w));
	if (j->n_models == 1)
		strbuf_addf(&name, "%s.xlsx", data_model_table(j->models[0], 0)->name);
	else
		strbuf_addstr(&name, "data.xlsx");
	tmp = data_files_add(j->files, name.buf);
	strbuf_reset(&name);
	strbuf_addstr(&name, data_files_final(j->files));
	memset(&opt, 0, sizeof(opt));
	opt.constant_memory = LXW_TRUE;
	opt.tmpdir = j->files->dir; /* its temporary files beside the output, not in /tmp */
	opt.use_zip64 = LXW_TRUE;
	w.name = name.buf;
	w.zh = !j->o->lang || strcmp(j->o->lang, "en") != 0;
	w.cut = xmalloc(XLSX_MAX_CELL * 4 + 8);
	w.wb = workbook_new_opt(tmp, &opt);
	if (!w.wb) {
		data_io_fail(err, name.buf, "无法创建文件", "cannot create the file");
		goto done;
	}
	w.head = workbook_add_format(w.wb);
	format_set_bold(w.head);
	w.date = workbook_add_format(w.wb);
	format_set_num_format(w.date, "yyyy-mm-dd");
	w.datetime = workbook_add_format(w.wb);
	format_set_num_format(w.datetime, "yyyy-mm-dd hh:mm:ss");
	for (ti = 0; ti < data_job_table_count(j); ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		if (write_sheet(j, &w, t, m, ti, err) < 0)
			goto done;
	}
	if (write_codebook(j, &w, err) < 0)
		goto done;
	e = workbook_close(w.wb);
	w.wb = NULL;
	if (e) {
		lxw_fail(err, name.buf, e);
		goto done;
	}
	ret = 0;
done:
	if (w.wb)
		workbook_close(w.wb); /* frees it; the partial file is removed by the caller */
	free(w.cut);
	strbuf_release(&name);
	return ret;
}
