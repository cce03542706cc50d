/*
 * merge_check — the content checks of a merge's verification pass
 * (include/ruhu/merge_check.h): forms loaded once per bundle, interviews
 * validated against them when their answers end, the store's value limit.
 *
 * Invariants: fl[] holds every form loaded so far, each once (fidx maps a
 * hash to its index); iv[] holds, for each interview of the bundle seen so
 * far, its form, status and uuid; interviews [0, next) are validated; va[]
 * holds the answers of interview `group` (the last that had answers) until
 * it is validated; err holds the first fault, and once it is set nothing
 * more is validated.
 */
#include "ruhu/merge_check.h"

#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/merge_target.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mc_form {
	char *hash;
	struct form *f;
};

struct mc_iv {
	size_t form;
	bool completed;
	char uuid[STORE_ID_LEN + 1];
};

struct merge_check {
	struct merge_target tg;
	struct mc_form *fl;
	size_t n_fl, cap_fl;
	struct mc_iv *iv;
	size_t n_iv, cap_iv, next;
	long group;
	struct interview_answer_in *va;
	size_t n_va, cap_va;
	struct error err;
};

/* Sets err from a message built in each language ("%.0s" consumes the other
 * language's argument, so both formats take the same arguments). */
static void set2(struct error *err, const struct strbuf *zh, const struct strbuf *en)
{
	error_set(err, NULL, "%1$s%2$.0s", "%1$.0s%2$s", zh->buf, en->buf);
}

struct merge_check *merge_check_new(const struct merge_target *tg)
{
	struct merge_check *mc = xcalloc(1, sizeof(*mc));

	mc->tg = *tg;
	mc->group = -1;
	return mc;
}

static void free_va(struct merge_check *mc)
{
	size_t i;

	for (i = 0; i < mc->n_va; i++) {
		free((char *)mc->va[i].path);
		free((char *)mc->va[i].value);
	}
	mc->n_va = 0;
}

void merge_check_free(struct merge_check *mc)
{
	size_t i;

	if (!mc)
		return;
	for (i = 0; i < mc->n_fl; i++) {
		free(mc->fl[i].hash);
		form_free(mc->fl[i].f);
	}
	free(mc->fl);
	free(mc->iv);
	free_va(mc);
	free(mc->va);
	error_clear(&mc->err);
	free(mc);
}

/* Index of form `hash` in fl[], or -1. A bundle holds a handful of forms:
 * a scan is enough. */
static long find_form(const struct merge_check *mc, const char *hash)
{
	size_t i;

	for (i = 0; i < mc->n_fl; i++)
		if (!strcmp(mc->fl[i].hash, hash))
			return (long)i;
	return -1;
}

/* Loads a form as `ruhu check` does (form_load_buffer, then the dependency
 * graph of interview_check_form); its index, or -1 with err. */
static long load_form(struct merge_check *mc, const char *hash, const char *name,
		      const char *src, size_t len, const struct store_form_file *files,
		      size_t n_files, struct error *err)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form_attachment *mem = NULL;
	struct form_files ff = {NULL, NULL, 0};
	struct form *f = NULL;
	struct error e = ERROR_INIT;
	long ret = -1;
	size_t i;

	/* with its attached files (none: as a stored form without files loads) */
	if (n_files)
		mem = xcalloc(n_files, sizeof(*mem));
	for (i = 0; i < n_files; i++) {
		mem[i].name = files[i].name;
		mem[i].data = files[i].data;
		mem[i].len = files[i].len;
	}
	ff.mem = mem;
	ff.n_mem = n_files;
	if (form_load_buffer_files(name, src, len, FORM_SYNTAX_AUTO, n_files ? &ff : NULL, &f,
				   &dl) < 0) {
		for (i = 0; i < dl.n && dl.items[i].severity != DIAG_ERROR; i++)
			;
		if (i < dl.n)
			error_copy(&e, &dl.items[i].e);
		else
			error_set(&e, NULL, "无法载入", "does not load");
	} else if (interview_check_form(f, &e) == 0) {
		XGROW(mc->fl, mc->cap_fl, mc->n_fl + 1);
		mc->fl[mc->n_fl].hash = xstrdup(hash);
		mc->fl[mc->n_fl].f = f;
		f = NULL;
		ret = (long)mc->n_fl++;
	}
	if (ret < 0) {
		struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;
		const char *w = e.where ? e.where : name;

		strbuf_addf(&zh, "表单 '%s' 未通过 `ruhu check`：%s：%s", name, w,
			    error_msg(&e, LANG_ZH));
		strbuf_addf(&en, "form '%s' does not pass `ruhu check`: %s: %s", name, w,
			    error_msg(&e, LANG_EN));
		set2(err, &zh, &en);
		strbuf_release(&zh);
		strbuf_release(&en);
	}
	error_clear(&e);
	diag_list_free(&dl);
	form_free(f);
	free(mem);
	return ret;
}

int merge_check_form(struct merge_check *mc, const char *hash, const char *form_id,
		     const char *src, size_t len, const struct store_form_file *files,
		     size_t n_files, struct error *err)
{
	if (find_form(mc, hash) >= 0)
		return 0;
	return load_form(mc, hash, form_id && *form_id ? form_id : hash, src, len, files, n_files,
			 err) < 0
		       ? -1
		       : 0;
}

int merge_check_interview(struct merge_check *mc, size_t i, const char *uuid,
			  const char *form_hash, bool completed, struct error *err)
{
	long k = find_form(mc, form_hash);
	struct mc_iv *v;

	if (k < 0) {
		struct store_form_file *files = NULL;
		char *src = NULL;
		size_t len = 0, n_files = 0;

		/* the stored form with its attached files */
		if (mc->tg.ops->form_source(mc->tg.t, form_hash, &src, &len, err) < 0)
			return -2;
		if (mc->tg.ops->form_files(mc->tg.t, form_hash, &files, &n_files, err) < 0) {
			free(src);
			return -2;
		}
		k = load_form(mc, form_hash, form_hash, src, len, files, n_files, err);
		store_form_files_free(files, n_files);
		free(src);
		if (k < 0)
			return -1;
	}
	if (i >= mc->cap_iv) {
		mc->cap_iv = i < 32 ? 64 : 2 * i;
		mc->iv = xrealloc(mc->iv, mc->cap_iv * sizeof(*mc->iv));
	}
	while (mc->n_iv <= i)
		memset(&mc->iv[mc->n_iv++], 0, sizeof(*mc->iv));
	v = &mc->iv[i];
	v->form = (size_t)k;
	v->completed = completed;
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	return 0;
}

/* Validates the interviews before `upto` not validated yet; interview
 * mc->group gets the answers in va[]. */
static void validate_upto(struct merge_check *mc, size_t upto)
{
	if (upto > mc->n_iv)
		upto = mc->n_iv;
	while (mc->next < upto) {
		size_t i = mc->next++;
		bool mine = (long)i == mc->group;
		struct error e = ERROR_INIT;

		if (!error_isset(&mc->err) &&
		    interview_validate(mc->fl[mc->iv[i].form].f, mine ? mc->va : NULL,
				       mine ? mc->n_va : 0, mc->iv[i].completed, &e) < 0) {
			struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

			strbuf_addf(&zh, "访谈 '%s'", mc->iv[i].uuid);
			strbuf_addf(&en, "interview '%s'", mc->iv[i].uuid);
			if (e.where) {
				strbuf_addf(&zh, "，题目 '%s'", e.where);
				strbuf_addf(&en, ", field '%s'", e.where);
			}
			strbuf_addf(&zh, "：%s", error_msg(&e, LANG_ZH));
			strbuf_addf(&en, ": %s", error_msg(&e, LANG_EN));
			set2(&mc->err, &zh, &en);
			strbuf_release(&zh);
			strbuf_release(&en);
		}
		error_clear(&e);
		if (mine)
			free_va(mc);
	}
}

void merge_check_answer(struct merge_check *mc, size_t i, const char *path, const char *value,
			int special)
{
	if ((long)i != mc->group) {
		validate_upto(mc, i); /* the previous group is complete */
		free_va(mc);
		mc->group = (long)i;
	}
	XGROW(mc->va, mc->cap_va, mc->n_va + 1);
	mc->va[mc->n_va].path = xstrdup(path);
	mc->va[mc->n_va].value = value ? xstrdup(value) : NULL;
	mc->va[mc->n_va].special = (enum interview_special)special;
	mc->n_va++;
}

int merge_check_finish(struct merge_check *mc, struct error *err)
{
	validate_upto(mc, mc->n_iv);
	if (!error_isset(&mc->err))
		return 0;
	error_move(err, &mc->err);
	return -1;
}

int merge_check_value(const char *name, const char *v, struct error *err)
{
	size_t n = v ? strlen(v) : 0;

	if (n <= STORE_VALUE_MAX)
		return 0;
	error_set(err, NULL, "'%s' 的值过长：%zu 字节（上限 %zu 字节）",
		  "value of '%s' too long: %zu bytes (limit %zu bytes)", name ? name : "", n,
		  STORE_VALUE_MAX);
	return -1;
}
