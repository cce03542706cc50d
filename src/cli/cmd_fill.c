/*
 * cmd_fill — `ruhu fill FORM --answers FILE.csv [--db DB]`: runs a form
 * headless from a `field,value` answers file (paper-form entry, and the form
 * author's test tool). The file is read and applied by the core
 * (include/ruhu/answers.h, src/interview/answers_csv.c); see
 * docs/interview.md for the format and the rules.
 *
 * Any problem: every message on stderr as `FILE:ROW: field: message` (or
 * `FILE: field: message` when no row gave the field), nothing on stdout,
 * nothing stored, exit 1. Otherwise the record is printed as `field,value`
 * CSV and, with --db, stored as one completed interview in one transaction.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/answers.h"
#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int print_value(void *ud, const char *path, const char *value)
{
	FILE *out = ud;

	cli_csv_cell(out, path);
	fputc(',', out);
	cli_csv_cell(out, value);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

struct put_ctx {
	struct store *s;
	const char *uuid;
	struct error *err;
};

static int put_answer(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct put_ctx *c = ud;

	/* value NULL and no special value: a repeat instance marker */
	return store_answer_put(c->s, c->uuid, path, sp ? NULL : value,
				sp == IV_DONT_KNOW ? STORE_SPECIAL_DONT_KNOW
				: sp == IV_REFUSED ? STORE_SPECIAL_REFUSED
						   : STORE_SPECIAL_NONE,
				NULL, c->err) < 0
		       ? -1
		       : 0;
}

/* Stores the completed interview: all or nothing. */
/* *sp: the database when it existed, else opened (created) here; the caller
 * closes it. */
static int store_interview(const char *db, struct store **sp, const struct form *f,
			   struct interview *iv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	char uuid[STORE_ID_LEN + 1];
	const char *key = NULL;
	struct put_ctx pc;
	int ret = -1;
	bool tx = false;

	if (!*sp && store_open(db, STORE_OPEN_CREATE | STORE_OPEN_CHECK, sp, &err) < 0)
		goto done;
	s = *sp;
	if (store_tx_begin(s, &err) < 0)
		goto done;
	tx = true;
	if (form_find(f, "household_key") >= 0 &&
	    (interview_get(iv, "household_key", &key, NULL) < 0 || (key && !*key)))
		key = NULL;
	if (store_form_put(s, f, &err) < 0 ||
	    store_interview_new(s, form_hash(f), key, uuid, &err) < 0)
		goto done;
	pc.s = s;
	pc.uuid = uuid;
	pc.err = &err;
	if (interview_answers(iv, put_answer, &pc) != 0)
		goto done;
	if (store_interview_complete(s, uuid, &err) < 0)
		goto done;
	if (store_tx_commit(s, &err) < 0)
		goto done;
	tx = false;
	ret = 0;
done:
	if (ret < 0) {
		struct error e2 = ERROR_INIT;
		if (tx)
			store_tx_rollback(s, &e2);
		error_clear(&e2);
		cli_error(&err);
	}
	error_clear(&err);
	return ret;
}

int cmd_fill(int argc, char **argv)
{
	const char *form_path = NULL, *answers = NULL, *db = NULL;
	struct diag_list dl = DIAG_LIST_INIT, problems = DIAG_LIST_INIT;
	struct answers *ans = NULL;
	struct interview_opts opts = {0};
	struct interview *iv = NULL;
	struct form *f = NULL;
	struct store *st = NULL;
	struct error err = ERROR_INIT;
	int ret = EXIT_FAIL, i;
	size_t r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--answers") && i + 1 < argc)
			answers = argv[++i];
		else if (!strncmp(argv[i], "--answers=", 10))
			answers = argv[i] + 10;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strncmp(argv[i], "--db=", 5))
			db = argv[i] + 5;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("fill");
		else if (!form_path)
			form_path = argv[i];
		else
			return cli_usage("fill");
	}
	if (!form_path || !answers)
		return cli_usage("fill");

	if (form_load(form_path, &f, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (answers_load(answers, &ans, &err) < 0) {
		/* a row of the file: "FILE:LINE: message", as the other problems */
		if (err.where)
			fprintf(stderr, "%s: %s\n", err.where, error_msg(&err, i18n_lang()));
		else
			cli_error(&err);
		goto done;
	}

	/* an existing database gives the device id and enumerator; a new one is
	 * only created once the interview is valid */
	opts.deviceid = "ruhu-fill";
	if (db && access(db, F_OK) == 0) {
		if (store_open(db, STORE_OPEN_CHECK, &st, &err) < 0) {
			cli_error(&err);
			goto done;
		}
		opts.deviceid = store_device_id(st);
		opts.username = store_enumerator_get(st);
	}
	if (interview_new(f, &opts, &iv, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (answers_apply(ans, f, iv, &problems) > 0) {
		for (r = 0; r < problems.n; r++)
			fprintf(stderr, "%s: %s\n", cli_safe(problems.items[r].e.where),
				cli_safe(error_msg(&problems.items[r].e, i18n_lang())));
		goto done;
	}
	if (interview_complete(iv, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (db && store_interview(db, &st, f, iv) < 0)
		goto done;
	fputs("field,value\n", stdout);
	if (interview_record(iv, print_value, stdout) != 0 || fflush(stdout) != 0) {
		cli_errorf("无法写出结果：%s", "cannot write the result: %s", strerror(errno));
		goto done;
	}
	ret = EXIT_OK;
done:
	answers_free(ans);
	error_clear(&err);
	diag_list_free(&dl);
	diag_list_free(&problems);
	interview_free(iv);
	store_close(st);
	form_free(f);
	return ret;
}
