/*
 * cmd_calls — the phone survey's call attempts (src/sample/sample_calls.c):
 *   ruhu calls log --db DB HOUSEHOLD OUTCOME [--callback-at UNIX-TIME]
 *   ruhu calls report --db TEAM.db
 * `log` records one attempt as an event of the device database (it travels
 * in the next bundle); `report` prints each county's dispositions and AAPOR
 * rates as CSV.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/sample_calls.h"
#include "ruhu/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int calls_log(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	const char *db = NULL, *key = NULL, *outcome = NULL;
	enum sample_call_outcome o;
	long long at = 0;
	int i, ret = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--callback-at") && i + 1 < argc) {
			char *end;

			errno = 0;
			at = strtoll(argv[++i], &end, 10);
			if (errno || *end || at <= 0) {
				cli_errorf("'%s' 的值 '%s' 无效", "invalid value '%2$s' for '%1$s'",
					   "--callback-at", argv[i]);
				return cli_usage("calls");
			}
		} else if (argv[i][0] == '-' || (key && outcome)) {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("calls");
		} else if (!key)
			key = argv[i];
		else
			outcome = argv[i];
	}
	if (!db || !key || !outcome)
		return cli_usage("calls");
	if (sample_call_outcome_parse(outcome, &o) < 0) {
		cli_errorf("未知的通话结果 '%s'（answered, no_answer, busy, refused, wrong_number, "
			   "dead_number, callback, language）",
			   "unknown call outcome '%s' (answered, no_answer, busy, refused, "
			   "wrong_number, dead_number, callback, language)",
			   outcome);
		return EXIT_USAGE;
	}
	if (at && o != SAMPLE_CALL_CALLBACK) {
		cli_errorf("--callback-at 只用于 callback", "--callback-at goes with callback only");
		return EXIT_USAGE;
	}
	if (store_open(db, STORE_OPEN_CHECK, &s, &err) < 0 ||
	    sample_call_log(s, key, o, at, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		goto done;
	}
	ret = EXIT_OK;
done:
	store_close(s);
	return ret;
}

static int calls_report(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct store *s = NULL;
	const char *db = NULL;
	int i, ret = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("calls");
		}
	}
	if (!db)
		return cli_usage("calls");
	if (store_open(db, STORE_OPEN_READONLY, &s, &err) < 0 ||
	    sample_calls_report(s, &sb, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		goto done;
	}
	fputs(cli_safe_data(sb.buf, stdout), stdout);
	ret = EXIT_OK;
done:
	strbuf_release(&sb);
	store_close(s);
	return ret;
}

int cmd_calls(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "log"))
		return calls_log(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return calls_report(argc - 1, argv + 1);
	return cli_usage("calls");
}
