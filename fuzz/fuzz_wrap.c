/*
 * fuzz_wrap — the UI's width and wrapping code (src/ui/wrap.c) on arbitrary
 * bytes (form labels are outside input): at every width 1..80 the lines must
 * cover the text in order, drop only separators, start and end on character
 * boundaries, and be no wider than asked (a lone double-width character at
 * width 1 excepted); wrap_fit must never split a character. Aborts otherwise.
 */
#include "wrap.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t n, int width, struct wrap_lines *wl)
{
	size_t i, pos = 0;

	wrap_text(s, width, wl);
	if (!wl->n)
		abort();
	for (i = 0; i < wl->n; i++) {
		const struct wrap_line *l = &wl->v[i];
		if (l->off < pos || l->off + l->len > n)
			abort();
		for (; pos < l->off; pos++)
			if (s[pos] != ' ' && s[pos] != '\n' && s[pos] != '\t')
				abort();
		if (l->width != wrap_width(s + l->off, l->len))
			abort();
		if (l->width > width && !(width == 1 && l->width == 2))
			abort();
		pos = l->off + l->len;
	}
	for (; pos < n; pos++)
		if (s[pos] != ' ' && s[pos] != '\n' && s[pos] != '\t')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct wrap_lines wl = WRAP_LINES_INIT;
	char *s;
	size_t n;
	int width, used;

	if (!init) {
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.utf8");
		init = 1;
	}
	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	n = strlen(s); /* the UI wraps C strings */
	for (width = 1; width <= 80; width += width < 10 ? 1 : 7)
		check(s, n, width, &wl);
	for (width = 0; width <= 20; width++) {
		size_t k = wrap_fit(s, width, &used);
		if (k > n || used > width || used != wrap_width(s, k))
			abort();
	}
	wrap_lines_free(&wl);
	free(s);
	return 0;
}
