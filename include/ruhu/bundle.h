/*
 * bundle — the file a laptop's day of work travels in (docs/bundle.md).
 *
 * A bundle is one gzip member (RFC 1952, readable with `zcat`) holding text:
 * a magic line with the format version, a manifest of key,value CSV rows
 * ending with `end,manifest`, then one CSV section per table in a fixed order,
 * each with a header row. The manifest gives each section's row count and byte
 * length and the SHA-256 of all section bytes.
 *
 * Invariants of the reader: it never trusts the input. A file is opened
 * through infile (a regular file of at most INFILE_BUNDLE_MAX bytes, else
 * refused unread). It checks the exact gzip header ruhu writes first, then
 * the SHA-256 of the compressed bytes (RH) before inflating anything: damaged
 * bytes are reported by the gzip layer alone (truncation, deflate error,
 * CRC-32, trailing data, or the RH mismatch), never as a content fault.
 * It inflates as it reads, and checks the magic line,
 * the format version, every manifest key, every section header, every row's
 * field count, UTF-8 and NUL-freedom of every field, the row and byte counts,
 * the content SHA-256, the gzip CRC-32 and length, and that nothing follows
 * the gzip trailer. Rows are handed to the visitor as they are parsed, so a
 * caller that must not act on unverified data reads the bundle twice: once
 * with no visitor (verification), then with its visitor inside a transaction
 * that it rolls back if the second read fails.
 *
 * The writer keeps sections in memory (a day of work is a few MB of CSV),
 * then writes the whole file to a temporary name, fsyncs it, renames it into
 * place and fsyncs the directory; a file with the final name is complete.
 */
#ifndef RUHU_BUNDLE_H
#define RUHU_BUNDLE_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * The newest format version this code writes and reads. Version 2 adds the
 * section form_files (a form's attached files) after forms; a bundle whose
 * forms have no attached files is written as version 1, byte for byte as
 * before, and both versions are read (docs/bundle.md, "Versioning").
 */
#define BUNDLE_FORMAT_VERSION 2

/* The longest field the reader accepts, in bytes ("field too long" past
 * it). It must hold every value a store keeps (STORE_VALUE_MAX, checked at
 * compile time in sync/merge.c) and a form source (FORM_MAX_BYTES), so that
 * whatever a database holds can travel. */
#define BUNDLE_FIELD_MAX ((size_t)64 << 20)

enum bundle_kind {
	BUNDLE_DEVICE, /* a device's work, for `ruhu merge` */
	BUNDLE_RETURN, /* assignments and sent-back interviews, for `ruhu import` */
};

/* Sections, in file order. */
enum bundle_section {
	BS_FORMS,
	BS_FORM_FILES, /* format 2: the forms' attached files (absent in format 1) */
	BS_ASSIGNMENTS,
	BS_PRELOAD,
	BS_INTERVIEWS,
	BS_ANSWERS,
	BS_EVENTS,
	BS_COMMENTS,
	BS_COUNT
};

struct bundle_form {
	char *id;
	char *version;
	char *hash; /* the form's identity: SHA-256 hex of the source, or of the source's and
		     * attached files' digests (digest_form_hash) */
};

struct bundle_manifest {
	int format;            /* 1, or 2 (BUNDLE_FORMAT_VERSION) with section form_files */
	char *ruhu_version;
	enum bundle_kind kind;
	char *device;          /* device that wrote the bundle */
	char *for_device;      /* return bundles: the device it is for; else NULL */
	char **enumerators;
	size_t n_enumerators;
	long long sequence;    /* per writing device (and per target for returns), from 1 */
	char *created;         /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
	struct bundle_form *forms; /* from the forms section, in order */
	size_t n_forms;
	size_t rows[BS_COUNT];  /* data rows (header not counted; 0 for a section the
				 * format lacks) */
	size_t bytes[BS_COUNT]; /* section length in bytes, header included */
	char content_sha256[65];
	char file_sha256[65];   /* the gzip header's RH field: SHA-256 of the file's bytes after
				 * the header (set by every successful read) */
};

/* Name of a section ("answers") and its columns, in order. */
const char *bundle_section_name(enum bundle_section s);
const char *const *bundle_columns(enum bundle_section s, size_t *n);

void bundle_manifest_free(struct bundle_manifest *m);

/*
 * Callbacks of a read. Either may be NULL. `row` gets the 1-based data row
 * number (the header is row 0), and `n` fields as NUL-terminated strings
 * (NULL for a field written empty and unquoted, i.e. an SQL NULL); they are
 * valid only during the call. A non-zero return stops the read; the callback
 * should fill `err` (the reader adds the location "FILE:SECTION:ROW").
 * BUNDLE_STOP_NOT_ROW stops it too, for a fault that is not the row's (the
 * database's own: disk full, a lock): the reader then adds only "FILE", so
 * the message does not blame a row of the bundle.
 */
#define BUNDLE_STOP_NOT_ROW 2

struct bundle_visitor {
	int (*manifest)(void *ctx, const struct bundle_manifest *m, struct error *err);
	int (*row)(void *ctx, enum bundle_section s, size_t row, const char *const *f, size_t n,
		   struct error *err);
};

/*
 * Reads and verifies the bundle at `path` (or `len` bytes at `data`, named
 * `name` in messages). Returns 0 when everything checked out; then, if `out`
 * is not NULL, *out is the manifest (caller frees with bundle_manifest_free).
 * Returns -1 with `err` set otherwise: where is "FILE" with the compressed
 * byte offset in the message for gzip-level faults, "FILE:manifest:ROW" or
 * "FILE:SECTION:ROW" for content faults.
 */
int bundle_read_file(const char *path, const struct bundle_visitor *v, void *ctx,
		     struct bundle_manifest **out, struct error *err);
int bundle_read_buffer(const char *name, const void *data, size_t len,
		       const struct bundle_visitor *v, void *ctx, struct bundle_manifest **out,
		       struct error *err);

/*
 * Reads the bundle file at `path` whole into memory (*data, malloc'd, *len
 * bytes) for a caller that must read the same bytes twice (merge). Through
 * infile: a FIFO, a directory or a device is refused, as is a file over
 * INFILE_BUNDLE_MAX (1 GiB); the 48-byte gzip header is checked before the
 * rest is read, so junk of any size is refused after 48 bytes. Returns 0, or
 * -1 with err set (where = path) and *data NULL.
 */
int bundle_load_file(const char *path, char **data, size_t *len, struct error *err);

/*
 * Checks that data[0..len) are the bytes of a bundle file whose reading gave
 * `file_sha256` (bundle_manifest.file_sha256): the 48-byte header is ruhu's,
 * its RH field is file_sha256, and the bytes after it hash to it. For a
 * caller that verified a file by streaming it and then loaded it to apply
 * it: a file changed in between is refused ("the file changed while it was
 * being read"). Returns 0 or -1 with err (where = name).
 */
int bundle_check_same(const char *name, const void *data, size_t len, const char *file_sha256,
		      struct error *err);

/*
 * Reads again a buffer that bundle_read_buffer() accepted and that has not
 * changed since (the caller holds it): the same checks and visitor calls,
 * except that the two SHA-256 digests are not recomputed, UTF-8 is not
 * validated again, and CSV sections are split by a faster splitter that
 * relies on libcsv's verdict of the first read (same fields on such bytes;
 * fuzz/fuzz_bundle.c checks it). For the apply pass of a merge, which reads
 * the bytes its verify pass checked.
 */
int bundle_reread_buffer(const char *name, const void *data, size_t len,
			 const struct bundle_visitor *v, void *ctx, struct bundle_manifest **out,
			 struct error *err);


struct bundle_writer;

/* A writer for a bundle of `kind` from `device` (and `for_device` for return
 * bundles, else NULL), with sequence `seq` and creation time `created`. */
struct bundle_writer *bundle_writer_new(enum bundle_kind kind, const char *device,
					const char *for_device, long long seq,
					const char *created);
void bundle_writer_free(struct bundle_writer *w);
/* Adds an enumerator to the manifest (duplicates are ignored). */
void bundle_writer_add_enumerator(struct bundle_writer *w, const char *name);
/* Appends one row of bundle_columns(s) fields; a NULL field is written as an
 * SQL NULL. Fields must be valid UTF-8. Rows of BS_FORMS also fill the
 * manifest's form list from their first three fields (id, version, hash).
 * A row of BS_FORM_FILES (form_hash, name, sha256, data) makes the bundle
 * format 2; without any it is format 1. */
void bundle_writer_row(struct bundle_writer *w, enum bundle_section s, const char *const *f);
/* Data rows added to `s` so far. */
size_t bundle_writer_rows(const struct bundle_writer *w, enum bundle_section s);

/* Writes the gzip file to `fd` (not closed). Returns 0 or -1 with err. */
int bundle_writer_write_fd(struct bundle_writer *w, int fd, const char *name, struct error *err);
/* Writes the whole bundle to memory (*out malloc'd, caller frees). */
void bundle_writer_write_mem(struct bundle_writer *w, char **out, size_t *len);
/*
 * Writes the bundle to DIR/NAME durably: a temporary ".NAME.tmp" in DIR,
 * held under an exclusive flock from its creation to its rename, fsync,
 * rename to NAME, fsync of DIR. On failure the temporary file is removed
 * and NAME does not exist. Returns 0 or -1 with err ("another export is
 * writing this file" when a live save holds the temporary name).
 */
int bundle_writer_save(struct bundle_writer *w, const char *dir, const char *name,
		       struct error *err);

/* The same durable save for bytes already made (a sealed bundle, ruhu/seal.h). */
int bundle_save_bytes(const char *dir, const char *name, const void *data, size_t len,
		      struct error *err);

/*
 * Removes from `dir` the temporary files (".ruhu-…bundle.gz.tmp") that
 * killed saves left: bundle_writer_save() holds an exclusive flock on its
 * temporary file until the rename, and the kernel drops the lock of a dead
 * process, so a file whose lock can be taken is stale; one still locked
 * belongs to a live save and is left alone. Sets *removed to the count.
 * Returns 0 (a missing folder is not an error here), or -1 with err when
 * the folder cannot be read.
 */
int bundle_tmp_clean(const char *dir, size_t *removed, struct error *err);


/* Appends one CSV record of n fields to sb as the writer does (NULL as an
 * empty unquoted field, "" quoted, '\n' at the end). */
struct strbuf;
void bundle_csv_row(struct strbuf *sb, const char *const *f, size_t n);

/* "ruhu-DEVICE-SEQ.bundle.gz" with SEQ zero-padded to 6 digits (so names
 * sort), or for a return bundle "ruhu-return-DEVICE-SEQ.bundle.gz" where
 * DEVICE is the target. Caller frees. */
char *bundle_file_name(enum bundle_kind kind, const char *device, long long seq);

#endif
