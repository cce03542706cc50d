/*
 * Crash test of the session: a child process answers questions through
 * interview_session_set as fast as it can and reports each answer on a pipe
 * only after the call returned 0 ("saved"); the parent kills it with SIGKILL
 * at a random moment, then checks that the database passes
 * PRAGMA integrity_check, that reopening resumes, and that every answer the
 * child reported as saved is there (or the next value the child was writing
 * to that question: it may have been committed but not yet reported).
 * Repeated KILLS times; the count is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"

#include <signal.h>
#include "store_sqlite.h" /* the SQLite handle: this file inspects databases */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { KILLS = 40, QUESTIONS = 10, MAXWRITES = 200000 };

static const char *form_md = "| survey |\n"
			     "| | type | name | label |\n"
			     "| | integer | q0 | Q |\n| | integer | q1 | Q |\n"
			     "| | integer | q2 | Q |\n| | integer | q3 | Q |\n"
			     "| | integer | q4 | Q |\n| | integer | q5 | Q |\n"
			     "| | integer | q6 | Q |\n| | integer | q7 | Q |\n"
			     "| | integer | q8 | Q |\n| | integer | q9 | Q |\n";

static struct form *load_form(void)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct form *f = NULL;

	form_load_buffer("crash.md", form_md, strlen(form_md), FORM_SYNTAX_MD, &f, &dl);
	diag_list_free(&dl);
	return f;
}

/* The child: value i goes to question i % QUESTIONS; start after `from`. */
static void child(const char *db, const char *uuid, int from, int fd)
{
	struct form *f = load_form();
	struct store *s = NULL;
	struct interview_session *ss = NULL;
	struct error err = ERROR_INIT;
	char path[16], val[16];
	int i;

	if (!f || store_open(db, 0, &s, &err) < 0 ||
	    interview_session_open(s, f, uuid, NULL, &ss, &err) < 0)
		_exit(3);
	for (i = from; i < MAXWRITES; i++) {
		snprintf(path, sizeof(path), "q%d", i % QUESTIONS);
		snprintf(val, sizeof(val), "%d", i);
		if (interview_session_set(ss, path, val, &err) < 0)
			_exit(4);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(5);
	}
	_exit(0);
}

static void test_kill_during_answers(void **state)
{
	char dir[] = "/tmp/ruhu-crash-XXXXXX", db[64], uuid[STORE_ID_LEN + 1], cmd[96];
	struct form *f = load_form();
	struct store *s = NULL;
	struct interview_session *ss = NULL;
	struct error err = ERROR_INIT;
	int last[QUESTIONS], next = 0, kill_no, q, reported_total = 0;

	assert_non_null(f);
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/dev.db", dir);
	assert_int_equal(store_open(db, STORE_OPEN_CREATE, &s, &err), 0);
	assert_int_equal(interview_session_start(s, f, NULL, NULL, &ss, &err), 0);
	snprintf(uuid, sizeof(uuid), "%s", interview_session_uuid(ss));
	interview_session_close(ss);
	store_close(s);
	for (q = 0; q < QUESTIONS; q++)
		last[q] = -1;
	srand((unsigned)time(NULL));

	for (kill_no = 0; kill_no < KILLS; kill_no++) {
		int fds[2], v, status;
		pid_t pid;
		struct timespec ts = {0, (long)(10 + rand() % 140) * 1000000L};
		sqlite3_stmt *st;
		const char *check = NULL;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child(db, uuid, next, fds[1]);
		}
		close(fds[1]);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		while (read(fds[0], &v, sizeof(v)) == sizeof(v)) {
			last[v % QUESTIONS] = v;
			next = v + 1;
			reported_total++;
		}
		close(fds[0]);

		/* the database is sound and holds every reported answer */
		assert_int_equal(store_open(db, 0, &s, &err), 0);
		assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), "PRAGMA integrity_check", -1, &st,
						    NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		check = (const char *)sqlite3_column_text(st, 0);
		assert_string_equal(check, "ok");
		sqlite3_finalize(st);
		assert_int_equal(interview_session_open(s, f, uuid, NULL, &ss, &err), 0);
		for (q = 0; q < QUESTIONS; q++) {
			const char *got = NULL;
			char path[16];
			int g;
			if (last[q] < 0)
				continue;
			snprintf(path, sizeof(path), "q%d", q);
			assert_int_equal(interview_get(interview_session_interview(ss), path, &got, NULL),
					 0);
			assert_non_null(got);
			g = atoi(got);
			/* saved and reported, or the next write committed but not reported */
			if (g != last[q] && g != last[q] + QUESTIONS)
				fail_msg("%s: stored %d, last reported %d", path, g, last[q]);
			last[q] = g;
			if (g > next - 1)
				next = g + 1; /* continue after what really is stored */
		}
		interview_session_close(ss);
		store_close(s);
	}
	printf("crash test: %d kills, %d answers reported saved, all present after each kill\n",
	       KILLS, reported_total);
	assert_true(reported_total > 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	form_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_during_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
