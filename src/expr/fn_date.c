/*
 * fn_date — the date functions: today, now, date, date-time,
 * decimal-date-time, decimal-time, format-date, format-date-time.
 *
 * A date is days since 1970-01-01T00:00Z (V_DATE); parsing and formatting
 * are time.c's, in the process time zone.
 */
#include "fn.h"

/* A value as days: dates and numbers as they are, strings parsed as dates
 * or else as numbers. Returns 1 (and NaN) for an empty string, else 0. */
static int to_date(struct ev *E, const struct val *v, double *days)
{
	const char *s;
	size_t len;
	bool date_only;

	if (v->t == V_DATE || v->t == V_NUM) {
		*days = v->num;
		return 0;
	}
	if (v->t == V_BOOL) {
		*days = NAN;
		return 0;
	}
	s = expr_ev_vstr(E, v, &len);
	expr_trim(&s, &len);
	if (!len) {
		*days = NAN;
		return 1; /* empty */
	}
	if (expr_time_parse(s, len, days, &date_only) == 0)
		return 0;
	*days = expr_parse_decimal(s, len);
	return 0;
}

static int fn_today(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_date(out, expr_time_today(expr_ev_now_ms(E)));
	return 0;
}

static int fn_now(struct ev *E, int i, const struct cx *c, struct val *out)
{
	set_date(out, (double)expr_ev_now_ms(E) / 86400000.0);
	return 0;
}

enum { D_DATE, D_DECIMAL };

/* date() and date-time() (D_DATE: "" stays ""), decimal-date-time() */
static int fn_date(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct val a;
	double d;
	int r;

	if (expr_ev_eval(E, ARG(0), c, &a) < 0)
		return -1;
	r = to_date(E, &a, &d);
	if (n->fi->arg == D_DECIMAL)
		set_num(out, d);
	else if (r == 1)
		set_str(out, "", 0);
	else
		set_date(out, d);
	return 0;
}

static int fn_decimal_time(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *s;
	size_t sl;

	if (expr_ev_str(E, ARG(0), c, &s, &sl) < 0)
		return -1;
	expr_trim(&s, &sl);
	set_num(out, expr_time_decimal_time(s, sl));
	return 0;
}

static int fn_format_date(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	const char *t;
	size_t tl, need;
	struct val a;
	double d;
	char *o;

	if (expr_ev_eval(E, ARG(0), c, &a) < 0 || expr_ev_str(E, ARG(1), c, &t, &tl) < 0)
		return -1;
	to_date(E, &a, &d);
	if (isnan(d) || isinf(d)) {
		set_str(out, "", 0);
		return 0;
	}
	need = expr_time_format(d, t, tl, NULL, 0);
	if (need + 1 > EXPR_MAX_STRING)
		return expr_ev_fail(E, i, "字符串太长", "string too long");
	o = expr_ev_alloc(E, need + 1);
	expr_time_format(d, t, tl, o, need + 1);
	set_str(out, o, need);
	return 0;
}

const struct expr_fn expr_fn_date[] = {
	{"today", 0, 0, 0, 0, fn_today},
	{"now", 0, 0, 0, 0, fn_now},
	{"date", 1, 1, 0, D_DATE, fn_date},
	{"date-time", 1, 1, 0, D_DATE, fn_date},
	{"decimal-date-time", 1, 1, 0, D_DECIMAL, fn_date},
	{"decimal-time", 1, 1, 0, 0, fn_decimal_time},
	{"format-date", 2, 2, 0, 0, fn_format_date},
	{"format-date-time", 2, 2, 0, 0, fn_format_date},
};
const size_t expr_fn_date_n = sizeof(expr_fn_date) / sizeof(expr_fn_date[0]);
