/*
 * form_internal — what src/form's files and tests share beyond ruhu/form.h.
 */
#ifndef RUHU_FORM_INTERNAL_H
#define RUHU_FORM_INTERNAL_H

#include "ruhu/form.h"
#include "ruhu/strbuf.h"
#include "workbook.h"

/*
 * Builds and validates a form from a workbook read from `src` (the exact
 * bytes, kept by the form for form_source/form_hash). Consumes `wb` in every
 * case. Same contract as form_load_buffer() otherwise.
 */
int form_build(struct workbook *wb, const char *src, size_t len, struct form **out,
	       struct diag_list *diags);
/* form_build() reading attached files from `files` (NULL: none available). */
int form_build_files(struct workbook *wb, const char *src, size_t len,
		     const struct form_files *files, struct form **out, struct diag_list *diags);

/* Appends a complete, deterministic text dump of the model (every node field,
 * list, language and setting) to `out`; two forms with equal dumps are equal. */
void form_dump(const struct form *f, struct strbuf *out);

#endif
