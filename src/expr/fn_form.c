/*
 * fn_form — the functions that read the form and its attached data rather
 * than the answers: jr:itext (a text of the form in the current language),
 * version (the form's version) and pulldata (one value of a choice list or
 * of an attached CSV file, looked up by key).
 *
 * All three go through the host (expr_host.itext, .form_version, .instance
 * and .child), so the engine still knows no form. pulldata() keeps the node
 * stack as it found it: the items it scans are popped before it returns.
 */
#include "fn.h"

#include <string.h>

static int fn_itext(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *id, *t = NULL;
	size_t len;

	if (expr_ev_str(E, ARG(0), c, &id, &len) < 0)
		return -1;
	if (E->h && E->h->itext)
		t = E->h->itext(E->h->ud, id, c->node);
	set_str(out, t ? t : "", t ? strlen(t) : 0);
	return 0;
}

static int fn_version(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const char *v = E->h && E->h->form_version ? E->h->form_version(E->h->ud) : NULL;

	set_str(out, v ? v : "", v ? strlen(v) : 0);
	return 0;
}

/* The value of the first child `name` of item x, or NULL when it has none;
 * the node stack is left as it was. */
static int child_value(struct ev *E, int i, expr_node x, const char *name, const char **v)
{
	struct expr_mark m = expr_ev_mark(E);
	size_t off = E->s->top;
	int cnt = expr_ev_push_child(E, i, x, name);

	if (cnt < 0)
		return -1;
	*v = cnt ? expr_ev_value(E, E->s->nodes[off]) : NULL;
	expr_ev_restore(E, m);
	return 0;
}

/*
 * pulldata('list', 'col', 'keycol', key): the `col` of the first item whose
 * `keycol` equals key (as text), "" when none — the ODK shortcut for
 * instance('list')/root/item[keycol = key]/col. The parser resolved a literal
 * list name into n->field; a computed one is looked up by name here.
 */
static int fn_pulldata(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *list, *col, *keycol, *key, *v;
	size_t ll, cl, kl, keyl, j, off, cnt;
	struct expr_mark m;
	int got;

	if (expr_ev_str(E, ARG(0), c, &list, &ll) < 0 || expr_ev_str(E, ARG(1), c, &col, &cl) < 0 ||
	    expr_ev_str(E, ARG(2), c, &keycol, &kl) < 0 || expr_ev_str(E, ARG(3), c, &key, &keyl) < 0)
		return -1;
	/* the strings may live in the arena: copy what must outlive the scan */
	list = expr_ev_copy(E, list, ll);
	col = expr_ev_copy(E, col, cl);
	keycol = expr_ev_copy(E, keycol, kl);
	key = expr_ev_copy(E, key, keyl);
	m = expr_ev_mark(E);
	off = E->s->top;
	got = expr_ev_push_instance(E, i, n->field, list);
	if (got < 0)
		return -1;
	cnt = (size_t)got;
	for (j = 0; j < cnt; j++) {
		expr_node x = E->s->nodes[off + j];

		if (child_value(E, i, x, keycol, &v) < 0)
			return -1;
		if (!v || strlen(v) != keyl || memcmp(v, key, keyl))
			continue;
		if (child_value(E, i, x, col, &v) < 0)
			return -1;
		expr_ev_restore(E, m);
		v = v ? v : "";
		set_str(out, expr_ev_copy(E, v, strlen(v)), strlen(v));
		return 0;
	}
	expr_ev_restore(E, m);
	set_str(out, "", 0);
	return 0;
}

const struct expr_fn expr_fn_form[] = {
	{"jr:itext", 1, 1, 0, 0, fn_itext},
	{"version", 0, 0, 0, 0, fn_version},
	{"pulldata", 4, 4, EXPR_FN_INSTANCE_ARG1, 0, fn_pulldata},
};
const size_t expr_fn_form_n = sizeof(expr_fn_form) / sizeof(expr_fn_form[0]);
