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

/* D11: rows are named by the physical line they start on (blank lines and
 * quoted line breaks counted), with the record number when it differs; the
 * duplicate-key message names lines too. */
static void test_lines(void **state)
{
	struct strbuf t = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = NULL;

	strbuf_addstr(&t, header);
	strbuf_addstr(&t, "\n"
			  "HH1,qs,qs_sm,qs_sm_01,tuopin,\"杨\n文富\",张敏,dev-01,9650\n"
			  "\r\n   \n"
			  "HH2,qs\n"
			  "HH1,qs,qs_sm,qs_sm_01,tuopin,王,张敏,dev-01,2\n");
	expect(t.buf, "F:3: value of column 'head_name' holds a line break (record 2)\n"
		      "F:7: 2 fields, the header has 9 columns (record 3)\n");
	/* CR line ends (old spreadsheets) count as lines */
	strbuf_reset(&t);
	strbuf_addstr(&t, "household_key,county,township,village,household_type,head_name,"
			  "enumerator,device\r"
			  "HH1,a,b,c,d,e,f,g\r\r"
			  "HH1,a,b,c,d,e,f,g\r");
	expect(t.buf, "F:4: household_key 'HH1' repeated (first on row 2)\n");
	/* an accepted row knows its line */
	strbuf_reset(&t);
	strbuf_addstr(&t, "\n\nhousehold_key,county,township,village,household_type,head_name,"
			  "enumerator,device,note\n\n"
			  "HH1,a,b,c,d,e,f,g,\"x\"\n");
	put(t.buf);
	assert_int_equal(sample_load(path, &s, &dl), 0);
	assert_int_equal(s->row[0], 5);
	sample_free(s);
	diag_list_free(&dl);
	strbuf_release(&t);
}

/* D14: a UTF-16 sample (as "Unicode text" from a spreadsheet) is named as
 * such, with or without its byte order mark. */
static void test_utf16(void **state)
{
	static const char le_bom[] = "\xff\xfeh\0o\0u\0s\0e\0";
	static const char le[] = "h\0o\0u\0s\0e\0";
	static const char be[] = "\0h\0o\0u\0s\0e";
	const char *const v[] = {le_bom, le, be};
	const size_t len[] = {sizeof(le_bom) - 1, sizeof(le) - 1, sizeof(be) - 1};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct sample *s = NULL;
		FILE *fp = fopen(path, "wb");
		char *got;

		assert_non_null(fp);
		assert_int_equal(fwrite(v[i], 1, len[i], fp), len[i]);
		assert_int_equal(fclose(fp), 0);
		assert_int_equal(sample_load(path, &s, &dl), -1);
		got = diags(&dl);
		assert_string_equal(got, "F: the file is UTF-16 text: save it as UTF-8 (CSV UTF-8)\n");
		free(got);
		diag_list_free(&dl);
	}
}

/* D12: a header of many columns is checked in one sort (not pairwise), and
 * past SAMPLE_MAX_COLUMNS the file is refused at the row that overflows. */
static void test_columns(void **state)
{
	struct strbuf t = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *s = NULL;
	char *got, want[128];
	size_t i;

	strbuf_addstr(&t, "household_key,county,township,village,household_type,head_name,"
			  "enumerator,device");
	for (i = 8; i < SAMPLE_MAX_COLUMNS; i++)
		strbuf_addf(&t, ",p%zu", i);
	strbuf_addstr(&t, "\nHH1,a,b,c,d,e,f,g");
	for (i = 8; i < SAMPLE_MAX_COLUMNS; i++)
		strbuf_addstr(&t, i == 9 ? ",v" : ",");
	strbuf_addstr(&t, "\n");
	put(t.buf);
	assert_int_equal(sample_load(path, &s, &dl), 0);
	assert_int_equal(s->a[0].n_preload, 1);
	assert_string_equal(s->a[0].preload[0].name, "p9");
	sample_free(s);
	/* the same name twice among thousands: reported once, at the header */
	strbuf_reset(&t);
	strbuf_addstr(&t, "household_key,county,township,village,household_type,head_name,"
			  "enumerator,device");
	for (i = 8; i < SAMPLE_MAX_COLUMNS; i++)
		strbuf_addf(&t, ",p%zu", i == 1500 ? (size_t)17 : i);
	strbuf_addstr(&t, "\n");
	expect(t.buf, "F:1: column 'p17' repeated\n");
	/* one column too many */
	strbuf_reset(&t);
	strbuf_addstr(&t, "household_key,county,township,village,household_type,head_name,"
			  "enumerator,device\n\nHH1");
	for (i = 1; i <= SAMPLE_MAX_COLUMNS; i++)
		strbuf_addstr(&t, ",");
	strbuf_addstr(&t, "\n");
	snprintf(want, sizeof(want), "F:3: more than %d columns in this row (record 2)\n",
		 SAMPLE_MAX_COLUMNS);
	put(t.buf);
	assert_int_equal(sample_load(path, &s, &dl), -1);
	got = diags(&dl);
	assert_string_equal(got, want);
	free(got);
	diag_list_free(&dl);
	strbuf_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_no_preload),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_columns),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
