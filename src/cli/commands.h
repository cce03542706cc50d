/* commands — one declaration per cmd_*.c file; the table is in commands.c. */
#ifndef RUHU_CLI_COMMANDS_H
#define RUHU_CLI_COMMANDS_H

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
/* Runs the UI on the open store; returns an exit code. */
int collect_run(struct store *st, const char *trace_path);

/* cmd_demo.c */
int cmd_demo(int argc, char **argv);

#endif
