/*
 * error — bilingual error objects and diagnostic lists (see ruhu/error.h).
 */
#include "ruhu/error.h"

#include "ruhu/strbuf.h"

#include <stdlib.h>

void error_clear(struct error *err)
{
	if (!err)
		return;
	free(err->where);
	free(err->zh);
	free(err->en);
	err->where = err->zh = err->en = NULL;
	err->code = 0;
}

static char *vfmt(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	return strbuf_detach(&sb, NULL);
}

void error_vset(struct error *err, const char *where, const char *zh, const char *en, va_list ap)
{
	va_list cp;

	if (!err)
		return;
	error_clear(err);
	err->where = xstrdup(where);
	va_copy(cp, ap);
	err->zh = vfmt(zh, cp);
	va_end(cp);
	err->en = vfmt(en, ap);
}

void error_set(struct error *err, const char *where, const char *zh, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, where, zh, en, ap);
	va_end(ap);
}

void error_prefix(struct error *err, const char *prefix)
{
	struct strbuf sb = STRBUF_INIT;

	if (!err || !prefix)
		return;
	strbuf_addstr(&sb, prefix);
	if (err->where && *err->where) {
		strbuf_addch(&sb, ':');
		strbuf_addstr(&sb, err->where);
	}
	free(err->where);
	err->where = strbuf_detach(&sb, NULL);
}

bool error_isset(const struct error *err)
{
	return err && (err->zh || err->en);
}

const char *error_msg(const struct error *err, enum lang lang)
{
	const char *m;

	if (!err)
		return "";
	m = lang == LANG_ZH ? err->zh : err->en;
	if (!m)
		m = lang == LANG_ZH ? err->en : err->zh;
	return m ? m : "";
}

void error_move(struct error *dst, struct error *src)
{
	error_clear(dst);
	*dst = *src;
	src->where = src->zh = src->en = NULL;
	src->code = 0;
}

void error_copy(struct error *dst, const struct error *src)
{
	if (!dst)
		return;
	error_clear(dst);
	dst->where = src->where ? xstrdup(src->where) : NULL;
	dst->zh = xstrdup(error_msg(src, LANG_ZH));
	dst->en = xstrdup(error_msg(src, LANG_EN));
	dst->code = src->code;
}

void diag_vadd(struct diag_list *dl, enum diag_severity sev, const char *where, const char *zh,
	       const char *en, va_list ap)
{
	struct diag *d;

	XGROW(dl->items, dl->cap, dl->n + 1);
	d = &dl->items[dl->n++];
	d->severity = sev;
	d->e = (struct error)ERROR_INIT;
	error_vset(&d->e, where, zh, en, ap);
	if (sev == DIAG_ERROR)
		dl->errors++;
	else
		dl->warnings++;
}

void diag_add(struct diag_list *dl, enum diag_severity sev, const char *where, const char *zh,
	      const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	diag_vadd(dl, sev, where, zh, en, ap);
	va_end(ap);
}

void diag_add_error(struct diag_list *dl, enum diag_severity sev, const struct error *err)
{
	struct diag *d;

	XGROW(dl->items, dl->cap, dl->n + 1);
	d = &dl->items[dl->n++];
	d->severity = sev;
	d->e = (struct error)ERROR_INIT;
	error_copy(&d->e, err);
	if (sev == DIAG_ERROR)
		dl->errors++;
	else
		dl->warnings++;
}

void diag_list_free(struct diag_list *dl)
{
	size_t i;

	if (!dl)
		return;
	for (i = 0; i < dl->n; i++)
		error_clear(&dl->items[i].e);
	free(dl->items);
	dl->items = NULL;
	dl->n = dl->cap = dl->errors = dl->warnings = 0;
}
