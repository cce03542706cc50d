/* commands — one declaration per cmd_*.c file; the table is in commands.c. */
#ifndef RUHU_CLI_COMMANDS_H
#define RUHU_CLI_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* cmd_check.c */
int cmd_check(int argc, char **argv);

/* cmd_eval.c */
int cmd_eval(int argc, char **argv);

/* cmd_fill.c */
int cmd_fill(int argc, char **argv);

/* cmd_collect.c (and what cmd_demo.c shares with it) */
struct store;
struct error;
int cmd_collect(int argc, char **argv);
/* The per-user data folder ($XDG_DATA_HOME/ruhu or ~/.local/share/ruhu),
 * created when missing; malloc'd, or NULL with err set. */
char *collect_data_dir(struct error *err);
/* Loads the form at `path` (diagnostics printed) and stores it. */
int collect_put_form(struct store *st, const char *path, struct error *err);
/* Loads a sample CSV into the store's assignments (all or nothing);
 * *first_enumerator (may be NULL) gets the first row's enumerator. */
int collect_put_sample(struct store *st, const char *path, char **first_enumerator,
		       struct error *err);
/* 0 when standard input and output are a terminal, else -1 (message printed). */
int collect_need_terminal(void);
/* Runs the UI on the open store; returns an exit code. */
int collect_run(struct store *st, const char *trace_path);
struct store_review_filter;
int collect_run_review(struct store *st, const struct store_review_filter *f,
		       const char *reviewer);

/* cmd_demo.c */
int cmd_demo(int argc, char **argv);

/* cmd_assign.c */
int cmd_assign(int argc, char **argv);

/* cmd_export.c */
int cmd_export(int argc, char **argv);

/* cmd_merge.c: cli_apply_bundles is shared with cmd_import.c */
int cmd_merge(int argc, char **argv);
int cli_apply_bundles(const char *db, char **bundles, int n, bool import);

/* cmd_db.c */
int cmd_db(int argc, char **argv);

/* cmd_import.c */
int cmd_import(int argc, char **argv);

/* cmd_keys.c: cli_passphrase is shared with merge, import and export
 * (RUHU_PASSPHRASE, else the terminal with echo off) */
struct error;
int cmd_keys(int argc, char **argv);
int cli_passphrase(void *ctx, char *buf, size_t cap, bool confirm, struct error *err);

/* cmd_status.c */
int cmd_status(int argc, char **argv);

/* cmd_conflicts.c */
int cmd_conflicts(int argc, char **argv);

/* cmd_synth.c */
int cmd_synth(int argc, char **argv);
/* cmd_synth_frame.c: `ruhu synth --frame` */
int cmd_synth_frame(int argc, char **argv);

/* cmd_score.c, and score_html.c: the --format html report */
int cmd_score(int argc, char **argv);
struct profile;
struct score_result;
void score_write_html(FILE *out, const struct profile *p, const struct score_result *r);

/* cmd_review.c */
int cmd_review(int argc, char **argv);

/* cmd_data.c */
int cmd_data(int argc, char **argv);

/* cmd_audit.c */
int cmd_audit(int argc, char **argv);

/* cmd_calls.c */
int cmd_calls(int argc, char **argv);

/* cmd_sample.c */
int cmd_sample(int argc, char **argv);

/* cmd_backcheck.c */
int cmd_backcheck(int argc, char **argv);

#endif
