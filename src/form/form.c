/*
 * form — builds the in-memory form model (ruhu/form.h) from a workbook and
 * validates it; also the model's accessors and form_load*().
 *
 * Building runs in passes over the workbook, each collecting every problem it
 * finds into the caller's diag_list rather than stopping at the first:
 *   settings -> column maps and languages -> choices -> survey rows (types,
 *   nesting, names) -> select lists -> expressions and ${} references.
 * Attached CSV files become choice lists when first named: by a
 * select_*_from_file or csv-external row (survey pass), or by instance() /
 * pulldata() (expression pass). They are read through the caller's
 * struct form_files, after the languages are final, so their labels only map
 * onto the form's languages and never resize a text array.
 * A form is returned only when no pass reported an error.
 *
 * Invariants: every string of the model lives in the form's arena (freed at
 * once by form_free); nodes, lists and choices are malloc'd arrays; compiled
 * expressions are owned by the node (or the form, for instance_name) that
 * holds them. Names are unique form-wide (ruhu refuses duplicates, because
 * ${name} must designate one field); `names` maps each name to its node.
 * A form within the FORM_MAX_* limits of ruhu/form.h is the only kind built:
 * past one, the survey pass stops at that row with one error and nothing is
 * compiled, so no later code meets an oversized or overdeep tree.
 */
#include "form_internal.h"

#include "ruhu/csvread.h"
#include "ruhu/digest.h"
#include "ruhu/expr.h"
#include "ruhu/ident.h"
#include "ruhu/utf8.h"
#include "xlsform_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Arena: all model strings, freed together                                 */
/* ------------------------------------------------------------------------ */

struct ablock {
	struct ablock *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct ablock *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct ablock *b = a->head;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 16384 ? n : 16384;

		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct ablock *b = a->head;

		a->head = b->next;
		free(b);
	}
}

/* ------------------------------------------------------------------------ */
/* A string -> int map (open addressing), keyed by (tag, name)              */
/* ------------------------------------------------------------------------ */

struct smap_ent {
	const char *key; /* NULL when empty */
	int tag;
	int val;
};

struct smap {
	struct smap_ent *e;
	size_t cap, n; /* cap is 0 or a power of two */
};

static uint64_t hash_str(const char *s, int tag)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)tag;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static int smap_get(const struct smap *m, int tag, const char *key)
{
	size_t i;

	if (!m->cap)
		return -1;
	for (i = hash_str(key, tag) & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].tag == tag && !strcmp(m->e[i].key, key))
			return m->e[i].val;
	return -1;
}

/* Inserts key -> val unless present; returns the value already there or -1. */
static int smap_put(struct smap *m, int tag, const char *key, int val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct smap old = *m;
		size_t j;

		m->cap = old.cap ? old.cap * 2 : 64;
		m->e = xcalloc(m->cap, sizeof(*m->e));
		m->n = 0;
		for (j = 0; j < old.cap; j++)
			if (old.e[j].key)
				smap_put(m, old.e[j].tag, old.e[j].key, old.e[j].val);
		free(old.e);
	}
	for (i = hash_str(key, tag) & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].tag == tag && !strcmp(m->e[i].key, key))
			return m->e[i].val;
	m->e[i].key = key;
	m->e[i].tag = tag;
	m->e[i].val = val;
	m->n++;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* The form                                                                 */
/* ------------------------------------------------------------------------ */

struct setting {
	const char *key; /* canonical, lowercase */
	const char *val;
};

/* An attached file the form named (found or not). */
struct attached {
	char *name;  /* as the form writes it: "villages.csv" */
	char *shown; /* in messages: "forms/villages.csv" */
	char *data;  /* the exact bytes (NULL when not found) */
	size_t len;
	char hash[65];
	int list;    /* its choice list, -1 when it could not be read */
	int header_line;        /* the header's line in the file */
	bool has_name, has_label; /* the header has a name / a label column */
	bool name_told, label_told; /* their absence is reported (once) */
};

struct form {
	struct arena arena;
	char *path;
	char *src;
	size_t src_len;
	char hash[65];

	struct form_node *nodes;
	size_t n_nodes, cap_nodes;
	struct form_list *lists;
	size_t n_lists, cap_lists;
	size_t *list_cap; /* capacity of lists[i].choices */

	const char **lang_name;
	const char **lang_code;
	size_t n_lang;
	size_t lang_default;

	struct setting *settings;
	size_t n_settings;
	const char *title, *id, *version;
	struct form_expr instance_name;

	struct smap names; /* tag -1: node name -> index; tag -2: list name -> index;
			      tag >= 0: choice name in list `tag` -> index */

	struct attached *att; /* attached files, in the order the form names them */
	size_t n_att, cap_att;
};

/* ------------------------------------------------------------------------ */
/* Columns                                                                  */
/* ------------------------------------------------------------------------ */

enum col {
	COL_UNKNOWN,
	COL_IGNORED, /* known to XLSForm, not used by ruhu (media, rows, ...) */
	COL_TYPE,
	COL_NAME,
	COL_LABEL,
	COL_HINT,
	COL_REQUIRED,
	COL_REQUIRED_MSG,
	COL_CONSTRAINT,
	COL_CONSTRAINT_MSG,
	COL_RELEVANT,
	COL_CALCULATION,
	COL_CHOICE_FILTER,
	COL_DEFAULT,
	COL_READ_ONLY,
	COL_APPEARANCE,
	COL_REPEAT_COUNT,
	COL_PARAMETERS,
	COL_PERSONAL, /* ruhu: personal data, masked on export */
	COL_LIST_NAME, /* choices */
	COL_EXTRA,     /* choices: kept for choice_filter */
	COL__COUNT
};

static const struct {
	const char *alias;
	enum col col;
} survey_aliases[] = {
	{"type", COL_TYPE},
	{"command", COL_TYPE},
	{"name", COL_NAME},
	{"tag", COL_NAME},
	{"value", COL_NAME},
	{"label", COL_LABEL},
	{"caption", COL_LABEL},
	{"hint", COL_HINT},
	{"required", COL_REQUIRED},
	{"required_message", COL_REQUIRED_MSG},
	{"required message", COL_REQUIRED_MSG},
	{"requiredmsg", COL_REQUIRED_MSG},
	{"jr:requiredmsg", COL_REQUIRED_MSG},
	{"constraint", COL_CONSTRAINT},
	{"constraint_message", COL_CONSTRAINT_MSG},
	{"constraint message", COL_CONSTRAINT_MSG},
	{"constraining message", COL_CONSTRAINT_MSG},
	{"jr:constraintmsg", COL_CONSTRAINT_MSG},
	{"relevant", COL_RELEVANT},
	{"relevance", COL_RELEVANT},
	{"calculation", COL_CALCULATION},
	{"calculate", COL_CALCULATION},
	{"choice_filter", COL_CHOICE_FILTER},
	{"default", COL_DEFAULT},
	{"read_only", COL_READ_ONLY},
	{"readonly", COL_READ_ONLY},
	{"appearance", COL_APPEARANCE},
	{"repeat_count", COL_REPEAT_COUNT},
	{"count", COL_REPEAT_COUNT},
	{"jr:count", COL_REPEAT_COUNT},
	{"parameters", COL_PARAMETERS},
	{"personal", COL_PERSONAL},
	/* XLSForm columns a terminal has no use for */
	{"image", COL_IGNORED},
	{"big-image", COL_IGNORED},
	{"audio", COL_IGNORED},
	{"video", COL_IGNORED},
	{"media", COL_IGNORED},
	{"guidance_hint", COL_IGNORED},
	{"rows", COL_IGNORED},
	{"autoplay", COL_IGNORED},
	{"noapperrorstring", COL_IGNORED},
	{"no_app_error_string", COL_IGNORED},
	{"jr:noapperrorstring", COL_IGNORED},
	{"trigger", COL_IGNORED},
	{"save_to", COL_IGNORED},
	{"compact_tag", COL_IGNORED},
	{"body", COL_IGNORED},
	{"instance", COL_IGNORED},
	{"sms field", COL_IGNORED},
	{"sms option", COL_IGNORED},
	{"sms separator", COL_IGNORED},
	{"sms allow media", COL_IGNORED},
	{"sms date format", COL_IGNORED},
	{"sms datetime format", COL_IGNORED},
	{"sms response", COL_IGNORED},
};

/* Columns that may carry ::language. */
static int translatable(enum col c, const char *base)
{
	if (c == COL_LABEL || c == COL_HINT || c == COL_REQUIRED_MSG || c == COL_CONSTRAINT_MSG)
		return 1;
	return c == COL_IGNORED &&
	       (!strcmp(base, "image") || !strcmp(base, "big-image") || !strcmp(base, "audio") ||
		!strcmp(base, "video") || !strcmp(base, "media") || !strcmp(base, "guidance_hint"));
}

static enum col survey_alias(const char *lower)
{
	size_t i;

	for (i = 0; i < sizeof(survey_aliases) / sizeof(survey_aliases[0]); i++)
		if (!strcmp(survey_aliases[i].alias, lower))
			return survey_aliases[i].col;
	return COL_UNKNOWN;
}

static char *lowercase(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/*
 * Resolves a survey header: the column and, for translated columns, the
 * language as written (malloc'd into *lang, NULL for a plain column).
 * `pass` is set for pyxform pass-through columns (bind::x, instance::x ...)
 * that are not warned about.
 */
static enum col resolve_survey_header(const char *h, char **lang, int *pass)
{
	char *low = lowercase(h);
	const char *base = low;
	size_t off = 0, blen;
	const char *sep;
	enum col c;
	int prefixed = 0;

	*lang = NULL;
	*pass = 0;
	/* pyxform's old grouped headers: bind::constraint, control:appearance */
	for (;;) {
		if (!strncmp(base, "bind::", 6) || !strncmp(base, "bind:", 5) ||
		    !strncmp(base, "control::", 9) || !strncmp(base, "control:", 8)) {
			size_t k = strchr(base, ':') - base;
			k += base[k + 1] == ':' ? 2 : 1;
			base += k;
			off += k;
			prefixed = 1;
			continue;
		}
		break;
	}
	if (!strncmp(base, "instance::", 10) || !strncmp(base, "body::", 6)) {
		*pass = 1;
		c = COL_IGNORED;
		goto done;
	}
	c = survey_alias(base);
	if (c != COL_UNKNOWN)
		goto done;
	sep = strstr(base, "::");
	blen = sep ? (size_t)(sep - base) : 0;
	if (!sep) {
		sep = strchr(base, ':');
		blen = sep ? (size_t)(sep - base) : 0;
	}
	if (sep) {
		char *b = xstrndup(base, blen);
		size_t skip = sep[1] == ':' ? 2 : 1;

		c = survey_alias(b);
		if (c != COL_UNKNOWN && translatable(c, b)) {
			const char *l = h + off + blen + skip;

			while (*l == ' ')
				l++;
			*lang = *l ? xstrdup(l) : NULL; /* "label::" is the plain column */
		} else if (!strcmp(b, "media")) {
			c = COL_IGNORED;
		} else {
			c = COL_UNKNOWN;
		}
		free(b);
	}
	if (c == COL_UNKNOWN && prefixed) {
		*pass = 1;
		c = COL_IGNORED;
	}
done:
	free(low);
	return c;
}

/* Language code: the text in trailing parentheses, "中文 (zh)" -> "zh"; else a
 * code for a few common names; else "". */
static const char *lang_code_of(struct arena *a, const char *name)
{
	size_t len = strlen(name);
	const char *open;

	if (len >= 3 && name[len - 1] == ')' && (open = strrchr(name, '(')) != NULL) {
		const char *s = open + 1, *e = name + len - 1;

		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		return arena_strndup(a, s, (size_t)(e - s));
	}
	if (!strcasecmp(name, "english") || !strcasecmp(name, "eng") || !strcasecmp(name, "en"))
		return "en";
	if (!strcasecmp(name, "chinese") || !strcmp(name, "中文") || !strcmp(name, "汉语") ||
	    !strcmp(name, "简体中文") || !strcasecmp(name, "zh"))
		return "zh";
	return "";
}

/* ------------------------------------------------------------------------ */
/* Builder                                                                  */
/* ------------------------------------------------------------------------ */

struct colmap {
	enum col *col; /* per header cell */
	int *lang;     /* per header cell: language index, -1 when not translated */
	size_t n;
	int idx[COL__COUNT]; /* first header cell of each untranslated column, or -1 */
	size_t *tcols;       /* the header cells with a language, in order */
	size_t n_tcols;
};

struct builder {
	const char *file;
	struct workbook *wb;
	struct form *f;
	struct diag_list *diags;
	size_t errors0;
	const char *default_lang; /* settings default_language, or "default" */
	struct wb_sheet *survey, *choices, *settings;
	struct colmap sc, cc;
	int allow_choice_dups;
	char *multi_checked; /* per list: already checked for select_multiple */
	size_t multi_cap;    /* bytes of multi_checked */
	bool too_big;        /* past a FORM_MAX_* limit: the survey is not compiled */
	const struct form_files *files; /* where attached files are read, or NULL */
	const char *cur_sheet; /* where the expression being compiled is */
	int cur_row;
};

static void vdiag(struct builder *b, enum diag_severity sev, const char *sheet, int line,
		  const char *zh, const char *en, va_list ap) RUHU_PRINTF2(5, 6, 0);
static void vdiag(struct builder *b, enum diag_severity sev, const char *sheet, int line,
		  const char *zh, const char *en, va_list ap)
{
	struct strbuf where = STRBUF_INIT;

	strbuf_addstr(&where, b->file);
	if (sheet)
		strbuf_addf(&where, ":%s", sheet);
	if (line > 0)
		strbuf_addf(&where, ":%d", line);
	diag_vadd(b->diags, sev, where.buf, zh, en, ap);
	strbuf_release(&where);
}

static void err_at(struct builder *b, const char *sheet, int line, const char *zh, const char *en,
		   ...)
	RUHU_PRINTF2(4, 5, 6);
static void err_at(struct builder *b, const char *sheet, int line, const char *zh, const char *en,
		   ...)
{
	va_list ap;

	va_start(ap, en);
	vdiag(b, DIAG_ERROR, sheet, line, zh, en, ap);
	va_end(ap);
}

static void warn_at(struct builder *b, const char *sheet, int line, const char *zh,
		    const char *en, ...)
	RUHU_PRINTF2(4, 5, 6);
static void warn_at(struct builder *b, const char *sheet, int line, const char *zh,
		    const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	vdiag(b, DIAG_WARNING, sheet, line, zh, en, ap);
	va_end(ap);
}

static int lang_add(struct builder *b, const char *name)
{
	struct form *f = b->f;
	size_t i;

	for (i = 0; i < f->n_lang; i++)
		if (!strcmp(f->lang_name[i], name))
			return (int)i;
	f->lang_name = xrealloc(f->lang_name, (f->n_lang + 1) * sizeof(char *));
	f->lang_code = xrealloc(f->lang_code, (f->n_lang + 1) * sizeof(char *));
	f->lang_name[f->n_lang] = arena_strdup(&f->arena, name);
	f->lang_code[f->n_lang] = lang_code_of(&f->arena, name);
	return (int)f->n_lang++;
}

static int is_yes(const char *s)
{
	return !strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcasecmp(s, "true()");
}

static int is_no(const char *s)
{
	return !strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcasecmp(s, "false()");
}

/* ---- settings ---------------------------------------------------------- */

static const char *setting_key(const char *lower)
{
	if (!strcmp(lower, "form_title") || !strcmp(lower, "set form title") ||
	    !strcmp(lower, "title"))
		return "form_title";
	if (!strcmp(lower, "form_id") || !strcmp(lower, "id_string") ||
	    !strcmp(lower, "set form id"))
		return "form_id";
	return NULL;
}

static void build_settings(struct builder *b)
{
	struct form *f = b->f;
	struct wb_sheet *s = b->settings;
	size_t i;

	if (!s || !s->header.n)
		return;
	if (s->n > 1)
		warn_at(b, "settings", s->rows[1].line, "settings 表只读取第一行数据，其余行被忽略",
			"only the first data row of the settings sheet is read; later rows are ignored");
	f->settings = xcalloc(s->header.n, sizeof(*f->settings));
	for (i = 0; i < s->header.n; i++) {
		const char *h = s->header.cells[i];
		const char *v = s->n ? workbook_cell(&s->rows[0], (int)i) : "";
		char *low;
		const char *key;

		if (!*h)
			continue;
		low = lowercase(h);
		key = setting_key(low);
		f->settings[f->n_settings].key = arena_strdup(&f->arena, key ? key : low);
		f->settings[f->n_settings].val = arena_strdup(&f->arena, v);
		f->n_settings++;
		free(low);
	}
	b->allow_choice_dups = form_setting(f, "allow_choice_duplicates") &&
			       is_yes(form_setting(f, "allow_choice_duplicates"));
}

/* ---- column maps and languages ----------------------------------------- */

static void colmap_init(struct colmap *m, size_t n)
{
	size_t i;

	m->n = n;
	m->col = xcalloc(n ? n : 1, sizeof(*m->col));
	m->lang = xcalloc(n ? n : 1, sizeof(*m->lang));
	m->tcols = NULL;
	m->n_tcols = 0;
	for (i = 0; i < COL__COUNT; i++)
		m->idx[i] = -1;
	for (i = 0; i < n; i++)
		m->lang[i] = -1;
}

static void colmap_free(struct colmap *m)
{
	free(m->col);
	free(m->lang);
	free(m->tcols);
}

/* Lists the translated cells, so per-row work does not scan every header cell
 * (a header may be far wider than its rows). */
static void colmap_index(struct colmap *m)
{
	size_t i;

	m->tcols = xcalloc(m->n ? m->n : 1, sizeof(*m->tcols));
	m->n_tcols = 0;
	for (i = 0; i < m->n; i++)
		if (m->lang[i] >= 0)
			m->tcols[m->n_tcols++] = i;
}

static void map_survey_columns(struct builder *b)
{
	struct wb_sheet *s = b->survey;
	struct colmap *m = &b->sc;
	size_t i;

	colmap_init(m, s->header.n);
	for (i = 0; i < s->header.n; i++) {
		const char *h = s->header.cells[i];
		char *lang = NULL;
		int pass;
		enum col c;

		if (!*h) {
			m->col[i] = COL_IGNORED;
			continue;
		}
		c = resolve_survey_header(h, &lang, &pass);
		m->col[i] = c;
		if (c == COL_UNKNOWN) {
			warn_at(b, "survey", s->header.line, "未知的列 '%s'，已忽略",
				"unknown column '%s' ignored", h);
		} else if (c == COL_IGNORED) {
			/* media and the like: no language either */
		} else if (c == COL_LABEL || c == COL_HINT || c == COL_REQUIRED_MSG ||
			   c == COL_CONSTRAINT_MSG) {
			m->lang[i] = lang_add(b, lang ? lang : b->default_lang);
		} else if (m->idx[c] < 0) {
			m->idx[c] = (int)i;
		} else {
			warn_at(b, "survey", s->header.line, "重复的列 '%s'，只使用第一列",
				"duplicate column '%s': only the first one is used", h);
			m->col[i] = COL_IGNORED;
		}
		free(lang);
	}
	colmap_index(m);
	if (m->idx[COL_TYPE] < 0)
		err_at(b, "survey", s->header.line, "survey 表没有 'type' 列",
		       "survey sheet has no 'type' column");
	if (m->idx[COL_NAME] < 0)
		err_at(b, "survey", s->header.line, "survey 表没有 'name' 列",
		       "survey sheet has no 'name' column");
}

static void map_choice_columns(struct builder *b)
{
	struct wb_sheet *s = b->choices;
	struct colmap *m = &b->cc;
	size_t i;

	colmap_init(m, s->header.n);
	for (i = 0; i < s->header.n; i++) {
		const char *h = s->header.cells[i];
		char *low = lowercase(h);
		const char *sep;

		if (!*h) {
			m->col[i] = COL_IGNORED;
		} else if (!strcmp(low, "list_name") || !strcmp(low, "list name")) {
			m->col[i] = COL_LIST_NAME;
		} else if (!strcmp(low, "name") || !strcmp(low, "value")) {
			m->col[i] = COL_NAME;
		} else if (!strcmp(low, "label") || !strcmp(low, "caption")) {
			m->col[i] = COL_LABEL;
			m->lang[i] = lang_add(b, b->default_lang);
		} else if ((!strncmp(low, "label:", 6) || !strncmp(low, "caption:", 8)) &&
			   (sep = strchr(h, ':')) != NULL) {
			sep += sep[1] == ':' ? 2 : 1;
			while (*sep == ' ')
				sep++;
			m->col[i] = COL_LABEL;
			m->lang[i] = lang_add(b, *sep ? sep : b->default_lang);
		} else {
			m->col[i] = COL_EXTRA;
		}
		if (m->col[i] == COL_LIST_NAME || m->col[i] == COL_NAME) {
			if (m->idx[m->col[i]] < 0) {
				m->idx[m->col[i]] = (int)i;
			} else {
				/* `value` is pyxform's alias of `name`: a sheet with both
				 * would silently lose one of them */
				warn_at(b, "choices", s->header.line,
					"列 '%s' 与列 '%s' 含义相同，已忽略",
					"column '%s' means the same as column '%s' and is ignored", h,
					s->header.cells[m->idx[m->col[i]]]);
				m->col[i] = COL_IGNORED;
			}
		}
		free(low);
	}
	colmap_index(m);
	if (s->n && m->idx[COL_LIST_NAME] < 0)
		err_at(b, "choices", s->header.line, "choices 表没有 'list_name' 列",
		       "choices sheet has no 'list_name' column");
	if (s->n && m->idx[COL_NAME] < 0)
		err_at(b, "choices", s->header.line, "choices 表没有 'name' 列",
		       "choices sheet has no 'name' column");
}

/* A form_text from the row's translated cells of column `c`. */
static struct form_text row_text(struct builder *b, const struct colmap *m,
				 const struct wb_row *r, enum col c)
{
	struct form *f = b->f;
	struct form_text t = {NULL};
	const char **v = NULL;
	size_t j;

	for (j = 0; j < m->n_tcols && m->tcols[j] < r->n; j++) {
		size_t i = m->tcols[j];

		if (m->col[i] != c || !*r->cells[i])
			continue;
		if (!v) {
			v = arena_alloc(&f->arena, f->n_lang * sizeof(*v));
			memset(v, 0, f->n_lang * sizeof(*v));
		}
		if (!v[m->lang[i]])
			v[m->lang[i]] = arena_strdup(&f->arena, r->cells[i]);
	}
	t.v = v;
	return t;
}

/* ---- choices ----------------------------------------------------------- */

static int list_add(struct builder *b, const char *name)
{
	struct form *f = b->f;
	struct form_list *l;
	int i = smap_get(&f->names, -2, name);

	if (i >= 0)
		return i;
	XGROW(f->lists, f->cap_lists, f->n_lists + 1);
	f->list_cap = xrealloc(f->list_cap, f->cap_lists * sizeof(*f->list_cap));
	l = &f->lists[f->n_lists];
	memset(l, 0, sizeof(*l));
	l->name = arena_strdup(&f->arena, name);
	f->list_cap[f->n_lists] = 0;
	smap_put(&f->names, -2, l->name, (int)f->n_lists);
	return (int)f->n_lists++;
}

static void build_choices(struct builder *b)
{
	struct form *f = b->f;
	struct wb_sheet *s = b->choices;
	const struct colmap *m = &b->cc;
	const char **extra_names = NULL, **empty_extra = NULL;
	size_t n_extra = 0, i, k;

	if (!s || m->idx[COL_LIST_NAME] < 0 || m->idx[COL_NAME] < 0)
		return;
	for (k = 0; k < m->n; k++)
		if (m->col[k] == COL_EXTRA)
			n_extra++;
	if (n_extra) {
		extra_names = arena_alloc(&f->arena, n_extra * sizeof(char *));
		n_extra = 0;
		for (k = 0; k < m->n; k++)
			if (m->col[k] == COL_EXTRA)
				extra_names[n_extra++] = arena_strdup(&f->arena, s->header.cells[k]);
	}
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		const char *ln = workbook_cell(r, m->idx[COL_LIST_NAME]);
		const char *name = workbook_cell(r, m->idx[COL_NAME]);
		struct form_list *l;
		struct form_choice *c;
		const char **extra = NULL;
		int li, prev;

		if (!*ln) {
			err_at(b, "choices", r->line, "选项没有 list_name", "choice has no list_name");
			continue;
		}
		li = list_add(b, ln);
		l = &f->lists[li];
		l->extra_names = extra_names;
		l->n_extra = n_extra;
		if (!*name) {
			err_at(b, "choices", r->line, "选项列表 '%s' 中的选项没有 name",
			       "choice in list '%s' has no name", ln);
			continue;
		}
		prev = smap_get(&f->names, li, name);
		if (prev >= 0 && !b->allow_choice_dups) {
			err_at(b, "choices", r->line,
			       "选项列表 '%1$s' 中的选项 '%2$s' 重复（第 %3$d 行已有）；"
			       "如确需重复，请在 settings 表设置 allow_choice_duplicates = yes",
			       "duplicate choice '%2$s' in list '%1$s' (also at row %3$d); set "
			       "allow_choice_duplicates = yes in the settings sheet if this is intended",
			       ln, name, l->choices[prev].row);
			continue;
		}
		XGROW(l->choices, f->list_cap[li], l->n + 1);
		c = &l->choices[l->n];
		c->name = arena_strdup(&f->arena, name);
		c->label = row_text(b, m, r, COL_LABEL);
		c->row = r->line;
		if (n_extra) {
			size_t e = 0;
			int any = 0;

			for (k = 0; k < m->n && k < r->n; k++)
				if (m->col[k] == COL_EXTRA && *r->cells[k])
					any = 1;
			/* rows without extra values share one array of "" (memory then
			 * grows with the file, not with the header's width) */
			if (!any && !empty_extra) {
				empty_extra = arena_alloc(&f->arena, n_extra * sizeof(char *));
				for (k = 0; k < n_extra; k++)
					empty_extra[k] = "";
			}
			if (any) {
				extra = arena_alloc(&f->arena, n_extra * sizeof(char *));
				for (k = 0; k < m->n; k++)
					if (m->col[k] == COL_EXTRA)
						extra[e++] = *workbook_cell(r, (int)k)
								 ? arena_strdup(&f->arena, workbook_cell(r, (int)k))
								 : "";
			} else {
				extra = empty_extra;
			}
		}
		c->extra = extra;
		if (prev < 0)
			smap_put(&f->names, li, c->name, (int)l->n);
		l->n++;
	}
}

/* ---- types ------------------------------------------------------------- */

enum kind {
	K_QUESTION,
	K_SELECT,       /* select_one / select_multiple LIST */
	K_UNSUPPORTED,  /* loads as FORM_UNSUPPORTED, with a warning */
	K_BEGIN_GROUP,
	K_BEGIN_REPEAT,
	K_BEGIN_LOOP,
	K_END_GROUP,
	K_END_REPEAT,
	K_END_LOOP,
	K_CSV_EXTERNAL, /* csv-external: declares the attached file NAME.csv */
	K_UNKNOWN,
	K_BAD,          /* a select without a list, or with extra words */
};

static const struct {
	const char *name;
	enum form_type type;
} simple_types[] = {
	{"integer", FORM_INTEGER},
	{"int", FORM_INTEGER},
	{"decimal", FORM_DECIMAL},
	{"range", FORM_RANGE},
	{"text", FORM_TEXT},
	{"string", FORM_TEXT},
	{"phone number", FORM_TEXT},
	{"note", FORM_NOTE},
	{"date", FORM_DATE},
	{"time", FORM_TIME},
	{"datetime", FORM_DATETIME},
	{"date time", FORM_DATETIME},
	{"calculate", FORM_CALCULATE},
	{"acknowledge", FORM_ACKNOWLEDGE},
	{"trigger", FORM_ACKNOWLEDGE},
	{"hidden", FORM_HIDDEN},
	{"geopoint", FORM_GEOPOINT},
	{"gps", FORM_GEOPOINT},
	{"location", FORM_GEOPOINT},
	{"barcode", FORM_BARCODE},
	{"start", FORM_START},
	{"start time", FORM_START},
	{"end", FORM_END},
	{"end time", FORM_END},
	{"today", FORM_TODAY},
	{"deviceid", FORM_DEVICEID},
	{"device id", FORM_DEVICEID},
	{"imei", FORM_DEVICEID},
	{"username", FORM_USERNAME},
	{"audit", FORM_AUDIT},
};

/* Types that load but that a terminal cannot capture (or a laptop cannot
 * fill); the zero-argument ones. */
static const char *const unsupported_types[] = {
	"image", "photo", "audio", "video", "file", "geotrace", "geoshape", "osm",
	"background-audio", "background-geopoint", "start-geopoint", "xml-external",
	"phonenumber", "simserial", "subscriberid", "email", "uri:deviceid",
	"uri:subscriberid", "uri:phonenumber", "uri:simserial", "uri:username", "uri:email",
	"sim id", "subscriber id", "entity",
};

/* Select prefixes, longest first where one is a prefix of another. */
static const struct {
	const char *prefix;
	enum form_type type; /* FORM_UNSUPPORTED for lists ruhu cannot show */
} select_prefixes[] = {
	{"select_one_from_file ", FORM_SELECT_ONE},
	{"select_multiple_from_file ", FORM_SELECT_MULTIPLE},
	{"select one from file ", FORM_SELECT_ONE},
	{"select multiple from file ", FORM_SELECT_MULTIPLE},
	{"select_one_external ", FORM_UNSUPPORTED},
	{"rank ", FORM_UNSUPPORTED},
	{"osm ", FORM_UNSUPPORTED},
	{"select_one ", FORM_SELECT_ONE},
	{"select one from ", FORM_SELECT_ONE},
	{"select one using ", FORM_SELECT_ONE},
	{"add select one prompt using ", FORM_SELECT_ONE},
	{"select one ", FORM_SELECT_ONE},
	{"select1 ", FORM_SELECT_ONE},
	{"select_multiple ", FORM_SELECT_MULTIPLE},
	{"select all that apply from ", FORM_SELECT_MULTIPLE},
	{"select all that apply ", FORM_SELECT_MULTIPLE},
	{"select multiple from ", FORM_SELECT_MULTIPLE},
	{"select multiple using ", FORM_SELECT_MULTIPLE},
	{"add select multiple prompt using ", FORM_SELECT_MULTIPLE},
};

struct type_info {
	enum kind kind;
	enum form_type type;
	char *list;   /* selects: the list name as written (malloc'd) */
	char *extra;  /* K_BAD: the unexpected words after the list, or NULL */
	int or_other;
	int from_file; /* select_*_from_file: `list` is an attached file's name */
};

/* Collapses runs of blanks into one space and trims; keeps case. */
static char *collapse_blanks(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			if (sb.len && sb.buf[sb.len - 1] != ' ')
				strbuf_addch(&sb, ' ');
			continue;
		}
		strbuf_addch(&sb, *s);
	}
	if (sb.len && sb.buf[sb.len - 1] == ' ')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

static int in_table(const char *t, const char *const *tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t, tab[i]))
			return 1;
	return 0;
}

static const char *const begin_group[] = {"begin group"};
static const char *const begin_repeat[] = {"begin repeat", "begin looped group", "begin lgroup"};
static const char *const end_group[] = {"end group"};
static const char *const end_repeat[] = {"end repeat", "end looped group", "end lgroup"};
#define IN(t, tab) in_table((t), (tab), sizeof(tab) / sizeof((tab)[0]))

/* Parses the list part of a select type: "LIST", "LIST or_other",
 * "LIST or specify other". */
static void parse_select_rest(const char *rest, struct type_info *ti)
{
	const char *sp = strchr(rest, ' ');
	const char *more;

	if (!*rest) {
		ti->kind = K_BAD;
		return;
	}
	ti->list = sp ? xstrndup(rest, (size_t)(sp - rest)) : xstrdup(rest);
	if (!sp)
		return;
	more = sp + 1;
	if (!strcasecmp(more, "or_other") || !strcasecmp(more, "or specify other")) {
		ti->or_other = 1;
		return;
	}
	ti->kind = K_BAD;
	ti->extra = xstrdup(more);
}

static void parse_type(const char *cellv, struct type_info *ti)
{
	char *w = collapse_blanks(cellv);
	char *t = lowercase(w);
	size_t i;

	memset(ti, 0, sizeof(*ti));
	ti->kind = K_UNKNOWN;
	if (!strncmp(t, "begin_", 6) || !strncmp(t, "end_", 4))
		for (i = 0; t[i]; i++)
			if (t[i] == '_')
				t[i] = ' ';
	for (i = 0; i < sizeof(simple_types) / sizeof(simple_types[0]); i++)
		if (!strcmp(t, simple_types[i].name)) {
			ti->kind = K_QUESTION;
			ti->type = simple_types[i].type;
			goto done;
		}
	if (IN(t, unsupported_types)) {
		ti->kind = K_UNSUPPORTED;
		ti->type = FORM_UNSUPPORTED;
	} else if (IN(t, begin_group)) {
		ti->kind = K_BEGIN_GROUP;
		ti->type = FORM_GROUP;
	} else if (IN(t, begin_repeat)) {
		ti->kind = K_BEGIN_REPEAT;
		ti->type = FORM_REPEAT;
	} else if (IN(t, end_group)) {
		ti->kind = K_END_GROUP;
	} else if (IN(t, end_repeat)) {
		ti->kind = K_END_REPEAT;
	} else if (!strncmp(t, "begin loop", 10) && (t[10] == ' ' || !t[10])) {
		ti->kind = K_BEGIN_LOOP;
		ti->type = FORM_GROUP;
	} else if (!strcmp(t, "end loop")) {
		ti->kind = K_END_LOOP;
	} else if (!strcmp(t, "csv-external")) {
		ti->kind = K_CSV_EXTERNAL;
	} else {
		for (i = 0; i < sizeof(select_prefixes) / sizeof(select_prefixes[0]); i++) {
			const char *p = select_prefixes[i].prefix;
			size_t pl = strlen(p);

			/* "select_one" alone matches "select_one " without its list */
			if (strncmp(t, p, pl) && !(strlen(t) == pl - 1 && !strncmp(t, p, pl - 1)))
				continue;
			ti->type = select_prefixes[i].type;
			ti->kind = ti->type == FORM_UNSUPPORTED ? K_UNSUPPORTED : K_SELECT;
			ti->from_file = strstr(p, "file") != NULL;
			parse_select_rest(strlen(w) > pl ? w + pl : "", ti);
			if (ti->type == FORM_UNSUPPORTED && ti->kind == K_BAD) {
				/* not shown anyway: no need to be strict about its list */
				ti->kind = K_UNSUPPORTED;
				free(ti->extra);
				ti->extra = NULL;
			}
			break;
		}
	}
done:
	free(w);
	free(t);
}

/* ---- survey ------------------------------------------------------------ */

/* Emits one diagnostic whose Chinese and English texts are already built. */
static void diag2(struct builder *b, enum diag_severity sev, const char *sheet, int line,
		  const char *zh, const char *en)
{
	if (sev == DIAG_ERROR)
		err_at(b, sheet, line, "%1$s%2$.0s", "%2$s%1$.0s", zh, en);
	else
		warn_at(b, sheet, line, "%1$s%2$.0s", "%2$s%1$.0s", zh, en);
}

static int valid_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' || *p >= 0x80))
		return 0;
	for (p++; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.' || *p >= 0x80))
			return 0;
	return 1;
}

static const char *kind_word(enum kind k)
{
	switch (k) {
	case K_BEGIN_GROUP:
	case K_END_GROUP:
		return "group";
	case K_BEGIN_REPEAT:
	case K_END_REPEAT:
		return "repeat";
	default:
		return "loop";
	}
}

struct open_container {
	int node;
	enum kind kind; /* K_BEGIN_* */
};

/* Parses a number cell fully; returns 0 on success. */
static int parse_number(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * The next "key=value" of a parameters cell (pyxform's syntax: pairs
 * separated by blanks, ',' or ';'). Returns 0 at the end, else 1 with *key
 * and *val allocated (the caller frees both); *val is NULL when the key has
 * no '=' (the rest of that word is skipped).
 */
static int param_next(const char **pp, char **key, char **val)
{
	const char *p = *pp, *k, *v;
	size_t kl;

	*key = *val = NULL;
	while (p && (*p == ' ' || *p == '\t' || *p == ',' || *p == ';'))
		p++;
	if (!p || !*p)
		return 0;
	k = p;
	while (*p && *p != '=' && *p != ' ' && *p != ',' && *p != ';')
		p++;
	kl = (size_t)(p - k);
	while (*p == ' ')
		p++;
	*key = xstrndup(k, kl);
	if (*p != '=') {
		while (*p && *p != ' ' && *p != ',' && *p != ';')
			p++;
		*pp = p;
		return 1;
	}
	p++;
	while (*p == ' ')
		p++;
	v = p;
	while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != ';')
		p++;
	*val = xstrndup(v, (size_t)(p - v));
	*pp = p;
	return 1;
}

/* range parameters: "start=1 end=10 step=1", separated by blanks, ',' or ';'. */
static void parse_range(struct builder *b, struct form_node *n)
{
	const char *p = n->parameters;
	char *key, *val;
	double d;

	n->range_start = 1;
	n->range_end = 10;
	n->range_step = 1;
	while (param_next(&p, &key, &val)) {
		if (!val) {
			err_at(b, "survey", n->row, "range 参数 '%s' 缺少 '='，应写成 start=1 end=10 step=1",
			       "range parameter '%s' has no '=': write start=1 end=10 step=1", key);
		} else if (!strcasecmp(key, "start") || !strcasecmp(key, "end") ||
			   !strcasecmp(key, "step") || !strcasecmp(key, "tick_interval")) {
			if (parse_number(val, &d) < 0)
				err_at(b, "survey", n->row, "range 参数 '%s' 不是数字：'%s'",
				       "range parameter '%s' is not a number: '%s'", key, val);
			else if (!strcasecmp(key, "start"))
				n->range_start = d;
			else if (!strcasecmp(key, "end"))
				n->range_end = d;
			else if (!strcasecmp(key, "step"))
				n->range_step = d;
		} else if (strcasecmp(key, "placeholder") && strcasecmp(key, "tick_labelset")) {
			err_at(b, "survey", n->row, "未知的 range 参数 '%s'（可用 start、end、step）",
			       "unknown range parameter '%s' (use start, end, step)", key);
		}
		free(key);
		free(val);
	}
	/* start > end is a reversed range, which ODK allows */
	if (n->range_step == 0)
		err_at(b, "survey", n->row, "range 的 step 不能为 0", "range step must not be 0");
}

/* A select's parameters: randomize=true|false and seed=EXPR (pyxform's);
 * for a select from an attached file also value=COLUMN and label=COLUMN
 * (ODK: which of the file's columns give the choice names and labels),
 * returned in *vcol / *lcol (arena strings, NULL when not given). */
static void parse_select_params(struct builder *b, struct form_node *n, bool from_file,
				const char **vcol, const char **lcol)
{
	const char *p = n->parameters;
	char *key, *val;

	*vcol = *lcol = NULL;
	while (param_next(&p, &key, &val)) {
		if (!val) {
			err_at(b, "survey", n->row,
			       "选择题参数 '%s' 缺少 '='，应写成 randomize=true seed=${s}",
			       "select parameter '%s' has no '=': write randomize=true seed=${s}", key);
		} else if (!strcasecmp(key, "randomize")) {
			if (is_yes(val))
				n->randomize = true;
			else if (!is_no(val))
				err_at(b, "survey", n->row, "randomize 应为 true 或 false，而不是 '%s'",
				       "randomize must be true or false, not '%s'", val);
		} else if (!strcasecmp(key, "seed")) {
			n->seed.src = *val ? arena_strdup(&b->f->arena, val) : NULL;
		} else if (from_file && (!strcasecmp(key, "value") || !strcasecmp(key, "label"))) {
			if (!*val)
				err_at(b, "survey", n->row, "参数 %s= 缺少列名",
				       "parameter %s= names no column", key);
			else if (!strcasecmp(key, "value"))
				*vcol = arena_strdup(&b->f->arena, val);
			else
				*lcol = arena_strdup(&b->f->arena, val);
		} else if (from_file) {
			err_at(b, "survey", n->row,
			       "未知的选择题参数 '%s'（可用 randomize、seed、value、label）",
			       "unknown select parameter '%s' (use randomize, seed, value, label)", key);
		} else {
			err_at(b, "survey", n->row, "未知的选择题参数 '%s'（可用 randomize、seed）",
			       "unknown select parameter '%s' (use randomize, seed)", key);
		}
		free(key);
		free(val);
	}
	if (n->seed.src && !n->randomize) {
		err_at(b, "survey", n->row, "seed 参数需要同时写 randomize=true",
		       "parameter seed needs randomize=true as well");
		n->seed.src = NULL;
	}
}

/* A pyxform default is dynamic when it references a field or calls a
 * function; otherwise it is a literal value. */
static int default_is_dynamic(const char *s)
{
	const char *p;

	if (strstr(s, "${"))
		return 1;
	for (p = s; *p; p++) {
		if (*p == '(' && p > s) {
			unsigned char c = (unsigned char)p[-1];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '-')
				return 1;
		}
	}
	return 0;
}

static struct form_expr expr_src(struct builder *b, const struct wb_row *r, enum col c)
{
	struct form_expr fe = {NULL, NULL};
	const char *v = workbook_cell(r, b->sc.idx[c]);

	if (*v)
		fe.src = arena_strdup(&b->f->arena, v);
	return fe;
}

static const char *opt_str(struct builder *b, const struct wb_row *r, enum col c)
{
	const char *v = workbook_cell(r, b->sc.idx[c]);

	return *v ? arena_strdup(&b->f->arena, v) : NULL;
}

/* Sets a yes/no column: the flag, or an expression. */
static void yes_no_expr(struct builder *b, const struct wb_row *r, enum col c, bool *flag,
			struct form_expr *fe)
{
	const char *v = workbook_cell(r, b->sc.idx[c]);

	*flag = false;
	fe->src = NULL;
	fe->e = NULL;
	if (!*v || is_no(v))
		return;
	if (is_yes(v))
		*flag = true;
	else
		fe->src = arena_strdup(&b->f->arena, v);
}

static const char *header_of(struct builder *b, enum col c)
{
	int k = b->sc.idx[c];

	return k >= 0 ? b->survey->header.cells[k] : "";
}

static void end_container(struct builder *b, struct open_container *stack, size_t *depth,
			  const struct wb_row *r, enum kind end_kind, const char *type)
{
	struct form *f = b->f;
	enum kind want = end_kind == K_END_GROUP ? K_BEGIN_GROUP
			 : end_kind == K_END_REPEAT ? K_BEGIN_REPEAT
						    : K_BEGIN_LOOP;
	struct open_container *top;

	if (!*depth) {
		err_at(b, "survey", r->line, "'%s' 没有对应的 'begin %s'",
		       "'%s' without a matching 'begin %s'", type, kind_word(end_kind));
		return;
	}
	top = &stack[--*depth];
	if (top->kind != want)
		err_at(b, "survey", r->line,
		       "'%1$s' 结束的是第 %3$d 行的 'begin %4$s' '%2$s'，应为 'end %4$s'",
		       "'%1$s' closes 'begin %4$s' '%2$s' of row %3$d: expected 'end %4$s'", type,
		       f->nodes[top->node].name ? f->nodes[top->node].name : "",
		       f->nodes[top->node].row, kind_word(top->kind));
	f->nodes[top->node].end = (int)f->n_nodes;
}

/* Edit distance of two short strings (at most 63 bytes each), else 99. */
static int distance(const char *a, const char *b)
{
	int d[64][64];
	int la = (int)strlen(a), lb = (int)strlen(b), i, j;

	if (la > 63 || lb > 63)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The known type closest to a misspelt one ("intger" -> "integer",
 * "select_on yn" -> "select_one yn"), or NULL; malloc'd. */
static char *suggest_type(const char *type)
{
	static const char *const extra[] = {"select_one", "select_multiple", "begin group",
					    "end group", "begin repeat", "end repeat"};
	char *w = collapse_blanks(type), *low = lowercase(w);
	const char *rest = strchr(low, ' ');
	const char *best = NULL;
	char *first, *out = NULL;
	int bd = 99, d;
	size_t i;

	first = xstrndup(low, rest ? (size_t)(rest - low) : strlen(low));
	for (i = 0; i < sizeof(simple_types) / sizeof(simple_types[0]) + 6; i++) {
		const char *c = i < 6 ? extra[i] : simple_types[i - 6].name;
		int with_list = i < 2;

		d = distance(with_list || !rest ? first : low, c);
		if (d < bd) {
			bd = d;
			best = c;
		}
	}
	if (best && bd <= 2 && (size_t)bd * 3 <= strlen(best)) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, best);
		if (rest && (!strcmp(best, "select_one") || !strcmp(best, "select_multiple")))
			strbuf_addstr(&sb, w + (rest - low));
		out = strbuf_detach(&sb, NULL);
	}
	free(first);
	free(low);
	free(w);
	return out;
}

/* select_multiple answers are choice names separated by spaces, so a name
 * with a blank in it could never be told apart: reported once per list. */
static void err_file(struct builder *b, const char *shown, size_t line, const char *zh,
		     const char *en, ...) RUHU_PRINTF2(4, 5, 6);

static void check_multi_names(struct builder *b, int list, int row)
{
	const struct form_list *l = &b->f->lists[list];
	size_t j;

	if (b->multi_checked[list])
		return;
	b->multi_checked[list] = 1;
	for (j = 0; j < l->n; j++) {
		if (!strpbrk(l->choices[j].name, " \t\r\n"))
			continue;
		if (l->file) {
			size_t k;

			for (k = 0; k < b->f->n_att; k++)
				if (b->f->att[k].list == list)
					break;
			err_file(b, k < b->f->n_att ? b->f->att[k].shown : l->file,
				 (size_t)l->choices[j].row,
				 "name '%1$s' 含有空格，而第 %2$d 行的多选题以空格分隔选项名",
				 "name '%1$s' holds a space, but the select_multiple of row %2$d "
				 "separates choice names with spaces",
				 l->choices[j].name, row);
			continue;
		}
		err_at(b, "choices", l->choices[j].row,
		       "选项列表 '%1$s' 的选项名 '%2$s' 含有空格，而第 %3$d 行的多选题以空格分隔选项名",
		       "choice name '%2$s' in list '%1$s' holds a space, but the select_multiple "
		       "of row %3$d separates choice names with spaces",
		       l->name, l->choices[j].name, row);
	}
}

/* ---- attached files ------------------------------------------------------ */

/* Rows of one attached file at most (a list item handle holds 24 bits). */
#define FORM_MAX_ATTACHED_ROWS 1000000


static void err_file(struct builder *b, const char *shown, size_t line, const char *zh,
		     const char *en, ...) RUHU_PRINTF2(4, 5, 6);
static void err_file(struct builder *b, const char *shown, size_t line, const char *zh,
		     const char *en, ...)
{
	struct strbuf where = STRBUF_INIT;
	va_list ap;

	strbuf_addstr(&where, shown);
	if (line)
		strbuf_addf(&where, ":%zu", line);
	va_start(ap, en);
	diag_vadd(b->diags, DIAG_ERROR, where.buf, zh, en, ap);
	va_end(ap);
	strbuf_release(&where);
}

/* Reads `name` from the in-memory files or the directory into a->data.
 * Returns 0, 1 when there is no such file, -1 when it cannot be read
 * (reported). */
static int attached_read(struct builder *b, struct attached *a)
{
	const struct form_files *fs = b->files;
	struct strbuf buf = STRBUF_INIT;
	char chunk[65536];
	struct error e = ERROR_INIT;
	struct stat st;
	FILE *fp = NULL;
	size_t k, got;

	for (k = 0; k < fs->n_mem; k++)
		if (fs->mem[k].name && !strcmp(fs->mem[k].name, a->name)) {
			if (fs->mem[k].len > FORM_MAX_BYTES) {
				err_file(b, a->shown, 0, "附带文件太大（%zu 字节，最多 %u 字节）",
					 "attached file too large (%zu bytes, at most %u)",
					 fs->mem[k].len, FORM_MAX_BYTES);
				return -1;
			}
			a->data = xmalloc(fs->mem[k].len + 1);
			memcpy(a->data, fs->mem[k].data, fs->mem[k].len);
			a->data[fs->mem[k].len] = '\0';
			a->len = fs->mem[k].len;
			return 0;
		}
	if (!fs->dir)
		return 1;
	if (stat(a->shown, &st) < 0 && errno == ENOENT)
		return 1;
	if (infile_open(a->shown, INFILE_FORM, &fp, NULL, &e) < 0) {
		diag_add_error(b->diags, DIAG_ERROR, &e);
		error_clear(&e);
		return -1;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (got > FORM_MAX_BYTES - buf.len) {
			err_file(b, a->shown, 0, "附带文件太大（超过 %u 字节）",
				 "attached file too large (more than %u bytes)", FORM_MAX_BYTES);
			goto fail;
		}
		strbuf_add(&buf, chunk, got);
	}
	if (ferror(fp)) {
		err_file(b, a->shown, 0, "读取失败：%s", "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(fp);
	a->len = buf.len;
	a->data = strbuf_detach(&buf, NULL);
	return 0;
fail:
	fclose(fp);
	strbuf_release(&buf);
	return -1;
}

/* the state of reading one attached CSV file into list `li` */
struct attach_read {
	struct builder *b;
	struct attached *a;
	int li;
	bool need_name, need_label;
	bool header_done, header_bad;
	int name_col;
	int *lang;     /* per column: the form language of a label column, else -1 */
	int *extra;    /* per column: the extra column's index, else -1 */
	size_t ncols, n_extra, rows;
	const char **empty_extra;
};

static char *trimmed(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	return xstrndup(s, len);
}

/* The form language a header `label::X` / `label:X` / `label` names, -1 for
 * none (reported as a warning), -2 when the column is no label. */
static int attached_label_lang(struct attach_read *r, const char *h, size_t line)
{
	struct builder *b = r->b;
	struct form *f = b->f;
	const char *sep, *code;
	size_t i;

	if (!strcasecmp(h, "label"))
		return (int)f->lang_default;
	if (strncasecmp(h, "label:", 6))
		return -2;
	sep = h + 6;
	if (*sep == ':')
		sep++;
	while (*sep == ' ')
		sep++;
	for (i = 0; i < f->n_lang; i++)
		if (!strcmp(f->lang_name[i], sep))
			return (int)i;
	code = lang_code_of(&f->arena, sep);
	for (i = 0; *code && i < f->n_lang; i++)
		if (!strcmp(f->lang_code[i], code))
			return (int)i;
	{
		struct strbuf where = STRBUF_INIT;

		strbuf_addf(&where, "%s:%zu", r->a->shown, line);
		diag_add(b->diags, DIAG_WARNING, where.buf, "列 '%s' 的语言不是问卷的语言，已忽略",
			 "column '%s' is in no language of the form: ignored", h);
		strbuf_release(&where);
	}
	return -1;
}

/* The file lacks the name or label column a select without value= /
 * label= needs: reported once per file. */
static void no_column(struct builder *b, struct attached *a, const char *col)
{
	bool *told = !strcmp(col, "name") ? &a->name_told : &a->label_told;

	if (*told)
		return;
	*told = true;
	err_file(b, a->shown, (size_t)a->header_line,
		 "附带文件没有 '%s' 列（select_one_from_file 需要 name 和 label 两列，"
		 "或用参数 value= 和 label= 指定列）",
		 "attached file has no '%s' column (select_one_from_file needs the columns "
		 "name and label, or parameters value= and label= naming others)",
		 col);
}

static int attached_header(struct attach_read *r, struct csvread_record *rec)
{
	struct builder *b = r->b;
	struct form *f = b->f;
	const char **names;
	bool label = false;
	size_t i;

	r->ncols = rec->n;
	r->lang = xcalloc(rec->n + 1, sizeof(int));
	r->extra = xcalloc(rec->n + 1, sizeof(int));
	names = arena_alloc(&f->arena, (rec->n + 1) * sizeof(char *));
	r->name_col = -1;
	for (i = 0; i < rec->n; i++) {
		char *h = trimmed(rec->cells[i], rec->lens[i]);
		int lang = attached_label_lang(r, h, rec->line);

		r->lang[i] = -1;
		r->extra[i] = -1;
		if (!strcasecmp(h, "name") && r->name_col < 0) {
			r->name_col = (int)i;
		} else if (lang != -2) {
			r->lang[i] = lang;
			label = true;
		} else if (*h) {
			r->extra[i] = (int)r->n_extra;
			names[r->n_extra++] = arena_strdup(&f->arena, h);
		}
		free(h);
	}
	r->a->header_line = (int)rec->line;
	r->a->has_name = r->name_col >= 0;
	r->a->has_label = label;
	if (r->name_col < 0 && r->need_name) {
		no_column(b, r->a, "name");
		r->header_bad = true;
	}
	if (r->need_label && !label) {
		no_column(b, r->a, "label");
		r->header_bad = true;
	}
	f->lists[r->li].extra_names = names;
	f->lists[r->li].n_extra = r->n_extra;
	r->header_done = true;
	return 0;
}

static int attached_row(void *ud, struct csvread_record *rec, struct error *err)
{
	struct attach_read *r = ud;
	struct builder *b = r->b;
	struct form *f = b->f;
	struct form_list *l;
	struct form_choice *c;
	const char **v = NULL, **extra;
	char *name;
	size_t i;
	int prev;

	if (!r->header_done)
		return attached_header(r, rec);
	if (r->header_bad)
		return 0;
	if (++r->rows > FORM_MAX_ATTACHED_ROWS) {
		error_set(err, NULL, "附带文件的行数太多（最多 %d 行）",
			  "attached file has too many rows (at most %d)", FORM_MAX_ATTACHED_ROWS);
		return -2;
	}
	l = &f->lists[r->li];
	if (r->name_col < 0) {
		/* a file only pulldata() and instance() read: no names to check */
		name = xstrdup("");
		prev = 0;
		goto cells;
	}
	name = trimmed((size_t)r->name_col < rec->n ? rec->cells[r->name_col] : "",
		       (size_t)r->name_col < rec->n ? rec->lens[r->name_col] : 0);
	if (!*name) {
		err_file(b, r->a->shown, rec->line, "这一行没有 name", "row has no name");
		free(name);
		return 0;
	}
	prev = smap_get(&f->names, r->li, name);
	if (prev >= 0 && !b->allow_choice_dups) {
		err_file(b, r->a->shown, rec->line, "name '%s' 重复（第 %d 行已有）",
			 "duplicate name '%s' (also at line %d)", name, l->choices[prev].row);
		free(name);
		return 0;
	}
cells:
	for (i = 0; i < rec->n && i < r->ncols; i++) {
		if (r->lang[i] < 0 || !rec->lens[i])
			continue;
		if (!v) {
			v = arena_alloc(&f->arena, f->n_lang * sizeof(*v));
			memset(v, 0, f->n_lang * sizeof(*v));
		}
		if (!v[r->lang[i]]) {
			char *t = trimmed(rec->cells[i], rec->lens[i]);

			v[r->lang[i]] = arena_strdup(&f->arena, t);
			free(t);
		}
	}
	extra = NULL;
	if (r->n_extra) {
		bool any = false;

		for (i = 0; i < rec->n && i < r->ncols; i++)
			if (r->extra[i] >= 0 && rec->lens[i])
				any = true;
		if (!any) {
			if (!r->empty_extra) {
				r->empty_extra = arena_alloc(&f->arena, r->n_extra * sizeof(char *));
				for (i = 0; i < r->n_extra; i++)
					r->empty_extra[i] = "";
			}
			extra = r->empty_extra;
		} else {
			extra = arena_alloc(&f->arena, r->n_extra * sizeof(char *));
			for (i = 0; i < r->n_extra; i++)
				extra[i] = "";
			for (i = 0; i < rec->n && i < r->ncols; i++)
				if (r->extra[i] >= 0 && rec->lens[i]) {
					char *t = trimmed(rec->cells[i], rec->lens[i]);

					extra[r->extra[i]] = arena_strdup(&f->arena, t);
					free(t);
				}
		}
	}
	XGROW(l->choices, f->list_cap[r->li], l->n + 1);
	c = &l->choices[l->n];
	c->name = arena_strdup(&f->arena, name);
	c->label.v = v;
	c->extra = extra;
	c->row = (int)rec->line;
	if (prev < 0 && r->name_col >= 0)
		smap_put(&f->names, r->li, c->name, (int)l->n);
	l->n++;
	free(name);
	return 0;
}

static bool csv_name(const char *file)
{
	const char *dot = strrchr(file, '.');

	return dot && dot != file && !strcasecmp(dot, ".csv");
}

/*
 * The choice list of attached file `file` ("villages.csv"), reading it the
 * first time it is named. Problems are reported at `sheet`:`row` (the file
 * is missing, a clash with a choices list) or at the file's own lines.
 * Returns the list, -1 after an error (or, when `quiet`, a missing file
 * without a word: instance() and pulldata() then report an unknown list),
 * or -2 when the loader has no attached files at all.
 */
static int attach(struct builder *b, const char *file, const char *sheet, int row,
		  bool need_name, bool need_label, bool quiet)
{
	struct form *f = b->f;
	struct csvread_opts o = {NULL, 1000};
	struct error err = ERROR_INIT;
	struct attach_read r;
	struct attached *a;
	const char *dot = strrchr(file, '.');
	char *stem;
	size_t k;
	int li, rc;

	for (k = 0; k < f->n_att; k++)
		if (!strcmp(f->att[k].name, file)) {
			/* read before by a reader that needed fewer columns */
			if (f->att[k].list >= 0 && need_name && !f->att[k].has_name)
				no_column(b, &f->att[k], "name");
			if (f->att[k].list >= 0 && need_label && !f->att[k].has_label)
				no_column(b, &f->att[k], "label");
			if ((need_name && !f->att[k].has_name) || (need_label && !f->att[k].has_label))
				return -1;
			return f->att[k].list;
		}
	if (!b->files)
		return -2;
	if (!csv_name(file)) {
		if (!quiet)
			err_at(b, sheet, row, "附带文件 '%s' 必须是 .csv 文件",
			       "attached file '%s' must be a .csv file", file);
		return -1;
	}
	if (strchr(file, '/') || strchr(file, '\\') || file[0] == '.') {
		if (!quiet)
			err_at(b, sheet, row, "附带文件名 '%s' 不能含有路径，文件须放在问卷旁边",
			       "attached file name '%s' cannot hold a path: put the file next to the "
			       "form",
			       file);
		return -1;
	}
	stem = xstrndup(file, (size_t)(dot - file));
	if (form_find_list(f, stem) >= 0) {
		if (!quiet)
			err_at(b, sheet, row,
			       "附带文件 '%s' 与 choices 表的选项列表 '%s' 同名",
			       "attached file '%s' has the same name as the choice list '%s'", file,
			       stem);
		free(stem);
		return -1;
	}
	XGROW(f->att, f->cap_att, f->n_att + 1);
	a = &f->att[f->n_att];
	memset(a, 0, sizeof(*a));
	a->name = xstrdup(file);
	a->list = -1;
	if (b->files->dir && strcmp(b->files->dir, ".")) {
		struct strbuf p = STRBUF_INIT;

		size_t dl = strlen(b->files->dir);

		strbuf_addf(&p, "%s%s%s", b->files->dir,
			    dl && b->files->dir[dl - 1] == '/' ? "" : "/", file);
		a->shown = strbuf_detach(&p, NULL);
	} else {
		a->shown = xstrdup(file);
	}
	rc = attached_read(b, a);
	if (rc == 1 && quiet) {
		/* forget it: a later select_one_from_file still reports it */
		free(a->name);
		free(a->shown);
		free(stem);
		return -1;
	}
	f->n_att++;
	/* the list exists from here on, even empty when the file is bad: the
	 * expressions naming it then add no error to the one reported */
	li = list_add(b, stem);
	free(stem);
	f->lists[li].file = a->name;
	if (rc == 1)
		err_at(b, sheet, row, "找不到附带文件 '%s'（应在问卷旁边：%s）",
		       "attached file '%s' not found (it belongs next to the form: %s)", file,
		       a->shown);
	if (rc)
		return -1;
	digest_sha256_hex(a->data, a->len, a->hash);
	if (workbook_check_text(a->shown, a->data, a->len, b->diags) < 0)
		return -1;
	if ((size_t)f->n_lists + 1 > b->multi_cap) {
		b->multi_checked = xrealloc(b->multi_checked, f->n_lists + 1);
		memset(b->multi_checked + b->multi_cap, 0, f->n_lists + 1 - b->multi_cap);
		b->multi_cap = f->n_lists + 1;
	}
	memset(&r, 0, sizeof(r));
	r.b = b;
	r.a = a;
	r.li = li;
	r.need_name = need_name;
	r.need_label = need_label;
	o.name = a->shown;
	rc = csvread_buffer(&o, a->data, a->len, attached_row, &r, &err);
	if (rc < 0) {
		if (!err.where)
			error_prefix(&err, a->shown);
		diag_add_error(b->diags, DIAG_ERROR, &err);
	} else if (!r.header_done) {
		err_file(b, a->shown, 0, "附带文件是空的", "attached file is empty");
		r.header_bad = true;
	} else if (!r.header_bad && !f->lists[li].n) {
		err_file(b, a->shown, 0, "附带文件没有数据行", "attached file has no rows");
	}
	error_clear(&err);
	free(r.lang);
	free(r.extra);
	if (r.header_bad || rc < 0)
		return -1;
	a->list = li;
	return li;
}

/* Whether column `col` of an attached file is a label column (label,
 * label::中文 (zh), label:English). */
static bool is_label_col(const char *col)
{
	return !strncasecmp(col, "label", 5) && (col[5] == '\0' || col[5] == ':');
}

/*
 * The choice list a select_*_from_file question with the parameters value=
 * and/or label= offers (ODK's semantics): the file's rows in order, each
 * named by column `vcol` (NULL: the name column) and labelled by column
 * `lcol` in every language (NULL: the file's label columns), keeping every
 * other column for choice_filter. One such list per file and pair of
 * columns, named "FILE value=V label=L", which no form can name itself.
 * Returns the list, or -1 after an error (a missing column at the survey
 * row; an empty or duplicate name at the file's own line).
 */
static int attached_view(struct builder *b, int base, const char *vcol, const char *lcol, int row)
{
	struct form *f = b->f;
	struct strbuf lname = STRBUF_INIT;
	const char *shown = f->lists[base].file;
	int vi = -1, lx = -1, li, ret = -1;
	size_t k, j;
	bool bad = false;

	for (k = 0; k < f->n_att; k++)
		if (f->att[k].list == base)
			shown = f->att[k].shown;
	for (k = 0; k < f->lists[base].n_extra; k++) {
		if (vcol && vi < 0 && !strcmp(f->lists[base].extra_names[k], vcol))
			vi = (int)k;
		if (lcol && lx < 0 && !strcmp(f->lists[base].extra_names[k], lcol))
			lx = (int)k;
	}
	if ((vcol && vi < 0) || (lcol && lx < 0)) {
		bool v = vcol && vi < 0;

		err_at(b, "survey", row, "附带文件 '%s' 没有列 '%s'（参数 %s=%s）",
		       "attached file '%s' has no column '%s' (parameter %s=%s)",
		       f->lists[base].file, v ? vcol : lcol, v ? "value" : "label", v ? vcol : lcol);
		return -1;
	}
	strbuf_addf(&lname, "%s value=%s label=%s", f->lists[base].file, vcol ? vcol : "name",
		    lcol ? lcol : "label");
	li = smap_get(&f->names, -2, lname.buf);
	if (li >= 0) {
		ret = li;
		goto done;
	}
	li = list_add(b, lname.buf);
	if ((size_t)f->n_lists + 1 > b->multi_cap) {
		b->multi_checked = xrealloc(b->multi_checked, f->n_lists + 1);
		memset(b->multi_checked + b->multi_cap, 0, f->n_lists + 1 - b->multi_cap);
		b->multi_cap = f->n_lists + 1;
	}
	f->lists[li].file = f->lists[base].file;
	f->lists[li].extra_names = f->lists[base].extra_names;
	f->lists[li].n_extra = f->lists[base].n_extra;
	XGROW(f->lists[li].choices, f->list_cap[li], f->lists[base].n + 1);
	for (j = 0; j < f->lists[base].n; j++) {
		const struct form_choice *bc = &f->lists[base].choices[j];
		struct form_list *l = &f->lists[li];
		struct form_choice *c = &l->choices[l->n];
		const char *name = vi >= 0 ? (bc->extra ? bc->extra[vi] : "") : bc->name;
		int prev;

		if (!*name) {
			err_file(b, shown, (size_t)bc->row, "这一行的 '%s' 列是空的（参数 value=%s）",
				 "row has no '%s' (parameter value=%s)", vcol ? vcol : "name",
				 vcol ? vcol : "name");
			bad = true;
			continue;
		}
		prev = smap_get(&f->names, li, name);
		if (prev >= 0) {
			err_file(b, shown, (size_t)bc->row, "'%s' 列的值 '%s' 重复（第 %d 行已有）",
				 "duplicate '%s' value '%s' (also at line %d)", vcol ? vcol : "name",
				 name, l->choices[prev].row);
			bad = true;
			continue;
		}
		*c = *bc;
		c->name = name;
		if (lx >= 0) {
			const char *t = bc->extra ? bc->extra[lx] : "";

			c->label.v = NULL;
			if (*t) {
				const char **v = arena_alloc(&f->arena, f->n_lang * sizeof(*v));

				for (k = 0; k < f->n_lang; k++)
					v[k] = t;
				c->label.v = v;
			}
		}
		smap_put(&f->names, li, c->name, (int)l->n);
		l->n++;
	}
	ret = bad ? -1 : li;
done:
	strbuf_release(&lname);
	return ret;
}

/* Whether row r would cross FORM_MAX_NODES or FORM_MAX_DEPTH (reported). */
static bool past_limits(struct builder *b, const struct wb_row *r, const struct type_info *ti,
			const char *type, const char *name, size_t depth)
{
	bool opens = ti->kind == K_BEGIN_GROUP || ti->kind == K_BEGIN_REPEAT ||
		     ti->kind == K_BEGIN_LOOP;

	if (ti->kind == K_END_GROUP || ti->kind == K_END_REPEAT || ti->kind == K_END_LOOP)
		return false; /* no node */
	if (b->f->n_nodes >= FORM_MAX_NODES) {
		err_at(b, "survey", r->line, "问卷太大：问题、分组和重复组合计最多 %d 个",
		       "form too large: at most %d questions, groups and repeats", FORM_MAX_NODES);
		return true;
	}
	if (opens && depth >= FORM_MAX_DEPTH) {
		err_at(b, "survey", r->line, "'%s' '%s' 嵌套太深：分组和重复组最多嵌套 %d 层",
		       "'%s' '%s' nested too deeply: groups and repeats nest at most %d levels", type,
		       name, FORM_MAX_DEPTH);
		return true;
	}
	return false;
}

static void build_survey(struct builder *b)
{
	struct form *f = b->f;
	struct wb_sheet *s = b->survey;
	struct open_container *stack = NULL;
	size_t depth = 0, cap = 0, i;

	if (b->sc.idx[COL_TYPE] < 0)
		return;
	for (i = 0; i < s->n; i++) {
		const struct wb_row *r = &s->rows[i];
		const char *type = workbook_cell(r, b->sc.idx[COL_TYPE]);
		const char *name = workbook_cell(r, b->sc.idx[COL_NAME]);
		struct type_info ti;
		struct form_node *n;
		const char *vcol = NULL, *lcol = NULL;
		int idx, prev;

		if (!*type) {
			err_at(b, "survey", r->line, "这一行没有 type", "row has no type");
			continue;
		}
		parse_type(type, &ti);
		if (past_limits(b, r, &ti, type, name, depth)) {
			free(ti.list);
			free(ti.extra);
			goto refused;
		}
		switch (ti.kind) {
		case K_END_GROUP:
		case K_END_REPEAT:
		case K_END_LOOP:
			end_container(b, stack, &depth, r, ti.kind, type);
			goto next;
		case K_CSV_EXTERNAL: {
			/* declares NAME.csv for instance('NAME') and pulldata('NAME', ...) */
			struct strbuf fn = STRBUF_INIT;

			if (!*name) {
				err_at(b, "survey", r->line, "csv-external 需要 name（附带文件名，不含 .csv）",
				       "csv-external needs a name (the attached file's name without .csv)");
				goto next;
			}
			strbuf_addf(&fn, "%s.csv", name);
			if (attach(b, fn.buf, "survey", r->line, false, false, false) == -2)
				warn_at(b, "survey", r->line,
					"没有附带文件可读：csv-external '%s' 被忽略",
					"no attached files are available: csv-external '%s' ignored",
					name);
			strbuf_release(&fn);
			goto next;
		}
		case K_UNKNOWN: {
			char *hint = suggest_type(type);

			if (hint)
				err_at(b, "survey", r->line, "未知的题型 '%s'（是不是 '%s'？）",
				       "unknown type '%s' (did you mean '%s'?)", type, hint);
			else
				err_at(b, "survey", r->line, "未知的题型 '%s'", "unknown type '%s'",
				       type);
			free(hint);
			ti.type = FORM_UNSUPPORTED;
			break;
		}
		case K_BAD:
			if (ti.extra)
				err_at(b, "survey", r->line, "题型 '%1$s' 的选项列表名后有多余的 '%2$s'",
				       "unexpected '%2$s' after the choice list name in type '%1$s'",
				       type, ti.extra);
			else
				err_at(b, "survey", r->line,
				       "题型 '%s' 缺少选项列表名，例如 'select_one yes_no'",
				       "type '%s' needs a choice list name, e.g. 'select_one yes_no'",
				       type);
			ti.type = FORM_UNSUPPORTED;
			break;
		case K_BEGIN_LOOP:
			err_at(b, "survey", r->line,
			       "不支持 'begin loop'：请改用 'begin repeat'（每个选项一组问题）",
			       "'begin loop' is not supported: use 'begin repeat' instead (one instance "
			       "per choice)");
			break;
		default:
			break;
		}
		XGROW(f->nodes, f->cap_nodes, f->n_nodes + 1);
		idx = (int)f->n_nodes++;
		n = &f->nodes[idx];
		memset(n, 0, sizeof(*n));
		n->type = ti.type;
		n->type_name = arena_strdup(&f->arena, type);
		n->name = *name ? arena_strdup(&f->arena, name) : NULL;
		n->index = idx;
		n->parent = depth ? stack[depth - 1].node : -1;
		n->depth = (int)depth;
		n->repeat = ti.type == FORM_REPEAT ? idx : depth ? f->nodes[n->parent].repeat : -1;
		n->end = idx + 1;
		n->row = r->line;
		n->list = -1;
		n->or_other = ti.or_other;
		n->label = row_text(b, &b->sc, r, COL_LABEL);
		n->hint = row_text(b, &b->sc, r, COL_HINT);
		n->constraint_message = row_text(b, &b->sc, r, COL_CONSTRAINT_MSG);
		n->required_message = row_text(b, &b->sc, r, COL_REQUIRED_MSG);
		n->relevant = expr_src(b, r, COL_RELEVANT);
		n->constraint = expr_src(b, r, COL_CONSTRAINT);
		n->calculation = expr_src(b, r, COL_CALCULATION);
		n->choice_filter = expr_src(b, r, COL_CHOICE_FILTER);
		n->repeat_count = expr_src(b, r, COL_REPEAT_COUNT);
		yes_no_expr(b, r, COL_REQUIRED, &n->required_flag, &n->required);
		yes_no_expr(b, r, COL_READ_ONLY, &n->read_only_flag, &n->read_only);
		n->appearance = opt_str(b, r, COL_APPEARANCE);
		n->parameters = opt_str(b, r, COL_PARAMETERS);
		{
			const char *pv = workbook_cell(r, b->sc.idx[COL_PERSONAL]);

			n->personal = is_yes(pv);
			if (*pv && !is_yes(pv) && !is_no(pv))
				err_at(b, "survey", r->line, "personal 列应为 yes 或 no，而不是 '%s'",
				       "personal must be yes or no, not '%s'", pv);
		}
		if (*workbook_cell(r, b->sc.idx[COL_DEFAULT])) {
			const char *d = workbook_cell(r, b->sc.idx[COL_DEFAULT]);

			if (default_is_dynamic(d))
				n->default_expr.src = arena_strdup(&f->arena, d);
			else
				n->default_value = arena_strdup(&f->arena, d);
		}
		if (!strcasecmp(type, "phone number") && !n->appearance)
			n->appearance = "numbers";
		if (n->type == FORM_RANGE)
			parse_range(b, n);

		if (!*name) {
			err_at(b, "survey", r->line, "'%s' 这一行缺少 name", "missing name for '%s'",
			       type);
		} else if (!valid_name(name)) {
			err_at(b, "survey", r->line,
			       "无效的名称 '%s'：名称须以字母或 '_' 开头，只含字母、数字、'_'、'-'、'.'",
			       "invalid name '%s': a name starts with a letter or '_' and holds only "
			       "letters, digits, '_', '-' and '.'",
			       name);
		} else if ((prev = smap_put(&f->names, -1, n->name, idx)) >= 0) {
			err_at(b, "survey", r->line,
			       "名称 '%s' 重复（第 %d 行已有）：ruhu 要求整张问卷内名称唯一",
			       "duplicate name '%s' (also at row %d): ruhu requires every name to be "
			       "unique in the whole form",
			       name, f->nodes[prev].row);
		}

		if (n->type == FORM_CALCULATE && !n->calculation.src && !n->default_value &&
		    !n->default_expr.src)
			err_at(b, "survey", r->line, "calculate '%s' 没有 calculation",
			       "calculate '%s' has no calculation", name);
		if (n->repeat_count.src && n->type != FORM_REPEAT) {
			warn_at(b, "survey", r->line, "'%s' 只用于 'begin repeat'，已忽略",
				"'%s' is only used on 'begin repeat': ignored",
				header_of(b, COL_REPEAT_COUNT));
			n->repeat_count.src = NULL;
		}
		if (n->choice_filter.src && n->type != FORM_SELECT_ONE &&
		    n->type != FORM_SELECT_MULTIPLE && n->type != FORM_UNSUPPORTED) {
			warn_at(b, "survey", r->line, "'%s' 只用于选择题，已忽略",
				"'%s' is only used on select questions: ignored",
				header_of(b, COL_CHOICE_FILTER));
			n->choice_filter.src = NULL;
		}
		if (ti.kind == K_SELECT)
			parse_select_params(b, n, ti.from_file, &vcol, &lcol);
		if (ti.kind == K_SELECT && ti.from_file && !csv_name(ti.list)) {
			/* GeoJSON or XML choices feed map widgets a terminal has not */
			n->list = -1;
			n->type = FORM_UNSUPPORTED;
			warn_at(b, "survey", r->line,
				"'%s'：ruhu 只读取 CSV 附带文件，问题 '%s' 在访问时会被跳过",
				"'%s': ruhu reads only CSV attached files; question '%s' will be "
				"skipped at interview time",
				type, name);
		} else if (ti.kind == K_SELECT && ti.from_file) {
			bool own_name = vcol && strcmp(vcol, "name");
			bool own_label = lcol && !is_label_col(lcol);

			n->list = attach(b, ti.list, "survey", r->line, !own_name, !own_label, false);
			if (n->list >= 0 && (own_name || own_label))
				n->list = attached_view(b, n->list, own_name ? vcol : NULL,
							own_label ? lcol : NULL, r->line);
			if (n->list == -2) {
				/* a form kept without its files (form_load_buffer) still opens */
				n->list = -1;
				n->type = FORM_UNSUPPORTED;
				warn_at(b, "survey", r->line,
					"'%s'：没有附带文件可读，问题 '%s' 在访问时会被跳过",
					"'%s': no attached files are available; question '%s' will be "
					"skipped at interview time",
					type, name);
			} else if (n->list >= 0 && n->type == FORM_SELECT_MULTIPLE) {
				check_multi_names(b, n->list, r->line);
			}
		} else if (ti.kind == K_SELECT) {
			n->list = smap_get(&f->names, -2, ti.list);
			if (n->list < 0)
				err_at(b, "survey", r->line, "未知的选项列表 '%s'",
				       "unknown choice list '%s'", ti.list);
			else if (!f->lists[n->list].n)
				err_at(b, "survey", r->line, "选项列表 '%s' 是空的",
				       "choice list '%s' is empty", ti.list);
			else if (n->type == FORM_SELECT_MULTIPLE)
				check_multi_names(b, n->list, r->line);
			/* pyxform refuses this; ruhu's engine filters the list and still
			 * offers "other", so it only warns about portability */
			if (n->or_other && n->choice_filter.src)
				warn_at(b, "survey", r->line,
					"'or_other' 与 choice_filter 同时使用：pyxform 和 ODK 不接受这种写法",
					"'or_other' with a choice_filter: pyxform and ODK refuse this "
					"combination");
		}
		if (n->appearance && !strncasecmp(n->appearance, "search(", 7))
			warn_at(b, "survey", r->line,
				"不支持 appearance 'search(...)'（ODK 已弃用）：请用 select_one_from_file "
				"附带 CSV 文件并加 choice_filter",
				"appearance 'search(...)' is not supported (ODK deprecated it): use "
				"select_one_from_file with a CSV file and a choice_filter");
		if (ti.kind == K_UNSUPPORTED && strstr(type, "_external"))
			warn_at(b, "survey", r->line,
				"'%s'：ruhu 不读取外部选项（请用 select_one_from_file 附带 CSV 文件），"
				"问题 '%s' 在访问时会被跳过",
				"'%s': ruhu does not read external choices (attach a CSV file with "
				"select_one_from_file instead); question '%s' will be skipped at "
				"interview time",
				type, name);
		else if (ti.kind == K_UNSUPPORTED)
			warn_at(b, "survey", r->line,
				"终端无法采集 '%s' 类型：问题 '%s' 在访问时会被跳过",
				"type '%s' cannot be captured in a terminal: question '%s' will be "
				"skipped at interview time",
				type, name);
		if (ti.kind == K_BEGIN_GROUP || ti.kind == K_BEGIN_REPEAT ||
		    ti.kind == K_BEGIN_LOOP) {
			XGROW(stack, cap, depth + 1);
			stack[depth].node = idx;
			stack[depth].kind = ti.kind;
			depth++;
		}
	next:
		free(ti.list);
		free(ti.extra);
	}
	while (depth) {
		struct open_container *top = &stack[--depth];
		struct form_node *n = &f->nodes[top->node];

		err_at(b, "survey", n->row, "'begin %1$s' '%2$s' 没有对应的 'end %1$s'",
		       "'begin %1$s' '%2$s' is never closed (no 'end %1$s')", kind_word(top->kind),
		       n->name ? n->name : "");
		n->end = (int)f->n_nodes;
	}
	free(stack);
	return;
refused:
	b->too_big = true;
	/* one error says it all: the containers still open are closed silently
	 * so the (refused) form stays a well-formed tree */
	while (depth)
		f->nodes[stack[--depth].node].end = (int)f->n_nodes;
	free(stack);
}

/* ---- expressions and ${} references ------------------------------------ */

static int scope_field(void *ud, const char *name)
{
	struct builder *b = ud;

	return form_find(b->f, name);
}

/* instance('name') and pulldata('name', ...): a list of the choices sheet or
 * of an attached file, else the file name.csv next to the form when there
 * is one (so a form need not declare it with csv-external, as pyxform). */
static int scope_instance(void *ud, const char *name)
{
	struct builder *b = ud;
	struct strbuf fn = STRBUF_INIT;
	int li = form_find_list(b->f, name);

	if (li >= 0 || !b->files || !*name)
		return li;
	strbuf_addf(&fn, "%s.csv", name);
	li = attach(b, fn.buf, b->cur_sheet, b->cur_row, false, false, true);
	strbuf_release(&fn);
	return li < 0 ? form_find_list(b->f, name) : li;
}

/* Spreadsheet programs turn ' and " into typographic quotes; pyxform turns
 * them back in expressions, and so does ruhu (in place, the text shrinks). */
static void straighten_quotes(char *s)
{
	char *d = s;

	while (*s) {
		if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
		    ((unsigned char)s[2] == 0x98 || (unsigned char)s[2] == 0x99)) {
			*d++ = '\'';
			s += 3;
		} else if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
			   ((unsigned char)s[2] == 0x9C || (unsigned char)s[2] == 0x9D)) {
			*d++ = '"';
			s += 3;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

static void compile_one(struct builder *b, const char *sheet, int row, const char *column,
			struct form_expr *fe)
{
	struct expr_scope scope = {b, scope_field, scope_instance};
	struct error err = ERROR_INIT;
	struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;

	if (!fe->src)
		return;
	b->cur_sheet = sheet;
	b->cur_row = row;
	straighten_quotes((char *)fe->src);
	if (expr_compile(fe->src, &scope, &fe->e, &err) == 0)
		return;
	if (err.code > 0) {
		strbuf_addf(&zh, "%s: 第 %d 列: %s", column, err.code, error_msg(&err, LANG_ZH));
		strbuf_addf(&en, "%s: column %d: %s", column, err.code, error_msg(&err, LANG_EN));
	} else {
		strbuf_addf(&zh, "%s: %s", column, error_msg(&err, LANG_ZH));
		strbuf_addf(&en, "%s: %s", column, error_msg(&err, LANG_EN));
	}
	diag2(b, DIAG_ERROR, sheet, row, zh.buf, en.buf);
	strbuf_release(&zh);
	strbuf_release(&en);
	error_clear(&err);
}

/* Checks every ${name} of a text (label, hint, message) names a field. */
static void check_text_refs(struct builder *b, const char *sheet, int row, const char *column,
			    const char *text)
{
	const char *p = text, *q = text;
	int col = 1; /* character column of q, counted as q moves on */

	while ((p = strstr(p, "${")) != NULL) {
		const char *e = strchr(p + 2, '}');
		char *name;

		if (!e)
			return;
		for (; q < p; q++)
			if (((unsigned char)*q & 0xC0) != 0x80)
				col++;
		name = xstrndup(p + 2, (size_t)(e - p - 2));
		if (form_find(b->f, name) < 0)
			err_at(b, sheet, row, "%s: 第 %d 列: 未知字段 '${%s}'",
			       "%s: column %d: unknown field '${%s}'", column, col, name);
		free(name);
		p = e + 1;
	}
}

static void check_texts(struct builder *b, const char *sheet, int row, const struct colmap *m,
			const char *const *header, enum col c, struct form_text t)
{
	size_t j;

	if (!t.v)
		return;
	/* report under the header of the language's column */
	for (j = 0; j < m->n_tcols; j++) {
		size_t k = m->tcols[j];
		const char *v;

		if (m->col[k] != c)
			continue;
		v = t.v[m->lang[k]];
		if (v)
			check_text_refs(b, sheet, row, header[k], v);
	}
}

static void compile_survey(struct builder *b)
{
	struct form *f = b->f;
	const char *const *hdr = (const char *const *)b->survey->header.cells;
	size_t i;

	for (i = 0; i < f->n_nodes; i++) {
		struct form_node *n = &f->nodes[i];
		int row = n->row;

		compile_one(b, "survey", row, header_of(b, COL_RELEVANT), &n->relevant);
		compile_one(b, "survey", row, header_of(b, COL_CONSTRAINT), &n->constraint);
		compile_one(b, "survey", row, header_of(b, COL_CALCULATION), &n->calculation);
		compile_one(b, "survey", row, header_of(b, COL_REQUIRED), &n->required);
		compile_one(b, "survey", row, header_of(b, COL_READ_ONLY), &n->read_only);
		compile_one(b, "survey", row, header_of(b, COL_CHOICE_FILTER), &n->choice_filter);
		compile_one(b, "survey", row, header_of(b, COL_DEFAULT), &n->default_expr);
		compile_one(b, "survey", row, header_of(b, COL_PARAMETERS), &n->seed);
		if (n->repeat_count.src) {
			const char *rc = n->repeat_count.src;
			double d;

			if (parse_number(rc, &d) == 0) {
				if (d < 0 || d != floor(d) || d > 100000)
					err_at(b, "survey", row,
					       "%s: 重复次数 '%s' 必须是 0 到 100000 之间的整数",
					       "%s: repeat count '%s' must be a whole number from 0 to "
					       "100000",
					       header_of(b, COL_REPEAT_COUNT), rc);
				else
					compile_one(b, "survey", row, header_of(b, COL_REPEAT_COUNT),
						    &n->repeat_count);
			} else if (!strstr(rc, "${") && !strchr(rc, '(')) {
				err_at(b, "survey", row,
				       "%s: 无效的重复次数 '%s'：请写整数或引用字段的表达式，如 ${n}",
				       "%s: bad repeat count '%s': write a whole number or an expression "
				       "such as ${n}",
				       header_of(b, COL_REPEAT_COUNT), rc);
			} else {
				compile_one(b, "survey", row, header_of(b, COL_REPEAT_COUNT),
					    &n->repeat_count);
			}
		}
		check_texts(b, "survey", row, &b->sc, hdr, COL_LABEL, n->label);
		check_texts(b, "survey", row, &b->sc, hdr, COL_HINT, n->hint);
		check_texts(b, "survey", row, &b->sc, hdr, COL_CONSTRAINT_MSG, n->constraint_message);
		check_texts(b, "survey", row, &b->sc, hdr, COL_REQUIRED_MSG, n->required_message);
	}
	if (b->choices && b->cc.n) {
		const char *const *chdr = (const char *const *)b->choices->header.cells;

		for (i = 0; i < f->n_lists; i++) {
			size_t j;

			for (j = 0; j < f->lists[i].n && !f->lists[i].file; j++)
				check_texts(b, "choices", f->lists[i].choices[j].row, &b->cc, chdr,
					    COL_LABEL, f->lists[i].choices[j].label);
		}
	}
}

static void compile_settings(struct builder *b)
{
	struct form *f = b->f;
	const char *v = form_setting(f, "instance_name");
	int row;

	if (!v || !*v)
		return;
	row = b->settings->n ? b->settings->rows[0].line : b->settings->line;
	f->instance_name.src = arena_strdup(&f->arena, v);
	compile_one(b, "settings", row, "instance_name", &f->instance_name);
}

/* ------------------------------------------------------------------------ */
/* Building                                                                 */
/* ------------------------------------------------------------------------ */

static const char *file_stem(struct arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return arena_strndup(a, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

static void find_sheets(struct builder *b)
{
	struct workbook *wb = b->wb;
	size_t i, j;

	if (wb->orphan_line)
		err_at(b, NULL, wb->orphan_line,
		       "这一行不属于任何表：表的第一行须在第一个单元格写表名（survey、choices、settings）",
		       "row is outside any sheet: a sheet starts with its name (survey, choices, "
		       "settings) in the first cell");
	for (i = 0; i < wb->n; i++) {
		struct wb_sheet *s = &wb->sheets[i];
		struct wb_sheet **slot = NULL;

		if (!strcasecmp(s->name, "survey"))
			slot = &b->survey;
		else if (!strcasecmp(s->name, "choices"))
			slot = &b->choices;
		else if (!strcasecmp(s->name, "settings"))
			slot = &b->settings;
		if (!slot) {
			/* without a survey sheet the file is not a form: one error says it */
			if (!workbook_sheet(wb, "survey"))
				continue;
			warn_at(b, s->name, s->line, "ruhu 不使用表 '%s'，已忽略",
				"sheet '%s' is not used by ruhu and was ignored", s->name);
			continue;
		}
		if (*slot) {
			err_at(b, NULL, s->line, "重复的表 '%s'（第 %d 行已有）",
			       "duplicate sheet '%s' (also at row %d)", s->name, (*slot)->line);
			continue;
		}
		*slot = s;
		for (j = 0; s->name[j]; j++)
			s->name[j] = (char)(s->name[j] >= 'A' && s->name[j] <= 'Z'
						    ? s->name[j] - 'A' + 'a'
						    : s->name[j]);
	}
	if (!b->survey)
		err_at(b, NULL, 0, "没有 survey 表", "missing 'survey' sheet");
	else if (!b->survey->header.n)
		err_at(b, "survey", b->survey->line, "survey 表没有表头行",
		       "survey sheet has no header row");
	if (b->choices && !b->choices->header.n) {
		warn_at(b, "choices", b->choices->line, "choices 表是空的", "choices sheet is empty");
		b->choices = NULL;
	}
}

/* Per-choice extra columns cost memory for every row, so an absurdly wide
 * sheet is refused rather than allowed to exhaust memory. */
#define MAX_COLUMNS 1000
#define MAX_LANGUAGES 64

static int too_wide(struct builder *b, const struct wb_sheet *s)
{
	if (!s || s->header.n <= MAX_COLUMNS)
		return 0;
	err_at(b, s->name, s->header.line, "列太多（%zu 列，最多 %d 列）",
	       "too many columns (%zu, at most %d)", s->header.n, MAX_COLUMNS);
	return 1;
}

static void finish_languages(struct builder *b)
{
	struct form *f = b->f;
	const char *dl = form_setting(f, "default_language");
	size_t i;

	f->lang_default = 0;
	if (!f->n_lang)
		lang_add(b, b->default_lang);
	if (dl && *dl) {
		for (i = 0; i < f->n_lang; i++)
			if (!strcmp(f->lang_name[i], dl))
				break;
		if (i < f->n_lang)
			f->lang_default = i;
		else
			warn_at(b, "settings", b->settings->n ? b->settings->rows[0].line : 0,
				"default_language '%s' 不是问卷的语言",
				"default_language '%s' is not a language of the form", dl);
	}
}

int form_build(struct workbook *wb, const char *src, size_t len, struct form **out,
	       struct diag_list *diags)
{
	return form_build_files(wb, src, len, NULL, out, diags);
}


/* The form's identity covers its attached files (ruhu/digest.h,
 * digest_form_hash): the source's SHA-256 when it has none. */
static void set_identity(struct form *f)
{
	struct digest_named *v;
	char src[65];
	size_t i, n = 0;

	memcpy(src, f->hash, sizeof(src));
	v = xcalloc(f->n_att ? f->n_att : 1, sizeof(*v));
	for (i = 0; i < f->n_att; i++) {
		if (f->att[i].list < 0)
			continue;
		v[n].name = f->att[i].name;
		v[n].sha256_hex = f->att[i].hash;
		n++;
	}
	digest_form_hash(src, v, n, f->hash);
	free(v);
}

int form_build_files(struct workbook *wb, const char *src, size_t len,
		     const struct form_files *files, struct form **out, struct diag_list *diags)
{
	struct builder b;
	struct form *f = xcalloc(1, sizeof(*f));
	const char *v;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	b.file = wb->file;
	b.wb = wb;
	b.f = f;
	b.diags = diags;
	b.errors0 = diags->errors;
	b.files = files;
	*out = NULL;
	f->path = xstrdup(wb->file);
	f->src = xmalloc(len + 1);
	memcpy(f->src, src, len);
	f->src[len] = '\0';
	f->src_len = len;
	digest_sha256_hex(src, len, f->hash);

	find_sheets(&b);
	if (too_wide(&b, b.survey) | too_wide(&b, b.choices) | too_wide(&b, b.settings))
		b.survey = b.choices = b.settings = NULL; /* refused; nothing more to say */
	build_settings(&b);
	v = form_setting(f, "default_language");
	b.default_lang = v && *v ? v : "default";
	if (b.survey && b.survey->header.n)
		map_survey_columns(&b);
	else
		colmap_init(&b.sc, 0);
	if (b.choices)
		map_choice_columns(&b);
	else
		colmap_init(&b.cc, 0);
	finish_languages(&b);
	if (f->n_lang > MAX_LANGUAGES) {
		/* every text of every row holds one slot per language */
		err_at(&b, NULL, 0, "语言太多（%zu 种，最多 %d 种）", "too many languages (%zu, at most %d)",
		       f->n_lang, MAX_LANGUAGES);
		b.survey = b.choices = b.settings = NULL;
	}
	build_choices(&b);
	b.multi_cap = f->n_lists + 1;
	b.multi_checked = xcalloc(b.multi_cap, 1);
	if (b.survey && b.survey->header.n)
		build_survey(&b);
	if (b.survey && b.survey->header.n && diags->errors == b.errors0 && !f->n_nodes)
		err_at(&b, "survey", b.survey->line, "survey 表没有问题", "survey sheet has no questions");
	if (b.survey && b.survey->header.n && !b.too_big)
		compile_survey(&b);
	if (b.settings)
		compile_settings(&b);

	v = form_setting(f, "form_id");
	if (v && *v && b.settings) {
		/* the one identifier rule (ruhu/ident.h): a form id may name files */
		struct error e = ERROR_INIT;

		if (ident_check(v, IDENT_FORM, &e) < 0)
			err_at(&b, "settings", b.settings->n ? b.settings->rows[0].line : b.settings->line,
			       "%1$s%2$.0s", "%1$.0s%2$s", error_msg(&e, LANG_ZH), error_msg(&e, LANG_EN));
		error_clear(&e);
	}
	f->id = v && *v ? v : file_stem(&f->arena, f->path);
	v = form_setting(f, "form_title");
	f->title = v && *v ? v : f->id;
	v = form_setting(f, "version");
	f->version = v && *v ? v : NULL;

	if (diags->errors == b.errors0) {
		set_identity(f);
		*out = f;
		f = NULL;
		ret = 0;
	}
	free(b.multi_checked);
	colmap_free(&b.sc);
	colmap_free(&b.cc);
	form_free(f);
	workbook_free(wb);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */
/* ------------------------------------------------------------------------ */

static enum form_syntax guess_syntax(const char *name, const char *data, size_t len)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	size_t i = 0;

	if (dot && !strcasecmp(dot, ".md"))
		return FORM_SYNTAX_MD;
	if (dot && !strcasecmp(dot, ".csv"))
		return FORM_SYNTAX_CSV;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && (data[i] == '|' || data[i] == '#') ? FORM_SYNTAX_MD : FORM_SYNTAX_CSV;
}

int form_load_buffer(const char *name, const char *data, size_t len, enum form_syntax syntax,
		     struct form **out, struct diag_list *diags)
{
	return form_load_buffer_files(name, data, len, syntax, NULL, out, diags);
}

int form_load_buffer_files(const char *name, const char *data, size_t len,
			   enum form_syntax syntax, const struct form_files *files,
			   struct form **out, struct diag_list *diags)
{
	struct workbook *wb = NULL;

	*out = NULL;
	if (!name)
		name = "form";
	if (len > FORM_MAX_BYTES) {
		diag_add(diags, DIAG_ERROR, name, "问卷文件太大（%zu 字节，最多 %u 字节）",
			 "form file too large (%zu bytes, at most %u)", len, FORM_MAX_BYTES);
		return -1;
	}
	if (workbook_check_text(name, data, len, diags) < 0)
		return -1;
	if (syntax == FORM_SYNTAX_AUTO)
		syntax = guess_syntax(name, data, len);
	if (syntax == FORM_SYNTAX_MD) {
		if (xlsform_md_parse(name, data, len, &wb, diags) < 0)
			return -1;
	} else {
		struct xlsform_csv *r = xlsform_csv_new(name);
		int rc;

		xlsform_csv_feed(r, data, len);
		rc = xlsform_csv_finish(r, &wb, diags);
		xlsform_csv_free(r);
		if (rc < 0)
			return -1;
	}
	return form_build_files(wb, data, len, files, out, diags);
}

int form_load(const char *path, struct form **out, struct diag_list *diags)
{
	struct form_files files = {".", NULL, 0};
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	int rc;

	/* attached files are read from the form's directory */
	if (slash) {
		dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
		files.dir = dir;
	}
	rc = form_load_files(path, &files, out, diags);
	free(dir);
	return rc;
}

int form_load_files(const char *path, const struct form_files *files, struct form **out,
		    struct diag_list *diags)
{
	struct strbuf src = STRBUF_INIT;
	struct xlsform_csv *r = NULL;
	struct workbook *wb = NULL;
	struct error e = ERROR_INIT;
	const char *dot = strrchr(path, '.');
	enum form_syntax syntax;
	FILE *fp = NULL;
	char buf[65536];
	size_t got;
	int ret = -1;

	*out = NULL;
	if (dot && !strcasecmp(dot, ".csv")) {
		syntax = FORM_SYNTAX_CSV;
	} else if (dot && !strcasecmp(dot, ".md")) {
		syntax = FORM_SYNTAX_MD;
	} else {
		diag_add(diags, DIAG_ERROR, path, "无法识别的问卷文件类型：请用 .csv 或 .md",
			 "unknown form file type: use .csv or .md");
		goto done;
	}
	if (infile_open(path, INFILE_FORM, &fp, NULL, &e) < 0) {
		diag_add_error(diags, DIAG_ERROR, &e);
		goto done;
	}
	if (syntax == FORM_SYNTAX_CSV)
		r = xlsform_csv_new(path);
	/* CSV is parsed as it is read; the bytes are kept for form_source/hash */
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (infile_check_read(path, INFILE_FORM, (unsigned long long)src.len + got,
				      &e) < 0) {
			diag_add_error(diags, DIAG_ERROR, &e);
			goto done;
		}
		strbuf_add(&src, buf, got);
		if (r)
			xlsform_csv_feed(r, buf, got);
	}
	if (ferror(fp)) {
		diag_add(diags, DIAG_ERROR, path, "读取失败：%s", "cannot read: %s", strerror(errno));
		goto done;
	}
	if (workbook_check_text(path, src.buf, src.len, diags) < 0)
		goto done;
	if (r) {
		if (xlsform_csv_finish(r, &wb, diags) < 0)
			goto done;
	} else if (xlsform_md_parse(path, src.buf, src.len, &wb, diags) < 0) {
		goto done;
	}
	ret = form_build_files(wb, src.buf, src.len, files, out, diags);
done:
	if (fp)
		fclose(fp);
	xlsform_csv_free(r);
	strbuf_release(&src);
	error_clear(&e);
	return ret;
}

void form_free(struct form *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n_nodes; i++) {
		struct form_node *n = &f->nodes[i];

		expr_free(n->relevant.e);
		expr_free(n->constraint.e);
		expr_free(n->calculation.e);
		expr_free(n->required.e);
		expr_free(n->read_only.e);
		expr_free(n->choice_filter.e);
		expr_free(n->repeat_count.e);
		expr_free(n->default_expr.e);
		expr_free(n->seed.e);
	}
	expr_free(f->instance_name.e);
	for (i = 0; i < f->n_lists; i++)
		free(f->lists[i].choices);
	for (i = 0; i < f->n_att; i++) {
		free(f->att[i].name);
		free(f->att[i].shown);
		free(f->att[i].data);
	}
	free(f->att);
	free(f->lists);
	free(f->list_cap);
	free(f->nodes);
	free(f->lang_name);
	free(f->lang_code);
	free(f->settings);
	free(f->names.e);
	free(f->path);
	free(f->src);
	arena_free(&f->arena);
	free(f);
}

/* ------------------------------------------------------------------------ */
/* Accessors                                                                */
/* ------------------------------------------------------------------------ */

size_t form_attachment_count(const struct form *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->n_att; i++)
		n += f->att[i].list >= 0;
	return n;
}

int form_attachment_get(const struct form *f, size_t i, struct form_attachment *out,
			const char **sha256_hex)
{
	size_t k;

	/* only the files that were read and became lists (a form with any
	 * other is never returned by the loader) */
	for (k = 0; k < f->n_att; k++) {
		if (f->att[k].list < 0)
			continue;
		if (i--)
			continue;
		out->name = f->att[k].name;
		out->data = f->att[k].data;
		out->len = f->att[k].len;
		if (sha256_hex)
			*sha256_hex = f->att[k].hash;
		return 0;
	}
	return -1;
}

size_t form_node_count(const struct form *f)
{
	return f->n_nodes;
}

const struct form_node *form_node(const struct form *f, size_t i)
{
	return i < f->n_nodes ? &f->nodes[i] : NULL;
}

int form_find(const struct form *f, const char *name)
{
	return name ? smap_get(&f->names, -1, name) : -1;
}

size_t form_list_count(const struct form *f)
{
	return f->n_lists;
}

const struct form_list *form_list(const struct form *f, size_t i)
{
	return i < f->n_lists ? &f->lists[i] : NULL;
}

int form_find_list(const struct form *f, const char *name)
{
	return name ? smap_get(&f->names, -2, name) : -1;
}

int form_find_choice(const struct form *f, int list, const char *name)
{
	if (list < 0 || (size_t)list >= f->n_lists || !name)
		return -1;
	return smap_get(&f->names, list, name);
}

size_t form_lang_count(const struct form *f)
{
	return f->n_lang;
}

const char *form_lang_name(const struct form *f, size_t i)
{
	return i < f->n_lang ? f->lang_name[i] : NULL;
}

const char *form_lang_code(const struct form *f, size_t i)
{
	return i < f->n_lang ? f->lang_code[i] : NULL;
}

size_t form_lang_for(const struct form *f, const char *code)
{
	size_t i, n = code ? strlen(code) : 0;

	for (i = 0; n && i < f->n_lang; i++)
		if (!strcasecmp(f->lang_code[i], code))
			return i;
	/* "zh" also picks "zh-Hans", "zh_CN" ... */
	for (i = 0; n && i < f->n_lang; i++)
		if (!strncasecmp(f->lang_code[i], code, n) &&
		    (f->lang_code[i][n] == '-' || f->lang_code[i][n] == '_'))
			return i;
	return f->lang_default;
}

size_t form_lang_default(const struct form *f)
{
	return f->lang_default;
}

const char *form_text(const struct form *f, struct form_text t, size_t lang)
{
	size_t i;

	if (!t.v)
		return NULL;
	if (lang < f->n_lang && t.v[lang])
		return t.v[lang];
	if (t.v[f->lang_default])
		return t.v[f->lang_default];
	for (i = 0; i < f->n_lang; i++)
		if (t.v[i])
			return t.v[i];
	return NULL;
}

const char *form_title(const struct form *f)
{
	return f->title;
}

const char *form_id(const struct form *f)
{
	return f->id;
}

const char *form_version(const struct form *f)
{
	return f->version;
}

const char *form_setting(const struct form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n_settings; i++)
		if (!strcasecmp(f->settings[i].key, key))
			return f->settings[i].val;
	return NULL;
}

struct form_expr form_instance_name(const struct form *f)
{
	return f->instance_name;
}

const char *form_source(const struct form *f, size_t *len)
{
	if (len)
		*len = f->src_len;
	return f->src;
}

const char *form_hash(const struct form *f)
{
	return f->hash;
}

const char *form_path(const struct form *f)
{
	return f->path;
}

bool form_question_personal(const struct form *f, size_t i)
{
	return i < f->n_nodes && f->nodes[i].personal;
}

static int is_metadata(enum form_type t)
{
	return t >= FORM_START && t <= FORM_AUDIT;
}

void form_stats(const struct form *f, struct form_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < f->n_nodes; i++) {
		enum form_type t = f->nodes[i].type;

		if (t == FORM_GROUP)
			st->groups++;
		else if (t == FORM_REPEAT)
			st->repeats++;
		else if (t != FORM_CALCULATE && !is_metadata(t))
			st->questions++;
	}
	st->lists = f->n_lists;
	st->languages = f->n_lang;
}

/* ------------------------------------------------------------------------ */
/* Dump (tests)                                                             */
/* ------------------------------------------------------------------------ */

static void dump_str(struct strbuf *o, const char *k, const char *v)
{
	if (v)
		strbuf_addf(o, " %s=[%s]", k, v);
}

static void dump_text(struct strbuf *o, const struct form *f, const char *k, struct form_text t)
{
	size_t i;

	if (!t.v)
		return;
	for (i = 0; i < f->n_lang; i++)
		if (t.v[i])
			strbuf_addf(o, " %s@%zu=[%s]", k, i, t.v[i]);
}

static void dump_expr(struct strbuf *o, const char *k, struct form_expr e)
{
	if (e.src)
		strbuf_addf(o, " %s=[%s]%s", k, e.src, e.e ? "" : "(uncompiled)");
}

void form_dump(const struct form *f, struct strbuf *o)
{
	size_t i, j, k;

	strbuf_addf(o, "form id=[%s] title=[%s] version=[%s] hash=%s\n", f->id, f->title,
		    f->version ? f->version : "", f->hash);
	for (i = 0; i < f->n_lang; i++)
		strbuf_addf(o, "lang %zu [%s] [%s]%s\n", i, f->lang_name[i], f->lang_code[i],
			    i == f->lang_default ? " default" : "");
	for (i = 0; i < f->n_settings; i++)
		strbuf_addf(o, "setting [%s]=[%s]\n", f->settings[i].key, f->settings[i].val);
	for (i = 0; i < f->n_nodes; i++) {
		const struct form_node *n = &f->nodes[i];

		strbuf_addf(o,
			    "node %d type=%d [%s] name=[%s] parent=%d end=%d depth=%d repeat=%d "
			    "row=%d list=%d other=%d ro=%d req=%d",
			    n->index, (int)n->type, n->type_name, n->name ? n->name : "", n->parent,
			    n->end, n->depth, n->repeat, n->row, n->list, n->or_other,
			    n->read_only_flag, n->required_flag);
		dump_text(o, f, "label", n->label);
		dump_text(o, f, "hint", n->hint);
		dump_text(o, f, "cmsg", n->constraint_message);
		dump_text(o, f, "rmsg", n->required_message);
		dump_expr(o, "relevant", n->relevant);
		dump_expr(o, "constraint", n->constraint);
		dump_expr(o, "calculation", n->calculation);
		dump_expr(o, "required", n->required);
		dump_expr(o, "read_only", n->read_only);
		dump_expr(o, "choice_filter", n->choice_filter);
		dump_expr(o, "repeat_count", n->repeat_count);
		dump_expr(o, "default", n->default_expr);
		dump_str(o, "default_value", n->default_value);
		dump_str(o, "appearance", n->appearance);
		dump_str(o, "parameters", n->parameters);
		if (n->type == FORM_RANGE)
			strbuf_addf(o, " range=%g..%g/%g", n->range_start, n->range_end,
				    n->range_step);
		if (n->randomize)
			strbuf_addstr(o, " randomize");
		dump_expr(o, "seed", n->seed);
		strbuf_addch(o, '\n');
	}
	for (i = 0; i < f->n_lists; i++) {
		const struct form_list *l = &f->lists[i];

		strbuf_addf(o, "list %zu [%s] n=%zu", i, l->name, l->n);
		if (l->file)
			strbuf_addf(o, " file=[%s]", l->file);
		strbuf_addstr(o, " extras=");
		for (k = 0; k < l->n_extra; k++)
			strbuf_addf(o, "[%s]", l->extra_names[k]);
		strbuf_addch(o, '\n');
		for (j = 0; j < l->n; j++) {
			const struct form_choice *c = &l->choices[j];

			strbuf_addf(o, "  choice [%s] row=%d", c->name, c->row);
			dump_text(o, f, "label", c->label);
			for (k = 0; k < l->n_extra; k++)
				strbuf_addf(o, " x%zu=[%s]", k, c->extra[k]);
			strbuf_addch(o, '\n');
		}
	}
	dump_expr(o, "instance_name", f->instance_name);
}
