/*
 * The streaming CSV reader gives the same form model (and the same errors)
 * whatever the size of the chunks its input arrives in, as libcsv's own
 * test_csv.c does: small inputs are re-read at every chunk size 1..N, the
 * conformance CSV forms at sizes 1..64 and a spread of larger ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "form_internal.h"
#include "xlsform_csv.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model dump, or the diagnostics when the form is refused. */
static char *read_chunked(const char *name, const char *data, size_t len, size_t chunk)
{
	struct xlsform_csv *r = xlsform_csv_new(name);
	struct diag_list dl = DIAG_LIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct workbook *wb = NULL;
	struct form *f = NULL;
	size_t off, i;

	for (off = 0; off < len; off += chunk)
		xlsform_csv_feed(r, data + off, len - off < chunk ? len - off : chunk);
	if (xlsform_csv_finish(r, &wb, &dl) == 0 && form_build(wb, data, len, &f, &dl) == 0)
		form_dump(f, &out);
	for (i = 0; i < dl.n; i++)
		strbuf_addf(&out, "%s %s: %s\n", dl.items[i].severity == DIAG_ERROR ? "E" : "W",
			    dl.items[i].e.where, dl.items[i].e.en);
	form_free(f);
	diag_list_free(&dl);
	xlsform_csv_free(r);
	return strbuf_detach(&out, NULL);
}

static void check_sizes(const char *name, const char *data, size_t len, size_t max_every)
{
	char *ref = read_chunked(name, data, len, len ? len : 1);
	size_t cs;

	assert_true(strlen(ref) > 0);
	for (cs = 1; cs <= len; cs++) {
		char *got;

		if (cs > max_every && cs % 97 && cs != len - 1 && cs != len / 2)
			continue;
		got = read_chunked(name, data, len, cs);
		if (strcmp(got, ref)) {
			fprintf(stderr, "%s: chunk size %zu differs\n--- whole\n%s--- chunked\n%s",
				name, cs, ref, got);
			free(got);
			free(ref);
			fail();
		}
		free(got);
	}
	free(ref);
}

static const char *const samples[] = {
	/* BOM, CRLF, blank lines, quoted commas, doubled quotes, newlines, CJK */
	"\xEF\xBB\xBF"
	"survey,,,\r\n"
	",type,name,label::中文 (zh),label::English (en)\r\n"
	"\r\n"
	",note,intro,\"欢迎，\"\"入户\"\"调查,\r\n第二行\",\"Welcome\"\r\n"
	",integer,age,\"年龄, 周岁\",Age\r\n"
	",select_one yn,ok,好吗？,OK?\r\n"
	"choices,,,\r\n"
	",list_name,name,label::中文 (zh),label::English (en)\r\n"
	",yn,yes,是,Yes\r\n"
	",yn,no,否,No",
	/* LF only, header on the sheet row, trailing newline */
	"survey,type,name,label\n,text,a,\"multi\nline\nlabel\"\n,integer,b,B\n\n\n"
	"settings,form_title,form_id\n,标题,fid\n",
	/* a bare BOM-like prefix that is not a BOM */
	"\xEF\xBB"
	"x\n",
	/* errors must come out the same too */
	"survey\n,type,name,label\n,intger,a,\"A\nB\"\n,text,a,A\n",
	"survey\n,type,name,label\n,text,a,\"never closed\n,text,b,B\n",
	"survey\n,type,name,label\n,text,a,A\n,text,b,\"B\"x\n",
};

static void test_samples_every_size(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_sizes("t.csv", samples[i], strlen(samples[i]), (size_t)-1);
}

static char *slurp(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t got;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, got);
	assert_false(ferror(fp));
	fclose(fp);
	return strbuf_detach(&sb, len);
}

static void test_conformance_forms(void **state)
{
	const char *base = *state;
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int n = 0;

	strbuf_addf(&dir, "%s/xlsforms", base);
	d = opendir(dir.buf);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		const char *dot = strrchr(de->d_name, '.');
		size_t len;
		char *data;

		if (!dot || strcmp(dot, ".csv"))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, de->d_name);
		data = slurp(path.buf, &len);
		check_sizes(de->d_name, data, len, 64);
		free(data);
		n++;
	}
	closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
	assert_true(n > 0);
}

int main(void)
{
	const char *conf = test_conformance_dir();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_every_size),
		cmocka_unit_test_prestate(test_conformance_forms, (void *)conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
