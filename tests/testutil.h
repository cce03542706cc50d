/*
 * testutil — small helpers shared by the cmocka tests.
 */
#ifndef RUHU_TESTUTIL_H
#define RUHU_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Exit code meson treats as "skipped". */
#define TEST_SKIP 77

/*
 * The shared conformance folder (../shared/conformance beside the clone), or
 * NULL. When it is absent a test skips itself (exit 77), except under CI=true,
 * where absence is a failure (exit 1). Call it at the top of main().
 */
static inline const char *test_conformance_dir(void)
{
	const char *d = getenv("RUHU_CONFORMANCE");
	const char *ci = getenv("CI");
	struct stat st;

	if (d && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
		return d;
	if (ci && !strcmp(ci, "true")) {
		fprintf(stderr, "conformance folder '%s' is missing under CI\n", d ? d : "(unset)");
		exit(1);
	}
	fprintf(stderr, "conformance folder '%s' is missing: skipped\n", d ? d : "(unset)");
	exit(TEST_SKIP);
}

/* The source tree root (for forms/ and test data). */
static inline const char *test_source_dir(void)
{
	const char *d = getenv("RUHU_SOURCE");
	return d ? d : ".";
}

#endif
