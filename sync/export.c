/*
 * export — writes device bundles (`ruhu export`) and return bundles
 * (`ruhu export --for DEVICE`) from a database. See include/ruhu/merge.h.
 *
 * Invariants: the change counter is read before any interview, inside one
 * read transaction (a consistent snapshot), so a change made during the
 * export is either in this bundle or has a higher change_seq and goes into
 * the next one (store_snapshot_begin). The sequence number is reserved first
 * (store_export_reserve: sync_export state 'pending'), so a name is never used twice even when an export is killed
 * after its rename; the export counts as done (and moves the "since" mark of
 * the next incremental export) only after bundle_writer_save() returned,
 * i.e. after the file and its folder were fsync'd.
 */
#include "ruhu/merge.h"

#include "ruhu/digest.h"
#include "ruhu/ident.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ex {
	struct store *s;
	struct bundle_writer *w;
	const char *target;      /* return bundles: the device */
	struct store_interview *iv;
	size_t n_iv, cap_iv;
	char **forms;
	size_t n_forms, cap_forms;
	struct export_result *res;
};

static void i64s(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%" PRId64, v);
}

static int take_iv(void *ctx, const struct store_interview *iv)
{
	struct ex *x = ctx;
	struct store_interview *c;

	if (x->target && (iv->status != STORE_REJECTED || !iv->device || strcmp(iv->device, x->target)))
		return 0;
	XGROW(x->iv, x->cap_iv, x->n_iv + 1);
	c = &x->iv[x->n_iv++];
	*c = *iv;
	c->form_hash = xstrdup(iv->form_hash);
	c->household_key = iv->household_key ? xstrdup(iv->household_key) : NULL;
	c->enumerator = iv->enumerator ? xstrdup(iv->enumerator) : NULL;
	c->device = iv->device ? xstrdup(iv->device) : NULL;
	c->review_comment = iv->review_comment ? xstrdup(iv->review_comment) : NULL;
	c->position = iv->position ? xstrdup(iv->position) : NULL;
	return 0;
}

struct uctx {
	struct ex *x;
	const char *uuid;
};

static int put_answer(void *ctx, const struct store_answer *a)
{
	struct uctx *u = ctx;
	const char *f[4] = {u->uuid, a->path, a->value, store_special_name(a->special)};

	bundle_writer_row(u->x->w, BS_ANSWERS, f);
	u->x->res->answers++;
	return 0;
}

static int put_event(void *ctx, const struct store_event *e)
{
	struct uctx *u = ctx;
	char seq[24], t[24];
	const char *f[12];

	i64s(seq, sizeof(seq), e->seq);
	i64s(t, sizeof(t), e->time);
	f[0] = e->device;
	f[1] = seq;
	f[2] = e->interview;
	f[3] = t;
	f[4] = e->kind;
	f[5] = e->actor;
	f[6] = e->path;
	f[7] = e->old_value;
	f[8] = e->new_value;
	f[9] = store_special_name(e->old_special);
	f[10] = store_special_name(e->new_special);
	f[11] = e->extra;
	bundle_writer_row(u->x->w, BS_EVENTS, f);
	u->x->res->events++;
	return 0;
}

static int put_comment(void *ctx, const struct store_comment *c)
{
	struct uctx *u = ctx;
	char t[24];
	const char *f[7];

	i64s(t, sizeof(t), c->time);
	f[0] = c->uuid;
	f[1] = c->interview;
	f[2] = c->path;
	f[3] = c->author;
	f[4] = c->text;
	f[5] = t;
	f[6] = c->device;
	bundle_writer_row(u->x->w, BS_COMMENTS, f);
	u->x->res->comments++;
	return 0;
}

static void want_form(struct ex *x, const char *hash)
{
	size_t i;

	for (i = 0; i < x->n_forms; i++)
		if (!strcmp(x->forms[i], hash))
			return;
	XGROW(x->forms, x->cap_forms, x->n_forms + 1);
	x->forms[x->n_forms++] = xstrdup(hash);
}

/* The attached files of form `hash` as rows of form_files (which makes the
 * bundle format 2; a form without files adds none). */
static int put_form_files(struct ex *x, const char *hash, const char *form_id,
			  struct error *err)
{
	struct store_form_file *ff = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (store_form_files(x->s, hash, &ff, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char hex[65];
		const char *f[4];

		if (strlen(ff[i].data) != ff[i].len) {
			error_set(err, store_path(x->s), "表单 '%s' 的附带文件 '%s' 含有 NUL 字节",
				  "form '%s' attached file '%s' holds a NUL byte", form_id,
				  ff[i].name);
			goto done;
		}
		digest_sha256_hex(ff[i].data, ff[i].len, hex);
		f[0] = hash;
		f[1] = ff[i].name;
		f[2] = hex;
		f[3] = ff[i].data;
		bundle_writer_row(x->w, BS_FORM_FILES, f);
	}
	ret = 0;
done:
	store_form_files_free(ff, n);
	return ret;
}

static int put_forms(struct ex *x, bool all, struct error *err)
{
	struct store_form_info *fi = NULL;
	size_t n = 0, i, j;
	int ret = -1;

	if (store_form_list(x->s, &fi, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char *src = NULL;
		size_t len;
		bool used = all;
		const char *f[5];

		for (j = 0; !used && j < x->n_forms; j++)
			used = !strcmp(x->forms[j], fi[i].hash);
		if (!used)
			continue;
		if (store_form_source(x->s, fi[i].hash, &src, &len, err) < 0)
			goto done;
		if (strlen(src) != len) {
			free(src);
			error_set(err, store_path(x->s), "表单 '%s' 的源文件含有 NUL 字节",
				  "form '%s' source holds a NUL byte", fi[i].form_id);
			goto done;
		}
		f[0] = fi[i].form_id;
		f[1] = fi[i].version;
		f[2] = fi[i].hash;
		f[3] = fi[i].title;
		f[4] = src;
		bundle_writer_row(x->w, BS_FORMS, f);
		free(src);
		if (put_form_files(x, fi[i].hash, fi[i].form_id, err) < 0)
			goto done;
	}
	ret = 0;
done:
	store_form_info_free(fi, n);
	return ret;
}

static int put_assignments(struct ex *x, struct error *err)
{
	struct store_assignment_row *a = NULL;
	size_t n = 0, i, j;
	int ret = -1;

	if (store_assignment_list(x->s, NULL, &a, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct store_field *pf = NULL;
		size_t np = 0;
		const char *f[8];

		if (!a[i].device || strcmp(a[i].device, x->target))
			continue;
		f[0] = a[i].household_key;
		f[1] = a[i].county;
		f[2] = a[i].township;
		f[3] = a[i].village;
		f[4] = a[i].household_type;
		f[5] = a[i].head_name;
		f[6] = a[i].enumerator;
		f[7] = a[i].device;
		bundle_writer_row(x->w, BS_ASSIGNMENTS, f);
		x->res->assignments++;
		if (store_assignment_preload(x->s, a[i].household_key, &pf, &np, err) < 0)
			goto done;
		for (j = 0; j < np; j++) {
			const char *p[3] = {a[i].household_key, pf[j].name, pf[j].value};
			bundle_writer_row(x->w, BS_PRELOAD, p);
		}
		store_fields_free(pf, np);
	}
	ret = 0;
done:
	store_assignment_rows_free(a, n);
	return ret;
}

void export_result_release(struct export_result *res)
{
	if (!res)
		return;
	free(res->path);
	memset(res, 0, sizeof(*res));
}

int export_bundle(struct store *s, const struct export_opts *o, struct export_result *res,
		  struct error *err)
{
	return export_bundle_sealed(s, o, NULL, NULL, res, err);
}

int export_bundle_sealed(struct store *s, const struct export_opts *o, export_seal_fn seal,
			 void *seal_ctx, struct export_result *res, struct error *err)
{
	struct ex x;
	const char *kind = o->for_device ? "return" : "device";
	const char *target = o->for_device ? o->for_device : "";
	int64_t last_seq, since, change;
	char created[32], *name = NULL;
	bool reading = false;
	size_t i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&x, 0, sizeof(x));
	/* the bundle's file name is built from these two: check them before
	 * anything is read or written (ruhu/ident.h) */
	if ((o->for_device && ident_check(o->for_device, IDENT_DEVICE, err) < 0) ||
	    ident_check(store_device_id(s), IDENT_DEVICE, err) < 0)
		return -1;
	x.s = s;
	x.res = res;
	x.target = o->for_device;
	if (o->created) {
		snprintf(created, sizeof(created), "%s", o->created);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	/* what killed exports left (their flock died with them) */
	if (bundle_tmp_clean(o->out_dir, &res->stale_removed, err) < 0)
		goto done;
	if (store_snapshot_begin(s, err) < 0)
		goto done;
	reading = true;
	if (store_export_last(s, kind, target, &last_seq, &since, err) < 0 ||
	    store_change_seq(s, &change, err) < 0)
		goto done;
	if (o->again > 0 && o->for_device) {
		error_set(err, NULL, "返回数据包总是包含全部内容：--again 只用于设备数据包",
			  "a return bundle always carries everything: --again is for device bundles");
		goto done;
	}
	if (o->again > 0 && store_export_since(s, kind, target, o->again, &since, err) < 0)
		goto done;
	if (o->all || o->for_device)
		since = 0;
	if (store_interviews_changed_since(s, since, take_iv, &x, err) < 0)
		goto done;
	res->sequence = last_seq + 1;
	x.w = bundle_writer_new(o->for_device ? BUNDLE_RETURN : BUNDLE_DEVICE, store_device_id(s),
				o->for_device, res->sequence, created);
	if (o->for_device && put_assignments(&x, err) < 0)
		goto done;
	/* device-level events (call attempts of the phone survey, issue 17)
	 * bump change_seq without touching an interview: they alone make a
	 * device bundle worth writing */
	if (!x.n_iv && !res->assignments && (o->for_device || change <= since)) {
		ret = 0; /* nothing to export */
		goto done;
	}
	for (i = 0; i < x.n_iv; i++) {
		struct store_interview *iv = &x.iv[i];
		char rev[24], cr[24], up[24];
		const char *f[11];

		want_form(&x, iv->form_hash);
		bundle_writer_add_enumerator(x.w, iv->enumerator);
		i64s(rev, sizeof(rev), iv->revision);
		i64s(cr, sizeof(cr), iv->created);
		i64s(up, sizeof(up), iv->updated);
		f[0] = iv->uuid;
		f[1] = iv->form_hash;
		f[2] = iv->household_key;
		f[3] = iv->enumerator;
		f[4] = iv->device;
		f[5] = store_istatus_name(iv->status);
		f[6] = rev;
		f[7] = cr;
		f[8] = up;
		f[9] = iv->position;
		f[10] = iv->review_comment;
		bundle_writer_row(x.w, BS_INTERVIEWS, f);
	}
	if (put_forms(&x, o->for_device != NULL, err) < 0)
		goto done;
	for (i = 0; i < x.n_iv; i++) {
		struct uctx u = {&x, x.iv[i].uuid};

		if (store_answers_each(s, u.uuid, put_answer, &u, err) < 0 ||
		    store_events_each(s, u.uuid, put_event, &u, err) < 0 ||
		    store_comments_each(s, u.uuid, put_comment, &u, err) < 0)
			goto done;
	}
	if (!o->for_device) {
		struct uctx u = {&x, NULL};

		if (store_events_each(s, NULL, put_event, &u, err) < 0)
			goto done;
	}
	store_snapshot_end(s);
	reading = false;
	res->interviews = x.n_iv;
	name = bundle_file_name(o->for_device ? BUNDLE_RETURN : BUNDLE_DEVICE,
				o->for_device ? o->for_device : store_device_id(s), res->sequence);
	/* the number is reserved before the file exists: never used twice */
	if (store_export_reserve(s, kind, target, res->sequence, change, name, x.n_iv, err) < 0)
		goto done;
	if (seal) {
		char *plain = NULL, *sealed = NULL;
		size_t plen = 0, slen = 0;
		int rc;

		bundle_writer_write_mem(x.w, &plain, &plen);
		rc = seal(seal_ctx, plain, plen, &sealed, &slen, err);
		if (rc == 0)
			rc = sealed ? bundle_save_bytes(o->out_dir, name, sealed, slen, err)
				    : bundle_save_bytes(o->out_dir, name, plain, plen, err);
		free(plain);
		free(sealed);
		if (rc < 0)
			goto done; /* the reserved number stays unused: a gap */
	} else if (bundle_writer_save(x.w, o->out_dir, name, err) < 0) {
		goto done; /* the reserved number stays unused: a gap, never a clash */
	}
	{
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "%s/%s", o->out_dir, name);
		res->path = strbuf_detach(&p, NULL);
	}
	if (store_export_done(s, kind, target, res->sequence, err) < 0) {
		int dfd;

		/* not recorded as done: remove the file, so that what is on disk
		 * and what the database says agree (a copy already taken is
		 * harmless: merges are idempotent by revision) */
		unlink(res->path);
		dfd = open(o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(res->path);
		res->path = NULL;
		goto done;
	}
	ret = 0;
done:
	if (reading)
		store_snapshot_end(s);
	for (i = 0; i < x.n_iv; i++)
		store_interview_release(&x.iv[i]);
	free(x.iv);
	for (i = 0; i < x.n_forms; i++)
		free(x.forms[i]);
	free(x.forms);
	bundle_writer_free(x.w);
	free(name);
	if (ret < 0)
		export_result_release(res);
	return ret;
}
