/*
 * app — the screens' model: forms of the database and the open interview,
 * with the engine and the store kept in step (see app.h).
 *
 * Order of every change: engine first (it validates), then one store call
 * (one durable transaction that also records the new position). When the
 * store fails, the session is rebuilt from the store, which is the truth, so
 * the screen never shows an answer that is not on disk.
 */
#include "app.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

static int navigated(struct ui_app *app, struct error *err);

/* The position to store: NULL (keep the last one) past the last question. */
static const char *pos(struct ui_app *app)
{
	const char *p = interview_position(app->iv);

	return p && *p ? p : NULL;
}

static enum store_special to_store(enum interview_special sp)
{
	switch (sp) {
	case IV_DONT_KNOW: return STORE_SPECIAL_DONT_KNOW;
	case IV_REFUSED: return STORE_SPECIAL_REFUSED;
	default: return STORE_SPECIAL_NONE;
	}
}

static enum interview_special to_iv(enum store_special sp)
{
	switch (sp) {
	case STORE_SPECIAL_DONT_KNOW: return IV_DONT_KNOW;
	case STORE_SPECIAL_REFUSED: return IV_REFUSED;
	default: return IV_SPECIAL_NONE;
	}
}

static enum form_syntax sniff(const char *src, size_t len)
{
	size_t i = 0;

	while (i < len && (src[i] == ' ' || src[i] == '\n' || src[i] == '\r' || src[i] == '\t'))
		i++;
	return i < len && (src[i] == '|' || src[i] == '#') ? FORM_SYNTAX_MD : FORM_SYNTAX_CSV;
}

int app_load_forms(struct ui_app *app, struct error *err)
{
	struct store_form_info *info = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (store_form_list(app->store, &info, &n, err) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f = NULL;
		char *src = NULL;
		size_t len = 0;
		const char *name = *info[i].form_id ? info[i].form_id : info[i].hash;

		if (store_form_source(app->store, info[i].hash, &src, &len, err) < 0)
			goto done;
		if (form_load_buffer(name, src, len, sniff(src, len), &f, &dl) < 0) {
			size_t k;
			for (k = 0; k < dl.n && dl.items[k].severity != DIAG_ERROR; k++)
				;
			if (k < dl.n)
				error_set(err, dl.items[k].e.where, "%1$s", "%2$s", dl.items[k].e.zh,
					  dl.items[k].e.en);
			else
				error_set(err, name, "表单无法加载", "the form does not load");
			diag_list_free(&dl);
			free(src);
			goto done;
		}
		diag_list_free(&dl);
		free(src);
		XGROW(app->forms, app->capforms, app->nforms + 1);
		app->forms[app->nforms].hash = xstrdup(info[i].hash);
		app->forms[app->nforms].form = f;
		app->nforms++;
	}
	/* the first stored form is the default for new interviews */
	app->cur_form = 0;
	ret = 0;
done:
	store_form_info_free(info, n);
	return ret;
}

void app_free(struct ui_app *app)
{
	size_t i;

	app_session_close(app);
	for (i = 0; i < app->nforms; i++) {
		free(app->forms[i].hash);
		form_free(app->forms[i].form);
	}
	free(app->forms);
	app->forms = NULL;
	app->nforms = app->capforms = 0;
}

size_t app_form_lang(const struct ui_app *app, const struct form *f)
{
	(void)app;
	return form_lang_for(f, i18n_lang() == LANG_ZH ? "zh" : "en");
}

const struct form *app_form_by_hash(const struct ui_app *app, const char *hash)
{
	size_t i;

	for (i = 0; i < app->nforms; i++)
		if (!strcmp(app->forms[i].hash, hash))
			return app->forms[i].form;
	return NULL;
}

void app_session_close(struct ui_app *app)
{
	if (app->iv && app->uuid[0])
		store_event_log(app->store, app->uuid, "close", interview_position(app->iv), NULL,
				NULL, NULL, NULL);
	interview_free(app->iv);
	app->iv = NULL;
	free(app->household);
	app->household = NULL;
	app->uuid[0] = 0;
	app->form = NULL;
	app->saved = false;
}

static int make_engine(struct ui_app *app, const struct form *f, struct interview **out,
		       struct error *err)
{
	struct interview_opts o = {0};

	o.deviceid = store_device_id(app->store);
	o.username = store_enumerator_get(app->store);
	o.lang = i18n_lang() == LANG_ZH ? "zh" : "en";
	return interview_new(f, &o, out, err);
}

/* Builds the engine from the store's copy of the interview. */
static int load(struct ui_app *app, const char *uuid, struct error *err)
{
	struct store_loaded *l = NULL;
	struct interview *iv = NULL;
	const struct form *f;
	size_t i;
	int ret = -1;

	if (store_interview_load(app->store, uuid, &l, err) < 0)
		goto done;
	f = app_form_by_hash(app, l->iv.form_hash);
	if (!f) {
		error_set(err, uuid, "访问所用的表单不在数据库中", "the form of this interview is not in the database");
		goto done;
	}
	if (make_engine(app, f, &iv, err) < 0)
		goto done;
	for (i = 0; i < l->n_answers; i++) {
		const struct store_answer *a = &l->answers[i];
		if (interview_restore(iv, a->path, a->value, to_iv(a->special), err) < 0)
			goto done;
	}
	if (l->iv.position && *l->iv.position)
		interview_jump(iv, l->iv.position, NULL);
	interview_free(app->iv);
	app->iv = iv;
	iv = NULL;
	app->form = f;
	memcpy(app->uuid, l->iv.uuid, sizeof(app->uuid));
	free(app->household);
	app->household = xstrdup(l->iv.household_key);
	ret = 0;
done:
	interview_free(iv);
	store_loaded_free(l);
	return ret;
}

int app_session_open(struct ui_app *app, const char *uuid, struct error *err)
{
	struct store_interview row = {0};
	int ret = -1;

	app_session_close(app);
	if (store_interview_get(app->store, uuid, &row, err) < 0)
		goto done;
	/* a completed or rejected interview is reopened to be changed */
	if (row.status == STORE_COMPLETED || row.status == STORE_REJECTED)
		if (store_interview_reopen(app->store, uuid, err) < 0)
			goto done;
	if (load(app, uuid, err) < 0)
		goto done;
	store_event_log(app->store, app->uuid, "open", interview_position(app->iv), NULL, NULL,
			NULL, NULL);
	ret = 0;
done:
	store_interview_release(&row);
	return ret;
}

struct put_ctx {
	struct ui_app *app;
	struct error *err;
};

static int put_answer(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct put_ctx *c = ud;

	return store_answer_put(c->app->store, c->app->uuid, path, sp ? NULL : value, to_store(sp),
				NULL, c->err);
}

/* Writes every answer the engine holds (preloads, metadata, end time) in one
 * transaction; unchanged answers write nothing. */
static int save_all(struct ui_app *app, struct error *err)
{
	struct put_ctx c = {app, err};

	if (store_tx_begin(app->store, err) < 0)
		return -1;
	if (interview_answers(app->iv, put_answer, &c) != 0) {
		store_tx_rollback(app->store, NULL);
		return -1;
	}
	return store_tx_commit(app->store, err);
}

int app_session_new(struct ui_app *app, const char *household, struct error *err)
{
	struct store_field *pre = NULL;
	size_t npre = 0, i;
	const char **names = NULL, **values = NULL;
	char **vals_own = NULL;
	size_t nown = 0;
	const struct form *f;
	int ret = -1;

	app_session_close(app);
	if (!app->nforms) {
		error_set(err, NULL, "数据库中没有表单", "the database holds no form");
		return -1;
	}
	f = app->forms[app->cur_form].form;
	if (make_engine(app, f, &app->iv, err) < 0)
		goto done;
	app->form = f;
	if (household) {
		/* the sample's own columns and its preload fields, by field name */
		struct store_assignment_row *row = NULL;
		size_t k = 0;

		if (store_assignment_get(app->store, household, &row, err) < 0)
			goto done;
		if (store_assignment_preload(app->store, household, &pre, &npre, err) < 0) {
			store_assignment_rows_free(row, 1);
			goto done;
		}
		names = xcalloc(npre + 8, sizeof(*names));
		values = xcalloc(npre + 8, sizeof(*values));
		vals_own = xcalloc(8, sizeof(char *));
#define STD(field)                                                                                 \
	if (row->field) {                                                                          \
		names[k] = #field;                                                                 \
		values[k] = vals_own[nown++] = xstrdup(row->field);                                \
		k++;                                                                               \
	}
		STD(household_key)
		STD(county)
		STD(township)
		STD(village)
		STD(household_type)
		STD(head_name)
#undef STD
		store_assignment_rows_free(row, 1);
		for (i = 0; i < npre; i++, k++) {
			names[k] = pre[i].name;
			values[k] = pre[i].value;
		}
		if (interview_preload(app->iv, names, values, k, err) < 0)
			goto done;
	}
	if (store_interview_new(app->store, app->forms[app->cur_form].hash, household, app->uuid,
				err) < 0)
		goto done;
	app->household = xstrdup(household);
	if (save_all(app, err) < 0)
		goto done;
	if (pos(app))
		store_interview_navigate(app->store, app->uuid, pos(app), NULL);
	ret = 0;
done:
	free(names);
	free(values);
	for (i = 0; i < nown; i++)
		free(vals_own[i]);
	free(vals_own);
	store_fields_free(pre, npre);
	if (ret < 0) {
		interview_free(app->iv);
		app->iv = NULL;
		app->uuid[0] = 0;
	}
	return ret;
}

/* After a store failure: the store is the truth, rebuild the engine from it. */
static int store_failed(struct ui_app *app)
{
	char uuid[STORE_ID_LEN + 1];

	memcpy(uuid, app->uuid, sizeof(uuid));
	app->saved = false;
	load(app, uuid, NULL);
	return -1;
}

/*
 * A member of a roster (a repeat without repeat_count) is opened from the
 * roster screen; when "next" leaves that member, the enumerator goes back to
 * the roster list rather than on to the next member or past the roster.
 * `old` is the path before the move.
 */
static void roster_return(struct ui_app *app, const char *old)
{
	const char *slash = strrchr(old, '/'), *br, *name;
	const struct form_node *n;
	struct strbuf inst = STRBUF_INIT, rep = STRBUF_INIT;
	int idx;

	if (!slash || slash == old || slash[-1] != ']')
		return;
	strbuf_add(&inst, old, (size_t)(slash - old + 1)); /* "rep[1]/rep2[3]/" */
	br = strrchr(inst.buf, '[');
	strbuf_add(&rep, inst.buf, (size_t)(br - inst.buf)); /* "rep[1]/rep2" */
	name = strrchr(rep.buf, '/');
	name = name ? name + 1 : rep.buf;
	idx = form_find(app->form, name);
	if (idx >= 0) {
		n = form_node(app->form, (size_t)idx);
		if (n->type == FORM_REPEAT && !n->repeat_count.e &&
		    strncmp(interview_position(app->iv), inst.buf, inst.len))
			interview_jump(app->iv, rep.buf, NULL);
	}
	strbuf_release(&inst);
	strbuf_release(&rep);
}

int app_roster_done(struct ui_app *app, struct error *err)
{
	struct interview_item it;
	const struct form *f = app->form;
	char *from;
	size_t k, count = form_node_count(f);
	int ret = -1;

	interview_current(app->iv, &it);
	if (it.kind != IV_ITEM_ROSTER)
		return app_next(app, err);
	from = xstrdup(it.path);
	/* the first thing after the roster that the enumerator can be taken to */
	for (k = (size_t)it.node->end; k < count; k++) {
		const struct form_node *n = form_node(f, k);
		char *p;

		switch (n->type) {
		case FORM_CALCULATE: case FORM_HIDDEN: case FORM_START: case FORM_END:
		case FORM_TODAY: case FORM_DEVICEID: case FORM_USERNAME: case FORM_AUDIT:
			continue;
		default:
			break;
		}
		p = app_path_of(app, n, from);
		if (p && interview_jump(app->iv, p, NULL) == 0) {
			free(p);
			ret = navigated(app, err);
			goto done;
		}
		free(p);
	}
	/* nothing relevant after it: the end */
	while (interview_next(app->iv, NULL) == 0) {
		interview_current(app->iv, &it);
		if (it.kind == IV_ITEM_END)
			break;
	}
	ret = navigated(app, err);
done:
	free(from);
	return ret;
}

int app_answer(struct ui_app *app, const char *value, struct error *err)
{
	struct interview_item it;
	const char *old = NULL;
	enum interview_special oldsp = IV_SPECIAL_NONE;
	char *path = NULL;
	int r, ret = -1;

	interview_current(app->iv, &it);
	if (it.kind != IV_ITEM_QUESTION && it.kind != IV_ITEM_OTHER)
		return app_next(app, err);
	path = xstrdup(it.path);
	interview_get(app->iv, path, &old, &oldsp);
	if (!*value && !old && !oldsp) {
		free(path);
		return app_next(app, err); /* nothing to save; required is checked there */
	}
	if (!oldsp && old && !strcmp(old, value)) {
		free(path);
		return app_next(app, err);
	}
	if (interview_set(app->iv, path, value, err) < 0)
		goto done;
	/* an empty required answer is refused by next: stay, but it is saved */
	if (interview_next(app->iv, NULL) == 0)
		roster_return(app, path);
	if (*value)
		r = store_answer_put(app->store, app->uuid, path, value, STORE_SPECIAL_NONE,
				     pos(app), err);
	else
		r = store_answer_clear(app->store, app->uuid, path, pos(app), err);
	if (r < 0) {
		store_failed(app);
		goto done;
	}
	app->saved = true;
	ret = 0;
done:
	free(path);
	return ret;
}

int app_special(struct ui_app *app, enum interview_special sp, struct error *err)
{
	struct interview_item it;
	char *path;
	int ret = -1;

	interview_current(app->iv, &it);
	if (it.kind != IV_ITEM_QUESTION && it.kind != IV_ITEM_OTHER) {
		error_set(err, NULL, "这里不能回答“不知道/拒绝回答”",
			  "don't know / refused cannot be given here");
		return -1;
	}
	path = xstrdup(it.path);
	if (interview_set_special(app->iv, path, sp, err) < 0)
		goto done;
	if (interview_next(app->iv, NULL) == 0)
		roster_return(app, path);
	if (store_answer_put(app->store, app->uuid, path, NULL, to_store(sp), pos(app), err) < 0) {
		store_failed(app);
		goto done;
	}
	app->saved = true;
	ret = 0;
done:
	free(path);
	return ret;
}

static int navigated(struct ui_app *app, struct error *err)
{
	if (!pos(app))
		return 0; /* past the last question: the last position stays */
	if (store_interview_navigate(app->store, app->uuid, pos(app), err) < 0)
		return store_failed(app);
	return 0;
}

int app_next(struct ui_app *app, struct error *err)
{
	char *old = xstrdup(interview_position(app->iv));

	if (interview_next(app->iv, err) < 0) {
		free(old);
		return -1;
	}
	roster_return(app, old);
	free(old);
	return navigated(app, err);
}

int app_prev(struct ui_app *app, struct error *err)
{
	if (interview_prev(app->iv) < 0) {
		error_set(err, NULL, "已经是第一题", "this is the first question");
		return -1;
	}
	return navigated(app, err);
}

int app_jump(struct ui_app *app, const char *path, struct error *err)
{
	if (interview_jump(app->iv, path, err) < 0)
		return -1;
	return navigated(app, err);
}

int app_repeat_add(struct ui_app *app, const char *repeat, int *index, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int idx = 0, ret = -1;

	if (interview_repeat_add(app->iv, repeat, &idx, err) < 0)
		goto done;
	strbuf_addf(&sb, "%s[%d]", repeat, idx);
	if (store_answer_put(app->store, app->uuid, sb.buf, NULL, STORE_SPECIAL_NONE, NULL, err) <
	    0) {
		store_failed(app);
		goto done;
	}
	if (index)
		*index = idx;
	app->saved = true;
	ret = 0;
done:
	strbuf_release(&sb);
	return ret;
}

int app_repeat_delete(struct ui_app *app, const char *repeat, int index, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&sb, "%s[%d]", repeat, index);
	if (interview_repeat_delete(app->iv, sb.buf, err) < 0)
		goto done;
	if (store_repeat_delete(app->store, app->uuid, repeat, index, pos(app), err) < 0) {
		store_failed(app);
		goto done;
	}
	app->saved = true;
	ret = 0;
done:
	strbuf_release(&sb);
	return ret;
}

int app_comment(struct ui_app *app, const char *path, const char *text, struct error *err)
{
	if (store_comment_add(app->store, app->uuid, path, NULL, text, err) < 0)
		return -1;
	app->saved = true;
	return 0;
}

int app_complete(struct ui_app *app, struct error *err)
{
	if (interview_complete(app->iv, err) < 0)
		return -1;
	if (save_all(app, err) < 0 || store_interview_complete(app->store, app->uuid, err) < 0) {
		store_failed(app);
		return -1;
	}
	app->saved = true;
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

char *app_path_of(struct ui_app *app, const struct form_node *n, const char *from)
{
	const struct form *f = app->form;
	int chain[32];
	int nc = 0, r, i;
	struct strbuf sb = STRBUF_INIT;

	/* the repeats around n, innermost first (n itself excluded) */
	r = n->type == FORM_REPEAT ? (n->parent >= 0 ? form_node(f, (size_t)n->parent)->repeat : -1)
				   : n->repeat;
	while (r >= 0 && nc < 32) {
		const struct form_node *rn = form_node(f, (size_t)r);
		chain[nc++] = r;
		r = rn->parent >= 0 ? form_node(f, (size_t)rn->parent)->repeat : -1;
	}
	for (i = nc - 1; i >= 0; i--) {
		const char *name = form_node(f, (size_t)chain[i])->name;
		size_t len = strlen(name);
		const char *p = from ? from : "";
		const char *hit = NULL;

		/* find "name[" at a segment start in `from` */
		while (*p) {
			if (!strncmp(p, name, len) && p[len] == '[') {
				hit = p + len;
				break;
			}
			p = strchr(p, '/');
			if (!p)
				break;
			p++;
		}
		if (!hit) {
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_add(&sb, name, len);
		strbuf_add(&sb, hit, strcspn(hit, "/"));
		strbuf_addch(&sb, '/');
	}
	strbuf_addstr(&sb, n->name);
	return strbuf_detach(&sb, NULL);
}

char *app_value_text(struct ui_app *app, const struct form_node *n, const char *value,
		     enum interview_special sp)
{
	const struct form *f = app->form;
	size_t lang = app_form_lang(app, f);
	struct strbuf sb = STRBUF_INIT;

	if (sp == IV_DONT_KNOW)
		return xstrdup(T_("不知道", "don't know"));
	if (sp == IV_REFUSED)
		return xstrdup(T_("拒绝回答", "refused"));
	if (!value)
		return xstrdup("");
	if ((n->type == FORM_SELECT_ONE || n->type == FORM_SELECT_MULTIPLE) && n->list >= 0) {
		const struct form_list *l = form_list(f, (size_t)n->list);
		const char *p = value;

		while (*p) {
			size_t len = strcspn(p, " ");
			size_t k;
			const char *label = NULL;

			for (k = 0; k < l->n; k++)
				if (strlen(l->choices[k].name) == len &&
				    !strncmp(l->choices[k].name, p, len))
					label = form_text(f, l->choices[k].label, lang);
			if (len) {
				if (sb.len)
					strbuf_addstr(&sb, T_("、", ", "));
				if (label)
					strbuf_addstr(&sb, label);
				else
					strbuf_add(&sb, p, len);
			}
			p += len;
			while (*p == ' ')
				p++;
		}
		return strbuf_detach(&sb, NULL);
	}
	return xstrdup(value);
}

char *app_text(struct ui_app *app, struct form_text t, const char *path)
{
	const struct form *f = app->form;
	const char *s = f ? form_text(f, t, app_form_lang(app, f)) : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (!s)
		return xstrdup("");
	while (*s) {
		const char *open = strstr(s, "${");
		const char *close;
		char *name, *p;
		int idx;

		if (!open || !(close = strchr(open + 2, '}'))) {
			strbuf_addstr(&sb, s);
			break;
		}
		strbuf_add(&sb, s, (size_t)(open - s));
		name = xstrndup(open + 2, (size_t)(close - open - 2));
		idx = form_find(f, name);
		if (idx >= 0 && app->iv) {
			const struct form_node *n = form_node(f, (size_t)idx);
			p = app_path_of(app, n, path);
			if (p) {
				const char *v = NULL;
				enum interview_special sp = IV_SPECIAL_NONE;
				if (interview_get(app->iv, p, &v, &sp) == 0) {
					char *txt = app_value_text(app, n, v, sp);
					strbuf_addstr(&sb, txt);
					free(txt);
				}
				free(p);
			}
		}
		free(name);
		s = close + 1;
	}
	return strbuf_detach(&sb, NULL);
}
