/*
 * test_sample — `ruhu sample` through the core (issue 17):
 *  - the Chongqing 2021 plan on a synthetic province of 33 districts, 2,000
 *    villages and 600,000 households: every district's minimum met, every
 *    monitored household of a chosen village in the field sample, the phone
 *    sample within [phone_min, phone_max] per district and disjoint from
 *    the field sample, field weights summing to the frame's stratum (and
 *    district) totals, phone weights to the phone population, the files
 *    byte-identical across two draws and readable by the user only, and
 *    each enumerator's villages whole;
 *  - inclusion frequencies over a fixed list of 400 seeds against the
 *    stated probabilities, for PPS and SRS village selection (a binomial
 *    bound per household and a chi-square over the random villages);
 *  - plan errors, table-driven: each case edits one line of a valid plan
 *    and names the sheet:row the message must carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/sample_plan.h"
#include "sample_impl.h"
#include "synth_frame.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = 0;
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static struct sample_plan *plan_file(const char *rel)
{
	char path[1024];
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample_plan *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", test_source_dir(), rel);
	if (sample_plan_load(path, &p, &dl) < 0)
		for (size_t i = 0; i < dl.n; i++)
			fprintf(stderr, "%s: %s\n", dl.items[i].e.where, dl.items[i].e.en);
	assert_non_null(p);
	diag_list_free(&dl);
	return p;
}

static char *frame_text(const struct sample_plan *p, size_t hh, size_t villages,
			const char *const *names, size_t n_names, uint64_t seed, size_t *len)
{
	struct synth_frame_opts o = {hh, villages, names, n_names, seed};
	struct error err = ERROR_INIT;
	const char *cn[64];
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	if (!names) {
		for (o.n_counties = 0; o.n_counties < 64 && sample_plan_county(p, o.n_counties);
		     o.n_counties++)
			cn[o.n_counties] = sample_plan_county(p, o.n_counties);
		o.counties = cn;
	}
	assert_non_null(fp);
	assert_int_equal(synth_frame_write(&o, fp, &err), 0);
	fclose(fp);
	return buf;
}

/* ---- the Chongqing plan on 600,000 households ------------------------------- */

static void test_chongqing_province(void **state)
{
	struct sample_plan *p = plan_file("forms/plans/chongqing_2021.csv");
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample_frame *f = NULL;
	struct sample_draw *d = NULL, *d2 = NULL;
	size_t len, i, c, n;
	char *text = frame_text(p, 600000, 2000, NULL, 0, 2021, &len);
	char dir1[] = "/tmp/ruhu-sample-XXXXXX", dir2[] = "/tmp/ruhu-sample-XXXXXX";
	unsigned char *infield, *vsel;
	double *wsum_c, *wpop_c;
	size_t *nf_c, *np_c, *pop_c, *jiance_missing;
	static const char *const files[] = {"field.csv", "phone.csv", "workload.csv", "summary.csv"};

	(void)state;
	assert_int_equal(sample_frame_load_buffer("frame.csv", text, len, p, &f, &dl), 0);
	assert_int_equal(sample_frame_count(f), 600000);
	assert_int_equal(f->n_counties, 33);
	assert_int_equal(f->n_villages, 2000);
	assert_int_equal(sample_draw(p, f, 17, &d, &dl), 0);

	infield = calloc(f->n, 1);
	vsel = calloc(f->n_villages, 1);
	wsum_c = calloc(f->n_counties, sizeof(double));
	wpop_c = calloc(f->n_counties, sizeof(double));
	nf_c = calloc(f->n_counties, sizeof(size_t));
	np_c = calloc(f->n_counties, sizeof(size_t));
	pop_c = calloc(f->n_counties, sizeof(size_t));
	jiance_missing = calloc(f->n_counties, sizeof(size_t));
	n = sample_draw_count(d, SAMPLE_FIELD);
	for (i = 0; i < n; i++) {
		const struct sample_unit *u = sample_draw_unit(d, SAMPLE_FIELD, i);
		size_t v = f->hh[u->frame].village;

		assert_int_equal(infield[u->frame], 0); /* no household twice */
		infield[u->frame] = 1;
		vsel[v] = 1;
		c = f->villages[v].county;
		nf_c[c]++;
		wsum_c[c] += u->weight;
		assert_true(u->prob > 0 && u->prob <= 1);
		assert_true(u->weight >= 1 - 1e-9);
		assert_non_null(u->enumerator);
		assert_string_equal(u->stratum, p->counties[f->counties[c].plan_row].stratum);
	}
	/* every monitored household of a chosen village is in the field sample */
	for (i = 0; i < f->n; i++) {
		c = f->villages[f->hh[i].village].county;
		if (vsel[f->hh[i].village] && !strcmp(p->types[f->hh[i].type].type, "jiance") &&
		    !infield[i])
			jiance_missing[c]++;
		if (p->types[f->hh[i].type].phone)
			pop_c[c]++;
	}
	for (i = 0; i < sample_draw_count(d, SAMPLE_PHONE); i++) {
		const struct sample_unit *u = sample_draw_unit(d, SAMPLE_PHONE, i);

		c = f->villages[f->hh[u->frame].village].county;
		assert_int_equal(infield[u->frame], 0); /* disjoint from the field sample */
		assert_true(p->types[f->hh[u->frame].type].phone);
		np_c[c]++;
		wpop_c[c] += u->weight;
	}
	for (c = 0; c < f->n_counties; c++) {
		const struct plan_county *pc = &p->counties[f->counties[c].plan_row];
		size_t expect = (size_t)ceil(0.01 * (double)pop_c[c] - 1e-9);

		assert_true((double)nf_c[c] >= pc->min);
		assert_int_equal(jiance_missing[c], 0);
		assert_true(np_c[c] >= 200 && np_c[c] <= 1000);
		if (expect < 200)
			expect = 200;
		if (expect > 1000)
			expect = 1000;
		assert_int_equal(np_c[c], expect);
		assert_true(fabs(wsum_c[c] - (double)f->counties[c].households) <
			    1e-6 * (double)f->counties[c].households);
		assert_true(fabs(wpop_c[c] - (double)pop_c[c]) < 1e-6 * (double)pop_c[c]);
	}
	/* stratum totals: 一类 and 二类 */
	for (i = 0; i < 2; i++) {
		const char *st = i ? "二类" : "一类";
		double w = 0, frame_n = 0;

		for (c = 0; c < f->n_counties; c++)
			if (!strcmp(p->counties[f->counties[c].plan_row].stratum, st)) {
				w += wsum_c[c];
				frame_n += (double)f->counties[c].households;
			}
		assert_true(frame_n > 0);
		assert_true(fabs(w - frame_n) < 1e-6 * frame_n);
	}
	/* an enumerator's villages are whole: one enumerator per village */
	{
		const char **who = calloc(f->n_villages, sizeof(*who));

		for (i = 0; i < n; i++) {
			const struct sample_unit *u = sample_draw_unit(d, SAMPLE_FIELD, i);
			size_t v = f->hh[u->frame].village;

			if (!who[v])
				who[v] = u->enumerator;
			assert_ptr_equal(who[v], u->enumerator);
		}
		free(who);
	}

	/* byte-identical files across two draws, each 0600 */
	assert_non_null(mkdtemp(dir1));
	assert_non_null(mkdtemp(dir2));
	assert_int_equal(sample_draw(p, f, 17, &d2, &dl), 0);
	assert_int_equal(sample_draw_write(d, dir1, NULL), 0);
	assert_int_equal(sample_draw_write(d2, dir2, NULL), 0);
	for (i = 0; i < 4; i++) {
		char a[256], b[256];
		size_t la, lb;
		char *x, *y;
		struct stat st;

		snprintf(a, sizeof(a), "%s/%s", dir1, files[i]);
		snprintf(b, sizeof(b), "%s/%s", dir2, files[i]);
		x = slurp(a, &la);
		y = slurp(b, &lb);
		assert_int_equal(la, lb);
		assert_memory_equal(x, y, la);
		assert_int_equal(stat(a, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		free(x);
		free(y);
		unlink(a);
		unlink(b);
	}
	rmdir(dir1);
	rmdir(dir2);
	assert_int_equal(dl.errors, 0);

	free(infield);
	free(vsel);
	free(wsum_c);
	free(wpop_c);
	free(nf_c);
	free(np_c);
	free(pop_c);
	free(jiance_missing);
	sample_draw_free(d);
	sample_draw_free(d2);
	sample_frame_free(f);
	sample_plan_free(p);
	free(text);
	diag_list_free(&dl);
}

/* ---- inclusion frequencies vs stated probabilities -------------------------- */

static const char small_plan[] =
	"settings\n"
	",name::中文 (zh),name::English (en),stratum_column,random_method\n"
	",测试,test,stratum,%s\n"
	"params\n"
	",name,value,source\n"
	",purposive_share,%s,test\n"
	",confidence,0.95,test\n"
	",phone_share,0.05,test\n"
	",phone_min,10,test\n"
	",phone_max,40,test\n"
	",households_per_enumerator_day,10,test\n"
	",field_days,10,test\n"
	",call_attempts,3,test\n"
	"strata\n"
	",stratum,county,min_households,source\n"
	",s,*,%s,test\n"
	"households\n"
	",household_type,per_village,phone,source\n"
	",tuopin,4,yes,test\n"
	",jiance,all,yes,test\n"
	",yiban,2,no,test\n"
	"rank\n"
	",column,order,source\n"
	",lifted_2020,desc,test\n";

static void inclusion_check(const char *method, const char *share, const char *min)
{
	char text[2048];
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample_plan *p = NULL;
	struct sample_frame *f = NULL;
	static const char *const names[] = {"甲县"};
	size_t len, i, s, R = 400;
	char *ft;
	unsigned *hits, *vhits;
	double *prob, *vprob, chi = 0;
	size_t df = 0;

	snprintf(text, sizeof(text), small_plan, method, share, min);
	assert_int_equal(sample_plan_load_buffer("t.csv", text, strlen(text), &p, &dl), 0);
	ft = frame_text(p, 2400, 24, names, 1, 5, &len);
	assert_int_equal(sample_frame_load_buffer("f.csv", ft, len, p, &f, &dl), 0);
	hits = calloc(f->n, sizeof(*hits));
	vhits = calloc(f->n_villages, sizeof(*vhits));
	prob = calloc(f->n, sizeof(*prob));
	vprob = calloc(f->n_villages, sizeof(*vprob));
	for (s = 0; s < R; s++) {
		struct sample_draw *d = NULL;
		unsigned char *vs = calloc(f->n_villages, 1);

		/* a fixed seed list: the test is deterministic */
		assert_int_equal(sample_draw(p, f, 1000003u * s + 11, &d, &dl), 0);
		for (i = 0; i < f->n; i++) {
			double q = sample_draw_field_prob(d, i);

			if (s == 0)
				prob[i] = q;
			assert_true(q == prob[i]); /* the design does not depend on the seed */
		}
		for (i = 0; i < sample_draw_count(d, SAMPLE_FIELD); i++) {
			const struct sample_unit *u = sample_draw_unit(d, SAMPLE_FIELD, i);

			hits[u->frame]++;
			assert_true(u->prob == prob[u->frame]);
			if (!strcmp(u->reason, "random"))
				vs[f->hh[u->frame].village] = 1;
		}
		for (i = 0; i < f->n_villages; i++)
			vhits[i] += vs[i];
		free(vs);
		sample_draw_free(d);
	}
	/* per household: |hits - Rπ| within 4.5 binomial standard deviations
	 * (one in 150,000 by chance); π = 0 and 1 exactly */
	for (i = 0; i < f->n; i++) {
		double e = (double)R * prob[i], sd = sqrt(e * (1 - prob[i]));

		if (prob[i] == 0 || prob[i] == 1)
			assert_true(hits[i] == (unsigned)e);
		else if (fabs((double)hits[i] - e) > 4.5 * sd + 0.5) {
			fprintf(stderr, "household %zu: %u hits, expected %.1f\n", i, hits[i], e);
			fail();
		}
	}
	/* per random village: its probability is the first household's of a
	 * take-all type divided by ... simpler: the village's hits against π_v,
	 * where π_v = max over its households of π / (n_t / N_t) */
	for (i = 0; i < f->n_villages; i++) {
		const struct frame_village *v = &f->villages[i];
		size_t hh = f->by_village[v->first];
		int t = f->hh[hh].type;
		long take = p->types[t].per_village;
		double q = take < 0 || (size_t)take >= v->count[t]
				   ? 1
				   : (double)take / (double)v->count[t];

		vprob[i] = prob[hh] / q;
		if (vprob[i] > 0 && vprob[i] < 1) {
			double e = (double)R * vprob[i];

			chi += ((double)vhits[i] - e) * ((double)vhits[i] - e) / (e * (1 - vprob[i]));
			df++;
		}
	}
	assert_true(df > 5);
	/* chi-square with df degrees of freedom: mean df, sd sqrt(2 df) */
	if (chi > (double)df + 5 * sqrt(2.0 * (double)df)) {
		fprintf(stderr, "chi-square %.1f with %zu degrees of freedom\n", chi, df);
		fail();
	}
	free(hits);
	free(vhits);
	free(prob);
	free(vprob);
	free(ft);
	sample_frame_free(f);
	sample_plan_free(p);
	diag_list_free(&dl);
}

static void test_inclusion_pps(void **state)
{
	(void)state;
	inclusion_check("pps", "0.25", "150");
}

static void test_inclusion_srs(void **state)
{
	(void)state;
	inclusion_check("srs", "0.5", "120");
}

/* ---- plan errors ---------------------------------------------------------------- */

static void test_plan_errors(void **state)
{
	static const struct {
		const char *from, *to; /* one edit of the valid plan */
		const char *where, *msg;
	} cases[] = {
		{",purposive_share,0.25,test", ",purposive_share,-0.5,test", "t.csv:params:6",
		 "param 'purposive_share': value -0.5 out of range (0 to 1)"},
		{",phone_min,10,test", ",phone_min,10,", "t.csv:params:9",
		 "param 'phone_min' has no source"},
		{",phone_max,40,test\n", "", "t.csv:params", "missing param 'phone_max'"},
		{",s,*,150,test", ",s,*,0,test", "t.csv:strata:16",
		 "min_households must be a whole number of at least 1, not '0'"},
		{",tuopin,4,yes,test", ",tuopin,-4,yes,test", "t.csv:households:19",
		 "per_village must be a whole number of at least 0 or all, not '-4'"},
		{",lifted_2020,desc,test", ",lifted_2020,up,test", "t.csv:rank:24",
		 "order must be asc or desc, not 'up'"},
		{",test,stratum,pps", ",test,stratum,cluster", "t.csv:settings:3",
		 "random_method must be srs or pps, not 'cluster'"},
		{",stratum,county,min_households,source", ",stratum,county,source", "t.csv:strata:15",
		 "missing column 'min_households'"},
		{",lifted_2020,desc,test", ",households:poor,desc,test", "t.csv:rank:24",
		 "'households:poor': no such household type in the households sheet"},
	};
	char base[2048];
	size_t k;

	(void)state;
	snprintf(base, sizeof(base), small_plan, "pps", "0.25", "150");
	{
		struct diag_list dl = DIAG_LIST_INIT;
		struct sample_plan *p = NULL;

		assert_int_equal(sample_plan_load_buffer("t.csv", base, strlen(base), &p, &dl), 0);
		sample_plan_free(p);
		diag_list_free(&dl);
	}
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct sample_plan *p = NULL;
		char text[2048], *at = strstr(base, cases[k].from);
		size_t i;
		int found = 0;

		assert_non_null(at);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - base), base, cases[k].to,
			 at + strlen(cases[k].from));
		assert_int_equal(sample_plan_load_buffer("t.csv", text, strlen(text), &p, &dl), -1);
		assert_null(p);
		for (i = 0; i < dl.n; i++)
			if (!strcmp(dl.items[i].e.where, cases[k].where) &&
			    strstr(dl.items[i].e.en, cases[k].msg))
				found = 1;
		if (!found) {
			for (i = 0; i < dl.n; i++)
				fprintf(stderr, "case %zu: %s: %s\n", k, dl.items[i].e.where,
					dl.items[i].e.en);
			fail();
		}
		diag_list_free(&dl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_inclusion_pps),
		cmocka_unit_test(test_inclusion_srs),
		cmocka_unit_test(test_chongqing_province),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
