/*
 * store_form — store_form_put() for a loaded form. Kept apart from store.c so
 * that a program linking the store without forms does not pull in the form
 * loader; it only forwards the loader's bytes, hash and settings.
 */
#include "store_internal.h"

#include "ruhu/form.h"

int store_form_put(struct store *s, const struct form *f, struct error *err)
{
	const char *src;
	size_t len = 0;

	src = form_source(f, &len);
	return store_form_put_source(s, form_hash(f), form_id(f), form_version(f), form_title(f),
				     src, len, err);
}
