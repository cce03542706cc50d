/*
 * cmd_check — `ruhu check FORM...`: loads and validates each XLSForm and prints
 * one summary line per valid form on stdout, every error and warning on
 * stderr as FILE:SHEET:ROW: error: message. Every form is checked even after
 * one fails. Exit 0 when all forms are valid, 1 when one is not, 2 on misuse.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/interview.h"

#include <stdio.h>
#include <string.h>

#define S(n) ((n) == 1 ? "" : "s")

/* The title, id and version are the form's own cells: escaped for display. */
static void print_summary(const char *path, const struct form *f)
{
	struct form_stats st;
	const char *v = form_version(f) ? cli_safe(form_version(f)) : "-";

	form_stats(f, &st);
	if (i18n_lang() == LANG_ZH)
		printf("%s：%s（id %s，版本 %s）：%zu 个问题，%zu 个分组，%zu 个重复组，"
		       "%zu 个选项列表，%zu 种语言\n",
		       cli_safe(path), cli_safe(form_title(f)), cli_safe(form_id(f)), v, st.questions,
		       st.groups,
		       st.repeats, st.lists, st.languages);
	else
		printf("%s: %s (id %s, version %s): %zu question%s, %zu group%s, %zu repeat%s, "
		       "%zu choice list%s, %zu language%s\n",
		       cli_safe(path), cli_safe(form_title(f)), cli_safe(form_id(f)), v, st.questions,
		       S(st.questions),
		       st.groups, S(st.groups), st.repeats, S(st.repeats), st.lists, S(st.lists),
		       st.languages, S(st.languages));
}

int cmd_check(int argc, char **argv)
{
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
	for (i = first; i < argc; i++) {
		struct diag_list dl = DIAG_LIST_INIT;
		struct form *f = NULL;

		if (form_load(argv[i], &f, &dl) < 0) {
			status = EXIT_FAIL;
		} else {
			/* calculations and relevance that depend on each other in a
			 * circle can never be evaluated: the same check an interview
			 * makes before it starts */
			struct error err = ERROR_INIT;

			if (interview_check_form(f, &err) < 0) {
				diag_add_error(&dl, DIAG_ERROR, &err);
				form_free(f);
				f = NULL;
				status = EXIT_FAIL;
			}
			error_clear(&err);
		}
		fflush(stdout);
		cli_diags(&dl);
		if (f)
			print_summary(argv[i], f);
		fflush(stdout);
		form_free(f);
		diag_list_free(&dl);
	}
	return status;
}
