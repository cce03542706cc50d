/*
 * cmd_assign — `ruhu assign --db DB SAMPLE.csv`: loads a household sample
 * into a device or team database (src/sample/sample_file.c,
 * store_assignments_put). Every bad row is reported as SAMPLE.csv:LINE:
 * message (the line the row starts on) and nothing is loaded unless the
 * whole file is good. A database error (locked, full ...) is the database's,
 * not a row's: only STORE_E_INVALID names a row.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/sample.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_assign(int argc, char **argv)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct sample *smp = NULL;
	struct store *s = NULL;
	const char *db = NULL, *file = NULL;
	size_t bad = (size_t)-1;
	int i, ret = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (argv[i][0] == '-' || file) {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return cli_usage("assign");
		} else
			file = argv[i];
	}
	if (!db || !file)
		return cli_usage("assign");
	if (sample_load(file, &smp, &dl) < 0) {
		cli_diags(&dl);
		cli_errorf("%s：有错误，未载入任何样本", "%s: has errors; nothing loaded", file);
		goto done;
	}
	if (store_open(db, STORE_OPEN_CREATE | STORE_OPEN_CHECK, &s, &err) < 0)
		goto fail;
	if (store_assignments_put(s, smp->a, smp->n, &bad, &err) < 0) {
		if (err.code == STORE_E_INVALID && bad < smp->n) {
			char w[64];

			snprintf(w, sizeof(w), "%s:%zu", file, smp->row[bad]);
			free(err.where);
			err.where = xstrdup(w);
		}
		goto fail;
	}
	printf(T_("%s：已载入 %zu 户\n", "%s: %zu households loaded\n"), cli_safe(file), smp->n);
	ret = EXIT_OK;
	goto done;
fail:
	cli_error(&err);
	error_clear(&err);
done:
	diag_list_free(&dl);
	sample_free(smp);
	store_close(s);
	return ret;
}
