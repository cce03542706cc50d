/*
 * fuzz_attach — libFuzzer target for attached CSV files (src/form): the
 * input is the bytes of `villages.csv`, attached to a fixed form that reads
 * it every way a form can — select_one_from_file and
 * select_multiple_from_file with a choice_filter over its `county` column,
 * instance() and pulldata(). A loaded form is walked (every choice, label
 * and extra cell) and interviewed (the filtered choices, pulldata()'s value)
 * so ASan sees any overread; a refused form must have reported an error.
 */
#include "ruhu/form.h"
#include "ruhu/interview.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char form_src[] =
	"survey,type,name,label::中文 (zh),label::English (en),choice_filter,calculation\n"
	",text,county,县,County,,\n"
	",select_one_from_file villages.csv,village,村,Village,county = ${county},\n"
	",select_multiple_from_file villages.csv,visited,去过,Visited,,\n"
	",calculate,pop,,,,\"pulldata('villages', 'pop', 'name', ${village})\"\n"
	",calculate,n,,,,\"count(instance('villages')/root/item[county = ${county}])\"\n";

static int ignore(void *ud, const char *path, const char *value)
{
	*(size_t *)ud += strlen(path) + strlen(value);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_attachment a = {"villages.csv", (const char *)data, size};
	struct form_files files = {NULL, &a, 1};
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	struct interview *iv = NULL;
	struct error err = ERROR_INIT;
	size_t *ch = NULL, n = 0, sum = 0, i, j, k, l;
	int rc;

	rc = form_load_buffer_files("fuzz.csv", form_src, strlen(form_src), FORM_SYNTAX_CSV, &files,
				    &f, &dl);
	if ((rc == 0) != (f != NULL) || (rc < 0 && dl.errors == 0))
		abort();
	if (!f)
		goto done;
	for (i = 0; i < form_list_count(f); i++) {
		const struct form_list *li = form_list(f, i);

		for (j = 0; j < li->n; j++) {
			sum += strlen(li->choices[j].name);
			for (k = 0; k < li->n_extra; k++)
				sum += strlen(li->choices[j].extra[k]);
			for (l = 0; l < form_lang_count(f); l++) {
				const char *t = form_text(f, li->choices[j].label, l);

				sum += t ? strlen(t) : 0;
			}
		}
	}
	if (interview_new(f, NULL, &iv, &err) < 0)
		abort();
	for (i = 0; i < 2; i++) {
		const char *county = i ? "c1" : "";

		(void)interview_set(iv, "county", county, &err);
		error_clear(&err);
		if (interview_choices(iv, "village", &ch, &n) < 0)
			abort();
		if (n)
			(void)interview_set(iv, "village",
					    form_list(f, (size_t)form_node(f, 1)->list)->choices[ch[0]].name,
					    &err);
		error_clear(&err);
		free(ch);
		ch = NULL;
		(void)interview_record(iv, ignore, &sum);
	}
done:
	interview_free(iv);
	form_free(f);
	diag_list_free(&dl);
	error_clear(&err);
	return sum == (size_t)-1;
}
