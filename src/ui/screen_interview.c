/*
 * screen_interview — one question at a time: breadcrumb, progress, label and
 * hint (with ${} values filled in), the input widget of the question's type,
 * the constraint or required message, and "已保存 / saved" once the answer is
 * on disk.
 *
 * The body is laid out as one column of lines (label, hint, widget) that
 * scrolls so the line being edited (the input, the highlighted choice) is
 * always visible; ▲ / ▼ in the right margin say there is more.
 *
 * Widget state (the text being typed, the highlighted choice, the ticks of a
 * multiple choice, the filter of a long list) belongs to the question it was
 * loaded for; when the position changes it is reloaded from the saved answer.
 * Esc throws away what was typed and shows the saved answer again.
 */
#include "app.h"
#include "screens.h"
#include "wrap.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* Lists longer than this filter as you type instead of picking by digit. */
enum { SHORT_LIST = 9 };

struct ivs {
	char *path; /* the question the widget state was loaded for */
	const struct form_node *node;
	struct ui_edit edit;
	/* selects */
	int sel;               /* index into vis */
	int *vis;              /* choices shown (after the filter) */
	size_t nvis, capvis;
	bool *tick;            /* multiple choice: ticked, by choice index */
	size_t ntick;          /* choices of the list, + 1 for "other" with or_other */
	bool *allowed;         /* passes the choice_filter now, by choice index */
	struct ui_edit filter;
	char *filter_s;
	int scroll; /* lines scrolled by hand, up > 0 (↑ ↓ on a field, a note) */
};

static bool is_text_widget(const struct form_node *n, enum interview_item_kind kind)
{
	if (kind == IV_ITEM_OTHER)
		return true;
	switch (n->type) {
	case FORM_INTEGER: case FORM_DECIMAL: case FORM_RANGE: case FORM_TEXT: case FORM_DATE:
	case FORM_TIME: case FORM_DATETIME: case FORM_GEOPOINT: case FORM_BARCODE:
		return true;
	default:
		return false;
	}
}

static bool accept_int(wchar_t c)
{
	return (c >= L'0' && c <= L'9') || c == L'-';
}

static bool accept_dec(wchar_t c)
{
	return (c >= L'0' && c <= L'9') || c == L'-' || c == L'.';
}

static bool accept_date(wchar_t c)
{
	return (c >= L'0' && c <= L'9') || c == L'-';
}

static bool accept_time(wchar_t c)
{
	return (c >= L'0' && c <= L'9') || c == L':';
}

static bool accept_datetime(wchar_t c)
{
	return (c >= L'0' && c <= L'9') || c == L'-' || c == L':' || c == L' ';
}

/*
 * The shape of a date / time / dateTime field as the enumerator sees it: 'd'
 * is a digit, anything else a separator typed for them. A dateTime is shown
 * and typed with a space ("2026-11-22 09:30") and stored with the engine's
 * 'T' ("2026-11-22T09:30"); see shown_value / stored_value.
 */
static const char *field_shape(const struct form_node *n)
{
	switch (n->type) {
	case FORM_DATE: return "dddd-dd-dd";
	case FORM_TIME: return "dd:dd";
	case FORM_DATETIME: return "dddd-dd-dd dd:dd";
	default: return NULL;
	}
}

/* The stored answer as the field shows it (malloc'd; NULL stays NULL). */
static char *shown_value(const struct form_node *n, const char *v)
{
	char *s = v ? xstrdup(v) : NULL;

	if (s && n && n->type == FORM_DATETIME && strlen(s) > 10 && s[10] == 'T')
		s[10] = ' ';
	return s;
}

/* What the field holds as the engine takes it (in place). */
static void stored_value(const struct form_node *n, char *v)
{
	if (n->type == FORM_DATETIME && strlen(v) > 10 && v[10] == ' ')
		v[10] = 'T';
}

static bool accept_geo(wchar_t c)
{
	return accept_dec(c) || c == L' ';
}

static bool (*acceptor(const struct form_node *n))(wchar_t)
{
	switch (n->type) {
	case FORM_INTEGER: return accept_int;
	case FORM_DECIMAL: return accept_dec;
	case FORM_RANGE:
		return n->range_step == (long)n->range_step && n->range_start == (long)n->range_start
			       ? accept_int
			       : accept_dec;
	case FORM_DATE: return accept_date;
	case FORM_TIME: return accept_time;
	case FORM_DATETIME: return accept_datetime;
	case FORM_GEOPOINT: return accept_geo;
	default: return NULL;
	}
}

static const struct form_list *list_of(struct ui_app *app, const struct form_node *n)
{
	if ((n->type != FORM_SELECT_ONE && n->type != FORM_SELECT_MULTIPLE) || n->list < 0)
		return NULL;
	return form_list(app->form, (size_t)n->list);
}

/* Choice i of the select's list; i == l->n is the "other" of or_other. */
static const char *choice_name(const struct form_list *l, size_t i)
{
	return i < l->n ? l->choices[i].name : "other";
}

static const char *choice_label(struct ui_app *app, const struct form_list *l, size_t i)
{
	const char *t;

	if (i >= l->n)
		return T_("其他", "Other");
	t = form_text(app->form, l->choices[i].label, app_form_lang(app, app->form));
	return t ? t : l->choices[i].name;
}

static bool ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (!n)
		return true;
	for (; hay && *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++) {
			char a = hay[i], b = needle[i];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return true;
	}
	return false;
}

/* Recomputes the visible choices: those the choice_filter allows, narrowed
 * by what was typed. */
static void refilter(struct ui_app *app, struct ivs *s)
{
	const struct form_list *l = list_of(app, s->node);
	size_t i;
	char num[24];

	s->nvis = 0;
	if (!l)
		return;
	free(s->filter_s);
	s->filter_s = ui_edit_get(&s->filter);
	for (i = 0; i < s->ntick; i++) {
		const char *label = choice_label(app, l, i);
		if (!s->allowed[i])
			continue;
		snprintf(num, sizeof(num), "%zu", i + 1);
		if (*s->filter_s && !ci_contains(label, s->filter_s) &&
		    !ci_contains(choice_name(l, i), s->filter_s) && strcmp(num, s->filter_s))
			continue;
		XGROW(s->vis, s->capvis, s->nvis + 1);
		if (!strcmp(num, s->filter_s) && s->nvis) {
			/* the choice with exactly that number comes first */
			memmove(s->vis + 1, s->vis, s->nvis * sizeof(*s->vis));
			s->vis[0] = (int)i;
			s->nvis++;
		} else {
			s->vis[s->nvis++] = (int)i;
		}
	}
	if (s->sel >= (int)s->nvis)
		s->sel = s->nvis ? (int)s->nvis - 1 : 0;
}

/* Loads the widget state for the current question from its saved answer. */
static void load_widget(struct ui_app *app, struct ivs *s, const struct interview_item *it)
{
	const struct form_list *l;
	size_t i;

	free(s->path);
	s->path = xstrdup(it->path);
	s->node = it->node;
	s->sel = 0;
	s->scroll = 0;
	ui_edit_set(&s->filter, "");
	{
		char *shown = shown_value(it->node, it->special ? "" : it->value);
		ui_edit_set(&s->edit, shown);
		free(shown);
	}
	free(s->tick);
	s->tick = NULL;
	s->ntick = 0;
	if (!it->node)
		return;
	l = list_of(app, it->node);
	if (!l)
		return;
	s->ntick = l->n + (it->node->or_other ? 1 : 0);
	s->tick = xcalloc(s->ntick + 1, sizeof(bool));
	free(s->allowed);
	s->allowed = xcalloc(s->ntick + 1, sizeof(bool));
	{
		size_t *ok = NULL, nok = 0, k;
		if (interview_choices(app->iv, it->path, &ok, &nok) == 0) {
			for (k = 0; k < nok; k++)
				if (ok[k] < l->n)
					s->allowed[ok[k]] = true;
		} else {
			for (k = 0; k < l->n; k++)
				s->allowed[k] = true;
		}
		free(ok);
		if (it->node->or_other)
			s->allowed[l->n] = true;
	}
	if (it->value && !it->special) {
		const char *p = it->value;
		while (*p) {
			size_t len = strcspn(p, " ");
			for (i = 0; i < s->ntick; i++) {
				const char *name = choice_name(l, i);
				if (strlen(name) == len && !strncmp(name, p, len))
					s->tick[i] = true;
			}
			p += len;
			while (*p == ' ')
				p++;
		}
	}
	refilter(app, s);
	/* the highlight starts on the (first) answer */
	for (i = 0; i < s->nvis; i++)
		if (s->tick[s->vis[i]]) {
			s->sel = (int)i;
			break;
		}
}

static void sync_widget(struct ui_app *app, struct ivs *s, struct interview_item *it)
{
	interview_current(app->iv, it);
	if (!s->path || !it->path || strcmp(s->path, it->path) || s->node != it->node)
		load_widget(app, s, it);
}

static void *init(struct ui *ui, void *arg)
{
	struct ivs *s = xcalloc(1, sizeof(*s));

	if (!ui->app->iv) {
		free(s);
		ui_flash(ui, true, "没有打开的访问", "no interview is open");
		return NULL;
	}
	return s;
}

static void fr(void *st)
{
	struct ivs *s = st;

	if (!s)
		return;
	free(s->path);
	ui_edit_free(&s->edit);
	ui_edit_free(&s->filter);
	free(s->filter_s);
	free(s->vis);
	free(s->tick);
	free(s->allowed);
	free(s);
}

/* ---- drawing ------------------------------------------------------------- */

/* A virtual line of the body: text (wrapped separately) with a role. */
struct vline {
	const char *s;
	size_t len;
	int role;
	int x;
	bool input; /* the text field: drawn by ui_edit_draw */
	int choice; /* choice index for the cursor row, -1 otherwise */
};

struct body {
	struct vline *v;
	size_t n, cap;
	struct strbuf store[64]; /* owned texts */
	size_t nstore;
	int focus;
};

static const char *own(struct body *b, char *s)
{
	struct strbuf *sb;

	if (b->nstore >= 64) {
		free(s);
		return "";
	}
	sb = &b->store[b->nstore++];
	strbuf_init(sb);
	strbuf_addstr(sb, s);
	free(s);
	return sb->buf;
}

static void add_wrapped(struct body *b, const char *s, int w, int role, int x, int choice)
{
	struct wrap_lines wl = WRAP_LINES_INIT;
	size_t i;

	wrap_text(s, w - x, &wl);
	for (i = 0; i < wl.n; i++) {
		XGROW(b->v, b->cap, b->n + 1);
		b->v[b->n].s = s + wl.v[i].off;
		b->v[b->n].len = wl.v[i].len;
		b->v[b->n].role = role;
		b->v[b->n].x = x;
		b->v[b->n].input = false;
		b->v[b->n].choice = choice;
		b->n++;
	}
	wrap_lines_free(&wl);
}

static void add_blank(struct body *b)
{
	add_wrapped(b, "", 1, R_NORMAL, 0, -1);
}

/* "范围 0 – 120" from a range question or a simple numeric constraint. */
static char *range_text(const struct form_node *n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *c = n->constraint.src;
	const char *lo = NULL, *hi = NULL;
	size_t lol = 0, hil = 0;

	if (n->type == FORM_RANGE) {
		strbuf_addf(&sb, "%s %g – %g", T_("范围", "range"), n->range_start, n->range_end);
		if (n->range_step != 1)
			strbuf_addf(&sb, T_("，步长 %g", ", step %g"), n->range_step);
		return strbuf_detach(&sb, NULL);
	}
	if ((n->type != FORM_INTEGER && n->type != FORM_DECIMAL) || !c)
		return NULL;
	/* look for ". >= A" and ". <= B" (also > and <) at the top level of the
	 * constraint: what is inside parentheses (or not(...)) is a condition,
	 * not a range */
	{
		int depth = 0;
		const char *p;
		for (p = c; *p; p++) {
			const char *q = p + 1;
			bool ge;
			if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			if (*p != '.' || depth || (p > c && p[-1] != ' ' && p[-1] != '('))
				continue;
			while (*q == ' ')
				q++;
			if (*q != '>' && *q != '<')
				continue;
			ge = *q == '>';
			q++;
			if (*q == '=')
				q++;
			while (*q == ' ')
				q++;
			if (!((*q >= '0' && *q <= '9') || *q == '-'))
				continue;
			if (ge && !lo) {
				lo = q;
				lol = strspn(q, "-0123456789.");
			} else if (!ge && !hi) {
				hi = q;
				hil = strspn(q, "-0123456789.");
			}
		}
	}
	if (!lo && !hi)
		return NULL;
	strbuf_addf(&sb, "%s ", T_("范围", "range"));
	if (lo)
		strbuf_add(&sb, lo, lol);
	else
		strbuf_addstr(&sb, "…");
	strbuf_addstr(&sb, " – ");
	if (hi)
		strbuf_add(&sb, hi, hil);
	else
		strbuf_addstr(&sb, "…");
	return strbuf_detach(&sb, NULL);
}

static const char *format_hint(const struct form_node *n)
{
	switch (n->type) {
	case FORM_DATE: return T_("格式 YYYY-MM-DD（年-月-日）", "format YYYY-MM-DD");
	case FORM_TIME: return T_("格式 HH:MM（时:分，24小时）", "format HH:MM (24 hours)");
	case FORM_DATETIME: return T_("格式 YYYY-MM-DD HH:MM（年-月-日 时:分）", "format YYYY-MM-DD HH:MM");
	case FORM_GEOPOINT: return T_("纬度 经度（空格分开）", "latitude longitude (space between)");
	case FORM_INTEGER: return T_("整数", "whole number");
	case FORM_DECIMAL: return T_("数字", "number");
	default: return NULL;
	}
}

static void build_body(struct ui *ui, struct ivs *s, const struct interview_item *it,
		       struct body *b, int w)
{
	struct ui_app *app = ui->app;
	const struct form_node *n = it->node;
	const struct form_list *l;
	size_t i;

	b->focus = 0;
	if (it->kind == IV_ITEM_END) {
		add_wrapped(b, T_("访问的问题已经全部回答完。", "You have reached the end of the interview."),
			    w, R_LABEL, 0, -1);
		add_blank(b);
		add_wrapped(b, T_("按 Enter 或 F3 检查全部答案并完成访问；PgUp 返回上一题。",
				  "Press Enter or F3 to review every answer and complete the interview; "
				  "PgUp goes back."),
			    w, R_NORMAL, 0, -1);
		return;
	}
	if (it->kind == IV_ITEM_OTHER) {
		add_wrapped(b, own(b, app_text(app, n->label, it->path)), w, R_HINT, 0, -1);
		add_wrapped(b, T_("请注明“其他”：", "Please specify \"other\":"), w, R_LABEL, 0, -1);
	} else {
		char *label = app_text(app, n->label, it->path);
		if (!*label) {
			free(label);
			label = xstrdup(n->name);
		}
		if (it->required && n->type != FORM_NOTE) {
			/* a required question is marked, as on paper forms */
			struct strbuf req = STRBUF_INIT;
			strbuf_addf(&req, "* %s", label);
			free(label);
			label = strbuf_detach(&req, NULL);
		}
		add_wrapped(b, own(b, label), w, R_LABEL, 0, -1);
		if (n->hint.v) {
			char *hint = app_text(app, n->hint, it->path);
			if (*hint)
				add_wrapped(b, own(b, hint), w, R_HINT, 0, -1);
			else
				free(hint);
		}
		/* the team leader's notes on this question, from a rejection */
		for (size_t k = 0; it->path && k < app->nnotes; k++)
			if (!strcmp(app->notes[k].path, it->path))
				add_wrapped(b, own(b, app_note_text(&app->notes[k])), w, R_ERROR, 0,
					    -1);
	}
	if (it->kind == IV_ITEM_UNSUPPORTED) {
		struct strbuf sb = STRBUF_INIT;
		add_blank(b);
		strbuf_addf(&sb, T_("（题型 '%s' 不能在终端里采集，按 Enter 跳过）",
				    "(question type '%s' cannot be captured in a terminal: Enter skips it)"),
			    n->type_name);
		add_wrapped(b, own(b, strbuf_detach(&sb, NULL)), w, R_HINT, 0, -1);
		return;
	}
	add_blank(b);
	if (it->special) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s: %s", T_("已记录", "recorded"),
			    it->special == IV_DONT_KNOW ? T_("不知道", "don't know")
							: T_("拒绝回答", "refused"));
		add_wrapped(b, own(b, strbuf_detach(&sb, NULL)), w, R_SPECIAL, 0, -1);
		add_blank(b);
	}
	if (n->type == FORM_NOTE) {
		add_wrapped(b, T_("（说明，按 Enter 继续）", "(a note: Enter continues)"), w, R_HINT, 0, -1);
		return;
	}
	if (n->type == FORM_ACKNOWLEDGE) {
		add_wrapped(b, it->value ? T_("[x] 已确认", "[x] acknowledged")
					 : T_("[ ] 按 Enter 确认", "[ ] press Enter to acknowledge"),
			    w, R_INPUT, 2, -1);
		b->focus = (int)b->n - 1;
		return;
	}
	if (is_text_widget(n, it->kind)) {
		char *range = it->kind == IV_ITEM_OTHER ? NULL : range_text(n);
		const char *fmt = it->kind == IV_ITEM_OTHER ? NULL : format_hint(n);

		XGROW(b->v, b->cap, b->n + 1);
		memset(&b->v[b->n], 0, sizeof(b->v[0]));
		b->v[b->n].input = true;
		b->v[b->n].choice = -1;
		b->v[b->n].x = 2;
		b->focus = (int)b->n++;
		if (fmt || range) {
			struct strbuf sb = STRBUF_INIT;
			if (fmt)
				strbuf_addstr(&sb, fmt);
			if (range)
				strbuf_addf(&sb, "%s%s", fmt ? T_("，", ", ") : "", range);
			add_wrapped(b, own(b, strbuf_detach(&sb, NULL)), w, R_HINT, 2, -1);
		}
		free(range);
		return;
	}
	l = list_of(app, n);
	if (l) {
		bool multi = n->type == FORM_SELECT_MULTIPLE;

		if (s->ntick > SHORT_LIST || s->filter.n) {
			struct strbuf sb = STRBUF_INIT;
			char *f = ui_edit_get(&s->filter);
			strbuf_addf(&sb, "%s %s", T_("筛选：", "filter:"), *f ? f : T_("（打字筛选）", "(type to filter)"));
			free(f);
			add_wrapped(b, own(b, strbuf_detach(&sb, NULL)), w, R_HINT, 2, -1);
		}
		for (i = 0; i < s->nvis; i++) {
			int ci = s->vis[i];
			struct strbuf sb = STRBUF_INIT;
			const char *label = choice_label(app, l, (size_t)ci);
			if (multi)
				strbuf_addf(&sb, "%s ", s->tick[ci] ? "[x]" : "[ ]");
			else
				strbuf_addf(&sb, "%s ", s->tick[ci] ? "(*)" : "( )");
			strbuf_addf(&sb, "%d. %s", ci + 1, label);
			if ((int)i == s->sel)
				b->focus = (int)b->n;
			add_wrapped(b, own(b, strbuf_detach(&sb, NULL)), w,
				    (int)i == s->sel ? R_SEL : R_NORMAL, 2, ci);
		}
		if (!s->nvis)
			add_wrapped(b, T_("（没有符合筛选的选项）", "(no choice matches the filter)"), w,
				    R_HINT, 2, -1);
		add_blank(b);
		add_wrapped(b, multi ? T_("空格 勾选，Enter 确认", "Space ticks, Enter confirms")
				     : (s->ntick > SHORT_LIST ? T_("↑↓ 移动，打字筛选，Enter 确认",
							       "↑↓ move, type to filter, Enter confirms")
							  : T_("↑↓ 或数字键选择，Enter 确认",
							       "↑↓ or a number picks, Enter confirms")),
			    w, R_HINT, 2, -1);
	}
}

static void breadcrumb(struct ui *ui, const struct interview_item *it, struct strbuf *sb)
{
	struct ui_app *app = ui->app;
	const struct form *f = app->form;
	int chain[32], nc = 0, p;

	if (!it->node)
		return;
	for (p = it->node->parent; p >= 0 && nc < 32; p = form_node(f, (size_t)p)->parent)
		chain[nc++] = p;
	while (nc-- > 0) {
		const struct form_node *g = form_node(f, (size_t)chain[nc]);
		char *label = app_text(app, g->label, it->path);

		if (sb->len)
			strbuf_addstr(sb, " › ");
		strbuf_addstr(sb, *label ? label : g->name);
		free(label);
		if (g->type == FORM_REPEAT) {
			/* the instance number from the path */
			const char *q = strstr(it->path, g->name);
			while (q && q[strlen(g->name)] != '[')
				q = strstr(q + 1, g->name);
			if (q)
				strbuf_addf(sb, " %s%d", T_("#", "#"), atoi(q + strlen(g->name) + 1));
		}
	}
}

static const struct ui_footkey foot[] = {
	{"F1", "帮助", "help"},   {"Enter", "确认", "next"}, {"PgUp", "上一题", "back"},
	{"F2", "章节", "sections"}, {"F3", "检查", "review"},  {"F4", "English", "中文"},
	{"F5", "备注", "comment"}, {"F8", "不知道", "don't know"}, {"F9", "拒答", "refused"},
	{"F10", "离开", "leave"},
};

static void draw(struct ui *ui, void *st)
{
	struct ivs *s = st;
	struct ui_app *app = ui->app;
	struct interview_item it;
	struct strbuf head = STRBUF_INIT, crumb = STRBUF_INIT, right = STRBUF_INIT;
	struct body b = {0};
	size_t n = 0, m = 0, i;
	int w = ui->cols - 4, top, rows, y0, first;

	if (!app->iv)
		return;
	sync_widget(app, s, &it);
	interview_progress(app->iv, &n, &m);
	strbuf_addstr(&head, form_title(app->form) && *form_title(app->form) ? form_title(app->form)
									       : form_id(app->form));
	if (app->household)
		strbuf_addf(&head, " · %s", app->household);
	if (n)
		strbuf_addf(&right, "%zu/%zu", n, m);
	else
		strbuf_addf(&right, "%s", T_("结束", "end"));
	ui_header(ui, head.buf, right.buf);
	breadcrumb(ui, &it, &crumb);
	top = ui_body_top(ui);
	rows = ui_body_rows(ui);
	if (rows > 1) {
		/* the question's path on the right: what QC and form authors call it */
		struct strbuf code = STRBUF_INIT;
		int pw = 0;
		if (it.path && *it.path) {
			strbuf_addf(&code, "[%s]", it.path);
			pw = wrap_strwidth(code.buf);
			if (pw > ui->cols / 2)
				pw = 0;
			else
				ui_put(top, ui->cols - 1 - pw, pw, code.buf, ui_attr(ui, R_HINT));
		}
		strbuf_release(&code);
		ui_put(top, 1, ui->cols - 4 - pw, crumb.len ? crumb.buf : T_("（开头）", "(start)"),
		       ui_attr(ui, R_HINT));
		top += 2;
		rows -= 2;
	}
	if (w < 4)
		w = 4;
	build_body(ui, s, &it, &b, w);
	/* scroll so that the focus line shows, keeping the label when possible */
	first = 0;
	if (b.focus >= rows)
		first = b.focus - rows + 1 + (b.focus + 1 < (int)b.n ? 1 : 0);
	/* ↑ / ↓ on a field or a note scroll a body taller than the screen */
	{
		int auto_first = first, maxfirst = (int)b.n - rows;
		if (maxfirst < 0)
			maxfirst = 0;
		first -= s->scroll;
		if (first > maxfirst)
			first = maxfirst;
		if (first < 0)
			first = 0;
		s->scroll = auto_first - first; /* what is left of it after the caps */
	}
	for (i = (size_t)first, y0 = top; i < b.n && y0 < top + rows; i++, y0++) {
		struct vline *v = &b.v[i];
		if (v->input) {
			int cx;
			ui_put(y0, 2 + v->x - 2, 2, ">", ui_attr(ui, R_LABEL));
			cx = ui_edit_draw(&s->edit, y0, 2 + v->x, w - v->x - 2,
					  ui_attr(ui, R_INPUT));
			ui_cursor(ui, y0, cx);
		} else {
			if (v->role == R_SEL)
				ui_fill(y0, 2 + v->x, w - v->x, ui_attr(ui, R_SEL));
			ui_putn(y0, 2 + v->x, w - v->x, v->s, v->len, ui_attr(ui, (enum ui_role)v->role));
		}
	}
	if (first > 0)
		ui_put(top, ui->cols - 2, 1, "▲", ui_attr(ui, R_HINT));
	if ((size_t)(first + rows) < b.n)
		ui_put(top + rows - 1, ui->cols - 2, 1, "▼", ui_attr(ui, R_HINT));
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]),
		  app->saved ? "已保存 / saved" : NULL, true);
	for (i = 0; i < b.nstore; i++)
		strbuf_release(&b.store[i]);
	free(b.v);
	strbuf_release(&head);
	strbuf_release(&crumb);
	strbuf_release(&right);
}

/* ---- keys ---------------------------------------------------------------- */

/* Shows an engine or store error without its path: the enumerator is
 * looking at the question. */
void ui_interview_flash_error(struct ui *ui, const struct error *err)
{
	ui_flash(ui, true, "%1$s%2$.0s", "%2$s%1$.0s", err->zh ? err->zh : "", err->en ? err->en : "");
}

void ui_interview_after_nav(struct ui *ui)
{
	struct interview_item it;
	struct ui_app *app = ui->app;

	if (!app->iv)
		return;
	if (app->counted_pending) {
		/* a member of a repeat_count roster was entered or left */
		struct roster_arg ra = {app->counted_pending, app->counted_sel};
		if (ui->depth && ui->stack[ui->depth - 1].ops != &screen_roster)
			ui_push(ui, &screen_roster, &ra);
		free(app->counted_pending);
		app->counted_pending = NULL;
		return;
	}
	interview_current(ui->app->iv, &it);
	if (it.kind == IV_ITEM_ROSTER && ui->depth &&
	    ui->stack[ui->depth - 1].ops != &screen_roster)
		ui_push(ui, &screen_roster, NULL);
}

void ui_interview_leave(struct ui *ui)
{
	ui_pop_to(ui, &screen_interview);
	ui_pop(ui);
	app_session_close(ui->app);
	ui_flash(ui, false, "访问已保存，可以随时继续", "the interview is saved; resume it any time");
}

/* Commands shared by the interview and the roster screens. */
bool ui_interview_common_key(struct ui *ui, const struct ui_key *k)
{
	struct ui_app *app = ui->app;
	struct interview_item it;
	struct error err = ERROR_INIT;

	switch (k->code) {
	case UK_HELP:
		ui_push(ui, &screen_help, NULL);
		return true;
	case UK_SECTIONS:
		ui_push(ui, &screen_sections, NULL);
		return true;
	case UK_REVIEW:
		ui_push(ui, &screen_review, NULL);
		return true;
	case UK_LANG:
		i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH);
		return true;
	case UK_COMMENT:
		interview_current(app->iv, &it);
		ui_push(ui, &screen_comment, (void *)(it.path && *it.path ? it.path : NULL));
		return true;
	case UK_LEAVE:
		ui_interview_leave(ui);
		return true;
	case UK_BACK: case UK_PGUP:
		if (app_prev(app, &err) < 0)
			ui_interview_flash_error(ui, &err);
		error_clear(&err);
		return true;
	default:
		return false;
	}
}

static void confirm_value(struct ui *ui, struct ivs *s, const char *value)
{
	struct error err = ERROR_INIT;

	if (app_answer(ui->app, value, &err) < 0)
		ui_interview_flash_error(ui, &err);
	error_clear(&err);
}

static void select_key(struct ui *ui, struct ivs *s, const struct interview_item *it,
		       const struct ui_key *k)
{
	struct ui_app *app = ui->app;
	const struct form_list *l = list_of(app, it->node);
	bool multi = it->node->type == FORM_SELECT_MULTIPLE;
	bool longlist = s->ntick > SHORT_LIST;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	switch (k->code) {
	case UK_UP:
		if (s->sel > 0)
			s->sel--;
		return;
	case UK_DOWN:
		if (s->sel + 1 < (int)s->nvis)
			s->sel++;
		return;
	case UK_HOME:
		s->sel = 0;
		return;
	case UK_END:
		s->sel = s->nvis ? (int)s->nvis - 1 : 0;
		return;
	case UK_PGDN:
		s->sel += ui_body_rows(ui) / 2;
		if (s->sel >= (int)s->nvis)
			s->sel = s->nvis ? (int)s->nvis - 1 : 0;
		return;
	case UK_LEFT:
		ui_interview_common_key(ui, &(struct ui_key){UK_BACK, 0});
		return;
	case UK_BACKSPACE: case UK_KILL:
		if (ui_edit_key(&s->filter, k, NULL))
			refilter(app, s);
		return;
	case UK_CANCEL:
		load_widget(app, s, it);
		return;
	case UK_CHAR:
		if (k->ch == L' ' && multi && s->nvis) {
			s->tick[s->vis[s->sel]] = !s->tick[s->vis[s->sel]];
			return;
		}
		if (!longlist && k->ch >= L'1' && k->ch <= L'9') {
			size_t want = (size_t)(k->ch - L'1');
			if (want < s->ntick && s->allowed[want]) {
				for (i = 0; i < s->nvis; i++)
					if ((size_t)s->vis[i] == want)
						s->sel = (int)i;
				if (multi)
					s->tick[want] = !s->tick[want];
				else {
					memset(s->tick, 0, s->ntick * sizeof(bool));
					s->tick[want] = true;
				}
			}
			return;
		}
		if (longlist && k->ch != L' ') {
			ui_edit_key(&s->filter, k, NULL);
			s->sel = 0;
			refilter(app, s);
		}
		return;
	case UK_ENTER:
		if (multi) {
			for (i = 0; i < s->ntick; i++)
				if (s->tick[i]) {
					if (sb.len)
						strbuf_addch(&sb, ' ');
					strbuf_addstr(&sb, choice_name(l, i));
				}
		} else if (s->nvis) {
			strbuf_addstr(&sb, choice_name(l, (size_t)s->vis[s->sel]));
		}
		confirm_value(ui, s, sb.buf);
		strbuf_release(&sb);
		return;
	default:
		return;
	}
}

static void scroll_key(struct ivs *s, const struct ui_key *k)
{
	if (k->code == UK_UP)
		s->scroll++; /* draw() caps it */
	else
		s->scroll--;
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct ivs *s = st;
	struct ui_app *app = ui->app;
	struct interview_item it;
	struct error err = ERROR_INIT;
	char *v;

	sync_widget(app, s, &it);
	if (k->code == UK_DONTKNOW || k->code == UK_REFUSED) {
		if (app_special(app, k->code == UK_DONTKNOW ? IV_DONT_KNOW : IV_REFUSED, &err) < 0)
			ui_interview_flash_error(ui, &err);
		goto done;
	}
	if (k->code == UK_RESIZE)
		goto done;
	if (it.kind == IV_ITEM_END) {
		if (k->code == UK_ENTER)
			ui_push(ui, &screen_review, NULL);
		else if (k->code == UK_LEFT)
			ui_interview_common_key(ui, &(struct ui_key){UK_BACK, 0});
		else
			ui_interview_common_key(ui, k);
		goto done;
	}
	if (it.kind == IV_ITEM_QUESTION && list_of(app, it.node)) {
		if (!ui_interview_common_key(ui, k))
			select_key(ui, s, &it, k);
		goto done;
	}
	if (it.node && (is_text_widget(it.node, it.kind))) {
		if (k->code == UK_LEFT && s->edit.cur == 0) {
			ui_interview_common_key(ui, &(struct ui_key){UK_BACK, 0});
			goto done;
		}
		if (k->code == UK_CANCEL) {
			load_widget(app, s, &it);
			goto done;
		}
		if (k->code == UK_UP || k->code == UK_DOWN) {
			scroll_key(s, k);
			goto done;
		}
		if (k->code == UK_ENTER) {
			v = ui_edit_get(&s->edit);
			if (it.kind != IV_ITEM_OTHER)
				stored_value(it.node, v);
			confirm_value(ui, s, v);
			free(v);
			goto done;
		}
		if (k->code == UK_CHAR && it.kind != IV_ITEM_OTHER && field_shape(it.node) &&
		    s->edit.cur == s->edit.n) {
			/* YYYY-MM-DD, HH:MM, YYYY-MM-DD HH:MM: the separators come by
			 * themselves; nothing is typed past the end of the shape */
			const char *shape = field_shape(it.node);
			size_t len = strlen(shape);
			if (s->edit.n >= len)
				goto refuse;
			if (shape[s->edit.n] != 'd' && k->ch >= L'0' && k->ch <= L'9')
				ui_edit_key(&s->edit, &(struct ui_key){UK_CHAR, (wchar_t)shape[s->edit.n]},
					    NULL);
			else if (shape[s->edit.n] == 'd' ? !(k->ch >= L'0' && k->ch <= L'9')
							 : k->ch != (wchar_t)shape[s->edit.n])
				goto refuse;
		}
		if (ui_edit_key(&s->edit, k, it.kind == IV_ITEM_OTHER ? NULL : acceptor(it.node)))
			goto done;
		if (k->code == UK_CHAR) {
		refuse:
			ui_flash(ui, true, "这里只能输入%s", "only %s here",
				 it.node->type == FORM_DATE	? "YYYY-MM-DD"
				 : it.node->type == FORM_TIME	? "HH:MM"
				 : it.node->type == FORM_DATETIME ? "YYYY-MM-DD HH:MM"
				 : it.node->type == FORM_INTEGER ? T_("整数", "a whole number")
								 : T_("数字", "a number"));
			goto done;
		}
		ui_interview_common_key(ui, k);
		goto done;
	}
	/* notes, acknowledge, unsupported */
	if (k->code == UK_UP || k->code == UK_DOWN) {
		scroll_key(s, k);
		goto done;
	}
	if (k->code == UK_ENTER || (k->code == UK_CHAR && k->ch == L' ')) {
		if (it.node && it.node->type == FORM_ACKNOWLEDGE && it.kind == IV_ITEM_QUESTION)
			confirm_value(ui, s, "OK");
		else if (app_next(app, &err) < 0)
			ui_interview_flash_error(ui, &err);
		goto done;
	}
	if (k->code == UK_LEFT) {
		ui_interview_common_key(ui, &(struct ui_key){UK_BACK, 0});
		goto done;
	}
	ui_interview_common_key(ui, k);
done:
	error_clear(&err);
	ui_interview_after_nav(ui);
}

const struct screen_ops screen_interview = {"interview", false, init, draw, key, fr};
