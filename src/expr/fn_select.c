/*
 * fn_select — the functions over select answers (space-separated choice
 * names): selected, selected-at, count-selected, jr:choice-name.
 *
 * jr:choice-name's field ('${crop}') was resolved by the parser
 * (EXPR_FN_FIELD_ARG2): the node's field and str hold it; n->str is NULL when
 * the second argument was not a literal.
 */
#include "fn.h"

#include <string.h>

static int fn_selected(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *t, *p, *end, *tok;
	size_t sl, tl, tlen;
	bool bo;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	expr_trim(&t, &tl);
	p = s;
	end = s + sl;
	/* as JavaRosa's split: "" holds the empty choice */
	bo = !tl && !expr_next_token(&p, end, &t, &tl);
	while (expr_next_token(&p, end, &tok, &tlen))
		if (tlen == tl && !memcmp(tok, t, tl)) {
			bo = true;
			break;
		}
	set_bool(out, bo);
	return 0;
}

static int fn_selected_at(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *p, *end, *tok;
	size_t sl, tlen;
	double k;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0 || expr_ev_num(E, ARG(1), c, &k) < 0)
		return -1;
	p = s;
	end = s + sl;
	set_str(out, "", 0);
	if (!(k >= 0))
		return 0;
	k = floor(k);
	while (expr_next_token(&p, end, &tok, &tlen)) {
		if (k == 0) {
			set_str(out, expr_ev_copy(E, tok, tlen), tlen);
			return 0;
		}
		k--;
	}
	return 0;
}

static int fn_count_selected(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s, *p, *end, *tok;
	size_t sl, tlen, cnt = 0;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0)
		return -1;
	p = s;
	end = s + sl;
	while (expr_next_token(&p, end, &tok, &tlen))
		cnt++;
	set_num(out, (double)cnt);
	return 0;
}

static int fn_choice_name(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *label = NULL, *s, *t;
	size_t sl, tl;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0)
		return -1;
	if (!n->str) {
		/* the field name was computed: evaluate it now */
		if (expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
			return -1;
		return expr_ev_fail(E, ARG(1), "jr:choice-name() 的第二个参数必须是 '${字段名}'",
				    "jr:choice-name() needs '${name}' as its second argument");
	}
	if (sl && E->h && E->h->choice_label) {
		char *v = expr_ev_copy(E, s, sl);

		label = E->h->choice_label(E->h->ud, n->field, n->str, v, E->origin);
	}
	if (!label)
		label = "";
	set_str(out, label, strlen(label));
	return 0;
}

const struct expr_fn expr_fn_select[] = {
	{"selected", 2, 2, 0, 0, fn_selected},
	{"selected-at", 2, 2, 0, 0, fn_selected_at},
	{"count-selected", 1, 1, 0, 0, fn_count_selected},
	{"jr:choice-name", 2, 2, EXPR_FN_FIELD_ARG2, 0, fn_choice_name},
};
const size_t expr_fn_select_n = sizeof(expr_fn_select) / sizeof(expr_fn_select[0]);
