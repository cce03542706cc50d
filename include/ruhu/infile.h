/*
 * infile — the one way ruhu opens a file a person gives it (a form, a sample,
 * an answers file, a bundle).
 *
 * Outside input must neither hang ruhu nor exhaust its memory. So:
 *   - only a regular file is read: a FIFO (which could block forever), a
 *     directory, or a device such as /dev/zero (which never ends) is refused
 *     at once, with a message naming the file; the open itself never blocks
 *     (O_NONBLOCK, cleared once the file is known to be regular);
 *   - each kind of input has a size cap, checked with fstat() before a byte
 *     is read, and again while reading (a file may grow after the check).
 *
 * The caps are technical limits, not policy: each is far above any real
 * input of its kind (a 20,000-question form is a few MB; a sample of a whole
 * county, or a day's bundle of a whole team, tens of MB) and low enough that
 * reading the file whole into memory on a field laptop stays safe.
 *
 * The one exception is the answers file of `ruhu fill`, which is documented
 * to work from a pipe (`--answers /dev/stdin`): INFILE_ANSWERS accepts a FIFO
 * or a character device, and then the cap is enforced while reading.
 *
 * Every failure fills a bilingual error whose location is the path as given.
 */
#ifndef RUHU_INFILE_H
#define RUHU_INFILE_H

#include "ruhu/error.h"
#include "ruhu/strbuf.h"

#include <stdio.h>

enum infile_kind {
	INFILE_FORM,    /* XLSForm .csv/.md (ruhu check, fill, collect, ...) */
	INFILE_SAMPLE,  /* household sample .csv (ruhu assign) */
	INFILE_ANSWERS, /* answers .csv of ruhu fill (pipes allowed) */
	INFILE_BUNDLE,  /* bundle .gz (ruhu merge, import) */
};

/* The caps, in bytes (docs/limits in README.md). */
#define INFILE_FORM_MAX (32u << 20)     /* 32 MiB */
#define INFILE_SAMPLE_MAX (256u << 20)  /* 256 MiB */
#define INFILE_ANSWERS_MAX (256u << 20) /* 256 MiB */
#define INFILE_BUNDLE_MAX (1u << 30)    /* 1 GiB */

/* The cap of `kind` in bytes. */
unsigned infile_max(enum infile_kind kind);

/*
 * Opens `path` for reading as input of `kind`. Returns 0 with *out an open
 * stream (the caller fcloses it) and, when `size` is not NULL, *size the
 * file's size (0 for a pipe); or -1 with *out = NULL and err set (where =
 * path):
 *   "cannot open: REASON"
 *   "is a directory, not a form file" (a sample file, an answers file, a
 *   bundle)
 *   "is a FIFO (pipe), not a regular file"
 *   "is a device or special file, not a regular file"
 *   "form file too large (N bytes, at most MAX)" (sample file, answers file,
 *   bundle)
 */
int infile_open(const char *path, enum infile_kind kind, FILE **out, unsigned long long *size,
		struct error *err);

/*
 * Checks that `n` bytes read so far are within the cap of `kind`; returns 0,
 * or -1 with err set ("form file too large (more than MAX bytes)"). For
 * callers that read in chunks.
 */
int infile_check_read(const char *path, enum infile_kind kind, unsigned long long n,
		      struct error *err);

/*
 * Opens `path` with infile_open() and appends all its bytes to `sb`, never
 * more than the cap. Returns 0, or -1 with err set (the messages above, and
 * "cannot read: REASON"); on failure `sb` may hold part of the file.
 */
int infile_read_all(const char *path, enum infile_kind kind, struct strbuf *sb,
		    struct error *err);

#endif
