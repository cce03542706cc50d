/*
 * pg — a team database on PostgreSQL (issue 19): the provincial server that
 * many team leaders merge into. Reached with libpq; the device database
 * stays SQLite.
 *
 * Invariants:
 * - Every SQL statement for PostgreSQL lives in src/pg (tests/store/grep-sql.sh).
 * - The schema is an append-only list of numbered steps like the SQLite
 *   store's (src/pg/pg_schema.c); table ruhu_schema holds the step number.
 *   pg_open() of an older schema runs the missing steps in one transaction
 *   (under an advisory lock, so two first merges do not race); a newer
 *   schema is refused (STORE_E_NEWER).
 * - The connection string is never copied into a message or a log: errors
 *   name the server as "postgresql:DBNAME@HOST" (a password given inline
 *   stays out of every message); passwords belong in PGPASSFILE or a
 *   service file, TLS is libpq's sslmode.
 * - A merge into PostgreSQL is one transaction per bundle holding an
 *   advisory lock (docs/pg.md says why one lock for the write phase).
 */
#ifndef RUHU_PG_H
#define RUHU_PG_H

#include "ruhu/error.h"
#include "ruhu/merge_target.h"
#include "ruhu/store.h"

#include <stdbool.h>

struct pg;

/* true when `db` names a PostgreSQL database rather than a SQLite file: a
 * URI "postgresql://..." / "postgres://..." or a libpq keyword/value string
 * ("host=... dbname=..."). */
bool pg_is_conninfo(const char *db);

/* The schema version this build writes. */
int pg_schema_version(void);

enum pg_open_flags {
	/* create the schema in an empty database (`ruhu db init`); without it
	 * a database without ruhu tables is refused (STORE_E_NOTDB) */
	PG_OPEN_INIT = 1 << 0,
};

/*
 * Connects to `conninfo` and brings the schema up to pg_schema_version()
 * (see above). Errors (err->code a STORE_E_* value, err->where the server's
 * redacted name): STORE_E_IO cannot connect (libpq's reason), STORE_E_NOTDB
 * no ruhu schema (run `ruhu db init`), STORE_E_NEWER a newer schema.
 */
int pg_open(const char *conninfo, int flags, struct pg **out, struct error *err);
void pg_close(struct pg *pg);
/* "postgresql:DBNAME@HOST" — for messages. */
const char *pg_name(const struct pg *pg);
/* The database's own device id (meta device_id). */
const char *pg_device_id(const struct pg *pg);
/* The schema version of the connected database. */
int pg_version(struct pg *pg, struct error *err);

/* The PostgreSQL database as a merge target (ruhu/merge_target.h); valid as
 * long as `pg` is open. put_assignments (import: return bundles are for
 * device databases) is refused with STORE_E_INVALID. */
struct merge_target pg_merge_target(struct pg *pg);

/* `ruhu db copy` (ruhu/store.h, store_copy_*): reads every table of `pg`
 * into the sink `k` (one consistent snapshot), as store_copy_out(); and
 * `pg` as a sink (*ctx set for its calls). */
int pg_copy_out(struct pg *pg, const struct store_copy_sink *k, void *ctx, struct error *err);
const struct store_copy_sink *pg_copy_sink(struct pg *pg, void **ctx);

/* `ruhu status` over PostgreSQL: the report store_status_report() makes
 * (ruhu/status.h; free with store_status_report_release). 0 or -1 with err. */
struct status_report;
int pg_status_report(struct pg *pg, struct status_report *r, struct error *err);

#endif
