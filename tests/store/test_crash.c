/*
 * test_crash — "never lose an answer" under kill -9.
 *
 * A child process fills interviews through the store API (answers, changes,
 * special values, clears, new interviews and resumed ones) and reports on a
 * pipe, for every operation, first what it is about to write ("P ...") and,
 * only after store_answer_put/clear returned 0, that it was saved ("S").
 * The parent kills the child with SIGKILL after a random delay, many times.
 * After every kill it reopens the database with store_open, checks
 * PRAGMA integrity_check = ok and foreign_key_check is empty, and checks
 * that every answer reported as saved is in the database with its value,
 * special or absence (an operation in flight at the kill may or may not have
 * committed: then either its old or its new state is accepted, and the
 * database decides it for the next round). The interview's resume position
 * must likewise be the last saved one (or the one in flight), and each
 * answer, its event and its revision bump must be all there or all absent
 * (gap-free event sequence, revision = 1 + content events, every answer
 * equal to the last event about it).
 *
 * RUHU_CRASH_KILLS sets the number of kills (default 300), RUHU_CRASH_SEED
 * the random seed (default: time). Expectations live in an in-memory SQLite
 * database, compared with the store by one ATTACHed query per round.
 */
#include "ruhu/digest.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <signal.h>
#include "store_sqlite.h" /* the SQLite handle: this file inspects databases */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char form_src[] = "type,name,label\ninteger,q1,Q1\n";

#define DIE(...)                                                                                  \
	do {                                                                                      \
		fprintf(stderr, "test_crash: " __VA_ARGS__);                                      \
		fputc('\n', stderr);                                                              \
		exit(1);                                                                          \
	} while (0)

static void say(int fd, const char *line)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t w = write(fd, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		off += (size_t)w;
	}
}

/* Picks a random in-progress interview, or "" when there is none. */
static void pick_interview(struct store *s, char uuid[STORE_ID_LEN + 1])
{
	sqlite3_stmt *q;

	uuid[0] = '\0';
	if (sqlite3_prepare_v2(store_sqlite(s),
			       "SELECT uuid FROM interview WHERE status = 'in_progress'"
			       " ORDER BY random() LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		_exit(4);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(uuid, STORE_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
}

/* The child: writes forever (or 400 operations), reporting on fd. */
static _Noreturn void child(const char *path, const char *form, unsigned seed, int fd, int round)
{
	struct error err = ERROR_INIT;
	struct store *s;
	char uuid[STORE_ID_LEN + 1], line[256], p[64], v[64];
	int i, ret;

	srand(seed);
	if (store_open(path, 0, &s, &err) < 0) {
		fprintf(stderr, "child: %s\n", error_msg(&err, LANG_EN));
		_exit(2);
	}
	pick_interview(s, uuid);
	if (!uuid[0] || rand() % 2) {
		if (store_interview_new(s, form, NULL, uuid, &err) < 0)
			_exit(5);
	}
	for (i = 0; i < 400; i++) {
		int op = rand() % 10;

		if (op == 0) {
			int what = rand() % 3;
			if (what == 0) { /* start another interview */
				if (store_interview_new(s, form, NULL, uuid, &err) < 0)
					_exit(5);
				continue;
			}
			if (what == 1) { /* complete, then reopen (status round trip) */
				if (store_interview_complete(s, uuid, &err) < 0 ||
				    store_interview_reopen(s, uuid, &err) < 0)
					_exit(7);
				continue;
			}
			snprintf(p, sizeof(p), "sec%d", rand() % 5); /* jump to a section */
			snprintf(line, sizeof(line), "N %s %s\n", uuid, p);
			say(fd, line);
			if (store_interview_navigate(s, uuid, p, &err) < 0)
				_exit(8);
			say(fd, "S\n");
			continue;
		}
		snprintf(p, sizeof(p), "q%d", rand() % 25);
		if (op <= 6) {
			snprintf(v, sizeof(v), "r%d_%d_%d", round, i, rand() % 1000);
			snprintf(line, sizeof(line), "P %s %s value %s\n", uuid, p, v);
			say(fd, line);
#ifdef CRASH_SELFTEST_LIE
			say(fd, "S\n"); /* a lying store: claims saved before commit */
			ret = store_answer_put(s, uuid, p, v, STORE_SPECIAL_NONE, p, &err);
			if (ret < 0)
				_exit(6);
			continue;
#endif
			ret = store_answer_put(s, uuid, p, v, STORE_SPECIAL_NONE, p, &err);
		} else if (op <= 8) {
			enum store_special sp = op == 7 ? STORE_SPECIAL_DONT_KNOW
						       : STORE_SPECIAL_REFUSED;
			snprintf(line, sizeof(line), "P %s %s %s -\n", uuid, p,
				 store_special_name(sp));
			say(fd, line);
			ret = store_answer_put(s, uuid, p, NULL, sp, p, &err);
		} else {
			snprintf(line, sizeof(line), "P %s %s absent -\n", uuid, p);
			say(fd, line);
			ret = store_answer_clear(s, uuid, p, p, &err);
		}
		if (ret < 0) {
			fprintf(stderr, "child: %s\n", error_msg(&err, LANG_EN));
			_exit(6);
		}
		say(fd, "S\n");
	}
	store_close(s);
	_exit(0);
}

static void mexec(sqlite3 *m, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(m, sql, NULL, NULL, &msg) != SQLITE_OK)
		DIE("expectation db: %s: %s", msg ? msg : "?", sql);
}

struct tally {
	long saved;    /* operations confirmed saved */
	long inflight; /* kills that hit an unconfirmed operation */
};

/* Applies the child's report to the expectations. */
static void apply_report(sqlite3 *m, char *buf, struct tally *t)
{
	sqlite3_stmt *pend, *save, *ppos, *spos;
	char *line, *next;
	char last_uuid[64] = "";
	bool pending = false;

	if (sqlite3_prepare_v2(m,
			       "INSERT INTO exp(uuid, path, s_state, s_val, p_state, p_val)"
			       " VALUES (?1, ?2, 'absent', NULL, ?3, ?4) ON CONFLICT(uuid, path)"
			       " DO UPDATE SET p_state = ?3, p_val = ?4",
			       -1, &pend, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m,
			       "UPDATE exp SET s_state = p_state, s_val = p_val, p_state = NULL,"
			       " p_val = NULL WHERE p_state IS NOT NULL",
			       -1, &save, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m,
			       "INSERT INTO pos(uuid, s_pos, p_pos) VALUES (?1, NULL, ?2)"
			       " ON CONFLICT(uuid) DO UPDATE SET p_pos = ?2, has_p = 1",
			       -1, &ppos, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m,
			       "UPDATE pos SET s_pos = p_pos, has_p = 0 WHERE has_p = 1", -1,
			       &spos, NULL) != SQLITE_OK)
		DIE("prepare: %s", sqlite3_errmsg(m));
	for (line = buf; line && *line; line = next) {
		char uuid[64], path[64], state[16], val[64];

		next = strchr(line, '\n');
		if (!next)
			break; /* a torn last line: the write itself was cut */
		*next++ = '\0';
		if (line[0] == 'S') {
			if (!pending)
				DIE("report: S without P");
			sqlite3_reset(save);
			if (sqlite3_step(save) != SQLITE_DONE)
				DIE("save: %s", sqlite3_errmsg(m));
			sqlite3_reset(spos);
			if (sqlite3_step(spos) != SQLITE_DONE)
				DIE("spos: %s", sqlite3_errmsg(m));
			pending = false;
			t->saved++;
			continue;
		}
		if (pending)
			DIE("report: P after an unconfirmed P");
		if (line[0] == 'N') { /* navigation: only the position changes */
			if (sscanf(line, "N %63s %63s", uuid, path) != 2)
				DIE("report: bad line '%s'", line);
			goto position;
		}
		if (sscanf(line, "P %63s %63s %15s %63s", uuid, path, state, val) != 4)
			DIE("report: bad line '%s'", line);
		sqlite3_reset(pend);
		sqlite3_bind_text(pend, 1, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(pend, 2, path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(pend, 3, state, -1, SQLITE_TRANSIENT);
		if (!strcmp(state, "value"))
			sqlite3_bind_text(pend, 4, val, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(pend, 4);
		if (sqlite3_step(pend) != SQLITE_DONE)
			DIE("pend: %s", sqlite3_errmsg(m));
position:
		sqlite3_reset(ppos);
		sqlite3_bind_text(ppos, 1, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ppos, 2, path, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ppos) != SQLITE_DONE)
			DIE("ppos: %s", sqlite3_errmsg(m));
		snprintf(last_uuid, sizeof(last_uuid), "%s", uuid);
		pending = true;
	}
	if (pending)
		t->inflight++;
	sqlite3_finalize(pend);
	sqlite3_finalize(save);
	sqlite3_finalize(ppos);
	sqlite3_finalize(spos);
}

static int print_row(void *ctx, int n, char **v, char **names)
{
	int i;

	(void)ctx;
	fprintf(stderr, "test_crash: LOST:");
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s=%s", names[i], v[i] ? v[i] : "NULL");
	fputc('\n', stderr);
	return 0;
}

/* Reopens the store, checks integrity, compares with the expectations and
 * settles the in-flight operation from what the database holds. */
static void verify(sqlite3 *m, const char *path, int round)
{
	struct error err = ERROR_INIT;
	struct store *s;
	sqlite3_stmt *q;
	char sql[512];
	int bad = 0;

	if (store_open(path, 0, &s, &err) < 0)
		DIE("round %d: reopen failed: %s", round, error_msg(&err, LANG_EN));
	if (sqlite3_prepare_v2(store_sqlite(s), "PRAGMA integrity_check", -1, &q, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		DIE("round %d: integrity_check did not run", round);
	if (strcmp((const char *)sqlite3_column_text(q, 0), "ok"))
		DIE("round %d: integrity_check: %s", round, sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(store_sqlite(s), "PRAGMA foreign_key_check", -1, &q, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_DONE)
		DIE("round %d: foreign_key_check found rows", round);
	sqlite3_finalize(q);
	store_close(s);

	snprintf(sql, sizeof(sql), "ATTACH '%s' AS d", path);
	mexec(m, sql);
#define MATCH(st, val)                                                                            \
	"((" st " = 'absent' AND a.path IS NULL) OR (" st " = 'value' AND a.value IS " val          \
	" AND a.special IS NULL) OR (" st " IN ('dont_know', 'refused') AND a.special = " st        \
	" AND a.value IS NULL))"
	if (sqlite3_exec(m,
			 "SELECT e.uuid, e.path, e.s_state, e.s_val, e.p_state, e.p_val,"
			 " a.value, a.special FROM exp e LEFT JOIN d.answer a"
			 " ON a.interview = e.uuid AND a.path = e.path"
			 " WHERE NOT (" MATCH("e.s_state", "e.s_val") " OR (e.p_state IS NOT NULL"
			 " AND " MATCH("e.p_state", "e.p_val") "))",
			 print_row, &bad, NULL) != SQLITE_OK)
		DIE("compare: %s", sqlite3_errmsg(m));
	if (sqlite3_prepare_v2(m,
			       "SELECT count(*) FROM exp e LEFT JOIN d.answer a"
			       " ON a.interview = e.uuid AND a.path = e.path"
			       " WHERE NOT (" MATCH("e.s_state", "e.s_val") " OR (e.p_state IS NOT"
			       " NULL AND " MATCH("e.p_state", "e.p_val") "))",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		DIE("compare: %s", sqlite3_errmsg(m));
	bad = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (bad)
		DIE("round %d: %d saved answers lost or wrong", round, bad);
	/* resume position: the last saved one, or the one in flight */
	if (sqlite3_prepare_v2(m,
			       "SELECT count(*) FROM pos p LEFT JOIN d.interview i ON i.uuid = p.uuid"
			       " WHERE i.uuid IS NULL OR NOT (i.position IS p.s_pos"
			       " OR (p.has_p AND i.position IS p.p_pos))",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		DIE("positions: %s", sqlite3_errmsg(m));
	bad = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (bad)
		DIE("round %d: %d interviews lost their saved position", round, bad);
	/* atomicity: each answer change, its event and its revision bump are
	 * all there or none is. (The child does no roster operations, so every
	 * answer_cleared event is one revision.) */
	{
		static const char *const checks[][2] = {
			{"SELECT count(*) FROM (SELECT device FROM d.event GROUP BY device"
			 " HAVING max(seq) <> count(*) OR min(seq) <> 1)",
			 "event sequence numbers have a gap"},
			{"SELECT count(*) FROM d.interview i WHERE revision <> 1 + (SELECT count(*)"
			 " FROM d.event e WHERE e.interview = i.uuid AND e.kind IN ('answer_set',"
			 " 'answer_changed', 'special', 'answer_cleared', 'repeat_add',"
			 " 'complete', 'reopen', 'review', 'comment'))",
			 "interview revisions do not match their events"},
			{"SELECT count(*) FROM d.answer a WHERE NOT EXISTS (SELECT 1 FROM d.event e"
			 " WHERE e.interview = a.interview AND e.path = a.path)",
			 "answers without an event"},
			{"SELECT count(*) FROM (SELECT e.interview, e.path, e.kind, e.new_value,"
			 " e.new_special FROM d.event e WHERE e.kind IN ('answer_set',"
			 " 'answer_changed', 'special', 'answer_cleared') AND e.seq = (SELECT"
			 " max(x.seq) FROM d.event x WHERE x.interview = e.interview"
			 " AND x.path = e.path AND x.kind IN ('answer_set', 'answer_changed',"
			 " 'special', 'answer_cleared'))) l LEFT JOIN d.answer a"
			 " ON a.interview = l.interview AND a.path = l.path WHERE NOT"
			 " ((l.kind = 'answer_cleared' AND a.path IS NULL) OR (l.kind <>"
			 " 'answer_cleared' AND a.value IS l.new_value"
			 " AND a.special IS l.new_special))",
			 "answers differ from the last event about them"},
		};
		size_t k;

		for (k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
			if (sqlite3_prepare_v2(m, checks[k][0], -1, &q, NULL) != SQLITE_OK ||
			    sqlite3_step(q) != SQLITE_ROW)
				DIE("check: %s", sqlite3_errmsg(m));
			bad = sqlite3_column_int(q, 0);
			sqlite3_finalize(q);
			if (bad)
				DIE("round %d: %d: %s", round, bad, checks[k][1]);
		}
	}
	/* the database decided the in-flight operation: take its word */
	mexec(m, "UPDATE exp SET"
		 " s_state = COALESCE((SELECT COALESCE(a.special, 'value') FROM d.answer a"
		 "   WHERE a.interview = exp.uuid AND a.path = exp.path), 'absent'),"
		 " s_val = (SELECT a.value FROM d.answer a"
		 "   WHERE a.interview = exp.uuid AND a.path = exp.path),"
		 " p_state = NULL, p_val = NULL WHERE p_state IS NOT NULL;"
		 "UPDATE pos SET s_pos = (SELECT i.position FROM d.interview i"
		 "   WHERE i.uuid = pos.uuid), p_pos = NULL, has_p = 0 WHERE has_p;");
	mexec(m, "DETACH d");
}

int main(void)
{
	const char *e = getenv("RUHU_CRASH_KILLS");
	int kills = e ? atoi(e) : 300;
	unsigned seed = getenv("RUHU_CRASH_SEED") ? (unsigned)atol(getenv("RUHU_CRASH_SEED"))
						  : (unsigned)time(NULL);
	struct error err = ERROR_INIT;
	struct tally t = {0, 0};
	char dir[] = "crash-test-XXXXXX", path[64], form[65], cmd[96];
	struct store *s;
	sqlite3 *m;
	long answers = 0;
	int round, early = 0;
	time_t t0 = time(NULL);

	if (!mkdtemp(dir))
		DIE("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/dev.db", dir);
	digest_sha256_hex(form_src, strlen(form_src), form);
	if (store_open(path, STORE_OPEN_CREATE, &s, &err) < 0 ||
	    store_form_put_source(s, form, "crash", "1", "Crash", form_src, strlen(form_src),
				  &err) < 0 ||
	    store_enumerator_set(s, "E01", &err) < 0)
		DIE("setup: %s", error_msg(&err, LANG_EN));
	store_close(s);
	if (sqlite3_open(":memory:", &m) != SQLITE_OK)
		DIE("sqlite3_open :memory:");
	mexec(m, "CREATE TABLE exp (uuid TEXT, path TEXT, s_state TEXT, s_val TEXT,"
		 " p_state TEXT, p_val TEXT, PRIMARY KEY (uuid, path));"
		 "CREATE TABLE pos (uuid TEXT PRIMARY KEY, s_pos TEXT, p_pos TEXT,"
		 " has_p INTEGER NOT NULL DEFAULT 1);");
	srand(seed);
	fprintf(stderr, "test_crash: seed %u, %d kills\n", seed, kills);

	for (round = 0; round < kills; round++) {
		int fds[2], status;
		struct strbuf rep = STRBUF_INIT;
		char buf[4096];
		ssize_t r;
		pid_t pid;
		long delay_us = rand() % 80000;

		if (pipe(fds) < 0)
			DIE("pipe: %s", strerror(errno));
		pid = fork();
		if (pid < 0)
			DIE("fork: %s", strerror(errno));
		if (pid == 0) {
			close(fds[0]);
			child(path, form, seed * 7919u + (unsigned)round, fds[1], round);
		}
		close(fds[1]);
		{
			struct timespec ts = {0, delay_us * 1000};
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		kill(pid, SIGKILL);
		while ((r = read(fds[0], buf, sizeof(buf))) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				DIE("read: %s", strerror(errno));
			strbuf_add(&rep, buf, (size_t)r);
		}
		close(fds[0]);
		if (waitpid(pid, &status, 0) != pid)
			DIE("waitpid: %s", strerror(errno));
		if (WIFEXITED(status)) {
			if (WEXITSTATUS(status) != 0)
				DIE("round %d: child failed with exit %d", round,
				    WEXITSTATUS(status));
			early++; /* finished its 400 operations before the kill */
		}
		apply_report(m, rep.buf, &t);
		strbuf_release(&rep);
		verify(m, path, round);
	}
	{
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(m, "SELECT count(*) FROM exp WHERE s_state <> 'absent'", -1, &q,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			answers = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(m);
	printf("crash test: %d kills (SIGKILL), %ld operations confirmed saved, %ld kills hit an "
	       "operation in flight, %d children finished before the kill; %ld answers checked "
	       "present after the last kill; integrity ok every time; %lds\n",
	       kills, t.saved, t.inflight, early, answers, (long)(time(NULL) - t0));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		DIE("cleanup failed");
	return 0;
}
