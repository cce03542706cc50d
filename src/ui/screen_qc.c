/*
 * screen_qc — the review screens of `ruhu review --db TEAM.db` (no action):
 * the team leader's and QC's list of interviews (status, enumerator,
 * village, findings of the latest audit run; Tab cycles the status, ← → the
 * village, F3 the enumerator, F2 shows only interviews with findings), and one interview read in full: its
 * findings, every answer with the findings and comments on it beside it,
 * and its paradata timeline (each event with its time and the change). F5
 * comments on the highlighted answer (or the whole interview), F6 approves,
 * F7 rejects with a reason typed in a box. Every action goes through the
 * store (store_comment_add, store_interview_review): an event with the
 * reviewer and the time that travels with the interview.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/store_review.h"
#include "ruhu/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *reviewer; /* set by ui_qc_run for the whole run */

static const char *istatus_label(enum store_istatus st)
{
	switch (st) {
	case STORE_IN_PROGRESS: return T_("进行中", "in progress");
	case STORE_COMPLETED: return T_("已完成", "completed");
	case STORE_APPROVED: return T_("已通过", "approved");
	case STORE_REJECTED: return T_("已退回", "rejected");
	default: return "";
	}
}

static int istatus_role(enum store_istatus st)
{
	switch (st) {
	case STORE_COMPLETED: return R_NORMAL;
	case STORE_APPROVED: return R_OK;
	case STORE_REJECTED: return R_ERROR;
	default: return R_SPECIAL;
	}
}

static int cell(int y, int x, int w, const char *s, int attr)
{
	ui_put(y, x, w - 1, s ? s : "", attr);
	return x + w;
}

/* ---- the prompt: a comment or a rejection reason ------------------------- */

struct qc_prompt_arg {
	bool reject;          /* else a comment */
	const char *uuid;
	const char *path;     /* comment target, NULL = the whole interview */
	bool *dirty;          /* set after a change */
};

struct qc_prompt {
	struct qc_prompt_arg a;
	char *uuid, *path;
	struct ui_edit edit;
};

static void *prompt_init(struct ui *ui, void *arg)
{
	struct qc_prompt *p = xcalloc(1, sizeof(*p));

	(void)ui;
	p->a = *(struct qc_prompt_arg *)arg;
	p->uuid = xstrdup(p->a.uuid);
	p->path = xstrdup(p->a.path);
	ui_edit_set(&p->edit, "");
	return p;
}

static void prompt_free(void *st)
{
	struct qc_prompt *p = st;

	if (!p)
		return;
	free(p->uuid);
	free(p->path);
	ui_edit_free(&p->edit);
	free(p);
}

static void prompt_draw(struct ui *ui, void *st)
{
	struct qc_prompt *p = st;
	int w = ui->cols > 74 ? 70 : ui->cols - 2, x = (ui->cols - w) / 2, y = ui->rows / 2 - 3, i, cx;
	int a = ui_attr(ui, R_TITLE);
	struct strbuf sb = STRBUF_INIT;

	if (y < 1)
		y = 1;
	for (i = 0; i < 6; i++)
		ui_fill(y + i, x, w, a);
	if (p->a.reject)
		strbuf_addstr(&sb, T_("退回原因：", "Reason for rejecting:"));
	else
		strbuf_addf(&sb, "%s %s", T_("批注：", "Comment on:"),
			    p->path ? p->path : T_("整个访问", "the whole interview"));
	ui_put(y + 1, x + 2, w - 4, sb.buf, a);
	cx = ui_edit_draw(&p->edit, y + 3, x + 2, w - 4, ui_attr(ui, R_INPUT));
	ui_cursor(ui, y + 3, cx);
	ui_put(y + 4, x + 2, w - 4, T_("Enter 保存   Esc 取消", "Enter saves   Esc cancels"), a);
	strbuf_release(&sb);
}

static void prompt_key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct qc_prompt *p = st;
	struct error err = ERROR_INIT;
	char *text;
	int rc;

	switch (k->code) {
	case UK_CANCEL: case UK_LEAVE:
		ui_pop(ui);
		return;
	case UK_ENTER:
		text = ui_edit_get(&p->edit);
		if (!*text) {
			if (p->a.reject)
				ui_flash(ui, true, "退回须写明原因", "a rejection needs a reason");
			else
				ui_pop(ui);
			free(text);
			return;
		}
		rc = p->a.reject
			     ? store_interview_review(ui->app->store, p->uuid, false, text, reviewer, &err)
			     : store_comment_add(ui->app->store, p->uuid, p->path, reviewer, text, &err);
		if (rc < 0) {
			ui_flash_err(ui, &err);
		} else {
			*p->a.dirty = true;
			ui_pop(ui);
			if (p->a.reject)
				ui_flash(ui, false, "已退回", "rejected");
			else
				ui_flash(ui, false, "批注已保存", "comment saved");
		}
		free(text);
		error_clear(&err);
		return;
	default:
		ui_edit_key(&p->edit, k, NULL);
		return;
	}
}

static const struct screen_ops screen_qc_prompt = {"qc-prompt", true, prompt_init, prompt_draw,
						   prompt_key, prompt_free};

/* ---- one interview ---------------------------------------------------------- */

struct line {
	char *text;
	char *path; /* the answer's path: a comment's target */
	int role;
};

struct qc_iv {
	char uuid[STORE_ID_LEN + 1];
	struct line *v;
	size_t n, cap;
	int sel, top;
	bool dirty;
	/* findings and comments, gathered before the answers */
	struct store_review_finding *f;
	char **fbuf;
	size_t nf, capf;
	bool *fshown;
	struct store_comment *c;
	size_t nc, capc;
};

static void add_line(struct qc_iv *s, int role, const char *path, char *text)
{
	XGROW(s->v, s->cap, s->n + 1);
	s->v[s->n].text = text;
	s->v[s->n].path = xstrdup(path);
	s->v[s->n].role = role;
	s->n++;
}

static void add_fmt(struct qc_iv *s, int role, const char *path, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	add_line(s, role, path, strbuf_detach(&sb, NULL));
}

static int keep_finding(void *ctx, const struct store_review_finding *f)
{
	struct qc_iv *s = ctx;
	struct store_review_finding *k;

	XGROW(s->f, s->capf, s->nf + 1);
	k = &s->f[s->nf++];
	k->rule = xstrdup(f->rule);
	k->severity = xstrdup(f->severity);
	k->path = xstrdup(f->path);
	k->detail = xstrdup(f->detail);
	return 0;
}

static int keep_comment(void *ctx, const struct store_comment *c)
{
	struct qc_iv *s = ctx;
	struct store_comment *k;

	XGROW(s->c, s->capc, s->nc + 1);
	k = &s->c[s->nc++];
	memset(k, 0, sizeof(*k));
	k->path = xstrdup(c->path);
	k->author = xstrdup(c->author);
	k->text = xstrdup(c->text);
	return 0;
}

static void add_finding(struct qc_iv *s, size_t i)
{
	const struct store_review_finding *f = &s->f[i];

	s->fshown[i] = true;
	add_fmt(s, R_ERROR, NULL, "    ! %s %s  %s", f->severity, f->rule, f->detail);
}

static void add_comments(struct qc_iv *s, const char *path)
{
	for (size_t i = 0; i < s->nc; i++)
		if ((!path && !s->c[i].path) ||
		    (path && s->c[i].path && !strcmp(path, s->c[i].path)))
			add_fmt(s, R_SPECIAL, path, "    » %s: %s",
				s->c[i].author ? s->c[i].author : "-", s->c[i].text);
}

static int add_answer(void *ctx, const struct store_answer *a)
{
	struct qc_iv *s = ctx;
	const char *v = a->value ? a->value : "";
	size_t i, pl;

	/* roster-level findings ("members[2]") before the first answer of that member */
	for (i = 0; i < s->nf; i++) {
		pl = strlen(s->f[i].path);
		if (!s->fshown[i] && pl && !strncmp(a->path, s->f[i].path, pl) && a->path[pl] == '/')
			add_finding(s, i);
	}
	if (a->special == STORE_SPECIAL_DONT_KNOW)
		v = T_("（不知道）", "(don't know)");
	else if (a->special == STORE_SPECIAL_REFUSED)
		v = T_("（拒答）", "(refused)");
	add_fmt(s, R_NORMAL, a->path, "  %s = %s", a->path, v);
	for (i = 0; i < s->nf; i++)
		if (!s->fshown[i] && !strcmp(a->path, s->f[i].path))
			add_finding(s, i);
	add_comments(s, a->path);
	return 0;
}

static int add_event(void *ctx, const struct store_event *ev)
{
	struct qc_iv *s = ctx;
	struct strbuf sb = STRBUF_INIT;
	time_t t = (time_t)(ev->time / 1000);
	struct tm tm;
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%m-%d %H:%M:%S", &tm);
	strbuf_addf(&sb, "  %s %s", when, ev->kind);
	if (ev->path)
		strbuf_addf(&sb, " %s", ev->path);
	if (ev->old_value || ev->new_value)
		strbuf_addf(&sb, " %s→%s", ev->old_value ? ev->old_value : "",
			    ev->new_value ? ev->new_value : "");
	if (ev->actor)
		strbuf_addf(&sb, " (%s)", ev->actor);
	add_line(s, R_HINT, NULL, strbuf_detach(&sb, NULL));
	return 0;
}

static void iv_clear(struct qc_iv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].text);
		free(s->v[i].path);
	}
	s->n = 0;
	for (i = 0; i < s->nf; i++) {
		free((char *)s->f[i].rule);
		free((char *)s->f[i].severity);
		free((char *)s->f[i].path);
		free((char *)s->f[i].detail);
	}
	s->nf = 0;
	for (i = 0; i < s->nc; i++) {
		free(s->c[i].path);
		free(s->c[i].author);
		free(s->c[i].text);
	}
	s->nc = 0;
	free(s->fshown);
	s->fshown = NULL;
}

static int iv_load(struct ui *ui, struct qc_iv *s, struct error *err)
{
	struct store *st = ui->app->store;
	struct store_interview iv = {0};
	size_t i;
	int ret;

	iv_clear(s);
	ret = store_interview_get(st, s->uuid, &iv, err);
	if (ret < 0)
		return ret;
	add_fmt(s, istatus_role(iv.status), NULL, "%s %s · %s %lld", T_("状态", "status"),
		istatus_label(iv.status), T_("版本", "revision"), (long long)iv.revision);
	if (iv.status == STORE_REJECTED && iv.review_comment)
		add_fmt(s, R_ERROR, NULL, "%s %s", T_("退回原因：", "reason:"), iv.review_comment);
	store_interview_release(&iv);
	if ((ret = store_review_findings_each(st, s->uuid, keep_finding, s, err)) < 0 ||
	    (ret = store_comments_each(st, s->uuid, keep_comment, s, err)) < 0)
		return ret;
	s->fshown = xcalloc(s->nf + 1, sizeof(*s->fshown));
	add_fmt(s, R_LABEL, NULL, T_("问题 %zu 条", "findings: %zu"), s->nf);
	for (i = 0; i < s->nf; i++)
		if (!*s->f[i].path)
			add_finding(s, i);
	add_comments(s, NULL);
	add_fmt(s, R_LABEL, NULL, "%s", T_("答案", "answers"));
	if ((ret = store_answers_each(st, s->uuid, add_answer, s, err)) < 0)
		return ret;
	for (i = 0; i < s->nf; i++) /* about paths with no answer */
		if (!s->fshown[i]) {
			add_fmt(s, R_ERROR, s->f[i].path, "  %s", s->f[i].path);
			add_finding(s, i);
		}
	add_fmt(s, R_LABEL, NULL, "%s", T_("过程记录", "paradata timeline"));
	ret = store_events_each(st, s->uuid, add_event, s, err);
	if (s->sel >= (int)s->n)
		s->sel = s->n ? (int)s->n - 1 : 0;
	return ret < 0 ? ret : 0;
}

static void *iv_init(struct ui *ui, void *arg)
{
	struct qc_iv *s = xcalloc(1, sizeof(*s));
	struct error err = ERROR_INIT;

	snprintf(s->uuid, sizeof(s->uuid), "%s", (const char *)arg);
	if (iv_load(ui, s, &err) < 0) {
		ui_flash_err(ui, &err);
		error_clear(&err);
		iv_clear(s);
		free(s->v);
		free(s->f);
		free(s->c);
		free(s);
		return NULL;
	}
	return s;
}

static void iv_free(void *st)
{
	struct qc_iv *s = st;

	if (!s)
		return;
	iv_clear(s);
	free(s->v);
	free(s->f);
	free(s->c);
	free(s);
}

static const struct ui_footkey iv_foot[] = {
	{"↑↓", "移动", "move"},     {"F5", "批注", "comment"}, {"F6", "通过", "approve"},
	{"F7", "退回", "reject"},   {"Esc", "返回", "back"},   {"F10", "退出", "quit"},
};

static void iv_draw(struct ui *ui, void *st)
{
	struct qc_iv *s = st;
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	int rows = ui_body_rows(ui) - 1, y, i; /* the last body row: the F5 target */

	if (rows < 1)
		rows = 1;
	if (s->dirty) {
		s->dirty = false;
		if (iv_load(ui, s, &err) < 0)
			ui_flash_err(ui, &err);
		error_clear(&err);
	}
	ui_header(ui, T_("审核 · 访谈", "Review · interview"), s->uuid);
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + rows)
		s->top = s->sel - rows + 1;
	for (i = s->top, y = ui_body_top(ui); i < (int)s->n && y < ui_body_top(ui) + rows; i++, y++) {
		bool sel = i == s->sel;

		if (sel)
			ui_fill(y, 0, ui->cols, ui_attr(ui, R_SEL));
		ui_put(y, 1, ui->cols - 2, s->v[i].text,
		       ui_attr(ui, sel ? R_SEL : (enum ui_role)s->v[i].role));
	}
	strbuf_addf(&sb, "%s %s", T_("F5 批注：", "F5 comments on:"),
		    s->n && s->v[s->sel].path ? s->v[s->sel].path
					      : T_("整个访问", "the whole interview"));
	ui_put(ui->rows - 4, 1, ui->cols - 2, sb.buf, ui_attr(ui, R_HINT));
	strbuf_release(&sb);
	ui_footer(ui, iv_foot, sizeof(iv_foot) / sizeof(iv_foot[0]), NULL, false);
}

static void iv_key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct qc_iv *s = st;
	struct qc_prompt_arg pa = {false, s->uuid, NULL, &s->dirty};
	struct error err = ERROR_INIT;
	int page = ui_body_rows(ui);

	switch (k->code) {
	case UK_UP: if (s->sel > 0) s->sel--; return;
	case UK_DOWN: if (s->sel + 1 < (int)s->n) s->sel++; return;
	case UK_PGUP: case UK_BACK: s->sel = s->sel > page ? s->sel - page : 0; return;
	case UK_PGDN: s->sel = s->sel + page < (int)s->n ? s->sel + page : (int)s->n - 1; return;
	case UK_HOME: s->sel = 0; return;
	case UK_END: s->sel = s->n ? (int)s->n - 1 : 0; return;
	case UK_COMMENT:
		pa.path = s->n ? s->v[s->sel].path : NULL;
		ui_push(ui, &screen_qc_prompt, &pa);
		return;
	case UK_MOVEUP: /* F6: approve */
		if (store_interview_review(ui->app->store, s->uuid, true, NULL, reviewer, &err) < 0)
			ui_flash_err(ui, &err);
		else
			ui_flash(ui, false, "已通过", "approved");
		error_clear(&err);
		s->dirty = true;
		return;
	case UK_MOVEDOWN: /* F7: reject with a reason */
		pa.reject = true;
		ui_push(ui, &screen_qc_prompt, &pa);
		return;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); s->dirty = true; return;
	case UK_HELP: ui_push(ui, &screen_help, NULL); return;
	case UK_LEAVE: ui->quit = true; return;
	case UK_CANCEL: ui_pop(ui); return;
	default: return;
	}
}

static const struct screen_ops screen_qc_interview = {"qc-interview", false, iv_init, iv_draw,
						      iv_key, iv_free};

/* ---- the list --------------------------------------------------------------- */

struct qc_list {
	struct store_review_filter f;
	char *enumerator, *village, *rule;
	struct store_review_row *rows;
	size_t n;
	int sel, top;
	bool only_findings;
	bool dirty; /* reload before the next draw: a filter changed, or back from one */
	/* the villages and enumerators of the database, for ← → and F3 */
	char **villages, **enums;
	size_t nvillages, capvillages, nenums, capenums;
};

static void add_distinct(char ***v, size_t *n, size_t *cap, const char *s)
{
	size_t i;

	if (!s || !*s)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	XGROW(*v, *cap, *n + 1);
	(*v)[(*n)++] = xstrdup(s);
}

/* the next value of a filter among v[0..n) after `cur` (NULL = all), all
 * after the last one: `step` +1 or -1 */
static void cycle(char **cur, char **v, size_t n, int step)
{
	size_t i = n; /* "all" */

	if (*cur)
		for (i = 0; i < n && strcmp(v[i], *cur); i++)
			;
	i = (i + n + 1 + (size_t)(step > 0 ? 1 : n)) % (n + 1);
	free(*cur);
	*cur = i == n ? NULL : xstrdup(v[i]);
}

static void list_reload(struct ui *ui, struct qc_list *l)
{
	struct store_review_filter f = l->f;
	struct error err = ERROR_INIT;

	store_review_rows_free(l->rows, l->n);
	l->rows = NULL;
	l->n = 0;
	if (l->only_findings && !f.rule)
		f.rule = "*";
	if (store_review_list(ui->app->store, &f, &l->rows, &l->n, &err) < 0)
		ui_flash_err(ui, &err);
	error_clear(&err);
	if (l->sel >= (int)l->n)
		l->sel = l->n ? (int)l->n - 1 : 0;
}

static void *list_init(struct ui *ui, void *arg)
{
	const struct store_review_filter *f = arg;
	struct qc_list *l = xcalloc(1, sizeof(*l));

	l->f = *f;
	l->enumerator = xstrdup(f->enumerator);
	l->village = xstrdup(f->village);
	l->rule = xstrdup(f->rule);
	l->f.enumerator = l->enumerator;
	l->f.village = l->village;
	l->f.rule = l->rule;
	{
		struct store_review_filter all = STORE_REVIEW_FILTER_ALL;
		struct store_review_row *rows = NULL;
		struct error err = ERROR_INIT;
		size_t n = 0, i;

		if (store_review_list(ui->app->store, &all, &rows, &n, &err) == 0)
			for (i = 0; i < n; i++) {
				add_distinct(&l->villages, &l->nvillages, &l->capvillages,
					     rows[i].village);
				add_distinct(&l->enums, &l->nenums, &l->capenums, rows[i].enumerator);
			}
		error_clear(&err);
		store_review_rows_free(rows, n);
	}
	list_reload(ui, l);
	return l;
}

static void list_free(void *st)
{
	struct qc_list *l = st;

	if (!l)
		return;
	store_review_rows_free(l->rows, l->n);
	for (size_t i = 0; i < l->nvillages; i++)
		free(l->villages[i]);
	for (size_t i = 0; i < l->nenums; i++)
		free(l->enums[i]);
	free(l->villages);
	free(l->enums);
	free(l->enumerator);
	free(l->village);
	free(l->rule);
	free(l);
}

static const struct ui_footkey list_foot[] = {
	{"Enter", "打开", "open"}, {"Tab", "状态", "status"}, {"←→", "村", "village"},
	{"F3", "调查员", "enumerator"}, {"F2", "只看有问题的", "with findings"},
	{"F4", "English", "中文"}, {"F10", "退出", "quit"},
};

static void list_draw(struct ui *ui, void *st)
{
	struct qc_list *l = st;
	struct strbuf sb = STRBUF_INIT;
	int rows, y, x, i;

	if (l->dirty) {
		l->dirty = false;
		list_reload(ui, l);
	}
	strbuf_addf(&sb, "%zu", l->n);
	ui_header(ui, T_("审核 · 访谈列表", "Review · interviews"), sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s %s  %s %s  %s %s  %s %s", T_("状态：", "status:"),
		    l->f.status < 0 ? T_("全部", "all")
				    : istatus_label((enum store_istatus)l->f.status),
		    T_("调查员：", "enumerator:"), l->enumerator ? l->enumerator : T_("全部", "all"),
		    T_("村：", "village:"), l->village ? l->village : T_("全部", "all"),
		    T_("问题：", "findings:"),
		    l->rule && strcmp(l->rule, "*") ? l->rule
		    : l->rule || l->only_findings  ? T_("有", "any")
						   : T_("全部", "all"));
	ui_put(1, 1, ui->cols - 2, sb.buf, ui_attr(ui, R_HINT));
	x = 1;
	x = cell(2, x, 12, T_("状态", "status"), ui_attr(ui, R_LABEL));
	x = cell(2, x, 14, T_("户", "household"), ui_attr(ui, R_LABEL));
	x = cell(2, x, 10, T_("调查员", "enumerator"), ui_attr(ui, R_LABEL));
	x = cell(2, x, 11, T_("村", "village"), ui_attr(ui, R_LABEL));
	x = cell(2, x, 9, T_("问题", "findings"), ui_attr(ui, R_LABEL));
	cell(2, x, ui->cols - x - 1, T_("访谈", "interview"), ui_attr(ui, R_LABEL));
	rows = ui_body_rows(ui) - 3;
	if (rows < 1)
		rows = 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + rows)
		l->top = l->sel - rows + 1;
	for (i = l->top, y = 3; i < (int)l->n && y < 3 + rows; i++, y++) {
		const struct store_review_row *r = &l->rows[i];
		bool sel = i == l->sel;
		int attr = ui_attr(ui, sel ? R_SEL : R_NORMAL);
		char fd[32];

		if (sel)
			ui_fill(y, 0, ui->cols, attr);
		snprintf(fd, sizeof(fd), "%zu/%zu", r->n_errors, r->n_findings);
		x = 1;
		x = cell(y, x, 12, istatus_label(r->status),
			 sel ? attr : ui_attr(ui, (enum ui_role)istatus_role(r->status)));
		x = cell(y, x, 14, r->household_key ? r->household_key : "-", attr);
		x = cell(y, x, 10, r->enumerator, attr);
		x = cell(y, x, 11, r->village, attr);
		x = cell(y, x, 9, fd, sel || !r->n_findings ? attr : ui_attr(ui, R_ERROR));
		cell(y, x, ui->cols - x - 1, r->uuid, attr);
	}
	if (!l->n)
		ui_put(4, 2, ui->cols - 4, T_("（没有符合条件的访谈）", "(no interview matches)"),
		       ui_attr(ui, R_HINT));
	else if (l->rows[l->sel].status == STORE_REJECTED && l->rows[l->sel].review_comment) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s %s", T_("退回原因：", "reason:"), l->rows[l->sel].review_comment);
		ui_put(ui->rows - 4, 1, ui->cols - 2, sb.buf, ui_attr(ui, R_ERROR));
	}
	ui_footer(ui, list_foot, sizeof(list_foot) / sizeof(list_foot[0]), NULL, false);
	strbuf_release(&sb);
}

static void list_key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct qc_list *l = st;
	int page = ui_body_rows(ui) - 3;

	switch (k->code) {
	case UK_UP: if (l->sel > 0) l->sel--; return;
	case UK_DOWN: if (l->sel + 1 < (int)l->n) l->sel++; return;
	case UK_PGUP: l->sel = l->sel > page ? l->sel - page : 0; return;
	case UK_PGDN: l->sel = l->sel + page < (int)l->n ? l->sel + page : (int)l->n - 1; return;
	case UK_HOME: l->sel = 0; return;
	case UK_END: l->sel = l->n ? (int)l->n - 1 : 0; return;
	case UK_TAB:
		l->f.status = l->f.status + 1 >= STORE_ISTATUS_COUNT ? -1 : l->f.status + 1;
		l->sel = 0;
		l->dirty = true;
		return;
	case UK_LEFT: case UK_RIGHT:
		cycle(&l->village, l->villages, l->nvillages, k->code == UK_RIGHT ? 1 : -1);
		l->f.village = l->village;
		l->sel = 0;
		l->dirty = true;
		return;
	case UK_REVIEW: /* F3 */
		cycle(&l->enumerator, l->enums, l->nenums, 1);
		l->f.enumerator = l->enumerator;
		l->sel = 0;
		l->dirty = true;
		return;
	case UK_SECTIONS:
		l->only_findings = !l->only_findings;
		l->sel = 0;
		l->dirty = true;
		return;
	case UK_ENTER:
		if (l->n) {
			l->dirty = true; /* the interview may change there */
			ui_push(ui, &screen_qc_interview, l->rows[l->sel].uuid);
		}
		return;
	case UK_HELP: ui_push(ui, &screen_help, NULL); return;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); return;
	case UK_LEAVE: case UK_CANCEL: ui->quit = true; return;
	default: return;
	}
}

const struct screen_ops screen_qc_list = {"qc-list", false, list_init, list_draw, list_key,
					  list_free};

int ui_qc_run(struct ui *ui, const struct store_review_filter *f, const char *who,
	      struct error *err)
{
	reviewer = who;
	return ui_run(ui, &screen_qc_list, (void *)f, err);
}
