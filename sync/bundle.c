/*
 * bundle — writer and verifying streaming reader of bundle files.
 * The format is described in docs/bundle.md and include/ruhu/bundle.h.
 *
 * Layering of the reader: a byte source (file or memory) feeds the gzip
 * layer, which checks the fixed 48-byte header, then the RH digest of all
 * the bytes after it (integrity before content: when it fails, no byte
 * reaches the content layer, see rh_check), raw-inflates the deflate data,
 * and checks the CRC-32/ISIZE trailer and end of file. Every inflated
 * byte goes to the content layer: the magic line, then the manifest (fed to
 * libcsv one byte at a time so the byte after `end,manifest` is known
 * exactly), then each section (fed in bulk, bounded by the manifest's byte
 * length). Faults are reported once, at the first one found; after a fault
 * every callback returns at once.
 *
 * Invariant of the writer: the bytes written depend only on the rows given
 * and the manifest fields (the gzip header carries no time or name), so the
 * same input always gives the same file.
 */
#include "ruhu/bundle.h"

#include "ruhu/csvbuf.h"
#include "ruhu/digest.h"
#include "ruhu/infile.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC "ruhu-bundle"
#define MANIFEST_MAX (1u << 20)      /* manifest bytes */
#define FIELD_MAX BUNDLE_FIELD_MAX /* libcsv buffer for one field */
#define CHUNK 65536

/*
 * The only gzip header ruhu writes: FLG = FEXTRA, mtime 0, XFL 0, OS 3
 * (Unix), XLEN 36, and one extra subfield "RH" of 32 bytes holding the
 * SHA-256 of everything after the header (deflate data and trailer). gzip
 * checksums neither its header nor the deflate encoding itself (a deflate
 * stream can change without changing its output), so the reader requires
 * these fixed bytes and checks the subfield: no byte of a bundle can change
 * without the bundle being refused. zcat skips the extra field.
 */
#define GZHEAD_LEN 48
static const unsigned char gzhead_bytes[16] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3,
					       36, 0, 'R', 'H', 32, 0};

static const char *const section_names[BS_COUNT] = {
	"forms", "form_files", "assignments", "preload", "interviews", "answers", "events",
	"comments",
};

static const char *const cols_forms[] = {"form_id", "version", "hash", "title", "source"};
static const char *const cols_form_files[] = {"form_hash", "name", "sha256", "data"};
static const char *const cols_assignments[] = {
	"household_key", "county", "township", "village", "household_type", "head_name",
	"enumerator", "device"};
static const char *const cols_preload[] = {"household_key", "field", "value"};
static const char *const cols_interviews[] = {
	"uuid",	    "form_hash", "household_key", "enumerator", "device",   "status",
	"revision", "created",	 "updated",	  "position",	"review_comment"};
static const char *const cols_answers[] = {"uuid", "path", "value", "special"};
static const char *const cols_events[] = {
	"device", "seq",       "uuid",	     "time",	    "kind",	   "actor",
	"path",	  "old_value", "new_value", "old_special", "new_special", "extra"};
static const char *const cols_comments[] = {"uuid", "interview", "path", "author",
					    "text", "time",	 "device"};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *const *cols;
	size_t n;
} section_cols[BS_COUNT] = {
	{cols_forms, NCOLS(cols_forms)},
	{cols_form_files, NCOLS(cols_form_files)},
	{cols_assignments, NCOLS(cols_assignments)},
	{cols_preload, NCOLS(cols_preload)},
	{cols_interviews, NCOLS(cols_interviews)},
	{cols_answers, NCOLS(cols_answers)},
	{cols_events, NCOLS(cols_events)},
	{cols_comments, NCOLS(cols_comments)},
};

const char *bundle_section_name(enum bundle_section s)
{
	return (unsigned)s < BS_COUNT ? section_names[s] : "?";
}

const char *const *bundle_columns(enum bundle_section s, size_t *n)
{
	*n = section_cols[s].n;
	return section_cols[s].cols;
}

void bundle_manifest_free(struct bundle_manifest *m)
{
	size_t i;

	if (!m)
		return;
	free(m->ruhu_version);
	free(m->device);
	free(m->for_device);
	for (i = 0; i < m->n_enumerators; i++)
		free(m->enumerators[i]);
	free(m->enumerators);
	for (i = 0; i < m->n_forms; i++) {
		free(m->forms[i].id);
		free(m->forms[i].version);
		free(m->forms[i].hash);
	}
	free(m->forms);
	free(m->created);
	free(m);
}

/* ---- shared helpers ---------------------------------------------------- */

/* Appends one CSV field: NULL as nothing, "" as "", quoted when needed. */
static void csv_add_field(struct strbuf *sb, const char *f)
{
	const char *p;

	if (!f)
		return;
	if (!*f) {
		strbuf_add(sb, "\"\"", 2);
		return;
	}
	if (!strpbrk(f, ",\"\r\n")) {
		strbuf_addstr(sb, f);
		return;
	}
	strbuf_addch(sb, '"');
	for (p = f; *p; p++) {
		if (*p == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void csv_add_row(struct strbuf *sb, const char *const *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		csv_add_field(sb, f[i]);
	}
	strbuf_addch(sb, '\n');
}

void bundle_csv_row(struct strbuf *sb, const char *const *f, size_t n)
{
	csv_add_row(sb, f, n);
}

/* ---- writer -------------------------------------------------------------- */

struct bundle_writer {
	enum bundle_kind kind;
	char *device;
	char *for_device;
	long long seq;
	char *created;
	char **enums;
	size_t n_enums, cap_enums;
	struct strbuf forms_manifest; /* "form,id,version,hash" rows */
	struct strbuf sec[BS_COUNT];
	size_t rows[BS_COUNT];
};

struct bundle_writer *bundle_writer_new(enum bundle_kind kind, const char *device,
					const char *for_device, long long seq, const char *created)
{
	struct bundle_writer *w = xcalloc(1, sizeof(*w));
	int i;

	w->kind = kind;
	w->device = xstrdup(device);
	w->for_device = xstrdup(for_device);
	w->seq = seq;
	w->created = xstrdup(created);
	strbuf_init(&w->forms_manifest);
	for (i = 0; i < BS_COUNT; i++) {
		strbuf_init(&w->sec[i]);
		csv_add_row(&w->sec[i], section_cols[i].cols, section_cols[i].n);
	}
	return w;
}

void bundle_writer_free(struct bundle_writer *w)
{
	size_t i;

	if (!w)
		return;
	free(w->device);
	free(w->for_device);
	free(w->created);
	for (i = 0; i < w->n_enums; i++)
		free(w->enums[i]);
	free(w->enums);
	strbuf_release(&w->forms_manifest);
	for (i = 0; i < BS_COUNT; i++)
		strbuf_release(&w->sec[i]);
	free(w);
}

void bundle_writer_add_enumerator(struct bundle_writer *w, const char *name)
{
	size_t i;

	if (!name || !*name)
		return;
	for (i = 0; i < w->n_enums; i++)
		if (!strcmp(w->enums[i], name))
			return;
	XGROW(w->enums, w->cap_enums, w->n_enums + 1);
	w->enums[w->n_enums++] = xstrdup(name);
}

void bundle_writer_row(struct bundle_writer *w, enum bundle_section s, const char *const *f)
{
	csv_add_row(&w->sec[s], f, section_cols[s].n);
	w->rows[s]++;
	if (s == BS_FORMS) {
		const char *row[4] = {"form", f[0], f[1], f[2]};
		csv_add_row(&w->forms_manifest, row, 4);
	}
}

size_t bundle_writer_rows(const struct bundle_writer *w, enum bundle_section s)
{
	return w->rows[s];
}

/* Format 1 unless a form carries attached files: a bundle without any is
 * written exactly as before version 2 existed. */
static int writer_format(const struct bundle_writer *w)
{
	return w->rows[BS_FORM_FILES] ? 2 : 1;
}

/* Whether section `s` is in a bundle of `format`. */
static bool section_in(int format, int s)
{
	return s != BS_FORM_FILES || format >= 2;
}

static void kv(struct strbuf *sb, const char *k, const char *v)
{
	const char *row[2] = {k, v};
	csv_add_row(sb, row, 2);
}

/* The uncompressed text before the sections: magic line and manifest. */
static void build_head(struct bundle_writer *w, struct strbuf *sb)
{
	struct digest d;
	unsigned char h[32];
	char hex[65], num[3][32];
	size_t i;

	strbuf_addf(sb, "%s,%d\n", MAGIC, writer_format(w));
	kv(sb, "ruhu_version", RUHU_VERSION);
	kv(sb, "kind", w->kind == BUNDLE_RETURN ? "return" : "device");
	kv(sb, "device", w->device);
	kv(sb, "for_device", w->for_device);
	snprintf(num[0], sizeof(num[0]), "%lld", w->seq);
	kv(sb, "sequence", num[0]);
	kv(sb, "created", w->created);
	for (i = 0; i < w->n_enums; i++)
		kv(sb, "enumerator", w->enums[i]);
	strbuf_add(sb, w->forms_manifest.buf, w->forms_manifest.len);
	digest_init(&d, DIGEST_SHA256);
	for (i = 0; i < BS_COUNT; i++) {
		const char *row[4];

		if (!section_in(writer_format(w), (int)i))
			continue;
		snprintf(num[1], sizeof(num[1]), "%zu", w->rows[i]);
		snprintf(num[2], sizeof(num[2]), "%zu", w->sec[i].len);
		row[0] = "section";
		row[1] = section_names[i];
		row[2] = num[1];
		row[3] = num[2];
		csv_add_row(sb, row, 4);
		digest_update(&d, w->sec[i].buf, w->sec[i].len);
	}
	digest_final(&d, h);
	digest_to_hex(h, 32, hex);
	kv(sb, "content_sha256", hex);
	kv(sb, "end", "manifest");
}

/* Output sink of the compressor: returns 0 or -1 with err. */
struct sink {
	int fd;              /* >= 0: write here */
	struct strbuf *mem;  /* else append here */
	const char *name;
	struct error *err;
};

static int sink_put(struct sink *s, const void *p, size_t n)
{
	const char *c = p;

	if (!s->mem) {
		while (n) {
			ssize_t k = write(s->fd, c, n);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				error_set(s->err, s->name, "无法写入：%s", "cannot write: %s",
					  strerror(k < 0 ? errno : EIO));
				return -1;
			}
			c += k;
			n -= (size_t)k;
		}
		return 0;
	}
	strbuf_add(s->mem, p, n);
	return 0;
}

static int deflate_feed(z_stream *z, struct sink *s, const void *p, size_t n, int flush,
			unsigned char *out)
{
	z->next_in = (unsigned char *)p;
	z->avail_in = (uInt)n;
	do {
		int rc;

		z->next_out = out;
		z->avail_out = CHUNK;
		rc = deflate(z, flush);
		if (rc == Z_STREAM_ERROR)
			abort(); /* only on misuse of zlib */
		if (sink_put(s, out, CHUNK - z->avail_out) < 0)
			return -1;
	} while (z->avail_out == 0 || (flush == Z_FINISH && z->avail_in));
	return 0;
}

/* Compresses magic line, manifest and sections into `body` (deflate data
 * and gzip trailer, without the header). */
static void compress_body(struct bundle_writer *w, struct strbuf *body)
{
	struct strbuf head = STRBUF_INIT;
	struct sink s = {-1, body, NULL, NULL};
	unsigned char *out = xmalloc(CHUNK);
	unsigned char trailer[8];
	uLong crc = crc32(0, Z_NULL, 0);
	uint64_t total = 0;
	z_stream z;
	int i;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	build_head(w, &head);
	crc = crc32(crc, (const Bytef *)head.buf, (uInt)head.len);
	total += head.len;
	deflate_feed(&z, &s, head.buf, head.len, Z_NO_FLUSH, out);
	for (i = 0; i < BS_COUNT; i++) {
		const char *p = w->sec[i].buf;
		size_t left = section_in(writer_format(w), i) ? w->sec[i].len : 0;

		while (left) {
			size_t n = left > (1u << 30) ? (1u << 30) : left;

			crc = crc32(crc, (const Bytef *)p, (uInt)n);
			deflate_feed(&z, &s, p, n, Z_NO_FLUSH, out);
			p += n;
			left -= n;
		}
		if (section_in(writer_format(w), i))
			total += w->sec[i].len;
	}
	deflate_feed(&z, &s, NULL, 0, Z_FINISH, out);
	for (i = 0; i < 4; i++) {
		trailer[i] = (unsigned char)(crc >> (8 * i));
		trailer[4 + i] = (unsigned char)(total >> (8 * i));
	}
	strbuf_add(body, trailer, 8);
	deflateEnd(&z);
	free(out);
	strbuf_release(&head);
}

static int emit(struct bundle_writer *w, struct sink *s)
{
	struct strbuf body = STRBUF_INIT;
	unsigned char hdr[GZHEAD_LEN];
	int ret = -1;

	compress_body(w, &body);
	memcpy(hdr, gzhead_bytes, sizeof(gzhead_bytes));
	{
		struct digest d;

		digest_init(&d, DIGEST_SHA256);
		digest_update(&d, body.buf, body.len);
		digest_final(&d, hdr + sizeof(gzhead_bytes));
	}
	if (sink_put(s, hdr, sizeof(hdr)) < 0 || sink_put(s, body.buf, body.len) < 0)
		goto done;
	ret = 0;
done:
	strbuf_release(&body);
	return ret;
}

int bundle_writer_write_fd(struct bundle_writer *w, int fd, const char *name, struct error *err)
{
	struct sink s = {fd, NULL, name, err};
	return emit(w, &s);
}

void bundle_writer_write_mem(struct bundle_writer *w, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	struct sink s = {-1, &sb, "memory", NULL};

	emit(w, &s);
	*out = strbuf_detach(&sb, len);
}

/*
 * Opens (creating) the temporary file of a save and holds an exclusive
 * flock on it until it is closed, which is how bundle_tmp_clean() tells a
 * live export's file from a killed one's (the kernel drops the lock of a
 * dead process). A cleaner may unlink the file between our open and our
 * lock: then the path names another inode (or none) and we start again.
 */
static int open_locked_tmp(const char *path, struct error *err)
{
	for (int tries = 0; tries < 8; tries++) {
		struct stat a, b;
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0) {
			error_set(err, path, "无法创建：%s", "cannot create: %s", strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			if (errno == EWOULDBLOCK)
				error_set(err, path, "另一个导出正在写这个文件",
					  "another export is writing this file");
			else
				error_set(err, path, "无法加锁：%s", "cannot lock: %s",
					  strerror(errno));
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			if (ftruncate(fd, 0) < 0) {
				error_set(err, path, "无法写入：%s", "cannot write: %s",
					  strerror(errno));
				close(fd);
				return -1;
			}
			return fd;
		}
		close(fd);
	}
	error_set(err, path, "无法创建：文件不断被删除", "cannot create: the file keeps being removed");
	return -1;
}

/* ".ruhu-…bundle.gz.tmp": the temporary name bundle_writer_save() uses */
static bool is_tmp_name(const char *n)
{
	size_t len = strlen(n);
	static const char tail[] = ".bundle.gz.tmp";

	return !strncmp(n, ".ruhu-", 6) && len > 6 + sizeof(tail) - 1 &&
	       !strcmp(n + len - (sizeof(tail) - 1), tail);
}

int bundle_tmp_clean(const char *dir, size_t *removed, struct error *err)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	*removed = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0; /* the save will say the folder is missing */
		error_set(err, dir, "无法读取文件夹：%s", "cannot read the folder: %s",
			  strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		int fd;

		if (!is_tmp_name(de->d_name))
			continue;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		fd = open(p.buf, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* a live export holds the lock: its file is not stale */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlink(p.buf) == 0)
			(*removed)++;
		close(fd);
	}
	closedir(d);
	strbuf_release(&p);
	return 0;
}

static int save(struct bundle_writer *w, const void *bytes, size_t n, const char *dir,
		const char *name, struct error *err);

int bundle_writer_save(struct bundle_writer *w, const char *dir, const char *name,
		       struct error *err)
{
	return save(w, NULL, 0, dir, name, err);
}

int bundle_save_bytes(const char *dir, const char *name, const void *data, size_t len,
		      struct error *err)
{
	return save(NULL, data, len, dir, name, err);
}

static int save(struct bundle_writer *w, const void *bytes, size_t n, const char *dir,
		const char *name, struct error *err)
{
	struct strbuf tmp = STRBUF_INIT, dst = STRBUF_INIT;
	int fd = -1, dfd = -1, ret = -1;
	bool created = false;
	struct stat st;

	strbuf_addf(&tmp, "%s/.%s.tmp", dir, name);
	strbuf_addf(&dst, "%s/%s", dir, name);
	if (stat(dst.buf, &st) == 0) {
		error_set(err, dst.buf, "文件已存在，不会覆盖", "file exists; not overwriting it");
		goto done;
	}
	fd = open_locked_tmp(tmp.buf, err);
	if (fd < 0)
		goto done;
	created = true;
	if (w) {
		if (bundle_writer_write_fd(w, fd, tmp.buf, err) < 0)
			goto done;
	} else {
		struct sink sk = {fd, NULL, tmp.buf, err};

		if (sink_put(&sk, bytes, n) < 0)
			goto done;
	}
	if (fsync(fd) < 0) {
		error_set(err, tmp.buf, "无法同步到磁盘：%s", "cannot sync to disk: %s",
			  strerror(errno));
		goto done;
	}
	/* renamed while still open: the flock protects the temporary name
	 * from bundle_tmp_clean() until it is gone */
	if (rename(tmp.buf, dst.buf) < 0) {
		error_set(err, dst.buf, "无法改名：%s", "cannot rename: %s", strerror(errno));
		goto done;
	}
	created = false;
	if (close(fd) < 0) {
		fd = -1;
		error_set(err, dst.buf, "无法关闭：%s", "cannot close: %s", strerror(errno));
		goto done;
	}
	fd = -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		error_set(err, dir, "无法同步目录：%s", "cannot sync the folder: %s",
			  strerror(errno));
		/* the file is complete under its final name, but we cannot
		 * promise it survives a power cut: report failure so the caller
		 * does not record the export */
		goto done;
	}
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (created)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	strbuf_release(&dst);
	return ret;
}

char *bundle_file_name(enum bundle_kind kind, const char *device, long long seq)
{
	struct strbuf sb = STRBUF_INIT;

	if (kind == BUNDLE_RETURN)
		strbuf_addf(&sb, "ruhu-return-%s-%06lld.bundle.gz", device, seq);
	else
		strbuf_addf(&sb, "ruhu-%s-%06lld.bundle.gz", device, seq);
	return strbuf_detach(&sb, NULL);
}

/* ---- reader -------------------------------------------------------------- */

enum rstate { ST_MAGIC, ST_MANIFEST, ST_SECTION, ST_DONE };

enum mkey {
	K_VERSION, K_KIND, K_DEVICE, K_FOR, K_SEQ, K_CREATED, K_SHA, K_NKEYS
};

struct reader {
	const char *name;
	const struct bundle_visitor *v;
	void *ctx;
	struct error *err;
	bool failed;

	enum rstate st;
	struct strbuf line;   /* the magic line */
	uint64_t coff;        /* content bytes consumed */
	struct csv_parser csv;
	bool csv_live;

	/* the row being assembled */
	struct strbuf fbuf;
	size_t *foff;
	bool *fnull;
	size_t nf, cap_off, cap_null;
	const char **fields;
	size_t cap_fields;

	struct bundle_manifest *m;
	size_t mbytes;          /* manifest bytes */
	size_t mrow;            /* manifest records seen, magic line = 1 */
	bool have[K_NKEYS];
	int nsec_seen;          /* the section the next manifest "section" row names */
	size_t n_mforms;        /* form rows of the manifest */

	bool trusted;           /* bytes already verified: skip the digests */
	bool rh_bad;            /* the RH digest failed: gzip checks only, no content */
	int fs;                 /* trusted section parser: enum fstate */
	size_t fstart;          /* offset in fbuf of the field being read */
	bool fhave;             /* the unquoted field being read has bytes */

	int sec;
	size_t sec_left;
	size_t sec_rec;         /* records seen in this section, header = 1 */
	struct digest sha;
};

static void rfail(struct reader *r, const char *where_suffix, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);

/* Sets the first fault: where = name[:where_suffix], the message from zh/en
 * with the same arguments. */
static void rfail(struct reader *r, const char *where_suffix, const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	strbuf_addstr(&w, r->name);
	if (where_suffix)
		strbuf_addf(&w, ":%s", where_suffix);
	va_start(ap, en);
	error_vset(r->err, w.buf, zh, en, ap);
	va_end(ap);
	strbuf_release(&w);
}

/* where suffix for the current content record */
static const char *rec_where(struct reader *r, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (r->st == ST_MANIFEST)
		strbuf_addf(sb, "manifest:%zu", r->mrow);
	else
		strbuf_addf(sb, "%s:%zu", section_names[r->sec], r->sec_rec);
	return sb->buf;
}

static void cb_field(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->failed)
		return;
	if (r->nf >= r->cap_off) /* called per field: grow only when needed */
		XGROW(r->foff, r->cap_off, r->nf + 1);
	if (r->nf >= r->cap_null)
		XGROW(r->fnull, r->cap_null, r->nf + 1);
	r->foff[r->nf] = r->fbuf.len;
	r->fnull[r->nf] = s == NULL;
	if (s) {
		if (!r->trusted && !utf8_text_valid(s, len)) {
			struct strbuf w = STRBUF_INIT;

			/* the record being read is one past those completed */
			if (r->st == ST_MANIFEST)
				r->mrow++;
			else
				r->sec_rec++;
			rfail(r, rec_where(r, &w), "第 %zu 个字段不是有效的 UTF-8 文本",
			      "field %zu is not valid UTF-8 text", r->nf + 1);
			strbuf_release(&w);
			return;
		}
	}
	/* the field and its terminating NUL in one copy */
	strbuf_grow(&r->fbuf, len + 1);
	if (s)
		memcpy(r->fbuf.buf + r->fbuf.len, s, len);
	else
		len = 0;
	r->fbuf.len += len;
	r->fbuf.buf[r->fbuf.len++] = '\0';
	r->fbuf.buf[r->fbuf.len] = '\0'; /* the strbuf's own terminator */
	r->nf++;
}

static int parse_count(const char *s, size_t *out)
{
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 15)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = (size_t)v;
	return 0;
}

static int is_hex64(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_time(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (!s || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return 0;
	return 1;
}

/* The section after `s` in a bundle of the reader's format (BS_COUNT: none). */
static int next_section(const struct reader *r, int s)
{
	s++;
	if (s < BS_COUNT && !section_in(r->m->format, s))
		s++;
	return s;
}

/* Checks the manifest once `end,manifest` has been read. */
static void manifest_done(struct reader *r, const char *w)
{
	static const char *const names[K_NKEYS] = {"ruhu_version", "kind",    "device",
						   "for_device",   "sequence", "created",
						   "content_sha256"};
	struct bundle_manifest *m = r->m;
	int i;

	for (i = 0; i < K_NKEYS; i++)
		if (!r->have[i]) {
			rfail(r, w, "清单缺少 '%s'", "manifest lacks '%s'", names[i]);
			return;
		}
	if (r->nsec_seen != BS_COUNT) {
		rfail(r, w, "清单缺少 '%s' 节", "manifest lacks section '%s'",
		      section_names[r->nsec_seen]);
		return;
	}
	if (m->kind == BUNDLE_RETURN && !m->for_device) {
		rfail(r, w, "返回包的清单缺少 'for_device'", "return bundle manifest lacks 'for_device'");
		return;
	}
	if (m->kind == BUNDLE_DEVICE && m->for_device) {
		rfail(r, w, "设备包的清单不应有 'for_device'",
		      "device bundle manifest must not have 'for_device'");
		return;
	}
	if (r->v && r->v->manifest && r->v->manifest(r->ctx, m, r->err)) {
		r->failed = true;
		if (!error_isset(r->err))
			error_set(r->err, NULL, "已中止", "stopped");
		error_prefix(r->err, r->name);
	}
}

static char *dupfield(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void manifest_row(struct reader *r, const char *const *f, size_t n)
{
	struct bundle_manifest *m = r->m;
	struct strbuf wb = STRBUF_INIT;
	const char *w = rec_where(r, &wb);
	const char *k = f[0] ? f[0] : "";
	int key = -1;
	size_t want = 2;

	if (!strcmp(k, "ruhu_version"))
		key = K_VERSION;
	else if (!strcmp(k, "kind"))
		key = K_KIND;
	else if (!strcmp(k, "device"))
		key = K_DEVICE;
	else if (!strcmp(k, "for_device"))
		key = K_FOR;
	else if (!strcmp(k, "sequence"))
		key = K_SEQ;
	else if (!strcmp(k, "created"))
		key = K_CREATED;
	else if (!strcmp(k, "content_sha256"))
		key = K_SHA;
	else if (!strcmp(k, "form"))
		want = 4;
	else if (!strcmp(k, "section"))
		want = 4;
	else if (strcmp(k, "enumerator") && strcmp(k, "end")) {
		rfail(r, w, "未知的清单项 '%s'", "unknown manifest key '%s'", k);
		goto done;
	}
	if (n != want) {
		rfail(r, w, "清单项 '%s' 应有 %zu 个字段，实有 %zu 个",
		      "manifest key '%1$s' has %3$zu fields, expected %2$zu", k, want, n);
		goto done;
	}
	if (key >= 0) {
		if (r->have[key]) {
			rfail(r, w, "清单项 '%s' 重复", "manifest key '%s' repeated", k);
			goto done;
		}
		r->have[key] = true;
	}
	if (key != K_FOR && key != -1 && !f[1]) {
		rfail(r, w, "清单项 '%s' 为空", "manifest key '%s' is empty", k);
		goto done;
	}
	switch (key) {
	case K_VERSION:
		m->ruhu_version = xstrdup(f[1]);
		goto done;
	case K_KIND:
		if (!strcmp(f[1], "device"))
			m->kind = BUNDLE_DEVICE;
		else if (!strcmp(f[1], "return"))
			m->kind = BUNDLE_RETURN;
		else
			rfail(r, w, "未知的包类型 '%s'", "unknown bundle kind '%s'", f[1]);
		goto done;
	case K_DEVICE:
		m->device = xstrdup(f[1]);
		goto done;
	case K_FOR:
		m->for_device = dupfield(f[1]);
		goto done;
	case K_SEQ: {
		size_t v;

		if (parse_count(f[1], &v) < 0 || v == 0)
			rfail(r, w, "序号 '%s' 不是正整数", "sequence '%s' is not a positive integer",
			      f[1]);
		m->sequence = (long long)v;
		goto done;
	}
	case K_CREATED:
		if (!is_time(f[1]))
			rfail(r, w, "时间 '%s' 不是 YYYY-MM-DDTHH:MM:SSZ",
			      "time '%s' is not YYYY-MM-DDTHH:MM:SSZ", f[1]);
		m->created = xstrdup(f[1]);
		goto done;
	case K_SHA:
		if (!is_hex64(f[1]))
			rfail(r, w, "校验和 '%s' 不是 64 位十六进制",
			      "checksum '%s' is not 64 hex digits", f[1]);
		else
			memcpy(m->content_sha256, f[1], 65);
		goto done;
	default:
		break;
	}
	if (!strcmp(k, "enumerator")) {
		if (!f[1]) {
			rfail(r, w, "调查员名称为空", "empty enumerator name");
			goto done;
		}
		m->enumerators = xrealloc(m->enumerators, (m->n_enumerators + 1) * sizeof(char *));
		m->enumerators[m->n_enumerators++] = xstrdup(f[1]);
	} else if (!strcmp(k, "form")) {
		struct bundle_form *bf;

		if (!f[1] || !is_hex64(f[3])) {
			rfail(r, w, "表单项无效", "invalid form entry");
			goto done;
		}
		m->forms = xrealloc(m->forms, (m->n_forms + 1) * sizeof(*m->forms));
		bf = &m->forms[m->n_forms++];
		bf->id = xstrdup(f[1]);
		bf->version = dupfield(f[2]);
		bf->hash = xstrdup(f[3]);
	} else if (!strcmp(k, "section")) {
		int s = r->nsec_seen;

		if (s >= BS_COUNT || !f[1] || strcmp(f[1], section_names[s])) {
			rfail(r, w, "节 '%s' 不在应有的位置（应为 '%s'）",
			      "section '%s' out of place (expected '%s')", f[1] ? f[1] : "",
			      s < BS_COUNT ? section_names[s] : "end");
			goto done;
		}
		if (parse_count(f[2], &m->rows[s]) < 0 || parse_count(f[3], &m->bytes[s]) < 0 ||
		    m->bytes[s] == 0) {
			rfail(r, w, "节 '%s' 的行数或字节数无效",
			      "section '%s' has an invalid row or byte count", f[1]);
			goto done;
		}
		r->nsec_seen = next_section(r, s);
	} else { /* end */
		if (!f[1] || strcmp(f[1], "manifest")) {
			rfail(r, w, "清单结尾无效", "invalid end of manifest");
			goto done;
		}
		manifest_done(r, w);
		if (!r->failed) {
			r->st = ST_SECTION;
			r->sec = 0;
			r->sec_left = m->bytes[0];
			r->sec_rec = 0;
		}
	}
done:
	strbuf_release(&wb);
}

static void section_row(struct reader *r, const char *const *f, size_t n)
{
	struct strbuf wb = STRBUF_INIT;
	int s = r->sec, rc;
	size_t i, want = section_cols[s].n;

	if (n != want) {
		rfail(r, rec_where(r, &wb), "应有 %zu 个字段，实有 %zu 个", "%2$zu fields, expected %1$zu", want, n);
		goto done;
	}
	if (r->sec_rec == 1) {
		for (i = 0; i < n; i++)
			if (!f[i] || strcmp(f[i], section_cols[s].cols[i])) {
				rfail(r, rec_where(r, &wb), "第 %zu 列应为 '%s'", "column %zu should be '%s'", i + 1,
				      section_cols[s].cols[i]);
				goto done;
			}
		goto done;
	}
	if (r->sec_rec - 1 > r->m->rows[s]) {
		rfail(r, rec_where(r, &wb), "行数多于清单所列的 %zu 行", "more rows than the %zu in the manifest",
		      r->m->rows[s]);
		goto done;
	}
	if (s == BS_FORMS) {
		size_t k = r->sec_rec - 2;
		const struct bundle_form *bf = k < r->m->n_forms ? &r->m->forms[k] : NULL;

		if (!bf || !f[0] || strcmp(bf->id, f[0]) || !f[2] || strcmp(bf->hash, f[2]) ||
		    (bf->version ? !f[1] || strcmp(bf->version, f[1]) : f[1] != NULL)) {
			rfail(r, rec_where(r, &wb), "表单与清单不符", "form does not match the manifest");
			goto done;
		}
		if (!f[4] || !is_hex64(f[2])) {
			rfail(r, rec_where(r, &wb), "表单缺少源文件或哈希", "form lacks its source or hash");
			goto done;
		}
	}
	if (s == BS_FORM_FILES) {
		/* a file of a form of this bundle; its digests are the merge's to
		 * check, as the forms' are */
		for (i = 0; i < r->m->n_forms; i++)
			if (f[0] && !strcmp(r->m->forms[i].hash, f[0]))
				break;
		if (i == r->m->n_forms) {
			rfail(r, rec_where(r, &wb), "附带文件不属于数据包中的表单",
			      "attached file of a form not in the bundle");
			goto done;
		}
		if (!f[1] || !*f[1] || !is_hex64(f[2]) || !f[3]) {
			rfail(r, rec_where(r, &wb), "附带文件缺少名称、哈希或内容",
			      "attached file lacks its name, digest or data");
			goto done;
		}
	}
	if (r->v && r->v->row &&
	    (rc = r->v->row(r->ctx, (enum bundle_section)s, r->sec_rec - 1, f, n, r->err))) {
		r->failed = true;
		if (!error_isset(r->err))
			error_set(r->err, NULL, "已中止", "stopped");
		if (rc != BUNDLE_STOP_NOT_ROW)
			error_prefix(r->err, rec_where(r, &wb));
		error_prefix(r->err, r->name);
	}
done:
	strbuf_release(&wb);
}

static void cb_row(int c, void *data);

/*
 * The section parser of the trusted re-read. Its bytes were verified by a
 * first read through libcsv (CSV_STRICT, CSV_EMPTY_IS_NULL, no space
 * trimming), which guarantees: every record ends with LF; no CR and no quote
 * outside a quoted field; a closing quote is followed by ',' or LF. On such
 * bytes this splitter yields the same fields as libcsv — an unquoted empty
 * field is NULL, a quoted one "", "" inside quotes is one quote, a lone LF
 * between records is skipped — without a callback per byte: runs are copied
 * whole. It keeps its state across calls (a field may span chunks).
 */
enum fstate { FS_START, FS_PLAIN, FS_QUOTED, FS_QUOTE_SEEN };

static void fast_field_end(struct reader *r, bool null)
{
	if (r->nf >= r->cap_off)
		XGROW(r->foff, r->cap_off, r->nf + 1);
	if (r->nf >= r->cap_null)
		XGROW(r->fnull, r->cap_null, r->nf + 1);
	r->foff[r->nf] = r->fstart;
	r->fnull[r->nf] = null;
	strbuf_addch(&r->fbuf, '\0');
	r->nf++;
	r->fs = FS_START;
}

static void fast_parse(struct reader *r, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *q;

	while (p < end && !r->failed) {
		switch (r->fs) {
		case FS_START:
			if (*p == '\n' && r->nf == 0) {
				p++; /* an empty line: libcsv reports no record */
				break;
			}
			r->fstart = r->fbuf.len;
			if (*p == '"') {
				r->fs = FS_QUOTED;
				p++;
			} else {
				r->fs = FS_PLAIN;
				r->fhave = false;
			}
			break;
		case FS_PLAIN:
			for (q = p; q < end && *q != ',' && *q != '\n'; q++)
				;
			if (q > p) {
				strbuf_add(&r->fbuf, p, (size_t)(q - p));
				r->fhave = true;
			}
			p = q;
			if (p == end)
				break;
			fast_field_end(r, !r->fhave);
			if (*p++ == '\n')
				cb_row('\n', r);
			break;
		case FS_QUOTED:
			q = memchr(p, '"', (size_t)(end - p));
			if (!q)
				q = end;
			strbuf_add(&r->fbuf, p, (size_t)(q - p));
			p = q;
			if (p < end) {
				r->fs = FS_QUOTE_SEEN;
				p++;
			}
			break;
		case FS_QUOTE_SEEN:
			if (*p == '"') {
				strbuf_addch(&r->fbuf, '"');
				r->fs = FS_QUOTED;
				p++;
				break;
			}
			fast_field_end(r, false);
			if (*p++ == '\n')
				cb_row('\n', r);
			break;
		}
	}
}

static void cb_row(int c, void *data)
{
	struct reader *r = data;
	size_t i;

	if (r->failed)
		return;
	if (r->st == ST_MANIFEST)
		r->mrow++;
	else
		r->sec_rec++;
	if (c != '\n') {
		struct strbuf w = STRBUF_INIT;

		rfail(r, rec_where(r, &w), "记录未以换行结束", "record does not end with a newline");
		strbuf_release(&w);
		return;
	}
	XGROW(r->fields, r->cap_fields, r->nf + 1);
	for (i = 0; i < r->nf; i++)
		r->fields[i] = r->fnull[i] ? NULL : r->fbuf.buf + r->foff[i];
	if (r->st == ST_MANIFEST)
		manifest_row(r, r->fields, r->nf);
	else
		section_row(r, r->fields, r->nf);
	r->nf = 0;
	strbuf_reset(&r->fbuf);
}

static int no_space(unsigned char c)
{
	return 0;
}

/* libcsv's field buffer grows by doubling (csvbuf), up to FIELD_MAX: a
 * 1 MiB field in 128-byte steps took over 100 s under the sanitizers */
static void *capped_realloc(void *p, size_t n)
{
	if (n > FIELD_MAX)
		return NULL;
	return csvbuf_realloc(p, n);
}

static void csv_start(struct reader *r)
{
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		abort();
	csv_set_space_func(&r->csv, no_space);
	csv_set_realloc_func(&r->csv, capped_realloc);
	csv_set_free_func(&r->csv, csvbuf_free);
	r->csv_live = true;
	r->fs = FS_START;
	r->nf = 0;
	strbuf_reset(&r->fbuf);
}

static void csv_stop(struct reader *r)
{
	if (r->csv_live)
		csv_free(&r->csv);
	r->csv_live = false;
}

static void csv_fault(struct reader *r)
{
	struct strbuf w = STRBUF_INIT;
	int e = csv_error(&r->csv);

	if (r->st == ST_MANIFEST)
		r->mrow++;
	else
		r->sec_rec++;
	if (e == CSV_ENOMEM)
		rfail(r, rec_where(r, &w), "字段过长（上限 %zu 字节）",
		      "field too long (limit %zu bytes)", FIELD_MAX);
	else
		rfail(r, rec_where(r, &w), "CSV 格式错误（引号不配对），内容第 %" PRIu64 " 字节附近",
		      "malformed CSV (stray or unclosed quote) near content byte %" PRIu64, r->coff);
	strbuf_release(&w);
}

/* Ends the current section: no record may be pending, the counts must match. */
static void section_end(struct reader *r)
{
	struct strbuf w = STRBUF_INIT;
	size_t before = r->sec_rec;
	int s = r->sec;

	if (csv_fini(&r->csv, cb_field, cb_row, r) != 0) {
		csv_fault(r);
		goto done;
	}
	if (r->failed)
		goto done;
	if (r->sec_rec != before || r->nf) {
		rfail(r, rec_where(r, &w), "节的最后一条记录未以换行结束",
		      "last record of the section does not end with a newline");
		goto done;
	}
	if (r->sec_rec == 0) {
		rfail(r, section_names[s], "节缺少表头", "section lacks its header row");
		goto done;
	}
	if (r->sec_rec - 1 != r->m->rows[s]) {
		rfail(r, section_names[s], "节有 %zu 行，清单写的是 %zu 行",
		      "section has %zu rows, the manifest says %zu", r->sec_rec - 1, r->m->rows[s]);
		goto done;
	}
	if (s == BS_FORMS && r->m->n_forms != r->m->rows[s]) {
		rfail(r, section_names[s], "清单列出 %zu 个表单，节中有 %zu 个",
		      "manifest lists %zu forms, the section has %zu", r->m->n_forms,
		      r->m->rows[s]);
		goto done;
	}
	csv_stop(r);
	r->sec = next_section(r, r->sec);
	if (r->sec == BS_COUNT) {
		unsigned char h[32];
		char hex[65];

		r->st = ST_DONE;
		if (r->trusted)
			goto done;
		digest_final(&r->sha, h);
		digest_to_hex(h, 32, hex);
		if (strcmp(hex, r->m->content_sha256))
			rfail(r, NULL, "内容校验和（SHA-256）不符", "content checksum (SHA-256) mismatch");
		goto done;
	}
	csv_start(r);
	r->sec_rec = 0;
	r->sec_left = r->m->bytes[r->sec];
done:
	strbuf_release(&w);
}

static void magic_done(struct reader *r)
{
	const char *l = r->line.buf;
	size_t ml = strlen(MAGIC);
	size_t v = 0;

	if (strncmp(l, MAGIC ",", ml + 1) || parse_count(l + ml + 1, &v) < 0) {
		rfail(r, NULL, "不是 ruhu 数据包（缺少 '%s' 标记）",
		      "not a ruhu bundle (no '%s' magic line)", MAGIC);
		return;
	}
	if (v > BUNDLE_FORMAT_VERSION) {
		rfail(r, NULL, "数据包格式版本 %zu 比本程序支持的版本 %d 新；请升级 ruhu",
		      "bundle format version %zu is newer than this ruhu supports (%d); "
		      "update ruhu", v, BUNDLE_FORMAT_VERSION);
		return;
	}
	if (v != 1 && v != 2) {
		rfail(r, NULL, "不支持的数据包格式版本 %zu", "unsupported bundle format version %zu",
		      v);
		return;
	}
	r->m->format = (int)v;
	r->st = ST_MANIFEST;
	r->mrow = 1;
	csv_start(r);
}

/* Consumes inflated content bytes. */
static void content(struct reader *r, const unsigned char *p, size_t n)
{
	while (n && !r->failed) {
		switch (r->st) {
		case ST_MAGIC:
			if (*p == '\n') {
				magic_done(r);
			} else if (r->line.len >= 64 || *p == 0) {
				rfail(r, NULL, "不是 ruhu 数据包（缺少 '%s' 标记）",
				      "not a ruhu bundle (no '%s' magic line)", MAGIC);
			} else {
				strbuf_addch(&r->line, *p);
			}
			p++, n--, r->coff++;
			break;
		case ST_MANIFEST:
			if (++r->mbytes > MANIFEST_MAX) {
				rfail(r, "manifest", "清单过长（上限 %u 字节）",
				      "manifest too long (limit %u bytes)", MANIFEST_MAX);
				break;
			}
			if (csv_parse(&r->csv, p, 1, cb_field, cb_row, r) != 1) {
				csv_fault(r);
				break;
			}
			p++, n--, r->coff++;
			if (r->st == ST_SECTION) {
				csv_stop(r);
				csv_start(r);
			}
			break;
		case ST_SECTION: {
			size_t k = n < r->sec_left ? n : r->sec_left;

			if (r->trusted)
				fast_parse(r, p, k);
			else
				digest_update(&r->sha, p, k);
			if (!r->trusted && csv_parse(&r->csv, p, k, cb_field, cb_row, r) != k) {
				csv_fault(r);
				break;
			}
			p += k, n -= k, r->coff += k;
			r->sec_left -= k;
			if (!r->failed && r->sec_left == 0)
				section_end(r);
			break;
		}
		case ST_DONE:
			rfail(r, NULL, "最后一节之后还有数据（内容第 %" PRIu64 " 字节）",
			      "unexpected data after the last section (content byte %" PRIu64 ")",
			      r->coff);
			break;
		}
	}
}

/* A source of compressed bytes. */
struct source {
	FILE *fp;
	const unsigned char *mem;
	size_t len, pos;
};

/* Reads up to n bytes; returns the count (0 at end) or -1 on I/O error. */
static long src_read(struct source *s, unsigned char *buf, size_t n)
{
	size_t k;

	if (s->fp) {
		k = fread(buf, 1, n, s->fp);
		if (k < n && ferror(s->fp))
			return -1;
		return (long)k;
	}
	k = s->len - s->pos < n ? s->len - s->pos : n;
	memcpy(buf, s->mem + s->pos, k);
	s->pos += k;
	return (long)k;
}

/*
 * Integrity before content: checks the SHA-256 that the header's RH field
 * holds against every byte after the header, before a byte is inflated. When
 * it fails, the bytes are damaged: read_all() then runs the gzip layer alone
 * (no byte reaches the content parser), so the fault is named by where the
 * gzip framing breaks (truncation, corrupt deflate data, CRC-32, data after
 * the trailer, with the byte offset) or else as the RH mismatch — never as a
 * content fault of whatever the damaged bytes inflate to. A file source is
 * read through once and rewound (infile made sure it is a regular file).
 */
static int rh_check(struct reader *r, struct source *src, const unsigned char *hdr)
{
	struct digest d;
	unsigned char h[32];

	digest_init(&d, DIGEST_SHA256);
	if (src->fp) {
		unsigned char *buf = xmalloc(CHUNK);
		size_t k;

		while ((k = fread(buf, 1, CHUNK, src->fp)) > 0)
			digest_update(&d, buf, k);
		free(buf);
		if (ferror(src->fp) || fseeko(src->fp, GZHEAD_LEN, SEEK_SET) != 0) {
			rfail(r, NULL, "读取失败：%s", "read error: %s", strerror(errno));
			return -1;
		}
	} else {
		digest_update(&d, src->mem + src->pos, src->len - src->pos);
	}
	digest_final(&d, h);
	r->rh_bad = memcmp(h, hdr + sizeof(gzhead_bytes), sizeof(h)) != 0;
	return 0;
}

/*
 * Checks the first `have` bytes (at most GZHEAD_LEN) of a bundle against the
 * fixed gzip header ruhu writes. Returns 0 when all GZHEAD_LEN bytes are
 * there and right, else -1 with err set (where = name). Cheap, and done before
 * anything else, so that junk of any size is refused after 48 bytes.
 */
static int head_check(const char *name, const unsigned char *hdr, size_t have,
		      struct error *err)
{
	if (have < 2 || hdr[0] != 0x1f || hdr[1] != 0x8b) {
		error_set(err, name, "不是 gzip 文件（第 0 字节）", "not a gzip file (byte 0)");
		return -1;
	}
	for (size_t i = 2; i < sizeof(gzhead_bytes); i++) {
		if (i >= have)
			break;
		if (hdr[i] != gzhead_bytes[i]) {
			error_set(err, name, "gzip 头第 %zu 字节与 ruhu 写入的不同（0x%02x）",
				  "gzip header byte %zu differs from what ruhu writes (0x%02x)", i,
				  hdr[i]);
			return -1;
		}
	}
	if (have < GZHEAD_LEN) {
		error_set(err, name, "gzip 头在第 %zu 字节处截断", "gzip header truncated at byte %zu",
			  have);
		return -1;
	}
	return 0;
}

static int read_all(struct reader *r, struct source *src)
{
	unsigned char *in = xmalloc(CHUNK), *out = xmalloc(CHUNK);
	unsigned char hdr[GZHEAD_LEN], trailer[8];
	size_t have = 0, tlen = 0, inpos = 0, inlen = 0;
	uint64_t coff_in = 0; /* compressed bytes consumed by the gzip layer */
	uLong crc = crc32(0, Z_NULL, 0);
	uint64_t isize = 0;
	bool ended = false;
	unsigned char last = 0; /* last compressed byte consumed */
	z_stream z;
	int ret = -1;
	long k;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		abort();
	while (have < sizeof(hdr)) {
		k = src_read(src, hdr + have, sizeof(hdr) - have);
		if (k < 0)
			goto ioerr;
		if (k == 0)
			break;
		have += (size_t)k;
	}
	if (head_check(r->name, hdr, have, r->err) < 0) {
		r->failed = true;
		goto done;
	}
	digest_to_hex(hdr + sizeof(gzhead_bytes), 32, r->m->file_sha256);
	if (!r->trusted && rh_check(r, src, hdr) < 0)
		goto done;
	coff_in = sizeof(hdr);
	while (!ended) {
		int rc;

		if (inpos == inlen) {
			k = src_read(src, in, CHUNK);
			if (k < 0)
				goto ioerr;
			if (k == 0) {
				rfail(r, NULL, "文件在第 %" PRIu64 " 字节处截断（压缩数据不完整）",
				      "truncated at byte %" PRIu64 " (compressed data incomplete)",
				      coff_in);
				goto done;
			}
			inpos = 0;
			inlen = (size_t)k;
		}
		z.next_in = in + inpos;
		z.avail_in = (uInt)(inlen - inpos);
		z.next_out = out;
		z.avail_out = CHUNK;
		rc = inflate(&z, Z_NO_FLUSH);
		coff_in += (inlen - inpos) - z.avail_in;
		inpos = inlen - z.avail_in;
		if (inpos > 0)
			last = in[inpos - 1];
		if (rc == Z_STREAM_END) {
			/* The unused high bits of the last deflate byte are zero in
			 * what zlib writes; requiring that leaves no bit of the file
			 * free to change without notice. */
			int bits = z.data_type & 7;

			if (bits && (last & (0xff << (8 - bits)) & 0xff)) {
				rfail(r, NULL, "压缩数据在第 %" PRIu64 " 字节处的填充位不为零",
				      "non-zero padding bits in compressed data at byte %" PRIu64,
				      coff_in - 1);
				goto done;
			}
			ended = true;
		}
		else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			rfail(r, NULL, "压缩数据在第 %" PRIu64 " 字节附近损坏",
			      "corrupt compressed data near byte %" PRIu64, coff_in);
			goto done;
		}
		if (CHUNK - z.avail_out) {
			size_t nout = CHUNK - z.avail_out;

			crc = crc32(crc, out, (uInt)nout);
			isize += nout;
			if (!r->rh_bad)
				content(r, out, nout);
			if (r->failed)
				goto done;
		}
	}
	/* the trailer: what is left in `in`, then the file */
	while (tlen < sizeof(trailer)) {
		if (inpos == inlen) {
			k = src_read(src, in, CHUNK);
			if (k < 0)
				goto ioerr;
			if (k == 0) {
				rfail(r, NULL, "文件在第 %" PRIu64 " 字节处截断（缺少 gzip 尾部）",
				      "truncated at byte %" PRIu64 " (gzip trailer missing)",
				      coff_in + tlen);
				goto done;
			}
			inpos = 0;
			inlen = (size_t)k;
		}
		trailer[tlen++] = in[inpos++];
	}
	{
		uint32_t tcrc = 0, tsize = 0;

		for (int i = 3; i >= 0; i--) {
			tcrc = (tcrc << 8) | trailer[i];
			tsize = (tsize << 8) | trailer[4 + i];
		}
		if (tcrc != (uint32_t)crc) {
			rfail(r, NULL, "gzip CRC-32 不符（第 %" PRIu64 " 字节）",
			      "gzip CRC-32 mismatch (byte %" PRIu64 ")", coff_in);
			goto done;
		}
		if (tsize != (uint32_t)isize) {
			rfail(r, NULL, "gzip 长度不符（第 %" PRIu64 " 字节）",
			      "gzip length mismatch (byte %" PRIu64 ")", coff_in + 4);
			goto done;
		}
	}
	coff_in += sizeof(trailer);
	if (inpos < inlen || (k = src_read(src, in, 1)) != 0) {
		if (inpos == inlen && k < 0)
			goto ioerr;
		rfail(r, NULL, "gzip 尾部之后还有数据（第 %" PRIu64 " 字节）",
		      "unexpected data after the gzip trailer (byte %" PRIu64 ")", coff_in);
		goto done;
	}
	if (r->rh_bad) {
		rfail(r, NULL, "数据包已损坏：压缩数据的 SHA-256（gzip 头的 RH 字段）不符",
		      "bundle is corrupt: SHA-256 of the compressed data (gzip header field RH) "
		      "mismatch");
		goto done;
	}
	if (r->st != ST_DONE) {
		rfail(r, NULL, "数据包内容不完整", "bundle content is incomplete");
		goto done;
	}
	ret = 0;
	goto done;
ioerr:
	rfail(r, NULL, "读取失败：%s", "read error: %s", strerror(errno));
done:
	inflateEnd(&z);
	free(in);
	free(out);
	return ret;
}

static int read_bundle(const char *name, struct source *src, const struct bundle_visitor *v,
		       void *ctx, struct bundle_manifest **out, bool trusted, struct error *err)
{
	struct reader r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.trusted = trusted;
	r.name = name;
	r.v = v;
	r.ctx = ctx;
	r.err = err;
	r.st = ST_MAGIC;
	r.m = xcalloc(1, sizeof(*r.m));
	strbuf_init(&r.line);
	strbuf_init(&r.fbuf);
	digest_init(&r.sha, DIGEST_SHA256);
	ret = read_all(&r, src);
	if (r.failed)
		ret = -1;
	csv_stop(&r);
	strbuf_release(&r.line);
	strbuf_release(&r.fbuf);
	free(r.foff);
	free(r.fnull);
	free(r.fields);
	if (ret == 0 && out)
		*out = r.m;
	else
		bundle_manifest_free(r.m);
	return ret;
}

int bundle_read_file(const char *path, const struct bundle_visitor *v, void *ctx,
		     struct bundle_manifest **out, struct error *err)
{
	struct source src = {0};
	int ret;

	if (out)
		*out = NULL;
	if (infile_open(path, INFILE_BUNDLE, &src.fp, NULL, err) < 0)
		return -1;
	ret = read_bundle(path, &src, v, ctx, out, false, err);
	fclose(src.fp);
	return ret;
}

int bundle_read_buffer(const char *name, const void *data, size_t len,
		       const struct bundle_visitor *v, void *ctx, struct bundle_manifest **out,
		       struct error *err)
{
	struct source src = {0};

	if (out)
		*out = NULL;
	src.mem = data;
	src.len = len;
	return read_bundle(name, &src, v, ctx, out, false, err);
}

int bundle_check_same(const char *name, const void *data, size_t len, const char *file_sha256,
		      struct error *err)
{
	const unsigned char *p = data;
	char hex[65], got[65];

	if (head_check(name, p, len < GZHEAD_LEN ? len : GZHEAD_LEN, err) < 0)
		return -1;
	digest_to_hex(p + sizeof(gzhead_bytes), 32, hex);
	digest_sha256_hex(p + GZHEAD_LEN, len - GZHEAD_LEN, got);
	if (strcmp(hex, file_sha256) || strcmp(got, hex)) {
		error_set(err, name, "文件在读取过程中被改动", "the file changed while it was being read");
		return -1;
	}
	return 0;
}

int bundle_reread_buffer(const char *name, const void *data, size_t len,
			 const struct bundle_visitor *v, void *ctx, struct bundle_manifest **out,
			 struct error *err)
{
	struct source src = {0};

	if (out)
		*out = NULL;
	src.mem = data;
	src.len = len;
	return read_bundle(name, &src, v, ctx, out, true, err);
}

int bundle_load_file(const char *path, char **data, size_t *len, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned long long size, got = 0;
	unsigned char hdr[GZHEAD_LEN];
	char buf[CHUNK];
	FILE *fp = NULL;
	size_t n;
	int ret = -1;

	*data = NULL;
	*len = 0;
	/* a FIFO, a device or a file past the cap: refused by fstat, unread */
	if (infile_open(path, INFILE_BUNDLE, &fp, &size, err) < 0)
		return -1;
	/* then the 48 header bytes, so junk of any size costs 48 bytes */
	n = fread(hdr, 1, sizeof(hdr), fp);
	if (ferror(fp))
		goto ioerr;
	if (head_check(path, hdr, n, err) < 0)
		goto done;
	strbuf_grow(&sb, (size_t)size);
	strbuf_add(&sb, hdr, n);
	got = n;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		got += n;
		if (infile_check_read(path, INFILE_BUNDLE, got, err) < 0)
			goto done;
		strbuf_add(&sb, buf, n);
	}
	if (ferror(fp))
		goto ioerr;
	*data = strbuf_detach(&sb, len);
	ret = 0;
	goto done;
ioerr:
	error_set(err, path, "读取失败：%s", "read error: %s", strerror(errno));
done:
	fclose(fp);
	strbuf_release(&sb);
	return ret;
}
