/*
 * fuzz_answers — libFuzzer target for the answers file of `ruhu fill`
 * (src/interview/answers_csv.c over src/util/csvread.c).
 *
 * The input is an answers file. answers_parse must either refuse it with an
 * error located at "fuzz.csv" or "fuzz.csv:LINE" (LINE within the file) and
 * a message in both languages, or accept rows whose lines are within the
 * file and never decrease (file order). Accepted rows are then applied to a
 * fixed form (cascading selects with a choice filter, or_other, a roster
 * with a nested repeat, repeat_count, constraints, relevance, calculations)
 * the way `ruhu fill` does; every problem must name the file, and when there
 * is none the interview must complete and its record be walkable. Any
 * crash, sanitizer report, leak or abort is a finding.
 */
#include "ruhu/answers.h"
#include "ruhu/error.h"
#include "ruhu/form.h"
#include "ruhu/interview.h"
#include "ruhu/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *form_md =
	"| survey |\n"
	"| | type | name | label | relevant | constraint | calculation | repeat_count | choice_filter |\n"
	"| | integer | n | N | | . >= 0 and . <= 4 | | | |\n"
	"| | select_one states | state | State | | | | | |\n"
	"| | select_one counties | county | County | | | | | state=${state} |\n"
	"| | select_multiple crops or_other | crops | Crops | | | | | |\n"
	"| | begin repeat | members | M | | | | | |\n"
	"| | text | m_name | Name | | string-length(.) <= 8 | | | |\n"
	"| | integer | m_age | Age | | . < 130 | | | |\n"
	"| | begin repeat | jobs | Jobs | ${m_age} >= 16 | | | | |\n"
	"| | text | job | Job | | | | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | begin repeat | plots | P | | | | ${n} | |\n"
	"| | decimal | area | Area | | . > 0 | | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | calculate | total | | | | sum(${m_age}) | | |\n"
	"| | date | d | D | ${total} > 10 | | | | |\n"
	"| choices |\n"
	"| | list_name | name | label | state |\n"
	"| | states | texas | Texas | |\n"
	"| | states | washington | Washington | |\n"
	"| | counties | cameron | Cameron | texas |\n"
	"| | counties | pierce | Pierce | washington |\n"
	"| | crops | rice | Rice | |\n"
	"| | crops | corn | Corn | |\n";

static struct form *form;

static int rec_cb(void *ud, const char *path, const char *value)
{
	strbuf_addf(ud, "%s=%s\n", path, value);
	return 0;
}

static int located(const char *where, size_t lines)
{
	char *end;
	unsigned long long l;

	if (!where || strncmp(where, "fuzz.csv", 8))
		return 0;
	if (!where[8])
		return 1;
	if (where[8] != ':')
		return 0;
	l = strtoull(where + 9, &end, 10);
	return !*end && l >= 1 && l <= lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list problems = DIAG_LIST_INIT;
	struct error err = ERROR_INIT;
	struct answers *a = NULL;
	struct interview *iv = NULL;
	struct strbuf rec = STRBUF_INIT;
	size_t lines = 1, i, last = 0;

	if (!form) {
		struct diag_list dl = DIAG_LIST_INIT;
		if (form_load_buffer("fuzz.md", form_md, strlen(form_md), FORM_SYNTAX_MD, &form, &dl) <
		    0)
			abort();
		diag_list_free(&dl);
	}
	/* physical lines, as csvread counts them (LF, CRLF, lone CR) */
	for (i = 0; i < size; i++)
		if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			lines++;
	if (answers_parse("fuzz.csv", (const char *)data, size, &a, &err) < 0) {
		if (a || !located(err.where, lines) || !err.zh || !*err.zh || !err.en || !*err.en)
			abort();
		error_clear(&err);
		return 0;
	}
	for (i = 0; i < answers_count(a); i++) {
		size_t l = answers_line(a, i);

		if (l < 1 || l > lines || l < last || !answers_field(a, i) || !answers_value(a, i))
			abort();
		last = l;
	}
	if (interview_new(form, NULL, &iv, NULL) < 0)
		abort();
	if (answers_apply(a, form, iv, &problems) != problems.n)
		abort();
	for (i = 0; i < problems.n; i++)
		if (!located(problems.items[i].e.where, lines))
			abort();
	if (!problems.n) {
		if (interview_complete(iv, &err) == 0)
			interview_record(iv, rec_cb, &rec);
		error_clear(&err);
	}
	strbuf_release(&rec);
	diag_list_free(&problems);
	interview_free(iv);
	answers_free(a);
	return 0;
}
