/*
 * test_data — `ruhu data` end to end through the core: a team database
 * filled by the real program (`ruhu fill --db` with the answers files of tests/data,
 * `ruhu assign` with tests/data/sample.csv), exported with data_export(),
 * and every file read back: the CSVs with libcsv, compared value by value
 * with the database (store_records_each); the .dta and .sav files with
 * ReadStat's parser, compared with the CSVs (values, variable labels, value
 * labels, missing codes); masking, long and paradata tables; and the
 * failures, each leaving no file under its final name.
 *
 * The answers hold Chinese text, commas, quotes, a newline, don't know and
 * refused, select_multiple, a roster with a nested roster, personal fields,
 * and a household that is not in the sample.
 */
#include "testutil.h"

#include "ruhu/data.h"
#include "ruhu/form.h"
#include "ruhu/store.h"

#include <csv.h>
#include <dirent.h>
#include <math.h>
#include <readstat.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[] = "/tmp/ruhu-data-XXXXXX";
static char db[256];

/* ---- a CSV file as a table ----------------------------------------------- */

struct tab {
	char **head;
	size_t n_cols;
	char ***rows;
	size_t n_rows;
	/* while parsing */
	char **cur;
	size_t n_cur;
	bool in_head;
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct tab *t = ctx;
	char *v = malloc(len + 1);

	memcpy(v, s, len);
	v[len] = '\0';
	t->cur = realloc(t->cur, (t->n_cur + 1) * sizeof(*t->cur));
	t->cur[t->n_cur++] = v;
}

static void on_row(int c, void *ctx)
{
	struct tab *t = ctx;

	(void)c;
	if (t->in_head) {
		t->head = t->cur;
		t->n_cols = t->n_cur;
		t->in_head = false;
	} else {
		assert_int_equal(t->n_cur, t->n_cols);
		t->rows = realloc(t->rows, (t->n_rows + 1) * sizeof(*t->rows));
		t->rows[t->n_rows++] = t->cur;
	}
	t->cur = NULL;
	t->n_cur = 0;
}

static void read_csv(const char *dir, const char *name, struct tab *t)
{
	char path[512], buf[4096];
	struct csv_parser p;
	FILE *fp;
	size_t n;
	bool first = true;

	memset(t, 0, sizeof(*t));
	t->in_head = true;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL * 0), 0);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		char *b = buf;

		if (first && n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
			b += 3;
			n -= 3;
		}
		first = false;
		assert_int_equal(csv_parse(&p, b, n, on_field, on_row, t), n);
	}
	assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
	csv_free(&p);
	fclose(fp);
}

static void free_tab(struct tab *t)
{
	size_t i, j;

	for (i = 0; i < t->n_cols; i++)
		free(t->head[i]);
	for (j = 0; j < t->n_rows; j++) {
		for (i = 0; i < t->n_cols; i++)
			free(t->rows[j][i]);
		free(t->rows[j]);
	}
	free(t->head);
	free(t->rows);
}

static long col(const struct tab *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_cols; i++)
		if (!strcmp(t->head[i], name))
			return (long)i;
	return -1;
}

/* The row whose column `key` is `v`, or -1. */
static long row_where(const struct tab *t, const char *key, const char *v)
{
	long c = col(t, key);
	size_t r;

	for (r = 0; c >= 0 && r < t->n_rows; r++)
		if (!strcmp(t->rows[r][c], v))
			return (long)r;
	return -1;
}

static const char *cell(const struct tab *t, long r, const char *name)
{
	long c = col(t, name);

	if (r < 0 || c < 0)
		fail_msg("no cell %ld/%s", r, name);
	return t->rows[r][c];
}

/* ---- the database ---------------------------------------------------------- */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int group_setup(void **state)
{
	const char *bin = getenv("RUHU_BIN"), *src = test_source_dir();
	const char *cases[] = {"a1", "a2", "a3"};
	size_t i;

	(void)state;
	if (!bin || !mkdtemp(tmpdir))
		return -1;
	setenv("TZ", "Asia/Shanghai", 1);
	snprintf(db, sizeof(db), "%s/team.db", tmpdir);
	for (i = 0; i < 3; i++)
		if (run("'%s' --lang en fill '%s/tests/data/data-form.csv' --answers "
			"'%s/tests/data/%s.answers.csv' --db '%s' >/dev/null",
			bin, src, src, cases[i], db) != 0)
			return -1;
	if (run("'%s' --lang en assign --db '%s' '%s/tests/data/sample.csv' >/dev/null", bin, db,
		src) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	run("rm -rf '%s'", tmpdir);
	return 0;
}

static struct store *open_db(void)
{
	struct store *s = NULL;
	struct error err = ERROR_INIT;

	if (store_open(db, 0, &s, &err) < 0)
		fail_msg("%s: %s", err.where, err.en);
	return s;
}

static const char *outdir(const char *name)
{
	static char buf[8][512];
	static int k;
	char *b = buf[k++ % 8];

	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static int export(const char *dir, const struct data_options *o, struct error *err)
{
	struct store *s = open_db();
	struct data_result res;
	int ret = data_export(s, dir, o, &res, err);

	store_close(s);
	return ret;
}

static bool exists(const char *dir, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
	closedir(d);
	return n;
}

/* ---- CSV round trip ------------------------------------------------------- */

struct check {
	struct tab main, members, jobs, book;
	const struct form *f;
	size_t checked, answers;
	const char *dk, *rf;
};

/* The code of choice `name` of variable `var` from the codebook's choices. */
static const char *book_code(struct check *c, const char *var, const char *name)
{
	static char code[32];
	size_t r;
	long vc = col(&c->book, "variable"), cc = col(&c->book, "choices");

	for (r = 0; r < c->book.n_rows; r++) {
		const char *p;

		if (strcmp(c->book.rows[r][vc], var))
			continue;
		for (p = c->book.rows[r][cc]; *p;) {
			const char *eq = strchr(p, '='), *eq2 = eq ? strchr(eq + 1, '=') : NULL;
			size_t nl = strcspn(p, "\n");

			if (eq2 && (size_t)(eq2 - eq - 1) == strlen(name) && !strncmp(eq + 1, name, strlen(name))) {
				snprintf(code, sizeof(code), "%.*s", (int)(eq - p), p);
				return code;
			}
			p += nl;
			if (*p)
				p++;
		}
	}
	return NULL;
}

static int check_record(void *ctx, const struct store_record *rec)
{
	struct check *c = ctx;
	size_t i;
	long mr = row_where(&c->main, "iv_uuid", rec->iv.uuid);
	char buf[64];

	assert_true(mr >= 0);
	assert_string_equal(cell(&c->main, mr, "iv_household"), rec->iv.household_key);
	assert_string_equal(cell(&c->main, mr, "iv_status"), "completed");
	snprintf(buf, sizeof(buf), "%lld", (long long)rec->iv.revision);
	assert_string_equal(cell(&c->main, mr, "iv_revision"), buf);
	if (!strcmp(rec->iv.household_key, "H-001")) {
		assert_string_equal(cell(&c->main, mr, "iv_county"), "石屏县");
		assert_string_equal(cell(&c->main, mr, "iv_village"), "吴营村, 一组");
	} else if (!strcmp(rec->iv.household_key, "X-999")) {
		assert_string_equal(cell(&c->main, mr, "iv_county"), "");
	}
	for (i = 0; i < rec->n_answers; i++) {
		const struct store_answer *a = &rec->answers[i];
		const char *slash = strrchr(a->path, '/'), *leaf = slash ? slash + 1 : a->path;
		const struct tab *t = &c->main;
		long r = mr;
		const struct form_node *nd;
		const char *want;
		char key[256];

		if (a->path[strlen(a->path) - 1] == ']')
			continue; /* instance marker */
		c->answers++;
		nd = form_node(c->f, (size_t)form_find(c->f, leaf));
		if (slash) {
			snprintf(key, sizeof(key), "%s/%.*s", rec->iv.uuid, (int)(slash - a->path),
				 a->path);
			t = strstr(a->path, "jobs[") ? &c->jobs : &c->members;
			r = row_where(t, "iv_key", key);
			assert_true(r >= 0);
			/* the parent key names the enclosing instance */
			if (t == &c->jobs) {
				const char *pk = cell(t, r, "iv_parent_key");

				assert_int_equal(strncmp(pk, key, strlen(pk)), 0);
				assert_non_null(strstr(pk, "/members["));
			} else {
				assert_string_equal(cell(t, r, "iv_parent_key"), rec->iv.uuid);
			}
		}
		want = a->special == STORE_SPECIAL_DONT_KNOW ? c->dk
		       : a->special == STORE_SPECIAL_REFUSED ? c->rf
		       : nd->type == FORM_SELECT_ONE	     ? book_code(c, leaf, a->value)
							     : a->value;
		assert_non_null(want);
		assert_string_equal(cell(t, r, leaf), want);
		c->checked++;
		if (nd->type == FORM_SELECT_MULTIPLE) {
			const struct form_list *l = form_list(c->f, (size_t)nd->list);
			size_t k;

			for (k = 0; k < l->n; k++) {
				char name[128], pad[128];
				const char *exp;

				snprintf(name, sizeof(name), "%s_%s", leaf, l->choices[k].name);
				snprintf(pad, sizeof(pad), " %s ", a->value ? a->value : "");
				if (a->special)
					exp = want;
				else {
					char needle[128];

					snprintf(needle, sizeof(needle), " %s ", l->choices[k].name);
					exp = strstr(pad, needle) ? "1" : "0";
				}
				assert_string_equal(cell(t, r, name), exp);
			}
		}
	}
	return 0;
}

/* Non-empty answer cells of a table: every column but keys, metadata and the
 * 0/1 split columns. */
static size_t filled(const struct tab *t, const struct check *c)
{
	size_t n = 0, r, k;

	for (k = 0; k < t->n_cols; k++) {
		int node;

		if (!strncmp(t->head[k], "iv_", 3))
			continue;
		node = form_find(c->f, t->head[k]);
		if (node < 0) {
			/* the only other names: the 0/1 columns of a select_multiple */
			assert_non_null(strstr(t->head[k], "help_types_"));
			continue;
		}
		for (r = 0; r < t->n_rows; r++)
			n += t->rows[r][k][0] != '\0';
	}
	return n;
}

static struct form *load_form(void)
{
	char path[512];
	struct form *f = NULL;
	struct diag_list dl = DIAG_LIST_INIT;

	snprintf(path, sizeof(path), "%s/tests/data/data-form.csv", test_source_dir());
	assert_int_equal(form_load(path, &f, &dl), 0);
	diag_list_free(&dl);
	return f;
}

static void read_all(struct check *c, const char *dir)
{
	read_csv(dir, "data_test.csv", &c->main);
	read_csv(dir, "data_test_members.csv", &c->members);
	read_csv(dir, "data_test_jobs.csv", &c->jobs);
	read_csv(dir, "codebook.csv", &c->book);
}

static void free_all(struct check *c)
{
	free_tab(&c->main);
	free_tab(&c->members);
	free_tab(&c->jobs);
	free_tab(&c->book);
}

static void test_csv_round_trip(void **state)
{
	const char *dir = outdir("csv");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	struct check c;
	struct store *s;
	struct form *f = load_form();
	size_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	o.formats = DATA_CSV;
	o.lang = "zh";
	o.excel_bom = true;
	o.dk_code = "-98";
	o.refused_code = "-99";
	assert_int_equal(export(dir, &o, &err), 0);
	read_all(&c, dir);
	c.f = f;
	c.dk = "-98";
	c.rf = "-99";
	assert_int_equal(c.main.n_rows, 3);
	assert_int_equal(c.members.n_rows, 4);
	assert_int_equal(c.jobs.n_rows, 3);

	s = open_db();
	assert_int_equal(store_records_each(s, NULL, check_record, &c, &err), 0);
	store_close(s);
	assert_int_equal(c.checked, c.answers);
	/* nothing in the files that the database does not hold */
	n = filled(&c.main, &c) + filled(&c.members, &c) + filled(&c.jobs, &c);
	assert_int_equal(n, c.answers);

	/* the codebook: full Chinese labels, quotes intact, the special codes */
	{
		long r = row_where(&c.book, "variable", "hh_size");

		assert_true(r >= 0);
		assert_string_equal(cell(&c.book, r, "label"),
				    "家庭共同生活人口数（包括长期外出务工、在外上学、参军以及其他原因暂时不在家但经济上仍与本户共同生活的全部成员，不包括已分户的子女）；按调查时点计算，请逐一核对户口本与实际居住情况后填写");
		assert_non_null(strstr(cell(&c.book, r, "missing_codes"), "-98=dont_know"));
		r = row_where(&c.book, "variable", "income");
		assert_string_equal(cell(&c.book, r, "label"), "上年家庭纯收入（元，含\"工资性\"收入）");
		r = row_where(&c.book, "variable", "help_types_employment");
		assert_true(r >= 0);
		assert_string_equal(cell(&c.book, r, "kind"), "flag");
		r = row_where(&c.book, "variable", "resp_name");
		assert_string_equal(cell(&c.book, r, "personal"), "yes");
		/* a calculate never stored is not a column */
		assert_int_equal(row_where(&c.book, "variable", "income_twice"), -1);
	}
	/* the scripts name every table */
	assert_true(exists(dir, "labels.do"));
	assert_true(exists(dir, "labels.R"));
	free_all(&c);
	form_free(f);
	error_clear(&err);
}

/* ---- dta / sav round trip ------------------------------------------------- */

struct svar {
	char name[64];
	char label[1024];
	char vlabels[64];
	int type_class;
	readstat_variable_t *v;
};

struct sval {
	int kind; /* 0 missing, 1 number, 2 string, 3 tagged, 4 defined missing */
	double d;
	char tag;
	char *s;
};

struct sfile {
	struct svar vars[128];
	int n_vars;
	struct sval *vals; /* rows x vars */
	long n_rows;
	char labels[256][3][256]; /* set, value, label */
	int n_labels;
};

static int st_meta(readstat_metadata_t *m, void *ctx)
{
	struct sfile *f = ctx;

	f->n_rows = readstat_get_row_count(m);
	return READSTAT_HANDLER_OK;
}

static int st_var(int i, readstat_variable_t *v, const char *vl, void *ctx)
{
	struct sfile *f = ctx;
	struct svar *x = &f->vars[i];

	assert_true(i < 128);
	snprintf(x->name, sizeof(x->name), "%s", readstat_variable_get_name(v));
	snprintf(x->label, sizeof(x->label), "%s",
		 readstat_variable_get_label(v) ? readstat_variable_get_label(v) : "");
	snprintf(x->vlabels, sizeof(x->vlabels), "%s", vl ? vl : "");
	x->type_class = readstat_variable_get_type_class(v);
	if (i + 1 > f->n_vars)
		f->n_vars = i + 1;
	return READSTAT_HANDLER_OK;
}

static int st_value(int obs, readstat_variable_t *v, readstat_value_t val, void *ctx)
{
	struct sfile *f = ctx;
	int i = readstat_variable_get_index(v);
	struct sval *x;

	if (!f->vals)
		f->vals = calloc((size_t)(f->n_rows ? f->n_rows : 1) * 128, sizeof(*f->vals));
	x = &f->vals[(size_t)obs * 128 + (size_t)i];
	if (readstat_value_type_class(val) == READSTAT_TYPE_CLASS_STRING) {
		const char *s = readstat_string_value(val);

		x->kind = 2;
		x->s = strdup(s ? s : "");
	} else if (readstat_value_is_tagged_missing(val)) {
		x->kind = 3;
		x->tag = readstat_value_tag(val);
	} else if (readstat_value_is_system_missing(val)) {
		x->kind = 0;
	} else {
		x->d = readstat_double_value(val);
		x->kind = readstat_value_is_defined_missing(val, v) ? 4 : 1;
	}
	return READSTAT_HANDLER_OK;
}

static int st_label(const char *set, readstat_value_t val, const char *label, void *ctx)
{
	struct sfile *f = ctx;
	char v[64];

	if (f->n_labels >= 256)
		return READSTAT_HANDLER_OK;
	if (readstat_value_is_tagged_missing(val))
		snprintf(v, sizeof(v), ".%c", readstat_value_tag(val));
	else
		snprintf(v, sizeof(v), "%g", readstat_double_value(val));
	snprintf(f->labels[f->n_labels][0], 256, "%s", set);
	snprintf(f->labels[f->n_labels][1], 256, "%s", v);
	snprintf(f->labels[f->n_labels][2], 256, "%s", label);
	f->n_labels++;
	return READSTAT_HANDLER_OK;
}

static void read_stat(const char *path, bool dta, struct sfile *f)
{
	readstat_parser_t *p = readstat_parser_init();
	readstat_error_t e;

	memset(f, 0, sizeof(*f));
	readstat_set_metadata_handler(p, st_meta);
	readstat_set_variable_handler(p, st_var);
	readstat_set_value_handler(p, st_value);
	readstat_set_value_label_handler(p, st_label);
	e = dta ? readstat_parse_dta(p, path, f) : readstat_parse_sav(p, path, f);
	if (e != READSTAT_OK)
		fail_msg("%s: %s", path, readstat_error_message(e));
	readstat_parser_free(p);
}

static void free_stat(struct sfile *f)
{
	long i;

	for (i = 0; f->vals && i < f->n_rows * 128; i++)
		free(f->vals[i].s);
	free(f->vals);
}

static const char *label_of(const struct sfile *f, const char *set, const char *v)
{
	int i;

	for (i = 0; i < f->n_labels; i++)
		if (!strcmp(f->labels[i][0], set) && !strcmp(f->labels[i][1], v))
			return f->labels[i][2];
	return NULL;
}

/* Every cell of `file` against the CSV table `t` (same export). */
static void compare(const struct tab *t, const struct tab *book, const char *table,
		    const struct sfile *f, bool dta)
{
	long r;
	int k;

	assert_int_equal(f->n_vars, (int)t->n_cols);
	assert_int_equal(f->n_rows, (long)t->n_rows);
	for (k = 0; k < f->n_vars; k++) {
		const struct svar *v = &f->vars[k];
		long br;
		const char *full;
		bool date = false, datetime = false;

		assert_string_equal(v->name, t->head[k]);
		/* the label: whole, or cut with "…" to a prefix of the codebook's */
		for (br = 0; br < (long)book->n_rows; br++)
			if (!strcmp(cell(book, br, "table"), table) &&
			    !strcmp(cell(book, br, "variable"), v->name))
				break;
		assert_true(br < (long)book->n_rows);
		full = cell(book, br, "label");
		date = !strcmp(cell(book, br, "kind"), "date");
		datetime = !strcmp(cell(book, br, "kind"), "datetime");
		if (strcmp(v->label, full)) {
			size_t n = strlen(v->label);

			assert_true(n > 3 && !strcmp(v->label + n - 3, "…"));
			assert_int_equal(strncmp(v->label, full, n - 3), 0);
			assert_true(dta ? n <= 320 : n <= 255);
		}
		for (r = 0; r < f->n_rows; r++) {
			const struct sval *x = &f->vals[(size_t)r * 128 + (size_t)k];
			const char *csv = t->rows[r][k];

			if (v->type_class == READSTAT_TYPE_CLASS_STRING) {
				assert_int_equal(x->kind, 2);
				assert_string_equal(x->s, csv);
			} else if (!*csv) {
				assert_int_equal(x->kind, 0);
			} else if (!strcmp(csv, "-8") || !strcmp(csv, "-9")) {
				if (dta) {
					assert_int_equal(x->kind, 3);
					assert_int_equal(x->tag, csv[1] == '8' ? 'a' : 'b');
				} else {
					assert_int_equal(x->kind, 4);
					assert_true(x->d == atof(csv));
				}
			} else if (date) {
				/* 2026-11-20: days since 1960-01-01 (Stata) or seconds since
				 * 1582-10-14 (SPSS) */
				double want = strcmp(csv, "2026-11-20") == 0 ? 24430.0 : 24431.0;

				assert_int_equal(x->kind, 1);
				assert_true(x->d == (dta ? want : (want - 24430.0) * 86400.0 + 14014512000.0));
			} else if (datetime) {
				assert_int_equal(x->kind, 1);
				assert_true(x->d > 0);
			} else {
				assert_int_equal(x->kind, 1);
				assert_true(fabs(x->d - atof(csv)) < 1e-9);
			}
		}
	}
}

static void stat_round_trip(bool dta)
{
	const char *dir = outdir(dta ? "dta" : "sav");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	struct check c;
	struct sfile *f = malloc(sizeof(*f));
	const char *tables[] = {"data_test", "data_test_members", "data_test_jobs"};
	const struct tab *tabs[3];
	char path[512];
	int i;

	memset(&c, 0, sizeof(c));
	o.formats = DATA_CSV | (dta ? DATA_DTA : DATA_SAV);
	o.lang = "zh";
	assert_int_equal(export(dir, &o, &err), 0);
	read_all(&c, dir);
	tabs[0] = &c.main;
	tabs[1] = &c.members;
	tabs[2] = &c.jobs;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s.%s", dir, tables[i], dta ? "dta" : "sav");
		read_stat(path, dta, f);
		compare(tabs[i], &c.book, tables[i], f, dta);
		if (i == 0) {
			int k;
			const char *set = NULL;

			/* value labels of a choice, and of the special values */
			for (k = 0; k < f->n_vars; k++)
				if (!strcmp(f->vars[k].name, "has_toilet"))
					set = f->vars[k].vlabels;
			assert_non_null(set);
			assert_string_equal(label_of(f, set, "1"), "是");
			assert_string_equal(label_of(f, set, "2"), "否");
			assert_string_equal(label_of(f, set, dta ? ".a" : "-8"), "不知道");
			assert_string_equal(label_of(f, set, dta ? ".b" : "-9"), "拒绝回答");
			/* the long label was cut */
			for (k = 0; k < f->n_vars; k++)
				if (!strcmp(f->vars[k].name, "hh_size"))
					assert_non_null(strstr(f->vars[k].label, "…"));
		}
		free_stat(f);
	}
	free(f);
	free_all(&c);
	error_clear(&err);
}

static void test_dta_round_trip(void **state)
{
	(void)state;
	stat_round_trip(true);
}

static void test_sav_round_trip(void **state)
{
	(void)state;
	stat_round_trip(false);
}

static void test_xlsx(void **state)
{
	const char *dir = outdir("xlsx");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	char path[512], head[4] = {0};
	FILE *fp;

	(void)state;
	o.formats = DATA_XLSX;
	o.lang = "en";
	assert_int_equal(export(dir, &o, &err), 0);
	snprintf(path, sizeof(path), "%s/data_test.xlsx", dir);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, 4, fp), 4);
	fclose(fp);
	assert_int_equal(memcmp(head, "PK\3\4", 4), 0);
	assert_true(exists(dir, "codebook.csv"));
	assert_false(exists(dir, "data_test.csv")); /* only the formats asked for */
	error_clear(&err);
}

/* A text longer than a Stata str# (2,045 bytes) and an SPSS short string:
 * strL in .dta, a very long string in .sav, whole in both. */
static void test_long_text(void **state)
{
	const char *bin = getenv("RUHU_BIN"), *src = test_source_dir();
	char ans[512], ldb[512], path[512];
	struct store *s = NULL;
	struct data_options o = {0};
	struct data_result res;
	struct error err = ERROR_INIT;
	struct sfile *f = malloc(sizeof(*f));
	FILE *fp;
	int i, k, fmt;

	(void)state;
	snprintf(ans, sizeof(ans), "%s/long.answers.csv", tmpdir);
	snprintf(ldb, sizeof(ldb), "%s/long.db", tmpdir);
	fp = fopen(ans, "w");
	assert_non_null(fp);
	fputs("field,value\nhousehold_key,L-1\nresp_name,长\nhh_size,1\nremarks,", fp);
	for (i = 0; i < 700; i++)
		fputs("很长的备注", fp); /* 15 bytes each: 10,500 bytes */
	fputs("\nmembers[1]/m_name,x\nmembers[1]/m_njobs,0\n", fp);
	fclose(fp);
	assert_int_equal(run("'%s' --lang en fill '%s/tests/data/data-form.csv' --answers '%s' "
			     "--db '%s' >/dev/null",
			     bin, src, ans, ldb),
			 0);
	assert_int_equal(store_open(ldb, 0, &s, &err), 0);
	o.formats = DATA_DTA | DATA_SAV;
	assert_int_equal(data_export(s, outdir("longtext"), &o, &res, &err), 0);
	store_close(s);
	for (fmt = 0; fmt < 2; fmt++) {
		bool found = false;

		snprintf(path, sizeof(path), "%s/data_test.%s", outdir("longtext"),
			 fmt ? "sav" : "dta");
		read_stat(path, !fmt, f);
		for (k = 0; k < f->n_vars; k++)
			if (!strcmp(f->vars[k].name, "remarks")) {
				assert_int_equal(f->vals[k].kind, 2);
				assert_int_equal(strlen(f->vals[k].s), 10500);
				assert_int_equal(strncmp(f->vals[k].s, "很长的备注很长", 21), 0);
				found = true;
			}
		assert_true(found);
		free_stat(f);
	}
	free(f);
	error_clear(&err);
}

/* ---- masking ------------------------------------------------------------- */

static void test_mask(void **state)
{
	const char *d1 = outdir("mask1"), *d2 = outdir("mask2");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	struct tab a, b, m;
	struct store *s;
	char *key = NULL, want[18];
	long r1, r3;

	(void)state;
	o.formats = DATA_CSV;
	o.mask = true;
	assert_int_equal(export(d1, &o, &err), 0);
	assert_int_equal(export(d2, &o, &err), 0);
	read_csv(d1, "data_test.csv", &a);
	read_csv(d2, "data_test.csv", &b);
	read_csv(d1, "data_test_members.csv", &m);
	s = open_db();
	assert_int_equal(store_data_mask_key(s, &key, &err), 0);
	store_close(s);
	data_pseudonym((const unsigned char *)key, strlen(key), "王小明", want);

	r1 = row_where(&a, "iv_household", "H-001");
	r3 = row_where(&a, "iv_household", "X-999");
	/* the same name, in two interviews and in the roster: one pseudonym */
	assert_string_equal(cell(&a, r1, "resp_name"), want);
	assert_string_equal(cell(&a, r3, "resp_name"), want);
	assert_true(row_where(&m, "m_name", want) >= 0);
	assert_int_equal(row_where(&m, "m_name", "王小明"), -1);
	/* every personal field, and stable from one export to the next */
	assert_int_equal(strlen(cell(&a, r1, "hh_phone")), 17);
	assert_int_equal(cell(&a, r1, "gps")[0], 'p');
	assert_int_equal(a.n_rows, b.n_rows);
	assert_string_equal(cell(&b, row_where(&b, "iv_household", "H-001"), "hh_phone"),
			    cell(&a, r1, "hh_phone"));
	/* the rest is unchanged */
	assert_string_equal(cell(&a, r1, "visit_date"), "2026-11-20");
	free(key);
	free_tab(&a);
	free_tab(&b);
	free_tab(&m);
	error_clear(&err);
}

/* ---- long and paradata ---------------------------------------------------- */

static int count_rec(void *ctx, const struct store_record *r)
{
	size_t *n = ctx;

	n[0] += r->n_answers;
	n[1] += r->n_events;
	return 0;
}

static void test_long_paradata(void **state)
{
	const char *dir = outdir("long");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	struct tab l, e;
	struct store *s;
	size_t n[2] = {0, 0}, r;
	bool seen = false;

	(void)state;
	o.formats = DATA_CSV;
	o.long_format = true;
	o.paradata = true;
	assert_int_equal(export(dir, &o, &err), 0);
	read_csv(dir, "data_test_long.csv", &l);
	read_csv(dir, "data_test_events.csv", &e);
	s = open_db();
	assert_int_equal(store_records_each(s, NULL, count_rec, n, &err), 0);
	store_close(s);
	assert_int_equal(l.n_rows, n[0]);
	assert_int_equal(e.n_rows, n[1]);
	for (r = 0; r < l.n_rows; r++)
		if (!strcmp(l.rows[r][col(&l, "path")], "members[1]/jobs[2]/job_income")) {
			assert_string_equal(l.rows[r][col(&l, "special")], "refused");
			assert_string_equal(l.rows[r][col(&l, "value")], "-9");
			assert_true(strlen(l.rows[r][col(&l, "changed")]) > 19);
			seen = true;
		}
	assert_true(seen);
	free_tab(&l);
	free_tab(&e);
	error_clear(&err);
}

/* ---- failures -------------------------------------------------------------- */

static void no_final_files(const char *dir)
{
	assert_false(exists(dir, "data_test.csv"));
	assert_false(exists(dir, "codebook.csv"));
	assert_false(exists(dir, ".data_test.csv.part"));
	assert_false(exists(dir, ".codebook.csv.part"));
}

static void test_errors(void **state)
{
	const char *busy = outdir("busy"), *none = outdir("none");
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	char path[512];
	FILE *fp;

	(void)state;
	/* a non-empty folder: refused, then written with force */
	mkdir(busy, 0777);
	snprintf(path, sizeof(path), "%s/keep.txt", busy);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	o.formats = DATA_CSV;
	assert_int_equal(export(busy, &o, &err), -STORE_E_EXISTS);
	assert_string_equal(err.where, busy);
	assert_non_null(strstr(err.en, "not empty"));
	assert_non_null(strstr(err.zh, "不是空的"));
	no_final_files(busy);
	o.force = true;
	assert_int_equal(export(busy, &o, &err), 0);
	assert_true(exists(busy, "data_test.csv") && exists(busy, "keep.txt"));
	o.force = false;

	/* an unknown form: nothing created */
	o.form_id = "nope";
	assert_int_equal(export(none, &o, &err), -STORE_E_NOTFOUND);
	assert_non_null(strstr(err.en, "'nope'"));
	assert_false(exists(none, ""));
	o.form_id = "data_test";

	/* an empty selection */
	o.statuses = STORE_STATUS_BIT(STORE_APPROVED);
	assert_int_equal(export(none, &o, &err), -STORE_E_NOTFOUND);
	assert_non_null(strstr(err.en, "no interview"));
	assert_false(exists(none, ""));
	o.statuses = 0;

	/* a full disk (a file size limit): an error naming the file, and no file
	 * under its final name, none left half-written */
	{
		struct rlimit old, lim;
		const char *full = outdir("full");
		struct store *s = open_db();
		struct data_result res;
		int ret;

		/* the database is open (and read) before the limit bites */
		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &old);
		lim = old;
		lim.rlim_cur = 2000;
		setrlimit(RLIMIT_FSIZE, &lim);
		o.formats = DATA_CSV | DATA_SAV;
		ret = data_export(s, full, &o, &res, &err);
		setrlimit(RLIMIT_FSIZE, &old);
		store_close(s);
		assert_true(ret < 0);
		assert_non_null(err.where);
		assert_non_null(strstr(err.where, full));
		no_final_files(full);
		assert_int_equal(count_files(full), 0);
	}
	error_clear(&err);
}

/* ---- QC findings (issue 15) ---------------------------------------------- */

static int64_t fixed_clock(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* iv_qc_findings: absent before any audit; once one has run, the latest run's
 * findings about each interview (batch findings not counted), 0 for an
 * audited interview without any, empty for one changed after the run — in
 * the CSV, the codebook and the Stata and SPSS files. Runs on a copy of the
 * database: the other tests keep theirs without an audit. */
static void test_qc_findings(void **state)
{
	const char *d0 = outdir("qc0"), *d1 = outdir("qc1"), *d2 = outdir("qc2");
	char saved[sizeof(db)], path[512];
	struct data_options o = {0};
	struct error err = ERROR_INIT;
	struct tab t, book;
	struct store *s;
	struct sfile *sf = malloc(sizeof(*sf));
	int64_t run_id = 0, now = (int64_t)time(NULL) * 1000;
	long r1, r2, r3;
	char u1[64], u2[64], u3[64];
	int k, found;

	(void)state;
	memcpy(saved, db, sizeof(db));
	assert_int_equal(run("cp '%s' '%s/qc.db'", saved, tmpdir), 0);
	snprintf(db, sizeof(db), "%s/qc.db", tmpdir);
	o.formats = DATA_CSV;
	o.lang = "en";
	assert_int_equal(export(d0, &o, &err), 0);
	read_csv(d0, "data_test.csv", &t);
	assert_int_equal(col(&t, "iv_qc_findings"), -1); /* no audit has run */
	r1 = row_where(&t, "iv_household", "H-001");
	r2 = row_where(&t, "iv_household", "H-002");
	r3 = row_where(&t, "iv_household", "X-999");
	assert_true(r1 >= 0 && r2 >= 0 && r3 >= 0);
	snprintf(u1, sizeof(u1), "%s", cell(&t, r1, "iv_uuid"));
	snprintf(u2, sizeof(u2), "%s", cell(&t, r2, "iv_uuid"));
	snprintf(u3, sizeof(u3), "%s", cell(&t, r3, "iv_uuid"));
	free_tab(&t);

	/* an older run, then the latest: two findings about H-001 (one on a
	 * roster row), one batch finding; later X-999 is sent back */
	{
		const struct store_audit_finding old[] = {
			{"r_old", "error", u2, "", "H-002", NULL, NULL, NULL, NULL, "x=1"},
		};
		const struct store_audit_finding f[] = {
			{"r_a", "error", u1, "", "H-001", NULL, NULL, NULL, NULL, "x=1"},
			{"r_b", "warning", u1, "members[1]", "H-001", NULL, NULL, NULL, NULL, ""},
			{"r_c", "warning", "", "enum1", NULL, NULL, NULL, "enum1", NULL, ""},
			{"r_a", "error", u3, "", "X-999", NULL, NULL, NULL, NULL, "x=2"},
		};
		int64_t t_run = now + 10000, t_review = now + 20000;

		s = open_db();
		store_set_clock(s, fixed_clock, &t_run);
		assert_int_equal(store_audit_save(s, "checks.csv", "0", 3, old, 1, &run_id, &err), 0);
		assert_int_equal(store_audit_save(s, "checks.csv", "0", 3, f, 4, &run_id, &err), 0);
		store_set_clock(s, fixed_clock, &t_review);
		assert_int_equal(store_interview_review(s, u3, false, "recheck", "lead", &err), 0);
		store_close(s);
	}
	o.formats = DATA_CSV | DATA_DTA | DATA_SAV;
	assert_int_equal(export(d1, &o, &err), 0);
	read_csv(d1, "data_test.csv", &t);
	assert_true(col(&t, "iv_qc_findings") > col(&t, "iv_form_version"));
	assert_string_equal(cell(&t, row_where(&t, "iv_uuid", u1), "iv_qc_findings"), "2");
	/* audited by the latest run without a finding (the older run's is gone) */
	assert_string_equal(cell(&t, row_where(&t, "iv_uuid", u2), "iv_qc_findings"), "0");
	/* sent back after the run: its findings no longer describe it */
	assert_string_equal(cell(&t, row_where(&t, "iv_uuid", u3), "iv_qc_findings"), "");
	read_csv(d1, "codebook.csv", &book);
	k = (int)row_where(&book, "variable", "iv_qc_findings");
	assert_true(k >= 0);
	assert_string_equal(cell(&book, k, "table"), "data_test");
	assert_string_equal(cell(&book, k, "kind"), "number");
	assert_string_equal(cell(&book, k, "label"), "QC findings (latest ruhu audit)");
	free_tab(&t);
	free_tab(&book);
	for (k = 0; k < 2; k++) {
		int v;

		snprintf(path, sizeof(path), "%s/data_test.%s", d1, k ? "sav" : "dta");
		read_stat(path, !k, sf);
		found = 0;
		for (v = 0; v < sf->n_vars; v++)
			if (!strcmp(sf->vars[v].name, "iv_qc_findings"))
				found = 1;
		assert_true(found);
		free_stat(sf);
	}
	/* xlsx is written from the same model: the column is there too */
	o.formats = DATA_XLSX;
	assert_int_equal(export(d2, &o, &err), 0);
	assert_true(exists(d2, "data_test.xlsx"));
	free(sf);
	memcpy(db, saved, sizeof(db));
	error_clear(&err);
}

/* Answers that do not fit their own form (a damaged or hand-edited
 * database): an error naming the interview and the path, and no file. */
static void test_bad_record(void **state)
{
	static const struct {
		const char *path, *message;
	} cases[] = {
		{"no_such_field", "answer names no field of the form at 'no_such_field'"},
		{"jobs[1]/job_name", "repeat path does not match the form's nesting at 'jobs[1]'"},
		{"members[1]/jobs[1]/m_age", "repeat path does not match the form's nesting"},
		{"has_toilet", "answer is not a choice of the form at 'has_toilet'"},
	};
	struct form *f = load_form();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store *s = NULL;
		struct error err = ERROR_INIT;
		struct store_interview iv;
		struct store_answer a[2];
		struct data_options o = {0};
		struct data_result res;
		char path[512], name[16];
		const char *dir;

		snprintf(path, sizeof(path), "%s/bad%zu.db", tmpdir, i);
		assert_int_equal(store_open(path, STORE_OPEN_CREATE, &s, &err), 0);
		assert_int_equal(store_form_put(s, f, &err), 0);
		memset(&iv, 0, sizeof(iv));
		snprintf(iv.uuid, sizeof(iv.uuid), "00000000-0000-4000-8000-00000000000%zu", i);
		iv.form_hash = (char *)form_hash(f);
		iv.device = (char *)store_device_id(s);
		iv.status = STORE_COMPLETED;
		iv.revision = 1;
		iv.created = iv.updated = 1764900000000;
		a[0].path = (char *)"household_key";
		a[0].value = (char *)"B-1";
		a[0].special = STORE_SPECIAL_NONE;
		a[1].path = (char *)cases[i].path;
		a[1].value = (char *)"maybe";
		a[1].special = STORE_SPECIAL_NONE;
		assert_int_equal(store_interview_import(s, &iv, a, 2, &err), 0);
		snprintf(name, sizeof(name), "bad%zu", i);
		dir = outdir(name);
		o.formats = DATA_CSV | DATA_DTA;
		assert_true(data_export(s, dir, &o, &res, &err) < 0);
		assert_non_null(err.where);
		assert_non_null(strstr(err.where, iv.uuid));
		if (!strstr(err.en, cases[i].message))
			fail_msg("%s: got '%s'", cases[i].path, err.en);
		assert_true(err.zh && *err.zh);
		assert_false(exists(dir, ""));
		store_close(s);
		error_clear(&err);
	}
	form_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_round_trip), cmocka_unit_test(test_dta_round_trip),
		cmocka_unit_test(test_sav_round_trip), cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_mask),	       cmocka_unit_test(test_long_paradata),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_bad_record),
		cmocka_unit_test(test_qc_findings),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
