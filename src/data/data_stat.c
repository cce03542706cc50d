/*
 * data_stat — the Stata (.dta, format 118: Stata 14 and newer, UTF-8) and
 * SPSS (.sav, row-compressed, UTF-8) outputs of `ruhu data`, one file per
 * table, written with ReadStat's writer.
 *
 * Types: numbers, codes and 0/1 columns are doubles; dates are Stata %td
 * (days since 1960-01-01) / SPSS DATE11 (seconds since 1582-10-14);
 * datetimes Stata %tc (milliseconds since 1960) / SPSS DATETIME20, the
 * clock time as recorded; text is a string as wide as its longest value
 * (Stata: strL past 2,045 bytes).
 *
 * Don't know / refused: in numeric columns Stata's extended missing .a / .b
 * (labelled), SPSS the codes (-8 / -9 unless --dk-code/--refused-code) declared
 * as user-missing values and labelled; in text columns the codes as text
 * (SPSS: declared missing too).
 *
 * What each format cuts (the full text is always in codebook.csv, written
 * beside them): Stata variable labels and the dataset label at 80
 * characters, value labels at 32,000 bytes; SPSS variable labels at 255
 * bytes (85 Chinese characters), value labels at 120 bytes (40 Chinese
 * characters), the file label at 64 bytes. A cut label ends with "…".
 */
#include "data_impl.h"

#include "ruhu/strbuf.h"

#include <errno.h>
#include <readstat.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_1960 3653       /* 1960-01-01 - 1970-01-01 */
#define DAYS_1582 141428     /* 1582-10-14 - 1970-01-01 */
#define DTA_STR_MAX 2045

struct sink {
	FILE *fp;
};

static ssize_t sink_write(const void *bytes, size_t len, void *ctx)
{
	struct sink *s = ctx;

	return fwrite(bytes, 1, len, s->fp) == len ? (ssize_t)len : -1;
}

struct limits {
	size_t var_label_bytes, var_label_chars;
	size_t value_label_bytes, value_label_chars;
	size_t file_label_bytes, file_label_chars;
};

static const struct limits dta_limits = {320, 80, 32000, 32000, 320, 80};
static const struct limits sav_limits = {255, 255, 120, 120, 64, 64};

static long code_of(const char *s)
{
	return s ? strtol(s, NULL, 10) : 0;
}

static int rs_fail(struct error *err, const char *name, readstat_error_t e)
{
	if (e == READSTAT_ERROR_WRITE) {
		if (!errno)
			errno = EIO;
		return data_io_fail(err, name, "写入失败", "cannot write");
	}
	error_set(err, name, "无法写出：%s", "cannot write it: %s", readstat_error_message(e));
	return -1;
}

static int write_table(struct data_job *j, enum data_format fmt, const struct data_table *t,
		       const struct data_model *m, struct error *err)
{
	const struct limits *lim = fmt == DATA_DTA ? &dta_limits : &sav_limits;
	const char *ext = fmt == DATA_DTA ? "dta" : "sav";
	struct strbuf name = STRBUF_INIT;
	readstat_writer_t *w = readstat_writer_init();
	readstat_variable_t **vars = xcalloc(t->n_cols + 1, sizeof(*vars));
	readstat_label_set_t **sets = NULL, *flag_set = NULL, *special_set = NULL;
	readstat_string_ref_t ***refs = NULL;
	double dk = (double)code_of(j->o->dk_code ? j->o->dk_code : "-8");
	double rf = (double)code_of(j->o->refused_code ? j->o->refused_code : "-9");
	const char *dk_text = j->o->dk_code ? j->o->dk_code : "-8";
	const char *rf_text = j->o->refused_code ? j->o->refused_code : "-9";
	bool zh = !j->o->lang || strcmp(j->o->lang, "en") != 0;
	const char *dk_label = zh ? "不知道" : "don't know", *rf_label = zh ? "拒绝回答" : "refused";
	char *buf = xmalloc(32000 * 4 + 8);
	struct sink sink = {NULL};
	readstat_error_t e = READSTAT_OK;
	size_t c, r, nvl = m ? data_model_vlabels_count(m) : 0;
	int ret = -1;
	const char *tmp;

	strbuf_addf(&name, "%s.%s", t->name, ext);
	tmp = data_files_add(j->files, name.buf);
	strbuf_reset(&name);
	strbuf_addstr(&name, data_files_final(j->files));
	sink.fp = data_fopen(tmp, name.buf, err);
	if (!sink.fp)
		goto done;
	readstat_set_data_writer(w, sink_write);
	readstat_writer_set_file_label(w, data_truncate(t->label, lim->file_label_bytes,
							 lim->file_label_chars, buf));
	if (fmt == DATA_DTA)
		readstat_writer_set_file_format_version(w, 118);
	else
		readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);

	/* value label sets: the choice lists this table uses, and 0/1 */
	sets = xcalloc(nvl + 1, sizeof(*sets));
	for (c = 0; c < t->n_cols; c++) {
		const struct data_column *col = &t->cols[c];
		readstat_type_t type = READSTAT_TYPE_DOUBLE;
		size_t width = 0;

		if (col->kind == DATA_STRING) {
			for (r = 0; r < t->n_rows; r++) {
				const char *v = t->cells[r * t->n_cols + c];
				size_t len = !v ? 0
					     : v == data_cell_dont_know ? strlen(dk_text)
					     : v == data_cell_refused   ? strlen(rf_text)
								   : strlen(v);

				if (len > width)
					width = len;
			}
			type = READSTAT_TYPE_STRING;
			if (width == 0)
				width = 1;
			if (fmt == DATA_DTA && width > DTA_STR_MAX)
				type = READSTAT_TYPE_STRING_REF;
		}
		vars[c] = readstat_add_variable(w, col->name, type, type == READSTAT_TYPE_STRING ? width : 0);
		readstat_variable_set_label(vars[c], data_truncate(col->label, lim->var_label_bytes,
								   lim->var_label_chars, buf));
		if (col->kind == DATA_DATE)
			readstat_variable_set_format(vars[c], fmt == DATA_DTA ? "%td" : "DATE11");
		else if (col->kind == DATA_DATETIME)
			readstat_variable_set_format(vars[c], fmt == DATA_DTA ? "%tc" : "DATETIME20");
		if (col->kind == DATA_STRING) {
			if (fmt == DATA_SAV && type == READSTAT_TYPE_STRING) {
				readstat_variable_add_missing_string_value(vars[c], dk_text);
				readstat_variable_add_missing_string_value(vars[c], rf_text);
			}
			continue;
		}
		if (fmt == DATA_SAV) {
			readstat_variable_add_missing_double_value(vars[c], dk);
			readstat_variable_add_missing_double_value(vars[c], rf);
		}
		if (col->kind == DATA_CODE && m && col->vlabels >= 0) {
			const struct data_vlabels *vl = data_model_vlabels(m, (size_t)col->vlabels);
			readstat_label_set_t *ls = sets[col->vlabels];
			size_t i;

			if (!ls) {
				ls = readstat_add_label_set(w, fmt == DATA_DTA ? READSTAT_TYPE_INT32
									  : READSTAT_TYPE_DOUBLE,
							    vl->name);
				for (i = 0; i < vl->n; i++) {
					const char *lab = data_truncate(vl->labels[i][0] ? vl->labels[i]
											  : vl->names[i],
									lim->value_label_bytes,
									lim->value_label_chars, buf);

					if (fmt == DATA_DTA)
						readstat_label_int32_value(ls, vl->codes[i], lab);
					else
						readstat_label_double_value(ls, vl->codes[i], lab);
				}
				if (fmt == DATA_DTA) {
					readstat_label_tagged_value(ls, 'a', dk_label);
					readstat_label_tagged_value(ls, 'b', rf_label);
				} else {
					readstat_label_double_value(ls, dk, dk_label);
					readstat_label_double_value(ls, rf, rf_label);
				}
				sets[col->vlabels] = ls;
			}
			readstat_variable_set_label_set(vars[c], ls);
		} else if (col->kind == DATA_FLAG) {
			if (!flag_set) {
				flag_set = readstat_add_label_set(w, fmt == DATA_DTA ? READSTAT_TYPE_INT32
										: READSTAT_TYPE_DOUBLE,
								  "ruhu_chosen");
				if (fmt == DATA_DTA) {
					readstat_label_int32_value(flag_set, 0, zh ? "未选" : "not chosen");
					readstat_label_int32_value(flag_set, 1, zh ? "选中" : "chosen");
					readstat_label_tagged_value(flag_set, 'a', dk_label);
					readstat_label_tagged_value(flag_set, 'b', rf_label);
				} else {
					readstat_label_double_value(flag_set, 0, zh ? "未选" : "not chosen");
					readstat_label_double_value(flag_set, 1, zh ? "选中" : "chosen");
					readstat_label_double_value(flag_set, dk, dk_label);
					readstat_label_double_value(flag_set, rf, rf_label);
				}
			}
			readstat_variable_set_label_set(vars[c], flag_set);
		} else if (col->kind == DATA_NUMBER) {
			/* numbers: a set that names only the two special values */
			if (!special_set) {
				special_set = readstat_add_label_set(
					w, fmt == DATA_DTA ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE,
					"ruhu_special");
				if (fmt == DATA_DTA) {
					readstat_label_tagged_value(special_set, 'a', dk_label);
					readstat_label_tagged_value(special_set, 'b', rf_label);
				} else {
					readstat_label_double_value(special_set, dk, dk_label);
					readstat_label_double_value(special_set, rf, rf_label);
				}
			}
			readstat_variable_set_label_set(vars[c], special_set);
		}
	}

	/* strL values are interned before the data (ReadStat writes and sorts
	 * them when it begins) */
	refs = xcalloc(t->n_cols + 1, sizeof(*refs));
	for (c = 0; c < t->n_cols; c++) {
		if (readstat_variable_get_type(vars[c]) != READSTAT_TYPE_STRING_REF)
			continue;
		refs[c] = xcalloc(t->n_rows + 1, sizeof(**refs));
		for (r = 0; r < t->n_rows; r++) {
			const char *v = t->cells[r * t->n_cols + c];

			if (v)
				refs[c][r] = readstat_add_string_ref(
					w, v == data_cell_dont_know ? dk_text : v == data_cell_refused ? rf_text : v);
		}
	}
	e = fmt == DATA_DTA ? readstat_begin_writing_dta(w, &sink, (long)t->n_rows)
			    : readstat_begin_writing_sav(w, &sink, (long)t->n_rows);
	for (r = 0; r < t->n_rows && e == READSTAT_OK; r++) {
		const char *const *row = t->cells + r * t->n_cols;

		e = readstat_begin_row(w);
		for (c = 0; c < t->n_cols && e == READSTAT_OK; c++) {
			const struct data_column *col = &t->cols[c];
			const char *v = row[c];
			readstat_variable_t *var = vars[c];
			double d;
			int64_t days;

			if (col->kind == DATA_STRING) {
				const char *s = !v ? NULL
						: v == data_cell_dont_know ? dk_text
						: v == data_cell_refused   ? rf_text
								      : v;

				if (!s)
					e = readstat_insert_missing_value(w, var);
				else if (refs[c])
					e = readstat_insert_string_ref(w, var, refs[c][r]);
				else
					e = readstat_insert_string_value(w, var, s);
				continue;
			}
			if (v == data_cell_dont_know || v == data_cell_refused) {
				if (fmt == DATA_DTA)
					e = readstat_insert_tagged_missing_value(
						w, var, v == data_cell_dont_know ? 'a' : 'b');
				else
					e = readstat_insert_double_value(w, var,
									 v == data_cell_dont_know ? dk : rf);
				continue;
			}
			if (!v) {
				e = readstat_insert_missing_value(w, var);
				continue;
			}
			if (col->kind == DATA_DATE && data_parse_date(v, &days) == 0)
				d = fmt == DATA_DTA ? (double)(days + DAYS_1960)
						    : (double)(days + DAYS_1582) * 86400.0;
			else if (col->kind == DATA_DATETIME && data_parse_datetime(v, &d) == 0)
				d = fmt == DATA_DTA ? (d + DAYS_1960 * 86400.0) * 1000.0
						    : d + DAYS_1582 * 86400.0;
			else if (data_parse_number(v, &d) < 0) {
				e = readstat_insert_missing_value(w, var);
				continue;
			}
			e = readstat_insert_double_value(w, var, d);
		}
		if (e == READSTAT_OK)
			e = readstat_end_row(w);
		if ((r & 1023) == 1023)
			data_job_tick(j, 1024);
	}
	if (e == READSTAT_OK)
		e = readstat_end_writing(w);
	data_job_tick(j, t->n_rows & 1023);
	if (e != READSTAT_OK) {
		fclose(sink.fp);
		sink.fp = NULL;
		rs_fail(err, name.buf, e);
		goto done;
	}
	ret = data_fclose(sink.fp, name.buf, err);
	sink.fp = NULL;
done:
	if (sink.fp)
		fclose(sink.fp);
	readstat_writer_free(w);
	for (c = 0; refs && c < t->n_cols; c++)
		free(refs[c]);
	free(refs);
	free(vars);
	free(sets);
	free(buf);
	strbuf_release(&name);
	return ret;
}

int data_write_stat(struct data_job *j, enum data_format fmt, struct error *err)
{
	size_t ti;

	for (ti = 0; ti < data_job_table_count(j); ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		if (write_table(j, fmt, t, m, err) < 0)
			return -1;
	}
	return 0;
}
