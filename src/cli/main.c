/*
 * main — the ruhu program: global options (--lang, --help, --version), then
 * dispatch of the subcommand through cmd_table.
 */
#include "cli.h"

#include "ruhu/i18n.h"
#include "ruhu/pg.h"
#include "ruhu/termsafe.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A few growable buffers used in turn, so that one printf can show several
 * escaped values; each result stays valid until CLI_SAFE_RING more calls. */
#define CLI_SAFE_RING 8

static const char *safe_flags(const char *s, unsigned flags)
{
	static struct strbuf ring[CLI_SAFE_RING] = {
		STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
		STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
	};
	static unsigned next;

	return termsafe_str(s, &ring[next++ % CLI_SAFE_RING], flags);
}

const char *cli_safe(const char *s)
{
	return safe_flags(s, 0);
}

const char *cli_safe_data(const char *s, FILE *out)
{
	if (!s)
		return "";
	return isatty(fileno(out)) ? safe_flags(s, TERMSAFE_LINES) : s;
}

void cli_csv_cell(FILE *out, const char *s)
{
	s = cli_safe_data(s, out);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Messages quote file content (a cell, a name, a value): escaped as a whole. */
void cli_error(const struct error *err)
{
	const char *where = err->where;

	if (where && *where)
		fprintf(stderr, "ruhu: %s: %s\n", cli_safe(where),
			cli_safe(error_msg(err, i18n_lang())));
	else
		fprintf(stderr, "ruhu: %s\n", cli_safe(error_msg(err, i18n_lang())));
}

void cli_errorf(const char *zh, const char *en, ...)
{
	struct error e = ERROR_INIT;
	va_list ap;

	va_start(ap, en);
	error_vset(&e, NULL, zh, en, ap);
	va_end(ap);
	cli_error(&e);
	error_clear(&e);
}

void cli_diags(const struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->items[i];
		const char *sev = d->severity == DIAG_ERROR ? T_("错误", "error") : T_("警告", "warning");

		if (d->e.where && *d->e.where)
			fprintf(stderr, "%s: %s: %s\n", cli_safe(d->e.where), sev,
				cli_safe(error_msg(&d->e, i18n_lang())));
		else
			fprintf(stderr, "%s: %s\n", sev, cli_safe(error_msg(&d->e, i18n_lang())));
	}
}

int cli_usage(const char *cmd)
{
	const struct cmd_entry *c = cmd_lookup(cmd);

	if (c)
		fprintf(stderr, "%s %s\n", T_("用法：", "usage:"), T_(c->usage_zh, c->usage_en));
	return EXIT_USAGE;
}

static void print_overview(FILE *out)
{
	size_t i;

	fprintf(out, "%s\n\n", T_("ruhu（入户）— 巩固脱贫成果考核评估离线入户调查工具",
				  "ruhu (入户) — offline household survey tool for the assessment of "
				  "consolidated poverty-alleviation results"));
	fprintf(out, "%s ruhu [--lang zh|en] %s [%s]\n\n", T_("用法：", "usage:"),
		T_("命令", "COMMAND"), T_("参数", "ARGS"));
	fprintf(out, "%s\n", T_("命令：", "commands:"));
	for (i = 0; i < cmd_count; i++)
		fprintf(out, "  %-10s %s\n", cmd_table[i].name,
			T_(cmd_table[i].summary_zh, cmd_table[i].summary_en));
	fprintf(out, "\n%s\n", T_("`ruhu help 命令` 显示某个命令的用法。",
				  "`ruhu help COMMAND` shows how to use one command."));
}

int cmd_help(int argc, char **argv)
{
	const struct cmd_entry *c;

	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	c = cmd_lookup(argv[1]);
	if (!c) {
		cli_errorf("未知命令 '%s'", "unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	printf("%s — %s\n\n%s %s\n", c->name, T_(c->summary_zh, c->summary_en),
	       T_("用法：", "usage:"), T_(c->usage_zh, c->usage_en));
	return EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	printf("ruhu %s\n", RUHU_VERSION);
	return EXIT_OK;
}

/* Removes every --lang X / --lang=X before "--" from argv; returns the new argc,
 * or -1 when a --lang value is missing or unknown. */
static int take_lang(int argc, char **argv)
{
	int i, o = 0;
	enum lang l;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[o++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--lang")) {
			if (i + 1 >= argc)
				return -1;
			v = argv[++i];
		} else if (!strncmp(a, "--lang=", 7)) {
			v = a + 7;
		} else {
			argv[o++] = argv[i];
			continue;
		}
		if (i18n_parse(v, &l) < 0 || (strcmp(v, "zh") && strcmp(v, "en"))) {
			cli_errorf("未知语言 '%s'（可用 zh 或 en）", "unknown language '%s' (use zh or en)",
				   v);
			return -1;
		}
		i18n_set(l);
	}
	argv[o] = NULL;
	return o;
}

/* A PostgreSQL connection string given to --db of a command that works on
 * SQLite only (docs/pg.md lists which do): refused here, clearly, rather
 * than taken for a file name and created. */
static bool pg_refused(const char *cmd, int argc, char **argv)
{
	/* import: cli_apply_bundles says a device database is SQLite */
	static const char *const pg_ok[] = {"merge", "import", "status", "db", NULL};
	int i, k;

	for (k = 0; pg_ok[k]; k++)
		if (!strcmp(cmd, pg_ok[k]))
			return false;
	for (i = 2; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--db") || !pg_is_conninfo(argv[i + 1]))
			continue;
		cli_errorf("ruhu %s 还不能直接用于 PostgreSQL 上的数据库：先用 ruhu db copy 复制到 "
			   "SQLite 文件再运行",
			   "ruhu %s does not work on a PostgreSQL database yet: copy it to a SQLite "
			   "file with ruhu db copy and run it there",
			   cmd);
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	const struct cmd_entry *c;

	setlocale(LC_ALL, "");
	i18n_set(i18n_from_env());
	argc = take_lang(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(argc - 1, argv + 1);
	c = cmd_lookup(argv[1]);
	if (!c) {
		cli_errorf("未知命令 '%s'；`ruhu --help` 列出所有命令",
			   "unknown command '%s'; `ruhu --help` lists them", argv[1]);
		return EXIT_USAGE;
	}
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		char *args[] = {argv[0], argv[1], NULL};
		return cmd_help(2, args);
	}
	if (pg_refused(c->name, argc, argv))
		return EXIT_FAIL;
	return c->fn(argc - 1, argv + 1);
}
