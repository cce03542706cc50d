/*
 * bench_keys — the price of keys on the nightly merge (issue 16): synthetic
 * households (ruhu synth, forms/household.csv) from RUHU_BENCH_DEVICES
 * devices (default 4) as plain bundles, and the same bundles sealed (signed
 * by each device's Ed25519 key, encrypted to the team's X25519 key with
 * crypto_box_seal + crypto_secretstream); each set merged into a fresh team
 * database through keys_merge_bundle, the plain set into a team without
 * keys, the sealed set into a team with keys (its passphrase asked once,
 * Argon2id included in the figure). Paired runs, alternating which goes
 * first (RUHU_BENCH_ROUNDS, default 3); the ratio of the summed CPU seconds
 * is the figure (goal ≤ 1.1×). RUHU_BENCH_HOUSEHOLDS (default 20000),
 * RUHU_BENCH_SEED (synth's seed, default 1).
 */
#include "ruhu/bundle.h"
#include "ruhu/form.h"
#include "ruhu/keys.h"
#include "ruhu/merge.h"
#include "ruhu/seal.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"
#include "synth.h"

#include <sodium.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int ret, struct error *err, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "bench_keys: %s: %s: %s\n", what, err->where ? err->where : "",
			err->en ? err->en : "?");
		exit(1);
	}
}

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);

	return v && atol(v) > 0 ? (size_t)atol(v) : def;
}

static int pass(void *ctx, char *buf, size_t cap, bool confirm, struct error *err)
{
	snprintf(buf, cap, "bench passphrase");
	return 0;
}

static char **files;
static size_t n_files, cap_files;

static double merge_all(const char *db, const char *dir, bool keyed, const char *team_db)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	struct keys_ring *r;
	struct keys_verdict v;
	struct merge_stats st;
	struct strbuf p = STRBUF_INIT;
	char cmd[1024];
	double c0;
	size_t i;

	unlink(db);
	if (keyed) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", team_db, db);
		if (system(cmd) != 0)
			exit(1);
	}
	c0 = cpu_s();
	check(store_open(db, STORE_OPEN_CREATE, &s, &err), &err, "open");
	r = keys_ring_new(s, pass, NULL);
	for (i = 0; i < n_files; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", dir, files[i]);
		check(keys_merge_bundle(r, p.buf, false, &v, &st, NULL, NULL, &err), &err, p.buf);
		if (v.sealed != keyed) {
			fprintf(stderr, "bench_keys: %s: sealed %d\n", p.buf, v.sealed);
			exit(1);
		}
	}
	keys_ring_free(r);
	store_close(s);
	strbuf_release(&p);
	return cpu_s() - c0;
}

int main(void)
{
	const char *src = getenv("RUHU_SOURCE");
	struct synth_opts so = {0};
	struct synth_result sr;
	struct error err = ERROR_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct strbuf p = STRBUF_INIT, plain = STRBUF_INIT, sealed = STRBUF_INIT;
	struct form *f = NULL;
	char tmpl[] = "bench-keys-XXXXXX", team_fp[65], team_db[600];
	unsigned char box_pk[32];
	size_t rounds = env_size("RUHU_BENCH_ROUNDS", 3), i, bytes_plain = 0, bytes_sealed = 0;
	double tp = 0, ts = 0, t0;
	DIR *d;
	struct dirent *e;

	if (sodium_init() < 0 || !mkdtemp(tmpl))
		return 1;
	so.households = env_size("RUHU_BENCH_HOUSEHOLDS", 20000);
	so.devices = env_size("RUHU_BENCH_DEVICES", 4);
	so.seed = env_size("RUHU_BENCH_SEED", 1);
	strbuf_addf(&p, "%s/forms/household.csv", src ? src : ".");
	if (form_load(p.buf, &f, &dl) < 0) {
		fprintf(stderr, "bench_keys: cannot load %s\n", p.buf);
		return 1;
	}
	strbuf_addf(&plain, "%s/plain", tmpl);
	strbuf_addf(&sealed, "%s/sealed", tmpl);
	mkdir(plain.buf, 0755);
	mkdir(sealed.buf, 0755);
	so.out_dir = plain.buf;
	t0 = now_s();
	check(synth_run(f, &so, &sr, &err), &err, "synth");
	form_free(f);
	printf("synth: %zu households, %zu answers, %zu events in %.1f s\n", sr.interviews,
	       sr.answers, sr.events, now_s() - t0);
	/* the team, with keys */
	snprintf(team_db, sizeof(team_db), "%s/team-keys.db", tmpl);
	{
		struct store *s = NULL;
		struct keys_ring *r;
		char *pub = NULL, *hex;

		check(store_open(team_db, STORE_OPEN_CREATE, &s, &err), &err, "team");
		r = keys_ring_new(s, pass, NULL);
		check(keys_init(r, false, NULL, team_fp, &err), &err, "keys init");
		check(keys_export_public(r, true, &pub, &err), &err, "export-public");
		hex = strstr(pub, "\nbox,") + 5;
		hex[64] = 0;
		sodium_hex2bin(box_pk, 32, hex, 64, NULL, NULL, NULL);
		free(pub);
		keys_ring_free(r);
		store_close(s);
	}
	/* each bundle sealed by its own device key */
	d = opendir(plain.buf);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".bundle.gz")) {
			XGROW(files, cap_files, n_files + 1);
			files[n_files++] = xstrdup(e->d_name);
		}
	closedir(d);
	t0 = cpu_s();
	for (i = 0; i < n_files; i++) {
		struct strbuf in = STRBUF_INIT;
		unsigned char pk[32], sk[64];
		struct seal_params sp;
		char *out, *data, hash[65];
		size_t olen, len;
		FILE *fp;

		strbuf_addf(&in, "%s/%s", plain.buf, files[i]);
		check(bundle_load_file(in.buf, &data, &len, &err), &err, in.buf);
		bytes_plain += len;
		crypto_sign_keypair(pk, sk);
		memset(&sp, 0, sizeof(sp));
		sp.sign_pk = pk;
		sp.sign_sk = sk;
		sp.prev = "";
		sp.team = team_fp;
		sp.enc_team = box_pk;
		check(seal_make(data, len, &sp, &out, &olen, hash, &err), &err, "seal");
		bytes_sealed += olen;
		strbuf_reset(&in);
		strbuf_addf(&in, "%s/%s", sealed.buf, files[i]);
		fp = fopen(in.buf, "wb");
		if (!fp || fwrite(out, 1, olen, fp) != olen || fclose(fp) != 0)
			return 1;
		free(out);
		free(data);
		strbuf_release(&in);
	}
	printf("sealing %zu bundles (%.1f MB): %.2f s CPU; sealed files %.1f MB\n", n_files,
	       (double)bytes_plain / 1e6, cpu_s() - t0, (double)bytes_sealed / 1e6);
	for (i = 0; i < rounds; i++) {
		double a, b;

		strbuf_reset(&p);
		strbuf_addf(&p, "%s/team.db", tmpl);
		if (i % 2 == 0) {
			a = merge_all(p.buf, plain.buf, false, NULL);
			b = merge_all(p.buf, sealed.buf, true, team_db);
		} else {
			b = merge_all(p.buf, sealed.buf, true, team_db);
			a = merge_all(p.buf, plain.buf, false, NULL);
		}
		printf("round %zu: merge plain %.2f s CPU, signed+encrypted %.2f s CPU (%.3fx)\n",
		       i + 1, a, b, b / a);
		tp += a;
		ts += b;
	}
	printf("merge of %zu households: plain %.2f s, signed+encrypted %.2f s CPU per run; "
	       "ratio %.3fx (goal <= 1.1x)\n",
	       sr.interviews, tp / (double)rounds, ts / (double)rounds, ts / tp);
	for (i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	strbuf_release(&p);
	strbuf_release(&plain);
	strbuf_release(&sealed);
	diag_list_free(&dl);
	if (!getenv("RUHU_BENCH_KEEP")) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
