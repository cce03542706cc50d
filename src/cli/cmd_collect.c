/*
 * cmd_collect — `ruhu collect [--db DB] [--lang zh|en] [--form FORM]...
 * [--sample SAMPLE.csv] [--trace-timing FILE]`: the enumerator's terminal UI
 * on a device database (default: the per-user data folder's device.db).
 *
 * --form stores forms in the database first (idempotent by hash) and
 * --sample loads a household sample (the columns of forms/samples/demo-households.csv:
 * household_key, county, township, village, household_type, head_name,
 * enumerator, device; any other column is a preload field). Both fail before
 * the UI opens, with the file and row, leaving the database as it was.
 *
 * Also holds what `ruhu demo` shares with it: the data folder, loading forms
 * and a sample, and running the UI (collect_*, declared in commands.h).
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/sample.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include "../ui/app.h"
#include "../ui/screens.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the per-user data folder --------------------------------------------- */

static int mkdirs(const char *path, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret = -1;

	strbuf_addstr(&sb, path);
	for (i = 1; i <= sb.len; i++) {
		if (sb.buf[i] != '/' && sb.buf[i] != 0)
			continue;
		sb.buf[i] = 0;
		if (mkdir(sb.buf, 0700) < 0 && errno != EEXIST) {
			error_set(err, sb.buf, "无法创建目录：%s", "cannot create the folder: %s",
				  strerror(errno));
			goto done;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	ret = 0;
done:
	strbuf_release(&sb);
	return ret;
}

char *collect_data_dir(struct error *err)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	struct strbuf sb = STRBUF_INIT;

	if (x && *x == '/')
		strbuf_addf(&sb, "%s/ruhu", x);
	else if (home && *home)
		strbuf_addf(&sb, "%s/.local/share/ruhu", home);
	else {
		error_set(err, NULL, "HOME 和 XDG_DATA_HOME 都没有设置：请用 --db 指定数据库",
			  "neither HOME nor XDG_DATA_HOME is set: give the database with --db");
		return NULL;
	}
	if (mkdirs(sb.buf, err) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* ---- forms and samples ------------------------------------------------------ */

int collect_put_form(struct store *st, const char *path, struct error *err)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	int ret = -1;

	if (form_load(path, &f, &dl) < 0) {
		cli_diags(&dl);
		error_set(err, path, "表单有错误，未载入", "the form has errors and was not loaded");
		goto done;
	}
	/* with its attached files, which its hash covers */
	if (store_form_put(st, f, err) < 0)
		goto done;
	ret = 0;
done:
	form_free(f);
	diag_list_free(&dl);
	return ret;
}

int collect_put_sample(struct store *st, const char *path, char **first_enumerator,
		       struct error *err)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *sm = NULL;
	size_t bad = 0;
	int ret = -1;

	if (sample_load(path, &sm, &dl) < 0) {
		cli_diags(&dl);
		error_set(err, path, "样本有错误，未载入", "the sample has errors and was not loaded");
		goto done;
	}
	if (store_assignments_put(st, sm->a, sm->n, &bad, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (first_enumerator && sm->n && sm->a[0].enumerator)
		*first_enumerator = xstrdup(sm->a[0].enumerator);
	ret = 0;
done:
	sample_free(sm);
	diag_list_free(&dl);
	return ret;
}

/* Loads a form only to check it; prints what is wrong. */
static int check_form(const char *path)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	int r = form_load(path, &f, &dl);

	if (r < 0) {
		cli_diags(&dl);
		cli_errorf("'%s'：表单有错误，数据库未改动", "'%s': the form has errors; the database is unchanged",
			   path);
	}
	form_free(f);
	diag_list_free(&dl);
	return r;
}

static int check_sample(const char *path)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct sample *sm = NULL;
	int r = sample_load(path, &sm, &dl);

	if (r < 0) {
		cli_diags(&dl);
		cli_errorf("'%s'：样本有错误，数据库未改动",
			   "'%s': the sample has errors; the database is unchanged", path);
	}
	sample_free(sm);
	diag_list_free(&dl);
	return r;
}

/* ---- running the UI ---------------------------------------------------------- */

/* ncursesw needs a UTF-8 LC_CTYPE to read and draw Chinese. */
static void ensure_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8")))
		return;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C.utf8");
}

int collect_need_terminal(void)
{
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return 0;
	cli_errorf("调查界面需要一个终端（标准输入和输出）",
		   "the interview screens need a terminal (standard input and output)");
	return -1;
}

int collect_run(struct store *st, const char *trace_path)
{
	struct ui_app app = {0};
	struct ui ui = {0};
	struct error err = ERROR_INIT;
	int ret = EXIT_FAIL;

	if (collect_need_terminal() < 0)
		goto done;
	ensure_utf8();
	app.store = st;
	if (app_load_forms(&app, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	ui.app = &app;
	if (trace_path) {
		ui.trace = fopen(trace_path, "w");
		if (!ui.trace) {
			cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", trace_path,
				   strerror(errno));
			goto done;
		}
	}
	if (ui_run(&ui, &screen_start, NULL, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	ret = EXIT_OK;
done:
	app_session_close(&app);
	if (ui.trace && fclose(ui.trace) != 0) {
		cli_errorf("无法写入 '%s'：%s", "cannot write '%s': %s", trace_path, strerror(errno));
		ret = EXIT_FAIL;
	}
	app_free(&app);
	error_clear(&err);
	return ret;
}

/* `ruhu review --db TEAM.db` with no action: the review screens (screen_qc.c)
 * on an open store, from the list filtered by `f`. */
int collect_run_review(struct store *st, const struct store_review_filter *f,
		       const char *reviewer)
{
	struct ui_app app = {0};
	struct ui ui = {0};
	struct error err = ERROR_INIT;
	int ret = EXIT_FAIL;

	if (collect_need_terminal() < 0)
		return EXIT_FAIL;
	ensure_utf8();
	app.store = st;
	ui.app = &app;
	if (ui_qc_run(&ui, f, reviewer, &err) < 0)
		cli_error(&err);
	else
		ret = EXIT_OK;
	app_free(&app);
	error_clear(&err);
	return ret;
}

/* ---- the command ------------------------------------------------------------- */

int cmd_collect(int argc, char **argv)
{
	const char *db = NULL, *trace = NULL, *sample = NULL;
	const char **forms = xcalloc((size_t)argc + 1, sizeof(*forms));
	size_t nforms = 0, i;
	char *dir = NULL, *dbpath = NULL, *enumerator = NULL;
	struct store *st = NULL;
	struct error err = ERROR_INIT;
	int a, ret = EXIT_FAIL;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a];
		const char **slot = !strcmp(o, "--db")             ? &db
				    : !strcmp(o, "--trace-timing") ? &trace
				    : !strcmp(o, "--sample")       ? &sample
				    : !strcmp(o, "--form")         ? &forms[nforms]
								   : NULL;
		if (!slot) {
			cli_errorf("未知选项 '%s'", "unknown option '%s'", o);
			ret = cli_usage("collect");
			goto done;
		}
		if (a + 1 >= argc) {
			cli_errorf("选项 '%s' 缺少值", "option '%s' needs a value", o);
			ret = cli_usage("collect");
			goto done;
		}
		*slot = argv[++a];
		if (slot == &forms[nforms])
			nforms++;
	}
	/* bad forms or samples, or no terminal, are refused before the
	 * database is touched */
	for (i = 0; i < nforms; i++)
		if (check_form(forms[i]) < 0)
			goto done;
	if (sample && check_sample(sample) < 0)
		goto done;
	if (collect_need_terminal() < 0)
		goto done;
	if (!db) {
		dir = collect_data_dir(&err);
		if (!dir) {
			cli_error(&err);
			goto done;
		}
		dbpath = xmalloc(strlen(dir) + 16);
		sprintf(dbpath, "%s/device.db", dir);
		db = dbpath;
	}
	if (store_open(db, STORE_OPEN_CREATE, &st, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	for (i = 0; i < nforms; i++)
		if (collect_put_form(st, forms[i], &err) < 0) {
			cli_error(&err);
			goto done;
		}
	if (sample) {
		if (collect_put_sample(st, sample, &enumerator, &err) < 0) {
			cli_error(&err);
			goto done;
		}
	}
	ret = collect_run(st, trace);
done:
	store_close(st);
	free(forms);
	free(dir);
	free(dbpath);
	free(enumerator);
	error_clear(&err);
	return ret;
}
