/*
 * form — the in-memory model of an XLSForm, as loaded by form_load().
 *
 * A form is an immutable tree of nodes stored flat in document order: node 0
 * is the first row of the survey sheet that is not an `end group/repeat`.
 * A container (group or repeat) at index i holds the nodes i+1 .. end-1, so a
 * subtree is a contiguous range and walking the array visits the form in the
 * order an enumerator meets it. `end group` / `end repeat` rows produce no node.
 *
 * Every string in the model is owned by the form and lives until form_free().
 * Every expression column is compiled at load (struct form_expr.e); the
 * interview engine evaluates those compiled expressions and never re-parses.
 * Translated columns (label, hint, constraint_message, required_message, and
 * choice labels) are arrays with one entry per form language; a missing
 * translation is NULL and form_text() falls back to the default language.
 *
 * The loader reads pyxform's single-file CSV workbook (.csv) and pyxform's
 * markdown tables (.md); see docs/xlsform.md for what is supported.
 */
#ifndef RUHU_FORM_H
#define RUHU_FORM_H

#include "ruhu/error.h"
#include "ruhu/infile.h"

#include <stdbool.h>
#include <stddef.h>

struct expr;
struct form;

enum form_type {
	FORM_GROUP,           /* begin group ... end group */
	FORM_REPEAT,          /* begin repeat ... end repeat */
	FORM_INTEGER,
	FORM_DECIMAL,
	FORM_RANGE,
	FORM_TEXT,
	FORM_NOTE,
	FORM_DATE,
	FORM_TIME,
	FORM_DATETIME,
	FORM_SELECT_ONE,
	FORM_SELECT_MULTIPLE,
	FORM_CALCULATE,
	FORM_ACKNOWLEDGE,
	FORM_HIDDEN,
	FORM_GEOPOINT,
	FORM_BARCODE,
	/* metadata, filled automatically by the interview engine */
	FORM_START,
	FORM_END,
	FORM_TODAY,
	FORM_DEVICEID,
	FORM_USERNAME,
	FORM_AUDIT,
	/* loaded but not capturable in a terminal (image, audio, video, file,
	 * signature, geotrace, geoshape, ...): skipped at interview time with a
	 * note; `type_name` keeps the original type */
	FORM_UNSUPPORTED,
};

/* A translated text: one entry per form language, NULL where absent. */
struct form_text {
	const char *const *v;
};

/* An expression column: its source text (NULL when the cell is empty) and the
 * compiled expression (NULL when empty). */
struct form_expr {
	const char *src;
	struct expr *e;
};

struct form_node {
	enum form_type type;
	const char *type_name; /* the type cell as written, e.g. "select_one yes_no" */
	const char *name;
	int index;             /* this node's index */
	int parent;            /* enclosing group/repeat, or -1 at top level */
	int end;               /* containers: one past the last descendant; else index+1 */
	int depth;             /* 0 at top level */
	int repeat;            /* innermost enclosing repeat (or this node if it is one), or -1 */
	int row;               /* 1-based row of the survey sheet in the source file */
	int list;              /* selects: index of the choice list, else -1 */
	bool or_other;         /* select ... or_other */
	bool read_only_flag;   /* read_only = yes */
	bool required_flag;    /* required = yes (required.e is NULL then) */
	bool personal;         /* personal = yes: names, ID or phone numbers, GPS */

	struct form_text label;
	struct form_text hint;
	struct form_text constraint_message;
	struct form_text required_message;

	struct form_expr relevant;
	struct form_expr constraint;
	struct form_expr calculation;
	struct form_expr required;     /* when required is an expression */
	struct form_expr read_only;    /* when read_only is an expression */
	struct form_expr choice_filter;
	struct form_expr repeat_count;
	struct form_expr default_expr; /* when default is an expression (dynamic default) */
	const char *default_value;     /* when default is a literal, else NULL */
	const char *appearance;        /* NULL when empty */
	const char *parameters;        /* raw "start=1 end=10 step=1", NULL when empty */

	/* range: parsed parameters (defaults 1, 10, 1 as in ODK) */
	double range_start, range_end, range_step;

	/* selects: parameters randomize=true [seed=EXPR] — the choices are
	 * offered shuffled as ODK's randomize() does (seed: NULL expression when
	 * absent) */
	bool randomize;
	struct form_expr seed;
};

struct form_choice {
	const char *name;
	struct form_text label;
	const char *const *extra; /* one per form_list.extra_names, "" when empty */
	int row;
};

struct form_list {
	const char *name;
	struct form_choice *choices;
	size_t n;
	const char *const *extra_names; /* extra columns of the choices sheet (for choice_filter) */
	size_t n_extra;
	/* an attached CSV file's list: the file's name as the form writes it
	 * ("villages.csv"; the list is named "villages"), choices' rows are the
	 * file's lines; NULL for a list of the choices sheet */
	const char *file;
};

enum form_syntax { FORM_SYNTAX_AUTO, FORM_SYNTAX_CSV, FORM_SYNTAX_MD };

/*
 * Limits on what form_load() accepts (docs/xlsform.md, "Limits"). Past them
 * the form is refused with an error at the offending row, so that nothing
 * downstream (dependency graph, interview engine, screens) meets a form large
 * or deep enough to exhaust memory, time or the C stack. Expressions have
 * their own limits in the expression engine (64 KiB of source, 128 levels of
 * nesting).
 */
#define FORM_MAX_BYTES INFILE_FORM_MAX /* bytes of the form file (ruhu/infile.h) */
#define FORM_MAX_NODES 20000       /* questions, groups and repeats (survey rows) */
#define FORM_MAX_DEPTH 32          /* groups and repeats inside one another */

/*
 * Loads and validates the form at `path` (syntax from the extension: .csv or
 * .md). Every problem found is appended to `diags` with a location
 * "FILE:SHEET:ROW" (FILE being `path` as given). Only a regular file of at
 * most FORM_MAX_BYTES is read (a FIFO or a device is refused without
 * blocking on it). Returns 0 and sets *out when
 * the form has no errors (warnings are allowed), otherwise returns -1 and sets
 * *out to NULL. The caller owns *out and frees it with form_free().
 */
int form_load(const char *path, struct form **out, struct diag_list *diags);

/*
 * Same as form_load() for a form already in memory; `name` is used in error
 * locations. `data` need not be NUL-terminated.
 */
int form_load_buffer(const char *name, const char *data, size_t len, enum form_syntax syntax,
		     struct form **out, struct diag_list *diags);

/*
 * Attached files: the CSV files a form reads besides its workbook —
 * `select_one_from_file villages.csv` / `select_multiple_from_file`, a
 * `csv-external` row, and instance('villages') / pulldata('villages', ...)
 * naming no list of the choices sheet (then villages.csv is looked for).
 * Each becomes a choice list named after the file without ".csv": columns
 * `name`, `label` (and `label::LANGUAGE` of the form's languages), any other
 * column kept for choice_filter and pulldata. docs/xlsform.md has the rules.
 *
 * struct form_files says where the loader finds them: first among `mem`
 * (name and bytes, e.g. read from the team database), then in `dir`. A file
 * the form names that is in neither is an error of the form.
 */
struct form_attachment {
	const char *name; /* as the form names it: "villages.csv" */
	const char *data;
	size_t len;
};

struct form_files {
	const char *dir;                   /* read attached files from here; NULL: nowhere */
	const struct form_attachment *mem; /* in-memory files, looked up first */
	size_t n_mem;
};

/*
 * form_load_buffer() with attached files. `files` NULL means none are
 * available: select_*_from_file questions then load as FORM_UNSUPPORTED with a
 * warning (so a form kept without its files still opens), and instance() or
 * pulldata() naming an unknown list is an error as usual. form_load(path)
 * reads attached files from the directory of `path`; form_load_buffer() has
 * none.
 */
int form_load_buffer_files(const char *name, const char *data, size_t len,
			   enum form_syntax syntax, const struct form_files *files,
			   struct form **out, struct diag_list *diags);
/* form_load() reading attached files from `files` instead of the form's
 * directory. */
int form_load_files(const char *path, const struct form_files *files, struct form **out,
		    struct diag_list *diags);

/*
 * The attached files the form read, in the order it first named them: name
 * (as the form writes it), the exact bytes (owned by the form), their SHA-256
 * in hex, and the choice list they became. For storing a form with its files.
 */
size_t form_attachment_count(const struct form *f);
int form_attachment_get(const struct form *f, size_t i, struct form_attachment *out,
			const char **sha256_hex);

void form_free(struct form *f);

/* Nodes in document order. */
size_t form_node_count(const struct form *f);
const struct form_node *form_node(const struct form *f, size_t i);
/* Index of the node with that name, or -1. Names are unique in a form. */
int form_find(const struct form *f, const char *name);

size_t form_list_count(const struct form *f);
const struct form_list *form_list(const struct form *f, size_t i);
/* Index of the choice list with that name, or -1. */
int form_find_list(const struct form *f, const char *name);
/* Index of the choice `name` in list `list`, or -1. */
int form_find_choice(const struct form *f, int list, const char *name);

/* Languages, in column order. A plain `label` column (no ::language) is a
 * language named "default" with code "". */
size_t form_lang_count(const struct form *f);
const char *form_lang_name(const struct form *f, size_t i); /* "中文 (zh)" */
const char *form_lang_code(const struct form *f, size_t i); /* "zh" */
/* Index of the form language for a UI language code ("zh", "en"), falling back
 * to the default language; never fails when the form has a language. */
size_t form_lang_for(const struct form *f, const char *code);
/* The settings sheet's default_language (or the first language). */
size_t form_lang_default(const struct form *f);
/* The text in language `lang`, falling back to the default language, then to
 * any language; NULL when the text has no value at all. */
const char *form_text(const struct form *f, struct form_text t, size_t lang);

/* Settings sheet. form_setting() returns any settings column by (lowercased)
 * name, or NULL; aliases are stored under their canonical key (id_string ->
 * form_id, title -> form_title). form_id() is never NULL: without a form_id
 * setting it is the file name without its extension; form_title() is never
 * NULL either (falls back to the id); form_version() is NULL when the settings
 * sheet has no version. */
const char *form_title(const struct form *f);
const char *form_id(const struct form *f);
const char *form_version(const struct form *f);
const char *form_setting(const struct form *f, const char *key);
/* settings instance_name, compiled; {NULL, NULL} when absent */
struct form_expr form_instance_name(const struct form *f);

/* The exact bytes the form was loaded from. */
const char *form_source(const struct form *f, size_t *len);
/* The form's identity, 64 hex chars: the SHA-256 of the source for a form
 * without attached files, else digest_form_hash() over the source's and the
 * files' SHA-256 (ruhu/digest.h) — the key of the form in a database. */
const char *form_hash(const struct form *f);
const char *form_path(const struct form *f);

/*
 * Whether node i carries personal data (the survey column `personal` = yes:
 * names, ID numbers, phone numbers, GPS), which data export masks. False for
 * an index out of range. The flag is per node: a group marked personal does
 * not mark its children.
 */
bool form_question_personal(const struct form *f, size_t i);

/* Summary counts for `ruhu check`. */
struct form_stats {
	size_t questions; /* nodes that are not containers, calculates or metadata */
	size_t groups;
	size_t repeats;
	size_t lists;
	size_t languages;
};
void form_stats(const struct form *f, struct form_stats *st);

#endif
