/*
 * test_reader — store_records_each: one pass over interviews with their
 * answers, events and comments, filtered by form and status. Each record is
 * compared with what the per-interview calls (store_interview_get,
 * store_answers_each, store_events_each, store_comments_each) return for the
 * same interview, for every filter; the order is the documented one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/digest.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char src_a[] = "type,name,label\ninteger,age,Age\ntext,name,Name\n";
static const char src_b[] = "type,name,label\ninteger,size,Size\n";

struct fx {
	char dir[64], path[128];
	struct store *s;
	struct error err;
	char form_a[65], form_b[65];
	char uuid[5][STORE_ID_LEN + 1];
	int64_t clock;
};

static int64_t tick(void *ctx)
{
	int64_t *t = ctx;

	*t += 1000;
	return 1764806400000 + *t;
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct error *e = &f->err;
	struct store *s;
	char v[16];
	int i;

	strcpy(f->dir, "reader-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dev.db", f->dir);
	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, e), 0);
	s = f->s;
	/* a clock that ticks 1 s per call: the reader orders comments and events
	 * by time, so two written in the same millisecond would tie */
	store_set_clock(s, tick, &f->clock);
	assert_int_equal(store_enumerator_set(s, "张敏", e), 0);
	digest_sha256_hex(src_a, strlen(src_a), f->form_a);
	digest_sha256_hex(src_b, strlen(src_b), f->form_b);
	assert_int_equal(store_form_put_source(s, f->form_a, "hh", "1", "A", src_a,
					       strlen(src_a), e), 0);
	assert_int_equal(store_form_put_source(s, f->form_b, "hh", "2", "B", src_b,
					       strlen(src_b), e), 0);
	/* 0..2 on form A, 3..4 on form B; answers written out of path order */
	for (i = 0; i < 5; i++) {
		const char *form = i < 3 ? f->form_a : f->form_b;
		char key[16];

		snprintf(key, sizeof(key), "HH-%d", i);
		assert_int_equal(store_interview_new(s, form, key, f->uuid[i], e), 0);
		snprintf(v, sizeof(v), "%d", 30 + i);
		assert_int_equal(store_answer_put(s, f->uuid[i], i < 3 ? "name" : "size", "x",
						  STORE_SPECIAL_NONE, NULL, e), 0);
		assert_int_equal(store_answer_put(s, f->uuid[i], i < 3 ? "age" : "members[1]", i < 3 ? v : NULL,
						  STORE_SPECIAL_NONE, NULL, e), 0);
		if (i == 1)
			assert_int_equal(store_answer_put(s, f->uuid[i], "age", NULL,
							  STORE_SPECIAL_REFUSED, NULL, e), 0);
	}
	assert_int_equal(store_comment_add(s, f->uuid[0], "age", NULL, "年龄核实过", e), 0);
	assert_int_equal(store_comment_add(s, f->uuid[0], NULL, "王组长", "ok", e), 0);
	assert_int_equal(store_interview_complete(s, f->uuid[0], e), 0);
	assert_int_equal(store_interview_complete(s, f->uuid[1], e), 0);
	assert_int_equal(store_interview_review(s, f->uuid[1], false, "再问一次", "王组长", e), 0);
	assert_int_equal(store_interview_complete(s, f->uuid[3], e), 0);
	assert_int_equal(store_interview_review(s, f->uuid[3], true, NULL, "王组长", e), 0);
	/* a device-level event: in no record */
	assert_int_equal(store_event_log(s, NULL, "open", NULL, NULL, NULL, NULL, e), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	store_close(f->s);
	error_clear(&f->err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* ---- what the per-interview calls say --------------------------------------- */

struct expect {
	const struct store_record *r;
	size_t i;
};

static int check_answer(void *ctx, const struct store_answer *a)
{
	struct expect *x = ctx;

	assert_true(x->i < x->r->n_answers);
	assert_string_equal(x->r->answers[x->i].path, a->path);
	assert_true(same(x->r->answers[x->i].value, a->value));
	assert_int_equal(x->r->answers[x->i].special, a->special);
	x->i++;
	return 0;
}

static int check_event(void *ctx, const struct store_event *e)
{
	struct expect *x = ctx;
	const struct store_event *g;

	assert_true(x->i < x->r->n_events);
	g = &x->r->events[x->i++];
	assert_string_equal(g->device, e->device);
	assert_int_equal(g->seq, e->seq);
	assert_string_equal(g->interview, x->r->iv.uuid);
	assert_int_equal(g->time, e->time);
	assert_string_equal(g->kind, e->kind);
	assert_true(same(g->actor, e->actor));
	assert_true(same(g->path, e->path));
	assert_true(same(g->old_value, e->old_value));
	assert_true(same(g->new_value, e->new_value));
	assert_int_equal(g->old_special, e->old_special);
	assert_int_equal(g->new_special, e->new_special);
	assert_true(same(g->extra, e->extra));
	return 0;
}

static int check_comment(void *ctx, const struct store_comment *c)
{
	struct expect *x = ctx;
	const struct store_comment *g;

	assert_true(x->i < x->r->n_comments);
	g = &x->r->comments[x->i++];
	assert_string_equal(g->uuid, c->uuid);
	assert_true(same(g->path, c->path));
	assert_true(same(g->author, c->author));
	assert_string_equal(g->text, c->text);
	assert_int_equal(g->time, c->time);
	return 0;
}

struct seen {
	struct store *s;
	char uuids[8][STORE_ID_LEN + 1];
	size_t n;
	size_t stop_after; /* 0: never */
};

static int on_record(void *ctx, const struct store_record *r)
{
	struct seen *z = ctx;
	struct store_interview iv;
	struct error err = ERROR_INIT;
	struct expect x;
	size_t i;

	assert_true(z->n < 8);
	if (z->n)
		assert_true(strcmp(z->uuids[z->n - 1], r->iv.uuid) < 0); /* uuid order */
	strcpy(z->uuids[z->n++], r->iv.uuid);
	assert_int_equal(store_interview_get(z->s, r->iv.uuid, &iv, &err), 0);
	assert_string_equal(iv.form_hash, r->iv.form_hash);
	assert_true(same(iv.household_key, r->iv.household_key));
	assert_int_equal(iv.status, r->iv.status);
	assert_int_equal(iv.revision, r->iv.revision);
	assert_int_equal(iv.change_seq, r->iv.change_seq);
	assert_true(same(iv.review_comment, r->iv.review_comment));
	store_interview_release(&iv);
	for (i = 1; i < r->n_answers; i++)
		assert_true(strcmp(r->answers[i - 1].path, r->answers[i].path) < 0);
	for (i = 1; i < r->n_events; i++)
		assert_true(r->events[i - 1].time <= r->events[i].time);
	x.r = r;
	x.i = 0;
	assert_int_equal(store_answers_each(z->s, r->iv.uuid, check_answer, &x, &err), 0);
	assert_int_equal(x.i, r->n_answers);
	x.i = 0;
	assert_int_equal(store_events_each(z->s, r->iv.uuid, check_event, &x, &err), 0);
	assert_int_equal(x.i, r->n_events);
	assert_true(r->n_events >= 3); /* create, and at least two answers */
	x.i = 0;
	assert_int_equal(store_comments_each(z->s, r->iv.uuid, check_comment, &x, &err), 0);
	assert_int_equal(x.i, r->n_comments);
	error_clear(&err);
	return z->stop_after && z->n == z->stop_after ? 42 : 0;
}

static size_t run(struct fx *f, const struct store_record_filter *flt, struct seen *z)
{
	memset(z, 0, sizeof(*z));
	z->s = f->s;
	assert_int_equal(store_records_each(f->s, flt, on_record, z, &f->err), 0);
	return z->n;
}

static bool has(const struct seen *z, const char *uuid)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (!strcmp(z->uuids[i], uuid))
			return true;
	return false;
}

static void test_all(void **state)
{
	struct fx *f = *state;
	struct seen z;
	int i;

	assert_int_equal(run(f, NULL, &z), 5);
	for (i = 0; i < 5; i++)
		assert_true(has(&z, f->uuid[i]));
}

static void test_filters(void **state)
{
	struct fx *f = *state;
	struct store_record_filter flt = {NULL, NULL, 0};
	struct seen z;

	flt.form_hash = f->form_b;
	assert_int_equal(run(f, &flt, &z), 2);
	assert_true(has(&z, f->uuid[3]) && has(&z, f->uuid[4]));
	flt.form_hash = NULL;
	flt.form_id = "hh"; /* both versions of form hh */
	assert_int_equal(run(f, &flt, &z), 5);
	flt.form_id = "other";
	assert_int_equal(run(f, &flt, &z), 0);
	flt.form_id = NULL;
	flt.statuses = STORE_STATUS_BIT(STORE_COMPLETED);
	assert_int_equal(run(f, &flt, &z), 1);
	assert_true(has(&z, f->uuid[0]));
	flt.statuses = STORE_STATUS_BIT(STORE_APPROVED) | STORE_STATUS_BIT(STORE_REJECTED);
	assert_int_equal(run(f, &flt, &z), 2);
	assert_true(has(&z, f->uuid[1]) && has(&z, f->uuid[3]));
	flt.form_hash = f->form_a;
	assert_int_equal(run(f, &flt, &z), 1);
	assert_true(has(&z, f->uuid[1]));
	flt.statuses = STORE_STATUS_BIT(STORE_IN_PROGRESS);
	assert_int_equal(run(f, &flt, &z), 1);
	assert_true(has(&z, f->uuid[2]));
}

static int count_comments(void *ctx, const struct store_record *r)
{
	size_t *n = ctx;

	*n += r->n_comments;
	if (r->n_comments == 2) {
		assert_string_equal(r->comments[0].text, "年龄核实过");
		assert_string_equal(r->comments[0].path, "age");
		assert_null(r->comments[1].path);
	}
	return 0;
}

static void test_content(void **state)
{
	struct fx *f = *state;
	size_t n = 0;

	/* uuid[1]: the refused age replaced the value: one answer row per path */
	assert_int_equal(store_records_each(f->s, NULL, count_comments, &n, &f->err), 0);
	/* two on uuid[0], the review comment on uuid[1] */
	assert_int_equal(n, 3);
}

static void test_stop(void **state)
{
	struct fx *f = *state;
	struct seen z;

	memset(&z, 0, sizeof(z));
	z.s = f->s;
	z.stop_after = 2;
	assert_int_equal(store_records_each(f->s, NULL, on_record, &z, &f->err), 42);
	assert_int_equal(z.n, 2);
	/* the snapshot is closed: a write works */
	assert_int_equal(store_event_log(f->s, NULL, "close", NULL, NULL, NULL, NULL, &f->err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
