/*
 * test_randomize — a select's parameters randomize=true [seed=...]: the
 * choices the interview offers come shuffled exactly as ODK's
 * randomize(nodes, seed) shuffles them (the specification's case: A..F with
 * seed 42 give AFCBDE), after the choice_filter; without a seed the order is
 * one permutation that holds for the whole interview; bad parameters are
 * errors of the form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/form.h"
#include "ruhu/interview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char choices[] = "choices,list_name,name,label,kind\n"
			      ",l,A,a,x\n,l,B,b,y\n,l,C,c,x\n,l,D,d,y\n,l,E,e,x\n,l,F,f,y\n";

static struct form *load(const char *survey, struct diag_list *dl)
{
	char src[2048];
	struct form *f = NULL;

	snprintf(src, sizeof(src), "%s%s", survey, choices);
	(void)form_load_buffer("t.csv", src, strlen(src), FORM_SYNTAX_CSV, &f, dl);
	return f;
}

/* the names of the choices `path` offers, concatenated */
static const char *offered(struct interview *iv, const char *path)
{
	static char out[64];
	const struct form *f = interview_form(iv);
	const struct form_list *l = form_list(f, 0);
	size_t *ch = NULL, n = 0, k;

	assert_int_equal(interview_choices(iv, path, &ch, &n), 0);
	for (k = 0; k < n && k < sizeof(out) - 1; k++)
		out[k] = l->choices[ch[k]].name[0];
	out[k] = '\0';
	free(ch);
	return out;
}

static void test_seeded(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load("survey,type,name,label,parameters,choice_filter\n"
			      ",integer,s,Seed,,\n"
			      ",select_one l,fixed,Fixed,randomize=true seed=42,\n"
			      ",select_multiple l,byfield,By field,\"randomize=true, seed=${s}\",\n"
			      ",select_one l,plain,Plain,,\n"
			      ",select_one l,filtered,Filtered,randomize=true seed=42,kind = 'x'\n",
			      &dl);
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;

	assert_non_null(f);
	assert_int_equal(dl.n, 0);
	assert_true(form_node(f, 1)->randomize);
	assert_int_equal(interview_new(f, NULL, &iv, &err), 0);
	assert_string_equal(offered(iv, "fixed"), "AFCBDE");
	assert_string_equal(offered(iv, "plain"), "ABCDEF");
	assert_int_equal(interview_set(iv, "s", "-42", &err), 0);
	assert_string_equal(offered(iv, "byfield"), "EDAFBC");
	assert_int_equal(interview_set(iv, "s", "1", &err), 0);
	assert_string_equal(offered(iv, "byfield"), "BFEACD");
	/* randomize(instance('l')/root/item[kind = 'x'], 42): the filtered A C E shuffled */
	assert_string_equal(offered(iv, "filtered"), "ACE");
	/* the order is only an order: answers are names as before */
	assert_int_equal(interview_set(iv, "byfield", "F A", &err), 0);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static void test_unseeded(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = load("survey,type,name,label,parameters\n"
			      ",select_one l,q,Q,randomize=true\n"
			      ",integer,s,Seed,\n"
			      ",select_one l,empty_seed,Q,randomize=true seed=${s}\n",
			      &dl);
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	char first[8], sorted[8];
	int a, b;

	assert_non_null(f);
	assert_int_equal(interview_new(f, NULL, &iv, &err), 0);
	snprintf(first, sizeof(first), "%s", offered(iv, "q"));
	assert_int_equal(strlen(first), 6);
	memcpy(sorted, first, sizeof(sorted));
	for (a = 0; a < 6; a++)
		for (b = a + 1; b < 6; b++)
			if (sorted[b] < sorted[a]) {
				char t = sorted[a];
				sorted[a] = sorted[b];
				sorted[b] = t;
			}
	assert_string_equal(sorted, "ABCDEF");
	/* the same order at every redraw of the interview */
	assert_string_equal(offered(iv, "q"), first);
	assert_string_equal(offered(iv, "q"), first);
	/* a seed field not answered yet: the interview's own order */
	assert_string_equal(offered(iv, "empty_seed"), first);
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
}

static void test_bad_parameters(void **state)
{
	static const struct {
		const char *params, *en;
	} cases[] = {
		{"seed=42", "parameter seed needs randomize=true as well"},
		{"randomize=maybe", "randomize must be true or false, not 'maybe'"},
		{"randomise=true", "unknown select parameter 'randomise' (use randomize, seed)"},
		{"randomize", "select parameter 'randomize' has no '=': write randomize=true seed=${s}"},
		{"randomize=true seed=${nope}", "parameters: column 1: unknown field '${nope}'"},
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char survey[256];
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f;
		size_t i;
		int found = 0;

		snprintf(survey, sizeof(survey),
			 "survey,type,name,label,parameters\n,select_one l,q,Q,%s\n", cases[k].params);
		f = load(survey, &dl);
		assert_null(f);
		for (i = 0; i < dl.n; i++)
			if (!strcmp(dl.items[i].e.where, "t.csv:survey:2") &&
			    !strcmp(dl.items[i].e.en, cases[k].en))
				found = 1;
		if (!found)
			for (i = 0; i < dl.n; i++)
				fprintf(stderr, "%s: %s\n", dl.items[i].e.where, dl.items[i].e.en);
		assert_true(found);
		diag_list_free(&dl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeded),
		cmocka_unit_test(test_unseeded),
		cmocka_unit_test(test_bad_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
