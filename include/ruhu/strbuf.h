/*
 * strbuf — a growable byte string for user data.
 *
 * Invariants: after strbuf_init() or any successful call, `buf` points to `len`
 * bytes followed by a NUL (so it is always a valid C string when the content
 * has no NUL), and `len < cap` unless `cap` is 0 (then `buf` points to a static
 * empty string and nothing has been allocated). Allocation failure aborts the
 * program: ruhu treats out-of-memory as fatal rather than half-writing data.
 */
#ifndef RUHU_STRBUF_H
#define RUHU_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT {strbuf_empty, 0, 0}
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb);
/* Frees the storage and leaves `sb` empty and reusable. Accepts NULL. */
void strbuf_release(struct strbuf *sb);
/* Returns the malloc'd string and leaves `sb` empty; the caller frees it. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_setlen(struct strbuf *sb, size_t len);

/* malloc wrappers that abort on failure; xstrdup(NULL) returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (an array of `size`-byte elements) so that it holds at least `need`. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
#define XGROW(p, cap, need) xgrow((void **)&(p), &(cap), (need), sizeof(*(p)))

#endif
