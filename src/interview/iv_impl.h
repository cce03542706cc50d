/*
 * iv_impl — the interview engine's private model, shared by the files of
 * src/interview (interview.c: tree, answers, navigation; graph.c: dependency
 * graph, expression host and recomputation; validate.c: value syntax).
 *
 * Invariants:
 *  - an instance `I` covers form nodes [I->base, I->end): the root covers the
 *    whole form, a repeat instance the nodes inside its repeat. I->cells[k -
 *    I->base] is meaningful for the nodes whose innermost container repeat
 *    (iv->crep[k]) is I->repeat; other cells stay zero;
 *  - a repeat node's cell in its parent instance holds that repeat's
 *    instances (kids) in order;
 *  - every live instance is in iv->byid under its id; freed ids map to NULL,
 *    so a position that referred to a deleted instance is detected;
 *  - iv->dirty[k] is NULL except during recomputation.
 */
#ifndef RUHU_IV_IMPL_H
#define RUHU_IV_IMPL_H

#include "ruhu/expr.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

struct inst;

struct cell {
	char *value;           /* NULL = empty */
	unsigned char special; /* enum interview_special */
	bool user;             /* entered (or preloaded, restored): what a store keeps */
	bool rel;              /* own relevant result (true without an expression) */
	char *other;           /* or_other: the "specify other" text */
	bool other_user;       /* the other text was entered */
	int want;              /* repeat_count rosters: the count asked, else -1 */
	struct inst **kids;    /* repeat nodes: instances */
	size_t nkids, capkids;
};

struct inst {
	uint32_t id;
	int repeat;            /* form node of the repeat, -1 for the root */
	int base, end;
	int depth;             /* 0 root */
	bool rel;              /* the repeat's relevant in this instance */
	struct inst *parent;
	struct cell *cells;
};

struct interview {
	const struct form *f;
	int n;
	const struct form_node **nodes;
	int *crep;             /* container repeat of each node: innermost repeat
				  strictly enclosing it (a repeat's own is its parent's) */

	struct inst *root;
	struct inst **byid;
	size_t nid, capid;
	size_t ncells;         /* cells of all live instances, at most IV_MAX_CELLS */
	struct error too_large; /* set when a roster was held back by IV_MAX_CELLS */

	/* dependency graph: value edges src -> dependents (CSR) */
	int *dep_off, *dep;
	int *rank;             /* topological position */
	int *order;            /* nodes by rank */
	struct inst **dirty;   /* per node: scope to recompute, or NULL */
	bool *forced;          /* propagate even when nothing changed */
	int ndirty;

	struct expr_host host;
	struct expr_scratch *scratch;
	struct inst *cf_inst;  /* context instance of a choice_filter evaluation */
	uint64_t evals;
	double shuffle_seed;   /* randomize=true without a seed: one per interview, or 0 */

	size_t lang, lang_zh, lang_en;
	unsigned specials;     /* form default IV_ALLOW_* */

	/* position */
	int pos_node;          /* -1 = end */
	uint32_t pos_inst;
	int pos_sub;           /* 1: the "other" text of pos_node */
	char *pos_path;
	char *item_path;

	bool completed;
	char *deviceid, *username;
	int64_t (*now_ms)(void *ud);
	void *now_ud;
	const unsigned char *only; /* interview_opts.only */
	char numbuf[64];
	struct error eval_err; /* first evaluation failure of a recompute */
};

/* graph.c */
int interview_graph_build(struct interview *iv, struct error *err);
void interview_graph_free(struct interview *iv);
void interview_host_init(struct interview *iv);
uint64_t interview_node_field(const struct inst *I, int k);
uint64_t interview_node_inst(const struct inst *I);
/* Marks the dependents of node k changed in instance I. */
void interview_mark_dependents(struct interview *iv, int k, struct inst *I);
/* Marks node k itself to be recomputed (and propagated) in scope I. */
void interview_mark(struct interview *iv, int k, struct inst *I, bool forced);
/* Recomputes everything marked, in topological order. */
void interview_recompute(struct interview *iv);
int interview_eval_bool(struct interview *iv, const struct form_expr *fx, uint64_t ctx, bool *out,
		 struct error *err);
int interview_eval_string(struct interview *iv, const struct form_expr *fx, uint64_t ctx,
		   const char **out, struct error *err);
bool interview_choice_passes(struct interview *iv, struct inst *I, int k, int list, int choice);
/* Shuffles the choices v[0..n) of select k in I when its parameters say
 * randomize=true (by its seed, else by one seed drawn per interview). */
void interview_shuffle_choices(struct interview *iv, struct inst *I, int k, size_t *v, size_t n);

/* interview.c */
bool interview_node_relevant(const struct interview *iv, const struct inst *I, int k);
struct inst *interview_inst_new(struct interview *iv, struct inst *parent, int repeat);
void interview_inst_free(struct interview *iv, struct inst *I);
struct cell *interview_cell(const struct inst *I, int k);
int interview_resize_repeat(struct interview *iv, struct inst *P, int r, size_t want);
int interview_kid_index(const struct inst *I);
int64_t interview_now(struct interview *iv);
bool interview_path_keeps_empty(struct interview *iv, const char *path);
int interview_repeat_delete_check(struct interview *iv, const char *instance_path, struct error *err);

/* validate.c */
int interview_check_integer(const char *s);
int interview_check_decimal(const char *s, double *out);
int interview_check_date(const char *s);
int interview_check_time(const char *s);
int interview_check_datetime(const char *s);
int interview_check_geopoint(const char *s);

#endif
