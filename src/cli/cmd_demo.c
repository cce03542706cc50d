/*
 * cmd_demo — `ruhu demo [--lang zh|en] [--trace-timing FILE]`: the
 * enumerator's UI on a demo database, ready to try. The database lives in the
 * per-user data folder ($XDG_DATA_HOME/ruhu or ~/.local/share/ruhu) as
 * demo.db and is reused between runs; the bundled forms are stored in it on
 * every run (idempotent: a changed form becomes a new version) and the demo
 * sample is loaded when the database has no assignments yet.
 *
 * The bundled forms are found at run time: $RUHU_FORMS, else the source
 * tree's forms/ (a path fixed at build time), else the installed data folder.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include "src/ui/ui_paths.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char SAMPLE[] = "samples/demo-households.csv";

static bool has_forms(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	bool ok;

	strbuf_addf(&sb, "%s/%s", dir, SAMPLE);
	ok = stat(sb.buf, &st) == 0 && S_ISREG(st.st_mode);
	strbuf_release(&sb);
	return ok;
}

/* The folder of the bundled forms, or NULL (message printed). */
static const char *forms_dir(void)
{
	const char *env = getenv("RUHU_FORMS");

	if (env && *env) {
		if (has_forms(env))
			return env;
		cli_errorf("RUHU_FORMS='%s' 中没有 %s", "RUHU_FORMS='%s' holds no %s", env, SAMPLE);
		return NULL;
	}
	if (has_forms(RUHU_SOURCE_FORMS))
		return RUHU_SOURCE_FORMS;
	if (has_forms(RUHU_INSTALLED_FORMS))
		return RUHU_INSTALLED_FORMS;
	cli_errorf("找不到自带的表单（试过 '%s' 和 '%s'）：请设置 RUHU_FORMS",
		   "cannot find the bundled forms (tried '%s' and '%s'): set RUHU_FORMS",
		   RUHU_SOURCE_FORMS, RUHU_INSTALLED_FORMS);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether `name` is an attached file of one of the loaded forms `f[0..n)`. */
static bool attached(struct form *const *f, size_t n, const char *name)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; f[i] && k < form_attachment_count(f[i]); k++) {
			struct form_attachment a;

			if (form_attachment_get(f[i], k, &a, NULL) == 0 && !strcmp(a.name, name))
				return true;
		}
	return false;
}

/* Stores every *.csv form of `dir` in name order, each with its attached files
 * (the sample lives in a subfolder; checks.csv beside the forms is the rules
 * file of `ruhu audit`, not a form, and backcheck.csv is the back-check team's
 * form: the demo is the enumerator's, whose first form must stay the household
 * questionnaire). A CSV file that a form of the folder attaches (townships.csv,
 * villages.csv: the demo region's administrative lists) is that form's file,
 * stored with it, and not a form of its own: every file is loaded first, and
 * one that is not a form is an error only when no form reads it. */
static int put_forms(struct store *st, const char *dir, struct error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	struct form **forms = NULL;
	struct diag_list *dls = NULL;
	size_t n = 0, cap = 0, i;
	int ret = -1;

	if (!d) {
		error_set(err, dir, "无法打开目录", "cannot open the folder");
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".csv") || !strcmp(de->d_name, "checks.csv") ||
		    !strcmp(de->d_name, "backcheck.csv"))
			continue;
		XGROW(names, cap, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	forms = xcalloc(n ? n : 1, sizeof(*forms));
	dls = xcalloc(n ? n : 1, sizeof(*dls));
	for (i = 0; i < n; i++) {
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "%s/%s", dir, names[i]);
		if (form_load(p.buf, &forms[i], &dls[i]) < 0)
			forms[i] = NULL;
		strbuf_release(&p);
	}
	for (i = 0; i < n; i++) {
		if (attached(forms, n, names[i]))
			continue;
		if (!forms[i]) {
			struct strbuf p = STRBUF_INIT;

			cli_diags(&dls[i]);
			strbuf_addf(&p, "%s/%s", dir, names[i]);
			error_set(err, p.buf, "表单有错误，未载入", "the form has errors and was not loaded");
			strbuf_release(&p);
			goto done;
		}
		/* with its attached files, which its hash covers */
		if (store_form_put(st, forms[i], err) < 0)
			goto done;
	}
	ret = 0;
done:
	for (i = 0; i < n; i++) {
		free(names[i]);
		form_free(forms[i]);
		diag_list_free(&dls[i]);
	}
	free(names);
	free(forms);
	free(dls);
	return ret;
}

int cmd_demo(int argc, char **argv)
{
	const char *trace = NULL, *fdir;
	char *dir = NULL, *enumerator = NULL;
	struct strbuf db = STRBUF_INIT, sample = STRBUF_INIT;
	struct store *st = NULL;
	struct error err = ERROR_INIT;
	size_t counts[STORE_ASTATUS_COUNT] = {0}, total = 0, i;
	int a, ret = EXIT_FAIL;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--trace-timing") && a + 1 < argc) {
			trace = argv[++a];
			continue;
		}
		cli_errorf("未知选项 '%s'", "unknown option '%s'", argv[a]);
		ret = cli_usage("demo");
		goto done;
	}
	fdir = forms_dir();
	if (!fdir || collect_need_terminal() < 0)
		goto done;
	dir = collect_data_dir(&err);
	if (!dir) {
		cli_error(&err);
		goto done;
	}
	strbuf_addf(&db, "%s/demo.db", dir);
	if (store_open(db.buf, STORE_OPEN_CREATE, &st, &err) < 0 || put_forms(st, fdir, &err) < 0 ||
	    store_assignment_counts(st, NULL, counts, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	for (i = 0; i < STORE_ASTATUS_COUNT; i++)
		total += counts[i];
	if (!total) {
		strbuf_addf(&sample, "%s/%s", fdir, SAMPLE);
		if (collect_put_sample(st, sample.buf, &enumerator, &err) < 0) {
			cli_error(&err);
			goto done;
		}
	}
	if (!store_enumerator_get(st) && enumerator &&
	    store_enumerator_set(st, enumerator, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	ret = collect_run(st, trace);
done:
	store_close(st);
	free(dir);
	free(enumerator);
	strbuf_release(&db);
	strbuf_release(&sample);
	error_clear(&err);
	return ret;
}
