/*
 * sample_draw — the sampler of `ruhu sample` (include/ruhu/sample_plan.h,
 * docs/sampling.md): villages, households, phone list, weights, workload.
 *
 * The design of a county is fixed before any random number is drawn: the
 * purposive villages (top of the ranking), the number of random villages
 * (the smallest that meets the minimum whatever the draw), and the
 * households per village by type. So every household's inclusion
 * probability is a property of the design, stated in the output, and a test
 * can compare it with the frequencies seen over many seeds.
 *
 *   purposive village:   π_v = 1
 *   SRS of k of N:       π_v = k / N
 *   systematic PPS:      π_v = k·x_v / X (villages with k·x_v ≥ X taken with
 *                        certainty, repeatedly), computed in integers
 *   household of type t: π = π_v · n_t / N_vt (n_t = min(per_village, N_vt)
 *                        or N_vt for "all")
 *
 * Reproducibility: xoshiro256** seeded through splitmix64 from the seed and
 * the county's name (FNV-1a), so a county's draw depends only on the seed,
 * its own name and its own rows; integers are drawn without modulo bias;
 * every order is the frame's order or a sort with a total tie-break.
 */
#include "sample_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

static void rng_seed(struct rng *r, uint64_t seed, const char *name)
{
	uint64_t h = 1469598103934665603ull, x;
	int i;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	x = seed ^ h;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

/* uniform in [0, n), n > 0, without modulo bias */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t lim = -n % n, x;

	do
		x = rng_next(r);
	while (x < lim);
	return x % n;
}

/* ---- the draw ---------------------------------------------------------------- */

struct county_out {
	size_t n_purposive, n_random;
	size_t *field_by_type;
	size_t field, phone, phone_pop, phone_elig, enumerators;
	double wsum, w2sum;
	bool phone_short;
};

struct sample_draw {
	const struct sample_plan *p;
	const struct sample_frame *f;
	double *prob;           /* field inclusion probability per frame household */
	unsigned char *in_field;
	struct sample_unit *u[2];
	size_t n[2], cap[2];
	char **enums;           /* enumerator ids, owned */
	size_t n_enums, cap_enums;
	struct county_out *co;
	size_t *store;
	double z;
};

static long take(const struct plan_type *t, size_t n)
{
	if (t->per_village < 0 || (size_t)t->per_village > n)
		return (long)n;
	return t->per_village;
}

static size_t village_take(const struct sample_plan *p, const struct frame_village *v)
{
	size_t t, s = 0;

	for (t = 0; t < p->n_types; t++)
		s += (size_t)take(&p->types[t], v->count[t]);
	return s;
}

/* ranking: the sum over rank columns of each village's rank (1 = best,
 * ties share the lowest rank), then frame order */
struct ranked {
	size_t v;
	double key;
	size_t score;
};

static int cmp_key(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static int cmp_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static void rank_villages(const struct sample_plan *p, const struct sample_frame *f,
			  const struct frame_county *c, size_t *order)
{
	struct ranked *r = xcalloc(c->n_villages ? c->n_villages : 1, sizeof(*r));
	size_t i, k;

	for (i = 0; i < c->n_villages; i++)
		r[i].v = c->villages[i];
	for (k = 0; k < p->n_ranks; k++) {
		for (i = 0; i < c->n_villages; i++) {
			double a = f->villages[r[i].v].attr[k];

			r[i].key = p->ranks[k].desc ? -a : a;
		}
		qsort(r, c->n_villages, sizeof(*r), cmp_key);
		for (i = 0; i < c->n_villages; i++) {
			size_t j = i;

			while (j > 0 && r[j - 1].key == r[i].key)
				j--;
			r[i].score += j + 1;
		}
	}
	qsort(r, c->n_villages, sizeof(*r), cmp_score);
	for (i = 0; i < c->n_villages; i++)
		order[i] = r[i].v;
	free(r);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/*
 * The county's design: how many villages are purposive (the first kp of
 * `order`) and how many random, the smallest total whose worst case (the
 * purposive takes plus the kr smallest takes of the others) meets the
 * minimum. Returns -1 when even every village together cannot.
 */
static int design(const struct sample_plan *p, const struct sample_frame *f,
		  const struct frame_county *c, const size_t *order, double min, size_t *kp,
		  size_t *kr)
{
	size_t nv = c->n_villages, K, i, *sz = xcalloc(nv ? nv : 1, sizeof(*sz));
	int ret = -1;

	for (K = 1; K <= nv; K++) {
		size_t p_n = (size_t)floor(p->purposive_share * (double)K + 0.5), r_n, sum = 0;

		if (p_n > K)
			p_n = K;
		r_n = K - p_n;
		for (i = 0; i < p_n; i++)
			sum += village_take(p, &f->villages[order[i]]);
		for (i = p_n; i < nv; i++)
			sz[i - p_n] = village_take(p, &f->villages[order[i]]);
		qsort(sz, nv - p_n, sizeof(*sz), cmp_size);
		for (i = 0; i < r_n; i++)
			sum += sz[i];
		if ((double)sum >= min) {
			*kp = p_n;
			*kr = r_n;
			ret = 0;
			break;
		}
	}
	free(sz);
	return ret;
}

/* the village inclusion probabilities of the random part (rest[0..nr)), k
 * villages; certain[i] set for PPS certainty villages */
static void village_probs(const struct sample_plan *p, const struct sample_frame *f,
			  const size_t *rest, size_t nr, size_t k, double *pi,
			  unsigned char *certain)
{
	size_t i, kk = k;
	uint64_t X = 0;
	bool again = true;

	memset(certain, 0, nr);
	if (p->method == PLAN_SRS || nr == 0) {
		for (i = 0; i < nr; i++)
			pi[i] = nr ? (double)k / (double)nr : 0;
		return;
	}
	while (again && kk > 0) {
		again = false;
		X = 0;
		for (i = 0; i < nr; i++)
			if (!certain[i])
				X += f->villages[rest[i]].n;
		for (i = 0; i < nr; i++)
			if (!certain[i] && (uint64_t)kk * f->villages[rest[i]].n >= X) {
				certain[i] = 1;
				kk--;
				again = true;
				break; /* recompute X before the next one */
			}
	}
	X = 0;
	for (i = 0; i < nr; i++)
		if (!certain[i])
			X += f->villages[rest[i]].n;
	for (i = 0; i < nr; i++)
		pi[i] = certain[i] ? 1.0
				   : (X ? (double)((uint64_t)kk * f->villages[rest[i]].n) / (double)X
					: 0);
}

/* chooses the random villages: chosen[i] for rest[i] */
static void village_draw(const struct sample_plan *p, const struct sample_frame *f,
			 struct rng *g, const size_t *rest, size_t nr, size_t k,
			 const unsigned char *certain, unsigned char *chosen)
{
	size_t i, kk = k;
	uint64_t X = 0, r, cum = 0, j = 0;

	memset(chosen, 0, nr);
	if (!k)
		return;
	if (p->method == PLAN_SRS) {
		size_t *idx = xcalloc(nr, sizeof(*idx));

		for (i = 0; i < nr; i++)
			idx[i] = i;
		for (i = 0; i < k; i++) {
			size_t t = i + (size_t)rng_below(g, nr - i), x = idx[i];

			idx[i] = idx[t];
			idx[t] = x;
			chosen[idx[i]] = 1;
		}
		free(idx);
		return;
	}
	for (i = 0; i < nr; i++)
		if (certain[i]) {
			chosen[i] = 1;
			kk--;
		} else
			X += f->villages[rest[i]].n;
	if (!kk || !X)
		return;
	/* systematic PPS in integers: points r + j·X (j < kk) on the line of
	 * cumulated kk·x_v */
	r = rng_below(g, X);
	for (i = 0; i < nr && j < kk; i++) {
		uint64_t lo, hi;

		if (certain[i])
			continue;
		lo = cum * kk;
		cum += f->villages[rest[i]].n;
		hi = cum * kk;
		if (r + j * X >= lo && r + j * X < hi) {
			chosen[i] = 1;
			j++;
		}
	}
}

static void add_unit(struct sample_draw *d, enum sample_list w, size_t h, const char *stratum,
		     const char *reason, const char *en, double prob, double weight)
{
	struct sample_unit *u;

	XGROW(d->u[w], d->cap[w], d->n[w] + 1);
	u = &d->u[w][d->n[w]++];
	u->frame = h;
	u->stratum = stratum;
	u->reason = reason;
	u->enumerator = en;
	u->prob = prob;
	u->weight = weight;
}

/* SRS of n among list[0..N) (frame order): marks pick[] */
static void srs(struct rng *g, size_t *list, size_t N, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < N; i++) {
		size_t t = i + (size_t)rng_below(g, N - i), x = list[i];

		list[i] = list[t];
		list[t] = x;
	}
}

static int cmp_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

struct load {
	size_t v, n;
};

static int cmp_load(const void *a, const void *b)
{
	const struct load *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->v > y->v) - (x->v < y->v);
}

static int one_county(struct sample_draw *d, size_t ci, uint64_t seed, struct diag_list *dl)
{
	const struct sample_plan *p = d->p;
	const struct sample_frame *f = d->f;
	const struct frame_county *c = &f->counties[ci];
	const struct plan_county *pc = &p->counties[c->plan_row];
	struct county_out *co = &d->co[ci];
	size_t nv = c->n_villages, kp, kr, i, t, nt = p->n_types, first = d->n[SAMPLE_FIELD];
	size_t *order = xcalloc(nv, sizeof(*order)), *rest, nr = 0, *list = NULL, cap_list = 0;
	double *pi_v = xcalloc(nv, sizeof(*pi_v)), *rest_pi;
	unsigned char *certain, *chosen, *sel = xcalloc(nv, 1);
	struct rng g;
	size_t *elig = NULL, ne = 0, npop = 0, nphone;
	double *base_sum = xcalloc(nt, sizeof(double)), *rest_target = xcalloc(nt, sizeof(double));
	struct load *loads;
	size_t *eload;
	int ret = -1;

	rng_seed(&g, seed, c->name);
	rank_villages(p, f, c, order);
	if (design(p, f, c, order, pc->min, &kp, &kr) < 0) {
		struct strbuf w = STRBUF_INIT;
		size_t all = 0;

		for (i = 0; i < nv; i++)
			all += village_take(p, &f->villages[order[i]]);
		strbuf_addf(&w, "%s:strata:%d", p->file, pc->line);
		diag_add(dl, DIAG_ERROR, w.buf,
			 "县 '%s'：所有村按 households 表最多只能抽 %zu 户，达不到最低 %.0f 户",
			 "county '%s': every village at the households sheet's takes gives %zu "
			 "households, short of the minimum of %.0f",
			 c->name, all, pc->min);
		strbuf_release(&w);
		goto done;
	}
	/* the purposive villages, then the rest in frame order */
	for (i = 0; i < kp; i++) {
		sel[i] = 1;
		pi_v[i] = 1;
	}
	rest = order + kp;
	nr = nv - kp;
	qsort(rest, nr, sizeof(*rest), cmp_idx);
	rest_pi = pi_v + kp;
	certain = xcalloc(nr ? nr : 1, 1);
	chosen = xcalloc(nr ? nr : 1, 1);
	village_probs(p, f, rest, nr, kr, rest_pi, certain);
	village_draw(p, f, &g, rest, nr, kr, certain, chosen);
	for (i = 0; i < nr; i++)
		sel[kp + i] = chosen[i];
	free(certain);
	free(chosen);
	co->n_purposive = kp;
	co->n_random = kr;

	/* every frame household's field probability; rest targets by type */
	for (i = 0; i < nv; i++) {
		const struct frame_village *v = &f->villages[order[i]];
		size_t h;

		for (h = v->first; h < v->first + v->n; h++) {
			size_t hh = f->by_village[h];
			int ty = f->hh[hh].type;
			double q = v->count[ty] ? (double)take(&p->types[ty], v->count[ty]) /
							  (double)v->count[ty]
						: 0;

			d->prob[hh] = pi_v[i] * q;
			if (i >= kp)
				rest_target[ty] += 1;
		}
	}

	/* households in each chosen village: SRS per type; the units keep the
	 * county's villages in frame order (purposive or not) */
	{
		size_t *vorder = xcalloc(nv, sizeof(*vorder));

		for (i = 0; i < nv; i++)
			vorder[i] = i;
		/* order[] indices sorted by the village's frame index */
		for (i = 1; i < nv; i++) {
			size_t x = vorder[i], j = i;

			while (j > 0 && order[vorder[j - 1]] > order[x]) {
				vorder[j] = vorder[j - 1];
				j--;
			}
			vorder[j] = x;
		}
		for (size_t oi = 0; oi < nv; oi++) {
			size_t vi = vorder[oi];
			const struct frame_village *v = &f->villages[order[vi]];

			if (!sel[vi])
				continue;
			for (t = 0; t < nt; t++) {
				size_t N = v->count[t], n = (size_t)take(&p->types[t], N), h, m = 0;

				if (!n)
					continue;
				XGROW(list, cap_list, N);
				for (h = v->first; h < v->first + v->n; h++)
					if (f->hh[f->by_village[h]].type == (int)t)
						list[m++] = f->by_village[h];
				srs(&g, list, N, n);
				qsort(list, n, sizeof(*list), cmp_idx);
				for (h = 0; h < n; h++) {
					double w = (double)N / (double)n / pi_v[vi];

					d->in_field[list[h]] = 1;
					add_unit(d, SAMPLE_FIELD, list[h], pc->stratum,
						 vi < kp ? "purposive" : "random", NULL,
						 d->prob[list[h]], w);
					if (vi >= kp)
						base_sum[t] += w;
				}
			}
		}
		free(vorder);
	}

	/* calibration: the random part's weights to its frame counts by type,
	 * then the whole county to its count (docs/sampling.md) */
	{
		struct sample_unit *u = d->u[SAMPLE_FIELD];
		size_t n_f = d->n[SAMPLE_FIELD];
		double sum = 0;

		for (i = first; i < n_f; i++)
			if (!strcmp(u[i].reason, "random")) {
				int ty = f->hh[u[i].frame].type;

				if (base_sum[ty] > 0)
					u[i].weight *= rest_target[ty] / base_sum[ty];
			}
		for (i = first; i < n_f; i++)
			sum += u[i].weight;
		if (sum > 0 && sum != (double)c->households)
			for (i = first; i < n_f; i++)
				u[i].weight *= (double)c->households / sum;
		for (i = first; i < n_f; i++) {
			co->wsum += u[i].weight;
			co->w2sum += u[i].weight * u[i].weight;
			co->field_by_type[f->hh[u[i].frame].type]++;
		}
		co->field = n_f - first;
	}

	/* workload: villages whole, largest first, to the least loaded */
	{
		size_t n_f = d->n[SAMPLE_FIELD], ne_need, e, nl = 0;
		double cap_e = p->per_day * p->field_days;

		loads = xcalloc(nv, sizeof(*loads));
		for (i = first; i < n_f; i++) {
			size_t v = f->hh[d->u[SAMPLE_FIELD][i].frame].village;

			if (!nl || loads[nl - 1].v != v) {
				loads[nl].v = v;
				loads[nl].n = 0;
				nl++;
			}
			loads[nl - 1].n++;
		}
		ne_need = (size_t)ceil((double)co->field / cap_e);
		if (ne_need < 1)
			ne_need = 1;
		co->enumerators = ne_need;
		eload = xcalloc(ne_need, sizeof(*eload));
		qsort(loads, nl, sizeof(*loads), cmp_load);
		for (i = 0; i < ne_need; i++) {
			char id[64];

			snprintf(id, sizeof(id), "c%02zu-e%02zu", ci + 1, i + 1);
			XGROW(d->enums, d->cap_enums, d->n_enums + 1);
			d->enums[d->n_enums++] = xstrdup(id);
		}
		for (i = 0; i < nl; i++) {
			size_t best = 0, j;

			for (e = 1; e < ne_need; e++)
				if (eload[e] < eload[best])
					best = e;
			eload[best] += loads[i].n;
			for (j = first; j < n_f; j++)
				if (f->hh[d->u[SAMPLE_FIELD][j].frame].village == loads[i].v)
					d->u[SAMPLE_FIELD][j].enumerator =
						d->enums[d->n_enums - ne_need + best];
		}
		free(loads);
		free(eload);
	}

	/* phone: a share of the phone population, within [min, max], among
	 * households not in the field sample */
	for (i = 0; i < nv; i++) {
		const struct frame_village *v = &f->villages[c->villages[i]];
		size_t h;

		for (h = v->first; h < v->first + v->n; h++) {
			size_t hh = f->by_village[h];

			if (!p->types[f->hh[hh].type].phone)
				continue;
			npop++;
			if (d->in_field[hh])
				continue;
			XGROW(list, cap_list, ne + 1);
			list[ne++] = hh;
		}
	}
	elig = list;
	qsort(elig, ne, sizeof(*elig), cmp_idx);
	nphone = (size_t)ceil(p->phone_share * (double)npop - 1e-9);
	if ((double)nphone < p->phone_min)
		nphone = (size_t)p->phone_min;
	if ((double)nphone > p->phone_max)
		nphone = (size_t)p->phone_max;
	co->phone_pop = npop;
	co->phone_elig = ne;
	if (nphone > ne) {
		nphone = ne;
		co->phone_short = true;
	}
	srs(&g, elig, ne, nphone);
	qsort(elig, nphone, sizeof(*elig), cmp_idx);
	for (i = 0; i < nphone; i++)
		add_unit(d, SAMPLE_PHONE, elig[i], pc->stratum, "phone", NULL,
			 (double)nphone / (double)ne, (double)npop / (double)nphone);
	co->phone = nphone;
	ret = 0;
done:
	free(order);
	free(pi_v);
	free(sel);
	free(list);
	free(base_sum);
	free(rest_target);
	return ret;
}

/* z with P(|Z| < z) = conf, by bisection on erfc (no table in C) */
static double z_of(double conf)
{
	double lo = 0, hi = 40;
	int i;

	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (erfc(mid / sqrt(2.0)) > 1 - conf)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int sample_draw(const struct sample_plan *p, const struct sample_frame *f, uint64_t seed,
		struct sample_draw **out, struct diag_list *dl)
{
	struct sample_draw *d = xcalloc(1, sizeof(*d));
	size_t i, errors = dl->errors;

	*out = NULL;
	d->p = p;
	d->f = f;
	d->prob = xcalloc(f->n ? f->n : 1, sizeof(*d->prob));
	d->in_field = xcalloc(f->n ? f->n : 1, 1);
	d->co = xcalloc(f->n_counties ? f->n_counties : 1, sizeof(*d->co));
	d->store = xcalloc((f->n_counties ? f->n_counties : 1) * (p->n_types ? p->n_types : 1),
			   sizeof(*d->store));
	d->z = z_of(p->confidence);
	for (i = 0; i < f->n_counties; i++) {
		d->co[i].field_by_type = d->store + i * p->n_types;
		one_county(d, i, seed, dl);
	}
	if (dl->errors > errors) {
		sample_draw_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

void sample_draw_free(struct sample_draw *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_enums; i++)
		free(d->enums[i]);
	free(d->enums);
	free(d->u[0]);
	free(d->u[1]);
	free(d->prob);
	free(d->in_field);
	free(d->co);
	free(d->store);
	free(d);
}

size_t sample_draw_count(const struct sample_draw *d, enum sample_list which)
{
	return d->n[which];
}

const struct sample_unit *sample_draw_unit(const struct sample_draw *d, enum sample_list which,
					   size_t i)
{
	return i < d->n[which] ? &d->u[which][i] : NULL;
}

double sample_draw_field_prob(const struct sample_draw *d, size_t i)
{
	return i < d->f->n ? d->prob[i] : 0;
}

/* ---- output ------------------------------------------------------------------- */

static void cell(struct strbuf *sb, const char *s)
{
	if (strpbrk(s, ",\"\r\n") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '))) {
		strbuf_addch(sb, '"');
		for (; *s; s++) {
			if (*s == '"')
				strbuf_addch(sb, '"');
			strbuf_addch(sb, *s);
		}
		strbuf_addch(sb, '"');
	} else
		strbuf_addstr(sb, s);
}

void sample_draw_list(const struct sample_draw *d, enum sample_list w, struct strbuf *sb)
{
	const struct sample_frame *f = d->f;
	size_t i;

	strbuf_addstr(sb, "household_key,county,township,village,household_type,head_name,"
			  "enumerator,device,phone,");
	cell(sb, d->p->stratum_column);
	strbuf_addstr(sb, ",selection_reason,inclusion_prob,design_weight\n");
	for (i = 0; i < d->n[w]; i++) {
		const struct sample_unit *u = &d->u[w][i];
		const struct frame_household *h = &f->hh[u->frame];
		const struct frame_village *v = &f->villages[h->village];

		cell(sb, h->key);
		strbuf_addch(sb, ',');
		cell(sb, f->counties[v->county].name);
		strbuf_addch(sb, ',');
		cell(sb, v->township);
		strbuf_addch(sb, ',');
		cell(sb, v->village);
		strbuf_addch(sb, ',');
		cell(sb, d->p->types[h->type].type);
		strbuf_addch(sb, ',');
		cell(sb, h->head);
		strbuf_addch(sb, ',');
		if (u->enumerator) {
			cell(sb, u->enumerator);
			strbuf_addstr(sb, ",dev-");
			cell(sb, u->enumerator);
		} else
			strbuf_addch(sb, ',');
		strbuf_addch(sb, ',');
		cell(sb, h->phone);
		strbuf_addch(sb, ',');
		cell(sb, u->stratum);
		strbuf_addf(sb, ",%s,%.10g,%.10g\n", u->reason, u->prob, u->weight);
	}
}

void sample_draw_workload(const struct sample_draw *d, struct strbuf *sb)
{
	const struct sample_frame *f = d->f;
	size_t e, i;

	strbuf_addstr(sb, "enumerator,device,county,villages,households,days\n");
	for (e = 0; e < d->n_enums; e++) {
		size_t nvill = 0, nh = 0, lastv = (size_t)-1;
		const char *county = NULL;

		for (i = 0; i < d->n[SAMPLE_FIELD]; i++) {
			const struct sample_unit *u = &d->u[SAMPLE_FIELD][i];

			if (u->enumerator != d->enums[e])
				continue;
			nh++;
			if (f->hh[u->frame].village != lastv) {
				lastv = f->hh[u->frame].village;
				nvill++;
				county = f->counties[f->villages[lastv].county].name;
			}
		}
		cell(sb, d->enums[e]);
		strbuf_addstr(sb, ",dev-");
		cell(sb, d->enums[e]);
		strbuf_addch(sb, ',');
		cell(sb, county ? county : "");
		strbuf_addf(sb, ",%zu,%zu,%.0f\n", nvill, nh, ceil((double)nh / d->p->per_day));
	}
}

static void moe_cells(const struct sample_draw *d, struct strbuf *sb, double wsum, double w2sum,
		      size_t phone, size_t elig)
{
	double neff = w2sum > 0 ? wsum * wsum / w2sum : 0;

	if (neff > 0)
		strbuf_addf(sb, ",%.4f", d->z * sqrt(0.25 / neff));
	else
		strbuf_addstr(sb, ",");
	if (phone > 0 && elig > 1)
		strbuf_addf(sb, ",%.4f\n",
			    d->z * sqrt(0.25 / (double)phone) *
				    sqrt((double)(elig - phone) / (double)(elig - 1)));
	else
		strbuf_addstr(sb, ",\n");
}

void sample_draw_summary(const struct sample_draw *d, struct strbuf *sb)
{
	const struct sample_plan *p = d->p;
	const struct sample_frame *f = d->f;
	size_t i, t, s;

	strbuf_addstr(sb, "stratum,county,frame_households,frame_villages,villages_purposive,"
			  "villages_random,");
	for (t = 0; t < p->n_types; t++) {
		strbuf_addstr(sb, "field_");
		cell(sb, p->types[t].type);
		strbuf_addch(sb, ',');
	}
	strbuf_addstr(sb, "field_households,min_households,enumerators,phone_population,"
			  "phone_sample,phone_short,moe_field,moe_phone\n");
	/* counties, then a row per stratum ("*" county) and one for all ("*","*") */
	for (s = 0; s <= p->n_counties; s++) {
		const char *st = s < p->n_counties ? p->counties[s].stratum : NULL;
		size_t k;
		struct county_out tot;
		size_t fh = 0, fv = 0, *bt = xcalloc(p->n_types ? p->n_types : 1, sizeof(size_t));
		double mn = 0;

		/* a stratum is reported once, at its first row */
		for (k = 0; st && k < s; k++)
			if (!strcmp(p->counties[k].stratum, st))
				break;
		if (st && k < s) {
			free(bt);
			continue;
		}
		memset(&tot, 0, sizeof(tot));
		for (i = 0; i < f->n_counties; i++) {
			const struct county_out *co = &d->co[i];
			const struct plan_county *pc = &p->counties[f->counties[i].plan_row];

			if (st && strcmp(pc->stratum, st))
				continue;
			if (st) {
				cell(sb, st);
				strbuf_addch(sb, ',');
				cell(sb, f->counties[i].name);
				strbuf_addf(sb, ",%zu,%zu,%zu,%zu,", f->counties[i].households,
					    f->counties[i].n_villages, co->n_purposive, co->n_random);
				for (t = 0; t < p->n_types; t++)
					strbuf_addf(sb, "%zu,", co->field_by_type[t]);
				strbuf_addf(sb, "%zu,%.0f,%zu,%zu,%zu,%s", co->field, pc->min,
					    co->enumerators, co->phone_pop, co->phone,
					    co->phone_short ? "yes" : "");
				moe_cells(d, sb, co->wsum, co->w2sum, co->phone, co->phone_elig);
			}
			fh += f->counties[i].households;
			fv += f->counties[i].n_villages;
			mn += pc->min;
			tot.n_purposive += co->n_purposive;
			tot.n_random += co->n_random;
			for (t = 0; t < p->n_types; t++)
				bt[t] += co->field_by_type[t];
			tot.field += co->field;
			tot.enumerators += co->enumerators;
			tot.phone_pop += co->phone_pop;
			tot.phone += co->phone;
			tot.phone_elig += co->phone_elig;
			tot.wsum += co->wsum;
			tot.w2sum += co->w2sum;
		}
		cell(sb, st ? st : "*");
		strbuf_addf(sb, ",*,%zu,%zu,%zu,%zu,", fh, fv, tot.n_purposive, tot.n_random);
		for (t = 0; t < p->n_types; t++)
			strbuf_addf(sb, "%zu,", bt[t]);
		strbuf_addf(sb, "%zu,%.0f,%zu,%zu,%zu,", tot.field, mn, tot.enumerators,
			    tot.phone_pop, tot.phone);
		/* the phone sample of a group is stratified by county: its margin is
		 * taken with the design effect of unequal weights as well */
		{
			double neff_f = tot.w2sum > 0 ? tot.wsum * tot.wsum / tot.w2sum : 0;
			double pw = 0, pw2 = 0;
			size_t j;

			for (j = 0; j < d->n[SAMPLE_PHONE]; j++) {
				const struct sample_unit *u = &d->u[SAMPLE_PHONE][j];
				const struct plan_county *pc =
					&p->counties[f->counties[f->villages[f->hh[u->frame].village]
									 .county]
							     .plan_row];

				if (st && strcmp(pc->stratum, st))
					continue;
				pw += u->weight;
				pw2 += u->weight * u->weight;
			}
			if (neff_f > 0)
				strbuf_addf(sb, ",%.4f", d->z * sqrt(0.25 / neff_f));
			else
				strbuf_addch(sb, ',');
			if (pw2 > 0)
				strbuf_addf(sb, ",%.4f\n", d->z * sqrt(0.25 / (pw * pw / pw2)));
			else
				strbuf_addstr(sb, ",\n");
		}
		free(bt);
	}
}
