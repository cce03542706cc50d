/*
 * data_csv — the CSV output of `ruhu data`: one TABLE.csv per table (UTF-8,
 * RFC 4180, a header of variable names, optionally a byte order mark for
 * Excel/WPS), codebook.csv (every variable of every table, with its full
 * label, written with every format), and labels.do / labels.R, which read
 * the CSVs and apply the variable and value labels in Stata and R.
 *
 * Cells are written with libcsv's writer (csv_fwrite) whenever they need
 * quoting, as is otherwise. Don't know and refused are written as the codes
 * of the options (default -8 and -9) in every column; the codebook and both
 * scripts name them.
 */
#include "data_impl.h"

#include "ruhu/form.h"
#include "ruhu/strbuf.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

static const char *dk_code(const struct data_options *o)
{
	return o->dk_code ? o->dk_code : "-8";
}

static const char *ref_code(const struct data_options *o)
{
	return o->refused_code ? o->refused_code : "-9";
}

static bool zh(const struct data_options *o)
{
	return !o->lang || strcmp(o->lang, "en") != 0;
}

static void cell(FILE *fp, const char *s)
{
	size_t len = strlen(s);

	if (!len)
		return;
	if (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[len - 1] == ' ')
		csv_fwrite(fp, s, len);
	else
		fwrite(s, 1, len, fp);
}

static void row_end(FILE *fp)
{
	fputs("\r\n", fp);
}

static const char *render(const struct data_options *o, const char *v)
{
	if (!v)
		return "";
	if (v == data_cell_dont_know)
		return dk_code(o);
	if (v == data_cell_refused)
		return ref_code(o);
	return v;
}

static int write_table(struct data_job *j, const struct data_table *t, struct error *err)
{
	struct strbuf name = STRBUF_INIT;
	const char *tmp;
	FILE *fp;
	size_t r, c;
	int ret;

	strbuf_addf(&name, "%s.csv", t->name);
	tmp = data_files_add(j->files, name.buf);
	strbuf_reset(&name);
	strbuf_addstr(&name, data_files_final(j->files));
	fp = data_fopen(tmp, name.buf, err);
	if (!fp) {
		strbuf_release(&name);
		return -1;
	}
	if (j->o->excel_bom)
		fputs("\xEF\xBB\xBF", fp);
	for (c = 0; c < t->n_cols; c++) {
		if (c)
			fputc(',', fp);
		cell(fp, t->cols[c].name);
	}
	row_end(fp);
	for (r = 0; r < t->n_rows; r++) {
		const char *const *row = t->cells + r * t->n_cols;

		for (c = 0; c < t->n_cols; c++) {
			if (c)
				fputc(',', fp);
			cell(fp, render(j->o, row[c]));
		}
		row_end(fp);
		if ((r & 1023) == 1023)
			data_job_tick(j, 1024);
	}
	data_job_tick(j, t->n_rows & 1023);
	ret = data_fclose(fp, name.buf, err);
	strbuf_release(&name);
	return ret;
}

/* "1=head=户主\n2=spouse=配偶" */
static void choices_text(const struct data_vlabels *v, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		strbuf_addf(sb, "%s%d=%s=%s", i ? "\n" : "", (int)v->codes[i], v->names[i],
			    v->labels[i]);
}

int data_write_codebook(struct data_job *j, struct error *err)
{
	static const char *const head[] = {"table", "variable", "label", "kind", "type",
					   "field", "choices", "missing_codes", "relevant",
					   "constraint", "personal"};
	const char *tmp = data_files_add(j->files, "codebook.csv");
	FILE *fp = data_fopen(tmp, data_files_final(j->files), err);
	const char *final = data_files_final(j->files);
	struct strbuf sb = STRBUF_INIT, miss = STRBUF_INIT, fld = STRBUF_INIT;
	size_t ti, c, i;

	if (!fp)
		return -1;
	if (j->o->excel_bom)
		fputs("\xEF\xBB\xBF", fp);
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		if (i)
			fputc(',', fp);
		cell(fp, head[i]);
	}
	row_end(fp);
	strbuf_addf(&miss, "%s=dont_know (Stata .a)\n%s=refused (Stata .b)", dk_code(j->o),
		    ref_code(j->o));
	for (ti = 0; ti < data_job_table_count(j); ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		for (c = 0; c < t->n_cols; c++) {
			const struct data_column *col = &t->cols[c];
			const char *v[11];

			strbuf_reset(&sb);
			if (m && col->vlabels >= 0 && col->kind == DATA_CODE)
				choices_text(data_model_vlabels(m, (size_t)col->vlabels), &sb);
			else if (col->kind == DATA_FLAG)
				strbuf_addstr(&sb, zh(j->o) ? "0=未选\n1=选中" : "0=not chosen\n1=chosen");
			v[0] = t->name;
			v[1] = col->name;
			v[2] = col->label;
			v[3] = data_kind_name(col->kind);
			v[4] = col->type_name;
			v[5] = col->choice ? col->choice : col->source;
			v[6] = sb.buf;
			v[7] = col->node >= 0 ? miss.buf : "";
			v[8] = col->relevant;
			v[9] = col->constraint;
			v[10] = col->masked ? "masked" : col->personal ? "yes" : "";
			if (col->kind == DATA_FLAG) {
				/* the split column names its choice in `field` */
				strbuf_reset(&fld);
				strbuf_addf(&fld, "%s=%s", col->source, col->choice);
				v[5] = fld.buf;
			}
			for (i = 0; i < 11; i++) {
				if (i)
					fputc(',', fp);
				cell(fp, v[i] ? v[i] : "");
			}
			row_end(fp);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&miss);
	strbuf_release(&fld);
	return data_fclose(fp, final, err);
}

/* ---- labels.do ---------------------------------------------------------- */

/* A Stata string literal in compound quotes: no line breaks, macros not
 * expanded, cut to Stata's 80 characters. */
static void stata_str(FILE *fp, const char *s, size_t max_chars)
{
	char *buf = xmalloc(strlen(s) * 3 + 8);
	const char *p;

	data_truncate(s, strlen(s) + 4, max_chars, buf);
	fputs("`\"", fp);
	for (p = buf; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			fputc(' ', fp);
		else if (*p == '$' || *p == '`' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else
			fputc(*p, fp);
	}
	fputs("\"'", fp);
	free(buf);
}

static void write_do_table(struct data_job *j, FILE *fp, const struct data_model *m,
			   const struct data_table *t)
{
	size_t c, i;

	fprintf(fp, "\n* %s.csv\n", t->name);
	fprintf(fp, "import delimited using \"%s.csv\", varnames(1) bindquote(strict) "
		    "maxquotedrows(unlimited) encoding(\"utf-8\") case(preserve) clear\n",
		t->name);
	fprintf(fp, "quietly ds, has(type numeric)\n"
		    "if \"`r(varlist)'\" != \"\" mvdecode `r(varlist)', mv(%s=.a \\ %s=.b)\n",
		dk_code(j->o), ref_code(j->o));
	fputs("label data ", fp);
	stata_str(fp, t->label, 80);
	fputs("\n", fp);
	for (c = 0; m && c < t->n_cols; c++) {
		const struct data_column *col = &t->cols[c];
		const struct data_vlabels *v;
		size_t k;

		if (col->kind != DATA_CODE || col->vlabels < 0)
			continue;
		for (k = 0; k < c; k++)
			if (t->cols[k].kind == DATA_CODE && t->cols[k].vlabels == col->vlabels)
				break;
		if (k < c)
			continue; /* defined already */
		v = data_model_vlabels(m, (size_t)col->vlabels);
		fprintf(fp, "label define %s", v->name);
		for (i = 0; i < v->n; i++) {
			fprintf(fp, " %d ", (int)v->codes[i]);
			stata_str(fp, v->labels[i][0] ? v->labels[i] : v->names[i], 32000);
		}
		fprintf(fp, " .a %s .b %s, replace\n",
			zh(j->o) ? "`\"不知道\"'" : "`\"don't know\"'",
			zh(j->o) ? "`\"拒绝回答\"'" : "`\"refused\"'");
	}
	for (c = 0; c < t->n_cols; c++) {
		const struct data_column *col = &t->cols[c];

		fprintf(fp, "capture label variable %s ", col->name);
		stata_str(fp, col->label, 80);
		fputs("\n", fp);
		if (m && col->kind == DATA_CODE && col->vlabels >= 0) {
			const struct data_vlabels *v = data_model_vlabels(m, (size_t)col->vlabels);

			fprintf(fp, "capture label values %s %s\n", col->name, v->name);
		}
	}
	fprintf(fp, "save \"%s.dta\", replace\n", t->name);
}

static int write_do(struct data_job *j, struct error *err)
{
	const char *tmp = data_files_add(j->files, "labels.do");
	FILE *fp = data_fopen(tmp, data_files_final(j->files), err);
	const char *final = data_files_final(j->files);
	size_t ti;

	if (!fp)
		return -1;
	fprintf(fp, "* ruhu data: applies the labels of codebook.csv to the CSV files of this "
		    "folder (Stata 14 or newer, UTF-8).\n"
		    "* Run it in this folder: do labels.do. Each TABLE.csv becomes TABLE.dta.\n"
		    "* Don't know (%s) becomes .a, refused (%s) becomes .b in numeric columns.\n"
		    "* Labels longer than Stata's 80 characters are cut; codebook.csv has them "
		    "whole.\nversion 14\nset more off\n",
		dk_code(j->o), ref_code(j->o));
	for (ti = 0; ti < data_job_table_count(j); ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		write_do_table(j, fp, m, t);
	}
	return data_fclose(fp, final, err);
}

/* ---- labels.R ----------------------------------------------------------- */

static void r_str(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\r')
			fputs("\\r", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void write_r_table(struct data_job *j, FILE *fp, const struct data_model *m,
			  const struct data_table *t)
{
	size_t c, i;

	fprintf(fp, "\n# %s.csv\nd <- ruhu_read(\"%s.csv\")\n", t->name, t->name);
	fputs("attr(d, \"label\") <- ", fp);
	r_str(fp, t->label);
	fputs("\n", fp);
	for (c = 0; c < t->n_cols; c++) {
		const struct data_column *col = &t->cols[c];

		if (m && col->kind == DATA_CODE && col->vlabels >= 0) {
			const struct data_vlabels *v = data_model_vlabels(m, (size_t)col->vlabels);

			fprintf(fp, "d[[\"%s\"]] <- factor(d[[\"%s\"]], levels = c(", col->name,
				col->name);
			for (i = 0; i < v->n; i++)
				fprintf(fp, "%s%d", i ? ", " : "", (int)v->codes[i]);
			fprintf(fp, "%s%s, %s), labels = c(", v->n ? ", " : "", dk_code(j->o),
				ref_code(j->o));
			for (i = 0; i < v->n; i++) {
				r_str(fp, v->labels[i][0] ? v->labels[i] : v->names[i]);
				fputs(", ", fp);
			}
			fprintf(fp, "%s))\n", zh(j->o) ? "\"不知道\", \"拒绝回答\"" : "\"don't know\", \"refused\"");
		} else if (col->kind == DATA_NUMBER || col->kind == DATA_FLAG) {
			fprintf(fp, "d[[\"%s\"]] <- ruhu_num(d[[\"%s\"]])\n", col->name, col->name);
		}
		fprintf(fp, "attr(d[[\"%s\"]], \"label\") <- ", col->name);
		r_str(fp, col->label);
		fputs("\n", fp);
	}
	fprintf(fp, "ruhu[[\"%s\"]] <- d\n", t->name);
}

static int write_r(struct data_job *j, struct error *err)
{
	const char *tmp = data_files_add(j->files, "labels.R");
	FILE *fp = data_fopen(tmp, data_files_final(j->files), err);
	const char *final = data_files_final(j->files);
	size_t ti;

	if (!fp)
		return -1;
	fprintf(fp,
		"# ruhu data: reads the CSV files of this folder and applies the labels of\n"
		"# codebook.csv (base R only). Run it in this folder: source(\"labels.R\").\n"
		"# The result is the list `ruhu`, one data frame per table; each column has\n"
		"# its label in attr(, \"label\"), choices are factors with their labels.\n"
		"# In numeric columns don't know (%s) and refused (%s) become NA; in choice\n"
		"# columns they are the last two levels.\n"
		"ruhu_read <- function(f) read.csv(f, fileEncoding = \"UTF-8-BOM\", "
		"encoding = \"UTF-8\",\n"
		"  colClasses = \"character\", na.strings = \"\", check.names = FALSE)\n"
		"ruhu_num <- function(x) { x <- as.numeric(x); x[x %%in%% c(%s, %s)] <- NA; x }\n"
		"ruhu <- list()\n",
		dk_code(j->o), ref_code(j->o), dk_code(j->o), ref_code(j->o));
	for (ti = 0; ti < data_job_table_count(j); ti++) {
		const struct data_model *m;
		const struct data_table *t = data_job_table(j, ti, &m);

		write_r_table(j, fp, m, t);
	}
	return data_fclose(fp, final, err);
}

int data_write_csv(struct data_job *j, struct error *err)
{
	size_t ti;

	for (ti = 0; ti < data_job_table_count(j); ti++)
		if (write_table(j, data_job_table(j, ti, NULL), err) < 0)
			return -1;
	if (write_do(j, err) < 0 || write_r(j, err) < 0)
		return -1;
	return 0;
}
