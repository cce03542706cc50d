/*
 * cmd_review — `ruhu review --db DB UUID --approve | --reject COMMENT
 * [--author NAME]`: the team leader's verdict on one completed interview
 * (store_interview_review). A rejected interview travels back to its device
 * in the next return bundle (`ruhu export --for DEVICE`) with the comment.
 * The smallest honest version of the review command: one interview per call,
 * no listing.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int cmd_review(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	const char *db = NULL, *uuid = NULL, *comment = NULL, *author = NULL;
	int i, verdicts = 0, ret = EXIT_FAIL;
	bool approve = false;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--approve")) {
			approve = true;
			verdicts++;
		} else if (!strcmp(argv[i], "--reject") && i + 1 < argc) {
			comment = argv[++i];
			verdicts++;
		} else if (!strcmp(argv[i], "--author") && i + 1 < argc) {
			author = argv[++i];
		} else if (argv[i][0] == '-' || uuid) {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("review");
		} else {
			uuid = argv[i];
		}
	}
	if (!db || !uuid || verdicts != 1)
		return cli_usage("review");
	if (!approve && !*comment) {
		cli_errorf("退回须写明原因（--reject 后的批注不能为空）",
			   "a rejection needs a comment (the text after --reject is empty)");
		return EXIT_USAGE;
	}
	if (store_open(db, 0, &s, &err) < 0 ||
	    store_interview_review(s, uuid, approve, comment, author, &err) < 0) {
		cli_error(&err);
		error_clear(&err);
		goto done;
	}
	if (approve)
		printf(T_("%s：已通过\n", "%s: approved\n"), cli_safe(uuid));
	else
		printf(T_("%s：已退回（%s）\n", "%s: rejected (%s)\n"), cli_safe(uuid),
		       cli_safe(comment));
	ret = EXIT_OK;
done:
	store_close(s);
	return ret;
}
