/*
 * edit_interview — test helper for the CLI scripts: `edit_interview DB UUID
 * PATH VALUE` changes one answer of a completed interview the way the
 * enumerator's screens do (store_interview_reopen, store_answer_put,
 * store_interview_complete: three revisions, each with its event). No ruhu
 * command edits a completed interview's answers, and the scripts must not
 * write the database behind the store's back.
 */
#include "ruhu/store.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	int ret = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: edit_interview DB UUID PATH VALUE\n");
		return 2;
	}
	if (store_open(argv[1], 0, &s, &err) < 0 ||
	    store_interview_reopen(s, argv[2], &err) < 0 ||
	    store_answer_put(s, argv[2], argv[3], argv[4], STORE_SPECIAL_NONE, argv[3], &err) < 0 ||
	    store_interview_complete(s, argv[2], &err) < 0) {
		fprintf(stderr, "edit_interview: %s: %s\n", err.where ? err.where : "",
			err.en ? err.en : "?");
		goto done;
	}
	ret = 0;
done:
	error_clear(&err);
	store_close(s);
	return ret;
}
