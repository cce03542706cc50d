/*
 * fn_geo — the geography functions: area, distance, geofence.
 *
 * Points are "lat lon [alt [acc]]"; a trace or shape is points separated by
 * ';', or a node-set of geopoints. Distances and areas are on a sphere of
 * radius 6 378 100 m with the formulas ODK's evaluators use, so results
 * match theirs. An invalid point makes area() 0, distance() NaN and
 * geofence() false, never an error.
 */
#include "fn.h"

#include <string.h>

#define EARTH_RADIUS 6378100.0 /* metres, as ODK's evaluators use */

struct geopt {
	double lat, lon;
};

/* Parses "lat lon [alt [acc]]"; 0 ok, -1 invalid. */
static int parse_point(const char *s, size_t len, struct geopt *pt)
{
	const char *p = s, *end = s + len, *tok;
	size_t tl;
	double v[2];
	int k;

	for (k = 0; k < 2; k++) {
		if (!expr_next_token(&p, end, &tok, &tl))
			return -1;
		v[k] = expr_parse_decimal(tok, tl);
		if (isnan(v[k]))
			return -1;
	}
	if (fabs(v[0]) > 90 || fabs(v[1]) > 180)
		return -1;
	pt->lat = v[0];
	pt->lon = v[1];
	return 0;
}

/* Collects points from a value: a node-set of geopoints, or one string of
 * "lat lon alt acc;lat lon ..." (a geotrace/geoshape). Returns the count of
 * points stored in the arena at *pts, or -1 when a point is invalid. */
static int collect_points(struct ev *E, const struct val *v, struct geopt **pts, size_t *n,
			  size_t *cap)
{
	const char *s;
	size_t len, j;

	if (v->t == V_NODES && v->n > 1) {
		for (j = 0; j < v->n; j++) {
			const char *x = expr_ev_value(E, E->s->nodes[v->off + j]);
			struct val sv;

			set_str(&sv, x, strlen(x));
			if (collect_points(E, &sv, pts, n, cap) < 0)
				return -1;
		}
		return 0;
	}
	s = expr_ev_vstr(E, v, &len);
	while (len) {
		const char *semi = memchr(s, ';', len);
		size_t pl = semi ? (size_t)(semi - s) : len;
		const char *ps = s;
		size_t pll = pl;

		expr_trim(&ps, &pll);
		if (pll) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 16;
				struct geopt *np = (struct geopt *)expr_ev_alloc(E, nc * sizeof(struct geopt));

				if (*n)
					memcpy(np, *pts, *n * sizeof(struct geopt));
				*pts = np;
				*cap = nc;
			}
			if (parse_point(ps, pll, &(*pts)[*n]) < 0)
				return -1;
			(*n)++;
		}
		if (!semi)
			break;
		len -= pl + 1;
		s = semi + 1;
	}
	return 0;
}

static double rad(double d)
{
	return d * M_PI / 180.0;
}

static double geo_distance(const struct geopt *p, size_t n)
{
	double total = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		double la1 = rad(p[i - 1].lat), la2 = rad(p[i].lat);
		double dla = la2 - la1, dlo = rad(p[i].lon - p[i - 1].lon);
		double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);

		total += 2 * EARTH_RADIUS * atan2(sqrt(h), sqrt(1 - h));
	}
	return total;
}

/* Area of a polygon on the sphere (the spherical-excess sum ODK uses). */
static double geo_area(const struct geopt *p, size_t n)
{
	double total = 0;
	size_t i;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++) {
		const struct geopt *a = &p[i], *b = &p[(i + 1) % n];

		total += rad(b->lon - a->lon) * (2 + sin(rad(a->lat)) + sin(rad(b->lat)));
	}
	return fabs(total * EARTH_RADIUS * EARTH_RADIUS / 2);
}

static bool geofence(struct geopt pt, const struct geopt *p, size_t n)
{
	size_t i, j;
	bool in = false;

	if (n < 4 || p[0].lat != p[n - 1].lat || p[0].lon != p[n - 1].lon)
		return false;
	for (i = 0, j = n - 2; i < n - 1; j = i++) {
		double yi = p[i].lat, xi = p[i].lon, yj = p[j].lat, xj = p[j].lon;

		if ((yi > pt.lat) != (yj > pt.lat) &&
		    pt.lon < (xj - xi) * (pt.lat - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}

enum { G_AREA, G_DISTANCE };

static int fn_measure(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	bool area = n->fi->arg == G_AREA;
	struct geopt *pts = NULL;
	size_t np = 0, cap = 0;
	struct val a;
	int k;

	for (k = 0; k < n->n; k++) {
		if (expr_ev_eval(E, ARG(k), c, &a) < 0)
			return -1;
		if (collect_points(E, &a, &pts, &np, &cap) < 0) {
			set_num(out, area ? 0 : NAN);
			return 0;
		}
	}
	if (area)
		set_num(out, geo_area(pts, np));
	else
		set_num(out, np ? geo_distance(pts, np) : NAN);
	return 0;
}

static int fn_geofence(struct ev *E, int i, const struct cx *c, struct val *out)
{
	const struct enode *n = &E->e->nodes[i];
	struct geopt *pts = NULL, *pt = NULL;
	size_t np = 0, cap = 0, n1 = 0, cap1 = 0;
	struct val a, b;

	if (expr_ev_eval(E, ARG(0), c, &a) < 0 || expr_ev_eval(E, ARG(1), c, &b) < 0)
		return -1;
	if (collect_points(E, &a, &pt, &n1, &cap1) < 0 || n1 != 1 ||
	    collect_points(E, &b, &pts, &np, &cap) < 0) {
		set_bool(out, false);
		return 0;
	}
	set_bool(out, geofence(pt[0], pts, np));
	return 0;
}

const struct expr_fn expr_fn_geo[] = {
	{"area", 1, 1, 0, G_AREA, fn_measure},
	{"enclosed-area", 1, 1, 0, G_AREA, fn_measure}, /* JavaRosa's name for area() */
	{"distance", 1, -1, 0, G_DISTANCE, fn_measure},
	{"geofence", 2, 2, 0, 0, fn_geofence},
};
const size_t expr_fn_geo_n = sizeof(expr_fn_geo) / sizeof(expr_fn_geo[0]);
