/*
 * interview — the instance tree, answers, navigation, sections, repeats and
 * completion of one interview. See include/ruhu/interview.h for the contract
 * and iv_impl.h for the invariants of the model; graph.c recomputes.
 *
 * Every public mutation follows the same shape: resolve the path, check,
 * change the tree, mark what depends on the change, recompute; when a later
 * check fails (constraint) the change is undone the same way, so a failed
 * call leaves the interview as it was.
 */
#include "iv_impl.h"
#include "ruhu/utf8.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ------------------------------------------------------ */

struct cell *interview_cell(const struct inst *I, int k)
{
	return &I->cells[k - I->base];
}

int64_t interview_now(struct interview *iv)
{
	struct timespec ts;

	if (iv->now_ms)
		return iv->now_ms(iv->now_ud);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int interview_kid_index(const struct inst *I)
{
	const struct cell *c = interview_cell(I->parent, I->repeat);
	size_t i;

	for (i = 0; i < c->nkids; i++)
		if (c->kids[i] == I)
			return (int)i;
	return -1;
}

static bool is_container(const struct form_node *nd)
{
	return nd->type == FORM_GROUP || nd->type == FORM_REPEAT;
}

static bool is_metadata(const struct form_node *nd)
{
	return nd->type >= FORM_START && nd->type <= FORM_AUDIT;
}

/* Types an enumerator types or picks an answer for. */
static bool is_answerable(const struct form_node *nd)
{
	switch (nd->type) {
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_RANGE:
	case FORM_TEXT:
	case FORM_DATE:
	case FORM_TIME:
	case FORM_DATETIME:
	case FORM_SELECT_ONE:
	case FORM_SELECT_MULTIPLE:
	case FORM_ACKNOWLEDGE:
	case FORM_GEOPOINT:
	case FORM_BARCODE:
		return !nd->calculation.e;
	default:
		return false;
	}
}

/* Nodes the walk stops on (notes and calculated questions are shown). */
static bool is_stop(const struct form_node *nd)
{
	if (is_container(nd) || is_metadata(nd))
		return false;
	return nd->type != FORM_CALCULATE && nd->type != FORM_HIDDEN;
}

/* Nodes whose value belongs in the record. */
static bool has_value(const struct form_node *nd)
{
	return !is_container(nd) && nd->type != FORM_NOTE && nd->type != FORM_UNSUPPORTED;
}

/* A field with a default: clearing it must be kept (as an empty answer), or
 * a replay would bring the default back. */
static bool keeps_empty(const struct form_node *nd)
{
	return nd->default_value || nd->default_expr.e;
}

bool interview_path_keeps_empty(struct interview *iv, const char *path)
{
	int k;
	const char *p = strrchr(path, '/');

	k = form_find(iv->f, p ? p + 1 : path);
	return k >= 0 && keeps_empty(iv->nodes[k]);
}

bool interview_node_relevant(const struct interview *iv, const struct inst *I, int k)
{
	for (;;) {
		while (k >= 0 && k != I->repeat) {
			if (!interview_cell(I, k)->rel)
				return false;
			k = iv->nodes[k]->parent;
		}
		if (!I->parent)
			return true;
		if (!I->rel)
			return false;
		k = I->repeat;
		I = I->parent;
	}
}

static bool text_has_other(const struct form_node *nd, const char *v)
{
	const char *p = v;
	size_t n = strlen("other");

	if (!v)
		return false;
	if (nd->type == FORM_SELECT_ONE)
		return !strcmp(v, "other");
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, "other", n) && (p[n] == ' ' || !p[n]))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

static bool other_selected(const struct interview *iv, const struct inst *I, int k)
{
	const struct cell *c = interview_cell(I, k);

	return iv->nodes[k]->or_other && !c->special && text_has_other(iv->nodes[k], c->value);
}

/* ---- instances ---------------------------------------------------------- */

struct inst *interview_inst_new(struct interview *iv, struct inst *parent, int repeat)
{
	struct inst *I = xcalloc(1, sizeof(*I));
	int k;

	I->repeat = repeat;
	I->parent = parent;
	I->depth = parent ? parent->depth + 1 : 0;
	I->base = repeat < 0 ? 0 : repeat + 1;
	I->end = repeat < 0 ? iv->n : iv->nodes[repeat]->end;
	I->rel = true;
	I->cells = xcalloc((size_t)(I->end - I->base) + 1, sizeof(struct cell));
	iv->ncells += (size_t)(I->end - I->base);
	XGROW(iv->byid, iv->capid, iv->nid + 1);
	I->id = (uint32_t)iv->nid;
	iv->byid[iv->nid++] = I;
	for (k = I->base; k < I->end; k++) {
		struct cell *c = interview_cell(I, k);
		const struct form_node *nd = iv->nodes[k];
		c->rel = true;
		c->want = -1;
		if (iv->crep[k] == repeat && nd->default_value && !nd->calculation.e &&
		    !is_container(nd))
			c->value = xstrdup(nd->default_value);
	}
	return I;
}

void interview_inst_free(struct interview *iv, struct inst *I)
{
	int k;
	size_t i;

	if (!I)
		return;
	for (k = I->base; k < I->end; k++) {
		struct cell *c = interview_cell(I, k);
		for (i = 0; i < c->nkids; i++)
			interview_inst_free(iv, c->kids[i]);
		free(c->kids);
		free(c->value);
		free(c->other);
	}
	free(I->cells);
	iv->ncells -= (size_t)(I->end - I->base);
	iv->byid[I->id] = NULL;
	/* A pending recomputation scoped to this instance widens to its parent
	 * (children were freed first, so their scopes already moved up here). */
	for (k = 0; iv->dirty && iv->ndirty > 0 && k < iv->n; k++)
		if (iv->dirty[k] == I)
			iv->dirty[k] = I->parent ? I->parent : iv->root;
	free(I);
}

/* Whether anything in I (nested instances included) was entered. */
static bool inst_has_answers(const struct interview *iv, const struct inst *I)
{
	int k;
	size_t i;

	for (k = I->base; k < I->end; k++) {
		const struct cell *c = interview_cell(I, k);
		if (c->user || c->other_user)
			return true;
		for (i = 0; i < c->nkids; i++)
			if (inst_has_answers(iv, c->kids[i]))
				return true;
	}
	return false;
}

/* Marks everything a new, removed or moved instance of repeat r in P touches. */
static void mark_repeat_changed(struct interview *iv, struct inst *P, int r, struct inst *K)
{
	int j;

	interview_mark(iv, r, P, true);
	for (j = r + 1; j < iv->nodes[r]->end; j++)
		interview_mark(iv, j, K ? K : P, true);
}

/* Whether one more instance of repeat r fits under IV_MAX_CELLS; when not,
 * says so in iv->too_large (kept until the interview is freed) and `err`. */
static bool instance_fits(struct interview *iv, int r, struct error *err)
{
	size_t cells = (size_t)(iv->nodes[r]->end - (r + 1));

	if (iv->ncells + cells <= IV_MAX_CELLS)
		return true;
	if (!error_isset(&iv->too_large)) {
		error_set(&iv->too_large, iv->nodes[r]->name,
			  "重复组 '%s' 的实例太多：一次访问最多容纳 %d 个答案位置",
			  "repeat '%s' has too many instances: one interview holds at most %d "
			  "answer slots",
			  iv->nodes[r]->name, IV_MAX_CELLS);
		iv->too_large.code = IV_E_TOO_LARGE;
	}
	error_copy(err, &iv->too_large);
	return false;
}

static struct inst *add_instance(struct interview *iv, struct inst *P, int r)
{
	struct cell *c = interview_cell(P, r);
	struct inst *K = interview_inst_new(iv, P, r);

	XGROW(c->kids, c->capkids, c->nkids + 1);
	c->kids[c->nkids++] = K;
	mark_repeat_changed(iv, P, r, K);
	return K;
}

static void remove_instance(struct interview *iv, struct inst *P, int r, size_t idx)
{
	struct cell *c = interview_cell(P, r);
	struct inst *K = c->kids[idx];

	memmove(&c->kids[idx], &c->kids[idx + 1], (c->nkids - idx - 1) * sizeof(*c->kids));
	c->nkids--;
	interview_inst_free(iv, K);
	mark_repeat_changed(iv, P, r, NULL);
}

/* Grows the roster to `want`; shrinks it only by trailing instances nobody
 * answered (answered ones stay and block completion, see blockers). */
int interview_resize_repeat(struct interview *iv, struct inst *P, int r, size_t want)
{
	struct cell *c = interview_cell(P, r);

	c->want = want > INT_MAX ? INT_MAX : (int)want;
	while (c->nkids < want) {
		struct inst *K;

		if (!instance_fits(iv, r, NULL))
			break;
		K = interview_inst_new(iv, P, r);
		XGROW(c->kids, c->capkids, c->nkids + 1);
		c->kids[c->nkids++] = K;
		for (int j = r + 1; j < iv->nodes[r]->end; j++)
			interview_mark(iv, j, K, true);
	}
	while (c->nkids > want && !inst_has_answers(iv, c->kids[c->nkids - 1])) {
		c->nkids--;
		interview_inst_free(iv, c->kids[c->nkids]);
		for (int j = r + 1; j < iv->nodes[r]->end; j++)
			interview_mark(iv, j, P, true);
	}
	return 0;
}

/* Recompute, then give instances made meanwhile their dynamic defaults. */
static void settle(struct interview *iv, uint32_t first_new_id)
{
	uint32_t id;

	interview_recompute(iv);
	for (id = first_new_id; id < iv->nid; id++) {
		struct inst *I = iv->byid[id];
		int k;
		if (!I)
			continue;
		for (k = I->base; k < I->end; k++) {
			const struct form_node *nd = iv->nodes[k];
			struct cell *c = interview_cell(I, k);
			const char *s;
			struct error e = ERROR_INIT;
			if (iv->crep[k] != I->repeat || !nd->default_expr.e || c->value || c->user ||
			    nd->calculation.e || (iv->only && !iv->only[k]))
				continue;
			if (interview_eval_string(iv, &nd->default_expr, interview_node_field(I, k), &s, &e) == 0 &&
			    *s) {
				c->value = xstrdup(s);
				interview_mark_dependents(iv, k, I);
			}
			error_clear(&e);
		}
	}
	interview_recompute(iv);
}

/* ---- paths -------------------------------------------------------------- */

static void path_inst(const struct interview *iv, const struct inst *I, struct strbuf *sb)
{
	if (!I->parent)
		return;
	path_inst(iv, I->parent, sb);
	strbuf_addf(sb, "%s[%d]/", iv->nodes[I->repeat]->name, interview_kid_index(I) + 1);
}

static void path_of(const struct interview *iv, const struct inst *I, int k, int sub,
		    struct strbuf *sb)
{
	path_inst(iv, I, sb);
	strbuf_addstr(sb, iv->nodes[k]->name);
	if (sub)
		strbuf_addstr(sb, "_other");
}

/* The instance path "members[2]" (no trailing slash). */
static char *inst_path(const struct interview *iv, const struct inst *I)
{
	struct strbuf sb = STRBUF_INIT;

	path_inst(iv, I, &sb);
	if (sb.len)
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

static char *field_path(const struct interview *iv, const struct inst *I, int k, int sub)
{
	struct strbuf sb = STRBUF_INIT;

	path_of(iv, I, k, sub, &sb);
	return strbuf_detach(&sb, NULL);
}

enum resolve_mode { R_READ, R_CREATE_NEXT, R_CREATE_ANY };

struct target {
	struct inst *I;        /* the instance holding the field (or the repeat slot) */
	int k;                 /* the node */
	int sub;               /* 1: the or_other text */
	struct inst *inst;     /* the path names a repeat instance */
	struct inst *created;  /* outermost instance created by the resolution */
};

static int path_error(struct error *err, const char *path, int code, const char *zh,
		      const char *en, const char *arg)
{
	error_set(err, path, zh, en, arg);
	if (err)
		err->code = code;
	return -1;
}

/*
 * Resolves `path`. R_CREATE_NEXT creates the next instance of a roster
 * (index = count + 1) on the way; R_CREATE_ANY creates up to any index.
 */
static int resolve(struct interview *iv, const char *path, enum resolve_mode mode,
		   struct target *t, struct error *err)
{
	const char *p = path, *seg_end, *br;
	struct inst *I = iv->root;
	char *name = NULL;
	int ret = -1, k, idx;

	memset(t, 0, sizeof(*t));
	if (!path || !*path)
		return path_error(err, "", IV_E_UNKNOWN_FIELD, "路径为空", "empty path", NULL);
	for (;;) {
		bool last;
		seg_end = strchr(p, '/');
		if (!seg_end)
			seg_end = p + strlen(p);
		last = !*seg_end;
		br = memchr(p, '[', (size_t)(seg_end - p));
		free(name);
		name = xstrndup(p, (size_t)((br ? br : seg_end) - p));
		idx = 0;
		if (br) {
			char *e;
			long v = strtol(br + 1, &e, 10);
			if (e == br + 1 || *e != ']' || e + 1 != seg_end || v < 1 || v > INT_MAX) {
				path_error(err, path, IV_E_UNKNOWN_FIELD, "路径中的实例序号无效",
					   "bad instance index in path", NULL);
				goto done;
			}
			idx = (int)v;
		}
		k = form_find(iv->f, name);
		if (k < 0 && last && !idx && strlen(name) > 6 &&
		    !strcmp(name + strlen(name) - 6, "_other")) {
			name[strlen(name) - 6] = '\0';
			k = form_find(iv->f, name);
			if (k >= 0 && iv->nodes[k]->or_other && iv->crep[k] == I->repeat) {
				t->I = I;
				t->k = k;
				t->sub = 1;
				ret = 0;
				goto done;
			}
			name[strlen(name)] = '_';
			k = -1;
		}
		if (k < 0) {
			path_error(err, path, IV_E_UNKNOWN_FIELD, "未知字段 '%s'", "unknown field '%s'",
				   name);
			goto done;
		}
		if (iv->crep[k] != I->repeat) {
			if (iv->crep[k] >= 0)
				error_set(err, path, "字段 '%s' 在重复组 '%s' 中：请写明实例，如 %s[1]/...",
					  "field '%s' is inside repeat '%s': give the instance, e.g. %s[1]/...",
					  name, iv->nodes[iv->crep[k]]->name,
					  iv->nodes[iv->crep[k]]->name);
			else
				error_set(err, path, "字段 '%s' 不在该重复组中", "field '%s' is not inside that repeat",
					  name);
			if (err)
				err->code = IV_E_UNKNOWN_FIELD;
			goto done;
		}
		if (idx) {
			struct cell *c;
			if (iv->nodes[k]->type != FORM_REPEAT) {
				path_error(err, path, IV_E_UNKNOWN_FIELD, "'%s' 不是重复组，不能带序号",
					   "'%s' is not a repeat and takes no index", name);
				goto done;
			}
			c = interview_cell(I, k);
			if ((size_t)idx > c->nkids) {
				bool can = mode == R_CREATE_ANY ||
					   (mode == R_CREATE_NEXT && (size_t)idx == c->nkids + 1 &&
					    !iv->nodes[k]->repeat_count.e);
				if (!can) {
					if (iv->nodes[k]->repeat_count.e)
						error_set(err, path,
							  "重复组 '%s' 只有 %zu 个实例（由数量决定），没有第 %d 个",
							  "repeat '%s' has %zu instances (set by its count), not %d",
							  name, c->nkids, idx);
					else
						error_set(err, path,
							  "重复组 '%1$s' 的序号 %3$d 次序不对：现有 %2$zu 个实例，下一个应为 %4$zu",
							  "repeat '%1$s' index %3$d is out of order: it has %2$zu instances, the next is %4$zu",
							  name, c->nkids, idx, c->nkids + 1);
					if (err)
						err->code = IV_E_REPEAT_INDEX;
					goto done;
				}
				while (c->nkids < (size_t)idx) {
					struct inst *K = add_instance(iv, I, k);
					if (!t->created)
						t->created = K;
				}
			}
			I = c->kids[idx - 1];
			if (last) {
				t->I = I->parent;
				t->k = k;
				t->inst = I;
				ret = 0;
				goto done;
			}
		} else if (!last) {
			path_error(err, path, IV_E_UNKNOWN_FIELD, "'%s' 后面的路径需要重复组序号",
				   "'%s' needs an instance index to go on", name);
			goto done;
		} else {
			t->I = I;
			t->k = k;
			ret = 0;
			goto done;
		}
		p = seg_end + 1;
	}
done:
	free(name);
	return ret;
}

/* Undo the instances a failed resolution or answer created. */
static void drop_created(struct interview *iv, struct target *t)
{
	struct inst *K = t->created;
	struct inst *P;
	int r;

	if (!K)
		return;
	P = K->parent;
	r = K->repeat;
	while (interview_cell(P, r)->nkids > 0) {
		struct cell *c = interview_cell(P, r);
		struct inst *last = c->kids[c->nkids - 1];
		remove_instance(iv, P, r, c->nkids - 1);
		if (last == K)
			break;
	}
	t->created = NULL;
	settle(iv, (uint32_t)iv->nid);
}

/* ---- messages ----------------------------------------------------------- */

static void fill_text_in(struct interview *iv, struct inst *I, const char *text,
			 struct strbuf *out)
{
	const char *p = text, *open, *close;

	if (!text)
		return;
	if (!I)
		I = iv->root;
	while ((open = strstr(p, "${")) && (close = strchr(open + 2, '}'))) {
		char *name = xstrndup(open + 2, (size_t)(close - open - 2));
		int k = form_find(iv->f, name);
		strbuf_add(out, p, (size_t)(open - p));
		if (k < 0) {
			strbuf_add(out, open, (size_t)(close - open + 1));
		} else {
			uint64_t nodes[64];
			int cnt = iv->host.resolve(iv, k, name, interview_node_inst(I), nodes, 64), j;
			for (j = 0; j < cnt && j < 64; j++) {
				if (j)
					strbuf_addstr(out, ", ");
				strbuf_addstr(out, iv->host.value(iv, nodes[j]));
			}
		}
		free(name);
		p = close + 1;
	}
	strbuf_addstr(out, p);
}



/* The form's message (zh and en form languages) or ruhu's own. */
static void form_message(struct interview *iv, struct inst *I, struct form_text t,
			 const char *where, int code, struct error *err, const char *zh,
			 const char *en, const char *arg)
{
	const char *fzh = form_text(iv->f, t, iv->lang_zh);
	const char *fen = form_text(iv->f, t, iv->lang_en);

	if (fzh || fen) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		fill_text_in(iv, I, fzh ? fzh : fen, &a);
		fill_text_in(iv, I, fen ? fen : fzh, &b);
		error_set(err, where, "%1$s%2$.0s", "%2$s%1$.0s", a.buf, b.buf);
		strbuf_release(&a);
		strbuf_release(&b);
	} else {
		error_set(err, where, zh, en, arg);
	}
	if (err)
		err->code = code;
}

/* ---- answers ------------------------------------------------------------ */

static bool eval_flag(struct interview *iv, bool flag, const struct form_expr *fx,
		      struct inst *I, int k)
{
	struct error e = ERROR_INIT;
	bool b = false;

	if (flag)
		return true;
	if (!fx->e)
		return false;
	if (interview_eval_bool(iv, fx, interview_node_field(I, k), &b, &e) < 0)
		b = false;
	error_clear(&e);
	return b;
}

static bool is_required(struct interview *iv, struct inst *I, int k)
{
	const struct form_node *nd = iv->nodes[k];

	return eval_flag(iv, nd->required_flag, &nd->required, I, k);
}

static bool is_read_only(struct interview *iv, struct inst *I, int k)
{
	const struct form_node *nd = iv->nodes[k];

	if (nd->calculation.e)
		return true;
	return eval_flag(iv, nd->read_only_flag, &nd->read_only, I, k);
}

static int type_error(struct error *err, const char *path, const char *zh, const char *en,
		      const char *v)
{
	error_set(err, path, zh, en, v);
	if (err)
		err->code = IV_E_TYPE;
	return -1;
}

static char *fmt_num(double d)
{
	char buf[64];

	return xstrdup(expr_format_number(d, buf, sizeof(buf)));
}

/* Checks one choice name of node k in I. */
static int check_choice(struct interview *iv, struct inst *I, int k, const char *name,
			const char *path, struct error *err)
{
	const struct form_node *nd = iv->nodes[k];
	const struct form_list *l = nd->list >= 0 ? form_list(iv->f, (size_t)nd->list) : NULL;
	int c = nd->list >= 0 ? form_find_choice(iv->f, nd->list, name) : -1;

	if (c < 0) {
		if (nd->or_other && !strcmp(name, "other"))
			return 0;
		error_set(err, path, "'%s' 不是选项列表 '%s' 中的选项",
			  "'%s' is not a choice of list '%s'", name, l ? l->name : "?");
		if (err)
			err->code = IV_E_CHOICE;
		return -1;
	}
	if (!interview_choice_passes(iv, I, k, nd->list, c)) {
		error_set(err, path, "选项 '%s' 不符合当前的筛选条件（choice_filter）",
			  "choice '%s' is not allowed by the choice_filter here", name);
		if (err)
			err->code = IV_E_FILTER;
		return -1;
	}
	return 0;
}

/*
 * Validates `v` (non-empty) for node k in I; sets *norm to the value to store
 * (malloc'd).
 */
static int validate_value(struct interview *iv, struct inst *I, int k, const char *v,
			  const char *path, char **norm, struct error *err)
{
	const struct form_node *nd = iv->nodes[k];
	double d;

	*norm = NULL;
	if (!utf8_valid(v, strlen(v)))
		return type_error(err, path, "文本不是有效的 UTF-8", "text is not valid UTF-8", v);
	switch (nd->type) {
	case FORM_INTEGER:
		if (interview_check_integer(v) < 0)
			return type_error(err, path, "'%s' 不是整数", "'%s' is not an integer", v);
		break;
	case FORM_DECIMAL:
		if (interview_check_decimal(v, NULL) < 0)
			return type_error(err, path, "'%s' 不是数字", "'%s' is not a number", v);
		break;
	case FORM_RANGE: {
		double lo = fmin(nd->range_start, nd->range_end);
		double hi = fmax(nd->range_start, nd->range_end);
		double steps;
		if (interview_check_decimal(v, &d) < 0)
			return type_error(err, path, "'%s' 不是数字", "'%s' is not a number", v);
		steps = nd->range_step != 0 ? (d - nd->range_start) / nd->range_step : 0;
		if (d < lo || d > hi || fabs(steps - round(steps)) > 1e-9) {
			char *a = fmt_num(nd->range_start), *b = fmt_num(nd->range_end);
			char *s = fmt_num(nd->range_step);
			error_set(err, path, "%1$s 不在 %2$s 到 %3$s（步长 %4$s）的范围内",
				  "%1$s is outside the range %2$s to %3$s (step %4$s)", v, a, b, s);
			if (err)
				err->code = IV_E_RANGE;
			free(a);
			free(b);
			free(s);
			return -1;
		}
		break;
	}
	case FORM_DATE:
		if (interview_check_date(v) < 0)
			return type_error(err, path, "'%s' 不是有效日期（YYYY-MM-DD）",
					  "'%s' is not a valid date (YYYY-MM-DD)", v);
		break;
	case FORM_TIME:
		if (interview_check_time(v) < 0)
			return type_error(err, path, "'%s' 不是有效时间（HH:MM）",
					  "'%s' is not a valid time (HH:MM)", v);
		break;
	case FORM_DATETIME:
		if (interview_check_datetime(v) < 0)
			return type_error(err, path, "'%s' 不是有效的日期时间（YYYY-MM-DDTHH:MM）",
					  "'%s' is not a valid date and time (YYYY-MM-DDTHH:MM)", v);
		break;
	case FORM_GEOPOINT:
		if (interview_check_geopoint(v) < 0)
			return type_error(err, path, "'%s' 不是有效坐标（纬度 经度 [高度 [精度]]）",
					  "'%s' is not a valid point (lat lon [alt [accuracy]])", v);
		break;
	case FORM_ACKNOWLEDGE:
		if (strcmp(v, "OK"))
			return type_error(err, path, "确认题的答案只能是 'OK'，不是 '%s'",
					  "an acknowledge answer is 'OK', not '%s'", v);
		break;
	case FORM_SELECT_ONE:
		if (check_choice(iv, I, k, v, path, err) < 0)
			return -1;
		break;
	case FORM_SELECT_MULTIPLE: {
		struct strbuf sb = STRBUF_INIT;
		char *copy = xstrdup(v), *tok, *save = NULL;
		int ret = 0;
		for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			const char *q = sb.buf;
			size_t n = strlen(tok);
			bool dup = false;
			while (*q) {
				if (!strncmp(q, tok, n) && (q[n] == ' ' || !q[n]) &&
				    (q == sb.buf || q[-1] == ' '))
					dup = true;
				q++;
			}
			if (dup) {
				error_set(err, path, "选项 '%s' 重复", "choice '%s' is given twice", tok);
				if (err)
					err->code = IV_E_CHOICE;
				ret = -1;
				break;
			}
			if (check_choice(iv, I, k, tok, path, err) < 0) {
				ret = -1;
				break;
			}
			if (sb.len)
				strbuf_addch(&sb, ' ');
			strbuf_addstr(&sb, tok);
		}
		free(copy);
		if (ret < 0) {
			strbuf_release(&sb);
			return -1;
		}
		*norm = strbuf_detach(&sb, NULL);
		return 0;
	}
	default:
		break;
	}
	*norm = xstrdup(v);
	return 0;
}

static int refuse_completed(struct interview *iv, const char *path, struct error *err)
{
	if (!iv->completed)
		return 0;
	error_set(err, path, "访谈已完成：请先重新打开", "the interview is completed: reopen it first");
	if (err)
		err->code = IV_E_COMPLETED;
	return -1;
}

/* Answer-level checks shared by set and set_special; on success the target
 * is a relevant, answerable, writable field. */
static int check_target(struct interview *iv, const char *path, struct target *t,
			bool preload, struct error *err)
{
	const struct form_node *nd = iv->nodes[t->k];

	if (t->inst || (!is_answerable(nd) && !(preload && has_value(nd) && !nd->calculation.e))) {
		error_set(err, path, "'%s' 不是可以回答的题目", "'%s' is not a question that takes an answer",
			  nd->name);
		if (err)
			err->code = IV_E_NOT_ANSWERABLE;
		return -1;
	}
	if (preload)
		return 0;
	if (!interview_node_relevant(iv, t->I, t->k) || (t->sub && !other_selected(iv, t->I, t->k))) {
		error_set(err, path, "题目 '%s' 当前不适用（relevant 为假），不能回答",
			  "question '%s' is not relevant here and cannot be answered", nd->name);
		if (err)
			err->code = IV_E_NOT_RELEVANT;
		return -1;
	}
	if (!t->sub && is_read_only(iv, t->I, t->k)) {
		error_set(err, path, "题目 '%s' 是只读的", "question '%s' is read-only", nd->name);
		if (err)
			err->code = IV_E_READ_ONLY;
		return -1;
	}
	return 0;
}

struct saved {
	char *value;
	unsigned char special;
	bool user;
};

static void cell_put(struct interview *iv, struct target *t, char *value, unsigned char special,
		     bool user, struct saved *old)
{
	struct cell *c = interview_cell(t->I, t->k);

	if (t->sub) {
		if (old) {
			old->value = c->other;
			old->special = 0;
			old->user = c->other_user;
		} else {
			free(c->other);
		}
		c->other = value;
		c->other_user = user;
		return;
	}
	if (old) {
		old->value = c->value;
		old->special = c->special;
		old->user = c->user;
	} else {
		free(c->value);
	}
	c->value = value;
	c->special = special;
	c->user = user;
	interview_mark_dependents(iv, t->k, t->I);
}

static int check_constraint(struct interview *iv, struct inst *I, int k, const char *path,
			    struct error *err)
{
	const struct form_node *nd = iv->nodes[k];
	const struct cell *c = interview_cell(I, k);
	struct error e = ERROR_INIT;
	bool ok = true;

	if (!nd->constraint.e || c->special || !c->value)
		return 0;
	if (interview_eval_bool(iv, &nd->constraint, interview_node_field(I, k), &ok, &e) < 0) {
		error_move(err, &e);
		error_prefix(err, path);
		if (err)
			err->code = IV_E_EVAL;
		return -1;
	}
	if (ok)
		return 0;
	form_message(iv, I, nd->constraint_message, path, IV_E_CONSTRAINT, err,
		     "答案不符合约束条件：%s", "the answer fails the constraint: %s", nd->constraint.src);
	return -1;
}

static int set_common(struct interview *iv, const char *path, const char *value,
		      enum interview_special sp, bool preload, struct error *err)
{
	struct target t;
	struct saved old = {0};
	char *norm = NULL;
	uint32_t first_new = (uint32_t)iv->nid;
	int ret = -1;

	if (refuse_completed(iv, path, err) < 0)
		return -1;
	if (resolve(iv, path, R_CREATE_NEXT, &t, err) < 0) {
		drop_created(iv, &t); /* instances made before a later segment failed */
		return -1;
	}
	if (t.created)
		settle(iv, first_new);
	if (check_target(iv, path, &t, preload, err) < 0)
		goto fail;
	if (sp) {
		if (t.sub || !(interview_specials_allowed(iv, t.k) & (sp == IV_DONT_KNOW ? IV_ALLOW_DONT_KNOW
											  : IV_ALLOW_REFUSED))) {
			error_set(err, path, "题目 '%s' 不接受“%s”", "question '%s' does not accept '%s'",
				  iv->nodes[t.k]->name,
				  sp == IV_DONT_KNOW ? "don't know / 不知道" : "refused / 拒绝回答");
			if (err)
				err->code = IV_E_SPECIAL;
			goto fail;
		}
	} else if (value && *value) {
		if (t.sub) {
			if (!utf8_valid(value, strlen(value))) {
				type_error(err, path, "文本不是有效的 UTF-8", "text is not valid UTF-8", value);
				goto fail;
			}
			norm = xstrdup(value);
		} else if (validate_value(iv, t.I, t.k, value, path, &norm, err) < 0) {
			goto fail;
		}
	}
	cell_put(iv, &t, norm, (unsigned char)sp, norm || sp || keeps_empty(iv->nodes[t.k]), &old);
	norm = NULL;
	settle(iv, (uint32_t)iv->nid);
	if (!t.sub && !preload && check_constraint(iv, t.I, t.k, path, err) < 0) {
		cell_put(iv, &t, old.value, old.special, old.user, NULL);
		old.value = NULL;
		settle(iv, (uint32_t)iv->nid);
		goto fail;
	}
	free(old.value);
	return 0;
fail:
	free(norm);
	drop_created(iv, &t);
	return ret;
}

int interview_set(struct interview *iv, const char *path, const char *value, struct error *err)
{
	return set_common(iv, path, value, IV_SPECIAL_NONE, false, err);
}

int interview_set_special(struct interview *iv, const char *path, enum interview_special sp,
			  struct error *err)
{
	if (sp != IV_DONT_KNOW && sp != IV_REFUSED) {
		error_set(err, path, "无效的特殊值", "invalid special value");
		if (err)
			err->code = IV_E_SPECIAL;
		return -1;
	}
	return set_common(iv, path, NULL, sp, false, err);
}

/* interview_restore without the recomputation (the caller settles) */
static int restore_put(struct interview *iv, const char *path, const char *value,
		       enum interview_special sp, struct error *err)
{
	struct target t;

	if (resolve(iv, path, R_CREATE_ANY, &t, err) < 0) {
		drop_created(iv, &t);
		return -1;
	}
	if (!t.inst) {
		if (is_container(iv->nodes[t.k]) || (!t.sub && iv->nodes[t.k]->calculation.e)) {
			error_set(err, path, "'%s' 不能保存答案", "'%s' cannot hold an answer",
				  iv->nodes[t.k]->name);
			if (err)
				err->code = IV_E_NOT_ANSWERABLE;
			return -1;
		}
		cell_put(iv, &t, value && *value ? xstrdup(value) : NULL, (unsigned char)sp,
			 (value && *value) || sp || (value && keeps_empty(iv->nodes[t.k])), NULL);
	}
	return 0;
}

int interview_restore(struct interview *iv, const char *path, const char *value,
		      enum interview_special sp, struct error *err)
{
	uint32_t first_new = (uint32_t)iv->nid;
	int ret = restore_put(iv, path, value, sp, err);

	settle(iv, first_new);
	return ret;
}

int interview_get(const struct interview *iv, const char *path, const char **value,
		  enum interview_special *sp)
{
	struct target t;

	if (resolve((struct interview *)iv, path, R_READ, &t, NULL) < 0 || t.inst)
		return -1;
	if (value)
		*value = t.sub ? interview_cell(t.I, t.k)->other : interview_cell(t.I, t.k)->value;
	if (sp)
		*sp = t.sub ? IV_SPECIAL_NONE : interview_cell(t.I, t.k)->special;
	return 0;
}

bool interview_relevant(struct interview *iv, const char *path)
{
	struct target t;

	if (resolve(iv, path, R_READ, &t, NULL) < 0)
		return false;
	if (t.inst)
		return interview_node_relevant(iv, t.inst, -1) && interview_node_relevant(iv, t.I, t.k);
	if (t.sub)
		return interview_node_relevant(iv, t.I, t.k) && other_selected(iv, t.I, t.k);
	return interview_node_relevant(iv, t.I, t.k);
}

/* "dont_know refused" style token lists; returns IV_ALLOW_* bits, or -1 when
 * the text has no special-value token at all. */
static int parse_specials(const char *s, const char *prefix)
{
	const char *p = s;
	size_t plen = strlen(prefix);
	int bits = -1;

	while (p && *p) {
		const char *e;
		size_t n;
		while (*p == ' ' || *p == ',')
			p++;
		e = p;
		while (*e && *e != ' ' && *e != ',')
			e++;
		n = (size_t)(e - p);
		if (n > plen && !strncmp(p, prefix, plen)) {
			const char *w = p + plen;
			size_t wn = n - plen;
			if (bits < 0)
				bits = 0;
			if (wn == 9 && !strncmp(w, "dont_know", 9))
				bits |= IV_ALLOW_DONT_KNOW;
			else if (wn == 7 && !strncmp(w, "refused", 7))
				bits |= IV_ALLOW_REFUSED;
		}
		p = e;
	}
	return bits;
}

unsigned interview_specials_allowed(const struct interview *iv, int node)
{
	const struct form_node *nd;
	int bits;

	if (node < 0 || node >= iv->n)
		return 0;
	nd = iv->nodes[node];
	if (!is_answerable(nd))
		return 0;
	if (nd->appearance && (bits = parse_specials(nd->appearance, "special_")) >= 0)
		return (unsigned)bits;
	return iv->specials;
}

/* Required / constraint / choice checks of one relevant field, as completion
 * sees it. */
static int check_field(struct interview *iv, struct inst *I, int k, const char *path,
		       struct error *err)
{
	const struct form_node *nd = iv->nodes[k];
	const struct cell *c = interview_cell(I, k);
	char *norm = NULL;

	if (!is_answerable(nd))
		return 0;
	if (!c->value && !c->special) {
		if (is_required(iv, I, k)) {
			form_message(iv, I, nd->required_message, path, IV_E_REQUIRED, err, "此题必答",
				     "this question is required", NULL);
			return -1;
		}
		return 0;
	}
	if (c->special)
		return 0;
	if ((nd->type == FORM_SELECT_ONE || nd->type == FORM_SELECT_MULTIPLE) &&
	    validate_value(iv, I, k, c->value, path, &norm, err) < 0)
		return -1;
	free(norm);
	return check_constraint(iv, I, k, path, err);
}

int interview_check(struct interview *iv, const char *path, struct error *err)
{
	struct target t;

	if (resolve(iv, path, R_READ, &t, err) < 0)
		return -1;
	if (t.inst || t.sub || !interview_node_relevant(iv, t.I, t.k))
		return 0;
	return check_field(iv, t.I, t.k, path, err);
}

int interview_choices(struct interview *iv, const char *path, size_t **out, size_t *n)
{
	const struct form_list *l;
	struct target t;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	if (resolve(iv, path, R_READ, &t, NULL) < 0 || t.inst || t.sub ||
	    iv->nodes[t.k]->list < 0 || !(l = form_list(iv->f, (size_t)iv->nodes[t.k]->list)))
		return -1;
	*out = xcalloc(l->n + 1, sizeof(**out));
	for (i = 0; i < l->n; i++)
		if (interview_choice_passes(iv, t.I, t.k, iv->nodes[t.k]->list, (int)i))
			(*out)[cnt++] = i;
	interview_shuffle_choices(iv, t.I, t.k, *out, cnt);
	*n = cnt;
	return 0;
}

void interview_fill_text(struct interview *iv, const char *path, const char *text,
			 struct strbuf *out)
{
	struct inst *I = iv->root;
	struct target t;

	if (path && resolve(iv, path, R_READ, &t, NULL) == 0)
		I = t.inst ? t.inst : t.I;
	fill_text_in(iv, I, text, out);
}

int interview_instance_name(struct interview *iv, struct strbuf *out, struct error *err)
{
	struct form_expr fx = form_instance_name(iv->f);
	const char *s = NULL;

	if (!fx.e)
		return 0;
	if (interview_eval_string(iv, &fx, interview_node_inst(iv->root), &s, err) < 0)
		return -1;
	if (!s || !*s)
		return 0;
	strbuf_addstr(out, s);
	return 1;
}

const struct error *interview_eval_error(const struct interview *iv)
{
	return error_isset(&iv->eval_err) ? &iv->eval_err : NULL;
}

/* ---- walking the interview ---------------------------------------------- */

struct item {
	int k;
	struct inst *I;
	int sub;
	enum interview_item_kind kind;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void push_item(struct items *it, int k, struct inst *I, int sub,
		      enum interview_item_kind kind)
{
	XGROW(it->v, it->cap, it->n + 1);
	it->v[it->n].k = k;
	it->v[it->n].I = I;
	it->v[it->n].sub = sub;
	it->v[it->n].kind = kind;
	it->n++;
}

static void walk(struct interview *iv, struct inst *I, int from, int to, struct items *it)
{
	int k = from;
	size_t i;

	while (k < to) {
		const struct form_node *nd = iv->nodes[k];
		struct cell *c = interview_cell(I, k);
		if (nd->type == FORM_GROUP) {
			k = c->rel ? k + 1 : nd->end;
			continue;
		}
		if (nd->type == FORM_REPEAT) {
			if (c->rel) {
				if (!nd->repeat_count.e)
					push_item(it, k, I, 0, IV_ITEM_ROSTER);
				for (i = 0; i < c->nkids; i++)
					if (c->kids[i]->rel)
						walk(iv, c->kids[i], k + 1, nd->end, it);
			}
			k = nd->end;
			continue;
		}
		if (is_stop(nd) && c->rel) {
			push_item(it, k, I, 0,
				  nd->type == FORM_UNSUPPORTED ? IV_ITEM_UNSUPPORTED : IV_ITEM_QUESTION);
			if (other_selected(iv, I, k))
				push_item(it, k, I, 1, IV_ITEM_OTHER);
		}
		k++;
	}
}

static void items_build(struct interview *iv, struct items *it)
{
	it->n = 0;
	walk(iv, iv->root, 0, iv->n, it);
}

/* Document-order comparison of (I, k, sub) positions. */
static int chain(const struct inst *I, const struct inst **out)
{
	int n = I->depth, i;

	for (i = n - 1; i >= 0; i--) {
		out[i] = I;
		I = I->parent;
	}
	return n;
}

static int doc_cmp(const struct inst *a, int ka, int sa, const struct inst *b, int kb, int sb)
{
	const struct inst *ca[64], *cb[64];
	int na, nb, i, x, y, ix, iy;

	if (a->depth >= 64 || b->depth >= 64)
		return 0;
	na = chain(a, ca);
	nb = chain(b, cb);
	for (i = 0;; i++) {
		if (i < na) {
			x = ca[i]->repeat;
			ix = interview_kid_index(ca[i]) + 1;
		} else {
			x = ka;
			ix = sa;
		}
		if (i < nb) {
			y = cb[i]->repeat;
			iy = interview_kid_index(cb[i]) + 1;
		} else {
			y = kb;
			iy = sb;
		}
		if (x != y)
			return x < y ? -1 : 1;
		if (ix != iy)
			return ix < iy ? -1 : 1;
		if (i >= na || i >= nb)
			return 0;
	}
}

/* Index of the current position in the walk: the item itself, or the first
 * one after it (the current question may have become non-relevant). */
static size_t items_find(struct interview *iv, const struct items *it)
{
	struct inst *P;
	size_t i;

	if (iv->pos_node < 0)
		return it->n;
	P = iv->pos_inst < iv->nid ? iv->byid[iv->pos_inst] : NULL;
	if (!P)
		return 0;
	for (i = 0; i < it->n; i++)
		if (doc_cmp(it->v[i].I, it->v[i].k, it->v[i].sub, P, iv->pos_node, iv->pos_sub) >= 0)
			return i;
	return it->n;
}

static bool at_position(const struct interview *iv, const struct item *x)
{
	return x->k == iv->pos_node && x->I->id == iv->pos_inst && x->sub == iv->pos_sub;
}

static void set_pos(struct interview *iv, const struct items *it, size_t i)
{
	if (i >= it->n) {
		iv->pos_node = -1;
		iv->pos_inst = 0;
		iv->pos_sub = 0;
		return;
	}
	iv->pos_node = it->v[i].k;
	iv->pos_inst = it->v[i].I->id;
	iv->pos_sub = it->v[i].sub;
}

void interview_current(struct interview *iv, struct interview_item *out)
{
	struct items it = {0};
	size_t i;

	memset(out, 0, sizeof(*out));
	items_build(iv, &it);
	i = items_find(iv, &it);
	set_pos(iv, &it, i);
	free(iv->item_path);
	iv->item_path = NULL;
	if (i >= it.n) {
		out->kind = IV_ITEM_END;
		out->path = "";
		goto done;
	}
	{
		struct item *x = &it.v[i];
		struct cell *c = interview_cell(x->I, x->k);
		out->kind = x->kind;
		out->node = iv->nodes[x->k];
		iv->item_path = field_path(iv, x->I, x->k, x->sub);
		out->path = iv->item_path;
		if (x->sub) {
			out->value = c->other;
		} else {
			out->value = c->value;
			out->special = c->special;
			out->instances = c->nkids;
			if (x->kind == IV_ITEM_QUESTION) {
				out->required = is_answerable(out->node) && is_required(iv, x->I, x->k);
				out->read_only = is_read_only(iv, x->I, x->k);
			}
		}
		if (x->sub)
			out->required = true;
	}
done:
	free(it.v);
}

int interview_next(struct interview *iv, struct error *err)
{
	struct items it = {0};
	size_t i;
	int ret = -1;

	items_build(iv, &it);
	i = items_find(iv, &it);
	if (i < it.n && !at_position(iv, &it.v[i])) {
		/* the current question went away (no longer relevant): the next
		 * one is where it was */
		set_pos(iv, &it, i);
		ret = 0;
		goto done;
	}
	if (i < it.n) {
		struct item *x = &it.v[i];
		if (x->kind == IV_ITEM_QUESTION) {
			char *path = field_path(iv, x->I, x->k, 0);
			int r = check_field(iv, x->I, x->k, path, err);
			free(path);
			if (r < 0)
				goto done;
		}
		i++;
	}
	set_pos(iv, &it, i);
	ret = 0;
done:
	free(it.v);
	return ret;
}

int interview_prev(struct interview *iv)
{
	struct items it = {0};
	size_t i;
	int ret = -1;

	items_build(iv, &it);
	i = items_find(iv, &it);
	if (i > 0 && it.n > 0) {
		set_pos(iv, &it, (i > it.n ? it.n : i) - 1);
		ret = 0;
	}
	free(it.v);
	return ret;
}

int interview_jump(struct interview *iv, const char *path, struct error *err)
{
	struct items it = {0};
	struct target t;
	size_t i;
	int ret = -1;

	if (resolve(iv, path, R_READ, &t, err) < 0)
		return -1;
	if (!interview_relevant(iv, path)) {
		error_set(err, path, "'%s' 当前不适用，不能跳转", "'%s' is not relevant now: cannot jump there",
			  path);
		if (err)
			err->code = IV_E_NOT_RELEVANT;
		return -1;
	}
	items_build(iv, &it);
	for (i = 0; i < it.n; i++) {
		int c = t.inst ? doc_cmp(it.v[i].I, it.v[i].k, it.v[i].sub, t.inst, t.inst->base, 0)
			       : doc_cmp(it.v[i].I, it.v[i].k, it.v[i].sub, t.I, t.k, t.sub);
		if (c >= 0)
			break;
	}
	set_pos(iv, &it, i);
	ret = 0;
	free(it.v);
	return ret;
}

const char *interview_position(struct interview *iv)
{
	struct inst *P;

	free(iv->pos_path);
	P = iv->pos_inst < iv->nid ? iv->byid[iv->pos_inst] : NULL;
	if (iv->pos_node < 0 || !P)
		iv->pos_path = xstrdup("");
	else
		iv->pos_path = field_path(iv, P, iv->pos_node, iv->pos_sub);
	return iv->pos_path;
}

void interview_progress(struct interview *iv, size_t *n, size_t *m)
{
	struct items it = {0};
	size_t i;

	items_build(iv, &it);
	i = items_find(iv, &it);
	*m = it.n;
	*n = i < it.n ? i + 1 : 0;
	free(it.v);
}

/* ---- sections ----------------------------------------------------------- */

struct tally {
	size_t answered, questions;
	bool errors;
	bool gap;      /* a required question unanswered so far */
	bool late;     /* ... followed by an answered one */
};

static void tally_range(struct interview *iv, struct inst *I, int from, int to, struct tally *t)
{
	int k = from;
	size_t i;

	while (k < to) {
		const struct form_node *nd = iv->nodes[k];
		struct cell *c = interview_cell(I, k);
		if (!c->rel) {
			k = is_container(nd) ? nd->end : k + 1;
			continue;
		}
		if (nd->type == FORM_REPEAT) {
			for (i = 0; i < c->nkids; i++)
				if (c->kids[i]->rel)
					tally_range(iv, c->kids[i], k + 1, nd->end, t);
			if (c->want >= 0 && c->nkids > (size_t)c->want)
				t->errors = true;
			k = nd->end;
			continue;
		}
		if (is_answerable(nd)) {
			struct error e = ERROR_INIT;
			t->questions++;
			if (c->value || c->special) {
				t->answered++;
				if (t->gap)
					t->late = true;
				if (check_field(iv, I, k, NULL, &e) < 0)
					t->errors = true;
			} else if (is_required(iv, I, k)) {
				t->gap = true;
			}
			error_clear(&e);
		}
		k++;
	}
}

static enum interview_section_state tally_state(const struct tally *t)
{
	if (t->errors || t->late)
		return IV_SECTION_ERRORS;
	if (t->answered == 0)
		return t->questions ? IV_SECTION_UNTOUCHED : IV_SECTION_COMPLETE;
	return t->answered >= t->questions ? IV_SECTION_COMPLETE : IV_SECTION_PARTLY;
}

struct sections {
	struct interview_section *v;
	size_t n, cap;
};

static void push_section(struct sections *s, const struct form_node *nd, char *path, int depth,
			 bool rel, const struct tally *t)
{
	struct interview_section *x;

	XGROW(s->v, s->cap, s->n + 1);
	x = &s->v[s->n++];
	x->node = nd;
	x->path = path;
	x->depth = depth;
	x->relevant = rel;
	x->state = tally_state(t);
	x->answered = t->answered;
	x->questions = t->questions;
}

static void sections_walk(struct interview *iv, struct inst *I, int from, int to, int depth,
			  bool rel, struct sections *s)
{
	int k;
	size_t i;

	for (k = from; k < to; k++) {
		const struct form_node *nd = iv->nodes[k];
		struct cell *c = interview_cell(I, k);
		struct tally t = {0};
		bool r;
		if (!is_container(nd))
			continue;
		r = rel && c->rel;
		if (r)
			tally_range(iv, I, k, nd->end, &t);
		push_section(s, nd, field_path(iv, I, k, 0), depth, r, &t);
		if (nd->type == FORM_GROUP)
			continue;
		for (i = 0; i < c->nkids; i++) {
			struct inst *K = c->kids[i];
			struct tally tk = {0};
			bool rk = r && K->rel;
			if (rk)
				tally_range(iv, K, k + 1, nd->end, &tk);
			push_section(s, nd, inst_path(iv, K), depth, rk, &tk);
			sections_walk(iv, K, k + 1, nd->end, depth + 1, rk, s);
		}
		k = nd->end - 1;
	}
}

int interview_sections(struct interview *iv, struct interview_section **out, size_t *n)
{
	struct sections s = {0};
	size_t i;

	sections_walk(iv, iv->root, 0, iv->n, 0, true, &s);
	/* depth: nesting of groups and repeats plus one per instance level */
	for (i = 0; i < s.n; i++) {
		const char *p = s.v[i].path;
		int d = s.v[i].node->depth;
		while ((p = strchr(p, '[')))
			d++, p++;
		s.v[i].depth = d;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

void interview_sections_free(struct interview_section *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		free(s[i].path);
	free(s);
}

/* ---- repeats ------------------------------------------------------------ */

static int resolve_repeat(struct interview *iv, const char *path, struct target *t,
			  struct error *err)
{
	if (resolve(iv, path, R_READ, t, err) < 0)
		return -1;
	if (t->inst || t->sub || iv->nodes[t->k]->type != FORM_REPEAT) {
		error_set(err, path, "'%s' 不是重复组", "'%s' is not a repeat", path);
		if (err)
			err->code = IV_E_UNKNOWN_FIELD;
		return -1;
	}
	return 0;
}

int interview_repeat_count(struct interview *iv, const char *repeat_path)
{
	struct target t;

	if (resolve_repeat(iv, repeat_path, &t, NULL) < 0)
		return -1;
	return (int)interview_cell(t.I, t.k)->nkids;
}

int interview_repeat_add(struct interview *iv, const char *repeat_path, int *index,
			 struct error *err)
{
	struct target t;
	uint32_t first_new = (uint32_t)iv->nid;

	if (refuse_completed(iv, repeat_path, err) < 0 || resolve_repeat(iv, repeat_path, &t, err) < 0)
		return -1;
	if (iv->nodes[t.k]->repeat_count.e) {
		error_set(err, repeat_path, "重复组 '%s' 的实例数由数量决定，不能手动添加",
			  "repeat '%s' takes its number of instances from its count: cannot add one",
			  iv->nodes[t.k]->name);
		if (err)
			err->code = IV_E_REPEAT_INDEX;
		return -1;
	}
	if (!interview_node_relevant(iv, t.I, t.k)) {
		error_set(err, repeat_path, "重复组 '%s' 当前不适用", "repeat '%s' is not relevant now",
			  iv->nodes[t.k]->name);
		if (err)
			err->code = IV_E_NOT_RELEVANT;
		return -1;
	}
	if (!instance_fits(iv, t.k, err))
		return -1;
	add_instance(iv, t.I, t.k);
	settle(iv, first_new);
	if (index)
		*index = (int)interview_cell(t.I, t.k)->nkids;
	return 0;
}

static int resolve_instance(struct interview *iv, const char *path, struct target *t,
			    struct error *err)
{
	if (resolve(iv, path, R_READ, t, err) < 0)
		return -1;
	if (!t->inst) {
		error_set(err, path, "'%s' 不是重复组的实例（如 members[2]）",
			  "'%s' is not a repeat instance (like members[2])", path);
		if (err)
			err->code = IV_E_UNKNOWN_FIELD;
		return -1;
	}
	return 0;
}

static int delete_check(struct interview *iv, const char *instance_path, struct target *t,
			struct error *err)
{
	if (refuse_completed(iv, instance_path, err) < 0 ||
	    resolve_instance(iv, instance_path, t, err) < 0)
		return -1;
	if (iv->nodes[t->k]->repeat_count.e &&
	    interview_cell(t->I, t->k)->want >= (int)interview_cell(t->I, t->k)->nkids) {
		error_set(err, instance_path, "重复组 '%s' 的实例数由数量决定：请先修改数量",
			  "repeat '%s' takes its number of instances from its count: change the count first",
			  iv->nodes[t->k]->name);
		if (err)
			err->code = IV_E_REPEAT_COUNT;
		return -1;
	}
	return 0;
}

int interview_repeat_delete_check(struct interview *iv, const char *instance_path, struct error *err)
{
	struct target t;

	return delete_check(iv, instance_path, &t, err);
}

int interview_repeat_delete(struct interview *iv, const char *instance_path, struct error *err)
{
	struct target t;
	int idx;

	if (delete_check(iv, instance_path, &t, err) < 0)
		return -1;
	idx = interview_kid_index(t.inst);
	remove_instance(iv, t.I, t.k, (size_t)idx);
	settle(iv, (uint32_t)iv->nid);
	return 0;
}

int interview_repeat_move(struct interview *iv, const char *instance_path, int to,
			  struct error *err)
{
	struct target t;
	struct cell *c;
	struct inst *K;
	int from;

	if (refuse_completed(iv, instance_path, err) < 0 ||
	    resolve_instance(iv, instance_path, &t, err) < 0)
		return -1;
	c = interview_cell(t.I, t.k);
	if (to < 1 || (size_t)to > c->nkids) {
		error_set(err, instance_path, "目标位置 %d 超出范围（1 到 %zu）",
			  "target position %d is out of range (1 to %zu)", to, c->nkids);
		if (err)
			err->code = IV_E_REPEAT_INDEX;
		return -1;
	}
	from = interview_kid_index(t.inst);
	K = c->kids[from];
	if (from < to - 1)
		memmove(&c->kids[from], &c->kids[from + 1], (size_t)(to - 1 - from) * sizeof(*c->kids));
	else if (from > to - 1)
		memmove(&c->kids[to], &c->kids[to - 1], (size_t)(from - (to - 1)) * sizeof(*c->kids));
	c->kids[to - 1] = K;
	mark_repeat_changed(iv, t.I, t.k, NULL);
	settle(iv, (uint32_t)iv->nid);
	return 0;
}

/* ---- record, answers, completion --------------------------------------- */

struct visit {
	struct interview *iv;
	struct strbuf path;
	int ret;
	bool record;
	int (*rec)(void *ud, const char *path, const char *value);
	int (*ans)(void *ud, const char *path, const char *value, enum interview_special sp);
	struct diag_list *dl;
	size_t blockers;
	void *ud;
};

static const char *special_text(unsigned char sp)
{
	return sp == IV_DONT_KNOW ? ".d" : sp == IV_REFUSED ? ".r" : NULL;
}

static int visit_inst(struct visit *v, struct inst *I, int from, int to, bool rel)
{
	struct interview *iv = v->iv;
	size_t base = v->path.len, i;
	int k;

	for (k = from; k < to && !v->ret; k++) {
		const struct form_node *nd = iv->nodes[k];
		struct cell *c = interview_cell(I, k);
		bool r = rel && c->rel;
		strbuf_setlen(&v->path, base);
		if (nd->type == FORM_GROUP) {
			if (!r && (v->rec || v->dl))
				k = nd->end - 1;
			continue;
		}
		if (nd->type == FORM_REPEAT) {
			if (r || v->ans) {
				if (v->dl && r && c->want >= 0 && c->nkids > (size_t)c->want) {
					strbuf_addstr(&v->path, nd->name);
					diag_add(v->dl, DIAG_ERROR, v->path.buf,
						 "重复组 '%s' 有 %zu 个已填写的实例，但数量要求 %d 个：请删除多余的或修改数量",
						 "repeat '%s' has %zu answered instances but its count asks for %d: delete the extra ones or change the count",
						 nd->name, c->nkids, c->want);
					v->blockers++;
				}
				for (i = 0; i < c->nkids && !v->ret; i++) {
					strbuf_setlen(&v->path, base);
					strbuf_addf(&v->path, "%s[%zu]", nd->name, i + 1);
					if (v->ans)
						v->ret = v->ans(v->ud, v->path.buf, NULL, IV_SPECIAL_NONE);
					strbuf_addch(&v->path, '/');
					if (!v->ret)
						visit_inst(v, c->kids[i], k + 1, nd->end, r && c->kids[i]->rel);
				}
			}
			k = nd->end - 1;
			continue;
		}
		strbuf_addstr(&v->path, nd->name);
		if (v->rec && r && has_value(nd)) {
			const char *val = c->special ? special_text(c->special) : c->value ? c->value : "";
			v->ret = v->rec(v->ud, v->path.buf, val);
			if (!v->ret && nd->or_other && other_selected(iv, I, k)) {
				strbuf_addstr(&v->path, "_other");
				v->ret = v->rec(v->ud, v->path.buf, c->other ? c->other : "");
			}
		}
		if (v->ans) {
			if (c->user)
				v->ret = v->ans(v->ud, v->path.buf,
						c->value || c->special ? c->value : "", c->special);
			if (!v->ret && c->other_user && c->other) {
				strbuf_addstr(&v->path, "_other");
				v->ret = v->ans(v->ud, v->path.buf, c->other, IV_SPECIAL_NONE);
			}
		}
		if (v->dl && r && is_answerable(nd)) {
			struct error e = ERROR_INIT;
			if (check_field(iv, I, k, v->path.buf, &e) < 0) {
				diag_add_error(v->dl, DIAG_ERROR, &e);
				v->blockers++;
			}
			error_clear(&e);
			if (nd->or_other && other_selected(iv, I, k) && !c->other) {
				strbuf_addstr(&v->path, "_other");
				diag_add(v->dl, DIAG_ERROR, v->path.buf, "请注明“其他”的内容",
					 "please specify the 'other' answer");
				v->blockers++;
			}
		}
	}
	strbuf_setlen(&v->path, base);
	return v->ret;
}

int interview_record(struct interview *iv,
		     int (*fn)(void *ud, const char *path, const char *value), void *ud)
{
	struct visit v = {.iv = iv, .path = STRBUF_INIT, .rec = fn, .ud = ud};

	visit_inst(&v, iv->root, 0, iv->n, true);
	strbuf_release(&v.path);
	return v.ret;
}

int interview_answers(struct interview *iv,
		      int (*fn)(void *ud, const char *path, const char *value,
				enum interview_special sp),
		      void *ud)
{
	struct visit v = {.iv = iv, .path = STRBUF_INIT, .ans = fn, .ud = ud};

	visit_inst(&v, iv->root, 0, iv->n, true);
	strbuf_release(&v.path);
	return v.ret;
}

size_t interview_blockers(struct interview *iv, struct diag_list *dl)
{
	struct visit v = {.iv = iv, .path = STRBUF_INIT, .dl = dl};

	if (error_isset(&iv->too_large)) {
		diag_add_error(dl, DIAG_ERROR, &iv->too_large);
		v.blockers++;
	}
	visit_inst(&v, iv->root, 0, iv->n, true);
	strbuf_release(&v.path);
	return v.blockers;
}

static char *format_time(int64_t ms, bool date_only)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char buf[64];
	long off;

	localtime_r(&secs, &tm);
	if (date_only) {
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		return xstrdup(buf);
	}
	off = tm.tm_gmtoff / 60;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	{
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s.%03d%c%02ld:%02ld", buf, (int)(ms % 1000), off < 0 ? '-' : '+',
			    labs(off) / 60, labs(off) % 60);
		return strbuf_detach(&sb, NULL);
	}
}

/* Fills metadata fields of `type` in the root instance. */
static void fill_meta(struct interview *iv, enum form_type type, const char *value)
{
	int k;

	for (k = 0; k < iv->n; k++) {
		struct cell *c;
		if (iv->nodes[k]->type != type || iv->crep[k] != -1)
			continue;
		c = interview_cell(iv->root, k);
		free(c->value);
		c->value = value && *value ? xstrdup(value) : NULL;
		c->user = c->value != NULL; /* kept with the answers, so a replay keeps them */
		interview_mark_dependents(iv, k, iv->root);
	}
}

int interview_complete(struct interview *iv, struct error *err)
{
	struct diag_list dl = DIAG_LIST_INIT;
	char *end;
	int ret = -1;

	if (refuse_completed(iv, NULL, err) < 0)
		return -1;
	if (interview_blockers(iv, &dl) > 0) {
		error_set(err, dl.items[0].e.where, "%2$s（共 %1$zu 处问题未解决）%3$.0s",
			  "%3$s (%1$zu problems block completion)%2$.0s", dl.n, dl.items[0].e.zh,
			  dl.items[0].e.en);
		if (err)
			err->code = dl.items[0].e.code ? dl.items[0].e.code : IV_E_REQUIRED;
		goto done;
	}
	end = format_time(interview_now(iv), false);
	fill_meta(iv, FORM_END, end);
	free(end);
	settle(iv, (uint32_t)iv->nid);
	iv->completed = true;
	ret = 0;
done:
	diag_list_free(&dl);
	return ret;
}

int interview_reopen(struct interview *iv, struct error *err)
{
	if (!iv->completed) {
		error_set(err, NULL, "访谈尚未完成，无需重新打开", "the interview is not completed: nothing to reopen");
		if (err)
			err->code = IV_E_COMPLETED;
		return -1;
	}
	iv->completed = false;
	return 0;
}

bool interview_completed(const struct interview *iv)
{
	return iv->completed;
}

int interview_preload(struct interview *iv, const char *const *names, const char *const *values,
		      size_t n, struct error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int k = form_find(iv->f, names[i]);
		const struct form_node *nd;
		if (k < 0 || iv->crep[k] != -1)
			continue;
		nd = iv->nodes[k];
		if (!has_value(nd) || nd->calculation.e || is_metadata(nd))
			continue;
		if (set_common(iv, names[i], values[i], IV_SPECIAL_NONE, true, err) < 0) {
			if (err) {
				struct error e = ERROR_INIT;
				error_set(&e, NULL, "预填字段 '%1$s'：%2$s%3$.0s", "preload column '%1$s': %3$s%2$.0s",
					  names[i], error_msg(err, LANG_ZH), error_msg(err, LANG_EN));
				e.code = err->code;
				error_move(err, &e);
			}
			return -1;
		}
	}
	return 0;
}

uint64_t interview_eval_count(const struct interview *iv)
{
	return iv->evals;
}

const struct form *interview_form(const struct interview *iv)
{
	return iv->f;
}

/* ---- lifetime ----------------------------------------------------------- */

static void init_nodes(struct interview *iv, const struct form *f)
{
	int k;

	iv->f = f;
	iv->n = (int)form_node_count(f);
	iv->nodes = xcalloc((size_t)iv->n + 1, sizeof(*iv->nodes));
	iv->crep = xcalloc((size_t)iv->n + 1, sizeof(int));
	for (k = 0; k < iv->n; k++) {
		const struct form_node *nd = form_node(f, (size_t)k);
		iv->nodes[k] = nd;
		if (nd->type == FORM_REPEAT)
			iv->crep[k] = nd->parent >= 0 ? form_node(f, (size_t)nd->parent)->repeat : -1;
		else
			iv->crep[k] = nd->repeat;
	}
}

int interview_check_form(const struct form *f, struct error *err)
{
	struct interview iv;
	int ret;

	memset(&iv, 0, sizeof(iv));
	init_nodes(&iv, f);
	ret = interview_graph_build(&iv, err);
	interview_graph_free(&iv);
	free(iv.nodes);
	free(iv.crep);
	return ret;
}

/* A stored answer that clears a field (not a repeat instance "members[2]") */
static bool cleared_field(const struct interview_answer_in *a)
{
	size_t len = strlen(a->path);

	return !a->value && !a->special && !(len && a->path[len - 1] == ']');
}

static int new_restored(const struct form *f, const struct interview_opts *opts,
			const struct interview_answer_in *restore, size_t n_restore, size_t *skipped,
			struct interview **out, struct error *err)
{
	struct interview *iv = xcalloc(1, sizeof(*iv));
	const char *sv;
	char *t;
	int k, cleared;
	size_t i;

	*out = NULL;
	init_nodes(iv, f);
	if (interview_graph_build(iv, err) < 0) {
		interview_free(iv);
		return -1;
	}
	interview_host_init(iv);
	iv->scratch = expr_scratch_new();
	if (opts) {
		iv->deviceid = xstrdup(opts->deviceid);
		iv->username = xstrdup(opts->username);
		iv->now_ms = opts->now_ms;
		iv->now_ud = opts->now_ud;
		iv->only = opts->only;
	}
	iv->lang = opts && opts->lang ? form_lang_for(f, opts->lang) : form_lang_default(f);
	iv->lang_zh = form_lang_count(f) ? form_lang_for(f, "zh") : 0;
	iv->lang_en = form_lang_count(f) ? form_lang_for(f, "en") : 0;
	iv->specials = IV_ALLOW_DONT_KNOW | IV_ALLOW_REFUSED;
	sv = form_setting(f, "special_values");
	if (sv) {
		int bits = parse_specials(sv, "");
		iv->specials = 0;
		if (strstr(sv, "dont_know"))
			iv->specials |= IV_ALLOW_DONT_KNOW;
		if (strstr(sv, "refused"))
			iv->specials |= IV_ALLOW_REFUSED;
		(void)bits;
	}

	iv->root = interview_inst_new(iv, NULL, -1);
	t = format_time(interview_now(iv), false);
	fill_meta(iv, FORM_START, t);
	free(t);
	t = format_time(interview_now(iv), true);
	fill_meta(iv, FORM_TODAY, t);
	free(t);
	fill_meta(iv, FORM_DEVICEID, iv->deviceid);
	fill_meta(iv, FORM_USERNAME, iv->username);
	fill_meta(iv, FORM_AUDIT, "ruhu:event-log");
	/* stored answers go in before the first computation: one pass computes
	 * the form with them (interview_new_restored) */
	for (i = 0; i < n_restore; i++) {
		struct error e = ERROR_INIT;

		/* a cleared field comes after the defaults (below), as a
		 * restore after interview_new would */
		if (!cleared_field(&restore[i]))
			if (restore_put(iv, restore[i].path, restore[i].value, restore[i].special,
					&e) < 0)
				(*skipped)++;
		error_clear(&e);
	}
	for (k = 0; k < iv->n; k++)
		if (!iv->only || iv->only[k])
			interview_mark(iv, k, iv->root, true);
	settle(iv, 0);
	for (i = 0, cleared = 0; i < n_restore; i++)
		if (cleared_field(&restore[i])) {
			struct error e = ERROR_INIT;

			if (restore_put(iv, restore[i].path, NULL, IV_SPECIAL_NONE, &e) < 0)
				(*skipped)++;
			error_clear(&e);
			cleared = 1;
		}
	if (cleared)
		settle(iv, (uint32_t)iv->nid);
	iv->pos_node = 0;
	iv->pos_inst = 0;
	{
		struct items it = {0};
		items_build(iv, &it);
		set_pos(iv, &it, 0);
		free(it.v);
	}
	*out = iv;
	return 0;
}

int interview_new(const struct form *f, const struct interview_opts *opts,
		  struct interview **out, struct error *err)
{
	size_t skipped = 0;

	return new_restored(f, opts, NULL, 0, &skipped, out, err);
}

int interview_new_restored(const struct form *f, const struct interview_opts *opts,
			   const struct interview_answer_in *a, size_t n, size_t *skipped,
			   struct interview **out, struct error *err)
{
	*skipped = 0;
	return new_restored(f, opts, a, n, skipped, out, err);
}

void interview_free(struct interview *iv)
{
	if (!iv)
		return;
	interview_inst_free(iv, iv->root);
	interview_graph_free(iv);
	expr_scratch_free(iv->scratch);
	free(iv->byid);
	free(iv->nodes);
	free(iv->crep);
	free(iv->pos_path);
	free(iv->item_path);
	free(iv->deviceid);
	free(iv->username);
	error_clear(&iv->eval_err);
	error_clear(&iv->too_large);
	free(iv);
}

/* ---- validation of stored answers (a bundle's interview) -------------- */

/*
 * The checks an answer passed when the engine took it, made again on answers
 * that arrive from outside (interview_validate): the path resolves to a
 * field that can hold an answer (interview_restore), the value has the
 * field's type and names choices of its list. A choice_filter depends on
 * the other answers: it is judged only when `full` (see below).
 */
static int validate_answer(struct interview *iv, const struct interview_answer_in *a, bool full,
			   struct error *err)
{
	struct target t;
	char *norm = NULL;
	struct error e = ERROR_INIT;

	if (a->special || !a->value || !*a->value)
		return 0;
	if (resolve(iv, a->path, R_READ, &t, err) < 0)
		return -1;
	if (t.inst) {
		error_set(err, a->path, "重复组实例 '%s' 不能有值", "repeat instance '%s' cannot hold a value",
			  a->path);
		if (err)
			err->code = IV_E_NOT_ANSWERABLE;
		return -1;
	}
	if (t.sub) {
		if (utf8_valid(a->value, strlen(a->value)))
			return 0;
		return type_error(err, a->path, "文本不是有效的 UTF-8", "text is not valid UTF-8",
				  a->value);
	}
	if (validate_value(iv, t.I, t.k, a->value, a->path, &norm, &e) < 0 &&
	    (e.code != IV_E_FILTER || (full && interview_node_relevant(iv, t.I, t.k)))) {
		error_move(err, &e);
		return -1;
	}
	error_clear(&e);
	free(norm);
	/* a constraint that reads only its own field was true when the value
	 * was entered and stays true whatever else changes: hold every
	 * interview to it (one that reads other fields: see `full`) */
	if (iv->nodes[t.k]->constraint.e && interview_node_relevant(iv, t.I, t.k)) {
		const int *refs = NULL;
		size_t nr = expr_refs(iv->nodes[t.k]->constraint.e, &refs), j;
		bool self = true;

		for (j = 0; j < nr; j++)
			self = self && refs[j] == t.k;
		if (self && check_constraint(iv, t.I, t.k, a->path, err) < 0)
			return -1;
	}
	return 0;
}

int interview_validate(const struct form *f, const struct interview_answer_in *a, size_t n,
		       bool completed, struct error *err)
{
	struct interview *iv = NULL;
	struct diag_list dl = DIAG_LIST_INIT;
	size_t i;
	int ret = -1;

	if (interview_new(f, NULL, &iv, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (interview_restore(iv, a[i].path, a[i].value, a[i].special, err) < 0)
			goto done;
	for (i = 0; i < n; i++)
		if (validate_answer(iv, &a[i], completed, err) < 0)
			goto done;
	/* what completion checked (constraints, choice filters, required,
	 * roster counts) still holds for the same answers and form */
	if (completed && interview_blockers(iv, &dl) > 0) {
		error_copy(err, &dl.items[0].e);
		goto done;
	}
	ret = 0;
done:
	diag_list_free(&dl);
	interview_free(iv);
	return ret;
}
