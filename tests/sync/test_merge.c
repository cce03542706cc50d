/*
 * test_merge — export and merge over real device databases: round trip
 * (every answer, event and comment identical), idempotence, incremental
 * export, order independence (canonical dump), conflicts and duplicates,
 * every single-byte corruption and truncation of a bundle refused with the
 * database unchanged, a newer format refused, return bundles, and an export
 * killed at random points never leaving a file merge would half-accept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/bundle.h"
#include "ruhu/digest.h"
#include "ruhu/form.h"
#include "ruhu/merge.h"
#include "ruhu/status.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include "store_sqlite.h" /* the SQLite handle: this file inspects databases */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char form_src[] = "survey,,,,\n,type,name,label,constraint\n"
			       ",integer,age,Age,. >= 0 and . <= 150\n,text,name,Name,\n"
			       ",begin repeat,members,Members,\n,text,m_name,Name,\n"
			       ",end repeat,,,\n";
static char hh_hash[65];
static char tmpdir[64];

static int64_t clock_ms = 1700000000000;
static int64_t fake_clock(void *ctx)
{
	return clock_ms += 1000;
}

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "%s/", tmpdir);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

static struct store *open_db(const char *path)
{
	struct store *s = NULL;
	struct error err = ERROR_INIT;

	if (store_open(path, STORE_OPEN_CREATE, &s, &err) < 0)
		fail_msg("open %s: %s", path, err.en);
	store_set_clock(s, fake_clock, NULL);
	return s;
}

#define OK(call)                                                                   \
	do {                                                                       \
		struct error e_ = ERROR_INIT;                                      \
		if ((call) < 0)                                                    \
			fail_msg("%s: %s: %s", #call, e_.where ? e_.where : "", e_.en); \
	} while (0)
#define E (&e_)

/* A device with `n` interviews for households HH<base+i>, some completed,
 * one with a comment, one with a special value and a roster. */
static struct store *make_device(const char *path, int n, int base, char uuids[][STORE_ID_LEN + 1])
{
	struct store *s = open_db(path);
	int i;

	OK(store_enumerator_set(s, "张三", E));
	OK(store_form_put_source(s, hh_hash, "hh", "1", "户", form_src, strlen(form_src), E));
	for (i = 0; i < n; i++) {
		char key[32], age[16];

		snprintf(key, sizeof(key), "HH%03d", base + i);
		snprintf(age, sizeof(age), "%d", 20 + i);
		OK(store_interview_new(s, hh_hash, key, uuids[i], E));
		OK(store_answer_put(s, uuids[i], "age", age, STORE_SPECIAL_NONE, "age", E));
		OK(store_answer_put(s, uuids[i], "name", i % 3 ? "李四, \"老\"\n二" : "",
				    STORE_SPECIAL_NONE, "name", E));
		if (i % 2 == 0) {
			OK(store_answer_put(s, uuids[i], "members[1]/m_name", "王五",
					    STORE_SPECIAL_NONE, NULL, E));
			OK(store_answer_put(s, uuids[i], "members[2]/m_name", NULL,
					    STORE_SPECIAL_REFUSED, NULL, E));
			OK(store_interview_complete(s, uuids[i], E));
		}
		if (i == 1)
			OK(store_comment_add(s, uuids[i], "age", NULL, "年龄存疑", E));
	}
	return s;
}

/* The canonical content of a database (no change_seq, no local row ids,
 * no merge times). */
static char *dump_x(struct store *s, const char *exclude);

/* The dump without the database's own device-level events (a team database
 * logs its own form_add events etc., which differ between databases). */
static char *dump(struct store *s)
{
	return dump_x(s, store_device_id(s));
}

static char *dump_x(struct store *s, const char *exclude)
{
	static const char *const q[] = {
		"SELECT hash, form_id, version, title, source FROM form ORDER BY hash",
		"SELECT uuid, form_hash, household_key, enumerator, device, status, review_comment, "
		"revision, created, updated, position FROM interview ORDER BY uuid",
		"SELECT interview, path, value, special FROM answer ORDER BY interview, path",
		"SELECT device, seq, interview, time, kind, actor, path, old_value, new_value, "
		"old_special, new_special, extra FROM event WHERE device <> ?1 ORDER BY device, seq",
		"SELECT uuid, interview, path, author, text, time, device FROM comment ORDER BY uuid",
		"SELECT household_key, county, township, village, household_type, head_name, "
		"enumerator, device FROM assignment ORDER BY household_key",
		"SELECT * FROM assignment_field ORDER BY 1, 2",
	};
	static const char *const q_sync[] = {
		"SELECT * FROM sync_conflict ORDER BY uuid, revision, content_sha256",
		"SELECT * FROM sync_conflict_answer ORDER BY uuid, revision, content_sha256, path",
		"SELECT * FROM sync_duplicate ORDER BY 1, 2, 3",
	};
	struct strbuf sb = STRBUF_INIT;
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st;
	size_t i, nq = sizeof(q) / sizeof(q[0]);
	bool sync = false;
	int c;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'sync_conflict'", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		sync = true;
	sqlite3_finalize(st);
	for (i = 0; i < nq + (sync ? 3 : 0); i++) {
		const char *sql = i < nq ? q[i] : q_sync[i - nq];

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		if (sqlite3_bind_parameter_count(st))
			sqlite3_bind_text(st, 1, exclude, -1, SQLITE_STATIC);
		strbuf_addf(&sb, "## %s\n", sql);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const char *t = (const char *)sqlite3_column_text(st, c);
				strbuf_addf(&sb, "%s|", t ? t : "\\N");
			}
			strbuf_addch(&sb, '\n');
		}
		sqlite3_finalize(st);
	}
	return strbuf_detach(&sb, NULL);
}

/* Only the tables a device bundle carries, for the round trip: the team's
 * own events are left out, the device's are all compared. */
static char *dump_carried(struct store *s, struct store *team)
{
	char *all = dump_x(s, store_device_id(team)), *cut = strstr(all, "## SELECT household_key, county");

	if (cut)
		*cut = '\0';
	return all;
}

/* Fails with the first differing line of two dumps. */
static void same_dump(const char *a, const char *b)
{
	const char *pa = a, *pb = b;

	while (*pa && *pb) {
		const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
		size_t la = ea ? (size_t)(ea - pa) : strlen(pa), lb = eb ? (size_t)(eb - pb) : strlen(pb);

		if (la != lb || memcmp(pa, pb, la))
			fail_msg("dumps differ:\n  %.*s\n  %.*s", (int)la, pa, (int)lb, pb);
		pa += la + (ea != NULL);
		pb += lb + (eb != NULL);
	}
	if (*pa || *pb)
		fail_msg("dumps differ in length:\n  %.200s\n  %.200s", pa, pb);
}

static char *export_one(struct store *s, const char *dir, bool all)
{
	struct export_opts o = {dir, all, NULL, "2026-11-22T10:00:00Z", 0};
	struct export_result r;
	char *p;

	OK(export_bundle(s, &o, &r, E));
	p = r.path;
	r.path = NULL;
	export_result_release(&r);
	return p;
}

static int merge(struct store *s, const char *path, struct merge_stats *st)
{
	struct merge_stats tmp;
	struct error err = ERROR_INIT;
	int rc = merge_bundle(s, path, false, st ? st : &tmp, NULL, NULL, &err);

	if (rc < 0)
		fail_msg("merge %s: %s: %s", path, err.where ? err.where : "", err.en);
	return rc;
}

static void test_round_trip(void **state)
{
	char uu[6][STORE_ID_LEN + 1];
	char *dev = pathf("rt-dev.db"), *team = pathf("rt-team.db"), *out = pathf("rt-out");
	struct store *d, *t;
	struct merge_stats st;
	char *b1, *b2, *b3, *da, *ta, *before;

	assert_int_equal(mkdir(out, 0755), 0);
	d = make_device(dev, 6, 1, uu);
	t = open_db(team);
	b1 = export_one(d, out, false);
	assert_non_null(b1);
	assert_int_equal(merge(t, b1, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_new, 6);
	assert_int_equal(st.iv_updated, 0);
	da = dump_carried(d, t);
	ta = dump_carried(t, t);
	same_dump(da, ta);
	free(da);
	free(ta);
	/* idempotence */
	before = dump(t);
	assert_int_equal(merge(t, b1, &st), MERGE_ALREADY);
	ta = dump(t);
	same_dump(before, ta);
	free(ta);
	free(before);
	/* nothing changed: nothing to export */
	assert_null(export_one(d, out, false));
	/* incremental: one interview changes */
	OK(store_answer_put(d, uu[1], "age", "77", STORE_SPECIAL_NONE, NULL, E));
	b2 = export_one(d, out, false);
	assert_non_null(strstr(b2, "-000002.bundle.gz"));
	assert_int_equal(merge(t, b2, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_updated, 1);
	assert_int_equal(st.iv_new + st.iv_unchanged, 0);
	/* every answer of one interview cleared: the team loses them too; --all
	 * carries everything again, the other five unchanged */
	OK(store_answer_clear(d, uu[3], "age", NULL, E));
	OK(store_answer_clear(d, uu[3], "name", NULL, E));
	b3 = export_one(d, out, true);
	assert_int_equal(merge(t, b3, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_unchanged, 5);
	assert_int_equal(st.iv_updated, 1);
	assert_int_equal(st.events_new, 2);
	da = dump_carried(d, t);
	ta = dump_carried(t, t);
	same_dump(da, ta);
	/* the older bundle merged again after the newer: already merged */
	assert_int_equal(merge(t, b1, &st), MERGE_ALREADY);
	free(da);
	free(ta);
	store_close(d);
	store_close(t);
	free(b1);
	free(b2);
	free(b3);
	free(dev);
	free(team);
	free(out);
}

/* Builds a device bundle by hand: interview `uuid` of household `key` at
 * revision `rev` with answer age = `age`. */
static char *hand_bundle(const char *name, const char *device, long long seq, const char *uuid,
			 const char *key, const char *rev, const char *age)
{
	struct bundle_writer *w = bundle_writer_new(BUNDLE_DEVICE, device, NULL, seq,
						    "2026-11-22T10:00:00Z");
	const char *fr[] = {"hh", "1", hh_hash, "户", form_src};
	const char *iv[] = {uuid, hh_hash, key, "e1", device, "completed", rev,
			    "1700000000000", "1700000005000", NULL, NULL};
	const char *a1[] = {uuid, "age", age, NULL};
	const char *a2[] = {uuid, "name", "x", NULL};
	char seqs[16];
	const char *ev[] = {device, seqs, uuid, "1700000001000", "answer_set", "e1", "age", NULL,
			    age, NULL, NULL, NULL};
	char *p = pathf("%s", name), *data;
	size_t len;
	FILE *fp;

	snprintf(seqs, sizeof(seqs), "%lld", seq);
	bundle_writer_row(w, BS_FORMS, fr);
	bundle_writer_row(w, BS_INTERVIEWS, iv);
	bundle_writer_row(w, BS_ANSWERS, a1);
	bundle_writer_row(w, BS_ANSWERS, a2);
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

static const char U1[] = "11111111-1111-4111-8111-111111111111";
static const char U2[] = "22222222-2222-4222-8222-222222222222";

static void test_order_independence(void **state)
{
	char ua[4][STORE_ID_LEN + 1], ub[3][STORE_ID_LEN + 1];
	char *b[8], *first = NULL;
	static const int orders[][8] = {
		{0, 1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 2, 7, 1, 5, 4},
		{5, 7, 1, 3, 0, 4, 2, 6}, {2, 4, 6, 0, 1, 3, 5, 7},
	};
	char *out = pathf("oi-out"), *pa = pathf("oi-a.db"), *pb = pathf("oi-b.db");
	struct store *a, *bb;
	size_t k, i;

	assert_int_equal(mkdir(out, 0755), 0);
	a = make_device(pa, 4, 1, ua);
	bb = make_device(pb, 3, 3, ub); /* HH003 also on device a: a duplicate */
	b[0] = export_one(a, out, false);
	OK(store_answer_put(a, ua[1], "age", "50", STORE_SPECIAL_NONE, NULL, E));
	OK(store_interview_reopen(a, ua[2], E));
	b[1] = export_one(a, out, false);
	b[2] = export_one(bb, out, false);
	OK(store_answer_put(bb, ub[1], "name", "new", STORE_SPECIAL_NONE, NULL, E));
	b[3] = export_one(bb, out, false);
	/* U1 at revision 3 on two devices with different content: a conflict */
	b[4] = hand_bundle("x1.gz", "dev-x", 1, U1, "HH900", "3", "30");
	b[5] = hand_bundle("y1.gz", "dev-y", 1, U1, "HH900", "3", "31");
	b[6] = hand_bundle("z1.gz", "dev-z", 1, U1, "HH900", "2", "29"); /* older: ignored */
	b[7] = hand_bundle("w1.gz", "dev-w", 1, U2, "HH900", "1", "40"); /* duplicate of U1 */
	for (k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		char *tp = pathf("oi-team%zu.db", k), *d;
		struct store *t = open_db(tp);

		for (i = 0; i < 8; i++)
			assert_int_equal(merge(t, b[orders[k][i]], NULL), MERGE_APPLIED);
		d = dump(t);
		if (!first) {
			struct conflict *c;
			struct duplicate *du;
			size_t nc, nd;

			first = d;
			OK(conflicts_list(t, &c, &nc, &du, &nd, E));
			assert_int_equal(nc, 1);
			assert_string_equal(c[0].uuid, U1);
			assert_int_equal(c[0].revision, 3);
			assert_int_equal(c[0].n, 2);
			assert_false(c[0].resolved);
			assert_int_equal(nd, 3); /* HH003, HH004 on a and b; HH900 as U1, U2 */
			assert_string_equal(du[0].household_key, "HH003");
			assert_string_equal(du[1].household_key, "HH004");
			assert_string_equal(du[2].household_key, "HH900");
			assert_string_equal(du[2].uuid_a, U1);
			assert_string_equal(du[2].uuid_b, U2);
			/* resolve: choose the version that is not current, then back */
			{
				char pre[9];
				struct store_interview iv;

				snprintf(pre, sizeof(pre), "%.8s", c[0].v[1].content_sha256);
				OK(conflict_resolve(t, U1, pre, "组长", E));
				OK(store_interview_get(t, U1, &iv, E));
				assert_int_equal(iv.revision, 4);
				store_interview_release(&iv);
				snprintf(pre, sizeof(pre), "%.8s", c[0].v[0].content_sha256);
				OK(conflict_resolve(t, U1, pre, "组长", E));
				OK(store_interview_get(t, U1, &iv, E));
				assert_int_equal(iv.revision, 5);
				store_interview_release(&iv);
				/* the conflict versions stay listed, now resolved */
				conflicts_free(c, nc, du, nd);
				OK(conflicts_list(t, &c, &nc, &du, &nd, E));
				assert_int_equal(nc, 1);
				assert_true(c[0].resolved);
			}
			conflicts_free(c, nc, du, nd);
		} else {
			same_dump(first, d);
			free(d);
		}
		store_close(t);
		free(tp);
		if (k == 0) {
			/* the resolution changed team 0: compare the others with a
			 * fresh merge in the first order instead */
			char *tp2 = pathf("oi-ref.db");
			struct store *t2 = open_db(tp2);

			for (i = 0; i < 8; i++)
				merge(t2, b[orders[0][i]], NULL);
			free(first);
			first = dump(t2);
			store_close(t2);
			free(tp2);
		}
	}
	free(first);
	for (i = 0; i < 8; i++)
		free(b[i]);
	store_close(a);
	store_close(bb);
	free(out);
	free(pa);
	free(pb);
}

static char *read_file(const char *p, size_t *len)
{
	FILE *fp = fopen(p, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

static void write_file(const char *p, const char *data, size_t len)
{
	FILE *fp = fopen(p, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Every byte flipped (two ways) and every truncation: refused, nothing
 * written (the connection's change counter does not move, the dump is
 * the same). */
static void test_corruption_refused(void **state)
{
	char uu[2][STORE_ID_LEN + 1];
	char *dev = pathf("co-dev.db"), *team = pathf("co-team.db"), *out = pathf("co-out");
	char *bad = pathf("co-bad.gz"), *b, *data, *before, *after;
	struct store *d, *t;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	size_t len, i, refused = 0;
	int changes, x;

	assert_int_equal(mkdir(out, 0755), 0);
	d = make_device(dev, 2, 1, uu);
	t = open_db(team);
	/* the team already holds some work, so "unchanged" means something */
	b = hand_bundle("co-other.gz", "dev-o", 1, U2, "HH500", "1", "5");
	merge(t, b, NULL);
	free(b);
	b = export_one(d, out, false);
	data = read_file(b, &len);
	before = dump(t);
	changes = sqlite3_total_changes(store_sqlite(t));
	for (i = 0; i < len; i++) {
		for (x = 0; x < 2; x++) {
			char o = data[i];

			data[i] = (char)(o ^ (x ? 0xff : 0x01));
			write_file(bad, data, len);
			data[i] = o;
			if (merge_bundle(t, bad, false, &st, NULL, NULL, &err) >= 0)
				fail_msg("byte %zu ^ %s accepted", i, x ? "0xff" : "0x01");
			assert_non_null(strstr(err.where, "co-bad.gz"));
			error_clear(&err);
			refused++;
		}
	}
	for (i = 0; i < len; i++) {
		write_file(bad, data, i);
		if (merge_bundle(t, bad, false, &st, NULL, NULL, &err) >= 0)
			fail_msg("truncation to %zu bytes accepted", i);
		error_clear(&err);
		refused++;
	}
	assert_int_equal(refused, 3 * len);
	assert_int_equal(sqlite3_total_changes(store_sqlite(t)), changes);
	after = dump(t);
	same_dump(before, after);
	/* the intact bundle still merges */
	assert_int_equal(merge(t, b, NULL), MERGE_APPLIED);
	free(after);
	free(before);
	free(data);
	free(b);
	store_close(d);
	store_close(t);
	free(dev);
	free(team);
	free(out);
	free(bad);
}

static void test_refusals(void **state)
{
	char *team = pathf("rf-team.db"), *p = pathf("rf-v2.gz");
	struct store *t = open_db(team);
	struct merge_stats st;
	struct error err = ERROR_INIT;
	char *b, *before, *after;
	static const unsigned char hdr[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3,
					      36, 0, 'R', 'H', 32, 0};

	/* a newer format version */
	{
		struct strbuf sb = STRBUF_INIT;
		unsigned char body[64];
		const char *text = "ruhu-bundle,3\n";
		struct digest dg;
		size_t n;
		unsigned int crc;
		int i;
		/* stored deflate block: BFINAL=1, BTYPE=00, LEN, NLEN, data */
		n = strlen(text);
		strbuf_add(&sb, hdr, 16);
		strbuf_add(&sb, "................................", 32);
		body[0] = 1;
		body[1] = (unsigned char)n;
		body[2] = 0;
		body[3] = (unsigned char)~n;
		body[4] = 0xff;
		memcpy(body + 5, text, n);
		crc = 0xffffffffu;
		for (size_t k = 0; k < n; k++) {
			crc ^= (unsigned char)text[k];
			for (i = 0; i < 8; i++)
				crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
		}
		crc ^= 0xffffffffu;
		for (i = 0; i < 4; i++) {
			body[5 + n + i] = (unsigned char)(crc >> (8 * i));
			body[9 + n + i] = (unsigned char)(n >> (8 * i));
		}
		strbuf_add(&sb, body, 13 + n);
		digest_init(&dg, DIGEST_SHA256);
		digest_update(&dg, sb.buf + 48, sb.len - 48);
		digest_final(&dg, (unsigned char *)sb.buf + 16);
		write_file(p, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	before = dump(t);
	assert_int_equal(merge_bundle(t, p, false, &st, NULL, NULL, &err), -1);
	assert_string_equal(err.where, p);
	assert_string_equal(err.en,
			    "bundle format version 3 is newer than this ruhu supports (2); update ruhu");
	error_clear(&err);
	/* a bundle whose interview names a form that is nowhere */
	{
		struct bundle_writer *w = bundle_writer_new(BUNDLE_DEVICE, "dev-q", NULL, 1,
							    "2026-11-22T10:00:00Z");
		const char *iv[] = {U1, hh_hash, "HH1", "e1", "dev-q", "completed", "1",
				    "1", "2", NULL, NULL};
		char *data;
		size_t len;

		bundle_writer_row(w, BS_INTERVIEWS, iv);
		bundle_writer_write_mem(w, &data, &len);
		write_file(p, data, len);
		free(data);
		bundle_writer_free(w);
	}
	assert_int_equal(merge_bundle(t, p, false, &st, NULL, NULL, &err), -1);
	{
		struct strbuf where = STRBUF_INIT;

		strbuf_addf(&where, "%s:interviews:2", p);
		assert_string_equal(err.where, where.buf);
		strbuf_release(&where);
	}
	assert_non_null(strstr(err.en, "neither in the bundle nor in the database"));
	error_clear(&err);
	/* a return bundle given to merge */
	{
		struct bundle_writer *w = bundle_writer_new(BUNDLE_RETURN, "dev-q", "dev-r", 1,
							    "2026-11-22T10:00:00Z");
		char *data;
		size_t len;

		bundle_writer_write_mem(w, &data, &len);
		write_file(p, data, len);
		free(data);
		bundle_writer_free(w);
	}
	assert_int_equal(merge_bundle(t, p, false, &st, NULL, NULL, &err), -1);
	assert_string_equal(err.en, "this is a return bundle: apply it on the device with `ruhu import`");
	error_clear(&err);
	/* the same device and sequence with other content */
	b = hand_bundle("rf-a.gz", "dev-s", 1, U1, "HH1", "1", "1");
	merge(t, b, NULL);
	free(b);
	b = hand_bundle("rf-b.gz", "dev-s", 1, U1, "HH1", "1", "2");
	assert_int_equal(merge_bundle(t, b, false, &st, NULL, NULL, &err), -1);
	assert_string_equal(err.en, "bundle 1 of device 'dev-s' was merged before with different content");
	error_clear(&err);
	free(b);
	after = dump(t);
	assert_true(strlen(after) > strlen(before));
	free(before);
	free(after);
	store_close(t);
	free(team);
	free(p);
}

/* D3: a bundle the team refused (here: lost) is exported again on request,
 * with a new number, holding what it held and what changed since. */
static void test_export_again(void **state)
{
	char u[3][STORE_ID_LEN + 1];
	char *devp = pathf("ag-dev.db"), *teamp = pathf("ag-team.db"), *out = pathf("ag-out");
	struct store *d, *t;
	struct export_opts o = {out, false, NULL, "2026-11-22T10:00:00Z", 0};
	struct export_result r;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	char *b1;

	(void)state;
	mkdir(out, 0755);
	d = make_device(devp, 3, 700, u);
	t = open_db(teamp);
	b1 = export_one(d, out, false);
	assert_non_null(b1);
	/* the team refused bundle 1: nothing new to export without --again */
	OK(export_bundle(d, &o, &r, E));
	assert_null(r.path);
	o.again = 1;
	OK(export_bundle(d, &o, &r, E));
	assert_non_null(r.path);
	assert_int_equal(r.sequence, 2);
	assert_int_equal(r.interviews, 3);
	merge(t, r.path, &st);
	assert_int_equal(st.iv_new, 3);
	export_result_release(&r);
	/* a later change: an incremental export, then that one again */
	OK(store_answer_put(d, u[1], "age", "33", STORE_SPECIAL_NONE, "age", E));
	o.again = 0;
	OK(export_bundle(d, &o, &r, E));
	assert_int_equal(r.sequence, 3);
	assert_int_equal(r.interviews, 1);
	export_result_release(&r);
	o.again = 3;
	OK(export_bundle(d, &o, &r, E));
	assert_int_equal(r.sequence, 4);
	assert_int_equal(r.interviews, 1);
	merge(t, r.path, &st);
	assert_int_equal(st.iv_updated, 1);
	export_result_release(&r);
	/* a bundle never exported; a return bundle */
	o.again = 9;
	assert_int_equal(export_bundle(d, &o, &r, &err), -1);
	assert_string_equal(err.en, "no completed export 9");
	assert_string_equal(err.zh, "没有已完成的第 9 号导出");
	assert_int_equal(err.code, STORE_E_NOTFOUND);
	error_clear(&err);
	o.again = 1;
	o.for_device = "dev1";
	assert_int_equal(export_bundle(d, &o, &r, &err), -1);
	assert_string_equal(err.en,
			    "a return bundle always carries everything: --again is for device bundles");
	error_clear(&err);
	free(b1);
	store_close(d);
	store_close(t);
	free(devp);
	free(teamp);
	free(out);
}

/* ---- D4: a bundle's content is validated against its form ----------------- */

/* The form of the hand-edited bundles: hh_size 1-20, a choice list, start. */
static const char v_form[] = "survey,,,,\n,type,name,label,constraint\n,start,start,,\n"
			     ",integer,hh_size,Size,. >= 1 and . <= 20\n"
			     ",select_one water,water,Water,\n,text,head,Head,\n"
			     "choices,,,,\n,list_name,name,label,\n,water,well,Well,\n"
			     ",water,tap,Tap,\n"
			     "settings,,,,\n,form_title,form_id,version,\n,HH,hhv,1,\n";
/* `ruhu check` refuses it (a broken constraint): same id and version */
static const char v_badform[] = "survey,,,,\n,type,name,label,constraint\n"
				",integer,hh_size,Size,. >= 1 and\n"
				"settings,,,,\n,form_title,form_id,version,\n,HH,hhv,1,\n";

struct vcase {
	const char *name;    /* the seed's file name too */
	const char *device;  /* of the manifest, the interview and its event */
	const char *status;
	const char *path, *value; /* one more answer (NULL: none) */
	bool bad_form;       /* the bundle also carries v_badform */
	const char *where;   /* after the bundle's path: the row, if any */
	const char *want;    /* the message (English) */
};

/* Writes the bundle of case `vc` (interview U1 of household HH001 with
 * hh_size = 3, water = well and the case's answer): the bundle writer
 * computes every digest, as a hand edit that recomputes them would. */
static char *v_bundle(const struct vcase *vc, const char *dir, const char *big)
{
	struct bundle_writer *w = bundle_writer_new(BUNDLE_DEVICE, vc->device, NULL, 1,
						    "2026-11-22T10:00:00Z");
	char hash[65], bhash[65];
	const char *fr[] = {"hhv", "1", hash, "HH", v_form};
	const char *bf[] = {"hhv", "1", bhash, "HH", v_badform};
	const char *iv[] = {U1, hash, "HH001", "e1", vc->device, vc->status, "1",
			    "1700000000000", "1700000005000", NULL, NULL};
	const char *a1[] = {U1, "hh_size", "3", NULL};
	const char *a2[] = {U1, "water", "well", NULL};
	const char *a3[] = {U1, vc->path, vc->value, NULL};
	const char *ev[] = {vc->device, "1", U1, "1700000001000", "answer_set", "e1", "hh_size",
			    NULL, "3", NULL, NULL, NULL};
	struct strbuf p = STRBUF_INIT;
	char *data;
	size_t len;

	if (big && vc->value == big)
		a3[2] = big;
	digest_sha256_hex(v_form, strlen(v_form), hash);
	digest_sha256_hex(v_badform, strlen(v_badform), bhash);
	bundle_writer_row(w, BS_FORMS, fr);
	if (vc->bad_form)
		bundle_writer_row(w, BS_FORMS, bf);
	bundle_writer_row(w, BS_INTERVIEWS, iv);
	if (!vc->path || strcmp(vc->path, "hh_size"))
		bundle_writer_row(w, BS_ANSWERS, a1);
	if (vc->path)
		bundle_writer_row(w, BS_ANSWERS, a3);
	bundle_writer_row(w, BS_ANSWERS, a2);
	bundle_writer_row(w, BS_EVENTS, ev);
	bundle_writer_write_mem(w, &data, &len);
	strbuf_addf(&p, "%s/%s.bundle.gz", dir, vc->name);
	write_file(p.buf, data, len);
	free(data);
	bundle_writer_free(w);
	return strbuf_detach(&p, NULL);
}

static void test_bad_content(void **state)
{
	static char big_marker[] = "big";
	static const struct vcase cases[] = {
		{"unknown-path", "dev-v", "completed", "no_such_field", "1", false, "",
		 "interview '" "11111111-1111-4111-8111-111111111111"
		 "', field 'no_such_field': unknown field 'no_such_field'"},
		{"dotdot-path", "dev-v", "completed", "../../etc/passwd", "x", false, "",
		 "interview '11111111-1111-4111-8111-111111111111', field '../../etc/passwd': "
		 "unknown field '..'"},
		{"type", "dev-v", "in_progress", "hh_size", "abc", false, "",
		 "interview '11111111-1111-4111-8111-111111111111', field 'hh_size': "
		 "'abc' is not an integer"},
		{"constraint", "dev-v", "completed", "hh_size", "999", false, "",
		 "interview '11111111-1111-4111-8111-111111111111', field 'hh_size': "
		 "the answer fails the constraint: . >= 1 and . <= 20"},
		{"constraint-in-progress", "dev-v", "in_progress", "hh_size", "999", false, "",
		 "interview '11111111-1111-4111-8111-111111111111', field 'hh_size': "
		 "the answer fails the constraint: . >= 1 and . <= 20"},
		{"choice", "dev-v", "completed", "water", "river", false, "",
		 "interview '11111111-1111-4111-8111-111111111111', field 'water': "
		 "'river' is not a choice of list 'water'"},
		{"big-start", "dev-v", "completed", "start", big_marker, false,
		 ":answers:3", "value of 'start' too long: 1048577 bytes (limit 1048576 bytes)"},
		{"bad-form", "dev-v", "completed", NULL, NULL, true, ":forms:3",
		 "form 'hhv' does not pass `ruhu check`: hhv:survey:3: constraint: column 11: "
		 "unexpected end of expression"},
		{"device-dotdot", "../../evil", "completed", NULL, NULL, false, "",
		 "invalid device id '../../evil': holds a path separator '/'"},
		{"device-control", "dev\033[2J", "completed", NULL, NULL, false, "",
		 "invalid device id 'dev\033[2J': holds a control character"},
	};
	char *team = pathf("vc-team.db"), *dir = pathf("vc"), *big;
	const char *seeds = getenv("RUHU_WRITE_SEEDS");
	struct store *t = open_db(team);
	struct merge_stats st;
	char *before, *after, *b;
	size_t i;

	(void)state;
	mkdir(dir, 0755);
	big = xmalloc(STORE_VALUE_MAX + 2);
	memset(big, '1', STORE_VALUE_MAX + 1);
	big[STORE_VALUE_MAX + 1] = 0;
	before = dump(t);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vcase vc = cases[i];
		struct error err = ERROR_INIT;

		if (vc.value == big_marker)
			vc.value = big;
		b = v_bundle(&vc, seeds ? seeds : dir, big);
		if (merge_bundle(t, b, false, &st, NULL, NULL, &err) != -1)
			fail_msg("case %s: merged", vc.name);
		print_message("%s: %s: %s\n", vc.name, err.where, err.en);
		{
			struct strbuf w = STRBUF_INIT;

			strbuf_addf(&w, "%s%s", b, vc.where);
			assert_string_equal(err.where, w.buf);
			assert_string_equal(err.en, vc.want);
			strbuf_release(&w);
		}
		after = dump(t);
		assert_string_equal(before, after);
		free(after);
		error_clear(&err);
		free(b);
	}
	/* the same bundle without a fault merges: every case failed for its fault */
	{
		struct vcase ok = {"valid", "dev-v", "completed", "head", "王五", false, "", NULL};

		b = v_bundle(&ok, seeds ? seeds : dir, NULL);
		merge(t, b, &st);
		assert_int_equal(st.iv_new, 1);
		free(b);
	}
	free(big);
	free(before);
	store_close(t);
	free(team);
	free(dir);
}

/* ---- attached files (issue 12) ------------------------------------------ */

static const char a_form[] =
	"survey,type,name,label,choice_filter\n"
	",select_one counties,county,County,\n"
	",select_one_from_file villages.csv,village,Village,county = ${county}\n"
	"choices,list_name,name,label,\n"
	",counties,qs,Qingshan,\n"
	",counties,bs,Baishui,\n"
	"settings,form_id,version,,\n"
	",vil,1,,\n";
static const char a_villages[] = "name,label,county\nqs01,Shimen,qs\nqs02,Yanjiao,qs\n"
				 "bs01,Hekou,bs\n";

enum a_fault { A_OK, A_BAD_DIGEST, A_NO_FILE, A_OTHER_FILE, A_NO_FORM };

/* A device bundle with interview `uuid` (completed) of the village form
 * choosing `village` in Qingshan county; the form and its file as `fault`
 * says (A_NO_FORM: neither, the interview relies on the target's form). */
static char *a_bundle(const char *name, const char *device, const char *uuid,
		      const char *village, enum a_fault fault)
{
	struct bundle_writer *w = bundle_writer_new(BUNDLE_DEVICE, device, NULL, 1,
						    "2026-11-22T10:00:00Z");
	char src_hex[65], vil_hex[65], hash[65], other_hex[65];
	struct digest_named dn = {"villages.csv", vil_hex};
	const char *fr[] = {"vil", "1", hash, "vil", a_form};
	const char *ff[] = {hash, "villages.csv", vil_hex, a_villages};
	const char *iv[] = {uuid, hash, "HH001", "e1", device, "completed", "1",
			    "1700000000000", "1700000005000", NULL, NULL};
	const char *a1[] = {uuid, "county", "qs", NULL};
	const char *a2[] = {uuid, "village", village, NULL};
	const char *ev[] = {device, "1", uuid, "1700000001000", "answer_set", "e1", "county",
			    NULL, "qs", NULL, NULL, NULL};
	char *p = pathf("%s", name), *data;
	size_t len;

	digest_sha256_hex(a_form, strlen(a_form), src_hex);
	digest_sha256_hex(a_villages, strlen(a_villages), vil_hex);
	digest_form_hash(src_hex, &dn, 1, hash);
	digest_sha256_hex("name,label\nx,X\n", 15, other_hex);
	if (fault == A_BAD_DIGEST)
		ff[2] = other_hex; /* the digest of other bytes */
	if (fault == A_OTHER_FILE) {
		ff[2] = other_hex; /* another list, consistent with itself */
		ff[3] = "name,label\nx,X\n";
	}
	if (fault != A_NO_FORM)
		bundle_writer_row(w, BS_FORMS, fr);
	if (fault != A_NO_FORM && fault != A_NO_FILE)
		bundle_writer_row(w, BS_FORM_FILES, ff);
	bundle_writer_row(w, BS_INTERVIEWS, iv);
	bundle_writer_row(w, BS_ANSWERS, a1);
	bundle_writer_row(w, BS_ANSWERS, a2);
	bundle_writer_row(w, BS_EVENTS, ev);
	bundle_writer_write_mem(w, &data, &len);
	write_file(p, data, len);
	free(data);
	bundle_writer_free(w);
	return p;
}

/* With RUHU_WRITE_SEEDS=DIR, keeps a copy of bundle `path` as DIR/NAME: the
 * format 2 bundles become fuzz seeds (fuzz/seeds/bundle) and bad-input cases. */
static void keep_seed(const char *path, const char *name)
{
	const char *seeds = getenv("RUHU_WRITE_SEEDS");
	struct strbuf data = STRBUF_INIT, out = STRBUF_INIT;
	char chunk[4096];
	size_t got;
	FILE *fp;

	if (!seeds)
		return;
	fp = fopen(path, "rb");
	assert_non_null(fp);
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		strbuf_add(&data, chunk, got);
	assert_int_equal(fclose(fp), 0);
	strbuf_addf(&out, "%s/%s", seeds, name);
	write_file(out.buf, data.buf, data.len);
	strbuf_release(&data);
	strbuf_release(&out);
}

static void test_form_files(void **state)
{
	static const struct {
		enum a_fault fault;
		const char *village;
		const char *want;
		const char *seed;
	} bad[] = {
		{A_BAD_DIGEST, "qs01", "form 'vil' attached file 'villages.csv' does not match its digest",
		 "files-digest.bundle.gz"},
		{A_NO_FILE, "qs01", "form 'vil' source does not match its hash", "files-missing.bundle.gz"},
		{A_OTHER_FILE, "qs01", "form 'vil' source and attached files do not match its hash",
		 "files-swapped.bundle.gz"},
		{A_OK, "bs01", "interview '11111111-1111-4111-8111-111111111111', field 'village': "
			       "choice 'bs01' is not allowed by the choice_filter here",
		 "files-filter.bundle.gz"},
	};
	char *team = pathf("af-team.db");
	struct store *t = open_db(team);
	struct store_form_file *files;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	struct merge_stats st;
	char *before, *after, *b;
	size_t i, n;

	(void)state;
	before = dump(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct error err = ERROR_INIT;

		b = a_bundle("af-bad.bundle.gz", "dev-a", U1, bad[i].village, bad[i].fault);
		keep_seed(b, bad[i].seed);
		assert_int_equal(merge_bundle(t, b, false, &st, NULL, NULL, &err), -1);
		print_message("%s: %s\n", err.where, err.en);
		assert_string_equal(err.en, bad[i].want);
		after = dump(t);
		assert_string_equal(before, after);
		free(after);
		error_clear(&err);
		free(b);
	}
	free(before);

	/* the form arrives with its list: stored with it, and it loads back */
	b = a_bundle("af-1.bundle.gz", "dev-a", U1, "qs01", A_OK);
	keep_seed(b, "files-valid.bundle.gz");
	{
		struct bundle_manifest *m = NULL;
		struct error err = ERROR_INIT;

		/* a form with files makes a format 2 bundle */
		assert_int_equal(bundle_read_file(b, NULL, NULL, &m, &err), 0);
		assert_int_equal(m->format, 2);
		assert_int_equal(m->rows[BS_FORM_FILES], 1);
		bundle_manifest_free(m);
	}
	merge(t, b, &st);
	assert_int_equal(st.iv_new, 1);
	free(b);
	{
		struct store_form_info *fi;
		struct error err = ERROR_INIT;
		int li;

		assert_int_equal(store_form_list(t, &fi, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_int_equal(store_form_files(t, fi[0].hash, &files, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_string_equal(files[0].name, "villages.csv");
		assert_string_equal(files[0].data, a_villages);
		store_form_files_free(files, n);
		assert_int_equal(store_form_load(t, fi[0].hash, NULL, &f, &dl, &err), 0);
		assert_string_equal(form_hash(f), fi[0].hash);
		li = form_find_list(f, "villages");
		assert_true(li >= 0);
		assert_int_equal(form_list(f, (size_t)li)->n, 3);
		form_free(f);
		diag_list_free(&dl);
		store_form_info_free(fi, 1);
	}
	/* another device's interview of the same form, without the form: checked
	 * against the team database's form loaded with its list */
	b = a_bundle("af-2.bundle.gz", "dev-b", U2, "qs02", A_NO_FORM);
	merge(t, b, &st);
	assert_int_equal(st.iv_new, 1);
	free(b);
	b = a_bundle("af-3.bundle.gz", "dev-c", "33333333-3333-4333-8333-333333333333", "bs01",
		     A_NO_FORM);
	{
		struct error err = ERROR_INIT;

		assert_int_equal(merge_bundle(t, b, false, &st, NULL, NULL, &err), -1);
		assert_non_null(strstr(err.en, "choice 'bs01' is not allowed by the choice_filter"));
		error_clear(&err);
	}
	free(b);
	store_close(t);
	free(team);
}

/* Team leader rejects an interview and assigns households; the device
 * imports the return bundle. */
static void test_return_bundle(void **state)
{
	char uu[3][STORE_ID_LEN + 1];
	char *dev = pathf("rb-dev.db"), *team = pathf("rb-team.db"), *out = pathf("rb-out");
	struct store *d, *t;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	struct export_opts o = {NULL, false, NULL, "2026-11-22T11:00:00Z", 0};
	struct export_result r;
	struct store_interview iv;
	char *b;
	struct store_field pre[1] = {{"income_last_year", "12000"}};
	struct store_assignment a[2] = {
		{"HH001", "县A", "乡A", "村A", "脱贫户", "户主一", "张三", NULL, pre, 1},
		{"HH099", "县A", "乡A", "村B", "监测户", "户主二", "李四", "other-device", NULL, 0},
	};

	assert_int_equal(mkdir(out, 0755), 0);
	d = make_device(dev, 3, 1, uu);
	t = open_db(team);
	a[0].device = store_device_id(d);
	b = export_one(d, out, false);
	merge(t, b, NULL);
	free(b);
	OK(store_assignments_put(t, a, 2, NULL, E));
	OK(store_interview_review(t, uu[0], false, "请核实年龄", "组长", E));
	o.out_dir = out;
	o.for_device = store_device_id(d);
	OK(export_bundle(t, &o, &r, E));
	assert_non_null(r.path);
	assert_int_equal(r.assignments, 1);
	assert_int_equal(r.interviews, 1);
	/* merge refuses it; import on another device refuses it */
	assert_int_equal(merge_bundle(t, r.path, false, &st, NULL, NULL, &err), -1);
	error_clear(&err);
	assert_int_equal(merge_bundle(d, r.path, true, &st, NULL, NULL, &err), MERGE_APPLIED);
	assert_int_equal(st.assignments, 1);
	assert_int_equal(st.iv_updated, 1);
	OK(store_interview_get(d, uu[0], &iv, E));
	assert_int_equal(iv.status, STORE_REJECTED);
	assert_string_equal(iv.review_comment, "请核实年龄");
	store_interview_release(&iv);
	{
		struct store_field *pf;
		size_t n;

		OK(store_assignment_preload(d, "HH001", &pf, &n, E));
		assert_int_equal(n, 1);
		assert_string_equal(pf[0].value, "12000");
		store_fields_free(pf, n);
	}
	assert_int_equal(merge_bundle(d, r.path, true, &st, NULL, NULL, &err), MERGE_ALREADY);
	/* the device reopens and fixes; the team gets the newer revision */
	OK(store_interview_reopen(d, uu[0], E));
	OK(store_answer_put(d, uu[0], "age", "45", STORE_SPECIAL_NONE, NULL, E));
	OK(store_interview_complete(d, uu[0], E));
	b = export_one(d, out, false);
	assert_int_equal(merge(t, b, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_updated, 1);
	OK(store_interview_get(t, uu[0], &iv, E));
	assert_int_equal(iv.status, STORE_COMPLETED);
	store_interview_release(&iv);
	free(b);
	export_result_release(&r);
	store_close(d);
	store_close(t);
	free(dev);
	free(team);
	free(out);
}

/* Kills an export at random moments: afterwards every bundle-named file in
 * the folder verifies and is recorded, every recorded export's file exists,
 * and a leftover temporary file either verifies completely or is refused. */
static void test_interrupted_export(void **state)
{
	char uu[60][STORE_ID_LEN + 1];
	char *dev = pathf("ie-dev.db"), *out = pathf("ie-out");
	struct store *d;
	int round, kills = 0;

	assert_int_equal(mkdir(out, 0755), 0);
	d = make_device(dev, 60, 1, uu);
	store_close(d);
	srand(7);
	for (round = 0; round < 25; round++) {
		pid_t pid;
		int status;
		DIR *dir;
		struct dirent *de;
		size_t named = 0, tmps = 0;
		int64_t recorded = 0, reserved = 0, done_missing = 0;

		/* a change so there is something to export */
		d = open_db(dev);
		OK(store_answer_put(d, uu[1 + 2 * (round % 30)], "age", round % 2 ? "1" : "2",
				    STORE_SPECIAL_NONE, NULL, E));
		store_close(d);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct store *c = NULL;
			struct export_opts o = {out, true, NULL, NULL, 0};
			struct export_result r;
			struct error e = ERROR_INIT;

			if (store_open(dev, 0, &c, &e) < 0)
				_exit(3);
			_exit(export_bundle(c, &o, &r, &e) < 0 ? 4 : 0);
		}
		{
			struct timespec ts = {0, (long)(rand() % 40000) * 1000};
			nanosleep(&ts, NULL);
		}
		if (kill(pid, SIGKILL) == 0)
			kills++;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		d = open_db(dev);
		{
			sqlite3_stmt *q;

			if (sqlite3_prepare_v2(store_sqlite(d), "SELECT COUNT(*) FROM sync_export WHERE state = 'done'", -1,
					       &q, NULL) == SQLITE_OK &&
			    sqlite3_step(q) == SQLITE_ROW)
				recorded = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
			if (sqlite3_prepare_v2(store_sqlite(d), "SELECT COUNT(*) FROM sync_export", -1,
					       &q, NULL) == SQLITE_OK &&
			    sqlite3_step(q) == SQLITE_ROW)
				reserved = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
			/* every export recorded as done has its file on disk */
			if (sqlite3_prepare_v2(store_sqlite(d),
					       "SELECT file FROM sync_export WHERE state = 'done'", -1, &q,
					       NULL) == SQLITE_OK) {
				while (sqlite3_step(q) == SQLITE_ROW) {
					const char *file = (const char *)sqlite3_column_text(q, 0);
					char *fp = pathf("ie-out/%s", file ? file : "");
					struct stat st;

					if (!file || stat(fp, &st) != 0)
						done_missing++;
					free(fp);
				}
			}
			sqlite3_finalize(q);
		}
		dir = opendir(out);
		assert_non_null(dir);
		while ((de = readdir(dir))) {
			char *p;
			struct error e = ERROR_INIT;
			int rc;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			p = pathf("ie-out/%s", de->d_name);
			rc = bundle_read_file(p, NULL, NULL, NULL, &e);
			if (de->d_name[0] != '.') {
				if (rc != 0)
					fail_msg("round %d: '%s' refused: %s", round, de->d_name, e.en);
				named++;
			} else {
				tmps++;
			}
			error_clear(&e);
			free(p);
		}
		closedir(dir);
		/* each export removes what the killed one before it left: at
		 * most the last kill's temporary file is there */
		assert_true(tmps <= 1);
		/* A kill between the rename and the recording leaves a whole,
		 * valid bundle that is not recorded (its changes go out again in
		 * the next export; merging both is idempotent). That can happen
		 * in any round, so: every recorded export has its file, and no
		 * file exists without a reserved sequence (names never reused). */
		assert_int_equal(done_missing, 0);
		assert_true(recorded <= (int64_t)named);
		assert_true((int64_t)named <= reserved);
		store_close(d);
	}
	print_message("interrupted exports: %d kills\n", kills);
	{
		/* a temporary file under a live export's lock is left alone; a
		 * killed export's is removed by the next export */
		char *live = pathf("ie-out/.ruhu-live-000999.bundle.gz.tmp");
		char *dead = pathf("ie-out/.ruhu-dead-000998.bundle.gz.tmp");
		int lfd = open(live, O_WRONLY | O_CREAT, 0644), dfd;
		struct stat st;
		struct export_opts o = {out, true, NULL, NULL, 0};
		struct export_result r;

		assert_true(lfd >= 0);
		assert_int_equal(flock(lfd, LOCK_EX), 0);
		dfd = open(dead, O_WRONLY | O_CREAT, 0644);
		assert_true(dfd >= 0);
		close(dfd);
		d = open_db(dev);
		OK(export_bundle(d, &o, &r, E));
		assert_true(r.stale_removed >= 1);
		export_result_release(&r);
		assert_int_equal(stat(live, &st), 0);
		assert_int_not_equal(stat(dead, &st), 0);
		close(lfd); /* the live export "dies" */
		OK(export_bundle(d, &o, &r, E));
		assert_int_equal(r.stale_removed, 1);
		export_result_release(&r);
		assert_int_not_equal(stat(live, &st), 0);
		store_close(d);
		free(live);
		free(dead);
	}
	free(dev);
	free(out);
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ruhu-merge-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	digest_sha256_hex(form_src, strlen(form_src), hh_hash);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	if (getenv("RUHU_KEEP_TMP"))
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* What the store itself says when another program holds the database. */
static void store_says(struct store *s, struct error *want)
{
	assert_true(store_event_log(s, NULL, "open", NULL, NULL, NULL, NULL, want) < 0);
	assert_int_equal(want->code, STORE_E_LOCKED);
}

static void same_message(const struct error *got, const struct error *want, const char *what)
{
	if (got->code != want->code || strcmp(got->en, want->en) || strcmp(got->zh, want->zh))
		fail_msg("%s: '%s' (%d), the store says '%s' (%d)", what, got->en, got->code,
			 want->en, want->code);
}

/*
 * One error vocabulary: a locked team database reads the same in merge,
 * export and conflict resolution as in the store (code STORE_E_LOCKED, the
 * store's message in both languages), never a hand-written "database
 * error"; the refused bundle is named and nothing is written. Reports only
 * read, and in WAL mode a writer does not block them: status and the
 * conflicts listing still work.
 */
static void test_locked(void **state)
{
	char uu[1][STORE_ID_LEN + 1];
	char *dev = pathf("lk-dev.db"), *team = pathf("lk-team.db"), *out = pathf("lk-out");
	char *out2 = pathf("lk-out2");
	struct store *d, *t;
	struct merge_stats st;
	struct error err = ERROR_INIT, want = ERROR_INIT;
	struct export_opts o;
	struct export_result res;
	struct status_report r;
	struct conflict *c;
	struct duplicate *dd;
	size_t nc, nd;
	sqlite3 *other;
	char *b;

	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(mkdir(out2, 0755), 0);
	d = make_device(dev, 1, 700, uu);
	b = export_one(d, out, false);
	t = open_db(team);
	assert_int_equal(merge(t, b, &st), MERGE_APPLIED);
	free(b);
	OK(store_comment_add(d, uu[0], NULL, NULL, "再看一下", E));
	b = export_one(d, out, false);
	store_busy_timeout(t, 50);
	assert_int_equal(sqlite3_open(team, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('x', 1)",
				      NULL, NULL, NULL), SQLITE_OK);
	store_says(t, &want);
	assert_non_null(strstr(want.en, "locked"));

	assert_true(merge_bundle(t, b, false, &st, NULL, NULL, &err) < 0);
	same_message(&err, &want, "merge");
	assert_non_null(strstr(err.where, b));
	assert_non_null(strstr(err.where, team));
	error_clear(&err);
	memset(&o, 0, sizeof(o));
	o.out_dir = out2;
	o.all = true;
	o.created = "2026-01-01T00:00:00Z";
	assert_true(export_bundle(t, &o, &res, &err) < 0);
	same_message(&err, &want, "export");
	error_clear(&err);
	assert_true(conflict_resolve(t, uu[0], "abcd", NULL, &err) < 0);
	same_message(&err, &want, "conflicts --resolve");
	error_clear(&err);
	/* reports read past the writer */
	assert_int_equal(store_status_report(t, &r, &err), 0);
	store_status_report_release(&r);
	assert_int_equal(conflicts_list(t, &c, &nc, &dd, &nd, &err), 0);
	conflicts_free(c, nc, dd, nd);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	/* the lock gone, the same bundle merges: the refusal wrote nothing */
	assert_int_equal(merge(t, b, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_updated, 1);
	assert_int_equal(st.comments_new, 1);
	error_clear(&want);
	free(b);
	store_close(d);
	store_close(t);
	free(dev);
	free(team);
	free(out);
	free(out2);
}

/*
 * Disk full during a merge (issue 11 D14): the refusal names the bundle and
 * the database and says the disk is full, nothing of the bundle stays, and
 * the same bundle merges once there is room. "Full" is SQLite's
 * max_page_count on the store's own connection (a connection setting, not a
 * write), a few pages above what the database holds: reliable, no tmpfs.
 */
static void test_disk_full(void **state)
{
	char uu[60][STORE_ID_LEN + 1];
	char *dev = pathf("df-dev.db"), *team = pathf("df-team.db"), *out = pathf("df-out");
	struct store *d, *t;
	struct merge_stats st;
	struct error err = ERROR_INIT;
	char *b, *before, *after, sql[64], where[512];
	sqlite3_stmt *q;
	int pages;

	assert_int_equal(mkdir(out, 0755), 0);
	d = make_device(dev, 60, 900, uu);
	b = export_one(d, out, false);
	t = open_db(team);
	assert_int_equal(sqlite3_prepare_v2(store_sqlite(t), "PRAGMA page_count", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	pages = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", pages + 2);
	assert_int_equal(sqlite3_exec(store_sqlite(t), sql, NULL, NULL, NULL), SQLITE_OK);
	before = dump(t);
	assert_true(merge_bundle(t, b, false, &st, NULL, NULL, &err) < 0);
	assert_non_null(err.where);
	/* the bundle and the database, no row: the disk is not a row's fault */
	snprintf(where, sizeof(where), "%s:%s", b, team);
	assert_string_equal(err.where, where);
	assert_string_equal(error_msg(&err, LANG_EN), "disk is full: nothing was written");
	assert_string_equal(error_msg(&err, LANG_ZH), "磁盘已满：本次没有写入任何内容");
	error_clear(&err);
	after = dump(t);
	same_dump(before, after);
	free(after);
	free(before);
	assert_int_equal(sqlite3_exec(store_sqlite(t), "PRAGMA max_page_count = 1073741823", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(merge(t, b, &st), MERGE_APPLIED);
	assert_int_equal(st.iv_new, 60);
	free(b);
	store_close(d);
	store_close(t);
	free(dev);
	free(team);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_order_independence),
		cmocka_unit_test(test_corruption_refused),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_content),
		cmocka_unit_test(test_export_again),
		cmocka_unit_test(test_return_bundle),
		cmocka_unit_test(test_interrupted_export),
		cmocka_unit_test(test_form_files),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_disk_full),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
