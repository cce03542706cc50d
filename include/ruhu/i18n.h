/*
 * i18n — the interface language of the CLI and UI.
 *
 * Every user-facing string exists in Chinese and English. The core returns
 * both (see ruhu/error.h); the thin layers choose one with i18n_lang().
 * The language comes from --lang, else LC_ALL / LC_MESSAGES / LANG: Chinese
 * when the locale names zh, English otherwise.
 */
#ifndef RUHU_I18N_H
#define RUHU_I18N_H

#include "ruhu/error.h"

/* Parses "zh" / "en" (also "zh_CN.UTF-8", "en_US", "chinese"...). Returns 0 and
 * sets *out, or -1 when the name is not a supported language. */
int i18n_parse(const char *name, enum lang *out);
/* The language the environment asks for (LC_ALL, LC_MESSAGES, LANG). */
enum lang i18n_from_env(void);
void i18n_set(enum lang lang);
enum lang i18n_lang(void);
/* Picks one of two strings by the current language. */
const char *i18n_pick(const char *zh, const char *en);
#define T_(zh, en) i18n_pick((zh), (en))

#endif
