/*
 * data_export — `ruhu data`: chooses the forms and interviews, fills one
 * model per stored form version in ONE pass over the team database
 * (store_records_each), then hands the models to the writers of each
 * format. Every file goes to a temporary name; all are renamed only when all
 * are written (data_files.c).
 *
 * The long table (FORMID_long: one row per answer) and the paradata table
 * (FORMID_events: one row per event) are filled in the same pass.
 */
#include "data_impl.h"

#include "ruhu/form.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- small helpers shared by the writers ----------------------------------- */

char *data_truncate(const char *s, size_t max_bytes, size_t max_chars, char *buf)
{
	static const char ell[] = "\xE2\x80\xA6"; /* … */
	size_t len = strlen(s), chars = utf8_length(s, len), cut, n;

	if (len <= max_bytes && chars <= max_chars) {
		memcpy(buf, s, len + 1);
		return buf;
	}
	/* keep room for the ellipsis: one character, three bytes */
	n = max_chars > 1 ? max_chars - 1 : 0;
	cut = utf8_offset(s, len, n);
	while (cut + 3 > max_bytes && cut > 0) {
		cut--;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	}
	memcpy(buf, s, cut);
	if (cut + 3 <= max_bytes) {
		memcpy(buf + cut, ell, 3);
		cut += 3;
	}
	buf[cut] = '\0';
	return buf;
}

void data_job_tick(struct data_job *j, size_t rows)
{
	j->progress.rows += rows;
	if (j->o->progress)
		j->o->progress(j->o->progress_ctx, &j->progress);
}

size_t data_job_table_count(const struct data_job *j)
{
	size_t n = j->n_extra, i;

	for (i = 0; i < j->n_models; i++)
		n += data_model_table_count(j->models[i]);
	return n;
}

const struct data_table *data_job_table(const struct data_job *j, size_t i,
					const struct data_model **m)
{
	size_t k;

	for (k = 0; k < j->n_models; k++) {
		size_t n = data_model_table_count(j->models[k]);

		if (i < n) {
			if (m)
				*m = j->models[k];
			return data_model_table(j->models[k], i);
		}
		i -= n;
	}
	if (m)
		*m = NULL;
	return i < j->n_extra ? j->extra[i] : NULL;
}

/* ---- the long and paradata tables --------------------------------------- */

struct xtab {
	struct data_table t;
	size_t cap;
};

static struct xtab *xtab_new(const char *name, const char *label, const char *const *cols,
			     const enum data_kind *kinds, size_t n)
{
	struct xtab *x = xcalloc(1, sizeof(*x));
	size_t i;

	x->t.name = name;
	x->t.label = label;
	x->t.repeat = -1;
	x->t.n_cols = n;
	x->t.cols = xcalloc(n, sizeof(*x->t.cols));
	for (i = 0; i < n; i++) {
		struct data_column *c = &x->t.cols[i];

		c->name = cols[2 * i];
		c->label = cols[2 * i + 1];
		c->kind = kinds[i];
		c->source = c->relevant = c->constraint = "";
		c->type_name = "meta";
		c->node = -1;
		c->vlabels = -1;
	}
	return x;
}

static const char **xtab_row(struct xtab *x)
{
	size_t need = (x->t.n_rows + 1) * x->t.n_cols, i;
	const char **row;

	if (need > x->cap) {
		x->cap = x->cap ? x->cap * 2 : x->t.n_cols * 256;
		while (x->cap < need)
			x->cap *= 2;
		x->t.cells = xrealloc(x->t.cells, x->cap * sizeof(*x->t.cells));
	}
	row = x->t.cells + x->t.n_rows++ * x->t.n_cols;
	for (i = 0; i < x->t.n_cols; i++)
		row[i] = NULL;
	return row;
}

/* Frees an xtab through its table (the first member). */
static void xtab_free(struct data_table *t)
{
	if (!t)
		return;
	free(t->cols);
	free(t->cells);
	free(t);
}

/* ---- one export ------------------------------------------------------------ */

struct version {
	struct store_form_info *info;
	struct form *f;
	struct data_model *m;
	struct xtab *lng, *evs;
	size_t n;
};

struct exp {
	struct store *s;
	const struct data_options *o;
	struct version *v;
	size_t nv;
	struct store_assignment_row *sample;
	struct store_assignment_row **by_key;
	size_t n_sample;
	char *key;
	struct data_arena arena;
	struct data_job *job;
	struct store_form_info *infos;
	size_t n_infos;
	size_t interviews;
	/* the latest audit run (0: none), its start, and its findings per
	 * interview in uuid order (store_audit_latest_counts) */
	int64_t qc_run, qc_started;
	struct qc_count {
		char *uuid;
		int64_t n;
	} *qc;
	size_t n_qc, cap_qc;
	/* scratch: (path, time) of the events of one record, sorted by path */
	struct ptime {
		const char *path;
		int64_t time;
	} *pt;
	size_t cap_pt;
	char stamp[40];
};

static int key_cmp(const void *a, const void *b)
{
	const struct store_assignment_row *x = *(const struct store_assignment_row *const *)a;
	const struct store_assignment_row *y = *(const struct store_assignment_row *const *)b;

	return strcmp(x->household_key, y->household_key);
}

static const struct store_assignment_row *sample_of(const struct exp *e, const char *key)
{
	size_t lo = 0, hi = e->n_sample;

	while (key && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(e->by_key[mid]->household_key, key);

		if (!c)
			return e->by_key[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int pt_cmp(const void *a, const void *b)
{
	const struct ptime *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->time > y->time) - (x->time < y->time);
}

static const char *arena_str(struct exp *e, const char *s)
{
	return s ? data_arena_dup(&e->arena, s, strlen(s)) : NULL;
}

static const char *arena_num(struct exp *e, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return arena_str(e, buf);
}

static const char *arena_time(struct exp *e, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[48];
	size_t n;
	long off;

	if (!localtime_r(&t, &tm))
		return NULL;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf + n, sizeof(buf) - n, ".%03d%c%02ld:%02ld", (int)(ms % 1000 + 1000) % 1000,
		 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return arena_str(e, buf);
}

/* Whether the answer path names a personal field of the form. */
static bool personal(const struct form *f, const char *path)
{
	const char *s;
	char *name;
	int node;

	if (!path)
		return false;
	s = strrchr(path, '/');
	s = s ? s + 1 : path;
	name = xstrndup(s, strcspn(s, "["));
	node = form_find(f, name);
	free(name);
	return node >= 0 && form_question_personal(f, (size_t)node);
}

static const char *masked(struct exp *e, const struct form *f, const char *path, const char *v)
{
	char p[18];

	if (!v || !e->key || !personal(f, path))
		return arena_str(e, v);
	data_pseudonym((const unsigned char *)e->key, strlen(e->key), v, p);
	return arena_str(e, p);
}

static const char *special_cell(enum store_special sp)
{
	return sp == STORE_SPECIAL_DONT_KNOW ? data_cell_dont_know
	       : sp == STORE_SPECIAL_REFUSED ? data_cell_refused
					     : NULL;
}

static void add_long(struct exp *e, struct version *v, const struct store_record *r)
{
	size_t i, n = 0;

	XGROW(e->pt, e->cap_pt, r->n_events + 1);
	for (i = 0; i < r->n_events; i++)
		if (r->events[i].path) {
			e->pt[n].path = r->events[i].path;
			e->pt[n++].time = r->events[i].time;
		}
	qsort(e->pt, n, sizeof(*e->pt), pt_cmp);
	for (i = 0; i < r->n_answers; i++) {
		const struct store_answer *a = &r->answers[i];
		const char **row = xtab_row(v->lng);
		size_t lo = 0, hi = n;

		/* the last event of this path: the upper bound of its run */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (strcmp(e->pt[mid].path, a->path) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		row[0] = arena_str(e, r->iv.uuid);
		row[1] = arena_str(e, r->iv.household_key);
		row[2] = arena_str(e, a->path);
		row[3] = a->special ? special_cell(a->special) : masked(e, v->f, a->path, a->value);
		row[4] = a->special ? store_special_name(a->special) : NULL;
		if (lo > 0 && !strcmp(e->pt[lo - 1].path, a->path))
			row[5] = arena_time(e, e->pt[lo - 1].time);
	}
}

static void add_events(struct exp *e, struct version *v, const struct store_record *r)
{
	size_t i;

	for (i = 0; i < r->n_events; i++) {
		const struct store_event *ev = &r->events[i];
		const char **row = xtab_row(v->evs);

		row[0] = arena_str(e, r->iv.uuid);
		row[1] = arena_str(e, r->iv.household_key);
		row[2] = arena_str(e, ev->device);
		row[3] = arena_num(e, ev->seq);
		row[4] = arena_time(e, ev->time);
		row[5] = arena_str(e, ev->kind);
		row[6] = arena_str(e, ev->actor);
		row[7] = arena_str(e, ev->path);
		row[8] = masked(e, v->f, ev->path, ev->old_value);
		row[9] = masked(e, v->f, ev->path, ev->new_value);
		row[10] = ev->old_special ? store_special_name(ev->old_special) : NULL;
		row[11] = ev->new_special ? store_special_name(ev->new_special) : NULL;
		row[12] = masked(e, v->f, ev->path, ev->extra);
	}
}

struct pass {
	struct exp *e;
	struct error *err;
};

static int on_qc_count(void *ctx, const char *interview, int64_t findings)
{
	struct exp *e = ctx;

	XGROW(e->qc, e->cap_qc, e->n_qc + 1);
	e->qc[e->n_qc].uuid = xstrdup(interview);
	e->qc[e->n_qc++].n = findings;
	return 0;
}

/*
 * The QC cell of interview `iv`: the latest run's findings about it; 0 when
 * it has none and that run audited it; -1 (empty) when the run could not have
 * audited it as it stands: a status audit does not check (in progress), or a
 * change after the run started (a review, a newer revision merged).
 */
static int64_t qc_of(const struct exp *e, const struct store_interview *iv)
{
	size_t lo = 0, hi = e->n_qc;

	if (iv->updated > e->qc_started ||
	    (iv->status != STORE_COMPLETED && iv->status != STORE_APPROVED &&
	     iv->status != STORE_REJECTED))
		return -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(e->qc[mid].uuid, iv->uuid);

		if (!c)
			return e->qc[mid].n;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int on_data(void *ctx, const struct store_record *r, int64_t completed)
{
	struct pass *p = ctx;
	struct exp *e = p->e;
	struct version *v = NULL;
	size_t i;
	int ret;

	for (i = 0; i < e->nv && !v; i++)
		if (!strcmp(e->v[i].info->hash, r->iv.form_hash))
			v = &e->v[i];
	if (!v)
		return 0; /* a form version not chosen */
	ret = data_model_add(v->m, r, completed, sample_of(e, r->iv.household_key), p->err);
	if (ret < 0)
		return ret;
	if (e->qc_run > 0)
		data_model_qc(v->m, qc_of(e, &r->iv));
	v->n++;
	if (v->lng)
		add_long(e, v, r);
	if (v->evs)
		add_events(e, v, r);
	e->interviews++;
	e->job->progress.interviews = e->interviews;
	if ((e->interviews & 255) == 0 && e->o->progress)
		e->o->progress(e->o->progress_ctx, &e->job->progress);
	return 0;
}

/* With the events (--long, --paradata): the completion time from them. */
static int on_record(void *ctx, const struct store_record *r)
{
	int64_t completed = 0;
	size_t i;

	for (i = 0; i < r->n_events; i++)
		if (!strcmp(r->events[i].kind, "complete"))
			completed = r->events[i].time;
	return on_data(ctx, r, completed);
}

static const char *const long_cols[] = {
	"iv_uuid", "访谈编号（UUID）/ interview UUID", "iv_household", "样本户编号 / household key",
	"path", "答案路径 / answer path", "value", "值 / value",
	"special", "特殊值 / special (dont_know, refused)", "changed", "最后修改 / last changed"};
static const enum data_kind long_kinds[] = {DATA_STRING, DATA_STRING, DATA_STRING,
					    DATA_STRING, DATA_STRING, DATA_DATETIME};
static const char *const ev_cols[] = {
	"iv_uuid", "访谈编号（UUID）/ interview UUID", "iv_household", "样本户编号 / household key",
	"device", "设备 / device", "seq", "设备内序号 / sequence on the device",
	"time", "时间 / time", "kind", "事件 / event kind",
	"actor", "操作人 / actor", "path", "答案路径 / answer path",
	"old_value", "旧值 / old value", "new_value", "新值 / new value",
	"old_special", "旧特殊值 / old special", "new_special", "新特殊值 / new special",
	"extra", "附加 / extra"};
static const enum data_kind ev_kinds[] = {
	DATA_STRING, DATA_STRING, DATA_STRING, DATA_NUMBER, DATA_DATETIME, DATA_STRING,
	DATA_STRING, DATA_STRING, DATA_STRING, DATA_STRING, DATA_STRING, DATA_STRING, DATA_STRING};

/* The output folder: created when missing; an existing non-empty one only
 * with force. */
static int prepare_dir(const char *out, bool force, struct error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (stat(out, &st) != 0) {
		if (errno != ENOENT)
			return data_io_fail(err, out, "无法读取输出目录", "cannot read the output folder");
		if (mkdir(out, 0777) != 0)
			return data_io_fail(err, out, "无法创建输出目录", "cannot create the output folder");
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		error_set(err, out, "输出位置已存在且不是目录", "the output exists and is not a folder");
		return -STORE_E_INVALID;
	}
	d = opendir(out);
	if (!d)
		return data_io_fail(err, out, "无法读取输出目录", "cannot read the output folder");
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = false;
			break;
		}
	closedir(d);
	if (!empty && !force) {
		error_set(err, out, "输出目录不是空的：换一个目录，或加 --force 覆盖其中的同名文件",
			  "the output folder is not empty: choose another, or add --force to "
			  "overwrite files of the same name");
		return -STORE_E_EXISTS;
	}
	return 0;
}

static int load_versions(struct exp *e, struct error *err)
{
	struct store_form_info *fi = NULL;
	size_t n = 0, i;
	bool known = false;
	int ret;

	ret = store_form_list(e->s, &fi, &n, err);
	if (ret < 0)
		return ret;
	e->v = xcalloc(n ? n : 1, sizeof(*e->v));
	for (i = 0; i < n; i++) {
		struct version *v;
		struct diag_list dl = DIAG_LIST_INIT;
		struct data_model_options mo;

		if (e->o->form_id && strcmp(fi[i].form_id, e->o->form_id))
			continue;
		known = true;
		v = &e->v[e->nv];
		/* with its attached files: a select_one_from_file question is a
		 * column with value labels like any other select */
		ret = store_form_load(e->s, fi[i].hash, fi[i].form_id, &v->f, &dl, err);
		diag_list_free(&dl);
		if (ret == -STORE_E_INVALID) {
			error_set(err, store_path(e->s), "数据库中的问卷 '%s'（%s）无法载入",
				  "the stored form '%s' (%s) cannot be loaded", fi[i].form_id,
				  fi[i].hash);
			goto done;
		}
		if (ret < 0)
			goto done;
		mo.lang = e->o->lang;
		mo.mask_key = (const unsigned char *)e->key;
		mo.mask_key_len = e->key ? strlen(e->key) : 0;
		mo.qc_run = e->qc_run;
		ret = data_model_new(v->f, &mo, &v->m, err);
		if (ret < 0) {
			form_free(v->f);
			goto done;
		}
		v->info = &fi[i];
		e->nv++;
	}
	if (e->o->form_id && !known) {
		error_set(err, store_path(e->s), "数据库中没有问卷 '%s'",
			  "no form '%s' in the database", e->o->form_id);
		ret = -STORE_E_NOTFOUND;
		goto done;
	}
	ret = 0;
done:
	/* the infos live as long as the export (e->v[].info point into them) */
	e->infos = fi;
	e->n_infos = n;
	return ret;
}

static void exp_free(struct exp *e)
{
	size_t i;

	for (i = 0; i < e->nv; i++) {
		data_model_free(e->v[i].m);
		form_free(e->v[i].f);
		if (e->v[i].lng)
			xtab_free(&e->v[i].lng->t);
		if (e->v[i].evs)
			xtab_free(&e->v[i].evs->t);
	}
	free(e->v);
	store_form_info_free(e->infos, e->n_infos);
	store_assignment_rows_free(e->sample, e->n_sample);
	free(e->by_key);
	free(e->key);
	free(e->pt);
	for (i = 0; i < e->n_qc; i++)
		free(e->qc[i].uuid);
	free(e->qc);
	data_arena_free(&e->arena);
}

static const char *table_suffixed(struct exp *e, const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	strbuf_addf(&sb, "%s_%s", a, b);
	r = arena_str(e, sb.buf);
	strbuf_release(&sb);
	return r;
}

int data_export(struct store *s, const char *out, const struct data_options *o,
		struct data_result *res, struct error *err)
{
	struct exp e;
	struct data_job job;
	struct data_files files;
	struct store_record_filter filter = {NULL, NULL, 0};
	struct data_options opt = *o;
	struct pass pass;
	struct data_model **models = NULL;
	struct data_table **extra = NULL;
	size_t i, k, nm = 0, nx = 0;
	int ret;

	memset(&e, 0, sizeof(e));
	memset(&job, 0, sizeof(job));
	memset(&files, 0, sizeof(files));
	if (!opt.formats)
		opt.formats = DATA_CSV;
	e.s = s;
	e.o = &opt;
	e.job = &job;
	job.o = &opt;
	job.files = &files;
	if (res)
		memset(res, 0, sizeof(*res));

	if (opt.mask) {
		ret = store_data_mask_key(s, &e.key, err);
		if (ret < 0)
			goto done;
	}
	/* the QC column exists once an audit has run */
	ret = store_audit_latest_counts(s, &e.qc_run, &e.qc_started, on_qc_count, &e, err);
	if (ret < 0)
		goto done;
	ret = load_versions(&e, err);
	if (ret < 0)
		goto done;
	ret = store_assignment_list(s, NULL, &e.sample, &e.n_sample, err);
	if (ret < 0)
		goto done;
	e.by_key = xcalloc(e.n_sample + 1, sizeof(*e.by_key));
	for (i = 0; i < e.n_sample; i++)
		e.by_key[i] = &e.sample[i];
	qsort(e.by_key, e.n_sample, sizeof(*e.by_key), key_cmp);

	for (i = 0; i < e.nv; i++) {
		const char *base = data_model_table(e.v[i].m, 0)->name;

		if (opt.long_format)
			e.v[i].lng = xtab_new(table_suffixed(&e, base, "long"),
					      "答案（长格式）/ answers (long)", long_cols, long_kinds,
					      sizeof(long_kinds) / sizeof(long_kinds[0]));
		if (opt.paradata)
			e.v[i].evs = xtab_new(table_suffixed(&e, base, "events"),
					      "事件日志 / event log", ev_cols, ev_kinds,
					      sizeof(ev_kinds) / sizeof(ev_kinds[0]));
	}
	filter.form_id = opt.form_id;
	filter.statuses = opt.statuses;
	pass.e = &e;
	pass.err = err;
	/* the events only when a table needs them: they are most of the rows */
	if (!e.nv)
		ret = 0;
	else if (opt.long_format || opt.paradata)
		ret = store_records_each(s, &filter, on_record, &pass, err);
	else
		ret = store_data_each(s, &filter, on_data, &pass, err);
	if (ret < 0)
		goto done;
	if (!e.interviews) {
		error_set(err, store_path(s), "没有符合条件的访谈（问卷、状态）：没有可导出的数据",
			  "no interview matches the selection (form, status): nothing to export");
		ret = -STORE_E_NOTFOUND;
		goto done;
	}

	/* the versions with interviews; several of one form get the version in
	 * their table names */
	models = xcalloc(e.nv, sizeof(*models));
	extra = xcalloc(2 * e.nv + 1, sizeof(*extra));
	for (i = 0; i < e.nv; i++) {
		size_t same = 0;

		if (!e.v[i].n)
			continue;
		for (k = 0; k < e.nv; k++)
			same += e.v[k].n && !strcmp(e.v[k].info->form_id, e.v[i].info->form_id);
		data_model_finish(e.v[i].m);
		if (same > 1) {
			struct strbuf sfx = STRBUF_INIT;

			strbuf_addf(&sfx, "v%s_", e.v[i].info->version);
			strbuf_add(&sfx, e.v[i].info->hash, 8);
			data_model_suffix(e.v[i].m, sfx.buf);
			if (e.v[i].lng)
				e.v[i].lng->t.name = table_suffixed(&e, e.v[i].lng->t.name, sfx.buf);
			if (e.v[i].evs)
				e.v[i].evs->t.name = table_suffixed(&e, e.v[i].evs->t.name, sfx.buf);
			strbuf_release(&sfx);
		}
		models[nm++] = e.v[i].m;
		if (e.v[i].lng)
			extra[nx++] = &e.v[i].lng->t;
		if (e.v[i].evs)
			extra[nx++] = &e.v[i].evs->t;
	}
	job.models = models;
	job.n_models = nm;
	job.extra = extra;
	job.n_extra = nx;

	ret = prepare_dir(out, opt.force, err);
	if (ret < 0)
		goto done;
	files.dir = xstrdup(out);
	ret = data_write_codebook(&job, err);
	if (ret >= 0 && (opt.formats & DATA_CSV))
		ret = data_write_csv(&job, err);
	if (ret >= 0 && (opt.formats & DATA_XLSX))
		ret = data_write_xlsx(&job, err);
	if (ret >= 0 && (opt.formats & DATA_DTA))
		ret = data_write_stat(&job, DATA_DTA, err);
	if (ret >= 0 && (opt.formats & DATA_SAV))
		ret = data_write_stat(&job, DATA_SAV, err);
	if (ret >= 0)
		ret = data_files_commit(&files, err);
	if (ret < 0) {
		data_files_abort(&files);
		goto done;
	}
	if (res) {
		res->interviews = e.interviews;
		res->tables = data_job_table_count(&job);
		res->files = files.n;
	}
	ret = 0;
done:
	free(models);
	free(extra);
	data_files_free(&files);
	exp_free(&e);
	return ret < 0 ? ret : 0;
}
