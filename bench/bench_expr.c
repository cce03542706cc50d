/*
 * bench_expr — evaluations per second of typical relevant / constraint /
 * calculation expressions, and compile time of every expression cell of the
 * largest conformance forms (read with libcsv here, independent of the form
 * loader). Prints figures; never asserts on time.
 */
#include "ruhu/expr.h"
#include "ruhu/strbuf.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const names[] = {"age", "x", "a", "b", "name", "dob", NULL};
static const char *const values[] = {"12", "a c", "3.5", "", "张三丰", "1990-05-17", NULL};

static int field(void *ud, const char *name)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static int resolve(void *ud, int f, const char *name, expr_node from, expr_node *out, size_t cap)
{
	if (cap)
		out[0] = (expr_node)f + 1;
	return 1;
}

static const char *value(void *ud, expr_node n)
{
	return n ? values[n - 1] : "";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_eval(const char *src, struct expr_scratch *s)
{
	struct expr_scope scope = {NULL, field, NULL};
	struct expr_host host = {0};
	struct expr *e = NULL;
	struct error err = ERROR_INIT;
	struct expr_value v;
	double t0, t, secs;
	long n = 0, batch = 100000, i;
	int fails = 0;

	host.resolve = resolve;
	host.value = value;
	if (expr_compile(src, &scope, &e, &err) < 0) {
		printf("  %-45s compile error: %s\n", src, error_msg(&err, LANG_EN));
		error_clear(&err);
		return;
	}
	t0 = now_s();
	do {
		for (i = 0; i < batch; i++)
			fails += expr_eval(e, &host, 0, s, &v, &err) < 0;
		n += batch;
		t = now_s();
	} while (t - t0 < 0.5);
	secs = t - t0;
	printf("  %-45s %8.1f M evals/s  (%5.1f ns each)  -> %s%s\n", src, n / secs / 1e6,
	       secs / n * 1e9, expr_string(&v, &host, s, NULL), fails ? "  [errors!]" : "");
	expr_free(e);
	error_clear(&err);
}

/* ---- expression cells of a pyxform CSV workbook's survey sheet ---- */

struct cells {
	char **v;
	size_t n, cap;
	/* parser state */
	int in_survey, have_header, col;
	int expr_col[64];
	char *row[64];
	int nrow;
};

static const char *const expr_cols[] = {"relevant", "constraint", "calculation", "choice_filter",
					"repeat_count", "required", "read_only", NULL};

static void on_field(void *data, size_t len, void *ud)
{
	struct cells *c = ud;

	if (c->nrow < 64)
		c->row[c->nrow] = xstrndup(data ? data : "", len);
	c->nrow++;
}

static void on_row(int ch, void *ud)
{
	struct cells *c = ud;
	int i, k, n = c->nrow < 64 ? c->nrow : 64;

	if (n && c->row[0][0]) {
		/* a sheet starts */
		c->in_survey = !strcmp(c->row[0], "survey");
		c->have_header = 0;
		for (i = 1; i < n; i++)
			if (c->row[i][0])
				c->have_header = 1;
		if (c->have_header)
			goto header;
		goto done;
	}
	if (!c->in_survey)
		goto done;
	if (!c->have_header) {
		c->have_header = 1;
header:
		for (i = 0; i < 64; i++)
			c->expr_col[i] = 0;
		for (i = 1; i < n; i++)
			for (k = 0; expr_cols[k]; k++)
				if (!strcmp(c->row[i], expr_cols[k]))
					c->expr_col[i] = 1;
		goto done;
	}
	for (i = 1; i < n; i++) {
		const char *s = c->row[i];

		if (!c->expr_col[i] || !s[0])
			continue;
		if (!strcasecmp(s, "yes") || !strcasecmp(s, "no") || !strcasecmp(s, "true") ||
		    !strcasecmp(s, "false"))
			continue;
		XGROW(c->v, c->cap, c->n + 1);
		c->v[c->n++] = xstrdup(s);
	}
done:
	for (i = 0; i < n; i++)
		free(c->row[i]);
	c->nrow = 0;
}

static void bench_form(const char *dir, const char *file)
{
	struct strbuf path = STRBUF_INIT;
	struct cells c;
	struct csv_parser p;
	char buf[8192];
	size_t n, i;
	FILE *f;
	double t0, secs;
	long rounds = 0;
	int bad = 0;

	memset(&c, 0, sizeof(c));
	strbuf_addf(&path, "%s/xlsforms/%s", dir, file);
	f = fopen(path.buf, "rb");
	if (!f) {
		printf("  %s: cannot open\n", path.buf);
		strbuf_release(&path);
		return;
	}
	csv_init(&p, CSV_APPEND_NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		csv_parse(&p, buf, n, on_field, on_row, &c);
	fclose(f);
	csv_fini(&p, on_field, on_row, &c);
	csv_free(&p);
	for (i = 0; i < c.n; i++) {
		struct expr *e = NULL;
		struct error err = ERROR_INIT;

		if (expr_compile(c.v[i], NULL, &e, &err) < 0) {
			printf("    does not compile (col %d: %s): %s\n", err.code,
			       error_msg(&err, LANG_EN), c.v[i]);
			bad++;
		}
		expr_free(e);
		error_clear(&err);
	}
	t0 = now_s();
	do {
		for (i = 0; i < c.n; i++) {
			struct expr *e = NULL;

			expr_compile(c.v[i], NULL, &e, NULL);
			expr_free(e);
		}
		rounds++;
	} while (now_s() - t0 < 0.5);
	secs = now_s() - t0;
	printf("  %-40s %3zu expressions (%d not compiling): %.1f us for all, %.0f ns each\n", file,
	       c.n, bad, secs / rounds * 1e6, c.n ? secs / rounds / c.n * 1e9 : 0);
	for (i = 0; i < c.n; i++)
		free(c.v[i]);
	free(c.v);
	strbuf_release(&path);
}

int main(void)
{
	static const char *const exprs[] = {
		"${age} >= 6 and ${age} <= 15",
		"selected(${x}, 'a')",
		"if(${a} > 0, ${a} * 12, 0)",
		"${b} != ''",
		"string-length(${name}) <= 4",
		"regex(${name}, '^.{2,4}$')",
		"concat(${name}, '-', ${age})",
		"int((today() - date(${dob})) div 365.25)",
		"coalesce(${b}, ${a}) + 1",
		NULL,
	};
	const char *dir = getenv("RUHU_CONFORMANCE");
	struct expr_scratch *s = expr_scratch_new();
	int i;

	printf("expression evaluation (one core, CPU time of this thread; host callbacks for ${name}):\n");
	for (i = 0; exprs[i]; i++)
		bench_eval(exprs[i], s);
	expr_scratch_free(s);
	if (dir) {
		printf("compile time of the expression cells of conformance forms:\n");
		bench_form(dir, "odk_all_question_types_v2024091201.csv");
		bench_form(dir, "ucl_biomass_plot_form.csv");
		bench_form(dir, "pyxform_xlsform_spec_test.csv");
	}
	return 0;
}
