/*
 * sample_calls — the phone survey's call attempts and their AAPOR report
 * (`ruhu calls log`, `ruhu calls report`; docs/sampling.md).
 *
 * A call attempt is a device-level event of the store (kind "call_attempt",
 * path = the household key, new_value = the outcome, extra = "callback=T"
 * for a call-back at Unix time T), so it is exported in every device bundle
 * and merge keeps it (events are unique by device and sequence: merging a
 * bundle twice never doubles an attempt).
 *
 * The report gives each household of the phone sample (assignments whose
 * preload selection_reason is "phone", as `ruhu sample` writes them) and
 * each household with an attempt one final disposition, by the AAPOR
 * Standard Definitions (telephone):
 *   I  complete       an answered call and an interview completed or approved
 *   P  partial        an answered call, the interview not completed
 *   R  refusal        any refusal (and no answered call)
 *   O  other          language barrier (2.33)
 *   NC non-contact    a call-back was asked for but never completed (2.21)
 *   NE not eligible   wrong or dead number (4.2, 4.3), and no contact
 *   UH unknown        only no answer or busy, or never called (3.1)
 * and per county and for all:
 *   RR1   = I / (I + P + R + NC + O + UH)
 *   RR3   = I / (I + P + R + NC + O + e·UH)
 *   COOP1 = I / (I + P + R + O)
 *   REF1  = R / (I + P + R + NC + O + UH)
 *   CON1  = (I + P + R + O) / (I + P + R + O + NC + UH)
 *   e     = (I + P + R + NC + O) / (I + P + R + NC + O + NE), the share of
 *           eligible cases among those whose eligibility is known.
 */
#ifndef RUHU_SAMPLE_CALLS_H
#define RUHU_SAMPLE_CALLS_H

#include "ruhu/error.h"
#include "ruhu/strbuf.h"

#include <stdint.h>

struct store;

enum sample_call_outcome {
	SAMPLE_CALL_ANSWERED,
	SAMPLE_CALL_NO_ANSWER,
	SAMPLE_CALL_BUSY,
	SAMPLE_CALL_REFUSED,
	SAMPLE_CALL_WRONG_NUMBER,
	SAMPLE_CALL_DEAD_NUMBER,
	SAMPLE_CALL_CALLBACK,
	SAMPLE_CALL_LANGUAGE,
	SAMPLE_CALL_COUNT
};

/* "answered", "no_answer", "busy", "refused", "wrong_number", "dead_number",
 * "callback", "language"; NULL when out of range. */
const char *sample_call_outcome_name(enum sample_call_outcome o);
/* The outcome named `s`; -1 when there is none. */
int sample_call_outcome_parse(const char *s, enum sample_call_outcome *out);

/*
 * Records one attempt for `household_key` (which must be in the sample of
 * the database) with its outcome; `callback_at` (Unix seconds, 0: none) is
 * only for SAMPLE_CALL_CALLBACK. One transaction. Returns 0 or a negative
 * STORE_E_* with err.
 */
int sample_call_log(struct store *s, const char *household_key, enum sample_call_outcome o,
		    int64_t callback_at, struct error *err);

/*
 * Appends the report as CSV to `out`: one row per county (in name order)
 * and a last row "*" for all, columns county, households, attempts, I, P,
 * R, NC, O, UH, NE, e, RR1, RR3, COOP1, REF1, CON1 (rates with 4 decimals;
 * empty when the denominator is 0). Returns 0 or a negative STORE_E_*.
 */
int sample_calls_report(struct store *s, struct strbuf *out, struct error *err);

#endif
