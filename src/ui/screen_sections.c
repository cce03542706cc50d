/*
 * screen_sections — the section index: every group, roster and roster member
 * of the form, indented, with its state (untouched / partly / complete / has
 * errors) and answered-of-relevant counts. Enter jumps to a relevant one;
 * sections that are not relevant are shown dim and cannot be chosen.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

struct sections {
	struct interview_section *v;
	size_t n;
	int sel, top;
};

static void reload(struct ui *ui, struct sections *s)
{
	interview_sections_free(s->v, s->n);
	s->v = NULL;
	s->n = 0;
	interview_sections(ui->app->iv, &s->v, &s->n);
}

static void *init(struct ui *ui, void *arg)
{
	struct sections *s;

	if (!ui->app->iv)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	reload(ui, s);
	return s;
}

static void fr(void *st)
{
	struct sections *s = st;

	if (!s)
		return;
	interview_sections_free(s->v, s->n);
	free(s);
}

static const char *state_text(enum interview_section_state st)
{
	switch (st) {
	case IV_SECTION_UNTOUCHED: return T_("未开始", "not started");
	case IV_SECTION_PARTLY: return T_("部分", "partly");
	case IV_SECTION_COMPLETE: return T_("完成", "complete");
	case IV_SECTION_ERRORS: return T_("有问题", "problems");
	}
	return "";
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"}, {"Enter", "跳到", "jump"}, {"Esc", "返回", "back"},
		{"F4", "English", "中文"},
	};
	struct sections *s = st;
	struct ui_app *app = ui->app;
	int rows = ui_body_rows(ui), y, i;

	ui_header(ui, T_("章节目录", "Sections"), app->household ? app->household : "");
	if (!s->n) {
		ui_put(2, 2, ui->cols - 4, T_("这个表单没有分节", "this form has no sections"),
		       ui_attr(ui, R_HINT));
	}
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + rows)
		s->top = s->sel - rows + 1;
	for (i = s->top, y = 1; i < (int)s->n && y < 1 + rows; i++, y++) {
		const struct interview_section *sec = &s->v[i];
		struct strbuf sb = STRBUF_INIT, right = STRBUF_INIT;
		char *label = app_text(app, sec->node->label, sec->path);
		const char *br = strrchr(sec->path, '[');
		int a, rw, role;

		strbuf_addf(&sb, "%*s%s", sec->depth * 2, "", *label ? label : sec->node->name);
		if (br && sec->path[strlen(sec->path) - 1] == ']')
			strbuf_addf(&sb, " #%d", atoi(br + 1));
		if (sec->relevant)
			strbuf_addf(&right, "%zu/%zu  %s", sec->answered, sec->questions,
				    state_text(sec->state));
		else
			strbuf_addstr(&right, T_("不适用", "not relevant"));
		role = !sec->relevant ? R_HINT
		       : sec->state == IV_SECTION_ERRORS ? R_ERROR
		       : sec->state == IV_SECTION_COMPLETE ? R_OK
							: R_NORMAL;
		a = i == s->sel ? ui_attr(ui, R_SEL) : ui_attr(ui, (enum ui_role)role);
		if (i == s->sel)
			ui_fill(y, 1, ui->cols - 2, a);
		rw = ui_put(y, ui->cols - 20, 19, right.buf, a);
		(void)rw;
		ui_put(y, 2, ui->cols - 24, sb.buf, a);
		free(label);
		strbuf_release(&sb);
		strbuf_release(&right);
	}
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]), NULL, false);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct sections *s = st;
	struct error err = ERROR_INIT;
	int page = ui_body_rows(ui);

	switch (k->code) {
	case UK_UP: s->sel--; break;
	case UK_DOWN: s->sel++; break;
	case UK_PGUP: s->sel -= page; break;
	case UK_PGDN: s->sel += page; break;
	case UK_HOME: s->sel = 0; break;
	case UK_END: s->sel = (int)s->n - 1; break;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); break;
	case UK_HELP: ui_push(ui, &screen_help, NULL); return;
	case UK_CANCEL: case UK_SECTIONS: case UK_LEFT: case UK_BACK:
		ui_pop(ui);
		return;
	case UK_LEAVE:
		ui_interview_leave(ui);
		return;
	case UK_ENTER:
		if (s->sel < 0 || s->sel >= (int)s->n)
			return;
		if (!s->v[s->sel].relevant) {
			ui_flash(ui, true, "这一节不适用于这户", "this section does not apply to this household");
			return;
		}
		if (app_jump(ui->app, s->v[s->sel].path, &err) < 0) {
			ui_interview_flash_error(ui, &err);
			error_clear(&err);
			return;
		}
		{
			/* a roster driven by repeat_count opens on its list */
			const struct form_node *n = s->v[s->sel].node;
			const char *p = s->v[s->sel].path;
			if (n->type == FORM_REPEAT && n->repeat_count.e && *p &&
			    p[strlen(p) - 1] != ']') {
				free(ui->app->counted_pending);
				ui->app->counted_pending = xstrdup(p);
				ui->app->counted_sel = 0;
			}
		}
		ui_pop_to(ui, &screen_interview);
		ui_interview_after_nav(ui);
		return;
	default: break;
	}
	if (s->sel >= (int)s->n)
		s->sel = (int)s->n - 1;
	if (s->sel < 0)
		s->sel = 0;
}

const struct screen_ops screen_sections = {"sections", false, init, draw, key, fr};
