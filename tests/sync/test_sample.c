/*
 * test_sample — the sample file reader behind `ruhu assign`: a good file with
 * preload columns, and files with bad rows refused whole with one exact
 * message per problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/sample.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/ruhu-sample-XXXXXX";

static void put(const char *text)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* All diagnostics as "WHERE: en" lines, with the temp path shown as F. */
static char *diags(const struct diag_list *dl)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, pl = strlen(path);

	for (i = 0; i < dl->n; i++) {
		const char *w = dl->items[i].e.where ? dl->items[i].e.where : "";

		if (!strncmp(w, path, pl))
			strbuf_addf(&sb, "F%s: %s\n", w + pl, dl->items[i].e.en);
		else
			strbuf_addf(&sb, "%s: %s\n", w, dl->items[i].e.en);
	}
	return strbuf_detach(&sb, NULL);
}

static const char header[] =
	"household_key,county,township,village,household_type,head_name,enumerator,device,"
	"last_income\n";

static void test_good(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = NULL;
	struct strbuf t = STRBUF_INIT;

	strbuf_addstr(&t, "\xef\xbb\xbf"); /* a BOM, as Excel writes */
	strbuf_addstr(&t, header);
	strbuf_addstr(&t, "HH1,qs,qs_sm,qs_sm_01,tuopin,杨文富,张敏,dev-01,9650\n"
			  "HH2,qs,qs_sm,qs_sm_01,jiance,\"李, 正华\",张敏,,\n");
	put(t.buf);
	assert_int_equal(sample_load(path, &s, &dl), 0);
	assert_int_equal(dl.n, 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->a[0].household_key, "HH1");
	assert_string_equal(s->a[0].head_name, "杨文富");
	assert_int_equal(s->a[0].n_preload, 1);
	assert_string_equal(s->a[0].preload[0].name, "last_income");
	assert_string_equal(s->a[0].preload[0].value, "9650");
	assert_string_equal(s->a[1].head_name, "李, 正华");
	assert_null(s->a[1].device);
	assert_int_equal(s->a[1].n_preload, 0);
	assert_int_equal(s->row[1], 3);
	sample_free(s);
	strbuf_release(&t);
}

/* No preload columns at all (found by fuzz_sample: no pointer arithmetic on
 * an empty field list). */
static void test_no_preload(void **state)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = NULL;

	put("household_key,county,township,village,household_type,head_name,enumerator,device\n"
	    "HH1,a,b,c,d,e,f,g\n");
	assert_int_equal(sample_load(path, &s, &dl), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->a[0].n_preload, 0);
	assert_null(s->a[0].preload);
	sample_free(s);
}

static void expect(const char *text, const char *want)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = (struct sample *)1;
	char *got;

	put(text);
	assert_int_equal(sample_load(path, &s, &dl), -1);
	assert_null(s);
	got = diags(&dl);
	assert_string_equal(got, want);
	free(got);
	diag_list_free(&dl);
}

static void test_bad(void **state)
{
	struct strbuf t = STRBUF_INIT;

	strbuf_addstr(&t, header);
	strbuf_addstr(&t, "HH1,qs,qs_sm,qs_sm_01,tuopin,杨文富,张敏,dev-01,9650\n"
			  ",qs,qs_sm,qs_sm_01,tuopin,李,张敏,dev-01,1\n"
			  "HH3,qs,qs_sm\n"
			  "HH1,qs,qs_sm,qs_sm_01,tuopin,王,张敏,dev-01,2\n"
			  "HH5,qs,qs_sm,qs_sm_01,tuopin,\xff\xfe,张敏,dev-01,2\n");
	expect(t.buf, "F:3: empty household_key\n"
		      "F:4: 3 fields, the header has 9 columns\n"
		      "F:6: column 6 is not valid UTF-8 text\n"
		      "F:5: household_key 'HH1' repeated (first on row 2)\n");
	expect("household_key,county,county\nHH1,a,b\n",
	       "F:1: column 'county' repeated\n"
	       "F:1: missing column 'township'\n"
	       "F:1: missing column 'village'\n"
	       "F:1: missing column 'household_type'\n"
	       "F:1: missing column 'head_name'\n"
	       "F:1: missing column 'enumerator'\n"
	       "F:1: missing column 'device'\n");
	expect(header, "F: sample file has no rows\n");
	strbuf_reset(&t);
	strbuf_addstr(&t, header);
	strbuf_addstr(&t, "HH1,qs,\"qs_sm,qs_sm_01,tuopin,x,y,z,1\n");
	expect(t.buf, "F:2: malformed CSV (unclosed quote)\n");
	strbuf_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_no_preload),
		cmocka_unit_test(test_bad),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
