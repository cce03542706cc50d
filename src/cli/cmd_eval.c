/*
 * cmd_eval — `ruhu eval [--tz ZONE] [--type number|string|boolean]
 * [--var NAME=VALUE]... EXPR`: evaluates one expression with ${NAME} bound
 * to the given strings and prints the result. Form authors use it to debug
 * expressions; tests and benchmarks drive the engine through it.
 *
 * Options come before or after the expression; an argument beginning with
 * dashes is an option only when it is "--" followed by a letter, and "--"
 * ends the options (`ruhu eval -- --x` evaluates "--x").
 *
 * Exit codes: 0 printed, 1 the expression has an error (printed as
 * eval:1:COLUMN: message), 2 usage error.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/expr.h"
#include "ruhu/i18n.h"
#include "ruhu/strbuf.h"
#include "ruhu/termsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct var {
	char *name;
	const char *value;
};

struct vars {
	struct var *v;
	size_t n, cap;
};

static int scope_field(void *ud, const char *name)
{
	struct vars *vs = ud;
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return (int)i;
	return -1;
}

/* node 0 is the context (value ""); node i+1 is variable i */
static int host_resolve(void *ud, int field, const char *name, expr_node from, expr_node *out,
			size_t cap)
{
	if (field < 0)
		return 0;
	if (cap)
		out[0] = (expr_node)field + 1;
	return 1;
}

static const char *host_value(void *ud, expr_node n)
{
	struct vars *vs = ud;

	size_t i;

	if (n >= 1 && n <= vs->n)
		return vs->v[n - 1].value;
	/* the context node: --var .=VALUE, to try constraints such as ". > 0" */
	for (i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, "."))
			return vs->v[i].value;
	return "";
}

/* A zone is a name under /usr/share/zoneinfo or a POSIX TZ rule ("UTC-8"). */
static int valid_zone(const char *z)
{
	struct strbuf p = STRBUF_INIT;
	int ok;

	if (!*z || strstr(z, ".."))
		return 0;
	if (!strcmp(z, "UTC") || !strcmp(z, "GMT"))
		return 1;
	if (z[0] != '/' && strpbrk(z, "0123456789") && !strchr(z, '/'))
		return 1; /* POSIX rule such as CST-8 */
	strbuf_addf(&p, "/usr/share/zoneinfo/%s", z);
	ok = access(p.buf, R_OK) == 0;
	strbuf_release(&p);
	return ok;
}

/*
 * Whether an argument that is not one of eval's options is meant as one (and
 * so is refused as unknown): "--" and a letter. Anything else beginning with
 * dashes is XPath, where '-' is negation: "-----1" is -1 and "--1" is 1.
 * After "--" every argument is the expression.
 */
static bool is_option_like(const char *a)
{
	return a[0] == '-' && a[1] == '-' &&
	       ((a[2] >= 'a' && a[2] <= 'z') || (a[2] >= 'A' && a[2] <= 'Z'));
}

int cmd_eval(int argc, char **argv)
{
	struct vars vs = {NULL, 0, 0};
	const char *type = "string", *tz = NULL, *src = NULL;
	struct expr_scope scope = {&vs, scope_field, NULL};
	struct expr_host host = {0};
	struct expr *e = NULL;
	struct expr_scratch *s = NULL;
	struct expr_value val;
	struct error err = ERROR_INIT;
	int i, rc = EXIT_USAGE;
	bool opts = true;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (opts && !strcmp(a, "--")) {
			opts = false;
			continue;
		}
		if (opts && (!strcmp(a, "--tz") || !strcmp(a, "--type") || !strcmp(a, "--var"))) {
			if (i + 1 >= argc) {
				cli_errorf("选项 '%s' 需要一个值", "option '%s' needs a value", a);
				goto done;
			}
			v = argv[++i];
		} else if (opts && (!strncmp(a, "--tz=", 5) || !strncmp(a, "--type=", 7) ||
				    !strncmp(a, "--var=", 6))) {
			v = strchr(a, '=') + 1;
		} else if (opts && is_option_like(a)) {
			cli_errorf("未知选项 '%s'", "unknown option '%s'", a);
			goto done;
		} else {
			if (src) {
				cli_errorf("只能给出一个表达式（表达式中有空格时请加引号）",
					   "give exactly one expression (quote it if it has spaces)");
				goto done;
			}
			src = a;
			continue;
		}
		if (!strncmp(a, "--tz", 4)) {
			tz = v;
		} else if (!strncmp(a, "--type", 6)) {
			if (strcmp(v, "number") && strcmp(v, "string") && strcmp(v, "boolean")) {
				cli_errorf("未知类型 '%s'（可用 number、string、boolean）",
					   "unknown type '%s' (use number, string or boolean)", v);
				goto done;
			}
			type = v;
		} else {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v) {
				cli_errorf("--var 应为 名称=值，而不是 '%s'", "--var takes NAME=VALUE, not '%s'",
					   v);
				goto done;
			}
			XGROW(vs.v, vs.cap, vs.n + 1);
			vs.v[vs.n].name = xstrndup(v, (size_t)(eq - v));
			vs.v[vs.n].value = eq + 1;
			vs.n++;
		}
	}
	if (!src) {
		rc = cli_usage("eval");
		goto done;
	}
	if (tz) {
		if (!valid_zone(tz)) {
			cli_errorf("未知时区 '%s'", "unknown time zone '%s'", tz);
			goto done;
		}
		if (setenv("TZ", tz, 1) != 0) {
			cli_errorf("无法设置时区 '%s'", "cannot set time zone '%s'", tz);
			goto done;
		}
	}
	tzset();
	rc = EXIT_FAIL;
	if (expr_compile(src, &scope, &e, &err) < 0) {
		char where[32];

		snprintf(where, sizeof(where), "eval:1:%d", err.code);
		free(err.where);
		err.where = xstrdup(where);
		cli_error(&err);
		goto done;
	}
	host.ud = &vs;
	host.resolve = host_resolve;
	host.value = host_value;
	s = expr_scratch_new();
	if (expr_eval(e, &host, 0, s, &val, &err) < 0) {
		char where[32];

		snprintf(where, sizeof(where), "eval:1:%d", err.code);
		free(err.where);
		err.where = xstrdup(where);
		cli_error(&err);
		goto done;
	}
	if (!strcmp(type, "number")) {
		char buf[64];

		printf("%s\n", expr_format_number(expr_number(&val, &host), buf, sizeof(buf)));
	} else if (!strcmp(type, "boolean")) {
		printf("%s\n", expr_boolean(&val) ? "true" : "false");
	} else {
		size_t len;
		const char *str = expr_string(&val, &host, s, &len);

		if (isatty(fileno(stdout))) {
			/* a value may hold control characters: escaped on a
			 * terminal, exact when redirected (see cli_safe_data) */
			struct strbuf shown = STRBUF_INIT;

			termsafe_add(&shown, str, len, TERMSAFE_LINES);
			fwrite(shown.buf, 1, shown.len, stdout);
			strbuf_release(&shown);
		} else {
			fwrite(str, 1, len, stdout);
		}
		putchar('\n');
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_errorf("写入标准输出失败", "cannot write to standard output");
		goto done;
	}
	rc = EXIT_OK;
done:
	for (i = 0; i < (int)vs.n; i++)
		free(vs.v[i].name);
	free(vs.v);
	error_clear(&err);
	expr_free(e);
	expr_scratch_free(s);
	return rc;
}
