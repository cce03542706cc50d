/*
 * commands — the table of ruhu's subcommands. Add a command by writing
 * cmd_NAME.c, declaring it in commands.h and adding one row here.
 */
#include "cli.h"
#include "commands.h"

#include <string.h>

const struct cmd_entry cmd_table[] = {
	{"help", cmd_help, "显示帮助", "show help", "ruhu help [命令]", "ruhu help [COMMAND]"},
	{"version", cmd_version, "显示版本", "show the version", "ruhu version", "ruhu version"},
};

const size_t cmd_count = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_entry *cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}
