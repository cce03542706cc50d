/*
 * screen_start — who is interviewing and with which form: the device id,
 * the enumerator id (typed once, remembered in the database), the form for
 * new interviews when the database holds several, and the sample's counts by
 * status. Enter goes on to the assignments.
 */
#include "app.h"
#include "screens.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>
#include <string.h>

struct start {
	struct ui_edit enumerator;
};

static void *init(struct ui *ui, void *arg)
{
	struct start *s = xcalloc(1, sizeof(*s));

	ui_edit_set(&s->enumerator, store_enumerator_get(ui->app->store));
	s->enumerator.cur = s->enumerator.n;
	s->enumerator.max = 64;
	return s;
}

static void fr(void *st)
{
	struct start *s = st;

	if (!s)
		return;
	ui_edit_free(&s->enumerator);
	free(s);
}

const char *ui_status_name(int i)
{
	switch (i) {
	case STORE_ASTATUS_NOT_STARTED: return T_("未开始", "not started");
	case STORE_ASTATUS_IN_PROGRESS: return T_("进行中", "in progress");
	case STORE_ASTATUS_COMPLETED: return T_("已完成", "completed");
	case STORE_ASTATUS_APPROVED: return T_("已审核", "approved");
	case STORE_ASTATUS_REJECTED: return T_("被退回", "rejected");
	}
	return "";
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey foot[] = {
		{"F1", "帮助", "help"}, {"Enter", "继续", "continue"}, {"↑↓", "选表单", "form"},
		{"F4", "English", "中文"}, {"F10", "退出", "quit"},
	};
	struct start *s = st;
	struct ui_app *app = ui->app;
	size_t counts[STORE_ASTATUS_COUNT] = {0}, i;
	struct strbuf sb = STRBUF_INIT;
	int y = 2, cx, lw = 16;

	ui_header(ui, T_("ruhu 入户调查", "ruhu household survey"), RUHU_VERSION);
	ui_put(y, 2, lw, T_("设备编号", "device"), ui_attr(ui, R_HINT));
	ui_put(y++, 2 + lw, ui->cols - lw - 4, store_device_id(app->store), ui_attr(ui, R_NORMAL));
	ui_put(y, 2, lw, T_("数据库", "database"), ui_attr(ui, R_HINT));
	ui_put(y++, 2 + lw, ui->cols - lw - 4, store_path(app->store), ui_attr(ui, R_NORMAL));
	y++;
	ui_put(y, 2, lw, T_("调查员编号", "enumerator id"), ui_attr(ui, R_LABEL));
	cx = ui_edit_draw(&s->enumerator, y, 2 + lw, 24, ui_attr(ui, R_INPUT));
	ui_cursor(ui, y, cx);
	y += 2;
	ui_put(y++, 2, ui->cols - 4, T_("表单（新访问用）", "form (for new interviews)"), ui_attr(ui, R_LABEL));
	if (!app->nforms)
		ui_put(y++, 4, ui->cols - 6, T_("（数据库中没有表单）", "(the database holds no form)"),
		       ui_attr(ui, R_ERROR));
	for (i = 0; i < app->nforms && y < ui->rows - 6; i++, y++) {
		const struct form *f = app->forms[i].form;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s %s (%s %s)", i == app->cur_form ? "(*)" : "( )",
			    form_title(f) && *form_title(f) ? form_title(f) : form_id(f), form_id(f),
			    form_version(f) ? form_version(f) : "");
		ui_put(y, 4, ui->cols - 6, sb.buf,
		       i == app->cur_form ? ui_attr(ui, R_SEL) : ui_attr(ui, R_NORMAL));
	}
	y++;
	if (store_assignment_counts(app->store, NULL, counts, NULL) == 0) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s", T_("样本户：", "sample: "));
		for (i = 0; i < STORE_ASTATUS_COUNT; i++)
			strbuf_addf(&sb, "%s%s %zu", i ? " · " : "", ui_status_name((int)i), counts[i]);
		ui_put_wrapped(y, 2, ui->cols - 4, 2, 0, sb.buf, ui_attr(ui, R_NORMAL));
	}
	ui_footer(ui, foot, sizeof(foot) / sizeof(foot[0]), NULL, false);
	strbuf_release(&sb);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct start *s = st;
	struct ui_app *app = ui->app;
	struct error err = ERROR_INIT;
	char *id;
	const char *old;

	switch (k->code) {
	case UK_UP:
		if (app->cur_form > 0)
			app->cur_form--;
		return;
	case UK_DOWN:
		if (app->cur_form + 1 < app->nforms)
			app->cur_form++;
		return;
	case UK_HELP: ui_push(ui, &screen_help, NULL); return;
	case UK_LANG: i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH); return;
	case UK_LEAVE: ui->quit = true; return;
	case UK_ENTER:
		id = ui_edit_get(&s->enumerator);
		if (!*id) {
			ui_flash(ui, true, "请先输入调查员编号", "type your enumerator id first");
			free(id);
			return;
		}
		old = store_enumerator_get(app->store);
		if ((!old || strcmp(old, id)) && store_enumerator_set(app->store, id, &err) < 0) {
			ui_flash_err(ui, &err);
			error_clear(&err);
			free(id);
			return;
		}
		free(id);
		ui_push(ui, &screen_assignments, NULL);
		return;
	default:
		ui_edit_key(&s->enumerator, k, NULL);
		return;
	}
}

const struct screen_ops screen_start = {"start", false, init, draw, key, fr};
