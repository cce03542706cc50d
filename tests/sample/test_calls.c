/*
 * test_calls — call attempts and the AAPOR report (issue 17), against a
 * case worked out by hand: two counties, every disposition, a household
 * never called, a field household nobody called (left out), completed
 * interviews (I) and an answered call without one (P).
 *
 * County A: a1 no_answer+answered, completed → I; a2 answered → P;
 * a3 busy+refused → R; a4 callback+no_answer×2 → NC; a5 language → O;
 * a6 no_answer+busy+no_answer → UH; a7 wrong_number → NE; a8 never → UH.
 *   e = 5/6; RR1 = 1/7; RR3 = 1/(5 + 2e) = 0.15; COOP1 = 1/4; REF1 = 1/7;
 *   CON1 = 4/7.
 * County B: b1, b2 answered, completed → I; b3 dead_number → NE;
 * b4 refused → R.
 *   e = 3/4; RR1 = RR3 = COOP1 = 2/3; REF1 = 1/3; CON1 = 1.
 * All: I 3, P 1, R 2, NC 1, O 1, UH 2, NE 2: e = 0.8; RR1 = 0.3;
 * RR3 = 3/9.6 = 0.3125; COOP1 = 3/7; REF1 = 0.2; CON1 = 0.7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/form.h"
#include "ruhu/sample_calls.h"
#include "ruhu/store.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_report_by_hand(void **state)
{
	static const struct {
		const char *key, *county;
		bool phone, completed;
		const char *calls; /* outcomes, space-separated */
	} hh[] = {
		{"a1", "A", true, true, "no_answer answered"},
		{"a2", "A", true, false, "answered"},
		{"a3", "A", true, false, "busy refused"},
		{"a4", "A", true, false, "callback no_answer no_answer"},
		{"a5", "A", true, false, "language"},
		{"a6", "A", true, false, "no_answer busy no_answer"},
		{"a7", "A", true, false, "wrong_number"},
		{"a8", "A", true, false, ""},
		{"f1", "A", false, false, ""},
		{"b1", "B", true, true, "answered"},
		{"b2", "B", true, true, "answered"},
		{"b3", "B", true, false, "dead_number"},
		{"b4", "B", true, false, "refused"},
	};
	enum { N = sizeof(hh) / sizeof(hh[0]) };
	struct store_assignment a[N];
	struct store_field phone = {"selection_reason", "phone"}, field = {"selection_reason", "random"};
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct store *s = NULL;
	struct form *f = NULL;
	char path[] = "/tmp/ruhu-calls-XXXXXX", db[64], form[1024];
	size_t i;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(db, sizeof(db), "%s.db", path);
	snprintf(form, sizeof(form), "%s/forms/phone.csv", test_source_dir());
	assert_int_equal(form_load(form, &f, &dl), 0);
	assert_int_equal(store_open(db, STORE_OPEN_CREATE, &s, &err), 0);
	assert_int_equal(store_form_put(s, f, &err), 0);
	memset(a, 0, sizeof(a));
	for (i = 0; i < N; i++) {
		a[i].household_key = hh[i].key;
		a[i].county = hh[i].county;
		a[i].township = "t";
		a[i].village = "v";
		a[i].household_type = "tuopin";
		a[i].head_name = "户主";
		a[i].preload = hh[i].phone ? &phone : &field;
		a[i].n_preload = 1;
	}
	assert_int_equal(store_assignments_put(s, a, N, NULL, &err), 0);
	for (i = 0; i < N; i++) {
		char calls[128], *tok, *save = NULL;

		snprintf(calls, sizeof(calls), "%s", hh[i].calls);
		for (tok = strtok_r(calls, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			enum sample_call_outcome o;

			assert_int_equal(sample_call_outcome_parse(tok, &o), 0);
			assert_int_equal(sample_call_log(s, hh[i].key, o,
							 o == SAMPLE_CALL_CALLBACK ? 1764000000 : 0,
							 &err),
					 0);
		}
		if (hh[i].completed) {
			char uuid[STORE_ID_LEN + 1];

			assert_int_equal(store_interview_new(s, form_hash(f), hh[i].key, uuid, &err),
					 0);
			assert_int_equal(store_interview_complete(s, uuid, &err), 0);
		}
	}
	/* an attempt for a household not in the sample is refused */
	assert_true(sample_call_log(s, "zz", SAMPLE_CALL_BUSY, 0, &err) < 0);
	error_clear(&err);
	assert_int_equal(sample_calls_report(s, &sb, &err), 0);
	assert_string_equal(sb.buf,
			    "county,households,attempts,I,P,R,NC,O,UH,NE,e,RR1,RR3,COOP1,REF1,CON1\n"
			    "A,8,13,1,1,1,1,1,2,1,0.8333,0.1429,0.1500,0.2500,0.1429,0.5714\n"
			    "B,4,4,2,0,1,0,0,0,1,0.7500,0.6667,0.6667,0.6667,0.3333,1.0000\n"
			    "*,12,17,3,1,2,1,1,2,2,0.8000,0.3000,0.3125,0.4286,0.2000,0.7000\n");
	strbuf_release(&sb);
	store_close(s);
	form_free(f);
	diag_list_free(&dl);
	unlink(db);
}

static void test_outcome_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < SAMPLE_CALL_COUNT; i++) {
		enum sample_call_outcome o;

		assert_int_equal(sample_call_outcome_parse(sample_call_outcome_name(i), &o), 0);
		assert_int_equal(o, i);
	}
	assert_null(sample_call_outcome_name(SAMPLE_CALL_COUNT));
	{
		enum sample_call_outcome o;

		assert_int_equal(sample_call_outcome_parse("hung_up", &o), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_report_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
