/*
 * Unit tests of the interview engine over small in-memory forms (markdown
 * workbooks loaded with form_load_buffer): types, constraints, required,
 * relevance and navigation, recomputation, repeats (nested, repeat_count),
 * special values, choice_filter, or_other, completion and reopen, cycles,
 * metadata, preload, sections and replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2026-11-22T10:20:30.000Z */
static int64_t fixed_clock(void *ud)
{
	return 1795342830000LL;
}

static struct form *load(const char *md)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	size_t i;

	if (form_load_buffer("t.md", md, strlen(md), FORM_SYNTAX_MD, &f, &dl) < 0) {
		for (i = 0; i < dl.n; i++)
			fprintf(stderr, "%s: %s\n", dl.items[i].e.where ? dl.items[i].e.where : "",
				dl.items[i].e.en);
	}
	diag_list_free(&dl);
	assert_non_null(f);
	return f;
}

static struct interview *start(const struct form *f)
{
	struct interview_opts o = {.deviceid = "dev-1", .username = "enum-7", .now_ms = fixed_clock};
	struct error err = ERROR_INIT;
	struct interview *iv = NULL;

	if (interview_new(f, &o, &iv, &err) < 0)
		fprintf(stderr, "%s: %s\n", err.where ? err.where : "", err.en);
	error_clear(&err);
	assert_non_null(iv);
	return iv;
}

static void set_ok(struct interview *iv, const char *path, const char *v)
{
	struct error err = ERROR_INIT;
	int r = interview_set(iv, path, v, &err);

	if (r < 0)
		fprintf(stderr, "set %s=%s: %s\n", path, v, err.en);
	assert_int_equal(r, 0);
	error_clear(&err);
}

/* Sets and expects failure with `code` and the English message `en`. */
static void set_bad(struct interview *iv, const char *path, const char *v, int code,
		    const char *en)
{
	struct error err = ERROR_INIT;

	assert_int_equal(interview_set(iv, path, v, &err), -1);
	assert_int_equal(err.code, code);
	if (en)
		assert_string_equal(err.en, en);
	error_clear(&err);
}

static const char *get(struct interview *iv, const char *path)
{
	const char *v = NULL;

	assert_int_equal(interview_get(iv, path, &v, NULL), 0);
	return v;
}

/* The record as "path=value;..." */
static int rec_cb(void *ud, const char *path, const char *value)
{
	strbuf_addf(ud, "%s=%s;", path, value);
	return 0;
}

static char *record(struct interview *iv)
{
	struct strbuf sb = STRBUF_INIT;

	interview_record(iv, rec_cb, &sb);
	return strbuf_detach(&sb, NULL);
}

/* ---------------------------------------------------------------------- */

static const char *basic_md =
	"| survey |\n"
	"| | type | name | label | relevant | constraint | constraint_message | required | required_message | calculation |\n"
	"| | text | head | Head | | | | yes | | |\n"
	"| | integer | age | Age | | . >= 0 and . <= 120 | age must be 0-120 | | | |\n"
	"| | select_one yn | has_kids | Kids? | | | | | | |\n"
	"| | integer | n_kids | How many | ${has_kids} = 'yes' | | | yes | give the number | |\n"
	"| | calculate | double_age | | | | | | | ${age} * 2 |\n"
	"| | calculate | kids_plus | | | | | | | ${n_kids} + 1 |\n"
	"| | note | bye | Thanks | | | | | | |\n"
	"| choices |\n"
	"| | list_name | name | label |\n"
	"| | yn | yes | Yes |\n"
	"| | yn | no | No |\n";

static void test_types(void **state)
{
	struct form *f = load(
		"| survey |\n"
		"| | type | name | label | parameters |\n"
		"| | integer | i | I | |\n"
		"| | decimal | d | D | |\n"
		"| | date | dt | Date | |\n"
		"| | time | tm | Time | |\n"
		"| | dateTime | dtm | DT | |\n"
		"| | range | r | R | start=0 end=10 step=2 |\n"
		"| | acknowledge | ack | Ack | |\n"
		"| | geopoint | gp | GP | |\n"
		"| | select_multiple yn | sm | SM | |\n"
		"| | note | nt | Note | |\n"
		"| choices |\n"
		"| | list_name | name | label |\n"
		"| | yn | yes | Yes |\n"
		"| | yn | no | No |\n");
	struct interview *iv = start(f);

	set_ok(iv, "i", "-12");
	set_bad(iv, "i", "1.5", IV_E_TYPE, "'1.5' is not an integer");
	set_bad(iv, "i", "99999999999", IV_E_TYPE, "'99999999999' is not an integer");
	assert_string_equal(get(iv, "i"), "-12");
	set_ok(iv, "d", "1.5e3");
	set_bad(iv, "d", "abc", IV_E_TYPE, "'abc' is not a number");
	set_ok(iv, "dt", "2024-02-29");
	set_bad(iv, "dt", "2023-02-29", IV_E_TYPE, "'2023-02-29' is not a valid date (YYYY-MM-DD)");
	set_bad(iv, "dt", "2023-2-1", IV_E_TYPE, NULL);
	set_ok(iv, "tm", "13:45");
	set_ok(iv, "tm", "13:45:10");
	set_bad(iv, "tm", "25:00", IV_E_TYPE, "'25:00' is not a valid time (HH:MM)");
	set_ok(iv, "dtm", "2024-05-01T08:30:00+08:00");
	set_bad(iv, "dtm", "2024-05-01 08:30", IV_E_TYPE, NULL);
	set_ok(iv, "r", "4");
	set_bad(iv, "r", "5", IV_E_RANGE, "5 is outside the range 0 to 10 (step 2)");
	set_bad(iv, "r", "12", IV_E_RANGE, NULL);
	set_ok(iv, "ack", "OK");
	set_bad(iv, "ack", "yes", IV_E_TYPE, "an acknowledge answer is 'OK', not 'yes'");
	set_ok(iv, "gp", "25.04 102.71 1890 5");
	set_bad(iv, "gp", "95 10", IV_E_TYPE, NULL);
	set_ok(iv, "sm", "  no   yes ");
	assert_string_equal(get(iv, "sm"), "no yes");
	set_bad(iv, "sm", "yes yes", IV_E_CHOICE, "choice 'yes' is given twice");
	set_bad(iv, "sm", "yes maybe", IV_E_CHOICE, "'maybe' is not a choice of list 'yn'");
	set_bad(iv, "nt", "x", IV_E_NOT_ANSWERABLE, NULL);
	set_bad(iv, "nope", "x", IV_E_UNKNOWN_FIELD, "unknown field 'nope'");
	/* clearing */
	set_ok(iv, "i", "");
	assert_null(get(iv, "i"));
	interview_free(iv);
	form_free(f);
}

static void test_constraint_and_calc(void **state)
{
	struct form *f = load(basic_md);
	struct interview *iv = start(f);
	uint64_t before;

	set_ok(iv, "age", "30");
	assert_string_equal(get(iv, "double_age"), "60");
	set_bad(iv, "age", "130", IV_E_CONSTRAINT, "age must be 0-120");
	/* rejected: nothing changed, calculation back to the old value */
	assert_string_equal(get(iv, "age"), "30");
	assert_string_equal(get(iv, "double_age"), "60");
	set_ok(iv, "age", "41");
	assert_string_equal(get(iv, "double_age"), "82");
	/* an answer nothing depends on evaluates nothing but its own checks */
	before = interview_eval_count(iv);
	set_ok(iv, "head", "张三");
	assert_int_equal(interview_eval_count(iv) - before, 0);
	/* age: its constraint and one calculation (double_age) */
	before = interview_eval_count(iv);
	set_ok(iv, "age", "42");
	assert_int_equal(interview_eval_count(iv) - before, 2);
	interview_free(iv);
	form_free(f);
}

static void test_relevance_kept_history(void **state)
{
	struct form *f = load(basic_md);
	struct interview *iv = start(f);
	char *r;

	set_bad(iv, "n_kids", "2", IV_E_NOT_RELEVANT,
		"question 'n_kids' is not relevant here and cannot be answered");
	set_ok(iv, "has_kids", "yes");
	set_ok(iv, "n_kids", "2");
	assert_string_equal(get(iv, "kids_plus"), "3");
	set_ok(iv, "has_kids", "no");
	/* kept in history, read as empty by calculations, left out of the record */
	assert_string_equal(get(iv, "n_kids"), "2");
	assert_false(interview_relevant(iv, "n_kids"));
	assert_string_equal(get(iv, "kids_plus"), "NaN");
	r = record(iv);
	assert_null(strstr(r, "n_kids="));
	assert_non_null(strstr(r, "has_kids=no;"));
	free(r);
	set_ok(iv, "has_kids", "yes");
	assert_string_equal(get(iv, "kids_plus"), "3");
	interview_free(iv);
	form_free(f);
}

static void test_navigation(void **state)
{
	struct form *f = load(basic_md);
	struct interview *iv = start(f);
	struct interview_item it;
	struct error err = ERROR_INIT;
	size_t n, m;

	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_QUESTION);
	assert_string_equal(it.path, "head");
	assert_true(it.required);
	interview_progress(iv, &n, &m);
	assert_int_equal(n, 1);
	assert_int_equal(m, 4); /* head, age, has_kids, bye: n_kids not relevant */
	/* required blocks moving on */
	assert_int_equal(interview_next(iv, &err), -1);
	assert_int_equal(err.code, IV_E_REQUIRED);
	assert_string_equal(err.en, "this question is required");
	error_clear(&err);
	set_ok(iv, "head", "李四");
	assert_int_equal(interview_next(iv, &err), 0);
	assert_string_equal(interview_position(iv), "age");
	assert_int_equal(interview_next(iv, &err), 0);
	assert_int_equal(interview_next(iv, &err), 0);
	/* skips non-relevant n_kids and the calculations */
	assert_string_equal(interview_position(iv), "bye");
	assert_int_equal(interview_prev(iv), 0);
	assert_string_equal(interview_position(iv), "has_kids");
	set_ok(iv, "has_kids", "yes");
	assert_int_equal(interview_next(iv, &err), 0);
	assert_string_equal(interview_position(iv), "n_kids");
	interview_progress(iv, &n, &m);
	assert_int_equal(n, 4);
	assert_int_equal(m, 5);
	assert_int_equal(interview_next(iv, &err), -1);
	assert_string_equal(err.en, "give the number");
	error_clear(&err);
	assert_int_equal(interview_jump(iv, "head", &err), 0);
	assert_string_equal(interview_position(iv), "head");
	set_ok(iv, "has_kids", "no");
	assert_int_equal(interview_jump(iv, "n_kids", &err), -1);
	assert_int_equal(err.code, IV_E_NOT_RELEVANT);
	error_clear(&err);
	/* standing on a question that goes away: next is where it was */
	set_ok(iv, "has_kids", "yes");
	assert_int_equal(interview_jump(iv, "n_kids", &err), 0);
	set_ok(iv, "has_kids", "no");
	assert_int_equal(interview_next(iv, &err), 0);
	assert_string_equal(interview_position(iv), "bye");
	assert_int_equal(interview_next(iv, &err), 0);
	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_END);
	interview_free(iv);
	form_free(f);
}

static void test_completion_reopen(void **state)
{
	struct form *f = load(basic_md);
	struct interview *iv = start(f);
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;

	set_ok(iv, "has_kids", "yes");
	assert_int_equal(interview_blockers(iv, &dl), 2);
	assert_string_equal(dl.items[0].e.where, "head");
	assert_string_equal(dl.items[0].e.en, "this question is required");
	assert_string_equal(dl.items[1].e.where, "n_kids");
	assert_string_equal(dl.items[1].e.en, "give the number");
	diag_list_free(&dl);
	assert_int_equal(interview_complete(iv, &err), -1);
	assert_int_equal(err.code, IV_E_REQUIRED);
	assert_string_equal(err.where, "head");
	error_clear(&err);
	set_ok(iv, "head", "王五");
	set_ok(iv, "has_kids", "no");
	assert_int_equal(interview_blockers(iv, &dl), 0);
	diag_list_free(&dl);
	assert_int_equal(interview_complete(iv, &err), 0);
	assert_true(interview_completed(iv));
	set_bad(iv, "age", "5", IV_E_COMPLETED, "the interview is completed: reopen it first");
	assert_int_equal(interview_reopen(iv, &err), 0);
	set_ok(iv, "age", "5");
	assert_int_equal(interview_reopen(iv, &err), -1);
	error_clear(&err);
	interview_free(iv);
	form_free(f);
}

static const char *roster_md =
	"| survey |\n"
	"| | type | name | label | calculation | relevant | required |\n"
	"| | text | village | Village | | | |\n"
	"| | begin repeat | members | Members | | | |\n"
	"| | text | m_name | Name | | | yes |\n"
	"| | integer | m_age | Age | | | |\n"
	"| | calculate | m_pos | | position(..) | | |\n"
	"| | integer | m_school | School years | | ${m_age} >= 6 | |\n"
	"| | end repeat | | | | | |\n"
	"| | calculate | n_members | | count(${members}) | | |\n"
	"| | calculate | total_age | | sum(${m_age}) | | |\n"
	"| | calculate | first_name | | indexed-repeat(${m_name}, ${members}, 1) | | |\n";

static void test_repeats(void **state)
{
	struct form *f = load(roster_md);
	struct interview *iv = start(f);
	struct interview_item it;
	struct error err = ERROR_INIT;
	int idx = 0;

	assert_int_equal(interview_repeat_count(iv, "members"), 0);
	assert_string_equal(get(iv, "n_members"), "0");
	set_ok(iv, "members[1]/m_name", "甲");
	set_ok(iv, "members[1]/m_age", "40");
	set_bad(iv, "members[3]/m_age", "5", IV_E_REPEAT_INDEX,
		"repeat 'members' index 3 is out of order: it has 1 instances, the next is 2");
	assert_int_equal(interview_repeat_count(iv, "members"), 1);
	set_ok(iv, "members[2]/m_name", "乙");
	set_ok(iv, "members[2]/m_age", "4");
	/* a failed answer does not leave a new instance behind */
	set_bad(iv, "members[3]/m_age", "x", IV_E_TYPE, NULL);
	assert_int_equal(interview_repeat_count(iv, "members"), 2);
	set_bad(iv, "m_age", "5", IV_E_UNKNOWN_FIELD,
		"field 'm_age' is inside repeat 'members': give the instance, e.g. members[1]/...");
	assert_string_equal(get(iv, "n_members"), "2");
	assert_string_equal(get(iv, "total_age"), "44");
	assert_string_equal(get(iv, "members[2]/m_pos"), "2");
	assert_string_equal(get(iv, "first_name"), "甲");
	assert_true(interview_relevant(iv, "members[1]/m_school"));
	assert_false(interview_relevant(iv, "members[2]/m_school"));
	set_bad(iv, "members[2]/m_school", "1", IV_E_NOT_RELEVANT, NULL);

	assert_int_equal(interview_repeat_add(iv, "members", &idx, &err), 0);
	assert_int_equal(idx, 3);
	set_ok(iv, "members[3]/m_name", "丙");
	set_ok(iv, "members[3]/m_age", "70");
	assert_string_equal(get(iv, "total_age"), "114");
	/* move the 3rd to the front: positions and indexed-repeat follow */
	assert_int_equal(interview_repeat_move(iv, "members[3]", 1, &err), 0);
	assert_string_equal(get(iv, "members[1]/m_name"), "丙");
	assert_string_equal(get(iv, "members[2]/m_name"), "甲");
	assert_string_equal(get(iv, "members[1]/m_pos"), "1");
	assert_string_equal(get(iv, "first_name"), "丙");
	/* delete the first: later ones move up */
	assert_int_equal(interview_repeat_delete(iv, "members[1]", &err), 0);
	assert_int_equal(interview_repeat_count(iv, "members"), 2);
	assert_string_equal(get(iv, "members[1]/m_name"), "甲");
	assert_string_equal(get(iv, "total_age"), "44");
	assert_string_equal(get(iv, "first_name"), "甲");

	/* navigation walks the roster item then each member */
	assert_int_equal(interview_jump(iv, "members", &err), 0);
	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_ROSTER);
	assert_int_equal(it.instances, 2);
	assert_int_equal(interview_next(iv, &err), 0);
	assert_string_equal(interview_position(iv), "members[1]/m_name");
	assert_int_equal(interview_jump(iv, "members[2]", &err), 0);
	assert_string_equal(interview_position(iv), "members[2]/m_name");
	assert_int_equal(interview_next(iv, &err), 0);
	assert_int_equal(interview_next(iv, &err), 0);
	/* m_school of a 4-year-old is skipped */
	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_END);
	interview_free(iv);
	form_free(f);
}

static void test_repeat_count(void **state)
{
	struct form *f = load(
		"| survey |\n"
		"| | type | name | label | repeat_count | calculation |\n"
		"| | integer | n_plots | Plots | | |\n"
		"| | begin repeat | plots | Plot | ${n_plots} | |\n"
		"| | decimal | area | Area | | |\n"
		"| | end repeat | | | | |\n"
		"| | calculate | total | | | sum(${area}) |\n");
	struct interview *iv = start(f);
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(interview_repeat_count(iv, "plots"), 0);
	set_ok(iv, "n_plots", "3");
	assert_int_equal(interview_repeat_count(iv, "plots"), 3);
	set_ok(iv, "plots[1]/area", "1.5");
	set_ok(iv, "plots[3]/area", "2");
	/* XPath sum() over an empty answer is NaN, as in ODK */
	assert_string_equal(get(iv, "total"), "NaN");
	set_bad(iv, "plots[4]/area", "1", IV_E_REPEAT_INDEX,
		"repeat 'plots' has 3 instances (set by its count), not 4");
	assert_int_equal(interview_repeat_add(iv, "plots", NULL, &err), -1);
	error_clear(&err);
	/* shrinking keeps answered instances, and says so */
	set_ok(iv, "n_plots", "1");
	assert_int_equal(interview_repeat_count(iv, "plots"), 3);
	assert_int_equal(interview_blockers(iv, &dl), 1);
	assert_string_equal(dl.items[0].e.where, "plots");
	assert_string_equal(dl.items[0].e.en,
			    "repeat 'plots' has 3 answered instances but its count asks for 1: "
			    "delete the extra ones or change the count");
	diag_list_free(&dl);
	assert_int_equal(interview_repeat_delete(iv, "plots[3]", &err), 0);
	/* plots[2] was never answered: it goes by itself */
	assert_int_equal(interview_repeat_count(iv, "plots"), 1);
	assert_int_equal(interview_blockers(iv, &dl), 0);
	diag_list_free(&dl);
	assert_string_equal(get(iv, "total"), "1.5");
	/* the count still rules: deleting below it is refused */
	assert_int_equal(interview_repeat_delete(iv, "plots[1]", &err), -1);
	assert_int_equal(err.code, IV_E_REPEAT_COUNT);
	error_clear(&err);
	interview_free(iv);
	form_free(f);
}

static void test_nested_repeats(void **state)
{
	struct form *f = load(
		"| survey |\n"
		"| | type | name | label | calculation |\n"
		"| | begin repeat | rep | Rep | |\n"
		"| | begin repeat | rep2 | Rep2 | |\n"
		"| | text | a | A | |\n"
		"| | begin group | grp | G | |\n"
		"| | text | b | B | |\n"
		"| | end group | | | |\n"
		"| | end repeat | | | |\n"
		"| | calculate | c1 | | indexed-repeat(${a}, ${rep2}, 1) |\n"
		"| | calculate | n2 | | count(${rep2}) |\n"
		"| | end repeat | | | |\n"
		"| | calculate | all | | count(${a}) |\n");
	struct interview *iv = start(f);
	struct interview_section *s = NULL;
	size_t n = 0;

	set_ok(iv, "rep[1]/rep2[1]/a", "x");
	set_ok(iv, "rep[1]/rep2[2]/a", "y");
	set_ok(iv, "rep[2]/rep2[1]/a", "z");
	set_ok(iv, "rep[2]/rep2[1]/b", "w");
	set_bad(iv, "rep[1]/rep2[4]/a", "q", IV_E_REPEAT_INDEX, NULL);
	set_bad(iv, "rep[1]/a", "q", IV_E_UNKNOWN_FIELD, NULL);
	/* a path that fails after creating an instance leaves no instance behind */
	set_bad(iv, "rep[3]/rep2[1]x/a", "q", IV_E_UNKNOWN_FIELD, "bad instance index in path");
	assert_int_equal(interview_repeat_count(iv, "rep"), 2);
	assert_string_equal(get(iv, "rep[1]/c1"), "x");
	assert_string_equal(get(iv, "rep[2]/c1"), "z");
	assert_string_equal(get(iv, "rep[1]/n2"), "2");
	assert_string_equal(get(iv, "rep[2]/n2"), "1");
	assert_string_equal(get(iv, "all"), "3");
	assert_int_equal(interview_sections(iv, &s, &n), 0);
	/* rep, rep[1], rep2, rep2[1], grp, rep2[2], grp, rep[2], rep2, rep2[1], grp */
	assert_int_equal(n, 11);
	assert_string_equal(s[0].path, "rep");
	assert_string_equal(s[1].path, "rep[1]");
	assert_string_equal(s[3].path, "rep[1]/rep2[1]");
	assert_string_equal(s[4].path, "rep[1]/rep2[1]/grp");
	assert_int_equal(s[4].state, IV_SECTION_UNTOUCHED);
	assert_string_equal(s[10].path, "rep[2]/rep2[1]/grp");
	assert_int_equal(s[10].state, IV_SECTION_COMPLETE);
	assert_int_equal(s[3].state, IV_SECTION_PARTLY);
	assert_true(s[10].depth > s[1].depth);
	interview_sections_free(s, n);
	interview_free(iv);
	form_free(f);
}

static void test_special_values(void **state)
{
	struct form *f = load(basic_md);
	struct interview *iv = start(f);
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	enum interview_special sp = IV_SPECIAL_NONE;
	const char *v = "x";
	char *r;

	assert_int_equal(interview_set_special(iv, "head", IV_REFUSED, &err), 0);
	assert_int_equal(interview_set_special(iv, "age", IV_DONT_KNOW, &err), 0);
	assert_int_equal(interview_get(iv, "age", &v, &sp), 0);
	assert_null(v);
	assert_int_equal(sp, IV_DONT_KNOW);
	/* NaN in arithmetic */
	assert_string_equal(get(iv, "double_age"), "NaN");
	/* counted as answered: head no longer blocks */
	assert_int_equal(interview_blockers(iv, &dl), 0);
	diag_list_free(&dl);
	r = record(iv);
	assert_non_null(strstr(r, "head=.r;age=.d;"));
	free(r);
	set_ok(iv, "age", "20");
	assert_string_equal(get(iv, "double_age"), "40");
	assert_int_equal(interview_set_special(iv, "double_age", IV_DONT_KNOW, &err), -1);
	error_clear(&err);
	interview_free(iv);
	form_free(f);

	f = load("| survey |\n"
		 "| | type | name | label | appearance |\n"
		 "| | integer | a | A | |\n"
		 "| | integer | b | B | special_refused |\n"
		 "| settings |\n"
		 "| | form_id | special_values |\n"
		 "| | t | none |\n");
	iv = start(f);
	assert_int_equal(interview_set_special(iv, "a", IV_DONT_KNOW, &err), -1);
	assert_int_equal(err.code, IV_E_SPECIAL);
	assert_string_equal(err.en, "question 'a' does not accept 'don't know / 不知道'");
	error_clear(&err);
	assert_int_equal(interview_set_special(iv, "b", IV_DONT_KNOW, &err), -1);
	error_clear(&err);
	assert_int_equal(interview_set_special(iv, "b", IV_REFUSED, &err), 0);
	interview_free(iv);
	form_free(f);
}

static void test_choice_filter(void **state)
{
	struct form *f = load(
		"| survey |\n"
		"| | type | name | label | choice_filter |\n"
		"| | select_one states | state | State | |\n"
		"| | select_one counties | county | County | ${state}=cf |\n"
		"| choices |\n"
		"| | list_name | name | label | cf |\n"
		"| | states | texas | Texas | |\n"
		"| | states | washington | Washington | |\n"
		"| | counties | king | King | washington |\n"
		"| | counties | cameron | Cameron | texas |\n");
	struct interview *iv = start(f);
	struct diag_list dl = DIAG_LIST_INIT;

	set_ok(iv, "state", "washington");
	set_ok(iv, "county", "king");
	set_bad(iv, "county", "cameron", IV_E_FILTER,
		"choice 'cameron' is not allowed by the choice_filter here");
	set_bad(iv, "county", "dallas", IV_E_CHOICE, "'dallas' is not a choice of list 'counties'");
	/* changing the state leaves king behind the filter: completion says so */
	set_ok(iv, "state", "texas");
	assert_int_equal(interview_blockers(iv, &dl), 1);
	assert_string_equal(dl.items[0].e.where, "county");
	diag_list_free(&dl);
	set_ok(iv, "county", "cameron");
	interview_free(iv);
	form_free(f);
}

static void test_or_other(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label |\n"
			      "| | select_one src or_other | water | Water |\n"
			      "| | text | next | Next |\n"
			      "| choices |\n"
			      "| | list_name | name | label |\n"
			      "| | src | well | Well |\n"
			      "| | src | tap | Tap |\n");
	struct interview *iv = start(f);
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct interview_item it;
	char *r;

	set_bad(iv, "water_other", "river", IV_E_NOT_RELEVANT, NULL);
	set_ok(iv, "water", "other");
	assert_int_equal(interview_blockers(iv, &dl), 1);
	assert_string_equal(dl.items[0].e.where, "water_other");
	diag_list_free(&dl);
	assert_int_equal(interview_next(iv, &err), 0);
	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_OTHER);
	assert_string_equal(it.path, "water_other");
	set_ok(iv, "water_other", "river");
	r = record(iv);
	assert_string_equal(r, "water=other;water_other=river;next=;");
	free(r);
	set_ok(iv, "water", "well");
	r = record(iv);
	assert_string_equal(r, "water=well;next=;");
	free(r);
	interview_free(iv);
	form_free(f);
}

static void test_cycle(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label | calculation |\n"
			      "| | calculate | a | | ${b} + 1 |\n"
			      "| | calculate | b | | ${c} + 1 |\n"
			      "| | calculate | c | | ${a} + 1 |\n");
	struct error err = ERROR_INIT;
	struct interview *iv = NULL;

	assert_int_equal(interview_check_form(f, &err), -1);
	assert_int_equal(err.code, IV_E_CYCLE);
	assert_non_null(strstr(err.en, "dependency cycle between fields: "));
	assert_non_null(err.where);
	assert_memory_equal(err.where, "t.md:survey:", 12);
	assert_non_null(strstr(err.en, "'a'"));
	assert_non_null(strstr(err.en, "'b'"));
	assert_non_null(strstr(err.en, "'c'"));
	error_clear(&err);
	assert_int_equal(interview_new(f, NULL, &iv, &err), -1);
	assert_null(iv);
	error_clear(&err);
	form_free(f);
}

static void test_defaults_readonly_meta(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label | default | read_only | calculation |\n"
			      "| | start | start | | | | |\n"
			      "| | today | today | | | | |\n"
			      "| | deviceid | deviceid | | | | |\n"
			      "| | username | username | | | | |\n"
			      "| | integer | base | Base | 5 | | |\n"
			      "| | integer | ro | RO | 7 | yes | |\n"
			      "| | begin repeat | r | R | | | |\n"
			      "| | integer | dyn | Dyn | ${base} * 10 | | |\n"
			      "| | end repeat | | | | | |\n"
			      "| | end | end | | | | |\n");
	struct interview *iv;
	struct error err = ERROR_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	iv = start(f);
	assert_string_equal(get(iv, "start"), "2026-11-22T10:20:30.000+00:00");
	assert_string_equal(get(iv, "today"), "2026-11-22");
	assert_string_equal(get(iv, "deviceid"), "dev-1");
	assert_string_equal(get(iv, "username"), "enum-7");
	assert_null(get(iv, "end"));
	assert_string_equal(get(iv, "base"), "5");
	set_bad(iv, "ro", "8", IV_E_READ_ONLY, "question 'ro' is read-only");
	set_ok(iv, "base", "6");
	assert_int_equal(interview_repeat_add(iv, "r", NULL, &err), 0);
	assert_string_equal(get(iv, "r[1]/dyn"), "60");
	set_bad(iv, "start", "x", IV_E_NOT_ANSWERABLE, NULL);
	assert_int_equal(interview_complete(iv, &err), 0);
	assert_string_equal(get(iv, "end"), "2026-11-22T10:20:30.000+00:00");
	interview_free(iv);
	form_free(f);
}

static void test_preload(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label |\n"
			      "| | hidden | household_key | |\n"
			      "| | text | head_name | Head |\n"
			      "| | integer | last_income | Income |\n");
	struct interview *iv = start(f);
	const char *names[] = {"household_key", "head_name", "village", "last_income"};
	const char *vals[] = {"530102-001", "赵六", "某村", "8200"};
	const char *bad[] = {"530102-001", "赵六", "某村", "lots"};
	struct error err = ERROR_INIT;

	assert_int_equal(interview_preload(iv, names, vals, 4, &err), 0);
	assert_string_equal(get(iv, "household_key"), "530102-001");
	assert_string_equal(get(iv, "head_name"), "赵六");
	assert_string_equal(get(iv, "last_income"), "8200");
	interview_free(iv);
	iv = start(f);
	assert_int_equal(interview_preload(iv, names, bad, 4, &err), -1);
	assert_string_equal(err.en, "preload column 'last_income': 'lots' is not an integer");
	error_clear(&err);
	interview_free(iv);
	form_free(f);
}

static int ans_cb(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct interview *dst = ud;
	struct error err = ERROR_INIT;
	int r = interview_restore(dst, path, value, sp, &err);

	error_clear(&err);
	return r;
}

static void test_restore_replay(void **state)
{
	struct form *f = load(roster_md);
	struct interview *a = start(f), *b = start(f);
	struct error err = ERROR_INIT;
	char *ra, *rb;

	set_ok(a, "village", "上村");
	set_ok(a, "members[1]/m_name", "甲");
	set_ok(a, "members[1]/m_age", "40");
	assert_int_equal(interview_repeat_add(a, "members", NULL, &err), 0);
	assert_int_equal(interview_repeat_add(a, "members", NULL, &err), 0);
	set_ok(a, "members[3]/m_age", "9");
	assert_int_equal(interview_set_special(a, "members[3]/m_name", IV_DONT_KNOW, &err), 0);
	assert_int_equal(interview_answers(a, ans_cb, b), 0);
	ra = record(a);
	rb = record(b);
	assert_string_equal(ra, rb);
	assert_int_equal(interview_repeat_count(b, "members"), 3);
	free(ra);
	free(rb);
	interview_free(a);
	interview_free(b);
	form_free(f);
}

static void test_cleared_default_replay(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label | default |\n"
			      "| | integer | a | A | 5 |\n"
			      "| | integer | b | B | 6 |\n");
	struct interview *x = start(f), *y = start(f);
	char *rx, *ry;

	set_ok(x, "a", "");
	assert_int_equal(interview_answers(x, ans_cb, y), 0);
	rx = record(x);
	ry = record(y);
	assert_string_equal(rx, "a=;b=6;");
	assert_string_equal(ry, rx);
	free(rx);
	free(ry);
	interview_free(x);
	interview_free(y);
	form_free(f);
}

/* interview_new_restored: the same interview as interview_new followed by
 * interview_restore of each answer (a cleared default stays cleared), and
 * with `only`, the asked-for values the same while the rest is not computed */
struct ans_list {
	struct interview_answer_in a[32];
	char *keep[64];
	size_t n, nk;
};

static int list_cb(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct ans_list *l = ud;

	assert_true(l->n < 32);
	l->keep[l->nk++] = xstrdup(path);
	l->a[l->n].path = l->keep[l->nk - 1];
	l->a[l->n].value = value ? (l->keep[l->nk++] = xstrdup(value)) : NULL;
	l->a[l->n].special = sp;
	l->n++;
	return 0;
}

static void test_new_restored(void **state)
{
	struct form *f = load(roster_md);
	struct form *g = load("| survey |\n"
			      "| | type | name | label | default | calculation |\n"
			      "| | integer | a | A | 5 | |\n"
			      "| | integer | b | B | 6 | |\n"
			      "| | calculate | ab | | | ${a} + ${b} |\n"
			      "| | calculate | b2 | | | ${b} * 2 |\n");
	struct interview_opts o = {.deviceid = "dev-1", .username = "enum-7", .now_ms = fixed_clock};
	struct interview *a = start(f), *b = NULL, *x = start(g), *y = NULL;
	struct ans_list l = {0}, m = {0};
	struct error err = ERROR_INIT;
	unsigned char only[8] = {0};
	size_t skipped = 9, i;
	char *ra, *rb;

	set_ok(a, "village", "上村");
	set_ok(a, "members[1]/m_name", "甲");
	set_ok(a, "members[1]/m_age", "40");
	assert_int_equal(interview_repeat_add(a, "members", NULL, &err), 0);
	assert_int_equal(interview_repeat_add(a, "members", NULL, &err), 0);
	set_ok(a, "members[3]/m_age", "9");
	assert_int_equal(interview_set_special(a, "members[3]/m_name", IV_DONT_KNOW, &err), 0);
	assert_int_equal(interview_answers(a, list_cb, &l), 0);
	assert_int_equal(interview_new_restored(f, &o, l.a, l.n, &skipped, &b, &err), 0);
	assert_int_equal(skipped, 0);
	ra = record(a);
	rb = record(b);
	assert_string_equal(ra, rb);
	assert_string_equal(get(b, "n_members"), "3");
	assert_int_equal(interview_repeat_count(b, "members"), 3);
	free(ra);
	free(rb);
	interview_free(b);

	/* a cleared default stays cleared; only `ab` and what it reads */
	set_ok(x, "a", "");
	set_ok(x, "b", "7");
	assert_int_equal(interview_answers(x, list_cb, &m), 0);
	only[form_find(g, "a")] = only[form_find(g, "b")] = only[form_find(g, "ab")] = 1;
	o.only = only;
	assert_int_equal(interview_new_restored(g, &o, m.a, m.n, &skipped, &y, &err), 0);
	assert_null(get(y, "a"));
	assert_string_equal(get(y, "b"), "7");
	assert_string_equal(get(y, "ab"), "NaN");
	assert_null(get(y, "b2")); /* not asked for: not computed */
	assert_string_equal(get(x, "b2"), "14");
	interview_free(y);
	/* an answer that does not fit the form is left out and counted */
	m.a[0].path = "nosuch";
	o.only = NULL;
	assert_int_equal(interview_new_restored(g, &o, m.a, m.n, &skipped, &y, &err), 0);
	assert_int_equal(skipped, 1);
	interview_free(y);
	for (i = 0; i < l.nk; i++)
		free(l.keep[i]);
	for (i = 0; i < m.nk; i++)
		free(m.keep[i]);
	interview_free(a);
	interview_free(x);
	form_free(f);
	form_free(g);
}

static void test_sections_state(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label | constraint | required |\n"
			      "| | begin group | g1 | G1 | | |\n"
			      "| | integer | x | X | . < 10 | yes |\n"
			      "| | integer | y | Y | | |\n"
			      "| | end group | | | | |\n"
			      "| | begin group | g2 | G2 | | |\n"
			      "| | integer | z | Z | | yes |\n"
			      "| | integer | w | W | | |\n"
			      "| | end group | | | | |\n");
	struct interview *iv = start(f);
	struct interview_section *s = NULL;
	size_t n = 0;

	set_ok(iv, "x", "3");
	set_ok(iv, "w", "1");
	interview_sections(iv, &s, &n);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].state, IV_SECTION_PARTLY);
	assert_int_equal(s[1].state, IV_SECTION_ERRORS); /* required z skipped */
	assert_int_equal(s[0].answered, 1);
	assert_int_equal(s[0].questions, 2);
	interview_sections_free(s, n);
	set_ok(iv, "y", "3");
	set_ok(iv, "z", "3");
	interview_sections(iv, &s, &n);
	assert_int_equal(s[0].state, IV_SECTION_COMPLETE);
	assert_int_equal(s[1].state, IV_SECTION_COMPLETE);
	interview_sections_free(s, n);
	interview_free(iv);
	form_free(f);
}

static void test_group_relevance(void **state)
{
	struct form *f = load("| survey |\n"
			      "| | type | name | label | relevant | calculation |\n"
			      "| | select_one yn | farm | Farm? | | |\n"
			      "| | begin group | farming | Farming | ${farm} = 'yes' | |\n"
			      "| | integer | mu | Mu | | |\n"
			      "| | end group | | | | |\n"
			      "| | calculate | mu2 | | | ${mu} * 2 |\n"
			      "| | text | last | Last | | |\n"
			      "| choices |\n"
			      "| | list_name | name | label |\n"
			      "| | yn | yes | Yes |\n"
			      "| | yn | no | No |\n");
	struct interview *iv = start(f);
	struct error err = ERROR_INIT;

	set_ok(iv, "farm", "yes");
	set_ok(iv, "mu", "4");
	assert_string_equal(get(iv, "mu2"), "8");
	set_ok(iv, "farm", "no");
	/* the whole group went away: its field reads empty downstream */
	assert_string_equal(get(iv, "mu2"), "NaN");
	assert_int_equal(interview_jump(iv, "farm", &err), 0);
	assert_int_equal(interview_next(iv, &err), 0);
	assert_string_equal(interview_position(iv), "last");
	interview_free(iv);
	form_free(f);
}


static void test_text_choices_unsupported(void **state)
{
	struct form *f = load(
		"| survey |\n"
		"| | type | name | label | choice_filter | constraint | constraint_message |\n"
		"| | text | who | Who | | | |\n"
		"| | begin repeat | members | M | | | |\n"
		"| | text | m_name | Name | | | |\n"
		"| | integer | m_age | Age | | . < 150 | ${m_name} is too old (${who}) |\n"
		"| | end repeat | | | | | |\n"
		"| | image | photo | Photo | | | |\n"
		"| | select_one states | state | State | | | |\n"
		"| | select_multiple counties | county | County | ${state}=cf | | |\n"
		"| | select_multiple states or_other | visited | Visited | | | |\n"
		"| choices |\n"
		"| | list_name | name | label | cf |\n"
		"| | states | texas | Texas | |\n"
		"| | states | washington | Washington | |\n"
		"| | counties | king | King | washington |\n"
		"| | counties | cameron | Cameron | texas |\n"
		"| | counties | pierce | Pierce | washington |\n");
	struct interview *iv = start(f);
	struct strbuf sb = STRBUF_INIT;
	struct interview_item it;
	struct error err = ERROR_INIT;
	size_t *idx = NULL, n = 0;
	char *r;

	set_ok(iv, "who", "me");
	set_ok(iv, "members[1]/m_name", "甲");
	set_ok(iv, "members[2]/m_name", "乙");
	interview_fill_text(iv, "members[2]/m_age", "Age of ${m_name}?", &sb);
	assert_string_equal(sb.buf, "Age of 乙?");
	strbuf_reset(&sb);
	interview_fill_text(iv, NULL, "All: ${m_name}; ${nope}", &sb);
	assert_string_equal(sb.buf, "All: 甲, 乙; ${nope}");
	strbuf_release(&sb);
	set_bad(iv, "members[2]/m_age", "200", IV_E_CONSTRAINT, "乙 is too old (me)");

	set_ok(iv, "state", "washington");
	assert_int_equal(interview_choices(iv, "county", &idx, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 2);
	free(idx);
	assert_int_equal(interview_choices(iv, "who", &idx, &n), -1);
	free(idx);
	set_ok(iv, "county", "pierce");
	set_bad(iv, "county", "pierce cameron", IV_E_FILTER, NULL);
	set_ok(iv, "visited", "texas other");
	set_ok(iv, "visited_other", "oregon");
	r = record(iv);
	assert_non_null(strstr(r, "county=pierce;visited=texas other;visited_other=oregon;"));
	assert_null(strstr(r, "photo"));
	free(r);

	/* the image question is a stop shown as a note */
	assert_int_equal(interview_jump(iv, "photo", &err), 0);
	interview_current(iv, &it);
	assert_int_equal(it.kind, IV_ITEM_UNSUPPORTED);
	assert_string_equal(it.path, "photo");
	set_bad(iv, "photo", "x.jpg", IV_E_NOT_ANSWERABLE, NULL);
	assert_null(interview_eval_error(iv));
	interview_free(iv);
	form_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_constraint_and_calc),
		cmocka_unit_test(test_relevance_kept_history),
		cmocka_unit_test(test_navigation),
		cmocka_unit_test(test_completion_reopen),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_repeat_count),
		cmocka_unit_test(test_new_restored),
		cmocka_unit_test(test_nested_repeats),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_choice_filter),
		cmocka_unit_test(test_or_other),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_defaults_readonly_meta),
		cmocka_unit_test(test_preload),
		cmocka_unit_test(test_restore_replay),
		cmocka_unit_test(test_cleared_default_replay),
		cmocka_unit_test(test_sections_state),
		cmocka_unit_test(test_group_relevance),
		cmocka_unit_test(test_text_choices_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
