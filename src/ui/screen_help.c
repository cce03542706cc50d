/*
 * screen_help — the key table, the same on every screen, in the current
 * language; scrolls with the arrows and PgUp/PgDn, closes with Esc or Enter.
 */
#include "ui.h"
#include "wrap.h"

#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"

#include <stdlib.h>

struct help {
	int top;
	int height; /* lines of the text at the last draw */
};

static const struct {
	const char *keys;
	const char *zh;
	const char *en;
} rows[] = {
	{"Enter  Alt-n  Ctrl-N", "确认并下一题", "confirm and next"},
	{"← PgUp  Alt-b  Ctrl-B", "上一题（文字题里 ← 移动光标）",
	 "previous question (in a text answer ← moves the cursor)"},
	{"F1  Alt-h  Esc 1  Ctrl-G", "帮助（本页）", "help (this page)"},
	{"F2  Alt-s  Esc 2  Ctrl-T", "章节目录：跳到任何章节", "sections: jump to any section"},
	{"F3  Alt-r  Esc 3  Ctrl-R", "检查全部答案并完成访问", "review every answer and complete"},
	{"F4  Alt-l  Esc 4  Ctrl-E", "切换语言 中文/English", "switch language 中文/English"},
	{"F5  Alt-c  Esc 5  Ctrl-O", "对本题写备注（组长可见）",
	 "comment on this question (the team leader sees it)"},
	{"F8  Alt-d  Esc 8  Ctrl-D", "不知道", "don't know"},
	{"F9  Alt-f  Esc 9  Ctrl-F", "拒绝回答", "refused"},
	{"F10 Alt-q  Esc 0  Ctrl-X", "保存并离开（每个答案都已保存）",
	 "save and leave (every answer is already saved)"},
	{"Esc", "取消", "cancel"},
	{"↑ ↓ 1-9", "选择题：移动或按编号选择；直接打字可筛选长列表",
	 "choices: move, or pick by number; type to filter a long list"},
	{"Space", "多选题：勾选/取消", "multiple choice: tick / untick"},
	{"Ctrl-U", "清空输入", "clear the input"},
	{"Ctrl-L", "重画屏幕", "redraw the screen"},
	{"↑ ↓", "文字、数字、说明题：上下滚动过长的题目", "text, number and note screens: scroll a long question"},
	{"Del", "名单：删除成员（会先确认）", "roster: delete a member (asks first)"},
	{"F6 F7  Esc 6  Esc 7", "名单：成员上移、下移", "roster: move a member up, down"},
	{"Tab", "家庭成员名单：转到决定人数的问题",
	 "household members: go to the question that sets their number"},
};

static void build(struct strbuf *sb)
{
	size_t i;

	strbuf_addstr(sb, T_("按键（每个命令有三种按法，功能键在 SSH 上不灵时用 Alt 或 Ctrl）\n\n",
			     "Keys (each command three ways: when function keys do not work, "
			     "e.g. over SSH, use Alt or Ctrl)\n\n"));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* padded by display columns: arrows take 3 bytes but 1 column */
		int pad = 27 - wrap_strwidth(rows[i].keys);
		strbuf_addstr(sb, rows[i].keys);
		strbuf_addf(sb, "%*s%s\n", pad > 1 ? pad : 1, "", T_(rows[i].zh, rows[i].en));
	}
	strbuf_addstr(sb, T_("\nAlt-字母 也可以先按 Esc 再按字母（半秒内）；按两次 Esc 立即取消。\n"
			     "每个确认的答案在屏幕显示“已保存”之前已经写入磁盘；断电或关掉终端后重新打开，"
			     "会回到同一题。\n"
			     "* 表示必答题；章节右边的 [路径] 是这道题在问卷中的名称。\n",
			     "\nAlt-letter also works as Esc then the letter (within half a second); "
			     "Esc Esc cancels at once.\n"
			     "Every confirmed answer is on disk before the screen says \"saved\"; after "
			     "a power cut or a closed terminal, reopening resumes at the same "
			     "question.\n"
			     "* marks a required question; [path] beside the section is the question's "
			     "name in the form.\n"));
}

static void *init(struct ui *ui, void *arg)
{
	return xcalloc(1, sizeof(struct help));
}

static void draw(struct ui *ui, void *st)
{
	static const struct ui_footkey keys[] = {
		{"Esc", "返回", "back"}, {"↑↓", "滚动", "scroll"}};
	struct help *h = st;
	struct strbuf sb = STRBUF_INIT;

	build(&sb);
	ui_header(ui, T_("ruhu 帮助", "ruhu help"), "F1");
	h->height = ui_put_wrapped(ui_body_top(ui), 1, ui->cols - 2, ui_body_rows(ui), h->top,
				   sb.buf, ui_attr(ui, R_NORMAL));
	if (h->top > 0)
		ui_put(ui_body_top(ui), ui->cols - 1, 1, "▲", ui_attr(ui, R_HINT));
	if (h->top + ui_body_rows(ui) < h->height)
		ui_put(ui_body_top(ui) + ui_body_rows(ui) - 1, ui->cols - 1, 1, "▼",
		       ui_attr(ui, R_HINT));
	ui_footer(ui, keys, 2, NULL, false);
	strbuf_release(&sb);
}

static void key(struct ui *ui, void *st, const struct ui_key *k)
{
	struct help *h = st;
	int page = ui_body_rows(ui), maxtop = h->height - page;

	switch (k->code) {
	case UK_DOWN: h->top++; break;
	case UK_UP: h->top--; break;
	case UK_PGDN: h->top += page; break;
	case UK_PGUP: h->top -= page; break;
	case UK_CANCEL: case UK_ENTER: case UK_HELP: case UK_LEFT: case UK_BACK:
		ui_pop(ui);
		return;
	case UK_LEAVE:
		ui_pop(ui);
		return;
	case UK_LANG:
		i18n_set(i18n_lang() == LANG_ZH ? LANG_EN : LANG_ZH);
		break;
	default: break;
	}
	if (h->top > maxtop)
		h->top = maxtop;
	if (h->top < 0)
		h->top = 0;
}

static void fr(void *st)
{
	free(st);
}

const struct screen_ops screen_help = {"help", false, init, draw, key, fr};
