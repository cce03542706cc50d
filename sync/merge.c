/*
 * merge — the decisions of a merge: what in a verified bundle is new,
 * updated, unchanged, a conflict or a duplicate. The rules are in
 * include/ruhu/merge.h; the format in docs/bundle.md. Every read and write of
 * the database goes through a merge target (include/ruhu/merge_target.h): no
 * SQL here.
 *
 * Two reads of the bundle: `check` (no writes; verifies the file and every
 * reference against the bundle and the target) and `apply` (inside the
 * target's one transaction; rolled back on any failure). The revisions of
 * all the bundle's interviews are looked up in one batch; interviews are
 * then decided one at a time when their group of answers ends, so memory
 * holds the interview rows of one bundle and the answers of one interview;
 * events and comments go to the target in batches of MERGE_BATCH rows.
 */
#include "ruhu/merge.h"

#include "ruhu/digest.h"
#include "ruhu/form.h"
#include "ruhu/ident.h"
#include "ruhu/merge_check.h"
#include "ruhu/merge_target.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* everything a store holds can be read back from a bundle (issue 11, D3) */
_Static_assert(BUNDLE_FIELD_MAX >= STORE_VALUE_MAX, "a bundle field must hold any stored value");
_Static_assert(BUNDLE_FIELD_MAX >= FORM_MAX_BYTES, "a bundle field must hold any form source");
_Static_assert(BUNDLE_FIELD_MAX >= STORE_FILE_MAX, "a bundle field must hold any attached file");

/* ---- a string -> index map (open addressing) -------------------------------- */

struct smap {
	char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint64_t shash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void smap_free(struct smap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Index of key, or -1. */
static long smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return -1;
	for (i = shash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], key))
			return (long)m->vals[i];
	return -1;
}

/* Adds key -> val; returns 0, or -1 when key was present. */
static int smap_put(struct smap *m, const char *key, size_t val)
{
	size_t i;

	if (smap_get(m, key) >= 0)
		return -1;
	if ((m->n + 1) * 2 > m->cap) {
		struct smap b = {0};
		size_t j;

		b.cap = m->cap ? m->cap * 2 : 64;
		b.keys = xcalloc(b.cap, sizeof(char *));
		b.vals = xcalloc(b.cap, sizeof(size_t));
		for (j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			for (i = shash(m->keys[j]) & (b.cap - 1); b.keys[i]; i = (i + 1) & (b.cap - 1))
				;
			b.keys[i] = m->keys[j];
			b.vals[i] = m->vals[j];
		}
		b.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = b;
	}
	for (i = shash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = xstrdup(key);
	m->vals[i] = val;
	m->n++;
	return 0;
}

/* ---- a batch of rows kept as NUL-terminated fields in one buffer ---------------- */

#define FIELD_NULL SIZE_MAX

struct rowbuf {
	struct strbuf b;
	size_t *off; /* field offsets into b, FIELD_NULL for NULL */
	size_t n, cap;
	size_t rows;
};

static void rowbuf_add(struct rowbuf *r, const char *const *f, size_t nf)
{
	size_t i;

	XGROW(r->off, r->cap, r->n + nf);
	for (i = 0; i < nf; i++) {
		if (!f[i]) {
			r->off[r->n++] = FIELD_NULL;
			continue;
		}
		r->off[r->n++] = r->b.len;
		strbuf_add(&r->b, f[i], strlen(f[i]) + 1);
	}
	r->rows++;
}

static char *rowbuf_field(struct rowbuf *r, size_t row, size_t nf, size_t i)
{
	size_t o = r->off[row * nf + i];

	return o == FIELD_NULL ? NULL : r->b.buf + o;
}

static void rowbuf_reset(struct rowbuf *r)
{
	strbuf_reset(&r->b);
	r->n = r->rows = 0;
}

static void rowbuf_release(struct rowbuf *r)
{
	strbuf_release(&r->b);
	free(r->off);
	memset(r, 0, sizeof(*r));
}

/* ---- field parsing -------------------------------------------------------------- */

static int parse_i64(const char *s, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;

	if (!s || !*s)
		return -1;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!*s || strlen(s) > 18)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* ---- content hash of an interview version ------------------------------------ */

static int cmp_answer(const void *a, const void *b)
{
	const struct store_answer *x = a, *y = b;
	return strcmp(x->path, y->path);
}

static void hash_str(struct digest *d, const char *v)
{
	if (v)
		digest_update(d, v, strlen(v) + 1);
	else
		digest_update(d, "\x01", 1); /* NULL differs from every string */
}

/*
 * SHA-256 over what makes two versions of one revision "the same content":
 * form, household, status, review comment and the answers sorted by path.
 * (Position and times are paradata, not content.) Sorts `a` in place.
 */
static void content_hash(const struct store_interview *iv, struct store_answer *a, size_t n,
			 char hex[65])
{
	struct digest d;
	unsigned char h[32];
	size_t i;

	qsort(a, n, sizeof(*a), cmp_answer);
	digest_init(&d, DIGEST_SHA256);
	hash_str(&d, iv->form_hash);
	hash_str(&d, iv->household_key);
	hash_str(&d, store_istatus_name(iv->status));
	hash_str(&d, iv->review_comment);
	for (i = 0; i < n; i++) {
		hash_str(&d, a[i].path);
		hash_str(&d, a[i].value);
		hash_str(&d, store_special_name(a[i].special));
	}
	digest_final(&d, h);
	digest_to_hex(h, 32, hex);
}

/* ---- the two passes ------------------------------------------------------------ */

#define EVENT_FIELDS 12
#define COMMENT_FIELDS 7

/* A form of the bundle with its attached files: checked (pass 1) and stored
 * (pass 2) once the form_files section is behind, since the form's hash
 * covers them (flush_forms). */
struct pform {
	char *hash, *id, *version, *title, *src;
	char src_sha256[65];
	size_t len;
	bool plain; /* hash = SHA-256 of the source: a form without files */
	struct store_form_file *files;
	size_t n_files, cap_files;
};

struct mctx {
	struct merge_target tg;
	bool import;
	bool apply;
	const char *path;
	struct merge_stats *st;
	merge_progress_cb progress;
	void *pctx;
	size_t total, done;
	int lookup_rc;      /* < 0: a target lookup of row_check failed (err set) */
	int format;         /* the bundle's format version */

	struct smap forms;  /* hashes of the bundle's forms */
	struct smap ivs;    /* uuid -> index in iv[] */
	struct smap akeys;  /* assignment keys */
	struct smap pkeys;  /* preload "key\x1fname" (check pass) */
	long last_group;    /* index of the interview whose answers are being read */

	struct merge_check *mc; /* check: the content against its forms */
	/* pass 1 of a bundle the target recorded with this very content: its
	 * bytes are verified again, its interviews are not replayed against
	 * their forms again (they were when it was merged) */
	bool known;

	struct pform *pf;   /* the bundle's forms, in order */
	size_t n_pf, cap_pf;
	bool forms_done;    /* flush_forms has run */

	/* apply */
	struct store_interview *iv;
	size_t n_iv, cap_iv, next_iv;
	int64_t *cur_rev;   /* the target's revision of iv[i] (0: absent), once looked up */
	struct store_answer *ans;
	size_t n_ans, cap_ans;
	struct store_assignment *asg;
	size_t n_asg, cap_asg;
	struct store_field **pre; /* preload per assignment */
	size_t *n_pre;
	bool asg_done;
	struct rowbuf events, comments; /* batches not yet given to the target */
	struct store_event *ev;
	size_t cap_ev;
	struct store_comment *cm;
	size_t cap_cm;
};

/* Whether the target holds the interview (is_iv) or form `key`. A failed
 * lookup counts as "no" and is remembered in c->lookup_rc: on_row then fails
 * with the target's error, not a reference error. */
static bool known(struct mctx *c, bool is_iv, const char *key, struct error *err)
{
	int rc = is_iv ? c->tg.ops->interview_known(c->tg.t, key, err)
		       : c->tg.ops->form_known(c->tg.t, key, err);

	if (rc < 0) {
		c->lookup_rc = rc;
		return true; /* the row is not blamed; on_row reports err */
	}
	return rc > 0;
}

static int bad(struct error *err, const char *zh, const char *en, ...)
	RUHU_PRINTF2(2, 3, 4);
static int bad(struct error *err, const char *zh, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, NULL, zh, en, ap);
	va_end(ap);
	return -1;
}

/* An identifier of the bundle (ruhu/ident.h); NULL passes when `optional`. */
static int bad_ident(const char *v, enum ident_kind kind, bool optional, struct error *err)
{
	if (optional && !v)
		return 0;
	return ident_check(v, kind, err);
}

static int already(const struct merge_target *tg, const struct bundle_manifest *m,
		   struct error *err);

static int on_manifest(void *ctx, const struct bundle_manifest *m, struct error *err)
{
	struct mctx *c = ctx;
	struct error e = ERROR_INIT;

	if (bad_ident(m->device, IDENT_DEVICE, false, err) < 0 ||
	    bad_ident(m->for_device, IDENT_DEVICE, true, err) < 0)
		return -1;

	c->format = m->format;
	c->total = 0;
	for (int i = 0; i < BS_COUNT; i++)
		c->total += m->rows[i];
	if (c->import && m->kind != BUNDLE_RETURN)
		return bad(err, "这是设备数据包，请用 `ruhu merge` 合并",
			   "this is a device bundle: merge it with `ruhu merge`");
	if (!c->import && m->kind != BUNDLE_DEVICE)
		return bad(err, "这是返回数据包，请在设备上用 `ruhu import` 导入",
			   "this is a return bundle: apply it on the device with `ruhu import`");
	if (c->import && strcmp(m->for_device, c->tg.ops->device_id(c->tg.t)))
		return bad(err, "数据包是给设备 '%s' 的，不是本设备 '%s'",
			   "bundle is for device '%s', not this device '%s'", m->for_device,
			   c->tg.ops->device_id(c->tg.t));
	if (!c->import && (m->rows[BS_ASSIGNMENTS] || m->rows[BS_PRELOAD]))
		return bad(err, "设备数据包不应含有样本分配", "a device bundle must not carry assignments");
	/* any other answer (unknown, different content, an error) is left to
	 * the check after pass 1, which reports it as before */
	if (c->mc && already(&c->tg, m, &e) == 1)
		c->known = true;
	error_clear(&e);
	return 0;
}

static void free_answers(struct mctx *c)
{
	size_t i;

	for (i = 0; i < c->n_ans; i++) {
		free(c->ans[i].path);
		free(c->ans[i].value);
	}
	c->n_ans = 0;
}

/* The target's revisions of every interview of the bundle, in one batch. */
static int lookup_revisions(struct mctx *c, struct error *err)
{
	const char **uuids;
	size_t i;
	int rc;

	if (c->cur_rev || !c->n_iv)
		return 0;
	uuids = xcalloc(c->n_iv, sizeof(*uuids));
	c->cur_rev = xcalloc(c->n_iv, sizeof(*c->cur_rev));
	for (i = 0; i < c->n_iv; i++)
		uuids[i] = c->iv[i].uuid;
	rc = c->tg.ops->revisions(c->tg.t, uuids, c->n_iv, c->cur_rev, err);
	free(uuids);
	return rc < 0 ? -1 : 0;
}

/* Decides and applies incoming interview c->iv[i] with its answers c->ans. */
static int apply_interview(struct mctx *c, size_t i, struct error *err)
{
	const struct merge_target_ops *ops = c->tg.ops;
	const struct store_interview *in = &c->iv[i];
	struct store_loaded *cur = NULL;
	char h_in[65], h_cur[65];
	int ret = -1;
	bool take = false;

	/* the revision alone decides most cases; answers and hashes only
	 * matter for an equal revision */
	if (lookup_revisions(c, err) < 0)
		goto done;
	if (!c->cur_rev[i]) {
		take = true;
		c->st->iv_new++;
	} else if (in->revision > c->cur_rev[i]) {
		take = true;
		c->st->iv_updated++;
	} else if (in->revision < c->cur_rev[i]) {
		c->st->iv_unchanged++;
	} else {
		if (ops->load(c->tg.t, in->uuid, &cur, err) < 0)
			goto done;
		content_hash(in, c->ans, c->n_ans, h_in);
		content_hash(&cur->iv, cur->answers, cur->n_answers, h_cur);
		if (!strcmp(h_in, h_cur)) {
			c->st->iv_unchanged++;
		} else {
			int k1 = ops->record_conflict(c->tg.t, &cur->iv, cur->answers, cur->n_answers,
						      h_cur, err);
			int k2 = k1 < 0 ? -1
					: ops->record_conflict(c->tg.t, in, c->ans, c->n_ans, h_in, err);

			if (k2 < 0)
				goto done;
			if (k2 > 0)
				c->st->conflicts++;
			/* the smallest hash holds the row: independent of merge order */
			if (strcmp(h_in, h_cur) < 0) {
				take = true;
				c->st->iv_updated++;
			} else {
				c->st->iv_unchanged++;
			}
		}
	}
	if (take) {
		if (ops->put_interview(c->tg.t, in, c->ans, c->n_ans, err) < 0)
			goto done;
		if (ops->record_duplicates(c->tg.t, in->uuid, in->household_key, &c->st->duplicates,
					   err) < 0)
			goto done;
	}
	ret = 0;
done:
	store_loaded_free(cur);
	free_answers(c);
	return ret;
}

/* Applies the interviews up to (not including) index `upto` that are still
 * pending; the last of them gets the answers collected in c->ans. */
static int flush_interviews(struct mctx *c, size_t upto, struct error *err)
{
	while (c->next_iv < upto) {
		size_t i = c->next_iv++;

		if (c->last_group != (long)i)
			free_answers(c);
		if (apply_interview(c, i, err) < 0)
			return -1;
	}
	return 0;
}

static int flush_assignments(struct mctx *c, struct error *err)
{
	size_t i;

	if (c->asg_done)
		return 0;
	c->asg_done = true;
	if (!c->n_asg)
		return 0;
	for (i = 0; i < c->n_asg; i++) {
		c->asg[i].preload = c->pre[i];
		c->asg[i].n_preload = c->n_pre[i];
	}
	if (c->tg.ops->put_assignments(c->tg.t, c->asg, c->n_asg, err) < 0)
		return -1;
	c->st->assignments += c->n_asg;
	return 0;
}

/* Gives the batched events to the target. */
static int flush_events(struct mctx *c, struct error *err)
{
	struct rowbuf *r = &c->events;
	size_t counts[MERGE_EVENT_NOUTCOMES] = {0};
	size_t i;
	int64_t v = 0;

	if (!r->rows)
		return 0;
	XGROW(c->ev, c->cap_ev, r->rows);
	for (i = 0; i < r->rows; i++) {
		struct store_event *ev = &c->ev[i];

		memset(ev, 0, sizeof(*ev));
		ev->device = rowbuf_field(r, i, EVENT_FIELDS, 0);
		parse_i64(rowbuf_field(r, i, EVENT_FIELDS, 1), &ev->seq);
		ev->interview = rowbuf_field(r, i, EVENT_FIELDS, 2);
		parse_i64(rowbuf_field(r, i, EVENT_FIELDS, 3), &v);
		ev->time = v;
		ev->kind = rowbuf_field(r, i, EVENT_FIELDS, 4);
		ev->actor = rowbuf_field(r, i, EVENT_FIELDS, 5);
		ev->path = rowbuf_field(r, i, EVENT_FIELDS, 6);
		ev->old_value = rowbuf_field(r, i, EVENT_FIELDS, 7);
		ev->new_value = rowbuf_field(r, i, EVENT_FIELDS, 8);
		ev->old_special = (enum store_special)store_special_parse(rowbuf_field(r, i, EVENT_FIELDS, 9));
		ev->new_special =
			(enum store_special)store_special_parse(rowbuf_field(r, i, EVENT_FIELDS, 10));
		ev->extra = rowbuf_field(r, i, EVENT_FIELDS, 11);
	}
	if (c->tg.ops->put_events(c->tg.t, c->ev, r->rows, counts, err) < 0)
		return -1;
	c->st->events_known += counts[MERGE_EVENT_KNOWN];
	c->st->events_new += counts[MERGE_EVENT_NEW];
	c->st->events_clash += counts[MERGE_EVENT_CLASH];
	rowbuf_reset(r);
	return 0;
}

/* Gives the batched comments to the target. */
static int flush_comments(struct mctx *c, struct error *err)
{
	struct rowbuf *r = &c->comments;
	size_t i;
	int64_t v = 0;

	if (!r->rows)
		return 0;
	XGROW(c->cm, c->cap_cm, r->rows);
	for (i = 0; i < r->rows; i++) {
		struct store_comment *cm = &c->cm[i];

		memset(cm, 0, sizeof(*cm));
		cm->uuid = rowbuf_field(r, i, COMMENT_FIELDS, 0);
		cm->interview = rowbuf_field(r, i, COMMENT_FIELDS, 1);
		cm->path = rowbuf_field(r, i, COMMENT_FIELDS, 2);
		cm->author = rowbuf_field(r, i, COMMENT_FIELDS, 3);
		cm->text = rowbuf_field(r, i, COMMENT_FIELDS, 4);
		parse_i64(rowbuf_field(r, i, COMMENT_FIELDS, 5), &v);
		cm->time = v;
		cm->device = rowbuf_field(r, i, COMMENT_FIELDS, 6);
	}
	if (c->tg.ops->put_comments(c->tg.t, c->cm, r->rows, &c->st->comments_new, err) < 0)
		return -1;
	rowbuf_reset(r);
	return 0;
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The store's one value limit (merge_check_value), checked before anything
 * is written so that a bundle is refused whole, naming the field. */
static int too_long(const char *v, const char *name, struct error *err)
{
	return merge_check_value(name, v, err);
}

static struct pform *pform_add(struct mctx *c, const char *const *f)
{
	struct pform *p;

	XGROW(c->pf, c->cap_pf, c->n_pf + 1);
	p = &c->pf[c->n_pf++];
	memset(p, 0, sizeof(*p));
	p->id = dup0(f[0]);
	p->version = dup0(f[1]);
	p->hash = xstrdup(f[2]);
	p->title = dup0(f[3]);
	p->len = strlen(f[4]);
	p->src = xstrdup(f[4]);
	digest_sha256_hex(p->src, p->len, p->src_sha256);
	p->plain = !strcmp(p->src_sha256, p->hash);
	return p;
}

static struct pform *pform_find(struct mctx *c, const char *hash)
{
	size_t i;

	for (i = 0; hash && i < c->n_pf; i++)
		if (!strcmp(c->pf[i].hash, hash))
			return &c->pf[i];
	return NULL;
}

static void pform_file_add(struct pform *p, const char *name, const char *data)
{
	struct store_form_file *ff;
	size_t len = strlen(data);
	char *d = xmalloc(len + 1);

	memcpy(d, data, len + 1);
	XGROW(p->files, p->cap_files, p->n_files + 1);
	ff = &p->files[p->n_files++];
	ff->name = xstrdup(name);
	ff->data = d;
	ff->len = len;
}

static void pforms_release(struct mctx *c)
{
	size_t i;

	for (i = 0; i < c->n_pf; i++) {
		struct pform *p = &c->pf[i];

		free(p->hash);
		free(p->id);
		free(p->version);
		free(p->title);
		free(p->src);
		store_form_files_free(p->files, p->n_files);
	}
	free(c->pf);
	c->pf = NULL;
	c->n_pf = c->cap_pf = 0;
	c->forms_done = false;
}

/* An attached file row (form_hash, name, sha256, data) of pass 1: the file of
 * a form of the bundle whose hash is not its source's alone, a plain name
 * given once, within the store's limit, its bytes matching its digest. */
static int file_check(struct mctx *c, const char *const *f, struct error *err)
{
	struct pform *p = pform_find(c, f[0]);
	const char *id;
	char hex[65];
	size_t i, len = strlen(f[3]);

	if (!p)
		return bad(err, "附带文件 '%s' 不属于数据包中的表单",
			   "attached file '%s' belongs to no form of the bundle", f[1]);
	id = p->id ? p->id : "";
	if (p->plain)
		return bad(err, "表单 '%s' 的哈希不含附带文件，数据包却带有 '%s'",
			   "form '%s' has a hash that covers no attached files, yet the bundle "
			   "carries '%s'",
			   id, f[1]);
	if (ident_check(f[1], IDENT_FORM, NULL) != 0 || f[1][0] == '.')
		return bad(err, "表单 '%s' 的附带文件名 '%s' 无效",
			   "form '%s' attached file name '%s' is not a plain file name", id, f[1]);
	for (i = 0; i < p->n_files; i++)
		if (!strcmp(p->files[i].name, f[1]))
			return bad(err, "表单 '%s' 的附带文件 '%s' 出现两次",
				   "form '%s' attached file '%s' appears twice", id, f[1]);
	if (len > STORE_FILE_MAX)
		return bad(err, "表单 '%s' 的附带文件 '%s' 太大（%zu 字节，最多 %zu）",
			   "form '%s' attached file '%s' too large (%zu bytes, at most %zu)", id,
			   f[1], len, STORE_FILE_MAX);
	digest_sha256_hex(f[3], len, hex);
	if (strcmp(hex, f[2]))
		return bad(err, "表单 '%s' 的附带文件 '%s' 与其哈希不符",
			   "form '%s' attached file '%s' does not match its digest", id, f[1]);
	pform_file_add(p, f[1], f[3]);
	return 0;
}

/*
 * Once the forms and their files are read: pass 1 checks each form's hash
 * against its source and files and loads it as `ruhu check` does (a form
 * without files was checked at its row); pass 2 stores each with its files.
 */
static int flush_forms(struct mctx *c, struct error *err)
{
	size_t i;

	if (c->forms_done)
		return 0;
	c->forms_done = true;
	for (i = 0; i < c->n_pf; i++) {
		struct pform *p = &c->pf[i];
		struct digest_named *dn;
		char (*fh)[65];
		char hex[65];
		size_t k;

		if (c->apply) {
			if (c->tg.ops->put_form(c->tg.t, p->hash, p->id, p->version, p->title, p->src,
						p->len, p->files, p->n_files, err) < 0)
				return -1;
			continue;
		}
		if (p->plain)
			continue;
		/* each file's digest, checked against its bytes by file_check */
		dn = xcalloc(p->n_files ? p->n_files : 1, sizeof(*dn));
		fh = xcalloc(p->n_files ? p->n_files : 1, sizeof(*fh));
		for (k = 0; k < p->n_files; k++) {
			digest_sha256_hex(p->files[k].data, p->files[k].len, fh[k]);
			dn[k].name = p->files[k].name;
			dn[k].sha256_hex = fh[k];
		}
		digest_form_hash(p->src_sha256, dn, p->n_files, hex);
		free(fh);
		free(dn);
		if (strcmp(hex, p->hash))
			return bad(err,
				   p->n_files ? "表单 '%s' 的源文件和附带文件与其哈希不符"
					      : "表单 '%s' 的源文件与其哈希不符",
				   p->n_files ? "form '%s' source and attached files do not match "
						"its hash"
					      : "form '%s' source does not match its hash",
				   p->id ? p->id : "");
		if (merge_check_form(c->mc, p->hash, p->id, p->src, p->len, p->files, p->n_files,
				     err) < 0)
			return -1;
	}
	return 0;
}

static int row_check(struct mctx *c, enum bundle_section sec, const char *const *f,
		     struct error *err)
{
	int64_t v = 0;
	long k;
	int rc;

	switch (sec) {
	case BS_FORMS: {
		struct pform *p;

		p = pform_find(c, f[2]);
		if (p && !strcmp(p->src, f[4]))
			return 0; /* the same form twice: checked once */
		if (p)
			return bad(err, "表单 '%s' 的源文件与其哈希不符",
				   "form '%s' source does not match its hash", f[0] ? f[0] : "");
		if (f[0] && *f[0] && bad_ident(f[0], IDENT_FORM, false, err) < 0)
			return -1;
		p = pform_add(c, f);
		smap_put(&c->forms, f[2], 0);
		/* a form whose hash is not its source's has attached files: it is
		 * checked with them (flush_forms); in a format 1 bundle it has none */
		if (!p->plain && c->format < 2)
			return bad(err, "表单 '%s' 的源文件与其哈希不符",
				   "form '%s' source does not match its hash", f[0]);
		/* a form a team database keeps must load as `ruhu check` loads it */
		if (p->plain && merge_check_form(c->mc, f[2], f[0], p->src, p->len, NULL, 0, err) < 0)
			return -1;
		return 0;
	}
	case BS_FORM_FILES:
		return file_check(c, f, err);
	case BS_ASSIGNMENTS:
		if (!f[0] || !*f[0])
			return bad(err, "户编号为空", "empty household_key");
		if (bad_ident(f[0], IDENT_HOUSEHOLD, false, err) < 0 ||
		    bad_ident(f[6], IDENT_ENUMERATOR, true, err) < 0 ||
		    bad_ident(f[7], IDENT_DEVICE, true, err) < 0)
			return -1;
		for (const char *p = f[0]; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return bad(err, "户编号 '%s' 含有控制字符",
					   "household_key '%s' holds a control character", f[0]);
		if (smap_put(&c->akeys, f[0], 0) < 0)
			return bad(err, "户编号 '%s' 重复", "household_key '%s' repeated", f[0]);
		return 0;
	case BS_PRELOAD:
		if (!f[0] || smap_get(&c->akeys, f[0]) < 0)
			return bad(err, "预填字段属于未分配的户 '%s'",
				   "preload field for unassigned household '%s'", f[0] ? f[0] : "");
		if (!f[1] || !*f[1] || !f[2])
			return bad(err, "预填字段名或值为空", "empty preload field name or value");
		if (too_long(f[2], f[1], err) < 0)
			return -1;
		{
			struct strbuf pk = STRBUF_INIT;
			int dup;

			/* the store refuses a field given twice: refuse it before writing */
			strbuf_addf(&pk, "%s\x1f%s", f[0], f[1]);
			dup = smap_put(&c->pkeys, pk.buf, 0);
			strbuf_release(&pk);
			if (dup < 0)
				return bad(err, "户 '%2$s' 的预填字段 '%1$s' 重复",
					   "preload field '%s' of household '%s' given twice", f[1], f[0]);
		}
		return 0;
	case BS_INTERVIEWS:
		if (!f[0] || !*f[0] || strlen(f[0]) > STORE_ID_LEN)
			return bad(err, "访谈 UUID '%s' 无效", "invalid interview uuid '%s'",
				   f[0] ? f[0] : "");
		if (!f[1] || (smap_get(&c->forms, f[1]) < 0 && !known(c, false, f[1], err)))
			return bad(err, "访谈 '%s' 使用的表单 '%s' 不在数据包或数据库中",
				   "interview '%s' uses form '%s', which is neither in the bundle "
				   "nor in the database",
				   f[0], f[1] ? f[1] : "");
		if (!f[4] || !*f[4])
			return bad(err, "访谈 '%s' 缺少设备", "interview '%s' lacks its device", f[0]);
		if (bad_ident(f[4], IDENT_DEVICE, false, err) < 0 ||
		    bad_ident(f[2], IDENT_HOUSEHOLD, true, err) < 0 ||
		    bad_ident(f[3], IDENT_ENUMERATOR, true, err) < 0)
			return -1;
		if (store_istatus_parse(f[5]) < 0)
			return bad(err, "未知的访谈状态 '%s'", "unknown interview status '%s'",
				   f[5] ? f[5] : "");
		if (parse_i64(f[6], &v) < 0 || v < 1)
			return bad(err, "版本号 '%s' 无效", "invalid revision '%s'", f[6] ? f[6] : "");
		if (parse_i64(f[7], &v) < 0 || parse_i64(f[8], &v) < 0)
			return bad(err, "时间无效", "invalid time");
		if (too_long(f[9], "position", err) < 0 || too_long(f[10], "review_comment", err) < 0)
			return -1;
		if (smap_get(&c->ivs, f[0]) >= 0)
			return bad(err, "访谈 '%s' 重复", "interview '%s' repeated", f[0]);
		rc = c->known ? 0
			      : merge_check_interview(c->mc, c->ivs.n, f[0], f[1],
						      store_istatus_parse(f[5]) != STORE_IN_PROGRESS,
						      err);
		if (rc < 0) {
			if (rc == -2)
				c->lookup_rc = -1; /* the target's error */
			return -1;
		}
		smap_put(&c->ivs, f[0], c->ivs.n);
		return 0;
	case BS_ANSWERS:
		k = f[0] ? smap_get(&c->ivs, f[0]) : -1;
		if (k < 0)
			return bad(err, "答案属于不在数据包中的访谈 '%s'",
				   "answer of interview '%s', which is not in the bundle",
				   f[0] ? f[0] : "");
		if (k < c->last_group)
			return bad(err, "访谈 '%s' 的答案未按访谈顺序连续排列",
				   "answers of interview '%s' are not grouped in interview order", f[0]);
		c->last_group = k;
		if (!f[1] || !*f[1])
			return bad(err, "答案路径为空", "empty answer path");
		if (store_special_parse(f[3]) < 0)
			return bad(err, "未知的特殊值 '%s'", "unknown special value '%s'", f[3]);
		if (f[3] && f[2])
			return bad(err, "答案 '%s' 同时有值和特殊值",
				   "answer '%s' has both a value and a special value", f[1]);
		if (too_long(f[2], f[1], err) < 0)
			return -1;
		if (!c->known)
			merge_check_answer(c->mc, (size_t)k, f[1], f[2],
					   store_special_parse(f[3]));
		return 0;
	case BS_EVENTS:
		if (!f[0] || !*f[0] || parse_i64(f[1], &v) < 0 || v < 1)
			return bad(err, "事件的设备或序号无效", "event has an invalid device or seq");
		if (bad_ident(f[0], IDENT_DEVICE, false, err) < 0)
			return -1;
		if (parse_i64(f[3], &v) < 0)
			return bad(err, "事件时间无效", "invalid event time");
		if (!f[4] || !*f[4])
			return bad(err, "事件类型为空", "empty event kind");
		if (!store_event_kind_valid(f[4]))
			return bad(err, "事件类型 '%s' 无效", "invalid event kind '%s'", f[4]);
		if (store_special_parse(f[9]) < 0 || store_special_parse(f[10]) < 0)
			return bad(err, "事件的特殊值无效", "invalid special value in event");
		if (too_long(f[7], "old_value", err) < 0 || too_long(f[8], "new_value", err) < 0 ||
		    too_long(f[11], "extra", err) < 0)
			return -1;
		if (f[2] && smap_get(&c->ivs, f[2]) < 0 && !known(c, true, f[2], err))
			return bad(err, "事件属于未知的访谈 '%s'", "event of unknown interview '%s'",
				   f[2]);
		return 0;
	case BS_COMMENTS:
		if (!f[0] || !*f[0] || !f[4] || !f[6] || !*f[6])
			return bad(err, "批注缺少 uuid、文字或设备",
				   "comment lacks its uuid, text or device");
		if (bad_ident(f[6], IDENT_DEVICE, false, err) < 0 || too_long(f[4], "text", err) < 0)
			return -1;
		if (parse_i64(f[5], &v) < 0)
			return bad(err, "批注时间无效", "invalid comment time");
		if (!f[1] || (smap_get(&c->ivs, f[1]) < 0 && !known(c, true, f[1], err)))
			return bad(err, "批注属于未知的访谈 '%s'", "comment on unknown interview '%s'",
				   f[1] ? f[1] : "");
		return 0;
	default:
		return 0;
	}
}

static int row_apply(struct mctx *c, enum bundle_section sec, const char *const *f,
		     struct error *err)
{
	if (sec > BS_PRELOAD && flush_assignments(c, err) < 0)
		return -1;
	if (sec > BS_ANSWERS && flush_interviews(c, c->n_iv, err) < 0)
		return -1;
	if (sec > BS_EVENTS && flush_events(c, err) < 0)
		return -1;
	switch (sec) {
	case BS_FORMS:
		pform_add(c, f); /* stored with its files by flush_forms */
		return 0;
	case BS_FORM_FILES:
		pform_file_add(pform_find(c, f[0]), f[1], f[3]);
		return 0;
	case BS_ASSIGNMENTS: {
		struct store_assignment *a;

		XGROW(c->asg, c->cap_asg, c->n_asg + 1);
		c->pre = xrealloc(c->pre, c->cap_asg * sizeof(*c->pre));
		c->n_pre = xrealloc(c->n_pre, c->cap_asg * sizeof(*c->n_pre));
		a = &c->asg[c->n_asg];
		memset(a, 0, sizeof(*a));
		a->household_key = xstrdup(f[0]);
		a->county = dup0(f[1]);
		a->township = dup0(f[2]);
		a->village = dup0(f[3]);
		a->household_type = dup0(f[4]);
		a->head_name = dup0(f[5]);
		a->enumerator = dup0(f[6]);
		a->device = dup0(f[7]);
		c->pre[c->n_asg] = NULL;
		c->n_pre[c->n_asg] = 0;
		smap_put(&c->akeys, f[0], c->n_asg);
		c->n_asg++;
		return 0;
	}
	case BS_PRELOAD: {
		long k = smap_get(&c->akeys, f[0]);
		struct store_field *p;

		c->pre[k] = xrealloc(c->pre[k], (c->n_pre[k] + 1) * sizeof(struct store_field));
		p = &c->pre[k][c->n_pre[k]++];
		p->name = xstrdup(f[1]);
		p->value = xstrdup(f[2]);
		return 0;
	}
	case BS_INTERVIEWS: {
		struct store_interview *iv;

		XGROW(c->iv, c->cap_iv, c->n_iv + 1);
		iv = &c->iv[c->n_iv++];
		memset(iv, 0, sizeof(*iv));
		snprintf(iv->uuid, sizeof(iv->uuid), "%s", f[0]);
		iv->form_hash = xstrdup(f[1]);
		iv->household_key = dup0(f[2]);
		iv->enumerator = dup0(f[3]);
		iv->device = xstrdup(f[4]);
		iv->status = (enum store_istatus)store_istatus_parse(f[5]);
		parse_i64(f[6], &iv->revision);
		parse_i64(f[7], &iv->created);
		parse_i64(f[8], &iv->updated);
		iv->position = dup0(f[9]);
		iv->review_comment = dup0(f[10]);
		smap_put(&c->ivs, f[0], c->n_iv - 1);
		return 0;
	}
	case BS_ANSWERS: {
		long k = smap_get(&c->ivs, f[0]);
		struct store_answer *a;

		if (k != c->last_group) {
			/* interviews before k (without answers, or the previous
			 * group) are complete now */
			if (flush_interviews(c, (size_t)k, err) < 0)
				return -1;
			free_answers(c);
			c->last_group = k;
		}
		XGROW(c->ans, c->cap_ans, c->n_ans + 1);
		a = &c->ans[c->n_ans++];
		a->path = xstrdup(f[1]);
		a->value = dup0(f[2]);
		a->special = (enum store_special)store_special_parse(f[3]);
		c->st->answers++;
		return 0;
	}
	case BS_EVENTS:
		rowbuf_add(&c->events, f, EVENT_FIELDS);
		return c->events.rows < MERGE_BATCH ? 0 : flush_events(c, err);
	case BS_COMMENTS:
		rowbuf_add(&c->comments, f, COMMENT_FIELDS);
		return c->comments.rows < MERGE_BATCH ? 0 : flush_comments(c, err);
	default:
		return 0;
	}
}

static int on_row(void *ctx, enum bundle_section sec, size_t row, const char *const *f,
		  size_t n, struct error *err)
{
	struct mctx *c = ctx;
	int rc;

	/* the forms are complete (with their files) before anything uses them */
	if (sec > BS_FORM_FILES && !c->forms_done && flush_forms(c, err) < 0)
		return BUNDLE_STOP_NOT_ROW;
	rc = c->apply ? row_apply(c, sec, f, err) : row_check(c, sec, f, err);

	/* the target's own faults (disk full, a lock) are not the row's: every
	 * fault of the apply pass is the target's, since pass 1 checked rows */
	if (c->lookup_rc < 0)
		return BUNDLE_STOP_NOT_ROW; /* the target's error, already in err */
	if (rc < 0)
		return c->apply ? BUNDLE_STOP_NOT_ROW : -1;
	c->done++;
	if (c->apply)
		c->st->rows++;
	if (c->progress && c->done % 8192 == 0)
		c->progress(c->pctx, c->done, c->total);
	return 0;
}

static void mctx_release(struct mctx *c)
{
	size_t i, j;

	smap_free(&c->forms);
	smap_free(&c->ivs);
	smap_free(&c->akeys);
	smap_free(&c->pkeys);
	free_answers(c);
	free(c->ans);
	c->ans = NULL;
	c->cap_ans = 0;
	for (i = 0; i < c->n_iv; i++)
		store_interview_release(&c->iv[i]);
	free(c->iv);
	c->iv = NULL;
	c->n_iv = c->cap_iv = c->next_iv = 0;
	free(c->cur_rev);
	c->cur_rev = NULL;
	for (i = 0; i < c->n_asg; i++) {
		struct store_assignment *a = &c->asg[i];

		free((char *)a->household_key);
		free((char *)a->county);
		free((char *)a->township);
		free((char *)a->village);
		free((char *)a->household_type);
		free((char *)a->head_name);
		free((char *)a->enumerator);
		free((char *)a->device);
		for (j = 0; j < c->n_pre[i]; j++) {
			free((char *)c->pre[i][j].name);
			free((char *)c->pre[i][j].value);
		}
		free(c->pre[i]);
	}
	free(c->asg);
	free(c->pre);
	free(c->n_pre);
	c->asg = NULL;
	c->pre = NULL;
	c->n_pre = NULL;
	c->n_asg = c->cap_asg = 0;
	rowbuf_release(&c->events);
	rowbuf_release(&c->comments);
	free(c->ev);
	free(c->cm);
	c->ev = NULL;
	c->cm = NULL;
	c->cap_ev = c->cap_cm = 0;
	merge_check_free(c->mc);
	c->mc = NULL;
	pforms_release(c);
	c->last_group = -1;
	c->asg_done = false;
	c->done = 0;
	c->lookup_rc = 0;
}

static struct store_bundle_key bundle_key(const struct bundle_manifest *m)
{
	struct store_bundle_key k;

	k.device = m->device;
	k.kind = m->kind == BUNDLE_RETURN ? STORE_BUNDLE_RETURN : STORE_BUNDLE_DEVICE;
	k.for_device = m->for_device ? m->for_device : "";
	k.sequence = m->sequence;
	return k;
}

/* 1 when the bundle is recorded with the same content, 0 when unknown, -1 when
 * recorded with different content or on error (err set). */
static int already(const struct merge_target *tg, const struct bundle_manifest *m,
		   struct error *err)
{
	struct store_bundle_key k = bundle_key(m);
	char *sha = NULL;
	int rc = tg->ops->bundle_applied(tg->t, &k, &sha, err);

	if (rc < 0)
		return -1;
	if (rc > 0 && strcmp(sha ? sha : "", m->content_sha256)) {
		error_set(err, NULL, "设备 '%s' 的第 %lld 号数据包已合并过，但内容不同",
			  "bundle %2$lld of device '%1$s' was merged before with different content",
			  m->device, m->sequence);
		rc = -1;
	}
	free(sha);
	return rc;
}

static int record_bundle(struct mctx *c, const struct bundle_manifest *m, struct error *err)
{
	struct store_bundle_record r;

	memset(&r, 0, sizeof(r));
	r.key = bundle_key(m);
	r.content_sha256 = m->content_sha256;
	r.created = m->created;
	r.file = c->path;
	r.iv_new = c->st->iv_new;
	r.iv_updated = c->st->iv_updated;
	r.iv_unchanged = c->st->iv_unchanged;
	r.conflicts = c->st->conflicts;
	r.duplicates = c->st->duplicates;
	return c->tg.ops->record_bundle(c->tg.t, &r, err) < 0 ? -1 : 0;
}

int merge_bundle_into(const struct merge_target *tg, const char *path, bool import,
		      struct merge_stats *st, merge_progress_cb progress, void *pctx,
		      struct error *err)
{
	return merge_bundle_hooked(tg, path, import, NULL, st, progress, pctx, err);
}

int merge_bundle_hooked(const struct merge_target *tg, const char *path, bool import,
			const struct merge_hook *h, struct merge_stats *st,
			merge_progress_cb progress, void *pctx, struct error *err)
{
	static const struct bundle_visitor visitor = {on_manifest, on_row};
	struct bundle_manifest *m = NULL;
	struct mctx c;
	char *data = NULL;
	size_t len = 0;
	bool tx = false;
	int ret = -1, rc;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.tg = *tg;
	c.import = import;
	c.path = path;
	c.st = st;
	c.progress = progress;
	c.pctx = pctx;
	c.last_group = -1;
	/* pass 1: verify everything, write nothing, streaming the file (64 KiB
	 * at a time: whatever the file, refusing it costs little memory) */
	c.mc = merge_check_new(tg);
	if ((h && h->data ? bundle_read_buffer(path, h->data, h->len, &visitor, &c, &m, err)
			  : bundle_read_file(path, &visitor, &c, &m, err)) < 0)
		goto done;
	if (h && h->manifest && h->manifest(h->ctx, m, err) < 0)
		goto done;
	if (flush_forms(&c, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	/* the interviews after the last group of answers; the first interview
	 * its form does not allow refuses the bundle */
	if (merge_check_finish(c.mc, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	rc = already(tg, m, err);
	if (rc < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (rc > 0) {
		ret = MERGE_ALREADY;
		goto done;
	}
	mctx_release(&c);
	/* the verified file, into memory for pass 2, which must see exactly the
	 * bytes pass 1 verified: same RH digest, and the bytes hash to it */
	if (h && h->data) {
		data = xmalloc(h->len);
		memcpy(data, h->data, h->len);
		len = h->len;
	} else if (bundle_load_file(path, &data, &len, err) < 0 ||
		   bundle_check_same(path, data, len, m->file_sha256, err) < 0) {
		goto done;
	}
	/* pass 2: apply in the target's one transaction */
	if (tg->ops->begin(tg->t, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	tx = true;
	/* Asked again now that the transaction holds the write lock: another
	 * merge of the same bundle may have committed since the question above.
	 * Then this merge is a re-merge like any other, not a failure. */
	rc = already(tg, m, err);
	if (rc < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (rc > 0) {
		ret = MERGE_ALREADY;
		goto done;
	}
	bundle_manifest_free(m);
	m = NULL;
	c.apply = true;
	if (bundle_reread_buffer(path, data, len, &visitor, &c, &m, err) < 0)
		goto done;
	if (flush_forms(&c, err) < 0 || flush_assignments(&c, err) < 0 ||
	    flush_interviews(&c, c.n_iv, err) < 0 ||
	    flush_events(&c, err) < 0 || flush_comments(&c, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	if (record_bundle(&c, m, err) < 0 || (h && h->record && h->record(h->ctx, err) < 0)) {
		error_prefix(err, path);
		goto done;
	}
	if (progress)
		progress(pctx, c.done, c.total);
	mctx_release(&c);
	tx = false;
	if (tg->ops->commit(tg->t, err) < 0) {
		error_prefix(err, path);
		goto done;
	}
	ret = MERGE_APPLIED;
done:
	if (tx)
		tg->ops->rollback(tg->t);
	mctx_release(&c);
	bundle_manifest_free(m);
	free(data);
	return ret;
}

int merge_bundle(struct store *s, const char *path, bool import, struct merge_stats *st,
		 merge_progress_cb progress, void *pctx, struct error *err)
{
	struct merge_target tg = store_merge_target(s);

	return merge_bundle_into(&tg, path, import, st, progress, pctx, err);
}
