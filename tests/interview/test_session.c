/*
 * Tests of the interview session: the engine bound to a real store in a
 * scratch directory. Preload from an assignment, answers committed before
 * success, special values stored distinctly, roster operations renumbering
 * the store, replay and resume after closing, completion and reopen, and an
 * engine change undone when the store refuses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *form_md =
	"| survey |\n"
	"| | type | name | label | calculation | required | constraint |\n"
	"| | start | start | | | |\n"
	"| | hidden | household_key | | | |\n"
	"| | text | county | County | | |\n"
	"| | text | head_name | Head | | yes |\n"
	"| | integer | last_income | Income | | |\n"
	"| | begin repeat | members | Members | | |\n"
	"| | text | m_name | Name | | |\n"
	"| | integer | m_age | Age | | | . < 130 |\n"
	"| | end repeat | | | | |\n"
	"| | calculate | total | | sum(${m_age}) | |\n";

struct fixture {
	char dir[64];
	char path[96];
	struct store *s;
	struct form *f;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct store_field pre[] = {{"last_income", "8200"}, {"not_a_field", "x"}};
	struct store_assignment a = {.household_key = "HK-001",
				     .county = "qs",
				     .village = "v1",
				     .head_name = "李正华",
				     .preload = pre,
				     .n_preload = 2};

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ruhu-iv-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/dev.db", fx->dir);
	assert_int_equal(store_open(fx->path, STORE_OPEN_CREATE, &fx->s, &err), 0);
	assert_int_equal(store_enumerator_set(fx->s, "enum-1", &err), 0);
	assert_int_equal(store_assignments_put(fx->s, &a, 1, NULL, &err), 0);
	assert_int_equal(form_load_buffer("t.md", form_md, strlen(form_md), FORM_SYNTAX_MD, &fx->f,
					  &dl),
			 0);
	diag_list_free(&dl);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[160];

	store_close(fx->s);
	form_free(fx->f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* The stored answers as "path=value;" (special values as ".d"/".r"). */
static int ans_cb(void *ctx, const struct store_answer *a)
{
	strbuf_addf(ctx, "%s=%s;", a->path,
		    a->special == STORE_SPECIAL_DONT_KNOW ? ".d"
		    : a->special == STORE_SPECIAL_REFUSED ? ".r"
		    : a->value				  ? a->value
							  : "(instance)");
	return 0;
}

static char *stored(struct fixture *fx, const char *uuid)
{
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;

	assert_int_equal(store_answers_each(fx->s, uuid, ans_cb, &sb, &err), 0);
	return strbuf_detach(&sb, NULL);
}

/* The events as "kind:path:old>new;" */
static int ev_cb(void *ctx, const struct store_event *e)
{
	strbuf_addf(ctx, "%s:%s:%s>%s;", e->kind, e->path ? e->path : "",
		    e->old_value ? e->old_value : "", e->new_value ? e->new_value : "");
	return 0;
}

static const char *get(struct interview *iv, const char *path)
{
	const char *v = NULL;

	assert_int_equal(interview_get(iv, path, &v, NULL), 0);
	return v;
}

static void test_session_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct interview_session *ss = NULL;
	struct error err = ERROR_INIT;
	struct store_interview row;
	char uuid[STORE_ID_LEN + 1];
	char *got;
	int idx = 0;

	assert_int_equal(interview_session_start(fx->s, fx->f, "HK-001", NULL, &ss, &err), 0);
	snprintf(uuid, sizeof(uuid), "%s", interview_session_uuid(ss));
	/* preload: same-named fields only */
	assert_string_equal(get(interview_session_interview(ss), "household_key"), "HK-001");
	assert_string_equal(get(interview_session_interview(ss), "county"), "qs");
	assert_string_equal(get(interview_session_interview(ss), "head_name"), "李正华");
	assert_string_equal(get(interview_session_interview(ss), "last_income"), "8200");
	got = stored(fx, uuid);
	assert_non_null(strstr(got, "head_name=李正华;"));
	assert_non_null(strstr(got, "last_income=8200;"));
	assert_non_null(strstr(got, "start="));
	free(got);

	assert_int_equal(interview_session_set(ss, "members[1]/m_name", "甲", &err), 0);
	assert_int_equal(interview_session_set(ss, "members[1]/m_age", "40", &err), 0);
	assert_int_equal(interview_session_set(ss, "members[2]/m_name", "乙", &err), 0);
	assert_int_equal(interview_session_set_special(ss, "members[2]/m_age", IV_REFUSED, &err), 0);
	assert_int_equal(interview_session_set(ss, "members[3]/m_name", "丙", &err), 0);
	assert_int_equal(interview_session_set(ss, "members[3]/m_age", "9", &err), 0);
	/* a refused answer is not stored; a failed constraint is paradata */
	assert_int_equal(interview_session_set(ss, "members[3]/m_age", "x", &err), -1);
	error_clear(&err);
	assert_int_equal(interview_session_set(ss, "members[3]/m_age", "200", &err), -1);
	assert_int_equal(err.code, IV_E_CONSTRAINT);
	error_clear(&err);
	{
		struct strbuf ev = STRBUF_INIT;
		assert_int_equal(store_events_each(fx->s, uuid, ev_cb, &ev, &err), 0);
		assert_non_null(strstr(ev.buf, "constraint_failed:members[3]/m_age:9>200;"));
		strbuf_release(&ev);
	}
	assert_int_equal(interview_session_repeat_delete(ss, "members[1]", &err), 0);
	got = stored(fx, uuid);
	assert_non_null(strstr(got, "members[1]/m_age=.r;members[1]/m_name=乙;"));
	assert_non_null(strstr(got, "members[2]/m_age=9;members[2]/m_name=丙;"));
	assert_null(strstr(got, "members[3]"));
	assert_non_null(strstr(got, "members[1]=(instance);"));
	free(got);
	assert_int_equal(interview_session_repeat_move(ss, "members[2]", 1, &err), 0);
	/* an added member with no answer yet survives too (instance marker) */
	assert_int_equal(interview_session_repeat_add(ss, "members", &idx, &err), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(interview_session_jump(ss, "members[2]/m_age", &err), 0);
	interview_session_close(ss);

	/* reopen: everything back, at the same question */
	assert_int_equal(interview_session_open(fx->s, fx->f, uuid, NULL, &ss, &err), 0);
	assert_string_equal(get(interview_session_interview(ss), "members[1]/m_name"), "丙");
	assert_string_equal(get(interview_session_interview(ss), "members[2]/m_name"), "乙");
	assert_int_equal(interview_repeat_count(interview_session_interview(ss), "members"), 3);
	/* the refused age replays as refused: NaN in the sum */
	assert_string_equal(get(interview_session_interview(ss), "total"), "NaN");
	assert_string_equal(interview_position(interview_session_interview(ss)), "members[2]/m_age");

	assert_int_equal(interview_session_complete(ss, &err), 0);
	assert_int_equal(store_interview_get(fx->s, uuid, &row, &err), 0);
	assert_int_equal(row.status, STORE_COMPLETED);
	store_interview_release(&row);
	assert_int_equal(interview_session_set(ss, "county", "x", &err), -1);
	assert_int_equal(err.code, IV_E_COMPLETED);
	error_clear(&err);
	assert_int_equal(interview_session_reopen(ss, &err), 0);
	assert_int_equal(store_interview_get(fx->s, uuid, &row, &err), 0);
	assert_int_equal(row.status, STORE_IN_PROGRESS);
	store_interview_release(&row);

	/* the store refuses (the interview was completed behind our back): the
	 * engine is put back as it was */
	assert_int_equal(store_interview_complete(fx->s, uuid, &err), 0);
	assert_int_equal(interview_session_set(ss, "county", "other", &err), -1);
	assert_true(err.code >= 100);
	error_clear(&err);
	assert_string_equal(get(interview_session_interview(ss), "county"), "qs");
	interview_session_close(ss);
}

static void test_session_wrong_form(void **state)
{
	struct fixture *fx = *state;
	struct interview_session *ss = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	char uuid[STORE_ID_LEN + 1];
	const char *other_md = "| survey |\n| | type | name | label |\n| | text | a | A |\n";
	struct form *g = NULL;

	assert_int_equal(interview_session_start(fx->s, fx->f, NULL, NULL, &ss, &err), 0);
	snprintf(uuid, sizeof(uuid), "%s", interview_session_uuid(ss));
	interview_session_close(ss);
	assert_int_equal(form_load_buffer("o.md", other_md, strlen(other_md), FORM_SYNTAX_MD, &g, &dl),
			 0);
	assert_int_equal(interview_session_open(fx->s, g, uuid, NULL, &ss, &err), -1);
	assert_null(ss);
	assert_non_null(strstr(err.en, "the interview was taken with another form"));
	error_clear(&err);
	diag_list_free(&dl);
	form_free(g);
}

static int count_cb(void *ctx, const struct store_event *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int event_count(struct fixture *fx, const char *uuid)
{
	struct error err = ERROR_INIT;
	int n = 0;

	assert_int_equal(store_events_each(fx->s, uuid, count_cb, &n, &err), 0);
	return n;
}

/* interview_load builds the interview without writing anything, and
 * interview_instance_name sees calculations and rosters, as lists need. */
static void test_load_instance_name(void **state)
{
	struct fixture *fx = *state;
	const char *md = "| survey |\n"
			 "| | type | name | label | calculation |\n"
			 "| | text | head_name | Head | |\n"
			 "| | begin repeat | members | M | |\n"
			 "| | integer | m_age | Age | |\n"
			 "| | end repeat | | | |\n"
			 "| | calculate | n | | count(${m_age}) |\n"
			 "| settings |\n"
			 "| | instance_name |\n"
			 "| | concat(${head_name}, ' (', ${n}, ')') |\n";
	struct interview_session *ss = NULL;
	struct interview *iv = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	char uuid[STORE_ID_LEN + 1];
	struct form *g = NULL;
	int before;

	assert_int_equal(form_load_buffer("n.md", md, strlen(md), FORM_SYNTAX_MD, &g, &dl), 0);
	assert_int_equal(interview_session_start(fx->s, g, NULL, NULL, &ss, &err), 0);
	snprintf(uuid, sizeof(uuid), "%s", interview_session_uuid(ss));
	assert_int_equal(interview_session_set(ss, "head_name", "王秀英", &err), 0);
	assert_int_equal(interview_session_set(ss, "members[1]/m_age", "40", &err), 0);
	assert_int_equal(interview_session_set(ss, "members[2]/m_age", "12", &err), 0);
	interview_session_close(ss);

	before = event_count(fx, uuid);
	assert_int_equal(interview_load(fx->s, g, uuid, NULL, &iv, &err), 0);
	assert_int_equal(interview_instance_name(iv, &sb, &err), 1);
	assert_string_equal(sb.buf, "王秀英 (2)");
	assert_int_equal(event_count(fx, uuid), before);
	interview_free(iv);
	strbuf_release(&sb);

	/* a form without instance_name gives nothing */
	assert_int_equal(interview_session_start(fx->s, fx->f, NULL, NULL, &ss, &err), 0);
	assert_int_equal(interview_instance_name(interview_session_interview(ss), &sb, &err), 0);
	assert_int_equal(sb.len, 0);
	interview_session_close(ss);
	diag_list_free(&dl);
	form_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_wrong_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_instance_name, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
