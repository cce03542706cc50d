/*
 * test_attach — forms with attached CSV files: select_one_from_file /
 * select_multiple_from_file with choice_filter, csv-external, instance() and
 * pulldata() over attached files, each bad attached file as its own error at
 * FILE:ROW, files read from the form's directory, and a generated 5,000-row
 * village list filtered by county through the interview engine (the filter
 * time is printed, never asserted: benchmarks are bench/'s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/digest.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char form_villages[] =
	"survey,type,name,label::中文 (zh),label::English (en),choice_filter,calculation\n"
	",select_one counties,county,县,County,,\n"
	",select_one_from_file villages.csv,village,村,Village,county = ${county},\n"
	",select_multiple_from_file villages.csv,visited,去过的村,Villages visited,,\n"
	",calculate,pop,,,,\"pulldata('villages', 'pop', 'name', ${village})\"\n"
	",calculate,vlabel,,,,\"instance('villages')/root/item[name = ${village}]/label\"\n"
	"choices,list_name,name,label::中文 (zh),label::English (en)\n"
	",counties,c1,一县,County 1\n"
	",counties,c2,二县,County 2\n";

static const char villages_csv[] = "name,label::中文 (zh),label::English (en),county,pop\n"
				   "v1,东村,East,c1,100\n"
				   "v2,西村,West,c1,200\n"
				   "v3,南村,South,c2,300\n";

static void print_diags(const struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		fprintf(stderr, "  [%s] %s: %s | %s\n",
			dl->items[i].severity == DIAG_ERROR ? "error" : "warning",
			dl->items[i].e.where ? dl->items[i].e.where : "", dl->items[i].e.en,
			dl->items[i].e.zh);
}

static int has_diag(const struct diag_list *dl, enum diag_severity sev, const char *where,
		    const char *en)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];

		if (d->severity == sev && d->e.where && !strcmp(d->e.where, where) &&
		    !strcmp(d->e.en, en)) {
			assert_non_null(d->e.zh);
			assert_string_not_equal(d->e.zh, d->e.en);
			return 1;
		}
	}
	print_diags(dl);
	return 0;
}

/* Loads form `src` with one attached file (name, bytes); dl gets the diagnostics. */
static struct form *load1(const char *src, const char *fname, const char *fdata,
			  struct diag_list *dl)
{
	struct form_attachment a = {fname, fdata, fdata ? strlen(fdata) : 0};
	struct form_files files = {NULL, &a, fname ? 1 : 0};
	struct form *f = NULL;
	int rc = form_load_buffer_files("t.csv", src, strlen(src), FORM_SYNTAX_CSV, &files, &f, dl);

	assert_true((rc == 0) == (f != NULL));
	return f;
}

/* interview_record into "path,value\n" lines */
static int rec_line(void *ud, const char *path, const char *value)
{
	strbuf_addf(ud, "%s,%s\n", path, value);
	return 0;
}

static void test_select_from_file(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load1(form_villages, "villages.csv", villages_csv, &dl);
	const struct form_node *v, *m;
	const struct form_list *l;
	struct form_attachment a;
	const char *hash;
	char want[65];

	if (!f || dl.n)
		print_diags(&dl);
	assert_non_null(f);
	assert_int_equal(dl.n, 0);
	v = form_node(f, (size_t)form_find(f, "village"));
	m = form_node(f, (size_t)form_find(f, "visited"));
	assert_int_equal(v->type, FORM_SELECT_ONE);
	assert_int_equal(m->type, FORM_SELECT_MULTIPLE);
	assert_int_equal(v->list, m->list); /* one file, one list */
	assert_int_equal(v->list, form_find_list(f, "villages"));
	l = form_list(f, (size_t)v->list);
	assert_string_equal(l->file, "villages.csv");
	assert_int_equal(l->n, 3);
	assert_int_equal(l->n_extra, 2);
	assert_string_equal(l->extra_names[0], "county");
	assert_string_equal(l->extra_names[1], "pop");
	assert_string_equal(l->choices[2].name, "v3");
	assert_int_equal(l->choices[2].row, 4); /* the file's line */
	assert_string_equal(form_text(f, l->choices[2].label, form_lang_for(f, "zh")), "南村");
	assert_string_equal(form_text(f, l->choices[2].label, form_lang_for(f, "en")), "South");
	assert_string_equal(l->choices[2].extra[0], "c2");
	assert_null(form_list(f, (size_t)form_find_list(f, "counties"))->file);
	/* the attached bytes travel with the form, hashed */
	assert_int_equal(form_attachment_count(f), 1);
	assert_int_equal(form_attachment_get(f, 0, &a, &hash), 0);
	assert_string_equal(a.name, "villages.csv");
	assert_int_equal(a.len, strlen(villages_csv));
	assert_memory_equal(a.data, villages_csv, a.len);
	digest_sha256_hex(villages_csv, strlen(villages_csv), want);
	assert_string_equal(hash, want);
	assert_int_equal(form_attachment_get(f, 1, &a, &hash), -1);
	form_free(f);
	diag_list_free(&dl);
}

static void test_interview_filter_and_pulldata(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load1(form_villages, "villages.csv", villages_csv, &dl);
	struct interview_opts o = {.lang = "en"};
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	size_t *ch = NULL, n = 0;
	struct strbuf rec = STRBUF_INIT;

	assert_non_null(f);
	assert_int_equal(interview_new(f, &o, &iv, &err), 0);
	assert_int_equal(interview_set(iv, "county", "c1", &err), 0);
	assert_int_equal(interview_choices(iv, "village", &ch, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ch[0], 0);
	assert_int_equal(ch[1], 1);
	free(ch);
	assert_int_equal(interview_set(iv, "village", "v3", &err), -1);
	assert_int_equal(err.code, IV_E_FILTER);
	error_clear(&err);
	assert_int_equal(interview_set(iv, "village", "v2", &err), 0);
	assert_int_equal(interview_set(iv, "visited", "v1 v3", &err), 0);
	assert_int_equal(interview_set(iv, "visited", "v9", &err), -1);
	assert_int_equal(err.code, IV_E_CHOICE);
	error_clear(&err);
	assert_int_equal(interview_record(iv, rec_line, &rec), 0);
	assert_non_null(strstr(rec.buf, "pop,200\n"));
	assert_non_null(strstr(rec.buf, "vlabel,West\n"));
	strbuf_release(&rec);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

/* instance() and pulldata() load NAME.csv when the form has no list NAME;
 * csv-external declares one; neither needs name or label columns */
static void test_pulldata_files(void **state)
{
	static const char src[] = "survey,type,name,label,calculation\n"
				  ",csv-external,codes,,\n"
				  ",text,hh,Household,\n"
				  ",calculate,head,,\"pulldata('heads', 'head', 'hh', ${hh})\"\n"
				  ",calculate,n,,\"count(instance('codes')/root/item)\"\n";
	struct form_attachment files[2] = {
		{"heads.csv", "hh,head\nh1,张三\nh2,李四\n", 0},
		{"codes.csv", "code\n1\n2\n3\n", 0},
	};
	struct form_files fs = {NULL, files, 2};
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	struct strbuf rec = STRBUF_INIT;

	files[0].len = strlen(files[0].data);
	files[1].len = strlen(files[1].data);
	assert_int_equal(form_load_buffer_files("t.csv", src, strlen(src), FORM_SYNTAX_CSV, &fs, &f,
						&dl),
			 0);
	assert_int_equal(dl.n, 0);
	assert_int_equal(form_attachment_count(f), 2);
	assert_int_equal(interview_new(f, NULL, &iv, &err), 0);
	assert_int_equal(interview_set(iv, "hh", "h2", &err), 0);
	assert_int_equal(interview_record(iv, rec_line, &rec), 0);
	assert_non_null(strstr(rec.buf, "head,李四\n"));
	assert_non_null(strstr(rec.buf, "n,3\n"));
	strbuf_release(&rec);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);

	/* an unknown list with no file of its name is an expression error */
	f = load1("survey,type,name,label,calculation\n"
		  ",calculate,x,,\"pulldata('nowhere', 'a', 'b', 'c')\"\n",
		  NULL, NULL, &dl);
	assert_null(f);
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:2",
			     "calculation: column 10: unknown choice list or attached file 'nowhere'"));
	diag_list_free(&dl);
}

/* one bad attached file per case: the error and where it is */
static void test_bad_files(void **state)
{
	static const char sel[] = "survey,type,name,label\n"
				  ",select_one_from_file villages.csv,village,Village\n";
	static const struct {
		const char *form, *file, *data, *where, *en;
	} cases[] = {
		{sel, NULL, NULL, "t.csv:survey:2",
		 "attached file 'villages.csv' not found (it belongs next to the form: "
		 "villages.csv)"},
		{sel, "villages.csv", "code,label\nv1,East\n", "villages.csv:1",
		 "attached file has no 'name' column (select_one_from_file needs the columns name "
		 "and label, or parameters value= and label= naming others)"},
		{sel, "villages.csv", "name,title\nv1,East\n", "villages.csv:1",
		 "attached file has no 'label' column (select_one_from_file needs the columns name "
		 "and label, or parameters value= and label= naming others)"},
		{sel, "villages.csv", "name,label\nv1,East\nv2,West\n\nv1,Again\n", "villages.csv:5",
		 "duplicate name 'v1' (also at line 2)"},
		{sel, "villages.csv", "name,label\nv1,East\n ,Nobody\n", "villages.csv:3",
		 "row has no name"},
		{sel, "villages.csv", "name,label\nv1,\"East\n", "villages.csv:2",
		 "malformed CSV (unclosed quote)"},
		{sel, "villages.csv", "", "villages.csv", "attached file is empty"},
		{sel, "villages.csv", "name,label\n", "villages.csv", "attached file has no rows"},
		{sel, "villages.csv", "name,label\nv1,East\xff\n", "villages.csv",
		 "invalid UTF-8 at byte offset 18: save the file as UTF-8"},
		{"survey,type,name,label\n,select_one_from_file ../v.csv,v,V\n", "../v.csv",
		 "name,label\nv1,a\n", "t.csv:survey:2",
		 "attached file name '../v.csv' cannot hold a path: put the file next to the form"},
		{"survey,type,name,label\n,select_one_from_file yn.csv,v,V\nchoices,list_name,name,"
		 "label\n,yn,y,Yes\n",
		 "yn.csv", "name,label\ny,Yes\n", "t.csv:survey:2",
		 "attached file 'yn.csv' has the same name as the choice list 'yn'"},
		{"survey,type,name,label\n,select_multiple_from_file v.csv,v,V\n", "v.csv",
		 "name,label\nv 1,a\n", "v.csv:2",
		 "name 'v 1' holds a space, but the select_multiple of row 2 separates choice names "
		 "with spaces"},
		{"survey,type,name,label\n,csv-external,,\n", NULL, NULL, "t.csv:survey:2",
		 "csv-external needs a name (the attached file's name without .csv)"},
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f = load1(cases[k].form, cases[k].file, cases[k].data, &dl);

		print_message("case %zu: %s\n", k, cases[k].en);
		assert_null(f);
		assert_true(has_diag(&dl, DIAG_ERROR, cases[k].where, cases[k].en));
		diag_list_free(&dl);
	}
}

/* ODK's select parameters value= and label= name the columns of an attached
 * file that give the choice names and labels (the file then needs no name or
 * label column); each question's pair of columns is a list of its own over
 * the same file, which stays one attachment */
static const char codes_csv[] = "code,title,county,name,label\n"
				"101,东村 East,c1,v1,东\n"
				"102,西村 West,c1,v2,西\n"
				"201,南村 South,c2,v3,南\n";

static void test_value_label_params(void **state)
{
	static const char src[] =
		"survey,type,name,label,choice_filter,parameters\n"
		",select_one_from_file codes.csv,a,A,,value=code label=title\n"
		",select_one_from_file codes.csv,b,B,county = 'c1',value=code\n"
		",select_one_from_file codes.csv,c,C,,label=title\n"
		",select_one_from_file codes.csv,d,D,,\n"
		",select_multiple_from_file codes.csv,e,E,,value=code label=title\n"
		",select_one_from_file codes.csv,g,G,,value=name label=label\n";
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load1(src, "codes.csv", codes_csv, &dl);
	const struct form_node *a, *b, *c, *d, *e, *g;
	const struct form_list *l;
	struct interview_opts o = {.lang = "zh"};
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	size_t *ch = NULL, n = 0, lang;

	if (!f || dl.n)
		print_diags(&dl);
	assert_non_null(f);
	assert_int_equal(dl.n, 0);
	lang = form_lang_for(f, "zh");
	a = form_node(f, (size_t)form_find(f, "a"));
	b = form_node(f, (size_t)form_find(f, "b"));
	c = form_node(f, (size_t)form_find(f, "c"));
	d = form_node(f, (size_t)form_find(f, "d"));
	e = form_node(f, (size_t)form_find(f, "e"));
	g = form_node(f, (size_t)form_find(f, "g"));
	/* value=code label=title: names 101.., labels the titles, extras kept */
	l = form_list(f, (size_t)a->list);
	assert_string_equal(l->file, "codes.csv");
	assert_int_equal(l->n, 3);
	assert_string_equal(l->choices[0].name, "101");
	assert_string_equal(form_text(f, l->choices[0].label, lang), "东村 East");
	assert_int_equal(l->choices[2].row, 4);
	assert_int_equal(form_find_choice(f, a->list, "201"), 2);
	assert_int_equal(form_find_choice(f, a->list, "v3"), -1);
	assert_string_equal(l->choices[2].extra[2], "c2"); /* code, title, county */
	assert_int_equal(e->list, a->list);                 /* same columns, same list */
	/* value=code alone: the file's own labels */
	l = form_list(f, (size_t)b->list);
	assert_string_equal(l->choices[1].name, "102");
	assert_string_equal(form_text(f, l->choices[1].label, lang), "西");
	/* label=title alone: the file's names */
	l = form_list(f, (size_t)c->list);
	assert_string_equal(l->choices[1].name, "v2");
	assert_string_equal(form_text(f, l->choices[1].label, lang), "西村 West");
	/* no parameters, or the default columns named: the file's own list */
	assert_int_equal(d->list, form_find_list(f, "codes"));
	assert_int_equal(g->list, d->list);
	assert_int_equal(form_attachment_count(f), 1);

	/* the interview offers and records the value column's names */
	assert_int_equal(interview_new(f, &o, &iv, &err), 0);
	assert_int_equal(interview_choices(iv, "b", &ch, &n), 0);
	assert_int_equal(n, 2); /* county = 'c1' over the file's other columns */
	free(ch);
	assert_int_equal(interview_set(iv, "a", "201", &err), 0);
	assert_int_equal(interview_set(iv, "a", "v3", &err), -1);
	assert_int_equal(err.code, IV_E_CHOICE);
	error_clear(&err);
	assert_int_equal(interview_set(iv, "b", "201", &err), -1);
	assert_int_equal(err.code, IV_E_FILTER);
	error_clear(&err);
	assert_int_equal(interview_set(iv, "e", "101 102", &err), 0);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static void test_value_label_errors(void **state)
{
	static const struct {
		const char *form, *data, *where, *en;
	} cases[] = {
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,value=nope\n",
		 "name,label,code\nv1,a,1\n", "t.csv:survey:2",
		 "attached file 'v.csv' has no column 'nope' (parameter value=nope)"},
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,label=nope\n",
		 "name,label,code\nv1,a,1\n", "t.csv:survey:2",
		 "attached file 'v.csv' has no column 'nope' (parameter label=nope)"},
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,value=code\n",
		 "name,label,code\nv1,a,1\nv2,b,2\nv3,c,1\n", "v.csv:4",
		 "duplicate 'code' value '1' (also at line 2)"},
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,value=code\n",
		 "name,label,code\nv1,a,1\nv2,b,\n", "v.csv:3",
		 "row has no 'code' (parameter value=code)"},
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,value=\n",
		 "name,label\nv1,a\n", "t.csv:survey:2", "parameter value= names no column"},
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,valu=code\n",
		 "name,label\nv1,a\n", "t.csv:survey:2",
		 "unknown select parameter 'valu' (use randomize, seed, value, label)"},
		/* a file without a name column serves value=, not a plain select */
		{"survey,type,name,label,parameters\n"
		 ",select_one_from_file v.csv,v,V,value=code label=title\n"
		 ",select_one_from_file v.csv,w,W,\n",
		 "code,title\n1,a\n", "v.csv:1",
		 "attached file has no 'name' column (select_one_from_file needs the columns name "
		 "and label, or parameters value= and label= naming others)"},
		{"survey,type,name,label,parameters\n"
		 ",select_multiple_from_file v.csv,v,V,value=code\n",
		 "name,label,code\nv1,a,x y\n", "v.csv:2",
		 "name 'x y' holds a space, but the select_multiple of row 2 separates choice names "
		 "with spaces"},
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f = load1(cases[k].form, "v.csv", cases[k].data, &dl);

		print_message("case %zu: %s\n", k, cases[k].en);
		assert_null(f);
		assert_true(has_diag(&dl, DIAG_ERROR, cases[k].where, cases[k].en));
		diag_list_free(&dl);
	}
}

static void test_warnings(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f;

	/* a label in a language the form does not have */
	f = load1("survey,type,name,label\n,select_one_from_file v.csv,v,V\n", "v.csv",
		  "name,label,label::Tibetan\nv1,East,x\n", &dl);
	assert_non_null(f);
	assert_true(has_diag(&dl, DIAG_WARNING, "v.csv:1",
			     "column 'label::Tibetan' is in no language of the form: ignored"));
	form_free(f);
	diag_list_free(&dl);
	/* GeoJSON choices feed a map: not shown in a terminal */
	f = load1("survey,type,name,label\n,select_one_from_file cities.geojson,v,V\n", NULL, NULL,
		  &dl);
	assert_non_null(f);
	assert_int_equal(form_node(f, 0)->type, FORM_UNSUPPORTED);
	assert_true(has_diag(&dl, DIAG_WARNING, "t.csv:survey:2",
			     "'select_one_from_file cities.geojson': ruhu reads only CSV attached "
			     "files; question 'v' will be skipped at interview time"));
	form_free(f);
	diag_list_free(&dl);
	/* ODK's deprecated search() appearance would show its placeholder list */
	f = load1("survey,type,name,label,appearance\n,select_one p,v,V,\"search('villages')\"\n"
		  "choices,list_name,name,label\n,p,name,label\n",
		  NULL, NULL, &dl);
	assert_non_null(f);
	assert_true(has_diag(&dl, DIAG_WARNING, "t.csv:survey:2",
			     "appearance 'search(...)' is not supported (ODK deprecated it): use "
			     "select_one_from_file with a CSV file and a choice_filter"));
	form_free(f);
	diag_list_free(&dl);
}

/* form_load() reads attached files next to the form, and names them so */
static void test_from_directory(void **state)
{
	char dir[] = "/tmp/ruhu-attach-XXXXXX";
	struct strbuf p = STRBUF_INIT, where = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	strbuf_addf(&p, "%s/f.csv", dir);
	fp = fopen(p.buf, "w");
	assert_non_null(fp);
	fputs(form_villages, fp);
	fclose(fp);
	assert_int_equal(form_load(p.buf, &f, &dl), -1);
	strbuf_addf(&where, "%s:survey:3", p.buf);
	strbuf_reset(&p);
	strbuf_addf(&p, "attached file 'villages.csv' not found (it belongs next to the form: "
			"%s/villages.csv)",
		    dir);
	assert_true(has_diag(&dl, DIAG_ERROR, where.buf, p.buf));
	diag_list_free(&dl);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/villages.csv", dir);
	fp = fopen(p.buf, "w");
	assert_non_null(fp);
	fputs(villages_csv, fp);
	fclose(fp);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/f.csv", dir);
	assert_int_equal(form_load(p.buf, &f, &dl), 0);
	assert_int_equal(form_list(f, (size_t)form_find_list(f, "villages"))->n, 3);
	form_free(f);
	diag_list_free(&dl);
	unlink(p.buf);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/villages.csv", dir);
	unlink(p.buf);
	rmdir(dir);
	strbuf_release(&p);
	strbuf_release(&where);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 5,000 villages in 50 counties (generated here, never committed) */
static void test_big_list(void **state)
{
	struct strbuf csv = STRBUF_INIT, form = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	struct form *f;
	size_t *ch = NULL, n = 0, i;
	double t0, t1, t2;
	int k;

	strbuf_addstr(&csv, "name,label::中文 (zh),county\n");
	for (i = 0; i < 5000; i++)
		strbuf_addf(&csv, "v%zu,第%zu村,c%zu\n", i, i, i % 50);
	strbuf_addstr(&form, "survey,type,name,label::中文 (zh),choice_filter\n"
			     ",select_one counties,county,县,\n"
			     ",select_one_from_file villages.csv,village,村,county = ${county}\n"
			     "choices,list_name,name,label::中文 (zh)\n");
	for (k = 0; k < 50; k++)
		strbuf_addf(&form, ",counties,c%d,%d县\n", k, k);
	t0 = now_s();
	f = load1(form.buf, "villages.csv", csv.buf, &dl);
	t1 = now_s();
	if (!f)
		print_diags(&dl);
	assert_non_null(f);
	assert_int_equal(form_list(f, (size_t)form_find_list(f, "villages"))->n, 5000);
	assert_int_equal(interview_new(f, NULL, &iv, &err), 0);
	assert_int_equal(interview_set(iv, "county", "c7", &err), 0);
	t2 = now_s();
	for (k = 0; k < 20; k++) {
		free(ch);
		assert_int_equal(interview_choices(iv, "village", &ch, &n), 0);
	}
	t2 = (now_s() - t2) / 20;
	assert_int_equal(n, 100);
	assert_int_equal(ch[0], 7);
	assert_int_equal(ch[99], 4957);
	assert_int_equal(interview_set(iv, "village", "v4957", &err), 0);
	print_message("5,000-row attached list: load %.1f ms, choice_filter by county %.2f ms\n",
		      (t1 - t0) * 1e3, t2 * 1e3);
	free(ch);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&csv);
	strbuf_release(&form);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_from_file),
		cmocka_unit_test(test_interview_filter_and_pulldata),
		cmocka_unit_test(test_pulldata_files),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_value_label_params),
		cmocka_unit_test(test_value_label_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_from_directory),
		cmocka_unit_test(test_big_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
