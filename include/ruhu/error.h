/*
 * error — bilingual error messages carried from the core to the caller.
 *
 * The core never prints. A function that can fail takes a `struct error *`
 * (which may be NULL when the caller does not care), returns a negative status
 * on failure and fills the error with a location and the message in Chinese
 * and English. The caller picks the language when it prints.
 *
 * Messages follow git's rules: lowercase, no trailing period, the subject
 * quoted, e.g. where = "household.csv:survey:14",
 * en = "unknown choice list 'watr_src'", zh = "未知的选项列表 'watr_src'".
 *
 * Both format strings receive the same arguments; use positional conversions
 * ("%2$s ... %1$s") in one of them when the word order differs.
 *
 * A `struct diag_list` collects many messages (errors and warnings) where a
 * whole input is checked at once, as `ruhu check` does.
 */
#ifndef RUHU_ERROR_H
#define RUHU_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum lang { LANG_ZH = 0, LANG_EN = 1 };

/*
 * Marks a function taking a Chinese and an English printf format (arguments
 * ZH and EN, 1-based) that share the variadic arguments from FIRST on (0 for
 * a va_list): the compiler checks BOTH formats against the arguments, so a
 * "%s ... %d" in one language and "%d ... %s" in the other is an error.
 */
#define RUHU_PRINTF2(zh, en, first) \
	__attribute__((format(printf, zh, first), format(printf, en, first)))

struct error {
	char *where; /* "file:sheet:row", "eval:1:9", ... or NULL */
	char *zh;
	char *en;
	int code;    /* optional machine-readable code; 0 when unset */
};

#define ERROR_INIT {NULL, NULL, NULL, 0}

/* Sets (replacing) the error; `where` may be NULL. Accepts err == NULL. */
void error_set(struct error *err, const char *where, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
void error_vset(struct error *err, const char *where, const char *zh, const char *en,
		va_list ap) RUHU_PRINTF2(3, 4, 0);
/* Prefixes the location, e.g. error_prefix(err, "household.csv") turns
 * "survey:14" into "household.csv:survey:14". */
void error_prefix(struct error *err, const char *prefix);
bool error_isset(const struct error *err);
/* The message in `lang`, without location; never NULL. */
const char *error_msg(const struct error *err, enum lang lang);
/* Frees the strings and clears the error. Accepts NULL. */
void error_clear(struct error *err);
/* Copies `src` (location, both messages, code) into `dst`, clearing dst
 * first. Accepts dst == NULL. */
void error_copy(struct error *dst, const struct error *src);
/* Moves `src` into `dst` (clearing dst first). */
void error_move(struct error *dst, struct error *src);

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_severity severity;
	struct error e;
};

struct diag_list {
	struct diag *items;
	size_t n;
	size_t cap;
	size_t errors;   /* how many items have DIAG_ERROR */
	size_t warnings;
};

#define DIAG_LIST_INIT {NULL, 0, 0, 0, 0}

void diag_add(struct diag_list *dl, enum diag_severity sev, const char *where, const char *zh,
	      const char *en, ...) RUHU_PRINTF2(4, 5, 6);
void diag_vadd(struct diag_list *dl, enum diag_severity sev, const char *where, const char *zh,
	       const char *en, va_list ap) RUHU_PRINTF2(4, 5, 0);
/* Appends a copy of an error as a diagnostic. */
void diag_add_error(struct diag_list *dl, enum diag_severity sev, const struct error *err);
void diag_list_free(struct diag_list *dl);

#endif
