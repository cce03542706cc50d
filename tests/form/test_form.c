/*
 * Unit tests of the XLSForm loader: every validation error on a tiny bad form
 * (exact message and row), and the supported features on tiny good forms.
 * Forms are in-memory strings loaded with form_load_buffer().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "form_internal.h"
#include "ruhu/digest.h"
#include "ruhu/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loads `src` as t.csv (or t.md); *dl receives the diagnostics. */
static struct form *load_as(const char *name, const char *src, struct diag_list *dl)
{
	struct form *f = NULL;
	int rc = form_load_buffer(name, src, strlen(src), FORM_SYNTAX_AUTO, &f, dl);

	assert_true((rc == 0) == (f != NULL));
	return f;
}

static void print_diags(const struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		fprintf(stderr, "  [%s] %s: %s | %s\n",
			dl->items[i].severity == DIAG_ERROR ? "error" : "warning",
			dl->items[i].e.where ? dl->items[i].e.where : "", dl->items[i].e.en,
			dl->items[i].e.zh);
}

/* True when `dl` holds a diagnostic of that severity, location and message. */
static int has_diag(const struct diag_list *dl, enum diag_severity sev, const char *where,
		    const char *en)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];

		if (d->severity == sev && d->e.where && !strcmp(d->e.where, where) &&
		    !strcmp(d->e.en, en)) {
			/* the Chinese text exists and differs from the English one */
			assert_non_null(d->e.zh);
			assert_true(strlen(d->e.zh) > 0);
			return 1;
		}
	}
	fprintf(stderr, "expected %s '%s: %s' among:\n", sev == DIAG_ERROR ? "error" : "warning",
		where, en);
	print_diags(dl);
	return 0;
}

/* The form must be refused with (at least) this error. */
static void expect_error(const char *name, const char *src, const char *where, const char *en)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load_as(name, src, &dl);

	assert_null(f);
	assert_true(dl.errors > 0);
	assert_true(has_diag(&dl, DIAG_ERROR, where, en));
	diag_list_free(&dl);
}

/* The form must load, with this warning. */
static void expect_warning(const char *name, const char *src, const char *where, const char *en)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load_as(name, src, &dl);

	if (!f)
		print_diags(&dl);
	assert_non_null(f);
	assert_int_equal(dl.errors, 0);
	assert_true(has_diag(&dl, DIAG_WARNING, where, en));
	form_free(f);
	diag_list_free(&dl);
}

static struct form *load_ok(const char *name, const char *src)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load_as(name, src, &dl);

	if (!f || dl.n)
		print_diags(&dl);
	assert_non_null(f);
	diag_list_free(&dl);
	return f;
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static void test_unknown_type(void **state)
{
	expect_error("household.csv",
		     "survey\n"
		     ",type,name,label\n"
		     ",intger,age,Age\n",
		     "household.csv:survey:3", "unknown type 'intger' (did you mean 'integer'?)");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,select_on yn,a,A\n"
		     "choices\n,list_name,name,label\n,yn,y,Yes\n",
		     "t.csv:survey:3", "unknown type 'select_on yn' (did you mean 'select_one yn'?)");
	expect_error("t.csv", "survey\n,type,name,label\n,photograph,a,A\n", "t.csv:survey:3",
		     "unknown type 'photograph'");
}

static void test_unknown_choice_list(void **state)
{
	expect_error("household.csv",
		     "survey,,,\n"
		     ",type,name,label\n"
		     ",text,hh,Household\n"
		     ",select_one watr_src,water,Water source\n"
		     "choices\n"
		     ",list_name,name,label\n"
		     ",water_src,well,Well\n",
		     "household.csv:survey:4", "unknown choice list 'watr_src'");
}

static void test_select_without_list(void **state)
{
	expect_error("t.csv", "survey\n,type,name,label\n,select_one,q,Q\n", "t.csv:survey:3",
		     "type 'select_one' needs a choice list name, e.g. 'select_one yes_no'");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,select_one yn extra,q,Q\n"
		     "choices\n,list_name,name,label\n,yn,y,Yes\n",
		     "t.csv:survey:3",
		     "unexpected 'extra' after the choice list name in type 'select_one yn extra'");
}

static void test_duplicate_names(void **state)
{
	/* in different groups too: ${name} must designate one field */
	expect_error("t.csv",
		     "survey\n"
		     ",type,name,label\n"
		     ",begin group,a,A\n"
		     ",integer,age,Age\n"
		     ",end group,,\n"
		     ",begin group,b,B\n"
		     ",integer,age,Age\n"
		     ",end group,,\n",
		     "t.csv:survey:7",
		     "duplicate name 'age' (also at row 4): ruhu requires every name to be unique "
		     "in the whole form");
}

static void test_missing_and_invalid_name(void **state)
{
	expect_error("t.csv", "survey\n,type,name,label\n,text,,Name?\n", "t.csv:survey:3",
		     "missing name for 'text'");
	expect_error("t.csv", "survey\n,type,name,label\n,text,full name,Name?\n",
		     "t.csv:survey:3",
		     "invalid name 'full name': a name starts with a letter or '_' and holds only "
		     "letters, digits, '_', '-' and '.'");
	expect_error("t.csv", "survey\n,type,name,label\n,text,1st,Name?\n", "t.csv:survey:3",
		     "invalid name '1st': a name starts with a letter or '_' and holds only "
		     "letters, digits, '_', '-' and '.'");
}

static void test_unmatched_begin_end(void **state)
{
	expect_error("t.csv",
		     "survey\n,type,name,label\n,text,a,A\n,end group,,\n", "t.csv:survey:4",
		     "'end group' without a matching 'begin group'");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,begin group,g,G\n,text,a,A\n", "t.csv:survey:3",
		     "'begin group' 'g' is never closed (no 'end group')");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,begin repeat,r,R\n,text,a,A\n,end group,,\n",
		     "t.csv:survey:5",
		     "'end group' closes 'begin repeat' 'r' of row 3: expected 'end repeat'");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,begin_repeat,r,R\n,text,a,A\n,end_repeat,,\n"
		     ",end_repeat,,\n",
		     "t.csv:survey:6", "'end_repeat' without a matching 'begin repeat'");
}

static void test_empty_list(void **state)
{
	const char *src = "survey\n,type,name,label\n,select_one yn,q,Q\n"
			  "choices\n,list_name,name,label\n,yn,,Yes\n";

	expect_error("t.csv", src, "t.csv:choices:6", "choice in list 'yn' has no name");
	expect_error("t.csv", src, "t.csv:survey:3", "choice list 'yn' is empty");
	expect_error("t.csv",
		     "survey\n,type,name,label\n,text,q,Q\n"
		     "choices\n,list_name,name,label\n,,y,Yes\n",
		     "t.csv:choices:6", "choice has no list_name");
}

static void test_duplicate_choices(void **state)
{
	const char *dup = "survey\n,type,name,label\n,select_one yn,q,Q\n"
			  "choices\n,list_name,name,label\n,yn,y,Yes\n,yn,n,No\n,yn,y,Yeah\n";
	struct form *f;
	struct strbuf sb = STRBUF_INIT;

	expect_error("t.csv", dup, "t.csv:choices:8",
		     "duplicate choice 'y' in list 'yn' (also at row 6); set "
		     "allow_choice_duplicates = yes in the settings sheet if this is intended");
	/* pyxform's setting allows them */
	strbuf_addstr(&sb, dup);
	strbuf_addstr(&sb, "settings\n,allow_choice_duplicates\n,yes\n");
	f = load_ok("t.csv", sb.buf);
	assert_int_equal(form_list(f, 0)->n, 3);
	assert_int_equal(form_find_choice(f, 0, "y"), 0);
	form_free(f);
	strbuf_release(&sb);
}

static void test_select_checks(void **state)
{
	expect_error("t.csv",
		     "survey\n,type,name,label\n,select_multiple crops,c,C\n"
		     "choices\n,list_name,name,label\n,crops,maize,Maize\n,crops,sweet potato,SP\n",
		     "t.csv:choices:7",
		     "choice name 'sweet potato' in list 'crops' holds a space, but the "
		     "select_multiple of row 3 separates choice names with spaces");
	/* a select_one may use such a list */
	form_free(load_ok("t.csv", "survey\n,type,name,label\n,select_one crops,c,C\n"
				   "choices\n,list_name,name,label\n,crops,sweet potato,SP\n"));
	expect_warning("t.csv",
		       "survey\n,type,name,label,choice_filter\n,text,a,A,\n"
		       ",select_one yn or_other,c,C,${a} = 'x'\n"
		       "choices\n,list_name,name,label\n,yn,y,Yes\n",
		       "t.csv:survey:4",
		       "'or_other' with a choice_filter: pyxform and ODK refuse this combination");
}

static void test_unknown_field_reference(void **state)
{
	const char *hdr = "survey\n,type,name,label,relevant,constraint,calculation\n";
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s,integer,age,Age,,,\n,text,job,Job,${agee} > 15,,\n", hdr);
	expect_error("t.csv", sb.buf, "t.csv:survey:4", "relevant: column 1: unknown field '${agee}'");
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s,integer,age,Age,,. < ${maxage},\n", hdr);
	expect_error("t.csv", sb.buf, "t.csv:survey:3",
		     "constraint: column 5: unknown field '${maxage}'");
	strbuf_release(&sb);
	/* in a label: ruhu checks the text's references too */
	expect_error("t.csv", "survey\n,type,name,label::English (en)\n,note,n,Hello ${nme}\n",
		     "t.csv:survey:3", "label::English (en): column 7: unknown field '${nme}'");
	/* in settings instance_name */
	expect_error("t.csv",
		     "survey\n,type,name,label\n,text,name,Name\n"
		     "settings\n,form_id,instance_name\n,f,\"concat('hh-', ${nmae})\"\n",
		     "t.csv:settings:6", "instance_name: column 15: unknown field '${nmae}'");
}

static void test_malformed_expression(void **state)
{
	expect_error("household.csv",
		     "survey\n,type,name,label,relevant\n,text,a,A,\n"
		     ",text,b,B,concatt(${a}, 'x') = 'y'\n",
		     "household.csv:survey:4", "relevant: column 1: unknown function 'concatt'");
	/* the column name is the header as the author wrote it */
	expect_error("t.csv",
		     "survey\n,type,name,label,calculate\n,calculate,c,,1 +\n", "t.csv:survey:3",
		     "calculate: column 4: unexpected end of expression");
}

static void test_calculate_without_calculation(void **state)
{
	expect_error("t.csv", "survey\n,type,name,label,calculation\n,calculate,c,,\n",
		     "t.csv:survey:3", "calculate 'c' has no calculation");
	/* a default is enough, as in pyxform */
	form_free(load_ok("t.csv", "survey\n,type,name,label,default\n,calculate,c,,5\n"));
}

static void test_bad_repeat_count(void **state)
{
	const char *fmt = "survey\n,type,name,label,repeat_count\n,integer,n,N,\n"
			  ",begin repeat,r,R,%s\n,text,a,A,\n,end repeat,,,\n";
	char buf[512];

	snprintf(buf, sizeof(buf), fmt, "-1");
	expect_error("t.csv", buf, "t.csv:survey:4",
		     "repeat_count: repeat count '-1' must be a whole number from 0 to 100000");
	snprintf(buf, sizeof(buf), fmt, "2.5");
	expect_error("t.csv", buf, "t.csv:survey:4",
		     "repeat_count: repeat count '2.5' must be a whole number from 0 to 100000");
	snprintf(buf, sizeof(buf), fmt, "two");
	expect_error("t.csv", buf, "t.csv:survey:4",
		     "repeat_count: bad repeat count 'two': write a whole number or an expression "
		     "such as ${n}");
	snprintf(buf, sizeof(buf), fmt, "${nn}");
	expect_error("t.csv", buf, "t.csv:survey:4",
		     "repeat_count: column 1: unknown field '${nn}'");
	snprintf(buf, sizeof(buf), fmt, "${n}");
	form_free(load_ok("t.csv", buf));
	snprintf(buf, sizeof(buf), fmt, "3");
	form_free(load_ok("t.csv", buf));
}

static void test_unknown_column_warning(void **state)
{
	expect_warning("t.csv", "survey\n,type,name,label,colour\n,text,a,A,red\n",
		       "t.csv:survey:2", "unknown column 'colour' ignored");
	/* `value` is an alias of `name` in the choices sheet: both is a mistake */
	expect_warning("t.csv",
		       "survey\n,type,name,label\n,select_one yn,q,Q\n"
		       "choices\n,list_name,name,value,label\n,yn,y,1,Yes\n",
		       "t.csv:choices:5", "column 'value' means the same as column 'name' and is ignored");
}

static void test_missing_survey(void **state)
{
	expect_error("t.csv", "choices\n,list_name,name,label\n,yn,y,Yes\n", "t.csv",
		     "missing 'survey' sheet");
	expect_error("t.csv", "survey\n", "t.csv:survey:1", "survey sheet has no header row");
	expect_error("t.csv", "survey\n,name,label\n,a,A\n", "t.csv:survey:2",
		     "survey sheet has no 'type' column");
}

static void test_too_many_columns(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	int i;

	strbuf_addstr(&sb, "survey\n,type,name,label\n,select_one c,q,Q\nchoices\n,list_name,name");
	for (i = 0; i < 999; i++)
		strbuf_addf(&sb, ",x%d", i);
	strbuf_addstr(&sb, "\n,c,a\n");
	assert_null(load_as("t.csv", sb.buf, &dl));
	assert_int_equal(dl.errors, 1);
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:choices:5", "too many columns (1001, at most 1000)"));
	diag_list_free(&dl);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "survey\n,type,name");
	for (i = 0; i < 65; i++)
		strbuf_addf(&sb, ",label::l%d", i);
	strbuf_addstr(&sb, "\n,text,a,A\n");
	assert_null(load_as("t.csv", sb.buf, &dl));
	assert_int_equal(dl.errors, 1);
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv", "too many languages (65, at most 64)"));
	diag_list_free(&dl);
	strbuf_release(&sb);
}

static void test_begin_loop_refused(void **state)
{
	expect_error("t.csv",
		     "survey\n,type,name,label\n,begin loop over yn,l,\n,text,a,A\n,end loop,,\n"
		     "choices\n,list_name,name,label\n,yn,y,Yes\n",
		     "t.csv:survey:3",
		     "'begin loop' is not supported: use 'begin repeat' instead (one instance per "
		     "choice)");
}

static void test_range_parameters(void **state)
{
	struct form *f = load_ok("t.csv", "survey\n,type,name,label,parameters\n"
					  ",range,r1,R,\n"
					  ",range,r2,R,start=1.5;end=5.5;step=0.5\n"
					  ",range,r3,R,\"start = 0 end=100 , step=5\"\n");
	const struct form_node *n;

	n = form_node(f, 0);
	assert_true(n->range_start == 1 && n->range_end == 10 && n->range_step == 1);
	n = form_node(f, 1);
	assert_true(n->range_start == 1.5 && n->range_end == 5.5 && n->range_step == 0.5);
	n = form_node(f, 2);
	assert_true(n->range_start == 0 && n->range_end == 100 && n->range_step == 5);
	form_free(f);
	expect_error("t.csv", "survey\n,type,name,label,parameters\n,range,r,R,start=a\n",
		     "t.csv:survey:3", "range parameter 'start' is not a number: 'a'");
	expect_error("t.csv", "survey\n,type,name,label,parameters\n,range,r,R,stop=5\n",
		     "t.csv:survey:3", "unknown range parameter 'stop' (use start, end, step)");
	expect_error("t.csv", "survey\n,type,name,label,parameters\n,range,r,R,step=0\n",
		     "t.csv:survey:3", "range step must not be 0");
	f = load_ok("t.csv", "survey\n,type,name,label,parameters\n,range,r,R,start=10 end=1\n");
	assert_true(form_node(f, 0)->range_start == 10 && form_node(f, 0)->range_end == 1);
	form_free(f);
}

static void test_syntax_errors(void **state)
{
	expect_error("t.csv", "survey\n,type,name,label\n,text,a,\"never closed\n", "t.csv:3",
		     "quoted cell is never closed");
	expect_error("t.csv", "survey\n,type,name,label\n,text,a,A\n,text,b,\"B\"x\n", "t.csv:4",
		     "malformed quoted cell: a quote inside a quoted cell is written twice (\"\"), "
		     "and a closing quote is followed by a comma or a line end");
	expect_error("t.csv", "survey\n,type,name,label\n,text,a,\xff\xfe\n", "t.csv",
		     "invalid UTF-8 at byte offset 32: save the file as UTF-8");
	expect_error("t.md", "| survey |\n| | type | name |\nnot a row\n", "t.md:3",
		     "not a table row (every line of a markdown table starts with '|')");
	{
		struct strbuf sb = STRBUF_INIT;
		struct diag_list dl = DIAG_LIST_INIT;
		int i;

		for (i = 0; i < 25; i++)
			strbuf_addstr(&sb, "plain text\n");
		assert_null(load_as("t.md", sb.buf, &dl));
		assert_int_equal(dl.errors, 11);
		assert_true(has_diag(&dl, DIAG_ERROR, "t.md:10",
				     "not a table row (every line of a markdown table starts with '|')"));
		assert_true(has_diag(&dl, DIAG_ERROR, "t.md", "15 more lines are not table rows"));
		diag_list_free(&dl);
		strbuf_release(&sb);
	}
	expect_error("t.csv", ",text,a,A\nsurvey\n,type,name,label\n,text,b,B\n", "t.csv:1",
		     "row is outside any sheet: a sheet starts with its name (survey, choices, "
		     "settings) in the first cell");
	expect_error("t.csv", "survey\n,type,name,label\n,,a,A\n", "t.csv:survey:3",
		     "row has no type");
}

static void test_load_file_errors(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = (struct form *)1;

	assert_int_equal(form_load("questionnaire.xlsx", &f, &dl), -1);
	assert_null(f);
	assert_true(has_diag(&dl, DIAG_ERROR, "questionnaire.xlsx",
			     "unknown form file type: use .csv or .md"));
	diag_list_free(&dl);
	assert_int_equal(form_load("/nonexistent/dir/f.csv", &f, &dl), -1);
	assert_null(f);
	assert_true(has_diag(&dl, DIAG_ERROR, "/nonexistent/dir/f.csv",
			     "cannot open: No such file or directory"));
	diag_list_free(&dl);
}

static void test_all_errors_collected(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load_as("t.csv",
				 "survey\n,type,name,label,relevant\n"
				 ",intger,a,A,\n"
				 ",text,a,A2,\n"
				 ",select_one nolist,b,B,\n"
				 ",text,c,C,${zz}\n"
				 ",end group,,,\n",
				 &dl);

	assert_null(f);
	assert_int_equal(dl.errors, 5);
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:3",
			     "unknown type 'intger' (did you mean 'integer'?)"));
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:4",
			     "duplicate name 'a' (also at row 3): ruhu requires every name to be "
			     "unique in the whole form"));
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:5", "unknown choice list 'nolist'"));
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:6",
			     "relevant: column 1: unknown field '${zz}'"));
	assert_true(has_diag(&dl, DIAG_ERROR, "t.csv:survey:7",
			     "'end group' without a matching 'begin group'"));
	diag_list_free(&dl);
}

/* ------------------------------------------------------------------------ */
/* Features                                                                 */
/* ------------------------------------------------------------------------ */

static void test_translations(void **state)
{
	struct form *f = load_ok("t.csv",
				 "survey,,,,,\n"
				 ",type,name,label::中文 (zh),label::English (en),hint::中文 (zh),"
				 "constraint,constraint_message::English (en),jr:constraintMsg::中文 (zh),"
				 "required,required_message::中文 (zh),required_message::English (en)\n"
				 ",integer,age,年龄,Age,周岁,. < 120,too old,太大,yes,必填,required\n"
				 ",text,job,职业,,,,,,,,\n"
				 "settings\n,default_language\n,中文 (zh)\n");
	const struct form_node *n = form_node(f, 0);

	assert_int_equal(form_lang_count(f), 2);
	assert_string_equal(form_lang_name(f, 0), "中文 (zh)");
	assert_string_equal(form_lang_code(f, 0), "zh");
	assert_string_equal(form_lang_code(f, 1), "en");
	assert_int_equal(form_lang_default(f), 0);
	assert_int_equal(form_lang_for(f, "en"), 1);
	assert_int_equal(form_lang_for(f, "zh"), 0);
	assert_int_equal(form_lang_for(f, "fr"), 0);
	assert_string_equal(form_text(f, n->label, 0), "年龄");
	assert_string_equal(form_text(f, n->label, 1), "Age");
	assert_string_equal(form_text(f, n->hint, 1), "周岁"); /* falls back */
	assert_string_equal(form_text(f, n->constraint_message, 1), "too old");
	assert_string_equal(form_text(f, n->constraint_message, 0), "太大");
	assert_string_equal(form_text(f, n->required_message, 0), "必填");
	assert_string_equal(form_text(f, n->required_message, 1), "required");
	assert_null(form_text(f, form_node(f, 1)->required_message, 1));
	assert_string_equal(form_text(f, form_node(f, 1)->label, 1), "职业");
	form_free(f);
	/* languages named without a code */
	f = load_ok("t.csv", "survey\n,type,name,label::english,label::chinese\n,text,a,A,甲\n");
	assert_int_equal(form_lang_for(f, "zh"), 1);
	assert_int_equal(form_lang_for(f, "en"), 0);
	assert_int_equal(form_lang_default(f), 0);
	form_free(f);
}

static void test_plain_label_is_default_language(void **state)
{
	struct form *f = load_ok("t.csv", "survey\n,type,name,label,label::eng\n,text,a,la,le\n"
					  "choices\n,list_name,name,label,label::fr\n,c,x,lx,fx\n");

	assert_int_equal(form_lang_count(f), 3);
	assert_string_equal(form_lang_name(f, 0), "default");
	assert_string_equal(form_lang_code(f, 0), "");
	assert_string_equal(form_lang_name(f, 1), "eng");
	assert_string_equal(form_lang_name(f, 2), "fr");
	assert_string_equal(form_text(f, form_list(f, 0)->choices[0].label, 2), "fx");
	assert_string_equal(form_text(f, form_list(f, 0)->choices[0].label, 1), "lx");
	form_free(f);
}

static void test_aliases_and_flags(void **state)
{
	struct form *f = load_ok(
		"t.csv",
		"survey\n"
		",type,name,label,relevance,calculate,required,requiredMsg,readonly,"
		"constraint message,appearance,default,count\n"
		",integer,a,A,,,yes,need it,,,,5,\n"
		",calculate,b,,${a} > 1,${a} * 2,no,,TRUE,,,,\n"
		",text,c,C,,,TRUE,,false,bad,minimal,today(),\n"
		",text,d,D,,,${a} > 3,,${a} = 1,,,,\n"
		",date,e,E,,,FALSE,,true(),,,2024-01-31,\n");
	const struct form_node *a = form_node(f, 0), *b = form_node(f, 1), *c = form_node(f, 2);
	const struct form_node *d = form_node(f, 3), *e = form_node(f, 4);

	assert_true(a->required_flag);
	assert_null(a->required.src);
	assert_string_equal(form_text(f, a->required_message, 0), "need it");
	assert_string_equal(a->default_value, "5");
	assert_null(a->default_expr.src);
	assert_string_equal(b->relevant.src, "${a} > 1");
	assert_non_null(b->relevant.e);
	assert_string_equal(b->calculation.src, "${a} * 2");
	assert_non_null(b->calculation.e);
	assert_false(b->required_flag);
	assert_true(b->read_only_flag);
	assert_true(c->required_flag);
	assert_false(c->read_only_flag);
	assert_string_equal(form_text(f, c->constraint_message, 0), "bad");
	assert_string_equal(c->appearance, "minimal");
	assert_null(c->default_value);
	assert_string_equal(c->default_expr.src, "today()");
	assert_non_null(c->default_expr.e);
	assert_false(d->required_flag);
	assert_string_equal(d->required.src, "${a} > 3");
	assert_non_null(d->required.e);
	assert_string_equal(d->read_only.src, "${a} = 1");
	assert_non_null(d->read_only.e);
	assert_false(e->required_flag);
	assert_true(e->read_only_flag);
	assert_string_equal(e->default_value, "2024-01-31");
	form_free(f);
}

static void test_old_bind_syntax(void **state)
{
	/* pyxform's widgets.csv headers: bind:constraint, bind:jr:constraintMsg ... */
	struct form *f = load_ok("t.csv",
				 "\"survey\",,,,,,\n"
				 ",\"type\",\"name\",\"label:English\",\"bind:constraint\","
				 "\"bind:jr:constraintMsg\",\"control:appearance\"\n"
				 ",\"int\",\"n\",\"N\",\". < 10\",\"less than 10\",\"numbers\"\n");
	const struct form_node *n = form_node(f, 0);

	assert_int_equal(n->type, FORM_INTEGER);
	assert_string_equal(form_lang_name(f, 0), "English");
	assert_string_equal(form_lang_code(f, 0), "en");
	assert_string_equal(n->constraint.src, ". < 10");
	assert_string_equal(form_text(f, n->constraint_message, 0), "less than 10");
	assert_string_equal(n->appearance, "numbers");
	form_free(f);
}

static void test_types(void **state)
{
	static const struct {
		const char *type;
		enum form_type t;
	} cases[] = {
		{"integer", FORM_INTEGER},     {"decimal", FORM_DECIMAL},
		{"range", FORM_RANGE},         {"text", FORM_TEXT},
		{"note", FORM_NOTE},           {"date", FORM_DATE},
		{"time", FORM_TIME},           {"dateTime", FORM_DATETIME},
		{"calculate", FORM_CALCULATE}, {"acknowledge", FORM_ACKNOWLEDGE},
		{"trigger", FORM_ACKNOWLEDGE}, {"hidden", FORM_HIDDEN},
		{"geopoint", FORM_GEOPOINT},   {"barcode", FORM_BARCODE},
		{"start", FORM_START},         {"end", FORM_END},
		{"today", FORM_TODAY},         {"deviceid", FORM_DEVICEID},
		{"username", FORM_USERNAME},   {"audit", FORM_AUDIT},
		{"image", FORM_UNSUPPORTED},   {"audio", FORM_UNSUPPORTED},
		{"video", FORM_UNSUPPORTED},   {"file", FORM_UNSUPPORTED},
		{"geotrace", FORM_UNSUPPORTED}, {"geoshape", FORM_UNSUPPORTED},
		{"Integer", FORM_INTEGER},     {"string", FORM_TEXT},
	};
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f;
	size_t i;

	strbuf_addstr(&sb, "survey\n,type,name,label,calculation\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		strbuf_addf(&sb, ",%s,q%zu,Q,%s\n", cases[i].type, i,
			    cases[i].t == FORM_CALCULATE ? "1 + 1" : "");
	f = load_as("t.csv", sb.buf, &dl);
	assert_non_null(f);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(form_node(f, i)->type, cases[i].t);
		assert_string_equal(form_node(f, i)->type_name, cases[i].type);
	}
	/* one warning per unsupported question */
	assert_int_equal(dl.warnings, 6);
	assert_true(has_diag(&dl, DIAG_WARNING, "t.csv:survey:23",
			     "type 'image' cannot be captured in a terminal: question 'q20' will be "
			     "skipped at interview time"));
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&sb);
	expect_warning("t.csv", "survey\n,type,name,label\n,select_one_from_file c.csv,q,Q\n",
		       "t.csv:survey:3",
		       "'select_one_from_file c.csv': no attached files are available; "
		       "question 'q' will be skipped at interview time");
}

static void test_selects(void **state)
{
	struct form *f = load_ok("t.csv",
				 "survey\n,type,name,label,choice_filter\n"
				 ",select_one yn,a,A,\n"
				 ",select_multiple crops or_other,b,B,\n"
				 ",select one from yn or specify other,c,C,\n"
				 ",select all that apply from crops,d,D,\n"
				 ",select_one crops,e,E,kind = ${a}\n"
				 "choices\n,list name,name,label,kind\n"
				 ",yn,yes,Yes,\n,yn,no,No,\n"
				 ",crops,maize,Maize,yes\n,crops,beans,Beans,no\n");
	const struct form_list *crops;

	assert_int_equal(form_node(f, 0)->type, FORM_SELECT_ONE);
	assert_int_equal(form_node(f, 0)->list, form_find_list(f, "yn"));
	assert_false(form_node(f, 0)->or_other);
	assert_int_equal(form_node(f, 1)->type, FORM_SELECT_MULTIPLE);
	assert_true(form_node(f, 1)->or_other);
	assert_int_equal(form_node(f, 2)->type, FORM_SELECT_ONE);
	assert_true(form_node(f, 2)->or_other);
	assert_int_equal(form_node(f, 3)->type, FORM_SELECT_MULTIPLE);
	assert_non_null(form_node(f, 4)->choice_filter.e);
	assert_int_equal(form_list_count(f), 2);
	crops = form_list(f, (size_t)form_find_list(f, "crops"));
	assert_int_equal(crops->n, 2);
	assert_int_equal(crops->n_extra, 1);
	assert_string_equal(crops->extra_names[0], "kind");
	assert_string_equal(crops->choices[1].extra[0], "no");
	assert_int_equal(crops->choices[1].row, 13);
	assert_int_equal(form_find_choice(f, form_find_list(f, "crops"), "beans"), 1);
	assert_int_equal(form_find_choice(f, form_find_list(f, "crops"), "rice"), -1);
	assert_int_equal(form_find_list(f, "nope"), -1);
	form_free(f);
}

static void test_nesting(void **state)
{
	struct form *f = load_ok("t.csv",
				 "survey\n,type,name,label,repeat_count\n"
				 ",integer,n,N,\n"           /* 0 */
				 ",begin group,g,G,\n"       /* 1 */
				 ",begin repeat,r,R,${n}\n"  /* 2 */
				 ",text,a,A,\n"              /* 3 */
				 ",begin group,g2,G2,\n"     /* 4 */
				 ",begin repeat,r2,R2,\n"    /* 5 */
				 ",text,b,B,\n"              /* 6 */
				 ",end repeat,,,\n"
				 ",end group,,,\n"
				 ",end repeat,,,\n"
				 ",text,c,C,\n"              /* 7 */
				 ",end group,,,\n"
				 ",text,d,D,\n");            /* 8 */
	const struct form_node *n;

	assert_int_equal(form_node_count(f), 9);
	n = form_node(f, 1);
	assert_int_equal(n->type, FORM_GROUP);
	assert_int_equal(n->end, 8);
	assert_int_equal(n->parent, -1);
	assert_int_equal(n->repeat, -1);
	n = form_node(f, 2);
	assert_int_equal(n->type, FORM_REPEAT);
	assert_int_equal(n->end, 7);
	assert_int_equal(n->repeat, 2);
	assert_non_null(n->repeat_count.e);
	n = form_node(f, 6);
	assert_int_equal(n->parent, 5);
	assert_int_equal(n->depth, 4);
	assert_int_equal(n->repeat, 5);
	assert_int_equal(form_node(f, 5)->repeat, 5);
	assert_int_equal(form_node(f, 4)->repeat, 2);
	assert_int_equal(form_node(f, 7)->parent, 1);
	assert_int_equal(form_node(f, 7)->repeat, -1);
	assert_int_equal(form_node(f, 8)->depth, 0);
	assert_int_equal(form_node(f, 8)->end, 9);
	assert_int_equal(form_find(f, "b"), 6);
	assert_int_equal(form_find(f, "zz"), -1);
	{
		struct form_stats st;

		form_stats(f, &st);
		assert_int_equal(st.questions, 5);
		assert_int_equal(st.groups, 2);
		assert_int_equal(st.repeats, 2);
		assert_int_equal(st.lists, 0);
		assert_int_equal(st.languages, 1);
	}
	form_free(f);
}

static void test_settings(void **state)
{
	struct form *f = load_ok("household.csv",
				 "survey\n,type,name,label\n,text,hh_name,Name\n"
				 "Settings\n,Form_Title,form_id,version,instance_name,public_key\n"
				 ",入户调查,hh,2024,\"concat('户-', ${hh_name})\",KEY\n");
	struct form_expr in = form_instance_name(f);

	assert_string_equal(form_title(f), "入户调查");
	assert_string_equal(form_id(f), "hh");
	assert_string_equal(form_version(f), "2024");
	assert_string_equal(form_setting(f, "public_key"), "KEY");
	assert_string_equal(form_setting(f, "FORM_TITLE"), "入户调查");
	assert_null(form_setting(f, "submission_url"));
	assert_string_equal(in.src, "concat('户-', ${hh_name})");
	assert_non_null(in.e);
	assert_string_equal(form_path(f), "household.csv");
	form_free(f);
	/* without settings: id and title from the file name */
	f = load_ok("dir/village.v2.csv", "survey\n,type,name,label\n,text,a,A\n");
	assert_string_equal(form_id(f), "village.v2");
	assert_string_equal(form_title(f), "village.v2");
	assert_null(form_version(f));
	assert_null(form_instance_name(f).src);
	form_free(f);
}

static void test_case_insensitive_and_header_on_sheet_row(void **state)
{
	struct form *f = load_ok("t.csv", "SURVEY  , TYPE , NAME , LABEL \n"
					  "  , Select_One yn , q1 , Q? \n"
					  "Choices,LIST_NAME,Name,Label\n"
					  ",yn,y,Yes\n");

	assert_int_equal(form_node_count(f), 1);
	assert_int_equal(form_node(f, 0)->type, FORM_SELECT_ONE);
	assert_string_equal(form_node(f, 0)->name, "q1");
	assert_string_equal(form_text(f, form_node(f, 0)->label, 0), "Q?");
	assert_int_equal(form_node(f, 0)->row, 2);
	assert_int_equal(form_list(f, 0)->choices[0].row, 4);
	form_free(f);
}

static void test_csv_details(void **state)
{
	/* BOM, CRLF, blank lines, quoted cells with commas, quotes, newlines, CJK */
	const char *src = "\xEF\xBB\xBF"
			  "survey,,,\r\n"
			  ",type,name,label::中文 (zh)\r\n"
			  "\r\n"
			  ",note,intro,\"欢迎，\"\"入户\"\"调查,\r\n第二行\r\n第三行\"\r\n"
			  ",integer,age,\"年龄, 周岁\"\r\n"
			  ",,,\r\n"
			  ",text,name,姓名";
	struct form *f = load_ok("t.csv", src);
	size_t len;

	assert_int_equal(form_node_count(f), 3);
	assert_string_equal(form_text(f, form_node(f, 0)->label, 0),
			    "欢迎，\"入户\"调查,\r\n第二行\r\n第三行");
	assert_int_equal(form_node(f, 0)->row, 4);
	assert_int_equal(form_node(f, 1)->row, 7);
	assert_string_equal(form_text(f, form_node(f, 1)->label, 0), "年龄, 周岁");
	assert_int_equal(form_node(f, 2)->row, 9);
	assert_string_equal(form_source(f, &len), src);
	assert_int_equal(len, strlen(src));
	form_free(f);
}

static void test_markdown(void **state)
{
	struct form *f = load_ok("t.md",
				 "# a comment\n"
				 "| survey |        |      |                 |\n"
				 "|        | type   | name | label           |\n"
				 "|        | text   | a    | pipe \\| inside |\n"
				 "\n"
				 "|        | integer | b   | 数字            |\n"
				 "| choices |\n"
				 "| | list_name | name | label |\n"
				 "| | yn | y | Yes |\n");

	assert_int_equal(form_node_count(f), 2);
	assert_string_equal(form_text(f, form_node(f, 0)->label, 0), "pipe | inside");
	assert_int_equal(form_node(f, 0)->row, 4);
	assert_int_equal(form_node(f, 1)->row, 6);
	assert_string_equal(form_text(f, form_node(f, 1)->label, 0), "数字");
	assert_int_equal(form_list(f, 0)->choices[0].row, 9);
	form_free(f);
	/* BOM and CRLF, header on the sheet row */
	f = load_ok("t.md", "\xEF\xBB\xBF| survey | type | name | label::中文 (zh) |\r\n"
			    "| | note | n | 你好 |\r\n");
	assert_string_equal(form_text(f, form_node(f, 0)->label, 0), "你好");
	assert_string_equal(form_lang_code(f, 0), "zh");
	assert_int_equal(form_node(f, 0)->row, 2);
	form_free(f);
}

static void test_hash(void **state)
{
	const char *src = "survey\n,type,name,label\n,text,a,A\n";
	struct form *f = load_ok("t.csv", src);

	/* `sha256sum` of the 34 bytes above */
	assert_string_equal(form_hash(f),
			    "3147fb0bb4388afbedccfd28be896fc22b73486a43b1215bc16b8cdac3426b59");
	form_free(f);
}

static void test_smart_quotes(void **state)
{
	struct form *f = load_ok("t.csv", "survey\n,type,name,label,relevant\n"
					  ",text,a,A,\n,text,b,“B”,${a} = ‘other’\n");

	assert_string_equal(form_node(f, 1)->relevant.src, "${a} = 'other'");
	assert_non_null(form_node(f, 1)->relevant.e);
	/* labels keep their typographic quotes */
	assert_string_equal(form_text(f, form_node(f, 1)->label, 0), "“B”");
	form_free(f);
}

static void test_sheets_ignored(void **state)
{
	expect_warning("t.csv", "survey\n,type,name,label\n,text,a,A\nmedia\n,x\n", "t.csv:media:4",
		       "sheet 'media' is not used by ruhu and was ignored");
}

/* The `personal` column marks the fields data export masks (docs/xlsform.md). */
static void test_personal_column(void **state)
{
	struct form *f = load_ok("t.csv", "survey\n,type,name,label,personal\n"
					  ",text,name,Name,yes\n,integer,age,Age,\n"
					  ",geopoint,gps,GPS,TRUE\n,text,phone,Phone,no\n");

	assert_true(form_question_personal(f, 0));
	assert_true(form_node(f, 0)->personal);
	assert_false(form_question_personal(f, 1));
	assert_true(form_question_personal(f, 2));
	assert_false(form_question_personal(f, 3));
	assert_false(form_question_personal(f, 99));
	form_free(f);
	expect_error("t.csv", "survey\n,type,name,label,personal\n,text,a,A,maybe\n", "t.csv:survey:3",
		     "personal must be yes or no, not 'maybe'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_unknown_choice_list),
		cmocka_unit_test(test_select_without_list),
		cmocka_unit_test(test_duplicate_names),
		cmocka_unit_test(test_missing_and_invalid_name),
		cmocka_unit_test(test_unmatched_begin_end),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_duplicate_choices),
		cmocka_unit_test(test_select_checks),
		cmocka_unit_test(test_unknown_field_reference),
		cmocka_unit_test(test_malformed_expression),
		cmocka_unit_test(test_calculate_without_calculation),
		cmocka_unit_test(test_bad_repeat_count),
		cmocka_unit_test(test_unknown_column_warning),
		cmocka_unit_test(test_missing_survey),
		cmocka_unit_test(test_too_many_columns),
		cmocka_unit_test(test_begin_loop_refused),
		cmocka_unit_test(test_range_parameters),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_translations),
		cmocka_unit_test(test_plain_label_is_default_language),
		cmocka_unit_test(test_aliases_and_flags),
		cmocka_unit_test(test_old_bind_syntax),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_selects),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_case_insensitive_and_header_on_sheet_row),
		cmocka_unit_test(test_csv_details),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_smart_quotes),
		cmocka_unit_test(test_sheets_ignored),
		cmocka_unit_test(test_personal_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
