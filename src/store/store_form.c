/*
 * store_form — the store's functions that see a loaded form: store_form_put()
 * (a form with its attached files) and store_form_load() (a stored form back,
 * with its files). Kept apart from store.c so that a program linking the
 * store without forms does not pull in the form loader; it only forwards the
 * loader's bytes, hash, settings and files, and holds no SQL of its own.
 */
#include "store_internal.h"

#include "ruhu/form.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>

int store_form_put(struct store *s, const struct form *f, struct error *err)
{
	struct store_form_file *files = NULL;
	size_t i, n = form_attachment_count(f), len = 0;
	const char *src;
	int ret;

	if (n)
		files = xcalloc(n, sizeof(*files));
	for (i = 0; i < n; i++) {
		struct form_attachment a;

		if (form_attachment_get(f, i, &a, NULL) < 0)
			abort(); /* i < form_attachment_count() */
		files[i].name = a.name;
		files[i].data = a.data;
		files[i].len = a.len;
	}
	src = form_source(f, &len);
	ret = store_form_put_files(s, form_hash(f), form_id(f), form_version(f), form_title(f),
				   src, len, files, n, err);
	free(files);
	return ret;
}

int store_form_load(struct store *s, const char *hash, const char *name, struct form **out,
		    struct diag_list *diags, struct error *err)
{
	struct store_form_file *sf = NULL;
	struct form_attachment *mem = NULL;
	struct form_files files = {NULL, NULL, 0};
	char *src = NULL;
	size_t len = 0, n = 0, i;
	int ret;

	*out = NULL;
	ret = store_form_source(s, hash, &src, &len, err);
	if (ret < 0)
		goto done;
	ret = store_form_files(s, hash, &sf, &n, err);
	if (ret < 0)
		goto done;
	if (n)
		mem = xcalloc(n, sizeof(*mem));
	for (i = 0; i < n; i++) {
		mem[i].name = sf[i].name;
		mem[i].data = sf[i].data;
		mem[i].len = sf[i].len;
	}
	files.mem = mem;
	files.n_mem = n;
	/* a form stored without files loads as form_load_buffer() loads it */
	if (form_load_buffer_files(name ? name : hash, src, len, FORM_SYNTAX_AUTO,
				   n ? &files : NULL, out, diags) < 0) {
		size_t k;

		for (k = 0; k < diags->n && diags->items[k].severity != DIAG_ERROR; k++)
			;
		if (k < diags->n)
			error_copy(err, &diags->items[k].e);
		else
			error_set(err, name ? name : hash, "表单无法加载", "the form does not load");
		if (err)
			err->code = STORE_E_INVALID;
		ret = -STORE_E_INVALID;
	}
done:
	free(mem);
	store_form_files_free(sf, n);
	free(src);
	return ret;
}
