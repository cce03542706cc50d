/*
 * csvbuf — a doubling allocator for libcsv's field buffer (see
 * include/ruhu/csvbuf.h for why).
 *
 * Invariant: every pointer handed to libcsv is the `data` of a struct blk
 * whose `cap` is the number of usable bytes, a power of two of at least 64.
 */
#include "ruhu/csvbuf.h"

#include <stdint.h>
#include <stdlib.h>

struct blk {
	size_t cap;
	max_align_t data[];
};

static struct blk *blk_of(void *p)
{
	return (struct blk *)(void *)((char *)p - offsetof(struct blk, data));
}

void *csvbuf_realloc(void *p, size_t n)
{
	struct blk *b = p ? blk_of(p) : NULL, *nb;
	size_t cap = b ? b->cap : 64;

	if (b && b->cap >= n)
		return p;
	while (cap < n) {
		if (cap > (SIZE_MAX - sizeof(struct blk)) / 2)
			return NULL;
		cap *= 2;
	}
	nb = realloc(b, sizeof(struct blk) + cap);
	if (!nb)
		return NULL;
	nb->cap = cap;
	return nb->data;
}

void csvbuf_free(void *p)
{
	if (p)
		free(blk_of(p));
}

void csvbuf_install(struct csv_parser *p)
{
	csv_set_realloc_func(p, csvbuf_realloc);
	csv_set_free_func(p, csvbuf_free);
}
