/*
 * store_sqlite — the SQLite handle of a store, for tests and benchmarks that
 * inspect a database the way `sqlite3` would (integrity checks, counts, a
 * second connection's view). Not part of the library's interface: no file of
 * the library outside src/store includes this header (tests/store/grep-sql.sh).
 * Use the handle for reading only; every write goes through the store.
 */
#ifndef RUHU_STORE_SQLITE_H
#define RUHU_STORE_SQLITE_H

#include "ruhu/store.h"

#include <sqlite3.h>

sqlite3 *store_sqlite(struct store *s);

#endif
