/*
 * score_internal — what profile.c and score.c share, private to src/score.
 */
#ifndef RUHU_SCORE_INTERNAL_H
#define RUHU_SCORE_INTERNAL_H

#include "ruhu/error.h"

#include <stddef.h>

/*
 * Reads a regular file of at most PROFILE_MAX_BYTES into *buf (malloc'd, NUL
 * appended, not counted in *len). A FIFO, a directory or a device is refused
 * at once, never waited on. Returns 0, or -1 with the problem in `dl` as
 * "PATH: message".
 */
int score_read_file(const char *path, char **buf, size_t *len, struct diag_list *dl);

#endif
