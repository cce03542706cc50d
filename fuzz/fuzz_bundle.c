/*
 * fuzz_bundle — libFuzzer target for the bundle reader (sync/bundle.c).
 *
 * The first input byte picks the mode: even — the rest is a bundle file as
 * found on a USB stick; odd — the rest is the uncompressed content, which
 * the harness wraps in valid gzip framing (RH SHA-256, CRC-32, length) so
 * that mutations reach the magic line, manifest and CSV parsers instead of
 * stopping at the gzip checksums. Every field handed to the visitor is read
 * in full so ASan sees any overread. A read that succeeds must also yield a
 * manifest, and the trusted re-read of the same bytes (the merge's apply
 * pass, with its own CSV splitter) must succeed and yield the very same rows:
 * the harness aborts on any difference. A bundle that reads is then merged
 * (merge_bundle_into) into an empty in-memory target, so its content meets
 * the merge's checks: identifiers, value limits, every bundled form loaded
 * as `ruhu check` loads it and every interview validated against its form
 * (issue 11, D4); a merge that fails must say where and why in both
 * languages. The crafted bundles of tests/sync/test_merge.c
 * (test_bad_content) are seeds (fuzz/seeds/bundle).
 */
#include "ruhu/bundle.h"
#include "ruhu/digest.h"
#include "ruhu/merge.h"
#include "ruhu/merge_target.h"

#include <stdio.h>
#include <unistd.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over the bytes */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ull;
	return h;
}

static int touch_row(void *ctx, enum bundle_section s, size_t row, const char *const *f,
		     size_t n, struct error *err)
{
	size_t *sum = ctx, i;

	for (i = 0; i < n; i++)
		if (f[i])
			*sum += strlen(f[i]);
	return 0;
}

/* A fingerprint of every row: section, row number, field count, each field
 * (NULL differs from every text). */
static int hash_row(void *ctx, enum bundle_section s, size_t row, const char *const *f, size_t n,
		    struct error *err)
{
	uint64_t *h = ctx;
	size_t i;

	*h = fnv(*h, &s, sizeof(s));
	*h = fnv(*h, &row, sizeof(row));
	*h = fnv(*h, &n, sizeof(n));
	for (i = 0; i < n; i++)
		*h = f[i] ? fnv(*h, f[i], strlen(f[i]) + 1) : fnv(*h, "\x01", 1);
	return 0;
}

static int touch_manifest(void *ctx, const struct bundle_manifest *m, struct error *err)
{
	size_t *sum = ctx;

	*sum += strlen(m->device) + strlen(m->created) + m->n_forms;
	return 0;
}

static const struct bundle_visitor visitor = {touch_manifest, touch_row};
static const struct bundle_visitor hasher = {NULL, hash_row};

static unsigned char *wrap(const uint8_t *text, size_t n, size_t *olen)
{
	static const unsigned char hdr[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3,
					      36, 0, 'R', 'H', 32, 0};
	uLong bound = compressBound((uLong)n) + 64;
	unsigned char *buf = malloc(bound + 56);
	uLong crc = crc32(crc32(0, Z_NULL, 0), text, (uInt)n);
	struct digest d;
	z_stream z;
	int i;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	memcpy(buf, hdr, 16);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)n;
	z.next_out = buf + 48;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*olen = 48 + z.total_out;
	deflateEnd(&z);
	for (i = 0; i < 4; i++) {
		buf[*olen + i] = (unsigned char)(crc >> (8 * i));
		buf[*olen + 4 + i] = (unsigned char)(n >> (8 * i));
	}
	*olen += 8;
	digest_init(&d, DIGEST_SHA256);
	digest_update(&d, buf + 48, *olen - 48);
	digest_final(&d, buf + 16);
	return buf;
}

/* ---- an empty target that keeps nothing: the merge's decisions alone ---- */

static const char *n_device_id(void *t)
{
	return "fuzz-device";
}
static int n_no(void *t, const char *key, struct error *err)
{
	return 0;
}
static int n_form_source(void *t, const char *hash, char **src, size_t *len, struct error *err)
{
	error_set(err, "fuzz", "没有表单 %s", "no form %s", hash);
	return -1;
}
static int n_form_files(void *t, const char *hash, struct store_form_file **files, size_t *n,
			struct error *err)
{
	error_set(err, "fuzz", "没有表单 %s", "no form %s", hash);
	return -1;
}
static int n_applied(void *t, const struct store_bundle_key *k, char **sha, struct error *err)
{
	return 0;
}
static int n_tx(void *t, struct error *err)
{
	return 0;
}
static void n_rollback(void *t)
{
}
static int n_put_form(void *t, const char *hash, const char *form_id, const char *version,
		      const char *title, const char *source, size_t len,
		      const struct store_form_file *files, size_t n_files, struct error *err)
{
	return 0;
}
static int n_put_assignments(void *t, const struct store_assignment *a, size_t n,
			     struct error *err)
{
	return 0;
}
static int n_revisions(void *t, const char *const *uuids, size_t n, int64_t *rev,
		       struct error *err)
{
	memset(rev, 0, n * sizeof(*rev));
	return 0;
}
static int n_load(void *t, const char *uuid, struct store_loaded **out, struct error *err)
{
	error_set(err, "fuzz", "没有访谈", "no interview");
	return -1;
}
static int n_put_interview(void *t, const struct store_interview *iv, const struct store_answer *a,
			   size_t n, struct error *err)
{
	return 0;
}
static int n_put_events(void *t, const struct store_event *ev, size_t n,
			size_t counts[MERGE_EVENT_NOUTCOMES], struct error *err)
{
	counts[MERGE_EVENT_NEW] += n;
	return 0;
}
static int n_put_comments(void *t, const struct store_comment *c, size_t n, size_t *added,
			  struct error *err)
{
	*added += n;
	return 0;
}
static int n_conflict(void *t, const struct store_interview *iv, const struct store_answer *a,
		      size_t n, const char *hash, struct error *err)
{
	return 1;
}
static int n_duplicates(void *t, const char *uuid, const char *household_key, size_t *added,
			struct error *err)
{
	return 0;
}
static int n_record(void *t, const struct store_bundle_record *r, struct error *err)
{
	return 0;
}

static const struct merge_target_ops null_ops = {
	.device_id = n_device_id,
	.form_known = n_no,
	.interview_known = n_no,
	.form_source = n_form_source,
	.form_files = n_form_files,
	.bundle_applied = n_applied,
	.begin = n_tx,
	.commit = n_tx,
	.rollback = n_rollback,
	.put_form = n_put_form,
	.put_assignments = n_put_assignments,
	.revisions = n_revisions,
	.load = n_load,
	.put_interview = n_put_interview,
	.put_events = n_put_events,
	.put_comments = n_put_comments,
	.record_conflict = n_conflict,
	.record_duplicates = n_duplicates,
	.record_bundle = n_record,
};

/* Merges the bundle bytes in[0..len) (written to a file: merges read files)
 * into the empty target; aborts when a refusal does not say where and why. */
static void merge_it(const void *in, size_t len, bool import)
{
	static char path[64];
	struct merge_target tg = {&null_ops, NULL};
	struct merge_stats st;
	struct error err = ERROR_INIT;
	FILE *fp;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_bundle_%d.bundle.gz", (int)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		abort();
	if (fwrite(in, 1, len, fp) != len || fclose(fp) != 0)
		abort();
	if (merge_bundle_into(&tg, path, import, &st, NULL, NULL, &err) < 0 &&
	    (!err.en || !err.zh || !err.where))
		abort();
	error_clear(&err);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_manifest *m = NULL;
	struct error err = ERROR_INIT;
	unsigned char *wrapped = NULL;
	const void *in;
	size_t len, sum = 0;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		wrapped = wrap(data + 1, size - 1, &len);
		in = wrapped;
	} else {
		in = data + 1;
		len = size - 1;
	}
	rc = bundle_read_buffer("fuzz.bundle.gz", in, len, &visitor, &sum, &m, &err);
	if (rc == 0 && !m)
		abort();
	if (rc == 0) {
		uint64_t h1 = 1469598103934665603ull, h2 = h1;

		if (bundle_read_buffer("fuzz.bundle.gz", in, len, &hasher, &h1, NULL, &err) != 0 ||
		    bundle_reread_buffer("fuzz.bundle.gz", in, len, &hasher, &h2, NULL, &err) != 0 ||
		    h1 != h2)
			abort(); /* the trusted re-read differs from the verified read */
		merge_it(in, len, m->kind == BUNDLE_RETURN);
	}
	if (rc != 0 && (!err.en || !err.zh || !err.where))
		abort(); /* every refusal names where and why, in both languages */
	bundle_manifest_free(m);
	error_clear(&err);
	free(wrapped);
	return (int)(sum & 0);
}
