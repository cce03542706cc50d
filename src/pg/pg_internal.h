/* src/pg private: the connection handle and the helpers its files share. */
#ifndef RUHU_PG_INTERNAL_H
#define RUHU_PG_INTERNAL_H

#include "ruhu/pg.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <libpq-fe.h>
#include <stdint.h>

/* advisory lock keys: (PG_LOCK_CLASS, PG_LOCK_SCHEMA / PG_LOCK_MERGE) */
#define PG_LOCK_CLASS 0x72756875 /* "ruhu" */
#define PG_LOCK_SCHEMA 1
#define PG_LOCK_MERGE 2

struct pg {
	PGconn *c;
	char *name;   /* redacted: postgresql:DBNAME@HOST */
	char *device; /* meta device_id */
	bool tx;
	struct strbuf ans; /* answers buffered in COPY text format */
	size_t n_ans;
	/* the interview row put_interview was given, written by the next
	 * operation (record_duplicates writes it in the same statement) */
	struct store_interview pend;
	bool has_pend;
};

/* err from a failed result (r may be NULL: the connection's message); code
 * STORE_E_IO when the connection is gone, else STORE_E_INTERNAL (or
 * STORE_E_INVALID for a constraint). Returns the negated code. */
int pg_fail(struct pg *pg, const PGresult *r, const char *what, struct error *err);
/* PQexecParams in text format; NULL (err set) unless the status is `want`. */
PGresult *pg_q(struct pg *pg, ExecStatusType want, const char *sql, int n,
	       const char *const *v, struct error *err);
/* pg_q for commands: 0 or < 0. */
int pg_x(struct pg *pg, const char *sql, int n, const char *const *v, struct error *err);
/* COPY text format of one field (NULL as \N) followed by `end` ('\t' / '\n'). */
void pg_copy_field(struct strbuf *sb, const char *s, int end);
/* Sends sb as the data of `copy_sql` (a COPY ... FROM STDIN). */
int pg_copy(struct pg *pg, const char *copy_sql, const struct strbuf *sb, struct error *err);
int pg_migrate(struct pg *pg, bool init, struct error *err);

#endif
