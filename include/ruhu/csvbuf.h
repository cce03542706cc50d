/*
 * csvbuf — how libcsv's field buffer grows.
 *
 * libcsv enlarges the buffer of the field being read by a fixed block (128
 * bytes) at a time. When realloc() copies — under AddressSanitizer always, on
 * a fragmented heap sometimes — a cell of n bytes costs O(n^2) time: a 5 MB
 * label took minutes to check in the sanitizer build. csvbuf_install() gives
 * the parser an allocator that keeps the real capacity in a header before the
 * buffer and doubles it, so libcsv's many small requests cost one copy per
 * doubling: linear in the cell. What the parser stores is unchanged.
 */
#ifndef RUHU_CSVBUF_H
#define RUHU_CSVBUF_H

#include <csv.h>
#include <stddef.h>

/* realloc() for libcsv: returns p itself while its capacity suffices, else a
 * buffer of at least twice the capacity; NULL when memory runs out or n is
 * absurd (libcsv then reports CSV_ENOMEM). */
void *csvbuf_realloc(void *p, size_t n);
/* free() for buffers from csvbuf_realloc(); accepts NULL. */
void csvbuf_free(void *p);
/* Installs both on a parser, right after csv_init(). */
void csvbuf_install(struct csv_parser *p);

#endif
