/*
 * ident — the one rule for identifiers that come from outside and may name
 * a file or a folder: device ids, form ids, household keys and enumerator
 * ids (issue 11, D8). Every place where such a value enters ruhu (a sample
 * file, `export --for`, a bundle, `fill`, the store's own writers) checks it
 * with ident_check(), and every output path is built from checked parts
 * only, so no identifier can ever walk out of the folder it is written to.
 *
 * The rule (the same for every kind):
 * - non-empty and at most IDENT_MAX bytes;
 * - valid UTF-8 (RFC 3629, ruhu/utf8.h): Chinese and any other script is
 *   allowed, because household keys and enumerator ids are often written in
 *   Chinese and the file systems ruhu writes to (ext4, NTFS, exFAT) store
 *   UTF-8 names;
 * - no control character: C0 (U+0000..U+001F), DEL and C1 (U+0080..U+009F);
 * - no path separator: neither '/' nor '\\' (a bundle copied to Windows
 *   must not gain folders either);
 * - no "..": not as the whole value, not as a part of it (a value such as
 *   "a..b" is refused too: one simple rule that needs no path parsing).
 * Spaces, punctuation and the dot elsewhere are allowed ("v1.2", "王 村").
 *
 * Messages name the kind and quote the value (callers print it escaped,
 * ruhu/termsafe.h), e.g. "invalid device id 'x/../y': holds a path
 * separator '/'".
 */
#ifndef RUHU_IDENT_H
#define RUHU_IDENT_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

/* The longest identifier, in bytes (42 Chinese characters, or a UUID with
 * room to spare; file names stay well under the 255-byte limit). */
#define IDENT_MAX 128

enum ident_kind {
	IDENT_DEVICE,     /* a device id: "device id" / "设备编号" */
	IDENT_FORM,       /* a form's settings form_id: "form id" / "表单编号" */
	IDENT_HOUSEHOLD,  /* a household key: "household key" / "户编号" */
	IDENT_ENUMERATOR, /* an enumerator id: "enumerator id" / "调查员编号" */
};

/* What is wrong with an identifier; IDENT_OK (0) when nothing is. */
enum ident_fault {
	IDENT_OK = 0,
	IDENT_EMPTY,
	IDENT_TOO_LONG,
	IDENT_BAD_UTF8,
	IDENT_CONTROL,
	IDENT_SEPARATOR,
	IDENT_DOTDOT,
};

/* The fault of `s` (NUL-terminated; NULL counts as empty) under the rule
 * above. Pure: no allocation, no error. */
enum ident_fault ident_fault(const char *s);

/*
 * Checks `s` as an identifier of `kind`. Returns 0 when it follows the
 * rule; else -1 with `err` (may be NULL) set, where = NULL (the caller
 * prefixes its location) and the message naming the kind, the value and
 * the fault, e.g. "invalid household key 'a/b': holds a path separator '/'".
 */
int ident_check(const char *s, enum ident_kind kind, struct error *err);

#endif
