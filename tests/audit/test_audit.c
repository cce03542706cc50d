/*
 * test_audit — the audit core on hand-built databases: roster rules and
 * sample columns, paradata over event logs written with a controlled clock
 * (too short, too fast, too long, a long pause, many changes, odd hours, a
 * device clock going backwards, two devices' interviews overlapping for one
 * enumerator), the batch checks (duplicate keys and values, IQR outliers,
 * the enumerator beyond k SD), and runs saved with --since. Every expected
 * finding is listed; the test fails on any finding not listed too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/audit.h"
#include "ruhu/digest.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char form_src[] = "survey,,,,\n"
			       ",type,name,label,calculation\n"
			       ",integer,age,Age,\n"
			       ",text,phone,Phone,\n"
			       ",decimal,income,Income,\n"
			       ",begin repeat,kids,Kids,\n"
			       ",integer,k_age,Age,\n"
			       ",end repeat,,,\n"
			       ",calculate,n_kids,,count(${kids})\n"
			       "settings,,\n"
			       ",form_id,version\n"
			       ",t,1\n";

static const char rules_src[] =
	"params,,,\n"
	",name,value,\n"
	",max_kid_age,15,\n"
	",min_minutes,15,\n"
	",max_minutes,180,\n"
	",min_sec,4,\n"
	",max_changes,20,\n"
	",early,7,\n"
	",late,21,\n"
	",overlap_min,2,\n"
	",back_sec,60,\n"
	",gap_min,120,\n"
	",iqr_k,3,\n"
	",sd_k,1.5,\n"
	"rules,,,,,,,\n"
	",id,description::中文 (zh),description::English (en),severity,scope,form,expression\n"
	",kid_too_old,孩子年龄过大,a kid too old,error,kids,t,${k_age} > ${max_kid_age}\n"
	",below_register,收入低于登记,income below the register,warning,interview,t,"
	"${sample_reg_income} != '' and ${income} < ${sample_reg_income}\n"
	"paradata,,,,,,\n"
	",id,description::中文 (zh),description::English (en),severity,check,threshold\n"
	",short,短,short,warning,duration_short,min_minutes\n"
	",long,长,long,warning,duration_long,max_minutes\n"
	",fast,快,fast,warning,fast_answers,min_sec\n"
	",changes,改,changes,warning,many_changes,max_changes\n"
	",hours,时,hours,warning,odd_hours,early late\n"
	",overlap,叠,overlap,error,overlap,overlap_min\n"
	",clock,钟,clock,error,clock_back,back_sec\n"
	",gap,断,gap,warning,long_gap,gap_min\n"
	"batch,,,,,,,,\n"
	",id,description::中文 (zh),description::English (en),severity,check,form,field,group,"
	"threshold\n"
	",dup_key,重,dup key,error,duplicate_key,t,,,\n"
	",dup_phone,电,dup phone,warning,duplicate_value,t,phone,,\n"
	",income_out,离,income outlier,warning,outlier_iqr,t,income,,iqr_k\n"
	",enum_out,员,enumerator outlier,warning,enumerator_sd,,,,sd_k\n";

struct fx {
	char dir[64], path[128], path_b[128];
	struct store *s, *b;
	struct error err;
	char hash[65];
	struct audit_rules *rules;
	struct diag_list dl;
};

static int64_t now_ms;
static int64_t clk(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/* 2026-11-20 00:00 UTC plus hours */
static int64_t at(double hours)
{
	return 1795132800000LL + (int64_t)(hours * 3600000.0);
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	setenv("TZ", "UTC", 1);
	tzset();
	/* the setup's own events (form_add, enumerator) come before every
	 * interview of the tests, or the device clock would seem to go back */
	now_ms = at(-24);
	strcpy(f->dir, "audit-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/team.db", f->dir);
	snprintf(f->path_b, sizeof(f->path_b), "%s/b.db", f->dir);
	assert_int_equal(store_open(f->path, STORE_OPEN_CREATE, &f->s, &f->err), 0);
	assert_int_equal(store_open(f->path_b, STORE_OPEN_CREATE, &f->b, &f->err), 0);
	store_set_clock(f->s, clk, NULL);
	store_set_clock(f->b, clk, NULL);
	digest_sha256_hex(form_src, strlen(form_src), f->hash);
	assert_int_equal(store_form_put_source(f->s, f->hash, "t", "1", "T", form_src,
					       strlen(form_src), &f->err),
			 0);
	assert_int_equal(store_form_put_source(f->b, f->hash, "t", "1", "T", form_src,
					       strlen(form_src), &f->err),
			 0);
	assert_int_equal(audit_rules_load_buffer("checks.csv", rules_src, strlen(rules_src),
						 &f->rules, &f->dl),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	store_close(f->s);
	store_close(f->b);
	audit_rules_free(f->rules);
	diag_list_free(&f->dl);
	error_clear(&f->err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void put(struct store *s, const char *uuid, const char *path, const char *value)
{
	struct error e = ERROR_INIT;

	if (store_answer_put(s, uuid, path, value, STORE_SPECIAL_NONE, NULL, &e) < 0)
		fail_msg("answer_put %s: %s", path, error_msg(&e, LANG_EN));
}

/* An interview from `start` with n answers (q1..qn) every `step` seconds,
 * completed one step after the last. */
static void interview(struct fx *f, struct store *s, const char *key, int64_t start, int n,
		      double step, char uuid[STORE_ID_LEN + 1])
{
	char p[16];
	int i;

	now_ms = start;
	assert_int_equal(store_interview_new(s, f->hash, key, uuid, &f->err), 0);
	for (i = 1; i <= n; i++) {
		now_ms += (int64_t)(step * 1000);
		snprintf(p, sizeof(p), "q%d", i);
		put(s, uuid, p, "x");
	}
	now_ms += (int64_t)(step * 1000);
	assert_int_equal(store_interview_complete(s, uuid, &f->err), 0);
}

static int copy_event(void *ctx, const struct store_event *ev)
{
	struct fx *f = ctx;

	return store_event_insert(f->s, ev, &f->err) < 0 ? -1 : 0;
}

/* Merges interview `uuid` of database b into the team database, as a
 * bundle would: the row, its answers and its events. */
static void copy_from_b(struct fx *f, const char *uuid)
{
	struct store_loaded *l = NULL;

	assert_int_equal(store_interview_load(f->b, uuid, &l, &f->err), 0);
	assert_int_equal(store_tx_begin(f->s, &f->err), 0);
	assert_int_equal(store_interview_import(f->s, &l->iv, l->answers, l->n_answers, &f->err), 0);
	assert_int_equal(store_events_each(f->b, uuid, copy_event, f, &f->err), 0);
	assert_int_equal(store_tx_commit(f->s, &f->err), 0);
	store_loaded_free(l);
}

struct want {
	const char *check;
	const char *iv; /* uuid, or the enumerator for enumerator findings */
	const char *path;
};

/* Exactly the findings in w[0..n) (in any order). */
static void expect(const struct audit_report *rep, const struct want *w, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < rep->n_findings; j++) {
			const struct audit_finding *g = &rep->findings[j];

			if (!strcmp(g->check, w[i].check) &&
			    (!strcmp(g->interview, w[i].iv) ||
			     (!*g->interview && !strcmp(g->path, w[i].iv))) &&
			    (!w[i].path || !strcmp(g->path, w[i].path)))
				break;
		}
		if (j == rep->n_findings)
			fail_msg("missing finding %s on %s", w[i].check, w[i].iv);
	}
	for (j = 0; j < rep->n_findings; j++) {
		const struct audit_finding *g = &rep->findings[j];

		for (i = 0; i < n; i++)
			if (!strcmp(g->check, w[i].check) &&
			    (!strcmp(g->interview, w[i].iv) ||
			     (!*g->interview && !strcmp(g->path, w[i].iv))))
				break;
		if (i == n)
			fail_msg("unexpected finding %s on %s %s: %s", g->check, g->interview,
				 g->path, g->detail);
	}
}

static void run(struct fx *f, int64_t since, bool save, struct audit_report *rep)
{
	struct audit_opts o = {since, save, 0};
	size_t i;

	if (audit_run(f->s, f->rules, &o, rep, &f->dl) < 0) {
		for (i = 0; i < f->dl.n; i++)
			print_error("%s: %s\n", f->dl.items[i].e.where ? f->dl.items[i].e.where : "",
				    error_msg(&f->dl.items[i].e, LANG_EN));
		fail();
	}
}

static void test_paradata(void **state)
{
	struct fx *f = *state;
	char n[37], s[37], l[37], g[37], c[37], o[37], b[37], x[37];
	struct audit_report rep;
	int i;

	assert_int_equal(store_enumerator_set(f->s, "e1", &f->err), 0);
	assert_int_equal(store_enumerator_set(f->b, "e1", &f->err), 0);
	interview(f, f->s, "H-N", at(10), 30, 60, n);   /* 10:00-10:31, fine */
	interview(f, f->s, "H-S", at(12), 30, 2, s);    /* 62 s: short and fast */
	interview(f, f->s, "H-L", at(13), 30, 480, l);  /* 248 min: long */
	/* 18:00, 5 answers, a 130-minute pause, 5 more: a long gap, 141 min */
	now_ms = at(18);
	assert_int_equal(store_interview_new(f->s, f->hash, "H-G", g, &f->err), 0);
	for (i = 1; i <= 10; i++) {
		char p[8];

		now_ms += i == 6 ? 130 * 60000 : 60000;
		snprintf(p, sizeof(p), "q%d", i);
		put(f->s, g, p, "x");
	}
	now_ms += 60000;
	assert_int_equal(store_interview_complete(f->s, g, &f->err), 0);
	/* next day 09:00: 10 answers then 25 changes of one answer */
	now_ms = at(33);
	assert_int_equal(store_interview_new(f->s, f->hash, "H-C", c, &f->err), 0);
	for (i = 1; i <= 35; i++) {
		char p[8], v[8];

		now_ms += 60000;
		snprintf(p, sizeof(p), "q%d", i <= 10 ? i : 1);
		snprintf(v, sizeof(v), "%d", i);
		put(f->s, c, p, v);
	}
	now_ms += 60000;
	assert_int_equal(store_interview_complete(f->s, c, &f->err), 0);
	interview(f, f->s, "H-O", at(47), 30, 60, o); /* next day 23:00: odd hour */
	/* then the laptop's clock is set back to 08:00 of that day */
	interview(f, f->s, "H-B", at(32), 30, 60, b);
	/* another laptop, same enumerator, 10:10 on the first day: overlaps H-N */
	interview(f, f->b, "H-X", at(10) + 10 * 60000, 30, 60, x);
	copy_from_b(f, x);

	run(f, 0, false, &rep);
	{
		const struct want w[] = {
			{"overlap", n, ""},   {"overlap", x, ""},  {"short", s, ""},
			{"fast", s, ""},      {"long", l, ""},     {"gap", g, ""},
			{"changes", c, ""},   {"hours", o, ""},    {"clock", b, ""},
		};

		expect(&rep, w, sizeof(w) / sizeof(w[0]));
	}
	assert_int_equal(rep.interviews, 8);
	assert_int_equal(rep.n_durations, 8);
	assert_int_equal(rep.n_dashboard, 1);
	assert_string_equal(rep.dashboard[0].name, "e1");
	assert_int_equal(rep.dashboard[0].days, 2);
	assert_true(fabs(rep.dashboard[0].per_day - 4.0) < 1e-9);
	/* durations 31, 1.0333, 248, 141, 36, 31, 31, 31: median 31 */
	assert_true(fabs(rep.dashboard[0].median_minutes - 31.0) < 1e-9);
	for (i = 0; i < (int)rep.n_findings; i++)
		if (!strcmp(rep.findings[i].check, "changes"))
			assert_non_null(strstr(rep.findings[i].detail, "changes=25 paths=q1 q1"));
	audit_report_release(&rep);
}

/* A completed interview with answers given as "path=value" pairs. */
static void record(struct fx *f, const char *enumerator, const char *key, const char *const *kv,
		   char uuid[STORE_ID_LEN + 1])
{
	now_ms += 3600000;
	assert_int_equal(store_enumerator_set(f->s, enumerator, &f->err), 0);
	assert_int_equal(store_interview_new(f->s, f->hash, key, uuid, &f->err), 0);
	for (; *kv; kv++) {
		char p[64];
		const char *eq = strchr(*kv, '=');

		snprintf(p, sizeof(p), "%.*s", (int)(eq - *kv), *kv);
		put(f->s, uuid, p, eq + 1);
	}
	assert_int_equal(store_interview_complete(f->s, uuid, &f->err), 0);
}

static void test_rules_and_batch(void **state)
{
	struct fx *f = *state;
	struct store_field pre = {"reg_income", "5000"};
	struct store_assignment a = {"H1", "C1", "T1", "V1", "tuopin", "王", "e1", NULL, &pre, 1};
	char u[12][37];
	struct audit_report rep;
	static const char *const k_ok[] = {"kids[1]/k_age=3", "kids[2]/k_age=9", "income=1000",
					   "phone=111", NULL};
	static const char *const k_old[] = {"kids[1]/k_age=3", "kids[2]/k_age=20", "income=1010",
					    "phone=222", NULL};
	static const char *const low[] = {"income=1020", "phone=222", NULL};
	const char *inc[7][2] = {{"income=1030", NULL}, {"income=1040", NULL},
				 {"income=1050", NULL}, {"income=1060", NULL},
				 {"income=1070", NULL}, {"income=1080", NULL},
				 {"income=100000", NULL}};
	int i;

	assert_int_equal(store_assignments_put(f->s, &a, 1, NULL, &f->err), 0);
	now_ms = at(0);
	record(f, "e1", "H1", low, u[0]);    /* income 1020 < 5000 registered */
	record(f, "e2", "H2", k_ok, u[1]);   /* clean */
	record(f, "e3", "H3", k_old, u[2]);  /* kid 2 is 20; phone 222 as H1 */
	record(f, "e4", "H3", k_ok, u[3]);   /* H3 again: duplicate key; phone 111 as H2 */
	/* six enumerators with one clean interview each, e5 with an outlier */
	for (i = 0; i < 7; i++) {
		char key[8], en[8];

		snprintf(key, sizeof(key), "H%d", 10 + i);
		snprintf(en, sizeof(en), "e%d", i < 6 ? 7 + i : 5);
		record(f, en, key, inc[i], u[4 + i]);
	}
	run(f, 0, true, &rep);
	{
		const struct want w[] = {
			{"below_register", u[0], ""},
			{"kid_too_old", u[2], "kids[2]"},
			{"dup_phone", u[0], ""},
			{"dup_phone", u[2], ""},
			{"dup_phone", u[1], ""},
			{"dup_phone", u[3], ""},
			{"dup_key", u[2], ""},
			{"dup_key", u[3], ""},
			{"income_out", u[10], ""},
			/* findings per interview: e1 2, e2 1, e3 3, e4 2, e5 1 and six
			 * enumerators 0: mean 0.82, sd 1.03, e3's z = 2.1 > 1.5 */
			{"enum_out", "e3", "e3"},
		};

		expect(&rep, w, sizeof(w) / sizeof(w[0]));
	}
	assert_int_equal(rep.run, 1);
	for (i = 0; i < (int)rep.n_findings; i++) {
		if (!strcmp(rep.findings[i].check, "kid_too_old"))
			assert_string_equal(rep.findings[i].detail, "k_age=20");
		if (!strcmp(rep.findings[i].check, "below_register")) {
			assert_string_equal(rep.findings[i].detail, "sample_reg_income=5000 income=1020");
			assert_string_equal(rep.findings[i].county, "C1");
			assert_string_equal(rep.findings[i].village, "V1");
		}
	}
	audit_report_release(&rep);

	/* a new problem: only it is new since run 1; run 2 is saved whole */
	{
		static const char *const old2[] = {"kids[1]/k_age=30", NULL};
		char v[37];
		size_t n_new = 0, j;

		record(f, "e6", "H20", old2, v);
		run(f, 1, true, &rep);
		assert_int_equal(rep.run, 2);
		for (j = 0; j < rep.n_findings; j++)
			if (rep.findings[j].is_new) {
				n_new++;
				/* the new interview's, or the dashboard's, which moves */
				if (strcmp(rep.findings[j].check, "enum_out"))
					assert_string_equal(rep.findings[j].interview, v);
			}
		assert_int_equal(n_new, rep.n_new);
		assert_true(n_new >= 1);
		audit_report_release(&rep);
	}
	{
		struct audit_opts o = {7, false, 0};

		assert_int_equal(audit_run(f->s, f->rules, &o, &rep, &f->dl), -1);
		assert_non_null(strstr(error_msg(&f->dl.items[f->dl.n - 1].e, LANG_EN),
				       "no audit run 7"));
	}
}

/* Rules whose names are not in the stored form: refused before anything runs. */
static void test_bind_errors(void **state)
{
	struct fx *f = *state;
	static const char bad[] =
		"rules,,,,,,,\n"
		",id,description::中文 (zh),description::English (en),severity,scope,form,"
		"expression\n"
		",a,甲,a,error,interview,t,${nope} > 1\n"
		",b,乙,b,error,members,t,${age} > 1\n"
		",c,丙,c,error,interview,t,${sample_nope} = 'x'\n";
	struct audit_rules *r = NULL;
	struct audit_report rep;
	struct audit_opts o = {0, true, 0};
	struct diag_list dl = DIAG_LIST_INIT;
	int64_t last = -1;
	struct store_assignment a = {"H1", "C1", "T1", "V1", "tuopin", "王", "e1", NULL, NULL, 0};

	/* with a sample loaded, a sample column it lacks is unknown */
	assert_int_equal(store_assignments_put(f->s, &a, 1, NULL, &f->err), 0);
	assert_int_equal(audit_rules_load_buffer("x.csv", bad, strlen(bad), &r, &dl), 0);
	assert_int_equal(audit_run(f->s, r, &o, &rep, &dl), -1);
	assert_int_equal(dl.errors, 3);
	assert_string_equal(dl.items[0].e.where, "x.csv:rules:3");
	assert_non_null(strstr(error_msg(&dl.items[0].e, LANG_EN), "unknown field '${nope}'"));
	assert_string_equal(dl.items[1].e.where, "x.csv:rules:4");
	assert_non_null(strstr(error_msg(&dl.items[1].e, LANG_EN), "scope 'members'"));
	assert_string_equal(dl.items[2].e.where, "x.csv:rules:5");
	assert_int_equal(store_audit_run_last(f->s, &last, &f->err), 0);
	assert_int_equal(last, 0);
	audit_rules_free(r);
	diag_list_free(&dl);
}

/* Load-time errors need no database. */
static void test_load_errors(void **state)
{
	static const struct {
		const char *src, *where, *msg;
	} cases[] = {
		{"params,,\n,name,value\n,x,abc\nrules,,,,,,,\n,id,description::zh,description::en,"
		 "severity,scope,form,expression\n",
		 "r.csv:params:3", "param 'x' has value 'abc', not a number"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 ",a,甲,a,error,interview,t,1 +\n",
		 "r.csv:rules:3", "expression column"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 ",a,甲,a,error,inter view,t,1\n",
		 "r.csv:rules:3", "bad scope 'inter view'"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 ",a,甲,a,fatal,interview,t,1\n",
		 "r.csv:rules:3", "bad severity 'fatal'"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 ",a,甲,a,error,interview,t,1\n,a,乙,b,error,interview,t,1\n",
		 "r.csv:rules:4", "check id 'a' used twice"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 ",a,,a,error,interview,t,1\n",
		 "r.csv:rules:3", "lacks its Chinese or English description"},
		{"rules,,,,,,,\n,id,description::zh,description::en,severity,scope,form,expression\n"
		 "paradata,,,,,,\n,id,description::zh,description::en,severity,check,threshold\n"
		 ",p,甲,p,error,odd_hours,x\n",
		 "r.csv:paradata:5", "threshold param 'x' is not in the params sheet"},
		{"params,,\n,name,value\n", "r.csv", "no rules sheet"},
		{"rules,,,,\n,id,description::zh,description::en,severity\n", "r.csv:rules:1",
		 "sheet 'rules' has no column 'scope'"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct audit_rules *r = NULL;
		size_t k;
		bool found = false;

		assert_int_equal(
			audit_rules_load_buffer("r.csv", cases[i].src, strlen(cases[i].src), &r, &dl),
			-1);
		assert_null(r);
		for (k = 0; k < dl.n; k++)
			if (dl.items[k].e.where && !strcmp(dl.items[k].e.where, cases[i].where) &&
			    strstr(error_msg(&dl.items[k].e, LANG_EN), cases[i].msg))
				found = true;
		if (!found)
			fail_msg("case %zu: no '%s: %s' (first: %s: %s)", i, cases[i].where,
				 cases[i].msg, dl.n && dl.items[0].e.where ? dl.items[0].e.where : "",
				 dl.n ? error_msg(&dl.items[0].e, LANG_EN) : "");
		diag_list_free(&dl);
	}
}

/* The back-check draw: stratified, at least the minimum, reproducible. */
static void test_backcheck(void **state)
{
	struct fx *f = *state;
	struct audit_backcheck_opts o = {0.25, 2, 42};
	struct audit_backcheck a, b;
	struct error e = ERROR_INIT;
	static const char *const none[] = {NULL};
	char u[37], key[16];
	size_t i, per[3] = {0, 0, 0};
	int k;

	now_ms = at(0);
	for (k = 0; k < 14; k++) {
		snprintf(key, sizeof(key), "K%02d", k);
		record(f, k < 10 ? "e1" : k < 13 ? "e2" : "e3", key, none, u);
	}
	record(f, "e1", "K00", none, u); /* K00 again: a household counts once */
	/* no household key: cannot be revisited */
	assert_int_equal(store_interview_new(f->s, f->hash, NULL, u, &f->err), 0);
	assert_int_equal(store_interview_complete(f->s, u, &f->err), 0);
	/* in progress: not a back-check candidate */
	assert_int_equal(store_interview_new(f->s, f->hash, "K99", u, &f->err), 0);

	assert_int_equal(audit_backcheck_draw(f->s, &o, &a, &e), 0);
	assert_int_equal(a.eligible, 14);
	assert_int_equal(a.skipped, 1);
	/* e1: ceil(0.25 * 10) = 3; e2: ceil(0.75) = 1, raised to 2; e3: its 1 */
	assert_int_equal(a.n, 6);
	for (i = 0; i < a.n; i++)
		per[a.rows[i].enumerator[1] - '1']++;
	assert_int_equal(per[0], 3);
	assert_int_equal(per[1], 2);
	assert_int_equal(per[2], 1);
	for (i = 1; i < a.n; i++)
		assert_true(strcmp(a.rows[i - 1].household_key, a.rows[i].household_key) != 0);
	assert_int_equal(audit_backcheck_draw(f->s, &o, &b, &e), 0);
	assert_int_equal(b.n, a.n);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(a.rows[i].household_key, b.rows[i].household_key);
		assert_string_equal(a.rows[i].interview, b.rows[i].interview);
	}
	audit_backcheck_release(&a);
	audit_backcheck_release(&b);
	o.rate = 0;
	assert_int_equal(audit_backcheck_draw(f->s, &o, &a, &e), -1);
	assert_non_null(strstr(error_msg(&e, LANG_EN), "rate"));
	error_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paradata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_and_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_errors, setup, teardown),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test_setup_teardown(test_backcheck, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
