/*
 * test_score — profiles and the pure parts of scoring:
 *  - Wilson intervals against published values (Newcombe 1998, Table I,
 *    method 3, and the Wikipedia worked example);
 *  - points by rule (linear, step, bands, report) worked by hand;
 *  - every profile error, table-driven: each case edits one line of a small
 *    valid profile and names the message and the sheet:row it must carry;
 *  - profile_bind against the household form (unknown field, repeat field).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/profile.h"
#include "ruhu/score.h"
#include "ruhu/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Wilson ------------------------------------------------------------- */

static void test_wilson_published(void **state)
{
	/* Newcombe RG (1998), Two-sided confidence intervals for the single
	 * proportion: comparison of seven methods, Stat Med 17:857-872,
	 * Table I, method 3 (score interval without continuity correction). */
	static const struct {
		double x, n, lo, hi;
	} t[] = {
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0.0000, 0.1611},
		{1, 29, 0.0061, 0.1718},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double lo, hi;

		score_wilson(t[i].x, t[i].n, SCORE_Z95, &lo, &hi);
		assert_true(fabs(lo - t[i].lo) < 0.00005);
		assert_true(fabs(hi - t[i].hi) < 0.00005);
	}
}

static void test_wilson_edges(void **state)
{
	double lo, hi;

	(void)state;
	score_wilson(0, 0, SCORE_Z95, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
	score_wilson(0, 10, SCORE_Z95, &lo, &hi);
	assert_true(lo == 0);
	score_wilson(10, 10, SCORE_Z95, &lo, &hi);
	assert_true(hi == 1);
	/* symmetric: x of n mirrors n - x of n */
	{
		double lo2, hi2;

		score_wilson(3, 17, SCORE_Z95, &lo, &hi);
		score_wilson(14, 17, SCORE_Z95, &lo2, &hi2);
		assert_true(fabs(lo - (1 - hi2)) < 1e-12 && fabs(hi - (1 - lo2)) < 1e-12);
	}
}

/* ---- a small valid profile ---------------------------------------------- */

/* Line numbers matter: the error cases name them. */
static const char base[] =
	"settings\n"                                                            /* 1 */
	",name::中文 (zh),name::English (en),unit_column,form_id,min_sample\n"  /* 2 */
	",测试,test,county,ruhu_household,\n"                                  /* 3 */
	"params\n"                                                              /* 4 */
	",name,value,source\n"                                                  /* 5 */
	",p10,10,default: test\n"                                               /* 6 */
	",t,0.05,default: test\n"                                               /* 7 */
	",c,0.25,default: test\n"                                               /* 8 */
	"indicators\n"                                                          /* 9 */
	",id,label::English (en),population,measure,problem,value,points,rule,full_at,zero_at,"
	"step,deduct,cutoff\n"                                                  /* 10 */
	",L,linear,,rate,${x} = 1,,p10,linear,t,c,,,\n"                        /* 11 */
	",S,step,,rate,${x} = 1,,10,step,0.1,,0.05,2,\n"                       /* 12 */
	",B,bands,,rate,${x} = 1,,10,bands,,,,,\n"                             /* 13 */
	",M,mean,,mean,,${y},,report,,,,,\n"                                    /* 14 */
	"point_bands\n"                                                         /* 15 */
	",indicator,from,to,points\n"                                           /* 16 */
	",B,0,0.1,10\n"                                                         /* 17 */
	",B,0.1,0.2,5\n"                                                        /* 18 */
	",B,0.2,,0\n"                                                           /* 19 */
	"grades\n"                                                              /* 20 */
	",id,name::中文 (zh),min,max\n"                                         /* 21 */
	",hao,好,25,\n"                                                         /* 22 */
	",yiban,一般,0,25\n"                                                    /* 23 */
	"vetoes\n"                                                              /* 24 */
	",id,when,effect,grade\n"                                               /* 25 */
	",v1,${L_num} >= 2,forbid,hao\n";                                       /* 26 */

/* base with the first `from` replaced by `to` (from NULL: base + to appended) */
static char *edit(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	const char *at = from ? strstr(base, from) : NULL;

	if (!from) {
		strbuf_addstr(&sb, base);
		strbuf_addstr(&sb, to);
	} else {
		assert_non_null(at);
		strbuf_add(&sb, base, (size_t)(at - base));
		strbuf_addstr(&sb, to);
		strbuf_addstr(&sb, at + strlen(from));
	}
	return strbuf_detach(&sb, NULL);
}

static struct profile *load_ok(const char *text)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct profile *p = NULL;
	size_t i;

	if (profile_load_buffer("test.csv", text, strlen(text), &p, &dl) < 0)
		for (i = 0; i < dl.n; i++)
			fprintf(stderr, "%s: %s\n", dl.items[i].e.where,
				error_msg(&dl.items[i].e, LANG_EN));
	assert_non_null(p);
	assert_int_equal(dl.errors, 0);
	diag_list_free(&dl);
	return p;
}

static void test_profile_loads(void **state)
{
	struct profile *p = load_ok(base);

	(void)state;
	assert_int_equal(profile_indicator_count(p), 4);
	assert_int_equal(profile_grade_count(p), 2);
	assert_string_equal(profile_setting(p, "unit_column"), "county");
	assert_string_equal(profile_setting(p, "name_zh"), "测试");
	assert_true(profile_max_points(p) == 30); /* M is report only */
	assert_int_equal(profile_var_count(p), 3);  /* county, x, y */
	assert_string_equal(profile_var_name(p, (size_t)profile_unit_var(p)), "county");
	assert_int_equal(profile_group_var(p), -1);
	assert_true(profile_indicator(p, 0)->points == 10); /* a param name */
	profile_free(p);
}

static void test_points_by_rule(void **state)
{
	struct profile *p = load_ok(base);
	bool out;

	(void)state;
	/* linear, t = 0.05, c = 0.25, P = 10: P x clamp(1 - (r - t)/(c - t)) */
	assert_true(score_points(p, 0, 0, NULL) == 10);
	assert_true(score_points(p, 0, 0.05, NULL) == 10);
	assert_true(fabs(score_points(p, 0, 0.10, NULL) - 7.5) < 1e-12);
	assert_true(fabs(score_points(p, 0, 0.20, NULL) - 2.5) < 1e-12);
	assert_true(score_points(p, 0, 0.25, NULL) == 0);
	assert_true(score_points(p, 0, 0.9, NULL) == 0);
	assert_true(score_points(p, 0, NAN, NULL) == 10); /* empty population */
	/* step: 10 - 2 per whole 0.05 beyond 0.1 */
	assert_true(score_points(p, 1, 0.1, NULL) == 10);
	assert_true(score_points(p, 1, 0.14, NULL) == 10);
	assert_true(score_points(p, 1, 0.15, NULL) == 8); /* 0.15 - 0.1 is one step, not 0.9999 */
	assert_true(score_points(p, 1, 0.3, NULL) == 2);
	assert_true(score_points(p, 1, 0.35, NULL) == 0);
	assert_true(score_points(p, 1, 0.9, NULL) == 0);
	/* bands [0,0.1) 10, [0.1,0.2) 5, [0.2,inf) 0 */
	assert_true(score_points(p, 2, 0.0, &out) == 10 && !out);
	assert_true(score_points(p, 2, 0.1, &out) == 5 && !out);
	assert_true(score_points(p, 2, 0.3, &out) == 0 && !out);
	assert_true(score_points(p, 2, -1, &out) == 0 && out);
	/* report only */
	assert_true(isnan(score_points(p, 3, 5, NULL)));
	profile_free(p);
}

/* ---- errors ------------------------------------------------------------- */

struct bad {
	const char *name, *from, *to;
	const char *where, *msg; /* first error: location and English message (prefix) */
};

static const struct bad bad[] = {
	{"param without source", ",p10,10,default: test\n", ",p10,10,\n", "test.csv:params:6",
	 "param 'p10' has no source: name the seed clause or write \"default: why\""},
	{"param not a number", ",t,0.05,", ",t,five,", "test.csv:params:7",
	 "param 't': value 'five' is not a number"},
	{"duplicate param", ",c,0.25,", ",t,0.25,", "test.csv:params:8", "duplicate param 't'"},
	{"points neither number nor param", ",p10,linear", ",p11,linear", "test.csv:indicators:11",
	 "'points' is neither a number nor a param (params sheet): 'p11'"},
	{"rule that does not compile", ",L,linear,,rate,${x} = 1,", ",L,linear,,rate,${x} = = 1,",
	 "test.csv:indicators:11", "'problem' column 8: unexpected '='"},
	{"unknown measure", ",S,step,,rate,", ",S,step,,share,", "test.csv:indicators:12",
	 "indicator 'S': unknown measure 'share' (rate, mean, median, ratio or af)"},
	{"unknown rule", ",p10,linear,t,c", ",p10,lineal,t,c", "test.csv:indicators:11",
	 "indicator 'L': unknown rule 'lineal' (linear, step, bands or report)"},
	{"duplicate indicator", ",S,step,", ",L,step,", "test.csv:indicators:12",
	 "duplicate indicator 'L'"},
	{"linear without zero_at", ",linear,t,c,", ",linear,t,,", "test.csv:indicators:11",
	 "missing 'zero_at'"},
	{"point bands overlap", ",B,0.1,0.2,5", ",B,0.05,0.2,5", "test.csv:point_bands:18",
	 "indicator 'B': band [0.05, 0.2) overlaps the band of row 17"},
	{"point bands leave a gap", ",B,0.1,0.2,5", ",B,0.15,0.2,5", "test.csv:point_bands:18",
	 "indicator 'B': band [0.15, 0.2) leaves a gap after the band of row 17"},
	{"band for a non-band indicator", ",B,0.2,,0", ",L,0.2,,0", "test.csv:point_bands:19",
	 "'L' is not an indicator with rule bands"},
	{"grades overlap", ",yiban,一般,0,25", ",yiban,一般,0,30", "test.csv:grades:22",
	 "grades: band [25, inf) overlaps the band of row 23"},
	{"grades leave a gap", ",yiban,一般,0,25", ",yiban,一般,0,20", "test.csv:grades:22",
	 "grades: band [25, inf) leaves a gap after the band of row 23"},
	{"lowest grade above 0", ",yiban,一般,0,25", ",yiban,一般,10,25", "test.csv:grades:23",
	 "the lowest grade starts at 10, above 0: lower scores get no grade"},
	{"best grade below the full score", ",hao,好,25,", ",hao,好,25,30", "test.csv:grades:22",
	 "the best grade ends at 30, not above the full score 30 (leave max empty)"},
	{"veto with an unknown grade", ",forbid,hao", ",forbid,best", "test.csv:vetoes:26",
	 "unknown grade 'best'"},
	{"veto on an unknown unit value", "${L_num} >= 2", "${Q_num} >= 2", "test.csv:vetoes:26",
	 "'when' column "},
	{"veto with an unknown effect", ",forbid,hao", ",cap,hao", "test.csv:vetoes:26",
	 "unknown effect 'cap' (forbid or force)"},
	{"AF weights that do not add up to 1", ",M,mean,",
	 ",A,af,,af,,,,report,,,,,0.5\n,M,mean,", "test.csv:dimensions:30",
	 "indicator 'A': the dimension weights add up to 1.1, not 1"},
	{"missing grades sheet", "grades\n", "nograde\n", "test.csv:grades",
	 "missing sheet 'grades'"},
	{"composite weights that do not add up to 1", NULL,
	 "composite\n,level,component,weight,source\n,unit,dept,0.5,input\n,unit,field,0.3,field\n",
	 "test.csv:composite:29", "level 'unit': the weights add up to 0.8, not 1"},
	{"composite without the field", NULL,
	 "composite\n,level,component,weight,source\n,unit,dept,0.5,input\n,unit,pref,0.5,input\n",
	 "test.csv:composite:29", "level 'unit' needs exactly one 'field' component"},
	{"composite parent without parent_column", NULL,
	 "composite\n,level,component,weight,source\n,unit,field,1,field\n,parent,units,1,mean\n",
	 "test.csv:composite:30", "level 'parent' needs settings parent_column"},
	{"composite: field at parent level", NULL,
	 "composite\n,level,component,weight,source\n,parent,field,1,field\n",
	 "test.csv:composite:29",
	 "source 'field' does not fit level 'parent' (unit: field, input or forms; parent: mean or input)"},
	{"grade shares that do not add up to 1", ",id,name::中文 (zh),min,max\n,hao,好,25,\n,yiban,一般,0,25\n",
	 ",id,name::中文 (zh),share\n,hao,好,0.3\n,yiban,一般,0.6\n", "test.csv:grades:22",
	 "the grade shares add up to 0.9, not 1"},
	{"grades by bands and by shares at once", ",id,name::中文 (zh),min,max\n",
	 ",id,name::中文 (zh),min,max,share\n", "test.csv:grades:21",
	 "grades need either score bands (columns min, max) or shares of a ranked group "
	 "(column share), not both or neither"},
	{"minimum for a unit and a group at once", NULL,
	 "minimums\n,group,unit,min_sample\n,national,qs,300\n", "test.csv:minimums:29",
	 "give either a unit or a group (not both, not neither)"},
	{"source forms without its forms", NULL,
	 "composite\n,level,component,weight,source,forms,value,unit_field\n"
	 ",unit,survey,0.6,field,,,\n,unit,cross,0.4,forms,,points_mean,city\n",
	 "test.csv:composite:30",
	 "component 'cross' (source forms) needs forms (form ids), a value and a unit_field (names)"},
	{"a unit grouped twice", NULL, "groups\n,unit,group\n,qs,g1\n,qs,g2\n", "test.csv:groups:30",
	 "unit 'qs' is already grouped at row 29"},
	{"a unit without its group", NULL, "groups\n,unit,group\n,qs,\n", "test.csv:groups:29",
	 "give both a unit and a group"},
	{"sheet groups without a group column", NULL, "groups\n,unit,grp\n,qs,g1\n",
	 "test.csv:groups:28", "missing column 'group'"},
	{"UTF-16 file", "settings\n", "\xff\xfesettings\n", "test.csv",
	 "the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)"},
	{"GBK text", ",测试,", ",\304\343,", "test.csv", "invalid UTF-8 at byte offset "},
};

static void test_profile_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct profile *p = NULL;
		char *text;
		const char *msg;

		if (!strcmp(bad[i].name, "AF weights that do not add up to 1")) {
			char *t1 = edit(bad[i].from, bad[i].to);

			text = NULL;
			{
				struct strbuf sb = STRBUF_INIT;

				strbuf_addstr(&sb, t1);
				strbuf_addstr(&sb, "dimensions\n,indicator,id,deprived,weight\n"
						   ",A,d1,${x} = 1,0.5\n,A,d2,${y} = 1,0.6\n");
				text = strbuf_detach(&sb, NULL);
			}
			free(t1);
		} else {
			text = edit(bad[i].from, bad[i].to);
		}
		assert_int_equal(profile_load_buffer("test.csv", text, strlen(text), &p, &dl), -1);
		assert_null(p);
		if (dl.errors == 0 || strcmp(dl.items[0].e.where, bad[i].where) ||
		    strncmp(error_msg(&dl.items[0].e, LANG_EN), bad[i].msg, strlen(bad[i].msg))) {
			msg = dl.n ? error_msg(&dl.items[0].e, LANG_EN) : "(none)";
			fail_msg("%s: got %s: %s", bad[i].name, dl.n ? dl.items[0].e.where : "",
				 msg);
		}
		/* both languages are filled */
		assert_true(*error_msg(&dl.items[0].e, LANG_ZH));
		diag_list_free(&dl);
		free(text);
	}
}

/* ---- binding to the household form -------------------------------------- */

static struct form *household(void)
{
	const char *src = getenv("RUHU_SOURCE");
	struct strbuf path = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;

	assert_non_null(src);
	strbuf_addf(&path, "%s/forms/household.csv", src);
	assert_int_equal(form_load(path.buf, &f, &dl), 0);
	diag_list_free(&dl);
	strbuf_release(&path);
	return f;
}

static void test_bind(void **state)
{
	static const char *const cols[] = {"county", "county_class"};
	struct form *f = household();
	struct diag_list dl = DIAG_LIST_INIT;
	struct profile *p;
	char *text;

	(void)state;
	/* x and y are no household field */
	p = load_ok(base);
	assert_int_equal(profile_bind(p, f, cols, 2, &dl), -1);
	assert_int_equal(dl.errors, 2);
	assert_string_equal(dl.items[0].e.where, "test.csv:indicators:11");
	assert_string_equal(error_msg(&dl.items[0].e, LANG_EN),
			    "unknown field 'x': not in form 'ruhu_household' nor a column of the sample");
	assert_string_equal(dl.items[1].e.where, "test.csv:indicators:14");
	diag_list_free(&dl);
	profile_free(p);

	/* a member-level field cannot be read per household */
	text = edit("${y}", "${m_age}");
	{
		char *t2 = text;

		text = NULL;
		{
			struct strbuf sb = STRBUF_INIT;
			const char *at = strstr(t2, "${x} = 1,,p10");

			strbuf_add(&sb, t2, (size_t)(at - t2));
			strbuf_addstr(&sb, "${lbc_problem} = 1,,p10");
			strbuf_addstr(&sb, at + strlen("${x} = 1,,p10"));
			text = strbuf_detach(&sb, NULL);
		}
		free(t2);
	}
	/* S and B still read x: give them a form field too */
	{
		char *t3;
		struct strbuf sb = STRBUF_INIT;
		const char *s = text, *at;

		while ((at = strstr(s, "${x}"))) {
			strbuf_add(&sb, s, (size_t)(at - s));
			strbuf_addstr(&sb, "${house_problem}");
			s = at + 4;
		}
		strbuf_addstr(&sb, s);
		t3 = strbuf_detach(&sb, NULL);
		free(text);
		text = t3;
	}
	p = load_ok(text);
	assert_int_equal(profile_bind(p, f, cols, 2, &dl), -1);
	assert_int_equal(dl.errors, 1);
	assert_string_equal(dl.items[0].e.where, "test.csv:indicators:14");
	assert_string_equal(error_msg(&dl.items[0].e, LANG_EN),
			    "'m_age' is inside repeat 'members': use a household-level calculation "
			    "(such as an n_... count)");
	diag_list_free(&dl);
	profile_free(p);
	free(text);
	form_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson_published),
		cmocka_unit_test(test_wilson_edges),
		cmocka_unit_test(test_profile_loads),
		cmocka_unit_test(test_points_by_rule),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
