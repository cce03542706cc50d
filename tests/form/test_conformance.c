/*
 * Conformance: every file of $RUHU_CONFORMANCE/xlsforms/ (real XLSForms from
 * ODK, pyxform, KoboToolbox) loads with the expected summary, or is refused
 * for a documented, deliberate reason with the exact expected message. A form
 * that appears in the folder without an entry in the table fails the test, so
 * the table stays complete. Prints the outcome per form.
 */
#include "testutil.h"

#include "ruhu/form.h"
#include "ruhu/strbuf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct expect {
	const char *file;
	/* loaded: the summary; refused: where (after "FILE:") and message */
	int ok;
	size_t questions, groups, repeats, lists, languages, warnings;
	const char *where, *msg;
};

static const struct expect table[] = {
	{"kpi_exp_line_break.csv", 1, 9, 0, 0, 3, 1, 3, NULL, NULL},
	{"odk_all_question_types_v2024091201.csv", 1, 85, 11, 0, 6, 1, 21, NULL, NULL},
	{"pyxform_choice_filter_test.csv", 1, 3, 0, 0, 3, 1, 0, NULL, NULL},
	{"pyxform_example_case_insensitivity.csv", 1, 3, 0, 0, 1, 1, 5, NULL, NULL},
	{"pyxform_example_group.csv", 1, 3, 1, 0, 0, 1, 0, NULL, NULL},
	{"pyxform_example_group.md", 1, 3, 1, 0, 0, 1, 0, NULL, NULL},
	/* deliberate refusal: pyxform's old "begin loop over LIST" (one group per
	 * choice, labels via %(label)s) — docs/xlsform.md */
	{"pyxform_example_loop.csv", 0, 0, 0, 0, 0, 0, 0, "survey:4",
	 "'begin loop' is not supported: use 'begin repeat' instead (one instance per choice)"},
	{"pyxform_example_loop.md", 0, 0, 0, 0, 0, 0, 0, "survey:4",
	 "'begin loop' is not supported: use 'begin repeat' instead (one instance per choice)"},
	{"pyxform_example_specify_other.csv", 1, 1, 0, 0, 1, 1, 0, NULL, NULL},
	/* old bind:/control: headers and types string/int/select one from: loaded */
	{"pyxform_example_widgets.csv", 1, 21, 0, 0, 2, 1, 3, NULL, NULL},
	{"pyxform_test_indexed_repeat_nested.md", 1, 3, 1, 2, 1, 1, 0, NULL, NULL},
	{"pyxform_test_repeat_choice_filter_instance_lookup.md", 1, 2, 1, 1, 1, 1, 0, NULL, NULL},
	{"pyxform_test_translations_or_other_nested_repeat.md", 1, 1, 1, 1, 1, 3, 0, NULL, NULL},
	{"pyxform_test_warnings_diverse_types.md", 1, 22, 3, 1, 3, 1, 4, NULL, NULL},
	{"pyxform_xlsform_spec_test.csv", 1, 41, 4, 1, 2, 3, 7, NULL, NULL},
	{"ucl_biomass_plot_form.csv", 1, 57, 3, 5, 7, 2, 11, NULL, NULL},
};

static const struct expect *lookup(const char *file)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].file, file))
			return &table[i];
	return NULL;
}

static int is_form(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcmp(dot, ".csv") || !strcmp(dot, ".md"));
}

/* Every expression with a source was compiled. */
static int all_compiled(const struct form *f)
{
	size_t i;

	for (i = 0; i < form_node_count(f); i++) {
		const struct form_node *n = form_node(f, i);
		const struct form_expr *e[] = {&n->relevant, &n->constraint, &n->calculation,
					       &n->required, &n->read_only, &n->choice_filter,
					       &n->repeat_count, &n->default_expr};
		size_t k;

		for (k = 0; k < sizeof(e) / sizeof(e[0]); k++)
			if (e[k]->src && !e[k]->e) {
				fprintf(stderr, "  node '%s': '%s' not compiled\n", n->name,
					e[k]->src);
				return 0;
			}
	}
	return !form_instance_name(f).src || form_instance_name(f).e;
}

static int check_one(const char *dir, const char *file, const struct expect *x)
{
	struct strbuf path = STRBUF_INIT, where = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;
	struct form_stats st;
	int rc, ok = 1;
	size_t i;

	strbuf_addf(&path, "%s/%s", dir, file);
	/* the conformance forms come without their attached files (ucl's
	 * UCL_regions.csv): loaded as a form kept without them */
	rc = form_load_files(path.buf, NULL, &f, &dl);
	if (x->ok) {
		if (rc != 0 || !f) {
			fprintf(stderr, "FAIL %s: refused, expected to load\n", file);
			ok = 0;
		} else {
			form_stats(f, &st);
			if (st.questions != x->questions || st.groups != x->groups ||
			    st.repeats != x->repeats || st.lists != x->lists ||
			    st.languages != x->languages || dl.warnings != x->warnings) {
				fprintf(stderr,
					"FAIL %s: %zu questions, %zu groups, %zu repeats, %zu lists, "
					"%zu languages, %zu warnings; expected %zu %zu %zu %zu %zu "
					"%zu\n",
					file, st.questions, st.groups, st.repeats, st.lists,
					st.languages, dl.warnings, x->questions, x->groups, x->repeats,
					x->lists, x->languages, x->warnings);
				ok = 0;
			} else if (!all_compiled(f) || strlen(form_hash(f)) != 64) {
				fprintf(stderr, "FAIL %s: model incomplete\n", file);
				ok = 0;
			} else {
				printf("loaded   %-52s %zu questions, %zu groups, %zu repeats, %zu "
				       "lists, %zu languages, %zu warnings\n",
				       file, st.questions, st.groups, st.repeats, st.lists,
				       st.languages, dl.warnings);
			}
		}
	} else {
		int found = 0;

		strbuf_addf(&where, "%s:%s", path.buf, x->where);
		for (i = 0; i < dl.n; i++)
			if (dl.items[i].severity == DIAG_ERROR && dl.items[i].e.where &&
			    !strcmp(dl.items[i].e.where, where.buf) && !strcmp(dl.items[i].e.en, x->msg))
				found = 1;
		if (rc == 0 || f || !found || dl.errors != 1) {
			fprintf(stderr, "FAIL %s: expected only the refusal '%s: %s'\n", file,
				x->where, x->msg);
			ok = 0;
		} else {
			printf("refused  %-52s %s: %s\n", file, x->where, x->msg);
		}
	}
	if (!ok)
		for (i = 0; i < dl.n; i++)
			fprintf(stderr, "  %s: %s\n", dl.items[i].e.where, dl.items[i].e.en);
	form_free(f);
	diag_list_free(&dl);
	strbuf_release(&path);
	strbuf_release(&where);
	return ok;
}

int main(void)
{
	const char *base = test_conformance_dir();
	struct strbuf dirb = STRBUF_INIT;
	const char *dir;
	struct dirent **ents;
	int n, i, failed = 0, seen = 0;
	size_t k;

	strbuf_addf(&dirb, "%s/xlsforms", base);
	dir = dirb.buf;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "cannot read %s\n", dir);
		strbuf_release(&dirb);
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *file = ents[i]->d_name;
		const struct expect *x;

		if (file[0] != '.' && is_form(file)) {
			x = lookup(file);
			seen++;
			if (!x) {
				fprintf(stderr, "FAIL %s: no expected outcome in the table\n", file);
				failed++;
			} else if (!check_one(dir, file, x)) {
				failed++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	/* every table entry must exist in the folder */
	for (k = 0; k < sizeof(table) / sizeof(table[0]); k++) {
		struct strbuf path = STRBUF_INIT;
		FILE *fp;

		strbuf_addf(&path, "%s/%s", dir, table[k].file);
		fp = fopen(path.buf, "rb");
		strbuf_release(&path);
		if (!fp) {
			fprintf(stderr, "FAIL %s: missing from the folder\n", table[k].file);
			failed++;
		} else {
			fclose(fp);
		}
	}
	printf("%d forms, %d failed\n", seen, failed);
	strbuf_release(&dirb);
	return failed ? 1 : 0;
}
