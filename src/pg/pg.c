/*
 * pg — connecting to a PostgreSQL team database and the libpq helpers the
 * rest of src/pg uses (ruhu/pg.h).
 *
 * Invariants: the connection string is handed to libpq and never kept or
 * printed (pg->name is built from PQdb/PQhost after connecting); every
 * statement runs with text parameters (PQexecParams), never with values
 * pasted into SQL.
 */
#include "pg_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pg_is_conninfo(const char *db)
{
	const char *p;

	if (!db)
		return false;
	if (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11))
		return true;
	/* keyword=value: a word of letters and '_' then '=' (a SQLite file
	 * name "team=1.db" is not one: '.' after '=' is fine, but the keyword
	 * must be one libpq knows) */
	for (p = db; *p == ' '; p++)
		;
	if (!isalpha((unsigned char)*p))
		return false;
	{
		static const char *const kw[] = {"host", "hostaddr", "dbname", "user", "port",
						 "service", "sslmode", "application_name",
						 "connect_timeout", "options", "passfile", NULL};
		size_t i, len = strcspn(p, " =");

		for (i = 0; kw[i]; i++)
			if (strlen(kw[i]) == len && !strncmp(p, kw[i], len))
				break;
		if (!kw[i])
			return false;
		p += len;
		while (*p == ' ')
			p++;
		return *p == '=';
	}
}

/* libpq's message on one line: runs of newlines, tabs and spaces become
 * one space, none at the ends */
static char *trimmed(const char *s)
{
	char *t = xstrdup(s && *s ? s : "?"), *w = t;
	const char *p;

	for (p = t; *p; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
			if (w > t && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	while (w > t && w[-1] == ' ')
		w--;
	*w = 0;
	return t;
}

int pg_fail(struct pg *pg, const PGresult *r, const char *what, struct error *err)
{
	char *msg = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(pg->c));
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int code = STORE_E_INTERNAL;

	if (PQstatus(pg->c) == CONNECTION_BAD) {
		error_set(err, pg->name,
			  "与数据库服务器的连接中断（%s）：这一步要么完全没有写入，要么（断在提交时）"
			  "已完整写入；请重新运行以完成（已合并的数据包会被认出）",
			  "the connection to the database server was lost (%s): this step is either "
			  "not written at all or (lost at its commit) written whole; run it again to "
			  "finish (a merged bundle is recognized)",
			  msg);
		code = STORE_E_IO;
	} else {
		if (state && !strncmp(state, "23", 2))
			code = STORE_E_INVALID;
		error_set(err, pg->name, "数据库错误（%s）：%s", "database error (%s): %s", what,
			  msg);
	}
	free(msg);
	if (err)
		err->code = code;
	return -code;
}

PGresult *pg_q(struct pg *pg, ExecStatusType want, const char *sql, int n,
	       const char *const *v, struct error *err)
{
	/* without parameters: the simple protocol, which takes several statements */
	PGresult *r = n ? PQexecParams(pg->c, sql, n, NULL, v, NULL, NULL, 0) : PQexec(pg->c, sql);

	if (PQresultStatus(r) != want) {
		char what[64];

		/* the statement's start names it well enough */
		snprintf(what, sizeof(what), "%.*s%s", 48, sql, strlen(sql) > 48 ? "..." : "");
		pg_fail(pg, r, what, err);
		PQclear(r);
		return NULL;
	}
	return r;
}

int pg_x(struct pg *pg, const char *sql, int n, const char *const *v, struct error *err)
{
	PGresult *r = pg_q(pg, PGRES_COMMAND_OK, sql, n, v, err);

	if (!r)
		return err ? -err->code : -STORE_E_INTERNAL;
	PQclear(r);
	return 0;
}

void pg_copy_field(struct strbuf *sb, const char *s, int end)
{
	const char *p;

	if (!s) {
		strbuf_add(sb, "\\N", 2);
	} else {
		for (p = s; *p; p++) {
			switch (*p) {
			case '\\': strbuf_add(sb, "\\\\", 2); break;
			case '\t': strbuf_add(sb, "\\t", 2); break;
			case '\n': strbuf_add(sb, "\\n", 2); break;
			case '\r': strbuf_add(sb, "\\r", 2); break;
			default: strbuf_addch(sb, *p);
			}
		}
	}
	strbuf_addch(sb, end);
}

int pg_copy(struct pg *pg, const char *copy_sql, const struct strbuf *sb, struct error *err)
{
	PGresult *r = PQexec(pg->c, copy_sql);
	int ok;

	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int ret = pg_fail(pg, r, copy_sql, err);

		PQclear(r);
		return ret;
	}
	PQclear(r);
	ok = PQputCopyData(pg->c, sb->buf ? sb->buf : "", (int)sb->len) == 1;
	if (PQputCopyEnd(pg->c, ok ? NULL : "ruhu: copy failed") != 1)
		ok = 0;
	r = PQgetResult(pg->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		int ret = pg_fail(pg, r, copy_sql, err);

		PQclear(r);
		while ((r = PQgetResult(pg->c)))
			PQclear(r);
		return ret;
	}
	PQclear(r);
	while ((r = PQgetResult(pg->c)))
		PQclear(r);
	if (!ok)
		return pg_fail(pg, NULL, copy_sql, err);
	return 0;
}

static char *server_name(PGconn *c)
{
	struct strbuf sb = STRBUF_INIT;
	const char *db = PQdb(c), *host = PQhost(c);

	strbuf_addf(&sb, "postgresql:%s@%s", db && *db ? db : "?", host && *host ? host : "?");
	return strbuf_detach(&sb, NULL);
}

int pg_open(const char *conninfo, int flags, struct pg **out, struct error *err)
{
	struct pg *pg = xcalloc(1, sizeof(*pg));
	PGresult *r;
	int ret;

	*out = NULL;
	strbuf_init(&pg->ans);
	pg->c = PQconnectdb(conninfo);
	pg->name = server_name(pg->c);
	if (PQstatus(pg->c) != CONNECTION_OK) {
		char *msg = trimmed(PQerrorMessage(pg->c));

		error_set(err, pg->name, "无法连接数据库服务器：%s",
			  "cannot connect to the database server: %s", msg);
		free(msg);
		if (err)
			err->code = STORE_E_IO;
		pg_close(pg);
		return -STORE_E_IO;
	}
	r = PQexec(pg->c, "SET client_min_messages = warning; SET client_encoding = 'UTF8'");
	PQclear(r);
	ret = pg_migrate(pg, flags & PG_OPEN_INIT, err);
	if (ret < 0) {
		pg_close(pg);
		return ret;
	}
	r = pg_q(pg, PGRES_TUPLES_OK, "SELECT value FROM meta WHERE key = 'device_id'", 0, NULL,
		 err);
	if (!r || PQntuples(r) != 1) {
		if (r)
			error_set(err, pg->name, "数据库缺少设备编号", "the database has no device id");
		PQclear(r);
		pg_close(pg);
		return -STORE_E_NOTDB;
	}
	pg->device = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	*out = pg;
	return 0;
}

void pg_close(struct pg *pg)
{
	if (!pg)
		return;
	PQfinish(pg->c);
	if (pg->has_pend)
		store_interview_release(&pg->pend);
	free(pg->name);
	free(pg->device);
	strbuf_release(&pg->ans);
	free(pg);
}

const char *pg_name(const struct pg *pg)
{
	return pg->name;
}

const char *pg_device_id(const struct pg *pg)
{
	return pg->device;
}
