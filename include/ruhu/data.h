/*
 * data — interviews of the team database as analysis tables (`ruhu data`):
 * one model built from a form, filled from store records, written as CSV,
 * xlsx, Stata .dta and SPSS .sav with labels and a codebook (docs/data.md).
 *
 * The model (one per stored form version that has interviews):
 *   - tables: the main table (one row per interview) and one table per
 *     repeat (one row per instance, nested repeats included), named
 *     FORMID and FORMID_REPEAT;
 *   - every row is keyed: iv_uuid (the interview), iv_household (household
 *     key), and in repeat tables iv_instance (1-based index), iv_key
 *     ("UUID/members[2]") and iv_parent_key (the enclosing instance's key,
 *     or the UUID), so the tables join;
 *   - the main table carries the metadata columns iv_enumerator, iv_device,
 *     iv_county, iv_township, iv_village (from the sample), iv_start,
 *     iv_end, iv_duration (seconds), iv_status, iv_revision, iv_form_version;
 *   - one column per question (groups, repeats and notes have none);
 *     select_one is a numeric code (the choice name when every name of the
 *     list is an integer, else its 1-based position) with value labels;
 *     select_multiple is its raw text (names separated by spaces) followed by
 *     one 0/1 column per choice, NAME_CHOICE;
 *   - names are valid in Stata, SPSS and R alike: [A-Za-z][A-Za-z0-9_]*, at
 *     most 32 bytes, no reserved word, unique in the table; the form's own
 *     name is kept in the codebook;
 *   - don't know and refused are cells data_cell_dont_know / data_cell_refused; each
 *     writer turns them into its documented code.
 * Every string of a model is owned by it and lives until data_model_free().
 * Nothing here prints.
 */
#ifndef RUHU_DATA_H
#define RUHU_DATA_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct form;
struct store;
struct store_record;
struct store_assignment_row;

/* Output formats (bits of data_options.formats). */
enum data_format {
	DATA_CSV = 1 << 0,
	DATA_XLSX = 1 << 1,
	DATA_DTA = 1 << 2,
	DATA_SAV = 1 << 3,
};
/* "csv", "xlsx", "dta", "sav" -> the bit, or 0 */
unsigned data_format_parse(const char *name);

enum data_kind {
	DATA_STRING,   /* text as stored */
	DATA_NUMBER,   /* decimal text ("12", "3.5") */
	DATA_CODE,     /* select_one: integer code text, value labels from `list` */
	DATA_FLAG,     /* select_multiple split: "0" or "1" */
	DATA_DATE,     /* "YYYY-MM-DD" */
	DATA_DATETIME, /* "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]" (clock time as written) */
};
/* "string", "number", ... */
const char *data_kind_name(enum data_kind k);

/* Sentinel cells (compare pointers): a special value, not text. */
extern const char data_cell_dont_know[];
extern const char data_cell_refused[];

/* A value label set: a choice list's codes with names and labels. */
struct data_vlabels {
	const char *name;    /* variable-name-safe, unique in the model */
	const char *list;    /* the form's list name */
	size_t n;
	const int32_t *codes;
	const char *const *names;  /* choice names */
	const char *const *labels; /* labels in the chosen language ("" when none) */
};

struct data_column {
	const char *name;     /* the exported name (see above) */
	const char *label;    /* full label in the chosen language; "" when none */
	enum data_kind kind;
	const char *source;   /* the form field (path-free name) or "" for keys/metadata */
	const char *type_name;/* the form's type cell, or "key" / "meta" */
	const char *relevant; /* source text, or "" */
	const char *constraint;
	int node;             /* form node, -1 for keys and metadata */
	int vlabels;          /* DATA_CODE / DATA_FLAG: index in the model's sets, else -1 */
	const char *choice;   /* DATA_FLAG: the choice name, else NULL */
	bool personal;        /* masked by --mask */
	bool masked;          /* its values were replaced by pseudonyms */
};

struct data_table {
	const char *name;   /* FORMID or FORMID_REPEAT (file, sheet and dataset name) */
	const char *label;  /* form title, or the repeat's label */
	int repeat;         /* the repeat node, -1 for the main table */
	struct data_column *cols;
	size_t n_cols;
	size_t n_rows;
	/* cells[row * n_cols + col]: NULL (empty), data_cell_dont_know, data_cell_refused
	 * or the text of the kind of its column */
	const char **cells;
};

struct data_model_options {
	const char *lang;            /* "zh" / "en": labels in this form language */
	const unsigned char *mask_key; /* non-NULL: mask personal fields with this key */
	size_t mask_key_len;
	int64_t qc_run; /* > 0: the main table has iv_qc_findings, the findings of this
			 * audit run per interview (data_model_qc); 0: no audit has run */
};

struct data_model;

/*
 * Builds the empty model of `f` (which must outlive the model). Returns 0,
 * or < 0 with err when the form cannot be represented (it always can today;
 * kept for limits of the formats). The caller frees *out.
 */
int data_model_new(const struct form *f, const struct data_model_options *o,
		   struct data_model **out, struct error *err);
void data_model_free(struct data_model *m);

/*
 * Appends the rows of one interview (taken with this model's form): its main
 * row with `sample` (may be NULL: a household not in the sample) for the
 * county/township/village columns, `completed` (ms; 0: not known, the
 * interview's last change is used) for iv_end, and one row per repeat
 * instance. Fails
 * (< 0, the model unchanged) when an answer names no field of the form or a
 * repeat path does not match it; err->where is "interview UUID".
 */
int data_model_add(struct data_model *m, const struct store_record *r, int64_t completed,
		   const struct store_assignment_row *sample, struct error *err);

/*
 * The QC column of the interview data_model_add() has just added: the number
 * of findings of audit run `qc_run` about it, or < 0 for an empty cell (the
 * run did not audit this interview as it stands). Nothing when the model has
 * no QC column (qc_run 0).
 */
void data_model_qc(struct data_model *m, int64_t findings);

/*
 * Ends filling: drops calculate columns that are empty in every row, and
 * makes a numeric column whose values do not all parse as numbers a string
 * one (and a calculate whose values all parse a number one).
 */
void data_model_finish(struct data_model *m);

const struct form *data_model_form(const struct data_model *m);
size_t data_model_table_count(const struct data_model *m);
const struct data_table *data_model_table(const struct data_model *m, size_t i);
size_t data_model_vlabels_count(const struct data_model *m);
const struct data_vlabels *data_model_vlabels(const struct data_model *m, size_t i);
/* Renames the tables FORMID_vVERSION... when several versions of one form
 * are exported together (names stay unique). */
void data_model_suffix(struct data_model *m, const char *suffix);

/*
 * The pseudonym of `value` under `key`: "p" + the first 16 hex digits of
 * HMAC-SHA256(key, value). Stable for one key, so masked files still join.
 * Writes 18 bytes (NUL included) into out.
 */
void data_pseudonym(const unsigned char *key, size_t key_len, const char *value, char out[18]);

/* ---- export ------------------------------------------------------------- */

struct data_progress {
	size_t interviews; /* read so far */
	size_t rows;       /* rows written so far (all tables, all formats) */
};

struct data_options {
	unsigned formats;          /* bits of enum data_format; 0 means DATA_CSV */
	const char *form_id;       /* NULL: every form with interviews */
	unsigned statuses;         /* 0: any; else STORE_STATUS_BIT()s */
	const char *lang;          /* "zh" or "en" (labels and codebook) */
	bool force;                /* write into a non-empty folder */
	bool excel_bom;            /* CSV files start with a UTF-8 byte order mark */
	bool long_format;          /* also FORMID_long: one row per answer */
	bool paradata;             /* also FORMID_events: one row per event */
	bool mask;                 /* pseudonyms for personal fields */
	const char *dk_code;       /* CSV code of don't know; NULL: "-8" */
	const char *refused_code;  /* CSV code of refused; NULL: "-9" */
	/* called now and then while reading and writing; may be NULL */
	void (*progress)(void *ctx, const struct data_progress *p);
	void *progress_ctx;
};

struct data_result {
	size_t interviews; /* interviews exported */
	size_t tables;     /* tables (per format) */
	size_t files;      /* files written */
};

/*
 * Exports the interviews of `s` chosen by `o` into the folder `out` (created
 * when missing; a non-empty one is refused unless o->force). Every file is
 * written under a temporary name and renamed only when all of them are
 * complete: on failure no file exists under its final name and the
 * temporary ones are removed. With o->mask the key is read from (or, the
 * first time, created in) the database, so `s` must then be writable.
 * Errors name the file or the interview: unknown form, no interview
 * selected, a non-empty folder, disk full, a format's limit.
 */
int data_export(struct store *s, const char *out, const struct data_options *o,
		struct data_result *res, struct error *err);

#endif
