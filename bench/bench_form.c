/*
 * bench_form — load+validate time of XLSForms: the largest form of the
 * conformance folder, the bundled household questionnaire, and generated
 * forms of 600 and 2,000 questions (built in memory: two languages, groups,
 * a repeat, selects, constraints, relevance and calculations referencing
 * earlier fields). Prints the best and median of repeated loads.
 */
#include "ruhu/form.h"
#include "ruhu/strbuf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Loads `src` `reps` times; prints best and median. Returns 0 when it loads. */
static int bench(const char *what, const char *name, const char *src, size_t len, int reps)
{
	double *t = calloc((size_t)reps, sizeof(double));
	struct form_stats st = {0};
	int i, rc = 0;

	if (!t)
		return -1;
	for (i = 0; i < reps; i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f = NULL;
		double t0 = now_ms();

		if (form_load_buffer(name, src, len, FORM_SYNTAX_AUTO, &f, &dl) < 0) {
			size_t k;

			fprintf(stderr, "%s: does not load (%zu errors)\n", what, dl.errors);
			for (k = 0; k < dl.n && k < 5; k++)
				fprintf(stderr, "  %s: %s\n", dl.items[k].e.where, dl.items[k].e.en);
			rc = -1;
			diag_list_free(&dl);
			break;
		}
		t[i] = now_ms() - t0;
		form_stats(f, &st);
		form_free(f);
		diag_list_free(&dl);
	}
	if (!rc) {
		qsort(t, (size_t)reps, sizeof(double), cmp_double);
		printf("%-44s %6zu bytes %5zu questions: best %7.3f ms, median %7.3f ms (%d loads)\n",
		       what, len, st.questions, t[0], t[reps / 2], reps);
	}
	free(t);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t got;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, got);
	if (ferror(fp)) {
		fclose(fp);
		strbuf_release(&sb);
		return NULL;
	}
	fclose(fp);
	return strbuf_detach(&sb, len);
}

/* A realistic generated questionnaire of `nq` questions (every fifth row is a
 * calculate, which is not a question). */
static void generate(struct strbuf *sb, int nq)
{
	int i, l, c, rows = nq + nq / 4;

	strbuf_addstr(sb, "survey,,,,,,,,,,\n"
			  ",type,name,label::中文 (zh),label::English (en),hint::中文 (zh),"
			  "required,relevant,constraint,constraint_message::中文 (zh),calculation,"
			  "repeat_count\n");
	strbuf_addstr(sb, ",integer,members,家庭人口,Household members,,yes,,. > 0 and . < 30,"
			  "人数不合理,,\n");
	for (i = 0; i < rows; i++) {
		if (i % 25 == 0)
			strbuf_addf(sb, ",begin group,g%d,第 %d 部分,Part %d,,,,,,,\n", i, i / 25,
				    i / 25);
		if (i == rows / 2)
			strbuf_addstr(sb, ",begin repeat,person,成员,Member,,,,,,,${members}\n");
		switch (i % 5) {
		case 0:
			strbuf_addf(sb,
				    ",integer,q%d,问题 %d：年收入（元）,Question %d: income,"
				    "请填整数,yes,,. >= 0 and . < 10000000,金额不合理,,\n",
				    i, i, i);
			break;
		case 1:
			strbuf_addf(sb,
				    ",select_one l%d,q%d,问题 %d：是否,Question %d: yes or no,,"
				    "yes,${q%d} > 0,,,,\n",
				    i % 40, i, i, i, i - 1);
			break;
		case 2:
			strbuf_addf(sb,
				    ",text,q%d,问题 %d：说明,Question %d: details,,,"
				    "\"selected(${q%d}, 'c1')\",string-length(.) < 200,太长,,\n",
				    i, i, i, i - 1);
			break;
		case 3:
			strbuf_addf(sb,
				    ",calculate,q%d,,,,,,,,\"if(${q%d} > 1000, ${q%d} div 12, 0)\",\n", i,
				    i - 3, i - 3);
			break;
		default:
			strbuf_addf(sb,
				    ",select_multiple l%d,q%d,问题 %d：多选,Question %d: pick any,,,"
				    "${q%d} != 0,count-selected(.) <= 3,最多选三项,,\n",
				    i % 40, i, i, i, i - 1);
		}
		if (i == rows / 2 + 10)
			strbuf_addstr(sb, ",end repeat,,,,,,,,,,\n");
		if (i % 25 == 24 || i == rows - 1)
			strbuf_addstr(sb, ",end group,,,,,,,,,,\n");
	}
	strbuf_addstr(sb, "choices,,,,\n,list_name,name,label::中文 (zh),label::English (en)\n");
	for (l = 0; l < 40; l++)
		for (c = 0; c < 6; c++)
			strbuf_addf(sb, ",l%d,c%d,选项 %d,Choice %d\n", l, c, c, c);
	strbuf_addstr(sb, "settings,,,\n,form_title,form_id,version,default_language\n"
			  ",生成的问卷,generated,1,中文 (zh)\n");
}

int main(void)
{
	const char *conf = getenv("RUHU_CONFORMANCE");
	const char *srcdir = getenv("RUHU_SOURCE");
	struct strbuf path = STRBUF_INIT, gen = STRBUF_INIT;
	char *largest = NULL, *data;
	size_t largest_len = 0, len;
	int failed = 0;

	if (conf) {
		DIR *d;
		struct dirent *de;

		strbuf_addf(&path, "%s/xlsforms", conf);
		d = opendir(path.buf);
		while (d && (de = readdir(d)) != NULL) {
			const char *dot = strrchr(de->d_name, '.');
			struct strbuf p = STRBUF_INIT;

			if (!dot || (strcmp(dot, ".csv") && strcmp(dot, ".md")))
				continue;
			strbuf_addf(&p, "%s/%s", path.buf, de->d_name);
			data = slurp(p.buf, &len);
			if (data && len > largest_len) {
				free(largest);
				largest = data;
				largest_len = len;
				strbuf_reset(&path);
				strbuf_addf(&path, "%s/xlsforms", conf);
				strbuf_release(&gen);
				strbuf_addstr(&gen, de->d_name);
			} else {
				free(data);
			}
			strbuf_release(&p);
		}
		if (d)
			closedir(d);
		if (largest) {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "conformance %s", gen.buf);
			failed |= bench(what.buf, gen.buf, largest, largest_len, 200) < 0;
			strbuf_release(&what);
		}
		free(largest);
	}
	if (srcdir) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/forms/household.csv", srcdir);
		data = slurp(path.buf, &len);
		if (data)
			failed |= bench("forms/household.csv", "household.csv", data, len, 200) < 0;
		free(data);
	}
	strbuf_release(&gen);
	generate(&gen, 600);
	failed |= bench("generated, 600 questions", "gen600.csv", gen.buf, gen.len, 100) < 0;
	strbuf_release(&gen);
	generate(&gen, 2000);
	failed |= bench("generated, 2000 questions", "gen2000.csv", gen.buf, gen.len, 50) < 0;
	strbuf_release(&gen);
	strbuf_release(&path);
	return failed;
}
