/*
 * data_model — a form as analysis tables, filled from store records.
 *
 * Invariants: table 0 is the main table; a repeat's table comes after the
 * table of its enclosing repeat (document order), so a writer that goes
 * through the tables in order meets parents first. Rows of one interview
 * are appended together, the repeat instances in (repeat, index) order with
 * indexes compared as numbers. Cells point into the model's arena or to
 * static text ("0", "1", the sentinels); a model never points into a record.
 */
#include "data_impl.h"

#include "ruhu/form.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char data_cell_dont_know[] = "dont_know";
const char data_cell_refused[] = "refused";

static const char zero[] = "0", one[] = "1";

/* ---- arena ---------------------------------------------------------------- */

struct data_chunk {
	struct data_chunk *next;
	size_t used, cap;
	char data[];
};

char *data_arena_dup(struct data_arena *a, const char *s, size_t len)
{
	struct data_chunk *c = a->head;
	char *p;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > 60000 ? len + 1 : 60000;

		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

void data_arena_free(struct data_arena *a)
{
	while (a && a->head) {
		struct data_chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}

/* ---- the model ----------------------------------------------------------- */

struct tab {
	struct data_table t;
	size_t cap_cols;
	size_t cap_cells;
};

/* Where a node's values go. */
struct place {
	int table; /* -1: no column */
	int col;
};

struct data_model {
	const struct form *f;
	size_t lang;
	const unsigned char *key;
	size_t key_len;
	int64_t qc_run; /* > 0: the main table has the MC_QC_FINDINGS column */
	struct data_arena arena;
	struct tab *tabs;
	size_t n_tabs;
	struct data_vlabels *vl;
	size_t n_vl;
	int *vl_of_list; /* form list -> value label set, or -1 */
	const char ***code_text; /* per set: its codes as text (cells point to them) */
	struct place *place; /* per node */
	int *table_of_repeat; /* per node: the table of a repeat node, else -1 */
	/* scratch for one record */
	char **inst;
	size_t n_inst, cap_inst;
	size_t *inst_row;
	size_t cap_inst_row;
};

enum meta_col {
	MC_UUID, MC_HOUSEHOLD, MC_ENUMERATOR, MC_DEVICE, MC_COUNTY, MC_TOWNSHIP, MC_VILLAGE,
	MC_START, MC_END, MC_DURATION, MC_STATUS, MC_REVISION, MC_FORM_VERSION,
	MC_QC_FINDINGS, /* last: only when an audit has run (data_model_options.qc_run) */
	MC_COUNT
};
enum rep_col { RC_UUID, RC_HOUSEHOLD, RC_INSTANCE, RC_KEY, RC_PARENT, RC_COUNT };

static const struct {
	const char *name, *zh, *en;
	enum data_kind kind;
} meta_cols[MC_COUNT] = {
	{"iv_uuid", "访谈编号（UUID）", "interview UUID", DATA_STRING},
	{"iv_household", "样本户编号", "household key", DATA_STRING},
	{"iv_enumerator", "调查员", "enumerator", DATA_STRING},
	{"iv_device", "设备", "device", DATA_STRING},
	{"iv_county", "县（样本）", "county (sample)", DATA_STRING},
	{"iv_township", "乡镇（样本）", "township (sample)", DATA_STRING},
	{"iv_village", "村（样本）", "village (sample)", DATA_STRING},
	{"iv_start", "开始时间", "start", DATA_DATETIME},
	{"iv_end", "结束时间（完成或最后修改）", "end (completed or last change)", DATA_DATETIME},
	{"iv_duration", "用时（秒）", "duration (seconds)", DATA_NUMBER},
	{"iv_status", "状态（审核）", "status (review)", DATA_STRING},
	{"iv_revision", "修订号", "revision", DATA_NUMBER},
	{"iv_form_version", "问卷版本", "form version", DATA_STRING},
	{"iv_qc_findings", "质控发现数（最近一次 ruhu audit）", "QC findings (latest ruhu audit)",
	 DATA_NUMBER},
}, rep_cols[RC_COUNT] = {
	{"iv_uuid", "访谈编号（UUID）", "interview UUID", DATA_STRING},
	{"iv_household", "样本户编号", "household key", DATA_STRING},
	{"iv_instance", "序号（第几个）", "instance index", DATA_NUMBER},
	{"iv_key", "本行键", "row key", DATA_STRING},
	{"iv_parent_key", "上级行键", "parent row key", DATA_STRING},
};

unsigned data_format_parse(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} t[] = {{"csv", DATA_CSV}, {"xlsx", DATA_XLSX}, {"dta", DATA_DTA}, {"sav", DATA_SAV}};
	size_t i;

	for (i = 0; name && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name))
			return t[i].bit;
	return 0;
}

const char *data_kind_name(enum data_kind k)
{
	static const char *const n[] = {"string", "number", "code", "flag", "date", "datetime"};

	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

const struct form *data_model_form(const struct data_model *m)
{
	return m->f;
}

size_t data_model_table_count(const struct data_model *m)
{
	return m->n_tabs;
}

const struct data_table *data_model_table(const struct data_model *m, size_t i)
{
	return i < m->n_tabs ? &m->tabs[i].t : NULL;
}

size_t data_model_vlabels_count(const struct data_model *m)
{
	return m->n_vl;
}

const struct data_vlabels *data_model_vlabels(const struct data_model *m, size_t i)
{
	return i < m->n_vl ? &m->vl[i] : NULL;
}

static const char *dup(struct data_model *m, const char *s)
{
	return data_arena_dup(&m->arena, s ? s : "", s ? strlen(s) : 0);
}

/* Words Stata or SPSS reserve (compared case-insensitively). */
static bool reserved(const char *s)
{
	static const char *const words[] = {"all", "and", "by", "eq", "ge", "gt", "le", "lt",
					    "ne", "not", "or", "to", "with", "byte", "double",
					    "float", "if", "in", "int", "long", "using", "strl"};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	if ((s[0] == 's' || s[0] == 'S') && !strncasecmp(s, "str", 3) && s[3] &&
	    strspn(s + 3, "0123456789") == strlen(s + 3))
		return true;
	return false;
}

#define NAME_MAX_BYTES 32

/*
 * A variable name valid in Stata, SPSS and R from any text: letters, digits
 * and '_' kept, anything else '_', a leading non-letter prefixed with "v",
 * cut to 32 bytes, made unique against the table's names with _2, _3 ...
 */
static const char *safe_name(struct data_model *m, const struct tab *t, const char *want)
{
	char base[NAME_MAX_BYTES + 1], buf[NAME_MAX_BYTES + 1];
	size_t n = 0, i;
	int k;

	if (!isalpha((unsigned char)want[0]))
		base[n++] = 'v';
	for (i = 0; want[i] && n < NAME_MAX_BYTES; i++) {
		unsigned char c = (unsigned char)want[i];

		base[n++] = isalnum(c) && c < 0x80 ? (char)c : '_';
	}
	base[n] = '\0';
	if (reserved(base) && n < NAME_MAX_BYTES) {
		base[n++] = '_';
		base[n] = '\0';
	}
	memcpy(buf, base, n + 1);
	for (k = 2;; k++) {
		bool taken = false;

		for (i = 0; t && i < t->t.n_cols && !taken; i++)
			taken = !strcasecmp(t->t.cols[i].name, buf);
		if (!taken)
			break;
		{
			char suffix[16];
			int sl = snprintf(suffix, sizeof(suffix), "_%d", k);
			size_t keep = n + (size_t)sl > NAME_MAX_BYTES ? NAME_MAX_BYTES - (size_t)sl : n;

			memcpy(buf, base, keep);
			memcpy(buf + keep, suffix, (size_t)sl + 1);
		}
	}
	return dup(m, buf);
}

static struct data_column *add_col(struct data_model *m, struct tab *t, const char *want,
				   const char *label, enum data_kind kind)
{
	struct data_column *c;
	const char *name = safe_name(m, t, want);

	XGROW(t->t.cols, t->cap_cols, t->t.n_cols + 1);
	c = &t->t.cols[t->t.n_cols++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->label = dup(m, label);
	c->kind = kind;
	c->source = "";
	c->type_name = "";
	c->relevant = "";
	c->constraint = "";
	c->node = -1;
	c->vlabels = -1;
	return c;
}

static const char *text(const struct data_model *m, struct form_text t)
{
	const char *s = form_text(m->f, t, m->lang);

	return s ? s : "";
}

static struct tab *add_table(struct data_model *m, const char *name, const char *label,
			     int repeat)
{
	struct tab *t;
	bool zh = m->lang < form_lang_count(m->f) &&
		  !strcmp(form_lang_code(m->f, m->lang), "zh");
	size_t i;

	m->tabs = xrealloc(m->tabs, (m->n_tabs + 1) * sizeof(*m->tabs));
	t = &m->tabs[m->n_tabs++];
	memset(t, 0, sizeof(*t));
	t->t.name = name;
	t->t.label = dup(m, label);
	t->t.repeat = repeat;
	if (repeat < 0) {
		for (i = 0; i < MC_COUNT; i++) {
			struct data_column *c;

			if (i == MC_QC_FINDINGS && m->qc_run <= 0)
				continue;
			c = add_col(m, t, meta_cols[i].name,
							zh ? meta_cols[i].zh : meta_cols[i].en,
							meta_cols[i].kind);
			c->type_name = i <= MC_HOUSEHOLD ? "key" : "meta";
		}
	} else {
		for (i = 0; i < RC_COUNT; i++) {
			struct data_column *c = add_col(m, t, rep_cols[i].name,
							zh ? rep_cols[i].zh : rep_cols[i].en,
							rep_cols[i].kind);
			c->type_name = "key";
		}
	}
	return t;
}

/* A table or file name from the form id (and repeat name). */
static const char *table_name(struct data_model *m, const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *r;

	for (p = a; *p; p++)
		strbuf_addch(&sb, isalnum((unsigned char)*p) || *p == '-' ? *p : '_');
	if (b) {
		strbuf_addch(&sb, '_');
		for (p = b; *p; p++)
			strbuf_addch(&sb, isalnum((unsigned char)*p) || *p == '-' ? *p : '_');
	}
	/* codebook.csv is the export's own file */
	if (!strcasecmp(sb.buf, "codebook"))
		strbuf_addch(&sb, '_');
	r = dup(m, sb.len ? sb.buf : "form");
	strbuf_release(&sb);
	return r;
}

static int add_vlabels(struct data_model *m, int list)
{
	const struct form_list *l = form_list(m->f, (size_t)list);
	struct data_vlabels *v;
	int32_t *codes;
	const char **names, **labels;
	bool numeric = l->n > 0;
	size_t i;

	if (m->vl_of_list[list] >= 0)
		return m->vl_of_list[list];
	codes = xcalloc(l->n ? l->n : 1, sizeof(*codes));
	names = xcalloc(l->n ? l->n : 1, sizeof(*names));
	labels = xcalloc(l->n ? l->n : 1, sizeof(*labels));
	for (i = 0; i < l->n && numeric; i++) {
		char *end;
		long code;

		/* names 0..999999999 are their own codes; a negative one would clash
		 * with the special-value codes */
		errno = 0;
		code = strtol(l->choices[i].name, &end, 10);
		numeric = !errno && *end == '\0' && isdigit((unsigned char)l->choices[i].name[0]) &&
			  code < 1000000000;
		if (numeric)
			codes[i] = (int32_t)code;
	}
	for (i = 0; i < l->n; i++) {
		if (!numeric)
			codes[i] = (int32_t)(i + 1);
		names[i] = l->choices[i].name;
		labels[i] = text(m, l->choices[i].label);
	}
	m->code_text = xrealloc(m->code_text, (m->n_vl + 1) * sizeof(*m->code_text));
	m->code_text[m->n_vl] = xcalloc(l->n ? l->n : 1, sizeof(**m->code_text));
	for (i = 0; i < l->n; i++) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%d", (int)codes[i]);
		m->code_text[m->n_vl][i] = dup(m, buf);
	}
	m->vl = xrealloc(m->vl, (m->n_vl + 1) * sizeof(*m->vl));
	v = &m->vl[m->n_vl];
	v->list = l->name;
	v->name = safe_name(m, NULL, l->name);
	v->n = l->n;
	v->codes = codes;
	v->names = names;
	v->labels = labels;
	m->vl_of_list[list] = (int)m->n_vl;
	return (int)m->n_vl++;
}

static bool has_column(enum form_type t)
{
	switch (t) {
	case FORM_GROUP:
	case FORM_REPEAT:
	case FORM_NOTE:
		return false;
	default:
		return true;
	}
}

static enum data_kind kind_of(enum form_type t)
{
	switch (t) {
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_RANGE:
		return DATA_NUMBER;
	case FORM_SELECT_ONE:
		return DATA_CODE;
	case FORM_DATE:
	case FORM_TODAY:
		return DATA_DATE;
	case FORM_DATETIME:
	case FORM_START:
	case FORM_END:
		return DATA_DATETIME;
	default:
		return DATA_STRING;
	}
}

int data_model_new(const struct form *f, const struct data_model_options *o,
		   struct data_model **out, struct error *err)
{
	struct data_model *m = xcalloc(1, sizeof(*m));
	size_t n = form_node_count(f), i, j;

	(void)err; /* nothing fails yet: kept for the formats' future limits */
	m->f = f;
	m->lang = form_lang_for(f, o && o->lang ? o->lang : "zh");
	m->key = o ? o->mask_key : NULL;
	m->key_len = o ? o->mask_key_len : 0;
	m->qc_run = o ? o->qc_run : 0;
	m->place = xcalloc(n ? n : 1, sizeof(*m->place));
	m->table_of_repeat = xcalloc(n ? n : 1, sizeof(*m->table_of_repeat));
	m->vl_of_list = xcalloc(form_list_count(f) + 1, sizeof(*m->vl_of_list));
	for (i = 0; i < form_list_count(f); i++)
		m->vl_of_list[i] = -1;
	add_table(m, table_name(m, form_id(f), NULL), form_title(f), -1);
	for (i = 0; i < n; i++) {
		const struct form_node *nd = form_node(f, i);
		/* a question's table is its innermost repeat's, or the main one
		 * (repeats come before their children: document order) */
		int ti = nd->type != FORM_REPEAT && nd->repeat >= 0 ? m->table_of_repeat[nd->repeat] : 0;
		struct tab *t;
		struct data_column *c;

		m->table_of_repeat[i] = -1;
		m->place[i].table = -1;
		if (nd->type == FORM_REPEAT) {
			add_table(m, table_name(m, form_id(f), nd->name), text(m, nd->label),
				  (int)i);
			m->table_of_repeat[i] = (int)m->n_tabs - 1;
			continue;
		}
		if (!has_column(nd->type))
			continue;
		t = &m->tabs[ti];
		c = add_col(m, t, nd->name, text(m, nd->label), kind_of(nd->type));
		c->source = nd->name;
		c->type_name = nd->type_name;
		c->relevant = nd->relevant.src ? nd->relevant.src : "";
		c->constraint = nd->constraint.src ? nd->constraint.src : "";
		c->node = (int)i;
		c->personal = form_question_personal(f, i);
		if (c->personal && m->key) {
			c->kind = DATA_STRING;
			c->masked = true;
		}
		m->place[i].table = ti;
		m->place[i].col = (int)t->t.n_cols - 1;
		if (nd->type == FORM_SELECT_ONE && nd->list >= 0 && !c->masked) {
			c->vlabels = add_vlabels(m, nd->list);
		} else if (nd->type == FORM_SELECT_MULTIPLE && nd->list >= 0 && !c->masked) {
			int vl = add_vlabels(m, nd->list);
			const struct form_list *l = form_list(f, (size_t)nd->list);
			const char *qlabel = text(m, nd->label), *relevant = c->relevant;

			c->vlabels = vl;
			for (j = 0; j < l->n; j++) {
				struct strbuf want = STRBUF_INIT, lab = STRBUF_INIT;
				struct data_column *sc;

				strbuf_addf(&want, "%s_%s", nd->name, l->choices[j].name);
				strbuf_addf(&lab, "%s: %s", qlabel, text(m, l->choices[j].label));
				sc = add_col(m, t, want.buf, lab.buf, DATA_FLAG);
				sc->source = nd->name;
				sc->type_name = nd->type_name;
				sc->relevant = relevant; /* c may have moved: add_col grows the array */
				sc->node = (int)i;
				sc->vlabels = vl;
				sc->choice = l->choices[j].name;
				strbuf_release(&want);
				strbuf_release(&lab);
			}
		}
	}
	*out = m;
	return 0;
}

void data_model_suffix(struct data_model *m, const char *suffix)
{
	size_t i;

	for (i = 0; i < m->n_tabs; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s_%s", m->tabs[i].t.name, suffix);
		m->tabs[i].t.name = table_name(m, sb.buf, NULL);
		strbuf_release(&sb);
	}
}

void data_model_free(struct data_model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_tabs; i++) {
		free(m->tabs[i].t.cols);
		free(m->tabs[i].t.cells);
	}
	for (i = 0; i < m->n_vl; i++) {
		free(m->code_text[i]);
		free((void *)m->vl[i].codes);
		free((void *)m->vl[i].names);
		free((void *)m->vl[i].labels);
	}
	for (i = 0; i < m->n_inst; i++)
		free(m->inst[i]);
	free(m->inst);
	free(m->inst_row);
	free(m->vl);
	free(m->code_text);
	free(m->vl_of_list);
	free(m->place);
	free(m->table_of_repeat);
	free(m->tabs);
	data_arena_free(&m->arena);
	free(m);
}

/* ---- filling ------------------------------------------------------------ */

/* Appends an empty row; returns its index. */
static size_t new_row(struct tab *t)
{
	size_t need = (t->t.n_rows + 1) * t->t.n_cols, i;

	if (need > t->cap_cells) {
		size_t cap = t->cap_cells ? t->cap_cells * 2 : t->t.n_cols * 64;

		while (cap < need)
			cap *= 2;
		t->t.cells = xrealloc(t->t.cells, cap * sizeof(*t->t.cells));
		t->cap_cells = cap;
	}
	for (i = need - t->t.n_cols; i < need; i++)
		t->t.cells[i] = NULL;
	return t->t.n_rows++;
}

static void set(struct tab *t, size_t row, int col, const char *v)
{
	t->t.cells[row * t->t.n_cols + (size_t)col] = v;
}

/*
 * Compares instance paths segment by segment: the name, then the index as a
 * number, so members[2] < members[10] and a parent sorts before its
 * children.
 */
static int inst_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, "["), lb = strcspn(b, "[");
		int c = strncmp(a, b, la < lb ? la : lb);
		long ia, ib;
		char *ea, *eb;

		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += la;
		b += lb;
		if (*a != '[' || *b != '[')
			return (unsigned char)*a - (unsigned char)*b;
		ia = strtol(a + 1, &ea, 10);
		ib = strtol(b + 1, &eb, 10);
		if (ia != ib)
			return ia < ib ? -1 : 1;
		a = ea;
		b = eb;
		if (*a == ']')
			a++;
		if (*b == ']')
			b++;
		if (*a == '/' && *b == '/') {
			a++;
			b++;
		}
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int inst_qcmp(const void *a, const void *b)
{
	return inst_cmp(*(char *const *)a, *(char *const *)b);
}

static void inst_add(struct data_model *m, const char *p, size_t len)
{
	/* the instance and its ancestors: every prefix ending in ']' */
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != ']' || (i + 1 < len && p[i + 1] != '/'))
			continue;
		/* answers come in path order: the same instance was most likely
		 * added just before (the rest is removed after sorting) */
		{
			size_t k, seen = 0;

			for (k = m->n_inst; k > 0 && k + 4 > m->n_inst && !seen; k--)
				seen = !strncmp(m->inst[k - 1], p, i + 1) && !m->inst[k - 1][i + 1];
			if (seen)
				continue;
		}
		XGROW(m->inst, m->cap_inst, m->n_inst + 1);
		m->inst[m->n_inst++] = xstrndup(p, i + 1);
	}
}

static long inst_find(const struct data_model *m, const char *p)
{
	size_t lo = 0, hi = m->n_inst;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = inst_cmp(m->inst[mid], p);

		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void inst_clear(struct data_model *m)
{
	size_t i;

	for (i = 0; i < m->n_inst; i++)
		free(m->inst[i]);
	m->n_inst = 0;
}

/* The name of the last segment of `p` (without [index]) into a buffer. */
static void last_name(const char *p, size_t len, struct strbuf *out)
{
	const char *s = p + len;

	while (s > p && s[-1] != '/')
		s--;
	strbuf_reset(out);
	strbuf_add(out, s, strcspn(s, "[") < (size_t)(p + len - s) ? strcspn(s, "[")
								   : (size_t)(p + len - s));
}

/* Local clock time of ms since the epoch as "YYYY-MM-DDTHH:MM:SS+hh:mm". */
static const char *iso_time(struct data_model *m, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40];
	long off;
	size_t n;

	if (!localtime_r(&t, &tm))
		return NULL;
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf + n, sizeof(buf) - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		 labs(off) / 60, labs(off) % 60);
	return dup(m, buf);
}

static const char *num(struct data_model *m, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return dup(m, buf);
}

static int fail(struct error *err, const char *uuid, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);

/* An error about one interview: where = "interview UUID". */
static int fail(struct error *err, const char *uuid, const char *zh, const char *en, ...)
{
	struct strbuf w = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&w, "interview %s", uuid);
	va_start(ap, en);
	error_vset(err, w.buf, zh, en, ap);
	va_end(ap);
	if (err)
		err->code = STORE_E_INVALID;
	strbuf_release(&w);
	return -STORE_E_INVALID;
}

/* Rolls every table back to its row count before the record. */
static void rollback(struct data_model *m, const size_t *rows)
{
	size_t i;

	for (i = 0; i < m->n_tabs; i++)
		m->tabs[i].t.n_rows = rows[i];
}

static const char *choice_code(struct data_model *m, int vl, const char *name)
{
	const struct data_vlabels *v = &m->vl[vl];
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name))
			return m->code_text[vl][i];
	return NULL;
}

static int put_value(struct data_model *m, const struct store_record *r,
		     const struct store_answer *a, int node, size_t row, struct error *err)
{
	struct place pl = m->place[node];
	struct tab *t = &m->tabs[pl.table];
	const struct data_column *c = &t->t.cols[pl.col];
	const struct form_node *nd = form_node(m->f, (size_t)node);
	size_t j;

	if (a->special != STORE_SPECIAL_NONE) {
		const char *sp = a->special == STORE_SPECIAL_REFUSED ? data_cell_refused : data_cell_dont_know;

		set(t, row, pl.col, sp);
		if (nd->type == FORM_SELECT_MULTIPLE && !c->masked)
			for (j = (size_t)pl.col + 1;
			     j < t->t.n_cols && t->t.cols[j].kind == DATA_FLAG && t->t.cols[j].node == node;
			     j++)
				set(t, row, (int)j, sp);
		return 0;
	}
	if (!a->value)
		return 0;
	if (c->masked) {
		char p[18];

		data_pseudonym(m->key, m->key_len, a->value, p);
		set(t, row, pl.col, dup(m, p));
		return 0;
	}
	if (c->kind == DATA_CODE) {
		const char *code = choice_code(m, c->vlabels, a->value);

		if (!code)
			return fail(err, r->iv.uuid, "答案不是问卷中的选项 '%s'",
				    "answer is not a choice of the form at '%s'", a->path);
		set(t, row, pl.col, code);
		return 0;
	}
	set(t, row, pl.col, dup(m, a->value));
	if (nd->type == FORM_SELECT_MULTIPLE) {
		const struct data_vlabels *v = &m->vl[c->vlabels];

		for (j = 0; j < v->n; j++)
			set(t, row, pl.col + 1 + (int)j, zero);
		for (const char *p = a->value; *p;) {
			size_t len;

			p += strspn(p, " ");
			len = strcspn(p, " ");
			if (!len)
				break;
			for (j = 0; j < v->n; j++)
				if (strlen(v->names[j]) == len && !memcmp(v->names[j], p, len))
					break;
			if (j == v->n)
				return fail(err, r->iv.uuid, "答案不是问卷中的选项 '%s'",
				    "answer is not a choice of the form at '%s'", a->path);
			set(t, row, pl.col + 1 + (int)j, one);
			p += len;
		}
	}
	return 0;
}

void data_model_qc(struct data_model *m, int64_t findings)
{
	struct tab *mt = &m->tabs[0];

	if (m->qc_run <= 0 || !mt->t.n_rows || findings < 0)
		return;
	set(mt, mt->t.n_rows - 1, MC_QC_FINDINGS, num(m, findings));
}

int data_model_add(struct data_model *m, const struct store_record *r, int64_t completed,
		   const struct store_assignment_row *sample, struct error *err)
{
	const struct store_interview *iv = &r->iv;
	struct strbuf name = STRBUF_INIT;
	size_t *rows = xcalloc(m->n_tabs, sizeof(*rows));
	size_t i, main_row;
	struct tab *mt = &m->tabs[0];
	int64_t end = completed > 0 ? completed : iv->updated;
	int ret = 0;

	for (i = 0; i < m->n_tabs; i++)
		rows[i] = m->tabs[i].t.n_rows;

	main_row = new_row(mt);
	set(mt, main_row, MC_UUID, dup(m, iv->uuid));
	if (iv->household_key)
		set(mt, main_row, MC_HOUSEHOLD, dup(m, iv->household_key));
	if (iv->enumerator)
		set(mt, main_row, MC_ENUMERATOR, dup(m, iv->enumerator));
	if (iv->device)
		set(mt, main_row, MC_DEVICE, dup(m, iv->device));
	if (sample) {
		if (sample->county)
			set(mt, main_row, MC_COUNTY, dup(m, sample->county));
		if (sample->township)
			set(mt, main_row, MC_TOWNSHIP, dup(m, sample->township));
		if (sample->village)
			set(mt, main_row, MC_VILLAGE, dup(m, sample->village));
	}
	set(mt, main_row, MC_START, iso_time(m, iv->created));
	set(mt, main_row, MC_END, iso_time(m, end));
	set(mt, main_row, MC_DURATION, num(m, (end - iv->created) / 1000));
	set(mt, main_row, MC_STATUS, store_istatus_name(iv->status));
	set(mt, main_row, MC_REVISION, num(m, iv->revision));
	if (form_version(m->f))
		set(mt, main_row, MC_FORM_VERSION, dup(m, form_version(m->f)));

	/* the repeat instances, parents first, indexes as numbers */
	inst_clear(m);
	for (i = 0; i < r->n_answers; i++) {
		const char *p = r->answers[i].path;
		size_t len = strlen(p);

		if (len && p[len - 1] == ']')
			inst_add(m, p, len);
		else {
			const char *slash = strrchr(p, '/');

			if (slash)
				inst_add(m, p, (size_t)(slash - p));
		}
	}
	if (m->n_inst > 1) /* an interview without rosters has no array at all */
		qsort(m->inst, m->n_inst, sizeof(*m->inst), inst_qcmp);
	{
		size_t w = 0;

		for (i = 0; i < m->n_inst; i++) {
			if (w && !inst_cmp(m->inst[w - 1], m->inst[i])) {
				free(m->inst[i]);
				continue;
			}
			m->inst[w++] = m->inst[i];
		}
		m->n_inst = w;
	}
	XGROW(m->inst_row, m->cap_inst_row, m->n_inst + 1);
	for (i = 0; i < m->n_inst; i++) {
		const char *p = m->inst[i];
		size_t len = strlen(p);
		const char *slash = NULL, *q;
		int node;
		struct tab *t;
		size_t row;
		struct strbuf key = STRBUF_INIT;

		for (q = p; *q; q++)
			if (*q == '/')
				slash = q;
		last_name(p, len, &name);
		node = form_find(m->f, name.buf);
		if (node < 0 || form_node(m->f, (size_t)node)->type != FORM_REPEAT) {
			ret = fail(err, iv->uuid, "路径中的重复组不在问卷中 '%s'",
				    "no repeat of the form at '%s'", p);
			goto done;
		}
		{
			const struct form_node *nd = form_node(m->f, (size_t)node);
			int pr = nd->parent >= 0 ? form_node(m->f, (size_t)nd->parent)->repeat : -1;
			bool ok = (pr >= 0) == (slash != NULL);

			/* the enclosing instance in the path is one of the enclosing repeat */
			if (ok && slash) {
				last_name(p, (size_t)(slash - p), &name);
				ok = !strcmp(name.buf, form_node(m->f, (size_t)pr)->name);
			}
			if (!ok) {
				ret = fail(err, iv->uuid, "重复组路径与问卷的嵌套不符 '%s'",
					   "repeat path does not match the form's nesting at '%s'", p);
				goto done;
			}
		}
		t = &m->tabs[m->table_of_repeat[node]];
		row = new_row(t);
		m->inst_row[i] = row;
		set(t, row, RC_UUID, dup(m, iv->uuid));
		if (iv->household_key)
			set(t, row, RC_HOUSEHOLD, dup(m, iv->household_key));
		{
			const char *br = strrchr(p, '[');

			set(t, row, RC_INSTANCE, data_arena_dup(&m->arena, br + 1, len - (size_t)(br - p) - 2));
		}
		strbuf_addf(&key, "%s/%s", iv->uuid, p);
		set(t, row, RC_KEY, dup(m, key.buf));
		if (slash)
			strbuf_setlen(&key, STORE_ID_LEN + 1 + (size_t)(slash - p));
		else
			strbuf_setlen(&key, STORE_ID_LEN);
		set(t, row, RC_PARENT, dup(m, key.buf));
		strbuf_release(&key);
	}

	for (i = 0; i < r->n_answers; i++) {
		const struct store_answer *a = &r->answers[i];
		const char *p = a->path;
		size_t len = strlen(p), row = main_row;
		const char *slash = strrchr(p, '/');
		int node, want_table = 0;

		if (len && p[len - 1] == ']')
			continue; /* an instance marker: its row exists */
		last_name(p, len, &name);
		node = form_find(m->f, name.buf);
		if (node < 0) {
			ret = fail(err, iv->uuid, "答案的字段不在问卷中 '%s'",
				    "answer names no field of the form at '%s'", p);
			goto done;
		}
		if (m->place[node].table < 0)
			continue; /* a note or group: nothing to export */
		if (slash) {
			char *prefix = xstrndup(p, (size_t)(slash - p));
			long k = inst_find(m, prefix);

			free(prefix);
			if (k < 0) {
				ret = fail(err, iv->uuid, "重复组路径与问卷的嵌套不符 '%s'",
				    "repeat path does not match the form's nesting at '%s'", p);
				goto done;
			}
			row = m->inst_row[k];
			last_name(m->inst[k], strlen(m->inst[k]), &name);
			want_table = m->table_of_repeat[form_find(m->f, name.buf)];
		}
		if (m->place[node].table != want_table) {
			ret = fail(err, iv->uuid, "重复组路径与问卷的嵌套不符 '%s'",
				    "repeat path does not match the form's nesting at '%s'", p);
			goto done;
		}
		ret = put_value(m, r, a, node, row, err);
		if (ret < 0)
			goto done;
	}
done:
	if (ret < 0)
		rollback(m, rows);
	inst_clear(m);
	strbuf_release(&name);
	free(rows);
	return ret;
}

int data_parse_number(const char *s, double *out)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno == ERANGE || *out != *out)
		return -1;
	/* hex, inf and nan are not what a form means by a number */
	if (strpbrk(s, "xXnN"))
		return -1;
	return 0;
}

static int64_t days_from_civil(int64_t y, unsigned mo, unsigned d)
{
	/* Howard Hinnant's algorithm: proleptic Gregorian */
	int64_t era;
	unsigned yoe, doy, doe;

	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int data_parse_date(const char *s, int64_t *days)
{
	unsigned y, mo, d;
	int n = 0;

	if (!s || sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n) != 3 || n != 10 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return -1;
	*days = days_from_civil(y, mo, d);
	return 0;
}

int data_parse_datetime(const char *s, double *secs)
{
	int64_t days;
	unsigned h, mi, sec;
	int n = 0;
	double frac = 0;

	if (data_parse_date(s, &days) < 0 || (s[10] != 'T' && s[10] != ' '))
		return -1;
	if (sscanf(s + 11, "%2u:%2u:%2u%n", &h, &mi, &sec, &n) != 3 || n != 8 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (s[19] == '.') {
		double scale = 0.1;
		const char *p = s + 20;

		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	*secs = (double)days * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac;
	return 0;
}

void data_model_finish(struct data_model *m)
{
	size_t ti, c, r;

	for (ti = 0; ti < m->n_tabs; ti++) {
		struct tab *t = &m->tabs[ti];
		size_t w = 0;

		for (c = 0; c < t->t.n_cols; c++) {
			struct data_column *col = &t->t.cols[c];
			const struct form_node *nd = col->node >= 0
							     ? form_node(m->f, (size_t)col->node)
							     : NULL;
			bool calc = nd && nd->type == FORM_CALCULATE;
			bool any = false;
			/* only what the kind needs is checked */
			bool all_num = calc || col->kind == DATA_NUMBER;
			bool all_date = col->kind == DATA_DATE, all_dt = col->kind == DATA_DATETIME;

			for (r = 0; r < t->t.n_rows; r++) {
				const char *v = t->t.cells[r * t->t.n_cols + c];
				double d;
				int64_t dd;

				if (!v || v == data_cell_dont_know || v == data_cell_refused)
					continue;
				any = true;
				if (col->masked || (col->kind == DATA_STRING && !calc))
					break;
				if (all_num && data_parse_number(v, &d) < 0)
					all_num = false;
				if (all_date && data_parse_date(v, &dd) < 0)
					all_date = false;
				if (all_dt && data_parse_datetime(v, &d) < 0)
					all_dt = false;
			}
			if (calc && !any) {
				m->place[col->node].table = -1;
				continue; /* a calculate never stored: nothing to export */
			}
			if (col->masked || col->kind == DATA_FLAG || col->kind == DATA_CODE)
				;
			else if (calc && any && all_num)
				col->kind = DATA_NUMBER;
			else if ((col->kind == DATA_NUMBER && !all_num) ||
				 (col->kind == DATA_DATE && !all_date) ||
				 (col->kind == DATA_DATETIME && !all_dt))
				col->kind = DATA_STRING;
			if (w != c) {
				t->t.cols[w] = *col;
				for (r = 0; r < t->t.n_rows; r++)
					t->t.cells[r * t->t.n_cols + w] = t->t.cells[r * t->t.n_cols + c];
			}
			if (t->t.cols[w].node >= 0 && t->t.cols[w].kind != DATA_FLAG)
				m->place[t->t.cols[w].node].col = (int)w;
			w++;
		}
		if (w != t->t.n_cols) {
			/* compact the rows to the new width */
			for (r = 0; r < t->t.n_rows; r++)
				memmove(&t->t.cells[r * w], &t->t.cells[r * t->t.n_cols],
					w * sizeof(*t->t.cells));
			t->t.n_cols = w;
		}
	}
}
