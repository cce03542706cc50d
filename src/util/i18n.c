/*
 * i18n — current interface language (see ruhu/i18n.h). Process-wide state:
 * set once by the CLI at start-up (or by the UI's language key).
 */
#include "ruhu/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static enum lang current = LANG_ZH;

int i18n_parse(const char *name, enum lang *out)
{
	if (!name || !*name)
		return -1;
	if (!strncasecmp(name, "zh", 2) || !strncasecmp(name, "chinese", 7) ||
	    !strcmp(name, "中文")) {
		*out = LANG_ZH;
		return 0;
	}
	if (!strncasecmp(name, "en", 2) || !strcmp(name, "C") || !strncasecmp(name, "C.", 2) ||
	    !strcmp(name, "POSIX")) {
		*out = LANG_EN;
		return 0;
	}
	return -1;
}

enum lang i18n_from_env(void)
{
	static const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncasecmp(v, "zh", 2) ? LANG_EN : LANG_ZH;
	}
	return LANG_EN;
}

void i18n_set(enum lang lang)
{
	current = lang;
}

enum lang i18n_lang(void)
{
	return current;
}

const char *i18n_pick(const char *zh, const char *en)
{
	return current == LANG_ZH ? zh : en;
}
