/*
 * audit — quality control over a team database: `ruhu audit`.
 *
 * Three kinds of checks, all read from one rules file (a CSV workbook like the
 * forms, default forms/checks.csv; docs/audit.md describes its sheets):
 *   - rules: an expression in the forms' language that flags a problem, over
 *     one interview (scope "interview") or each member of a roster (scope =
 *     the repeat's name), seeing the form's fields and calculations
 *     (${name}), the sample's columns (${sample_NAME}) and the params
 *     (${param});
 *   - paradata: built-in checks over each interview's event log (duration,
 *     seconds per question, changed answers, hours of the day, overlapping
 *     interviews, a device clock going backwards), thresholds from params;
 *   - batch: checks over all interviews at once (duplicate household keys,
 *     one value shared by several households, IQR outliers within a group,
 *     enumerators whose finding rate stands out).
 * Every policy number is a param; nothing of policy is in C.
 *
 * Ownership and errors as everywhere in the core: nothing prints; loading
 * and running append diagnostics located "FILE:SHEET:ROW" to a diag_list,
 * and a rules file with any error is refused whole before anything is
 * evaluated or written.
 */
#ifndef RUHU_AUDIT_H
#define RUHU_AUDIT_H

#include "ruhu/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct audit_rules;

enum audit_severity { AUDIT_ERROR, AUDIT_WARNING };
/* "error" / "warning" */
const char *audit_severity_name(enum audit_severity sev);

enum audit_kind { AUDIT_RULE, AUDIT_PARADATA, AUDIT_BATCH };

/*
 * Reads and checks the rules file at `path` (a regular file of at most
 * INFILE_FORM_MAX bytes, UTF-8): sheets params, rules, and optionally
 * paradata and batch. Everything that can be checked without a form is
 * checked here (duplicate ids, severity, scope words, params are numbers,
 * paradata/batch checks and their params exist); the expressions are
 * compiled against the forms by audit_run(). Returns 0 and sets *out (free
 * with audit_rules_free), or -1 with every problem in `dl`.
 */
int audit_rules_load(const char *path, struct audit_rules **out, struct diag_list *dl);
/* The same from memory; `name` is used in locations. */
int audit_rules_load_buffer(const char *name, const char *data, size_t len,
			    struct audit_rules **out, struct diag_list *dl);
void audit_rules_free(struct audit_rules *r); /* accepts NULL */

/* The file as named, and the SHA-256 of its bytes (64 hex). */
const char *audit_rules_file(const struct audit_rules *r);
const char *audit_rules_sha256(const struct audit_rules *r);

/* One check of the file, in file order: rules, then paradata, then batch. */
struct audit_check {
	const char *id;
	const char *desc_zh, *desc_en;
	const char *protects; /* what it protects (the rules' `protects` column), may be "" */
	enum audit_severity severity;
	enum audit_kind kind;
	const char *what;     /* rules: the expression; else the built-in check's name */
	const char *scope;    /* rules: "interview" or the roster; else "" */
	const char *form;     /* form_id it applies to ("" = every form) */
	int row;              /* its row in the file */
};
size_t audit_check_count(const struct audit_rules *r);
const struct audit_check *audit_check_get(const struct audit_rules *r, size_t i);

/* A param's value by name: 0 and *value, or -1 when there is none. */
int audit_param(const struct audit_rules *r, const char *name, double *value);

/* ---- running -------------------------------------------------------------- */

struct audit_opts {
	int64_t since; /* > 0: mark as new only findings no run <= since recorded */
	bool save;     /* record the run and its findings in the database */
	unsigned statuses; /* 0: completed, approved and rejected; else STORE_STATUS_BIT()s */
};

struct audit_finding {
	char *check;    /* audit_check id */
	size_t check_index;
	enum audit_severity severity;
	char *interview; /* "" for a finding about an enumerator */
	char *path;      /* "" (whole interview), "members[2]", or the enumerator */
	char *household_key, *county, *village, *enumerator, *device; /* "" when unknown */
	char *detail;    /* the values involved */
	bool is_new;     /* not recorded by runs <= opts.since (always true without since) */
};

/* A summary row: per check, per enumerator or per county. */
struct audit_sum {
	char *name;
	size_t interviews; /* interviews audited in the group (checks: where it applied) */
	size_t findings, errors, warnings;
	size_t shown;      /* findings that are new (== findings without --since) */
};

/* The enumerator dashboard (one row per enumerator). */
struct audit_enumerator {
	char *name;
	size_t interviews, days;
	double per_day;          /* interviews per day worked */
	double median_minutes;   /* median interview duration (NaN when none known) */
	double dk_rate, refused_rate; /* share of answers that are don't know / refused */
	double findings_per_iv;
	double z;                /* (findings_per_iv - mean of peers) / sd; 0 when sd = 0 */
	bool flagged;            /* |z| beyond the batch check's param */
};

struct audit_report {
	int64_t run;     /* the id the run was saved under (0 when not saved) */
	int64_t since;
	size_t interviews;
	struct audit_finding *findings; /* sorted: county, village, household, interview, check */
	size_t n_findings;
	size_t n_new;
	struct audit_sum *by_check;   /* one per check, in file order */
	size_t n_checks;
	struct audit_sum *by_enumerator, *by_county; /* sorted by name */
	size_t n_enumerators, n_counties;
	struct audit_enumerator *dashboard; /* sorted by name */
	size_t n_dashboard;
	double *durations;  /* minutes, one per interview with a known duration */
	size_t n_durations;
};

/*
 * Audits the interviews of the database (statuses as opts says) with the
 * rules `r`: compiles each rule against every stored version of its form
 * (an unknown name, an expression that does not compile or a bad roster
 * scope is an error "FILE:rules:ROW: message" and nothing runs; against an
 * older version of a form it is only a warning and that version is
 * skipped), then evaluates rules and paradata interview by interview in one
 * pass and the batch checks over the whole. With opts->save the run and all
 * its findings are recorded (store_audit_save) and out->run set.
 * `--since`: opts->since must name an existing run (else an error).
 * Returns 0 with *out filled (release with audit_report_release), or -1 with
 * the problems in `dl` (nothing written).
 */
int audit_run(struct store *s, const struct audit_rules *r, const struct audit_opts *opts,
	      struct audit_report *out, struct diag_list *dl);
void audit_report_release(struct audit_report *rep);

/* ---- back-checks ----------------------------------------------------------- */

struct audit_backcheck_opts {
	double rate;           /* share of each enumerator's interviews, 0 < rate <= 1 */
	size_t min_per_enumerator; /* at least this many per enumerator (or all it has) */
	uint64_t seed;
};

/* One household drawn for a back-check: its assignment (when sampled) and
 * the original interview. Strings owned by the draw ("" when unknown). */
struct audit_backcheck_row {
	char *household_key, *county, *township, *village, *household_type, *head_name;
	char *interview, *enumerator;
};

struct audit_backcheck {
	struct audit_backcheck_row *rows; /* sorted by enumerator, then household key */
	size_t n;
	size_t eligible;  /* completed or approved interviews with a household key */
	size_t skipped;   /* left out: no household key (not in the sample) */
};

/*
 * Draws a reproducible random sample of completed and approved interviews
 * for back-checks, stratified by enumerator: from each enumerator's
 * interviews (ordered by uuid, so the draw depends only on the database's
 * content and the seed) ceil(rate * n) are drawn without replacement, at
 * least min_per_enumerator (or all the enumerator has). Interviews without a
 * household key cannot be revisited and are counted in `skipped`. A
 * household is drawn at most once (its latest interview stands for it).
 * Returns 0, or < 0 with err (a rate outside (0, 1]: STORE_E_INVALID-like
 * message, code 0). Release with audit_backcheck_release().
 */
int audit_backcheck_draw(struct store *s, const struct audit_backcheck_opts *o,
			 struct audit_backcheck *out, struct error *err);
void audit_backcheck_release(struct audit_backcheck *b);

/* One compared field of a back-check: the original's value and the
 * back-check's. type: 1 should never change, 2 checks the enumerator, 3 may
 * change (checks the question). */
struct audit_bc_pair {
	char *household_key, *original, *backcheck; /* interview uuids */
	char *enumerator, *checker;                 /* who asked each */
	char *field;
	int type;
	char *a, *b;  /* original, back-check ("" unanswered, ".d"/".r" special) */
	bool differs;
};

struct audit_bc_rate {
	char *name;           /* enumerator or field */
	size_t compared, differ;
	bool flagged;         /* enumerators: type 1+2 rate above backcheck_max_rate */
};

struct audit_bc_report {
	struct audit_bc_pair *pairs; /* by household, then the backcheck sheet's order */
	size_t n_pairs;
	struct audit_bc_rate *by_enumerator; /* type 1 and 2 fields, sorted by name */
	size_t n_enumerators;
	struct audit_bc_rate *by_field;      /* in the sheet's order */
	size_t n_fields;
	struct audit_bc_rate by_type[3];
	size_t matched;   /* back-check interviews with a merged original */
	size_t unmatched; /* back-check interviews without one (listed nowhere else) */
	double max_rate;
};

/*
 * Compares each back-check interview (form `backcheck_form` of the rules'
 * backcheck sheet) with the latest completed, approved or rejected
 * interview of the same household in the original form, field by field as
 * the sheet lists them: numbers within the row's tolerance param
 * (absolute), select_multiple answers as sets, other answers exactly; a
 * field unanswered on both sides is not compared. Rates per enumerator
 * (of the original; type 1 and 2 fields, as IPA's bcstats judges
 * enumerators), per field and per type; enumerators above the param
 * backcheck_max_rate are flagged. Fails (-1, error in dl) when the rules
 * have no backcheck sheet or when no back-check interview has a merged
 * original. Release with audit_bc_report_release().
 */
int audit_backcheck_compare(struct store *s, const struct audit_rules *r,
			    struct audit_bc_report *out, struct diag_list *dl);
void audit_bc_report_release(struct audit_bc_report *rep);

#endif
