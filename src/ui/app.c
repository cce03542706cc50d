/*
 * app — the screens' model: forms of the database and the open interview,
 * with the engine and the store kept in step (see app.h).
 *
 * Every change goes through the engine's session (interview_session_*),
 * which validates it in the engine, commits it to the store in one durable
 * transaction with its event and position, and puts the engine back when the
 * store fails; so a change returning 0 is on disk, and the screens draw only
 * after it returned.
 */
#include "app.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

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
		const char *name = *info[i].form_id ? info[i].form_id : info[i].hash;
		int rc;

		/* with its attached files: its select_one_from_file lists */
		rc = store_form_load(app->store, info[i].hash, name, &f, &dl, err);
		diag_list_free(&dl);
		if (rc < 0)
			goto done;
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
	free(app->notes);
	app->notes = NULL;
	app->capnotes = 0;
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
	if (app->ss)
		store_event_log(app->store, app->uuid, "close", interview_position(app->iv), NULL,
				NULL, NULL, NULL);
	interview_session_close(app->ss);
	app->ss = NULL;
	app->iv = NULL;
	free(app->household);
	app->household = NULL;
	app->uuid[0] = 0;
	app->form = NULL;
	app->saved = false;
	free(app->counted_pending);
	app->counted_pending = NULL;
	for (size_t i = 0; i < app->nnotes; i++) {
		free(app->notes[i].path);
		free(app->notes[i].text);
		free(app->notes[i].author);
	}
	app->nnotes = 0;
}

static int keep_note(void *ctx, const struct store_comment *c)
{
	struct ui_app *app = ctx;
	struct app_note *n;

	if (!c->path || !c->device || !strcmp(c->device, store_device_id(app->store)))
		return 0;
	XGROW(app->notes, app->capnotes, app->nnotes + 1);
	n = &app->notes[app->nnotes++];
	n->path = xstrdup(c->path);
	n->text = xstrdup(c->text);
	n->author = xstrdup(c->author);
	return 0;
}

char *app_note_text(const struct app_note *n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s", T_("组长批注：", "team leader's note: "), n->text);
	if (n->author)
		strbuf_addf(&sb, " (%s)", n->author);
	return strbuf_detach(&sb, NULL);
}

static void opts_for(struct ui_app *app, struct interview_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->deviceid = store_device_id(app->store);
	o->username = store_enumerator_get(app->store);
	o->lang = i18n_lang() == LANG_ZH ? "zh" : "en";
}

static void adopt(struct ui_app *app, struct interview_session *ss, const struct form *f,
		  const char *household)
{
	app->ss = ss;
	app->iv = interview_session_interview(ss);
	app->form = f;
	memcpy(app->uuid, interview_session_uuid(ss), sizeof(app->uuid) - 1);
	app->uuid[sizeof(app->uuid) - 1] = 0;
	free(app->household);
	app->household = xstrdup(household);
}

int app_session_open(struct ui_app *app, const char *uuid, struct error *err)
{
	struct store_interview row = {0};
	struct interview_session *ss = NULL;
	struct interview_opts o;
	const struct form *f;
	int ret = -1;

	app_session_close(app);
	if (store_interview_get(app->store, uuid, &row, err) < 0)
		goto done;
	f = app_form_by_hash(app, row.form_hash);
	if (!f) {
		error_set(err, uuid, "访问所用的表单不在数据库中",
			  "the form of this interview is not in the database");
		goto done;
	}
	/* a completed or rejected interview is reopened (recorded) to be changed */
	if ((row.status == STORE_COMPLETED || row.status == STORE_REJECTED) &&
	    store_interview_reopen(app->store, uuid, err) < 0)
		goto done;
	opts_for(app, &o);
	if (interview_session_open(app->store, f, uuid, &o, &ss, err) < 0)
		goto done;
	adopt(app, ss, f, row.household_key);
	if (store_comments_each(app->store, uuid, keep_note, app, err) < 0) {
		app_session_close(app);
		goto done;
	}
	ret = 0;
done:
	store_interview_release(&row);
	return ret;
}

int app_session_new(struct ui_app *app, const char *household, struct error *err)
{
	struct interview_session *ss = NULL;
	struct interview_opts o;
	const struct form *f;

	app_session_close(app);
	if (!app->nforms) {
		error_set(err, NULL, "数据库中没有表单", "the database holds no form");
		return -1;
	}
	f = app->forms[app->cur_form].form;
	opts_for(app, &o);
	if (interview_session_start(app->store, f, household, &o, &ss, err) < 0)
		return -1;
	adopt(app, ss, f, household);
	return 0;
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
			interview_session_jump(app->ss, rep.buf, NULL);
	}
	strbuf_release(&inst);
	strbuf_release(&rep);
}

const struct form_node *app_path_instance(struct ui_app *app, const char *path,
					  struct strbuf *rep, int *index)
{
	const char *seg = path, *slash, *last = NULL, *lastend = NULL;
	const char *br;
	struct strbuf name = STRBUF_INIT;
	const struct form_node *n = NULL;
	int k;

	/* the last segment "name[k]" followed by a '/' */
	while ((slash = strchr(seg, '/')) != NULL) {
		br = memchr(seg, '[', (size_t)(slash - seg));
		if (br && slash[-1] == ']') {
			last = seg;
			lastend = slash;
		}
		seg = slash + 1;
	}
	if (!last)
		return NULL;
	br = memchr(last, '[', (size_t)(lastend - last));
	strbuf_add(&name, last, (size_t)(br - last));
	k = form_find(app->form, name.buf);
	if (k >= 0 && form_node(app->form, (size_t)k)->type == FORM_REPEAT) {
		n = form_node(app->form, (size_t)k);
		strbuf_reset(rep);
		strbuf_add(rep, path, (size_t)(br - path));
		*index = atoi(br + 1);
	}
	strbuf_release(&name);
	return n;
}

/*
 * After a forward move from `old`: when the move entered a member of a
 * repeat_count roster from outside it, or left one, the roster list of that
 * repeat is due (app->counted_pending).
 */
static void counted_check(struct ui_app *app, const char *old)
{
	const char *now = interview_position(app->iv);
	struct strbuf rep = STRBUF_INIT, inst = STRBUF_INIT;
	const struct form_node *n;
	int idx = 0;

	n = app_path_instance(app, now, &rep, &idx);
	if (n && n->repeat_count.e) {
		strbuf_addf(&inst, "%s[%d]/", rep.buf, idx);
		if (strncmp(old, inst.buf, inst.len)) {
			free(app->counted_pending);
			app->counted_pending = strbuf_detach(&rep, NULL);
			app->counted_sel = idx - 1;
			goto done;
		}
	}
	n = app_path_instance(app, old, &rep, &idx);
	if (n && n->repeat_count.e) {
		strbuf_reset(&inst);
		strbuf_addf(&inst, "%s[%d]/", rep.buf, idx);
		if (strncmp(now, inst.buf, inst.len)) {
			free(app->counted_pending);
			app->counted_pending = strbuf_detach(&rep, NULL);
			app->counted_sel = -1;
		}
	}
done:
	strbuf_release(&rep);
	strbuf_release(&inst);
}

/* Moves on after an answer: next (refused while the question still blocks,
 * which leaves the enumerator on it), then back to the roster list when the
 * move left a member. */
static void move_on(struct ui_app *app, const char *path)
{
	if (interview_session_next(app->ss, NULL) == 0) {
		roster_return(app, path);
		counted_check(app, path);
	}
}

int app_answer(struct ui_app *app, const char *value, struct error *err)
{
	struct interview_item it;
	const char *old = NULL;
	enum interview_special oldsp = IV_SPECIAL_NONE;
	char *path = NULL;
	int ret = -1;

	interview_current(app->iv, &it);
	if (it.kind != IV_ITEM_QUESTION && it.kind != IV_ITEM_OTHER)
		return app_next(app, err);
	path = xstrdup(it.path);
	interview_get(app->iv, path, &old, &oldsp);
	if ((!*value && !old && !oldsp) || (!oldsp && old && !strcmp(old, value))) {
		/* nothing changes; required is checked by next */
		free(path);
		return app_next(app, err);
	}
	if (interview_session_set(app->ss, path, value, err) < 0) {
		/* refused by the engine, or not committed (the engine is back
		 * as it was): either way nothing new is saved */
		app->saved = false;
		goto done;
	}
	app->saved = true;
	move_on(app, path);
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
	if (interview_session_set_special(app->ss, path, sp, err) < 0) {
		app->saved = false;
		goto done;
	}
	app->saved = true;
	move_on(app, path);
	ret = 0;
done:
	free(path);
	return ret;
}

int app_next(struct ui_app *app, struct error *err)
{
	char *old = xstrdup(interview_position(app->iv));
	int ret = interview_session_next(app->ss, err);

	if (ret == 0) {
		roster_return(app, old);
		counted_check(app, old);
	}
	free(old);
	return ret < 0 ? -1 : 0;
}

int app_prev(struct ui_app *app, struct error *err)
{
	if (interview_session_prev(app->ss, err) < 0) {
		if (!error_isset(err))
			error_set(err, NULL, "已经是第一题", "this is the first question");
		return -1;
	}
	return 0;
}

int app_jump(struct ui_app *app, const char *path, struct error *err)
{
	return interview_session_jump(app->ss, path, err) < 0 ? -1 : 0;
}

int app_roster_done(struct ui_app *app, struct error *err)
{
	struct interview_item it;

	interview_current(app->iv, &it);
	if (it.kind != IV_ITEM_ROSTER)
		return app_next(app, err);
	return app_repeat_leave(app, it.node, it.path, err);
}

int app_repeat_leave(struct ui_app *app, const struct form_node *rep, const char *path,
		     struct error *err)
{
	struct interview_item it;
	const struct form *f = app->form;
	char *from;
	size_t k, count = form_node_count(f);
	int ret = -1;

	from = xstrdup(path);
	/* the first thing after the roster that the enumerator can be taken to */
	for (k = (size_t)rep->end; k < count; k++) {
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
		if (p && interview_session_jump(app->ss, p, NULL) == 0) {
			free(p);
			ret = 0;
			goto done;
		}
		free(p);
	}
	/* nothing relevant after it: on to the end */
	while (interview_session_next(app->ss, err) == 0) {
		interview_current(app->iv, &it);
		if (it.kind == IV_ITEM_END)
			break;
	}
	ret = 0;
done:
	free(from);
	return ret;
}

int app_repeat_add(struct ui_app *app, const char *repeat, int *index, struct error *err)
{
	if (interview_session_repeat_add(app->ss, repeat, index, err) < 0)
		return -1;
	app->saved = true;
	return 0;
}

int app_repeat_delete(struct ui_app *app, const char *repeat, int index, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	strbuf_addf(&sb, "%s[%d]", repeat, index);
	r = interview_session_repeat_delete(app->ss, sb.buf, err);
	strbuf_release(&sb);
	if (r < 0)
		return -1;
	app->saved = true;
	return 0;
}

int app_repeat_move(struct ui_app *app, const char *repeat, int index, int to,
		    struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	strbuf_addf(&sb, "%s[%d]", repeat, index);
	r = interview_session_repeat_move(app->ss, sb.buf, to, err);
	strbuf_release(&sb);
	if (r < 0)
		return -1;
	app->saved = true;
	return 0;
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
	if (interview_session_complete(app->ss, err) < 0)
		return -1;
	app->saved = true;
	return 0;
}

const struct form_node *app_count_question(struct ui_app *app, const struct form_node *rep)
{
	const struct form *f = app->form;
	const struct form_node *n = rep;
	int hops;

	for (hops = 0; hops < 8 && n; hops++) {
		const char *src = n == rep ? n->repeat_count.src : n->calculation.src;
		const char *open = src ? strstr(src, "${") : NULL;
		const char *close = open ? strchr(open, '}') : NULL;
		char *name;
		int k;

		if (!close)
			return NULL;
		name = xstrndup(open + 2, (size_t)(close - open - 2));
		k = form_find(f, name);
		free(name);
		if (k < 0)
			return NULL;
		n = form_node(f, (size_t)k);
		if (n->type != FORM_CALCULATE)
			return n;
	}
	return NULL;
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
	if (n->type == FORM_DATETIME && strlen(value) > 10 && value[10] == 'T') {
		/* shown as typed: "2026-11-28 14:30" */
		char *v = xstrdup(value);
		v[10] = ' ';
		return v;
	}
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

/* ---- instance_name ------------------------------------------------------- */

char *app_instance_name(struct ui_app *app, const struct form *f, const char *uuid)
{
	struct interview *iv = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct error err = ERROR_INIT;
	char *ret = NULL;

	/* read-only: listing an interview must not log an event or change it */
	if (interview_load(app->store, f, uuid, NULL, &iv, &err) == 0 &&
	    interview_instance_name(iv, &sb, &err) > 0)
		ret = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	interview_free(iv);
	error_clear(&err);
	return ret;
}
