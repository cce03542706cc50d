/*
 * fuzz_store — a database file is outside input too (a laptop's file copied
 * from a USB stick, a half-written disk). The fuzzer's bytes become a file
 * that store_open must refuse with an error or open (migrating an old
 * schema); when it opens, every read path the UI and export use must run
 * without crashing: forms, assignments, counts, and every interview loaded
 * with its answers, events and comments.
 */
#include "ruhu/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_answer(void *ctx, const struct store_answer *a)
{
	(void)ctx;
	return a->path == NULL;
}

static int on_event(void *ctx, const struct store_event *e)
{
	(void)ctx;
	return e->kind == NULL && e->seq == -42;
}

static int on_comment(void *ctx, const struct store_comment *c)
{
	(void)ctx;
	return c->uuid == NULL && c->time == -42;
}

static int on_interview(void *ctx, const struct store_interview *iv)
{
	struct store *s = ctx;
	struct store_loaded *l = NULL;

	if (store_interview_load(s, iv->uuid, &l, NULL) == 0)
		store_loaded_free(l);
	store_answers_each(s, iv->uuid, on_answer, NULL, NULL);
	store_events_each(s, iv->uuid, on_event, NULL, NULL);
	store_comments_each(s, iv->uuid, on_comment, NULL, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	char side[80];
	struct store *s = NULL;
	struct error err = ERROR_INIT;
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/fuzz_store_%d.db", (int)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return 0;
	if (size && fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return 0;
	}
	fclose(fp);
	if (store_open(path, 0, &s, &err) == 0) {
		struct store_form_info *fi = NULL;
		struct store_assignment_row *rows = NULL;
		size_t n = 0, counts[STORE_ASTATUS_COUNT], ic[STORE_ISTATUS_COUNT];
		int64_t cs;

		store_busy_timeout(s, 0);
		if (store_form_list(s, &fi, &n, NULL) == 0)
			store_form_info_free(fi, n);
		if (store_assignment_list(s, NULL, &rows, &n, NULL) == 0)
			store_assignment_rows_free(rows, n);
		store_assignment_counts(s, NULL, counts, NULL);
		store_interview_counts(s, NULL, ic, NULL);
		store_change_seq(s, &cs, NULL);
		store_interviews_changed_since(s, 0, on_interview, s, NULL);
		store_close(s);
	} else if (!error_isset(&err) || err.code == 0) {
		abort(); /* a refusal must always say why */
	}
	error_clear(&err);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}
