/*
 * test_bundle — the bundle codec: round trip of awkward fields, and refusal
 * of every single-byte corruption, every truncation, a newer format version,
 * and malformed content with its exact message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ruhu/bundle.h"
#include "ruhu/digest.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Collects every row as "section|row|f1|f2|..." lines (NULL shown as \N). */
static int collect_row(void *ctx, enum bundle_section s, size_t row, const char *const *f,
		       size_t n, struct error *err)
{
	struct strbuf *sb = ctx;
	size_t i;

	strbuf_addf(sb, "%s|%zu", bundle_section_name(s), row);
	for (i = 0; i < n; i++)
		strbuf_addf(sb, "|%s", f[i] ? f[i] : "\\N");
	strbuf_addch(sb, '\n');
	return 0;
}

static const struct bundle_visitor collector = {NULL, collect_row};

static const char *const sha_a =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static struct bundle_writer *sample_writer(void)
{
	struct bundle_writer *w =
		bundle_writer_new(BUNDLE_DEVICE, "dev01", NULL, 3, "2026-11-22T10:00:00Z");
	const char *form[] = {"household", "2024", sha_a, "户调查", "type,name\ntext,q1\n"};
	const char *iv[] = {"u-1", sha_a, "HH001", "张三", "dev01", "completed", "2",
			    "1700000000000", "1700000001000", NULL, NULL};
	const char *a1[] = {"u-1", "q1", "a, \"quoted\"\nvalue", NULL};
	const char *a2[] = {"u-1", "members[2]/m_age", "", NULL};
	const char *a3[] = {"u-1", "m_name", " 李四 ", "dk"};
	const char *a4[] = {"u-1", "m_null", NULL, NULL};
	const char *ev[] = {"dev01", "17", "u-1", "1700000000500", "answer_set", "张三", "q1",
			    NULL, "x", NULL, NULL, NULL};

	bundle_writer_add_enumerator(w, "张三");
	bundle_writer_add_enumerator(w, "李, 四");
	bundle_writer_add_enumerator(w, "张三");
	bundle_writer_row(w, BS_FORMS, form);
	bundle_writer_row(w, BS_INTERVIEWS, iv);
	bundle_writer_row(w, BS_ANSWERS, a1);
	bundle_writer_row(w, BS_ANSWERS, a2);
	bundle_writer_row(w, BS_ANSWERS, a3);
	bundle_writer_row(w, BS_ANSWERS, a4);
	bundle_writer_row(w, BS_EVENTS, ev);
	return w;
}

static void sample_bytes(char **out, size_t *len)
{
	struct bundle_writer *w = sample_writer();

	bundle_writer_write_mem(w, out, len);
	bundle_writer_free(w);
}

static const char expect_rows[] =
	"forms|1|household|2024|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|户调查|"
	"type,name\ntext,q1\n\n"
	"interviews|1|u-1|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|HH001|张三|"
	"dev01|completed|2|1700000000000|1700000001000|\\N|\\N\n"
	"answers|1|u-1|q1|a, \"quoted\"\nvalue|\\N\n"
	"answers|2|u-1|members[2]/m_age||\\N\n"
	"answers|3|u-1|m_name| 李四 |dk\n"
	"answers|4|u-1|m_null|\\N|\\N\n"
	"events|1|dev01|17|u-1|1700000000500|answer_set|张三|q1|\\N|x|\\N|\\N|\\N\n";

static void test_round_trip(void **state)
{
	struct strbuf rows = STRBUF_INIT;
	struct bundle_manifest *m = NULL;
	struct error err = ERROR_INIT;
	char *data;
	size_t len;

	sample_bytes(&data, &len);
	assert_int_equal(bundle_read_buffer("b.gz", data, len, &collector, &rows, &m, &err), 0);
	assert_string_equal(rows.buf, expect_rows);
	assert_non_null(m);
	assert_int_equal(m->format, 1); /* no attached files: format 1 */
	assert_int_equal(m->kind, BUNDLE_DEVICE);
	assert_string_equal(m->device, "dev01");
	assert_null(m->for_device);
	assert_int_equal(m->sequence, 3);
	assert_string_equal(m->created, "2026-11-22T10:00:00Z");
	assert_int_equal(m->n_enumerators, 2);
	assert_string_equal(m->enumerators[1], "李, 四");
	assert_int_equal(m->n_forms, 1);
	assert_string_equal(m->forms[0].hash, sha_a);
	assert_int_equal(m->rows[BS_ANSWERS], 4);
	assert_int_equal(m->rows[BS_COMMENTS], 0);
	bundle_manifest_free(m);
	free(data);
	strbuf_release(&rows);
}

/* The same input gives the same bytes (synth and tests rely on it). */
static void test_deterministic(void **state)
{
	char *a, *b;
	size_t la, lb;

	sample_bytes(&a, &la);
	sample_bytes(&b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* The file written to disk is exactly the in-memory bytes, the temporary
 * name is gone, and an existing file is not overwritten. */
static void test_save(void **state)
{
	char dir[] = "/tmp/ruhu-bundle-XXXXXX";
	struct bundle_writer *w = sample_writer();
	struct error err = ERROR_INIT;
	char path[256], tmp[256], *mem, *name;
	size_t len, got;
	FILE *fp;
	char *buf;

	assert_non_null(mkdtemp(dir));
	name = bundle_file_name(BUNDLE_DEVICE, "dev01", 3);
	assert_string_equal(name, "ruhu-dev01-000003.bundle.gz");
	assert_int_equal(bundle_writer_save(w, dir, name, &err), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	assert_int_not_equal(access(tmp, F_OK), 0);
	bundle_writer_write_mem(w, &mem, &len);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = malloc(len + 1);
	got = fread(buf, 1, len + 1, fp);
	fclose(fp);
	assert_int_equal(got, len);
	assert_memory_equal(buf, mem, len);
	assert_int_equal(bundle_read_file(path, NULL, NULL, NULL, &err), 0);
	assert_int_equal(bundle_writer_save(w, dir, name, &err), -1);
	assert_string_equal(err.en, "file exists; not overwriting it");
	error_clear(&err);
	unlink(path);
	rmdir(dir);
	free(buf);
	free(mem);
	free(name);
	bundle_writer_free(w);
}

/* Every byte changed to every other value is refused, and no row reaches a
 * visitor that is only called after the reader has verified everything:
 * the read as a whole fails. */
static void test_every_corruption(void **state)
{
	struct error err = ERROR_INIT;
	char *data;
	size_t len, i;
	unsigned v;
	size_t refused = 0;

	sample_bytes(&data, &len);
	for (i = 0; i < len; i++) {
		unsigned char orig = (unsigned char)data[i];

		for (v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			data[i] = (char)v;
			if (bundle_read_buffer("b.gz", data, len, NULL, NULL, NULL, &err) == 0)
				fail_msg("corruption at byte %zu to 0x%02x accepted", i, v);
			assert_true(error_isset(&err));
			error_clear(&err);
			refused++;
		}
		data[i] = (char)orig;
	}
	assert_int_equal(refused, len * 255);
	free(data);
}

static void test_every_truncation(void **state)
{
	struct error err = ERROR_INIT;
	char *data, *big;
	size_t len, i;

	sample_bytes(&data, &len);
	for (i = 0; i < len; i++) {
		if (bundle_read_buffer("b.gz", data, i, NULL, NULL, NULL, &err) == 0)
			fail_msg("truncation to %zu bytes accepted", i);
		error_clear(&err);
	}
	/* and anything appended */
	big = malloc(len + 1);
	memcpy(big, data, len);
	big[len] = '\n';
	assert_int_equal(bundle_read_buffer("b.gz", big, len + 1, NULL, NULL, NULL, &err), -1);
	assert_string_equal(err.where, "b.gz");
	assert_non_null(strstr(err.en, "unexpected data after the gzip trailer"));
	error_clear(&err);
	free(big);
	free(data);
}

/*
 * Integrity before content (issue 11 D14): a byte changed anywhere in the
 * compressed data is reported as damage of the file (where = the file alone,
 * a gzip-level message), never as a content fault such as
 * "events:N: 13 fields" that the damaged bytes happen to inflate to, and the
 * visitor never sees a row. Every byte, every bit pattern of one flip.
 */
static int count_rows(void *ctx, enum bundle_section s, size_t row, const char *const *f,
		      size_t n, struct error *err)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void test_flip_is_corruption(void **state)
{
	static const struct bundle_visitor counter = {NULL, count_rows};
	static const unsigned char flips[] = {0x01, 0x80, 0xff};
	struct error err = ERROR_INIT;
	char *data;
	size_t len, i, f, rows = 0;

	(void)state;
	sample_bytes(&data, &len);
	for (i = 48; i < len; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			data[i] ^= (char)flips[f];
			if (bundle_read_buffer("b.gz", data, len, &counter, &rows, NULL, &err) == 0)
				fail_msg("byte %zu ^ 0x%02x accepted", i, flips[f]);
			if (strcmp(err.where, "b.gz"))
				fail_msg("byte %zu ^ 0x%02x: reported at '%s': %s", i, flips[f],
					 err.where, err.en);
			error_clear(&err);
			data[i] ^= (char)flips[f];
		}
	}
	assert_int_equal(rows, 0);
	free(data);
}

/* bundle_check_same: the bytes merge loads after streaming its verify pass
 * must be those it verified; the manifest carries the file's RH digest. */
static void test_check_same(void **state)
{
	struct bundle_manifest *m = NULL;
	struct error err = ERROR_INIT;
	char *data, *other;
	size_t len, olen;

	(void)state;
	sample_bytes(&data, &len);
	assert_int_equal(bundle_read_buffer("b.gz", data, len, NULL, NULL, &m, &err), 0);
	assert_int_equal(strlen(m->file_sha256), 64);
	assert_int_equal(bundle_check_same("b.gz", data, len, m->file_sha256, &err), 0);
	data[len / 2] ^= 1; /* changed after the verify pass */
	assert_int_equal(bundle_check_same("b.gz", data, len, m->file_sha256, &err), -1);
	assert_string_equal(err.where, "b.gz");
	assert_string_equal(err.en, "the file changed while it was being read");
	error_clear(&err);
	data[len / 2] ^= 1;
	/* another valid bundle under the same name */
	{
		struct bundle_writer *w = sample_writer();

		bundle_writer_add_enumerator(w, "另一个人");
		bundle_writer_write_mem(w, &other, &olen);
		bundle_writer_free(w);
	}
	assert_int_equal(bundle_check_same("b.gz", other, olen, m->file_sha256, &err), -1);
	error_clear(&err);
	assert_int_equal(bundle_check_same("b.gz", data, 10, m->file_sha256, &err), -1);
	error_clear(&err);
	bundle_manifest_free(m);
	free(other);
	free(data);
}

/* Wraps `text` in the gzip framing ruhu writes. */
static void gzip_text(const char *text, char **out, size_t *olen)
{
	static const unsigned char hdr[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3,
					      36, 0, 'R', 'H', 32, 0};
	size_t n = strlen(text);
	uLong bound = compressBound(n) + 64;
	unsigned char *buf = malloc(bound + 56);
	uLong crc = crc32(crc32(0, Z_NULL, 0), (const Bytef *)text, (uInt)n);
	z_stream z;
	int i;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	memcpy(buf, hdr, 16);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)n;
	z.next_out = buf + 48;
	z.avail_out = (uInt)bound;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*olen = 48 + z.total_out;
	deflateEnd(&z);
	for (i = 0; i < 4; i++) {
		buf[*olen + i] = (unsigned char)(crc >> (8 * i));
		buf[*olen + 4 + i] = (unsigned char)(n >> (8 * i));
	}
	*olen += 8;
	{
		struct digest d;

		digest_init(&d, DIGEST_SHA256);
		digest_update(&d, buf + 48, *olen - 48);
		digest_final(&d, buf + 16);
	}
	*out = (char *)buf;
}

static void expect_refusal(const char *text, const char *where, const char *en)
{
	struct error err = ERROR_INIT;
	char *data;
	size_t len;

	gzip_text(text, &data, &len);
	assert_int_equal(bundle_read_buffer("b.gz", data, len, NULL, NULL, NULL, &err), -1);
	assert_string_equal(err.where, where);
	assert_string_equal(err.en, en);
	assert_non_null(err.zh);
	error_clear(&err);
	free(data);
}

static void test_newer_version(void **state)
{
	expect_refusal("ruhu-bundle,3\nruhu_version,9.0\n", "b.gz",
		       "bundle format version 3 is newer than this ruhu supports (2); update ruhu");
	expect_refusal("hello\n", "b.gz", "not a ruhu bundle (no 'ruhu-bundle' magic line)");
}

/* Decompresses the sample, applies an edit to the text, recompresses (so
 * the gzip layer is valid) and checks the content-level message. */
static void expect_edit(const char *from, const char *to, const char *where, const char *en)
{
	char *data, *text, *p;
	size_t len;
	struct strbuf sb = STRBUF_INIT;
	z_stream z;
	unsigned char out[65536];

	sample_bytes(&data, &len);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, -15), Z_OK);
	z.next_in = (unsigned char *)data + 48;
	z.avail_in = (uInt)(len - 56);
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	strbuf_add(&sb, out, z.total_out);
	inflateEnd(&z);
	p = strstr(sb.buf, from);
	assert_non_null(p);
	{
		struct strbuf e = STRBUF_INIT;

		strbuf_add(&e, sb.buf, (size_t)(p - sb.buf));
		strbuf_addstr(&e, to);
		strbuf_addstr(&e, p + strlen(from));
		text = strbuf_detach(&e, NULL);
	}
	expect_refusal(text, where, en);
	free(text);
	free(data);
	strbuf_release(&sb);
}

static void test_content_faults(void **state)
{
	expect_edit("section,answers,4,", "section,answers,5,", "b.gz:answers",
		    "section has 4 rows, the manifest says 5");
	expect_edit("kind,device\n", "kind,phone\n", "b.gz:manifest:3", "unknown bundle kind 'phone'");
	expect_edit("sequence,3\n", "sequence,x\n", "b.gz:manifest:6",
		    "sequence 'x' is not a positive integer");
	expect_edit("sequence,3\n", "", "b.gz:manifest:18", "manifest lacks 'sequence'");
}

/* A form with an attached file makes a format 2 bundle whose form_files
 * section comes after forms, read back row for row (fast re-read too); a
 * file of a form the bundle does not carry is refused. */
static void test_form_files(void **state)
{
	const char *file[] = {sha_a, "villages.csv", sha_a, "name,label\nv1,\"村, 一\"\n"};
	const char *stray[] = {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			       "villages.csv", sha_a, "name,label\n"};
	struct bundle_writer *w = sample_writer();
	struct strbuf rows = STRBUF_INIT, again = STRBUF_INIT;
	struct bundle_manifest *m = NULL;
	struct error err = ERROR_INIT;
	char *data;
	size_t len;

	(void)state;
	bundle_writer_row(w, BS_FORM_FILES, file);
	bundle_writer_write_mem(w, &data, &len);
	bundle_writer_free(w);
	assert_int_equal(bundle_read_buffer("b.gz", data, len, &collector, &rows, &m, &err), 0);
	assert_int_equal(m->format, 2);
	assert_int_equal(m->rows[BS_FORM_FILES], 1);
	{
		struct strbuf want = STRBUF_INIT;

		strbuf_addf(&want, "form_files|1|%s|villages.csv|%s|name,label\nv1,\"村, 一\"\n\n"
			    "interviews|1|", sha_a, sha_a);
		assert_non_null(strstr(rows.buf, want.buf));
		strbuf_release(&want);
	}
	bundle_manifest_free(m);
	m = NULL;
	assert_int_equal(bundle_reread_buffer("b.gz", data, len, &collector, &again, &m, &err), 0);
	assert_string_equal(rows.buf, again.buf);
	bundle_manifest_free(m);
	free(data);
	strbuf_release(&rows);
	strbuf_release(&again);

	w = sample_writer();
	bundle_writer_row(w, BS_FORM_FILES, stray);
	bundle_writer_write_mem(w, &data, &len);
	bundle_writer_free(w);
	assert_int_equal(bundle_read_buffer("b.gz", data, len, NULL, NULL, NULL, &err), -1);
	assert_string_equal(err.where, "b.gz:form_files:2");
	assert_string_equal(err.en, "attached file of a form not in the bundle");
	error_clear(&err);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_form_files),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_every_corruption),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_flip_is_corruption),
		cmocka_unit_test(test_check_same),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_content_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
