/*
 * cmd_collect — `ruhu collect [--db DB] [--lang zh|en] [--form FORM]...
 * [--sample SAMPLE.csv] [--trace-timing FILE]`: the enumerator's terminal UI
 * on a device database (default: the per-user data folder's device.db).
 *
 * --form stores forms in the database first (idempotent by hash) and
 * --sample loads a household sample (the columns of forms/demo-sample.csv:
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
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include "../ui/app.h"
#include "../ui/screens.h"

#include <csv.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
	if (store_form_put(st, f, err) < 0)
		goto done;
	ret = 0;
done:
	form_free(f);
	diag_list_free(&dl);
	return ret;
}

struct sample {
	char **cells;        /* fields of the row being read */
	size_t n, cap;
	char **head;         /* header row */
	size_t nhead;
	size_t rows;         /* data rows read */
	struct store_assignment *a;
	size_t na, capa;
	struct store_field **pre;
	size_t capp;
	const char *path;
	struct error *err;
	bool failed;
};

static void cell_cb(void *s, size_t len, void *ud)
{
	struct sample *sm = ud;

	XGROW(sm->cells, sm->cap, sm->n + 1);
	sm->cells[sm->n++] = xstrndup(s ? s : "", len);
}

static const char *col(struct sample *sm, const char *name)
{
	size_t i;

	for (i = 0; i < sm->nhead && i < sm->n; i++)
		if (!strcmp(sm->head[i], name))
			return *sm->cells[i] ? sm->cells[i] : NULL;
	return NULL;
}

static bool standard_col(const char *name)
{
	static const char *std[] = {"household_key", "county",    "township", "village",
				    "household_type", "head_name", "enumerator", "device"};
	size_t i;

	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (!strcmp(std[i], name))
			return true;
	return false;
}

static void row_cb(int c, void *ud)
{
	struct sample *sm = ud;
	struct store_assignment *a;
	struct store_field *pre;
	size_t i, np = 0;

	if (sm->failed)
		goto done;
	if (!sm->head) {
		sm->head = sm->cells;
		sm->nhead = sm->n;
		sm->cells = NULL;
		sm->n = sm->cap = 0;
		for (i = 0; i < sm->nhead; i++)
			if (!strcmp(sm->head[i], "household_key"))
				break;
		if (i == sm->nhead) {
			error_set(sm->err, sm->path, "第 1 行缺少 'household_key' 列",
				  "row 1: no 'household_key' column");
			sm->failed = true;
		}
		return;
	}
	sm->rows++;
	if (sm->n == 1 && !*sm->cells[0])
		goto done; /* blank line */
	if (sm->n != sm->nhead) {
		struct strbuf w = STRBUF_INIT;
		strbuf_addf(&w, "%s:%zu", sm->path, sm->rows + 1);
		error_set(sm->err, w.buf, "有 %zu 个字段，表头有 %zu 个", "%zu fields, the header has %zu",
			  sm->n, sm->nhead);
		strbuf_release(&w);
		sm->failed = true;
		goto done;
	}
	XGROW(sm->a, sm->capa, sm->na + 1);
	XGROW(sm->pre, sm->capp, sm->na + 1);
	a = &sm->a[sm->na];
	memset(a, 0, sizeof(*a));
	pre = xcalloc(sm->nhead + 1, sizeof(*pre));
	for (i = 0; i < sm->nhead; i++)
		if (!standard_col(sm->head[i])) {
			pre[np].name = xstrdup(sm->head[i]);
			pre[np].value = xstrdup(sm->cells[i]);
			np++;
		}
	a->household_key = xstrdup(col(sm, "household_key"));
	a->county = xstrdup(col(sm, "county"));
	a->township = xstrdup(col(sm, "township"));
	a->village = xstrdup(col(sm, "village"));
	a->household_type = xstrdup(col(sm, "household_type"));
	a->head_name = xstrdup(col(sm, "head_name"));
	a->enumerator = xstrdup(col(sm, "enumerator"));
	a->device = xstrdup(col(sm, "device"));
	a->preload = pre;
	a->n_preload = np;
	sm->pre[sm->na] = pre;
	sm->na++;
done:
	for (i = 0; i < sm->n; i++)
		free(sm->cells[i]);
	sm->n = 0;
}

static void sample_free(struct sample *sm)
{
	size_t i, k;

	for (i = 0; i < sm->n; i++)
		free(sm->cells[i]);
	free(sm->cells);
	for (i = 0; i < sm->nhead; i++)
		free(sm->head[i]);
	free(sm->head);
	for (i = 0; i < sm->na; i++) {
		struct store_assignment *a = &sm->a[i];
		free((char *)a->household_key);
		free((char *)a->county);
		free((char *)a->township);
		free((char *)a->village);
		free((char *)a->household_type);
		free((char *)a->head_name);
		free((char *)a->enumerator);
		free((char *)a->device);
		for (k = 0; k < a->n_preload; k++) {
			free((char *)sm->pre[i][k].name);
			free((char *)sm->pre[i][k].value);
		}
		free(sm->pre[i]);
	}
	free(sm->a);
	free(sm->pre);
}

int collect_put_sample(struct store *st, const char *path, char **first_enumerator,
		       struct error *err)
{
	struct sample sm = {0};
	struct csv_parser p;
	FILE *fp = NULL;
	char buf[8192];
	size_t got, bad = 0;
	int ret = -1;

	sm.path = path;
	sm.err = err;
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
		error_set(err, path, "无法初始化 CSV 读取器", "cannot set up the CSV reader");
		return -1;
	}
	fp = fopen(path, "rb");
	if (!fp) {
		error_set(err, path, "无法打开：%s", "cannot open: %s", strerror(errno));
		goto done;
	}
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (csv_parse(&p, buf, got, cell_cb, row_cb, &sm) != got) {
			error_set(err, path, "CSV 格式错误：%s", "malformed CSV: %s",
				  csv_strerror(csv_error(&p)));
			goto done;
		}
	if (ferror(fp)) {
		error_set(err, path, "读取失败：%s", "read failed: %s", strerror(errno));
		goto done;
	}
	csv_fini(&p, cell_cb, row_cb, &sm);
	if (sm.failed)
		goto done;
	if (sm.na && store_assignments_put(st, sm.a, sm.na, &bad, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (first_enumerator && sm.na && sm.a[0].enumerator)
		*first_enumerator = xstrdup(sm.a[0].enumerator);
	ret = 0;
done:
	if (fp)
		fclose(fp);
	csv_free(&p);
	sample_free(&sm);
	return ret;
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

int collect_run(struct store *st, const char *trace_path)
{
	struct ui_app app = {0};
	struct ui ui = {0};
	struct error err = ERROR_INIT;
	int ret = EXIT_FAIL;

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
