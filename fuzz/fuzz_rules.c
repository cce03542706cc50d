/*
 * fuzz_rules — libFuzzer target for the rules file of `ruhu audit`
 * (src/audit/audit_rules.c): the input is read as a rules workbook; a
 * refusal must come with at least one error and no rules, an acceptance
 * with no error and every check complete (an id, both descriptions, a
 * known kind, a row) and every param a finite number.
 */
#include "ruhu/audit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct audit_rules *r = NULL;
	size_t i;

	if (audit_rules_load_buffer("fuzz.csv", (const char *)data, size, &r, &dl) < 0) {
		if (!dl.errors || r)
			abort();
	} else {
		if (dl.errors || !r)
			abort();
		for (i = 0; i < audit_check_count(r); i++) {
			const struct audit_check *c = audit_check_get(r, i);

			if (!c || !c->id[0] || !c->desc_zh[0] || !c->desc_en[0] || c->row < 1 ||
			    c->kind > AUDIT_BATCH)
				abort();
		}
	}
	audit_rules_free(r);
	diag_list_free(&dl);
	return 0;
}
