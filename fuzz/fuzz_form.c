/*
 * fuzz_form — libFuzzer target for the XLSForm loader (src/form).
 *
 * The first input byte picks the syntax: bit 0 clear — pyxform CSV, read in
 * one piece through form_load_buffer(); set — markdown tables. Bit 1 set also
 * re-reads a CSV input through the streaming reader in chunks of (byte >> 2)
 * + 1 bytes and checks it builds the same model. A loaded form is walked in
 * full (every text in every language, every choice) so ASan sees any
 * overread; a refused form must have reported at least one error.
 */
#include "form_internal.h"
#include "ruhu/form.h"
#include "xlsform_csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct form *f)
{
	size_t sum = 0, i, j, l;

	for (i = 0; i < form_node_count(f); i++) {
		const struct form_node *n = form_node(f, i);

		for (l = 0; l < form_lang_count(f); l++) {
			const char *t = form_text(f, n->label, l);

			sum += t ? strlen(t) : 0;
			t = form_text(f, n->hint, l);
			sum += t ? strlen(t) : 0;
		}
		sum += strlen(n->type_name) + (n->name ? strlen(n->name) : 0);
		if (n->end <= n->index || (size_t)n->end > form_node_count(f))
			abort();
		if (n->name && form_find(f, n->name) < 0)
			abort();
	}
	for (i = 0; i < form_list_count(f); i++) {
		const struct form_list *li = form_list(f, i);

		for (j = 0; j < li->n; j++) {
			size_t k;

			sum += strlen(li->choices[j].name);
			for (k = 0; k < li->n_extra; k++)
				sum += strlen(li->choices[j].extra[k]);
		}
	}
	for (l = 0; l < form_lang_count(f); l++)
		sum += strlen(form_lang_name(f, l)) + strlen(form_lang_code(f, l));
	sum += strlen(form_title(f)) + strlen(form_id(f)) + strlen(form_hash(f));
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	const char *src;
	uint8_t mode;
	int rc;

	if (size < 1)
		return 0;
	mode = data[0];
	src = (const char *)data + 1;
	size--;
	rc = form_load_buffer((mode & 1) ? "fuzz.md" : "fuzz.csv", src, size,
			      (mode & 1) ? FORM_SYNTAX_MD : FORM_SYNTAX_CSV, &f, &dl);
	if ((rc == 0) != (f != NULL) || (rc < 0 && dl.errors == 0))
		abort();
	if (f)
		(void)walk(f);
	if (f && !(mode & 1) && (mode & 2)) {
		/* the same input in chunks must give the same model */
		struct xlsform_csv *r = xlsform_csv_new("fuzz.csv");
		struct diag_list dl2 = DIAG_LIST_INIT;
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		struct workbook *wb = NULL;
		struct form *g = NULL;
		size_t chunk = (size_t)(mode >> 2) + 1, off;

		for (off = 0; off < size; off += chunk)
			xlsform_csv_feed(r, src + off, size - off < chunk ? size - off : chunk);
		if (xlsform_csv_finish(r, &wb, &dl2) < 0 || form_build(wb, src, size, &g, &dl2) < 0)
			abort();
		form_dump(f, &a);
		form_dump(g, &b);
		if (strcmp(a.buf, b.buf))
			abort();
		strbuf_release(&a);
		strbuf_release(&b);
		form_free(g);
		diag_list_free(&dl2);
		xlsform_csv_free(r);
	}
	form_free(f);
	diag_list_free(&dl);
	return 0;
}
