/*
 * fuzz_interview — libFuzzer target for the interview engine driven by
 * outside input: the paths and values of answer files and of the UI.
 *
 * A fixed form (roster, nested repeat, repeat_count, cascading selects,
 * or_other, constraints, relevance, calculations) is loaded once. The input
 * is a list of lines "OP PATH<TAB>VALUE": OP picks set, don't know, refused,
 * restore, repeat add/delete/move, next/prev/jump, complete/reopen. After
 * every operation the record, the sections, the blockers and the current item
 * are walked (ASan sees any stale pointer). At the end the stored answers are
 * replayed into a fresh interview, whose record must equal the original's:
 * what a store keeps is enough to rebuild the interview.
 */
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
	"| | integer | n | N | | . >= 0 and . <= 6 | | | |\n"
	"| | select_one st | state | State | | | | | |\n"
	"| | select_multiple ct or_other | county | County | | | | | ${state}=cf |\n"
	"| | begin repeat | members | M | | | | | |\n"
	"| | text | m_name | Name | | | | | |\n"
	"| | integer | m_age | Age | | . < 130 | | | |\n"
	"| | begin group | g | G | ${m_age} >= 6 | | | | |\n"
	"| | integer | school | School | | | | | |\n"
	"| | end group | | | | | | | |\n"
	"| | begin repeat | jobs | Jobs | | | | | |\n"
	"| | text | job | Job | | | | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | calculate | m_pos | | | | position(..) | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | begin repeat | plots | P | | | | ${n} | |\n"
	"| | decimal | area | Area | | | | | |\n"
	"| | end repeat | | | | | | | |\n"
	"| | calculate | total | | | | sum(${m_age}) + count(${job}) | | |\n"
	"| | date | d | D | ${total} > 10 | | | | |\n"
	"| choices |\n"
	"| | list_name | name | label | cf |\n"
	"| | st | a | A | |\n"
	"| | st | b | B | |\n"
	"| | ct | x | X | a |\n"
	"| | ct | y | Y | b |\n"
	"| | ct | z | Z | a |\n";

static struct form *form;

static int rec_cb(void *ud, const char *path, const char *value)
{
	strbuf_addf(ud, "%s=%s\n", path, value);
	return 0;
}

static int replay_cb(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct error err = ERROR_INIT;

	interview_restore(ud, path, value, sp, &err);
	error_clear(&err);
	return 0;
}

static void walk_all(struct interview *iv)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct interview_section *s = NULL;
	struct interview_item it;
	size_t n = 0, a, b;

	interview_record(iv, rec_cb, &sb);
	interview_sections(iv, &s, &n);
	interview_sections_free(s, n);
	interview_blockers(iv, &dl);
	diag_list_free(&dl);
	interview_current(iv, &it);
	if (it.path)
		strbuf_addstr(&sb, it.path);
	interview_progress(iv, &a, &b);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct interview *iv = NULL, *re = NULL;
	struct strbuf ra = STRBUF_INIT, rb = STRBUF_INIT;
	char *text, *line, *save = NULL;
	int ops = 0;

	if (!form) {
		struct diag_list dl = DIAG_LIST_INIT;
		if (form_load_buffer("fuzz.md", form_md, strlen(form_md), FORM_SYNTAX_MD, &form, &dl) < 0)
			abort();
		diag_list_free(&dl);
	}
	if (interview_new(form, NULL, &iv, NULL) < 0)
		abort();
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line && ops < 200;
	     line = strtok_r(NULL, "\n", &save), ops++) {
		struct error err = ERROR_INIT;
		char op = line[0];
		char *path = line[0] ? line + 1 : line;
		char *value = strchr(path, '\t');
		if (value)
			*value++ = '\0';
		switch (op) {
		case 's': interview_set(iv, path, value, &err); break;
		case 'd': interview_set_special(iv, path, IV_DONT_KNOW, &err); break;
		case 'r': interview_set_special(iv, path, IV_REFUSED, &err); break;
		case 'R': interview_restore(iv, path, value, IV_SPECIAL_NONE, &err); break;
		case 'a': interview_repeat_add(iv, path, NULL, &err); break;
		case 'x': interview_repeat_delete(iv, path, &err); break;
		case 'm': interview_repeat_move(iv, path, value ? atoi(value) : 1, &err); break;
		case 'n': interview_next(iv, &err); break;
		case 'p': interview_prev(iv); break;
		case 'j': interview_jump(iv, path, &err); break;
		case 'c': interview_complete(iv, &err); break;
		case 'o': interview_reopen(iv, &err); break;
		case 'k': interview_check(iv, path, &err); break;
		default: break;
		}
		error_clear(&err);
		walk_all(iv);
	}
	/* replay what a store keeps into a fresh interview: same record */
	if (interview_new(form, NULL, &re, NULL) < 0)
		abort();
	interview_answers(iv, replay_cb, re);
	interview_record(iv, rec_cb, &ra);
	interview_record(re, rec_cb, &rb);
	if (strcmp(ra.buf, rb.buf)) {
		fprintf(stderr, "replay differs:\n--- original\n%s--- replay\n%s", ra.buf, rb.buf);
		abort();
	}
	strbuf_release(&ra);
	strbuf_release(&rb);
	interview_free(iv);
	interview_free(re);
	free(text);
	return 0;
}
