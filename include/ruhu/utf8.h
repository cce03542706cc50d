/*
 * utf8 — the one UTF-8 codec of ruhu: validation, decoding, encoding and
 * counting, shared by the form loader, the interview engine, the bundle
 * reader and the expression engine.
 *
 * "Valid" is RFC 3629: shortest form only (no overlongs such as C0 80 or
 * E0 80 80), no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
 * no truncated sequence. NUL is a valid code point here; callers that refuse
 * NUL bytes check for them themselves.
 *
 * Decoding never fails: a byte that does not start a valid sequence is one
 * unit of its own and decodes to UTF8_BAD(byte), a lone surrogate that no
 * valid input decodes to, so an invalid byte never compares equal to a real
 * character and two different invalid bytes stay different.
 */
#ifndef RUHU_UTF8_H
#define RUHU_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What utf8_decode() returns for an invalid byte b (0x80..0xFF). */
#define UTF8_BAD(b) (0xDC00u | (uint32_t)(unsigned char)(b))

/* The largest encoding of one code point, in bytes. */
#define UTF8_MAX 4

/* Byte offset of the first byte of s[0..len) that does not begin a valid
 * sequence (a truncated sequence at the end counts as invalid at its first
 * byte), or -1 when all of it is valid UTF-8. */
long utf8_invalid_at(const char *s, size_t len);

/* utf8_invalid_at(s, len) < 0. */
bool utf8_valid(const char *s, size_t len);

/* Text as every outside field must be: valid UTF-8 holding no NUL byte
 * (bundle fields, sample cells, form sources). */
bool utf8_text_valid(const char *s, size_t len);

/*
 * True when data[0..len) looks like UTF-16 text rather than UTF-8: a UTF-16
 * byte order mark (FF FE or FE FF), or a NUL in exactly one of the first two
 * bytes (the zero half of an ASCII character's code unit). Readers use it to
 * say "save the file as UTF-8" instead of reporting a NUL byte or a
 * nonsense first row.
 */
bool utf8_is_utf16(const void *data, size_t len);

/* Decodes the code point at *p (which must be < end) and advances *p past
 * it: by the sequence's length when valid, else by one byte, returning
 * UTF8_BAD(byte). */
uint32_t utf8_decode(const char **p, const char *end);

/* Writes the encoding of code point c (<= U+10FFFF, not a surrogate) to out
 * (room for UTF8_MAX bytes) and returns its length; 0 (nothing written) for
 * a value that is not a Unicode scalar value. */
size_t utf8_encode(uint32_t c, char *out);

/* The number of units utf8_decode() finds in s[0..len): code points, with
 * each invalid byte counted as one. */
size_t utf8_length(const char *s, size_t len);

/* The byte offset of unit number n (0-based) of s[0..len), as
 * utf8_length() counts them; len when n is at or past the end. */
size_t utf8_offset(const char *s, size_t len, size_t n);

/* Display columns of a NUL-terminated UTF-8 string in a terminal: East Asian
 * wide and fullwidth code points count 2, everything else 1 (an invalid byte
 * counts 1). For aligning tables of Chinese text in CLI output. */
size_t utf8_width(const char *s);

#endif
