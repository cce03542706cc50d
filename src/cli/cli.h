/*
 * cli — the ruhu program: a table of git-style subcommands (commands.c), one
 * file per command (cmd_*.c), and the few helpers they share for printing.
 *
 * Exit codes: 0 success, 1 bad input or failed operation (message on stderr),
 * 2 usage error.
 */
#ifndef RUHU_CLI_H
#define RUHU_CLI_H

#include "ruhu/error.h"

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cmd_entry {
	const char *name;
	/* argv[0] is the command name; options follow (global --lang already removed) */
	int (*fn)(int argc, char **argv);
	const char *summary_zh;
	const char *summary_en;
	const char *usage_zh; /* full help text shown by `ruhu help CMD` */
	const char *usage_en;
};

extern const struct cmd_entry cmd_table[];
extern const size_t cmd_count;
const struct cmd_entry *cmd_lookup(const char *name);

/*
 * Outside text (from a form, sample, bundle, database or answers file) made
 * safe to print: control characters, C1 controls, bidirectional controls and
 * invalid UTF-8 shown as escapes (ruhu/termsafe.h); safe text is returned
 * unchanged. NULL gives "". The result stays valid for the next 7 calls, so
 * one printf may take several. Use it for every value of a report (status,
 * conflicts, merge, import, check summaries).
 */
const char *cli_safe(const char *s);
/*
 * The same for data written as a file format (fill's CSV, eval's result):
 * unchanged when `out` is not a terminal, so a redirected file holds the exact
 * bytes; on a terminal escaped like cli_safe() except newline and tab.
 */
const char *cli_safe_data(const char *s, FILE *out);

/* Writes s as one CSV cell (RFC 4180: quoted when it holds a comma, quote or
 * line break; quotes doubled), through cli_safe_data(). */
void cli_csv_cell(FILE *out, const char *s);

/* Prints "ruhu: WHERE: message" in the current language to stderr, escaped
 * with cli_safe() (messages quote file content). */
void cli_error(const struct error *err);
/* Prints a message built from both languages' formats to stderr, prefixed "ruhu: ". */
void cli_errorf(const char *zh, const char *en, ...) RUHU_PRINTF2(1, 2, 3);
/* Prints every diagnostic ("WHERE: error: message" / "WHERE: warning: message"),
 * escaped with cli_safe(). */
void cli_diags(const struct diag_list *dl);
/* Prints the short usage of `cmd` to stderr and returns EXIT_USAGE. */
int cli_usage(const char *cmd);

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
