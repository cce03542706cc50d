/*
 * test_target — the merge target protocol (ruhu/merge_target.h) as a
 * second implementation would see it: a recording target that forwards to
 * the store's and counts every operation. Checks that a merge opens one
 * transaction per bundle and commits it once; looks revisions up in one
 * batch; passes events in batches of at most MERGE_BATCH rows, in bundle
 * order; verifies before it writes (a refused bundle reaches no write
 * operation); rolls back (never commits) when the target fails half-way, and
 * the store is then exactly as before; and that the same bundle merged
 * through the recording target and through merge_bundle() gives the same
 * result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/bundle.h"
#include "ruhu/digest.h"
#include "ruhu/merge.h"
#include "ruhu/merge_target.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A valid form (merge validates every interview against it) with the
 * questions q0000 ... of the fixture and `age`; built by make_form(). */
static char *form_src;
static char tmpdir[64];
static char *bundle; /* one interview, 2500 answers and their events, one comment */
static char uuid[STORE_ID_LEN + 1];
#define N_ANSWERS 2500

#define OK(call)                                                                        \
	do {                                                                            \
		struct error e_ = ERROR_INIT;                                           \
		if ((call) < 0)                                                         \
			fail_msg("%s: %s: %s", #call, e_.where ? e_.where : "", e_.en); \
	} while (0)
#define E (&e_)

/* ---- the recording target ------------------------------------------------------ */

struct rec {
	struct merge_target inner;
	int begins, commits, rollbacks, revisions_calls, writes;
	size_t revisions_n, events, event_calls, max_event_batch, comments;
	int64_t last_time;  /* the interview's events arrive in time order */
	int fail_events_at; /* > 0: the Nth put_events call fails */
};

static struct rec *R(void *t)
{
	return t;
}

static const char *r_device_id(void *t)
{
	return R(t)->inner.ops->device_id(R(t)->inner.t);
}

static int r_form_known(void *t, const char *h, struct error *err)
{
	return R(t)->inner.ops->form_known(R(t)->inner.t, h, err);
}

static int r_form_source(void *t, const char *h, char **src, size_t *len, struct error *err)
{
	return R(t)->inner.ops->form_source(R(t)->inner.t, h, src, len, err);
}

static int r_interview_known(void *t, const char *u, struct error *err)
{
	return R(t)->inner.ops->interview_known(R(t)->inner.t, u, err);
}

static int r_bundle_applied(void *t, const struct store_bundle_key *k, char **sha,
			    struct error *err)
{
	return R(t)->inner.ops->bundle_applied(R(t)->inner.t, k, sha, err);
}

static int r_begin(void *t, struct error *err)
{
	assert_int_equal(R(t)->begins, R(t)->commits + R(t)->rollbacks); /* never nested */
	R(t)->begins++;
	return R(t)->inner.ops->begin(R(t)->inner.t, err);
}

static int r_commit(void *t, struct error *err)
{
	R(t)->commits++;
	return R(t)->inner.ops->commit(R(t)->inner.t, err);
}

static void r_rollback(void *t)
{
	R(t)->rollbacks++;
	R(t)->inner.ops->rollback(R(t)->inner.t);
}

/* every write must come between begin and commit/rollback */
static void in_tx(struct rec *r)
{
	assert_int_equal(r->begins, r->commits + r->rollbacks + 1);
	r->writes++;
}

static int r_form_files(void *t, const char *h, struct store_form_file **fl, size_t *n,
			struct error *err)
{
	return R(t)->inner.ops->form_files(R(t)->inner.t, h, fl, n, err);
}

static int r_put_form(void *t, const char *hash, const char *id, const char *v, const char *ti,
		      const char *src, size_t len, const struct store_form_file *fl, size_t nf,
		      struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->put_form(R(t)->inner.t, hash, id, v, ti, src, len, fl, nf, err);
}

static int r_put_assignments(void *t, const struct store_assignment *a, size_t n,
			     struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->put_assignments(R(t)->inner.t, a, n, err);
}

static int r_revisions(void *t, const char *const *u, size_t n, int64_t *rev, struct error *err)
{
	in_tx(R(t));
	R(t)->revisions_calls++;
	R(t)->revisions_n += n;
	return R(t)->inner.ops->revisions(R(t)->inner.t, u, n, rev, err);
}

static int r_load(void *t, const char *u, struct store_loaded **out, struct error *err)
{
	return R(t)->inner.ops->load(R(t)->inner.t, u, out, err);
}

static int r_put_interview(void *t, const struct store_interview *iv, const struct store_answer *a,
			   size_t n, struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->put_interview(R(t)->inner.t, iv, a, n, err);
}

static int r_put_events(void *t, const struct store_event *ev, size_t n,
			size_t counts[MERGE_EVENT_NOUTCOMES], struct error *err)
{
	struct rec *r = R(t);
	size_t i;

	in_tx(r);
	r->event_calls++;
	if (n > r->max_event_batch)
		r->max_event_batch = n;
	for (i = 0; i < n; i++) {
		if (!ev[i].interview)
			continue;
		assert_true(ev[i].time >= r->last_time); /* the bundle's order, across batches */
		r->last_time = ev[i].time;
	}
	r->events += n;
	if (r->fail_events_at && (int)r->event_calls == r->fail_events_at) {
		error_set(err, "target", "目标写入失败", "the target failed");
		return -1;
	}
	return r->inner.ops->put_events(r->inner.t, ev, n, counts, err);
}

static int r_put_comments(void *t, const struct store_comment *c, size_t n, size_t *added,
			  struct error *err)
{
	in_tx(R(t));
	R(t)->comments += n;
	return R(t)->inner.ops->put_comments(R(t)->inner.t, c, n, added, err);
}

static int r_record_conflict(void *t, const struct store_interview *iv,
			     const struct store_answer *a, size_t n, const char *h,
			     struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->record_conflict(R(t)->inner.t, iv, a, n, h, err);
}

static int r_record_duplicates(void *t, const char *u, const char *k, size_t *added,
			       struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->record_duplicates(R(t)->inner.t, u, k, added, err);
}

static int r_record_bundle(void *t, const struct store_bundle_record *b, struct error *err)
{
	in_tx(R(t));
	return R(t)->inner.ops->record_bundle(R(t)->inner.t, b, err);
}

static const struct merge_target_ops rec_ops = {
	.device_id = r_device_id,
	.form_known = r_form_known,
	.interview_known = r_interview_known,
	.form_source = r_form_source,
	.form_files = r_form_files,
	.bundle_applied = r_bundle_applied,
	.begin = r_begin,
	.commit = r_commit,
	.rollback = r_rollback,
	.put_form = r_put_form,
	.put_assignments = r_put_assignments,
	.revisions = r_revisions,
	.load = r_load,
	.put_interview = r_put_interview,
	.put_events = r_put_events,
	.put_comments = r_put_comments,
	.record_conflict = r_record_conflict,
	.record_duplicates = r_record_duplicates,
	.record_bundle = r_record_bundle,
};

/* ---- fixture ------------------------------------------------------------------- */

static char *pathf(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", tmpdir, name);
	return strbuf_detach(&sb, NULL);
}

static void make_form(void)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	if (form_src)
		return;
	strbuf_addstr(&sb, "survey,,\n,type,name,label\n,integer,age,Age\n");
	for (i = 0; i < N_ANSWERS; i++)
		strbuf_addf(&sb, ",integer,q%04d,Q\n", i);
	form_src = strbuf_detach(&sb, NULL);
}

static int setup(void **state)
{
	struct export_opts o = {NULL, false, NULL, "2026-11-22T10:00:00Z", 0};
	struct export_result res;
	struct store *d = NULL;
	char hash[65], path[32], *db, *out;
	int i;

	make_form();
	strcpy(tmpdir, "target-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	db = pathf("dev.db");
	out = pathf("out");
	assert_int_equal(mkdir(out, 0755), 0);
	OK(store_open(db, STORE_OPEN_CREATE, &d, E));
	OK(store_enumerator_set(d, "张三", E));
	digest_sha256_hex(form_src, strlen(form_src), hash);
	OK(store_form_put_source(d, hash, "hh", "1", "户", form_src, strlen(form_src), E));
	OK(store_interview_new(d, hash, "HH001", uuid, E));
	OK(store_tx_begin(d, E));
	for (i = 0; i < N_ANSWERS; i++) {
		snprintf(path, sizeof(path), "q%04d", i);
		OK(store_answer_put(d, uuid, path, "1", STORE_SPECIAL_NONE, path, E));
	}
	OK(store_tx_commit(d, E));
	OK(store_comment_add(d, uuid, NULL, NULL, "好", E));
	o.out_dir = out;
	OK(export_bundle(d, &o, &res, E));
	bundle = res.path;
	res.path = NULL;
	export_result_release(&res);
	store_close(d);
	free(db);
	free(out);
	return 0;
}

static int teardown(void **state)
{
	char cmd[100];

	free(bundle);
	free(form_src);
	form_src = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct store *open_team(const char *name)
{
	struct store *s = NULL;
	char *p = pathf(name);

	OK(store_open(p, STORE_OPEN_CREATE, &s, E));
	free(p);
	return s;
}

static void rec_init(struct rec *r, struct store *s, struct merge_target *tg)
{
	memset(r, 0, sizeof(*r));
	r->inner = store_merge_target(s);
	tg->ops = &rec_ops;
	tg->t = r;
}

static size_t count_answers(struct store *s)
{
	struct store_loaded *l = NULL;
	struct error err = ERROR_INIT;
	size_t n;

	if (store_interview_load(s, uuid, &l, &err) < 0) {
		assert_int_equal(err.code, STORE_E_NOTFOUND);
		error_clear(&err);
		return 0;
	}
	n = l->n_answers;
	store_loaded_free(l);
	return n;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_protocol(void **state)
{
	struct store *s = open_team("p.db");
	struct merge_target tg;
	struct merge_stats st;
	struct rec r;

	rec_init(&r, s, &tg);
	OK(merge_bundle_into(&tg, bundle, false, &st, NULL, NULL, E));
	assert_int_equal(r.begins, 1);
	assert_int_equal(r.commits, 1);
	assert_int_equal(r.rollbacks, 0);
	assert_int_equal(r.revisions_calls, 1);
	assert_int_equal(r.revisions_n, 1);
	assert_true(r.events > N_ANSWERS);
	assert_int_equal(r.events, st.events_new);
	assert_true(r.event_calls >= 2); /* more events than one batch */
	assert_true(r.max_event_batch <= MERGE_BATCH);
	assert_int_equal(r.comments, 1);
	assert_int_equal(st.iv_new, 1);
	assert_int_equal(count_answers(s), N_ANSWERS);
	/* again: already merged, and nothing reaches a write operation */
	rec_init(&r, s, &tg);
	assert_int_equal(merge_bundle_into(&tg, bundle, false, &st, NULL, NULL, NULL), MERGE_ALREADY);
	assert_int_equal(r.begins + r.writes, 0);
	store_close(s);
}

static void test_refused_writes_nothing(void **state)
{
	struct store *s = open_team("r.db");
	struct merge_target tg;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	struct rec r;
	char *bad = pathf("bad.gz");
	FILE *in = fopen(bundle, "rb"), *out = fopen(bad, "wb");
	char buf[4096];
	size_t n, total = 0;

	/* a truncated copy: refused by the verification pass */
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && total < 3000) {
		fwrite(buf, 1, n > 3000 - total ? 3000 - total : n, out);
		total += n;
	}
	fclose(in);
	fclose(out);
	rec_init(&r, s, &tg);
	assert_true(merge_bundle_into(&tg, bad, false, &st, NULL, NULL, &err) < 0);
	assert_non_null(strstr(err.where, "bad.gz"));
	assert_int_equal(r.begins + r.writes, 0);
	error_clear(&err);
	free(bad);
	store_close(s);
}

static void test_failure_rolls_back(void **state)
{
	struct store *s = open_team("f.db");
	struct merge_target tg;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	struct rec r;
	int64_t before, after;

	OK(store_change_seq(s, &before, E));
	rec_init(&r, s, &tg);
	r.fail_events_at = 2; /* after the interview and a first batch of events */
	assert_true(merge_bundle_into(&tg, bundle, false, &st, NULL, NULL, &err) < 0);
	assert_string_equal(err.en, "the target failed");
	assert_non_null(strstr(err.where, bundle));
	error_clear(&err);
	assert_int_equal(r.begins, 1);
	assert_int_equal(r.rollbacks, 1);
	assert_int_equal(r.commits, 0);
	/* nothing of the bundle stayed */
	OK(store_change_seq(s, &after, E));
	assert_int_equal(after, before);
	assert_int_equal(count_answers(s), 0);
	/* not recorded either: the same bundle then merges whole (not "already
	 * merged"), through the plain store */
	assert_int_equal(merge_bundle(s, bundle, false, &st, NULL, NULL, &err), MERGE_APPLIED);
	assert_int_equal(count_answers(s), N_ANSWERS);
	store_close(s);
}

/* A hand-made bundle whose one event has kind `kind`. */
static char *bundle_with_kind(const char *name, const char *kind)
{
	static const char u[] = "33333333-3333-4333-8333-333333333333";
	struct bundle_writer *w = bundle_writer_new(BUNDLE_DEVICE, "dev-k", NULL, 1,
						    "2026-11-22T10:00:00Z");
	char hash[65], *p = pathf(name), *data;
	const char *fr[] = {"hh", "1", hash, "户", form_src};
	const char *iv[] = {u, hash, "HH9", "e1", "dev-k", "completed", "1", "1700000000000",
			    "1700000005000", NULL, NULL};
	const char *an[] = {u, "age", "30", NULL};
	const char *ev[] = {"dev-k", "1", u, "1700000001000", kind, "e1", "age", NULL, "30",
			    NULL, NULL, NULL};
	size_t len;
	FILE *fp;

	digest_sha256_hex(form_src, strlen(form_src), hash);
	bundle_writer_row(w, BS_FORMS, fr);
	bundle_writer_row(w, BS_INTERVIEWS, iv);
	bundle_writer_row(w, BS_ANSWERS, an);
	bundle_writer_row(w, BS_EVENTS, ev);
	bundle_writer_write_mem(w, &data, &len);
	fp = fopen(p, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(data);
	bundle_writer_free(w);
	return p;
}

/* An event kind the store would refuse is found by the verification pass:
 * the bundle is refused with its section and row before anything is
 * written (no transaction was even opened). */
static void test_bad_event_kind_verified(void **state)
{
	struct store *s = open_team("k.db");
	struct merge_target tg;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	struct rec r;
	char *bad = bundle_with_kind("kind-bad.gz", "Answer-Set"), *good;

	rec_init(&r, s, &tg);
	assert_true(merge_bundle_into(&tg, bad, false, &st, NULL, NULL, &err) < 0);
	assert_string_equal(err.en, "invalid event kind 'Answer-Set'");
	assert_non_null(strstr(err.where, "kind-bad.gz"));
	assert_non_null(strstr(err.where, "events"));
	assert_int_equal(r.begins + r.writes, 0);
	error_clear(&err);
	good = bundle_with_kind("kind-good.gz", "answer_set");
	rec_init(&r, s, &tg);
	assert_int_equal(merge_bundle_into(&tg, good, false, &st, NULL, NULL, &err), MERGE_APPLIED);
	assert_int_equal(st.events_new, 1);
	free(bad);
	free(good);
	store_close(s);
}

/* A return bundle for the device `s` whose preload field is given twice
 * (the store would refuse it): refused by the verification pass. */
static void test_bad_preload_verified(void **state)
{
	struct store *s = open_team("pre.db");
	struct bundle_writer *w = bundle_writer_new(BUNDLE_RETURN, "team-x", store_device_id(s), 1,
						    "2026-11-22T10:00:00Z");
	const char *as[] = {"HH1", "c", "t", "v", "tuopin", "李", "e1", store_device_id(s)};
	const char *p1[] = {"HH1", "head_age", "60"};
	const char *p2[] = {"HH1", "head_age", "61"};
	struct merge_target tg;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	struct rec r;
	char *path = pathf("pre.gz"), *data;
	size_t len;
	FILE *fp;

	bundle_writer_row(w, BS_ASSIGNMENTS, as);
	bundle_writer_row(w, BS_PRELOAD, p1);
	bundle_writer_row(w, BS_PRELOAD, p2);
	bundle_writer_write_mem(w, &data, &len);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(data);
	bundle_writer_free(w);
	rec_init(&r, s, &tg);
	assert_true(merge_bundle_into(&tg, path, true, &st, NULL, NULL, &err) < 0);
	assert_string_equal(err.en, "preload field 'head_age' of household 'HH1' given twice");
	assert_string_equal(err.zh, "户 'HH1' 的预填字段 'head_age' 重复");
	assert_int_equal(r.begins + r.writes, 0);
	error_clear(&err);
	free(path);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_refused_writes_nothing),
		cmocka_unit_test(test_failure_rolls_back),
		cmocka_unit_test(test_bad_event_kind_verified),
		cmocka_unit_test(test_bad_preload_verified),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
