/*
 * synth — synthetic device bundles for demos, tests and benchmarks
 * (`ruhu synth`). A tool built on the core's public API into its own
 * library (libruhu_synth.a, tools/synth/meson.build) that the ruhu program
 * and the benchmarks link; the core library libruhu does not contain it.
 *
 * Invariants: the output depends only on the form and the options (a seeded
 * PRNG; fixed base time; no clock, no /dev/urandom), so the same seed gives
 * byte-identical bundles. Answers are produced by the interview engine
 * (interview_set / interview_set_special), so every stored answer passed the
 * form's types, choices, choice filters, constraints and relevance; an
 * interview is marked completed only when interview_complete() accepted it.
 */
#ifndef RUHU_SYNTH_H
#define RUHU_SYNTH_H

#include "ruhu/error.h"

#include <stddef.h>
#include <stdint.h>

struct form;

struct synth_opts {
	size_t households; /* in total, spread round-robin over the devices */
	size_t devices;    /* >= 1 */
	uint64_t seed;
	const char *out_dir;
	/* 0: sample.csv names each household's county as the interview does;
	 * N: households are spread round-robin over N counties C001..CN in the
	 * sample, which also gets the columns county_class (three classes) and
	 * prefecture (ten counties each) that scoring profiles group by */
	size_t counties;
};

struct synth_result {
	size_t interviews, completed, answers, events, bundles;
};

/*
 * Writes `devices` bundles ruhu-DEVICE-000001.bundle.gz and a sample file
 * sample.csv (for `ruhu assign`) into o->out_dir. Returns 0 or -1 with err
 * (a file that cannot be written; a form the engine refuses).
 */
int synth_run(const struct form *f, const struct synth_opts *o, struct synth_result *res,
	      struct error *err);

#endif
