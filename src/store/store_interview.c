/*
 * store_interview — interviews, answers (the hot path), roster operations,
 * status changes, comments and the merge primitives (see ruhu/store.h).
 *
 * Every mutating function here follows the same shape: validate the
 * arguments without touching the database, tx_begin, check the interview's
 * status, write the rows, append the event(s), iv_touch, tx_commit. Any
 * failure after tx_begin goes to `fail:` which rolls the level back, so a
 * call either fully happens or leaves no trace.
 */
#include "store_internal.h"

#include "ruhu/digest.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const istatus_zh[STORE_ISTATUS_COUNT] = {"进行中", "已完成", "已通过",
							     "已退回"};

/* Sets a message whose Chinese and English versions take different words
 * (status names), formatted separately. */
static int fail_words(struct store *s, struct error *err, int code, const char *zh_fmt,
		      const char *en_fmt, const char *uuid, const char *zh1, const char *zh2,
		      const char *en1, const char *en2)
{
	struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

	strbuf_addf(&zh, zh_fmt, uuid, zh1, zh2);
	strbuf_addf(&en, en_fmt, uuid, en1, en2);
	error_set(err, s->path, "%s", "%s", "");
	if (err) {
		free(err->zh);
		free(err->en);
		err->zh = strbuf_detach(&zh, NULL);
		err->en = strbuf_detach(&en, NULL);
		err->code = code;
	}
	strbuf_release(&zh);
	strbuf_release(&en);
	return -code;
}

static int state_fail(struct store *s, const char *uuid, enum store_istatus st,
		      struct error *err)
{
	return fail_words(s, err, STORE_E_STATE, "访问 '%s' 的状态为%s%s：请先重新打开",
			  "interview '%s' is %s%s: reopen it first", uuid, istatus_zh[st], "",
			  store_istatus_name(st), "");
}

static bool streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* `members[3]`, `plots[1]/crops[2]`: a repeat instance path. */
static bool is_instance_path(const char *path)
{
	size_t n = strlen(path);

	return n > 2 && path[n - 1] == ']';
}

static int check_uuid_arg(struct store *s, const char *uuid, struct error *err)
{
	if (!uuid || !*uuid)
		return store_fail(s, err, STORE_E_INVALID, "缺少访问编号", "missing interview uuid");
	return 0;
}

/* ---- interviews ----------------------------------------------------------- */

int store_interview_new(struct store *s, const char *form_hash, const char *household_key,
			char uuid_out[STORE_ID_LEN + 1], struct error *err)
{
	struct event_in ev = {0};
	char uuid[STORE_ID_LEN + 1];
	sqlite3_stmt *q;
	int64_t cs, now;
	int ret, rc;

	uuid_out[0] = '\0';
	if (household_key && !*household_key)
		return store_fail(s, err, STORE_E_INVALID, "户编码为空", "empty household key");
	if (store_ident(s, household_key, IDENT_HOUSEHOLD, true, err) < 0)
		return -STORE_E_INVALID;
	ret = store_uuid_new(uuid, err);
	if (ret < 0)
		return ret;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	q = store_stmt(s, ST_FORM_HAS, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto fail;
	}
	store_bind_text(q, 1, form_hash);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE) {
		ret = store_fail(s, err, STORE_E_INVALID, "数据库中没有哈希为 %s 的表单",
				 "no form with hash %s in the database", form_hash ? form_hash : "");
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	ret = store_change_next(s, &cs, err);
	if (ret < 0)
		goto fail;
	q = store_stmt(s, ST_IV_NEW, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto fail;
	}
	now = store_now(s);
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, form_hash);
	store_bind_text(q, 3, household_key);
	store_bind_text(q, 4, s->enumerator);
	store_bind_text(q, 5, s->device);
	sqlite3_bind_int64(q, 6, cs);
	sqlite3_bind_int64(q, 7, now);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	ev.interview = uuid;
	ev.kind = "create";
	ev.new_value = form_hash;
	ev.extra = household_key;
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
	ret = store_tx_commit(s, err);
	if (ret < 0)
		return ret;
	memcpy(uuid_out, uuid, sizeof(uuid));
	return 0;
fail:
	store_tx_abort(s);
	return ret;
}

void store_interview_release(struct store_interview *iv)
{
	if (!iv)
		return;
	free(iv->form_hash);
	free(iv->household_key);
	free(iv->enumerator);
	free(iv->device);
	free(iv->review_comment);
	free(iv->position);
	memset(iv, 0, sizeof(*iv));
}

void store_iv_bind(sqlite3_stmt *q, const struct store_interview *iv)
{
	store_bind_text(q, 1, iv->uuid);
	store_bind_text(q, 2, iv->form_hash);
	store_bind_text(q, 3, iv->household_key);
	store_bind_text(q, 4, iv->enumerator);
	store_bind_text(q, 5, iv->device);
	store_bind_text(q, 6, store_istatus_name(iv->status));
	store_bind_text(q, 7, iv->review_comment);
	sqlite3_bind_int64(q, 8, iv->revision);
	sqlite3_bind_int64(q, 10, iv->created);
	sqlite3_bind_int64(q, 11, iv->updated);
	store_bind_text(q, 12, iv->position);
}

/* Fills *iv from a row of the ST_IV_GET column list (also used by queries). */
int store_iv_from_row(struct store *s, sqlite3_stmt *q, struct store_interview *iv, struct error *err)
{
	const char *uuid = (const char *)sqlite3_column_text(q, 0);
	int st = store_istatus_parse((const char *)sqlite3_column_text(q, 5));

	memset(iv, 0, sizeof(*iv));
	if (!uuid || strlen(uuid) > STORE_ID_LEN || st < 0)
		return store_fail(s, err, STORE_E_CORRUPT, "访问记录 '%s' 已损坏",
				  "interview row '%s' is damaged", uuid ? uuid : "");
	memcpy(iv->uuid, uuid, strlen(uuid) + 1);
	iv->form_hash = store_col_dup(q, 1);
	iv->household_key = store_col_dup(q, 2);
	iv->enumerator = store_col_dup(q, 3);
	iv->device = store_col_dup(q, 4);
	iv->status = (enum store_istatus)st;
	iv->review_comment = store_col_dup(q, 6);
	iv->revision = sqlite3_column_int64(q, 7);
	iv->change_seq = sqlite3_column_int64(q, 8);
	iv->created = sqlite3_column_int64(q, 9);
	iv->updated = sqlite3_column_int64(q, 10);
	iv->position = store_col_dup(q, 11);
	return 0;
}

int store_interview_get(struct store *s, const char *uuid, struct store_interview *out,
			struct error *err)
{
	sqlite3_stmt *q;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	q = store_stmt(s, ST_IV_GET, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		ret = store_iv_from_row(s, q, out, err);
	else if (rc == SQLITE_DONE)
		ret = store_fail(s, err, STORE_E_NOTFOUND, "没有访问 '%s'", "no interview '%s'",
				 uuid ? uuid : "");
	else
		ret = store_db_fail(s, rc, err);
	sqlite3_reset(q);
	return ret;
}

static void answer_from_row(sqlite3_stmt *q, struct store_answer *a)
{
	a->path = store_col_dup(q, 0);
	a->value = store_col_dup(q, 1);
	a->special = (enum store_special)store_special_stored((const char *)sqlite3_column_text(q, 2));
}

int store_interview_load(struct store *s, const char *uuid, struct store_loaded **out,
			 struct error *err)
{
	struct store_loaded *l;
	sqlite3_stmt *q;
	size_t cap = 0;
	int rc, ret;

	*out = NULL;
	l = xcalloc(1, sizeof(*l));
	/* one read transaction: the row and its answers from the same snapshot */
	ret = store_tx_begin(s, err);
	if (ret < 0) {
		free(l);
		return ret;
	}
	ret = store_interview_get(s, uuid, &l->iv, err);
	if (ret < 0)
		goto fail;
	q = store_stmt(s, ST_ANS_ALL, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto fail;
	}
	store_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(l->answers, cap, l->n_answers + 1);
		answer_from_row(q, &l->answers[l->n_answers++]);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	ret = store_tx_commit(s, err);
	if (ret < 0) {
		store_loaded_free(l);
		return ret;
	}
	*out = l;
	return 0;
fail:
	store_tx_abort(s);
	store_loaded_free(l);
	return ret;
}

void store_loaded_free(struct store_loaded *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_answers; i++) {
		free(l->answers[i].path);
		free(l->answers[i].value);
	}
	free(l->answers);
	store_interview_release(&l->iv);
	free(l);
}

/* ---- answers ---------------------------------------------------------------- */

static int set_position(struct store *s, const char *uuid, const char *position,
			struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_IV_POSITION, err);

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, position);
	return store_stmt_done(s, q, err);
}

/* Reads the current answer: 1 found (old value/special set, value malloc'd),
 * 0 absent, < 0 error. */
static int answer_get(struct store *s, const char *uuid, const char *path, char **value,
		      enum store_special *sp, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_ANS_GET, err);
	int rc, ret = 0;

	*value = NULL;
	*sp = STORE_SPECIAL_NONE;
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, path);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*value = store_col_dup(q, 0);
		*sp = (enum store_special)store_special_stored((const char *)sqlite3_column_text(q, 1));
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
	}
	sqlite3_reset(q);
	return ret;
}

static int answer_write(struct store *s, const char *uuid, const char *path, const char *value,
			enum store_special sp, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_ANS_PUT, err);

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, path);
	store_bind_text(q, 3, value);
	store_bind_text(q, 4, store_special_name(sp));
	return store_stmt_done(s, q, err);
}

static int answer_delete(struct store *s, const char *uuid, const char *path, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_ANS_DEL, err);

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, path);
	return store_stmt_done(s, q, err);
}

/* Opens a level and checks that the interview exists and is in progress. */
static int begin_editable(struct store *s, const char *uuid, struct error *err)
{
	enum store_istatus st;
	int ret;

	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_iv_status(s, uuid, &st, err);
	if (ret == 0 && st != STORE_IN_PROGRESS)
		ret = state_fail(s, uuid, st, err);
	if (ret < 0)
		store_tx_abort(s);
	return ret;
}

int store_answer_put(struct store *s, const char *uuid, const char *path, const char *value,
		     enum store_special special, const char *position, struct error *err)
{
	struct event_in ev = {0};
	enum store_special old_sp;
	char *old = NULL;
	int ret, found;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	if (!path || !*path)
		return store_fail(s, err, STORE_E_INVALID, "答案路径为空", "empty answer path");
	if ((unsigned)special > STORE_SPECIAL_REFUSED)
		return store_fail(s, err, STORE_E_INVALID, "'%2$s' 的特殊值 %1$d 无效",
				  "invalid special value %d for '%s'", (int)special, path);
	if (special != STORE_SPECIAL_NONE && value)
		return store_fail(s, err, STORE_E_INVALID, "'%s' 不能同时有答案和特殊值",
				  "'%s' cannot have both a value and a special value", path);
	if (special == STORE_SPECIAL_NONE && !value && !is_instance_path(path))
		return store_fail(s, err, STORE_E_INVALID, "'%s' 缺少答案值",
				  "missing value for '%s'", path);
	if ((ret = store_value_check(s, "path", path, err)) < 0 ||
	    (ret = store_value_check(s, path, value, err)) < 0 ||
	    (ret = store_value_check(s, "position", position, err)) < 0)
		return ret;
	ret = begin_editable(s, uuid, err);
	if (ret < 0)
		return ret;
	found = answer_get(s, uuid, path, &old, &old_sp, err);
	if (found < 0) {
		ret = found;
		goto fail;
	}
	if (found && old_sp == special && streq_null(old, value)) {
		/* nothing new to keep: only remember where the enumerator is */
		if (position) {
			ret = set_position(s, uuid, position, err);
			if (ret < 0)
				goto fail;
		}
		goto commit;
	}
	ret = answer_write(s, uuid, path, value, special, err);
	if (ret < 0)
		goto fail;
	ret = store_iv_touch(s, uuid, true, position, err);
	if (ret < 0)
		goto fail;
	ev.interview = uuid;
	ev.path = path;
	ev.old_value = old;
	ev.old_special = found ? old_sp : STORE_SPECIAL_NONE;
	ev.new_value = value;
	ev.new_special = special;
	if (special != STORE_SPECIAL_NONE)
		ev.kind = "special";
	else if (!value)
		ev.kind = "repeat_add";
	else
		ev.kind = found ? "answer_changed" : "answer_set";
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
commit:
	free(old);
	return store_tx_commit(s, err);
fail:
	free(old);
	store_tx_abort(s);
	return ret;
}

int store_answer_clear(struct store *s, const char *uuid, const char *path,
		       const char *position, struct error *err)
{
	struct event_in ev = {0};
	enum store_special old_sp;
	char *old = NULL;
	int ret, found;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	if (!path || !*path)
		return store_fail(s, err, STORE_E_INVALID, "答案路径为空", "empty answer path");
	ret = begin_editable(s, uuid, err);
	if (ret < 0)
		return ret;
	found = answer_get(s, uuid, path, &old, &old_sp, err);
	if (found < 0) {
		ret = found;
		goto fail;
	}
	if (!found) {
		if (position) {
			ret = set_position(s, uuid, position, err);
			if (ret < 0)
				goto fail;
		}
		goto commit;
	}
	ret = answer_delete(s, uuid, path, err);
	if (ret < 0)
		goto fail;
	ret = store_iv_touch(s, uuid, true, position, err);
	if (ret < 0)
		goto fail;
	ev.interview = uuid;
	ev.kind = "answer_cleared";
	ev.path = path;
	ev.old_value = old;
	ev.old_special = old_sp;
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
commit:
	free(old);
	return store_tx_commit(s, err);
fail:
	free(old);
	store_tx_abort(s);
	return ret;
}

bool store_event_kind_valid(const char *kind)
{
	const char *p;

	if (!kind || !*kind)
		return false;
	for (p = kind; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return true;
}

/* An event plus change_seq bump (no revision): navigation and paradata;
 * a device-level event bumps the store's change_seq alone. */
static int paradata(struct store *s, const struct event_in *ev, const char *position,
		    struct error *err)
{
	enum store_istatus st;
	int ret;

	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	if (ev->interview) {
		ret = store_iv_status(s, ev->interview, &st, err);
		if (ret < 0)
			goto fail;
	}
	ret = store_event_add(s, ev, err);
	if (ret < 0)
		goto fail;
	if (ev->interview) {
		ret = store_iv_touch(s, ev->interview, false, position, err);
		if (ret < 0)
			goto fail;
	} else {
		int64_t change;

		/* a device-level event (a call attempt, issue 17) is a change the
		 * next device bundle must carry even when no interview changed */
		ret = store_change_next(s, &change, err);
		if (ret < 0)
			goto fail;
	}
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}

int store_interview_navigate(struct store *s, const char *uuid, const char *position,
			     struct error *err)
{
	struct event_in ev = {0};
	int ret;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	if (!position || !*position)
		return store_fail(s, err, STORE_E_INVALID, "位置为空", "empty position");
	if ((ret = store_value_check(s, "position", position, err)) < 0)
		return ret;
	ev.interview = uuid;
	ev.kind = "navigate";
	ev.path = position;
	return paradata(s, &ev, position, err);
}

int store_event_log(struct store *s, const char *uuid, const char *kind, const char *path,
		    const char *old_value, const char *new_value, const char *extra,
		    struct error *err)
{
	struct event_in ev = {0};
	int ret;

	if (!store_event_kind_valid(kind))
		return store_fail(s, err, STORE_E_INVALID,
				  "事件类型 '%s' 无效：只能用小写字母和 '_'",
				  "invalid event kind '%s': use lowercase letters and '_'",
				  kind ? kind : "");
	if ((ret = store_value_check(s, "path", path, err)) < 0 ||
	    (ret = store_value_check(s, path ? path : kind, old_value, err)) < 0 ||
	    (ret = store_value_check(s, path ? path : kind, new_value, err)) < 0 ||
	    (ret = store_value_check(s, "extra", extra, err)) < 0)
		return ret;
	ev.interview = uuid;
	ev.kind = kind;
	ev.path = path;
	ev.old_value = old_value;
	ev.new_value = new_value;
	ev.extra = extra;
	return paradata(s, &ev, NULL, err);
}

/* ---- rosters ---------------------------------------------------------------- */

/* Parses `[N]` right after the repeat prefix: returns N (> 0) and sets *rest
 * to what follows (`""` or `/...`), or 0 when the path is not an instance of
 * this repeat (e.g. `members_extra[1]`). */
static int instance_index(const char *path, size_t plen, const char **rest)
{
	const char *p = path + plen;
	long n = 0;

	if (*p != '[')
		return 0;
	for (p++; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 1000000)
			return 0;
	}
	if (*p != ']' || p == path + plen + 1 || (p[1] && p[1] != '/'))
		return 0;
	*rest = p + 1;
	return (int)n;
}

struct remap {
	int op; /* 0 delete, 1 move */
	int a, b;
};

/* New index of instance k (0 = deleted). */
static int remap_index(const struct remap *m, int k)
{
	if (m->op == 0) {
		if (k == m->a)
			return 0;
		return k > m->a ? k - 1 : k;
	}
	if (k == m->a)
		return m->b;
	if (m->a < m->b && k > m->a && k <= m->b)
		return k - 1;
	if (m->a > m->b && k >= m->b && k < m->a)
		return k + 1;
	return k;
}

static int repeat_remap(struct store *s, const char *uuid, const char *repeat,
			const struct remap *m, const char *position, struct error *err)
{
	struct store_answer *rows = NULL;
	int *newidx = NULL;
	size_t n = 0, cap = 0, icap = 0, i, plen;
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT, np = STRBUF_INIT;
	struct event_in ev = {0};
	sqlite3_stmt *q;
	char extra[64];
	int ret, rc;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	if (!repeat || !*repeat)
		return store_fail(s, err, STORE_E_INVALID, "重复组路径为空", "empty repeat path");
	if (m->a < 1 || (m->op == 1 && m->b < 1))
		return store_fail(s, err, STORE_E_INVALID, "'%s' 的实例序号无效（从 1 开始）",
				  "invalid instance index for '%s' (they start at 1)", repeat);
	if (m->op == 1 && m->a == m->b)
		return 0;
	plen = strlen(repeat);
	strbuf_addstr(&lo, repeat);
	strbuf_addch(&lo, '[');
	strbuf_addstr(&hi, repeat);
	strbuf_addch(&hi, '[' + 1);

	ret = begin_editable(s, uuid, err);
	if (ret < 0)
		goto out;
	q = store_stmt(s, ST_ANS_RANGE, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto fail;
	}
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, lo.buf);
	store_bind_text(q, 3, hi.buf);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_answer a;
		const char *rest;
		int k, to;

		answer_from_row(q, &a);
		k = instance_index(a.path, plen, &rest);
		to = k ? remap_index(m, k) : k;
		if (to == k) {
			free(a.path);
			free(a.value);
			continue;
		}
		XGROW(rows, cap, n + 1);
		XGROW(newidx, icap, n + 1);
		rows[n] = a;
		newidx[n++] = to;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	/* delete every moved row first so the renamed ones never collide */
	for (i = 0; i < n; i++) {
		ret = answer_delete(s, uuid, rows[i].path, err);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		const char *rest = "";

		if (newidx[i] == 0) {
			if (!rows[i].value && rows[i].special == STORE_SPECIAL_NONE)
				continue; /* the instance marker itself */
			memset(&ev, 0, sizeof(ev));
			ev.interview = uuid;
			ev.kind = "answer_cleared";
			ev.path = rows[i].path;
			ev.old_value = rows[i].value;
			ev.old_special = rows[i].special;
			ret = store_event_add(s, &ev, err);
			if (ret < 0)
				goto fail;
			continue;
		}
		instance_index(rows[i].path, plen, &rest);
		strbuf_reset(&np);
		strbuf_addf(&np, "%s[%d]%s", repeat, newidx[i], rest);
		ret = answer_write(s, uuid, np.buf, rows[i].value, rows[i].special, err);
		if (ret < 0)
			goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.interview = uuid;
	strbuf_reset(&np);
	strbuf_addf(&np, "%s[%d]", repeat, m->a);
	ev.path = np.buf;
	if (m->op == 0) {
		ev.kind = "repeat_delete";
	} else {
		ev.kind = "repeat_move";
		snprintf(extra, sizeof(extra), "%d", m->b);
		ev.new_value = extra;
	}
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
	ret = store_iv_touch(s, uuid, true, position, err);
	if (ret < 0)
		goto fail;
	ret = store_tx_commit(s, err);
	goto out;
fail:
	store_tx_abort(s);
out:
	for (i = 0; i < n; i++) {
		free(rows[i].path);
		free(rows[i].value);
	}
	free(rows);
	free(newidx);
	strbuf_release(&lo);
	strbuf_release(&hi);
	strbuf_release(&np);
	return ret;
}

int store_repeat_delete(struct store *s, const char *uuid, const char *repeat, int index,
			const char *position, struct error *err)
{
	struct remap m = {0, index, 0};

	return repeat_remap(s, uuid, repeat, &m, position, err);
}

int store_repeat_move(struct store *s, const char *uuid, const char *repeat, int from, int to,
		      const char *position, struct error *err)
{
	struct remap m = {1, from, to};

	return repeat_remap(s, uuid, repeat, &m, position, err);
}

/* ---- status, review, comments ---------------------------------------------- */

static int set_status(struct store *s, const char *uuid, enum store_istatus st,
		      bool set_comment, const char *comment, struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_IV_SET_STATUS, err);

	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, uuid);
	store_bind_text(q, 2, store_istatus_name(st));
	store_bind_text(q, 3, comment);
	sqlite3_bind_int(q, 4, set_comment);
	return store_stmt_done(s, q, err);
}

static int comment_row(struct store *s, const char *uuid, const char *path, const char *author,
		       const char *text, char cuuid[STORE_ID_LEN + 1], struct error *err)
{
	sqlite3_stmt *q;
	int ret;

	ret = store_uuid_new(cuuid, err);
	if (ret < 0)
		return ret;
	q = store_stmt(s, ST_COMMENT_ADD, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, cuuid);
	store_bind_text(q, 2, uuid);
	store_bind_text(q, 3, path);
	store_bind_text(q, 4, author ? author : s->enumerator);
	store_bind_text(q, 5, text);
	sqlite3_bind_int64(q, 6, store_now(s));
	store_bind_text(q, 7, s->device);
	return store_stmt_done(s, q, err);
}

/* Moves the interview to `to` when its status is in `from_mask`. */
static int transition(struct store *s, const char *uuid, unsigned from_mask,
		      enum store_istatus to, const char *kind, bool set_comment,
		      const char *comment, const char *author, struct error *err)
{
	struct event_in ev = {0};
	char cuuid[STORE_ID_LEN + 1];
	enum store_istatus st;
	int ret;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_iv_status(s, uuid, &st, err);
	if (ret < 0)
		goto fail;
	if (!(from_mask & (1u << st))) {
		ret = fail_words(s, err, STORE_E_STATE, "访问 '%s' 的状态为%s，不能改为%s",
				 "interview '%s' is %s and cannot become %s", uuid, istatus_zh[st],
				 istatus_zh[to], store_istatus_name(st), store_istatus_name(to));
		goto fail;
	}
	ret = set_status(s, uuid, to, set_comment, comment, err);
	if (ret < 0)
		goto fail;
	ev.interview = uuid;
	ev.kind = kind;
	ev.old_value = store_istatus_name(st);
	ev.new_value = store_istatus_name(to);
	ev.extra = comment;
	ev.actor = author;
	if (comment && *comment) {
		ret = comment_row(s, uuid, NULL, author, comment, cuuid, err);
		if (ret < 0)
			goto fail;
	}
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
	ret = store_iv_touch(s, uuid, true, NULL, err);
	if (ret < 0)
		goto fail;
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}

#define BIT(st) (1u << (st))

int store_interview_complete(struct store *s, const char *uuid, struct error *err)
{
	return transition(s, uuid, BIT(STORE_IN_PROGRESS), STORE_COMPLETED, "complete", false,
			  NULL, NULL, err);
}

int store_interview_reopen(struct store *s, const char *uuid, struct error *err)
{
	return transition(s, uuid, BIT(STORE_COMPLETED) | BIT(STORE_REJECTED), STORE_IN_PROGRESS,
			  "reopen", false, NULL, NULL, err);
}

int store_interview_review(struct store *s, const char *uuid, bool approve,
			   const char *comment, const char *author, struct error *err)
{
	if (!approve && (!comment || !*comment))
		return store_fail(s, err, STORE_E_INVALID, "退回访问 '%s' 时必须填写意见",
				  "rejecting interview '%s' needs a comment", uuid ? uuid : "");
	if (store_value_check(s, "comment", comment, err) < 0)
		return -STORE_E_INVALID;
	return transition(s, uuid,
			  BIT(STORE_COMPLETED) | BIT(STORE_APPROVED) | BIT(STORE_REJECTED),
			  approve ? STORE_APPROVED : STORE_REJECTED, "review", true,
			  comment && *comment ? comment : NULL, author, err);
}

int store_comment_add(struct store *s, const char *uuid, const char *path, const char *author,
		      const char *text, struct error *err)
{
	struct event_in ev = {0};
	char cuuid[STORE_ID_LEN + 1];
	enum store_istatus st;
	int ret;

	ret = check_uuid_arg(s, uuid, err);
	if (ret < 0)
		return ret;
	if (!text || !*text)
		return store_fail(s, err, STORE_E_INVALID, "备注为空", "empty comment");
	if ((ret = store_value_check(s, "comment", text, err)) < 0 ||
	    (ret = store_value_check(s, "path", path, err)) < 0)
		return ret;
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_iv_status(s, uuid, &st, err);
	if (ret < 0)
		goto fail;
	ret = comment_row(s, uuid, path, author, text, cuuid, err);
	if (ret < 0)
		goto fail;
	ev.interview = uuid;
	ev.kind = "comment";
	ev.path = path;
	ev.new_value = text;
	ev.extra = cuuid;
	ev.actor = author;
	ret = store_event_add(s, &ev, err);
	if (ret < 0)
		goto fail;
	ret = store_iv_touch(s, uuid, true, NULL, err);
	if (ret < 0)
		goto fail;
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}

/* ---- merge primitives -------------------------------------------------------- */

/* Binds the 12 event columns in ST_EVENT_INSERT's order. */
static void bind_event(sqlite3_stmt *q, const struct store_event *ev)
{
	store_bind_text(q, 1, ev->device);
	sqlite3_bind_int64(q, 2, ev->seq);
	store_bind_text(q, 3, ev->interview);
	sqlite3_bind_int64(q, 4, ev->time);
	store_bind_text(q, 5, ev->kind);
	store_bind_text(q, 6, ev->actor);
	store_bind_text(q, 7, ev->path);
	store_bind_text(q, 8, ev->old_value);
	store_bind_text(q, 9, ev->new_value);
	store_bind_text(q, 10, store_special_name(ev->old_special));
	store_bind_text(q, 11, store_special_name(ev->new_special));
	store_bind_text(q, 12, ev->extra);
}

/* An event's integer keys (store_key_id). */
struct event_keys {
	int64_t dev, iv, kind, path;
};

/* Binds an event_row's 12 columns in ST_EVENT_INSERT's order: the device,
 * interview, kind and path as their integer keys. */
static void bind_event_row(sqlite3_stmt *q, const struct store_event *ev,
			   const struct event_keys *k)
{
	sqlite3_bind_int64(q, 1, k->dev);
	sqlite3_bind_int64(q, 2, ev->seq);
	sqlite3_bind_int64(q, 3, k->iv);
	sqlite3_bind_int64(q, 4, ev->time);
	sqlite3_bind_int64(q, 5, k->kind);
	store_bind_text(q, 6, ev->actor);
	sqlite3_bind_int64(q, 7, k->path);
	store_bind_text(q, 8, ev->old_value);
	store_bind_text(q, 9, ev->new_value);
	store_bind_text(q, 10, store_special_name(ev->old_special));
	store_bind_text(q, 11, store_special_name(ev->new_special));
	store_bind_text(q, 12, ev->extra);
}

/* SHA-256 of an event's content (every column but device and seq), each
 * field told apart from NULL, so two versions order the same way everywhere. */
void store_event_hash(const struct store_event *ev, char hex[65])
{
	const char *f[9] = {ev->interview, ev->kind, ev->actor, ev->path, ev->old_value,
			    ev->new_value, store_special_name(ev->old_special),
			    store_special_name(ev->new_special), ev->extra};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addf(&sb, "%lld", (long long)ev->time);
	for (i = 0; i < 9; i++) {
		strbuf_addch(&sb, 0x1f);
		if (f[i])
			strbuf_addstr(&sb, f[i]);
		else
			strbuf_addch(&sb, 0x1e);
	}
	digest_sha256_hex(sb.buf, sb.len, hex);
	strbuf_release(&sb);
}

static bool event_same(const struct store_event *a, const struct store_event *b)
{
	return streq_null(a->interview, b->interview) && a->time == b->time &&
	       streq_null(a->kind, b->kind) && streq_null(a->actor, b->actor) &&
	       streq_null(a->path, b->path) && streq_null(a->old_value, b->old_value) &&
	       streq_null(a->new_value, b->new_value) && a->old_special == b->old_special &&
	       a->new_special == b->new_special && streq_null(a->extra, b->extra);
}

/* Sets event `ev` aside in event_clash; 1 when it was not there yet. */
static int clash_add(struct store *s, const struct store_event *ev, const char *hash,
		     struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_EVENT_CLASH_ADD, err);
	int rc;

	if (!q)
		return -STORE_E_INTERNAL;
	bind_event(q, ev);
	store_bind_text(q, 13, hash);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return sqlite3_changes(s->db) == 1;
}

/*
 * (device, seq) is already taken. The same content is the normal case of an
 * event seen twice. Different content means two databases wrote under one
 * device id — a laptop's database copied to another — and neither version may
 * be lost: the one with the smaller content hash stays in `event` (so the
 * result does not depend on merge order), the other goes to event_clash.
 */
static int event_collide(struct store *s, const struct store_event *ev, const struct event_keys *k,
			 struct error *err)
{
	sqlite3_stmt *q = store_stmt(s, ST_EVENT_GET, err);
	struct store_event old;
	char h_old[65], h_new[65];
	int rc, ret;

	if (!q)
		return -STORE_E_INTERNAL;
	sqlite3_bind_int64(q, 1, k->dev);
	sqlite3_bind_int64(q, 2, ev->seq);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(q);
		return rc == SQLITE_DONE ? 0 : store_db_fail(s, rc, err);
	}
	memset(&old, 0, sizeof(old));
	old.device = ev->device;
	old.seq = ev->seq;
	old.interview = xstrdup((const char *)sqlite3_column_text(q, 0));
	old.time = sqlite3_column_int64(q, 1);
	old.kind = xstrdup((const char *)sqlite3_column_text(q, 2));
	old.actor = xstrdup((const char *)sqlite3_column_text(q, 3));
	old.path = xstrdup((const char *)sqlite3_column_text(q, 4));
	old.old_value = xstrdup((const char *)sqlite3_column_text(q, 5));
	old.new_value = xstrdup((const char *)sqlite3_column_text(q, 6));
	old.old_special = (enum store_special)store_special_stored((const char *)sqlite3_column_text(q, 7));
	old.new_special = (enum store_special)store_special_stored((const char *)sqlite3_column_text(q, 8));
	old.extra = xstrdup((const char *)sqlite3_column_text(q, 9));
	sqlite3_reset(q);
	if (event_same(&old, ev)) {
		ret = 0;
		goto done;
	}
	store_event_hash(&old, h_old);
	store_event_hash(ev, h_new);
	if (strcmp(h_new, h_old) >= 0) {
		ret = clash_add(s, ev, h_new, err);
		if (ret > 0)
			ret = 2;
		goto done;
	}
	ret = clash_add(s, &old, h_old, err);
	if (ret < 0)
		goto done;
	q = store_stmt(s, ST_EVENT_REPLACE, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto done;
	}
	bind_event_row(q, ev, k);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	ret = rc == SQLITE_DONE ? 2 : store_db_fail(s, rc, err);
done:
	free((char *)old.interview);
	free((char *)old.kind);
	free((char *)old.actor);
	free((char *)old.path);
	free((char *)old.old_value);
	free((char *)old.new_value);
	free((char *)old.extra);
	return ret;
}

int store_event_insert(struct store *s, const struct store_event *ev, struct error *err)
{
	sqlite3_stmt *q;
	struct event_keys k;
	int rc;

	if (!ev->device || !*ev->device || ev->seq < 1 || !store_event_kind_valid(ev->kind))
		return store_fail(s, err, STORE_E_INVALID,
				  "事件无效（设备 '%s'，序号 %lld，类型 '%s'）",
				  "invalid event (device '%s', seq %lld, kind '%s')",
				  ev->device ? ev->device : "", (long long)ev->seq,
				  ev->kind ? ev->kind : "");
	if (store_ident(s, ev->device, IDENT_DEVICE, false, err) < 0 ||
	    store_value_check(s, "path", ev->path, err) < 0 ||
	    store_value_check(s, ev->path ? ev->path : ev->kind, ev->old_value, err) < 0 ||
	    store_value_check(s, ev->path ? ev->path : ev->kind, ev->new_value, err) < 0 ||
	    store_value_check(s, "extra", ev->extra, err) < 0)
		return -STORE_E_INVALID;
	if ((rc = store_key_id(s, STORE_KEY_DEVICE, ev->device, true, &k.dev, err)) < 0 ||
	    (rc = store_key_id(s, STORE_KEY_INTERVIEW, ev->interview, true, &k.iv, err)) < 0 ||
	    (rc = store_key_id(s, STORE_KEY_NAME, ev->kind, true, &k.kind, err)) < 0 ||
	    (rc = store_key_id(s, STORE_KEY_NAME, ev->path, true, &k.path, err)) < 0)
		return rc;
	q = store_stmt(s, ST_EVENT_INSERT, err);
	if (!q)
		return -STORE_E_INTERNAL;
	bind_event_row(q, ev, &k);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	if (sqlite3_changes(s->db) == 1)
		return 1;
	return event_collide(s, ev, &k, err);
}

int store_comment_insert(struct store *s, const struct store_comment *c, struct error *err)
{
	sqlite3_stmt *q;
	int rc;

	if (!c->uuid || !*c->uuid || !c->interview || !c->text || !c->device)
		return store_fail(s, err, STORE_E_INVALID, "备注 '%s' 不完整",
				  "incomplete comment '%s'", c->uuid ? c->uuid : "");
	if (store_ident(s, c->device, IDENT_DEVICE, false, err) < 0 ||
	    store_value_check(s, "comment", c->text, err) < 0 ||
	    store_value_check(s, "path", c->path, err) < 0)
		return -STORE_E_INVALID;
	q = store_stmt(s, ST_COMMENT_ADD, err);
	if (!q)
		return -STORE_E_INTERNAL;
	store_bind_text(q, 1, c->uuid);
	store_bind_text(q, 2, c->interview);
	store_bind_text(q, 3, c->path);
	store_bind_text(q, 4, c->author);
	store_bind_text(q, 5, c->text);
	sqlite3_bind_int64(q, 6, c->time);
	store_bind_text(q, 7, c->device);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, rc, err);
	return sqlite3_changes(s->db) == 1 ? 1 : 0;
}

int store_interview_import(struct store *s, const struct store_interview *iv,
			   const struct store_answer *answers, size_t n, struct error *err)
{
	sqlite3_stmt *q;
	int64_t cs;
	size_t i;
	int ret, rc;

	if (!iv->uuid[0] || !iv->form_hash || !iv->device || !store_istatus_name(iv->status) ||
	    iv->revision < 1)
		return store_fail(s, err, STORE_E_INVALID, "访问 '%s' 不完整",
				  "incomplete interview '%s'", iv->uuid);
	if (store_ident(s, iv->device, IDENT_DEVICE, false, err) < 0 ||
	    store_ident(s, iv->household_key, IDENT_HOUSEHOLD, true, err) < 0 ||
	    store_ident(s, iv->enumerator, IDENT_ENUMERATOR, true, err) < 0 ||
	    store_value_check(s, "position", iv->position, err) < 0 ||
	    store_value_check(s, "review_comment", iv->review_comment, err) < 0)
		return -STORE_E_INVALID;
	for (i = 0; answers && i < n; i++)
		if (store_value_check(s, "path", answers[i].path, err) < 0 ||
		    store_value_check(s, answers[i].path, answers[i].value, err) < 0)
			return -STORE_E_INVALID;
	for (i = 0; answers && i < n; i++)
		if (!answers[i].path || !*answers[i].path ||
		    (answers[i].value && answers[i].special != STORE_SPECIAL_NONE))
			return store_fail(s, err, STORE_E_INVALID, "访问 '%s' 的答案 '%s' 无效",
					  "invalid answer '%s' in interview '%s'",
					  answers[i].path ? answers[i].path : "", iv->uuid);
	ret = store_tx_begin(s, err);
	if (ret < 0)
		return ret;
	ret = store_change_next(s, &cs, err);
	if (ret < 0)
		goto fail;
	q = store_stmt(s, ST_IV_UPSERT, err);
	if (!q) {
		ret = -STORE_E_INTERNAL;
		goto fail;
	}
	store_iv_bind(q, iv);
	sqlite3_bind_int64(q, 9, cs);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		ret = store_db_fail(s, rc, err);
		goto fail;
	}
	if (answers) {
		q = store_stmt(s, ST_ANS_DEL_ALL, err);
		if (!q) {
			ret = -STORE_E_INTERNAL;
			goto fail;
		}
		store_bind_text(q, 1, iv->uuid);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE) {
			ret = store_db_fail(s, rc, err);
			goto fail;
		}
		for (i = 0; i < n; i++) {
			ret = answer_write(s, iv->uuid, answers[i].path, answers[i].value,
					   answers[i].special, err);
			if (ret < 0)
				goto fail;
		}
	}
	return store_tx_commit(s, err);
fail:
	store_tx_abort(s);
	return ret;
}
