/* commands — one declaration per cmd_*.c file; the table is in commands.c. */
#ifndef RUHU_CLI_COMMANDS_H
#define RUHU_CLI_COMMANDS_H

/* cmd_check.c */
int cmd_check(int argc, char **argv);

/* cmd_eval.c */
int cmd_eval(int argc, char **argv);

/* cmd_fill.c */
int cmd_fill(int argc, char **argv);

#endif
