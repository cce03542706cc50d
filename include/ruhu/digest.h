/*
 * digest — MD5 (RFC 1321), SHA-1 and SHA-256 (FIPS 180-4), written from the
 * specifications. Used for form hashes (SHA-256) and the XPath digest()
 * function. Streaming: init, update any number of times, final.
 */
#ifndef RUHU_DIGEST_H
#define RUHU_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum digest_alg { DIGEST_MD5, DIGEST_SHA1, DIGEST_SHA256 };

#define DIGEST_MAX_SIZE 32

struct digest {
	enum digest_alg alg;
	uint32_t h[8];
	uint64_t total;       /* bytes hashed so far */
	unsigned char block[64];
	size_t fill;          /* bytes waiting in block */
};

/* Size in bytes of the algorithm's output: 16, 20 or 32. */
size_t digest_size(enum digest_alg alg);
void digest_init(struct digest *d, enum digest_alg alg);
void digest_update(struct digest *d, const void *data, size_t len);
/* Writes digest_size() bytes to out; `d` must be re-initialised before reuse. */
void digest_final(struct digest *d, unsigned char *out);

/* One-shot: hashes data and writes the lowercase hex string (2*size+1 bytes,
 * NUL-terminated) to hex. Returns hex. */
char *digest_hex(enum digest_alg alg, const void *data, size_t len, char *hex);
/* SHA-256 hex of data into hex[65]. */
char *digest_sha256_hex(const void *data, size_t len, char hex[65]);
/* Encodes n bytes as lowercase hex into out (2n+1 bytes). */
void digest_to_hex(const unsigned char *bytes, size_t n, char *out);

/*
 * A form's identity (its "hash" in the database and in bundles). A form
 * without attached files is the SHA-256 of its source, as it always was, so
 * databases and bundles written before attached files stay valid. A form with
 * attached files is the SHA-256 of this text, files sorted by name (bytewise):
 *
 *     ruhu-form,1\n
 *     source,<SHA-256 of the source>\n
 *     file,<SHA-256 of the file>,<name>\n      one line per file
 *
 * so changing one byte of a village list makes another form, as changing the
 * form file does. Names are plain file names (no control characters; the
 * caller checks that); the same name twice is the caller's fault. Writes 64
 * hex + NUL to out.
 */
struct digest_named {
	const char *name;
	const char *sha256_hex; /* 64 lowercase hex */
};
void digest_form_hash(const char *source_sha256_hex, const struct digest_named *files, size_t n,
		      char out[65]);

#endif
