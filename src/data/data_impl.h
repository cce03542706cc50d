/*
 * data_impl — what the files of src/data share and nothing else sees: a
 * string arena for the model's cells, the set of files one export writes
 * (temporary names, renamed together at the end), and the writers.
 */
#ifndef RUHU_DATA_IMPL_H
#define RUHU_DATA_IMPL_H

#include "ruhu/data.h"

#include <stdio.h>

/* Strings that live as long as their arena: chunks, never moved. */
struct data_arena {
	struct data_chunk *head;
};
char *data_arena_dup(struct data_arena *a, const char *s, size_t len);
void data_arena_free(struct data_arena *a);

/*
 * The files of one export. data_files_add() names a file of the folder and
 * returns its temporary path (".NAME.part" in the same folder, so the final
 * rename is atomic); data_files_commit() renames every one to its final
 * name; data_files_abort() removes the temporary ones (also after a partial
 * commit nothing stays half-written: each rename is atomic).
 */
struct data_files {
	char *dir;
	char **names, **tmp;
	size_t n, cap;
};
const char *data_files_add(struct data_files *fs, const char *name);
/* The final path of the file added last ("DIR/NAME"), for messages. */
const char *data_files_final(const struct data_files *fs);
int data_files_commit(struct data_files *fs, struct error *err);
void data_files_abort(struct data_files *fs);
void data_files_free(struct data_files *fs);

/* fopen()/fclose() of a temporary file with errors naming `name` (the final
 * file name); data_fclose flushes, fsyncs and closes, and reports a full
 * disk as such. */
FILE *data_fopen(const char *tmp, const char *name, struct error *err);
int data_fclose(FILE *fp, const char *name, struct error *err);
/* An I/O failure of `name` as a bilingual error (from errno). */
int data_io_fail(struct error *err, const char *name, const char *what_zh,
		 const char *what_en);

/* Everything a writer needs: the models and the options. */
struct data_job {
	struct data_model **models;
	size_t n_models;
	const struct data_options *o;
	struct data_files *files;
	struct data_progress progress;
	/* the long and paradata tables, when asked (one per model, or NULL) */
	struct data_table **extra;
	size_t n_extra;
};
void data_job_tick(struct data_job *j, size_t rows);

/* Every table of the job in order: the models' tables, then the extra ones. */
size_t data_job_table_count(const struct data_job *j);
const struct data_table *data_job_table(const struct data_job *j, size_t i,
					const struct data_model **m);

int data_write_codebook(struct data_job *j, struct error *err);
int data_write_csv(struct data_job *j, struct error *err);
int data_write_xlsx(struct data_job *j, struct error *err);
int data_write_stat(struct data_job *j, enum data_format fmt, struct error *err);

/*
 * Dates: "YYYY-MM-DD" -> days since 1970-01-01; datetimes (clock time as
 * written, the zone ignored) -> seconds since 1970-01-01 00:00 of that
 * clock. Return 0, or -1 when the text is not one.
 */
int data_parse_date(const char *s, int64_t *days);
int data_parse_datetime(const char *s, double *secs);
/* A whole decimal number ("12", "-3.5", "1e3"); -1 when not one. */
int data_parse_number(const char *s, double *out);

/* Cuts `s` to at most `max_bytes` bytes and `max_chars` characters at a
 * character boundary, adding "…" when it cut; the result is in `buf`
 * (at least max_bytes + 1 bytes). Returns buf. */
char *data_truncate(const char *s, size_t max_bytes, size_t max_chars, char *buf);

#endif
