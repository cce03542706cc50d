/*
 * cmd_review — `ruhu review` on the team database:
 *   --list [--status S] [--enumerator E] [--village V] [--finding RULE|any]
 *   --approve ID...                       (all or none, one transaction)
 *   --reject ID --reason TEXT [--question PATH --comment TEXT]...
 *   with no action: the review screens (src/ui/screen_qc.c).
 * The old form `UUID --approve` / `UUID --reject COMMENT` still works.
 * Every action is a store event with the reviewer (--author, default the
 * login name) and the time, and travels with the interview in bundles.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/store.h"
#include "ruhu/store_review.h"
#include "ruhu/utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NOTES 64

static const char *default_author(void)
{
	const char *a = getenv("LOGNAME");

	if (!a || !*a)
		a = getenv("USER");
	return a && *a ? a : NULL;
}

static const char *status_label(enum store_istatus st)
{
	switch (st) {
	case STORE_IN_PROGRESS: return T_("进行中", "in progress");
	case STORE_COMPLETED: return T_("已完成", "completed");
	case STORE_APPROVED: return T_("已通过", "approved");
	case STORE_REJECTED: return T_("已退回", "rejected");
	default: return "?";
	}
}

static int list(struct store *s, const struct store_review_filter *f)
{
	struct store_review_row *v = NULL;
	struct error err = ERROR_INIT;
	size_t n = 0, i;

	if (store_review_list(s, f, &v, &n, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		return EXIT_FAIL;
	}
	printf("%-36s  %-16s  %-11s  %3s  %s  %s  %s\n", T_("访谈", "interview"),
	       T_("户", "household"), T_("状态", "status"), T_("版本", "rev"),
	       T_("问题（错误）", "findings (errors)"), T_("调查员", "enumerator"),
	       T_("村", "village"));
	for (i = 0; i < n; i++) {
		const char *st = status_label(v[i].status);
		size_t w = utf8_width(st);
		char fd[48];

		snprintf(fd, sizeof(fd), "%zu (%zu)", v[i].n_findings, v[i].n_errors);
		printf("%-36s  %-16s  %s%*s  %3lld  %-*s  %s  %s\n", v[i].uuid,
		       cli_safe(v[i].household_key ? v[i].household_key : "-"), st,
		       (int)(w < 11 ? 11 - w : 0), "", (long long)v[i].revision,
		       (int)utf8_width(T_("问题（错误）", "findings (errors)")), fd,
		       cli_safe(v[i].enumerator ? v[i].enumerator : "-"),
		       cli_safe(v[i].village ? v[i].village : "-"));
		if (v[i].status == STORE_REJECTED && v[i].review_comment)
			printf("    %s %s\n", T_("退回原因：", "reason:"), cli_safe(v[i].review_comment));
	}
	printf(T_("共 %zu 个访谈\n", "%zu interviews\n"), n);
	store_review_rows_free(v, n);
	return EXIT_OK;
}

/* "members[2]/age" names the field "age": the last step without its index */
static bool path_in_form(const struct form *f, const char *path)
{
	const char *last = strrchr(path, '/');
	char name[256];
	size_t len;

	last = last ? last + 1 : path;
	len = strcspn(last, "[");
	if (len == 0 || len >= sizeof(name))
		return false;
	memcpy(name, last, len);
	name[len] = '\0';
	return form_find(f, name) >= 0;
}

/* Every --question names a field of the interview's form: 0, or an error. */
static int check_paths(struct store *s, const char *uuid, const struct store_review_note *notes,
		       size_t n, struct error *err)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct store_interview iv = {0};
	struct form *f = NULL;
	size_t i;
	int ret;

	if (n == 0)
		return 0;
	ret = store_interview_get(s, uuid, &iv, err);
	if (ret < 0)
		return ret;
	ret = store_form_load(s, iv.form_hash, iv.form_hash, &f, &dl, err);
	diag_list_free(&dl);
	store_interview_release(&iv);
	if (ret < 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++)
		if (!path_in_form(f, notes[i].path)) {
			cli_errorf("问卷中没有题目 '%s'（--question）",
				   "the form has no question '%s' (--question)",
				   cli_safe(notes[i].path));
			ret = -1;
		}
	form_free(f);
	return ret;
}

int cmd_review(int argc, char **argv)
{
	struct store_review_filter filt = STORE_REVIEW_FILTER_ALL;
	struct store_review_note notes[MAX_NOTES];
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	const char *db = NULL, *reject = NULL, *reason = NULL, *author = NULL;
	const char *question = NULL, *status = NULL;
	const char **ids = NULL;
	size_t nids = 0, nnotes = 0;
	int i, actions = 0, ret = EXIT_FAIL;
	bool approve = false, do_list = false, filters = false;

	ids = calloc((size_t)argc, sizeof(*ids));
	if (!ids)
		return EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if (!strcmp(a, "--db") && has) {
			db = argv[++i];
		} else if (!strcmp(a, "--approve")) {
			approve = true;
			actions++;
			while (i + 1 < argc && argv[i + 1][0] != '-')
				ids[nids++] = argv[++i];
		} else if (!strcmp(a, "--reject") && has) {
			reject = argv[++i];
			actions++;
		} else if (!strcmp(a, "--reason") && has) {
			reason = argv[++i];
		} else if (!strcmp(a, "--question") && has) {
			if (question)
				goto usage; /* a --question without its --comment */
			question = argv[++i];
		} else if (!strcmp(a, "--comment") && has) {
			if (!question || nnotes == MAX_NOTES)
				goto usage;
			notes[nnotes].path = question;
			notes[nnotes++].text = argv[++i];
			question = NULL;
		} else if (!strcmp(a, "--list")) {
			do_list = true;
			actions++;
		} else if (!strcmp(a, "--status") && has) {
			status = argv[++i];
			filters = true;
		} else if (!strcmp(a, "--enumerator") && has) {
			filt.enumerator = argv[++i];
			filters = true;
		} else if (!strcmp(a, "--village") && has) {
			filt.village = argv[++i];
			filters = true;
		} else if (!strcmp(a, "--finding") && has) {
			filt.rule = !strcmp(argv[i + 1], "any") ? "*" : argv[i + 1];
			i++;
			filters = true;
		} else if (!strcmp(a, "--author") && has) {
			author = argv[++i];
		} else if (a[0] == '-') {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", a);
			goto usage;
		} else {
			ids[nids++] = a; /* the old form: review --db DB UUID --approve */
		}
	}
	if (!db || actions > 1 || question || (filters && !do_list && actions))
		goto usage;
	if (status) {
		filt.status = store_istatus_parse(status);
		if (filt.status < 0) {
			cli_errorf("未知状态 '%s'（in_progress、completed、approved、rejected）",
				   "unknown status '%s' (in_progress, completed, approved, rejected)",
				   cli_safe(status));
			goto usage;
		}
	}
	if (reject) {
		if (reason && nids == 0) {
			ids[nids++] = reject;
		} else if (!reason && nids == 1 && nnotes == 0) {
			reason = reject; /* the old form: UUID --reject COMMENT */
		} else {
			goto usage;
		}
		if (!*reason) {
			cli_errorf("退回须写明原因（--reason 不能为空）",
				   "a rejection needs a reason (--reason is empty)");
			free(ids);
			return EXIT_USAGE;
		}
	} else if (nnotes || reason || (approve && nids == 0) || (do_list && nids) ||
		   (!approve && !do_list && nids)) {
		goto usage;
	}
	if (!author)
		author = default_author();
	if (store_open(db, 0, &s, &err) < 0)
		goto fail;
	if (actions == 0) {
		ret = collect_run_review(s, &filt, author);
		goto done;
	}
	if (do_list) {
		ret = list(s, &filt);
		goto done;
	}
	if (approve) {
		size_t k;

		if (store_review_approve(s, ids, nids, author, &err) < 0)
			goto fail;
		for (k = 0; k < nids; k++)
			printf(T_("%s：已通过\n", "%s: approved\n"), cli_safe(ids[k]));
	} else {
		if (check_paths(s, ids[0], notes, nnotes, &err) < 0) {
			if (err.code)
				goto fail;
			goto done;
		}
		if (store_review_reject(s, ids[0], reason, author, notes, nnotes, &err) < 0)
			goto fail;
		printf(T_("%s：已退回（%s）\n", "%s: rejected (%s)\n"), cli_safe(ids[0]),
		       cli_safe(reason));
		for (i = 0; (size_t)i < nnotes; i++)
			printf(T_("  %s：%s\n", "  %s: %s\n"), cli_safe(notes[i].path),
			       cli_safe(notes[i].text));
	}
	ret = EXIT_OK;
	goto done;
fail:
	cli_error(&err);
	error_clear(&err);
done:
	store_close(s);
	free(ids);
	return ret;
usage:
	free(ids);
	return cli_usage("review");
}
