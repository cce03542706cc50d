/*
 * session — the interview engine bound to the device store: every confirmed
 * change is committed (one transaction, with its event and the position)
 * before the call returns, and opening an interview replays its stored
 * answers and resumes at the saved position.
 *
 * Invariants:
 *  - the engine (in memory) never holds an entered answer the store does not
 *    hold: a change is made in the engine first (that is where it is
 *    validated), then committed; when the commit fails the engine change is
 *    undone with interview_restore() of the previous value;
 *  - what the store keeps is interview_answers(): entered answers, preloads
 *    and metadata. Calculations are never stored; they are recomputed.
 * The engine itself stays store-agnostic (interview.c knows nothing of this).
 */
#include "iv_impl.h"

#include "ruhu/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct interview_session {
	struct store *s;
	struct interview *iv;
	char uuid[STORE_ID_LEN + 1];
};

static enum store_special to_store_special(enum interview_special sp)
{
	return sp == IV_DONT_KNOW ? STORE_SPECIAL_DONT_KNOW
	       : sp == IV_REFUSED ? STORE_SPECIAL_REFUSED
				  : STORE_SPECIAL_NONE;
}

static enum interview_special from_store_special(enum store_special sp)
{
	return sp == STORE_SPECIAL_DONT_KNOW ? IV_DONT_KNOW
	       : sp == STORE_SPECIAL_REFUSED ? IV_REFUSED
					     : IV_SPECIAL_NONE;
}

struct interview *interview_session_interview(struct interview_session *ss)
{
	return ss->iv;
}

const char *interview_session_uuid(const struct interview_session *ss)
{
	return ss->uuid;
}

void interview_session_close(struct interview_session *ss)
{
	if (!ss)
		return;
	interview_free(ss->iv);
	free(ss);
}

struct put_ctx {
	struct interview_session *ss;
	struct error *err;
};

static int put_one(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct put_ctx *c = ud;

	/* value NULL and no special value: a repeat instance marker */
	return store_answer_put(c->ss->s, c->ss->uuid, path, sp ? NULL : value,
				to_store_special(sp), NULL, c->err) < 0
		       ? -1
		       : 0;
}

static void fill_opts(struct store *s, const struct interview_opts *in, struct interview_opts *o)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->deviceid)
		o->deviceid = store_device_id(s);
	if (!o->username)
		o->username = store_enumerator_get(s);
}

static void preload(struct interview_session *ss, const char *name, const char *value)
{
	struct error e = ERROR_INIT, e2 = ERROR_INIT;

	if (!value || !*value)
		return;
	if (interview_preload(ss->iv, &name, &value, 1, &e) < 0)
		store_event_log(ss->s, ss->uuid, "preload_rejected", name, NULL, value,
				error_msg(&e, LANG_EN), &e2);
	error_clear(&e);
	error_clear(&e2);
}

int interview_session_start(struct store *s, const struct form *f, const char *household_key,
			    const struct interview_opts *opts, struct interview_session **out,
			    struct error *err)
{
	struct interview_session *ss = xcalloc(1, sizeof(*ss));
	struct store_assignment_row *row = NULL;
	struct store_field *fields = NULL;
	struct interview_opts o;
	struct put_ctx pc = {ss, err};
	size_t nf = 0, i;
	bool tx = false;
	int ret = -1;

	*out = NULL;
	ss->s = s;
	fill_opts(s, opts, &o);
	if (interview_new(f, &o, &ss->iv, err) < 0)
		goto done;
	if (store_tx_begin(s, err) < 0)
		goto done;
	tx = true;
	if (store_form_put(s, f, err) < 0 ||
	    store_interview_new(s, form_hash(f), household_key, ss->uuid, err) < 0)
		goto done;
	if (household_key) {
		struct error e = ERROR_INIT;
		if (store_assignment_get(s, household_key, &row, &e) == 0) {
			preload(ss, "household_key", row->household_key);
			preload(ss, "county", row->county);
			preload(ss, "township", row->township);
			preload(ss, "village", row->village);
			preload(ss, "household_type", row->household_type);
			preload(ss, "head_name", row->head_name);
			if (store_assignment_preload(s, household_key, &fields, &nf, &e) == 0)
				for (i = 0; i < nf; i++)
					preload(ss, fields[i].name, fields[i].value);
		} else {
			preload(ss, "household_key", household_key);
		}
		error_clear(&e);
	}
	if (interview_answers(ss->iv, put_one, &pc) != 0)
		goto done;
	if (store_tx_commit(s, err) < 0)
		goto done;
	tx = false;
	*out = ss;
	ss = NULL;
	ret = 0;
done:
	if (tx) {
		struct error e = ERROR_INIT;
		store_tx_rollback(s, &e);
		error_clear(&e);
	}
	if (row)
		store_assignment_rows_free(row, 1);
	store_fields_free(fields, nf);
	interview_session_close(ss);
	return ret;
}

/* Builds the engine interview of stored interview `uuid` and returns what the
 * store holds of it (*l, to free with store_loaded_free); logs nothing. */
static int load(struct store *s, const struct form *f, const char *uuid,
		const struct interview_opts *opts, struct interview **out, struct store_loaded **l,
		struct error *err)
{
	struct interview_opts o;
	struct interview *iv = NULL;
	size_t i;

	*out = NULL;
	if (store_interview_load(s, uuid, l, err) < 0)
		return -1;
	if (strcmp((*l)->iv.form_hash, form_hash(f))) {
		error_set(err, uuid, "访谈使用的问卷版本（%s）与给出的问卷不同",
			  "the interview was taken with another form (%s)", (*l)->iv.form_hash);
		if (err)
			err->code = IV_E_UNKNOWN_FIELD;
		return -1;
	}
	fill_opts(s, opts, &o);
	if (interview_new(f, &o, &iv, err) < 0)
		return -1;
	for (i = 0; i < (*l)->n_answers; i++) {
		const struct store_answer *a = &(*l)->answers[i];
		struct error e = ERROR_INIT;
		/* An answer the form no longer has cannot come back; the store
		 * keeps it. Anything else is put back as it was saved. */
		interview_restore(iv, a->path, a->value, from_store_special(a->special), &e);
		error_clear(&e);
	}
	if ((*l)->iv.position && *(*l)->iv.position) {
		struct error e = ERROR_INIT;
		interview_jump(iv, (*l)->iv.position, &e);
		error_clear(&e);
	}
	iv->completed = (*l)->iv.status != STORE_IN_PROGRESS;
	*out = iv;
	return 0;
}

int interview_load(struct store *s, const struct form *f, const char *uuid,
		   const struct interview_opts *opts, struct interview **out, struct error *err)
{
	struct store_loaded *l = NULL;
	int ret = load(s, f, uuid, opts, out, &l, err);

	store_loaded_free(l);
	return ret;
}

int interview_session_open(struct store *s, const struct form *f, const char *uuid,
			   const struct interview_opts *opts, struct interview_session **out,
			   struct error *err)
{
	struct interview_session *ss = xcalloc(1, sizeof(*ss));
	struct store_loaded *l = NULL;
	int ret = -1;

	*out = NULL;
	ss->s = s;
	if (load(s, f, uuid, opts, &ss->iv, &l, err) < 0)
		goto done;
	snprintf(ss->uuid, sizeof(ss->uuid), "%s", l->iv.uuid);
	if (store_event_log(s, ss->uuid, "open", NULL, NULL, NULL, NULL, err) < 0)
		goto done;
	*out = ss;
	ss = NULL;
	ret = 0;
done:
	store_loaded_free(l);
	interview_session_close(ss);
	return ret;
}

/* The answer at `path` as it is now (copied). */
struct before {
	char *value;
	enum interview_special sp;
	bool exists;
};

static void remember(struct interview_session *ss, const char *path, struct before *b)
{
	const char *v = NULL;

	memset(b, 0, sizeof(*b));
	if (interview_get(ss->iv, path, &v, &b->sp) == 0) {
		b->exists = true;
		b->value = xstrdup(v);
	}
}

static int commit_answer(struct interview_session *ss, const char *path, struct before *b,
			 struct error *err)
{
	const char *v = NULL;
	enum interview_special sp = IV_SPECIAL_NONE;
	const char *pos = interview_position(ss->iv);
	int r;

	interview_get(ss->iv, path, &v, &sp);
	if (!v && !sp && !interview_path_keeps_empty(ss->iv, path))
		r = store_answer_clear(ss->s, ss->uuid, path, pos, err);
	else if (!v && !sp)
		r = store_answer_put(ss->s, ss->uuid, path, "", STORE_SPECIAL_NONE, pos, err);
	else
		r = store_answer_put(ss->s, ss->uuid, path, sp ? NULL : v, to_store_special(sp), pos,
				     err);
	if (r < 0 && b->exists) {
		struct error e = ERROR_INIT;
		interview_restore(ss->iv, path, b->value, b->sp, &e);
		error_clear(&e);
	}
	free(b->value);
	return r < 0 ? -1 : 0;
}

/*
 * The repeat instances on `path` ("rep[1]/rep2[3]/a" -> "rep[1]", "rep[1]/rep2[3]")
 * that do not exist yet: an answer that creates them also stores their
 * markers, so that they survive even if the answer is later cleared.
 */
struct markers {
	char *v[8];
	size_t n;
};

static void missing_instances(struct interview_session *ss, const char *path, struct markers *m)
{
	const char *p = path, *br;

	m->n = 0;
	while ((br = strchr(p, '[')) && m->n < 8) {
		const char *close = strchr(br, ']');
		char *rep = xstrndup(path, (size_t)(br - path));
		int idx = atoi(br + 1), cnt;
		if (!close) {
			free(rep);
			break;
		}
		cnt = interview_repeat_count(ss->iv, rep);
		free(rep);
		if (cnt >= 0 && cnt < idx)
			m->v[m->n++] = xstrndup(path, (size_t)(close - path + 1));
		p = close + 1;
	}
}

static void markers_free(struct markers *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i]);
	m->n = 0;
}

static int commit_markers(struct interview_session *ss, struct markers *m, struct error *err)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (store_answer_put(ss->s, ss->uuid, m->v[i], NULL, STORE_SPECIAL_NONE, NULL, err) < 0)
			return -1;
	return 0;
}

/* The engine change is made; commit markers and the answer in one transaction. */
static int commit_with_markers(struct interview_session *ss, const char *path, struct before *b,
			       struct markers *m, struct error *err)
{
	struct error e = ERROR_INIT;
	int r;

	if (!m->n)
		return commit_answer(ss, path, b, err);
	if (store_tx_begin(ss->s, err) < 0) {
		free(b->value);
		goto undo;
	}
	if (commit_markers(ss, m, err) < 0) {
		store_tx_rollback(ss->s, &e);
		free(b->value);
		goto undo;
	}
	r = commit_answer(ss, path, b, err);
	if (r < 0 || store_tx_commit(ss->s, err) < 0) {
		/* the answer lives in the instances made for it: removing them
		 * undoes it in the engine too */
		store_tx_rollback(ss->s, &e);
		goto undo;
	}
	return 0;
undo:
	/* the instances made for this answer go again (last first) */
	while (m->n > 0) {
		interview_repeat_delete(ss->iv, m->v[m->n - 1], &e);
		error_clear(&e);
		free(m->v[--m->n]);
	}
	error_clear(&e);
	return -1;
}

int interview_session_set(struct interview_session *ss, const char *path, const char *value,
			  struct error *err)
{
	struct before b;
	struct markers m;
	int r;

	missing_instances(ss, path, &m);
	remember(ss, path, &b);
	if (interview_set(ss->iv, path, value, err) < 0) {
		/* paradata for quality control: what was tried and refused */
		if (err && err->code == IV_E_CONSTRAINT) {
			struct error e = ERROR_INIT;
			store_event_log(ss->s, ss->uuid, "constraint_failed", path, b.value, value,
					NULL, &e);
			error_clear(&e);
		}
		free(b.value);
		markers_free(&m);
		return -1;
	}
	r = commit_with_markers(ss, path, &b, &m, err);
	markers_free(&m);
	return r;
}

int interview_session_set_special(struct interview_session *ss, const char *path,
				  enum interview_special sp, struct error *err)
{
	struct before b;
	struct markers m;
	int r;

	missing_instances(ss, path, &m);
	remember(ss, path, &b);
	if (interview_set_special(ss->iv, path, sp, err) < 0) {
		free(b.value);
		markers_free(&m);
		return -1;
	}
	r = commit_with_markers(ss, path, &b, &m, err);
	markers_free(&m);
	return r;
}

/*
 * Records a move. The end of the form has no question and so no position
 * (interview_position() is ""): nothing is recorded there, the stored
 * position stays the last question reached, and resuming opens it (one Enter
 * from the end). Passing "" to the store was refused as "empty position".
 */
static int navigated(struct interview_session *ss, struct error *err)
{
	const char *pos = interview_position(ss->iv);

	if (!*pos)
		return 0;
	return store_interview_navigate(ss->s, ss->uuid, pos, err) < 0 ? -1 : 0;
}

int interview_session_next(struct interview_session *ss, struct error *err)
{
	if (interview_next(ss->iv, err) < 0)
		return -1;
	return navigated(ss, err);
}

int interview_session_prev(struct interview_session *ss, struct error *err)
{
	if (interview_prev(ss->iv) < 0) {
		error_set(err, NULL, "已经是第一题", "already at the first question");
		return -1;
	}
	return navigated(ss, err);
}

int interview_session_jump(struct interview_session *ss, const char *path, struct error *err)
{
	if (interview_jump(ss->iv, path, err) < 0)
		return -1;
	return navigated(ss, err);
}

int interview_session_repeat_add(struct interview_session *ss, const char *repeat_path,
				 int *index, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int idx = 0, r;

	if (interview_repeat_add(ss->iv, repeat_path, &idx, err) < 0)
		return -1;
	strbuf_addf(&sb, "%s[%d]", repeat_path, idx);
	/* the instance marker: the store logs `repeat_add` */
	r = store_answer_put(ss->s, ss->uuid, sb.buf, NULL, STORE_SPECIAL_NONE,
			     interview_position(ss->iv), err);
	if (r < 0) {
		struct error e = ERROR_INIT;
		interview_repeat_delete(ss->iv, sb.buf, &e);
		error_clear(&e);
	} else if (index) {
		*index = idx;
	}
	strbuf_release(&sb);
	return r < 0 ? -1 : 0;
}

/* Splits "a[1]/b[3]" into the repeat path "a[1]/b" and the index 3. */
static int split_instance(const char *path, char **repeat, int *index)
{
	const char *br = strrchr(path, '[');

	if (!br || br == path)
		return -1;
	*index = atoi(br + 1);
	*repeat = xstrndup(path, (size_t)(br - path));
	return *index > 0 ? 0 : -1;
}

int interview_session_repeat_delete(struct interview_session *ss, const char *instance_path,
				    struct error *err)
{
	char *repeat = NULL;
	int idx = 0, ret = -1;

	if (split_instance(instance_path, &repeat, &idx) < 0) {
		error_set(err, instance_path, "'%s' 不是重复组的实例（如 members[2]）",
			  "'%s' is not a repeat instance (like members[2])", instance_path);
		if (err)
			err->code = IV_E_UNKNOWN_FIELD;
		goto done;
	}
	/* Checked by the engine, then the store first: a roster deletion cannot
	 * be undone in the engine. */
	if (interview_repeat_delete_check(ss->iv, instance_path, err) < 0)
		goto done;
	if (store_repeat_delete(ss->s, ss->uuid, repeat, idx, NULL, err) < 0)
		goto done;
	if (interview_repeat_delete(ss->iv, instance_path, err) < 0)
		goto done;
	ret = navigated(ss, err);
done:
	free(repeat);
	return ret;
}

int interview_session_repeat_move(struct interview_session *ss, const char *instance_path,
				  int to, struct error *err)
{
	char *repeat = NULL;
	int idx = 0, ret = -1;

	if (split_instance(instance_path, &repeat, &idx) < 0) {
		error_set(err, instance_path, "'%s' 不是重复组的实例（如 members[2]）",
			  "'%s' is not a repeat instance (like members[2])", instance_path);
		goto done;
	}
	if (interview_repeat_move(ss->iv, instance_path, to, err) < 0)
		goto done;
	if (store_repeat_move(ss->s, ss->uuid, repeat, idx, to, NULL, err) < 0) {
		struct strbuf sb = STRBUF_INIT;
		struct error e = ERROR_INIT;
		strbuf_addf(&sb, "%s[%d]", repeat, to);
		interview_repeat_move(ss->iv, sb.buf, idx, &e);
		error_clear(&e);
		strbuf_release(&sb);
		goto done;
	}
	ret = 0;
done:
	free(repeat);
	return ret;
}

int interview_session_complete(struct interview_session *ss, struct error *err)
{
	struct put_ctx pc = {ss, err};
	struct error e = ERROR_INIT;

	if (interview_complete(ss->iv, err) < 0)
		return -1;
	if (store_tx_begin(ss->s, err) < 0)
		goto fail;
	if (interview_answers(ss->iv, put_one, &pc) != 0 ||
	    store_interview_complete(ss->s, ss->uuid, err) < 0) {
		store_tx_rollback(ss->s, &e);
		goto fail;
	}
	if (store_tx_commit(ss->s, err) < 0)
		goto fail;
	return 0;
fail:
	error_clear(&e);
	interview_reopen(ss->iv, &e);
	error_clear(&e);
	return -1;
}

int interview_session_reopen(struct interview_session *ss, struct error *err)
{
	if (!interview_completed(ss->iv)) {
		error_set(err, NULL, "访谈尚未完成，无需重新打开",
			  "the interview is not completed: nothing to reopen");
		if (err)
			err->code = IV_E_COMPLETED;
		return -1;
	}
	if (store_interview_reopen(ss->s, ss->uuid, err) < 0)
		return -1;
	return interview_reopen(ss->iv, err);
}
