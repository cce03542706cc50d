/*
 * cmd_keys — `ruhu keys` (src/keys/keys.c, docs/bundle.md "Keys"):
 *   keys init --db TEAM.db [--escrow FILE] [--replace]   team key pairs under a passphrase
 *   keys show --db DB                                    fingerprints (makes a device key)
 *   keys export-public --db DB [--device] [--out FILE]   the public key file
 *   keys trust --db DEVICE.db FILE [--yes] [--replace]   pin the team key on a device
 *   keys devices --db TEAM.db [--enrol DEV [--key FILE]] [--revoke DEV [--reason TEXT]]
 *                [--policy first-use|enrolled]
 * The passphrase is read from RUHU_PASSPHRASE, else from the terminal with
 * echo off (cli_passphrase, shared with merge, import and export).
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/i18n.h"
#include "ruhu/keys.h"
#include "ruhu/seal.h"
#include "ruhu/store.h"
#include "ruhu/store_keys.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int read_tty_line(FILE *tty, const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	bool echo_off;
	size_t n;

	fputs(prompt, stderr);
	fflush(stderr);
	echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (!fgets(buf, (int)cap, tty))
		buf[0] = 0;
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', stderr);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

int cli_passphrase(void *ctx, char *buf, size_t cap, bool confirm, struct error *err)
{
	const char *env = getenv("RUHU_PASSPHRASE");
	char again[1024];
	FILE *tty;

	(void)ctx;
	if (env) {
		if (!*env || strlen(env) >= cap) {
			error_set(err, "RUHU_PASSPHRASE", "口令为空或过长", "the passphrase is empty or too long");
			return -1;
		}
		snprintf(buf, cap, "%s", env);
		return 0;
	}
	tty = fopen("/dev/tty", "r+");
	if (!tty) {
		error_set(err, NULL, "需要团队口令：没有终端，请设置 RUHU_PASSPHRASE",
			  "the team's passphrase is needed: no terminal, set RUHU_PASSPHRASE");
		return -1;
	}
	read_tty_line(tty, T_("团队口令：", "team passphrase: "), buf, cap);
	if (confirm) {
		read_tty_line(tty, T_("再输入一次：", "again: "), again, sizeof(again));
		if (strcmp(buf, again)) {
			fclose(tty);
			error_set(err, NULL, "两次输入的口令不同", "the two passphrases differ");
			return -1;
		}
	}
	fclose(tty);
	if (!*buf) {
		error_set(err, NULL, "口令不能为空", "the passphrase cannot be empty");
		return -1;
	}
	return 0;
}

static void print_fp(const char *zh, const char *en, const char *fp)
{
	char s[32];

	seal_fingerprint_short(fp, s);
	printf("%s%s  (%s)\n", T_(zh, en), s, fp);
}

struct dev_list {
	int n;
};

static int print_device(void *ctx, const struct store_key_device *d)
{
	struct dev_list *l = ctx;
	char fp[65], s[32] = "-";

	if (keys_fingerprint_hex(d->sign_pk, fp) == 0)
		seal_fingerprint_short(fp, s);
	printf("%-20s %-10s %-24s %6lld %-20s %6lld %-20s %s\n", cli_safe(d->device), d->status, s,
	       (long long)d->first_seq, *d->first_created ? cli_safe(d->first_created) : "-",
	       (long long)d->last_seq, *d->last_created ? cli_safe(d->last_created) : "-",
	       cli_safe(d->reason));
	l->n++;
	return 0;
}

static int usage(void)
{
	return cli_usage("keys");
}

int cmd_keys(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	struct keys_ring *r = NULL;
	const char *db = NULL, *sub, *escrow = NULL, *out = NULL, *file = NULL;
	const char *enrol = NULL, *revoke = NULL, *reason = NULL, *key = NULL, *policy = NULL;
	bool replace = false, yes = false, device = false;
	int i, ret = EXIT_FAIL;

	if (argc < 2)
		return usage();
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--escrow") && i + 1 < argc)
			escrow = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--enrol") && i + 1 < argc)
			enrol = argv[++i];
		else if (!strcmp(argv[i], "--revoke") && i + 1 < argc)
			revoke = argv[++i];
		else if (!strcmp(argv[i], "--reason") && i + 1 < argc)
			reason = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			policy = argv[++i];
		else if (!strcmp(argv[i], "--replace"))
			replace = true;
		else if (!strcmp(argv[i], "--yes"))
			yes = true;
		else if (!strcmp(argv[i], "--device"))
			device = true;
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			cli_errorf("未知参数 '%s'", "unknown argument '%s'", argv[i]);
			return usage();
		}
	}
	if (!db)
		return usage();
	if (store_open(db, STORE_OPEN_CHECK | (strcmp(sub, "init") ? 0 : STORE_OPEN_CREATE), &s,
		       &err) < 0)
		goto fail;
	r = keys_ring_new(s, cli_passphrase, NULL);
	if (!strcmp(sub, "init")) {
		char fp[65];

		if (keys_init(r, replace, escrow, fp, &err) < 0)
			goto fail;
		print_fp("团队密钥已生成，指纹：", "team keys made, fingerprint: ", fp);
		printf("%s\n", T_("请通过电话与各设备核对这个指纹。",
				  "compare this fingerprint with each device by phone."));
	} else if (!strcmp(sub, "show")) {
		struct keys_info k;

		if (keys_show(r, true, &k, &err) < 0)
			goto fail;
		if (k.team) {
			print_fp("团队密钥：", "team key: ", k.team_fp);
			printf(T_("设备策略：%s\n", "device policy: %s\n"), k.policy);
			if (*k.escrow_fp)
				print_fp("托管密钥：", "escrow key: ", k.escrow_fp);
		}
		if (k.self)
			print_fp("本设备密钥：", "this device's key: ", k.self_fp);
		if (k.pinned) {
			print_fp("信任的团队密钥：", "trusted team key: ", k.pin_fp);
			printf(T_("来源：%s\n", "from: %s\n"), cli_safe(k.pin_source));
		} else if (!k.team) {
			printf("%s\n", T_("尚未信任任何团队密钥", "no team key trusted yet"));
		}
	} else if (!strcmp(sub, "export-public")) {
		char *text = NULL;
		struct keys_info k;

		if (keys_show(r, false, &k, &err) < 0)
			goto fail;
		if (keys_export_public(r, k.team && !device, &text, &err) < 0)
			goto fail;
		if (out) {
			FILE *f = fopen(out, "wx");

			if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
				free(text);
				cli_errorf("%s：无法写入", "%s: cannot write", out);
				goto done;
			}
		} else {
			fputs(text, stdout);
		}
		free(text);
	} else if (!strcmp(sub, "trust")) {
		struct keys_public pub;
		char s20[32];

		if (!file)
			return (store_close(s), keys_ring_free(r), usage());
		if (keys_read_public(file, &pub, &err) < 0)
			goto fail;
		seal_fingerprint_short(pub.fp, s20);
		printf(T_("团队密钥指纹：%s\n", "team key fingerprint: %s\n"), s20);
		if (!yes) {
			char line[16] = "";

			printf("%s", T_("与团队长电话核对一致吗？输入 yes 确认：",
					"does it match what the team leader reads out? type yes: "));
			fflush(stdout);
			if (!fgets(line, sizeof(line), stdin) || strncmp(line, "yes", 3)) {
				printf("%s\n", T_("未信任", "not trusted"));
				goto done;
			}
		}
		if (keys_trust(r, &pub, file, replace, &err) < 0)
			goto fail;
		printf("%s\n", T_("已信任；此后的数据包都会签名并加密给这个团队",
				  "trusted; bundles from now on are signed and encrypted to this team"));
	} else if (!strcmp(sub, "devices")) {
		struct dev_list l = {0};

		if (policy && keys_policy(r, policy, &err) < 0)
			goto fail;
		if (enrol) {
			struct keys_public pub;

			if (key && keys_read_public(key, &pub, &err) < 0)
				goto fail;
			if (keys_enrol(r, enrol, key ? &pub : NULL, &err) < 0)
				goto fail;
			printf(T_("已登记设备 %s\n", "device %s enrolled\n"), cli_safe(enrol));
		}
		if (revoke) {
			if (keys_revoke(r, revoke, reason, &err) < 0)
				goto fail;
			printf(T_("已吊销设备 %s\n", "device %s revoked\n"), cli_safe(revoke));
		}
		printf("%-20s %-10s %-24s %6s %-20s %6s %-20s %s\n", T_("设备", "device"),
		       T_("状态", "status"), T_("指纹", "fingerprint"), T_("首包", "first"),
		       T_("首次", "first at"), T_("末包", "last"), T_("最近", "last at"),
		       T_("原因", "reason"));
		if (store_keys_device_each(s, print_device, &l, &err) < 0)
			goto fail;
	} else {
		cli_errorf("未知的 keys 子命令 '%s'", "unknown keys subcommand '%s'", sub);
		keys_ring_free(r);
		store_close(s);
		return usage();
	}
	ret = EXIT_OK;
	goto done;
fail:
	cli_error(&err);
	error_clear(&err);
done:
	keys_ring_free(r);
	store_close(s);
	return ret;
}
