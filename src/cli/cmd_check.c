/*
 * cmd_check — `ruhu check FORM...`: loads and validates each XLSForm and prints
 * one summary line per valid form on stdout, every error and warning on
 * stderr as FILE:SHEET:ROW: error: message. Every form is checked even after
 * one fails. Exit 0 when all forms are valid, 1 when one is not, 2 on misuse.
 *
 * An argument that is an attached CSV file of another form of the same run
 * (`ruhu check` of every CSV file of forms/, with forms/villages.csv beside
 * the form that reads it) is checked as that form's attached file — by
 * loading the form — and summed up as such, not loaded as a form of its own.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/interview.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(n) ((n) == 1 ? "" : "s")

/* The title, id and version are the form's own cells: escaped for display. */
static void print_summary(const char *path, const struct form *f)
{
	struct form_stats st;
	const char *v = form_version(f) ? cli_safe(form_version(f)) : "-";

	size_t att = form_attachment_count(f);

	form_stats(f, &st);
	if (i18n_lang() == LANG_ZH)
		printf("%s：%s（id %s，版本 %s）：%zu 个问题，%zu 个分组，%zu 个重复组，"
		       "%zu 个选项列表，%zu 种语言",
		       cli_safe(path), cli_safe(form_title(f)), cli_safe(form_id(f)), v, st.questions,
		       st.groups,
		       st.repeats, st.lists, st.languages);
	else
		printf("%s: %s (id %s, version %s): %zu question%s, %zu group%s, %zu repeat%s, "
		       "%zu choice list%s, %zu language%s",
		       cli_safe(path), cli_safe(form_title(f)), cli_safe(form_id(f)), v, st.questions,
		       S(st.questions),
		       st.groups, S(st.groups), st.repeats, S(st.repeats), st.lists, S(st.lists),
		       st.languages, S(st.languages));
	/* only forms that have them say so: the line stays as it was for others */
	if (att && i18n_lang() == LANG_ZH)
		printf("，%zu 个附带文件", att);
	else if (att)
		printf(", %zu attached file%s", att, S(att));
	putchar('\n');
}

/* Whether `arg` is the file `name` attached next to the form at `form_path`. */
static int same_file(const char *arg, const char *form_path, const char *name)
{
	const char *slash = strrchr(form_path, '/');
	char *a = realpath(arg, NULL), *b;
	int same;

	if (!a)
		return 0;
	if (slash) {
		size_t dl = (size_t)(slash - form_path) + 1;
		char *p = malloc(dl + strlen(name) + 1);

		if (!p) {
			free(a);
			return 0;
		}
		memcpy(p, form_path, dl);
		strcpy(p + dl, name);
		b = realpath(p, NULL);
		free(p);
	} else {
		b = realpath(name, NULL);
	}
	same = b && !strcmp(a, b);
	free(a);
	free(b);
	return same;
}

/* The form of this run (other than argument `self`) that attaches the file
 * `arg`: its argument index, with the list it became in *list; or -1. */
static int attached_by(int argc, char **argv, struct form **forms, int self, const char *arg,
		       const struct form_list **list)
{
	int i;

	for (i = 0; i < argc; i++) {
		size_t k;

		if (i == self || !forms[i])
			continue;
		for (k = 0; k < form_attachment_count(forms[i]); k++) {
			struct form_attachment a;
			char stem[PATH_MAX];
			const char *dot;

			if (form_attachment_get(forms[i], k, &a, NULL) < 0 ||
			    !same_file(arg, argv[i], a.name))
				continue;
			dot = strrchr(a.name, '.');
			snprintf(stem, sizeof(stem), "%.*s",
				 (int)(dot ? (size_t)(dot - a.name) : strlen(a.name)), a.name);
			*list = form_list(forms[i], (size_t)form_find_list(forms[i], stem));
			return i;
		}
	}
	return -1;
}

int cmd_check(int argc, char **argv)
{
	struct diag_list *dls;
	struct form **forms;
	int i, first = 1, status = EXIT_OK;

	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	else
		for (i = 1; i < argc; i++)
			if (argv[i][0] == '-' && argv[i][1]) {
				cli_errorf("未知选项 '%s'", "unknown option '%s'", argv[i]);
				return cli_usage("check");
			}
	if (argc <= first)
		return cli_usage("check");
	forms = calloc((size_t)argc, sizeof(*forms));
	dls = calloc((size_t)argc, sizeof(*dls));
	if (!forms || !dls) {
		free(forms);
		free(dls);
		cli_errorf("内存不足", "out of memory");
		return EXIT_FAIL;
	}
	/* every form first: an attached file may come before its form */
	for (i = first; i < argc; i++)
		if (form_load(argv[i], &forms[i], &dls[i]) < 0)
			forms[i] = NULL;
	for (i = first; i < argc; i++) {
		const struct form_list *list = NULL;
		int by;

		if (!forms[i] && (by = attached_by(argc, argv, forms, i, argv[i], &list)) >= 0 &&
		    list) {
			/* checked with the form that reads it */
			if (i18n_lang() == LANG_ZH)
				printf("%s：%s 的附带文件（选项列表 '%s'，%zu 行）\n", cli_safe(argv[i]),
				       cli_safe(argv[by]), cli_safe(list->name), list->n);
			else
				printf("%s: attached file of %s (choice list '%s', %zu row%s)\n",
				       cli_safe(argv[i]), cli_safe(argv[by]), cli_safe(list->name),
				       list->n, S(list->n));
			fflush(stdout);
			continue;
		}
		if (!forms[i]) {
			status = EXIT_FAIL;
		} else {
			/* calculations and relevance that depend on each other in a
			 * circle can never be evaluated: the same check an interview
			 * makes before it starts */
			struct error err = ERROR_INIT;

			if (interview_check_form(forms[i], &err) < 0) {
				diag_add_error(&dls[i], DIAG_ERROR, &err);
				status = EXIT_FAIL;
			}
			error_clear(&err);
		}
		fflush(stdout);
		cli_diags(&dls[i]);
		if (forms[i] && !dls[i].errors)
			print_summary(argv[i], forms[i]);
		fflush(stdout);
	}
	for (i = 0; i < argc; i++) {
		form_free(forms[i]);
		diag_list_free(&dls[i]);
	}
	free(forms);
	free(dls);
	return status;
}
